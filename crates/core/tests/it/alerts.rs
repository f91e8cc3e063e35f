//! Email alerts against a real SMTP server on 127.0.0.1 (Python's aiosmtpd, from the
//! end-to-end tests' venv) and the real keychain (run under scripts/with-keyring.sh). Runs'
//! emails go through the outbox (`alerts::send_owed`), as the app and the CLI send them.

use chrono::{DateTime, Duration, Utc};
use testkit::files::{all_bytes, contains};
use testkit::smtp::{free_port, SmtpServer};
use testkit::tenant;
use uniasset_core::access::{AccessError, Actor};
use uniasset_core::alerts::{self, AlertError, EmailSettingsInput, SmtpTls};
use uniasset_core::directory::Role;
use uniasset_core::organization::Plan;
use uniasset_core::secrets::SmtpPassword;
use uniasset_core::store;
use uniasset_core::store::Store;

const PASSWORD: &str = "Tr0ub4dor-smtp-9931";

/// Settings for a server on `port` on 127.0.0.1, without signing in.
fn plain_input(port: u16) -> EmailSettingsInput {
    EmailSettingsInput {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        username: None,
        sender: "uniasset@northwind.example".into(),
        recipients: "olivia@northwind.example".into(),
    }
}

/// Stores a finished run as the sync would (its result, count and lines), returning its id.
/// An Enterprise organization whose alerts go to `server`.
fn alerting_org(server: &SmtpServer) -> testkit::Org {
    let mut org = testkit::org(Plan::Enterprise);
    server.receive_alerts_of(&mut org);
    org
}

fn stored_run(store: &Store, result: &str, deactivated: u32, error: Option<&str>) -> i64 {
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    conn.execute(
        "INSERT INTO sync_runs (trigger, started_at, ended_at, result, deactivated, error_text, started_by)
             VALUES ('scheduled', '2026-03-02T03:00:00.000Z', '2026-03-02T03:00:05.000Z', ?1, ?2, ?3,
                     'Microsoft Entra ID sync')",
        rusqlite::params![result, deactivated, error],
    )
    .unwrap();
    let id = conn.last_insert_rowid();
    for n in 1..=deactivated {
        conn.execute(
            "INSERT INTO sync_run_lines (run_id, email, outcome, reason)
                 VALUES (?1, ?2, 'deactivated', 'disabled_in_entra')",
            rusqlite::params![id, format!("leaver{n}@northwind.example")],
        )
        .unwrap();
    }
    id
}

/// Lets the time a failed email waits before its next try pass (the core's clock is the
/// system's in these tests).
fn retry_wait_passes(store: &Store) {
    sql(
        store,
        "UPDATE run_alerts SET retry_at = '2000-01-01T00:00:00.000Z' WHERE retry_at IS NOT NULL",
    );
}

fn sql(store: &Store, statement: &str) {
    rusqlite::Connection::open(store.path())
        .unwrap()
        .execute_batch(statement)
        .unwrap();
}

