//! Backups (issue 14; R-B1…R-B5): copies of the whole organization (the database and the attached
//! documents) in a folder the owner chooses, optionally encrypted with a passphrase kept in
//! the keychain, and restoring one. Secrets (the Entra client secret, the SMTP password)
//! are never in a backup: they are not in the database.
//!
//! One concept per file: the archive's format (`archive`), making a copy (`create`), which
//! copies to keep (`retention`), reading one back (`restore`). This file holds the types,
//! the errors, the settings and the status the window shows.

mod archive;
mod create;
mod rebuild;
mod restore;
mod retention;
mod settings;

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::access::AccessError;
use crate::organization::OrganizationError;
use crate::secrets::{BackupKeychain, SecretError};
use crate::store::{Store, StoreError};

pub use create::create;
pub use restore::{inspect, restore, RestoreOutcome, Restorer};
pub use settings::{save_settings, set_passphrase};

/// Copies are named `UniAsset-backup-YYYY-MM-DDTHH-MM-SSZ.uabackup` (UTC), with `.age`
/// after it when encrypted; only files named so are ever listed or pruned.
const NAME_PREFIX: &str = "UniAsset-backup-";
const EXTENSION: &str = ".uabackup";
const ENCRYPTED_EXTENSION: &str = ".age";
const NAME_TIME: &str = "%Y-%m-%dT%H-%M-%SZ";
/// A copy being written is hidden and never listed: `.UniAsset-backup-….partial`.
const PARTIAL_PREFIX: &str = ".UniAsset-backup-";
const PARTIAL_SUFFIX: &str = ".partial";

/// The folder used when the owner has not chosen one: in Documents (or the home folder).
pub const DEFAULT_FOLDER_NAME: &str = "UniAsset Backups";
/// General and the tray warn when the last good backup is older than this.
pub const WARNING_DAYS: i64 = 3;
pub const KEEP_DAILY: RangeInclusive<u32> = 1..=60;
pub const KEEP_WEEKLY: RangeInclusive<u32> = 0..=52;
/// Shorter passphrases are refused: a lost or guessed one loses the backups either way.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// One backup file in a folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct BackupFile {
    pub path: String,
    pub file_name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
    pub encrypted: bool,
}

/// Settings → General → Backups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct BackupStatus {
    pub folder: String,
    /// The folder is the default one (none was chosen).
    pub default_folder: bool,
    /// A backup is made daily, after the nightly run (or at start when a day was missed).
    pub automatic: bool,
    pub keep_daily: u32,
    pub keep_weekly: u32,
    pub encrypted: bool,
    /// Backups are encrypted but this computer's keychain has no passphrase for them.
    pub passphrase_missing: bool,
    pub last_good: Option<BackupFile>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    /// Set when no good backup was made yet or the last is more than 3 days old.
    pub warning: Option<String>,
    /// More than 3 days without a good backup (counted from the organization's creation when
    /// there is none): the tray says so too.
    pub overdue: bool,
    /// The copies in the folder, newest first.
    pub copies: Vec<BackupFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct BackupSettingsInput {
    /// None or empty: the default folder.
    pub folder: Option<String>,
    pub automatic: bool,
    pub keep_daily: u32,
    pub keep_weekly: u32,
}

