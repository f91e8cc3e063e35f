//! Held runs (R-S4): an Owner or Admin applies them — after Entra is asked again about
//! every held user — or dismisses them.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use super::apply::{answering_tenant, deactivate_all, line, Expected, OTHER_TENANT};
use super::memory::{missing_accounts, note_missing};
use super::record::{self, Review, RunRecord};
use super::run::guarded;
use super::{acquire, authorize, observe, seen, LineOutcome, RunFailure, RunResult, SyncError};
use crate::access::Actor;
use crate::audit;
use crate::directory::{self, DeactivationReason, UserStatus};
use crate::entra;
use crate::graph::{AccountState, ClientOptions, GraphClient, GraphError};
use crate::store::{Store, StoreError};
use crate::timestamp;
use rusqlite::OptionalExtension;

fn held(store: &Store, run_id: i64) -> Result<RunRecord, SyncError> {
    let run = record::get(store, run_id)?.ok_or(SyncError::NoSuchHeldRun(run_id))?;
    match run.review {
        Some(Review::Pending) => Ok(run),
        Some(done) => Err(SyncError::AlreadyReviewed(done)),
        None => Err(SyncError::NoSuchHeldRun(run_id)),
    }
}

/// Re-verifies each held user live and deactivates those Entra still reports disabled or
/// deleted, as a new run that names the held one. The same safeguards as a run: the tenant
/// must be the connected one, deletions are confirmed, the connection is re-checked inside
/// the write transaction, and a deadline bounds the wait. When any of these fails the run
/// stays held and the error says why.
pub async fn apply_held(
    store: &mut Store,
    by: &Actor,
    run_id: i64,
    trigger: super::Trigger,
) -> Result<RunRecord, SyncError> {
    authorize(store, by, trigger)?;
    let _lock = acquire(store)?;
    let held_run = held(store, run_id)?;
    let settings = entra::settings(store)?;
    let expected = Expected {
        connection: settings.connection.clone(),
        automatic: false,
    };
    let missing_before = missing_accounts(store.conn())?;
    let graph = entra::client(store, ClientOptions::default())?;
    let oids: Vec<String> = held_run
        .lines
        .iter()
        .filter(|l| l.outcome == LineOutcome::Held)
        .filter_map(|l| l.entra_object_id.clone())
        .collect();
    let deadline = Duration::from_secs(u64::from(settings.run_deadline_minutes) * 60);
    let checked = guarded(deadline, recheck(&graph, &oids, &expected, &missing_before)).await?;

    let started_at = timestamp::now();
    let tx = store.write()?;
    expected.still_holds(&tx)?;
    let id = record::start(&tx, trigger, &by.label(), &started_at)?;
    let mut run = RunRecord::started(Some(id), trigger, false, started_at, by);
    run.graph_requests = graph.requests_sent();
    run.applies_run_id = Some(run_id);
    let live = checked.live;
    let mut to_deactivate = Vec::new();
    let mut enabled = Vec::new();
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
        if u_elsewhere(&user, &checked.tenant_id) {
            run.counts.skipped += 1;
            run.lines.push(line(
                &user,
                LineOutcome::OtherTenant,
                None,
                OTHER_TENANT.into(),
            ));
            continue;
        }
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
            Some(Ok(AccountState::Enabled)) => enabled.push(user.id),
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
    // The held run's sighting stands (it saw the change first) unless the state moved on.
    let sightings: Vec<_> = to_deactivate.iter().map(|(u, r)| (u.id, *r)).collect();
    seen::note(&tx, &sightings, &enabled, &run.started_at, run.id)?;
    deactivate_all(&tx, &mut run, &to_deactivate)?;
    note_missing(&tx, &checked.missing)?;
    run.result = if run.counts.errors > 0 {
        RunResult::CompletedWithErrors
    } else {
        RunResult::Succeeded
    };
    run.ended_at = Some(timestamp::now());
    record::finish(&tx, &mut run)?;
    mark_reviewed(&tx, by, run_id, Review::Applied)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(run.worded())
}

/// What a held run's users read now, in the tenant that answers.
struct Recheck {
    tenant_id: String,
    live: HashMap<String, Result<AccountState, GraphError>>,
    missing: Vec<String>,
}

async fn recheck(
    graph: &GraphClient,
    oids: &[String],
    expected: &Expected,
    missing_before: &HashSet<String>,
) -> Result<Recheck, RunFailure> {
    let tenant_id = answering_tenant(graph, expected).await?;
    let mut live = graph.accounts(oids).await;
    // Nothing could be re-checked (Microsoft unreachable, say): the run stays held.
    if let Some(Err(e)) = live
        .values()
        .next()
        .filter(|_| live.values().all(Result::is_err))
    {
        return Err(e.clone().into());
    }
    let deleted: Vec<String> = live
        .iter()
        .filter(|(_, s)| matches!(s, Ok(AccountState::Deleted)))
        .map(|(oid, _)| oid.clone())
        .collect();
    let mut missing = Vec::new();
    if !deleted.is_empty() {
        let confirmed = observe::confirm_deleted(graph, &deleted, missing_before).await;
        live.extend(confirmed.states);
        missing = confirmed.missing;
    }
    Ok(Recheck {
        tenant_id,
        live,
        missing,
    })
}

fn u_elsewhere(user: &directory::User, tenant_id: &str) -> bool {
    user.entra_tenant_id
        .as_deref()
        .is_some_and(|t| !t.eq_ignore_ascii_case(tenant_id))
}

/// Deactivates nobody from this held run. Entra's states stay known, so the next run that
/// finds the same users disabled or deleted is held again, until Entra or the guard changes.
pub fn dismiss_held(store: &mut Store, by: &Actor, run_id: i64) -> Result<(), SyncError> {
    by.require_admin("dismiss a held run")?;
    let tx = store.write()?;
    mark_reviewed(&tx, by, run_id, Review::Dismissed)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(())
}

/// Records the decision inside the caller's transaction, only if the run is still pending:
/// an Apply and a Dismiss racing each other cannot both take effect.
fn mark_reviewed(
    conn: &rusqlite::Connection,
    by: &Actor,
    run_id: i64,
    review: Review,
) -> Result<(), SyncError> {
    let changed = conn.execute(
        "UPDATE sync_runs SET review = ?2, reviewed_by = ?3, reviewed_at = ?4 WHERE id = ?1 AND review = 'pending'",
        rusqlite::params![run_id, review, by.label(), timestamp::now()],
    )?;
    if changed != 1 {
        let current: Option<Review> = conn
            .query_row(
                "SELECT review FROM sync_runs WHERE id = ?1",
                [run_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        return Err(match current {
            Some(done) => SyncError::AlreadyReviewed(done),
            None => SyncError::NoSuchHeldRun(run_id),
        });
    }
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
