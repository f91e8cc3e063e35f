//! Email alerts (R-M1…R-M3): tell the owner by email when the sync deactivated people (with
//! the assets to get back), held a run for review, failed, or has not succeeded for 48 hours
//! while auto-deprovision is on. The SMTP password lives only in the OS keychain. Sending
//! never fails a sync: each attempt's outcome is recorded for the window instead. Runs'
//! emails go through the outbox, so every process that stores runs can send them.

mod messages;
mod outbox;
mod send;

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use crate::access::{AccessError, Actor};
use crate::audit;
use crate::secrets::{SecretError, SmtpKeychain, SmtpPassword};
use crate::store::{Store, StoreError};
use crate::text;
use crate::text_enum::text_enum;
use crate::timestamp;

pub use messages::{Message, STALE_AFTER_HOURS};
pub use outbox::send_owed;

text_enum! {
    /// How the connection to the SMTP server is protected.
    SmtpTls, "TLS mode", "none, starttls or tls" {
        /// Plain SMTP: only for a relay on the local network.
        None => "none",
        /// STARTTLS, required: the message is not sent if the server does not offer it.
        StartTls => "starttls",
        /// TLS from the first byte (often port 465).
        Tls => "tls",
    }
}

/// What the Email alerts form sends; the password travels separately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EmailSettingsInput {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// None (or blank): the server takes mail without signing in.
    pub username: Option<String>,
    /// The From address.
    pub sender: String,
    /// One or more addresses, separated by commas.
    pub recipients: String,
}

/// The last message sent or tried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct LastSend {
    pub at: String,
    pub subject: String,
    /// None when the server accepted the message.
    pub error: Option<String>,
}

impl LastSend {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// The Email alerts card: never the password, only whether one is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EmailSettings {
    pub enabled: bool,
    pub host: Option<String>,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password_set: bool,
    pub sender: Option<String>,
    pub recipients: Vec<String>,
    pub last_send: Option<LastSend>,
}

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error("\"{0}\" is not an SMTP server name: use a host name such as smtp.example.com or an IP address, without smtp:// or a port.")]
    InvalidHost(String),
    #[error("The SMTP port must be between 1 and 65535 (got {0}).")]
    InvalidPort(u32),
    #[error("\"{0}\" is not an email address to send from.")]
    InvalidSender(String),
    #[error("\"{0}\" is not an email address to send alerts to.")]
    InvalidRecipient(String),
    #[error("Name at least one address to send alerts to.")]
    NoRecipients,
    #[error("A user name is set but no SMTP password was given: give the password, or leave the user name empty for a server that takes mail without signing in.")]
    PasswordNeeded,
    #[error("Email alerts are not set up. Set the SMTP server, sender and recipients first.")]
    NotSetUp,
    #[error("Cannot connect to the SMTP server {server}. Check the host name, the port and the TLS mode, and that this computer may reach it ({detail}).")]
    CannotConnect { server: String, detail: String },
    #[error("The SMTP server {server} does not offer STARTTLS, so nothing was sent (UniAsset does not send alerts unencrypted in STARTTLS mode). Choose TLS mode \"tls\" if the port expects TLS from the start, or \"none\" only for a relay on your own network.")]
    NoStartTls { server: String },
    #[error("The TLS connection to the SMTP server {server} failed: {detail}. Check the TLS mode (\"tls\" for a port such as 465 that expects TLS from the start, \"starttls\" for 587) and the server's certificate.")]
    TlsFailed { server: String, detail: String },
    #[error("The SMTP server {server} stopped answering: nothing was sent after {seconds} seconds. Check that the host and port are those of an SMTP server, or try again later.")]
    NoAnswer { server: String, seconds: u64 },
    #[error("The SMTP server refused the user name or password. Check them and save again. The server said: {0}")]
    AuthRefused(String),
    #[error("The SMTP server refused the message. The server said: {0}")]
    Refused(String),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for AlertError {
    fn code(&self) -> &'static str {
        match self {
            AlertError::InvalidHost(_) => "invalid_smtp_host",
            AlertError::InvalidPort(_) => "invalid_smtp_port",
            AlertError::InvalidSender(_) => "invalid_sender",
            AlertError::InvalidRecipient(_) => "invalid_recipient",
            AlertError::NoRecipients => "no_recipients",
            AlertError::PasswordNeeded => "smtp_password_needed",
            AlertError::NotSetUp => "alerts_not_set_up",
            AlertError::CannotConnect { .. } => "smtp_unreachable",
            AlertError::NoStartTls { .. } => "smtp_no_starttls",
            AlertError::TlsFailed { .. } => "smtp_tls_failed",
            AlertError::NoAnswer { .. } => "smtp_no_answer",
            AlertError::AuthRefused(_) => "smtp_auth_refused",
            AlertError::Refused(_) => "smtp_refused",
            AlertError::Secret(e) => e.code(),
            AlertError::Access(e) => e.code(),
            AlertError::Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for AlertError {
    fn from(e: rusqlite::Error) -> Self {
        AlertError::Store(e.into())
    }
}

/// A checked form: trimmed, addresses parsed.
struct Checked {
    host: String,
    port: u16,
    tls: SmtpTls,
    username: Option<String>,
    sender: String,
    recipients: Vec<String>,
}

fn check(input: &EmailSettingsInput) -> Result<Checked, AlertError> {
    let host = input.host.trim();
    // A bracketed IPv6 literal or a name/IPv4 address; nothing with a scheme, port or path.
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !host.is_empty()
                && host.len() <= 253
                && host.split('.').all(|l| {
                    !l.is_empty()
                        && !l.starts_with('-')
                        && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                })
        }
    };
    if !host_ok {
        return Err(AlertError::InvalidHost(text::excerpt(host)));
    }
    if input.port == 0 {
        return Err(AlertError::InvalidPort(0));
    }
    let address = |a: &str| {
        a.parse::<email_address::EmailAddress>()
            .ok()
            .map(|_| a.to_owned())
    };
    let sender = input.sender.trim();
    let sender = address(sender).ok_or_else(|| AlertError::InvalidSender(text::excerpt(sender)))?;
    let mut recipients: Vec<String> = Vec::new();
    for r in input
        .recipients
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        let r = address(r).ok_or_else(|| AlertError::InvalidRecipient(text::excerpt(r)))?;
        if !recipients.iter().any(|k| k.eq_ignore_ascii_case(&r)) {
            recipients.push(r);
        }
    }
    if recipients.is_empty() {
        return Err(AlertError::NoRecipients);
    }
    let username = input
        .username
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned);
    Ok(Checked {
        host: host.to_ascii_lowercase(),
        port: input.port,
        tls: input.tls,
        username,
        sender,
        recipients,
    })
}

