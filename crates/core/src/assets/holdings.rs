//! Who held an asset, when: assigning opens a holding, checking in or marking lost closes
//! it. Rows are never deleted or rewritten apart from closing, so the history is the proof
//! of when a leaver gave an asset back.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{active_assignee, asset, asset_in, holder_of, optional, person, Asset, AssetError};
use super::{AssetStatus, ReturnState, WriteOffReason};
use crate::access::Actor;
use crate::audit;
use crate::directory::User;
use crate::store::{Store, StoreError};
use crate::text_enum::text_enum;
use crate::timestamp;

text_enum! {
    /// How a holding ended.
    HoldingOutcome, "holding outcome", "returned, lost or written_off" {
        Returned => "returned",
        Lost => "lost",
        /// A leaver never gave it back; an Owner or Admin wrote it off after its due date.
        WrittenOff => "written_off",
    }
}

/// One time someone held an asset; `ended_at` is empty while they still hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Holding {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub asset_id: i64,
    #[ts(type = "number")]
    pub user_id: i64,
    pub user_name: String,
    pub user_email: String,
    pub assigned_at: String,
    pub assigned_by: String,
    pub assign_note: Option<String>,
    pub ended_at: Option<String>,
    pub ended_by: Option<String>,
    pub end_note: Option<String>,
    pub outcome: Option<HoldingOutcome>,
    /// When it was written off: why.
    pub write_off_reason: Option<WriteOffReason>,
}

/// Gives an asset in stock (or in repair) to an active user. An asset someone holds is
/// checked in first; a retired or lost one is given a new status first.
pub fn assign(
    store: &mut Store,
    by: &Actor,
    asset_id: i64,
    user_id: i64,
    note: Option<&str>,
) -> Result<Asset, AssetError> {
    by.require_admin("assign assets")?;
    let note = optional(&note.map(str::to_owned));
    let tx = store.write()?;
    let before = asset_in(&tx, asset_id)?;
    if before.assigned_to.is_some() {
        return Err(AssetError::AssetHeld {
            holder: holder_of(&before),
            tag: before.tag,
        });
    }
    if matches!(
        before.status,
        AssetStatus::Retired | AssetStatus::Lost | AssetStatus::WrittenOff
    ) {
        return Err(AssetError::AssetUnavailable {
            tag: before.tag,
            status: before.status,
        });
    }
    let user = active_assignee(&tx, user_id)?;
    open(&tx, by, asset_id, &user, &timestamp::now(), note.as_deref())?;
    audit::record(
        &tx,
        by,
        audit::Entry::asset("asset.assigned", asset_id).detail(with_note(
            format!("Assigned {} to {}", before.tag, person(&user)),
            &note,
        )),
    )?;
    tx.commit().map_err(StoreError::from)?;
    asset(store, asset_id)
}

/// Takes an asset back from whoever holds it (a leaver included): it is in stock again.
pub fn check_in(
    store: &mut Store,
    by: &Actor,
    asset_id: i64,
    note: Option<&str>,
) -> Result<Asset, AssetError> {
    by.require_admin("check assets in")?;
    let note = optional(&note.map(str::to_owned));
    let tx = store.write()?;
    let before = asset_in(&tx, asset_id)?;
    if before.assigned_to.is_none() {
        return Err(AssetError::NotHeld(before.tag));
    }
    close(
        &tx,
        by,
        &before,
        HoldingOutcome::Returned,
        AssetStatus::InStock,
        note.as_deref(),
        None,
    )?;
    audit::record(
        &tx,
        by,
        audit::Entry::asset("asset.checked_in", asset_id).detail(with_note(
            format!("Checked {} in from {}", before.tag, holder_of(&before)),
            &note,
        )),
    )?;
    tx.commit().map_err(StoreError::from)?;
    asset(store, asset_id)
}

/// Records an asset as lost, ending its holding if someone held it.
pub fn mark_lost(
    store: &mut Store,
    by: &Actor,
    asset_id: i64,
    note: Option<&str>,
) -> Result<Asset, AssetError> {
    by.require_admin("mark assets lost")?;
    let note = optional(&note.map(str::to_owned));
    let tx = store.write()?;
    let before = asset_in(&tx, asset_id)?;
    if before.status == AssetStatus::Lost {
        return Err(AssetError::AlreadyLost(before.tag));
    }
    let what = if before.assigned_to.is_some() {
        close(
            &tx,
            by,
            &before,
            HoldingOutcome::Lost,
            AssetStatus::Lost,
            note.as_deref(),
            None,
        )?;
        format!(
            "Marked {} lost while held by {}",
            before.tag,
            holder_of(&before)
        )
    } else {
        tx.execute(
            "UPDATE assets SET status = ?2 WHERE id = ?1",
            rusqlite::params![asset_id, AssetStatus::Lost],
        )?;
        format!("Marked {} lost (nobody held it)", before.tag)
    };
    audit::record(
        &tx,
        by,
        audit::Entry::asset("asset.lost", asset_id).detail(with_note(what, &note)),
    )?;
    tx.commit().map_err(StoreError::from)?;
    asset(store, asset_id)
}

