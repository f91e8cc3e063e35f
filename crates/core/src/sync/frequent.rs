//! What the latest frequent check found (issue 15; R-T6). A check that finds nothing new writes
//! no run to the history, so "last checked" lives here. Checks that fail or are throttled
//! several times in a row pause until the next nightly run succeeds: a busy or unreachable
//! Microsoft is not asked again every few minutes.

use rusqlite::Connection;

use super::{RunRecord, RunResult, Trigger};
use crate::store::StoreError;

/// Checks in a row that failed or were throttled before the checks pause.
const STRIKES_TO_PAUSE: u32 = 3;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckState {
    /// When the latest check ended (RFC 3339), a quiet one included.
    pub last_checked_at: Option<String>,
    /// The run the latest check stored, when it acted or failed; None when it was quiet.
    pub last_run_id: Option<i64>,
    /// Why the checks are paused, in words, while they are.
    pub paused_reason: Option<String>,
}

pub fn state(conn: &Connection) -> Result<CheckState, StoreError> {
    Ok(conn.query_row(
        "SELECT last_checked_at, last_run_id, paused_reason FROM frequent_checks WHERE id = 1",
        [],
        |r| {
            Ok(CheckState {
                last_checked_at: r.get(0)?,
                last_run_id: r.get(1)?,
                paused_reason: r.get(2)?,
            })
        },
    )?)
}

/// Notes how a run ended, in the transaction that stored it (or did not, for a quiet
/// check): a frequent check's time, run and strikes; a nightly run that got through starts
/// paused checks again. `throttled`: Microsoft answered 429 at least once, even if the run
/// got through.
pub fn note(conn: &Connection, run: &RunRecord, throttled: bool) -> Result<(), StoreError> {
    let failed = run.result == RunResult::Failed;
    match run.trigger {
        Trigger::Interval => note_check(conn, run, failed || throttled),
        Trigger::Scheduled | Trigger::CatchUp if !failed => {
            conn.execute(
                "UPDATE frequent_checks SET strikes = 0, paused_reason = NULL",
                [],
            )?;
            Ok(())
        }
        _ => Ok(()),
    }
}

fn note_check(conn: &Connection, run: &RunRecord, strike: bool) -> Result<(), StoreError> {
    let strikes: u32 = conn.query_row("SELECT strikes FROM frequent_checks", [], |r| r.get(0))?;
    let strikes = if strike { strikes + 1 } else { 0 };
    let pause = (strikes == STRIKES_TO_PAUSE).then(|| match &run.error {
        Some(error) => format!("{STRIKES_TO_PAUSE} checks in a row failed (the last: {error})"),
        None => format!("Microsoft throttled {STRIKES_TO_PAUSE} checks in a row"),
    });
    conn.execute(
        "UPDATE frequent_checks SET last_checked_at = ?1, last_run_id = ?2, strikes = ?3,
             paused_reason = coalesce(?4, paused_reason)",
        rusqlite::params![run.ended_at, run.id, strikes, pause],
    )?;
    Ok(())
}
