//! "Check now" on one person (issue 25) through real HTTP to the Graph simulator: their
//! account alone is read at once and a run's rules applied — with a run of its own, the
//! same protections, and refusals that change nothing.

use testkit::tenant::{connected, Connected};
use uniasset_core::access::Actor;
use uniasset_core::directory::{DeactivationReason, Role, SignInMethod, UserStatus};
use uniasset_core::organization::Plan;
use uniasset_core::sync::{self, LineOutcome, RunRecord, RunResult, Trigger};
use uniasset_core::ErrorCode;

async fn check(t: &mut Connected, email: &str) -> RunRecord {
    let id = t.org.user(email).id;
    sync::check_person(&mut t.org.store, &Actor::CommandLine, id)
        .await
        .unwrap()
}

fn runs(t: &Connected) -> usize {
    sync::runs(&t.org.store, 100).unwrap().len()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_disabled_in_entra_is_deactivated_by_a_run_of_their_own() {
    let mut t = connected(Plan::Enterprise).await;
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    t.linked("bob@northwind.example", Role::Member);
    t.sim.set_enabled(&ann, false);
    t.sim.reset_counts();

    let run = check(&mut t, "ann@northwind.example").await;
    assert_eq!(run.trigger, Trigger::Person);
    assert_eq!(run.result, RunResult::Succeeded, "{run:?}");
    assert_eq!(run.counts.checked, 1);
    assert_eq!(run.lines.len(), 1, "{:?}", run.lines);
    assert_eq!(run.headline, "deactivated (disabled in Entra)");
    let line = &run.lines[0];
    assert_eq!(line.outcome, LineOutcome::Deactivated);
    assert_eq!(line.reason, Some(DeactivationReason::DisabledInEntra));
    assert!(line.detected_at.is_some());
    let ann = t.org.user("ann@northwind.example");
    assert_eq!(ann.status, UserStatus::Deactivated);
    assert_eq!(
        ann.deactivation_reason,
        Some(DeactivationReason::DisabledInEntra)
    );
    assert_eq!(
        t.org.user("bob@northwind.example").status,
        UserStatus::Active
    );
    assert!(
        run.graph_requests <= 3,
        "one account read: {}",
        run.graph_requests
    );
    let stored = sync::run(&t.org.store, run.id.unwrap()).unwrap().unwrap();
    assert_eq!(stored.trigger, Trigger::Person);
}

#[tokio::test(flavor = "multi_thread")]
async fn enabled_protected_and_unconfirmed_people_stay_active() {
    let mut t = connected(Plan::Enterprise).await;
    t.linked("ann@northwind.example", Role::Member);
    let (kim, kim_oid) = t.linked("kim@northwind.example", Role::Member);
    let (_, gone) = t.linked("gone@northwind.example", Role::Member);
    let (_, binned) = t.linked("binned@northwind.example", Role::Member);
    uniasset_core::directory::set_protected(&mut t.org.store, &Actor::CommandLine, kim.id, true)
        .unwrap();
    t.sim.set_enabled(&kim_oid, false);
    t.sim.hard_delete(&gone);
    t.sim.soft_delete(&binned);

    let run = check(&mut t, "ann@northwind.example").await;
    assert_eq!(run.result, RunResult::Succeeded);
    assert!(run.lines.is_empty(), "{:?}", run.lines);
    assert_eq!(
        run.headline,
        "enabled in Microsoft Entra ID: nothing to change"
    );
    assert_eq!(
        t.org.user("ann@northwind.example").status,
        UserStatus::Active
    );

    let run = check(&mut t, "kim@northwind.example").await;
    assert_eq!(run.lines[0].outcome, LineOutcome::SkippedProtected);
    assert_eq!(
        t.org.user("kim@northwind.example").status,
        UserStatus::Active
    );

    // Not found, and not among the deleted items: one reading is not proof.
    let run = check(&mut t, "gone@northwind.example").await;
    assert_eq!(run.result, RunResult::CompletedWithErrors);
    assert_eq!(run.lines[0].outcome, LineOutcome::Error);
    assert_eq!(
        t.org.user("gone@northwind.example").status,
        UserStatus::Active
    );

    // In the recycle bin: deleted, confirmed.
    let run = check(&mut t, "binned@northwind.example").await;
    assert_eq!(
        run.lines[0].reason,
        Some(DeactivationReason::DeletedFromEntra)
    );
    assert_eq!(
        t.org.user("binned@northwind.example").status,
        UserStatus::Deactivated
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_change_nothing_and_store_no_run() {
    let mut t = connected(Plan::Enterprise).await;
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    t.sim.set_enabled(&ann, false);
    let pat = t.org.add(
        "pat@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    let before = runs(&t);

    let refused = sync::check_person(&mut t.org.store, &Actor::CommandLine, pat.id)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "not_linked");
    assert!(
        refused.to_string().contains("pat@northwind.example"),
        "{refused}"
    );

    let ann_id = t.org.user("ann@northwind.example").id;
    let refused = sync::check_person(&mut t.org.store, &pat.as_actor(), ann_id)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "needs_admin");
    let refused = sync::check_person(&mut t.org.store, &Actor::CommandLine, 9999)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "unknown_user");

    assert_eq!(runs(&t), before);
    assert_eq!(
        t.org.user("ann@northwind.example").status,
        UserStatus::Active
    );
}
