//! Email alerts against a real SMTP server on 127.0.0.1 (Python's aiosmtpd, from the
//! end-to-end tests' venv) and the real keychain (run under scripts/with-keyring.sh).

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use chrono::{DateTime, Duration, Utc};
use common::tenant;
use uniasset_core::access::{AccessError, Actor};
use uniasset_core::alerts::{self, AlertError, EmailSettingsInput, SmtpTls};
use uniasset_core::directory::{DeactivationReason, Role};
use uniasset_core::organization::Plan;
use uniasset_core::secrets::SmtpPassword;
use uniasset_core::store::Store;
use uniasset_core::sync::{LineOutcome, RunCounts, RunLine, RunRecord, RunResult, Trigger};

const PASSWORD: &str = "Tr0ub4dor-smtp-9931";

/// aiosmtpd listening on a free loopback port, writing each message into `maildir`.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    fn start(auth: Option<(&str, &str)>) -> SmtpServer {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let python = root.join("tests/e2e/.venv/bin/python");
        assert!(
            python.exists(),
            "{} is missing: the SMTP tests run aiosmtpd from the end-to-end tests' venv. Run scripts/deps.sh --test (or: python3 -m venv tests/e2e/.venv && tests/e2e/.venv/bin/pip install -r tests/e2e/requirements.txt).",
            python.display()
        );
        let port = free_port();
        let maildir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(python);
        cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_server.py"))
            .arg(port.to_string())
            .arg(maildir.path());
        if let Some((user, password)) = auth {
            cmd.arg(format!("{user}:{password}"));
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "aiosmtpd did not start (is aiosmtpd installed in tests/e2e/.venv? run scripts/deps.sh --test)");
        SmtpServer {
            child,
            port,
            maildir,
        }
    }

    /// The messages received so far, oldest first, as a mail program shows them.
    fn messages(&self) -> Vec<Mail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.maildir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap())
            .collect()
    }

    fn input(&self, tls: SmtpTls, username: Option<&str>) -> EmailSettingsInput {
        EmailSettingsInput {
            host: "127.0.0.1".into(),
            port: self.port,
            tls,
            username: username.map(String::from),
            sender: "uniasset@northwind.example".into(),
            recipients: "olivia@northwind.example, it@northwind.example".into(),
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[derive(Debug, serde::Deserialize)]
struct Mail {
    rcpt_tos: Vec<String>,
    subject: String,
    from: String,
    content_type: String,
    body: String,
}

fn run(id: i64, result: RunResult, lines: Vec<RunLine>, error: Option<&str>) -> RunRecord {
    RunRecord {
        id: Some(id),
        trigger: Trigger::Scheduled,
        dry_run: false,
        started_at: "2026-03-02T03:00:00.000Z".into(),
        ended_at: Some("2026-03-02T03:00:05.000Z".into()),
        result,
        counts: RunCounts::default(),
        lines,
        error: error.map(String::from),
        graph_requests: 2,
        started_by: "Microsoft Entra ID sync".into(),
        review: None,
        applies_run_id: None,
        headline: String::new(),
        secret_notice: None,
    }
}

fn held_line(n: u32) -> RunLine {
    RunLine {
        user_id: None,
        email: format!("user{n}@northwind.example"),
        entra_object_id: None,
        outcome: LineOutcome::Held,
        reason: Some(DeactivationReason::DisabledInEntra),
        detail: String::new(),
        display_name: None,
        detected_at: None,
        assets_to_recover: 0,
    }
}

fn sql(store: &Store, statement: &str) {
    rusqlite::Connection::open(store.path())
        .unwrap()
        .execute_batch(statement)
        .unwrap();
}

/// Every byte of every file under `dir`, the SQLite file and its WAL included.
fn all_bytes(dir: &Path, out: &mut Vec<u8>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all_bytes(&path, out);
        } else {
            out.extend(std::fs::read(&path).unwrap());
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
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
    let first = t.sync().await;
    assert_eq!(
        alerts::after_run(&mut t.org.store, &first).await.unwrap(),
        None,
        "a quiet run sends nothing"
    );
    t.sim.set_enabled(&oid, false);
    let record = t.sync().await;
    assert_eq!(record.counts.deactivated, 1, "{record:?}");

    let sent = alerts::after_run(&mut t.org.store, &record)
        .await
        .unwrap()
        .expect("an alert was sent");
    assert!(sent.ok(), "{sent:?}");
    // Asked again about the same run (the shell retrying, say), it stays one email.
    assert_eq!(
        alerts::after_run(&mut t.org.store, &record).await.unwrap(),
        None
    );

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
async fn held_and_failed_runs_each_send_one_email_and_dry_runs_none() {
    let server = SmtpServer::start(None);
    let mut org = common::org(Plan::Enterprise);
    let owner = org.owner();
    alerts::save(
        &mut org.store,
        &owner,
        &server.input(SmtpTls::None, None),
        None,
    )
    .unwrap();

    let held = run(
        7,
        RunResult::HeldForReview,
        (1..=6).map(held_line).collect(),
        None,
    );
    let failed = run(
        8,
        RunResult::Failed,
        Vec::new(),
        Some("Microsoft Entra ID refused the client secret (AADSTS7000215)."),
    );
    let mut dry = run(9, RunResult::Failed, Vec::new(), Some("dry"));
    dry.id = None;
    dry.dry_run = true;
    for record in [&held, &failed, &held, &failed, &dry] {
        alerts::after_run(&mut org.store, record).await.unwrap();
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
    assert!(messages[1].body.contains("See run #8 in UniAsset"));
}

#[tokio::test]
async fn no_success_for_48_hours_is_said_once_until_a_run_succeeds_again() {
    let server = SmtpServer::start(None);
    let mut org = common::org(Plan::Enterprise);
    let owner = org.owner();
    alerts::save(
        &mut org.store,
        &owner,
        &server.input(SmtpTls::None, None),
        None,
    )
    .unwrap();
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
    let mut org = common::org(Plan::Team);
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
    assert!(matches!(e, AlertError::CannotConnect { .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.starts_with(&format!(
            "Cannot connect to the SMTP server 127.0.0.1:{}. Check the host name, the port",
            wrong.port
        )),
        "{text}"
    );
    let last = alerts::settings(&org.store).unwrap().last_send.unwrap();
    assert_eq!(last.error.as_deref(), Some(text.as_str()));

    // A run's alert that cannot be sent is recorded, and the run is none the worse.
    let failed = run(3, RunResult::Failed, Vec::new(), Some("boom"));
    let sent = alerts::after_run(&mut org.store, &failed)
        .await
        .unwrap()
        .unwrap();
    assert!(!sent.ok());
}

#[tokio::test]
async fn a_server_that_stops_answering_ends_the_send_with_a_clear_error() {
    // Accepts connections and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let mut org = common::org(Plan::Team);
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
    let mut org = common::org(Plan::Team);
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
    let mut org = common::org(Plan::Team);
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
    let mut bytes = Vec::new();
    all_bytes(&dir, &mut bytes);
    assert!(!bytes.is_empty());
    assert!(!contains(&bytes, PASSWORD));
    drop(org.store);
    let mut bytes = Vec::new();
    all_bytes(&dir, &mut bytes);
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
    let mut org = common::team(Plan::Team);
    let member = org.actor(common::MEMBER_EMAIL);
    let admin = org.actor(common::ADMIN_EMAIL);
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
