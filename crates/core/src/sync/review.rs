//! Held runs (R-S4): an Owner or Admin applies them — after Entra is asked again about
//! every held user — or dismisses them.

use super::record::{self, Review, RunCounts, RunRecord};
use super::{acquire, authorize, line, LineOutcome, RunResult, SyncError, SyncRequest};
use crate::access::Actor;
use crate::audit;
use crate::directory::{self, DeactivationReason, UserStatus};
use crate::entra;
use crate::graph::{AccountState, ClientOptions};
use crate::store::{Store, StoreError};
use crate::timestamp;

fn held(store: &Store, run_id: i64) -> Result<RunRecord, SyncError> {
    let run = record::get(store, run_id)?.ok_or(SyncError::NoSuchHeldRun(run_id))?;
    match run.review {
        Some(Review::Pending) => Ok(run),
        Some(done) => Err(SyncError::AlreadyReviewed(done)),
        None => Err(SyncError::NoSuchHeldRun(run_id)),
    }
}

/// Re-verifies each held user live and deactivates those Entra still reports disabled or
/// deleted, as a new run that names the held one.
pub async fn apply_held(
    store: &mut Store,
    by: &Actor,
    run_id: i64,
    trigger: super::Trigger,
) -> Result<RunRecord, SyncError> {
    authorize(
        store,
        by,
        SyncRequest {
            trigger,
            dry_run: false,
        }
        .trigger,
    )?;
    let _lock = acquire(store)?;
    let held_run = held(store, run_id)?;
    let graph = entra::client(store, ClientOptions::default())?;
    let oids: Vec<String> = held_run
        .lines
        .iter()
        .filter_map(|l| l.entra_object_id.clone())
        .collect();
    let live = graph.accounts(&oids).await;

    let started_at = timestamp::now();
    let tx = store.write()?;
    let id = record::start(&tx, trigger, &by.label(), &started_at)?;
    let mut run = RunRecord {
        id: Some(id),
        trigger,
        dry_run: false,
        started_at,
        ended_at: None,
        result: RunResult::Running,
        counts: RunCounts::default(),
        lines: Vec::new(),
        error: None,
        graph_requests: graph.requests_sent(),
        started_by: by.label(),
        review: None,
        applies_run_id: Some(run_id),
    };
    let mut to_deactivate = Vec::new();
    for held_line in held_run
        .lines
        .iter()
        .filter(|l| l.outcome == LineOutcome::Held)
    {
        let (Some(user_id), Some(oid)) = (held_line.user_id, held_line.entra_object_id.as_deref())
        else {
            continue;
        };
        let user = match directory::user_by_id(&tx, user_id) {
            Ok(u)
                if u.status == UserStatus::Active && u.entra_object_id.as_deref() == Some(oid) =>
            {
                u
            }
            Ok(_) => continue,
            Err(directory::DirectoryError::Store(e)) => return Err(e.into()),
            Err(_) => continue,
        };
        run.counts.checked += 1;
        match live.get(oid) {
            Some(Ok(AccountState::Disabled)) => {
                run.counts.disabled_found += 1;
                to_deactivate.push((user, DeactivationReason::DisabledInEntra));
            }
            Some(Ok(AccountState::Deleted)) => {
                run.counts.deleted_found += 1;
                to_deactivate.push((user, DeactivationReason::DeletedFromEntra));
            }
            Some(Ok(AccountState::Enabled)) => {}
            Some(Err(e)) => {
                run.counts.errors += 1;
                run.lines
                    .push(line(&user, LineOutcome::Error, None, e.to_string()));
            }
            None => {
                run.counts.errors += 1;
                run.lines.push(line(
                    &user,
                    LineOutcome::Error,
                    None,
                    "Entra ID gave no status for this account.".into(),
                ));
            }
        }
    }
    super::deactivate_all(&tx, &mut run, &to_deactivate)?;
    run.result = if run.counts.errors > 0 {
        RunResult::CompletedWithErrors
    } else {
        RunResult::Succeeded
    };
    run.ended_at = Some(timestamp::now());
    record::finish(&tx, &run)?;
    mark_reviewed(&tx, by, run_id, Review::Applied)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(run)
}

/// Deactivates nobody from this held run; the next run checks again from scratch.
pub fn dismiss_held(store: &mut Store, by: &Actor, run_id: i64) -> Result<(), SyncError> {
    by.require_admin("dismiss a held run")?;
    held(store, run_id)?;
    let tx = store.write()?;
    mark_reviewed(&tx, by, run_id, Review::Dismissed)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(())
}

fn mark_reviewed(
    conn: &rusqlite::Connection,
    by: &Actor,
    run_id: i64,
    review: Review,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE sync_runs SET review = ?2, reviewed_by = ?3, reviewed_at = ?4 WHERE id = ?1",
        rusqlite::params![run_id, review, by.label(), timestamp::now()],
    )?;
    audit::record(
        conn,
        by,
        audit::Entry::organization(if review == Review::Applied {
            "sync.held_run_applied"
        } else {
            "sync.held_run_dismissed"
        })
        .detail(format!("Held run #{run_id}")),
    )?;
    Ok(())
}
