//! The sync under changes made while it runs, deadlines, protected accounts and failed
//! writes: never a wrong deactivation, never a record that claims what did not happen.

use std::time::Duration;

use graph_sim::Faults;
use testkit::tenant::{connect, connected, input, Connected, DOMAIN};
use uniasset_core::access::Actor;
use uniasset_core::directory::{self, DeactivationReason, Role, UserStatus};
use uniasset_core::entra::{self, MassDeactivationGuard};
use uniasset_core::organization::Plan;
use uniasset_core::secrets::ClientSecret;
use uniasset_core::store::Store;
use uniasset_core::sync::{self, LineOutcome, RunRecord, RunResult, SyncRequest, Trigger};
use uniasset_core::ErrorCode;

/// Ann disabled in Entra, an enabled colleague, and Graph slow enough to act mid-run.
async fn slow_tenant_with_a_leaver() -> (Connected, String) {
    let mut t = connected(Plan::Enterprise).await;
    t.linked("colleague@northwind.example", Role::Member);
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    t.sim.set_enabled(&ann, false);
    t.sim.set_faults(Faults {
        latency_ms: 400,
        ..Faults::default()
    });
    (t, ann)
}

/// Starts a run on its own connection, lets it reach Graph, then calls `meanwhile` on
/// another connection (as another window or `uniasset` would) and waits for the run.
async fn run_while(
    t: &mut Connected,
    trigger: Trigger,
    by: Actor,
    meanwhile: impl AsyncFnOnce(&mut Store),
) -> RunRecord {
    let mut runner = Store::open(t.org.dir.path()).unwrap();
    let request = SyncRequest {
        trigger,
        dry_run: false,
        deadline: None,
    };
    let (run, ()) = tokio::join!(sync::run_sync(&mut runner, &by, request), async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        meanwhile(&mut t.org.store).await;
    });
    run.unwrap()
}

