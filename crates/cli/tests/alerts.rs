//! `uniasset alerts …` as a real process, against a real SMTP server on 127.0.0.1 (aiosmtpd
//! from the end-to-end tests' venv, with the core tests' handler) and the real keychain
//! (run under scripts/with-keyring.sh).

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{fails, json, ok, run};

const PASSWORD: &str = "Cli-smtp-Pa55word-7781";

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
            "{} is missing: the SMTP tests run aiosmtpd from the end-to-end tests' venv. Run scripts/deps.sh --test.",
            python.display()
        );
        let port = free_port();
        let maildir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(python);
        cmd.arg(root.join("crates/core/tests/support/smtp_server.py"))
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
        assert_eq!(line.trim(), "ready", "aiosmtpd did not start");
        SmtpServer {
            child,
            port,
            maildir,
        }
    }

    fn subjects(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.maildir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| {
                let m: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
                m["subject"].as_str().unwrap().to_owned()
            })
            .collect()
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

#[test]
fn set_show_test_and_off_with_a_password_kept_in_the_keychain() {
    let server = SmtpServer::start(Some(("alerts", PASSWORD)));
    let dir = tempfile::tempdir().unwrap();
    common::init(dir.path(), "team", None);
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

    let mut bytes = Vec::new();
    all_bytes(dir.path(), &mut bytes);
    assert!(!bytes
        .windows(PASSWORD.len())
        .any(|w| w == PASSWORD.as_bytes()));

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
    common::init(dir.path(), "team", None);
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
    common::init(dir.path(), "team", None);
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
