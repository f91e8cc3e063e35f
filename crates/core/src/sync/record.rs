//! Run records (R-S5): what each run was asked, what it found, what it did to whom.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::directory::DeactivationReason;
use crate::entra::SessionsOutcome;
use crate::store::{Store, StoreError};
use crate::text_enum::text_enum;
use crate::timestamp;

text_enum! {
    /// What started a run.
    Trigger, "trigger", "scheduled, catch-up, manual, tray, cli, interval or person" {
        Scheduled => "scheduled",
        CatchUp => "catch-up",
        Manual => "manual",
        Tray => "tray",
        Cli => "cli",
        /// A frequent check between the nightly runs (issue 15): stored only when it acts
        /// or fails.
        Interval => "interval",
        /// "Check now" on one person (issue 25): their account alone, read at once.
        Person => "person",
    }
}

text_enum! {
    RunResult, "result", "running, succeeded, completed_with_errors, failed or held_for_review" {
        Running => "running",
        Succeeded => "succeeded",
        CompletedWithErrors => "completed_with_errors",
        Failed => "failed",
        HeldForReview => "held_for_review",
    }
}

text_enum! {
    LineOutcome, "outcome", "deactivated, would_deactivate, held, skipped_last_owner, skipped_protected, other_tenant, enabled_again, error, added, linked, would_add or would_link" {
        Deactivated => "deactivated",
        WouldDeactivate => "would_deactivate",
        Held => "held",
        SkippedLastOwner => "skipped_last_owner",
        SkippedProtected => "skipped_protected",
        OtherTenant => "other_tenant",
        EnabledAgain => "enabled_again",
        Error => "error",
        /// A new Entra account added as a Member ("Add new Entra users automatically").
        Added => "added",
        /// A new Entra account whose address an unlinked Microsoft user had: linked to them.
        Linked => "linked",
        WouldAdd => "would_add",
        WouldLink => "would_link",
    }
}

impl Trigger {
    pub(super) fn automatic(self) -> bool {
        matches!(
            self,
            Trigger::Scheduled | Trigger::CatchUp | Trigger::Interval
        )
    }
}

text_enum! {
    /// What an Owner or Admin decided about a held run.
    Review, "review", "pending, applied or dismissed" {
        Pending => "pending",
        Applied => "applied",
        Dismissed => "dismissed",
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct RunCounts {
    pub checked: u32,
    pub disabled_found: u32,
    pub deleted_found: u32,
    pub deactivated: u32,
    pub skipped: u32,
    pub errors: u32,
    /// New Entra accounts added as Members.
    pub added: u32,
    /// New Entra accounts linked to the Microsoft sign-in user who had their address.
    pub linked: u32,
}

/// One user a run affected, found in doubt, or reports on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct RunLine {
    #[ts(type = "number | null")]
    pub user_id: Option<i64>,
    pub email: String,
    pub entra_object_id: Option<String>,
    pub outcome: LineOutcome,
    pub reason: Option<DeactivationReason>,
    pub detail: String,
    /// The person's name when the run wrote the line (None on lines from before it was kept).
    pub display_name: Option<String>,
    /// For a deactivation: when the sync first saw the change in Entra (RFC 3339), a held
    /// or dry run included. None on lines from before this was recorded.
    pub detected_at: Option<String>,
    /// For a deactivation: how many assets the person still held, to be got back.
    pub assets_to_recover: u32,
    /// For a deactivation, with ending sessions on: what became of their Microsoft sessions.
    pub sessions: Option<SessionsOutcome>,
    /// When they were ended, or last tried.
    pub sessions_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct RunRecord {
    /// None for a dry run, which is never stored.
    #[ts(type = "number | null")]
    pub id: Option<i64>,
    pub trigger: Trigger,
    pub dry_run: bool,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub result: RunResult,
    pub counts: RunCounts,
    pub lines: Vec<RunLine>,
    pub error: Option<String>,
    #[ts(type = "number")]
    pub graph_requests: u64,
    pub started_by: String,
    pub review: Option<Review>,
    #[ts(type = "number | null")]
    pub applies_run_id: Option<i64>,
    /// The result in words ("2 deactivated, 1 error"), worded once in the core for the
    /// Sync card, the tray and the command line.
    pub headline: String,
    /// From 30 days before the client secret expires: when, and how to renew it.
    pub secret_notice: Option<String>,
}

impl RunRecord {
    /// A run that has just started: nothing found, nothing done yet.
    pub(crate) fn started(
        id: Option<i64>,
        trigger: Trigger,
        dry_run: bool,
        started_at: String,
        by: &crate::access::Actor,
    ) -> RunRecord {
        RunRecord {
            id,
            trigger,
            dry_run,
            started_at,
            ended_at: None,
            result: RunResult::Running,
            counts: RunCounts::default(),
            lines: Vec::new(),
            error: None,
            graph_requests: 0,
            started_by: by.label(),
            review: None,
            applies_run_id: None,
            headline: String::new(),
            secret_notice: None,
        }
        .worded()
    }

    /// A frequent check that found nothing new: not stored, and nobody is told.
    pub fn quiet(&self) -> bool {
        self.id.is_none() && !self.dry_run
    }
}

pub fn start(
    conn: &Connection,
    trigger: Trigger,
    started_by: &str,
    started_at: &str,
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO sync_runs (trigger, started_at, result, started_by) VALUES (?1, ?2, 'running', ?3)",
        rusqlite::params![trigger, started_at, started_by],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Stores a frequent check as started, when it turns out to act or fail: it was not stored
/// when it began. A run stored already is left as it is.
pub fn start_late(conn: &Connection, run: &mut RunRecord) -> Result<(), StoreError> {
    if run.id.is_none() {
        run.id = Some(start(conn, run.trigger, &run.started_by, &run.started_at)?);
    }
    Ok(())
}

/// Takes back a run started in this transaction that turned out to have nothing to say (a
/// frequent check that deactivated nobody after all): it has no lines yet.
pub fn discard(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM sync_runs WHERE id = ?1 AND result = 'running'",
        [id],
    )?;
    Ok(())
}

/// Writes a finished run's outcome and lines, inside the transaction that made its changes,
/// and notes the secret's coming expiry on it.
pub fn finish(conn: &Connection, record: &mut RunRecord) -> Result<(), StoreError> {
    record.secret_notice = crate::entra::secret_notice_in(conn)?;
    let id = record.id.expect("only stored runs are finished");
    let c = record.counts;
    conn.execute(
        "UPDATE sync_runs SET ended_at = ?2, result = ?3, checked = ?4, disabled_found = ?5, deleted_found = ?6,
             deactivated = ?7, skipped = ?8, errors = ?9, error_text = ?10, graph_requests = ?11, review = ?12,
             applies_run_id = ?13, added = ?14, linked = ?15, secret_notice = ?16
         WHERE id = ?1",
        rusqlite::params![
            id,
            record.ended_at,
            record.result,
            c.checked,
            c.disabled_found,
            c.deleted_found,
            c.deactivated,
            c.skipped,
            c.errors,
            record.error,
            record.graph_requests as i64,
            record.review,
            record.applies_run_id,
            c.added,
            c.linked,
            record.secret_notice
        ],
    )?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO sync_run_lines (run_id, user_id, email, entra_object_id, outcome, reason, detail,
             display_name, detected_at, assets_to_recover)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for l in &record.lines {
        insert.execute(rusqlite::params![
            id,
            l.user_id,
            l.email,
            l.entra_object_id,
            l.outcome,
            l.reason,
            l.detail,
            l.display_name,
            l.detected_at,
            l.assets_to_recover
        ])?;
    }
    Ok(())
}

/// A run whose process died left its row "running"; the lock proves nobody runs now.
pub fn close_interrupted(conn: &Connection) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE sync_runs SET result = 'failed', ended_at = ?1,
             error_text = 'The run was interrupted (UniAsset stopped or the computer shut down) before it finished. It changed nothing.'
         WHERE result = 'running'",
        [timestamp::now()],
    )?;
    Ok(())
}

