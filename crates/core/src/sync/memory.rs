//! What a run keeps of Entra for the next one: the delta link to read changes from, the
//! last state of each account, and accounts found missing (and since when).

use rusqlite::{Connection, OptionalExtension};

use super::observe;
use crate::graph::DELTA_FIELDS;
use crate::store::StoreError;
use crate::timestamp;

/// How long an account must have been missing (not in Entra, not among its deleted items)
/// before a run takes it as deleted for good: replication glitches do not last this long.
pub const MISSING_FOR: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// Remembers accounts first found missing now; one already missing keeps its first time.
pub(super) fn note_missing(conn: &Connection, missing: &[String]) -> Result<(), StoreError> {
    let mut lost = conn.prepare_cached(
        "INSERT INTO entra_missing (object_id, first_missing_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )?;
    let now = timestamp::now();
    for oid in missing {
        lost.execute(rusqlite::params![oid, now])?;
    }
    Ok(())
}

/// Accounts an earlier run found neither in Entra nor among its deleted items, at least
/// `MISSING_FOR` ago (lowercase).
pub(super) fn missing_accounts(
    conn: &Connection,
) -> Result<std::collections::HashSet<String>, StoreError> {
    let since = timestamp::at(crate::clock::now() - MISSING_FOR);
    let mut stmt =
        conn.prepare("SELECT lower(object_id) FROM entra_missing WHERE first_missing_at <= ?1")?;
    let rows = stmt.query_map([since], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The saved delta link, unless it was made with another `$select` than this version reads
/// (Graph fixes the selection into the link): then the run reads the tenant in full and
/// starts a new link.
pub(super) fn saved_delta_link(conn: &Connection) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT delta_link FROM entra_delta WHERE id = 1 AND fields = ?1",
            [DELTA_FIELDS],
            |r| r.get(0),
        )
        .optional()?)
}

/// Saves what this run learned, in its transaction: a crash before commit leaves the old
/// link, so the next run sees the same changes again. A first sync learns every account's
/// state at once: the readings go into a temporary table in object id order, and each
/// table is then updated from it by one statement, not by a statement per account.
pub(super) fn remember(
    conn: &Connection,
    observed: &observe::Observation,
    missing: &[String],
) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS read_now
             (object_id TEXT PRIMARY KEY COLLATE NOCASE, state TEXT);
         DELETE FROM temp.read_now;",
    )?;
    let mut readings: Vec<(&String, Option<&'static str>)> = observed
        .states
        .iter()
        .map(|(oid, state)| (oid, state.as_ref().ok().map(|s| s.as_str())))
        .collect();
    readings.sort_unstable();
    let mut read = conn.prepare_cached("INSERT OR REPLACE INTO temp.read_now VALUES (?1, ?2)")?;
    for (oid, state) in readings {
        read.execute(rusqlite::params![oid, state])?;
    }
    conn.execute_batch(
        "DELETE FROM entra_missing
             WHERE object_id IN (SELECT object_id FROM temp.read_now WHERE state IS NOT NULL);
         DELETE FROM entra_unread
             WHERE object_id IN (SELECT object_id FROM temp.read_now WHERE state IS NOT NULL);",
    )?;
    note_missing(conn, missing)?;
    if observed.full_read {
        conn.execute("DELETE FROM entra_accounts", [])?;
    }
    conn.execute(
        "INSERT INTO entra_accounts (object_id, state, observed_at)
             SELECT object_id, state, ?1 FROM temp.read_now WHERE state IS NOT NULL
         ON CONFLICT (object_id) DO UPDATE SET state = excluded.state, observed_at = excluded.observed_at",
        [timestamp::now()],
    )?;
    // In doubt now: an older state must not stand in for it; the next run reads it.
    conn.execute_batch(
        "DELETE FROM entra_accounts
             WHERE object_id IN (SELECT object_id FROM temp.read_now WHERE state IS NULL);
         INSERT OR IGNORE INTO entra_unread SELECT object_id FROM temp.read_now WHERE state IS NULL;
         DELETE FROM temp.read_now;",
    )?;
    conn.execute(
        "INSERT INTO entra_delta (id, delta_link, updated_at, fields) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET delta_link = excluded.delta_link, updated_at = excluded.updated_at,
             fields = excluded.fields",
        rusqlite::params![observed.delta_link, timestamp::now(), DELTA_FIELDS],
    )?;
    Ok(())
}
