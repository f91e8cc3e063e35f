//! "Set it up for me" (R-E6): an administrator signs in once with a device code, and UniAsset
//! registers its own app in the tenant with what it needs and nothing more: the application,
//! its service principal, Microsoft Graph's User.Read.All application permission with admin
//! consent (and the permissions of optional features already turned on), and a 12-month
//! client secret kept in the keychain. The administrator's token is used for this alone and
//! never stored.

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

use super::cloud::{Cloud, Endpoints};
use super::connect::{save_connection, Checked, Registration};
use super::{Connection, EntraError};
use crate::access::Actor;
use crate::graph::device_code::{self, CancelSignIn, DeviceCodePrompt, PendingSignIn};
use crate::graph::{Application, ClientOptions, GraphClient, GraphError};
use crate::organization;
use crate::secrets::{ClientSecret, Keychain};
use crate::store::Store;

/// How long a secret UniAsset adds is valid.
const SECRET_LIFETIME: Months = Months::new(12);
/// The name the secret is listed under in Certificates & secrets.
pub(super) const SECRET_NAME: &str = "UniAsset Desktop";
/// Entra takes a little while to know a new app or secret everywhere: a first token
/// request may be refused for a minute or so.
const PROPAGATION_WAIT: Duration = Duration::from_secs(120);
/// How long a new object may stay unknown to the next call (Entra's replication).
const REPLICATION_WAIT: Duration = Duration::from_secs(30);

/// Which cloud the administrator's tenant is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SetupTarget {
    pub cloud: Cloud,
    /// Only for a custom cloud.
    pub login_url: Option<String>,
    pub graph_url: Option<String>,
}

/// An administrator's device-code sign-in under way, for a setup or a renewal.
#[derive(Debug)]
pub struct AdminSignIn {
    cloud: Cloud,
    endpoints: Endpoints,
    pending: PendingSignIn,
}

impl AdminSignIn {
    pub(super) async fn begin(
        cloud: Cloud,
        endpoints: Endpoints,
    ) -> Result<(DeviceCodePrompt, AdminSignIn), EntraError> {
        let (prompt, pending) = device_code::begin(&endpoints).await?;
        let sign_in = AdminSignIn {
            cloud,
            endpoints,
            pending,
        };
        Ok((prompt, sign_in))
    }

    pub fn canceller(&self) -> CancelSignIn {
        self.pending.canceller()
    }

    /// Waits for the administrator to sign in.
    pub(super) async fn signed_in(self) -> Result<SignedIn, EntraError> {
        let cancel = self.pending.canceller();
        let token = self.pending.wait().await?;
        let account = token.account();
        let admin =
            GraphClient::for_admin(self.endpoints.clone(), token, ClientOptions::default())?;
        Ok(SignedIn {
            admin,
            account,
            cloud: self.cloud,
            endpoints: self.endpoints,
            cancel,
        })
    }
}

/// The administrator, signed in: a Graph client acting as them, and who they are.
pub(super) struct SignedIn {
    pub admin: GraphClient,
    pub account: String,
    pub cloud: Cloud,
    pub endpoints: Endpoints,
    /// `commit` just before the first change in the tenant: a cancel until then still counts.
    pub cancel: CancelSignIn,
}

/// Starts the administrator's sign-in; the caller shows the prompt and then calls
/// `finish_setup`.
pub async fn begin_setup(
    store: &mut Store,
    by: &Actor,
    target: &SetupTarget,
) -> Result<(DeviceCodePrompt, AdminSignIn), EntraError> {
    by.require_admin("set up Microsoft Entra ID")?;
    organization::get(store)?;
    let endpoints = target
        .cloud
        .endpoints(target.login_url.as_deref(), target.graph_url.as_deref())?;
    AdminSignIn::begin(target.cloud, endpoints).await
}

/// Waits for the administrator, registers the app, tests it, then saves the connection.
/// When a step fails after the app was created, the app is deleted again.
pub async fn finish_setup(
    store: &mut Store,
    by: &Actor,
    sign_in: AdminSignIn,
) -> Result<Connection, EntraError> {
    by.require_admin("set up Microsoft Entra ID")?;
    let organization = organization::get(store)?;
    let SignedIn {
        admin,
        account,
        cloud,
        endpoints,
        cancel,
    } = sign_in.signed_in().await?;
    let tenant_id = admin.tenant_id().await?;
    let name = format!("UniAsset Desktop — {}", organization.name);
    // The optional features already on get their permissions in the same sign-in.
    let extra: Vec<&str> = if super::end_sessions_since_in(store.conn())?.is_some() {
        vec![crate::graph::REVOKE_SESSIONS_ROLE]
    } else {
        Vec::new()
    };
    cancel.commit()?;
    let app = admin
        .create_application(&name)
        .await
        .map_err(|e| as_admin(e, &account, SETUP_NEEDS))?;
    let registered = async {
        let principal = after_replication(|| admin.create_service_principal(&app.app_id))
            .await
            .map_err(|e| as_admin(e, &account, SETUP_NEEDS))?;
        after_replication(|| admin.grant_user_read_all(&principal))
            .await
            .map_err(|e| as_admin(e, &account, SETUP_NEEDS))?;
        if !extra.is_empty() {
            after_replication(|| admin.grant_app_roles(&app, &principal, &extra))
                .await
                .map_err(|e| as_admin(e, &account, SETUP_NEEDS))?;
        }
        let secret = admin
            .add_secret(&app.id, SECRET_NAME, secret_expiry())
            .await
            .map_err(|e| as_admin(e, &account, SETUP_NEEDS))?;
        // The app's own refusal is about the app (its permission), not the administrator.
        test_new_secret(&endpoints, &tenant_id, &app.app_id, &secret.secret).await?;
        Ok::<_, EntraError>(secret)
    }
    .await;
    let secret = match registered {
        Ok(secret) => secret,
        Err(e) => return Err(undo(&admin, &app, e).await),
    };
    let checked = Checked {
        tenant: tenant_id.clone(),
        client_id: app.app_id.clone(),
        endpoints,
        secret_expires_on: Some(secret.expires.date_naive()),
        // What it was granted just now; its tokens will say so once Entra has caught up.
        granted_roles: Some(
            std::iter::once("User.Read.All")
                .chain(extra.iter().copied())
                .map(str::to_owned)
                .collect(),
        ),
    };
    let registration = Registration {
        app_object_id: &app.id,
        secret_key_id: &secret.key_id,
        set_up_by: &account,
    };
    let saved = Keychain::for_store(store)
        .map_err(EntraError::from)
        .and_then(|keychain| {
            let previous = keychain.load().ok();
            keychain.save(&secret.secret)?;
            let saved =
                save_connection(store, by, cloud, &checked, &tenant_id, Some(&registration));
            if saved.is_err() {
                let _ = match previous {
                    Some(previous) => keychain.save(&previous),
                    None => keychain.delete(),
                };
            }
            saved
        });
    match saved {
        Ok(connection) => Ok(connection),
        Err(e) => Err(undo(&admin, &app, e).await),
    }
}

