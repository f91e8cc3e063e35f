//! A real SMTP server on 127.0.0.1: aiosmtpd (from the end-to-end tests' venv, which
//! `scripts/deps.sh --test` makes) running `smtp_server.py`, which writes each message it
//! accepts into a folder as JSON.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};

use uniasset_core::alerts::{self, EmailSettingsInput, SmtpTls};

use crate::Org;

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    maildir: tempfile::TempDir,
}

/// One message as a mail program shows it.
#[derive(Debug, serde::Deserialize)]
pub struct Mail {
    pub rcpt_tos: Vec<String>,
    pub subject: String,
    pub from: String,
    pub content_type: String,
    pub body: String,
}

impl SmtpServer {
    /// On a free port; `auth` is the one user and password it accepts, if it asks for any.
    pub fn start(auth: Option<(&str, &str)>) -> SmtpServer {
        SmtpServer::start_on(free_port(), auth)
    }

    /// On a given port: a server that was down comes back where the settings point.
    pub fn start_on(port: u16, auth: Option<(&str, &str)>) -> SmtpServer {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let python = here.join("../../tests/e2e/.venv/bin/python");
        assert!(
            python.exists(),
            "{} is missing: the SMTP tests run aiosmtpd from the end-to-end tests' venv. Run scripts/deps.sh --test.",
            python.display()
        );
        let maildir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(python);
        cmd.arg(here.join("smtp_server.py"))
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
        assert_eq!(
            line.trim(),
            "ready",
            "aiosmtpd did not start (is it installed in tests/e2e/.venv? run scripts/deps.sh --test)"
        );
        SmtpServer {
            child,
            port,
            maildir,
        }
    }

    /// The messages received so far, oldest first.
    pub fn messages(&self) -> Vec<Mail> {
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

    pub fn subjects(&self) -> Vec<String> {
        self.messages().into_iter().map(|m| m.subject).collect()
    }

    /// Settings that send to this server from Northwind to Olivia and IT.
    pub fn input(&self, tls: SmtpTls, username: Option<&str>) -> EmailSettingsInput {
        EmailSettingsInput {
            host: "127.0.0.1".into(),
            port: self.port,
            tls,
            username: username.map(String::from),
            sender: "uniasset@northwind.example".into(),
            recipients: "olivia@northwind.example, it@northwind.example".into(),
        }
    }

    /// `org`'s email alerts go here (plain SMTP, no sign-in), as its Owner saves them.
    pub fn receive_alerts_of(&self, org: &mut Org) {
        let owner = org.owner();
        alerts::save(
            &mut org.store,
            &owner,
            &self.input(SmtpTls::None, None),
            None,
        )
        .unwrap();
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nothing listens on (as long as nobody takes it meanwhile). It is below
/// the range the system hands out for port 0 and outgoing connections, where some other
/// connection could take it before our server binds it.
pub fn free_port() -> u16 {
    static CALLS: AtomicU16 = AtomicU16::new(0);
    let low: u16 = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse().ok())
        .unwrap_or(32_768);
    let span = low - 10_000;
    // A different start per process and per call, so tests running at once pick apart.
    let start = (std::process::id() as u16)
        .wrapping_mul(31)
        .wrapping_add(CALLS.fetch_add(97, Ordering::Relaxed));
    (0..span)
        .map(|i| 10_000 + start.wrapping_add(i) % span)
        .find(|&port| TcpListener::bind(("127.0.0.1", port)).is_ok())
        .expect("a free loopback port")
}
