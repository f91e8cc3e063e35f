//! `uniasset status`: Home's items and the getting-started list, from an empty organization
//! to a finished list (run under scripts/with-keyring.sh: the Entra secret and the SMTP
//! password go to the keychain).

use graph_sim::{Simulator, TenantConfig};
use serde_json::Value;
use testkit::smtp::SmtpServer;

use crate::common::{add_member, connect, fails, init, json, ok, OWNER_EMAIL};

fn remaining(status: &Value) -> Vec<String> {
    status["checklist"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["done"] == false)
        .map(|s| s["kind"].as_str().unwrap().to_owned())
        .collect()
}

fn item<'a>(status: &'a Value, topic: &str) -> &'a Value {
    status["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["topic"] == topic)
        .unwrap_or_else(|| panic!("no {topic} item in {status}"))
}

#[test]
fn status_follows_a_new_organization_until_its_checklist_is_done() {
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    let smtp = SmtpServer::start(None);
    let folder = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init(d, "enterprise", Some("correct horse battery staple 7"));

    let status = json(d, &["status"]);
    assert_eq!(status["organization"], "Northwind");
    assert_eq!(status["checklist"]["remaining"], 6);
    assert_eq!(
        remaining(&status),
        [
            "add_people",
            "connect_entra",
            "turn_on_auto_deprovisioning",
            "record_assets",
            "email_alerts",
            "backups"
        ]
    );
    let turn_on = &status["checklist"]["steps"][2];
    assert_eq!(turn_on["blocked"], "Connect Microsoft Entra ID first.");
    assert_eq!(item(&status, "entra")["health"], "off");
    // What needs the owner comes first.
    assert_eq!(status["items"][0]["health"], "attention");
    let text = ok(d, &["status"]);
    assert!(text.contains("Getting started: 0 of 6 done."), "{text}");
    assert!(text.contains("[ ] Connect Microsoft Entra ID"), "{text}");

    // People: one linked to Entra, one who signs in with Microsoft but is not linked.
    let dana = sim.add_user(
        "dana@northwind.example",
        Some("dana@northwind.example"),
        true,
    );
    ok(
        d,
        &add_member(
            "dana@northwind.example",
            "Dana Driver",
            "microsoft",
            Some(&dana),
        ),
    );
    ok(
        d,
        &add_member("sam@northwind.example", "Sam Unlinked", "microsoft", None),
    );
    let status = json(d, &["status"]);
    assert!(!remaining(&status).contains(&"add_people".to_owned()));
    let unlinked = item(&status, "not_linked");
    assert_eq!(unlinked["health"], "attention");
    assert!(unlinked["summary"]
        .as_str()
        .unwrap()
        .starts_with("1 person signs in with Microsoft"));
    assert_eq!(unlinked["action"]["place"], "people_not_linked");

    connect(d, &sim);
    let status = json(d, &["status"]);
    assert_eq!(item(&status, "entra")["health"], "good");
    assert_eq!(status["checklist"]["steps"][2]["blocked"], Value::Null);
    assert_eq!(item(&status, "auto_deprovision")["health"], "attention");
    assert_eq!(
        item(&status, "auto_deprovision")["action"]["label"],
        "Turn on"
    );

    ok(d, &["entra", "auto-deprovision", "on"]);
    let status = json(d, &["status"]);
    let auto = item(&status, "auto_deprovision");
    assert_eq!(auto["health"], "good");
    assert_eq!(auto["at_label"], "Next run");
    assert!(
        auto["at"].as_str().unwrap().ends_with("T03:00:00Z"),
        "{auto}"
    );

    ok(
        d,
        &[
            "assets",
            "add",
            "--tag",
            "LAP-1",
            "--name",
            "Laptop",
            "--assign",
            "dana@northwind.example",
        ],
    );

    let port = smtp.port.to_string();
    let alerts = [
        "alerts",
        "set",
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--tls",
        "none",
        "--from",
        "uniasset@northwind.example",
        "--to",
        OWNER_EMAIL,
    ];
    ok(d, &alerts);
    let status = json(d, &["status"]);
    let email = item(&status, "email_alerts");
    assert_eq!(email["health"], "attention");
    assert!(
        email["summary"]
            .as_str()
            .unwrap()
            .starts_with("Saved, not tested"),
        "{email}"
    );
    assert!(remaining(&status).contains(&"email_alerts".to_owned()));
    ok(d, &["alerts", "test"]);
    assert_eq!(
        item(&json(d, &["status"]), "email_alerts")["health"],
        "good"
    );
    // Saving the same settings keeps the test; changing them asks for a new one.
    ok(d, &alerts);
    assert_eq!(
        item(&json(d, &["status"]), "email_alerts")["health"],
        "good"
    );
    let mut changed = alerts.to_vec();
    let last = changed.len() - 1;
    changed[last] = "it@northwind.example";
    ok(d, &changed);
    assert_eq!(
        item(&json(d, &["status"]), "email_alerts")["health"],
        "attention"
    );
    ok(d, &["alerts", "test"]);

    ok(
        d,
        &[
            "backup",
            "settings",
            "--folder",
            folder.path().to_str().unwrap(),
        ],
    );
    assert_eq!(
        item(&json(d, &["status"]), "backups")["health"],
        "attention"
    );
    ok(d, &["backup", "create"]);

    let status = json(d, &["status"]);
    assert_eq!(status["checklist"]["remaining"], 0, "{status}");
    assert_eq!(item(&status, "backups")["health"], "good");
    let text = ok(d, &["status"]);
    assert!(text.contains("Getting started: 6 of 6 done."), "{text}");
}

#[test]
fn status_needs_an_organization_and_survives_a_reader_that_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let said = fails(dir.path(), &["status"], 1);
    assert!(said.contains("No organization is set up"), "{said}");

    init(dir.path(), "team", None);
    // `uniasset status | head -1`: the reader is gone before the output is written.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_uniasset"))
        .arg("status")
        .env("UNIASSET_DATA_DIR", dir.path())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Without a password the Owner cannot sign in, and Home says so.
    let status = json(dir.path(), &["status"]);
    assert_eq!(item(&status, "cannot_sign_in")["health"], "attention");
}
