//! Checking one person now (issue 25): their account is read from Microsoft Graph at once and
//! a run's rules are applied to them alone — disabled or deleted in Entra → deactivated here —
//! with the same protections ("never deactivate automatically", the last Owner, a deletion
//! believed only when Entra's deleted items or time confirm it) and the same records (a run
//! of its own with its line, the audit trail, the evidence). One person cannot trip the
//! mass-deactivation guard, which is about many accounts changing at once.

use std::collections::HashMap;

use super::apply::{answering_tenant, deactivate_all, report, settle, sightings, Expected};
use super::memory::{missing_accounts, note_missing};
use super::record::{self, RunRecord};
use super::{decide, observe, seen, RunFailure};
use crate::directory::User;
use crate::entra::MassDeactivationGuard;
use crate::graph::{AccountState, GraphClient, GraphError};
use crate::store::{Store, StoreError};
use crate::timestamp;

/// A guard nothing trips: a check of one person is never held.
const NO_GUARD: MassDeactivationGuard = MassDeactivationGuard {
    min_users: u32::MAX,
    percent: 100,
};

pub(super) async fn check_one(
    store: &mut Store,
    graph: &GraphClient,
    started: &RunRecord,
    expected: &Expected,
    user: User,
) -> Result<RunRecord, RunFailure> {
    let tenant_id = answering_tenant(graph, expected).await?;
    let (tracked, elsewhere) = decide::split_by_tenant(vec![user], &tenant_id);
    let mut current = HashMap::new();
    let mut missing_now = Vec::new();
    if let Some(oid) = tracked.first().and_then(|u| u.entra_object_id.clone()) {
        let state = match graph.account(&oid).await {
            Ok(AccountState::Deleted) => {
                let missing_before = missing_accounts(store.conn())?;
                let confirmed =
                    observe::confirm_deleted(graph, std::slice::from_ref(&oid), &missing_before)
                        .await;
                missing_now = confirmed.missing;
                confirmed
                    .states
                    .into_values()
                    .next()
                    .unwrap_or(Err(GraphError::NotConfirmed))
            }
            other => other,
        };
        current.insert(oid, state);
    }
    let plan = decide::decide(&tracked, &current, NO_GUARD, decide::Rest::default());
    let (sightings, enabled) = sightings(store.conn(), &plan, &current)?;
    let mut run = started.clone();
    run.graph_requests = graph.requests_sent();
    report(&mut run, &plan, &elsewhere);

    let tx = store.write()?;
    expected.still_holds(&tx)?;
    seen::note(&tx, &sightings, &enabled, &timestamp::now(), run.id)?;
    deactivate_all(&tx, &mut run, &plan.to_deactivate)?;
    note_missing(&tx, &missing_now)?;
    run.result = settle(&run);
    run.ended_at = Some(timestamp::now());
    record::finish(&tx, &mut run)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(run.worded())
}
