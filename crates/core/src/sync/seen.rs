//! When the sync first saw a change in Entra (issue 11's deprovisioning evidence): the
//! first run — held and dry runs included — that read a linked, active user's account as
//! disabled or deleted. Kept per user until the account reads enabled again, or until the
//! sync deactivates them: then it moves onto that run's line, where the evidence reads it.

use rusqlite::{Connection, OptionalExtension};

use crate::directory::DeactivationReason;
use crate::store::StoreError;

fn state_of(reason: DeactivationReason) -> Option<&'static str> {
    match reason {
        DeactivationReason::DisabledInEntra => Some("disabled"),
        DeactivationReason::DeletedFromEntra => Some("deleted"),
        DeactivationReason::Manual => None,
    }
}

/// Notes what a run read at `seen_at`: users whose account it found disabled or deleted
/// keep their first sighting of that state (a new state is a new first sighting), and users
/// whose account it found enabled are forgotten.
pub fn note(
    conn: &Connection,
    sightings: &[(i64, DeactivationReason)],
    enabled: &[i64],
    seen_at: &str,
    run_id: Option<i64>,
) -> Result<(), StoreError> {
    let mut seen = conn.prepare_cached(
        "INSERT INTO entra_changes_seen (user_id, state, first_seen_at, run_id) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (user_id) DO UPDATE SET state = excluded.state,
             first_seen_at = excluded.first_seen_at, run_id = excluded.run_id
         WHERE entra_changes_seen.state <> excluded.state",
    )?;
    for (user_id, reason) in sightings {
        if let Some(state) = state_of(*reason) {
            seen.execute(rusqlite::params![user_id, state, seen_at, run_id])?;
        }
    }
    let mut forget = conn.prepare_cached("DELETE FROM entra_changes_seen WHERE user_id = ?1")?;
    for user_id in enabled {
        forget.execute([user_id])?;
    }
    Ok(())
}

/// The users with a sighting kept, and their object ids: the only ones a reading of
/// "enabled" has anything to forget for, however many users are linked.
pub fn watched(conn: &Connection) -> Result<Vec<(i64, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.user_id, u.entra_object_id FROM entra_changes_seen s
         CROSS JOIN users u ON u.id = s.user_id WHERE u.entra_object_id IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// When the sync first saw this user's account as it is now, taken away as the sync
/// deactivates them: a later deactivation (after a reactivation) starts from a new sighting.
pub fn take(conn: &Connection, user_id: i64) -> Result<Option<String>, StoreError> {
    let first: Option<String> = conn
        .query_row(
            "SELECT first_seen_at FROM entra_changes_seen WHERE user_id = ?1",
            [user_id],
            |r| r.get(0),
        )
        .optional()?;
    conn.execute(
        "DELETE FROM entra_changes_seen WHERE user_id = ?1",
        [user_id],
    )?;
    Ok(first)
}
