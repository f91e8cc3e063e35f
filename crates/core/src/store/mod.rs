//! The SQLite store: one database file in the data directory, opened with WAL and
//! foreign keys, migrated to the current schema (with a backup first) on open.

pub(crate) mod audit_hash;
mod error;
mod migrations;
mod swap;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction};

pub use error::StoreError;
pub use migrations::{migrate, BACKUP_DIR, MIGRATIONS};
pub use swap::{finish_interrupted, DataDirLock, InterruptedRestore, Swap};

use crate::data_dir::{self, Tightened};

/// The database's file name inside the data directory.
pub use crate::data_dir::DATABASE_FILE;

/// An open UniAsset database and the data directory it lives in.
pub struct Store {
    conn: Connection,
    data_dir: PathBuf,
    tightened: Vec<Tightened>,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    /// The directory and the files UniAsset keeps in it are made its owner's alone.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        let unusable = |source| StoreError::DataDirectory {
            path: data_dir.to_owned(),
            source,
        };
        data_dir::create_private_dir(data_dir).map_err(unusable)?;
        finish_interrupted(data_dir)?;
        let tightened = data_dir::make_private(data_dir);
        // SQLite gives the -wal and -shm files the database file's permissions, so a
        // database file created private before SQLite sees it keeps its journals private.
        // Only a new one: closing a handle on a file drops every POSIX lock this process
        // holds on it, SQLite's for connections already open included, and another process
        // could then take the database for its own and remove the WAL under them.
        let database = data_dir.join(DATABASE_FILE);
        if !database.exists() {
            data_dir::open_private_file(&database, false).map_err(unusable)?;
        }
        Store::connect(data_dir, tightened)
    }

    /// Opens the database of an organization that already exists in `data_dir`, creating
    /// nothing: a mistyped directory is reported, not filled with an empty database.
    pub fn open_existing(data_dir: &Path) -> Result<Store, StoreError> {
        finish_interrupted(data_dir)?;
        if !data_dir.join(DATABASE_FILE).is_file() {
            return Err(StoreError::NoDatabase(data_dir.to_owned()));
        }
        let tightened = data_dir::make_private(data_dir);
        Store::connect(data_dir, tightened)
    }

    fn connect(data_dir: &Path, tightened: Vec<Tightened>) -> Result<Store, StoreError> {
        let path = data_dir.join(DATABASE_FILE);
        // No SQLITE_OPEN_CREATE: `open` has made the file, and `open_existing` must not.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(&path, flags)?;
        let corrupt = || StoreError::Corrupt {
            path: path.clone(),
            backups: data_dir.join(BACKUP_DIR),
        };
        // A file that is not a database at all fails its first read; checking every page
        // (`check`) is left to where it matters, as it costs a read of the whole file.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| match StoreError::from(e) {
            StoreError::Busy => StoreError::Busy,
            _ => corrupt(),
        })?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;",
        )?;
        // Several processes (app, tray scheduler, CLI) share the file: wait rather than fail.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        migrate(&mut conn, &path, data_dir, &migrations::MIGRATIONS).map_err(|e| match e {
            // SQLITE_ERROR: a table or column the migration expected differently. Not a
            // full disk or a busy file, which say so themselves.
            StoreError::Sqlite(e) if schema_mismatch(&e) => StoreError::UpgradeRefused {
                path: path.clone(),
                version: schema_version(&conn),
                backups: data_dir.join(BACKUP_DIR),
            },
            other => other,
        })?;
        Ok(Store {
            conn,
            data_dir: data_dir.to_owned(),
            tightened,
        })
    }

    /// Another connection to this database, already checked and migrated by this one: for
    /// work that waits on Microsoft while this connection goes on serving the window.
    pub fn another(&self) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(self.path(), flags)?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(Store {
            conn,
            data_dir: self.data_dir.clone(),
            tightened: Vec::new(),
        })
    }

    /// Reads every page of the file (SQLite's quick check): a damaged file is found here, by
    /// the app as it starts and by diagnostics, rather than half-way through a later write.
    /// Opening does not, as it would cost every command a read of the whole file.
    pub fn check(&self) -> Result<(), StoreError> {
        let corrupt = || StoreError::Corrupt {
            path: self.path(),
            backups: self.data_dir.join(BACKUP_DIR),
        };
        let verdict: String = self
            .conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(|e| match StoreError::from(e) {
                StoreError::Busy => StoreError::Busy,
                _ => corrupt(),
            })?;
        if verdict == "ok" {
            Ok(())
        } else {
            Err(corrupt())
        }
    }

    /// What opening took away from other accounts (or failed to), for the caller to log.
    pub fn tightened(&self) -> &[Tightened] {
        &self.tightened
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn path(&self) -> PathBuf {
        self.data_dir.join(DATABASE_FILE)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Starts a write transaction that takes the write lock at once, so two processes never
    /// both read-then-write on a stale view.
    pub(crate) fn write(&mut self) -> Result<Transaction<'_>, StoreError> {
        Ok(self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
    }
}

/// SQLITE_ERROR, whether SQLite raised it running a statement or preparing one (a table
/// that already exists is refused at preparation).
fn schema_mismatch(e: &rusqlite::Error) -> bool {
    match e {
        rusqlite::Error::SqlInputError { error, .. } => error.code == ErrorCode::Unknown,
        e => e.sqlite_error_code() == Some(ErrorCode::Unknown),
    }
}

fn schema_version(conn: &Connection) -> usize {
    conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map_or(0, |v| v as usize)
}
