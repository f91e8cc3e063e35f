//! What can go wrong talking to Microsoft, in the administrator's words (R-E2), with
//! Microsoft's own error code kept as a detail. Never holds the client secret.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("Microsoft could not find the tenant \"{}\". Check the tenant ID or verified domain, and that the cloud is right (a tenant lives in one cloud only). Microsoft's code: {code}.", crate::text::excerpt(.tenant))]
    TenantNotFound { tenant: String, code: String },
    #[error("No application with client ID {client_id} exists in this tenant. Check the application (client) ID in the Entra admin center, App registrations. Microsoft's code: {code}.")]
    AppNotFound { client_id: String, code: String },
    #[error("The client secret is wrong. Copy the secret's Value (not its ID) from App registrations → Certificates & secrets. Microsoft's code: {code}.")]
    WrongSecret { code: String },
    #[error("The client secret has expired. Create a new secret in App registrations → Certificates & secrets and reconnect with it. Microsoft's code: {code}.")]
    SecretExpired { code: String },
    #[error("The app is missing the User.Read.All application permission, or an administrator has not granted consent for it. Grant admin consent in App registrations → API permissions. Microsoft's code: {code}.")]
    PermissionMissing { code: String },
    #[error("Microsoft refused UniAsset's access token even after getting a new one. Microsoft's code: {code}.")]
    TokenRejected { code: String },
    #[error("UniAsset could not reach Microsoft at {host}: {detail}. Check this computer's network connection and proxy.")]
    Unreachable { host: String, detail: String },
    #[error("Microsoft Graph kept throttling requests and did not recover within {} s. Nothing was changed; the next run will try again.", .waited.as_secs())]
    Throttled { waited: Duration },
    #[error("Microsoft Graph is unavailable (HTTP {status}) and did not recover within {} s. Nothing was changed; the next run will try again.", .waited.as_secs())]
    Unavailable { status: u16, waited: Duration },
    #[error("Microsoft sent a reply UniAsset could not read ({detail}). Nothing was changed for the users concerned.")]
    Malformed { detail: String },
    #[error("Microsoft answered HTTP {status}: {message} Microsoft's code: {code}.")]
    Unexpected {
        status: u16,
        code: String,
        message: String,
    },
    #[error("Microsoft Graph did not find this account, and it is not among the directory's deleted items either: it may have been deleted for good, or this was a passing glitch. Nothing was done now; if a run an hour or more later still cannot find it, it counts as deleted.")]
    NotConfirmed,
    /// A paged read that would not end: a page linked back to one already read, or there
    /// were more pages than any tenant could fill.
    #[error("Microsoft Graph kept sending more pages of {listing} ({}), so UniAsset stopped reading after {pages} pages. Nothing was changed; the next run will try again. If this keeps happening, report it to Microsoft support.", if *.repeated { "a page pointed back to one already read" } else { "more than any tenant could hold" })]
    EndlessPaging {
        listing: &'static str,
        pages: usize,
        repeated: bool,
    },
    /// A read of one user answered with another user's record.
    #[error("Microsoft answered a read of account {asked} with the record of a different account ({answered}). UniAsset ignored the reply and changed nothing for this user; the next run will read it again.")]
    WrongUser { asked: String, answered: String },
    #[error("The sign-in code expired before an administrator used it. Start again and enter the new code within 15 minutes.")]
    SignInExpired,
    #[error(
        "The sign-in was declined on Microsoft's page. Nothing was changed in Microsoft Entra ID."
    )]
    SignInDeclined,
    #[error("The sign-in was cancelled. Nothing was changed in Microsoft Entra ID.")]
    SignInCancelled,
    #[error("Microsoft no longer accepts the administrator's sign-in (it lasts about an hour). Start again and sign in once more.")]
    AdminSignInEnded,
    /// The stored delta link is too old; the caller starts a full read instead.
    #[error("Microsoft no longer accepts the saved change-tracking link ({code}); a full read is needed.")]
    DeltaExpired { code: String },
}

impl GraphError {
    /// Microsoft's error code, for display as a detail.
    pub fn microsoft_code(&self) -> Option<&str> {
        match self {
            GraphError::TenantNotFound { code, .. }
            | GraphError::AppNotFound { code, .. }
            | GraphError::WrongSecret { code }
            | GraphError::SecretExpired { code }
            | GraphError::PermissionMissing { code }
            | GraphError::TokenRejected { code }
            | GraphError::Unexpected { code, .. }
            | GraphError::DeltaExpired { code } => Some(code),
            _ => None,
        }
    }
}

impl crate::ErrorCode for GraphError {
    fn code(&self) -> &'static str {
        match self {
            GraphError::TenantNotFound { .. } => "entra_tenant_not_found",
            GraphError::AppNotFound { .. } => "entra_app_not_found",
            GraphError::WrongSecret { .. } => "entra_wrong_secret",
            GraphError::SecretExpired { .. } => "entra_secret_expired",
            GraphError::PermissionMissing { .. } => "entra_permission_missing",
            GraphError::TokenRejected { .. } => "entra_token_rejected",
            GraphError::Unreachable { .. } => "entra_unreachable",
            GraphError::Throttled { .. } => "entra_throttled",
            GraphError::Unavailable { .. } => "entra_unavailable",
            GraphError::Malformed { .. } => "entra_malformed_reply",
            GraphError::Unexpected { .. } => "entra_error",
            GraphError::DeltaExpired { .. } => "entra_delta_expired",
            GraphError::NotConfirmed => "entra_deletion_not_confirmed",
            GraphError::EndlessPaging { .. } => "entra_endless_paging",
            GraphError::WrongUser { .. } => "entra_wrong_user",
            GraphError::SignInExpired => "entra_sign_in_expired",
            GraphError::SignInDeclined => "entra_sign_in_declined",
            GraphError::SignInCancelled => "entra_sign_in_cancelled",
            GraphError::AdminSignInEnded => "entra_admin_sign_in_ended",
        }
    }
}

/// Entra sign-in errors: `{"error", "error_description", "error_codes": [..]}`.
#[derive(serde::Deserialize)]
pub(super) struct TokenErrorBody {
    pub error: String,
    #[serde(default)]
    pub error_codes: Vec<u64>,
}

/// Graph errors: `{"error": {"code", "message"}}`.
#[derive(serde::Deserialize)]
pub(super) struct GraphErrorBody {
    pub error: GraphErrorDetail,
}

#[derive(serde::Deserialize)]
pub(super) struct GraphErrorDetail {
    pub code: String,
    #[serde(default)]
    pub message: String,
}

/// Maps a token endpoint refusal by its documented AADSTS codes, never by its text.
pub(super) fn token_error(
    body: &TokenErrorBody,
    tenant: &str,
    client_id: &str,
    status: u16,
) -> GraphError {
    let aadsts = body.error_codes.first().map(|c| format!("AADSTS{c}"));
    let code = aadsts.clone().unwrap_or_else(|| body.error.clone());
    match body.error_codes.first() {
        Some(90002) | Some(900023) => GraphError::TenantNotFound {
            tenant: tenant.to_owned(),
            code,
        },
        Some(700016) => GraphError::AppNotFound {
            client_id: client_id.to_owned(),
            code,
        },
        Some(7000215) | Some(7000218) => GraphError::WrongSecret { code },
        Some(7000222) => GraphError::SecretExpired { code },
        _ => GraphError::Unexpected {
            status,
            code,
            message: format!("Microsoft refused to sign UniAsset in ({}).", body.error),
        },
    }
}
