//! What can go wrong with the store, in words for the administrator.

use std::path::PathBuf;

use rusqlite::ErrorCode;

use super::swap::InterruptedRestore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("Cannot use the data directory {path}: {source}")]
    DataDirectory {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "No organization is set up in {}: it holds no UniAsset database. \
         Check the data directory (--data-dir or UNIASSET_DATA_DIR), or create an organization with `uniasset org init`.",
        .0.display()
    )]
    NoDatabase(PathBuf),
    #[error(
        "The database file {path} is damaged or is not a UniAsset database. \
         Nothing was changed; restore it from a backup in {backups} or move it aside."
    )]
    Corrupt { path: PathBuf, backups: PathBuf },
    #[error("The database file {path} was written by a newer version of UniAsset (schema {found}, this version knows {known}). Update UniAsset.")]
    NewerSchema {
        path: PathBuf,
        found: usize,
        known: usize,
    },
    #[error("Could not back up the database before upgrading it: {0}")]
    Backup(String),
    #[error("Could not upgrade the database: {0}")]
    Migration(String),
    #[error(
        "The database file {path} could not be upgraded to this version of UniAsset: its tables \
         are not as UniAsset left them (schema {version}). Nothing was changed; restore it from \
         a backup in {backups} or move it aside."
    )]
    UpgradeRefused {
        path: PathBuf,
        version: usize,
        backups: PathBuf,
    },
    #[error(transparent)]
    InterruptedRestore(#[from] InterruptedRestore),
    #[error("The database is busy in another UniAsset process; try again in a moment.")]
    Busy,
    /// Damage found while using the file (opening only reads its first pages).
    #[error("The database file is damaged ({}). Nothing more was changed; restore it from a backup (Settings → General → Backups, or `uniasset backup restore`) or move it aside.", plain(.0))]
    Damaged(rusqlite::Error),
    #[error("Database error: {}", plain(.0))]
    Sqlite(rusqlite::Error),
}

/// SQLite's own words, without the statement it was running: the administrator reads the
/// message, and migration SQL in it helps nobody.
fn plain(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        other => other.to_string(),
    }
}

impl crate::ErrorCode for StoreError {
    fn code(&self) -> &'static str {
        use StoreError::*;
        match self {
            DataDirectory { .. } => "data_directory",
            NoDatabase(_) => "organization_missing",
            Corrupt { .. } | Damaged(_) => "database_corrupt",
            NewerSchema { .. } => "database_newer",
            Backup(_) => "database_backup_failed",
            Migration(_) | UpgradeRefused { .. } => "database_migration_failed",
            InterruptedRestore(_) => "restore_interrupted",
            Busy => "database_busy",
            Sqlite(_) => "database_error",
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Damaged(e),
            _ => StoreError::Sqlite(e),
        }
    }
}
