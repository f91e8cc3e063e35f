//! `uniasset report leavers` as a real process on a real data directory: the
//! deprovisioning evidence as text, JSON and CSV, and its bad input. Assets are set up with
//! plain SQL per migration 009 (the asset register's commands are tested with it).

use std::path::Path;

use crate::common::{add_member, fails, json, ok, run};

const DANA: &str = "dana@northwind.example";

/// Now in the store's format (RFC 3339, UTC, milliseconds), from SQLite's clock.
fn now() -> String {
    rusqlite::Connection::open_in_memory()
        .unwrap()
        .query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", [], |r| {
            r.get(0)
        })
        .unwrap()
}

fn today() -> String {
    now()[..10].to_owned()
}

fn sql(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("uniasset.db")).unwrap()
}

/// A new asset held by `email` from now on.
fn give(dir: &Path, tag: &str, email: &str) {
    let conn = sql(dir);
    let user_id: i64 = conn
        .query_row("SELECT id FROM users WHERE email = ?1", [email], |r| {
            r.get(0)
        })
        .unwrap();
    let at = now();
    conn.execute(
        "INSERT INTO assets (tag, name, assigned_to, created_at, status) VALUES (?1, 'Laptop', ?2, ?3, 'in_use')",
        rusqlite::params![tag, user_id, at],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO asset_holdings (asset_id, user_id, assigned_at, assigned_by) VALUES (?1, ?2, ?3, 'test')",
        rusqlite::params![conn.last_insert_rowid(), user_id, at],
    )
    .unwrap();
}

/// Checks the asset in now, as the asset register would.
fn check_in(dir: &Path, tag: &str) {
    let conn = sql(dir);
    conn.execute(
        "UPDATE asset_holdings SET ended_at = ?2, ended_by = 'test', outcome = 'returned'
         WHERE ended_at IS NULL AND asset_id = (SELECT id FROM assets WHERE tag = ?1)",
        rusqlite::params![tag, now()],
    )
    .unwrap();
    conn.execute(
        "UPDATE assets SET assigned_to = NULL, status = 'in_stock' WHERE tag = ?1",
        [tag],
    )
    .unwrap();
}

/// Northwind; Dana (named "=cmd" to try the CSV) held LAP-1 and PHN-2 when she was
/// deactivated by hand, and has returned LAP-1 since.
fn leaver(dir: &Path) {
    crate::common::init(dir, "team", None);
    ok(dir, &add_member(DANA, "=cmd", "password", None));
    give(dir, "LAP-1", DANA);
    give(dir, "PHN-2", DANA);
    std::thread::sleep(std::time::Duration::from_millis(10));
    ok(dir, &["users", "deactivate", DANA]);
    std::thread::sleep(std::time::Duration::from_millis(10));
    check_in(dir, "LAP-1");
}

#[test]
fn report_leavers_as_json_text_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    leaver(dir.path());
    let today = today();

    let rows = json(dir.path(), &["report", "leavers", "--since", &today]);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row["email"], DANA);
    assert_eq!(row["reason"], "manual");
    assert_eq!(row["detected_at"], serde_json::Value::Null);
    assert!(row["deactivated_at"].as_str().unwrap().starts_with(&today));
    assert_eq!(row["deactivated_by"], "command line");
    assert_eq!(row["assets_outstanding"], serde_json::json!(["PHN-2"]));
    assert_eq!(row["assets_returned"], serde_json::json!(["LAP-1"]));

    let text = ok(dir.path(), &["report", "leavers"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("PERSON"), "{text}");
    assert!(lines[1].starts_with(DANA), "{text}");
    let cells: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(cells[1], "manual", "{text}");
    assert_eq!(cells[2], "-", "no detection for a deactivation by hand");
    assert_eq!(cells[cells.len() - 2..], ["PHN-2", "LAP-1"], "{text}");

    let csv = ok(
        dir.path(),
        &["report", "leavers", "--csv", "--until", &today],
    );
    let mut lines = csv.lines();
    // Columns added for auditors (issue 25) come after the first eleven.
    assert_eq!(
        lines.next().unwrap(),
        "person,email,reason,detected_at,deactivated_at,deactivated_by,delay,assets_held,returned,lost,outstanding,\
         object_id,trigger,applied_by,applied_at,sessions,sessions_ended_at,disabled_in_entra_at,\
         target_hours,target_met,received_by,lost_by,asset_notes,audit_trail,written_off,written_off_by"
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with("'=cmd,dana@northwind.example,manual,,"),
        "{row}"
    );
    assert!(row.contains(",,PHN-2,,by_hand,"), "{row}");
    assert!(row.contains("LAP-1: test"), "received by: {row}");
    assert!(row.contains("Audit trail verified"), "{row}");
    assert_eq!(lines.next(), None);

    let before = ok(dir.path(), &["report", "leavers", "--until", "2020-01-01"]);
    assert_eq!(before, "Nobody was deactivated in this period.\n");
}

#[test]
fn report_leavers_refuses_bad_input_clearly() {
    let dir = tempfile::tempdir().unwrap();
    leaver(dir.path());
    let err = fails(
        dir.path(),
        &["report", "leavers", "--since", "yesterday"],
        1,
    );
    assert_eq!(
        err,
        "uniasset: \"yesterday\" is not a date: use YYYY-MM-DD.\n"
    );
    let err = fails(
        dir.path(),
        &[
            "report",
            "leavers",
            "--since",
            "2026-02-01",
            "--until",
            "2026-01-01",
        ],
        1,
    );
    assert!(err.contains("after the end date"), "{err}");
    // With --json the refusal is JSON on standard output.
    let out = run(dir.path(), &["--json", "report", "leavers", "--csv"], "");
    assert_eq!(out.status.code(), Some(2));
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["error"]["code"], "usage");
    assert_eq!(
        body["error"]["message"],
        "--csv and --json cannot be used together: choose one."
    );
    let out = run(dir.path(), &["report", "leavers", "--csv", "--json"], "");
    assert_eq!(out.status.code(), Some(2));
    let err = fails(dir.path(), &["report", "leavers", "--since"], 2);
    assert!(err.contains("--since"), "{err}");
}
