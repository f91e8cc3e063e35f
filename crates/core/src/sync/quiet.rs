//! A frequent check that can tell from the changes alone that nothing is new (issue 15):
//! its local work is in proportion to what changed in Entra, not to the tenant, so checking
//! every few minutes costs the same at 100,000 users as at 100. Anything it cannot rule
//! out sends the check through the whole run, which decides as any run does.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};

use super::observe::DeltaRead;
use crate::entra::people::is_new;
use crate::graph::{AccountState, DeltaChange};
use crate::store::StoreError;

/// The states `read` carries for linked accounts, if none of it is news: no linked account
/// whose state moved or is unsure, no new account to add, no link never read, and nobody
/// active whose account is known as disabled or deleted (protection lifted, say, or a
/// reactivation by hand).
pub fn nothing_new(
    conn: &Connection,
    read: &DeltaRead,
    new_since: Option<DateTime<Utc>>,
) -> Result<Option<Vec<(String, AccountState)>>, StoreError> {
    let mut linked = conn.prepare_cached(
        "SELECT a.state FROM users u
         LEFT JOIN entra_accounts a ON a.object_id = u.entra_object_id
         WHERE u.entra_object_id = ?1",
    )?;
    let mut states = Vec::new();
    for (id, change, account) in &read.items {
        let found: Option<Option<String>> = linked.query_row([id], |r| r.get(0)).optional()?;
        let Some(known) = found else {
            if new_since.is_some_and(|since| account.as_ref().is_some_and(|a| is_new(a, since))) {
                return Ok(None);
            }
            continue;
        };
        let DeltaChange::State(state) = *change else {
            return Ok(None);
        };
        if moved(known.as_deref().and_then(AccountState::parse), state) {
            return Ok(None);
        }
        states.push((id.clone(), state));
    }
    let pending: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM entra_unread r CROSS JOIN users u ON u.entra_object_id = r.object_id)
             OR EXISTS (SELECT 1 FROM entra_accounts a INDEXED BY entra_accounts_not_enabled
                        CROSS JOIN users u ON u.entra_object_id = a.object_id
                        WHERE a.state <> 'enabled' AND u.status = 'active' AND u.protected = 0)",
        [],
        |r| r.get(0),
    )?;
    Ok((!pending).then_some(states))
}

/// Whether an account's state is news: it differs from the last reading, or it is a first
/// reading of anything but enabled (a new link to an enabled account changes nothing).
pub fn moved(before: Option<AccountState>, now: AccountState) -> bool {
    before.map_or(now != AccountState::Enabled, |before| before != now)
}
