//! "Offboard…" (R-E8): when the owner learns first that someone is leaving, one confirmed step
//! does what Microsoft's guidance for a leaver asks — disable the account in Entra, end their
//! sign-in sessions — and deactivates them here, listing what they still hold. Protected
//! people and the last active Owner are refused before anything changes anywhere. Where Entra
//! refuses to disable the account (an administrator's account takes a privileged role), the
//! owner is told so plainly and may deactivate them here anyway. A dry run says what would
//! happen and changes nothing.

use serde::{Deserialize, Serialize};

use super::end_sessions::{end_one, note_granted_roles, SessionsEnd, SessionsOutcome};
use super::settings::granted_roles_in;
use super::{client_for, saved, EntraError};
use crate::access::Actor;
use crate::assets::{self, Asset};
use crate::audit;
use crate::directory::{self, User};
use crate::graph::{ClientOptions, GraphError, Written, ENABLE_DISABLE_ROLE};
use crate::store::{Store, StoreError};
use crate::timestamp;

/// What the owner confirmed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct OffboardChoice {
    /// Say what would happen; change nothing.
    pub dry_run: bool,
    /// Deactivate here even if Entra refuses to disable the account.
    pub anyway: bool,
}

/// What offboarding did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Offboarding {
    pub user: User,
    pub dry_run: bool,
    /// When their account was disabled in Entra; None in a dry run or when Entra refused.
    pub disabled_in_entra_at: Option<String>,
    /// Why Entra did not disable the account, when the owner deactivated them anyway.
    pub entra_refused: Option<String>,
    /// What became of their Microsoft sessions; None in a dry run.
    pub sessions: Option<SessionsEnd>,
    /// What they still hold, to be got back.
    pub assets: Vec<Asset>,
    /// What was done, or would be, in sentences.
    pub summary: String,
}

pub async fn offboard(
    store: &mut Store,
    by: &Actor,
    user_id: i64,
    choice: OffboardChoice,
) -> Result<Offboarding, EntraError> {
    let user = directory::may_deactivate_now(store, by, user_id)?;
    let object_id = match &user.entra_object_id {
        Some(oid) if user.entra_linked() => oid.clone(),
        _ => return Err(EntraError::NotLinked(user.email)),
    };
    if user.protected {
        return Err(EntraError::ProtectedFromOffboarding(user.email));
    }
    let assets = assets::assets_of_user(store, user.id)?;
    if choice.dry_run {
        let summary = format!(
            "Offboarding {} would disable their account in Microsoft Entra ID, end their Microsoft sessions and deactivate them here. {}",
            user.email,
            to_recover(&assets)
        );
        return Ok(Offboarding {
            user,
            dry_run: true,
            disabled_in_entra_at: None,
            entra_refused: None,
            sessions: None,
            assets,
            summary,
        });
    }
    let (connection, keychain) = saved(store)?;
    let graph = client_for(connection, keychain, ClientOptions::default()).await?;
    let (disabled_in_entra_at, entra_refused) = match graph.disable_account(&object_id).await {
        Ok(Written::Done) => (Some(timestamp::now()), None),
        Ok(Written::NoAccount) => (None, Some(NO_ACCOUNT.to_owned())),
        Err(e) => {
            // What this token was granted tells a missing permission from a privileged account.
            note_granted_roles(store, &graph).await;
            let why = refusal(store, &user, e)?;
            if !choice.anyway {
                return Err(EntraError::DisableRefused(why));
            }
            (None, Some(why))
        }
    };
    let user = directory::deactivate(store, by, user.id)?;
    let sessions = end_one(store, &graph, by, &user).await?;
    // Who manages them, for the reminders about their assets; a failure leaves it unknown.
    super::managers::note_leavers_managers(store, &graph, &[(user.id, object_id)]).await?;
    let summary = summary(&user, disabled_in_entra_at.is_some(), &sessions, &assets);
    record(
        store,
        by,
        &user,
        disabled_in_entra_at.as_deref(),
        entra_refused.as_deref(),
        &summary,
    )?;
    Ok(Offboarding {
        user,
        dry_run: false,
        disabled_in_entra_at,
        entra_refused,
        sessions: Some(sessions),
        assets,
        summary,
    })
}

const NO_ACCOUNT: &str = "Microsoft Entra ID has no such account any more (it was deleted), so there was nothing to disable.";

/// Microsoft's refusal in the owner's words: a missing permission, or an administrator's
/// account, which an application may not disable.
fn refusal(store: &Store, user: &User, error: GraphError) -> Result<String, StoreError> {
    let granted = granted_roles_in(store.conn())?.is_some_and(|roles| {
        roles
            .iter()
            .any(|r| r.eq_ignore_ascii_case(ENABLE_DISABLE_ROLE))
    });
    Ok(match error {
        GraphError::PermissionMissing { .. } if granted => format!("Microsoft Entra ID refused to disable {}: their account holds an administrator role, which only a privileged administrator may disable. Disable it in the Microsoft Entra admin center.", user.email),
        GraphError::PermissionMissing { .. } => format!("Microsoft Entra ID refused to disable {}: UniAsset is not allowed to disable accounts ({ENABLE_DISABLE_ROLE}). Allow it with an administrator's sign-in (\"Allow UniAsset to offboard\"), or disable the account in the Microsoft Entra admin center.", user.email),
        other => format!("Microsoft Entra ID did not disable {}: {other}", user.email),
    })
}

fn to_recover(assets: &[Asset]) -> String {
    match assets.len() {
        0 => "They hold no assets.".to_owned(),
        _ => format!(
            "Assets to recover: {}.",
            assets
                .iter()
                .map(|a| format!("{} ({})", a.tag, a.name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn summary(user: &User, disabled: bool, sessions: &SessionsEnd, assets: &[Asset]) -> String {
    let entra = if disabled {
        "their account is disabled in Microsoft Entra ID"
    } else {
        "their account was not disabled in Microsoft Entra ID"
    };
    let sessions = match sessions.outcome {
        SessionsOutcome::Ended => "their Microsoft sessions are ended",
        SessionsOutcome::NothingToEnd => "they had no Microsoft sessions left to end",
        SessionsOutcome::Refused => {
            "their Microsoft sessions were not ended (UniAsset is not allowed to)"
        }
        SessionsOutcome::Failed => {
            "their Microsoft sessions were not ended yet (the next run tries again)"
        }
    };
    format!(
        "{} was offboarded: {entra}, {sessions}, and they are deactivated here. {}",
        user.email,
        to_recover(assets)
    )
}

fn record(
    store: &mut Store,
    by: &Actor,
    user: &User,
    disabled_in_entra_at: Option<&str>,
    entra_refused: Option<&str>,
    summary: &str,
) -> Result<(), StoreError> {
    let tx = store.write()?;
    tx.execute(
        "INSERT INTO offboardings (user_id, deactivated_at, offboarded_by, disabled_in_entra_at, entra_refused)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![user.id, user.deactivated_at, by.label(), disabled_in_entra_at, entra_refused],
    )?;
    audit::record(
        &tx,
        by,
        audit::Entry::user("user.offboarded", user.id).detail(summary),
    )?;
    tx.commit()?;
    Ok(())
}
