//! The saved email alert settings, as the window shows them (never the password), and the
//! last message sent or tried.

use serde::{Deserialize, Serialize};

use super::channel::Channel;
use super::error::AlertError;
use crate::access::Actor;
use crate::store::{Store, StoreError};
use crate::text_enum::text_enum;

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
    /// When a test email last went through with the settings as saved; None until one
    /// does, and again after any change ("Saved, not tested").
    pub tested_at: Option<String>,
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
                last_sent_at, last_subject, last_error, tested_at
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
                tested_at: r.get(11)?,
            })
        },
    )?)
}

/// Keeps the message sent or tried last, for the window.
pub(super) fn note_last_send(
    conn: &rusqlite::Connection,
    channel: Channel,
    sent: &LastSend,
) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "UPDATE {} SET last_sent_at = ?1, last_subject = ?2, last_error = ?3 WHERE id = 1",
            channel.settings_table()
        ),
        rusqlite::params![sent.at, sent.subject, sent.error],
    )?;
    Ok(())
}
