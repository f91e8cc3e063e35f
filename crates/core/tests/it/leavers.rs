//! Leavers and the deprovisioning evidence (issue 11), end to end through the sync against
//! the Graph simulator, the real keychain and a real SQLite file. Assets and holdings are
//! set up with plain SQL per migration 009's schema (the asset register's own functions
//! are tested with it).

use chrono::{SecondsFormat, TimeDelta, Utc};
use testkit::tenant::connected;
use testkit::{Org, MEMBER_EMAIL};
use uniasset_core::access::Actor;
use uniasset_core::assets::HoldingOutcome;
use uniasset_core::directory::{self, DeactivationReason, Role, SignInMethod, UserStatus};
use uniasset_core::leavers::{self, EvidenceRow};
use uniasset_core::organization::Plan;
use uniasset_core::sync::{self, LineOutcome, RunResult, Trigger};
use uniasset_core::ErrorCode;

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn sql(org: &Org) -> rusqlite::Connection {
    rusqlite::Connection::open(org.store.path()).unwrap()
}

/// A new asset, assigned to `user_id` from now on: the asset and its open holding.
fn give(org: &Org, tag: &str, user_id: i64) {
    let conn = sql(org);
    let at = now();
    conn.execute(
        "INSERT INTO assets (tag, name, assigned_to, created_at, status) VALUES (?1, ?2, ?3, ?4, 'in_use')",
        rusqlite::params![tag, format!("{tag} laptop"), user_id, at],
    )
    .unwrap();
    let asset_id = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO asset_holdings (asset_id, user_id, assigned_at, assigned_by) VALUES (?1, ?2, ?3, 'test')",
        rusqlite::params![asset_id, user_id, at],
    )
    .unwrap();
}

/// Ends the asset's open holding now, as the asset register would: returned or lost.
fn end(org: &Org, tag: &str, outcome: &str) {
    let conn = sql(org);
    let status = if outcome == "returned" {
        "in_stock"
    } else {
        "lost"
    };
    conn.execute(
        "UPDATE asset_holdings SET ended_at = ?2, ended_by = 'test', outcome = ?3
         WHERE ended_at IS NULL AND asset_id = (SELECT id FROM assets WHERE tag = ?1)",
        rusqlite::params![tag, now(), outcome],
    )
    .unwrap();
    conn.execute(
        "UPDATE assets SET assigned_to = NULL, status = ?2 WHERE tag = ?1",
        rusqlite::params![tag, status],
    )
    .unwrap();
}

fn rename(org: &Org, email: &str, name: &str) {
    sql(org)
        .execute(
            "UPDATE users SET display_name = ?2 WHERE email = ?1",
            rusqlite::params![email, name],
        )
        .unwrap();
}

/// Lets the clock move on, so stamps taken on either side differ.
async fn tick() {
    tokio::time::sleep(std::time::Duration::from_millis(15)).await;
}

fn all(org: &Org) -> Vec<EvidenceRow> {
    leavers::evidence(&org.store, &org.owner(), None, None)
        .unwrap()
        .rows
}

