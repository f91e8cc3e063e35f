//! "Allow UniAsset to end sessions / to offboard" (R-E7): an existing connection gets the
//! extra application permissions an optional feature needs through the same device-code
//! sign-in of an administrator as "Set it up for me": the permission is added to UniAsset's app
//! registration and granted (admin consent). The administrator's token is used for this alone.

use serde::{Deserialize, Serialize};

use super::end_sessions::note_roles;
use super::settings::granted_roles_in;
use super::setup::{as_admin, connected_app, AdminSignIn, SignedIn};
use super::{connection, EntraError};
use crate::access::Actor;
use crate::audit;
use crate::graph::device_code::DeviceCodePrompt;
use crate::graph::{ENABLE_DISABLE_ROLE, REVOKE_SESSIONS_ROLE};
use crate::store::{Store, StoreError};
use crate::text_enum::text_enum;

text_enum! {
    /// An optional feature that needs more of Microsoft Graph than reading users.
    Feature, "feature", "end-sessions or offboard" {
        EndSessions => "end-sessions",
        Offboard => "offboard",
    }
}

impl Feature {
    /// The application permissions the feature needs.
    pub fn roles(self) -> &'static [&'static str] {
        match self {
            Feature::EndSessions => &[REVOKE_SESSIONS_ROLE],
            Feature::Offboard => &[ENABLE_DISABLE_ROLE, REVOKE_SESSIONS_ROLE],
        }
    }
}

/// What an administrator's grant did, for the window and the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Granted {
    pub feature: Feature,
    /// The permissions now granted to UniAsset's app registration.
    pub roles: Vec<String>,
    /// Who signed in to grant them.
    pub granted_by: String,
}

/// What granting needs, for the message when the administrator's role falls short.
const GRANT_NEEDS: &str = "grant application permissions to UniAsset's app registration: that takes a Global Administrator or a Privileged Role Administrator. Ask someone with one of those roles to sign in.";

/// Starts the administrator's sign-in for granting `feature`'s permissions.
pub async fn begin_grant(
    store: &mut Store,
    by: &Actor,
) -> Result<(DeviceCodePrompt, AdminSignIn), EntraError> {
    by.require_admin("allow UniAsset more in Microsoft Entra ID")?;
    let connection = connection(store)?.ok_or(EntraError::NotConnected)?;
    AdminSignIn::begin(connection.cloud, connection.endpoints).await
}

/// Waits for the administrator, then adds `feature`'s permissions to UniAsset's app
/// registration and grants them. Granting one already granted changes nothing.
pub async fn finish_grant(
    store: &mut Store,
    by: &Actor,
    sign_in: AdminSignIn,
    feature: Feature,
) -> Result<Granted, EntraError> {
    by.require_admin("allow UniAsset more in Microsoft Entra ID")?;
    let current = connection(store)?.ok_or(EntraError::NotConnected)?;
    let SignedIn {
        admin,
        account,
        cancel,
        ..
    } = sign_in.signed_in().await?;
    let (_, app) = connected_app(&admin, &account, &current, GRANT_NEEDS).await?;
    let gone = || EntraError::AppRegistrationGone {
        client_id: current.client_id.clone(),
    };
    let principal = admin
        .find_service_principal(&current.client_id)
        .await
        .map_err(|e| as_admin(e, &account, GRANT_NEEDS))?
        .ok_or_else(gone)?;
    cancel.commit()?;
    admin
        .grant_app_roles(&app, &principal, feature.roles())
        .await
        .map_err(|e| as_admin(e, &account, GRANT_NEEDS))?;
    let roles = record(store, by, feature, &account)?;
    Ok(Granted {
        feature,
        roles,
        granted_by: account,
    })
}

/// Notes the grant (the next token carries it; until then the settings believe the
/// administrator) and audits it. Returns the permissions now known to be granted.
fn record(
    store: &mut Store,
    by: &Actor,
    feature: Feature,
    account: &str,
) -> Result<Vec<String>, StoreError> {
    let tx = store.write()?;
    let mut roles = granted_roles_in(&tx)?.unwrap_or_default();
    for role in feature.roles() {
        if !roles.iter().any(|r| r.eq_ignore_ascii_case(role)) {
            roles.push((*role).to_owned());
        }
    }
    note_roles(&tx, &roles)?;
    let detail = format!(
        "{} granted {} to UniAsset's app registration",
        account,
        feature.roles().join(" and ")
    );
    audit::record(
        &tx,
        by,
        audit::Entry::organization("entra.permission_granted").detail(detail),
    )?;
    tx.commit()?;
    Ok(roles)
}
