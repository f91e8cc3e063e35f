//! The audit trail: an append-only record of who did what, attributed to people even
//! after they are deactivated (R-D3).

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::access::Actor;
use crate::store::{Store, StoreError};
use crate::timestamp;

/// What is about to be recorded; `action` is a stable dotted name such as `user.deactivated`.
pub struct Entry {
    action: &'static str,
    subject_user_id: Option<i64>,
    asset_id: Option<i64>,
    detail: String,
}

impl Entry {
    pub fn user(action: &'static str, user_id: i64) -> Entry {
        Entry {
            action,
            subject_user_id: Some(user_id),
            asset_id: None,
            detail: String::new(),
        }
    }

    pub fn asset(action: &'static str, asset_id: i64) -> Entry {
        Entry {
            action,
            subject_user_id: None,
            asset_id: Some(asset_id),
            detail: String::new(),
        }
    }

    /// An entry about the organization as a whole (settings, the Entra connection).
    pub fn organization(action: &'static str) -> Entry {
        Entry {
            action,
            subject_user_id: None,
            asset_id: None,
            detail: String::new(),
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Entry {
        self.detail = detail.into();
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    #[ts(type = "number | null")]
    pub subject_user_id: Option<i64>,
    #[ts(type = "number | null")]
    pub asset_id: Option<i64>,
    pub detail: String,
}

/// Appends one entry, inside the caller's transaction so it commits with the change it records.
pub fn record(conn: &Connection, by: &Actor, entry: Entry) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO audit_entries (at, actor_user_id, actor_label, action, subject_user_id, asset_id, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![
            timestamp::now(),
            by.user_id(),
            by.label(),
            entry.action,
            entry.subject_user_id,
            entry.asset_id,
            entry.detail
        ],
    )?;
    Ok(())
}

/// Entries a user performed or was the subject of, newest first.
pub fn for_user(store: &Store, user_id: i64) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = store.conn().prepare(
        "SELECT id, at, actor_label, action, subject_user_id, asset_id, detail FROM audit_entries
         WHERE actor_user_id = ?1 OR subject_user_id = ?1 ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([user_id], |r| {
        Ok(AuditEntry {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            subject_user_id: r.get(4)?,
            asset_id: r.get(5)?,
            detail: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