#[tokio::test(flavor = "multi_thread")]
async fn a_held_run_sees_the_change_first_and_the_apply_deactivates() {
    let mut t = connected(Plan::Enterprise).await;
    // Dana is the only linked account: disabling her leaves none enabled, so the run is held.
    let (dana, oid) = t.linked("dana@northwind.example", Role::Member);
    rename(&t.org, "dana@northwind.example", "Dana Driver");
    give(&t.org, "LAP-1", dana.id);
    give(&t.org, "PHN-2", dana.id);
    t.sync().await;
    t.sim.set_enabled(&oid, false);

    let held = t.sync().await;
    assert_eq!(held.result, RunResult::HeldForReview, "{held:?}");
    tick().await;
    let applied = sync::apply_held(
        &mut t.org.store,
        &Actor::CommandLine,
        held.id.unwrap(),
        Trigger::Manual,
    )
    .await
    .unwrap();
    assert_eq!(applied.counts.deactivated, 1);

    // The run report and the notification say what to get back.
    assert_eq!(
        sync::notification(&applied).unwrap(),
        "The Entra ID sync deactivated 1 user. Dana Driver was deactivated — 2 assets to recover."
    );
    let stored = sync::run(&t.org.store, applied.id.unwrap())
        .unwrap()
        .unwrap();
    let line = &stored.lines[0];
    assert_eq!(line.outcome, LineOutcome::Deactivated);
    assert_eq!(
        line.detail,
        "Dana Driver was deactivated — 2 assets to recover: LAP-1, PHN-2."
    );
    assert_eq!(line.assets_to_recover, 2);

    let rows = all(&t.org);
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    let dana = t.org.user("dana@northwind.example");
    assert_eq!(dana.status, UserStatus::Deactivated);
    assert_eq!(dana.id, row.user_id);
    assert_eq!(row.reason, DeactivationReason::DisabledInEntra);
    assert_eq!(row.run_id, applied.id);
    assert_eq!(
        row.deactivated_by,
        format!("Microsoft Entra ID sync, run #{}", applied.id.unwrap())
    );
    let detected = row.detected_at.clone().expect("the held run saw it");
    assert!(
        held.started_at <= detected && detected <= held.ended_at.clone().unwrap(),
        "detected at the held run: {detected} vs {held:?}"
    );
    assert!(detected < row.deactivated_at);
    assert!(row.delay_seconds.unwrap() >= 0);
    assert_eq!(row.assets_outstanding, ["LAP-1", "PHN-2"]);
    assert!(row.assets_returned.is_empty());
    assert_eq!(line.detected_at.as_deref(), Some(detected.as_str()));

    // Leavers shows her with both assets; a return takes one off, the evidence keeps it.
    let listed = leavers::leavers(&t.org.store, &t.org.owner()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].user.email, "dana@northwind.example");
    assert_eq!(listed[0].assets.len(), 2);
    assert_eq!(
        listed[0].deactivated_by,
        format!("Microsoft Entra ID sync, run #{}", applied.id.unwrap())
    );
    assert_eq!(leavers::count(&t.org.store).unwrap(), 1);
    end(&t.org, "LAP-1", "returned");
    end(&t.org, "PHN-2", "lost");
    assert_eq!(leavers::count(&t.org.store).unwrap(), 0);
    assert!(leavers::leavers(&t.org.store, &t.org.owner())
        .unwrap()
        .is_empty());
    let row = &all(&t.org)[0];
    assert_eq!(row.assets_returned, ["LAP-1"]);
    assert_eq!(row.assets_lost, ["PHN-2"]);
    assert!(row.assets_outstanding.is_empty());
    let lap = &row.assets[0];
    assert_eq!(lap.outcome, Some(HoldingOutcome::Returned));
    assert!(lap.returned_at.as_deref().unwrap() > row.deactivated_at.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_account_seen_first_by_a_dry_run() {
    let mut t = connected(Plan::Enterprise).await;
    t.linked("colleague@northwind.example", Role::Member);
    let (erin, oid) = t.linked("erin@northwind.example", Role::Member);
    give(&t.org, "LAP-9", erin.id);
    t.sync().await;
    t.sim.soft_delete(&oid);

    let preview = t.dry_run().await;
    assert_eq!(preview.lines[0].outcome, LineOutcome::WouldDeactivate);
    tick().await;
    let run = t.sync().await;
    assert_eq!(run.counts.deactivated, 1, "{run:?}");
    let rows = all(&t.org);
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.reason, DeactivationReason::DeletedFromEntra);
    let detected = row.detected_at.clone().unwrap();
    assert!(
        detected < run.started_at,
        "the dry run saw it first: {detected} < {}",
        run.started_at
    );
    assert!(row.delay_seconds.is_some());
    assert_eq!(row.assets_outstanding, ["LAP-9"]);

    // Nobody else was ever seen disabled or deleted; nothing is left waiting.
    assert_eq!(t.org.count("entra_changes_seen"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn seeing_an_account_enabled_again_forgets_the_sighting() {
    let mut t = connected(Plan::Enterprise).await;
    let (_, oid) = t.linked("fay@northwind.example", Role::Member);
    t.sync().await;
    t.sim.set_enabled(&oid, false);
    let held = t.sync().await;
    assert_eq!(held.result, RunResult::HeldForReview);
    assert_eq!(t.org.count("entra_changes_seen"), 1);
    t.sim.set_enabled(&oid, true);
    t.sync().await;
    assert_eq!(t.org.count("entra_changes_seen"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn manual_deactivations_and_a_second_deactivation_each_make_a_row() {
    let mut org = testkit::team(Plan::Team);
    let mia = org.user(MEMBER_EMAIL);
    let owner = org.owner();
    give(&org, "OLD-1", mia.id);
    end(&org, "OLD-1", "returned"); // returned before she left: not evidence
    give(&org, "LAP-1", mia.id);

    directory::deactivate(&mut org.store, &owner, mia.id).unwrap();
    assert_eq!(leavers::count(&org.store).unwrap(), 1);
    std::thread::sleep(std::time::Duration::from_millis(15));
    directory::reactivate(&mut org.store, &owner, mia.id).unwrap();
    give(&org, "PHN-2", mia.id); // assigned after the first deactivation
    std::thread::sleep(std::time::Duration::from_millis(15));
    directory::deactivate(&mut org.store, &owner, mia.id).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(15));
    end(&org, "LAP-1", "returned");

    let rows = all(&org);
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert_eq!(row.reason, DeactivationReason::Manual);
        assert_eq!(row.detected_at, None, "nothing in Entra preceded it");
        assert_eq!(row.delay_seconds, None);
        assert_eq!(row.run_id, None);
        assert_eq!(row.deactivated_by, owner.label());
    }
    assert!(rows[0].deactivated_at < rows[1].deactivated_at);
    let tags = |row: &EvidenceRow| row.assets.iter().map(|a| a.tag.clone()).collect::<Vec<_>>();
    assert_eq!(tags(&rows[0]), ["LAP-1"]);
    assert_eq!(tags(&rows[1]), ["LAP-1", "PHN-2"]);
    assert_eq!(rows[0].assets_returned, ["LAP-1"]);
    assert_eq!(rows[1].assets_returned, ["LAP-1"]);
    assert_eq!(rows[1].assets_outstanding, ["PHN-2"]);
    assert!(rows[0].assets_outstanding.is_empty());

    let listed = leavers::leavers(&org.store, &owner).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].reason, DeactivationReason::Manual);
    assert_eq!(listed[0].deactivated_at, rows[1].deactivated_at);
    assert_eq!(
        listed[0]
            .assets
            .iter()
            .map(|a| a.tag.as_str())
            .collect::<Vec<_>>(),
        ["PHN-2"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reactivated_then_again_disabled_account_is_detected_afresh() {
    let mut t = connected(Plan::Enterprise).await;
    t.linked("colleague@northwind.example", Role::Member);
    let (gil, oid) = t.linked("gil@northwind.example", Role::Member);
    t.sync().await;
    t.sim.set_enabled(&oid, false);
    let first = t.sync().await;
    assert_eq!(first.counts.deactivated, 1);
    // Reactivated by hand while Entra still has the account disabled: the next run
    // deactivates again, and that deactivation rests on what that run saw.
    directory::reactivate(&mut t.org.store, &Actor::CommandLine, gil.id).unwrap();
    tick().await;
    let second = t.sync().await;
    assert_eq!(second.counts.deactivated, 1, "{second:?}");
    let rows = all(&t.org);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].run_id, first.id);
    assert_eq!(rows[1].run_id, second.id);
    let detected = rows[1].detected_at.clone().unwrap();
    assert!(detected >= second.started_at, "{detected} vs {second:?}");
    assert!(rows[0].detected_at.clone().unwrap() <= first.ended_at.clone().unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_period_filters_on_the_day_of_deactivation() {
    let mut org = testkit::team(Plan::Team);
    let mia = org.user(MEMBER_EMAIL);
    let owner = org.owner();
    directory::deactivate(&mut org.store, &owner, mia.id).unwrap();
    let today = Utc::now().date_naive();
    let yesterday = today - TimeDelta::days(1);
    let tomorrow = today + TimeDelta::days(1);
    let count = |since, until| {
        leavers::evidence(&org.store, &owner, since, until)
            .unwrap()
            .rows
            .len()
    };
    assert_eq!(count(Some(today), Some(today)), 1, "both ends included");
    assert_eq!(count(None, Some(yesterday)), 0);
    assert_eq!(count(Some(tomorrow), None), 0);
    assert_eq!(count(Some(yesterday), None), 1);
    let err = leavers::evidence(&org.store, &owner, Some(today), Some(yesterday)).unwrap_err();
    assert_eq!(err.code(), "invalid_date_range");
    assert!(err.to_string().contains("after the end date"), "{err}");
    assert_eq!(
        leavers::parse_date("2026-13-01").unwrap_err().to_string(),
        "\"2026-13-01\" is not a date: use YYYY-MM-DD."
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_csv_is_safe_in_a_spreadsheet_and_members_cannot_read_it() {
    let mut org = testkit::team(Plan::Team);
    let owner = org.owner();
    let cmd = org.add(
        "cmd@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    rename(&org, "cmd@northwind.example", "=cmd|' /C calc'!A0");
    give(&org, "+SUM(1)", cmd.id);
    directory::deactivate(&mut org.store, &owner, cmd.id).unwrap();

    let mut out = Vec::new();
    let n = leavers::evidence_csv(&org.store, &owner, None, None, &mut out).unwrap();
    assert_eq!(n, 1);
    let text = String::from_utf8(out).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        leavers::CSV_HEADER
    );
    let row: Vec<String> = reader
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(row[0], "'=cmd|' /C calc'!A0");
    assert_eq!(row[2], "manual");
    assert_eq!(row[3], "", "no detection for a deactivation by hand");
    assert_eq!(row[7], "'+SUM(1) (+SUM(1) laptop)");
    assert_eq!(row[10], "'+SUM(1)");
    for cell in &row {
        assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
    }

    // Into a file, owner-only.
    let path = org.dir.path().join("evidence.csv");
    leavers::evidence_csv_file(&org.store, &owner, None, None, &path).unwrap();
    // The same rows; the trail's verdict says when it was checked, which differs.
    let without_trail = |csv_text: &str| -> Vec<Vec<String>> {
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let trail = reader
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "audit_trail")
            .unwrap();
        reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                assert!(r[trail].starts_with("Audit trail verified at "), "{r:?}");
                r.iter()
                    .enumerate()
                    .filter(|(i, _)| *i != trail)
                    .map(|(_, c)| c.to_owned())
                    .collect()
            })
            .collect()
    };
    assert_eq!(
        without_trail(&std::fs::read_to_string(&path).unwrap()),
        without_trail(&text)
    );

    let mia = org.actor(MEMBER_EMAIL);
    for err in [
        leavers::evidence(&org.store, &mia, None, None).unwrap_err(),
        leavers::leavers(&org.store, &mia).unwrap_err(),
        leavers::evidence_csv_file(&org.store, &mia, None, None, &path).unwrap_err(),
    ] {
        assert_eq!(err.code(), "needs_admin", "{err}");
    }
    assert!(leavers::leavers(&org.store, &org.actor(testkit::ADMIN_EMAIL)).is_ok());
}