#[tokio::test]
async fn a_deactivation_by_the_sync_emails_the_person_and_the_assets_to_recover() {
    let server = SmtpServer::start(None);
    let mut t = tenant::connected(Plan::Enterprise).await;
    let (dana, oid) = t.linked("dana@northwind.example", Role::Member);
    // Someone stays enabled, or the run would be held as looking like a wrong tenant.
    t.linked("erin@northwind.example", Role::Member);
    let owner = t.org.owner();
    sql(
        &t.org.store,
        &format!(
            "UPDATE users SET display_name = 'Dana Driver' WHERE id = {id};
             INSERT INTO assets (tag, name, assigned_to, created_at) VALUES
                 ('LAPTOP-042', 'ThinkPad X1 Carbon', {id}, '2026-01-05T10:00:00.000Z'),
                 ('PHONE-007', 'iPhone 15', {id}, '2026-01-05T10:00:00.000Z'),
                 ('LAPTOP-099', 'Spare laptop', NULL, '2026-01-05T10:00:00.000Z');",
            id = dana.id
        ),
    );
    alerts::save(
        &mut t.org.store,
        &owner,
        &server.input(SmtpTls::None, None),
        None,
    )
    .unwrap();
    t.sync().await;
    assert_eq!(
        alerts::send_owed(&mut t.org.store).await.unwrap(),
        [],
        "a quiet run sends nothing"
    );
    t.sim.set_enabled(&oid, false);
    let record = t.sync().await;
    assert_eq!(record.counts.deactivated, 1, "{record:?}");

    let sent = alerts::send_owed(&mut t.org.store).await.unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].ok(), "{sent:?}");
    // Asked again (the shell retrying, say), it stays one email.
    assert_eq!(alerts::send_owed(&mut t.org.store).await.unwrap(), []);

    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(
        m.subject,
        "UniAsset: Dana Driver was deactivated — 2 assets to recover"
    );
    assert_eq!(
        m.rcpt_tos,
        ["olivia@northwind.example", "it@northwind.example"]
    );
    assert_eq!(m.content_type, "text/plain");
    let m = &m.body;
    assert!(m.contains("Dana Driver <dana@northwind.example>"), "{m}");
    assert!(m.contains("Why: disabled in Entra"), "{m}");
    assert!(m.contains("LAPTOP-042  ThinkPad X1 Carbon"), "{m}");
    assert!(m.contains("PHONE-007  iPhone 15"), "{m}");
    assert!(!m.contains("LAPTOP-099"), "only Dana's assets: {m}");
    let id = record.id.unwrap();
    assert!(m.contains(&format!("See run #{id} in UniAsset")), "{m}");
    let settings = alerts::settings(&t.org.store).unwrap();
    assert_eq!(
        settings.last_send.unwrap().subject,
        "UniAsset: Dana Driver was deactivated — 2 assets to recover"
    );
}

#[tokio::test]
async fn held_and_failed_runs_each_send_one_email_and_quiet_runs_none() {
    let server = SmtpServer::start(None);
    let mut org = alerting_org(&server);

    let held = stored_run(&org.store, "held_for_review", 0, None);
    let conn = rusqlite::Connection::open(org.store.path()).unwrap();
    for n in 1..=6 {
        conn.execute(
            "INSERT INTO sync_run_lines (run_id, email, outcome, reason)
                 VALUES (?1, ?2, 'held', 'disabled_in_entra')",
            rusqlite::params![held, format!("user{n}@northwind.example")],
        )
        .unwrap();
    }
    stored_run(&org.store, "succeeded", 0, None);
    stored_run(&org.store, "completed_with_errors", 0, None);
    let failed = stored_run(
        &org.store,
        "failed",
        0,
        Some("Microsoft Entra ID refused the client secret (AADSTS7000215)."),
    );
    for _ in 0..3 {
        alerts::send_owed(&mut org.store).await.unwrap();
    }
    let messages = server.messages();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert_eq!(
        messages[0].subject,
        "UniAsset: a sync is held for review — it would deactivate 6 people"
    );
    assert!(messages[0]
        .body
        .contains("A sync is held for review: it would deactivate 6 people"));
    assert!(messages[0].body.contains("Nobody was deactivated."));
    assert_eq!(
        messages[1].subject,
        "UniAsset: the Microsoft Entra ID sync failed"
    );
    assert!(messages[1]
        .body
        .contains("refused the client secret (AADSTS7000215)"));
    assert!(messages[1]
        .body
        .contains(&format!("See run #{failed} in UniAsset")));
}

