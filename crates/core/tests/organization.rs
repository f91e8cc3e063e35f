//! Creating the organization and its Owner (R-D1), and the plan rule (R-D6).

mod common;

use uniasset_core::access::Actor;
use uniasset_core::directory::{self, Role, UserStatus};
use uniasset_core::organization::{self, NewOrganization, OrganizationError, Plan};
use uniasset_core::password::Password;
use uniasset_core::ErrorCode;

fn setup(name: &str, email: &str, password: Option<&str>) -> NewOrganization {
    NewOrganization {
        name: name.into(),
        plan: Plan::Team,
        owner_email: email.into(),
        owner_name: "Olivia Owner".into(),
        owner_password: password.map(Password::new),
    }
}

#[test]
fn creates_the_organization_and_its_owner() {
    let mut org = common::empty_store();
    let created = organization::create(
        &mut org.store,
        &setup(
            "  Contoso  ",
            "olivia@contoso.example",
            Some("plum orchard lantern 42"),
        ),
        &Actor::FirstRunSetup,
    )
    .unwrap();
    assert_eq!(created.name, "Contoso");
    assert_eq!(organization::get(&org.store).unwrap(), created);
    let owner = directory::find_by_email(&org.store, "OLIVIA@contoso.example").unwrap();
    assert_eq!(owner.role, Role::Owner);
    assert_eq!(owner.status, UserStatus::Active);
    assert_eq!(org.count("audit_entries"), 1);
}

#[test]
fn the_password_is_stored_only_as_an_argon2id_hash() {
    let org = common::org(Plan::Free);
    let conn = rusqlite::Connection::open(org.store.path()).unwrap();
    let hash: String = conn
        .query_row("SELECT password_hash FROM users", [], |r| r.get(0))
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));
    drop(conn);
    let bytes = std::fs::read(org.store.path()).unwrap();
    let wal = std::fs::read(org.store.path().with_extension("db-wal")).unwrap_or_default();
    for file in [bytes, wal] {
        assert!(!String::from_utf8_lossy(&file).contains(common::OWNER_PASSWORD));
    }
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let cases: Vec<(NewOrganization, &str)> = vec![
        (
            setup("   ", "o@contoso.example", Some("plum orchard lantern 42")),
            "invalid_organization_name",
        ),
        (
            setup("Contoso", "not an email", Some("plum orchard lantern 42")),
            "invalid_user",
        ),
        (
            setup("Contoso", "o@contoso.example", Some("password1")),
            "weak_password",
        ),
        (
            setup("Contoso", "o@contoso.example", Some("contoso2024!")),
            "weak_password",
        ),
    ];
    for (input, code) in cases {
        let mut org = common::empty_store();
        let err = organization::create(&mut org.store, &input, &Actor::FirstRunSetup).unwrap_err();
        assert_eq!(err.code(), code, "{err}");
        assert!(organization::find(&org.store).unwrap().is_none());
        assert_eq!(org.count("users"), 0);
    }
}

#[test]
fn an_organization_is_set_up_only_once() {
    let mut org = common::org(Plan::Team);
    let err = organization::create(
        &mut org.store,
        &setup("Other", "x@other.example", None),
        &Actor::CommandLine,
    )
    .unwrap_err();
    assert!(matches!(err, OrganizationError::AlreadySetUp(ref n) if n == "Northwind Traders"));
    assert_eq!(org.count("users"), 1);
}

#[test]
fn enterprise_features_need_the_enterprise_plan() {
    let org = common::org(Plan::Team);
    let err = organization::require_enterprise(&org.store, "Auto-deprovisioning").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Auto-deprovisioning needs the Enterprise plan; this organization is on the Team plan."
    );
    let org = common::org(Plan::Enterprise);
    organization::require_enterprise(&org.store, "Auto-deprovisioning").unwrap();
}

#[test]
fn first_run_setup_in_the_window_requires_the_owners_password() {
    let mut org = common::empty_store();
    let err = organization::create_first_run(
        &mut org.store,
        &setup("Contoso", "olivia@contoso.example", None),
    )
    .unwrap_err();
    assert!(
        matches!(err, OrganizationError::OwnerNeedsPassword),
        "{err:?}"
    );
    assert_eq!(err.code(), "owner_password_required");
    assert_eq!(
        err.to_string(),
        "The Owner needs a password: without one, nobody could sign in to UniAsset."
    );
    assert_eq!(org.count("organization"), 0);
    assert_eq!(org.count("users"), 0);

    // The command line may still leave it for later (`users set-password`).
    organization::create(
        &mut org.store,
        &setup("Contoso", "olivia@contoso.example", None),
        &Actor::CommandLine,
    )
    .unwrap();

    let mut other = common::empty_store();
    let created = organization::create_first_run(
        &mut other.store,
        &setup(
            "Contoso",
            "olivia@contoso.example",
            Some("plum orchard lantern 42"),
        ),
    )
    .unwrap();
    assert_eq!(created.idle_timeout_minutes, 15);
    let conn = rusqlite::Connection::open(other.store.path()).unwrap();
    let actor: String = conn
        .query_row("SELECT actor_label FROM audit_entries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(actor, "first-run setup");
}

#[test]
fn an_empty_store_names_its_directory_when_asked_for_the_organization() {
    let org = common::empty_store();
    let err = organization::get(&org.store).unwrap_err();
    assert_eq!(err.code(), "organization_missing");
    assert_eq!(
        err.to_string(),
        format!(
            "No organization is set up in {} yet. Run first-run setup or `uniasset org init`.",
            org.dir.path().display()
        )
    );
}
