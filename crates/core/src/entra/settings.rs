//! The Entra page's settings: what it shows about the connection and the toggle, and
//! saving the toggle, the mass-deactivation guard and the run deadline.

use rusqlite::OptionalExtension;

use super::expiry::{renewal_notice, secret_expiry, secret_warning};
use super::{connection, people, EntraError, EntraSettings, MassDeactivationGuard};
use crate::access::Actor;
use crate::audit;
use crate::graph::{ENABLE_DISABLE_ROLE, REVOKE_SESSIONS_ROLE};
use crate::organization;
use crate::secrets::SecretError;
use crate::store::{Store, StoreError};
use crate::timestamp;

/// Everything the Entra page shows about the connection and the setting.
pub fn settings(store: &Store) -> Result<EntraSettings, StoreError> {
    let connection = connection(store)?;
    let (auto_deprovision, enabled_at, min_users, percent, run_deadline_minutes, check_every) =
        store.conn().query_row(
            "SELECT auto_deprovision, enabled_at, guard_min_users, guard_percent,
                 run_deadline_minutes, check_every_minutes
             FROM deprovision_settings WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, bool>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )?;
    let end_sessions: Option<String> = store.conn().query_row(
        "SELECT end_sessions_since FROM deprovision_settings WHERE id = 1",
        [],
        |r| r.get(0),
    )?;
    let (auto_add_new_users, auto_add_since) = people::auto_add_in(store.conn())?;
    let secret_needed = store
        .conn()
        .query_row(
            "SELECT secret_needed FROM entra_connection WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    let today = crate::clock::now().date_naive();
    let expires = connection.as_ref().and_then(secret_expiry);
    let secret_warning = expires.and_then(|d| secret_warning(d, today));
    let secret_renewal = expires.and_then(|d| renewal_notice(d, today));
    Ok(EntraSettings {
        connection,
        auto_deprovision,
        enabled_at,
        guard: MassDeactivationGuard { min_users, percent },
        run_deadline_minutes,
        secret_warning,
        renewal_due: secret_renewal.is_some(),
        secret_renewal,
        auto_add_new_users,
        auto_add_since,
        secret_needed,
        check_every_minutes: check_every,
        end_sessions_blocked: end_sessions
            .as_ref()
            .and(end_sessions_blocked(store.conn())?),
        end_sessions_since: end_sessions,
        offboard_blocked: offboard_blocked(store.conn())?,
    })
}

/// Why sessions cannot be ended (R-E7): UniAsset's token, when last seen, lacked the
/// permission; None when granted or not yet known.
fn end_sessions_blocked(conn: &rusqlite::Connection) -> Result<Option<String>, StoreError> {
    let roles = granted_roles_in(conn)?;
    Ok(roles
        .filter(|roles| !roles.iter().any(|r| r.eq_ignore_ascii_case(REVOKE_SESSIONS_ROLE)))
        .map(|_| format!("UniAsset is not allowed to end sessions yet: its app registration lacks the {REVOKE_SESSIONS_ROLE} permission. Allow it with an administrator's sign-in (\"Allow UniAsset to end sessions\"); until then leavers are deactivated here as before, and their sessions are ended once it is allowed.")))
}

/// Why "Offboard…" cannot disable accounts in Entra (R-E8); None when it can or not known.
fn offboard_blocked(conn: &rusqlite::Connection) -> Result<Option<String>, StoreError> {
    let roles = granted_roles_in(conn)?;
    Ok(roles
        .filter(|roles| !roles.iter().any(|r| r.eq_ignore_ascii_case(ENABLE_DISABLE_ROLE)))
        .map(|_| format!("UniAsset may not disable accounts in Microsoft Entra ID yet ({ENABLE_DISABLE_ROLE}): \"Offboard…\" can deactivate people here, but not disable them there. Allow it with an administrator's sign-in (\"Allow UniAsset to offboard\").")))
}

/// The application permissions UniAsset's token carried when last seen.
pub(super) fn granted_roles_in(
    conn: &rusqlite::Connection,
) -> Result<Option<Vec<String>>, StoreError> {
    let text: Option<String> = conn
        .query_row(
            "SELECT granted_roles FROM entra_connection WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// Whether automatic runs are on, read through any connection or transaction.
pub(crate) fn auto_deprovision_in(conn: &rusqlite::Connection) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT auto_deprovision FROM deprovision_settings WHERE id = 1",
        [],
        |r| r.get(0),
    )?)
}