/// The settings as the window shows them: Owners and Admins only (no reply ever carries
/// the password; `password_set` says whether one is kept).
pub fn settings_for(store: &Store, by: &Actor) -> Result<EmailSettings, AlertError> {
    by.require_admin("see the email alert settings")?;
    Ok(settings(store)?)
}

pub fn settings(store: &Store) -> Result<EmailSettings, StoreError> {
    Ok(store.conn().query_row(
        "SELECT enabled, host, port, tls, username, password_set, sender, recipients,
                last_sent_at, last_subject, last_error
         FROM email_alerts WHERE id = 1",
        [],
        |r| {
            let recipients: String = r.get(7)?;
            let last_sent_at: Option<String> = r.get(8)?;
            Ok(EmailSettings {
                enabled: r.get(0)?,
                host: r.get(1)?,
                port: r.get(2)?,
                tls: r.get(3)?,
                username: r.get(4)?,
                password_set: r.get(5)?,
                sender: r.get(6)?,
                recipients: recipients
                    .split(',')
                    .filter(|r| !r.is_empty())
                    .map(str::to_owned)
                    .collect(),
                last_send: match last_sent_at {
                    Some(at) => Some(LastSend {
                        at,
                        subject: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
                        error: r.get(10)?,
                    }),
                    None => None,
                },
            })
        },
    )?)
}

