//! The evidence an auditor samples (R-A3, issue 25): for each deactivation the Entra object id,
//! what started it, who applied a held run, the Microsoft sessions, when Entra disabled an
//! offboarded account, the target time and whether it was met; for each asset its serial,
//! since when it was held, who received it back or marked it lost, and the note. Through
//! real HTTP to the Graph simulator, the real keychain and a real SQLite file.

use testkit::tenant::{connected, Connected};
use uniasset_core::access::Actor;
use uniasset_core::assets::{self, HoldingOutcome, NewAsset};
use uniasset_core::audit::{self, AuditQuery};
use uniasset_core::directory::{self, Role, SignInMethod};
use uniasset_core::entra::{self, OffboardChoice, SessionsOutcome};
use uniasset_core::leavers::{self, DeactivationTrigger, EvidenceRow};
use uniasset_core::organization::Plan;
use uniasset_core::sync::{self, RunResult, Trigger};
use uniasset_core::ErrorCode;

/// A linked colleague who stays: a run leaving no linked account enabled would be held.
async fn tenant() -> Connected {
    let mut t = connected(Plan::Enterprise).await;
    t.linked("colleague@northwind.example", Role::Member);
    t.sim.grant_app_role("User.RevokeSessions.All");
    t.sim.grant_app_role("User.EnableDisableAccount.All");
    t
}

/// A laptop with a serial number, given to `user_id`; returns its id.
fn laptop(t: &mut Connected, tag: &str, user_id: i64) -> i64 {
    let owner = t.org.owner();
    let mut new = NewAsset::new(tag, "ThinkPad T14");
    new.serial = Some(format!("SN-{tag}"));
    assets::add_asset(&mut t.org.store, &owner, &new, Some(user_id))
        .unwrap()
        .id
}

fn admin(t: &mut Connected) -> Actor {
    t.org
        .add(testkit::ADMIN_EMAIL, Role::Admin, SignInMethod::Password);
    t.org.actor(testkit::ADMIN_EMAIL)
}

/// Waits until the clock is past `stamp`: stamps are to the millisecond, and an asset that
/// comes back must do so after its holder left to count as held then.
async fn after(stamp: &str) {
    while uniasset_core::clock::now()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        .as_str()
        <= stamp
    {
        tokio::task::yield_now().await;
    }
}

fn rows(t: &Connected) -> Vec<EvidenceRow> {
    leavers::evidence(&t.org.store, &t.org.owner(), None, None)
        .unwrap()
        .rows
}

