//! The OS keychain (R-E3): Secret Service on Linux, Keychain on macOS, Credential Manager
//! on Windows. The Entra client secret, the SMTP password for email alerts and the backup
//! passphrase live here and nowhere else; when no keychain is available UniAsset says so and stores nothing.

use rusqlite::Connection;

use crate::store::{Store, StoreError};

const SERVICE: &str = crate::data_dir::APP_IDENTIFIER;

/// The Entra app's client secret. Never serialized, no Display; Debug is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    pub fn new(secret: impl Into<String>) -> ClientSecret {
        ClientSecret(secret.into())
    }
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

/// The SMTP server's password for email alerts. Never serialized, no Display; Debug is
/// redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpPassword(String);

impl SmtpPassword {
    pub fn new(password: impl Into<String>) -> SmtpPassword {
        SmtpPassword(password.into())
    }
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_blank(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for SmtpPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmtpPassword(<redacted>)")
    }
}

/// The chat webhook's URL (Teams, Slack or any endpoint): whoever has it can post to the
/// channel, so it is a secret. Never serialized, no Display; Debug is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub fn new(url: impl Into<String>) -> WebhookUrl {
        WebhookUrl(url.into())
    }
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookUrl(<redacted>)")
    }
}

/// The passphrase encrypted backups are made with. Never serialized, no Display; Debug is
/// redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct BackupPassphrase(String);

impl BackupPassphrase {
    pub fn new(passphrase: impl Into<String>) -> BackupPassphrase {
        BackupPassphrase(passphrase.into())
    }
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for BackupPassphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BackupPassphrase(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("No keychain is available on this computer ({0}). UniAsset keeps secrets and passwords only in the system keychain and stores nothing in plain text; unlock or set up the keychain (on Linux: a Secret Service such as GNOME Keyring or KWallet) and try again.")]
    Unavailable(String),
    #[error("The client secret is not in the keychain any more. Reconnect Microsoft Entra ID with the secret.")]
    Missing,
    #[error("The SMTP password for email alerts is not in the keychain any more. Set email alerts up again with the password.")]
    SmtpPasswordMissing,
    #[error(
        "The chat webhook's address is not in the keychain any more. Set the webhook up again."
    )]
    WebhookMissing,
    #[error("The keychain refused the secret: {0}")]
    Rejected(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for SecretError {
    fn code(&self) -> &'static str {
        match self {
            SecretError::Unavailable(_) => "keychain_unavailable",
            SecretError::Missing => "secret_missing",
            SecretError::SmtpPasswordMissing => "smtp_password_missing",
            SecretError::WebhookMissing => "webhook_missing",
            SecretError::Rejected(_) => "keychain_rejected",
            SecretError::Store(e) => e.code(),
        }
    }
}

/// This data directory's entry in the keychain.
pub struct Keychain {
    account: String,
}

fn keychain_id(conn: &Connection) -> Result<String, StoreError> {
    Ok(conn.query_row(
        "SELECT keychain_id FROM installation WHERE id = 1",
        [],
        |r| r.get(0),
    )?)
}

fn client_secret_account(keychain_id: &str) -> String {
    format!("entra-client-secret/{keychain_id}")
}

fn smtp_password_account(keychain_id: &str) -> String {
    format!("smtp-password/{keychain_id}")
}

fn webhook_account(keychain_id: &str) -> String {
    format!("chat-webhook/{keychain_id}")
}

fn backup_passphrase_account(keychain_id: &str) -> String {
    format!("backup-passphrase/{keychain_id}")
}

/// Every secret this data directory keeps in the keychain, named ("client secret", "SMTP
/// password", "backup passphrase"), for diagnostics and crash reports to leave out. One not stored is skipped.
/// Takes a plain connection: a crash report reads it without opening (migrating) the store.
pub(crate) fn stored(conn: &Connection) -> Result<Vec<(&'static str, String)>, SecretError> {
    let id = keychain_id(conn)?;
    let mut found = Vec::new();
    for (name, account) in [
        ("client secret", client_secret_account(&id)),
        ("SMTP password", smtp_password_account(&id)),
        ("backup passphrase", backup_passphrase_account(&id)),
        ("chat webhook address", webhook_account(&id)),
    ] {
        let entry = keyring::Entry::new(SERVICE, &account).map_err(map_error)?;
        match entry.get_password() {
            Ok(secret) => found.push((name, secret)),
            Err(keyring::Error::NoEntry) => {}
            Err(e) => return Err(map_error(e)),
        }
    }
    Ok(found)
}

impl Keychain {
    pub fn for_store(store: &Store) -> Result<Keychain, StoreError> {
        Ok(Keychain {
            account: client_secret_account(&keychain_id(store.conn())?),
        })
    }

