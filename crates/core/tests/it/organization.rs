//! Creating the organization and its Owner (R-D1), renaming it, and the plan rule (R-D6)
//! with changing the plan.

use uniasset_core::access::Actor;
use uniasset_core::audit::{self, AuditEntry, AuditQuery};
use uniasset_core::directory::{self, Role, UserStatus};
use uniasset_core::entra;
use uniasset_core::organization::{self, NewOrganization, OrganizationError, Plan};
use uniasset_core::password::Password;
use uniasset_core::plan_change::{self, PlanChangeError};
use uniasset_core::store::Store;
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
    let mut org = testkit::empty_store();
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
    let org = testkit::org(Plan::Free);
    let conn = rusqlite::Connection::open(org.store.path()).unwrap();
    let hash: String = conn
        .query_row("SELECT password_hash FROM users", [], |r| r.get(0))
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));
    drop(conn);
    let bytes = std::fs::read(org.store.path()).unwrap();
    let wal = std::fs::read(org.store.path().with_extension("db-wal")).unwrap_or_default();
    for file in [bytes, wal] {
        assert!(!String::from_utf8_lossy(&file).contains(testkit::OWNER_PASSWORD));
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
        let mut org = testkit::empty_store();
        let err = organization::create(&mut org.store, &input, &Actor::FirstRunSetup).unwrap_err();
        assert_eq!(err.code(), code, "{err}");
        assert!(organization::find(&org.store).unwrap().is_none());
        assert_eq!(org.count("users"), 0);
    }
}

#[test]
fn an_organization_is_set_up_only_once() {
    let mut org = testkit::org(Plan::Team);
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
    let org = testkit::org(Plan::Team);
    let err = organization::require_enterprise(&org.store, "Auto-deprovisioning").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Auto-deprovisioning needs the Enterprise plan; this organization is on the Team plan."
    );
    let org = testkit::org(Plan::Enterprise);
    organization::require_enterprise(&org.store, "Auto-deprovisioning").unwrap();
}