#[tokio::test]
async fn no_success_for_48_hours_is_said_once_until_a_run_succeeds_again() {
    let server = SmtpServer::start(None);
    let mut org = alerting_org(&server);
    let t0: DateTime<Utc> = "2026-03-01T03:00:05Z".parse().unwrap();
    sql(
        &org.store,
        "INSERT INTO sync_runs (trigger, started_at, ended_at, result, started_by)
             VALUES ('scheduled', '2026-03-01T03:00:00.000Z', '2026-03-01T03:00:05.000Z', 'succeeded', 'Microsoft Entra ID sync');",
    );
    let at = |h: i64| t0 + Duration::hours(h);
    // Auto-deprovision off: nobody expects runs.
    assert_eq!(
        alerts::check_stale(&mut org.store, at(72)).await.unwrap(),
        None
    );
    sql(
        &org.store,
        "UPDATE deprovision_settings SET auto_deprovision = 1, enabled_at = '2026-02-28T12:00:00.000Z';",
    );
    assert_eq!(
        alerts::check_stale(&mut org.store, at(47)).await.unwrap(),
        None
    );
    let sent = alerts::check_stale(&mut org.store, at(49))
        .await
        .unwrap()
        .unwrap();
    assert!(sent.ok(), "{sent:?}");
    assert_eq!(
        alerts::check_stale(&mut org.store, at(60)).await.unwrap(),
        None
    );
    assert_eq!(
        alerts::check_stale(&mut org.store, at(200)).await.unwrap(),
        None
    );
    assert_eq!(server.messages().len(), 1);
    let m = &server.messages()[0];
    assert_eq!(m.subject, "UniAsset: no successful sync for 48 hours");
    let m = &m.body;
    assert!(m.contains("No successful sync for 48 hours"), "{m}");

    // A failed run is no success; a run that succeeds starts a new 48 hours.
    sql(
        &org.store,
        "INSERT INTO sync_runs (trigger, started_at, ended_at, result, started_by)
             VALUES ('scheduled', '2026-03-10T03:00:00.000Z', '2026-03-10T03:00:05.000Z', 'failed', 'Microsoft Entra ID sync'),
                    ('manual', '2026-03-10T09:00:00.000Z', '2026-03-10T09:00:05.000Z', 'succeeded', 'Olivia Owner');",
    );
    let success: DateTime<Utc> = "2026-03-10T09:00:05Z".parse().unwrap();
    assert_eq!(
        alerts::check_stale(&mut org.store, success + Duration::hours(47))
            .await
            .unwrap(),
        None
    );
    assert!(
        alerts::check_stale(&mut org.store, success + Duration::hours(48))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(server.messages().len(), 2);
}

#[tokio::test]
async fn send_test_delivers_and_a_wrong_port_is_a_clear_error_recorded_for_the_window() {
    let server = SmtpServer::start(None);
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();
    alerts::save(
        &mut org.store,
        &owner,
        &server.input(SmtpTls::None, None),
        None,
    )
    .unwrap();
    alerts::send_test(&mut org.store, &owner).await.unwrap();
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].subject, "UniAsset: test email");
    assert_eq!(messages[0].from, "UniAsset <uniasset@northwind.example>");
    assert!(alerts::settings(&org.store)
        .unwrap()
        .last_send
        .unwrap()
        .ok());

    let mut wrong = server.input(SmtpTls::None, None);
    wrong.port = free_port();
    alerts::save(&mut org.store, &owner, &wrong, None).unwrap();
    let e = alerts::send_test(&mut org.store, &owner).await.unwrap_err();
    assert!(matches!(e, AlertError::NothingListens { .. }), "{e:?}");
    let text = e.to_string();
    assert_eq!(
        text,
        format!(
            "Cannot connect to the SMTP server 127.0.0.1:{}. Nothing answers on that port: check the port (often 587 for STARTTLS, 465 for TLS) and the host name.",
            wrong.port
        ),
        "in words, without the system's error number"
    );
    let last = alerts::settings(&org.store).unwrap().last_send.unwrap();
    assert_eq!(last.error.as_deref(), Some(text.as_str()));

    // A run's alert that cannot be sent is recorded, and the run is none the worse.
    stored_run(&org.store, "failed", 0, Some("boom"));
    let sent = alerts::send_owed(&mut org.store).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert!(!sent[0].ok());
    let last = alerts::settings(&org.store).unwrap().last_send.unwrap();
    assert_eq!(last.subject, "UniAsset: the Microsoft Entra ID sync failed");
    assert_eq!(last.error, sent[0].error);
}