/// What a backup file holds, read before restoring it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct BackupInfo {
    pub file: BackupFile,
    pub organization: String,
    pub created_at: String,
    pub app_version: String,
    pub people: u32,
    pub assets: u32,
    pub documents: u32,
    pub schema_version: u32,
    /// Made by an older UniAsset: restoring upgrades it.
    pub older_schema: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{} is damaged and cannot be restored: {detail}. Nothing was changed; try another copy.", .file.display())]
    Damaged { file: PathBuf, detail: String },
    #[error("{} cannot be restored: its database was changed outside UniAsset ({detail}). Nothing was changed; try another copy.", .file.display())]
    Altered { file: PathBuf, detail: String },
    #[error("{} could not be restored: the restored database could not be prepared ({detail}). Nothing was changed.", .file.display())]
    Rebuild { file: PathBuf, detail: String },
    #[error("{} is not a UniAsset backup. Nothing was changed; choose a file named UniAsset-backup-….uabackup (or .uabackup.age).", .0.display())]
    NotABackup(PathBuf),
    #[error("{} is encrypted: enter the backup passphrase it was made with. Nothing was changed.", .0.display())]
    PassphraseNeeded(PathBuf),
    #[error("The passphrase does not open {}. Nothing was changed. An encrypted backup opens only with the passphrase it was made with; if that passphrase is lost, nobody can restore the backup, including UniAsset support.", .0.display())]
    WrongPassphrase(PathBuf),
    #[error("{} was made by a newer version of UniAsset ({app_version}). Update UniAsset, then restore it. Nothing was changed.", .file.display())]
    NewerVersion { file: PathBuf, app_version: String },
    #[error("Cannot read {}: {source}. Nothing was changed.", .file.display())]
    Unreadable {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("UniAsset cannot write backups to {}: {source}. Choose another folder in Settings → General → Backups.", .folder.display())]
    FolderUnwritable {
        folder: PathBuf,
        source: std::io::Error,
    },
    #[error("The backup folder must be a full path (such as /home/olivia/Backups or C:\\Backups), not \"{0}\".")]
    FolderNotAbsolute(String),
    #[error("This computer has no Documents or home folder for backups; choose a backup folder in Settings → General → Backups.")]
    NoDefaultFolder,
    #[error("Could not write the backup {}: {source}. Earlier backups are untouched.", .file.display())]
    Write {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("The copy of the database failed its integrity check ({0}), so no backup was made. Earlier backups are untouched; copy the diagnostics in Settings → General and contact support.")]
    CopyDamaged(String),
    #[error("The attached document {} no longer matches what was stored (the file on this computer is damaged or was changed), so a backup now would not restore. No new copy was made and the earlier ones are kept. Attach the document again from its source, then back up.", .0.display())]
    DocumentDamaged(PathBuf),
    #[error("Backups are set to be encrypted, but this computer's keychain has no backup passphrase. Set the passphrase again (or turn encryption off) in Settings → General → Backups; no backup was made.")]
    PassphraseMissing,
    #[error("A backup passphrase needs at least {MIN_PASSPHRASE_CHARS} characters. Keep it somewhere safe: if it is lost, encrypted backups cannot be restored by anyone, including UniAsset support.")]
    PassphraseTooShort,
    #[error("Keep between 1 and 60 daily copies (got {0}).")]
    InvalidKeepDaily(u32),
    #[error("Keep between 0 and 52 weekly copies (got {0}).")]
    InvalidKeepWeekly(u32),
    #[error("This data directory already holds the organization \"{0}\". Restoring replaces it (it is set aside, not deleted): restore as its Owner in Settings → General, or with `uniasset backup restore --force`.")]
    OrganizationExists(String),
    #[error("Could not put the restored organization in place: {source}. The current one was put back; nothing was changed.")]
    Swap { source: std::io::Error },
    #[error("UniAsset is using the current organization's data (a sync under way, or the app while the command line restores). Nothing was changed; wait for the sync to finish, or quit UniAsset, and restore again.")]
    InUse,
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Organization(#[from] OrganizationError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for BackupError {
    fn code(&self) -> &'static str {
        use BackupError::*;
        match self {
            Damaged { .. } => "backup_damaged",
            Altered { .. } => "backup_altered",
            Rebuild { .. } => "backup_restore_failed",
            NotABackup(_) => "backup_not_a_backup",
            PassphraseNeeded(_) => "backup_passphrase_needed",
            WrongPassphrase(_) => "backup_wrong_passphrase",
            NewerVersion { .. } => "backup_newer_version",
            Unreadable { .. } => "backup_unreadable",
            FolderUnwritable { .. } => "backup_folder_unwritable",
            FolderNotAbsolute(_) => "backup_folder_invalid",
            NoDefaultFolder => "backup_folder_unknown",
            Write { .. } => "backup_write_failed",
            CopyDamaged(_) => "backup_copy_damaged",
            DocumentDamaged(_) => "backup_document_damaged",
            PassphraseMissing => "backup_passphrase_missing",
            PassphraseTooShort => "backup_passphrase_too_short",
            InvalidKeepDaily(_) | InvalidKeepWeekly(_) => "invalid_backup_retention",
            OrganizationExists(_) => "backup_organization_exists",
            Swap { .. } => "backup_restore_failed",
            InUse => "backup_data_in_use",
            Access(e) => e.code(),
            Secret(e) => e.code(),
            Organization(e) => e.code(),
            Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for BackupError {
    fn from(e: rusqlite::Error) -> Self {
        BackupError::Store(e.into())
    }
}

/// The `backup_settings` row.
struct Settings {
    folder: Option<String>,
    automatic: bool,
    keep_daily: u32,
    keep_weekly: u32,
    encrypted: bool,
    last_good_at: Option<String>,
    last_good_file: Option<String>,
    last_good_size: Option<i64>,
    last_error: Option<String>,
    last_error_at: Option<String>,
}

fn settings_in(conn: &Connection) -> Result<Settings, StoreError> {
    Ok(conn.query_row(
        "SELECT folder, automatic, keep_daily, keep_weekly, encrypted, last_good_at, last_good_file,
                last_good_size, last_error, last_error_at
         FROM backup_settings WHERE id = 1",
        [],
        |r| {
            Ok(Settings {
                folder: r.get(0)?,
                automatic: r.get(1)?,
                keep_daily: r.get(2)?,
                keep_weekly: r.get(3)?,
                encrypted: r.get(4)?,
                last_good_at: r.get(5)?,
                last_good_file: r.get(6)?,
                last_good_size: r.get(7)?,
                last_error: r.get(8)?,
                last_error_at: r.get(9)?,
            })
        },
    )?)
}

/// `UniAsset Backups` in the Documents folder, or in the home folder without one.
pub fn default_folder() -> Option<PathBuf> {
    dirs::document_dir()
        .or_else(dirs::home_dir)
        .map(|d| d.join(DEFAULT_FOLDER_NAME))
}

fn folder_of(settings: &Settings) -> Result<PathBuf, BackupError> {
    match &settings.folder {
        Some(folder) => Ok(PathBuf::from(folder)),
        None => default_folder().ok_or(BackupError::NoDefaultFolder),
    }
}

/// The backup folder, the copies in it and how the last backup went.
pub fn status(store: &Store) -> Result<BackupStatus, BackupError> {
    let s = settings_in(store.conn())?;
    let folder = folder_of(&s)?;
    let passphrase_missing =
        s.encrypted && !matches!(BackupKeychain::for_store(store)?.load(), Ok(Some(_)));
    let last_good = match (&s.last_good_file, &s.last_good_at) {
        (Some(path), Some(at)) => Some(BackupFile {
            file_name: Path::new(path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: path.clone(),
            created_at: at.clone(),
            size_bytes: s.last_good_size.unwrap_or(0).max(0) as u64,
            encrypted: path.ends_with(ENCRYPTED_EXTENSION),
        }),
        _ => None,
    };
    let now = crate::clock::now();
    let warning = warning(s.last_good_at.as_deref(), now);
    let overdue = (now - since_last_good(store, &s)?).num_hours() > WARNING_DAYS * 24;
    Ok(BackupStatus {
        folder: folder.to_string_lossy().into_owned(),
        default_folder: s.folder.is_none(),
        automatic: s.automatic,
        keep_daily: s.keep_daily,
        keep_weekly: s.keep_weekly,
        encrypted: s.encrypted,
        passphrase_missing,
        last_good,
        last_error: s.last_error,
        last_error_at: s.last_error_at,
        warning,
        overdue,
        // A folder that cannot be read must not hide the rest (and the warning): the next
        // backup fails there and says why in `last_error`.
        copies: copies_in(&folder).unwrap_or_default(),
    })
}

fn warning(last_good_at: Option<&str>, now: DateTime<Utc>) -> Option<String> {
    let Some(last) = last_good_at.and_then(crate::timestamp::parse) else {
        return Some(
            "No backup has been made yet. Back up now, and check that the copy lands where you expect it.".to_owned(),
        );
    };
    ((now - last).num_hours() > WARNING_DAYS * 24).then(|| {
        format!(
            "The last good backup is from {}, more than {WARNING_DAYS} days ago. Back up now, and check the backup folder.",
            last.format("%Y-%m-%d")
        )
    })
}

/// Whether the daily automatic backup is due (R-B3): automatic backups are on and a nightly window
/// (03:00 UTC) has begun since the last good backup, or since the organization was created
/// when there is none. So it comes after the nightly run, or at start when a day was missed.
/// After a failure it waits an hour before trying again, rather than at every tick.
pub fn due(store: &Store, now: DateTime<Utc>) -> Result<bool, BackupError> {
    let s = settings_in(store.conn())?;
    let failed_lately = s
        .last_error_at
        .as_deref()
        .and_then(crate::timestamp::parse)
        .is_some_and(|at| now - at < chrono::Duration::hours(1));
    Ok(s.automatic
        && !failed_lately
        && since_last_good(store, &s)? < crate::schedule::latest_window(now))
}

/// When the last good backup was made, or the organization created if none was.
fn since_last_good(store: &Store, s: &Settings) -> Result<DateTime<Utc>, BackupError> {
    if let Some(at) = s.last_good_at.as_deref().and_then(crate::timestamp::parse) {
        return Ok(at);
    }
    let created: String = store
        .conn()
        .query_row(
            "SELECT created_at FROM organization WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .map_err(StoreError::from)?;
    Ok(crate::timestamp::parse(&created).unwrap_or_else(crate::clock::now))
}

/// The copies in the backup folder, newest first.
pub fn list(store: &Store) -> Result<Vec<BackupFile>, BackupError> {
    copies_in(&folder_of(&settings_in(store.conn())?)?)
}

/// The backup files in `folder` (named as UniAsset names them, never a partial copy),
/// newest first. A folder that does not exist yet holds none.
fn copies_in(folder: &Path) -> Result<Vec<BackupFile>, BackupError> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(BackupError::FolderUnwritable {
                folder: folder.to_owned(),
                source,
            })
        }
    };
    let mut copies: Vec<((DateTime<Utc>, u32), BackupFile)> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(parsed) = parse_name(&name) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        copies.push((
            (parsed.created_at, parsed.number),
            BackupFile {
                path: entry.path().to_string_lossy().into_owned(),
                file_name: name,
                created_at: crate::timestamp::at(parsed.created_at),
                size_bytes: meta.len(),
                encrypted: parsed.encrypted,
            },
        ));
    }
    // Newest first; copies of the same second by their number (-10 after -9).
    copies.sort_by_key(|c| std::cmp::Reverse(c.0));
    Ok(copies.into_iter().map(|(_, f)| f).collect())
}

