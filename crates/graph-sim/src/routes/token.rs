//! The Entra token endpoint: the client-credentials grant here, the device code grant in
//! `device_code`.

use super::device_code::{redeem, DEVICE_CODE_GRANT};
use crate::applications::SecretCheck;
use crate::entra_error::{entra_error, entra_json, missing_field, unknown_client, unknown_tenant};
use crate::state::{lock, Shared};
use crate::tokens::Grant;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// `POST /{tenant}/oauth2/v2.0/token`. Checks run in the order Entra reports them, so
/// each misconfiguration gets the AADSTS code the app maps to plain language.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    if field("grant_type") == Some(DEVICE_CODE_GRANT) {
        return redeem(&shared, &tenant, &form);
    }

    if !shared.is_tenant(&tenant) {
        return unknown_tenant(&tenant);
    }
    let (Some(grant_type), Some(client_id), Some(scope)) =
        (field("grant_type"), field("client_id"), field("scope"))
    else {
        let missing = ["grant_type", "client_id", "scope"]
            .into_iter()
            .find(|name| field(name).is_none())
            .unwrap_or("grant_type");
        return missing_field(missing);
    };
    if grant_type != "client_credentials" {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{grant_type}'."),
        );
    }
    if lock(&shared.registry)
        .service_principal_of(client_id)
        .is_none()
    {
        return unknown_client(client_id, &tenant);
    }
    if !scope.ends_with("/.default") || scope.contains(char::is_whitespace) {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            &format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."),
        );
    }
    let Some(secret) = field("client_secret") else {
        return entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        );
    };
    let check = lock(&shared.registry).check_secret(client_id, secret, chrono::Utc::now());
    let forced_expiry = client_id.eq_ignore_ascii_case(&shared.config.client_id)
        && shared.secret_expired.load(Ordering::Relaxed);
    let roles = match check {
        SecretCheck::UnknownApp => return unknown_client(client_id, &tenant),
        SecretCheck::WrongSecret => {
            return entra_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                &format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."),
            )
        }
        SecretCheck::Expired => return expired_secret(client_id),
        SecretCheck::Valid { .. } if forced_expiry => return expired_secret(client_id),
        SecretCheck::Valid { roles } => roles,
    };
    let grant = Grant::App {
        app_id: client_id.to_lowercase(),
        roles,
    };
    let (access_token, lifetime) = shared.issue(grant, scope.trim_end_matches("/.default"));
    entra_json(&json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
    }))
}

/// AADSTS7000222: the secret is right but past its end date.
fn expired_secret(client_id: &str) -> Response {
    entra_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        7000222,
        &format!("The provided client secret keys for app '{client_id}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds."),
    )
}