#[tokio::test]
async fn a_server_that_stops_answering_ends_the_send_with_a_clear_error() {
    // Accepts connections and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();
    let input = EmailSettingsInput {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        username: None,
        sender: "uniasset@northwind.example".into(),
        recipients: "olivia@northwind.example".into(),
    };
    alerts::save(&mut org.store, &owner, &input, None).unwrap();
    let started = std::time::Instant::now();
    let e = alerts::send_test(&mut org.store, &owner).await.unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(45));
    assert!(matches!(e, AlertError::NoAnswer { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("stopped answering: nothing was sent after 30 seconds"),
        "{e}"
    );
    drop(silent);
}

#[tokio::test]
async fn tls_modes_that_do_not_match_the_server_are_worded_for_an_administrator() {
    let server = SmtpServer::start(None);
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();

    alerts::save(
        &mut org.store,
        &owner,
        &server.input(SmtpTls::StartTls, None),
        None,
    )
    .unwrap();
    let e = alerts::send_test(&mut org.store, &owner).await.unwrap_err();
    assert!(matches!(e, AlertError::NoStartTls { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("does not offer STARTTLS, so nothing was sent"),
        "{e}"
    );

    alerts::save(
        &mut org.store,
        &owner,
        &server.input(SmtpTls::Tls, None),
        None,
    )
    .unwrap();
    let e = alerts::send_test(&mut org.store, &owner).await.unwrap_err();
    assert!(matches!(e, AlertError::TlsFailed { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("The TLS connection to the SMTP server 127.0.0.1:"),
        "{e}"
    );
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn the_smtp_password_signs_in_and_is_kept_only_in_the_keychain() {
    let server = SmtpServer::start(Some(("alerts@northwind.example", PASSWORD)));
    let mut org = testkit::org(Plan::Team);
    let owner = org.owner();
    let mut said = String::new();

    // A user name without a password is refused before anything is saved.
    let with_user = server.input(SmtpTls::None, Some("alerts@northwind.example"));
    let e = alerts::save(&mut org.store, &owner, &with_user, None).unwrap_err();
    assert!(matches!(e, AlertError::PasswordNeeded), "{e:?}");
    assert!(!alerts::settings(&org.store).unwrap().enabled);

    // Without signing in the server refuses, in words for an administrator.
    alerts::save(
        &mut org.store,
        &owner,
        &server.input(SmtpTls::None, None),
        None,
    )
    .unwrap();
    let e = alerts::send_test(&mut org.store, &owner).await.unwrap_err();
    said.push_str(&format!("{e}\n{e:?}\n"));
    assert!(
        matches!(e, AlertError::AuthRefused(_) | AlertError::Refused(_)),
        "{e:?}"
    );

    // A wrong password.
    let wrong = SmtpPassword::new("not-the-password");
    alerts::save(&mut org.store, &owner, &with_user, Some(&wrong)).unwrap();
    let e = alerts::send_test(&mut org.store, &owner).await.unwrap_err();
    said.push_str(&format!("{e}\n{e:?}\n"));
    assert!(matches!(e, AlertError::AuthRefused(_)), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("The SMTP server refused the user name or password."),
        "{e}"
    );

    // The right one; saving again without a password keeps it.
    let password = SmtpPassword::new(PASSWORD);
    said.push_str(&format!("{password:?}\n"));
    let settings = alerts::save(&mut org.store, &owner, &with_user, Some(&password)).unwrap();
    assert!(settings.password_set);
    alerts::save(&mut org.store, &owner, &with_user, None).unwrap();
    alerts::send_test(&mut org.store, &owner).await.unwrap();
    assert_eq!(server.messages().len(), 1);

    let settings = alerts::settings(&org.store).unwrap();
    said.push_str(&format!(
        "{settings:?}\n{}\n",
        serde_json::to_string(&settings).unwrap()
    ));
    assert!(!said.contains(PASSWORD), "{said}");

    // Nowhere in the data directory: every file, the database and its journal included,
    // read from disk while the store is open and again after it is closed.
    let dir = org.dir.path().to_owned();
    let bytes = all_bytes(&dir);
    assert!(!bytes.is_empty());
    assert!(!contains(&bytes, PASSWORD));
    drop(org.store);
    let bytes = all_bytes(&dir);
    assert!(!contains(&bytes, PASSWORD));
    assert!(!contains(&bytes, "not-the-password"));

    // Turning alerts off removes the password from the keychain too.
    let mut store = Store::open_existing(&dir).unwrap();
    let settings = alerts::clear(&mut store, &owner).unwrap();
    assert!(!settings.enabled && !settings.password_set && settings.host.is_none());
    let keychain = uniasset_core::secrets::SmtpKeychain::for_store(&store).unwrap();
    assert!(keychain.load().is_err());
    let e = alerts::send_test(&mut store, &owner).await.unwrap_err();
    assert!(matches!(e, AlertError::NotSetUp), "{e:?}");
}

#[tokio::test]
async fn only_owners_and_admins_set_up_alerts_and_changes_are_audited() {
    let mut org = testkit::team(Plan::Team);
    let member = org.actor(testkit::MEMBER_EMAIL);
    let admin = org.actor(testkit::ADMIN_EMAIL);
    let input = EmailSettingsInput {
        host: "smtp.northwind.example".into(),
        port: 587,
        tls: SmtpTls::StartTls,
        username: None,
        sender: "uniasset@northwind.example".into(),
        recipients: "olivia@northwind.example".into(),
    };
    let e = alerts::save(&mut org.store, &member, &input, None).unwrap_err();
    assert!(
        matches!(e, AlertError::Access(AccessError::NeedsAdmin(_))),
        "{e:?}"
    );
    assert!(matches!(
        alerts::clear(&mut org.store, &member),
        Err(AlertError::Access(_))
    ));
    assert!(matches!(
        alerts::send_test(&mut org.store, &member).await,
        Err(AlertError::Access(_))
    ));
    let mut bad = input.clone();
    bad.recipients = "olivia@northwind.example, olivia".into();
    assert!(matches!(
        alerts::save(&mut org.store, &admin, &bad, None),
        Err(AlertError::InvalidRecipient(_))
    ));
    assert!(!alerts::settings(&org.store).unwrap().enabled);

    alerts::save(&mut org.store, &admin, &input, None).unwrap();
    alerts::clear(&mut org.store, &Actor::CommandLine).unwrap();
    let conn = rusqlite::Connection::open(org.store.path()).unwrap();
    let actions: Vec<(String, String)> = conn
        .prepare(
            "SELECT action, detail FROM audit_entries WHERE action LIKE 'alerts.%' ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert_eq!(actions[0].0, "alerts.saved");
    assert!(actions[0].1.contains(
        "to olivia@northwind.example through smtp.northwind.example:587 (TLS mode starttls)"
    ));
    assert_eq!(actions[1].0, "alerts.off");
}

#[tokio::test]
async fn a_run_stored_while_the_server_is_down_is_sent_once_by_a_later_process() {
    let port = free_port();
    let mut t = tenant::connected(Plan::Enterprise).await;
    let (_, oid) = t.linked("dana@northwind.example", Role::Member);
    t.linked("erin@northwind.example", Role::Member);
    let owner = t.org.owner();
    alerts::save(&mut t.org.store, &owner, &plain_input(port), None).unwrap();
    t.sim.set_enabled(&oid, false);
    let record = t.sync().await;
    assert_eq!(record.counts.deactivated, 1, "{record:?}");

    // The process that stored the run tries at once; nothing listens on the port.
    let tried = alerts::send_owed(&mut t.org.store).await.unwrap();
    assert_eq!(tried.len(), 1, "{tried:?}");
    let error = tried[0].error.as_deref().expect("the send failed");
    assert!(
        error.starts_with(&format!(
            "Cannot connect to the SMTP server 127.0.0.1:{port}."
        )),
        "{error}"
    );
    let last = alerts::settings(&t.org.store).unwrap().last_send.unwrap();
    assert_eq!(
        last.error.as_deref(),
        Some(error),
        "recorded for the window"
    );
    let runs = uniasset_core::sync::runs(&t.org.store, 10).unwrap();
    assert_eq!(runs[0].counts.deactivated, 1, "the run is none the worse");

    // Another process (the app's scheduler, say) waits before asking the server again, even
    // once it is back; then it sends the email, once.
    let server = SmtpServer::start_on(port, None);
    let mut app = t.org.store.another().unwrap();
    assert_eq!(alerts::send_owed(&mut app).await.unwrap(), []);
    retry_wait_passes(&t.org.store);
    let sent = alerts::send_owed(&mut app).await.unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].ok(), "{sent:?}");
    assert_eq!(alerts::send_owed(&mut app).await.unwrap(), []);
    assert_eq!(alerts::send_owed(&mut t.org.store).await.unwrap(), []);
    let messages = server.messages();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert_eq!(
        messages[0].subject,
        "UniAsset: dana was deactivated — no assets to recover"
    );
    assert!(alerts::settings(&t.org.store)
        .unwrap()
        .last_send
        .unwrap()
        .ok());
}

#[test]
fn processes_racing_to_send_deliver_each_email_once() {
    let server = SmtpServer::start(None);
    let org = alerting_org(&server);
    let runs: Vec<i64> = (0..3)
        .map(|_| stored_run(&org.store, "failed", 0, Some("boom")))
        .collect();
    let racers = 6;
    let start = std::sync::Arc::new(std::sync::Barrier::new(racers));
    let handles: Vec<_> = (0..racers)
        .map(|_| {
            let mut store = org.store.another().unwrap();
            let start = start.clone();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                start.wait();
                runtime.block_on(alerts::send_owed(&mut store)).unwrap()
            })
        })
        .collect();
    let attempts: Vec<_> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert_eq!(attempts.len(), runs.len(), "{attempts:?}");
    assert!(attempts.iter().all(|a| a.ok()), "{attempts:?}");
    let messages = server.messages();
    assert_eq!(messages.len(), runs.len(), "{messages:#?}");
    for id in runs {
        let about = format!("See run #{id} in UniAsset");
        assert_eq!(
            messages.iter().filter(|m| m.body.contains(&about)).count(),
            1,
            "run #{id}: {messages:#?}"
        );
    }
}

#[tokio::test]
async fn an_email_claimed_by_a_process_that_died_is_sent_once_its_claim_runs_out() {
    let server = SmtpServer::start(None);
    let mut org = alerting_org(&server);
    let id = stored_run(&org.store, "failed", 0, Some("boom"));
    // Another process claimed it and is sending it (or died doing so).
    sql(
        &org.store,
        &format!(
            "INSERT INTO run_alerts (run_id, claimed_until) VALUES ({id}, '2999-01-01T00:00:00.000Z')"
        ),
    );
    assert_eq!(alerts::send_owed(&mut org.store).await.unwrap(), []);
    assert!(server.messages().is_empty());
    // Its claim ran out: it died before the server took the email.
    sql(
        &org.store,
        "UPDATE run_alerts SET claimed_until = '2000-01-01T00:00:00.000Z'",
    );
    let sent = alerts::send_owed(&mut org.store).await.unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(alerts::send_owed(&mut org.store).await.unwrap(), []);
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn runs_stored_before_the_upgrade_or_while_alerts_were_off_are_not_mailed() {
    let server = SmtpServer::start(None);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(store::DATABASE_FILE);
    {
        let mut conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
        // The schema before the outbox, alerts on, with runs that were never mailed.
        store::migrate(&mut conn, &db, dir.path(), &store::MIGRATIONS[..14]).unwrap();
        conn.execute(
            "UPDATE email_alerts SET enabled = 1, host = '127.0.0.1', port = ?1, tls = 'none',
                 sender = 'uniasset@northwind.example', recipients = 'olivia@northwind.example'",
            [server.port],
        )
        .unwrap();
        conn.execute_batch(
            "INSERT INTO sync_runs (trigger, started_at, ended_at, result, error_text, started_by)
                 VALUES ('cli', '2026-03-01T03:00:00.000Z', '2026-03-01T03:00:05.000Z', 'failed', 'boom', 'Command line'),
                        ('cli', '2026-03-02T03:00:00.000Z', '2026-03-02T03:00:05.000Z', 'failed', 'boom', 'Command line');",
        )
        .unwrap();
    }
    let mut upgraded = Store::open_existing(dir.path()).unwrap();
    assert_eq!(alerts::send_owed(&mut upgraded).await.unwrap(), []);
    let after_upgrade = stored_run(&upgraded, "failed", 0, Some("boom"));
    assert_eq!(alerts::send_owed(&mut upgraded).await.unwrap().len(), 1);

    // Turned off, a run, turned on again: the run from while they were off is not mailed.
    alerts::clear(&mut upgraded, &Actor::CommandLine).unwrap();
    stored_run(&upgraded, "failed", 0, Some("boom"));
    alerts::save(
        &mut upgraded,
        &Actor::CommandLine,
        &plain_input(server.port),
        None,
    )
    .unwrap();
    assert_eq!(alerts::send_owed(&mut upgraded).await.unwrap(), []);
    let messages = server.messages();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(messages[0]
        .body
        .contains(&format!("See run #{after_upgrade} in UniAsset")));
}
