//! `uniasset assets …` as a real process on a real data directory: every command, and bad
//! input (an unknown tag or email, a duplicate tag, a deactivated assignee) refused with a
//! clear message, exit 1 and nothing changed; a bad status is a usage error (exit 2).

use std::path::Path;

use crate::common::{add_member, fails, json, ok};
use rusqlite::types::Value as Sql;
use serde_json::Value;

const DANA: &str = "dana@northwind.example";
const ERIK: &str = "erik@northwind.example";

/// Northwind with Dana (Microsoft sign-in) and Erik, and one laptop in stock.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    crate::common::init(dir.path(), "team", None);
    ok(
        dir.path(),
        &add_member(DANA, "Dana Driver", "microsoft", None),
    );
    ok(dir.path(), &add_member(ERIK, "Erik Eng", "password", None));
    let text = ok(
        dir.path(),
        &[
            "assets",
            "add",
            "--tag",
            "LAP-001",
            "--name",
            "ThinkPad T14",
            "--category",
            "Laptop",
            "--serial",
            "PF-4KX2",
        ],
    );
    assert_eq!(text, "Added LAP-001 (ThinkPad T14), in stock.\n");
    dir
}

/// The register's rows and the audit trail's length, to prove a refusal changed nothing.
fn snapshot(dir: &Path) -> (Vec<Vec<Sql>>, Vec<Vec<Sql>>, i64) {
    let conn = rusqlite::Connection::open(dir.join("uniasset.db")).unwrap();
    let rows = |sql: &str| {
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        stmt.query_map([], |r| (0..n).map(|i| r.get::<_, Sql>(i)).collect())
            .unwrap()
            .collect::<Result<Vec<Vec<Sql>>, _>>()
            .unwrap()
    };
    let audit = conn
        .query_row("SELECT count(*) FROM audit_entries", [], |r| r.get(0))
        .unwrap();
    (
        rows("SELECT * FROM assets ORDER BY id"),
        rows("SELECT * FROM asset_holdings ORDER BY id"),
        audit,
    )
}

/// Runs a command that must fail with `exit`, leaving the data as it was; returns stderr.
fn refused(dir: &Path, args: &[&str], exit: i32) -> String {
    let before = snapshot(dir);
    let err = fails(dir, args, exit);
    assert_eq!(snapshot(dir), before, "{args:?} changed nothing");
    err
}

fn list(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["assets", "list"];
    all.extend_from_slice(args);
    all.push("--json");
    json(dir, &all).as_array().unwrap().clone()
}

