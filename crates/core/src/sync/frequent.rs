//! What the latest frequent check found (issue 15). A check that finds nothing new writes
//! no run to the history, so "last checked" lives here. Checks that fail or are throttled
//! several times in a row pause until the next nightly run succeeds: a busy or unreachable
//! Microsoft is not asked again every few minutes.

use rusqlite::Connection;
use serde::Serialize;

use crate::store::StoreError;

/// Checks in a row that failed or were throttled before the checks pause.
pub const STRIKES_TO_PAUSE: u32 = 3;

/// How a frequent check ended.
pub enum Outcome<'a> {
    /// Nothing new in Entra ID: no run stored.
    Quiet,
    /// It acted or found something to report: stored as this run.
    Stored(i64),
    /// It failed: stored as this failed run, with its error.
    Failed(i64, &'a str),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct CheckState {
    /// When the latest check ended (RFC 3339), a quiet one included.
    pub last_checked_at: Option<String>,
    /// The run the latest check stored, when it acted or failed.
    #[ts(type = "number | null")]
    pub last_run_id: Option<i64>,
    pub last_failed: bool,
    /// Checks in a row that failed or were throttled by Microsoft.
    pub strikes: u32,
    /// Set while the checks are paused: when, and why in words.
    pub paused_at: Option<String>,
    pub paused_reason: Option<String>,
}

pub fn state(conn: &Connection) -> Result<CheckState, StoreError> {
    Ok(conn.query_row(
        "SELECT last_checked_at, last_run_id, last_failed, strikes, paused_at, paused_reason
         FROM frequent_checks WHERE id = 1",
        [],
        |r| {
            Ok(CheckState {
                last_checked_at: r.get(0)?,
                last_run_id: r.get(1)?,
                last_failed: r.get(2)?,
                strikes: r.get(3)?,
                paused_at: r.get(4)?,
                paused_reason: r.get(5)?,
            })
        },
    )?)
}

/// Notes a check's end at `at`, in the transaction that stored (or did not store) its run.
/// `throttled`: Microsoft answered 429 at least once, even if the check got through.
pub fn note(
    conn: &Connection,
    at: &str,
    outcome: &Outcome<'_>,
    throttled: bool,
) -> Result<(), StoreError> {
    let (run_id, failed) = match outcome {
        Outcome::Quiet => (None, false),
        Outcome::Stored(id) => (Some(*id), false),
        Outcome::Failed(id, _) => (Some(*id), true),
    };
    let before = state(conn)?;
    let strikes = if failed || throttled {
        before.strikes + 1
    } else {
        0
    };
    let pause =
        (strikes >= STRIKES_TO_PAUSE && before.paused_at.is_none()).then(|| match outcome {
            Outcome::Failed(_, error) => {
                format!("{STRIKES_TO_PAUSE} checks in a row failed (the last: {error})")
            }
            _ => format!("Microsoft throttled {STRIKES_TO_PAUSE} checks in a row"),
        });
    conn.execute(
        "UPDATE frequent_checks SET last_checked_at = ?1, last_run_id = ?2, last_failed = ?3,
             strikes = ?4,
             paused_at = CASE WHEN ?5 IS NULL THEN paused_at ELSE ?1 END,
             paused_reason = coalesce(?5, paused_reason)",
        rusqlite::params![at, run_id, failed, strikes, pause],
    )?;
    Ok(())
}

/// A nightly run got through: frequent checks start again.
pub fn resume(conn: &Connection) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE frequent_checks SET strikes = 0, paused_at = NULL, paused_reason = NULL",
        [],
    )?;
    Ok(())
}
