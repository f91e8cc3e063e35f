//! Home (issue 23): what it shows, what needs the owner, and the getting-started list that
//! the organization's state ticks off (run under scripts/with-keyring.sh).

use chrono::Utc;
use testkit::smtp::SmtpServer;
use testkit::tenant::connected;
use testkit::{org, team, MEMBER_EMAIL};
use uniasset_core::access::Actor;
use uniasset_core::alerts::{self, SmtpTls};
use uniasset_core::assets::{self, NewAsset};
use uniasset_core::backup::{self, BackupSettingsInput};
use uniasset_core::directory::{Role, SignInMethod};
use uniasset_core::entra;
use uniasset_core::home::{self, Health, Home, Item, Place, StepKind, Topic};
use uniasset_core::organization::Plan;
use uniasset_core::sync::{self, RunResult, Trigger};
use uniasset_core::ErrorCode;

fn item(home: &Home, topic: Topic) -> &Item {
    home.items
        .iter()
        .find(|i| i.topic == topic)
        .unwrap_or_else(|| panic!("no {topic:?} item in {home:#?}"))
}

fn step_done(home: &Home, kind: StepKind) -> bool {
    let checklist = home.checklist.as_ref().expect("the checklist is shown");
    checklist
        .steps
        .iter()
        .find(|s| s.kind == kind)
        .unwrap()
        .done
}

