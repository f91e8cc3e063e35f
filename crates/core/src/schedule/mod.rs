//! When automatic runs happen (R-T1…R-T4): at each 03:00 UTC while auto-deprovision is on,
//! the first one at the next window after it was turned on, and one catch-up when a window
//! passed unseen (app closed, machine asleep). Pure arithmetic on an injected "now", so the
//! scheduler can wake often and compare wall-clock time instead of sleeping until 03:00.
//! Frequent checks between the nightly runs, when turned on, are in `frequent`.

mod frequent;

use chrono::{DateTime, Days, NaiveTime, Utc};
use rusqlite::OptionalExtension;

use crate::entra;
use crate::organization::{self, Plan};
use crate::store::{Store, StoreError};
use crate::sync::Trigger;
use crate::timestamp::parse;

pub use frequent::{frequent_check_due, frequent_checks, FrequentChecks};

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

/// Whether an automatic run is due now, given when auto-deprovision was turned on (the
/// first run waits for the next window, R-T2) and when the last automatic run started.
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

/// A window whose automatic run failed (network not up yet after waking, say) is tried
/// again after this pause, up to `ATTEMPTS_PER_WINDOW` times in all.
pub const RETRY_AFTER: chrono::TimeDelta = chrono::TimeDelta::minutes(15);
pub const ATTEMPTS_PER_WINDOW: u32 = 4;

/// What the scheduler remembers between ticks: the window it last started a run for, when
/// it last did, and how many runs it started for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    pub window: DateTime<Utc>,
    pub last: DateTime<Utc>,
    pub count: u32,
}

/// What one tick of the scheduler does: maybe start a run, and what to remember.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    pub run: Option<Trigger>,
    pub attempts: Option<Attempts>,
}

/// The scheduler's policy, on the clock's "now" and the run `due` (see `automatic_run_due`;
/// a failed run leaves its window due). A new window starts afresh — also when the clock
/// jumped ahead past one. A window already tried waits `RETRY_AFTER` between attempts and
/// gives up after `ATTEMPTS_PER_WINDOW`. A clock moved back behind the last attempt counts
/// the pause from now, so it neither retries at once nor waits for hours.
pub fn tick(now: DateTime<Utc>, due: Option<Trigger>, previous: Option<Attempts>) -> Tick {
    let Some(trigger) = due else {
        return Tick {
            run: None,
            attempts: previous,
        };
    };
    let window = latest_window(now);
    let started = |count| Tick {
        run: Some(trigger),
        attempts: Some(Attempts {
            window,
            last: now,
            count,
        }),
    };
    match previous {
        Some(p) if p.window == window => {
            if p.count >= ATTEMPTS_PER_WINDOW {
                Tick {
                    run: None,
                    attempts: previous,
                }
            } else if now < p.last {
                Tick {
                    run: None,
                    attempts: Some(Attempts { last: now, ..p }),
                }
            } else if now - p.last >= RETRY_AFTER {
                started(p.count + 1)
            } else {
                Tick {
                    run: None,
                    attempts: previous,
                }
            }
        }
        _ => started(1),
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

#[cfg(test)]
mod tests {
    use super::*;

    mod policy {
        use super::*;

        const DUE: Option<Trigger> = Some(Trigger::Scheduled);

        fn tried(window: &str, last: &str, count: u32) -> Option<Attempts> {
            Some(Attempts {
                window: at(window),
                last: at(last),
                count,
            })
        }

        #[test]
        fn on_time_the_window_runs_once() {
            let step = tick(at("2026-11-27T03:00:30Z"), DUE, None);
            assert_eq!(step.run, DUE);
            assert_eq!(
                step.attempts,
                tried("2026-11-27T03:00:00Z", "2026-11-27T03:00:30Z", 1)
            );
            // Done: the core no longer says it is due, so nothing more runs.
            let next = tick(at("2026-11-27T03:01:00Z"), None, step.attempts);
            assert_eq!(next.run, None);
        }

        #[test]
        fn a_missed_window_is_caught_up() {
            let step = tick(at("2026-11-27T09:12:00Z"), Some(Trigger::CatchUp), None);
            assert_eq!(step.run, Some(Trigger::CatchUp));
        }

        #[test]
        fn a_failed_run_is_retried_after_a_pause() {
            let first = tried("2026-11-27T03:00:00Z", "2026-11-27T03:00:30Z", 1);
            assert_eq!(tick(at("2026-11-27T03:10:00Z"), DUE, first).run, None);
            let retry = tick(at("2026-11-27T03:15:30Z"), DUE, first);
            assert_eq!(retry.run, DUE);
            assert_eq!(retry.attempts.unwrap().count, 2);
        }

        #[test]
        fn retries_stop_when_used_up() {
            let spent = tried("2026-11-27T03:00:00Z", "2026-11-27T03:45:30Z", 4);
            assert_eq!(tick(at("2026-11-27T05:00:00Z"), DUE, spent).run, None);
            assert_eq!(tick(at("2026-11-27T05:00:00Z"), DUE, spent).attempts, spent);
        }

        #[test]
        fn a_clock_moved_back_waits_the_pause_from_now() {
            let first = tried("2026-11-27T03:00:00Z", "2026-11-27T03:40:00Z", 1);
            let back = tick(at("2026-11-27T03:20:00Z"), DUE, first);
            assert_eq!(back.run, None, "no retry at once");
            assert_eq!(back.attempts.unwrap().last, at("2026-11-27T03:20:00Z"));
            assert_eq!(
                tick(at("2026-11-27T03:35:00Z"), DUE, back.attempts).run,
                DUE
            );
        }

        #[test]
        fn a_clock_jumped_ahead_starts_the_new_window_afresh() {
            let spent = tried("2026-11-27T03:00:00Z", "2026-11-27T03:45:30Z", 4);
            let ahead = tick(at("2026-11-29T03:05:00Z"), DUE, spent);
            assert_eq!(ahead.run, DUE);
            assert_eq!(ahead.attempts.unwrap().count, 1);
        }
    }

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
