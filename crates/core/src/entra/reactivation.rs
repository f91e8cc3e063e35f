//! Reactivation with Entra in mind (R-U1): when auto-deprovision is on and Entra still says
//! the account is disabled or deleted, the next sync would deactivate the user again, so
//! the administrator must confirm explicitly ("Reactivate anyway").

use serde::{Deserialize, Serialize};

use super::known_state;
use super::{client, settings, EntraError};
use crate::access::Actor;
use crate::directory::{self, DirectoryError, SignInMethod, User};
use crate::graph::{AccountState, ClientOptions, GraphError};
use crate::store::{Store, StoreError};

/// What Entra says of the user, and whether it was read just now or is the last known state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EntraCheck {
    /// "disabled" or "deleted".
    pub state: String,
    /// False when Graph could not be reached and the last known state was used.
    pub live: bool,
    /// The article's warning, adapted to what is known.
    pub warning: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ReactivationError {
    #[error("{}", .0.warning)]
    NeedsConfirmation(EntraCheck),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Entra(#[from] EntraError),
}

impl crate::ErrorCode for ReactivationError {
    fn code(&self) -> &'static str {
        match self {
            ReactivationError::NeedsConfirmation(_) => "reactivation_needs_confirmation",
            ReactivationError::Directory(e) => e.code(),
            ReactivationError::Entra(e) => e.code(),
        }
    }
}

impl From<StoreError> for ReactivationError {
    fn from(e: StoreError) -> Self {
        ReactivationError::Directory(e.into())
    }
}

/// Reactivates a user, first asking Entra when the user is Microsoft-linked and
/// auto-deprovision is on. `confirmed` is the administrator's "Reactivate anyway".
pub async fn reactivate(
    store: &mut Store,
    by: &Actor,
    user_id: i64,
    confirmed: bool,
) -> Result<User, ReactivationError> {
    by.require_admin("reactivate users")
        .map_err(DirectoryError::from)?;
    let user = directory::get_user(store, user_id)?;
    if !confirmed {
        if let Some(check) = entra_objection(store, &user).await? {
            return Err(ReactivationError::NeedsConfirmation(check));
        }
    }
    Ok(directory::reactivate(store, by, user_id)?)
}

/// Takes `&mut Store` although it only reads: a shared `&Store` held across the Graph call
/// would make the future unsendable (a SQLite connection is not `Sync`).
async fn entra_objection(
    store: &mut Store,
    user: &User,
) -> Result<Option<EntraCheck>, ReactivationError> {
    let Some(oid) = user
        .entra_object_id
        .as_deref()
        .filter(|_| user.sign_in == SignInMethod::Microsoft)
    else {
        return Ok(None);
    };
    let s = settings(store)?;
    let Some(connection) = s.connection.filter(|_| s.auto_deprovision) else {
        return Ok(None);
    };
    // Linked in another tenant: no run checks them there, so none would deactivate them
    // again, and their object id means nothing to the tenant connected now.
    let elsewhere = match (&user.entra_tenant_id, &connection.tenant_id) {
        (Some(linked), Some(connected)) => !linked.eq_ignore_ascii_case(connected),
        _ => false,
    };
    if elsewhere {
        return Ok(None);
    }
    let last_known = known_state(store, oid)?;
    let graph = client(
        store,
        ClientOptions {
            max_attempts: 2,
            ..ClientOptions::default()
        },
    );
    let live = match graph {
        Ok(graph) => graph.account(oid).await,
        Err(EntraError::Graph(e)) => Err(e),
        Err(EntraError::Secret(e)) => Err(GraphError::Unexpected {
            status: 0,
            code: "keychain".into(),
            message: e.to_string(),
        }),
        Err(e) => return Err(e.into()),
    };
    let (state, is_live) = match live {
        Ok(state) => (Some(state), true),
        Err(_) => (last_known, false),
    };
    let Some(state @ (AccountState::Disabled | AccountState::Deleted)) = state else {
        return Ok(None);
    };
    let words = if state == AccountState::Disabled {
        "disabled"
    } else {
        "deleted"
    };
    let source = if is_live {
        format!(
            "Microsoft Entra ID says {}'s account is {words}.",
            user.email
        )
    } else {
        format!("UniAsset could not reach Microsoft Entra ID; the last known state of {}'s account is {words}.", user.email)
    };
    Ok(Some(EntraCheck {
        state: words.to_owned(),
        live: is_live,
        warning: format!(
            "{source} Auto-deprovisioning is still enabled, so the next nightly sync will deactivate them again. Re-enable their Entra account first, or reactivate anyway."
        ),
    }))
}
