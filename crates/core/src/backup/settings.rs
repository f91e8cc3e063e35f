//! Changing the backup settings (Settings → General → Backups): the folder, daily copies,
//! how many to keep, and the passphrase that encrypts them.

use std::path::{Path, PathBuf};

use super::{
    default_folder, settings_in, status, BackupError, BackupSettingsInput, BackupStatus,
    KEEP_DAILY, KEEP_WEEKLY, MIN_PASSPHRASE_CHARS, PARTIAL_PREFIX, PARTIAL_SUFFIX,
};
use crate::access::Actor;
use crate::audit;
use crate::secrets::{BackupKeychain, BackupPassphrase};
use crate::store::{Store, StoreError};

/// Settings → General → Backups: where, whether daily, how many copies to keep.
pub fn save_settings(
    store: &mut Store,
    by: &Actor,
    input: &BackupSettingsInput,
) -> Result<BackupStatus, BackupError> {
    crate::access::check_backups(by)?;
    if !KEEP_DAILY.contains(&input.keep_daily) {
        return Err(BackupError::InvalidKeepDaily(input.keep_daily));
    }
    if !KEEP_WEEKLY.contains(&input.keep_weekly) {
        return Err(BackupError::InvalidKeepWeekly(input.keep_weekly));
    }
    let folder = input
        .folder
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty());
    if let Some(f) = folder {
        if !Path::new(f).is_absolute() {
            return Err(BackupError::FolderNotAbsolute(f.to_owned()));
        }
    }
    let current = settings_in(store.conn())?;
    if folder != current.folder.as_deref() {
        let path = match folder {
            Some(f) => PathBuf::from(f),
            None => default_folder().ok_or(BackupError::NoDefaultFolder)?,
        };
        check_writable(&path)?;
    }
    let tx = store.write()?;
    let changed = tx.execute(
        "UPDATE backup_settings SET folder = ?1, automatic = ?2, keep_daily = ?3, keep_weekly = ?4
         WHERE folder IS NOT ?1 OR automatic <> ?2 OR keep_daily <> ?3 OR keep_weekly <> ?4",
        rusqlite::params![folder, input.automatic, input.keep_daily, input.keep_weekly],
    )?;
    if changed > 0 {
        let detail = format!(
            "Folder {}; automatic daily backups {}; keep {} daily and {} weekly copies",
            folder.unwrap_or("(the default)"),
            if input.automatic { "on" } else { "off" },
            input.keep_daily,
            input.keep_weekly
        );
        audit::record(
            &tx,
            by,
            audit::Entry::organization("backup.settings_changed").detail(detail),
        )?;
    }
    tx.commit().map_err(StoreError::from)?;
    status(store)
}

/// Creates the folder if needed and proves a file can be written in it.
fn check_writable(folder: &Path) -> Result<(), BackupError> {
    let unwritable = |source| BackupError::FolderUnwritable {
        folder: folder.to_owned(),
        source,
    };
    crate::data_dir::create_private_dir(folder).map_err(unwritable)?;
    let probe = folder.join(format!("{PARTIAL_PREFIX}write-test{PARTIAL_SUFFIX}"));
    crate::data_dir::open_private_file(&probe, true).map_err(unwritable)?;
    std::fs::remove_file(&probe).map_err(unwritable)
}

/// Turns encryption on with `passphrase` (kept in the keychain alone), changes it, or with
/// None turns it off. Copies already made keep the passphrase they were made with.
pub fn set_passphrase(
    store: &mut Store,
    by: &Actor,
    passphrase: Option<&BackupPassphrase>,
) -> Result<BackupStatus, BackupError> {
    crate::access::check_backup_keys(by)?;
    let keychain = BackupKeychain::for_store(store)?;
    let was_encrypted = settings_in(store.conn())?.encrypted;
    match passphrase {
        Some(p) => {
            if p.expose().chars().count() < MIN_PASSPHRASE_CHARS {
                return Err(BackupError::PassphraseTooShort);
            }
            keychain.save(p)?;
            let tx = store.write()?;
            tx.execute("UPDATE backup_settings SET encrypted = 1", [])?;
            let (action, detail) = if was_encrypted {
                ("backup.passphrase_changed", "Backups from now on are encrypted with the new passphrase; earlier ones keep the passphrase they were made with")
            } else {
                (
                    "backup.encryption_on",
                    "Backups from now on are encrypted with a passphrase",
                )
            };
            audit::record(&tx, by, audit::Entry::organization(action).detail(detail))?;
            tx.commit().map_err(StoreError::from)?;
        }
        None => {
            let tx = store.write()?;
            tx.execute("UPDATE backup_settings SET encrypted = 0", [])?;
            if was_encrypted {
                audit::record(
                    &tx,
                    by,
                    audit::Entry::organization("backup.encryption_off").detail(
                        "Backups from now on are not encrypted; earlier ones keep their passphrase",
                    ),
                )?;
            }
            tx.commit().map_err(StoreError::from)?;
            keychain.delete()?;
        }
    }
    status(store)
}
