//! Assets coming back (R-A4, issue 26) on a real SQLite file: a leaver's assets are due back
//! 14 days (or the organization's setting) after the deactivation, whichever way it happened;
//! reactivation clears the date; one asset's date can be moved; Leavers puts the most urgent
//! first; after the due date an Owner or Admin writes an asset off with a reason, and the
//! evidence shows it. Every refusal changes nothing.

use chrono::{Days, NaiveDate};
use testkit::{Org, MEMBER_EMAIL};
use uniasset_core::assets::{
    self, AssetStatus, HoldingOutcome, NewAsset, ReturnState, WriteOffReason,
};
use uniasset_core::directory::{self, Role, SignInMethod};
use uniasset_core::leavers;
use uniasset_core::organization::Plan;
use uniasset_core::ErrorCode;

fn today() -> NaiveDate {
    uniasset_core::clock::now().date_naive()
}

fn day(offset: i64) -> String {
    let today = today();
    let d = if offset >= 0 {
        today.checked_add_days(Days::new(offset as u64))
    } else {
        today.checked_sub_days(Days::new(offset.unsigned_abs()))
    };
    d.unwrap().to_string()
}

/// A laptop given to `user_id`; returns its id.
fn give(org: &mut Org, tag: &str, user_id: i64) -> i64 {
    let owner = org.owner();
    assets::add_asset(
        &mut org.store,
        &owner,
        &NewAsset::new(tag, "ThinkPad"),
        Some(user_id),
    )
    .unwrap()
    .id
}

/// Time passing, as far as one asset is concerned: its due date moved into the past.
fn due_on(org: &Org, asset_id: i64, day: &str) {
    rusqlite::Connection::open(org.store.path())
        .unwrap()
        .execute(
            "UPDATE asset_holdings SET return_due = ?2 WHERE asset_id = ?1 AND ended_at IS NULL",
            rusqlite::params![asset_id, day],
        )
        .unwrap();
}

fn leaver(org: &mut Org, email: &str) -> i64 {
    org.add(email, Role::Member, SignInMethod::Password).id
}

/// The whole register and the audit trail's length: what a refusal must leave as it was.
fn snapshot(org: &Org) -> (Vec<assets::Asset>, i64) {
    (
        assets::list_assets(&org.store, &Default::default()).unwrap(),
        org.count("audit_entries"),
    )
}

#[test]
fn a_leavers_assets_are_due_back_fourteen_days_after_and_reactivation_clears_it() {
    let mut org = testkit::team(Plan::Team);
    let owner = org.owner();
    let dana = leaver(&mut org, "dana@northwind.example");
    let lap = give(&mut org, "LAP-1", dana);
    assert_eq!(assets::asset(&org.store, lap).unwrap().return_due, None);

    directory::deactivate(&mut org.store, &owner, dana).unwrap();
    let held = assets::asset(&org.store, lap).unwrap();
    assert_eq!(held.return_due.as_deref(), Some(day(14).as_str()));
    assert_eq!(held.return_state, Some(ReturnState::Due));

    directory::reactivate(&mut org.store, &owner, dana).unwrap();
    let back = assets::asset(&org.store, lap).unwrap();
    assert_eq!((back.return_due, back.return_state), (None, None));

    // A shorter return time applies to the next deactivation.
    assert_eq!(
        assets::set_return_days(&mut org.store, &owner, 2).unwrap(),
        2
    );
    directory::deactivate(&mut org.store, &owner, dana).unwrap();
    let soon = assets::asset(&org.store, lap).unwrap();
    assert_eq!(soon.return_due.as_deref(), Some(day(2).as_str()));
    assert_eq!(soon.return_state, Some(ReturnState::DueSoon));
}

#[test]
fn the_return_time_and_one_assets_date_are_an_owners_or_admins_and_refusals_change_nothing() {
    let mut org = testkit::team(Plan::Team);
    let owner = org.owner();
    let dana = leaver(&mut org, "dana@northwind.example");
    let lap = give(&mut org, "LAP-1", dana);
    let stock = assets::add_asset(
        &mut org.store,
        &owner,
        &NewAsset::new("SPARE", "Dock"),
        None,
    )
    .unwrap()
    .id;
    directory::deactivate(&mut org.store, &owner, dana).unwrap();
    let mia = org.actor(MEMBER_EMAIL);
    let before = snapshot(&org);

    let refusals = [
        assets::set_return_days(&mut org.store, &owner, 0).unwrap_err(),
        assets::set_return_days(&mut org.store, &owner, 366).unwrap_err(),
        assets::set_return_days(&mut org.store, &mia, 30).unwrap_err(),
        assets::set_return_due(&mut org.store, &mia, lap, &day(20)).unwrap_err(),
        assets::set_return_due(&mut org.store, &owner, stock, &day(20)).unwrap_err(),
        assets::set_return_due(&mut org.store, &owner, lap, "next week").unwrap_err(),
        assets::set_return_due(&mut org.store, &owner, lap, &day(-1)).unwrap_err(),
    ];
    let codes: Vec<&str> = refusals.iter().map(|e| e.code()).collect();
    assert_eq!(
        codes,
        [
            "invalid_return_days",
            "invalid_return_days",
            "needs_admin",
            "needs_admin",
            "not_a_leavers_asset",
            "invalid_date",
            "invalid_date"
        ]
    );
    assert!(
        refusals[6].to_string().contains("from the day"),
        "{}",
        refusals[6]
    );
    assert_eq!(snapshot(&org), before, "nothing changed");
    assert_eq!(assets::return_days(&org.store).unwrap(), 14);

    let moved = assets::set_return_due(&mut org.store, &owner, lap, &day(30)).unwrap();
    assert_eq!(moved.return_due.as_deref(), Some(day(30).as_str()));
    assert_eq!(org.count("audit_entries"), before.1 + 1, "audited");
}