/// Saves the form and turns alerts on (Owner or Admin, audited). `password` None keeps the
/// saved one; without a user name any saved password is removed. The keychain goes back to
/// what it held when the store cannot be written.
pub fn save(
    store: &mut Store,
    by: &Actor,
    input: &EmailSettingsInput,
    password: Option<&SmtpPassword>,
) -> Result<EmailSettings, AlertError> {
    by.require_admin("set up email alerts")?;
    let checked = check(input)?;
    let current = settings(store)?;
    let password = password.filter(|p| !p.is_blank());
    if checked.username.is_some() && password.is_none() && !current.password_set {
        return Err(AlertError::PasswordNeeded);
    }
    let keychain = SmtpKeychain::for_store(store)?;
    let previous = if current.password_set {
        keychain.load().ok()
    } else {
        None
    };
    let password_set = match (&checked.username, password) {
        (None, _) => {
            // Only touched when it holds something: a server without sign-in needs no keychain.
            if current.password_set {
                keychain.delete()?;
            }
            false
        }
        (Some(_), Some(p)) => {
            keychain.save(p)?;
            true
        }
        (Some(_), None) => true,
    };
    match write_settings(store, by, &checked, password_set) {
        Ok(()) => Ok(settings(store)?),
        Err(e) => {
            let _ = match previous {
                Some(p) => keychain.save(&p),
                None => keychain.delete(),
            };
            Err(e)
        }
    }
}

fn write_settings(
    store: &mut Store,
    by: &Actor,
    c: &Checked,
    password_set: bool,
) -> Result<(), AlertError> {
    let tx = store.write()?;
    // Turning alerts on owes emails only for runs stored from now on, not the history.
    tx.execute(
        "UPDATE email_alerts SET enabled = 1, host = ?1, port = ?2, tls = ?3, username = ?4,
             password_set = ?5, sender = ?6, recipients = ?7,
             alerts_after_run = CASE WHEN enabled = 1 THEN alerts_after_run
                                     ELSE (SELECT coalesce(max(id), 0) FROM sync_runs) END
         WHERE id = 1",
        rusqlite::params![
            c.host,
            c.port,
            c.tls,
            c.username,
            password_set,
            c.sender,
            c.recipients.join(",")
        ],
    )?;
    outbox::retry_now(&tx)?;
    let signed_in = match &c.username {
        Some(u) => format!(", signing in as {u}"),
        None => String::new(),
    };
    audit::record(
        &tx,
        by,
        audit::Entry::organization("alerts.saved").detail(format!(
            "Email alerts from {} to {} through {}:{} (TLS mode {}{signed_in})",
            c.sender,
            c.recipients.join(", "),
            c.host,
            c.port,
            c.tls
        )),
    )?;
    tx.commit().map_err(StoreError::from)?;
    Ok(())
}

/// Turns email alerts off and forgets the server, the addresses and the password (Owner or
/// Admin, audited).
pub fn clear(store: &mut Store, by: &Actor) -> Result<EmailSettings, AlertError> {
    by.require_admin("turn email alerts off")?;
    let had_password = settings(store)?.password_set;
    let keychain = SmtpKeychain::for_store(store)?;
    let tx = store.write()?;
    tx.execute_batch("DELETE FROM email_alerts; INSERT INTO email_alerts (id) VALUES (1);")?;
    audit::record(
        &tx,
        by,
        audit::Entry::organization("alerts.off")
            .detail("Email alerts turned off; the SMTP settings and password were removed"),
    )?;
    tx.commit().map_err(StoreError::from)?;
    if had_password {
        keychain.delete()?;
    }
    Ok(settings(store)?)
}

/// "Send test email" with the saved settings (Owner or Admin). The outcome is recorded like
/// any alert's, and an error is returned as it is for the form to show.
pub async fn send_test(store: &mut Store, by: &Actor) -> Result<(), AlertError> {
    by.require_admin("send a test email")?;
    let message = messages::test(store)?;
    let (_, outcome) = deliver_and_record(store, &message).await?;
    outcome
}