fn assert_changed_nothing(t: &Connected, run: &RunRecord) {
    assert_eq!(run.result, RunResult::Failed, "{run:?}");
    assert_eq!(run.counts.deactivated, 0);
    assert!(run.lines.is_empty(), "a failed run lists nobody: {run:?}");
    assert_eq!(
        t.org.user("ann@northwind.example").status,
        UserStatus::Active
    );
    let stored = sync::run(&t.org.store, run.id.unwrap()).unwrap().unwrap();
    assert_eq!(stored.result, RunResult::Failed);
    assert_eq!(stored.counts.deactivated, 0);
    assert!(stored.lines.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnecting_during_a_run_deactivates_nobody_and_leaves_no_trace() {
    let (mut t, _) = slow_tenant_with_a_leaver().await;
    let run = run_while(
        &mut t,
        Trigger::Manual,
        Actor::CommandLine,
        async |store: &mut Store| entra::disconnect(store, &Actor::CommandLine).unwrap(),
    )
    .await;
    assert_changed_nothing(&t, &run);
    assert!(
        run.error.as_deref().unwrap().contains("connection changed"),
        "{run:?}"
    );
    assert_eq!(
        t.org.count("entra_accounts"),
        0,
        "no states for a gone connection"
    );
    assert_eq!(
        t.org.count("entra_delta"),
        0,
        "no delta link for a gone connection"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn connecting_again_during_a_run_deactivates_nobody() {
    let (mut t, _) = slow_tenant_with_a_leaver().await;
    let (form, secret) = (input(&t.sim), ClientSecret::new(t.sim.client_secret()));
    let run = run_while(
        &mut t,
        Trigger::Manual,
        Actor::CommandLine,
        async |store: &mut Store| {
            entra::connect(store, &Actor::CommandLine, &form, &secret)
                .await
                .unwrap();
        },
    )
    .await;
    assert_changed_nothing(&t, &run);
}

#[tokio::test(flavor = "multi_thread")]
async fn turning_automatic_runs_off_stops_a_running_automatic_run() {
    let (mut t, _) = slow_tenant_with_a_leaver().await;
    entra::set_auto_deprovision(&mut t.org.store, &Actor::CommandLine, true).unwrap();
    let run = run_while(
        &mut t,
        Trigger::Scheduled,
        Actor::EntraSync,
        async |store: &mut Store| {
            entra::set_auto_deprovision(store, &Actor::CommandLine, false).unwrap();
        },
    )
    .await;
    assert_changed_nothing(&t, &run);
    assert!(
        run.error.as_deref().unwrap().contains("turned off"),
        "{run:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_past_its_deadline_ends_failed_and_deactivates_nobody() {
    let (mut t, _) = slow_tenant_with_a_leaver().await;
    let request = SyncRequest {
        trigger: Trigger::Manual,
        dry_run: false,
        deadline: Some(Duration::from_millis(600)),
    };
    let run = sync::run_sync(&mut t.org.store, &Actor::CommandLine, request)
        .await
        .unwrap();
    assert_changed_nothing(&t, &run);
    assert!(
        run.error.as_deref().unwrap().contains("did not finish"),
        "{run:?}"
    );

    t.sim.set_faults(Faults::default());
    let next = t.sync().await;
    assert_eq!(next.counts.deactivated, 1, "the next run works: {next:?}");
    let settings = entra::settings(&t.org.store).unwrap();
    assert_eq!(settings.run_deadline_minutes, 30, "the default deadline");
    let err = entra::set_run_deadline(&mut t.org.store, &Actor::CommandLine, 0).unwrap_err();
    assert_eq!(err.code(), "invalid_deadline");
    let member = t.org.actor("ann@northwind.example");
    let err = entra::set_run_deadline(&mut t.org.store, &member, 45).unwrap_err();
    assert_eq!(err.code(), "needs_admin");
    let set = entra::set_run_deadline(&mut t.org.store, &Actor::CommandLine, 45).unwrap();
    assert_eq!(set.run_deadline_minutes, 45);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_commit_leaves_a_record_that_claims_nothing() {
    let (mut t, _) = slow_tenant_with_a_leaver().await;
    t.sim.set_faults(Faults::default());
    // The disk refuses the run's last write, after the deactivations in the same transaction.
    let conn = rusqlite::Connection::open(t.org.store.path()).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER refuse BEFORE INSERT ON entra_delta BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
    )
    .unwrap();
    let run = t.sync().await;
    assert_changed_nothing(&t, &run);
    assert!(
        run.error.as_deref().unwrap().contains("disk full"),
        "{run:?}"
    );
    assert_eq!(t.org.count("entra_accounts"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn protected_users_are_reported_with_entras_state_and_never_deactivated() {
    let mut t = connected(Plan::Enterprise).await;
    t.linked("colleague@northwind.example", Role::Member);
    let (breakglass, oid) = t.linked("breakglass@northwind.example", Role::Admin);
    let (member, _) = t.linked("mo@northwind.example", Role::Member);

    let (mo, owner) = (t.org.actor("mo@northwind.example"), t.org.owner());
    let refused = directory::set_protected(&mut t.org.store, &mo, breakglass.id, true).unwrap_err();
    assert_eq!(refused.code(), "needs_admin");
    let marked = directory::set_protected(&mut t.org.store, &owner, breakglass.id, true).unwrap();
    assert!(marked.protected);
    let trail = uniasset_core::audit::for_user(&t.org.store, breakglass.id).unwrap();
    assert_eq!(trail[0].action, "user.protected");

    t.sim.soft_delete(&oid);
    let run = t.sync().await;
    assert_eq!(run.result, RunResult::Succeeded, "{run:?}");
    assert_eq!(run.counts.skipped, 1);
    assert_eq!(run.counts.deactivated, 0);
    let line = &run.lines[0];
    assert_eq!(
        (line.email.as_str(), line.outcome, line.reason),
        (
            "breakglass@northwind.example",
            LineOutcome::SkippedProtected,
            Some(DeactivationReason::DeletedFromEntra)
        )
    );
    assert_eq!(
        t.org.user("breakglass@northwind.example").status,
        UserStatus::Active
    );

    let by_hand = directory::deactivate(&mut t.org.store, &owner, breakglass.id).unwrap();
    assert_eq!(
        by_hand.status,
        UserStatus::Deactivated,
        "by hand still works"
    );
    assert!(!member.protected);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lone_linked_account_disabled_is_held_not_deactivated() {
    let mut t = connected(Plan::Enterprise).await;
    let (_, oid) = t.linked("solo@northwind.example", Role::Member);
    t.sim.set_enabled(&oid, false);
    let run = t.sync().await;
    assert_eq!(run.result, RunResult::HeldForReview, "{run:?}");
    assert_eq!(
        t.org.user("solo@northwind.example").status,
        UserStatus::Active
    );
    let applied = sync::apply_held(
        &mut t.org.store,
        &Actor::CommandLine,
        run.id.unwrap(),
        Trigger::Manual,
    )
    .await
    .unwrap();
    assert_eq!(
        applied.counts.deactivated, 1,
        "an administrator can apply it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_guard_above_one_hundred_percent_is_refused() {
    let mut t = connected(Plan::Enterprise).await;
    let err = entra::save(
        &mut t.org.store,
        &Actor::CommandLine,
        false,
        MassDeactivationGuard {
            min_users: 5,
            percent: 150,
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid_guard");
    assert_eq!(entra::settings(&t.org.store).unwrap().guard.percent, 20);
}

/// Five leavers among six: held. Returns the held run's id.
async fn held_run(t: &mut Connected) -> i64 {
    t.linked("colleague@northwind.example", Role::Member);
    for i in 0..6 {
        let (_, oid) = t.linked(&format!("l{i}@northwind.example"), Role::Member);
        t.sim.set_enabled(&oid, false);
    }
    let run = t.sync().await;
    assert_eq!(run.result, RunResult::HeldForReview, "{run:?}");
    run.id.unwrap()
}

fn nobody_deactivated(t: &Connected) {
    for i in 0..6 {
        let email = format!("l{i}@northwind.example");
        assert_eq!(t.org.user(&email).status, UserStatus::Active, "{email}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn applying_a_held_run_in_a_tenant_that_changed_is_refused_and_it_stays_held() {
    let mut t = connected(Plan::Enterprise).await;
    connect(&mut t.org.store, &t.sim, DOMAIN).await;
    let held = held_run(&mut t).await;
    t.sim.switch_tenant();
    let err = sync::apply_held(&mut t.org.store, &Actor::CommandLine, held, Trigger::Manual)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "tenant_changed", "{err}");
    nobody_deactivated(&t);
    let still = sync::run(&t.org.store, held).unwrap().unwrap();
    assert_eq!(still.review, Some(sync::Review::Pending));
}

#[tokio::test(flavor = "multi_thread")]
async fn applying_a_held_run_does_not_take_a_passing_not_found_for_a_deletion() {
    let mut t = connected(Plan::Enterprise).await;
    let held = held_run(&mut t).await;
    // Entra has them all enabled again, but every read of a user answers "not found".
    for i in 0..6 {
        let oid = t
            .org
            .user(&format!("l{i}@northwind.example"))
            .entra_object_id
            .unwrap();
        t.sim.set_enabled(&oid, true);
    }
    t.sim.set_faults(Faults {
        flaky_not_found_rate: 1.0,
        ..Faults::default()
    });
    let applied = sync::apply_held(&mut t.org.store, &Actor::CommandLine, held, Trigger::Manual)
        .await
        .unwrap();
    assert_eq!(applied.counts.deactivated, 0, "{applied:?}");
    nobody_deactivated(&t);
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnecting_dismisses_held_runs_and_says_so() {
    let mut t = connected(Plan::Enterprise).await;
    let held = held_run(&mut t).await;
    entra::disconnect(&mut t.org.store, &Actor::CommandLine).unwrap();
    let run = sync::run(&t.org.store, held).unwrap().unwrap();
    assert_eq!(run.review, Some(sync::Review::Dismissed));
    let conn = rusqlite::Connection::open(t.org.store.path()).unwrap();
    let detail: String = conn
        .query_row(
            "SELECT detail FROM audit_entries WHERE action = 'sync.held_runs_dismissed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(detail.contains("disconnected"), "{detail}");
    nobody_deactivated(&t);
}