#[test]
fn leavers_come_most_urgent_first_and_overdue_ones_are_counted() {
    let mut org = testkit::team(Plan::Team);
    let owner = org.owner();
    let ids: Vec<i64> = [
        "a@northwind.example",
        "b@northwind.example",
        "c@northwind.example",
    ]
    .iter()
    .map(|e| leaver(&mut org, e))
    .collect();
    let laps: Vec<i64> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| give(&mut org, &format!("LAP-{i}"), *id))
        .collect();
    for id in &ids {
        directory::deactivate(&mut org.store, &owner, *id).unwrap();
    }
    due_on(&org, laps[0], &day(5));
    due_on(&org, laps[1], &day(-3));
    due_on(&org, laps[2], &day(1));
    let order: Vec<String> = leavers::leavers(&org.store, &owner)
        .unwrap()
        .into_iter()
        .map(|l| l.user.email)
        .collect();
    assert_eq!(
        order,
        [
            "b@northwind.example",
            "c@northwind.example",
            "a@northwind.example"
        ]
    );
    assert_eq!(leavers::overdue_count(&org.store).unwrap(), 1);
    let b = assets::asset(&org.store, laps[1]).unwrap();
    assert_eq!(b.return_state, Some(ReturnState::Overdue));
}

#[test]
fn an_overdue_asset_is_written_off_with_its_reason_and_the_evidence_shows_it() {
    let mut org = testkit::team(Plan::Team);
    let owner = org.owner();
    let admin = org.actor(testkit::ADMIN_EMAIL);
    let dana = leaver(&mut org, "dana@northwind.example");
    let lap = give(&mut org, "LAP-1", dana);
    let stock = assets::add_asset(
        &mut org.store,
        &owner,
        &NewAsset::new("SPARE", "Dock"),
        None,
    )
    .unwrap()
    .id;
    directory::deactivate(&mut org.store, &owner, dana).unwrap();
    let mia = org.actor(MEMBER_EMAIL);
    due_on(&org, lap, &day(0));
    let before = snapshot(&org);

    let not_yet = assets::write_off(
        &mut org.store,
        &owner,
        lap,
        WriteOffReason::NotReturned,
        None,
    )
    .unwrap_err();
    assert_eq!(not_yet.code(), "not_yet_due");
    assert!(not_yet.to_string().contains(&day(0)), "{not_yet}");
    for (by, id, code) in [
        (&mia, lap, "needs_admin"),
        (&owner, stock, "not_a_leavers_asset"),
    ] {
        let err =
            assets::write_off(&mut org.store, by, id, WriteOffReason::Destroyed, None).unwrap_err();
        assert_eq!(err.code(), code, "{err}");
    }
    assert_eq!(snapshot(&org), before, "nothing changed");

    due_on(&org, lap, &day(-1));
    let written = assets::write_off(
        &mut org.store,
        &admin,
        lap,
        WriteOffReason::BoughtOut,
        Some("Paid 200 EUR"),
    )
    .unwrap();
    assert_eq!(written.status, AssetStatus::WrittenOff);
    assert_eq!(written.assigned_to, None);
    assert!(
        leavers::leavers(&org.store, &owner).unwrap().is_empty(),
        "left Leavers"
    );
    let history = assets::history(&org.store, lap).unwrap();
    assert_eq!(history[0].outcome, Some(HoldingOutcome::WrittenOff));
    assert_eq!(history[0].write_off_reason, Some(WriteOffReason::BoughtOut));
    // Not handed out again as it is, nor set to written off by an edit.
    let adam = org.user(testkit::ADMIN_EMAIL).id;
    let err = assets::assign(&mut org.store, &owner, lap, adam, None).unwrap_err();
    assert_eq!(err.code(), "asset_unavailable");
    let err = assets::edit_asset(
        &mut org.store,
        &owner,
        stock,
        &assets::AssetEdit {
            name: "Dock".into(),
            category: None,
            serial: None,
            status: AssetStatus::WrittenOff,
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "write_off_by_edit");

    let row = leavers::evidence(&org.store, &owner, None, None)
        .unwrap()
        .rows[0]
        .clone();
    assert_eq!(row.assets_written_off, ["LAP-1"]);
    let asset = &row.assets[0];
    assert_eq!(asset.outcome, Some(HoldingOutcome::WrittenOff));
    assert_eq!(
        asset.written_off_by.as_deref(),
        Some(admin.label().as_str())
    );
    assert_eq!(asset.write_off_reason, Some(WriteOffReason::BoughtOut));
    assert_eq!(asset.note.as_deref(), Some("Paid 200 EUR"));
    assert!(asset.returned_at.is_some(), "when it was written off");
}
