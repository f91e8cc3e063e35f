//! Reading a backup back (R-B5): `inspect` says what a file holds (checking every byte against
//! its checksum), and `restore` puts it in place of the organization in a data directory.
//! Everything that can fail happens in a staging folder first (unpack, verify, upgrade the
//! schema, note a client secret this keychain lacks); only then is the current database
//! set aside, never deleted, and the restored one moved in.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::archive::{self, Contents};
use super::create::Scratch;
use super::rebuild::rebuild;
use super::{BackupError, BackupFile, BackupInfo};
use crate::access::AccessError;
use crate::audit;
use crate::data_dir::{self, DATABASE_FILE, DOCUMENTS_DIR};
use crate::secrets::{BackupPassphrase, Keychain};
use crate::store::{self, DataDirLock, StoreError, Swap};
use crate::timestamp;

/// Where a backup is unpacked and checked, inside the data directory (the same disk, so
/// moving it in is a rename); emptied by the next restore if a crash left it behind.
const STAGING_DIR: &str = "restore-staging";
/// The backup's own database, in the staging folder: only read, never moved in.
const UNPACKED_FILE: &str = "unpacked.db";

/// Who restores, which decides whether an organization already there may be replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restorer {
    /// The first-run screen: only into a data directory that holds no organization.
    FirstRun,
    /// A signed-in person, who must be an active Owner of the organization there now.
    Owner { user_id: i64 },
    /// The `uniasset` command line; an organization already there is replaced only with
    /// `force` (`--force`).
    CommandLine { force: bool },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct RestoreOutcome {
    /// The restored organization's name.
    pub organization: String,
    pub people: u32,
    pub assets: u32,
    /// The folder the replaced database and documents were moved to; empty when the data
    /// directory held none.
    pub set_aside: String,
    /// The restored organization is connected to Microsoft Entra ID, but this computer's
    /// keychain has no client secret for it: the Entra page asks for it, and automatic
    /// runs are off until then.
    pub entra_secret_needed: bool,
}

/// What the backup `file` holds, after reading it through and checking every checksum.
/// Needs no store: the window asks before anything is replaced.
pub fn inspect(
    file: &Path,
    passphrase: Option<&BackupPassphrase>,
) -> Result<BackupInfo, BackupError> {
    let contents = archive::read(file, passphrase, None)?;
    Ok(info(file, contents))
}

fn info(file: &Path, contents: Contents) -> BackupInfo {
    let m = contents.manifest;
    BackupInfo {
        file: BackupFile {
            path: file.to_string_lossy().into_owned(),
            file_name: file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            created_at: m.created_at.clone(),
            size_bytes: std::fs::metadata(file).map(|m| m.len()).unwrap_or(0),
            encrypted: contents.encrypted,
        },
        organization: m.organization,
        created_at: m.created_at,
        app_version: m.app_version,
        people: m.people,
        assets: m.assets,
        documents: m.documents,
        schema_version: m.schema_version,
        older_schema: (m.schema_version as usize) < store::MIGRATIONS.len(),
    }
}

/// Restores the backup `file` into `data_dir`, which no store may have open (the app
/// closes its connections first). A file that is damaged, foreign, encrypted without
/// the right passphrase, or from a newer UniAsset changes nothing.
pub fn restore(
    data_dir: &Path,
    file: &Path,
    passphrase: Option<&BackupPassphrase>,
    by: Restorer,
) -> Result<RestoreOutcome, BackupError> {
    let unusable = |source| StoreError::DataDirectory {
        path: data_dir.to_owned(),
        source,
    };
    // A swap a crash interrupted is finished first: the organization there is then whole.
    store::finish_interrupted(data_dir).map_err(StoreError::from)?;
    let restorer = authorize(data_dir, &by)?;
    // Read through once before touching the data directory at all: a bad file is refused
    // leaving not even a lock file or a staging folder behind.
    archive::read(file, passphrase, None)?;
    data_dir::create_private_dir(data_dir).map_err(unusable)?;
    let _lock = DataDirLock::acquire(data_dir).map_err(unusable)?;
    let staging = Scratch::fresh(data_dir.join(STAGING_DIR)).map_err(unusable)?;
    let contents = archive::read(file, passphrase, Some(&staging.0))?;
    let prepared = prepare(file, &staging.0, &contents, &restorer)?;
    let had_organization = quiesce_current(data_dir)?;
    if !had_organization {
        remove_empty_start(data_dir);
    }
    let set_aside = swap(data_dir)?;
    Ok(RestoreOutcome {
        organization: prepared.organization,
        people: prepared.people,
        assets: prepared.assets,
        set_aside: set_aside
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default(),
        entra_secret_needed: prepared.secret_needed,
    })
}