fn last_audit(dir: &Path) -> (String, String, String) {
    let conn = rusqlite::Connection::open(dir.join("uniasset.db")).unwrap();
    conn.query_row(
        "SELECT action, detail, actor_label FROM audit_entries ORDER BY id DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

#[test]
fn add_assign_checkin_lost_and_list_as_json() {
    let dir = setup();
    let d = dir.path();
    let added = json(
        d,
        &[
            "assets",
            "add",
            "--tag",
            "PHN-7",
            "--name",
            "Pixel 8",
            "--assign",
            "DANA@northwind.example",
        ],
    );
    assert_eq!(added["tag"], "PHN-7");
    assert_eq!(added["status"], "in_use");
    assert_eq!(added["assigned_to"], DANA);
    assert_eq!(
        last_audit(d),
        (
            "asset.assigned".into(),
            format!("Assigned PHN-7 to Dana Driver <{DANA}>"),
            "command line".into()
        )
    );

    let rows = list(d, &[]);
    assert_eq!(rows.len(), 2);
    let lap = &rows[0];
    assert_eq!(lap["tag"], "LAP-001");
    assert_eq!(lap["name"], "ThinkPad T14");
    assert_eq!(lap["category"], "Laptop");
    assert_eq!(lap["serial"], "PF-4KX2");
    assert_eq!(lap["status"], "in_stock");
    assert_eq!(lap["assigned_to"], Value::Null);
    assert_eq!(rows[1]["assigned_to"], DANA);
    assert_eq!(rows[1]["assigned_to_name"], "Dana Driver");

    let text = ok(
        d,
        &["assets", "assign", "lap-001", ERIK, "--note", "new starter"],
    );
    assert_eq!(text, format!("Assigned LAP-001 to {ERIK}.\n"));
    let erik = list(d, &["--assigned-to", ERIK]);
    assert_eq!(erik.len(), 1);
    assert_eq!(erik[0]["tag"], "LAP-001");
    assert_eq!(erik[0]["status"], "in_use");
    assert_eq!(
        last_audit(d).1,
        format!("Assigned LAP-001 to Erik Eng <{ERIK}>. Note: new starter")
    );

    let text = ok(d, &["assets", "checkin", "LAP-001", "--note", "all fine"]);
    assert_eq!(
        text,
        format!("Checked LAP-001 in from {ERIK}; it is in stock.\n")
    );
    assert!(list(d, &["--assigned-to", ERIK]).is_empty());
    assert_eq!(last_audit(d).0, "asset.checked_in");

    let text = ok(d, &["assets", "lost", "PHN-7", "--note", "left in a taxi"]);
    assert_eq!(text, "Marked PHN-7 lost.\n");
    let lost = list(d, &["--status", "lost"]);
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0]["tag"], "PHN-7");
    assert_eq!(lost[0]["assigned_to"], Value::Null);

    let table = ok(d, &["assets", "list"]);
    assert_eq!(
        table,
        "TAG      NAME          CATEGORY  STATUS    HELD BY\n\
         LAP-001  ThinkPad T14  Laptop    in stock\n\
         PHN-7    Pixel 8                 lost\n"
    );
}

#[test]
fn history_shows_who_held_an_asset_and_when() {
    let dir = setup();
    let d = dir.path();
    assert_eq!(
        ok(d, &["assets", "history", "LAP-001"]),
        "Nobody has held LAP-001 yet.\n"
    );
    ok(
        d,
        &["assets", "assign", "LAP-001", DANA, "--note", "first day"],
    );
    ok(d, &["assets", "checkin", "LAP-001", "--note", "returned"]);
    ok(d, &["assets", "assign", "LAP-001", ERIK]);

    let history = json(d, &["assets", "history", "LAP-001"]);
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["user_email"], ERIK);
    assert_eq!(history[0]["ended_at"], Value::Null);
    assert_eq!(history[0]["assigned_by"], "command line");
    assert_eq!(history[1]["user_email"], DANA);
    assert_eq!(history[1]["outcome"], "returned");
    assert_eq!(history[1]["assign_note"], "first day");
    assert_eq!(history[1]["end_note"], "returned");

    let text = ok(d, &["assets", "history", "LAP-001"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("HELD BY"), "{text}");
    assert!(lines[1].starts_with(ERIK) && lines[1].contains("still holds it"));
    assert!(lines[2].starts_with(DANA) && lines[2].contains("(returned)"));
    assert!(lines[2].ends_with("first day / returned"), "{text}");
}

