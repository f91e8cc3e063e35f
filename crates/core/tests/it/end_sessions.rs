//! Ending leavers' Microsoft sessions (R-E7) through real HTTP to the Graph simulator: off by
//! default; on, a leaver disabled in Entra has their sessions ended after the run saves their
//! deactivation; a deleted account has nothing to end; a refusal or failure never fails the
//! run and is tried again at the next one; only an Owner or Admin turns it on, on Enterprise.

use testkit::tenant::{connected, Connected};
use uniasset_core::access::Actor;
use uniasset_core::audit::{self, AuditQuery};
use uniasset_core::directory::{self, Role, UserStatus};
use uniasset_core::entra::{self, SessionsOutcome};
use uniasset_core::organization::Plan;
use uniasset_core::sync::{LineOutcome, RunRecord, RunResult};
use uniasset_core::ErrorCode;

/// A linked colleague who stays: a run leaving no linked account enabled would be held.
async fn tenant() -> Connected {
    let mut t = connected(Plan::Enterprise).await;
    t.linked("colleague@northwind.example", Role::Member);
    t
}

fn turn_on(t: &mut Connected) {
    entra::set_end_sessions(&mut t.org.store, &Actor::CommandLine, true).unwrap();
}

fn line_of<'a>(run: &'a RunRecord, email: &str) -> &'a uniasset_core::sync::RunLine {
    run.lines.iter().find(|l| l.email == email).expect("a line")
}

fn sessions_of(t: &Connected, email: &str) -> Option<SessionsOutcome> {
    let user = t.org.user(email);
    entra::sessions_end(&t.org.store, user.id)
        .unwrap()
        .map(|e| e.outcome)
}

