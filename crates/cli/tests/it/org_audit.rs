//! `uniasset org rename|plan` and `uniasset audit` as a real process on a real data
//! directory; leaving Enterprise against the Graph simulator and the real keychain (run
//! under scripts/with-keyring.sh).

use std::path::Path;

use crate::common::{add_member, fails, json, ok, run};
use graph_sim::{Simulator, TenantConfig};
use serde_json::Value;

fn init(dir: &Path, plan: &str) {
    crate::common::init(dir, plan, None);
}

fn add(dir: &Path, email: &str, name: &str) {
    ok(dir, &add_member(email, name, "password", None));
}

fn entries(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    json(dir, &all).as_array().unwrap().clone()
}

#[test]
fn org_rename_keeps_the_rules_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), "team");
    let text = ok(dir.path(), &["org", "rename", "  Northwind Holdings "]);
    assert_eq!(
        text,
        "The organization is now called \"Northwind Holdings\".\n"
    );
    assert_eq!(
        json(dir.path(), &["org", "show"])["name"],
        "Northwind Holdings"
    );

    let err = fails(dir.path(), &["org", "rename", "   "], 1);
    assert_eq!(err, "uniasset: The organization needs a name.\n");
    let long = "x".repeat(121);
    let err = fails(dir.path(), &["org", "rename", &long], 1);
    assert!(err.contains("at most 120 characters"), "{err}");
    assert_eq!(
        json(dir.path(), &["org", "show"])["name"],
        "Northwind Holdings"
    );
    let renamed = entries(dir.path(), &["--action", "organization.renamed"]);
    assert_eq!(renamed.len(), 1);
    assert_eq!(
        renamed[0]["detail"],
        "Renamed to \"Northwind Holdings\" (was \"Northwind\")"
    );
    assert_eq!(renamed[0]["actor"], "command line");
}

#[test]
fn org_plan_prints_the_effect_and_refuses_an_unknown_plan() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), "free");
    let before = entries(dir.path(), &[]).len();
    let err = fails(dir.path(), &["org", "plan", "gold"], 2);
    assert!(
        err.contains("Unknown plan \"gold\": use free, team or enterprise."),
        "{err}"
    );
    let err = fails(dir.path(), &["org", "plan", "free"], 1);
    assert_eq!(
        err,
        "uniasset: The organization is already on the Free plan: nothing to change.\n"
    );
    assert_eq!(json(dir.path(), &["org", "show"])["plan"], "free");
    assert_eq!(entries(dir.path(), &[]).len(), before, "nothing changed");

    let text = ok(dir.path(), &["org", "plan", "enterprise"]);
    assert_eq!(
        text,
        "The organization moved from the Free plan to the Enterprise plan. \
         Auto-deprovisioning is now available in Settings → Integrations.\n"
    );
    let changed = json(dir.path(), &["org", "plan", "team"]);
    assert_eq!(changed["organization"]["plan"], "team");
    assert_eq!(changed["effect"]["from"], "enterprise");
    assert_eq!(changed["effect"]["to"], "team");
    assert_eq!(changed["effect"]["turns_off_auto_deprovision"], false);
    assert_eq!(
        entries(dir.path(), &["--action", "organization.plan_changed"]).len(),
        2
    );
}

#[test]
fn leaving_enterprise_turns_auto_deprovisioning_off() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    init(dir.path(), "enterprise");
    crate::common::connect(dir.path(), &sim);
    ok(dir.path(), &["entra", "auto-deprovision", "on"]);

    let text = ok(dir.path(), &["org", "plan", "free"]);
    assert_eq!(
        text,
        "The organization moved from the Enterprise plan to the Free plan. \
         Auto-deprovisioning needs Enterprise: it was turned off and nightly runs stopped. \
         Nobody was reactivated, and the Microsoft Entra ID connection stays.\n"
    );
    let off = entries(dir.path(), &["--action", "entra.auto_deprovision_off"]);
    assert_eq!(off.len(), 1);
    assert_eq!(
        off[0]["detail"],
        "The plan changed to Free: auto-deprovisioning needs Enterprise"
    );
    let err = fails(dir.path(), &["entra", "auto-deprovision", "on"], 1);
    assert!(err.contains("needs the Enterprise plan"), "{err}");
}