/// Writes off a leaver's asset that is overdue (R-A4): its holding ends as written off with
/// the reason, and it leaves Leavers. Refused, changing nothing, before its due date has
/// passed or for an asset nobody who left holds.
pub fn write_off(
    store: &mut Store,
    by: &Actor,
    asset_id: i64,
    reason: WriteOffReason,
    note: Option<&str>,
) -> Result<Asset, AssetError> {
    by.require_admin("write assets off")?;
    let note = optional(&note.map(str::to_owned));
    let tx = store.write()?;
    let before = asset_in(&tx, asset_id)?;
    let Some(due) = before.return_due.clone() else {
        return Err(AssetError::NotALeaversAsset(before.tag));
    };
    if before.return_state != Some(ReturnState::Overdue) {
        return Err(AssetError::NotYetDue {
            tag: before.tag,
            due,
        });
    }
    close(
        &tx,
        by,
        &before,
        HoldingOutcome::WrittenOff,
        AssetStatus::WrittenOff,
        note.as_deref(),
        Some(reason),
    )?;
    audit::record(
        &tx,
        by,
        audit::Entry::asset("asset.written_off", asset_id).detail(with_note(
            format!(
                "Wrote {} off ({}), held by {} and due back {due}",
                before.tag,
                reason.label(),
                holder_of(&before)
            ),
            &note,
        )),
    )?;
    tx.commit().map_err(StoreError::from)?;
    asset(store, asset_id)
}

/// Everyone who held the asset, newest first.
pub fn history(store: &Store, asset_id: i64) -> Result<Vec<Holding>, AssetError> {
    asset(store, asset_id)?;
    let mut stmt = store.conn().prepare(
        "SELECT h.id, h.asset_id, h.user_id, u.display_name, u.email, h.assigned_at,
                h.assigned_by, h.assign_note, h.ended_at, h.ended_by, h.end_note, h.outcome,
                h.write_off_reason
         FROM asset_holdings h JOIN users u ON u.id = h.user_id
         WHERE h.asset_id = ?1 ORDER BY h.id DESC",
    )?;
    let rows = stmt.query_map([asset_id], |r| {
        Ok(Holding {
            id: r.get(0)?,
            asset_id: r.get(1)?,
            user_id: r.get(2)?,
            user_name: r.get(3)?,
            user_email: r.get(4)?,
            assigned_at: r.get(5)?,
            assigned_by: r.get(6)?,
            assign_note: r.get(7)?,
            ended_at: r.get(8)?,
            ended_by: r.get(9)?,
            end_note: r.get(10)?,
            outcome: r.get(11)?,
            write_off_reason: r.get(12)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Opens a holding and points the asset at its holder, in the caller's transaction.
pub(super) fn open(
    conn: &Connection,
    by: &Actor,
    asset_id: i64,
    user: &User,
    at: &str,
    note: Option<&str>,
) -> Result<(), AssetError> {
    conn.execute(
        "INSERT INTO asset_holdings (asset_id, user_id, assigned_at, assigned_by, assign_note)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![asset_id, user.id, at, by.label(), note],
    )?;
    conn.execute(
        "UPDATE assets SET assigned_to = ?2, status = ?3 WHERE id = ?1",
        rusqlite::params![asset_id, user.id, AssetStatus::InUse],
    )?;
    Ok(())
}

/// Closes the open holding and frees the asset, in the caller's transaction.
fn close(
    conn: &Connection,
    by: &Actor,
    asset: &Asset,
    outcome: HoldingOutcome,
    status: AssetStatus,
    note: Option<&str>,
    reason: Option<WriteOffReason>,
) -> Result<(), AssetError> {
    conn.execute(
        "UPDATE asset_holdings SET ended_at = ?2, ended_by = ?3, end_note = ?4, outcome = ?5,
             write_off_reason = ?6
         WHERE asset_id = ?1 AND ended_at IS NULL",
        rusqlite::params![
            asset.id,
            timestamp::now(),
            by.label(),
            note,
            outcome,
            reason
        ],
    )?;
    conn.execute(
        "UPDATE assets SET assigned_to = NULL, status = ?2 WHERE id = ?1",
        rusqlite::params![asset.id, status],
    )?;
    Ok(())
}

fn with_note(text: String, note: &Option<String>) -> String {
    match note {
        Some(note) => format!("{text}. Note: {note}"),
        None => text,
    }
}