#[test]
fn edit_overlays_the_flags_and_keeps_the_status_in_step() {
    let dir = setup();
    let d = dir.path();
    let edited = json(
        d,
        &[
            "assets",
            "edit",
            "LAP-001",
            "--name",
            "ThinkPad T14 Gen 4",
            "--category",
            "",
            "--status",
            "in_repair",
        ],
    );
    assert_eq!(edited["name"], "ThinkPad T14 Gen 4");
    assert_eq!(edited["category"], Value::Null);
    assert_eq!(edited["serial"], "PF-4KX2", "not mentioned, kept");
    assert_eq!(edited["status"], "in_repair");
    assert_eq!(last_audit(d).0, "asset.edited");
    assert_eq!(
        ok(d, &["assets", "edit", "LAP-001", "--serial", "PF-4KX2"]),
        "Nothing changed for LAP-001.\n"
    );

    let err = refused(d, &["assets", "edit", "LAP-001", "--status", "in_use"], 1);
    assert_eq!(
        err,
        "uniasset: LAP-001 is not assigned to anyone, so it cannot be in use: assign it to someone instead.\n"
    );
    ok(d, &["assets", "assign", "LAP-001", DANA]);
    let err = refused(d, &["assets", "edit", "LAP-001", "--status", "retired"], 1);
    assert_eq!(
        err,
        format!("uniasset: LAP-001 is held by Dana Driver <{DANA}>; check it in first.\n")
    );
    let err = refused(d, &["assets", "edit", "LAP-001", "--status", "broken"], 2);
    assert!(
        err.contains(
            "Unknown asset status \"broken\": use in_use, in_stock, in_repair, retired or lost."
        ),
        "{err}"
    );
    let err = refused(d, &["assets", "edit", "LAP-001"], 2);
    assert!(err.contains("required"), "{err}");
    refused(d, &["assets", "list", "--status", "borrowed"], 2);
}

#[test]
fn unknown_tags_and_emails_are_refused_and_change_nothing() {
    let dir = setup();
    let d = dir.path();
    let no_tag = "uniasset: No asset has the tag NOPE-1.\n";
    for args in [
        &["assets", "assign", "NOPE-1", DANA][..],
        &["assets", "checkin", "NOPE-1"],
        &["assets", "lost", "NOPE-1"],
        &["assets", "edit", "NOPE-1", "--name", "X"],
        &["assets", "history", "NOPE-1"],
    ] {
        assert_eq!(refused(d, args, 1), no_tag, "{args:?}");
    }
    let no_email = "uniasset: No user has the email nobody@northwind.example.\n";
    for args in [
        &["assets", "assign", "LAP-001", "nobody@northwind.example"][..],
        &[
            "assets",
            "list",
            "--assigned-to",
            "nobody@northwind.example",
        ],
        &[
            "assets",
            "add",
            "--tag",
            "PHN-1",
            "--name",
            "Pixel",
            "--assign",
            "nobody@northwind.example",
        ],
    ] {
        assert_eq!(refused(d, args, 1), no_email, "{args:?}");
    }

    let out = crate::common::run(d, &["--json", "assets", "checkin", "NOPE-1"], "");
    assert_eq!(out.status.code(), Some(1));
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["error"]["code"], "unknown_asset");
}

#[test]
fn a_duplicate_tag_and_a_missing_name_are_refused() {
    let dir = setup();
    let d = dir.path();
    let err = refused(
        d,
        &["assets", "add", "--tag", "lap-001", "--name", "Another"],
        1,
    );
    assert_eq!(
        err,
        "uniasset: An asset with the tag LAP-001 already exists (tags are compared ignoring case).\n"
    );
    let err = refused(d, &["assets", "add", "--tag", "LAP-2", "--name", "  "], 1);
    assert_eq!(err, "uniasset: An asset needs a tag and a name.\n");
    refused(d, &["assets", "add", "--tag", "LAP-2"], 2);
}

#[test]
fn a_deactivated_person_is_refused_as_an_assignee() {
    let dir = setup();
    let d = dir.path();
    ok(d, &["assets", "assign", "LAP-001", DANA]);
    ok(d, &["users", "deactivate", DANA]);
    ok(d, &["assets", "add", "--tag", "MON-1", "--name", "Monitor"]);

    let said = format!(
        "uniasset: Dana Driver <{DANA}> is deactivated; assign the asset to an active user.\n"
    );
    assert_eq!(refused(d, &["assets", "assign", "MON-1", DANA], 1), said);
    assert_eq!(
        refused(
            d,
            &["assets", "add", "--tag", "MON-2", "--name", "Monitor", "--assign", DANA],
            1
        ),
        said
    );
    let err = refused(d, &["assets", "assign", "LAP-001", ERIK], 1);
    assert!(err.contains("check it in first"), "{err}");

    // The leaver's laptop is still theirs, marked deactivated, until it is checked in.
    let table = ok(d, &["assets", "list", "--assigned-to", DANA]);
    assert_eq!(
        table,
        format!(
            "TAG      NAME          CATEGORY  STATUS  HELD BY\n\
             LAP-001  ThinkPad T14  Laptop    in use  {DANA} (deactivated)\n"
        )
    );
    ok(d, &["assets", "checkin", "LAP-001"]);
    assert!(list(d, &["--assigned-to", DANA]).is_empty());
    let err = refused(d, &["assets", "checkin", "LAP-001"], 1);
    assert_eq!(
        err,
        "uniasset: LAP-001 is not assigned to anyone: there is nothing to check in.\n"
    );
}