#[test]
fn members_see_no_items_and_cannot_put_the_list_away() {
    let mut org = team(Plan::Enterprise);
    let mia = org.actor(MEMBER_EMAIL);
    let home = home::home(&org.store, &mia, Utc::now()).unwrap();
    assert_eq!(home.organization, "Northwind Traders");
    assert!(!home.manages && home.items.is_empty() && home.checklist.is_none());
    let err = home::put_away_checklist(&mut org.store, &mia).unwrap_err();
    assert_eq!(err.code(), "needs_admin");

    let admin = home::home(&org.store, &org.actor(testkit::ADMIN_EMAIL), Utc::now()).unwrap();
    assert!(admin.manages && admin.checklist.is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_held_run_and_a_leaver_with_assets_need_the_owner() {
    let mut t = connected(Plan::Enterprise).await;
    let owner = t.org.owner();
    // Dana is the only linked account: disabling her leaves none enabled, so the run is held.
    let (dana, oid) = t.linked("dana@northwind.example", Role::Member);
    assets::add_asset(
        &mut t.org.store,
        &owner,
        &NewAsset::new("LAP-1", "Laptop"),
        Some(dana.id),
    )
    .unwrap();
    t.sync().await;
    let home = home::home(&t.org.store, &owner, Utc::now()).unwrap();
    assert_eq!(item(&home, Topic::LastRun).health, Health::Good);
    assert_eq!(item(&home, Topic::Leavers).health, Health::Good);

    t.sim.set_enabled(&oid, false);
    let held = t.sync().await;
    assert_eq!(held.result, RunResult::HeldForReview);
    let home = home::home(&t.org.store, &owner, Utc::now()).unwrap();
    let last = item(&home, Topic::LastRun);
    assert_eq!(last.health, Health::Attention);
    assert_eq!(last.action.as_ref().unwrap().place, Place::Entra);
    assert_eq!(last.at_label.as_deref(), Some("Ended"));
    // What needs the owner comes first.
    assert_eq!(home.items[0].health, Health::Attention);

    sync::apply_held(
        &mut t.org.store,
        &Actor::CommandLine,
        held.id.unwrap(),
        Trigger::Manual,
    )
    .await
    .unwrap();
    let home = home::home(&t.org.store, &owner, Utc::now()).unwrap();
    let leavers = item(&home, Topic::Leavers);
    assert_eq!(leavers.health, Health::Attention);
    assert_eq!(leavers.summary, "1 person who left still holds assets.");
    assert_eq!(leavers.action.as_ref().unwrap().place, Place::Leavers);

    // Past its due date, the asset is counted as overdue.
    rusqlite::Connection::open(t.org.store.path())
        .unwrap()
        .execute(
            "UPDATE asset_holdings SET return_due = date('now', '-1 day') WHERE ended_at IS NULL",
            [],
        )
        .unwrap();
    let home = home::home(&t.org.store, &owner, Utc::now()).unwrap();
    assert_eq!(
        item(&home, Topic::Leavers).summary,
        "1 person who left still holds assets. 1 asset is overdue."
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_is_put_away_only_once_every_step_is_done() {
    let mut t = connected(Plan::Free).await;
    let owner = t.org.owner();
    let home = home::home(&t.org.store, &owner, Utc::now()).unwrap();
    assert!(step_done(&home, StepKind::ConnectEntra));
    let turn_on = home
        .checklist
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .find(|s| s.kind == StepKind::TurnOnAutoDeprovisioning)
        .unwrap();
    assert!(
        turn_on.blocked.as_deref().unwrap().contains("Enterprise"),
        "{turn_on:?}"
    );
    // Frequent checks are not offered while they could not be turned on.
    let checks = item(&home, Topic::FrequentChecks);
    assert!(checks.summary.contains("Enterprise"), "{checks:?}");
    assert!(checks.action.is_none(), "{checks:?}");
    let err = home::put_away_checklist(&mut t.org.store, &owner).unwrap_err();
    assert_eq!(err.code(), "checklist_not_done");
    assert!(err.to_string().contains("5 still to do"), "{err}");

    uniasset_core::plan_change::change_plan(&mut t.org.store, &owner, Plan::Enterprise).unwrap();
    let (dana, _) = t.linked("dana@northwind.example", Role::Member);
    entra::set_auto_deprovision(&mut t.org.store, &owner, true).unwrap();
    let home = home::home(&t.org.store, &owner, Utc::now()).unwrap();
    assert!(item(&home, Topic::FrequentChecks).action.is_some());
    assets::add_asset(
        &mut t.org.store,
        &owner,
        &NewAsset::new("LAP-1", "Laptop"),
        Some(dana.id),
    )
    .unwrap();
    let smtp = SmtpServer::start(None);
    alerts::save(
        &mut t.org.store,
        &owner,
        &smtp.input(SmtpTls::None, None),
        None,
    )
    .unwrap();
    let home = home::home(&t.org.store, &owner, Utc::now()).unwrap();
    assert!(
        !step_done(&home, StepKind::EmailAlerts),
        "saved is not tested"
    );
    alerts::send_test(&mut t.org.store, &owner).await.unwrap();
    let folder = tempfile::tempdir().unwrap();
    backup::save_settings(
        &mut t.org.store,
        &owner,
        &BackupSettingsInput {
            folder: Some(folder.path().to_string_lossy().into_owned()),
            automatic: true,
            keep_daily: 7,
            keep_weekly: 4,
        },
    )
    .unwrap();
    backup::create(&mut t.org.store, &owner, None).unwrap();

    let home = home::home(&t.org.store, &owner, Utc::now()).unwrap();
    assert_eq!(home.checklist.as_ref().unwrap().remaining, 0, "{home:#?}");
    home::put_away_checklist(&mut t.org.store, &owner).unwrap();
    assert!(home::home(&t.org.store, &owner, Utc::now())
        .unwrap()
        .checklist
        .is_none());
    // Once away, it stays away.
    home::put_away_checklist(&mut t.org.store, &owner).unwrap();
}

#[test]
fn people_who_cannot_sign_in_or_are_not_checked_are_counted() {
    let mut org = org(Plan::Team);
    org.add(
        "pat@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    org.add(
        "max@northwind.example",
        Role::Member,
        SignInMethod::Microsoft,
    );
    org.add("gil@northwind.example", Role::Member, SignInMethod::Google);
    let home = home::home(&org.store, &org.owner(), Utc::now()).unwrap();
    assert_eq!(
        item(&home, Topic::People).summary,
        "4 active, 0 deactivated."
    );
    let cannot = item(&home, Topic::CannotSignIn);
    assert_eq!(
        cannot.summary,
        "1 person signs in with a password but has none yet."
    );
    assert_eq!(
        cannot.action.as_ref().unwrap().place,
        Place::PeopleCannotSignIn
    );
    let unlinked = item(&home, Topic::NotLinked);
    assert!(unlinked
        .summary
        .starts_with("1 person signs in with Microsoft but is not linked"));
}
