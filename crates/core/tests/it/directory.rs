//! Adding users, roles (R-D5), and deactivation and reactivation by hand.

use uniasset_core::access::Actor;
use uniasset_core::directory::{
    self, DeactivationReason, DirectoryError, NewUser, Role, SignInMethod, UserQuery, UserStatus,
};
use uniasset_core::organization::Plan;
use uniasset_core::ErrorCode;

fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        email: email.into(),
        display_name: "Someone".into(),
        role,
        sign_in: SignInMethod::Password,
        entra_object_id: None,
    }
}

#[test]
fn emails_are_unique_ignoring_case() {
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();
    let err = directory::add_user(
        &mut org.store,
        &owner,
        &new_user("OLIVIA@Northwind.example", Role::Member),
        None,
    )
    .unwrap_err();
    assert!(matches!(err, DirectoryError::DuplicateEmail(_)));
    assert_eq!(
        err.to_string(),
        "A user with the email OLIVIA@Northwind.example already exists."
    );
    assert_eq!(org.count("users"), 1);
}

#[test]
fn unknown_roles_are_refused_with_the_choices() {
    let err = "boss".parse::<Role>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "Unknown role \"boss\": use owner, admin or member."
    );
}

#[test]
fn members_cannot_manage_users_and_admins_cannot_touch_owners() {
    let mut org = testkit::org(Plan::Team);
    org.add(
        "mia@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    org.add(
        "adam@northwind.example",
        Role::Admin,
        SignInMethod::Password,
    );
    let victim = org.add(
        "val@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    let member = org.actor("mia@northwind.example");
    let admin = org.actor("adam@northwind.example");

    let err = directory::deactivate(&mut org.store, &member, victim.id).unwrap_err();
    assert_eq!(err.code(), "needs_admin");
    let err = directory::add_user(
        &mut org.store,
        &member,
        &new_user("x@northwind.example", Role::Member),
        None,
    )
    .unwrap_err();
    assert_eq!(err.code(), "needs_admin");
    let err = directory::add_user(
        &mut org.store,
        &admin,
        &new_user("o2@northwind.example", Role::Owner),
        None,
    )
    .unwrap_err();
    assert_eq!(err.code(), "needs_owner");
    let owner_id = org.user(testkit::OWNER_EMAIL).id;
    let err = directory::deactivate(&mut org.store, &admin, owner_id).unwrap_err();
    assert_eq!(err.code(), "needs_owner");

    directory::deactivate(&mut org.store, &admin, victim.id).unwrap();
    let err = directory::reactivate(&mut org.store, &member, victim.id).unwrap_err();
    assert_eq!(err.code(), "needs_admin");
    assert_eq!(
        org.user("val@northwind.example").status,
        UserStatus::Deactivated
    );
}

#[test]
fn deactivation_records_when_who_and_why_and_is_audited() {
    let mut org = testkit::org(Plan::Team);
    let user = org.add("val@northwind.example", Role::Member, SignInMethod::Google);
    let owner = org.owner();
    let audit_before = org.count("audit_entries");
    let done = directory::deactivate(&mut org.store, &owner, user.id).unwrap();
    assert_eq!(done.status, UserStatus::Deactivated);
    assert_eq!(done.deactivation_reason, Some(DeactivationReason::Manual));
    assert_eq!(
        done.deactivated_by.as_deref(),
        Some("Olivia Owner <olivia@northwind.example>")
    );
    assert!(done.deactivated_at.is_some());
    assert_eq!(org.count("audit_entries"), audit_before + 1);

    let err = directory::deactivate(&mut org.store, &owner, user.id).unwrap_err();
    assert!(matches!(err, DirectoryError::AlreadyDeactivated(_)));

    let back = directory::reactivate(&mut org.store, &owner, user.id).unwrap();
    assert_eq!(back.status, UserStatus::Active);
    assert_eq!(back.deactivation_reason, None);
    assert_eq!(back.deactivated_by, None);
    let trail = uniasset_core::audit::for_user(&org.store, user.id).unwrap();
    assert_eq!(trail[0].action, "user.reactivated");
    assert!(
        trail[0].detail.contains("deactivated manually"),
        "{}",
        trail[0].detail
    );
    assert_eq!(trail[1].action, "user.deactivated");
}

#[test]
fn the_last_active_owner_can_never_be_deactivated() {
    let mut org = testkit::org(Plan::Team);
    let owner_id = org.user(testkit::OWNER_EMAIL).id;
    let err = directory::deactivate(&mut org.store, &Actor::CommandLine, owner_id).unwrap_err();
    assert!(matches!(err, DirectoryError::LastOwner(_)), "{err:?}");
    assert_eq!(org.user(testkit::OWNER_EMAIL).status, UserStatus::Active);

    org.add(
        "second@northwind.example",
        Role::Owner,
        SignInMethod::Password,
    );
    let second = org.actor("second@northwind.example");
    directory::deactivate(&mut org.store, &second, owner_id).unwrap();
    let second_id = second.user_id().unwrap();
    let err = directory::deactivate(&mut org.store, &Actor::CommandLine, second_id).unwrap_err();
    assert!(matches!(err, DirectoryError::LastOwner(_)));
}

#[test]
fn nobody_deactivates_themselves() {
    let mut org = testkit::org(Plan::Team);
    org.add(
        "second@northwind.example",
        Role::Owner,
        SignInMethod::Password,
    );
    let owner = org.owner();
    let err = directory::deactivate(&mut org.store, &owner, owner.user_id().unwrap()).unwrap_err();
    assert!(matches!(err, DirectoryError::SelfDeactivation));
}

#[test]
fn listing_filters_by_status_and_search_and_counts_everyone() {
    let mut org = testkit::org(Plan::Team);
    for i in 0..5 {
        org.add(
            &format!("user{i}@northwind.example"),
            Role::Member,
            SignInMethod::Microsoft,
        );
    }
    let victim = org.user("user3@northwind.example");
    let owner = org.owner();
    directory::deactivate(&mut org.store, &owner, victim.id).unwrap();

    let all = directory::list_users(&org.store, &UserQuery::default()).unwrap();
    assert_eq!(
        (all.counts.all, all.counts.active, all.counts.deactivated),
        (6, 5, 1)
    );
    assert_eq!(all.users.len(), 6);

    let deactivated = directory::list_users(
        &org.store,
        &UserQuery {
            status: Some(UserStatus::Deactivated),
            search: None,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(deactivated.users.len(), 1);
    assert_eq!(deactivated.users[0].email, "user3@northwind.example");
    assert_eq!(deactivated.counts, all.counts);

    let searched = directory::list_users(
        &org.store,
        &UserQuery {
            status: None,
            search: Some("USER1".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(searched.users.len(), 1);
    let wildcard = directory::list_users(
        &org.store,
        &UserQuery {
            status: None,
            search: Some("%".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        wildcard.users.is_empty(),
        "LIKE wildcards in a search are literal"
    );
}

#[test]
fn listing_filters_by_role_and_sign_in_method() {
    let mut org = testkit::org(Plan::Team);
    org.add("a@northwind.example", Role::Admin, SignInMethod::Google);
    org.add("m@northwind.example", Role::Member, SignInMethod::Microsoft);
    let admins = directory::list_users(
        &org.store,
        &UserQuery {
            role: Some(Role::Admin),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        admins
            .users
            .iter()
            .map(|u| u.email.as_str())
            .collect::<Vec<_>>(),
        vec!["a@northwind.example"]
    );
    let microsoft = directory::list_users(
        &org.store,
        &UserQuery {
            sign_in: Some(SignInMethod::Microsoft),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(microsoft.users.len(), 1);
    assert_eq!(
        microsoft.counts.all, 3,
        "counts stay over the whole organization"
    );
}
