//! `uniasset alerts …` as a real process, against a real SMTP server on 127.0.0.1 (aiosmtpd
//! from the end-to-end tests' venv, with the core tests' handler) and the real keychain
//! (run under scripts/with-keyring.sh); and the alerts `uniasset entra sync` sends (R-M2),
//! against the Graph simulator.

use crate::common::{add_member, fails, json, ok, run};
use graph_sim::{Simulator, TenantConfig};
use testkit::files::{all_bytes, contains};
use testkit::smtp::{free_port, SmtpServer};

const PASSWORD: &str = "Cli-smtp-Pa55word-7781";

#[test]
fn set_show_test_and_off_with_a_password_kept_in_the_keychain() {
    let server = SmtpServer::start(Some(("alerts", PASSWORD)));
    let dir = tempfile::tempdir().unwrap();
    crate::common::init(dir.path(), "team", None);
    let port = server.port.to_string();

    let shown = ok(dir.path(), &["alerts", "show"]);
    assert!(shown.contains("Email alerts are off"), "{shown}");

    let set = run(
        dir.path(),
        &[
            "alerts",
            "set",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--tls",
            "none",
            "--user",
            "alerts",
            "--password-stdin",
            "--from",
            "uniasset@northwind.example",
            "--to",
            "olivia@northwind.example,it@northwind.example",
        ],
        &format!("{PASSWORD}\n"),
    );
    let mut printed = String::from_utf8_lossy(&set.stdout).into_owned();
    printed.push_str(&String::from_utf8_lossy(&set.stderr));
    assert_eq!(set.status.code(), Some(0), "{printed}");
    assert!(printed.contains("Email alerts are on."), "{printed}");
    assert!(
        printed.contains("The SMTP password is in the system keychain."),
        "{printed}"
    );

    let settings = json(dir.path(), &["alerts", "show"]);
    assert_eq!(settings["enabled"], true);
    assert_eq!(settings["tls"], "none");
    assert_eq!(settings["password_set"], true);
    assert_eq!(
        settings["recipients"],
        serde_json::json!(["olivia@northwind.example", "it@northwind.example"])
    );
    printed.push_str(&settings.to_string());

    let tested = ok(dir.path(), &["alerts", "test"]);
    assert!(
        tested.contains("Sent a test email to olivia@northwind.example, it@northwind.example."),
        "{tested}"
    );
    assert_eq!(server.subjects(), ["UniAsset: test email"]);
    let shown = ok(dir.path(), &["alerts", "show"]);
    assert!(shown.contains("\"UniAsset: test email\": sent"), "{shown}");
    printed.push_str(&tested);
    printed.push_str(&shown);
    assert!(!printed.contains(PASSWORD), "{printed}");

    assert!(!contains(&all_bytes(dir.path()), PASSWORD));

    let off = ok(dir.path(), &["alerts", "off"]);
    assert!(off.contains("Email alerts are off"), "{off}");
    let settings = json(dir.path(), &["alerts", "show"]);
    assert_eq!(settings["enabled"], false);
    assert_eq!(settings["password_set"], false);
    let e = fails(dir.path(), &["alerts", "test"], 1);
    assert!(e.contains("Email alerts are not set up."), "{e}");
}

#[test]
fn bad_input_is_refused_clearly_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::init(dir.path(), "team", None);
    let good = [
        "alerts",
        "set",
        "--host",
        "smtp.northwind.example",
        "--port",
        "587",
        "--tls",
        "starttls",
        "--from",
        "uniasset@northwind.example",
        "--to",
        "olivia@northwind.example",
    ];
    ok(dir.path(), &good);
    let before = json(dir.path(), &["alerts", "show"]);
    let with = |flag: &str, value: &'static str| -> Vec<&'static str> {
        let mut args: Vec<&'static str> = good.to_vec();
        let at = args.iter().position(|a| *a == flag).unwrap();
        args[at + 1] = value;
        args
    };

    // clap's own checks: usage errors, exit 2.
    let e = fails(dir.path(), &with("--port", "70000"), 2);
    assert!(e.contains("70000") && e.contains("--port"), "{e}");
    let e = fails(dir.path(), &with("--port", "smtp"), 2);
    assert!(e.contains("invalid value 'smtp'"), "{e}");
    let e = fails(dir.path(), &with("--tls", "ssl"), 2);
    assert!(
        e.contains("Unknown TLS mode \"ssl\": use none, starttls or tls."),
        "{e}"
    );
    let mut no_user = good.to_vec();
    no_user.push("--password-stdin");
    let e = fails(dir.path(), &no_user, 2);
    assert!(e.contains("--user"), "{e}");

    // The core's checks: exit 1 with the code and the administrator's message.
    let e = fails(dir.path(), &with("--port", "0"), 1);
    assert!(
        e.contains("The SMTP port must be between 1 and 65535 (got 0)."),
        "{e}"
    );
    let e = fails(
        dir.path(),
        &with("--host", "smtp://smtp.northwind.example"),
        1,
    );
    assert!(e.contains("is not an SMTP server name"), "{e}");
    let e = fails(
        dir.path(),
        &with("--to", "olivia@northwind.example,olivia"),
        1,
    );
    assert!(
        e.contains("\"olivia\" is not an email address to send alerts to."),
        "{e}"
    );
    let e = fails(dir.path(), &with("--from", "uniasset"), 1);
    assert!(
        e.contains("\"uniasset\" is not an email address to send from."),
        "{e}"
    );
    let mut user_without_password = good.to_vec();
    user_without_password.extend(["--user", "alerts"]);
    let e = fails(dir.path(), &user_without_password, 1);
    assert!(e.contains("no SMTP password was given"), "{e}");
    let mut json_errors = vec!["--json"];
    json_errors.extend(with("--port", "0"));
    let out = run(dir.path(), &json_errors, "");
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stderr)
        .or_else(|_| serde_json::from_slice(&out.stdout))
        .unwrap();
    assert_eq!(report["error"]["code"], "invalid_smtp_port", "{report}");

    assert_eq!(json(dir.path(), &["alerts", "show"]), before);
}

