//! What can go wrong with email and chat alerts, in words for the administrator.

use crate::access::AccessError;
use crate::secrets::SecretError;
use crate::store::StoreError;

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
    #[error("Cannot connect to the SMTP server {server}. Nothing answers on that port: check the port (often 587 for STARTTLS, 465 for TLS) and the host name.")]
    NothingListens { server: String },
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
    #[error("\"{}\" is not a webhook address UniAsset can post to: use the https:// address the chat app gave (plain http only to this computer, for testing).", crate::text::excerpt(.0))]
    InvalidWebhook(String),
    #[error("No chat webhook is set up. Set its address first.")]
    WebhookNotSetUp,
    #[error("The chat webhook at {host} could not be reached: {detail}")]
    WebhookUnreachable { host: String, detail: String },
    #[error("The chat webhook at {host} refused the post ({status}). Check the address, or make a new webhook in the chat app. It said: {detail}")]
    WebhookRefused {
        host: String,
        status: u16,
        detail: String,
    },
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
            AlertError::CannotConnect { .. } | AlertError::NothingListens { .. } => {
                "smtp_unreachable"
            }
            AlertError::NoStartTls { .. } => "smtp_no_starttls",
            AlertError::TlsFailed { .. } => "smtp_tls_failed",
            AlertError::NoAnswer { .. } => "smtp_no_answer",
            AlertError::AuthRefused(_) => "smtp_auth_refused",
            AlertError::Refused(_) => "smtp_refused",
            AlertError::InvalidWebhook(_) => "invalid_webhook",
            AlertError::WebhookNotSetUp => "webhook_not_set_up",
            AlertError::WebhookUnreachable { .. } => "webhook_unreachable",
            AlertError::WebhookRefused { .. } => "webhook_refused",
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
