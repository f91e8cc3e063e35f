//! Applying a run's decisions: read what is known, ask Microsoft, decide, then write the
//! deactivations, additions, lines and what was learned in one transaction.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use super::memory::{missing_accounts, remember, saved_delta_link};
use super::record::{self, Review, RunCounts, RunLine, RunRecord};
use super::{
    decide, frequent, observe, quiet, scope, seen, wording, LineOutcome, RunFailure, RunResult,
    Trigger,
};
use crate::access::Actor;
use crate::directory::{self, DeactivationReason, DirectoryError, User, UserStatus};
use crate::entra;
use crate::graph::{AccountState, GraphClient, GraphError};
use crate::store::{Store, StoreError};
use crate::timestamp;

/// What must still hold when the run writes: the connection it started with and, for an
/// automatic run, the toggle. Another window, the tray or `uniasset entra disconnect` may
/// have changed either while the run waited on Microsoft.
pub(super) struct Expected {
    pub(super) connection: Option<entra::Connection>,
    pub(super) automatic: bool,
}

impl Expected {
    pub(super) fn still_holds(&self, conn: &Connection) -> Result<(), RunFailure> {
        if entra::connection_in(conn)? != self.connection {
            return Err(RunFailure::ConnectionChanged);
        }
        if self.automatic && !entra::auto_deprovision_in(conn)? {
            return Err(RunFailure::TurnedOff);
        }
        Ok(())
    }
}

/// Reads, asks Microsoft, decides, then (unless a dry run) writes everything in one
/// transaction. The record is filled in only once that transaction has committed, so an
/// `Err` is a run that changed nothing and claims nothing.
pub(super) async fn check_and_apply(
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
    let scope = match &delta {
        Some(read) => scope::touched(store.conn(), &tenant_id, read)?,
        None => scope::everyone(store.conn(), &tenant_id)?,
    };
    let guard = entra::settings(store)?.guard;
    let missing_before = missing_accounts(store.conn())?;
    let mut missing_now = Vec::new();
    let connected_tenant = expected
        .connection
        .as_ref()
        .and_then(|c| c.tenant_id.clone());
    let scope::Scope {
        tracked,
        elsewhere,
        known,
        rest,
    } = scope;
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
    let mut plan = decide::decide(&tracked, &current, guard, rest);
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
            plan = decide::decide(&tracked, &current, guard, rest);
        }
    }

    let seen_at = timestamp::now();
    let (sightings, enabled) = sightings(store.conn(), &plan, &current)?;

    let mut run = started.clone();
    run.graph_requests = graph.requests_sent();
    report(&mut run, &plan, &elsewhere);
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

/// A decision's counts, and the lines of everyone it does not deactivate: in another
/// tenant, in doubt, enabled again, or protected.
pub(super) fn report(run: &mut RunRecord, plan: &decide::Decision, elsewhere: &[User]) {
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
pub(super) type Sightings = (Vec<(i64, DeactivationReason)>, Vec<i64>);

/// Who a run read as disabled or deleted while active (reported or held, protected or
/// not), and which of the users with a sighting kept it read as enabled: what `seen::note`
/// keeps for the evidence.
pub(super) fn sightings(
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

/// Which tenant answers now (R-S12), from the token the run uses anyway: a connection that now
/// answers for another tenant than the connected one would read every linked account as
/// deleted, so that is a failure, not a reading.
pub(super) async fn answering_tenant(
    graph: &GraphClient,
    expected: &Expected,
) -> Result<String, RunFailure> {
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

pub(super) const OTHER_TENANT: &str = "Not checked: this user was linked in another Entra tenant than the one connected now. Match the users again (Match Microsoft accounts) to link them in this tenant.";

/// A run still "running" once its lines are in ends as held, with errors, or succeeded.
pub(super) fn settle(run: &RunRecord) -> RunResult {
    match run.result {
        RunResult::Running if run.counts.errors > 0 => RunResult::CompletedWithErrors,
        RunResult::Running => RunResult::Succeeded,
        other => other,
    }
}

/// Deactivates within the run's transaction, re-reading each user so a change made since
/// the run began (a manual deactivation, say) is respected. The last Owner is skipped.
pub(super) fn deactivate_all(
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
            sessions: None,
            sessions_at: None,
        });
    }
    Ok(())
}

const ADDED: &str =
    "New in Microsoft Entra ID: added as a Member (\"Add new Entra users automatically\" is on).";

/// R-X3: said on the line of a person whose name or address came with control characters.
const CLEANED: &str = "Microsoft Entra ID sent their name or address with control characters; UniAsset replaced them with spaces.";

const LINKED: &str = "New in Microsoft Entra ID with the address of this Microsoft sign-in user, who had no Entra link: linked to it.";

pub(super) fn line(
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
        sessions: None,
        sessions_at: None,
    }
}