/// Deletes the half-made app registration; when even that fails, the error says what was
/// left in the tenant.
async fn undo(admin: &GraphClient, app: &Application, error: EntraError) -> EntraError {
    match admin.delete_application(&app.id).await {
        Ok(()) => error,
        Err(e) => EntraError::LeftBehind {
            error: Box::new(error),
            left: format!(
                "the app registration \"{}\" (client ID {}) could not be deleted ({e})",
                app.display_name.as_deref().unwrap_or("UniAsset Desktop"),
                app.app_id
            ),
        },
    }
}

/// Entra replicates a new object within seconds: right after the app is made, creating its
/// service principal, or granting that a role, may be refused as "not found" for a moment.
async fn after_replication<T, F, Fut>(call: F) -> Result<T, GraphError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, GraphError>>,
{
    call.retry(
        ExponentialBuilder::default()
            .with_min_delay(Duration::from_secs(1))
            .with_max_delay(Duration::from_secs(10))
            .with_total_delay(Some(REPLICATION_WAIT))
            .without_max_times(),
    )
    .sleep(tokio::time::sleep)
    .when(|e| {
        matches!(
            e,
            GraphError::Unexpected {
                status: 400 | 404,
                ..
            }
        )
    })
    .await
}

/// A new secret's end: 12 months from now (by UniAsset's clock).
pub(super) fn secret_expiry() -> DateTime<Utc> {
    let now = crate::clock::now();
    now.checked_add_months(SECRET_LIFETIME).unwrap_or(now)
}

/// Gets a token with the new secret and reads a user, waiting out Entra's propagation: right
/// after creation the app or secret may be unknown, or the permission not yet in force.
pub(super) async fn test_new_secret(
    endpoints: &Endpoints,
    tenant_id: &str,
    client_id: &str,
    secret: &ClientSecret,
) -> Result<(), GraphError> {
    let attempt = || async {
        let client = GraphClient::new(
            endpoints.clone(),
            tenant_id,
            client_id,
            secret.clone(),
            ClientOptions::default(),
        )?;
        client.test_connection().await
    };
    attempt
        .retry(
            ExponentialBuilder::default()
                .with_min_delay(Duration::from_secs(2))
                .with_max_delay(Duration::from_secs(20))
                .with_total_delay(Some(PROPAGATION_WAIT))
                .without_max_times(),
        )
        .sleep(tokio::time::sleep)
        .when(|e| {
            matches!(
                e,
                GraphError::AppNotFound { .. }
                    | GraphError::WrongSecret { .. }
                    | GraphError::PermissionMissing { .. }
            )
        })
        .await
}

/// What setting UniAsset up needs, for the message when the administrator's role falls short.
pub(super) const SETUP_NEEDS: &str = "register UniAsset and grant it User.Read.All: that takes a Global Administrator (or an Application Administrator who is also a Privileged Role Administrator). Ask someone with those rights to sign in, or enter the details yourself with the guided steps.";

/// For work on an existing connection (a renewal, a grant): the tenant the administrator
/// signed in to, which must be the connected one, and UniAsset's app registration there.
pub(super) async fn connected_app(
    admin: &GraphClient,
    account: &str,
    current: &super::Connection,
    needs: &'static str,
) -> Result<(String, Application), EntraError> {
    let tenant_id = admin.tenant_id().await?;
    if current
        .tenant_id
        .as_deref()
        .is_some_and(|known| !known.eq_ignore_ascii_case(&tenant_id))
    {
        return Err(EntraError::OtherTenant {
            account: account.to_owned(),
        });
    }
    let app = admin
        .find_application(&current.client_id)
        .await
        .map_err(|e| as_admin(e, account, needs))?
        .ok_or_else(|| EntraError::AppRegistrationGone {
            client_id: current.client_id.clone(),
        })?;
    Ok((tenant_id, app))
}

/// A 403 on the administrator's requests means their role does not allow this.
pub(super) fn as_admin(error: GraphError, account: &str, needs: &'static str) -> EntraError {
    match error {
        GraphError::PermissionMissing { .. } => EntraError::AdminRoleNeeded {
            account: account.to_owned(),
            needs,
        },
        e => e.into(),
    }
}
