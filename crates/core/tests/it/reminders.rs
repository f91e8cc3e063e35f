//! Reminders about leavers' assets (R-A5), to a real SMTP server on loopback and a real SQLite
//! file, with the time handed in as the scheduler does: when the person leaves, three days
//! before the due date, on it, and weekly while overdue; each sent once, across a restart;
//! to the Owners, Admins and the manager; audited; a failed one tried again later.

use chrono::{DateTime, Duration, Utc};
use testkit::smtp::SmtpServer;
use testkit::{Org, ADMIN_EMAIL, MEMBER_EMAIL, OWNER_EMAIL};
use uniasset_core::alerts;
use uniasset_core::assets::{self, NewAsset};
use uniasset_core::directory::{self, Role, SignInMethod};
use uniasset_core::organization::Plan;
use uniasset_core::store::Store;
use uniasset_core::ErrorCode;

const DANA: &str = "dana@northwind.example";
const MONA: &str = "mona@northwind.example";

/// Alerts to `server`, reminders on, and Dana (managed by Mona) deactivated holding a
/// laptop. Returns the organization and when she left.
fn leaver(server: &SmtpServer) -> (Org, DateTime<Utc>) {
    let mut org = testkit::team(Plan::Enterprise);
    let owner = org.owner();
    server.receive_alerts_of(&mut org);
    alerts::set_reminders(&mut org.store, &owner, true).unwrap();
    let dana = org.add(DANA, Role::Member, SignInMethod::Password);
    directory::set_manager(&mut org.store, &owner, dana.id, MONA).unwrap();
    let mut laptop = NewAsset::new("LAP-1", "ThinkPad T14");
    laptop.serial = Some("PF-1".into());
    assets::add_asset(&mut org.store, &owner, &laptop, Some(dana.id)).unwrap();
    let dana = directory::deactivate(&mut org.store, &owner, dana.id).unwrap();
    let left = DateTime::parse_from_rfc3339(dana.deactivated_at.as_deref().unwrap())
        .unwrap()
        .with_timezone(&Utc);
    (org, left)
}

async fn send(store: &mut Store, at: DateTime<Utc>) -> Vec<String> {
    alerts::send_reminders(store, at)
        .await
        .unwrap()
        .into_iter()
        .map(|sent| {
            assert!(sent.ok(), "{sent:?}");
            sent.subject
        })
        .collect()
}

/// Midnight UTC `days` after the day `left` falls on, plus `hours`.
fn day_after(left: DateTime<Utc>, days: i64, hours: i64) -> DateTime<Utc> {
    left.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc()
        + Duration::days(days)
        + Duration::hours(hours)
}

#[tokio::test(flavor = "multi_thread")]
async fn each_reminder_once_in_a_weekly_rhythm_across_a_restart() {
    let server = SmtpServer::start(None);
    let (mut org, left) = leaver(&server);
    let path = org.store.path();

    // When she leaves: one message, to the Owners, Admins and her manager.
    let now = left + Duration::minutes(1);
    assert_eq!(
        send(&mut org.store, now).await,
        ["UniAsset: dana still holds 1 asset(s) to return"]
    );
    let mail = &server.messages()[0];
    let mut to = mail.rcpt_tos.clone();
    to.sort();
    assert_eq!(to, [ADMIN_EMAIL, MONA, OWNER_EMAIL]);
    assert!(!to.contains(&MEMBER_EMAIL.to_owned()));
    let due = (left.date_naive() + Duration::days(14)).to_string();
    assert!(
        mail.body
            .contains(&format!("LAP-1  ThinkPad T14, serial PF-1: due {due}")),
        "{}",
        mail.body
    );
    assert_eq!(
        send(&mut org.store, now).await,
        Vec::<String>::new(),
        "once"
    );

    // A restart: the record is in the file.
    drop(org.store);
    let data_dir = path.parent().unwrap().to_owned();
    org.store = Store::open(&data_dir).unwrap();
    assert!(send(&mut org.store, now + Duration::hours(1))
        .await
        .is_empty());

    // Three days before the due date, on it, the day after, and a week later.
    let rhythm = [
        (11, 1),
        (14, 1),
        (15, 1),
        (16, 0),
        (21, 0),
        (22, 1),
        (29, 1),
    ];
    for (days, expected) in rhythm {
        let at = day_after(left, days, 9);
        assert_eq!(send(&mut org.store, at).await.len(), expected, "day {days}");
    }
    let subjects = server.subjects();
    assert_eq!(subjects.len(), 6);
    assert_eq!(
        subjects[5],
        "UniAsset: dana has 1 overdue asset(s) to return"
    );
    let audited = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM audit_entries WHERE action = 'user.assets_reminder_sent'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap();
    assert_eq!(audited, 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_computer_off_for_a_month_sends_the_latest_reminder_only_and_a_returned_asset_none() {
    let server = SmtpServer::start(None);
    let (mut org, left) = leaver(&server);
    assert_eq!(send(&mut org.store, day_after(left, 40, 0)).await.len(), 1);
    assert_eq!(server.messages().len(), 1);
    let owner = org.owner();
    let id = assets::find_by_tag(&org.store, "LAP-1").unwrap().id;
    assets::check_in(&mut org.store, &owner, id, None).unwrap();
    assert!(send(&mut org.store, day_after(left, 50, 0))
        .await
        .is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_reminder_is_tried_again_later_and_off_sends_nothing() {
    let port = testkit::smtp::free_port();
    let server = SmtpServer::start_on(port, None);
    let (mut org, left) = leaver(&server);
    drop(server);
    let now = left + Duration::minutes(1);
    let tried = alerts::send_reminders(&mut org.store, now).await.unwrap();
    assert_eq!(tried.len(), 1);
    assert!(!tried[0].ok());
    assert!(
        alerts::send_reminders(&mut org.store, now)
            .await
            .unwrap()
            .is_empty(),
        "not again at once"
    );
    let server = SmtpServer::start_on(port, None);
    // The retry waits 5 minutes of the core's clock; the test moves the record instead.
    rusqlite::Connection::open(org.store.path())
        .unwrap()
        .execute(
            "UPDATE asset_reminders SET retry_at = '2000-01-01T00:00:00.000Z'",
            [],
        )
        .unwrap();
    assert_eq!(send(&mut org.store, now).await.len(), 1);
    assert_eq!(server.messages().len(), 1);

    let owner = org.owner();
    alerts::set_reminders(&mut org.store, &owner, false).unwrap();
    assert!(send(&mut org.store, day_after(left, 14, 1))
        .await
        .is_empty());
    let mia = org.actor(MEMBER_EMAIL);
    let err = alerts::set_reminders(&mut org.store, &mia, true).unwrap_err();
    assert_eq!(err.code(), "needs_admin");
    assert!(!alerts::reminder_settings(&org.store).unwrap().enabled);
}