#[test]
fn a_wrong_port_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::init(dir.path(), "team", None);
    let port = free_port().to_string();
    ok(
        dir.path(),
        &[
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
            "olivia@northwind.example",
        ],
    );
    let e = fails(dir.path(), &["alerts", "test"], 1);
    assert!(
        e.contains(&format!(
            "Cannot connect to the SMTP server 127.0.0.1:{port}."
        )),
        "{e}"
    );
    let shown = ok(dir.path(), &["alerts", "show"]);
    assert!(
        shown.contains("\"UniAsset: test email\": failed"),
        "{shown}"
    );
}

/// An Enterprise organization connected to its own Graph simulator, with email alerts going
/// to 127.0.0.1:`smtp_port` (where a server may or may not listen).
struct Connected {
    dir: tempfile::TempDir,
    sim: Simulator,
}

impl Connected {
    fn new(smtp_port: u16) -> Connected {
        let t = Connected {
            dir: tempfile::tempdir().unwrap(),
            sim: Simulator::start(TenantConfig::default()).unwrap(),
        };
        crate::common::init(t.dir.path(), "enterprise", None);
        crate::common::connect(t.dir.path(), &t.sim);
        ok(
            t.dir.path(),
            &[
                "alerts",
                "set",
                "--host",
                "127.0.0.1",
                "--port",
                &smtp_port.to_string(),
                "--tls",
                "none",
                "--from",
                "uniasset@northwind.example",
                "--to",
                "olivia@northwind.example",
            ],
        );
        t
    }

    /// A Microsoft user linked to a new, enabled Entra account.
    fn linked(&self, email: &str, name: &str) -> String {
        let oid = self.sim.add_user(email, Some(email), true);
        ok(
            self.dir.path(),
            &add_member(email, name, "microsoft", Some(&oid)),
        );
        oid
    }

    /// `uniasset entra sync`, which must succeed: what it said on standard error.
    fn sync(&self) -> String {
        let out = run(self.dir.path(), &["entra", "sync"], "");
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{said}");
        said
    }

    fn sql(&self, statement: &str) {
        rusqlite::Connection::open(self.dir.path().join("uniasset.db"))
            .unwrap()
            .execute_batch(statement)
            .unwrap();
    }

    /// Lets the wait before a failed email's next try pass (the CLI runs on the system's clock).
    fn retry_wait_passes(&self) {
        self.sql("UPDATE run_alerts SET retry_at = '2000-01-01T00:00:00.000Z' WHERE retry_at IS NOT NULL");
    }
}

const ANN_DEACTIVATED: &str = "UniAsset: Ann Leaver was deactivated — no assets to recover";

#[test]
fn entra_sync_from_the_command_line_emails_who_it_deactivated() {
    let server = SmtpServer::start(None);
    let t = Connected::new(server.port);
    let ann = t.linked("ann@northwind.example", "Ann Leaver");
    t.linked("bob@northwind.example", "Bob Stayer");
    t.sync();
    assert!(server.subjects().is_empty(), "a quiet run sends nothing");

    t.sim.set_enabled(&ann, false);
    let said = t.sync();
    assert!(said.is_empty(), "{said}");
    // The process sent it before it ended: the server has it already.
    assert_eq!(server.subjects(), [ANN_DEACTIVATED]);
    let shown = ok(t.dir.path(), &["alerts", "show"]);
    assert!(
        shown.contains(&format!("\"{ANN_DEACTIVATED}\": sent")),
        "{shown}"
    );

    // Later runs, from the command line or anywhere else, do not send it again.
    t.sync();
    assert_eq!(server.subjects(), [ANN_DEACTIVATED]);
}

