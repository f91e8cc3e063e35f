//! When frequent checks run (issue 15; R-T6): every N minutes while automatic runs can happen,
//! the first at once, unless repeated failures or throttling paused them until the next
//! nightly run succeeds. And what the Entra page and the tray say about them.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{automatic_since, parse};
use crate::entra;
use crate::store::{Store, StoreError};
use crate::sync::{self, CheckState, RunResult};
use crate::timestamp;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct FrequentChecks {
    /// Minutes between checks while the setting is on; None: off.
    pub every_minutes: Option<u32>,
    /// What the setting accepts, and what it offers when turned on.
    pub min_minutes: u32,
    pub max_minutes: u32,
    pub default_minutes: u32,
    /// Checks run now: on, automatic runs possible, not paused.
    pub active: bool,
    /// Why checks do not run although the setting is on (auto-deprovisioning off, say).
    pub inactive_reason: Option<String>,
    /// Why the setting cannot be turned on now (the plan, auto-deprovisioning off); saving
    /// it on is refused with the same words.
    pub turn_on_refused: Option<String>,
    /// When the latest check ended (RFC 3339), a check that found nothing included.
    pub last_checked_at: Option<String>,
    /// What the latest check found, in words.
    pub last_result: Option<String>,
    /// The run the latest check stored, when it acted or failed.
    #[ts(type = "number | null")]
    pub last_run_id: Option<i64>,
    /// While paused after repeated failures or throttling: why, and when checks resume.
    pub paused: Option<String>,
    /// When the next check is due, while they run.
    pub next_check_at: Option<String>,
}

/// Whether a frequent check is due now.
pub fn frequent_check_due(store: &Store, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let state = sync::frequent_check_state(store.conn())?;
    Ok(next_check(store, &state, now)?.is_some_and(|next| next <= now))
}

pub fn frequent_checks(store: &Store, now: DateTime<Utc>) -> Result<FrequentChecks, StoreError> {
    let every_minutes = entra::settings(store)?.check_every_minutes;
    let state = sync::frequent_check_state(store.conn())?;
    let next = next_check(store, &state, now)?;
    let inactive_reason = (every_minutes.is_some() && automatic_since(store)?.is_none()).then(|| {
        "Frequent checks run only while auto-deprovisioning is on (Enterprise plan, Entra ID connected).".to_owned()
    });
    let paused = state.paused_reason.as_deref().map(|why| {
        format!(
            "Frequent checks are paused: {why}. Until the next nightly run at 03:00 UTC succeeds, only the nightly run checks; then they start again. Saving the setting starts them again now."
        )
    });
    Ok(FrequentChecks {
        every_minutes,
        min_minutes: *entra::CHECK_INTERVAL_MINUTES.start(),
        max_minutes: *entra::CHECK_INTERVAL_MINUTES.end(),
        default_minutes: entra::DEFAULT_CHECK_MINUTES,
        active: next.is_some(),
        inactive_reason,
        turn_on_refused: entra::turn_on_refused(store)?.map(|why| why.to_string()),
        last_result: last_result(store, &state)?,
        last_checked_at: state.last_checked_at,
        last_run_id: state.last_run_id,
        paused,
        next_check_at: next.map(timestamp::at),
    })
}

/// When the next check is due, while checks run (on, automatic runs possible, not paused):
/// the interval after the last check; at once when none ran yet, or when the clock was
/// moved back behind the last one (waiting for the clock to catch up could take days).
fn next_check(
    store: &Store,
    state: &CheckState,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let Some(minutes) = entra::settings(store)?.check_every_minutes else {
        return Ok(None);
    };
    if state.paused_reason.is_some() || automatic_since(store)?.is_none() {
        return Ok(None);
    }
    Ok(Some(
        match state.last_checked_at.as_deref().and_then(parse) {
            Some(last) if last <= now => last + Duration::minutes(i64::from(minutes)),
            _ => now,
        },
    ))
}

fn last_result(store: &Store, state: &CheckState) -> Result<Option<String>, StoreError> {
    if state.last_checked_at.is_none() {
        return Ok(None);
    }
    let Some(id) = state.last_run_id else {
        return Ok(Some("Nothing new in Microsoft Entra ID.".to_owned()));
    };
    Ok(Some(match sync::run(store, id)? {
        Some(run) if run.result == RunResult::Failed => {
            format!("Failed (run #{id}): {}", run.error.unwrap_or_default())
        }
        Some(run) => format!("Run #{id}: {}", run.headline),
        None => format!("Run #{id}"),
    }))
}
