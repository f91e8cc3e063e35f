//! Editing users under the role rules (R-D5), adding one with a first password, what each
//! row of the Users page offers, and the assets each person holds.

use chrono::Utc;
use testkit::tenant::connected;
use uniasset_core::access::Actor;
use uniasset_core::assets;
use uniasset_core::audit;
use uniasset_core::directory::{
    self, AccountGap, DirectoryError, NewUser, Role, SignInMethod, User, UserEdit, UserQuery,
};
use uniasset_core::organization::Plan;
use uniasset_core::password::Password;
use uniasset_core::sessions;
use uniasset_core::ErrorCode;

const MIA: &str = testkit::MEMBER_EMAIL;
const ADAM: &str = testkit::ADMIN_EMAIL;
const OID: &str = "6f1d1b3a-95b5-4b5c-9c8a-2e7b3c1e0a11";

fn edit_of(user: &User) -> UserEdit {
    UserEdit {
        display_name: user.display_name.clone(),
        role: user.role,
        sign_in: user.sign_in,
        entra_object_id: user.entra_object_id.clone(),
    }
}

/// Every user as stored, and how long the audit trail is: a refusal leaves both alone.
fn state(org: &testkit::Org) -> (String, i64) {
    let users = directory::list_users(&org.store, &UserQuery::default()).unwrap();
    (format!("{:?}", users.users), org.count("audit_entries"))
}

/// An edit of `user`'s role alone that must succeed; returns the user as now stored.
fn set_role(org: &mut testkit::Org, by: &Actor, user: &User, role: Role) -> User {
    directory::edit_user(
        &mut org.store,
        by,
        user.id,
        &UserEdit {
            role,
            ..edit_of(user)
        },
    )
    .unwrap()
}

fn refused(
    org: &mut testkit::Org,
    by: &Actor,
    user_id: i64,
    edit: &UserEdit,
    code: &str,
) -> DirectoryError {
    let before = state(org);
    let err = directory::edit_user(&mut org.store, by, user_id, edit).unwrap_err();
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(state(org), before, "a refused edit changes nothing");
    err
}

#[test]
fn an_owner_edits_name_role_sign_in_and_link_and_each_edit_is_audited() {
    let mut org = testkit::team(Plan::Team);
    let owner = org.owner();
    let mia = org.user(MIA);

    let edited = directory::edit_user(
        &mut org.store,
        &owner,
        mia.id,
        &UserEdit {
            display_name: "  Mia Lopez ".into(),
            role: Role::Admin,
            ..edit_of(&mia)
        },
    )
    .unwrap();
    assert_eq!(edited.display_name, "Mia Lopez");
    assert_eq!(edited.role, Role::Admin);
    assert_eq!(org.user(MIA), edited, "stored as returned");
    let trail = audit::for_user(&org.store, mia.id).unwrap();
    assert_eq!(trail[0].action, "user.edited");
    assert_eq!(trail[0].actor, "Olivia Owner <olivia@northwind.example>");
    assert_eq!(
        trail[0].detail,
        "name: mia → Mia Lopez; role: Member → Admin"
    );

    let linked = directory::edit_user(
        &mut org.store,
        &owner,
        mia.id,
        &UserEdit {
            sign_in: SignInMethod::Microsoft,
            entra_object_id: Some(OID.to_uppercase()),
            ..edit_of(&edited)
        },
    )
    .unwrap();
    assert_eq!(linked.sign_in, SignInMethod::Microsoft);
    assert_eq!(
        linked.entra_object_id.as_deref(),
        Some(OID),
        "canonical form"
    );
    assert_eq!(
        linked.entra_tenant_id, None,
        "no connection to take it from"
    );
    let trail = audit::for_user(&org.store, mia.id).unwrap();
    assert_eq!(
        trail[0].detail,
        format!("sign-in: password → Microsoft; Entra object id: none → {OID}")
    );
    assert_eq!(linked.email, MIA, "the email never changes");
}