#[test]
fn with_the_mail_server_down_the_sync_succeeds_and_a_later_run_sends_the_email_once() {
    let port = free_port();
    let t = Connected::new(port);
    let ann = t.linked("ann@northwind.example", "Ann Leaver");
    t.linked("bob@northwind.example", "Bob Stayer");
    t.sim.set_enabled(&ann, false);

    // Nothing listens: the sync still succeeds (exit 0), and says why no email went.
    let said = t.sync();
    assert!(
        said.contains(&format!(
            "the email alert \"{ANN_DEACTIVATED}\" could not be sent: Cannot connect to the SMTP server 127.0.0.1:{port}."
        )) && said.contains("It will be tried again"),
        "{said}"
    );
    let users = json(t.dir.path(), &["users", "list"]);
    let ann_status = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "ann@northwind.example")
        .unwrap()["status"]
        .clone();
    assert_eq!(ann_status, "deactivated");
    let shown = ok(t.dir.path(), &["alerts", "show"]);
    assert!(
        shown.contains(&format!("\"{ANN_DEACTIVATED}\": failed")),
        "{shown}"
    );

    // The server is back. A run right after waits before asking it again…
    let server = SmtpServer::start_on(port, None);
    assert!(t.sync().is_empty());
    assert!(server.subjects().is_empty());
    // …and the next run after that wait sends it, once.
    t.retry_wait_passes();
    assert!(t.sync().is_empty());
    assert_eq!(server.subjects(), [ANN_DEACTIVATED]);
    t.retry_wait_passes();
    t.sync();
    assert_eq!(server.subjects(), [ANN_DEACTIVATED]);
}

#[test]
fn command_lines_racing_to_send_an_owed_email_deliver_it_once() {
    let port = free_port();
    let t = Connected::new(port);
    let ann = t.linked("ann@northwind.example", "Ann Leaver");
    t.linked("bob@northwind.example", "Bob Stayer");
    t.sim.set_enabled(&ann, false);
    assert!(t.sync().contains("could not be sent"));
    let server = SmtpServer::start_on(port, None);
    t.retry_wait_passes();

    // Several at once, as overlapping cron jobs would: some find a sync already running
    // (and exit 1); every one of them may send what is owed.
    let racers: Vec<_> = (0..4)
        .map(|_| crate::common::spawn(t.dir.path(), &["entra", "sync"], "", &[]))
        .collect();
    for racer in racers {
        let out = racer.wait_with_output().unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.code() == Some(0) || said.contains("A sync is already running"),
            "{said}"
        );
        assert!(!said.contains("could not be sent"), "{said}");
    }
    assert_eq!(server.subjects(), [ANN_DEACTIVATED]);
}

#[test]
fn a_chat_webhook_is_set_tested_shown_and_turned_off_its_address_only_in_the_keychain() {
    let server = testkit::webhook::WebhookServer::start();
    let dir = tempfile::tempdir().unwrap();
    crate::common::init(dir.path(), "team", None);
    let d = dir.path();
    let secret = "T00/B00/cliWebhookSecret77";
    let url = server.url(secret);

    let err = fails(
        d,
        &[
            "alerts",
            "webhook",
            "set",
            "http://hooks.example.com/x",
            "--kind",
            "slack",
        ],
        1,
    );
    assert!(err.contains("https://"), "{err}");
    assert!(ok(d, &["alerts", "webhook", "show"]).contains("No chat webhook is set"));
    fails(
        d,
        &["alerts", "webhook", "set", &url, "--kind", "discord"],
        2,
    );

    let set = ok(d, &["alerts", "webhook", "set", &url, "--kind", "slack"]);
    assert!(set.contains("slack webhook at 127.0.0.1"), "{set}");
    assert!(!set.contains(secret), "{set}");
    ok(d, &["alerts", "webhook", "test"]);
    let posts = server.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].body["text"], "UniAsset: test message");
    let shown = json(d, &["alerts", "webhook", "show"]);
    assert_eq!(shown["kind"], "slack");
    assert!(shown["tested_at"].is_string());
    assert!(!shown.to_string().contains(secret));
    assert!(
        !contains(&all_bytes(d), secret),
        "the address is only in the keychain"
    );

    // Piped in, as a script keeps it out of the shell's history.
    let piped = run(
        d,
        &["alerts", "webhook", "set", "--url-stdin", "--kind", "json"],
        &url,
    );
    assert!(piped.status.success(), "{piped:?}");
    ok(d, &["alerts", "webhook", "off"]);
    let err = fails(d, &["alerts", "webhook", "test"], 1);
    assert!(err.contains("No chat webhook is set up"), "{err}");
}