    fn entry(&self) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(SERVICE, &self.account).map_err(map_error)
    }

    pub fn save(&self, secret: &ClientSecret) -> Result<(), SecretError> {
        self.entry()?
            .set_password(secret.expose())
            .map_err(map_error)
    }

    pub fn load(&self) -> Result<ClientSecret, SecretError> {
        self.entry()?
            .get_password()
            .map(ClientSecret)
            .map_err(map_error)
    }

    /// Removes the secret; a secret that is already gone is not an error.
    pub fn delete(&self) -> Result<(), SecretError> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        }
    }
}

/// This data directory's SMTP password entry in the keychain, beside the client secret's.
pub struct SmtpKeychain(Keychain);

impl SmtpKeychain {
    pub fn for_store(store: &Store) -> Result<SmtpKeychain, StoreError> {
        Ok(SmtpKeychain(Keychain {
            account: smtp_password_account(&keychain_id(store.conn())?),
        }))
    }

    pub fn save(&self, password: &SmtpPassword) -> Result<(), SecretError> {
        self.0
            .entry()?
            .set_password(password.expose())
            .map_err(map_error)
    }

    pub fn load(&self) -> Result<SmtpPassword, SecretError> {
        match self.0.entry()?.get_password() {
            Ok(p) => Ok(SmtpPassword(p)),
            Err(keyring::Error::NoEntry) => Err(SecretError::SmtpPasswordMissing),
            Err(e) => Err(map_error(e)),
        }
    }

    /// Removes the password; one that is already gone is not an error.
    pub fn delete(&self) -> Result<(), SecretError> {
        self.0.delete()
    }
}

/// This data directory's chat webhook entry in the keychain.
pub struct WebhookKeychain(Keychain);

impl WebhookKeychain {
    pub fn for_store(store: &Store) -> Result<WebhookKeychain, StoreError> {
        Ok(WebhookKeychain(Keychain {
            account: webhook_account(&keychain_id(store.conn())?),
        }))
    }

    pub fn save(&self, url: &WebhookUrl) -> Result<(), SecretError> {
        self.0
            .entry()?
            .set_password(url.expose())
            .map_err(map_error)
    }

    pub fn load(&self) -> Result<WebhookUrl, SecretError> {
        match self.0.entry()?.get_password() {
            Ok(url) => Ok(WebhookUrl(url)),
            Err(keyring::Error::NoEntry) => Err(SecretError::WebhookMissing),
            Err(e) => Err(map_error(e)),
        }
    }

    /// Removes the address; one that is already gone is not an error.
    pub fn delete(&self) -> Result<(), SecretError> {
        self.0.delete()
    }
}

/// This data directory's backup passphrase entry in the keychain. Takes a plain connection:
/// a restore reads the keychain id of a backup's database before any store is open.
pub struct BackupKeychain(Keychain);

impl BackupKeychain {
    pub fn for_store(store: &Store) -> Result<BackupKeychain, StoreError> {
        BackupKeychain::for_conn(store.conn())
    }

    pub(crate) fn for_conn(conn: &Connection) -> Result<BackupKeychain, StoreError> {
        Ok(BackupKeychain(Keychain {
            account: backup_passphrase_account(&keychain_id(conn)?),
        }))
    }

    pub fn save(&self, passphrase: &BackupPassphrase) -> Result<(), SecretError> {
        self.0
            .entry()?
            .set_password(passphrase.expose())
            .map_err(map_error)
    }

    /// The passphrase, or None when this keychain has none for this data directory.
    pub fn load(&self) -> Result<Option<BackupPassphrase>, SecretError> {
        match self.0.entry()?.get_password() {
            Ok(p) => Ok(Some(BackupPassphrase(p))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    /// Removes the passphrase; one that is already gone is not an error.
    pub fn delete(&self) -> Result<(), SecretError> {
        self.0.delete()
    }
}

impl Keychain {
    /// The client secret's entry for the database `conn` reads (a restored backup's, before
    /// it is in place).
    pub(crate) fn for_conn(conn: &Connection) -> Result<Keychain, StoreError> {
        Ok(Keychain {
            account: client_secret_account(&keychain_id(conn)?),
        })
    }

    /// Whether the secret is there, without handing it out. A locked or missing keychain
    /// is an error, not a "no".
    pub(crate) fn has_secret(&self) -> Result<bool, SecretError> {
        match self.entry()?.get_password() {
            Ok(_) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_error(e)),
        }
    }
}

fn map_error(e: keyring::Error) -> SecretError {
    match e {
        keyring::Error::NoEntry => SecretError::Missing,
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => {
            SecretError::Unavailable(e.to_string())
        }
        other => SecretError::Rejected(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_never_shows_in_debug() {
        let shown = format!("{:?}", ClientSecret::new("abc~SuperSecret123"));
        assert!(!shown.contains("SuperSecret"));
        let shown = format!("{:?}", SmtpPassword::new("Mail-Pa55word"));
        assert!(!shown.contains("Pa55"));
        let shown = format!("{:?}", BackupPassphrase::new("correct horse battery"));
        assert!(!shown.contains("horse"));
    }
}
