//! Frequent checks between the nightly runs (issue 15, R-T5): a check that finds nothing new
//! stores no run but its time and costs two requests; one that acts or fails is a run like
//! any other; the same guards apply; repeated failures pause the checks until a nightly run
//! succeeds; the setting is the administrator's, 5 to 60 minutes, off by default.

use chrono::Duration;
use testkit::tenant::{automatic, connected, Connected};
use uniasset_core::access::{Actor, Person};
use uniasset_core::directory::{self, Role, UserStatus};
use uniasset_core::entra::{self, MassDeactivationGuard};
use uniasset_core::organization::Plan;
use uniasset_core::sync::{self, LineOutcome, RunRecord, RunResult, Trigger};
use uniasset_core::{clock, overview, schedule, store, ErrorCode};

/// Three linked colleagues, automatic runs on, checks every 5 minutes, and a first run
/// that read the tenant (the checks start from its delta link).
async fn checking() -> (Connected, Vec<String>) {
    let mut t = connected(Plan::Enterprise).await;
    let oids = ["ann", "bob", "cy"]
        .map(|name| {
            t.linked(&format!("{name}@northwind.example"), Role::Member)
                .1
        })
        .to_vec();
    let guard = entra::settings(&t.org.store).unwrap().guard;
    entra::save(&mut t.org.store, &Actor::CommandLine, true, guard).unwrap();
    entra::set_check_interval(&mut t.org.store, &Actor::CommandLine, Some(5)).unwrap();
    t.sync().await;
    (t, oids)
}

async fn check(t: &mut Connected) -> RunRecord {
    automatic(&mut t.org.store, Trigger::Interval).await
}

