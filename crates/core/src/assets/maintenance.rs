//! Maintenance logs: notes on an asset's upkeep, attributed to the person who wrote them.

use serde::{Deserialize, Serialize};

use super::{asset, AssetError};
use crate::access::Actor;
use crate::audit;
use crate::store::{Store, StoreError};
use crate::timestamp;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct MaintenanceLog {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub asset_id: i64,
    pub asset_tag: String,
    /// Who wrote it, "Name <email>".
    pub author: String,
    pub at: String,
    pub note: String,
}

pub fn add_maintenance_log(
    store: &mut Store,
    by: &Actor,
    asset_id: i64,
    note: &str,
) -> Result<MaintenanceLog, AssetError> {
    let author = by
        .user_id()
        .ok_or(AssetError::NeedsPerson("write maintenance logs"))?;
    let note = note.trim();
    if note.is_empty() {
        return Err(AssetError::MissingField);
    }
    // The one multi-line field (R-X3): line breaks and tabs stay, other controls do not.
    crate::text::refuse_controls_in_notes("note", note)?;
    let tag = asset(store, asset_id)?.tag;
    let author_label = by.label();
    let at = timestamp::now();
    let tx = store.write()?;
    tx.execute(
        "INSERT INTO maintenance_logs (asset_id, author_id, at, note) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![asset_id, author, at, note],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(
        &tx,
        by,
        audit::Entry::asset("asset.maintenance_logged", asset_id).detail(format!("{tag}: {note}")),
    )?;
    tx.commit().map_err(StoreError::from)?;
    Ok(MaintenanceLog {
        id,
        asset_id,
        asset_tag: tag,
        author: author_label,
        at,
        note: note.to_owned(),
    })
}

/// Logs a user wrote, newest first.
pub fn maintenance_logs_of_user(
    store: &Store,
    user_id: i64,
) -> Result<Vec<MaintenanceLog>, StoreError> {
    logs(store, "m.author_id", user_id)
}

/// An asset's logs, newest first.
pub fn maintenance_logs_of_asset(
    store: &Store,
    asset_id: i64,
) -> Result<Vec<MaintenanceLog>, AssetError> {
    asset(store, asset_id)?;
    Ok(logs(store, "m.asset_id", asset_id)?)
}

fn logs(store: &Store, column: &str, id: i64) -> Result<Vec<MaintenanceLog>, StoreError> {
    let mut stmt = store.conn().prepare(&format!(
        "SELECT m.id, m.asset_id, a.tag, u.display_name || ' <' || u.email || '>', m.at, m.note
         FROM maintenance_logs m
         JOIN assets a ON a.id = m.asset_id JOIN users u ON u.id = m.author_id
         WHERE {column} = ?1 ORDER BY m.id DESC"
    ))?;
    let rows = stmt.query_map([id], |r| {
        Ok(MaintenanceLog {
            id: r.get(0)?,
            asset_id: r.get(1)?,
            asset_tag: r.get(2)?,
            author: r.get(3)?,
            at: r.get(4)?,
            note: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
