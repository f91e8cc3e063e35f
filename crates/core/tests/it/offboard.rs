//! "Offboard…" (R-E8) through real HTTP to the Graph simulator: one step disables the account
//! in Entra, ends the sessions and deactivates the person here, listing their assets; a dry
//! run changes nothing; Entra's refusal for an administrator's account is said plainly and the
//! owner may go on; protected people, the last Owner and unlinked people are refused, each
//! refusal changing nothing.

use testkit::tenant::{connected, Connected};
use uniasset_core::assets::{self, NewAsset};
use uniasset_core::audit;
use uniasset_core::directory::{self, Role, SignInMethod, UserStatus};
use uniasset_core::entra::{self, OffboardChoice, SessionsOutcome};
use uniasset_core::organization::Plan;
use uniasset_core::ErrorCode;

const DANA: &str = "dana@northwind.example";

/// Dana, linked and holding a laptop, in a tenant that granted UniAsset what offboarding needs.
async fn tenant() -> (Connected, String) {
    let mut t = connected(Plan::Enterprise).await;
    t.linked("colleague@northwind.example", Role::Member);
    let (dana, oid) = t.linked(DANA, Role::Member);
    let owner = t.org.owner();
    let mut laptop = NewAsset::new("LAPTOP-7", "ThinkPad T14");
    laptop.serial = Some("PF-123".into());
    assets::add_asset(&mut t.org.store, &owner, &laptop, Some(dana.id)).unwrap();
    t.sim.grant_app_role("User.EnableDisableAccount.All");
    t.sim.grant_app_role("User.RevokeSessions.All");
    (t, oid)
}

async fn offboard(
    t: &mut Connected,
    email: &str,
    choice: OffboardChoice,
) -> Result<entra::Offboarding, entra::EntraError> {
    let id = t.org.user(email).id;
    let owner = t.org.owner();
    entra::offboard(&mut t.org.store, &owner, id, choice).await
}

fn offboarded_entries(t: &Connected) -> usize {
    let id = t.org.user(DANA).id;
    audit::for_user(&t.org.store, id)
        .unwrap()
        .iter()
        .filter(|e| e.action == "user.offboarded")
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_says_what_would_happen_and_changes_nothing() {
    let (mut t, oid) = tenant().await;
    let plan = offboard(
        &mut t,
        DANA,
        OffboardChoice {
            dry_run: true,
            anyway: false,
        },
    )
    .await
    .unwrap();
    assert!(plan.dry_run);
    assert!(plan.summary.contains("would disable"), "{}", plan.summary);
    assert!(
        plan.summary.contains("LAPTOP-7 (ThinkPad T14)"),
        "{}",
        plan.summary
    );
    assert_eq!(t.org.user(DANA).status, UserStatus::Active);
    assert!(t.sim.is_enabled(&oid));
    assert_eq!(t.sim.sessions_revoked_at(&oid), None);
    assert_eq!(offboarded_entries(&t), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_step_disables_in_entra_ends_sessions_and_deactivates_here() {
    let (mut t, oid) = tenant().await;
    let done = offboard(&mut t, DANA, OffboardChoice::default())
        .await
        .unwrap();
    assert!(!t.sim.is_enabled(&oid), "disabled in Entra");
    assert!(t.sim.sessions_revoked_at(&oid).is_some(), "sessions ended");
    assert_eq!(t.org.user(DANA).status, UserStatus::Deactivated);
    assert!(done.disabled_in_entra_at.is_some());
    assert_eq!(done.sessions.unwrap().outcome, SessionsOutcome::Ended);
    assert_eq!(
        done.assets
            .iter()
            .map(|a| a.tag.as_str())
            .collect::<Vec<_>>(),
        ["LAPTOP-7"]
    );
    assert!(
        done.summary.contains("offboarded") && done.summary.contains("LAPTOP-7"),
        "{}",
        done.summary
    );
    assert_eq!(offboarded_entries(&t), 1);

    // The next run finds her disabled and already deactivated: nothing more happens.
    let run = t.sync().await;
    assert_eq!(run.counts.deactivated, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrators_account_is_refused_by_entra_and_may_be_deactivated_here_anyway() {
    let (mut t, oid) = tenant().await;
    t.sim.set_roles(&oid, &["User Administrator"]);
    let refused = offboard(&mut t, DANA, OffboardChoice::default())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "entra_refused");
    assert!(
        refused.to_string().contains("administrator role"),
        "{refused}"
    );
    assert_eq!(
        t.org.user(DANA).status,
        UserStatus::Active,
        "nothing changed here"
    );
    assert!(t.sim.is_enabled(&oid));
    assert_eq!(offboarded_entries(&t), 0);

    let done = offboard(
        &mut t,
        DANA,
        OffboardChoice {
            dry_run: false,
            anyway: true,
        },
    )
    .await
    .unwrap();
    assert_eq!(t.org.user(DANA).status, UserStatus::Deactivated);
    assert!(
        t.sim.is_enabled(&oid),
        "still enabled in Entra: the owner was told"
    );
    assert!(done.disabled_in_entra_at.is_none());
    assert!(done.entra_refused.unwrap().contains("administrator role"));
    assert!(
        done.summary.contains("was not disabled"),
        "{}",
        done.summary
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_permission_the_refusal_says_what_is_missing() {
    let mut t = connected(Plan::Enterprise).await;
    let (_, oid) = t.linked(DANA, Role::Member);
    let refused = offboard(&mut t, DANA, OffboardChoice::default())
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("User.EnableDisableAccount.All"),
        "{refused}"
    );
    assert_eq!(t.org.user(DANA).status, UserStatus::Active);
    assert!(t.sim.is_enabled(&oid));
}

#[tokio::test(flavor = "multi_thread")]
async fn protected_unlinked_last_owner_and_members_are_refused_changing_nothing() {
    let (mut t, oid) = tenant().await;
    let owner = t.org.owner();
    let dana = t.org.user(DANA);
    directory::set_protected(&mut t.org.store, &owner, dana.id, true).unwrap();
    let refused = offboard(&mut t, DANA, OffboardChoice::default())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "protected_user");
    directory::set_protected(&mut t.org.store, &owner, dana.id, false).unwrap();

    t.org.add(
        "pat@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    let refused = offboard(&mut t, "pat@northwind.example", OffboardChoice::default())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "not_linked");

    let refused = offboard(&mut t, testkit::OWNER_EMAIL, OffboardChoice::default())
        .await
        .unwrap_err();
    assert!(
        matches!(refused.code(), "self_deactivation" | "last_owner"),
        "{}",
        refused.code()
    );

    let mia = t
        .org
        .add(testkit::MEMBER_EMAIL, Role::Member, SignInMethod::Password);
    let refused = entra::offboard(
        &mut t.org.store,
        &mia.as_actor(),
        dana.id,
        OffboardChoice::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.code(), "needs_admin");

    assert_eq!(t.org.user(DANA).status, UserStatus::Active);
    assert!(t.sim.is_enabled(&oid));
    assert_eq!(t.sim.sessions_revoked_at(&oid), None);
    assert_eq!(offboarded_entries(&t), 0);
}