fn stored_runs(t: &Connected) -> usize {
    sync::runs(&t.org.store, 1000).unwrap().len()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_check_that_finds_nothing_new_stores_no_run_and_costs_two_requests() {
    let (mut t, _) = checking().await;
    let before = stored_runs(&t);
    t.sim.reset_counts();
    let run = check(&mut t).await;
    assert!(run.quiet(), "{run:?}");
    assert_eq!(run.result, RunResult::Succeeded);
    assert!(t.sim.counts().total <= 2, "{:?}", t.sim.counts());
    assert_eq!(stored_runs(&t), before, "no history row");

    let status = schedule::frequent_checks(&t.org.store, clock::now()).unwrap();
    assert!(status.active);
    assert_eq!(status.every_minutes, Some(5));
    assert_eq!(
        status.last_result.as_deref(),
        Some("Nothing new in Microsoft Entra ID.")
    );
    let last = status.last_checked_at.unwrap();
    assert_eq!(status.last_run_id, None);
    assert!(
        status.next_check_at.unwrap() > last,
        "the next one is 5 minutes on"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_check_that_finds_a_leaver_deactivates_them_in_a_stored_run() {
    let (mut t, oids) = checking().await;
    t.sim.set_enabled(&oids[1], false);
    let run = check(&mut t).await;
    assert!(!run.quiet());
    assert_eq!(run.trigger, Trigger::Interval);
    assert_eq!(run.counts.deactivated, 1);
    let stored = sync::run(&t.org.store, run.id.unwrap()).unwrap().unwrap();
    let line = &stored.lines[0];
    assert_eq!(line.outcome, LineOutcome::Deactivated);
    assert!(
        line.detected_at.is_some(),
        "the evidence has when it was seen"
    );
    let bob = directory::find_by_email(&t.org.store, "bob@northwind.example").unwrap();
    assert_eq!(bob.status, UserStatus::Deactivated);

    let status = schedule::frequent_checks(&t.org.store, clock::now()).unwrap();
    assert_eq!(status.last_run_id, run.id);
    assert!(
        status.last_result.unwrap().contains("1 deactivated"),
        "the headline of the run"
    );
    // Told once: the next check has nothing new.
    assert!(check(&mut t).await.quiet());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_link_and_lifted_protection_are_not_skipped() {
    let (mut t, _) = checking().await;
    // Linked after the last run, to an account already disabled: the delta has no news
    // about it, yet the check must read it.
    let dee = t.sim.add_user(
        "dee@northwind.example",
        Some("dee@northwind.example"),
        false,
    );
    t.link("dee@northwind.example", &dee, Role::Member);
    let run = check(&mut t).await;
    assert_eq!(run.counts.deactivated, 1, "{run:?}");

    // A protected leaver is reported once, then not every few minutes.
    let (eve, eve_oid) = t.linked("eve@northwind.example", Role::Member);
    check(&mut t).await;
    directory::set_protected(&mut t.org.store, &Actor::CommandLine, eve.id, true).unwrap();
    t.sim.set_enabled(&eve_oid, false);
    let reported = check(&mut t).await;
    assert_eq!(reported.lines[0].outcome, LineOutcome::SkippedProtected);
    assert!(check(&mut t).await.quiet());
    // Protection lifted: the next check deactivates, with nothing new in Entra.
    directory::set_protected(&mut t.org.store, &Actor::CommandLine, eve.id, false).unwrap();
    let run = check(&mut t).await;
    assert_eq!(run.counts.deactivated, 1, "{run:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_guard_holds_a_check_and_a_held_run_is_not_repeated() {
    let (mut t, oids) = checking().await;
    let guard = MassDeactivationGuard {
        min_users: 1,
        percent: 10,
    };
    entra::save(&mut t.org.store, &Actor::CommandLine, true, guard).unwrap();
    t.sim.set_enabled(&oids[0], false);
    t.sim.set_enabled(&oids[1], false);
    let held = check(&mut t).await;
    assert_eq!(held.result, RunResult::HeldForReview);
    assert_eq!(held.counts.deactivated, 0);
    let runs = stored_runs(&t);
    assert!(check(&mut t).await.quiet(), "the held run already waits");
    assert_eq!(stored_runs(&t), runs);
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_are_runs_and_three_in_a_row_pause_until_a_nightly_run_succeeds() {
    let (mut t, _) = checking().await;
    t.sim.set_permission_granted(false);
    for n in 1..=3 {
        let run = check(&mut t).await;
        assert_eq!(run.result, RunResult::Failed);
        assert!(run.id.is_some(), "a failed check is stored ({n})");
        assert_eq!(run.trigger, Trigger::Interval);
    }
    let now = clock::now();
    let status = schedule::frequent_checks(&t.org.store, now).unwrap();
    let paused = status.paused.unwrap();
    assert!(paused.contains("3 checks in a row failed"), "{paused}");
    assert!(
        paused.contains("User.Read.All"),
        "names the error: {paused}"
    );
    assert!(!status.active);
    assert_eq!(status.next_check_at, None);
    assert!(!schedule::frequent_check_due(&t.org.store, now + Duration::hours(2)).unwrap());

    t.sim.set_permission_granted(true);
    let nightly = automatic(&mut t.org.store, Trigger::Scheduled).await;
    assert_eq!(nightly.result, RunResult::Succeeded);
    let status = schedule::frequent_checks(&t.org.store, clock::now()).unwrap();
    assert_eq!(
        status.paused, None,
        "the nightly run got through: checks resume"
    );
    assert!(status.active);
}

#[tokio::test(flavor = "multi_thread")]
async fn checks_run_only_when_on_and_at_their_interval() {
    let mut t = connected(Plan::Enterprise).await;
    t.linked("ann@northwind.example", Role::Member);
    let now = clock::now();
    let off = schedule::frequent_checks(&t.org.store, now).unwrap();
    assert_eq!(off.every_minutes, None, "off by default");
    assert!(!schedule::frequent_check_due(&t.org.store, now).unwrap());

    // They run between the nightly runs: refused, with the reason shown beforehand, until
    // auto-deprovisioning is on.
    let refused =
        entra::set_check_interval(&mut t.org.store, &Actor::CommandLine, Some(15)).unwrap_err();
    assert_eq!(refused.code(), "needs_auto_deprovision");
    assert_eq!(off.turn_on_refused, Some(refused.to_string()));
    assert_eq!(
        entra::settings(&t.org.store).unwrap().check_every_minutes,
        None
    );

    let guard = entra::settings(&t.org.store).unwrap().guard;
    entra::save(&mut t.org.store, &Actor::CommandLine, true, guard).unwrap();
    entra::set_check_interval(&mut t.org.store, &Actor::CommandLine, Some(15)).unwrap();
    assert_eq!(
        schedule::frequent_checks(&t.org.store, now)
            .unwrap()
            .turn_on_refused,
        None
    );
    assert!(
        schedule::frequent_check_due(&t.org.store, now).unwrap(),
        "the first at once"
    );
    check(&mut t).await;
    let now = clock::now();
    assert!(!schedule::frequent_check_due(&t.org.store, now).unwrap());
    assert!(!schedule::frequent_check_due(&t.org.store, now + Duration::minutes(14)).unwrap());
    assert!(schedule::frequent_check_due(&t.org.store, now + Duration::minutes(15)).unwrap());
    // A clock moved back behind the last check does not stop the checks for days.
    assert!(schedule::frequent_check_due(&t.org.store, now - Duration::days(1)).unwrap());

    // Auto-deprovisioning turned off later keeps the setting, which waits and says why.
    entra::save(&mut t.org.store, &Actor::CommandLine, false, guard).unwrap();
    let waiting = schedule::frequent_checks(&t.org.store, now).unwrap();
    assert_eq!(waiting.every_minutes, Some(15));
    assert!(!waiting.active);
    assert!(waiting
        .inactive_reason
        .unwrap()
        .contains("auto-deprovisioning"));
    assert!(!schedule::frequent_check_due(&t.org.store, now + Duration::hours(1)).unwrap());

    entra::set_check_interval(&mut t.org.store, &Actor::CommandLine, None).unwrap();
    assert_eq!(
        entra::settings(&t.org.store).unwrap().check_every_minutes,
        None
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_setting_is_for_admins_5_to_60_minutes_on_enterprise() {
    let mut t = connected(Plan::Enterprise).await;
    for bad in [0, 4, 61] {
        let err = entra::set_check_interval(&mut t.org.store, &Actor::CommandLine, Some(bad))
            .unwrap_err();
        assert_eq!(err.code(), "invalid_check_interval");
        assert!(err.to_string().contains("5 to 60 minutes"), "{err}");
    }
    let (mia, _) = t.linked("mia@northwind.example", Role::Member);
    let member = Actor::Person(Person {
        user_id: mia.id,
        display_name: mia.display_name.clone(),
        email: mia.email.clone(),
        role: mia.role,
    });
    let err = entra::set_check_interval(&mut t.org.store, &member, Some(10)).unwrap_err();
    assert_eq!(err.code(), "needs_admin");
    let err = overview::frequent_checks(&t.org.store, &member, clock::now()).unwrap_err();
    assert_eq!(err.code(), "needs_admin", "nor see the checks");
    assert_eq!(
        entra::settings(&t.org.store).unwrap().check_every_minutes,
        None,
        "nothing changed"
    );
    let guard = entra::settings(&t.org.store).unwrap().guard;
    entra::save(&mut t.org.store, &Actor::CommandLine, true, guard).unwrap();
    let saved = entra::set_check_interval(&mut t.org.store, &Actor::CommandLine, Some(60)).unwrap();
    assert_eq!(saved.check_every_minutes, Some(60));

    let mut team = testkit::org(Plan::Team);
    let err =
        entra::set_check_interval(&mut team.store, &Actor::CommandLine, Some(10)).unwrap_err();
    assert_eq!(err.code(), "needs_enterprise");
}

#[test]
fn runs_stored_before_the_new_trigger_keep_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("uniasset.db");
    let mut conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
    store::migrate(&mut conn, &db, dir.path(), &store::MIGRATIONS[..13]).unwrap();
    conn.execute_batch(
        "INSERT INTO sync_runs (id, trigger, started_at, result, started_by, deactivated)
             VALUES (1, 'scheduled', '2026-11-01T03:00:00.000Z', 'succeeded', 'Entra sync', 1);
         INSERT INTO sync_run_lines (run_id, email, outcome, reason)
             VALUES (1, 'ann@northwind.example', 'deactivated', 'disabled_in_entra');",
    )
    .unwrap();
    store::migrate(&mut conn, &db, dir.path(), &store::MIGRATIONS).unwrap();
    let lines: i64 = conn
        .query_row(
            "SELECT count(*) FROM sync_run_lines WHERE run_id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(lines, 1);
    conn.execute(
        "INSERT INTO sync_runs (trigger, started_at, result, started_by)
             VALUES ('interval', '2026-11-02T10:00:00.000Z', 'succeeded', 'Entra sync')",
        [],
    )
    .unwrap();
    let orphans: Vec<i64> = conn
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |r| r.get(1))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(orphans.is_empty());
}