#[test]
fn audit_filters_and_refuses_bad_input_clearly() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), "team");
    add(dir.path(), "ann@northwind.example", "Ann");
    add(dir.path(), "bob@northwind.example", "Bob");
    ok(
        dir.path(),
        &["users", "deactivate", "ann@northwind.example"],
    );

    let all = entries(dir.path(), &[]);
    let actions: Vec<&str> = all.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "user.deactivated",
            "user.added",
            "user.added",
            "organization.created"
        ]
    );
    let ann = entries(dir.path(), &["--user", "ANN@northwind.example"]);
    assert_eq!(ann.len(), 2);
    assert!(ann
        .iter()
        .all(|e| e["subject"] == "Ann <ann@northwind.example>"));
    assert_eq!(entries(dir.path(), &["--action", "user.added"]).len(), 2);
    let today = all[0]["at"].as_str().unwrap()[..10].to_owned();
    assert_eq!(
        entries(dir.path(), &["--since", &today, "--until", &today]).len(),
        4
    );
    assert_eq!(entries(dir.path(), &["--until", "2000-01-01"]).len(), 0);
    let text = ok(dir.path(), &["audit", "--until", "2000-01-01"]);
    assert_eq!(text, "No audit entries match.\n");

    // Text: aligned columns under a header, newest first.
    let text = ok(dir.path(), &["audit", "--user", "ann@northwind.example"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("TIME"), "{text}");
    let column = lines[0].find("ACTION").unwrap();
    assert_eq!(&lines[1][column..column + 16], "user.deactivated");
    assert_eq!(&lines[2][column..column + 10], "user.added");

    let err = fails(dir.path(), &["audit", "--since", "2024-13-01"], 1);
    assert_eq!(
        err,
        "uniasset: \"2024-13-01\" is not a date: use YYYY-MM-DD.\n"
    );
    let err = fails(
        dir.path(),
        &["audit", "--since", "2024-03-01", "--until", "2024-02-01"],
        1,
    );
    assert!(err.contains("after the end date"), "{err}");
    let err = fails(dir.path(), &["audit", "--user", "zoe@northwind.example"], 1);
    assert_eq!(
        err,
        "uniasset: No user has the email address \"zoe@northwind.example\".\n"
    );
    let out = run(
        dir.path(),
        &["--json", "audit", "--user", "zoe@northwind.example"],
        "",
    );
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["error"]["code"], "unknown_user");
    for args in [
        &["audit", "--csv", "--json"][..],
        &["--json", "audit", "--csv"][..],
    ] {
        // With --json first, the refusal itself is JSON on standard output.
        let out = run(dir.path(), args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let said = [out.stdout, out.stderr].concat();
        let said = String::from_utf8_lossy(&said);
        assert!(said.contains("--csv") && said.contains("--json"), "{said}");
    }
}

#[test]
fn audit_csv_is_safe_to_open_in_a_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), "team");
    add(
        dir.path(),
        "formula@northwind.example",
        "=HYPERLINK(\"http://x\")",
    );
    add(dir.path(), "plus@northwind.example", "+1");
    let text = ok(dir.path(), &["audit", "--csv", "--action", "user.added"]);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("time,actor,action,subject,details"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(
        rows[0].contains(",user.added,'+1 <plus@northwind.example>,"),
        "{text}"
    );
    assert!(
        rows[1]
            .contains(",user.added,\"'=HYPERLINK(\"\"http://x\"\") <formula@northwind.example>\","),
        "{text}"
    );
}
