//! Assets and who holds them (R-D3). A deactivated user keeps their assignments: the
//! record shows the holder, marked deactivated, to everyone who can see assets.

mod documents;
mod maintenance;

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use crate::access::{AccessError, Actor};
use crate::audit;
use crate::directory::{self, DirectoryError, UserStatus};
use crate::store::{Store, StoreError};
use crate::timestamp;

pub use documents::{attach_document, documents_of_user, Document, DOCUMENTS_DIR};
pub use maintenance::{add_maintenance_log, maintenance_logs_of_user, MaintenanceLog};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Asset {
    #[ts(type = "number")]
    pub id: i64,
    pub tag: String,
    pub name: String,
    #[ts(type = "number | null")]
    pub assigned_to: Option<i64>,
    pub assigned_to_name: Option<String>,
    pub assigned_to_status: Option<UserStatus>,
}

#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    #[error("An asset needs a tag and a name.")]
    MissingField,
    #[error("An asset with the tag {0} already exists.")]
    DuplicateTag(String),
    #[error("No such asset (id {0}).")]
    UnknownAsset(i64),
    #[error("{0} is deactivated; assign the asset to an active user.")]
    AssigneeDeactivated(String),
    #[error("Only a signed-in person can {0}, so that the record names them.")]
    NeedsPerson(&'static str),
    #[error("The document could not be stored: {0}")]
    File(String),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for AssetError {
    fn code(&self) -> &'static str {
        match self {
            AssetError::MissingField => "invalid_asset",
            AssetError::DuplicateTag(_) => "duplicate_tag",
            AssetError::UnknownAsset(_) => "unknown_asset",
            AssetError::AssigneeDeactivated(_) => "assignee_deactivated",
            AssetError::NeedsPerson(_) => "needs_person",
            AssetError::File(_) => "document_file",
            AssetError::Directory(e) => e.code(),
            AssetError::Access(e) => e.code(),
            AssetError::Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for AssetError {
    fn from(e: rusqlite::Error) -> Self {
        AssetError::Store(e.into())
    }
}

/// Records a new asset, optionally assigned to an active user.
pub fn create_asset(
    store: &mut Store,
    by: &Actor,
    tag: &str,
    name: &str,
    assign_to: Option<i64>,
) -> Result<Asset, AssetError> {
    by.require_admin("add assets")?;
    let (tag, name) = (tag.trim(), name.trim());
    if tag.is_empty() || name.is_empty() {
        return Err(AssetError::MissingField);
    }
    let tx = store.write()?;
    let taken: Option<i64> = tx
        .query_row("SELECT id FROM assets WHERE tag = ?1", [tag], |r| r.get(0))
        .optional()?;
    if taken.is_some() {
        return Err(AssetError::DuplicateTag(tag.to_owned()));
    }
    if let Some(user_id) = assign_to {
        let user = directory::user_by_id(&tx, user_id)?;
        if user.status == UserStatus::Deactivated {
            return Err(AssetError::AssigneeDeactivated(user.email));
        }
    }
    tx.execute(
        "INSERT INTO assets (tag, name, assigned_to, created_at) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![tag, name, assign_to, timestamp::now()],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(
        &tx,
        by,
        audit::Entry::asset("asset.created", id).detail(format!("{tag} {name}")),
    )?;
    if let Some(user_id) = assign_to {
        audit::record(
            &tx,
            by,
            audit::Entry::asset("asset.assigned", id).detail(format!("to user {user_id}")),
        )?;
    }
    tx.commit().map_err(StoreError::from)?;
    asset(store, id)
}

const ASSET_QUERY: &str = "SELECT a.id, a.tag, a.name, a.assigned_to, u.display_name, u.status
    FROM assets a LEFT JOIN users u ON u.id = a.assigned_to";

fn asset_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Asset> {
    Ok(Asset {
        id: r.get(0)?,
        tag: r.get(1)?,
        name: r.get(2)?,
        assigned_to: r.get(3)?,
        assigned_to_name: r.get(4)?,
        assigned_to_status: r.get(5)?,
    })
}

pub fn asset(store: &Store, id: i64) -> Result<Asset, AssetError> {
    store
        .conn()
        .query_row(
            &format!("{ASSET_QUERY} WHERE a.id = ?1"),
            [id],
            asset_from_row,
        )
        .optional()?
        .ok_or(AssetError::UnknownAsset(id))
}

/// Every asset, by tag, whoever holds it (deactivated holders included).
pub fn list_assets(store: &Store) -> Result<Vec<Asset>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare(&format!("{ASSET_QUERY} ORDER BY a.tag COLLATE NOCASE"))?;
    let rows = stmt.query_map([], asset_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn assets_of_user(store: &Store, user_id: i64) -> Result<Vec<Asset>, StoreError> {
    let mut stmt = store.conn().prepare(&format!(
        "{ASSET_QUERY} WHERE a.assigned_to = ?1 ORDER BY a.tag COLLATE NOCASE"
    ))?;
    let rows = stmt.query_map([user_id], asset_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}