/// Stops automatic runs inside the caller's transaction, for a reason outside this page (a
/// plan without auto-deprovisioning), audited as the toggle is. Whether they were on.
pub(crate) fn turn_off_auto_deprovision_in(
    conn: &rusqlite::Connection,
    by: &Actor,
    why: &str,
) -> Result<bool, StoreError> {
    let changed = conn.execute(
        "UPDATE deprovision_settings SET auto_deprovision = 0 WHERE auto_deprovision = 1",
        [],
    )?;
    if changed > 0 {
        audit::record(
            conn,
            by,
            audit::Entry::organization("entra.auto_deprovision_off").detail(why),
        )?;
    }
    Ok(changed > 0)
}

/// Turns auto-deprovisioning on or off, keeping the guard as it is.
pub fn set_auto_deprovision(
    store: &mut Store,
    by: &Actor,
    on: bool,
) -> Result<EntraSettings, EntraError> {
    let guard = settings(store)?.guard;
    save(store, by, on, guard)
}

/// Save on the Entra page (R-D5, R-D6, R-T4): the toggle and the mass-deactivation guard
/// together, all or nothing. Turning auto-deprovision off reactivates nobody; it only stops
/// future automatic runs.
pub fn save(
    store: &mut Store,
    by: &Actor,
    on: bool,
    guard: MassDeactivationGuard,
) -> Result<EntraSettings, EntraError> {
    by.require_admin("change the auto-deprovision setting")?;
    let current = settings(store)?;
    if on && !current.auto_deprovision {
        organization::require_enterprise(store, "Auto-deprovisioning")?;
        if current.connection.is_none() {
            return Err(EntraError::NotConnected);
        }
        // A connection restored without its secret could only fail every night.
        if current.secret_needed {
            return Err(SecretError::Missing.into());
        }
    }
    if guard.percent > 100 {
        return Err(EntraError::InvalidGuard(guard.percent));
    }
    let tx = store.write()?;
    if guard != current.guard {
        tx.execute(
            "UPDATE deprovision_settings SET guard_min_users = ?1, guard_percent = ?2",
            rusqlite::params![guard.min_users, guard.percent],
        )?;
        let detail = format!(
            "Hold runs deactivating more than {} users and more than {}%",
            guard.min_users, guard.percent
        );
        audit::record(
            &tx,
            by,
            audit::Entry::organization("entra.guard_changed").detail(detail),
        )?;
    }
    if on != current.auto_deprovision {
        tx.execute(
            "UPDATE deprovision_settings SET auto_deprovision = ?1, enabled_at = CASE WHEN ?1 THEN ?2 ELSE enabled_at END",
            rusqlite::params![on, timestamp::now()],
        )?;
        let action = if on {
            "entra.auto_deprovision_on"
        } else {
            "entra.auto_deprovision_off"
        };
        audit::record(&tx, by, audit::Entry::organization(action))?;
    }
    tx.commit().map_err(StoreError::from)?;
    Ok(settings(store)?)
}

/// The longest a run may take (R-S10), in minutes; past it the run ends as failed and
/// deactivates nobody.
pub const RUN_DEADLINE_MINUTES: std::ops::RangeInclusive<u32> = 1..=1440;

pub fn set_run_deadline(
    store: &mut Store,
    by: &Actor,
    minutes: u32,
) -> Result<EntraSettings, EntraError> {
    by.require_admin("change how long a sync may take")?;
    if !RUN_DEADLINE_MINUTES.contains(&minutes) {
        return Err(EntraError::InvalidDeadline(minutes));
    }
    let tx = store.write()?;
    let changed = tx.execute(
        "UPDATE deprovision_settings SET run_deadline_minutes = ?1 WHERE run_deadline_minutes <> ?1",
        [minutes],
    )?;
    if changed > 0 {
        audit::record(
            &tx,
            by,
            audit::Entry::organization("entra.run_deadline_changed")
                .detail(format!("A run ends as failed after {minutes} minutes")),
        )?;
    }
    tx.commit().map_err(StoreError::from)?;
    Ok(settings(store)?)
}
