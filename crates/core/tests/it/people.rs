//! People from Microsoft Entra ID (R-D8) against the Graph simulator over real HTTP, with the
//! secret in the real keychain (run under scripts/with-keyring.sh): who is offered, adding
//! them (re-read from Entra, never a guest, disabled or deleted account, never a duplicate
//! address), `provision` for the command line, and sync runs adding new accounts.

use chrono::{Duration, Utc};
use testkit::tenant::{automatic, connected, sync_store, Connected};
use uniasset_core::access::Actor;
use uniasset_core::audit;
use uniasset_core::directory::{self, Role, SignInMethod, UserQuery};
use uniasset_core::entra::{self, EntraError, ProvisionOutcome};
use uniasset_core::organization::Plan;
use uniasset_core::sync::{self, LineOutcome, RunResult, Trigger};
use uniasset_core::ErrorCode;

/// The tenant's accounts, by what they are.
struct Tenant {
    adele: String,
    guest: String,
    disabled: String,
    deleted: String,
    /// Has the address of a password user.
    pat: String,
    /// Has the address of an unlinked Microsoft user.
    mike: String,
    /// Already linked to a UniAsset user.
    linked: String,
}

fn member(t: &Connected, email: &str, name: &str) -> String {
    let oid = t.sim.add_user(email, Some(email), true);
    t.sim.set_display_name(&oid, name);
    oid
}

async fn tenant() -> (Connected, Tenant) {
    let mut t = connected(Plan::Enterprise).await;
    let adele = member(&t, "adele@contoso.com", "Adele Vance");
    let guest = t.sim.add_guest(
        "gina_fabrikam.com#EXT#@contoso.onmicrosoft.com",
        Some("gina@fabrikam.com"),
        true,
    );
    t.sim.set_display_name(&guest, "Gina Guest");
    let disabled = member(&t, "dora@contoso.com", "Dora Disabled");
    t.sim.set_enabled(&disabled, false);
    let deleted = member(&t, "dan@contoso.com", "Dan Deleted");
    t.sim.soft_delete(&deleted);
    let pat = member(&t, "pat@contoso.com", "Pat Password");
    t.org
        .add("pat@contoso.com", Role::Member, SignInMethod::Password);
    let mike = t.sim.add_user(
        "mike@contoso.onmicrosoft.com",
        Some("mike@contoso.com"),
        true,
    );
    t.sim.set_display_name(&mike, "Mike Microsoft");
    t.org
        .add("MIKE@contoso.com", Role::Admin, SignInMethod::Microsoft);
    let (_, linked) = t.linked("lee@contoso.com", Role::Member);
    (
        t,
        Tenant {
            adele,
            guest,
            disabled,
            deleted,
            pat,
            mike,
            linked,
        },
    )
}

fn user_count(t: &Connected) -> i64 {
    t.org.count("users")
}

