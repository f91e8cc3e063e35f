//! What Settings → Integrations → Microsoft Entra ID shows: the connection, the toggle
//! (and why it cannot be turned on, when it cannot), the next run, the last run, the
//! history and the held runs; the frequent checks' state. Owners and Admins only (R-D5).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::access::Actor;
use crate::entra::{self, EntraError, EntraSettings};
use crate::organization::{self, Plan};
use crate::schedule;
use crate::store::Store;
use crate::sync::{self, RunRecord, Trigger};

/// How many past runs the history shows.
pub const HISTORY: u32 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EntraOverview {
    pub plan: Plan,
    pub settings: EntraSettings,
    /// Why auto-deprovisioning cannot be used, when it cannot: neither the toggle turned on
    /// nor Sync Now (the check a run makes, so both always give the same reason).
    pub deprovision_blocked: Option<String>,
    /// Why "Match Microsoft accounts" cannot run, when it cannot.
    pub match_blocked: Option<String>,
    /// The next automatic run, RFC 3339 in UTC; none while automatic runs are off.
    pub next_run_utc: Option<String>,
    /// The latest run, with its per-user lines.
    pub last_run: Option<RunRecord>,
    /// Past runs, newest first, without lines.
    pub history: Vec<RunRecord>,
    /// Runs held by the mass-deactivation guard, waiting for Apply or Dismiss.
    pub held: Vec<RunRecord>,
}

/// "Last checked", "Next check" and a pause, for the Entra page's frequent checks card.
pub fn frequent_checks(
    store: &Store,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<schedule::FrequentChecks, EntraError> {
    crate::access::check_integrations(by)?;
    Ok(schedule::frequent_checks(store, now)?)
}

pub fn entra_overview(
    store: &Store,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<EntraOverview, EntraError> {
    crate::access::check_integrations(by)?;
    let plan = organization::get(store)?.plan;
    let settings = entra::settings(store)?;
    let deprovision_blocked = sync::authorize(store, by, Trigger::Manual)
        .err()
        .map(|e| e.to_string());
    let match_blocked = settings
        .connection
        .is_none()
        .then(|| EntraError::NotConnected.to_string());
    let history = sync::runs(store, HISTORY)?;
    let last_run = match history.first().and_then(|r| r.id) {
        Some(id) => sync::run(store, id)?,
        None => None,
    };
    Ok(EntraOverview {
        plan,
        next_run_utc: schedule::next_run(store, now)?
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        settings,
        deprovision_blocked,
        match_blocked,
        last_run,
        history,
        held: sync::pending_reviews(store)?,
    })
}
