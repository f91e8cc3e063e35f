//! Issue 25 from the command line, as a real process on a real data directory against the
//! Graph simulator and the real keychain (run under scripts/with-keyring.sh): `entra
//! end-sessions`, a deactivation by hand that ends a linked person's sessions, `users check`,
//! and `audit verify` naming the first entry edited, deleted or inserted in the file.

use std::path::Path;

use crate::common::{add_member, connect, fails, init, json, ok};
use graph_sim::{Simulator, TenantConfig};

fn linked(dir: &Path, sim: &Simulator, email: &str) -> String {
    let oid = sim.add_user(email, Some(email), true);
    ok(
        dir,
        &add_member(email, "Dana Driver", "microsoft", Some(&oid)),
    );
    oid
}

fn enterprise_connected() -> (tempfile::TempDir, Simulator) {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), "enterprise", None);
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    connect(dir.path(), &sim);
    (dir, sim)
}

#[test]
fn deactivating_a_linked_person_by_hand_ends_their_sessions_once_allowed() {
    let (dir, sim) = enterprise_connected();
    let dana = linked(dir.path(), &sim, "dana@northwind.example");
    let on = ok(dir.path(), &["entra", "end-sessions", "on"]);
    assert!(on.starts_with("Ending sessions is on"), "{on}");
    sim.grant_app_role("User.RevokeSessions.All");

    ok(
        dir.path(),
        &["users", "deactivate", "dana@northwind.example"],
    );
    assert!(sim.sessions_revoked_at(&dana).is_some());
    let trail = json(dir.path(), &["audit", "--action", "user.sessions_ended"]);
    assert_eq!(trail.as_array().unwrap().len(), 1, "{trail}");

    let off = ok(dir.path(), &["entra", "end-sessions", "off"]);
    assert!(off.contains("no longer ends"), "{off}");
    let err = fails(dir.path(), &["entra", "end-sessions", "maybe"], 2);
    assert!(err.contains("possible values"), "{err}");
}

fn status_of(dir: &Path, email: &str) -> String {
    let users = json(dir, &["users", "list"]);
    let user = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap();
    user["status"].as_str().unwrap().to_owned()
}

#[test]
fn users_check_applies_a_run_to_one_person() {
    let (dir, sim) = enterprise_connected();
    let dana = linked(dir.path(), &sim, "dana@northwind.example");
    linked(dir.path(), &sim, "eli@northwind.example");
    sim.set_enabled(&dana, false);

    let run = json(dir.path(), &["users", "check", "dana@northwind.example"]);
    assert_eq!(run["trigger"], "person");
    assert_eq!(run["lines"][0]["outcome"], "deactivated");
    assert_eq!(
        status_of(dir.path(), "dana@northwind.example"),
        "deactivated"
    );
    assert_eq!(status_of(dir.path(), "eli@northwind.example"), "active");

    ok(
        dir.path(),
        &add_member("pat@northwind.example", "Pat", "password", None),
    );
    let err = fails(dir.path(), &["users", "check", "pat@northwind.example"], 1);
    assert!(err.contains("nothing to check"), "{err}");
}

#[test]
fn audit_verify_names_the_first_entry_that_does_not_match() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), "team", None);
    for email in ["ann@northwind.example", "bob@northwind.example"] {
        ok(dir.path(), &add_member(email, "Someone", "password", None));
    }
    let head = json(dir.path(), &["audit", "verify"]);
    let entries = head["entries"].as_u64().unwrap();
    assert!(entries >= 3, "{head}");
    let text = ok(dir.path(), &["audit", "verify"]);
    assert!(
        text.contains("intact") && text.contains(head["head"].as_str().unwrap()),
        "{text}"
    );

    let db = rusqlite::Connection::open(dir.path().join("uniasset.db")).unwrap();
    db.execute(
        "UPDATE audit_entries SET detail = 'edited' WHERE id = 2",
        [],
    )
    .unwrap();
    let err = fails(dir.path(), &["audit", "verify"], 1);
    assert!(err.contains("#2") && err.contains("changed"), "{err}");
    let report = crate::common::run(dir.path(), &["--json", "audit", "verify"], "");
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(report["error"]["code"], "audit_chain_broken", "{report}");
}

