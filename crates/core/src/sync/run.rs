//! Running a sync: who may, one at a time, within its deadline, and always ending in a
//! record — a failed run included.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;

use super::apply::{check_and_apply, Expected};
use super::person::check_one;
use super::record::{self, RunRecord};
use super::{acquire, authorize, frequent, RunFailure, RunResult, SyncError, SyncRequest, Trigger};
use crate::access::Actor;
use crate::directory::{self, DeactivationReason, User};
use crate::entra;
use crate::graph::{ClientOptions, GraphClient};
use crate::store::{Store, StoreError};
use crate::timestamp;

/// Runs one sync. Refusals (role, plan, connection, a run already going) are errors; a run
/// that starts always ends in a record, a failed one included, and that record is returned.
/// A failed run deactivated nobody: its changes are committed together or not at all.
pub async fn run_sync(
    store: &mut Store,
    by: &Actor,
    request: SyncRequest,
) -> Result<RunRecord, SyncError> {
    authorize(store, by, request.trigger)?;
    run(store, by, request, None).await
}

/// "Check now" on one Microsoft-linked person (see `person`): a run of its own, ended by a
/// record as any run.
pub async fn check_person(
    store: &mut Store,
    by: &Actor,
    user_id: i64,
) -> Result<RunRecord, SyncError> {
    authorize(store, by, Trigger::Person)?;
    let user = directory::user_by_id(store.conn(), user_id)?;
    if !user.entra_linked() {
        return Err(SyncError::NotLinked(user.email));
    }
    let request = SyncRequest {
        trigger: Trigger::Person,
        dry_run: false,
        deadline: None,
    };
    run(store, by, request, Some(user)).await
}

/// A run over every linked user, or over `person` alone.
async fn run(
    store: &mut Store,
    by: &Actor,
    request: SyncRequest,
    person: Option<User>,
) -> Result<RunRecord, SyncError> {
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
        match person {
            Some(user) => check_one(store, graph, &run, &expected, user).await,
            None => check_and_apply(store, graph, &run, &expected).await,
        }
    };
    match guarded(deadline, work).await {
        Ok(mut finished) => {
            if let Some(graph) = client.get().filter(|_| !finished.dry_run) {
                end_sessions(store, graph, &mut finished).await;
                note_managers(store, graph, &finished).await;
            }
            Ok(finished)
        }
        Err(failure) => {
            let sent = client.get().map_or(0, GraphClient::requests_sent);
            fail(store, run, &failure, sent)
        }
    }
}

/// Reads the managers of the people the run deactivated because Entra disabled them, for
/// the reminders about their assets (R-D10); bounded like ending sessions, and never the
/// run's failure.
async fn note_managers(store: &mut Store, graph: &GraphClient, run: &RunRecord) {
    let leavers: Vec<(i64, String)> = run
        .lines
        .iter()
        .filter(|l| l.outcome == super::LineOutcome::Deactivated)
        .filter(|l| l.reason == Some(DeactivationReason::DisabledInEntra))
        .filter_map(|l| Some((l.user_id?, l.entra_object_id.clone()?)))
        .collect();
    if leavers.is_empty() {
        return;
    }
    let work = entra::note_leavers_managers(store, graph, &leavers);
    let _ = tokio::time::timeout(END_SESSIONS_DEADLINE, work).await;
}

/// With ending sessions on, ends the Microsoft sessions of the run's leavers (and of earlier
/// ones still due), after the run's changes are saved: it never undoes or fails the run.
/// Whatever is not done in time, or not saved, is done at the next run.
async fn end_sessions(store: &mut Store, graph: &GraphClient, run: &mut RunRecord) {
    let work = entra::end_sessions_catch_up(store, graph, &Actor::EntraSync);
    let Ok(Ok(ended)) = tokio::time::timeout(END_SESSIONS_DEADLINE, work).await else {
        return;
    };
    for (user_id, end) in ended {
        let line = run
            .lines
            .iter_mut()
            .find(|l| l.user_id == Some(user_id) && l.outcome == super::LineOutcome::Deactivated);
        if let Some(line) = line {
            line.sessions = Some(end.outcome);
            line.sessions_at = Some(end.at);
        }
    }
}

/// How long a run may spend ending sessions after its changes are saved.
const END_SESSIONS_DEADLINE: Duration = Duration::from_secs(120);

/// Runs `work` to its end, its deadline, or a panic; the last two become failures, so a
/// run always ends in a record and never leaves a caller waiting on a dead task.
pub(super) async fn guarded<T>(
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

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an unexpected fault".to_owned())
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
        let slow = guarded::<()>(Duration::from_millis(20), std::future::pending()).await;
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