#[test]
fn first_run_setup_in_the_window_requires_the_owners_password() {
    let mut org = testkit::empty_store();
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

    let mut other = testkit::empty_store();
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
    let org = testkit::empty_store();
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

/// The audit entries with this action, newest first.
fn entries(store: &Store, action: &str) -> Vec<AuditEntry> {
    let query = AuditQuery {
        action: Some(action.into()),
        limit: Some(500),
        ..AuditQuery::default()
    };
    audit::page(store, &Actor::CommandLine, &query)
        .unwrap()
        .entries
}

#[test]
fn an_owner_renames_the_organization_under_the_rules_of_creation() {
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();
    let renamed = organization::rename(&mut org.store, &owner, "  Northwind Holdings ").unwrap();
    assert_eq!(renamed.name, "Northwind Holdings");
    assert_eq!(organization::get(&org.store).unwrap(), renamed);
    let trail = entries(&org.store, "organization.renamed");
    assert_eq!(trail.len(), 1);
    assert_eq!(
        trail[0].detail,
        "Renamed to \"Northwind Holdings\" (was \"Northwind Traders\")"
    );
    assert_eq!(trail[0].actor, "Olivia Owner <olivia@northwind.example>");

    let audited = org.count("audit_entries");
    for (name, code) in [
        ("   ", "invalid_organization_name"),
        (&"x".repeat(121)[..], "invalid_organization_name"),
    ] {
        let err = organization::rename(&mut org.store, &owner, name).unwrap_err();
        assert_eq!(err.code(), code, "{err}");
    }
    // 120 characters is the limit, as at creation.
    let longest = "y".repeat(120);
    organization::rename(&mut org.store, &owner, &longest).unwrap();
    organization::rename(&mut org.store, &owner, "Northwind Holdings").unwrap();
    assert_eq!(org.count("audit_entries"), audited + 2);
    // The same name again changes nothing and records nothing.
    organization::rename(&mut org.store, &owner, "Northwind Holdings").unwrap();
    assert_eq!(org.count("audit_entries"), audited + 2);
}

#[test]
fn only_an_owner_renames_the_organization_or_changes_its_plan() {
    let mut org = testkit::team(Plan::Team);
    let before = organization::get(&org.store).unwrap();
    let audited = org.count("audit_entries");
    for email in ["adam@northwind.example", "mia@northwind.example"] {
        let who = org.actor(email);
        let err = organization::rename(&mut org.store, &who, "Taken Over").unwrap_err();
        assert_eq!(err.code(), "needs_owner");
        assert_eq!(
            err.to_string(),
            "Only an Owner can rename the organization or change its plan."
        );
        let err = plan_change::change_plan(&mut org.store, &who, Plan::Enterprise).unwrap_err();
        assert_eq!(err.code(), "needs_owner");
        let err = plan_change::preview(&org.store, &who, Plan::Enterprise).unwrap_err();
        assert_eq!(err.code(), "needs_owner", "not even what a change would do");
    }
    assert_eq!(organization::get(&org.store).unwrap(), before);
    assert_eq!(org.count("audit_entries"), audited);
}

#[test]
fn changing_the_plan_is_explained_and_audited() {
    let mut org = testkit::org(Plan::Free);
    let owner = org.owner();
    let preview = plan_change::preview(&org.store, &owner, Plan::Enterprise).unwrap();
    assert_eq!((preview.from, preview.to), (Plan::Free, Plan::Enterprise));
    assert!(!preview.turns_off_auto_deprovision);
    assert_eq!(
        preview.summary,
        "The organization moves from the Free plan to the Enterprise plan. \
         Auto-deprovisioning becomes available in Settings → Integrations."
    );
    assert_eq!(
        organization::get(&org.store).unwrap().plan,
        Plan::Free,
        "a preview changes nothing"
    );

    let changed = plan_change::change_plan(&mut org.store, &owner, Plan::Enterprise).unwrap();
    assert_eq!(changed.organization.plan, Plan::Enterprise);
    assert!(changed
        .effect
        .summary
        .contains("is now available in Settings → Integrations"));
    organization::require_enterprise(&org.store, "Auto-deprovisioning").unwrap();
    let trail = entries(&org.store, "organization.plan_changed");
    assert_eq!(trail[0].detail, "Moved to the Enterprise plan (was Free)");

    // The plan it is on already: a clear refusal, nothing recorded.
    let audited = org.count("audit_entries");
    let err = plan_change::change_plan(&mut org.store, &owner, Plan::Enterprise).unwrap_err();
    assert!(matches!(err, PlanChangeError::SamePlan(Plan::Enterprise)));
    assert_eq!(err.code(), "same_plan");
    assert_eq!(
        err.to_string(),
        "The organization is already on the Enterprise plan: nothing to change."
    );
    assert_eq!(
        plan_change::preview(&org.store, &owner, Plan::Enterprise)
            .unwrap_err()
            .code(),
        "same_plan"
    );
    assert_eq!(org.count("audit_entries"), audited);

    // Back down, with auto-deprovisioning never turned on: it says so, and turns nothing off.
    let changed = plan_change::change_plan(&mut org.store, &owner, Plan::Team).unwrap();
    assert!(!changed.effect.turns_off_auto_deprovision);
    assert!(
        changed
            .effect
            .summary
            .contains("it is off and can no longer be turned on"),
        "{}",
        changed.effect.summary
    );
    assert!(entries(&org.store, "entra.auto_deprovision_off").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn leaving_enterprise_turns_auto_deprovisioning_off_and_says_so() {
    let mut t = testkit::tenant::connected(Plan::Enterprise).await;
    entra::set_auto_deprovision(&mut t.org.store, &Actor::CommandLine, true).unwrap();
    let owner = t.org.owner();

    let preview = plan_change::preview(&t.org.store, &owner, Plan::Team).unwrap();
    assert!(preview.turns_off_auto_deprovision);
    assert_eq!(
        preview.summary,
        "The organization moves from the Enterprise plan to the Team plan. \
         Auto-deprovisioning needs Enterprise: it will be turned off and nightly runs stop. \
         Nobody is reactivated, and the Microsoft Entra ID connection stays."
    );
    assert!(
        entra::settings(&t.org.store).unwrap().auto_deprovision,
        "a preview changes nothing"
    );

    let changed = plan_change::change_plan(&mut t.org.store, &owner, Plan::Team).unwrap();
    assert_eq!(changed.organization.plan, Plan::Team);
    assert!(changed.effect.turns_off_auto_deprovision);
    assert!(
        changed
            .effect
            .summary
            .contains("it was turned off and nightly runs stopped"),
        "{}",
        changed.effect.summary
    );
    let settings = entra::settings(&t.org.store).unwrap();
    assert!(!settings.auto_deprovision);
    assert!(settings.connection.is_some(), "the connection stays");
    let off = entries(&t.org.store, "entra.auto_deprovision_off");
    assert_eq!(off.len(), 1);
    assert_eq!(
        off[0].detail,
        "The plan changed to Team: auto-deprovisioning needs Enterprise"
    );
    assert_eq!(off[0].actor, "Olivia Owner <olivia@northwind.example>");
    assert_eq!(entries(&t.org.store, "organization.plan_changed").len(), 1);

    // It cannot be turned back on below Enterprise…
    let err = entra::set_auto_deprovision(&mut t.org.store, &Actor::CommandLine, true).unwrap_err();
    assert_eq!(err.code(), "needs_enterprise");
    // …and moving back to Enterprise makes it available, not on.
    let back = plan_change::change_plan(&mut t.org.store, &owner, Plan::Enterprise).unwrap();
    assert!(!back.effect.turns_off_auto_deprovision);
    assert!(!entra::settings(&t.org.store).unwrap().auto_deprovision);
    entra::set_auto_deprovision(&mut t.org.store, &Actor::CommandLine, true).unwrap();
}
