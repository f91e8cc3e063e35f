//! The deprovision sync end to end through real HTTP to the Graph simulator, a real
//! keychain and a real SQLite file: every rule of R-S1…R-S9.

use std::collections::BTreeSet;

use graph_sim::Faults;
use testkit::tenant::{connected, sync_store, Connected};
use uniasset_core::access::Actor;
use uniasset_core::directory::{self, DeactivationReason, NewUser, Role, SignInMethod, UserStatus};
use uniasset_core::organization::Plan;
use uniasset_core::sync::{self, LineOutcome, RunResult, SyncError, SyncRequest, Trigger};
use uniasset_core::ErrorCode;

fn status(t: &Connected, email: &str) -> (UserStatus, Option<DeactivationReason>) {
    let u = t.org.user(email);
    (u.status, u.deactivation_reason)
}

fn outcomes(run: &sync::RunRecord) -> BTreeSet<(String, LineOutcome)> {
    run.lines
        .iter()
        .map(|l| (l.email.clone(), l.outcome))
        .collect()
}

/// An enabled, linked colleague: a run that would leave no linked account enabled is held.
fn colleague(t: &mut Connected) {
    t.linked("colleague@northwind.example", Role::Member);
}

#[tokio::test(flavor = "multi_thread")]
async fn disabled_and_deleted_are_deactivated_and_enabled_left_alone() {
    let mut t = connected(Plan::Enterprise).await;
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    let (_, bob) = t.linked("bob@northwind.example", Role::Member);
    let (_, cy) = t.linked("cy@northwind.example", Role::Admin);
    t.linked("dee@northwind.example", Role::Member);
    t.sim.set_enabled(&ann, false);
    t.sim.hard_delete(&bob);
    t.sim.soft_delete(&cy);

    // Bob is gone for good: not found, not among the deleted items. A "not found" could be
    // a glitch, so the first run only reports him.
    let first = t.sync().await;
    assert_eq!(first.result, RunResult::CompletedWithErrors, "{first:?}");
    assert_eq!(
        status(&t, "bob@northwind.example"),
        (UserStatus::Active, None)
    );
    assert!(first
        .lines
        .iter()
        .any(|l| l.email == "bob@northwind.example"
            && l.outcome == LineOutcome::Error
            && l.detail.contains("an hour or more later")));

    // A run right after still does not believe it: glitches pass within minutes.
    let again = t.sync().await;
    assert_eq!(
        status(&t, "bob@northwind.example"),
        (UserStatus::Active, None)
    );
    assert_eq!(again.counts.deactivated, 0);
    // An hour on, still missing: deleted for good.
    let conn = rusqlite::Connection::open(t.org.store.path()).unwrap();
    conn.execute(
        "UPDATE entra_missing SET first_missing_at = '2026-01-01T00:00:00.000Z'",
        [],
    )
    .unwrap();
    let run = t.sync().await;
    assert_eq!(run.result, RunResult::Succeeded, "{run:?}");
    assert_eq!(
        status(&t, "ann@northwind.example"),
        (
            UserStatus::Deactivated,
            Some(DeactivationReason::DisabledInEntra)
        )
    );
    assert_eq!(
        status(&t, "bob@northwind.example"),
        (
            UserStatus::Deactivated,
            Some(DeactivationReason::DeletedFromEntra)
        )
    );
    assert_eq!(
        status(&t, "cy@northwind.example"),
        (
            UserStatus::Deactivated,
            Some(DeactivationReason::DeletedFromEntra)
        )
    );
    assert_eq!(
        status(&t, "dee@northwind.example"),
        (UserStatus::Active, None)
    );
    let c = run.counts;
    assert_eq!(
        (
            c.checked,
            c.disabled_found,
            c.deleted_found,
            c.deactivated,
            c.errors
        ),
        (2, 0, 1, 1, 0),
        "ann and cy went in the first run; bob, still missing an hour on, in the last"
    );
    assert_eq!(
        t.org
            .user("ann@northwind.example")
            .deactivated_by
            .as_deref(),
        Some("Microsoft Entra ID sync")
    );

    let id = first.id.unwrap();
    let stored = sync::run(&t.org.store, id).unwrap().unwrap();
    assert_eq!(stored.lines.len(), 3, "one line per affected user");
    let trail =
        uniasset_core::audit::for_user(&t.org.store, t.org.user("ann@northwind.example").id)
            .unwrap();
    assert_eq!(trail[0].actor, "Microsoft Entra ID sync");
    assert!(
        trail[0]
            .detail
            .contains(&format!("Sync run #{id} (manual)")),
        "{}",
        trail[0].detail
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_after_the_first_run_arrive_by_delta() {
    let mut t = connected(Plan::Enterprise).await;
    colleague(&mut t);
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    let (_, bob) = t.linked("bob@northwind.example", Role::Member);
    assert_eq!(t.sync().await.counts.deactivated, 0);

    t.sim.set_enabled(&ann, false);
    t.sim.soft_delete(&bob);
    t.sim.reset_counts();
    let run = t.sync().await;
    assert_eq!(run.counts.deactivated, 2);
    let counts = t.sim.counts();
    assert_eq!(
        (counts.user_list, counts.delta),
        (0, 1),
        "an incremental run reads only changes: {counts:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn password_and_google_users_are_never_touched() {
    let mut t = connected(Plan::Enterprise).await;
    for (email, method) in [
        ("pat@northwind.example", SignInMethod::Password),
        ("gus@northwind.example", SignInMethod::Google),
    ] {
        let oid = t.sim.add_user(email, Some(email), false);
        t.sim
            .hard_delete(&t.sim.add_user(&format!("x{email}"), None, true));
        directory::add_user(
            &mut t.org.store,
            &Actor::CommandLine,
            &NewUser {
                email: email.into(),
                display_name: "Not Microsoft".into(),
                role: Role::Member,
                sign_in: method,
                entra_object_id: None,
            },
            None,
        )
        .unwrap();
        t.sim.set_enabled(&oid, false);
    }
    let run = t.sync().await;
    assert_eq!(run.counts.checked, 0);
    assert_eq!(status(&t, "pat@northwind.example").0, UserStatus::Active);
    assert_eq!(status(&t, "gus@northwind.example").0, UserStatus::Active);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_re_enabled_in_entra_stays_deactivated_and_is_reported() {
    let mut t = connected(Plan::Enterprise).await;
    colleague(&mut t);
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    t.sim.set_enabled(&ann, false);
    t.sync().await;
    t.sim.set_enabled(&ann, true);
    let run = t.sync().await;
    assert_eq!(
        status(&t, "ann@northwind.example").0,
        UserStatus::Deactivated
    );
    assert_eq!(
        outcomes(&run),
        BTreeSet::from([("ann@northwind.example".into(), LineOutcome::EnabledAgain)])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_active_owner_is_skipped_and_reported() {
    let mut t = connected(Plan::Enterprise).await;
    colleague(&mut t);
    let (owner, oid) = t.linked("boss@northwind.example", Role::Owner);
    let first_owner = t.org.user(testkit::OWNER_EMAIL).id;
    directory::deactivate(&mut t.org.store, &Actor::CommandLine, first_owner).unwrap();
    t.sim.set_enabled(&oid, false);
    let run = t.sync().await;
    assert_eq!(run.counts.skipped, 1);
    assert_eq!(run.counts.deactivated, 0);
    assert_eq!(
        outcomes(&run),
        BTreeSet::from([(owner.email.clone(), LineOutcome::SkippedLastOwner)])
    );
    assert_eq!(status(&t, "boss@northwind.example").0, UserStatus::Active);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mass_deactivation_is_held_then_applied_after_rechecking() {
    let mut t = connected(Plan::Enterprise).await;
    let mut oids = Vec::new();
    for i in 0..10 {
        oids.push(t.linked(&format!("u{i}@northwind.example"), Role::Member).1);
    }
    t.sync().await;
    for oid in &oids[..7] {
        t.sim.set_enabled(oid, false);
    }
    let held = t.sync().await;
    assert_eq!(held.result, RunResult::HeldForReview);
    assert_eq!(held.counts.deactivated, 0);
    assert_eq!(
        held.lines
            .iter()
            .filter(|l| l.outcome == LineOutcome::Held)
            .count(),
        7
    );
    assert_eq!(
        directory::list_users(&t.org.store, &Default::default())
            .unwrap()
            .counts
            .deactivated,
        0,
        "nobody deactivated"
    );
    assert_eq!(sync::pending_reviews(&t.org.store).unwrap().len(), 1);

    // One of them is enabled again before the admin applies: the re-check spares them.
    t.sim.set_enabled(&oids[0], true);
    let applied = sync::apply_held(
        &mut t.org.store,
        &Actor::CommandLine,
        held.id.unwrap(),
        Trigger::Manual,
    )
    .await
    .unwrap();
    assert_eq!(applied.counts.deactivated, 6);
    assert_eq!(applied.applies_run_id, held.id);
    assert_eq!(status(&t, "u0@northwind.example").0, UserStatus::Active);
    assert_eq!(
        status(&t, "u1@northwind.example").0,
        UserStatus::Deactivated
    );
    assert!(sync::pending_reviews(&t.org.store).unwrap().is_empty());
    let again = sync::apply_held(
        &mut t.org.store,
        &Actor::CommandLine,
        held.id.unwrap(),
        Trigger::Manual,
    )
    .await
    .unwrap_err();
    assert_eq!(again.code(), "already_reviewed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dismissed_held_run_deactivates_nobody() {
    let mut t = connected(Plan::Enterprise).await;
    let oids: Vec<String> = (0..8)
        .map(|i| t.linked(&format!("u{i}@northwind.example"), Role::Member).1)
        .collect();
    for oid in &oids {
        t.sim.set_enabled(oid, false);
    }
    let held = t.sync().await;
    assert_eq!(held.result, RunResult::HeldForReview);
    sync::dismiss_held(&mut t.org.store, &Actor::CommandLine, held.id.unwrap()).unwrap();
    assert_eq!(
        directory::list_users(&t.org.store, &Default::default())
            .unwrap()
            .counts
            .deactivated,
        0
    );
    let stored = sync::run(&t.org.store, held.id.unwrap()).unwrap().unwrap();
    assert_eq!(stored.review, Some(sync::Review::Dismissed));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_previews_and_changes_nothing() {
    let mut t = connected(Plan::Enterprise).await;
    colleague(&mut t);
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    t.sim.set_enabled(&ann, false);
    let before = (
        t.org.count("sync_runs"),
        t.org.count("audit_entries"),
        t.org.count("entra_accounts"),
        t.org.count("entra_delta"),
    );
    let preview = t.dry_run().await;
    assert_eq!(preview.id, None);
    assert_eq!(
        outcomes(&preview),
        BTreeSet::from([("ann@northwind.example".into(), LineOutcome::WouldDeactivate)])
    );
    assert_eq!(status(&t, "ann@northwind.example").0, UserStatus::Active);
    let after = (
        t.org.count("sync_runs"),
        t.org.count("audit_entries"),
        t.org.count("entra_accounts"),
        t.org.count("entra_delta"),
    );
    assert_eq!(before, after);
}

/// Two runs — a full first read, then delta plus `$batch` reads of accounts linked since —
/// returning who ended up deactivated and each run's result.
async fn scenario(faults: Faults) -> (BTreeSet<String>, Vec<RunResult>, graph_sim::RequestCounts) {
    let mut t = connected(Plan::Enterprise).await;
    let mut oids = Vec::new();
    for i in 0..60 {
        let (_, oid) = t.linked(&format!("u{i:02}@northwind.example"), Role::Member);
        if i % 7 == 0 {
            t.sim.set_enabled(&oid, false);
        }
        oids.push(oid);
    }
    // Entra accounts that exist before the first run but are linked in UniAsset only later:
    // the delta feed never mentions them, so the second run must read them one by one.
    let later: Vec<(String, String)> = (60..100)
        .map(|i| {
            let email = format!("u{i:02}@northwind.example");
            let oid = t.sim.add_user(&email, Some(&email), i % 10 != 0);
            (email, oid)
        })
        .collect();
    t.sim.set_faults(faults);
    let first = t.sync().await;
    for (email, oid) in &later {
        t.link(email, oid, Role::Member);
    }
    t.sim.soft_delete(&later[1].1);
    t.sim.set_enabled(&oids[1], false);
    let second = t.sync().await;
    let deactivated = directory::list_users(
        &t.org.store,
        &directory::UserQuery {
            status: Some(UserStatus::Deactivated),
            search: None,
            ..Default::default()
        },
    )
    .unwrap()
    .users
    .into_iter()
    .map(|u| u.email)
    .collect();
    (
        deactivated,
        vec![first.result, second.result],
        t.sim.counts(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_and_outages_give_the_same_outcome_as_a_clean_run() {
    let (clean, clean_results, _) = scenario(Faults::default()).await;
    assert_eq!(clean.len(), 9 + 4 + 1 + 1, "{clean:?}");
    assert_eq!(
        clean_results,
        vec![RunResult::Succeeded, RunResult::Succeeded]
    );
    // High enough that both kinds hit within a run's ~16 requests whatever order the
    // concurrent `$batch` requests draw in (0.1 left a 1-in-6 chance of no outage at all).
    let rough = Faults {
        throttle_rate: 0.3,
        unavailable_rate: 0.3,
        retry_after_secs: Some(0.01),
        ..Faults::default()
    };
    let (faulty, faulty_results, counts) = scenario(rough).await;
    assert!(
        counts.throttled > 0 && counts.unavailable > 0,
        "faults were injected: {counts:?}"
    );
    assert_eq!(faulty, clean);
    assert_eq!(faulty_results, clean_results);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_delta_link_triggers_a_full_read() {
    let mut t = connected(Plan::Enterprise).await;
    colleague(&mut t);
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    t.sync().await;
    t.sim.expire_delta_tokens();
    t.sim.set_enabled(&ann, false);
    t.sim.reset_counts();
    let run = t.sync().await;
    assert_eq!(run.result, RunResult::Succeeded, "{run:?}");
    assert_eq!(
        status(&t, "ann@northwind.example").0,
        UserStatus::Deactivated
    );
    assert_eq!(
        t.sim.counts().user_list,
        1,
        "the expired link led to a full listing"
    );
    t.sim.reset_counts();
    t.sync().await;
    assert_eq!(t.sim.counts().user_list, 0, "and then back to delta");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_syncs_at_once_run_once() {
    let mut t = connected(Plan::Enterprise).await;
    colleague(&mut t);
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    t.sim.set_enabled(&ann, false);
    t.sim.set_faults(Faults {
        latency_ms: 300,
        ..Faults::default()
    });
    let mut second_store = uniasset_core::store::Store::open(t.org.dir.path()).unwrap();
    let request = SyncRequest {
        trigger: Trigger::Manual,
        dry_run: false,
        deadline: None,
    };
    let (a, b) = tokio::join!(
        sync::run_sync(&mut t.org.store, &Actor::CommandLine, request),
        async {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            sync::run_sync(&mut second_store, &Actor::CommandLine, request).await
        }
    );
    assert_eq!(a.unwrap().counts.deactivated, 1);
    let err = b.unwrap_err();
    assert!(matches!(err, SyncError::AlreadyRunning), "{err:?}");
    assert_eq!(
        err.to_string(),
        "A sync is already running. Its result will appear in the run history when it ends."
    );
    assert_eq!(t.org.count("sync_runs"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_runs_say_why_and_deactivate_nobody() {
    let mut t = connected(Plan::Enterprise).await;
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    t.sim.set_enabled(&ann, false);

    t.sim.set_permission_granted(false);
    let run = t.sync().await;
    assert_eq!(run.result, RunResult::Failed);
    assert!(
        run.error.as_deref().unwrap().contains("User.Read.All"),
        "{run:?}"
    );
    t.sim.set_permission_granted(true);

    t.sim.set_secret_expired(true);
    let run = t.sync().await;
    assert_eq!(run.result, RunResult::Failed);
    assert!(
        run.error
            .as_deref()
            .unwrap()
            .contains("The client secret has expired"),
        "{run:?}"
    );
    assert!(run.error.as_deref().unwrap().contains("AADSTS7000222"));
    t.sim.set_secret_expired(false);

    t.sim.set_faults(Faults {
        malformed_rate: 1.0,
        ..Faults::default()
    });
    let run = t.sync().await;
    assert_eq!(run.result, RunResult::Failed);
    assert!(
        run.error.as_deref().unwrap().contains("could not read"),
        "{run:?}"
    );
    t.sim.set_faults(Faults::default());

    let Connected { mut org, sim } = t;
    drop(sim);
    let run = sync_store(&mut org.store, Trigger::Manual, false).await;
    assert_eq!(run.result, RunResult::Failed);
    assert!(
        run.error
            .as_deref()
            .unwrap()
            .contains("could not reach Microsoft"),
        "{run:?}"
    );

    assert_eq!(
        org.user("ann@northwind.example").status,
        UserStatus::Active,
        "nobody deactivated by failed runs"
    );
    let history = sync::runs(&org.store, 10).unwrap();
    assert_eq!(history.len(), 4);
    assert!(history
        .iter()
        .all(|r| r.result == RunResult::Failed && r.error.is_some()));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_run_is_closed_and_the_next_one_completes() {
    let mut t = connected(Plan::Enterprise).await;
    colleague(&mut t);
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    t.sim.set_enabled(&ann, false);
    let conn = rusqlite::Connection::open(t.org.store.path()).unwrap();
    conn.execute("INSERT INTO sync_runs (trigger, started_at, result, started_by) VALUES ('scheduled', '2026-11-27T03:00:00.000Z', 'running', 'x')", []).unwrap();
    let run = t.sync().await;
    assert_eq!(run.counts.deactivated, 1);
    let history = sync::runs(&t.org.store, 10).unwrap();
    assert_eq!(history[1].result, RunResult::Failed);
    assert!(history[1].error.as_deref().unwrap().contains("interrupted"));
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_plan_and_the_toggle_are_enforced_in_the_core() {
    let mut t = connected(Plan::Enterprise).await;
    t.org.add(
        "mia@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    let member = t.org.actor("mia@northwind.example");
    let request = SyncRequest {
        trigger: Trigger::Manual,
        dry_run: false,
        deadline: None,
    };
    let err = sync::run_sync(&mut t.org.store, &member, request)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "needs_admin");

    let nightly = SyncRequest {
        trigger: Trigger::Scheduled,
        dry_run: false,
        deadline: None,
    };
    let err = sync::run_sync(&mut t.org.store, &Actor::EntraSync, nightly)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        "auto_deprovision_off",
        "the toggle governs automatic runs"
    );
    let err = sync::run_sync(&mut t.org.store, &Actor::CommandLine, nightly)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        "needs_admin",
        "only the scheduler starts automatic runs"
    );

    let mut team = connected(Plan::Team).await;
    let err = sync::run_sync(&mut team.org.store, &Actor::CommandLine, request)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "needs_enterprise");
    assert_eq!(team.org.count("sync_runs"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_about_one_user_touches_nobody_else() {
    let mut t = connected(Plan::Enterprise).await;
    t.linked("ann@northwind.example", Role::Member);
    let (_, bob) = t.linked("bob@northwind.example", Role::Member);
    // Disabled accounts UniAsset links only after the first run: the delta feed never
    // mentions them again, so the second run reads them directly, and one read fails.
    let cy = t.sim.add_user("cy@northwind.example", None, false);
    let dee = t.sim.add_user("dee@northwind.example", None, false);
    t.sync().await;
    for (email, oid) in [
        ("cy@northwind.example", &cy),
        ("dee@northwind.example", &dee),
    ] {
        let user = NewUser {
            email: email.into(),
            display_name: email.into(),
            role: Role::Member,
            sign_in: SignInMethod::Microsoft,
            entra_object_id: Some(oid.clone()),
        };
        directory::add_user(&mut t.org.store, &Actor::CommandLine, &user, None).unwrap();
    }
    t.sim.set_user_failing(&cy, true);
    t.sim.set_enabled(&bob, false);

    let run = t.sync().await;
    assert_eq!(run.result, RunResult::CompletedWithErrors, "{run:?}");
    assert_eq!(run.counts.errors, 1);
    assert_eq!(
        status(&t, "cy@northwind.example").0,
        UserStatus::Active,
        "in doubt: untouched"
    );
    assert_eq!(
        status(&t, "bob@northwind.example").0,
        UserStatus::Deactivated
    );
    assert_eq!(
        status(&t, "dee@northwind.example").0,
        UserStatus::Deactivated
    );
    assert_eq!(status(&t, "ann@northwind.example").0, UserStatus::Active);
    let error = run
        .lines
        .iter()
        .find(|l| l.outcome == LineOutcome::Error)
        .unwrap();
    assert_eq!(error.email, "cy@northwind.example");
    assert!(
        error.detail.contains("generalException"),
        "{}",
        error.detail
    );

    // Once Entra answers again, the next run settles the user it was unsure about.
    t.sim.set_user_failing(&cy, false);
    let next = t.sync().await;
    assert_eq!(next.result, RunResult::Succeeded, "{next:?}");
    assert_eq!(
        status(&t, "cy@northwind.example").0,
        UserStatus::Deactivated
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_held_run_stays_held_when_nothing_can_be_rechecked_and_is_decided_once() {
    let mut t = connected(Plan::Enterprise).await;
    let oids: Vec<String> = (0..8)
        .map(|i| t.linked(&format!("u{i}@northwind.example"), Role::Member).1)
        .collect();
    for oid in &oids {
        t.sim.set_enabled(oid, false);
    }
    let held = t.sync().await;
    let id = held.id.unwrap();
    for oid in &oids {
        t.sim.set_user_failing(oid, true);
    }
    let err = sync::apply_held(&mut t.org.store, &Actor::CommandLine, id, Trigger::Manual)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("generalException"), "{err}");
    assert_eq!(
        sync::pending_reviews(&t.org.store).unwrap().len(),
        1,
        "still waiting for a decision"
    );

    sync::dismiss_held(&mut t.org.store, &Actor::CommandLine, id).unwrap();
    let again = sync::dismiss_held(&mut t.org.store, &Actor::CommandLine, id).unwrap_err();
    assert_eq!(again.code(), "already_reviewed");
    assert_eq!(
        directory::list_users(&t.org.store, &Default::default())
            .unwrap()
            .counts
            .deactivated,
        0
    );
}