/// Runs, newest first, without their lines.
pub fn list(store: &Store, limit: u32) -> Result<Vec<RunRecord>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare(&format!("{RUN_QUERY} ORDER BY id DESC LIMIT ?1"))?;
    let rows = stmt.query_map([limit], run_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One run with its lines.
pub fn get(store: &Store, id: i64) -> Result<Option<RunRecord>, StoreError> {
    let Some(mut run) = store
        .conn()
        .query_row(&format!("{RUN_QUERY} WHERE id = ?1"), [id], run_from_row)
        .optional()?
    else {
        return Ok(None);
    };
    let mut stmt = store.conn().prepare(
        "SELECT user_id, email, entra_object_id, outcome, reason, detail, display_name, detected_at,
             assets_to_recover, sessions_outcome, sessions_at
         FROM sync_run_lines WHERE run_id = ?1 ORDER BY id",
    )?;
    let lines = stmt.query_map([id], |r| {
        Ok(RunLine {
            user_id: r.get(0)?,
            email: r.get(1)?,
            entra_object_id: r.get(2)?,
            outcome: r.get(3)?,
            reason: r.get(4)?,
            detail: r.get(5)?,
            display_name: r.get(6)?,
            detected_at: r.get(7)?,
            assets_to_recover: r.get(8)?,
            sessions: r.get(9)?,
            sessions_at: r.get(10)?,
        })
    })?;
    run.lines = lines.collect::<Result<_, _>>()?;
    Ok(Some(run))
}

/// Held runs still waiting for a decision, newest first, with their lines.
pub fn pending_reviews(store: &Store) -> Result<Vec<RunRecord>, StoreError> {
    let ids: Vec<i64> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT id FROM sync_runs WHERE review = 'pending' ORDER BY id DESC")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    ids.into_iter()
        .filter_map(|id| get(store, id).transpose())
        .collect()
}

const RUN_QUERY: &str = "SELECT id, trigger, started_at, ended_at, result, checked, disabled_found, deleted_found,
    deactivated, skipped, errors, error_text, graph_requests, started_by, review, applies_run_id, added, linked,
    secret_notice
    FROM sync_runs";

fn run_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
    Ok(RunRecord {
        id: r.get(0)?,
        trigger: r.get(1)?,
        dry_run: false,
        started_at: r.get(2)?,
        ended_at: r.get(3)?,
        result: r.get(4)?,
        counts: RunCounts {
            checked: r.get(5)?,
            disabled_found: r.get(6)?,
            deleted_found: r.get(7)?,
            deactivated: r.get(8)?,
            skipped: r.get(9)?,
            errors: r.get(10)?,
            added: r.get(16)?,
            linked: r.get(17)?,
        },
        lines: Vec::new(),
        error: r.get(11)?,
        graph_requests: r.get::<_, i64>(12)? as u64,
        started_by: r.get(13)?,
        review: r.get(14)?,
        applies_run_id: r.get(15)?,
        headline: String::new(),
        secret_notice: r.get(18)?,
    }
    .worded())
}