#[tokio::test(flavor = "multi_thread")]
async fn only_enabled_members_not_in_uniasset_are_offered() {
    let (mut t, a) = tenant().await;
    let owner = t.org.owner();
    let offered = entra::people(&mut t.org.store, &owner, None).await.unwrap();
    assert!(!offered.more);
    let by_id = |oid: &str| offered.people.iter().find(|p| p.object_id == oid);
    for never in [&a.guest, &a.disabled, &a.deleted, &a.linked] {
        assert!(by_id(never).is_none(), "{never} offered: {offered:?}");
    }
    let adele = by_id(&a.adele).unwrap();
    assert_eq!(
        (
            adele.display_name.as_str(),
            adele.email.as_str(),
            adele.outcome
        ),
        ("Adele Vance", "adele@contoso.com", ProvisionOutcome::Add)
    );
    let mike = by_id(&a.mike).unwrap();
    assert_eq!(mike.outcome, ProvisionOutcome::Link);
    assert_eq!(
        mike.email, "MIKE@contoso.com",
        "the UniAsset user's address"
    );
    let pat = by_id(&a.pat).unwrap();
    assert_eq!(pat.outcome, ProvisionOutcome::LeftAlone);
    assert!(
        pat.note
            .as_deref()
            .unwrap()
            .contains("signs in with a password"),
        "{pat:?}"
    );
    assert_eq!(offered.people.len(), 3, "{offered:?}");
    let names: Vec<&str> = offered
        .people
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(names, ["Adele Vance", "Mike Microsoft", "Pat Password"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn search_narrows_by_name_or_address_and_a_long_list_says_more() {
    let (mut t, a) = tenant().await;
    let owner = t.org.owner();
    let found = |people: &entra::EntraPeople| -> Vec<String> {
        people.people.iter().map(|p| p.object_id.clone()).collect()
    };
    let by_word = entra::people(&mut t.org.store, &owner, Some("va"))
        .await
        .unwrap();
    assert_eq!(found(&by_word), [a.adele.as_str()], "a word of the name");
    let by_address = entra::people(&mut t.org.store, &owner, Some("mike@"))
        .await
        .unwrap();
    assert_eq!(found(&by_address), [a.mike.as_str()]);
    let guest = entra::people(&mut t.org.store, &owner, Some("gina"))
        .await
        .unwrap();
    assert!(guest.people.is_empty(), "guests never, searched or not");
    let quoted = entra::people(&mut t.org.store, &owner, Some("\"adele\""))
        .await
        .unwrap();
    assert_eq!(found(&quoted), [a.adele.as_str()]);

    t.sim
        .add_users(entra::people::PEOPLE_SHOWN + 5, "contoso.com");
    let all = entra::people(&mut t.org.store, &owner, None).await.unwrap();
    assert_eq!(all.people.len(), entra::people::PEOPLE_SHOWN);
    assert!(all.more);
    let narrowed = entra::people(&mut t.org.store, &owner, Some("user0020"))
        .await
        .unwrap();
    assert_eq!(narrowed.people.len(), 6, "user00200 … user00205");
    assert!(!narrowed.more);
}

#[tokio::test(flavor = "multi_thread")]
async fn adding_rereads_entra_and_never_adds_guests_disabled_or_deleted() {
    let (mut t, a) = tenant().await;
    let owner = t.org.owner();
    let before = user_count(&t);
    // Offered a moment ago, disabled since: the add reads Entra again.
    let ben = member(&t, "ben@contoso.com", "Ben Bright");
    t.sim.set_enabled(&ben, false);
    let unknown = "9f3c1f0e-1d7e-4c39-9a55-4d1f2f6b7a10".to_string();
    let chosen = vec![
        a.adele.to_uppercase(),
        a.adele.clone(),
        a.guest.clone(),
        a.disabled.clone(),
        a.deleted.clone(),
        ben.clone(),
        unknown.clone(),
        "not-a-guid".to_string(),
    ];
    let report = entra::add_people(&mut t.org.store, &owner, &chosen, Role::Admin)
        .await
        .unwrap();
    assert_eq!(report.added.len(), 1, "{report:?}");
    assert!(report.linked.is_empty());
    let adele = &report.added[0];
    assert_eq!(adele.email, "adele@contoso.com");
    assert_eq!(adele.display_name, "Adele Vance");
    assert_eq!(adele.role, Role::Admin);
    assert_eq!(adele.sign_in, SignInMethod::Microsoft);
    assert_eq!(adele.entra_object_id.as_deref(), Some(a.adele.as_str()));
    assert_eq!(
        adele.entra_tenant_id.as_deref(),
        Some(t.sim.tenant_id().as_str())
    );
    assert_eq!(user_count(&t), before + 1);

    let reason = |email: &str| {
        report
            .left_alone
            .iter()
            .find(|l| l.email == email)
            .map(|l| l.reason.clone())
            .unwrap_or_else(|| panic!("{email} not listed: {report:?}"))
    };
    assert!(reason("gina@fabrikam.com").contains("guest"));
    assert!(reason("dora@contoso.com").contains("disabled"));
    assert!(reason("ben@contoso.com").contains("disabled"));
    assert!(reason(&a.deleted).contains("no such account"));
    assert!(reason(&unknown).contains("no such account"));
    assert!(reason("not-a-guid").contains("not an Entra object id"));
    assert_eq!(report.left_alone.len(), 6);

    let trail = audit::for_user(&t.org.store, adele.id).unwrap();
    let added = trail.iter().find(|e| e.action == "user.added").unwrap();
    assert!(
        added.detail.contains("from Microsoft Entra ID"),
        "{}",
        added.detail
    );
    assert!(added.actor.contains("Olivia Owner"), "{added:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_already_in_uniasset_is_linked_or_left_alone_never_duplicated() {
    let (mut t, a) = tenant().await;
    let owner = t.org.owner();
    let before = user_count(&t);
    let report = entra::add_people(
        &mut t.org.store,
        &owner,
        &[a.mike.clone(), a.pat.clone()],
        Role::Member,
    )
    .await
    .unwrap();
    assert!(report.added.is_empty(), "{report:?}");
    assert_eq!(report.linked.len(), 1);
    let mike = &report.linked[0];
    assert_eq!(mike.email, "MIKE@contoso.com");
    assert_eq!(mike.entra_object_id.as_deref(), Some(a.mike.as_str()));
    assert_eq!(mike.role, Role::Admin, "linking changes nothing else");
    let trail = audit::for_user(&t.org.store, mike.id).unwrap();
    assert!(trail.iter().any(|e| e.action == "user.linked_to_entra"
        && e.detail.contains(&a.mike)
        && e.detail.contains("from Microsoft Entra ID")));

    assert_eq!(report.left_alone.len(), 1);
    assert_eq!(report.left_alone[0].email, "pat@contoso.com");
    assert!(report.left_alone[0]
        .reason
        .contains("signs in with a password"));
    let pat = t.org.user("pat@contoso.com");
    assert_eq!(pat.sign_in, SignInMethod::Password);
    assert_eq!(pat.entra_object_id, None);
    assert_eq!(user_count(&t), before, "nobody duplicated");

    // Both are now out of the list: Mike is linked, and Pat's account is still offered as
    // left alone only because the address is a password user's.
    let offered = entra::people(&mut t.org.store, &owner, None).await.unwrap();
    assert!(offered.people.iter().all(|p| p.object_id != a.mike));
}

#[tokio::test(flavor = "multi_thread")]
async fn owners_need_an_owner_and_members_add_nobody() {
    let (mut t, a) = tenant().await;
    t.org
        .add("ada@northwind.example", Role::Admin, SignInMethod::Password);
    t.org.add(
        "max@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    let admin = t.org.actor("ada@northwind.example");
    let member = t.org.actor("max@northwind.example");
    let ids = [a.adele.clone()];
    let err = entra::add_people(&mut t.org.store, &admin, &ids, Role::Owner)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "needs_owner");
    for e in [
        entra::add_people(&mut t.org.store, &member, &ids, Role::Member)
            .await
            .unwrap_err(),
        entra::people(&mut t.org.store, &member, None)
            .await
            .unwrap_err(),
        entra::provision(&mut t.org.store, &member, false)
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.code(), "needs_admin", "{e}");
    }
    assert!(directory::find_by_email(&t.org.store, "adele@contoso.com").is_err());
    let owner = t.org.owner();
    let report = entra::add_people(&mut t.org.store, &owner, &ids, Role::Owner)
        .await
        .unwrap();
    assert_eq!(report.added[0].role, Role::Owner);
}

#[tokio::test(flavor = "multi_thread")]
async fn provision_dry_run_changes_nothing_and_a_second_run_adds_nobody() {
    let (mut t, a) = tenant().await;
    let me = Actor::CommandLine;
    let users = user_count(&t);
    let audits = t.org.count("audit_entries");
    let preview = entra::provision(&mut t.org.store, &me, true).await.unwrap();
    assert_eq!(user_count(&t), users);
    assert_eq!(t.org.count("audit_entries"), audits);
    assert!(t.org.user("MIKE@contoso.com").entra_object_id.is_none());

    let done = entra::provision(&mut t.org.store, &me, false)
        .await
        .unwrap();
    let emails = |users: &[directory::User]| -> Vec<String> {
        users.iter().map(|u| u.email.clone()).collect()
    };
    assert_eq!(emails(&preview.added), emails(&done.added));
    assert_eq!(emails(&preview.linked), emails(&done.linked));
    assert_eq!(preview.left_alone, done.left_alone);
    assert_eq!(emails(&done.added), ["adele@contoso.com"]);
    assert_eq!(emails(&done.linked), ["MIKE@contoso.com"]);
    assert_eq!(done.left_alone.len(), 1);
    assert_eq!(user_count(&t), users + 1);
    assert_eq!(
        t.org.user("adele@contoso.com").role,
        Role::Member,
        "the command line adds Members"
    );
    for oid in [&a.guest, &a.disabled, &a.deleted] {
        let list = directory::list_users(&t.org.store, &UserQuery::default()).unwrap();
        assert!(list
            .users
            .iter()
            .all(|u| u.entra_object_id.as_deref() != Some(oid)));
    }

    let again = entra::provision(&mut t.org.store, &me, false)
        .await
        .unwrap();
    assert!(
        again.added.is_empty() && again.linked.is_empty(),
        "{again:?}"
    );
    assert_eq!(user_count(&t), users + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_connection_nothing_is_read_or_added() {
    let mut org = testkit::org(Plan::Enterprise);
    let owner = org.owner();
    let errors: Vec<EntraError> = vec![
        entra::people(&mut org.store, &owner, None)
            .await
            .unwrap_err(),
        entra::add_people(&mut org.store, &owner, &[], Role::Member)
            .await
            .unwrap_err(),
        entra::provision(&mut org.store, &owner, false)
            .await
            .unwrap_err(),
        entra::set_auto_add_users(&mut org.store, &owner, true).unwrap_err(),
    ];
    for e in errors {
        assert_eq!(e.code(), "entra_not_connected");
        assert!(e.to_string().contains("not connected"), "{e}");
    }
    assert!(!entra::settings(&org.store).unwrap().auto_add_new_users);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_auto_add_setting_is_for_admins_audited_and_off_after_disconnect() {
    let mut t = connected(Plan::Team).await;
    t.org.add(
        "max@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    let member = t.org.actor("max@northwind.example");
    assert_eq!(
        entra::set_auto_add_users(&mut t.org.store, &member, true)
            .unwrap_err()
            .code(),
        "needs_admin"
    );
    let owner = t.org.owner();
    assert!(!entra::settings(&t.org.store).unwrap().auto_add_new_users);
    entra::set_auto_add_users(&mut t.org.store, &owner, true).unwrap();
    entra::set_auto_add_users(&mut t.org.store, &owner, true).unwrap();
    let settings = entra::settings(&t.org.store).unwrap();
    assert!(settings.auto_add_new_users);
    assert!(settings.auto_add_since.is_some());
    let conn = rusqlite::Connection::open(t.org.store.path()).unwrap();
    let on: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_entries WHERE action = 'entra.auto_add_on'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(on, 1, "audited once: the second call changed nothing");
    entra::disconnect(&mut t.org.store, &owner).unwrap();
    assert!(!entra::settings(&t.org.store).unwrap().auto_add_new_users);
}

#[tokio::test(flavor = "multi_thread")]
async fn nightly_runs_add_accounts_created_since_the_setting_from_the_delta_they_read() {
    let (mut t, a) = tenant().await;
    let owner = t.org.owner();
    entra::set_auto_deprovision(&mut t.org.store, &owner, true).unwrap();
    // Accounts made before the setting was on are not new, even when they change later.
    for oid in [&a.adele, &a.mike, &a.pat] {
        t.sim.set_created(oid, Utc::now() - Duration::days(30));
    }
    let first = automatic(&mut t.org.store, Trigger::Scheduled).await;
    assert_eq!(first.result, RunResult::Succeeded, "{first:?}");
    entra::set_auto_add_users(&mut t.org.store, &owner, true).unwrap();

    let nina = member(&t, "nina@contoso.com", "Nina New");
    let guest = t.sim.add_guest(
        "gus_fabrikam.com#EXT#@contoso.onmicrosoft.com",
        Some("gus@fabrikam.com"),
        true,
    );
    let dora = member(&t, "dora.new@contoso.com", "Dora New");
    t.sim.set_enabled(&dora, false);
    let olga = member(&t, "olga@contoso.com", "Olga Owner-to-be");
    t.sim
        .add_user("paula@contoso.com", Some("paula@contoso.com"), true);
    t.org
        .add("paula@contoso.com", Role::Member, SignInMethod::Google);
    t.org
        .add("mo@contoso.com", Role::Member, SignInMethod::Microsoft);
    let mo = member(&t, "mo@contoso.com", "Mo Microsoft");
    t.sim.set_display_name(&a.adele, "Adele Vance-Smith");
    t.sim.set_enabled(&olga, true);

    t.sim.reset_counts();
    let users = user_count(&t);
    let run = automatic(&mut t.org.store, Trigger::Scheduled).await;
    assert_eq!(run.result, RunResult::Succeeded, "{run:?}");
    assert_eq!(
        t.sim.counts().total,
        2,
        "a token and one delta page: new accounts cost nothing more"
    );
    let lines = |outcome: LineOutcome| -> Vec<String> {
        run.lines
            .iter()
            .filter(|l| l.outcome == outcome)
            .map(|l| l.email.clone())
            .collect()
    };
    let mut added = lines(LineOutcome::Added);
    added.sort();
    assert_eq!(added, ["nina@contoso.com", "olga@contoso.com"]);
    assert_eq!(lines(LineOutcome::Linked), ["mo@contoso.com"]);
    assert_eq!((run.counts.added, run.counts.linked), (2, 1));
    assert_eq!(run.headline, "0 deactivated, 2 added, 1 linked");
    assert_eq!(user_count(&t), users + 2);
    let nina_user = t.org.user("nina@contoso.com");
    assert_eq!(nina_user.role, Role::Member);
    assert_eq!(nina_user.entra_object_id.as_deref(), Some(nina.as_str()));
    assert_eq!(
        t.org.user("mo@contoso.com").entra_object_id.as_deref(),
        Some(mo.as_str())
    );
    assert!(directory::find_by_email(&t.org.store, "adele@contoso.com").is_err());
    assert!(directory::find_by_email(&t.org.store, "gus@fabrikam.com").is_err());
    assert!(directory::find_by_email(&t.org.store, "dora.new@contoso.com").is_err());
    assert_eq!(
        t.org.user("paula@contoso.com").sign_in,
        SignInMethod::Google
    );
    let stored = sync::run(&t.org.store, run.id.unwrap()).unwrap().unwrap();
    assert_eq!(stored.counts, run.counts);
    assert_eq!(stored.lines.len(), run.lines.len());
    let trail = audit::for_user(&t.org.store, nina_user.id).unwrap();
    let entry = trail.iter().find(|e| e.action == "user.added").unwrap();
    assert_eq!(entry.actor, "Microsoft Entra ID sync");
    assert!(entry.detail.contains("from Microsoft Entra ID"));

    // Dora enabled later is new (created after the setting) and added then; a quiet night
    // after that costs two requests and adds nobody.
    t.sim.set_enabled(&dora, true);
    let later = automatic(&mut t.org.store, Trigger::Scheduled).await;
    assert_eq!(
        later
            .lines
            .iter()
            .map(|l| (l.outcome, l.email.as_str()))
            .collect::<Vec<_>>(),
        [(LineOutcome::Added, "dora.new@contoso.com")]
    );
    t.sim.reset_counts();
    let quiet = automatic(&mut t.org.store, Trigger::Scheduled).await;
    assert_eq!(t.sim.counts().total, 2);
    assert!(quiet.lines.is_empty(), "{quiet:?}");
    assert_eq!(quiet.headline, "0 deactivated");
    let _ = guest;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_setting_off_runs_add_nobody_and_a_dry_run_only_says_who_it_would_add() {
    let (mut t, _) = tenant().await;
    let owner = t.org.owner();
    entra::set_auto_deprovision(&mut t.org.store, &owner, true).unwrap();
    automatic(&mut t.org.store, Trigger::Scheduled).await;
    member(&t, "nina@contoso.com", "Nina New");
    let users = user_count(&t);
    let off = automatic(&mut t.org.store, Trigger::Scheduled).await;
    assert!(off.lines.is_empty(), "{off:?}");
    assert_eq!(user_count(&t), users);

    entra::set_auto_add_users(&mut t.org.store, &owner, true).unwrap();
    let nora = member(&t, "nora@contoso.com", "Nora Newer");
    let preview = sync_store(&mut t.org.store, Trigger::Manual, true).await;
    assert_eq!(preview.lines.len(), 1, "{preview:?}");
    assert_eq!(preview.lines[0].outcome, LineOutcome::WouldAdd);
    assert_eq!(
        preview.lines[0].entra_object_id.as_deref(),
        Some(nora.as_str())
    );
    assert_eq!(user_count(&t), users, "a dry run adds nobody");

    // Sync Now runs the same check as the nightly run: it adds too.
    let manual = sync_store(&mut t.org.store, Trigger::Manual, false).await;
    assert_eq!(manual.counts.added, 1, "{manual:?}");
    assert_eq!(t.org.user("nora@contoso.com").role, Role::Member);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delta_link_saved_with_the_old_selection_restarts_with_a_full_read() {
    let (mut t, _) = tenant().await;
    let owner = t.org.owner();
    entra::set_auto_deprovision(&mut t.org.store, &owner, true).unwrap();
    automatic(&mut t.org.store, Trigger::Scheduled).await;
    t.sim.reset_counts();
    automatic(&mut t.org.store, Trigger::Scheduled).await;
    assert_eq!(t.sim.counts().user_list, 0, "the saved link is followed");

    // As a link saved by the previous version, whose $select carried only id,accountEnabled.
    let conn = rusqlite::Connection::open(t.org.store.path()).unwrap();
    conn.execute("UPDATE entra_delta SET fields = ''", [])
        .unwrap();
    t.sim.reset_counts();
    let run = automatic(&mut t.org.store, Trigger::Scheduled).await;
    assert_eq!(run.result, RunResult::Succeeded, "{run:?}");
    assert!(t.sim.counts().user_list >= 1, "a full read");
    t.sim.reset_counts();
    automatic(&mut t.org.store, Trigger::Scheduled).await;
    assert_eq!(t.sim.counts().total, 2, "then delta again");
}