#[test]
fn an_edit_that_changes_nothing_writes_nothing() {
    let mut org = testkit::team(Plan::Team);
    let owner = org.owner();
    let mia = org.user(MIA);
    let before = state(&org);
    let same = directory::edit_user(&mut org.store, &owner, mia.id, &edit_of(&mia)).unwrap();
    assert_eq!(same, mia);
    assert_eq!(state(&org), before, "no audit entry for no change");
}

#[test]
fn members_cannot_edit_anyone_not_even_themselves() {
    let mut org = testkit::team(Plan::Team);
    let member = org.actor(MIA);
    let mia = org.user(MIA);
    let adam = org.user(ADAM);
    let rename = |u: &User| UserEdit {
        display_name: "Renamed".into(),
        ..edit_of(u)
    };
    refused(&mut org, &member, adam.id, &rename(&adam), "needs_admin");
    let err = refused(&mut org, &member, mia.id, &rename(&mia), "needs_admin");
    assert_eq!(err.to_string(), "Only an Owner or Admin can edit users.");
    let promote = UserEdit {
        role: Role::Owner,
        ..edit_of(&mia)
    };
    refused(&mut org, &member, mia.id, &promote, "needs_admin");
}

#[test]
fn an_admin_cannot_edit_an_owner_nor_make_one() {
    let mut org = testkit::team(Plan::Team);
    let admin = org.actor(ADAM);
    let owner = org.user(testkit::OWNER_EMAIL);
    let mia = org.user(MIA);

    let err = refused(
        &mut org,
        &admin,
        owner.id,
        &UserEdit {
            display_name: "Not Olivia".into(),
            ..edit_of(&owner)
        },
        "needs_owner",
    );
    assert_eq!(err.to_string(), "Only an Owner can edit an Owner.");
    let err = refused(
        &mut org,
        &admin,
        mia.id,
        &UserEdit {
            role: Role::Owner,
            ..edit_of(&mia)
        },
        "needs_owner",
    );
    assert_eq!(err.to_string(), "Only an Owner can make someone an Owner.");

    // What an Admin may do: edit and promote a Member to Admin.
    let done = set_role(&mut org, &admin, &mia, Role::Admin);
    assert_eq!(done.role, Role::Admin);
}

#[test]
fn only_an_owner_unmakes_an_owner_and_the_last_active_owner_stays_one() {
    let mut org = testkit::team(Plan::Team);
    let owner = org.owner();
    let olivia = org.user(testkit::OWNER_EMAIL);
    let demote = |u: &User| UserEdit {
        role: Role::Admin,
        ..edit_of(u)
    };

    let err = refused(&mut org, &owner, olivia.id, &demote(&olivia), "last_owner");
    assert_eq!(
        err.to_string(),
        "olivia@northwind.example is the last active Owner and must stay an Owner. Make another user an Owner first."
    );
    refused(
        &mut org,
        &Actor::CommandLine,
        olivia.id,
        &demote(&olivia),
        "last_owner",
    );

    // A second Owner, deactivated, does not count: Olivia is still the last active one.
    let mia = org.user(MIA);
    set_role(&mut org, &owner, &mia, Role::Owner);
    directory::deactivate(&mut org.store, &owner, mia.id).unwrap();
    refused(&mut org, &owner, olivia.id, &demote(&olivia), "last_owner");
    // A deactivated Owner may be demoted; an Admin may not do it.
    let mia = org.user(MIA);
    let admin = org.actor(ADAM);
    refused(&mut org, &admin, mia.id, &demote(&mia), "needs_owner");
    directory::edit_user(&mut org.store, &owner, mia.id, &demote(&mia)).unwrap();

    // With another active Owner, Olivia may step down.
    let mia = org.user(MIA);
    directory::reactivate(&mut org.store, &owner, mia.id).unwrap();
    set_role(&mut org, &owner, &mia, Role::Owner);
    let stepped_down = set_role(&mut org, &owner, &olivia, Role::Member);
    assert_eq!(stepped_down.role, Role::Member);
    let mia = org.user(MIA);
    refused(
        &mut org,
        &mia.as_actor(),
        mia.id,
        &demote(&mia),
        "last_owner",
    );
}

