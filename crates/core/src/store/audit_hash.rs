//! How an audit entry's hash is computed (R-X5): SHA-256 over its content and the previous
//! entry's hash. Kept with the schema because the upgrade that introduced hashes chains the
//! entries already there; the audit trail appends and verifies with the same function.

use rusqlite::Connection;
use sha2::{Digest, Sha256};

/// The "previous hash" of the first entry.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry's hash covers: every column as stored, and the previous entry's hash.
pub(crate) struct Content<'a> {
    pub id: i64,
    pub at: &'a str,
    pub actor_user_id: Option<i64>,
    pub actor_label: &'a str,
    pub action: &'a str,
    pub subject_user_id: Option<i64>,
    pub asset_id: Option<i64>,
    pub detail: &'a str,
    pub prev_hash: &'a str,
}

impl Content<'_> {
    /// Hex SHA-256 of the fields as a JSON array: unambiguous (every string is quoted and
    /// escaped) and the same on every machine.
    pub(crate) fn hash(&self) -> String {
        let canonical = serde_json::json!([
            "uniasset-audit-1",
            self.id,
            self.at,
            self.actor_user_id,
            self.actor_label,
            self.action,
            self.subject_user_id,
            self.asset_id,
            self.detail,
            self.prev_hash,
        ]);
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }
}

/// Chains the entries recorded before the trail had hashes, oldest first (the migration
/// that added them).
pub(crate) fn chain_existing(conn: &Connection) -> rusqlite::Result<()> {
    let rows: Vec<Stored> = conn
        .prepare(&format!("SELECT {STORED} FROM audit_entries ORDER BY id"))?
        .query_map([], Stored::read)?
        .collect::<Result<_, _>>()?;
    let mut update =
        conn.prepare("UPDATE audit_entries SET prev_hash = ?1, hash = ?2 WHERE id = ?3")?;
    let mut prev = GENESIS.to_owned();
    for row in &rows {
        let hash = row.content(&prev).hash();
        update.execute(rusqlite::params![prev, hash, row.id])?;
        prev = hash;
    }
    Ok(())
}

/// The columns an entry's hash covers, in `Stored::read`'s order.
pub(crate) const STORED: &str =
    "id, at, actor_user_id, actor_label, action, subject_user_id, asset_id, detail";

/// An entry as stored, without its links.
pub(crate) struct Stored {
    pub(crate) id: i64,
    at: String,
    actor_user_id: Option<i64>,
    actor_label: String,
    action: String,
    subject_user_id: Option<i64>,
    asset_id: Option<i64>,
    detail: String,
}

impl Stored {
    pub(crate) fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
        Ok(Stored {
            id: r.get(0)?,
            at: r.get(1)?,
            actor_user_id: r.get(2)?,
            actor_label: r.get(3)?,
            action: r.get(4)?,
            subject_user_id: r.get(5)?,
            asset_id: r.get(6)?,
            detail: r.get(7)?,
        })
    }

    pub(crate) fn content<'a>(&'a self, prev_hash: &'a str) -> Content<'a> {
        Content {
            id: self.id,
            at: &self.at,
            actor_user_id: self.actor_user_id,
            actor_label: &self.actor_label,
            action: &self.action,
            subject_user_id: self.subject_user_id,
            asset_id: self.asset_id,
            detail: &self.detail,
            prev_hash,
        }
    }
}
