//! Where the organization's data lives, private to its account (R-D7). The app and the `uniasset` command line must agree,
//! so both ask this module rather than their own frameworks.

use std::path::{Path, PathBuf};

/// The application identifier, also Tauri's `identifier`: the data folder's name.
pub const APP_IDENTIFIER: &str = "app.uniasset.desktop";

/// Environment variable that overrides the data directory (app and command line alike).
pub const DATA_DIR_ENV: &str = "UNIASSET_DATA_DIR";

/// What UniAsset keeps in the data directory: the database (with its -wal and -shm), the
/// copies taken before schema upgrades, and attached documents named by their SHA-256.
pub const DATABASE_FILE: &str = "uniasset.db";
pub const BACKUP_DIR: &str = "backups";
pub const DOCUMENTS_DIR: &str = "documents";
/// Copies of documents under their own names, for the system's application to open.
pub const OPENED_DIR: &str = "opened";

#[derive(Debug, thiserror::Error)]
#[error("This system has no per-user application data folder; set {DATA_DIR_ENV} to choose one.")]
pub struct NoDataDir;

impl crate::ErrorCode for NoDataDir {
    fn code(&self) -> &'static str {
        "no_data_directory"
    }
}

/// `explicit` (a `--data-dir` argument) wins, then `UNIASSET_DATA_DIR`, then the platform's
/// application data folder (e.g. `~/.local/share/app.uniasset.desktop` on Linux).
pub fn resolve(explicit: Option<PathBuf>) -> Result<PathBuf, NoDataDir> {
    if let Some(dir) = explicit {
        return Ok(dir);
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join(APP_IDENTIFIER))
        .ok_or(NoDataDir)
}

/// Someone else's access to UniAsset's files, taken away when a store opens (R-X2: data
/// files readable only by their owner). The caller logs these; the core has no log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tightened {
    pub path: PathBuf,
    /// The permission bits before and after (e.g. 0o755 and 0o700).
    pub was: u32,
    pub now: u32,
    /// Why the change could not be made (the file stays as it was), if it could not.
    pub failed: Option<String>,
}

impl std::fmt::Display for Tightened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.failed {
            None => write!(
                f,
                "Made {} readable only by its owner (permissions {:04o} → {:04o}).",
                self.path.display(),
                self.was,
                self.now
            ),
            Some(e) => write!(
                f,
                "Could not make {} readable only by its owner (permissions {:04o}): {e}",
                self.path.display(),
                self.was
            ),
        }
    }
}

/// Creates `dir` and any missing parents; on Unix each one it creates is the owner's alone.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Opens `path` for writing, creating it if needed readable only by its owner (the mode is
/// set at creation, so no other account can open it in between). An existing file keeps
/// its content and mode.
pub(crate) fn open_private_file(path: &Path, truncate: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(truncate);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Writes an export to the file at `path`: beside it first, readable by its owner only,
/// then renamed into place, so a failed export never leaves half a file under the chosen
/// name. `failed` words a file error as the caller's.
pub(crate) fn export_file<T, E>(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<T, E>,
    failed: impl Fn(std::io::Error) -> E,
) -> Result<T, E> {
    let name = path
        .file_name()
        .ok_or_else(|| failed(std::io::ErrorKind::InvalidInput.into()))?;
    let partial = path.with_file_name(format!(
        ".{}.{}.partial",
        name.to_string_lossy(),
        std::process::id()
    ));
    let file = open_private_file(&partial, true).map_err(&failed)?;
    let mut out = std::io::BufWriter::new(file);
    let result = write(&mut out).and_then(|done| {
        out.into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .and_then(|_| std::fs::rename(&partial, path))
            .map_err(&failed)?;
        Ok(done)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// Takes group and other access away from the data directory and what UniAsset keeps in
/// it: the database and its journals, `backups/` and `documents/` with their files. Only
/// these are touched, so a data directory that also holds other things (a home folder
/// given as `--data-dir`) keeps them as they are; symbolic links inside are not followed.
/// Elsewhere (Windows) files take their folder's access list, which for the default data
/// folder under the user's profile is the user's own; nothing is changed or reported.
pub(crate) fn make_private(dir: &Path) -> Vec<Tightened> {
    #[cfg(not(unix))]
    let (_, changes) = (dir, Vec::new());
    #[cfg(unix)]
    let mut changes = Vec::new();
    #[cfg(unix)]
    {
        tighten(dir, true, &mut changes);
        for suffix in ["", "-wal", "-shm", "-journal"] {
            tighten(
                &dir.join(format!("{DATABASE_FILE}{suffix}")),
                false,
                &mut changes,
            );
        }
        for sub in [BACKUP_DIR, DOCUMENTS_DIR] {
            let sub = dir.join(sub);
            if tighten(&sub, false, &mut changes) {
                for entry in std::fs::read_dir(&sub).into_iter().flatten().flatten() {
                    tighten(&entry.path(), false, &mut changes);
                }
            }
        }
    }
    changes
}

/// Strips group and other bits from one path; `follow` only for the data directory itself
/// (it may be a link the administrator made). Returns whether the path is a directory.
#[cfg(unix)]
fn tighten(path: &Path, follow: bool, changes: &mut Vec<Tightened>) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let meta = if follow {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    };
    let Ok(meta) = meta else { return false };
    if meta.file_type().is_symlink() {
        return false;
    }
    let was = meta.permissions().mode() & 0o7777;
    if was & 0o077 != 0 {
        let now = was & !0o077;
        let failed = std::fs::set_permissions(path, std::fs::Permissions::from_mode(now))
            .err()
            .map(|e| e.to_string());
        changes.push(Tightened {
            path: path.to_owned(),
            was,
            now,
            failed,
        });
    }
    meta.is_dir()
}