/// Today and a day `offset` days from it (UTC), from SQLite's clock.
fn day(offset: i64) -> String {
    rusqlite::Connection::open_in_memory()
        .unwrap()
        .query_row(
            "SELECT date('now', ?1 || ' days')",
            [format!("{offset:+}")],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_leavers_asset_is_due_back_then_overdue_and_written_off() {
    let dir = setup();
    let d = dir.path();
    ok(d, &["assets", "assign", "LAP-001", DANA]);
    ok(d, &["users", "deactivate", DANA]);

    let rows = json(d, &["leavers"]);
    assert_eq!(rows[0]["tag"], "LAP-001");
    assert_eq!(rows[0]["holder"], DANA);
    assert_eq!(rows[0]["due"], day(14).as_str());
    assert_eq!(rows[0]["overdue"], false);
    assert_eq!(json(d, &["leavers", "--overdue"]), serde_json::json!([]));
    assert_eq!(
        ok(d, &["leavers", "--overdue"]),
        "No leaver's asset is overdue.\n"
    );

    let err = refused(
        d,
        &["assets", "writeoff", "LAP-001", "--reason", "not_returned"],
        1,
    );
    assert!(
        err.contains(&format!("not overdue yet (due back on {})", day(14))),
        "{err}"
    );
    let err = refused(d, &["assets", "due", "LAP-001", &day(-1)], 1);
    assert!(err.contains("from the day"), "{err}");
    let err = refused(
        d,
        &["assets", "writeoff", "LAP-001", "--reason", "stolen"],
        2,
    );
    assert!(
        err.contains("not_returned, bought_out or destroyed"),
        "{err}"
    );
    assert!(ok(d, &["assets", "due", "LAP-001", &day(3)]).contains(&day(3)));
    assert_eq!(last_audit(d).0, "asset.return_due_set");

    // Time passes: the due date is yesterday.
    rusqlite::Connection::open(d.join("uniasset.db"))
        .unwrap()
        .execute(
            "UPDATE asset_holdings SET return_due = ?1 WHERE ended_at IS NULL",
            [day(-1)],
        )
        .unwrap();
    let overdue = json(d, &["leavers", "--overdue"]);
    assert_eq!(overdue[0]["overdue"], true);
    assert_eq!(overdue[0]["state"], "overdue");
    let text = ok(
        d,
        &[
            "assets",
            "writeoff",
            "LAP-001",
            "--reason",
            "bought_out",
            "--note",
            "Paid",
        ],
    );
    assert_eq!(text, "Wrote LAP-001 off (bought out).\n");
    assert_eq!(list(d, &["--status", "written_off"])[0]["tag"], "LAP-001");
    assert_eq!(
        ok(d, &["leavers"]),
        "Nobody who left still holds an asset.\n"
    );
    let evidence = json(d, &["report", "leavers"]);
    let asset = &evidence[0]["assets"][0];
    assert_eq!(asset["outcome"], "written_off");
    assert_eq!(asset["write_off_reason"], "bought_out");
    assert_eq!(asset["written_off_by"], "command line");

    assert!(ok(d, &["assets", "return-days"]).contains("14 days"));
    refused(d, &["assets", "return-days", "0"], 1);
    assert!(ok(d, &["assets", "return-days", "30"]).contains("30 days"));
}
