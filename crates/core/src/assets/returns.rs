//! Assets coming back from leavers (R-A4): each asset a person holds when they are deactivated
//! is due back a number of days later (the organization's setting, 14 unless changed; the
//! schema's trigger sets it at the deactivation, whichever way it happens), an Owner or Admin
//! may move one asset's date, and after it the asset is overdue and may be written off.

use chrono::NaiveDate;

use super::{asset_in, holder_of, Asset, AssetError};
use crate::access::Actor;
use crate::audit;
use crate::store::{Store, StoreError};

/// What the return time may be.
pub const RETURN_DAYS: std::ops::RangeInclusive<u32> = 1..=365;

/// How many days after a deactivation a leaver's assets are due back.
pub fn return_days(store: &Store) -> Result<u32, StoreError> {
    Ok(store.conn().query_row(
        "SELECT return_days FROM leaver_settings WHERE id = 1",
        [],
        |r| r.get(0),
    )?)
}

/// An Owner or Admin sets the return time for leavers deactivated from now on; audited.
pub fn set_return_days(store: &mut Store, by: &Actor, days: u32) -> Result<u32, AssetError> {
    by.require_admin("change when leavers' assets are due back")?;
    if !RETURN_DAYS.contains(&days) {
        return Err(AssetError::ReturnDaysOutOfRange(days));
    }
    let tx = store.write()?;
    let changed = tx.execute(
        "UPDATE leaver_settings SET return_days = ?1 WHERE id = 1 AND return_days <> ?1",
        [days],
    )?;
    if changed > 0 {
        audit::record(
            &tx,
            by,
            audit::Entry::organization("assets.return_days_set").detail(format!(
                "Leavers' assets are due back {days} days after they are deactivated"
            )),
        )?;
    }
    tx.commit().map_err(StoreError::from)?;
    Ok(days)
}

/// An Owner or Admin moves the day a leaver's asset is due back: not before the day they left.
pub fn set_return_due(
    store: &mut Store,
    by: &Actor,
    asset_id: i64,
    day: &str,
) -> Result<Asset, AssetError> {
    by.require_admin("change when assets are due back")?;
    let tx = store.write()?;
    let before = asset_in(&tx, asset_id)?;
    let Some(old) = before.return_due.clone() else {
        return Err(AssetError::NotALeaversAsset(before.tag));
    };
    let left: String = tx.query_row(
        "SELECT substr(u.deactivated_at, 1, 10) FROM users u WHERE u.id = ?1",
        [before.assigned_to],
        |r| r.get(0),
    )?;
    let invalid = || AssetError::InvalidDueDate {
        day: day.to_owned(),
        holder: holder_of(&before),
    };
    let due = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").map_err(|_| invalid())?;
    if due.to_string() < left {
        return Err(invalid());
    }
    tx.execute(
        "UPDATE asset_holdings SET return_due = ?2 WHERE asset_id = ?1 AND ended_at IS NULL",
        rusqlite::params![asset_id, due.to_string()],
    )?;
    audit::record(
        &tx,
        by,
        audit::Entry::asset("asset.return_due_set", asset_id).detail(format!(
            "{} from {}: due back {due} (was {old})",
            before.tag,
            holder_of(&before)
        )),
    )?;
    tx.commit().map_err(StoreError::from)?;
    super::asset(store, asset_id)
}