#[test]
fn users_offboard_dry_run_then_for_real() {
    let (dir, sim) = enterprise_connected();
    let dana = linked(dir.path(), &sim, "dana@northwind.example");
    linked(dir.path(), &sim, "eli@northwind.example");
    ok(
        dir.path(),
        &[
            "assets",
            "add",
            "--tag",
            "LAPTOP-7",
            "--name",
            "ThinkPad",
            "--assign",
            "dana@northwind.example",
        ],
    );

    let plan = ok(
        dir.path(),
        &["users", "offboard", "dana@northwind.example", "--dry-run"],
    );
    assert!(
        plan.contains("would disable") && plan.contains("LAPTOP-7"),
        "{plan}"
    );
    assert!(sim.is_enabled(&dana));
    assert_eq!(status_of(dir.path(), "dana@northwind.example"), "active");

    let err = fails(
        dir.path(),
        &["users", "offboard", "dana@northwind.example"],
        1,
    );
    assert!(err.contains("User.EnableDisableAccount.All"), "{err}");
    assert_eq!(status_of(dir.path(), "dana@northwind.example"), "active");

    sim.grant_app_role("User.EnableDisableAccount.All");
    sim.grant_app_role("User.RevokeSessions.All");
    let done = json(dir.path(), &["users", "offboard", "dana@northwind.example"]);
    assert!(done["disabled_in_entra_at"].is_string(), "{done}");
    assert_eq!(done["sessions"]["outcome"], "ended");
    assert_eq!(done["assets"][0]["tag"], "LAPTOP-7");
    assert!(!sim.is_enabled(&dana));
    assert_eq!(
        status_of(dir.path(), "dana@northwind.example"),
        "deactivated"
    );
}

#[test]
fn report_leavers_json_carries_what_an_auditor_asks_and_the_target_can_be_set() {
    let (dir, sim) = enterprise_connected();
    let dana = linked(dir.path(), &sim, "dana@northwind.example");
    linked(dir.path(), &sim, "eli@northwind.example");
    sim.grant_app_role("User.EnableDisableAccount.All");
    sim.grant_app_role("User.RevokeSessions.All");
    ok(
        dir.path(),
        &[
            "assets",
            "add",
            "--tag",
            "LAPTOP-7",
            "--name",
            "ThinkPad",
            "--serial",
            "PF-1",
            "--assign",
            "dana@northwind.example",
        ],
    );
    ok(dir.path(), &["users", "offboard", "dana@northwind.example"]);
    ok(
        dir.path(),
        &["assets", "checkin", "LAPTOP-7", "--note", "Charger missing"],
    );

    let rows = json(dir.path(), &["report", "leavers"]);
    let row = &rows[0];
    assert_eq!(row["object_id"], dana.as_str());
    assert_eq!(row["trigger"], "offboarded");
    assert!(row["sessions_ended_at"].is_string(), "{row}");
    assert!(row["disabled_in_entra_at"].is_string(), "{row}");
    assert_eq!(row["target_hours"], 24);
    assert!(row["target_met"].is_null(), "a person acted: {row}");
    assert!(row["applied_by"].is_null(), "{row}");
    let asset = &row["assets"][0];
    assert_eq!(asset["received_by"], "command line");
    assert_eq!(asset["serial"], "PF-1");
    assert_eq!(asset["note"], "Charger missing");

    let err = fails(dir.path(), &["report", "target", "0"], 1);
    assert!(err.contains("between 1 and 720 hours"), "{err}");
    assert!(ok(dir.path(), &["report", "target"]).contains("24 hours"));
    assert!(ok(dir.path(), &["report", "target", "48"]).contains("48 hours"));
    assert_eq!(
        json(dir.path(), &["report", "leavers"])[0]["target_hours"],
        48
    );
}

#[test]
fn users_manager_by_hand_or_from_entra() {
    let (dir, sim) = enterprise_connected();
    let d = dir.path();
    let dana = linked(d, &sim, "dana@northwind.example");
    let mona = sim.add_user(
        "mona@contoso.onmicrosoft.com",
        Some("mona@northwind.example"),
        true,
    );
    assert_eq!(
        ok(d, &["users", "manager", "dana@northwind.example", "mona@northwind.example"]),
        "The manager of dana@northwind.example is mona@northwind.example <mona@northwind.example>.\n"
    );
    let err = fails(
        d,
        &[
            "users",
            "manager",
            "dana@northwind.example",
            "dana@northwind.example",
        ],
        1,
    );
    assert!(err.contains("cannot be their own manager"), "{err}");
    fails(d, &["users", "manager", "dana@northwind.example"], 2);

    sim.set_manager(&dana, Some(&mona));
    let found = json(
        d,
        &["users", "manager", "dana@northwind.example", "--from-entra"],
    );
    assert_eq!(found["source"], "entra");
    assert_eq!(found["email"], "mona@northwind.example");
    sim.set_manager(&dana, None);
    assert_eq!(
        ok(
            d,
            &["users", "manager", "dana@northwind.example", "--from-entra"]
        ),
        "dana@northwind.example has no manager in Microsoft Entra ID.\n"
    );
}
