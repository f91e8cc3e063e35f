//! People's managers (R-D10) through real HTTP to the Graph simulator: set by hand (audited;
//! refusals change nothing), read from Entra when asked (replacing one set by hand), and read
//! for each person a run deactivates because Entra disabled them — never over one set by hand.

use testkit::tenant::{connected, Connected};
use testkit::MEMBER_EMAIL;
use uniasset_core::assets::{self, NewAsset};
use uniasset_core::directory::{self, ManagerSource, Role, SignInMethod};
use uniasset_core::entra;
use uniasset_core::organization::Plan;
use uniasset_core::ErrorCode;

const DANA: &str = "dana@northwind.example";

/// Dana linked, and Mona, her manager in Entra (not a UniAsset user).
async fn tenant() -> (Connected, i64, String, String) {
    let mut t = connected(Plan::Enterprise).await;
    t.linked("colleague@northwind.example", Role::Member);
    let (dana, oid) = t.linked(DANA, Role::Member);
    let mona = t.sim.add_user(
        "mona@contoso.onmicrosoft.com",
        Some("mona@northwind.example"),
        true,
    );
    (t, dana.id, oid, mona)
}

/// A laptop for `user_id`: only the managers of leavers who hold something are read.
fn give(t: &mut Connected, tag: &str, user_id: i64) {
    let owner = t.org.owner();
    assets::add_asset(
        &mut t.org.store,
        &owner,
        &NewAsset::new(tag, "ThinkPad"),
        Some(user_id),
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn set_by_hand_audited_and_refusals_change_nothing() {
    let (mut t, dana, _, _) = tenant().await;
    t.org
        .add(MEMBER_EMAIL, Role::Member, SignInMethod::Password);
    let owner = t.org.owner();
    let mia = t.org.actor(MEMBER_EMAIL);
    let audit_before = t.org.count("audit_entries");
    for (by, email, code) in [
        (&mia, "mona@northwind.example", "needs_admin"),
        (&owner, "not an address", "invalid_user"),
        (&owner, DANA, "own_manager"),
    ] {
        let err = directory::set_manager(&mut t.org.store, by, dana, email).unwrap_err();
        assert_eq!(err.code(), code, "{err}");
    }
    assert_eq!(t.org.count("user_managers"), 0);
    assert_eq!(t.org.count("audit_entries"), audit_before);

    // A UniAsset user's name is used; anyone else is named by address.
    let set = directory::set_manager(&mut t.org.store, &owner, dana, MEMBER_EMAIL).unwrap();
    assert_eq!(set.name, t.org.user(MEMBER_EMAIL).display_name);
    assert_eq!(set.source, ManagerSource::Hand);
    assert_eq!(t.org.count("audit_entries"), audit_before + 1);
    let details = uniasset_core::details::details(&t.org.store, dana).unwrap();
    assert_eq!(details.manager.unwrap().email, MEMBER_EMAIL);

    // The menu offers "Manager…" to Owners and Admins, and Entra's answer for linked people.
    let may = |by: &uniasset_core::access::Actor, email: &str| {
        let page = directory::page(&t.org.store, by, &Default::default()).unwrap();
        let row = page
            .users
            .into_iter()
            .find(|r| r.user.email == email)
            .unwrap();
        (row.may.manager, row.may.manager_from_entra)
    };
    assert_eq!(may(&owner, DANA), (true, true));
    assert_eq!(may(&owner, MEMBER_EMAIL), (true, false), "not linked");
    assert_eq!(may(&mia, DANA), (false, false));
}

#[tokio::test(flavor = "multi_thread")]
async fn read_from_entra_when_asked_and_none_when_entra_has_none() {
    let (mut t, dana, oid, mona) = tenant().await;
    let owner = t.org.owner();
    directory::set_manager(&mut t.org.store, &owner, dana, MEMBER_EMAIL).unwrap();
    t.sim.set_manager(&oid, Some(&mona));
    let read = entra::manager_from_entra(&mut t.org.store, &owner, dana)
        .await
        .unwrap()
        .expect("Entra has one");
    assert_eq!(read.email, "mona@northwind.example");
    assert_eq!(
        read.source,
        ManagerSource::Entra,
        "asking replaces one set by hand"
    );

    t.sim.set_manager(&oid, None);
    let none = entra::manager_from_entra(&mut t.org.store, &owner, dana)
        .await
        .unwrap();
    assert_eq!(none, None);
    assert_eq!(t.org.count("user_managers"), 0);

    let unlinked = t.org.add(
        "pat@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    let err = entra::manager_from_entra(&mut t.org.store, &owner, unlinked.id)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_linked");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_reads_a_disabled_leavers_manager_but_keeps_one_set_by_hand() {
    let (mut t, dana, oid, mona) = tenant().await;
    let (erin, erin_oid) = t.linked("erin@northwind.example", Role::Member);
    let (gus, gus_oid) = t.linked("gus@northwind.example", Role::Member);
    give(&mut t, "LAP-1", dana);
    give(&mut t, "LAP-2", erin.id);
    let owner = t.org.owner();
    t.sim.set_manager(&gus_oid, Some(&mona));
    t.sim.set_manager(&oid, Some(&mona));
    t.sim.set_manager(&erin_oid, Some(&mona));
    directory::set_manager(&mut t.org.store, &owner, erin.id, "eve@northwind.example").unwrap();
    t.sync().await;
    t.sim.set_enabled(&oid, false);
    t.sim.set_enabled(&erin_oid, false);
    t.sim.set_enabled(&gus_oid, false);
    let run = t.sync().await;
    assert_eq!(run.counts.deactivated, 3, "{run:?}");

    let dana_manager = directory::manager_of(&t.org.store, dana).unwrap().unwrap();
    assert_eq!(
        (dana_manager.email.as_str(), dana_manager.source),
        ("mona@northwind.example", ManagerSource::Entra)
    );
    let erin_manager = directory::manager_of(&t.org.store, erin.id)
        .unwrap()
        .unwrap();
    assert_eq!(
        erin_manager.email, "eve@northwind.example",
        "set by hand stays"
    );
    assert_eq!(
        directory::manager_of(&t.org.store, gus.id).unwrap(),
        None,
        "holding nothing, nobody needs reminding: no request"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deactivating_or_offboarding_a_linked_person_by_hand_reads_their_manager() {
    let (mut t, dana, oid, mona) = tenant().await;
    let (finn, finn_oid) = t.linked("finn@northwind.example", Role::Member);
    give(&mut t, "LAP-1", dana);
    give(&mut t, "LAP-2", finn.id);
    t.sim.set_manager(&oid, Some(&mona));
    t.sim.set_manager(&finn_oid, Some(&mona));
    t.sim.grant_app_role("User.EnableDisableAccount.All");
    t.sim.grant_app_role("User.RevokeSessions.All");
    let owner = t.org.owner();
    entra::deactivate(&mut t.org.store, &owner, dana)
        .await
        .unwrap();
    assert_eq!(
        directory::manager_of(&t.org.store, dana)
            .unwrap()
            .unwrap()
            .email,
        "mona@northwind.example"
    );
    entra::offboard(&mut t.org.store, &owner, finn.id, Default::default())
        .await
        .unwrap();
    assert_eq!(
        directory::manager_of(&t.org.store, finn.id)
            .unwrap()
            .unwrap()
            .source,
        ManagerSource::Entra
    );
}