/// From the scheduler's tick: while alerts and auto-deprovision are on, one email when no run
/// has succeeded for 48 hours (counted from the last success, or from turning
/// auto-deprovision on). Not again until a run succeeds and another 48 hours pass.
pub async fn check_stale(
    store: &mut Store,
    now: DateTime<Utc>,
) -> Result<Option<LastSend>, StoreError> {
    let row: Option<(Option<String>, Option<String>, Option<String>)> = store
        .conn()
        .query_row(
            "SELECT (SELECT max(ended_at) FROM sync_runs WHERE result IN ('succeeded', 'completed_with_errors')),
                    d.enabled_at, a.stale_alerted_from
             FROM email_alerts a, deprovision_settings d
             WHERE a.enabled = 1 AND d.auto_deprovision = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((last_success, enabled_at, alerted_from)) = row else {
        return Ok(None);
    };
    // Text order is time order in the store's format.
    let Some(from) = last_success.max(enabled_at) else {
        return Ok(None);
    };
    let Ok(since) = DateTime::parse_from_rfc3339(&from) else {
        return Ok(None);
    };
    let quiet = now - since.with_timezone(&Utc);
    if quiet < chrono::Duration::hours(STALE_AFTER_HOURS) || alerted_from.as_deref() == Some(&from)
    {
        return Ok(None);
    }
    let message = messages::stale(store, &from, quiet)?;
    let (sent, _) = deliver_and_record(store, &message).await?;
    // Only a delivered alert counts as said; a failed one is tried again on the next tick.
    if sent.ok() {
        store.conn().execute(
            "UPDATE email_alerts SET stale_alerted_from = ?1 WHERE id = 1",
            [&from],
        )?;
    }
    Ok(Some(sent))
}

/// Sends with the saved settings and records the outcome.
async fn deliver_and_record(
    store: &mut Store,
    message: &Message,
) -> Result<(LastSend, Result<(), AlertError>), StoreError> {
    let outcome = match Route::saved(store).await {
        Ok(route) => route.send(message).await,
        Err(e) => Err(e),
    };
    let sent = LastSend {
        at: timestamp::now(),
        subject: message.subject.clone(),
        error: outcome.as_ref().err().map(ToString::to_string),
    };
    note_last_send(store.conn(), &sent)?;
    Ok((sent, outcome))
}

/// Keeps the message sent or tried last, for the window.
fn note_last_send(conn: &rusqlite::Connection, sent: &LastSend) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE email_alerts SET last_sent_at = ?1, last_subject = ?2, last_error = ?3 WHERE id = 1",
        rusqlite::params![sent.at, sent.subject, sent.error],
    )?;
    Ok(())
}

/// Where alerts go and how: the saved settings with the password from the keychain.
struct Route {
    server: send::Server,
    sender: String,
    recipients: Vec<String>,
}

impl Route {
    /// Takes `&mut Store` though it only reads: a `&Store` held across the keychain's await
    /// would make the future not `Send` (a connection is not `Sync`), and the app spawns it.
    async fn saved(store: &mut Store) -> Result<Route, AlertError> {
        let s = settings(store)?;
        let (Some(host), Some(sender), true) = (s.host, s.sender, s.enabled) else {
            return Err(AlertError::NotSetUp);
        };
        let credentials = match s.username {
            Some(user) => {
                let keychain = SmtpKeychain::for_store(store)?;
                // A keychain waiting to be unlocked holds up no other work.
                let password = tokio::task::spawn_blocking(move || keychain.load())
                    .await
                    .map_err(|e| SecretError::Unavailable(e.to_string()))??;
                Some((user, password))
            }
            None => None,
        };
        Ok(Route {
            server: send::Server {
                host,
                port: s.port,
                tls: s.tls,
                credentials,
            },
            sender,
            recipients: s.recipients,
        })
    }

    async fn send(&self, message: &Message) -> Result<(), AlertError> {
        send::send(&self.server, &self.sender, &self.recipients, message).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> EmailSettingsInput {
        EmailSettingsInput {
            host: "smtp.example.com".into(),
            port: 587,
            tls: SmtpTls::StartTls,
            username: None,
            sender: "alerts@example.com".into(),
            recipients: "owner@example.com, Owner@example.com,it@example.com".into(),
        }
    }

    #[test]
    fn the_form_is_checked() {
        let c = check(&input()).unwrap();
        assert_eq!(c.recipients, ["owner@example.com", "it@example.com"]);
        for host in [
            "smtp://mail.example.com",
            "mail.example.com:587",
            "",
            "a b",
            "[zz]",
        ] {
            let mut i = input();
            i.host = host.into();
            assert!(
                matches!(check(&i), Err(AlertError::InvalidHost(_))),
                "{host}"
            );
        }
        let mut i = input();
        i.host = "[::1]".into();
        assert!(check(&i).is_ok());
        i.port = 0;
        assert!(matches!(check(&i), Err(AlertError::InvalidPort(0))));
        let mut i = input();
        i.recipients = "owner@example.com, nobody".into();
        assert!(matches!(check(&i), Err(AlertError::InvalidRecipient(r)) if r == "nobody"));
        i.recipients = " , ".into();
        assert!(matches!(check(&i), Err(AlertError::NoRecipients)));
        let mut i = input();
        i.sender = "alerts at example".into();
        assert!(matches!(check(&i), Err(AlertError::InvalidSender(_))));
    }
}