#[tokio::test(flavor = "multi_thread")]
async fn off_by_default_nothing_is_ended() {
    let mut t = tenant().await;
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    t.sim.grant_app_role("User.RevokeSessions.All");
    t.sim.set_enabled(&ann, false);
    let run = t.sync().await;
    assert_eq!(
        t.org.user("ann@northwind.example").status,
        UserStatus::Deactivated
    );
    assert_eq!(line_of(&run, "ann@northwind.example").sessions, None);
    assert_eq!(t.sim.sessions_revoked_at(&ann), None);
    assert_eq!(sessions_of(&t, "ann@northwind.example"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disabled_leaver_has_their_sessions_ended_and_a_deleted_one_has_none_to_end() {
    let mut t = tenant().await;
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    let (_, cy) = t.linked("cy@northwind.example", Role::Member);
    t.sim.grant_app_role("User.RevokeSessions.All");
    turn_on(&mut t);
    t.sim.set_enabled(&ann, false);
    t.sim.soft_delete(&cy);

    let run = t.sync().await;
    assert_eq!(run.result, RunResult::Succeeded, "{run:?}");
    let ann_line = line_of(&run, "ann@northwind.example");
    assert_eq!(ann_line.outcome, LineOutcome::Deactivated);
    assert_eq!(ann_line.sessions, Some(SessionsOutcome::Ended));
    assert!(t.sim.sessions_revoked_at(&ann).is_some());
    assert_eq!(
        line_of(&run, "cy@northwind.example").sessions,
        Some(SessionsOutcome::NothingToEnd)
    );
    assert_eq!(
        t.sim.sessions_revoked_at(&cy),
        None,
        "no call for a deleted account"
    );

    // Kept: on the person, on the stored run, in the audit trail.
    assert_eq!(
        sessions_of(&t, "ann@northwind.example"),
        Some(SessionsOutcome::Ended)
    );
    let stored = uniasset_core::sync::run(&t.org.store, run.id.unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        line_of(&stored, "ann@northwind.example").sessions,
        Some(SessionsOutcome::Ended)
    );
    let ann = t.org.user("ann@northwind.example");
    let trail = audit::for_user(&t.org.store, ann.id).unwrap();
    assert!(
        trail.iter().any(|e| e.action == "user.sessions_ended"),
        "{trail:?}"
    );

    // Ended once: the next run does not end them again.
    let revoked = t
        .sim
        .sessions_revoked_at(&ann.entra_object_id.clone().unwrap());
    t.sync().await;
    assert_eq!(
        t.sim.sessions_revoked_at(&ann.entra_object_id.unwrap()),
        revoked
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_without_the_permission_then_ended_once_it_is_granted() {
    let mut t = tenant().await;
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    turn_on(&mut t);
    t.sim.set_enabled(&ann, false);

    let run = t.sync().await;
    assert_eq!(
        run.result,
        RunResult::Succeeded,
        "a refusal never fails the run: {run:?}"
    );
    assert_eq!(
        t.org.user("ann@northwind.example").status,
        UserStatus::Deactivated
    );
    assert_eq!(
        line_of(&run, "ann@northwind.example").sessions,
        Some(SessionsOutcome::Refused)
    );
    let blocked = entra::settings(&t.org.store).unwrap().end_sessions_blocked;
    assert!(blocked.is_some_and(|b| b.contains("User.RevokeSessions.All")));

    t.sim.grant_app_role("User.RevokeSessions.All");
    t.sync().await;
    assert!(t.sim.sessions_revoked_at(&ann).is_some());
    assert_eq!(
        sessions_of(&t, "ann@northwind.example"),
        Some(SessionsOutcome::Ended)
    );
    let first = uniasset_core::sync::run(&t.org.store, run.id.unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        line_of(&first, "ann@northwind.example").sessions,
        Some(SessionsOutcome::Ended),
        "the leaver's own run line shows the outcome"
    );
    assert_eq!(
        entra::settings(&t.org.store).unwrap().end_sessions_blocked,
        None
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_attempt_is_tried_again_at_the_next_run() {
    let mut t = tenant().await;
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    t.sim.grant_app_role("User.RevokeSessions.All");
    turn_on(&mut t);
    t.sim.set_enabled(&ann, false);
    t.sim.set_user_failing(&ann, true);
    let run = t.sync().await;
    assert_eq!(
        t.org.user("ann@northwind.example").status,
        UserStatus::Deactivated
    );
    assert_eq!(
        line_of(&run, "ann@northwind.example").sessions,
        Some(SessionsOutcome::Failed)
    );
    let user = t.org.user("ann@northwind.example");
    let end = entra::sessions_end(&t.org.store, user.id).unwrap().unwrap();
    assert!(
        end.detail.contains("next run tries again"),
        "{}",
        end.detail
    );

    t.sim.set_user_failing(&ann, false);
    t.sync().await;
    assert_eq!(
        sessions_of(&t, "ann@northwind.example"),
        Some(SessionsOutcome::Ended)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn turned_on_it_counts_from_then_and_is_refused_to_members_and_small_plans() {
    let mut t = tenant().await;
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    t.sim.grant_app_role("User.RevokeSessions.All");
    t.sim.set_enabled(&ann, false);
    let run = t.sync().await;
    assert_eq!(run.counts.deactivated, 1, "{run:?}");
    // Stamps are to the millisecond: turned on in a later one than her deactivation.
    let deactivated = t.org.user("ann@northwind.example").deactivated_at.unwrap();
    while uniasset_core::clock::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        <= deactivated
    {
        tokio::task::yield_now().await;
    }
    turn_on(&mut t);
    t.sync().await;
    assert_eq!(
        t.sim.sessions_revoked_at(&ann),
        None,
        "deactivated before it was on"
    );

    let mia = t.org.add(
        testkit::MEMBER_EMAIL,
        Role::Member,
        directory::SignInMethod::Password,
    );
    let refused = entra::set_end_sessions(&mut t.org.store, &mia.as_actor(), false).unwrap_err();
    assert_eq!(refused.code(), "needs_admin");
    assert!(entra::settings(&t.org.store)
        .unwrap()
        .end_sessions_since
        .is_some());

    let mut small = testkit::org(Plan::Team);
    let owner = small.owner();
    let refused = entra::set_end_sessions(&mut small.store, &owner, true).unwrap_err();
    assert_eq!(refused.code(), "needs_enterprise");
    assert_eq!(
        entra::settings(&small.store).unwrap().end_sessions_since,
        None
    );
    let entries = audit::page(&small.store, &owner, &AuditQuery::default()).unwrap();
    assert!(entries
        .entries
        .iter()
        .all(|e| !e.action.starts_with("entra.end_sessions")));
}

/// "Allow UniAsset to end sessions" with `account` approving the administrator's sign-in.
async fn grant(t: &mut Connected, account: &str) -> Result<entra::Granted, entra::EntraError> {
    let (prompt, sign_in) = entra::begin_grant(&mut t.org.store, &Actor::CommandLine).await?;
    t.sim
        .approve_device_code(&prompt.user_code, account)
        .unwrap();
    entra::finish_grant(
        &mut t.org.store,
        &Actor::CommandLine,
        sign_in,
        entra::Feature::EndSessions,
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_allows_it_with_one_sign_in_and_a_clerk_cannot() {
    let sim = graph_sim::Simulator::start(graph_sim::TenantConfig {
        device_code_interval_secs: 1,
        ..graph_sim::TenantConfig::default()
    })
    .unwrap();
    let admin = sim.add_user("grace@contoso.onmicrosoft.com", None, true);
    sim.set_roles(&admin, &["Global Administrator"]);
    let clerk = sim.add_user("carl@contoso.onmicrosoft.com", None, true);
    sim.set_roles(&clerk, &["Application Administrator"]);
    let org = testkit::tenant::connected_to(&sim, Plan::Enterprise).await;
    let mut t = Connected { org, sim };
    t.linked("colleague@northwind.example", Role::Member);
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    turn_on(&mut t);

    let refused = grant(&mut t, "carl@contoso.onmicrosoft.com")
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "entra_admin_role_needed");
    assert!(
        refused
            .to_string()
            .contains("Privileged Role Administrator"),
        "{refused}"
    );
    assert!(!t.sim.applications()[0]
        .roles
        .iter()
        .any(|r| r == "User.RevokeSessions.All"));

    let granted = grant(&mut t, "grace@contoso.onmicrosoft.com")
        .await
        .unwrap();
    assert!(granted.roles.iter().any(|r| r == "User.RevokeSessions.All"));
    assert!(t.sim.applications()[0]
        .roles
        .iter()
        .any(|r| r == "User.RevokeSessions.All"));
    assert_eq!(
        entra::settings(&t.org.store).unwrap().end_sessions_blocked,
        None
    );
    // Granting again changes nothing and is no error.
    grant(&mut t, "grace@contoso.onmicrosoft.com")
        .await
        .unwrap();

    t.sim.set_enabled(&ann, false);
    let run = t.sync().await;
    assert_eq!(
        line_of(&run, "ann@northwind.example").sessions,
        Some(SessionsOutcome::Ended)
    );
}
