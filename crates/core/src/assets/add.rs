//! Adding an asset to the register (R-A1), in stock or straight into someone's hands.

use rusqlite::OptionalExtension;

use super::holdings;
use super::{
    active_assignee, asset, optional, person, refuse_controls_in_fields, Asset, AssetError,
    AssetStatus, NewAsset,
};
use crate::access::Actor;
use crate::audit;
use crate::store::{Store, StoreError};
use crate::text;
use crate::timestamp;

/// Records a new asset: in use by `assign_to` (who must be active) when given, else in stock.
pub fn add_asset(
    store: &mut Store,
    by: &Actor,
    new: &NewAsset,
    assign_to: Option<i64>,
) -> Result<Asset, AssetError> {
    by.require_admin("add assets")?;
    let (tag, name) = (new.tag.trim(), new.name.trim());
    if tag.is_empty() || name.is_empty() {
        return Err(AssetError::MissingField);
    }
    let (category, serial) = (optional(&new.category), optional(&new.serial));
    text::refuse_controls("tag", tag)?;
    refuse_controls_in_fields(name, &category, &serial)?;
    let tx = store.write()?;
    // The column compares without case, so "lap-1" finds "LAP-1".
    let taken: Option<String> = tx
        .query_row("SELECT tag FROM assets WHERE tag = ?1", [tag], |r| r.get(0))
        .optional()?;
    if let Some(taken) = taken {
        return Err(AssetError::DuplicateTag(taken));
    }
    let holder = assign_to.map(|id| active_assignee(&tx, id)).transpose()?;
    let status = if holder.is_some() {
        AssetStatus::InUse
    } else {
        AssetStatus::InStock
    };
    let now = timestamp::now();
    tx.execute(
        "INSERT INTO assets (tag, name, category, serial, status, assigned_to, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![tag, name, category, serial, status, assign_to, now],
    )?;
    let id = tx.last_insert_rowid();
    let mut detail = format!("Added {tag} \"{name}\"");
    for (what, value) in [("category", &category), ("serial", &serial)] {
        if let Some(value) = value {
            detail.push_str(&format!(", {what} {value}"));
        }
    }
    audit::record(
        &tx,
        by,
        audit::Entry::asset("asset.created", id).detail(detail),
    )?;
    if let Some(user) = holder {
        holdings::open(&tx, by, id, &user, &now, None)?;
        audit::record(
            &tx,
            by,
            audit::Entry::asset("asset.assigned", id)
                .detail(format!("Assigned {tag} to {}", person(&user))),
        )?;
    }
    tx.commit().map_err(StoreError::from)?;
    asset(store, id)
}
