//! Making a copy (R-B2): SQLite's online backup API copies the database while the app goes on
//! using it, the copy is checked, and the archive is written under a hidden temporary
//! name, synced, then renamed, so a crash never leaves a half file that looks like a
//! backup. Older copies are pruned only once the new one is complete.

use std::path::{Path, PathBuf};

use chrono::Timelike;
use rusqlite::{Connection, OpenFlags};

use super::archive::{self, Manifest};
use super::{
    copies_in, file_name, folder_of, retention, settings_in, BackupError, BackupFile, Settings,
    NAME_PREFIX, PARTIAL_PREFIX, PARTIAL_SUFFIX,
};
use crate::access::Actor;
use crate::audit;
use crate::data_dir::{self, DATABASE_FILE, DOCUMENTS_DIR};
use crate::organization;
use crate::secrets::BackupKeychain;
use crate::store::{DataDirLock, Store, StoreError};
use crate::timestamp;

/// Where the database copy is made and checked before it goes into the archive; emptied
/// by the next backup if a crash left it behind.
const WORK_DIR: &str = "backup-work";

/// A folder removed when dropped, whatever happened inside it.
pub(super) struct Scratch(pub PathBuf);

impl Scratch {
    /// Empties what an interrupted run left at `path`, and makes it anew.
    pub(super) fn fresh(path: PathBuf) -> std::io::Result<Scratch> {
        match std::fs::remove_dir_all(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        data_dir::create_private_dir(&path)?;
        Ok(Scratch(path))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Backs the organization up: into the backup folder, or `to` (a one-off copy elsewhere,
/// which prunes nothing there). Owners and Admins, the command line and the app's daily
/// schedule may. The outcome is kept for the window (last good copy, or last error).
pub fn create(store: &mut Store, by: &Actor, to: Option<&Path>) -> Result<BackupFile, BackupError> {
    if *by != Actor::Scheduler {
        crate::access::check_backups(by)?;
    }
    let made = make(store, by, to);
    if let Err(e) = &made {
        // The failure is what the window and the tray show, and it spaces out the daily
        // retries (`due`); saving it must not hide it.
        let _ = store.conn().execute(
            "UPDATE backup_settings SET last_error = ?1, last_error_at = ?2",
            rusqlite::params![e.to_string(), timestamp::now()],
        );
    }
    made
}

fn make(store: &mut Store, by: &Actor, to: Option<&Path>) -> Result<BackupFile, BackupError> {
    let organization = organization::get(store)?.name;
    let settings = settings_in(store.conn())?;
    let home = folder_of(&settings)?;
    let folder = to.map_or_else(|| home.clone(), Path::to_owned);
    let file = write_copy(store, &organization, &settings, &folder)?;
    // A one-off copy elsewhere prunes nothing there and is not the daily copy: it neither
    // silences the warning nor moves the next automatic backup.
    let daily = same_folder(&folder, &home);
    let pruned = if daily {
        prune(&folder, &settings, &file)
    } else {
        0
    };
    record_success(store, by, &file, &folder, pruned, daily)?;
    Ok(file)
}

fn same_folder(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

fn write_copy(
    store: &Store,
    organization: &str,
    settings: &Settings,
    folder: &Path,
) -> Result<BackupFile, BackupError> {
    let passphrase = if settings.encrypted {
        Some(
            BackupKeychain::for_store(store)?
                .load()?
                .ok_or(BackupError::PassphraseMissing)?,
        )
    } else {
        None
    };
    let unwritable = |source| BackupError::FolderUnwritable {
        folder: folder.to_owned(),
        source,
    };
    data_dir::create_private_dir(folder).map_err(unwritable)?;
    let _lock =
        DataDirLock::acquire(store.data_dir()).map_err(|source| StoreError::DataDirectory {
            path: store.data_dir().to_owned(),
            source,
        })?;
    remove_partials(folder).map_err(unwritable)?;

    let work = Scratch::fresh(store.data_dir().join(WORK_DIR)).map_err(|source| {
        StoreError::DataDirectory {
            path: store.data_dir().to_owned(),
            source,
        }
    })?;
    // Whole seconds, as the file's name has it, so the name and the manifest agree.
    let created = crate::clock::now()
        .with_nanosecond(0)
        .expect("zero nanoseconds is a time");
    let copy = work.0.join(DATABASE_FILE);
    let mut manifest = copy_database(store, &copy, organization, timestamp::at(created))?;
    let documents: Vec<(String, PathBuf)> = document_names(&copy)?
        .into_iter()
        .map(|sha| {
            let path = store.data_dir().join(DOCUMENTS_DIR).join(&sha);
            (sha, path)
        })
        // A document whose file is already gone cannot be backed up; the rest still are.
        .filter(|(_, path)| path.is_file())
        .collect();
    // A document that no longer matches its name (its SHA-256) would make the copy refuse to
    // restore: better no new copy, and the older good ones kept, than one that looks good.
    for (sha, path) in &documents {
        let actual = archive::sha256_of(path).map_err(|source| BackupError::Write {
            file: path.clone(),
            source,
        })?;
        if !actual.eq_ignore_ascii_case(sha) {
            return Err(BackupError::DocumentDamaged(path.clone()));
        }
    }
    manifest.documents = documents.len() as u32;
    manifest.database_sha256 = archive::sha256_of(&copy).map_err(|source| BackupError::Write {
        file: copy.clone(),
        source,
    })?;

    let encrypted = passphrase.is_some();
    let name = (1..)
        .map(|n| file_name(created, n, encrypted))
        .find(|name| !folder.join(name).exists())
        .expect("some number is free");
    let target = folder.join(&name);
    let partial = folder.join(format!(
        "{PARTIAL_PREFIX}{}{PARTIAL_SUFFIX}",
        &name[NAME_PREFIX.len()..]
    ));
    let failed = |source| BackupError::Write {
        file: target.clone(),
        source,
    };
    let written = data_dir::open_private_file(&partial, true)
        .and_then(|out| archive::write(out, &manifest, &copy, &documents, passphrase.as_ref()))
        .and_then(|out| out.sync_all())
        .and_then(|()| std::fs::rename(&partial, &target));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(failed(e));
    }
    sync_folder(folder);
    let size_bytes = std::fs::metadata(&target).map_err(failed)?.len();
    Ok(BackupFile {
        path: target.to_string_lossy().into_owned(),
        file_name: name,
        created_at: manifest.created_at,
        size_bytes,
        encrypted,
    })
}

/// Copies the live database to `copy` with SQLite's online backup API (the app's other
/// connections keep reading and writing), checks the copy, and describes it.
fn copy_database(
    store: &Store,
    copy: &Path,
    organization: &str,
    created_at: String,
) -> Result<Manifest, BackupError> {
    data_dir::open_private_file(copy, true).map_err(|source| StoreError::DataDirectory {
        path: store.data_dir().to_owned(),
        source,
    })?;
    let mut dst = Connection::open_with_flags(copy, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    {
        use rusqlite::backup::{Backup, StepResult};
        let backup = Backup::new(store.conn(), &mut dst)?;
        // All pages in one step (-1): a step-wise copy starts over whenever another
        // connection writes in between, and in WAL mode one read transaction blocks no
        // writer. Busy or locked only while another process holds the file: wait as the
        // store does, up to about ten seconds.
        let mut waits = 0;
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => {}
                _ if waits < 100 => {
                    waits += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                _ => return Err(StoreError::Busy.into()),
            }
        }
    }
    // One self-contained file, whatever mode the source was in.
    dst.pragma_update(None, "journal_mode", "DELETE")?;
    let verdict: Vec<String> = dst
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if verdict != ["ok"] {
        return Err(BackupError::CopyDamaged(verdict.join("; ")));
    }
    let count = |table: &str| -> Result<u32, rusqlite::Error> {
        dst.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
    };
    Ok(Manifest {
        format: archive::FORMAT,
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at,
        organization: organization.to_owned(),
        schema_version: dst.query_row("PRAGMA user_version", [], |r| r.get(0))?,
        people: count("users")?,
        assets: count("assets")?,
        documents: 0,
        database_sha256: String::new(),
        audit_head: audit::head_in(&dst)?.map(|h| h.head),
    })
}

fn document_names(copy: &Path) -> Result<Vec<String>, BackupError> {
    let conn = Connection::open_with_flags(copy, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let names = conn
        .prepare("SELECT DISTINCT sha256 FROM documents ORDER BY sha256")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(names)
}

/// Hidden partial copies a crash or a kill left behind. Only files named as UniAsset
/// names them go; the backup lock is held, so none is being written now.
fn remove_partials(folder: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(folder)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(PARTIAL_PREFIX) && name.ends_with(PARTIAL_SUFFIX) {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Makes the rename itself durable (on Unix a directory is synced like a file).
fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder;
}

/// Deletes the copies retention does not keep; how many went. A copy that cannot be
/// deleted now is tried again after the next backup.
/// Removes the copies retention does not keep; never `new`, the copy just made (a clock
/// gone wrong, here or on another computer sharing the folder, must not cost the newest copy).
fn prune(folder: &Path, settings: &Settings, new: &BackupFile) -> usize {
    let Ok(copies) = copies_in(folder) else {
        return 0;
    };
    let times: Vec<_> = copies
        .iter()
        .map(|c| crate::timestamp::parse(&c.created_at).unwrap_or_default())
        .collect();
    let keep = retention::keep(&times, settings.keep_daily, settings.keep_weekly);
    copies
        .iter()
        .enumerate()
        .filter(|(i, c)| !keep.contains(i) && c.path != new.path)
        .filter(|(_, c)| std::fs::remove_file(&c.path).is_ok())
        .count()
}

fn record_success(
    store: &mut Store,
    by: &Actor,
    file: &BackupFile,
    folder: &Path,
    pruned: usize,
    daily: bool,
) -> Result<(), BackupError> {
    let tx = store.write()?;
    if daily {
        tx.execute(
            "UPDATE backup_settings SET last_good_at = ?1, last_good_file = ?2, last_good_size = ?3,
                 last_error = NULL, last_error_at = NULL",
            rusqlite::params![file.created_at, file.path, file.size_bytes as i64],
        )?;
    }
    let mut detail = format!(
        "{} ({} bytes{}) in {}",
        file.file_name,
        file.size_bytes,
        if file.encrypted { ", encrypted" } else { "" },
        folder.display()
    );
    if pruned > 0 {
        detail.push_str(&format!("; {pruned} older copies removed"));
    }
    audit::record(
        &tx,
        by,
        audit::Entry::organization("backup.created").detail(detail),
    )?;
    tx.commit().map_err(StoreError::from)?;
    Ok(())
}
