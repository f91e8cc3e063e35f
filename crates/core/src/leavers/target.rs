//! The organization's target time from detecting a leaver to deactivating them (24 hours
//! unless changed), which the evidence measures each deactivation against.

use rusqlite::Connection;

use super::LeaversError;
use crate::access::Actor;
use crate::audit;
use crate::store::{Store, StoreError};

/// What the target may be: an hour at least, 30 days at most.
pub const TARGET_HOURS: std::ops::RangeInclusive<u32> = 1..=720;

pub fn target_hours(store: &Store) -> Result<u32, LeaversError> {
    target_hours_in(store.conn())
}

pub(super) fn target_hours_in(conn: &Connection) -> Result<u32, LeaversError> {
    Ok(conn
        .query_row(
            "SELECT evidence_target_hours FROM deprovision_settings WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .map_err(StoreError::from)?)
}

/// An Owner or Admin sets the target; audited. Returns the target now in force.
pub fn set_target_hours(store: &mut Store, by: &Actor, hours: u32) -> Result<u32, LeaversError> {
    by.require_admin("change the deprovisioning target time")?;
    if !TARGET_HOURS.contains(&hours) {
        return Err(LeaversError::TargetOutOfRange(hours));
    }
    let tx = store.write()?;
    let changed = tx.execute(
        "UPDATE deprovision_settings SET evidence_target_hours = ?1
         WHERE id = 1 AND evidence_target_hours <> ?1",
        [hours],
    )?;
    if changed > 0 {
        audit::record(
            &tx,
            by,
            audit::Entry::organization("evidence.target_set").detail(format!(
                "Target from detection to deactivation: {hours} hours"
            )),
        )?;
    }
    tx.commit().map_err(StoreError::from)?;
    Ok(hours)
}
