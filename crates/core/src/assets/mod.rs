//! The asset register (R-D3, R-A1, R-A2): what each asset is, where it stands, and who held
//! it when. A deactivated user keeps their assignments: the record shows the holder, marked
//! deactivated, to everyone who can see assets, until the asset is checked in or marked lost.
//!
//! Owners and Admins change the register; anyone signed in may read it. Every change is one
//! transaction with its audit entry, and `assets.assigned_to` is written only here, always
//! together with the open row of `asset_holdings`.

mod add;
mod documents;
mod holdings;
mod maintenance;
mod return_state;
mod returns;
mod views;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::access::{AccessError, Actor};
use crate::audit;
use crate::directory::{self, DirectoryError, User, UserStatus};
use crate::store::{Store, StoreError};
use crate::text::{self, excerpt, ControlCharacter};
use crate::text_enum::text_enum;

pub use add::add_asset;
pub use documents::{
    attach_document, document_path, document_to_open, documents_of_asset, documents_of_user,
    Document, DOCUMENTS_DIR,
};
pub use holdings::{assign, check_in, history, mark_lost, write_off, Holding, HoldingOutcome};
pub use maintenance::{
    add_maintenance_log, maintenance_logs_of_asset, maintenance_logs_of_user, MaintenanceLog,
};
pub use return_state::{ReturnState, WriteOffReason, DUE_SOON_DAYS};
pub use returns::{return_days, set_return_days, set_return_due, RETURN_DAYS};
pub use views::{details, may_manage, page, AssetDetails, AssetPage};

text_enum! {
    /// Where an asset stands. `in_use` exactly when someone holds it.
    // The words name the statuses one may set: written off comes only by writing off.
    AssetStatus, "asset status", "in_use, in_stock, in_repair, retired or lost" {
        InUse => "in_use",
        InStock => "in_stock",
        InRepair => "in_repair",
        Retired => "retired",
        Lost => "lost",
        /// A leaver never gave it back, and an Owner or Admin wrote it off after its due date.
        WrittenOff => "written_off",
    }
}

impl AssetStatus {
    /// The status in words, as the window and messages show it.
    pub fn label(self) -> &'static str {
        match self {
            AssetStatus::InUse => "in use",
            AssetStatus::InStock => "in stock",
            AssetStatus::InRepair => "in repair",
            AssetStatus::Retired => "retired",
            AssetStatus::Lost => "lost",
            AssetStatus::WrittenOff => "written off",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Asset {
    #[ts(type = "number")]
    pub id: i64,
    pub tag: String,
    pub name: String,
    pub category: Option<String>,
    pub serial: Option<String>,
    pub status: AssetStatus,
    #[ts(type = "number | null")]
    pub assigned_to: Option<i64>,
    pub assigned_to_name: Option<String>,
    pub assigned_to_email: Option<String>,
    pub assigned_to_status: Option<UserStatus>,
    /// For a leaver's asset: the day it is due back (YYYY-MM-DD, UTC).
    pub return_due: Option<String>,
    /// For a leaver's asset: due, due soon or overdue, today.
    pub return_state: Option<ReturnState>,
}

/// A new asset as typed in: blank category and serial are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewAsset {
    pub tag: String,
    pub name: String,
    pub category: Option<String>,
    pub serial: Option<String>,
}

impl NewAsset {
    /// An asset with a tag and a name only.
    pub fn new(tag: impl Into<String>, name: impl Into<String>) -> NewAsset {
        NewAsset {
            tag: tag.into(),
            name: name.into(),
            ..NewAsset::default()
        }
    }
}

/// An asset's editable facts; the tag stays (it is written on the label), and who holds
/// it changes only by assigning, checking in or marking lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AssetEdit {
    pub name: String,
    pub category: Option<String>,
    pub serial: Option<String>,
    pub status: AssetStatus,
}

/// Which assets a list shows. Every field may be left out: no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
#[ts(export, optional_fields = nullable)]
pub struct AssetQuery {
    /// Only assets this user holds now.
    #[ts(type = "number | null", optional)]
    pub assigned_to: Option<i64>,
    /// Part of the tag, name, category, serial number, or the holder's name or email.
    pub search: Option<String>,
    pub status: Option<AssetStatus>,
}

