//! What Entra last said of each linked account, as the sync's runs learned it (the sync and
//! adding people write it; reactivation reads it when Microsoft cannot be asked live).

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};

use crate::graph::AccountState;
use crate::store::{Store, StoreError};

/// Every known state, by object id.
pub(crate) fn known_states(conn: &Connection) -> Result<HashMap<String, AccountState>, StoreError> {
    let mut stmt = conn.prepare("SELECT object_id, state FROM entra_accounts")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut known = HashMap::new();
    for row in rows {
        let (oid, state) = row?;
        if let Some(state) = AccountState::parse(&state) {
            known.insert(oid, state);
        }
    }
    Ok(known)
}

/// The known states of these accounts (those any run has seen), by the object id given.
pub(crate) fn known_states_of<'a>(
    conn: &Connection,
    object_ids: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, AccountState>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT state FROM entra_accounts WHERE object_id = ?1")?;
    let mut known = HashMap::new();
    for oid in object_ids {
        let state: Option<String> = stmt.query_row([oid], |r| r.get(0)).optional()?;
        if let Some(state) = state.as_deref().and_then(AccountState::parse) {
            known.insert(oid.to_owned(), state);
        }
    }
    Ok(known)
}

/// The last state Entra reported for an account, if any run has seen it.
pub fn known_state(store: &Store, object_id: &str) -> Result<Option<AccountState>, StoreError> {
    let state: Option<String> = store
        .conn()
        .query_row(
            "SELECT state FROM entra_accounts WHERE object_id = ?1",
            [object_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(state.as_deref().and_then(AccountState::parse))
}

/// Records that Entra reports `object_id` enabled now (an account just read and linked), so
/// the next run need not read it on its own.
pub(crate) fn note_enabled(conn: &Connection, object_id: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO entra_accounts (object_id, state, observed_at) VALUES (?1, 'enabled', ?2)
         ON CONFLICT (object_id) DO UPDATE SET state = excluded.state, observed_at = excluded.observed_at",
        rusqlite::params![object_id, crate::timestamp::now()],
    )?;
    // Read now: a frequent check need not read it again (sync's quiet path).
    conn.execute("DELETE FROM entra_unread WHERE object_id = ?1", [object_id])?;
    Ok(())
}