#[test]
fn edits_are_checked_like_new_users() {
    let mut org = testkit::team(Plan::Team);
    let owner = org.owner();
    let mia = org.user(MIA);
    let err = refused(
        &mut org,
        &owner,
        mia.id,
        &UserEdit {
            display_name: "  ".into(),
            entra_object_id: Some("not-a-guid".into()),
            ..edit_of(&mia)
        },
        "invalid_user",
    );
    assert_eq!(
        err.to_string(),
        "The name is missing; \"not-a-guid\" is not an Entra object id (a GUID such as 0f8fad5b-d9cb-469f-a165-70867728950e)."
    );
    let err = refused(
        &mut org,
        &owner,
        mia.id,
        &UserEdit {
            entra_object_id: Some(OID.into()),
            ..edit_of(&mia)
        },
        "invalid_user",
    );
    assert!(
        err.to_string()
            .contains("Only users who sign in with Microsoft can have an Entra object id"),
        "{err}"
    );
    refused(
        &mut org,
        &owner,
        mia.id,
        &UserEdit {
            display_name: "x".repeat(121),
            ..edit_of(&mia)
        },
        "invalid_user",
    );
    refused(&mut org, &owner, 9999, &edit_of(&mia), "unknown_user");
}

#[test]
fn an_entra_object_id_links_one_user_only() {
    let mut org = testkit::team(Plan::Team);
    let owner = org.owner();
    let ann = directory::add_user(
        &mut org.store,
        &owner,
        &NewUser {
            email: "ann@northwind.example".into(),
            display_name: "Ann".into(),
            role: Role::Member,
            sign_in: SignInMethod::Microsoft,
            entra_object_id: Some(OID.into()),
        },
        None,
    )
    .unwrap();
    let mia = org.user(MIA);
    let err = refused(
        &mut org,
        &owner,
        mia.id,
        &UserEdit {
            sign_in: SignInMethod::Microsoft,
            entra_object_id: Some(OID.to_uppercase()),
            ..edit_of(&mia)
        },
        "duplicate_entra_id",
    );
    assert_eq!(
        err.to_string(),
        format!("Another user is already linked to the Entra object id {OID}.")
    );
    // Ann keeps her own id through an edit.
    let renamed = directory::edit_user(
        &mut org.store,
        &owner,
        ann.id,
        &UserEdit {
            display_name: "Ann Lee".into(),
            ..edit_of(&ann)
        },
    )
    .unwrap();
    assert_eq!(renamed.entra_object_id.as_deref(), Some(OID));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_entra_link_takes_the_connected_tenant_and_an_unchanged_one_keeps_its_own() {
    let mut t = connected(Plan::Enterprise).await;
    let owner = t.org.owner();
    let bo = t.org.add(
        "bo@northwind.example",
        Role::Member,
        SignInMethod::Microsoft,
    );
    let linked = directory::edit_user(
        &mut t.org.store,
        &owner,
        bo.id,
        &UserEdit {
            entra_object_id: Some(OID.into()),
            ..edit_of(&bo)
        },
    )
    .unwrap();
    assert_eq!(linked.entra_tenant_id, Some(t.sim.tenant_id()));

    // A link made elsewhere keeps its tenant when only the name changes…
    let elsewhere = "11111111-2222-3333-4444-555555555555";
    rusqlite::Connection::open(t.org.store.path())
        .unwrap()
        .execute(
            "UPDATE users SET entra_tenant_id = ?1 WHERE id = ?2",
            rusqlite::params![elsewhere, bo.id],
        )
        .unwrap();
    let renamed = directory::edit_user(
        &mut t.org.store,
        &owner,
        bo.id,
        &UserEdit {
            display_name: "Bo".into(),
            ..edit_of(&linked)
        },
    )
    .unwrap();
    assert_eq!(renamed.entra_tenant_id.as_deref(), Some(elsewhere));
    // …and a removed link has none.
    let unlinked = directory::edit_user(
        &mut t.org.store,
        &owner,
        bo.id,
        &UserEdit {
            entra_object_id: None,
            ..edit_of(&renamed)
        },
    )
    .unwrap();
    assert_eq!(
        (unlinked.entra_object_id, unlinked.entra_tenant_id),
        (None, None)
    );
}

#[test]
fn a_password_user_added_with_a_first_password_can_sign_in() {
    let mut org = testkit::team(Plan::Team);
    let owner = org.owner();
    let new = |email: &str, sign_in| NewUser {
        email: email.into(),
        display_name: "Pat Example".into(),
        role: Role::Member,
        sign_in,
        entra_object_id: None,
    };
    let pw = Password::new("copper meadow signal 77");

    let before = state(&org);
    let err = directory::add_user(
        &mut org.store,
        &owner,
        &new("pat@northwind.example", SignInMethod::Password),
        Some(&Password::new("pat12345678")),
    )
    .unwrap_err();
    assert_eq!(err.code(), "weak_password");
    let err = directory::add_user(
        &mut org.store,
        &owner,
        &new("gus@northwind.example", SignInMethod::Google),
        Some(&pw),
    )
    .unwrap_err();
    assert_eq!(err.code(), "no_password_sign_in");
    assert_eq!(
        err.to_string(),
        "gus@northwind.example signs in with Google, not with a password."
    );
    assert_eq!(state(&org), before, "nobody added");

    let pat = directory::add_user(
        &mut org.store,
        &owner,
        &new("pat@northwind.example", SignInMethod::Password),
        Some(&pw),
    )
    .unwrap();
    let trail = audit::for_user(&org.store, pat.id).unwrap();
    assert_eq!(trail[0].action, "user.added");
    assert!(
        trail[0].detail.ends_with("initial password set"),
        "{}",
        trail[0].detail
    );
    let signed =
        sessions::sign_in(&mut org.store, "pat@northwind.example", &pw, Utc::now()).unwrap();
    assert_eq!(signed.user.id, pat.id);
}

/// The row's menu offers exactly what the commands then allow, for every pair of people.
#[test]
fn each_rows_actions_are_what_the_commands_allow() {
    let mut org = testkit::team(Plan::Team);
    org.add("gus@northwind.example", Role::Member, SignInMethod::Google);
    org.add(
        "otto@northwind.example",
        Role::Owner,
        SignInMethod::Password,
    );
    let emails = [
        testkit::OWNER_EMAIL,
        "otto@northwind.example",
        ADAM,
        MIA,
        "gus@northwind.example",
    ];
    let mut offered = Vec::new();
    for by_email in emails {
        let by = org.actor(by_email);
        let page = directory::page(&org.store, &by, &UserQuery::default()).unwrap();
        let new = NewUser {
            email: format!("new.{}", by_email),
            display_name: "New Person".into(),
            role: Role::Member,
            sign_in: SignInMethod::Google,
            entra_object_id: None,
        };
        let add_ok = directory::add_user(&mut org.store, &by, &new, None).is_ok();
        assert_eq!(page.may_add, add_ok, "may_add for {by_email}");
        for row in page.users {
            let edit_ok =
                directory::edit_user(&mut org.store, &by, row.user.id, &edit_of(&row.user)).is_ok();
            let password_ok = sessions::set_user_password(
                &mut org.store,
                &by,
                row.user.id,
                &Password::new("amber harbor quartz 31"),
            )
            .is_ok();
            assert_eq!(
                (row.may.edit, row.may.set_password),
                (edit_ok, password_ok),
                "{by_email} on {}",
                row.user.email
            );
            offered.push((by_email, row.user.email, row.may.edit, row.may.set_password));
        }
    }
    let may = |by: &str, on: &str| {
        offered
            .iter()
            .find(|(b, o, ..)| *b == by && o == on)
            .map(|(_, _, e, p)| (*e, *p))
            .unwrap()
    };
    assert_eq!(
        may(testkit::OWNER_EMAIL, "otto@northwind.example"),
        (true, true)
    );
    assert_eq!(
        may(testkit::OWNER_EMAIL, testkit::OWNER_EMAIL),
        (true, false),
        "one's own password takes the current one"
    );
    assert_eq!(may(ADAM, testkit::OWNER_EMAIL), (false, false));
    assert_eq!(may(ADAM, MIA), (true, true));
    assert_eq!(
        may(ADAM, "gus@northwind.example"),
        (true, false),
        "Google users have no password here"
    );
    assert_eq!(may(MIA, ADAM), (false, false));
    assert_eq!(may(MIA, MIA), (false, false));
}

#[test]
fn each_row_counts_the_assets_its_user_holds() {
    let mut org = testkit::team(Plan::Team);
    let owner = org.owner();
    let mia = org.user(MIA);
    let adam = org.user(ADAM);
    for (i, holder) in [Some(mia.id), Some(mia.id), Some(adam.id), None]
        .into_iter()
        .enumerate()
    {
        assets::add_asset(
            &mut org.store,
            &owner,
            &assets::NewAsset::new(format!("LT-{i}"), "Laptop"),
            holder,
        )
        .unwrap();
    }
    let page = directory::page(&org.store, &owner, &UserQuery::default()).unwrap();
    let held = |email: &str| {
        page.users
            .iter()
            .find(|r| r.user.email == email)
            .unwrap()
            .assets_held
    };
    assert_eq!(held(MIA), 2);
    assert_eq!(held(ADAM), 1);
    assert_eq!(held(testkit::OWNER_EMAIL), 0);
    let json = serde_json::to_value(&page.users[0]).unwrap();
    assert!(json.get("assets_held").is_some(), "{json}");
}

#[test]
fn the_page_at_ten_thousand_users_counts_everyones_assets() {
    let mut org = testkit::org(Plan::Enterprise);
    let mut csv = String::from(directory::CSV_HEADER);
    csv.push('\n');
    for i in 0..10_000 {
        csv.push_str(&format!(
            "user{i:05}@northwind.example,User {i:05},member,google,\n"
        ));
    }
    let imported = directory::import_csv(&mut org.store, &Actor::CommandLine, csv.as_bytes())
        .unwrap()
        .imported;
    assert_eq!(imported, 10_000);

    // User n (n < 60) holds n % 4 assets: 90 in all.
    let mut expected = std::collections::HashMap::new();
    let mut tag = 0;
    for n in 0..60u32 {
        let user = org.user(&format!("user{n:05}@northwind.example"));
        for _ in 0..n % 4 {
            tag += 1;
            assets::add_asset(
                &mut org.store,
                &Actor::CommandLine,
                &assets::NewAsset::new(format!("A-{tag}"), "Phone"),
                Some(user.id),
            )
            .unwrap();
        }
        expected.insert(user.id, n % 4);
    }

    let owner = org.owner();
    let page = directory::page(&org.store, &owner, &UserQuery::default()).unwrap();
    assert_eq!(page.users.len(), 10_001);
    for row in &page.users {
        assert_eq!(
            row.assets_held,
            expected.get(&row.user.id).copied().unwrap_or(0),
            "{}",
            row.user.email
        );
    }
    assert_eq!(page.users.iter().map(|r| r.assets_held).sum::<u32>(), 90);

    let searched = directory::page(
        &org.store,
        &owner,
        &UserQuery {
            search: Some("user00003@".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(searched.users.len(), 1);
    assert_eq!(searched.users[0].assets_held, 3);
}

/// The window asks for the rows in view: the core sends those, in name order, with how many
/// match in all (the list's height), never all 10,000 on each keystroke.
#[test]
fn the_page_is_a_window_of_the_matching_users_in_name_order() {
    let mut org = testkit::org(Plan::Enterprise);
    let mut csv = String::from(directory::CSV_HEADER);
    csv.push('\n');
    for i in 0..10_000 {
        let sign_in = if i % 2 == 0 { "google" } else { "password" };
        csv.push_str(&format!(
            "user{i:05}@northwind.example,User {i:05},member,{sign_in},\n"
        ));
    }
    directory::import_csv(&mut org.store, &Actor::CommandLine, csv.as_bytes()).unwrap();
    let owner = org.owner();
    let window = |search: Option<&str>, sign_in, offset, limit| {
        let query = UserQuery {
            search: search.map(Into::into),
            sign_in,
            offset,
            limit,
            ..Default::default()
        };
        directory::page(&org.store, &owner, &query).unwrap()
    };
    let names = |page: &directory::UserPage| -> Vec<String> {
        page.users
            .iter()
            .map(|r| r.user.display_name.clone())
            .collect()
    };

    let first = window(None, None, None, Some(3));
    assert_eq!(names(&first), ["Olivia Owner", "User 00000", "User 00001"]);
    assert_eq!((first.offset, first.matching), (0, 10_001));
    assert_eq!(first.counts.all, 10_001);

    let middle = window(None, None, Some(5_000), Some(2));
    assert_eq!(names(&middle), ["User 04999", "User 05000"]);
    assert_eq!((middle.offset, middle.matching), (5_000, 10_001));

    // Filters and search narrow what matches; the window is taken from the matches.
    let google = window(Some("user0"), Some(SignInMethod::Google), Some(10), Some(2));
    assert_eq!(names(&google), ["User 00020", "User 00022"]);
    assert_eq!(google.matching, 5_000);
    assert_eq!(
        google.counts.all, 10_001,
        "counts stay over the organization"
    );

    let past_the_end = window(None, None, Some(10_000), Some(50));
    assert_eq!(names(&past_the_end), ["User 09999"]);
    assert_eq!(past_the_end.matching, 10_001);

    // No limit: every match, as the command line and the person picker ask.
    assert_eq!(window(None, None, None, None).users.len(), 10_001);
}

#[test]
fn people_who_cannot_sign_in_or_are_not_linked_are_marked_counted_and_filtered() {
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();
    org.add(
        "pat@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    org.add(
        "max@northwind.example",
        Role::Member,
        SignInMethod::Microsoft,
    );
    org.add("gil@northwind.example", Role::Member, SignInMethod::Google);
    let gone = org.add(
        "old@northwind.example",
        Role::Member,
        SignInMethod::Microsoft,
    );
    directory::deactivate(&mut org.store, &owner, gone.id).unwrap();
    directory::add_user(
        &mut org.store,
        &owner,
        &NewUser {
            email: "lin@northwind.example".into(),
            display_name: "lin".into(),
            role: Role::Member,
            sign_in: SignInMethod::Microsoft,
            entra_object_id: Some(OID.into()),
        },
        None,
    )
    .unwrap();

    let page = directory::page(&org.store, &owner, &UserQuery::default()).unwrap();
    let gaps: Vec<(String, Option<AccountGap>)> = page
        .users
        .iter()
        .map(|row| (row.user.email.clone(), row.gap))
        .collect();
    assert_eq!(
        gaps,
        [
            ("gil@northwind.example".to_owned(), None),
            ("lin@northwind.example".to_owned(), None),
            (
                "max@northwind.example".to_owned(),
                Some(AccountGap::NotLinked)
            ),
            // Deactivated: nobody needs to fix what they cannot use.
            ("old@northwind.example".to_owned(), None),
            (testkit::OWNER_EMAIL.to_owned(), None),
            (
                "pat@northwind.example".to_owned(),
                Some(AccountGap::CannotSignIn)
            ),
        ]
    );
    assert_eq!((page.counts.cannot_sign_in, page.counts.not_linked), (1, 1));

    for (gap, email) in [
        (AccountGap::CannotSignIn, "pat@northwind.example"),
        (AccountGap::NotLinked, "max@northwind.example"),
    ] {
        let query = UserQuery {
            gap: Some(gap),
            ..UserQuery::default()
        };
        let page = directory::page(&org.store, &owner, &query).unwrap();
        assert_eq!(page.matching, 1, "{gap:?}");
        assert_eq!(page.users[0].user.email, email);
        // The counts stay over the whole organization.
        assert_eq!(page.counts.all, 6);
    }

    // Given a password, Pat can sign in, and the mark goes.
    let pat = directory::find_by_email(&org.store, "pat@northwind.example").unwrap();
    sessions::set_user_password(
        &mut org.store,
        &owner,
        pat.id,
        &Password::new("plum orchard lantern 42"),
    )
    .unwrap();
    assert_eq!(directory::counts(&org.store).unwrap().cannot_sign_in, 0);
}