#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    #[error("An asset needs a tag and a name.")]
    MissingField,
    #[error("An asset with the tag {} already exists (tags are compared ignoring case).", excerpt(.0))]
    DuplicateTag(String),
    #[error("No such asset (id {0}).")]
    UnknownAsset(i64),
    #[error("No asset has the tag {}.", excerpt(.0))]
    UnknownTag(String),
    #[error("No such document (id {0}).")]
    UnknownDocument(i64),
    #[error("{0} is deactivated; assign the asset to an active user.")]
    AssigneeDeactivated(String),
    #[error("{tag} is held by {holder}; check it in first.")]
    AssetHeld { tag: String, holder: String },
    #[error("{tag} is {}, so it cannot be assigned. Change its status first if it is back in stock.", .status.label())]
    AssetUnavailable { tag: String, status: AssetStatus },
    #[error(
        "{0} is not assigned to anyone, so it cannot be in use: assign it to someone instead."
    )]
    InUseWithoutHolder(String),
    #[error("{0} is not assigned to anyone: there is nothing to check in.")]
    NotHeld(String),
    #[error("{0} is already marked lost.")]
    AlreadyLost(String),
    #[error("{0} is not held by someone who left: only a leaver's assets have a return due date and can be written off.")]
    NotALeaversAsset(String),
    #[error(
        "{tag} is not overdue yet (due back on {due}): it can be written off from the day after."
    )]
    NotYetDue { tag: String, due: String },
    #[error("{} is not a day UniAsset can use: give a date from the day {holder} left on, as YYYY-MM-DD.", excerpt(.day))]
    InvalidDueDate { day: String, holder: String },
    #[error("The return time must be between 1 and 365 days, not {0}.")]
    ReturnDaysOutOfRange(u32),
    #[error("{0} can only be written off (after its due date), not set to written off.")]
    WriteOffByEdit(String),
    #[error("Only a signed-in person can {0}, so that the record names them.")]
    NeedsPerson(&'static str),
    #[error("The document could not be stored: {0}")]
    File(String),
    #[error("The file of {} is missing from the data directory (expected at {path}).", excerpt(.file_name))]
    DocumentMissing { file_name: String, path: String },
    #[error("{} could not be made ready to open: {detail}", excerpt(.file_name))]
    DocumentNotCopied { file_name: String, detail: String },
    /// R-X3: asset fields, notes and file names hold no control character.
    #[error("{}", text::sentence(.0))]
    Control(#[from] ControlCharacter),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for AssetError {
    fn code(&self) -> &'static str {
        use AssetError::*;
        match self {
            MissingField => "invalid_asset",
            DuplicateTag(_) => "duplicate_tag",
            UnknownAsset(_) | UnknownTag(_) => "unknown_asset",
            UnknownDocument(_) => "unknown_document",
            AssigneeDeactivated(_) => "assignee_deactivated",
            AssetHeld { .. } => "asset_held",
            AssetUnavailable { .. } => "asset_unavailable",
            InUseWithoutHolder(_) => "in_use_without_holder",
            NotHeld(_) => "asset_not_held",
            AlreadyLost(_) => "already_lost",
            NotALeaversAsset(_) => "not_a_leavers_asset",
            NotYetDue { .. } => "not_yet_due",
            InvalidDueDate { .. } => "invalid_date",
            ReturnDaysOutOfRange(_) => "invalid_return_days",
            WriteOffByEdit(_) => "write_off_by_edit",
            NeedsPerson(_) => "needs_person",
            File(_) => "document_file",
            DocumentMissing { .. } => "document_missing",
            DocumentNotCopied { .. } => "document_not_copied",
            Control(_) => "control_character",
            Directory(e) => e.code(),
            Access(e) => e.code(),
            Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for AssetError {
    fn from(e: rusqlite::Error) -> Self {
        AssetError::Store(e.into())
    }
}

/// Changes an asset's name, category, serial number and status. The status follows who
/// holds it: in use while held, anything else once checked in.
pub fn edit_asset(
    store: &mut Store,
    by: &Actor,
    asset_id: i64,
    edit: &AssetEdit,
) -> Result<Asset, AssetError> {
    by.require_admin("edit assets")?;
    let name = edit.name.trim();
    if name.is_empty() {
        return Err(AssetError::MissingField);
    }
    let (category, serial) = (optional(&edit.category), optional(&edit.serial));
    refuse_controls_in_fields(name, &category, &serial)?;
    let tx = store.write()?;
    let before = asset_in(&tx, asset_id)?;
    match (&before.assigned_to_email, edit.status) {
        (Some(_), status) if status != AssetStatus::InUse => {
            return Err(AssetError::AssetHeld {
                holder: holder_of(&before),
                tag: before.tag,
            })
        }
        (None, AssetStatus::InUse) => return Err(AssetError::InUseWithoutHolder(before.tag)),
        (_, AssetStatus::WrittenOff) if before.status != AssetStatus::WrittenOff => {
            return Err(AssetError::WriteOffByEdit(before.tag))
        }
        _ => {}
    }
    let changes = [
        ("name", Some(before.name.as_str()), Some(name)),
        ("category", before.category.as_deref(), category.as_deref()),
        ("serial", before.serial.as_deref(), serial.as_deref()),
        (
            "status",
            Some(before.status.label()),
            Some(edit.status.label()),
        ),
    ]
    .into_iter()
    .filter(|(_, old, new)| old != new)
    .map(|(what, old, new)| {
        let words = |v: Option<&str>| v.map_or("(none)".to_owned(), |v| format!("\"{v}\""));
        format!("{what} {} → {}", words(old), words(new))
    })
    .collect::<Vec<_>>();
    if changes.is_empty() {
        return Ok(before);
    }
    tx.execute(
        "UPDATE assets SET name = ?2, category = ?3, serial = ?4, status = ?5 WHERE id = ?1",
        rusqlite::params![asset_id, name, category, serial, edit.status],
    )?;
    audit::record(
        &tx,
        by,
        audit::Entry::asset("asset.edited", asset_id).detail(format!(
            "{}: {}",
            before.tag,
            changes.join("; ")
        )),
    )?;
    tx.commit().map_err(StoreError::from)?;
    asset(store, asset_id)
}

const ASSET_QUERY: &str = "SELECT a.id, a.tag, a.name, a.category, a.serial, a.status,
        a.assigned_to, u.display_name, u.email, u.status, h.return_due
    FROM assets a LEFT JOIN users u ON u.id = a.assigned_to
        LEFT JOIN asset_holdings h ON h.asset_id = a.id AND h.ended_at IS NULL";

fn asset_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Asset> {
    let return_due: Option<String> = r.get(10)?;
    Ok(Asset {
        return_state: return_due.as_deref().and_then(ReturnState::today),
        return_due,
        id: r.get(0)?,
        tag: r.get(1)?,
        name: r.get(2)?,
        category: r.get(3)?,
        serial: r.get(4)?,
        status: r.get(5)?,
        assigned_to: r.get(6)?,
        assigned_to_name: r.get(7)?,
        assigned_to_email: r.get(8)?,
        assigned_to_status: r.get(9)?,
    })
}

pub fn asset(store: &Store, id: i64) -> Result<Asset, AssetError> {
    asset_in(store.conn(), id)
}

fn asset_in(conn: &Connection, id: i64) -> Result<Asset, AssetError> {
    conn.query_row(
        &format!("{ASSET_QUERY} WHERE a.id = ?1"),
        [id],
        asset_from_row,
    )
    .optional()?
    .ok_or(AssetError::UnknownAsset(id))
}

/// The asset with this tag, compared without case.
pub fn find_by_tag(store: &Store, tag: &str) -> Result<Asset, AssetError> {
    let tag = tag.trim();
    store
        .conn()
        .query_row(
            &format!("{ASSET_QUERY} WHERE a.tag = ?1"),
            [tag],
            asset_from_row,
        )
        .optional()?
        .ok_or_else(|| AssetError::UnknownTag(tag.to_owned()))
}

/// Assets matching `query`, by tag, whoever holds them (deactivated holders included).
pub fn list_assets(store: &Store, query: &AssetQuery) -> Result<Vec<Asset>, StoreError> {
    let search = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            format!(
                "%{}%",
                s.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        });
    let mut stmt = store.conn().prepare_cached(&format!(
        "{ASSET_QUERY}
         WHERE (?1 IS NULL OR a.assigned_to = ?1)
           AND (?2 IS NULL OR a.status = ?2)
           AND (?3 IS NULL OR a.tag LIKE ?3 ESCAPE '\\' OR a.name LIKE ?3 ESCAPE '\\'
                OR a.category LIKE ?3 ESCAPE '\\' OR a.serial LIKE ?3 ESCAPE '\\'
                OR u.display_name LIKE ?3 ESCAPE '\\' OR u.email LIKE ?3 ESCAPE '\\')
         ORDER BY a.tag COLLATE NOCASE"
    ))?;
    let rows = stmt.query_map(
        rusqlite::params![query.assigned_to, query.status, search],
        asset_from_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What a user holds now (their Details page, the Leavers list).
pub fn assets_of_user(store: &Store, user_id: i64) -> Result<Vec<Asset>, StoreError> {
    list_assets(
        store,
        &AssetQuery {
            assigned_to: Some(user_id),
            ..AssetQuery::default()
        },
    )
}

/// The editable fields hold no control character (R-X3).
fn refuse_controls_in_fields(
    name: &str,
    category: &Option<String>,
    serial: &Option<String>,
) -> Result<(), ControlCharacter> {
    text::refuse_controls("name", name)?;
    for (what, value) in [("category", category), ("serial number", serial)] {
        if let Some(value) = value {
            text::refuse_controls(what, value)?;
        }
    }
    Ok(())
}

/// Trimmed text, or nothing when blank.
fn optional(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The user behind `id`, refused unless they are active.
fn active_assignee(conn: &Connection, id: i64) -> Result<User, AssetError> {
    let user = directory::user_by_id(conn, id)?;
    if user.status == UserStatus::Deactivated {
        return Err(AssetError::AssigneeDeactivated(person(&user)));
    }
    Ok(user)
}

/// "Name <email>", as the audit trail names people.
fn person(user: &User) -> String {
    format!("{} <{}>", user.display_name, user.email)
}

fn holder_of(asset: &Asset) -> String {
    format!(
        "{} <{}>",
        asset.assigned_to_name.as_deref().unwrap_or_default(),
        asset.assigned_to_email.as_deref().unwrap_or_default()
    )
}
