//! "Also check for changes every N minutes while UniAsset is running" (issue 15): frequent
//! checks between the nightly runs, off by default so the nightly run stays the one the
//! help article describes. When they run is the schedule's business; this is the setting.

use std::ops::RangeInclusive;

use super::{auto_deprovision_in, settings, EntraError, EntraSettings};
use crate::access::Actor;
use crate::audit;
use crate::organization::{self, OrganizationError};
use crate::store::{Store, StoreError};

pub const CHECK_INTERVAL_MINUTES: RangeInclusive<u32> = 5..=60;

/// What the setting offers when it is turned on.
pub const DEFAULT_CHECK_MINUTES: u32 = 15;

/// Turns frequent checks on (every `minutes`) or off (None). Saving it also ends a pause
/// after repeated failures: the administrator asks for checks again.
pub fn set_check_interval(
    store: &mut Store,
    by: &Actor,
    minutes: Option<u32>,
) -> Result<EntraSettings, EntraError> {
    by.require_admin("change how often UniAsset checks Entra ID")?;
    if let Some(m) = minutes {
        if !CHECK_INTERVAL_MINUTES.contains(&m) {
            return Err(EntraError::InvalidCheckInterval(m));
        }
        if let Some(refusal) = turn_on_refused(store)? {
            return Err(refusal);
        }
    }
    let tx = store.write()?;
    let changed = tx.execute(
        "UPDATE deprovision_settings SET check_every_minutes = ?1
         WHERE check_every_minutes IS NOT ?1",
        [minutes],
    )?;
    tx.execute(
        "UPDATE frequent_checks SET strikes = 0, paused_reason = NULL",
        [],
    )?;
    if changed > 0 {
        let entry = match minutes {
            Some(m) => audit::Entry::organization("entra.frequent_checks_on")
                .detail(format!("Check for changes every {m} minutes")),
            None => audit::Entry::organization("entra.frequent_checks_off"),
        };
        audit::record(&tx, by, entry)?;
    }
    tx.commit().map_err(StoreError::from)?;
    Ok(settings(store)?)
}

/// Why frequent checks cannot be turned on now, if they cannot: they need the Enterprise
/// plan and, since they run between the nightly runs, auto-deprovisioning on. The window
/// shows the reason before anyone tries; saving is refused with the same words.
pub fn turn_on_refused(store: &Store) -> Result<Option<EntraError>, StoreError> {
    match organization::require_enterprise(store, "Frequent checks") {
        Ok(()) => {}
        Err(OrganizationError::Store(e)) => return Err(e),
        Err(e) => return Ok(Some(e.into())),
    }
    Ok((!auto_deprovision_in(store.conn())?).then_some(EntraError::NeedsAutoDeprovision))
}