fn row_of<'a>(rows: &'a [EvidenceRow], email: &str) -> &'a EvidenceRow {
    rows.iter().find(|r| r.email == email).expect("a row")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_leaver_disabled_in_entra_with_sessions_ended_and_the_laptop_received_back() {
    let mut t = tenant().await;
    entra::set_end_sessions(&mut t.org.store, &Actor::CommandLine, true).unwrap();
    let (dana, oid) = t.linked("dana@northwind.example", Role::Member);
    let lap = laptop(&mut t, "LAP-1", dana.id);
    t.sync().await;
    t.sim.set_enabled(&oid, false);
    let run = t.sync().await;
    assert_eq!(run.counts.deactivated, 1, "{run:?}");
    let admin = admin(&mut t);
    after(&t.org.user("dana@northwind.example").deactivated_at.unwrap()).await;
    assets::check_in(&mut t.org.store, &admin, lap, Some("Scratched lid")).unwrap();

    let evidence = leavers::evidence(&t.org.store, &t.org.owner(), None, None).unwrap();
    assert_eq!(evidence.target_hours, 24, "24 hours unless changed");
    let row = row_of(&evidence.rows, "dana@northwind.example");
    assert_eq!(row.object_id.as_deref(), Some(oid.as_str()));
    assert_eq!(row.trigger, DeactivationTrigger::DisabledInEntra);
    assert_eq!(row.run_id, run.id);
    assert_eq!(row.applied_by, None, "the run was not held");
    assert_eq!(row.sessions, Some(SessionsOutcome::Ended));
    let ended = row.sessions_ended_at.clone().expect("when they were ended");
    assert!(ended >= row.deactivated_at, "{ended} vs {row:?}");
    assert_eq!(row.target_hours, 24);
    assert_eq!(row.target_met, Some(true), "{row:?}");
    assert_eq!(row.disabled_in_entra_at, None, "Entra did it, not UniAsset");
    let asset = &row.assets[0];
    assert_eq!(asset.tag, "LAP-1");
    assert_eq!(asset.serial.as_deref(), Some("SN-LAP-1"));
    assert!(asset.held_since <= row.deactivated_at);
    assert_eq!(asset.outcome, Some(HoldingOutcome::Returned));
    assert_eq!(asset.received_by.as_deref(), Some(admin.label().as_str()));
    assert_eq!(asset.lost_by, None);
    assert_eq!(asset.note.as_deref(), Some("Scratched lid"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_held_run_names_who_applied_it_and_a_late_deactivation_misses_the_target() {
    let mut t = connected(Plan::Enterprise).await;
    // Erin is the only linked account: disabling her leaves none enabled, so the run is held.
    let (_, oid) = t.linked("erin@northwind.example", Role::Member);
    t.sync().await;
    t.sim.set_enabled(&oid, false);
    let held = t.sync().await;
    assert_eq!(held.result, RunResult::HeldForReview, "{held:?}");
    let admin = admin(&mut t);
    let applied = sync::apply_held(&mut t.org.store, &admin, held.id.unwrap(), Trigger::Manual)
        .await
        .unwrap();

    let row = rows(&t)[0].clone();
    assert_eq!(row.run_id, applied.id);
    assert_eq!(row.applied_by.as_deref(), Some(admin.label().as_str()));
    assert_eq!(row.applied_at.as_deref(), Some(applied.started_at.as_str()));
    assert_eq!(row.sessions, None, "ending sessions is off");
    assert_eq!(row.target_met, Some(true));

    // Seen two days before it was applied: over a 24-hour target, within a 72-hour one.
    let conn = rusqlite::Connection::open(t.org.store.path()).unwrap();
    conn.execute(
        "UPDATE sync_run_lines SET detected_at = strftime('%Y-%m-%dT%H:%M:%fZ', detected_at, '-2 days')
         WHERE run_id = ?1",
        [applied.id.unwrap()],
    )
    .unwrap();
    let late = rows(&t)[0].clone();
    assert!(late.delay_seconds.unwrap() >= 2 * 86_400, "{late:?}");
    assert_eq!(late.target_met, Some(false));
    let owner = t.org.owner();
    assert_eq!(
        leavers::set_target_hours(&mut t.org.store, &owner, 72).unwrap(),
        72
    );
    let row = rows(&t)[0].clone();
    assert_eq!((row.target_hours, row.target_met), (72, Some(true)));
}

#[tokio::test(flavor = "multi_thread")]
async fn offboarded_here_and_by_hand_each_say_so() {
    let mut t = tenant().await;
    let (dana, oid) = t.linked("dana@northwind.example", Role::Member);
    let (finn, _) = t.linked("finn@northwind.example", Role::Member);
    laptop(&mut t, "LAP-2", dana.id);
    let phone = laptop(&mut t, "PHN-3", finn.id);
    let owner = t.org.owner();
    entra::offboard(&mut t.org.store, &owner, dana.id, OffboardChoice::default())
        .await
        .unwrap();
    assert!(!t.sim.is_enabled(&oid));
    let finn = directory::deactivate(&mut t.org.store, &owner, finn.id).unwrap();
    after(finn.deactivated_at.as_deref().unwrap()).await;
    assets::mark_lost(&mut t.org.store, &owner, phone, Some("Left in a taxi")).unwrap();

    let rows = rows(&t);
    let dana = row_of(&rows, "dana@northwind.example");
    assert_eq!(dana.trigger, DeactivationTrigger::Offboarded);
    assert_eq!(dana.object_id.as_deref(), Some(oid.as_str()));
    let disabled = dana
        .disabled_in_entra_at
        .clone()
        .expect("Entra disabled it");
    assert!(disabled <= dana.deactivated_at, "disabled first: {dana:?}");
    assert_eq!(dana.sessions, Some(SessionsOutcome::Ended));
    assert!(dana.sessions_ended_at.is_some());
    assert_eq!(dana.deactivated_by, owner.label());
    assert_eq!(dana.assets_outstanding, ["LAP-2"]);
    assert_eq!(dana.target_met, None, "no detection time: a person acted");

    let finn = row_of(&rows, "finn@northwind.example");
    assert_eq!(finn.trigger, DeactivationTrigger::ByHand);
    assert_eq!(finn.disabled_in_entra_at, None);
    assert_eq!(finn.sessions, None, "ending sessions is off");
    assert_eq!(finn.target_met, None);
    let phone = &finn.assets[0];
    assert_eq!(phone.outcome, Some(HoldingOutcome::Lost));
    assert_eq!(phone.lost_by.as_deref(), Some(owner.label().as_str()));
    assert_eq!(phone.received_by, None);
    assert_eq!(phone.note.as_deref(), Some("Left in a taxi"));

    // Leavers tells the offboarded from the deactivated by hand.
    let listed = leavers::leavers(&t.org.store, &owner).unwrap();
    let trigger = |email: &str| {
        listed
            .iter()
            .find(|l| l.user.email == email)
            .map(|l| l.trigger)
    };
    assert_eq!(
        trigger("dana@northwind.example"),
        Some(DeactivationTrigger::Offboarded)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_target_is_an_owners_or_admins_and_refusals_change_nothing() {
    let mut t = connected(Plan::Team).await;
    let owner = t.org.owner();
    for hours in [0, 721] {
        let err = leavers::set_target_hours(&mut t.org.store, &owner, hours).unwrap_err();
        assert_eq!(err.code(), "invalid_target", "{err}");
        assert!(err.to_string().contains("between 1 and 720 hours"), "{err}");
    }
    t.org
        .add(testkit::MEMBER_EMAIL, Role::Member, SignInMethod::Password);
    let member = t.org.actor(testkit::MEMBER_EMAIL);
    let err = leavers::set_target_hours(&mut t.org.store, &member, 48).unwrap_err();
    assert_eq!(err.code(), "needs_admin");
    assert_eq!(leavers::target_hours(&t.org.store).unwrap(), 24);
    let set = |t: &Connected| {
        audit::page(
            &t.org.store,
            &owner,
            &AuditQuery {
                action: Some("evidence.target_set".into()),
                ..Default::default()
            },
        )
        .unwrap()
        .entries
        .len()
    };
    assert_eq!(set(&t), 0);
    leavers::set_target_hours(&mut t.org.store, &owner, 48).unwrap();
    leavers::set_target_hours(&mut t.org.store, &owner, 48).unwrap();
    assert_eq!(leavers::target_hours(&t.org.store).unwrap(), 48);
    assert_eq!(set(&t), 1, "audited once, when it changed");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_csv_carries_the_new_columns_and_the_trail() {
    let mut t = tenant().await;
    let (dana, oid) = t.linked("dana@northwind.example", Role::Member);
    let lap = laptop(&mut t, "LAP-4", dana.id);
    let owner = t.org.owner();
    entra::offboard(&mut t.org.store, &owner, dana.id, OffboardChoice::default())
        .await
        .unwrap();
    after(&t.org.user("dana@northwind.example").deactivated_at.unwrap()).await;
    assets::check_in(&mut t.org.store, &owner, lap, Some("Good")).unwrap();
    let mut out = Vec::new();
    leavers::evidence_csv(&t.org.store, &owner, None, None, &mut out).unwrap();
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let record = reader.records().next().unwrap().unwrap();
    let cell = |name: &str| {
        let at = header.iter().position(|h| h == name).expect(name);
        record[at].to_owned()
    };
    assert_eq!(cell("object_id"), oid);
    assert_eq!(cell("trigger"), "offboarded");
    assert_eq!(cell("sessions"), "ended");
    assert!(!cell("disabled_in_entra_at").is_empty());
    assert_eq!(cell("target_hours"), "24");
    assert_eq!(cell("target_met"), "");
    assert_eq!(cell("received_by"), format!("LAP-4: {}", owner.label()));
    assert_eq!(cell("asset_notes"), "LAP-4: Good");
    assert!(cell("assets_held").contains("serial SN-LAP-4"));
    assert!(
        cell("audit_trail").contains("verified"),
        "{}",
        cell("audit_trail")
    );
}