struct ParsedName {
    created_at: DateTime<Utc>,
    /// 1 for the first copy of its second, then 2, 3…
    number: u32,
    encrypted: bool,
}

/// `UniAsset-backup-2026-11-27T03-10-00Z.uabackup[.age]`, or with `-2`, `-3`… after the
/// time for a second copy in the same second.
fn parse_name(name: &str) -> Option<ParsedName> {
    let rest = name.strip_prefix(NAME_PREFIX)?;
    let (rest, encrypted) = match rest.strip_suffix(ENCRYPTED_EXTENSION) {
        Some(rest) => (rest, true),
        None => (rest, false),
    };
    let rest = rest.strip_suffix(EXTENSION)?;
    let (time, number) = rest.split_at_checked(20)?;
    let number = match number.strip_prefix('-') {
        None if number.is_empty() => 1,
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok()?,
        _ => return None,
    };
    let created_at = NaiveDateTime::parse_from_str(time, NAME_TIME)
        .ok()?
        .and_utc();
    Some(ParsedName {
        created_at,
        number,
        encrypted,
    })
}

fn file_name(created_at: DateTime<Utc>, number: u32, encrypted: bool) -> String {
    let number = if number > 1 {
        format!("-{number}")
    } else {
        String::new()
    };
    let age = if encrypted { ENCRYPTED_EXTENSION } else { "" };
    format!(
        "{NAME_PREFIX}{}{number}{EXTENSION}{age}",
        created_at.format(NAME_TIME)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn names_carry_the_time_and_whether_encrypted() {
        let t = Utc.with_ymd_and_hms(2026, 11, 27, 3, 10, 5).unwrap();
        let name = file_name(t, 1, false);
        assert_eq!(name, "UniAsset-backup-2026-11-27T03-10-05Z.uabackup");
        let parsed = parse_name(&name).unwrap();
        assert_eq!((parsed.created_at, parsed.encrypted), (t, false));
        let second = file_name(t, 2, true);
        assert_eq!(
            second,
            "UniAsset-backup-2026-11-27T03-10-05Z-2.uabackup.age"
        );
        assert!(parse_name(&second).unwrap().encrypted);
        for other in [
            ".UniAsset-backup-2026-11-27T03-10-05Z.uabackup.partial",
            "UniAsset-backup-2026-11-27T03-10-05Z.uabackup.partial",
            "UniAsset-backup-2026-11-27T03-10-05Z-.uabackup",
            "UniAsset-backup-2026-11-27T03-10-05Zx.uabackup",
            "UniAsset-backup-2026-13-27T03-10-05Z.uabackup",
            "notes.txt",
        ] {
            assert!(parse_name(other).is_none(), "{other}");
        }
    }

    #[test]
    fn the_warning_comes_after_three_days_or_without_any_backup() {
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
        assert!(warning(None, now).unwrap().contains("No backup"));
        let at = |h: i64| crate::timestamp::at(now - chrono::Duration::hours(h));
        assert_eq!(warning(Some(&at(72)), now), None);
        assert!(warning(Some(&at(73)), now)
            .unwrap()
            .contains("from 2026-11-24, more than 3 days ago"));
    }
}
