//! The deprovision sync (R-S1…R-S9): ask Entra about every Microsoft-linked user and
//! deactivate those it has disabled or deleted — never deleting anything, never touching
//! password or Google users, never acting on doubt, all of a run's changes in one
//! transaction, one run at a time.

mod decide;
mod frequent;
mod lock;
mod observe;
mod quiet;
mod record;
mod review;
mod seen;
mod wording;

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;
use rusqlite::{Connection, OptionalExtension};

use crate::access::{AccessError, Actor};
use crate::directory::{self, DeactivationReason, DirectoryError, User, UserStatus};
use crate::entra::{self, EntraError};
use crate::graph::{AccountState, ClientOptions, GraphClient, GraphError, DELTA_FIELDS};
use crate::organization::{self, OrganizationError};
use crate::store::{Store, StoreError};
use crate::text_enum::text_enum;
use crate::timestamp;

pub use frequent::{state as frequent_check_state, CheckState};
pub use lock::LOCK_FILE;
pub use record::{
    get as run, list as runs, pending_reviews, Review, RunCounts, RunLine, RunRecord,
};
pub use review::{apply_held, dismiss_held};
pub use wording::{headline, notification};

text_enum! {
    /// What started a run.
    Trigger, "trigger", "scheduled, catch-up, manual, tray, cli or interval" {
        Scheduled => "scheduled",
        CatchUp => "catch-up",
        Manual => "manual",
        Tray => "tray",
        Cli => "cli",
        /// A frequent check between the nightly runs (issue 15): stored only when it acts
        /// or fails.
        Interval => "interval",
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
    fn automatic(self) -> bool {
        matches!(
            self,
            Trigger::Scheduled | Trigger::CatchUp | Trigger::Interval
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncRequest {
    pub trigger: Trigger,
    /// Preview only (R-S9): nothing is changed or stored.
    pub dry_run: bool,
    /// Overrides the organization's run deadline (Entra settings), for this run only.
    pub deadline: Option<Duration>,
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
    /// A held run could not be applied now; it stays held.
    #[error(transparent)]
    Failed(#[from] RunFailure),
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
            SyncError::Failed(e) => e.code(),
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

/// Who may start a run of this kind (R-D5, R-D6, R-S8). The app asks before a request
/// joins a run already going, so nobody joins a run they could not have started.
pub fn authorize(store: &Store, by: &Actor, trigger: Trigger) -> Result<(), SyncError> {
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
/// A failed run deactivated nobody: its changes are committed together or not at all.
pub async fn run_sync(
    store: &mut Store,
    by: &Actor,
    request: SyncRequest,
) -> Result<RunRecord, SyncError> {
    authorize(store, by, request.trigger)?;
    let _lock = acquire(store)?;
    record::close_interrupted(store.conn())?;
    let started_at = timestamp::now();
    // A frequent check is stored only once it knows it acts or fails (`check_and_apply`).
    let id = if request.dry_run || request.trigger == Trigger::Interval {
        None
    } else {
        Some(record::start(
            store.conn(),
            request.trigger,
            &by.label(),
            &started_at,
        )?)
    };
    let run = RunRecord::started(id, request.trigger, request.dry_run, started_at, by);
    let settings = entra::settings(store)?;
    let options = ClientOptions {
        low_priority: request.trigger.automatic(),
        ..ClientOptions::default()
    };
    let (connection, keychain) = match entra::saved(store) {
        Ok(saved) => saved,
        Err(e) => return fail(store, run, &RunFailure::Entra(e), 0),
    };
    let expected = Expected {
        connection: settings.connection.clone(),
        automatic: request.trigger.automatic(),
    };
    let deadline = request.deadline.unwrap_or(Duration::from_secs(
        u64::from(settings.run_deadline_minutes) * 60,
    ));
    // The client is made inside the deadline too: reading the secret can hang on a
    // keychain that waits for someone to unlock it.
    let client = std::sync::OnceLock::new();
    let work = async {
        let made = entra::client_for(connection, keychain, options).await?;
        let graph = client.get_or_init(|| made);
        check_and_apply(store, graph, &run, &expected).await
    };
    match guarded(deadline, work).await {
        Ok(finished) => Ok(finished),
        Err(failure) => {
            let sent = client.get().map_or(0, GraphClient::requests_sent);
            fail(store, run, &failure, sent)
        }
    }
}

/// Why a run that had started ended without changing anything.
#[derive(Debug, thiserror::Error)]
pub enum RunFailure {
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error(transparent)]
    Entra(#[from] EntraError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("The Microsoft Entra ID connection changed while this run was going (disconnected or connected again). Nobody was deactivated.")]
    ConnectionChanged,
    #[error("Auto-deprovisioning was turned off while this automatic run was going. Nobody was deactivated.")]
    TurnedOff,
    #[error("The run did not finish within {}. Nobody was deactivated; the next run starts again.", minutes(*.0))]
    DeadlinePassed(Duration),
    #[error("The connection now answers for a different tenant ({found}) than the one it was connected to ({connected}). Nobody was deactivated. Connect again in Settings → Integrations → Microsoft Entra ID, then match the users again.")]
    TenantChanged { connected: String, found: String },
    #[error("UniAsset hit an internal error during the run ({0}). Nobody was deactivated; the next run starts again.")]
    Internal(String),
}

impl crate::ErrorCode for RunFailure {
    fn code(&self) -> &'static str {
        match self {
            RunFailure::Graph(e) => e.code(),
            RunFailure::Entra(e) => e.code(),
            RunFailure::Store(e) => e.code(),
            RunFailure::ConnectionChanged => "connection_changed",
            RunFailure::TurnedOff => "auto_deprovision_off",
            RunFailure::DeadlinePassed(_) => "run_deadline",
            RunFailure::TenantChanged { .. } => "tenant_changed",
            RunFailure::Internal(_) => "internal_error",
        }
    }
}

impl From<rusqlite::Error> for RunFailure {
    fn from(e: rusqlite::Error) -> Self {
        RunFailure::Store(e.into())
    }
}

/// Runs `work` to its end, its deadline, or a panic; the last two become failures, so a
/// run always ends in a record and never leaves a caller waiting on a dead task.
async fn guarded<T>(
    deadline: Duration,
    work: impl std::future::Future<Output = Result<T, RunFailure>>,
) -> Result<T, RunFailure> {
    match AssertUnwindSafe(tokio::time::timeout(deadline, work))
        .catch_unwind()
        .await
    {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(_elapsed)) => Err(RunFailure::DeadlinePassed(deadline)),
        Err(panic) => Err(RunFailure::Internal(panic_message(&*panic))),
    }
}

fn minutes(d: Duration) -> String {
    match d.as_secs() {
        1 => "1 second".to_owned(),
        s if s < 120 => format!("{s} seconds"),
        s => format!("{} minutes", s / 60),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an unexpected fault".to_owned())
}

/// What must still hold when the run writes: the connection it started with and, for an
/// automatic run, the toggle. Another window, the tray or `uniasset entra disconnect` may
/// have changed either while the run waited on Microsoft.
struct Expected {
    connection: Option<entra::Connection>,
    automatic: bool,
}

impl Expected {
    fn still_holds(&self, conn: &Connection) -> Result<(), RunFailure> {
        if entra::connection_in(conn)? != self.connection {
            return Err(RunFailure::ConnectionChanged);
        }
        if self.automatic && !entra::auto_deprovision_in(conn)? {
            return Err(RunFailure::TurnedOff);
        }
        Ok(())
    }
}

/// Closes the records of runs that stopped without finishing (a crash). While another run
/// holds the lock nothing is closed: a "running" record may be that run's own.
pub fn close_interrupted(store: &Store) -> Result<(), SyncError> {
    match acquire(store) {
        Ok(_lock) => Ok(record::close_interrupted(store.conn())?),
        Err(SyncError::AlreadyRunning) => Ok(()),
        Err(e) => Err(e),
    }
}

pub(crate) fn acquire(store: &Store) -> Result<lock::SyncLock, SyncError> {
    lock::SyncLock::acquire(store.data_dir()).map_err(|e| match e {
        lock::LockError::Busy => SyncError::AlreadyRunning,
        lock::LockError::Io(e) => SyncError::Lock(e.to_string()),
    })
}

/// Records a run that changed nothing: no lines, no deactivations, the reason in plain words.
fn fail(
    store: &mut Store,
    mut run: RunRecord,
    failure: &RunFailure,
    graph_requests: u64,
) -> Result<RunRecord, SyncError> {
    run.result = RunResult::Failed;
    run.error = Some(failure.to_string());
    run.graph_requests = graph_requests;
    run.ended_at = Some(timestamp::now());
    if !run.dry_run {
        let tx = store.write()?;
        record::start_late(&tx, &mut run)?;
        record::finish(&tx, &mut run)?;
        frequent::note(&tx, &run, false)?;
        tx.commit().map_err(StoreError::from)?;
    }
    Ok(run.worded())
}

/// Reads, asks Microsoft, decides, then (unless a dry run) writes everything in one
/// transaction. The record is filled in only once that transaction has committed, so an
/// `Err` is a run that changed nothing and claims nothing.
async fn check_and_apply(
    store: &mut Store,
    graph: &GraphClient,
    started: &RunRecord,
    expected: &Expected,
) -> Result<RunRecord, RunFailure> {
    let tenant_id = answering_tenant(graph, expected).await?;
    let new_since = entra::people::new_since(store.conn())?;
    let delta = match saved_delta_link(store.conn())? {
        Some(link) => observe::read_delta(graph, &link).await?,
        None => None,
    };
    if let Some(read) = delta
        .as_ref()
        .filter(|_| started.trigger == Trigger::Interval)
    {
        if let Some(states) = quiet::nothing_new(store.conn(), read, new_since)? {
            return note_quiet(store, graph, started, expected, read, states);
        }
    }
    let linked = directory::microsoft_linked(store.conn())?;
    let known = entra::known_states(store.conn())?;
    let guard = entra::settings(store)?.guard;
    let missing_before = missing_accounts(store.conn())?;
    let mut missing_now = Vec::new();
    let connected_tenant = expected
        .connection
        .as_ref()
        .and_then(|c| c.tenant_id.clone());
    let (tracked, elsewhere) = decide::split_by_tenant(linked, &tenant_id);
    let oids: Vec<String> = tracked
        .iter()
        .filter_map(|u| u.entra_object_id.clone())
        .collect();

    let mut observed = observe::observe(graph, &oids, &known, delta, new_since).await?;
    let mut current: HashMap<String, Result<AccountState, GraphError>> =
        known.iter().map(|(k, v)| (k.clone(), Ok(*v))).collect();
    if observed.full_read {
        current.clear();
    }
    current.extend(observed.states.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut plan = decide::decide(&tracked, &current, guard);
    if plan.hold.is_none() {
        // "Not found" once is not proof: only Entra's deleted items confirm a deletion.
        let unconfirmed: Vec<String> = plan
            .to_deactivate
            .iter()
            .filter(|(_, r)| *r == DeactivationReason::DeletedFromEntra)
            .filter_map(|(u, _)| u.entra_object_id.clone())
            .collect();
        if !unconfirmed.is_empty() {
            let confirmed = observe::confirm_deleted(graph, &unconfirmed, &missing_before).await;
            for (oid, state) in confirmed.states {
                current.insert(oid.clone(), state.clone());
                observed.states.insert(oid, state);
            }
            missing_now = confirmed.missing;
            plan = decide::decide(&tracked, &current, guard);
        }
    }

    let seen_at = timestamp::now();
    let (sightings, enabled) = sightings(store.conn(), &plan, &current)?;

    let mut run = started.clone();
    run.graph_requests = graph.requests_sent();
    run.counts = RunCounts {
        checked: plan.checked,
        disabled_found: plan.disabled_found,
        deleted_found: plan.deleted_found,
        errors: plan.errors.len() as u32,
        skipped: plan.protected.len() as u32,
        ..RunCounts::default()
    };
    for user in elsewhere.iter().filter(|u| u.status == UserStatus::Active) {
        run.counts.skipped += 1;
        run.lines.push(line(
            user,
            LineOutcome::OtherTenant,
            None,
            OTHER_TENANT.into(),
        ));
    }
    run.lines.extend(
        plan.errors
            .iter()
            .map(|(u, e)| line(u, LineOutcome::Error, None, e.clone())),
    );
    run.lines.extend(plan.enabled_again.iter().map(|u| {
        line(u, LineOutcome::EnabledAgain, None, "Enabled again in Entra; still deactivated here. Reactivate them if they should have access.".into())
    }));
    run.lines.extend(
        plan.protected
            .iter()
            .map(|(u, r)| line(u, LineOutcome::SkippedProtected, Some(*r), PROTECTED.into())),
    );
    if let Some(hold) = plan.hold {
        run.result = RunResult::HeldForReview;
        run.review = (!run.dry_run).then_some(Review::Pending);
        run.lines.extend(
            plan.to_deactivate
                .iter()
                .map(|(u, r)| line(u, LineOutcome::Held, Some(*r), hold.explain().into())),
        );
    } else if run.dry_run {
        run.lines.extend(
            plan.to_deactivate
                .iter()
                .map(|(u, r)| line(u, LineOutcome::WouldDeactivate, Some(*r), String::new())),
        );
    }
    let new_accounts = std::mem::take(&mut observed.new_accounts);
    if run.dry_run {
        // A preview changes nothing, but what it saw in Entra it saw: the evidence counts it.
        let tx = store.write()?;
        seen::note(&tx, &sightings, &enabled, &seen_at, None)?;
        tx.commit().map_err(StoreError::from)?;
        would_add(store.conn(), &mut run, new_accounts)?;
        run.result = settle(&run);
        run.ended_at = Some(timestamp::now());
        return Ok(run.worded());
    }

    // A frequent check is news only if Entra changed or it acts: the same hold, the same
    // last Owner or the same unreadable account again would fill the history every few
    // minutes (the nightly run still reports them). It is stored once it may act.
    let maybe_quiet = run.trigger == Trigger::Interval
        && nothing_moved(&observed, &known)
        && new_accounts.is_empty();
    let tx = store.write()?;
    expected.still_holds(&tx)?;
    if connected_tenant.is_none() {
        entra::adopt_unassigned_links(&tx, &Actor::EntraSync, &tenant_id)?;
    }
    // A frequent check's run, taken back below if it turns out to have nothing to say.
    record::start_late(&tx, &mut run)?;
    let run_seen = run.id.filter(|_| !maybe_quiet);
    seen::note(&tx, &sightings, &enabled, &seen_at, run_seen)?;
    if plan.hold.is_none() {
        deactivate_all(&tx, &mut run, &plan.to_deactivate)?;
    }
    remember(&tx, &observed, &missing_now)?;
    // Turned off while the run waited on Microsoft: nobody is added.
    if entra::people::new_since(&tx)?.is_some() {
        add_new(&tx, &mut run, &tenant_id, new_accounts)?;
    }
    if maybe_quiet && run.counts.deactivated == 0 {
        if let Some(id) = run.id.take() {
            record::discard(&tx, id)?;
        }
    }
    run.result = settle(&run);
    run.ended_at = Some(timestamp::now());
    if run.id.is_some() {
        record::finish(&tx, &mut run)?;
    }
    frequent::note(&tx, &run, graph.throttled_replies() > 0)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(run.worded())
}

/// A frequent check that found nothing new from the changes alone: it keeps where the next
/// read starts and what it read, and notes the check; no run is stored.
fn note_quiet(
    store: &mut Store,
    graph: &GraphClient,
    started: &RunRecord,
    expected: &Expected,
    read: &observe::DeltaRead,
    states: Vec<(String, AccountState)>,
) -> Result<RunRecord, RunFailure> {
    let observed = observe::Observation {
        states: states.into_iter().map(|(oid, s)| (oid, Ok(s))).collect(),
        delta_link: read.next.clone(),
        full_read: false,
        new_accounts: Vec::new(),
    };
    let mut run = started.clone();
    run.graph_requests = graph.requests_sent();
    run.result = RunResult::Succeeded;
    run.ended_at = Some(timestamp::now());
    let tx = store.write()?;
    expected.still_holds(&tx)?;
    remember(&tx, &observed, &[])?;
    frequent::note(&tx, &run, graph.throttled_replies() > 0)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(run.worded())
}

/// Whether a run found no account whose state moved since the last reading (a first
/// reading of an enabled account is not news; an unreadable one is not either). A full read
/// (the saved link expired) is always news.
fn nothing_moved(observed: &observe::Observation, known: &HashMap<String, AccountState>) -> bool {
    let moved = observed.states.iter().any(|(oid, state)| match state {
        Ok(state) => quiet::moved(known.get(oid).copied(), *state),
        Err(_) => false,
    });
    !observed.full_read && !moved
}

/// Users read as disabled or deleted (with which), and users read as enabled again.
type Sightings = (Vec<(i64, DeactivationReason)>, Vec<i64>);

/// Who a run read as disabled or deleted while active (reported or held, protected or
/// not), and which of the users with a sighting kept it read as enabled: what `seen::note`
/// keeps for the evidence.
fn sightings(
    conn: &Connection,
    plan: &decide::Decision,
    current: &HashMap<String, Result<AccountState, GraphError>>,
) -> Result<Sightings, StoreError> {
    let changed = plan
        .to_deactivate
        .iter()
        .chain(&plan.protected)
        .map(|(u, r)| (u.id, *r))
        .collect();
    let enabled = seen::watched(conn)?
        .into_iter()
        .filter(|(_, oid)| matches!(current.get(oid), Some(Ok(AccountState::Enabled))))
        .map(|(id, _)| id)
        .collect();
    Ok((changed, enabled))
}

/// Which tenant answers now, from the token the run uses anyway: a connection that now
/// answers for another tenant than the connected one would read every linked account as
/// deleted, so that is a failure, not a reading.
async fn answering_tenant(graph: &GraphClient, expected: &Expected) -> Result<String, RunFailure> {
    let tenant_id = graph.tenant_id().await?;
    let connected = expected
        .connection
        .as_ref()
        .and_then(|c| c.tenant_id.as_deref());
    match connected {
        Some(connected) if !connected.eq_ignore_ascii_case(&tenant_id) => {
            Err(RunFailure::TenantChanged {
                connected: connected.to_owned(),
                found: tenant_id,
            })
        }
        _ => Ok(tenant_id),
    }
}

const PROTECTED: &str = "Not deactivated: marked \"never deactivate automatically\". Deactivate them by hand if they have left.";

const OTHER_TENANT: &str = "Not checked: this user was linked in another Entra tenant than the one connected now. Match the users again (Match Microsoft accounts) to link them in this tenant.";

/// A run still "running" once its lines are in ends as held, with errors, or succeeded.
fn settle(run: &RunRecord) -> RunResult {
    match run.result {
        RunResult::Running if run.counts.errors > 0 => RunResult::CompletedWithErrors,
        RunResult::Running => RunResult::Succeeded,
        other => other,
    }
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
        if user.protected {
            run.counts.skipped += 1;
            run.lines.push(line(
                &user,
                LineOutcome::SkippedProtected,
                Some(*reason),
                PROTECTED.into(),
            ));
            continue;
        }
        match directory::deactivate_in(conn, &Actor::EntraSync, &user, *reason, &detail) {
            Ok(()) => {
                run.counts.deactivated += 1;
                let tags = tags_held(conn, user.id)?;
                let mut deactivated = line(
                    &user,
                    LineOutcome::Deactivated,
                    Some(*reason),
                    wording::to_recover(&user.display_name, &tags),
                );
                deactivated.detected_at = seen::take(conn, user.id)?;
                deactivated.assets_to_recover = tags.len() as u32;
                run.lines.push(deactivated);
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

/// The tags of the assets assigned to a user, which deactivation leaves with them (R-D3).
fn tags_held(conn: &Connection, user_id: i64) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT tag FROM assets WHERE assigned_to = ?1 ORDER BY tag COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([user_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Adds (or links by address) the new accounts a run found, as Members, in its transaction.
/// Someone left as is (a password user with that address, say) gets no line: the "Add
/// people" list shows them with the reason.
fn add_new(
    conn: &Connection,
    run: &mut RunRecord,
    tenant_id: &str,
    accounts: Vec<crate::graph::EntraAccount>,
) -> Result<(), StoreError> {
    let context = format!("sync run #{} ({})", run.id.unwrap_or_default(), run.trigger);
    let cleaned: HashSet<String> = accounts
        .iter()
        .filter(|a| entra::people::had_controls(a))
        .map(|a| a.object_id.to_lowercase())
        .collect();
    let detail = |user: &User, said: &str| {
        let oid = user.entra_object_id.as_deref().unwrap_or_default();
        if cleaned.contains(&oid.to_lowercase()) {
            format!("{said} {CLEANED}")
        } else {
            said.to_owned()
        }
    };
    let report = entra::people::apply_in(
        conn,
        &Actor::EntraSync,
        tenant_id,
        accounts,
        directory::Role::Member,
        Some(&context),
    )?;
    for user in &report.added {
        run.counts.added += 1;
        run.lines
            .push(line(user, LineOutcome::Added, None, detail(user, ADDED)));
    }
    for user in &report.linked {
        run.counts.linked += 1;
        run.lines
            .push(line(user, LineOutcome::Linked, None, detail(user, LINKED)));
    }
    Ok(())
}

/// A dry run's lines for the new accounts it would add or link.
fn would_add(
    conn: &Connection,
    run: &mut RunRecord,
    accounts: Vec<crate::graph::EntraAccount>,
) -> Result<(), StoreError> {
    use entra::people::Plan;
    for planned in entra::people::plan_in(conn, accounts, directory::Role::Member)? {
        let (outcome, user_id, said) = match &planned.plan {
            Plan::Add(_) => (LineOutcome::WouldAdd, None, ADDED),
            Plan::Link(user) => (LineOutcome::WouldLink, Some(user.id), LINKED),
            Plan::LeftAlone(_) => continue,
        };
        let detail = if entra::people::had_controls(&planned.account) {
            format!("{said} {CLEANED}")
        } else {
            said.to_owned()
        };
        run.lines.push(RunLine {
            user_id,
            email: planned.email,
            entra_object_id: Some(planned.account.object_id),
            outcome,
            reason: None,
            detail,
            display_name: None,
            detected_at: None,
            assets_to_recover: 0,
        });
    }
    Ok(())
}

const ADDED: &str =
    "New in Microsoft Entra ID: added as a Member (\"Add new Entra users automatically\" is on).";

/// R-X3: said on the line of a person whose name or address came with control characters.
const CLEANED: &str = "Microsoft Entra ID sent their name or address with control characters; UniAsset replaced them with spaces.";

const LINKED: &str = "New in Microsoft Entra ID with the address of this Microsoft sign-in user, who had no Entra link: linked to it.";

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
        display_name: Some(user.display_name.clone()),
        detected_at: None,
        assets_to_recover: 0,
    }
}

/// How long an account must have been missing (not in Entra, not among its deleted items)
/// before a run takes it as deleted for good: replication glitches do not last this long.
pub const MISSING_FOR: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// Remembers accounts first found missing now; one already missing keeps its first time.
fn note_missing(conn: &Connection, missing: &[String]) -> Result<(), StoreError> {
    let mut lost = conn.prepare_cached(
        "INSERT INTO entra_missing (object_id, first_missing_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )?;
    let now = timestamp::now();
    for oid in missing {
        lost.execute(rusqlite::params![oid, now])?;
    }
    Ok(())
}

/// Accounts an earlier run found neither in Entra nor among its deleted items, at least
/// `MISSING_FOR` ago (lowercase).
fn missing_accounts(conn: &Connection) -> Result<std::collections::HashSet<String>, StoreError> {
    let since = timestamp::at(crate::clock::now() - MISSING_FOR);
    let mut stmt =
        conn.prepare("SELECT lower(object_id) FROM entra_missing WHERE first_missing_at <= ?1")?;
    let rows = stmt.query_map([since], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The saved delta link, unless it was made with another `$select` than this version reads
/// (Graph fixes the selection into the link): then the run reads the tenant in full and
/// starts a new link.
fn saved_delta_link(conn: &Connection) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT delta_link FROM entra_delta WHERE id = 1 AND fields = ?1",
            [DELTA_FIELDS],
            |r| r.get(0),
        )
        .optional()?)
}

/// Saves what this run learned, in its transaction: a crash before commit leaves the old
/// link, so the next run sees the same changes again.
fn remember(
    conn: &Connection,
    observed: &observe::Observation,
    missing: &[String],
) -> Result<(), StoreError> {
    let now = timestamp::now();
    let mut found = conn.prepare_cached("DELETE FROM entra_missing WHERE object_id = ?1")?;
    for (oid, _) in observed.states.iter().filter(|(_, s)| s.is_ok()) {
        found.execute([oid])?;
    }
    note_missing(conn, missing)?;
    if observed.full_read {
        conn.execute("DELETE FROM entra_accounts", [])?;
    }
    let mut upsert = conn.prepare_cached(
        "INSERT INTO entra_accounts (object_id, state, observed_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (object_id) DO UPDATE SET state = excluded.state, observed_at = excluded.observed_at",
    )?;
    let mut forget = conn.prepare_cached("DELETE FROM entra_accounts WHERE object_id = ?1")?;
    let mut read = conn.prepare_cached("DELETE FROM entra_unread WHERE object_id = ?1")?;
    let mut unread =
        conn.prepare_cached("INSERT OR IGNORE INTO entra_unread (object_id) VALUES (?1)")?;
    for (oid, state) in &observed.states {
        match state {
            Ok(state) => {
                upsert.execute(rusqlite::params![oid, state.as_str(), now])?;
                read.execute([oid])?;
            }
            // In doubt now: an older state must not stand in for it; the next run reads it.
            Err(_) => {
                forget.execute([oid])?;
                unread.execute([oid])?;
            }
        };
    }
    conn.execute(
        "INSERT INTO entra_delta (id, delta_link, updated_at, fields) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET delta_link = excluded.delta_link, updated_at = excluded.updated_at,
             fields = excluded.fields",
        rusqlite::params![observed.delta_link, now, DELTA_FIELDS],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_or_a_deadline_becomes_a_failure() {
        let panics = guarded::<()>(Duration::from_secs(5), async { panic!("boom") }).await;
        assert!(
            matches!(&panics, Err(RunFailure::Internal(m)) if m == "boom"),
            "{panics:?}"
        );
        let slow = guarded::<()>(Duration::from_millis(20), async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(())
        })
        .await;
        let err = slow.unwrap_err();
        assert!(matches!(err, RunFailure::DeadlinePassed(_)));
        assert!(err.to_string().contains("Nobody was deactivated"), "{err}");
        assert_eq!(
            guarded(Duration::from_secs(5), async { Ok(7) })
                .await
                .unwrap(),
            7
        );
    }
}