/// Whether `by` may restore here; how the audit trail names them.
fn authorize(data_dir: &Path, by: &Restorer) -> Result<String, BackupError> {
    match by {
        // The way back from a database that no longer opens: nothing is read first.
        Restorer::CommandLine { force: true } => Ok("command line".to_owned()),
        Restorer::CommandLine { force: false } => match current_organization(data_dir)? {
            Some(name) => Err(BackupError::OrganizationExists(name)),
            None => Ok("command line".to_owned()),
        },
        Restorer::FirstRun => match current_organization(data_dir)? {
            Some(name) => Err(BackupError::OrganizationExists(name)),
            None => Ok("first-run setup".to_owned()),
        },
        Restorer::Owner { user_id } => {
            let conn =
                open_current(data_dir)?.ok_or(AccessError::NeedsOwner("restore a backup"))?;
            let owner: Option<(String, String)> = conn
                .query_row(
                    "SELECT display_name, email FROM users
                     WHERE id = ?1 AND role = 'owner' AND status = 'active'",
                    [user_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (name, email) = owner.ok_or(AccessError::NeedsOwner("restore a backup"))?;
            Ok(format!("{name} <{email}>"))
        }
    }
}

fn open_current(data_dir: &Path) -> Result<Option<Connection>, BackupError> {
    let path = data_dir.join(DATABASE_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    // Read-write (creating nothing): a read-only connection to a WAL database may leave
    // -wal and -shm files behind, and reading must change nothing.
    let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(Some(conn))
}

/// The organization the data directory holds now, if any (an empty database made by a
/// first start holds none).
fn current_organization(data_dir: &Path) -> Result<Option<String>, BackupError> {
    let Some(conn) = open_current(data_dir)? else {
        return Ok(None);
    };
    let has_table: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'organization'",
        [],
        |r| r.get(0),
    )?;
    if !has_table {
        return Ok(None);
    }
    Ok(conn
        .query_row("SELECT name FROM organization WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?)
}

struct Prepared {
    organization: String,
    people: u32,
    assets: u32,
    secret_needed: bool,
}

/// Rebuilds the unpacked database (see `rebuild`), checks it against its manifest,
/// upgrades its schema, and records the restore in it; all before anything is replaced.
fn prepare(
    file: &Path,
    staging: &Path,
    contents: &Contents,
    restorer: &str,
) -> Result<Prepared, BackupError> {
    let damaged = |detail: &str| BackupError::Damaged {
        file: file.to_owned(),
        detail: detail.to_owned(),
    };
    let m = &contents.manifest;
    let path = staging.join(DATABASE_FILE);
    let unpacked = staging.join(UNPACKED_FILE);
    std::fs::rename(&path, &unpacked).map_err(|source| BackupError::Unreadable {
        file: file.to_owned(),
        source,
    })?;
    rebuild(file, &unpacked, &path, m.schema_version as usize)?;
    let failed = |detail: String| BackupError::Rebuild {
        file: file.to_owned(),
        detail,
    };
    let mut conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(|e| failed(StoreError::from(e).to_string()))?;
    let described = (|| -> rusqlite::Result<(String, u32, u32)> {
        Ok((
            conn.query_row("SELECT name FROM organization WHERE id = 1", [], |r| {
                r.get(0)
            })?,
            conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?,
            conn.query_row("SELECT count(*) FROM assets", [], |r| r.get(0))?,
        ))
    })();
    let found = described.map_err(|_| damaged("its database holds no organization"))?;
    if found != (m.organization.clone(), m.people, m.assets) {
        return Err(damaged("its database does not match its manifest"));
    }
    let from_schema = m.schema_version as usize;
    store::migrate(&mut conn, &path, staging, &store::MIGRATIONS)
        .map_err(|e| failed(e.to_string()))?;
    // The trail must end where it ended when the backup was made (R-X5).
    if let Some(recorded) = &m.audit_head {
        let head = audit::head_in(&conn).map_err(|e| failed(e.to_string()))?;
        if head.map(|h| h.head).as_ref() != Some(recorded) {
            return Err(BackupError::Altered {
                file: file.to_owned(),
                detail:
                    "its audit trail does not end with the hash recorded when the backup was made"
                        .to_owned(),
            });
        }
    }

    // Secrets are never in a backup: a connection whose secret this keychain lacks (another
    // computer) waits for it, and automatic runs stay off until it is given.
    let connected: bool = conn.query_row("SELECT count(*) > 0 FROM entra_connection", [], |r| {
        r.get(0)
    })?;
    let secret_needed = connected
        && !matches!(
            Keychain::for_conn(&conn).map(|k| k.has_secret()),
            Ok(Ok(true))
        );

    let tx = conn.transaction()?;
    let mut detail = format!(
        "Restored from {} (made {} by UniAsset {})",
        file.display(),
        m.created_at,
        m.app_version
    );
    if from_schema < store::MIGRATIONS.len() {
        detail.push_str(&format!(
            "; upgraded from schema {from_schema} to {}",
            store::MIGRATIONS.len()
        ));
    }
    if secret_needed {
        tx.execute("UPDATE entra_connection SET secret_needed = 1", [])?;
        let was_on = tx.execute(
            "UPDATE deprovision_settings SET auto_deprovision = 0 WHERE auto_deprovision = 1",
            [],
        )? > 0;
        detail.push_str("; the Entra client secret is not in backups nor in this computer's keychain, so it is needed again");
        if was_on {
            detail.push_str(" and auto-deprovision was turned off until then");
        }
    }
    // Sessions belong to the computer they were opened on: everyone signs in again.
    tx.execute(
        "UPDATE sessions SET ended_at = ?1 WHERE ended_at IS NULL",
        [timestamp::now()],
    )?;
    audit::record_labelled(
        &tx,
        restorer,
        audit::Entry::organization("backup.restored").detail(detail),
    )?;
    tx.commit()?;
    conn.close().map_err(|(_, e)| BackupError::from(e))?;
    Ok(Prepared {
        organization: m.organization.clone(),
        people: m.people,
        assets: m.assets,
        secret_needed,
    })
}

/// What UniAsset keeps in a data directory that a restore replaces.
const REPLACED: [&str; 5] = [
    DATABASE_FILE,
    "uniasset.db-wal",
    "uniasset.db-shm",
    "uniasset.db-journal",
    DOCUMENTS_DIR,
];

/// Makes sure nobody else has the current database open, and that it is whole in its one
/// file: switching it out of WAL mode fails while another connection (a sync under way, the
/// app while the command line restores) uses it, and checkpoints it otherwise. Whether it
/// holds an organization.
fn quiesce_current(data_dir: &Path) -> Result<bool, BackupError> {
    let Some(conn) = open_current(data_dir)? else {
        return Ok(false);
    };
    conn.busy_timeout(std::time::Duration::from_secs(2))?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(|_| BackupError::InUse)?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(BackupError::InUse);
    }
    let organizations: i64 = conn
        .query_row("SELECT count(*) FROM organization", [], |r| r.get(0))
        .unwrap_or(0);
    Ok(organizations > 0)
}

/// The empty database a first start made (and an empty documents folder) is not an
/// organization to set aside: it goes.
fn remove_empty_start(data_dir: &Path) {
    for name in REPLACED.into_iter().filter(|n| *n != DOCUMENTS_DIR) {
        let _ = std::fs::remove_file(data_dir.join(name));
    }
    let _ = std::fs::remove_dir(data_dir.join(DOCUMENTS_DIR));
}

/// Moves the current database (with its journals) and documents into `replaced-<time>/`,
/// then the staged ones in, as one journaled swap: a failing rename puts everything back
/// as it was, and a crash is finished by whoever opens the data directory next.
fn swap(data_dir: &Path) -> Result<Option<PathBuf>, BackupError> {
    let present: Vec<&str> = REPLACED
        .into_iter()
        .filter(|name| data_dir.join(name).symlink_metadata().is_ok())
        .collect();
    let set_aside = if present.is_empty() {
        None
    } else {
        let stamp = crate::clock::now().format("%Y-%m-%dT%H-%M-%SZ");
        let name = (1..)
            .map(|n| match n {
                1 => format!("replaced-{stamp}"),
                n => format!("replaced-{stamp}-{n}"),
            })
            .find(|d| !data_dir.join(d).exists())
            .expect("some number is free");
        data_dir::create_private_dir(&data_dir.join(&name))
            .map_err(|source| BackupError::Swap { source })?;
        Some(PathBuf::from(name))
    };
    let mut plan = Swap::new();
    if let Some(dir) = &set_aside {
        for name in &present {
            plan = plan.rename(name, dir.join(name));
        }
    }
    let staging = Path::new(STAGING_DIR);
    for name in [DATABASE_FILE, DOCUMENTS_DIR] {
        if data_dir.join(staging).join(name).exists() {
            plan = plan.rename(staging.join(name), name);
        }
    }
    if let Err(source) = plan.then_remove(STAGING_DIR).apply(data_dir) {
        if let Some(dir) = &set_aside {
            let _ = std::fs::remove_dir(data_dir.join(dir));
        }
        return Err(BackupError::Swap { source });
    }
    Ok(set_aside.map(|dir| data_dir.join(dir)))
}
