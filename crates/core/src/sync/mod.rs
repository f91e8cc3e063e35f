//! The deprovision sync (R-S1…R-S9): ask Entra about every Microsoft-linked user and
//! deactivate those it has disabled or deleted — never deleting anything, never touching
//! password or Google users, never acting on doubt, all of a run's changes in one
//! transaction, one run at a time.

mod decide;
mod lock;
mod observe;
mod record;
mod review;

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};

use crate::access::{AccessError, Actor};
use crate::directory::{self, DeactivationReason, DirectoryError, User};
use crate::entra::{self, EntraError};
use crate::graph::{AccountState, ClientOptions, GraphClient};
use crate::organization::{self, OrganizationError};
use crate::store::{Store, StoreError};
use crate::text_enum::text_enum;
use crate::timestamp;

pub use lock::LOCK_FILE;
pub use record::{
    get as run, list as runs, pending_reviews, Review, RunCounts, RunLine, RunRecord,
};
pub use review::{apply_held, dismiss_held};

text_enum! {
    /// What started a run.
    Trigger, "trigger", "scheduled, catch-up, manual, tray or cli" {
        Scheduled => "scheduled",
        CatchUp => "catch-up",
        Manual => "manual",
        Tray => "tray",
        Cli => "cli",
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
    LineOutcome, "outcome", "deactivated, would_deactivate, held, skipped_last_owner, enabled_again or error" {
        Deactivated => "deactivated",
        WouldDeactivate => "would_deactivate",
        Held => "held",
        SkippedLastOwner => "skipped_last_owner",
        EnabledAgain => "enabled_again",
        Error => "error",
    }
}

impl Trigger {
    fn automatic(self) -> bool {
        matches!(self, Trigger::Scheduled | Trigger::CatchUp)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncRequest {
    pub trigger: Trigger,
    /// Preview only (R-S9): nothing is changed or stored.
    pub dry_run: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("A sync is already running. Its result will appear in the run history when it ends.")]
    AlreadyRunning,
    #[error("Auto-deprovisioning is off, so no automatic sync runs. Turn it on in Settings → Integrations → Microsoft Entra ID.")]
    AutoDeprovisionOff,
    #[error("This held run was already {0}.")]
    AlreadyReviewed(Review),
    #[error("No held run #{0} waits for review.")]
    NoSuchHeldRun(i64),
    #[error("There is no run #{0}.")]
    UnknownRun(i64),
    #[error("The sync's lock file could not be used: {0}")]
    Lock(String),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Organization(#[from] OrganizationError),
    #[error(transparent)]
    Entra(#[from] EntraError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for SyncError {
    fn code(&self) -> &'static str {
        match self {
            SyncError::AlreadyRunning => "sync_running",
            SyncError::AutoDeprovisionOff => "auto_deprovision_off",
            SyncError::AlreadyReviewed(_) => "already_reviewed",
            SyncError::NoSuchHeldRun(_) | SyncError::UnknownRun(_) => "unknown_run",
            SyncError::Lock(_) => "sync_lock",
            SyncError::Access(e) => e.code(),
            SyncError::Organization(e) => e.code(),
            SyncError::Entra(e) => e.code(),
            SyncError::Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Store(e.into())
    }
}

/// One run with its per-user lines, for an Owner or Admin.
pub fn run_details(store: &Store, by: &Actor, id: i64) -> Result<RunRecord, SyncError> {
    by.require_admin("see sync runs")?;
    record::get(store, id)?.ok_or(SyncError::UnknownRun(id))
}

/// Who may start a run of this kind (R-D5, R-D6, R-S8).
fn authorize(store: &Store, by: &Actor, trigger: Trigger) -> Result<(), SyncError> {
    if trigger.automatic() {
        if *by != Actor::EntraSync {
            return Err(AccessError::NeedsAdmin("start an automatic sync").into());
        }
    } else {
        by.require_admin("run a sync")?;
    }
    organization::require_enterprise(store, "Auto-deprovisioning")?;
    let settings = entra::settings(store)?;
    if settings.connection.is_none() {
        return Err(EntraError::NotConnected.into());
    }
    if trigger.automatic() && !settings.auto_deprovision {
        return Err(SyncError::AutoDeprovisionOff);
    }
    Ok(())
}

/// Runs one sync. Refusals (role, plan, connection, a run already going) are errors; a run
/// that starts always ends in a record, a failed one included, and that record is returned.
pub async fn run_sync(
    store: &mut Store,
    by: &Actor,
    request: SyncRequest,
) -> Result<RunRecord, SyncError> {
    authorize(store, by, request.trigger)?;
    let _lock = acquire(store)?;
    record::close_interrupted(store.conn())?;
    let started_at = timestamp::now();
    let id = if request.dry_run {
        None
    } else {
        Some(record::start(
            store.conn(),
            request.trigger,
            &by.label(),
            &started_at,
        )?)
    };
    let mut run = RunRecord {
        id,
        trigger: request.trigger,
        dry_run: request.dry_run,
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
    };
    let options = ClientOptions {
        low_priority: request.trigger.automatic(),
        ..ClientOptions::default()
    };
    let graph = match entra::client(store, options) {
        Ok(graph) => graph,
        Err(e) => return fail(store, run, e.to_string()),
    };
    match check_and_apply(store, &graph, &mut run).await {
        Ok(()) => Ok(run),
        Err(message) => {
            run.graph_requests = graph.requests_sent();
            fail(store, run, message)
        }
    }
}

pub(crate) fn acquire(store: &Store) -> Result<lock::SyncLock, SyncError> {
    lock::SyncLock::acquire(store.data_dir()).map_err(|e| match e {
        lock::LockError::Busy => SyncError::AlreadyRunning,
        lock::LockError::Io(e) => SyncError::Lock(e.to_string()),
    })
}

fn fail(store: &mut Store, mut run: RunRecord, message: String) -> Result<RunRecord, SyncError> {
    run.result = RunResult::Failed;
    run.error = Some(message);
    run.ended_at = Some(timestamp::now());
    if run.id.is_some() {
        let tx = store.write()?;
        record::finish(&tx, &run)?;
        tx.commit().map_err(StoreError::from)?;
    }
    Ok(run)
}

/// Observes, decides and (unless a dry run) applies. An `Err` is a whole-run failure that
/// changed nothing.
async fn check_and_apply(
    store: &mut Store,
    graph: &GraphClient,
    run: &mut RunRecord,
) -> Result<(), String> {
    let tracked = directory::microsoft_linked(store.conn()).map_err(|e| e.to_string())?;
    let known = known_states(store.conn()).map_err(|e| e.to_string())?;
    let delta_link = saved_delta_link(store.conn()).map_err(|e| e.to_string())?;
    let oids: Vec<String> = tracked
        .iter()
        .filter_map(|u| u.entra_object_id.clone())
        .collect();

    let observed = observe::observe(graph, &oids, &known, delta_link.as_deref())
        .await
        .map_err(|e| e.to_string())?;
    run.graph_requests = graph.requests_sent();

    let mut current: HashMap<String, Result<AccountState, _>> =
        known.iter().map(|(k, v)| (k.clone(), Ok(*v))).collect();
    if observed.full_read {
        current.clear();
    }
    current.extend(observed.states.iter().map(|(k, v)| (k.clone(), v.clone())));
    let guard = entra::settings(store).map_err(|e| e.to_string())?.guard;
    let plan = decide::decide(&tracked, &current, guard);

    run.counts = RunCounts {
        checked: plan.checked,
        disabled_found: plan.disabled_found,
        deleted_found: plan.deleted_found,
        errors: plan.errors.len() as u32,
        ..RunCounts::default()
    };
    run.lines.extend(
        plan.errors
            .iter()
            .map(|(u, e)| line(u, LineOutcome::Error, None, e.clone())),
    );
    run.lines.extend(plan.enabled_again.iter().map(|u| {
        line(u, LineOutcome::EnabledAgain, None, "Enabled again in Entra; still deactivated here. Reactivate them if they should have access.".into())
    }));

    let tx = if run.dry_run {
        None
    } else {
        Some(store.write().map_err(|e| e.to_string())?)
    };
    if plan.held {
        run.result = RunResult::HeldForReview;
        run.review = (!run.dry_run).then_some(Review::Pending);
        run.lines.extend(plan.to_deactivate.iter().map(|(u, r)| {
            line(u, LineOutcome::Held, Some(*r), "Held: this run would deactivate more users than the mass-deactivation guard allows.".into())
        }));
    } else if let Some(tx) = &tx {
        deactivate_all(tx, run, &plan.to_deactivate).map_err(|e| e.to_string())?;
    } else {
        run.lines.extend(
            plan.to_deactivate
                .iter()
                .map(|(u, r)| line(u, LineOutcome::WouldDeactivate, Some(*r), String::new())),
        );
    }
    if run.result == RunResult::Running {
        run.result = if run.counts.errors > 0 {
            RunResult::CompletedWithErrors
        } else {
            RunResult::Succeeded
        };
    }
    run.ended_at = Some(timestamp::now());
    if let Some(tx) = tx {
        remember(&tx, &observed).map_err(|e| e.to_string())?;
        record::finish(&tx, run).map_err(|e| e.to_string())?;
        tx.commit().map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Deactivates within the run's transaction, re-reading each user so a change made since
/// the run began (a manual deactivation, say) is respected. The last Owner is skipped.
fn deactivate_all(
    conn: &Connection,
    run: &mut RunRecord,
    users: &[(User, DeactivationReason)],
) -> Result<(), StoreError> {
    let detail = format!("Sync run #{} ({})", run.id.unwrap_or_default(), run.trigger);
    for (user, reason) in users {
        let user = match directory::user_by_id(conn, user.id) {
            Ok(u) => u,
            Err(DirectoryError::Store(e)) => return Err(e),
            Err(_) => continue,
        };
        match directory::deactivate_in(conn, &Actor::EntraSync, &user, *reason, &detail) {
            Ok(()) => {
                run.counts.deactivated += 1;
                run.lines.push(line(
                    &user,
                    LineOutcome::Deactivated,
                    Some(*reason),
                    String::new(),
                ));
            }
            Err(DirectoryError::LastOwner(_)) => {
                run.counts.skipped += 1;
                run.lines.push(line(
                    &user,
                    LineOutcome::SkippedLastOwner,
                    Some(*reason),
                    "Not deactivated: the last active Owner can never be deactivated. Make another user an Owner.".into(),
                ));
            }
            Err(DirectoryError::AlreadyDeactivated(_)) => {}
            Err(DirectoryError::Store(e)) => return Err(e),
            Err(e) => {
                run.counts.errors += 1;
                run.lines.push(line(
                    &user,
                    LineOutcome::Error,
                    Some(*reason),
                    e.to_string(),
                ));
            }
        }
    }
    Ok(())
}

pub(crate) fn line(
    user: &User,
    outcome: LineOutcome,
    reason: Option<DeactivationReason>,
    detail: String,
) -> RunLine {
    RunLine {
        user_id: Some(user.id),
        email: user.email.clone(),
        entra_object_id: user.entra_object_id.clone(),
        outcome,
        reason,
        detail,
    }
}

fn known_states(conn: &Connection) -> Result<HashMap<String, AccountState>, StoreError> {
    let mut stmt = conn.prepare("SELECT object_id, state FROM entra_accounts")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut known = HashMap::new();
    for row in rows {
        let (oid, state) = row?;
        if let Some(state) = AccountState::parse(&state) {
            known.insert(oid, state);
        }
    }
    Ok(known)
}

/// The last state Entra reported for an account, if any run has seen it.
pub fn known_state(store: &Store, object_id: &str) -> Result<Option<AccountState>, StoreError> {
    let state: Option<String> = store
        .conn()
        .query_row(
            "SELECT state FROM entra_accounts WHERE object_id = ?1",
            [object_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(state.as_deref().and_then(AccountState::parse))
}

fn saved_delta_link(conn: &Connection) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row("SELECT delta_link FROM entra_delta WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Saves what this run learned, in its transaction: a crash before commit leaves the old
/// link, so the next run sees the same changes again.
fn remember(conn: &Connection, observed: &observe::Observation) -> Result<(), StoreError> {
    let now = timestamp::now();
    if observed.full_read {
        conn.execute("DELETE FROM entra_accounts", [])?;
    }
    let mut upsert = conn.prepare_cached(
        "INSERT INTO entra_accounts (object_id, state, observed_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (object_id) DO UPDATE SET state = excluded.state, observed_at = excluded.observed_at",
    )?;
    let mut forget = conn.prepare_cached("DELETE FROM entra_accounts WHERE object_id = ?1")?;
    for (oid, state) in &observed.states {
        match state {
            Ok(state) => upsert.execute(rusqlite::params![oid, state.as_str(), now])?,
            // In doubt now: an older state must not stand in for it; the next run reads it.
            Err(_) => forget.execute([oid])?,
        };
    }
    conn.execute(
        "INSERT INTO entra_delta (id, delta_link, updated_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET delta_link = excluded.delta_link, updated_at = excluded.updated_at",
        rusqlite::params![observed.delta_link, now],
    )?;
    Ok(())
}
