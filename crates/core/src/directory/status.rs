//! Deactivating and reactivating users. Deactivation is never deletion: it flips the
//! status, records when, by whom and why, and ends the user's sessions; assets, audit
//! entries, maintenance logs and documents are left exactly as they were (R-D3).

use rusqlite::Connection;

use super::actions::{can_be_deactivated, may_deactivate, may_protect, may_reactivate};
use super::{active_owner_count, user_by_id, DeactivationReason, DirectoryError, Role, User};
use crate::access::Actor;
use crate::audit;
use crate::store::{Store, StoreError};
use crate::timestamp;

/// Whether `by` may deactivate the user now, asked before work elsewhere (in Entra) that
/// should not happen for someone who cannot be deactivated here. Returns the user.
pub fn may_deactivate_now(store: &Store, by: &Actor, user_id: i64) -> Result<User, DirectoryError> {
    by.require_admin("deactivate users")?;
    let user = user_by_id(store.conn(), user_id)?;
    may_deactivate(by, &user, active_owner_count(store.conn())?)?;
    Ok(user)
}

/// An Owner or Admin deactivates a user by hand.
pub fn deactivate(store: &mut Store, by: &Actor, user_id: i64) -> Result<User, DirectoryError> {
    by.require_admin("deactivate users")?;
    let tx = store.write()?;
    let user = user_by_id(&tx, user_id)?;
    may_deactivate(by, &user, active_owner_count(&tx)?)?;
    deactivate_in(&tx, by, &user, DeactivationReason::Manual, "")?;
    let user = user_by_id(&tx, user_id)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(user)
}

/// The one place a user becomes deactivated, inside the caller's transaction: manual
/// deactivation and the Entra sync both come through here, so the rules cannot drift.
pub fn deactivate_in(
    conn: &Connection,
    by: &Actor,
    user: &User,
    reason: DeactivationReason,
    audit_detail: &str,
) -> Result<(), DirectoryError> {
    // Only an Owner can be the last one: nobody else needs the count.
    let owners = if user.role == Role::Owner {
        active_owner_count(conn)?
    } else {
        u32::MAX
    };
    can_be_deactivated(user, owners)?;
    // The schema ends their sessions with the update (migration 006); count them first.
    let ended: u32 = conn
        .query_row(
            "SELECT count(*) FROM sessions WHERE user_id = ?1 AND ended_at IS NULL",
            [user.id],
            |r| r.get(0),
        )
        .map_err(StoreError::from)?;
    conn.execute(
        "UPDATE users SET status = 'deactivated', deactivated_at = ?2, deactivated_by = ?3,
             deactivated_by_user_id = ?4, deactivation_reason = ?5
         WHERE id = ?1 AND status = 'active'",
        rusqlite::params![user.id, timestamp::now(), by.label(), by.user_id(), reason],
    )
    .map_err(StoreError::from)?;
    let mut detail = format!("Reason: {}", reason_words(reason));
    if ended > 0 {
        detail.push_str(&format!("; {ended} open session(s) ended"));
    }
    if !audit_detail.is_empty() {
        detail.push_str("; ");
        detail.push_str(audit_detail);
    }
    audit::record(
        conn,
        by,
        audit::Entry::user("user.deactivated", user.id).detail(detail),
    )?;
    Ok(())
}

/// An Owner or Admin marks a user "never deactivate automatically" (break-glass and service
/// accounts), or lifts the mark. Only an Owner may change it for an Owner.
pub fn set_protected(
    store: &mut Store,
    by: &Actor,
    user_id: i64,
    protected: bool,
) -> Result<User, DirectoryError> {
    by.require_admin("protect users from automatic deactivation")?;
    let tx = store.write()?;
    let user = user_by_id(&tx, user_id)?;
    may_protect(by, &user)?;
    if user.protected != protected {
        tx.execute(
            "UPDATE users SET protected = ?2 WHERE id = ?1",
            rusqlite::params![user.id, protected],
        )
        .map_err(StoreError::from)?;
        let action = if protected {
            "user.protected"
        } else {
            "user.unprotected"
        };
        let detail = if protected {
            "Never deactivated automatically by the Entra ID sync"
        } else {
            "The Entra ID sync may deactivate this user again"
        };
        audit::record(&tx, by, audit::Entry::user(action, user.id).detail(detail))?;
    }
    let user = user_by_id(&tx, user_id)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(user)
}

/// An Owner or Admin gives a deactivated user their access back.
pub fn reactivate(store: &mut Store, by: &Actor, user_id: i64) -> Result<User, DirectoryError> {
    by.require_admin("reactivate users")?;
    let tx = store.write()?;
    let user = user_by_id(&tx, user_id)?;
    may_reactivate(by, &user)?;
    tx.execute(
        "UPDATE users SET status = 'active', deactivated_at = NULL, deactivated_by = NULL,
             deactivated_by_user_id = NULL, deactivation_reason = NULL
         WHERE id = ?1",
        [user.id],
    )?;
    let was = user
        .deactivation_reason
        .map(reason_words)
        .unwrap_or("unknown reason");
    audit::record(
        &tx,
        by,
        audit::Entry::user("user.reactivated", user.id).detail(format!(
            "Had been deactivated ({was}) on {} by {}",
            user.deactivated_at.as_deref().unwrap_or("?"),
            user.deactivated_by.as_deref().unwrap_or("?")
        )),
    )?;
    let user = user_by_id(&tx, user_id)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(user)
}

pub fn reason_words(reason: DeactivationReason) -> &'static str {
    match reason {
        DeactivationReason::DisabledInEntra => "disabled in Entra",
        DeactivationReason::DeletedFromEntra => "deleted from Entra",
        DeactivationReason::Manual => "deactivated manually",
    }
}
