//! When automatic runs happen (R-T1…R-T4): at each 03:00 UTC while auto-deprovision is on,
//! the first one at the next window after it was turned on, and one catch-up when a window
//! passed unseen (app closed, machine asleep). Pure arithmetic on an injected "now", so the
//! scheduler can wake often and compare wall-clock time instead of sleeping until 03:00.

use chrono::{DateTime, Days, NaiveTime, Utc};
use rusqlite::OptionalExtension;

use crate::entra;
use crate::organization::{self, Plan};
use crate::store::{Store, StoreError};
use crate::sync::Trigger;

pub const WINDOW: NaiveTime = match NaiveTime::from_hms_opt(3, 0, 0) {
    Some(t) => t,
    None => panic!("03:00 is a time"),
};

/// A run this long after its window still counts as on time; later it is a catch-up.
pub const ON_TIME_MINUTES: i64 = 15;

/// The most recent 03:00 UTC at or before `now`.
pub fn latest_window(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = now.date_naive().and_time(WINDOW).and_utc();
    if today <= now {
        today
    } else {
        today - Days::new(1)
    }
}

/// The first 03:00 UTC strictly after `now`.
pub fn next_window(now: DateTime<Utc>) -> DateTime<Utc> {
    latest_window(now) + Days::new(1)
}

/// Whether an automatic run is due now, given when auto-deprovision was turned on and when
/// the last automatic run started.
pub fn due(
    now: DateTime<Utc>,
    enabled_at: DateTime<Utc>,
    last_automatic: Option<DateTime<Utc>>,
) -> Option<Trigger> {
    let window = latest_window(now);
    let reference = last_automatic.map_or(enabled_at, |last| last.max(enabled_at));
    if window <= reference {
        return None;
    }
    if now - window <= chrono::Duration::minutes(ON_TIME_MINUTES) {
        Some(Trigger::Scheduled)
    } else {
        Some(Trigger::CatchUp)
    }
}

/// The automatic run due now for this organization, if any: auto-deprovision on, the
/// Enterprise plan, Entra connected, and a window passed since the last automatic run.
pub fn automatic_run_due(store: &Store, now: DateTime<Utc>) -> Result<Option<Trigger>, StoreError> {
    let Some(enabled_at) = automatic_since(store)? else {
        return Ok(None);
    };
    Ok(due(now, enabled_at, last_automatic_run(store, now)?))
}

/// When the next automatic run will be, if automatic runs are on.
pub fn next_run(store: &Store, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(automatic_since(store)?.map(|_| next_window(now)))
}

/// When auto-deprovision was turned on, if automatic runs can happen at all.
fn automatic_since(store: &Store) -> Result<Option<DateTime<Utc>>, StoreError> {
    let settings = entra::settings(store)?;
    let enterprise = organization::find(store)?.is_some_and(|o| o.plan == Plan::Enterprise);
    if !settings.auto_deprovision || !enterprise || settings.connection.is_none() {
        return Ok(None);
    }
    Ok(settings.enabled_at.as_deref().and_then(parse))
}

/// The last automatic run that did its job. A failed or interrupted run does not count, so
/// the window is tried again; nor does a run stamped by a clock that was ahead of now.
fn last_automatic_run(
    store: &Store,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let now = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let started: Option<String> = store
        .conn()
        .query_row(
            "SELECT max(started_at) FROM sync_runs
             WHERE trigger IN ('scheduled', 'catch-up') AND result NOT IN ('failed', 'running')
               AND started_at <= ?1",
            [now],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(started.as_deref().and_then(parse))
}

fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        parse(s).unwrap()
    }

    #[test]
    fn windows_are_at_three_utc() {
        assert_eq!(
            next_window(at("2026-11-27T02:59:59Z")),
            at("2026-11-27T03:00:00Z")
        );
        assert_eq!(
            next_window(at("2026-11-27T03:00:00Z")),
            at("2026-11-28T03:00:00Z")
        );
        assert_eq!(
            latest_window(at("2026-11-27T02:00:00Z")),
            at("2026-11-26T03:00:00Z")
        );
        assert_eq!(
            next_window(at("2026-12-31T23:00:00Z")),
            at("2027-01-01T03:00:00Z")
        );
    }

    #[test]
    fn the_first_run_is_at_the_next_window_not_at_once() {
        let enabled = at("2026-11-27T10:00:00Z");
        assert_eq!(due(at("2026-11-27T10:00:30Z"), enabled, None), None);
        assert_eq!(due(at("2026-11-28T02:59:30Z"), enabled, None), None);
        assert_eq!(
            due(at("2026-11-28T03:00:30Z"), enabled, None),
            Some(Trigger::Scheduled)
        );
    }

    #[test]
    fn one_run_per_window() {
        let enabled = at("2026-11-20T10:00:00Z");
        let ran = at("2026-11-28T03:00:30Z");
        assert_eq!(due(at("2026-11-28T03:01:00Z"), enabled, Some(ran)), None);
        assert_eq!(due(at("2026-11-28T23:00:00Z"), enabled, Some(ran)), None);
        assert_eq!(
            due(at("2026-11-29T03:00:10Z"), enabled, Some(ran)),
            Some(Trigger::Scheduled)
        );
    }

    #[test]
    fn a_missed_window_is_caught_up_once() {
        let enabled = at("2026-11-20T10:00:00Z");
        let last = at("2026-11-25T03:00:05Z");
        // The machine slept through two windows and wakes at noon: one catch-up run.
        assert_eq!(
            due(at("2026-11-27T12:00:00Z"), enabled, Some(last)),
            Some(Trigger::CatchUp)
        );
        let caught_up = at("2026-11-27T12:00:01Z");
        assert_eq!(
            due(at("2026-11-27T12:00:30Z"), enabled, Some(caught_up)),
            None
        );
    }

    #[test]
    fn clock_jumps_are_judged_by_the_wall_clock() {
        let enabled = at("2026-11-20T10:00:00Z");
        let last = at("2026-11-27T03:00:05Z");
        // Clock set back a day: that window already ran, nothing twice.
        assert_eq!(due(at("2026-11-26T04:00:00Z"), enabled, Some(last)), None);
        // Clock jumps forward past a window: it is caught up.
        assert_eq!(
            due(at("2026-11-28T09:00:00Z"), enabled, Some(last)),
            Some(Trigger::CatchUp)
        );
    }

    #[test]
    fn windows_while_the_setting_was_off_are_not_caught_up() {
        // Turned on again at 10:00 after being off over the 03:00 window.
        let re_enabled = at("2026-11-27T10:00:00Z");
        let last = at("2026-11-20T03:00:05Z");
        assert_eq!(
            due(at("2026-11-27T10:05:00Z"), re_enabled, Some(last)),
            None
        );
    }
}
