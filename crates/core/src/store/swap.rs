//! Replacing (R-B7) what a data directory holds (a restore puts another organization in place of
//! the current one) as a single step, even across a crash: the renames are written to a
//! journal first, and whoever opens the data directory next finishes them. Finishing, not
//! undoing: the journal is written only once everything to move in is complete on disk, so
//! going forward always ends with the new organization whole, never with neither.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::data_dir;

/// The swap under way, in the data directory; present only between its first and last rename.
const JOURNAL_FILE: &str = "restore-journal.json";
/// One backup, restore or finishing of an interrupted one at a time per data directory,
/// across processes: an OS file lock, released by the kernel when its holder exits or is
/// killed.
const LOCK_FILE: &str = "backup.lock";

/// Held while a backup or restore works in a data directory.
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    /// Waits for another backup or restore of `data_dir` to finish.
    pub fn acquire(data_dir: &Path) -> io::Result<DataDirLock> {
        let file = data_dir::open_private_file(&data_dir.join(LOCK_FILE), false)?;
        file.lock()?;
        Ok(DataDirLock { _file: file })
    }

    /// The lock if no backup or restore holds it now; None if one does.
    pub fn try_acquire(data_dir: &Path) -> io::Result<Option<DataDirLock>> {
        let file = data_dir::open_private_file(&data_dir.join(LOCK_FILE), false)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(DataDirLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error(
    "A restore into {} was interrupted and UniAsset could not finish it: {source}. \
     The organization that was there is kept in a replaced-… folder beside it; restore the \
     backup again with `uniasset backup restore --force`.",
    .path.display()
)]
pub struct InterruptedRestore {
    path: PathBuf,
    source: io::Error,
}

/// Renames to make, with paths relative to the data directory, and folders to remove once
/// they are made.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Swap {
    moves: Vec<(PathBuf, PathBuf)>,
    remove_after: Vec<PathBuf>,
}

impl Swap {
    pub fn new() -> Swap {
        Swap::default()
    }

    /// Moves `from` to `to`, both relative to the data directory.
    pub fn rename(mut self, from: impl Into<PathBuf>, to: impl Into<PathBuf>) -> Swap {
        self.moves.push((from.into(), to.into()));
        self
    }

    /// Removes the folder `dir` (relative to the data directory) once the renames are made.
    pub fn then_remove(mut self, dir: impl Into<PathBuf>) -> Swap {
        self.remove_after.push(dir.into());
        self
    }

    /// Makes the renames in `data_dir`, whose [`DataDirLock`] the caller holds. A rename that
    /// fails puts back those already made and says why; a crash leaves the journal, and the
    /// next [`finish_interrupted`] makes the rest.
    pub fn apply(&self, data_dir: &Path) -> io::Result<()> {
        for (from, _) in &self.moves {
            sync_tree(&data_dir.join(from))?;
        }
        write_journal(data_dir, self)?;
        for (done, (from, to)) in self.moves.iter().enumerate() {
            if let Err(e) = std::fs::rename(data_dir.join(from), data_dir.join(to)) {
                for (from, to) in self.moves[..done].iter().rev() {
                    let _ = std::fs::rename(data_dir.join(to), data_dir.join(from));
                }
                let _ = sync_dir(data_dir);
                let _ = std::fs::remove_file(data_dir.join(JOURNAL_FILE));
                return Err(e);
            }
        }
        self.finish(data_dir)
    }

    /// The end of a swap, after a crash or not: the renames reach the disk, the journal goes.
    fn finish(&self, data_dir: &Path) -> io::Result<()> {
        for dir in self.moves.iter().filter_map(|(_, to)| to.parent()) {
            sync_dir(&data_dir.join(dir))?;
        }
        sync_dir(data_dir)?;
        std::fs::remove_file(data_dir.join(JOURNAL_FILE))?;
        sync_dir(data_dir)?;
        // The swap is made: a folder that cannot go now (a virus scanner holding a file in
        // it, on Windows) must not report it failed. The next restore empties it first.
        for dir in &self.remove_after {
            let _ = std::fs::remove_dir_all(data_dir.join(dir));
        }
        Ok(())
    }

    /// Makes the renames a crash left unmade. Renames are made in order, so those made are
    /// a prefix: a rename was made when its target is there and its source is gone, or its
    /// source is there again because a later rename that was made put something there.
    fn resume(&self, data_dir: &Path) -> io::Result<()> {
        let at = |p: &PathBuf| exists(&data_dir.join(p));
        let mut made = vec![false; self.moves.len()];
        for (i, (from, to)) in self.moves.iter().enumerate().rev() {
            let refilled = (i + 1..self.moves.len()).any(|k| made[k] && self.moves[k].1 == *from);
            made[i] = at(to) && (!at(from) || refilled);
        }
        let done = made.iter().take_while(|m| **m).count();
        if made[done..].iter().any(|m| *m) {
            return Err(io::Error::other(format!(
                "the renames in {} were made out of order",
                data_dir.join(JOURNAL_FILE).display()
            )));
        }
        for (from, to) in &self.moves[done..] {
            std::fs::rename(data_dir.join(from), data_dir.join(to))?;
        }
        self.finish(data_dir)
    }

    fn is_confined(&self) -> bool {
        let inside = |p: &PathBuf| {
            p.components().all(|c| matches!(c, Component::Normal(_))) && p.components().count() > 0
        };
        self.moves.iter().all(|(a, b)| inside(a) && inside(b))
            && self.remove_after.iter().all(inside)
    }
}

/// Finishes a swap that a crash or a kill interrupted in `data_dir`, if there is one. Every
/// way into a data directory calls this first (opening the store, restoring), so nobody
/// sees half of a swap. Returns whether there was one.
pub fn finish_interrupted(data_dir: &Path) -> Result<bool, InterruptedRestore> {
    let journal = data_dir.join(JOURNAL_FILE);
    if !exists(&journal) {
        return Ok(false);
    }
    let interrupted = |source: io::Error| InterruptedRestore {
        path: data_dir.to_owned(),
        source,
    };
    // A restore that is still running holds the lock: wait for it rather than race it.
    let _lock = DataDirLock::acquire(data_dir).map_err(interrupted)?;
    let text = match std::fs::read(&journal) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(interrupted(e)),
    };
    let swap: Swap = serde_json::from_slice(&text)
        .ok()
        .filter(Swap::is_confined)
        .ok_or_else(|| {
            interrupted(io::Error::other(format!(
                "{} is unreadable",
                journal.display()
            )))
        })?;
    swap.resume(data_dir).map_err(interrupted)?;
    Ok(true)
}

/// Written under another name, synced, then renamed: a journal is whole or absent.
fn write_journal(data_dir: &Path, swap: &Swap) -> io::Result<()> {
    let partial = data_dir.join(format!("{JOURNAL_FILE}.partial"));
    let mut file = data_dir::open_private_file(&partial, true)?;
    file.write_all(&serde_json::to_vec(swap).map_err(io::Error::other)?)?;
    file.sync_all()?;
    std::fs::rename(&partial, data_dir.join(JOURNAL_FILE))?;
    sync_dir(data_dir)
}

fn exists(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}

/// A file, or a folder and the files in it, on disk: a power cut after the journal cannot
/// leave what it moves in half-written.
fn sync_tree(path: &Path) -> io::Result<()> {
    let Ok(meta) = path.symlink_metadata() else {
        return Ok(());
    };
    if meta.is_dir() {
        for entry in std::fs::read_dir(path)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                sync_file(&entry.path())?;
            }
        }
        sync_dir(path)
    } else if meta.is_file() {
        sync_file(path)
    } else {
        Ok(())
    }
}

/// A file's contents on disk. Windows flushes a file only through a handle that may write
/// to it (FlushFileBuffers needs GENERIC_WRITE).
fn sync_file(path: &Path) -> io::Result<()> {
    #[cfg(windows)]
    let file = std::fs::OpenOptions::new().write(true).open(path)?;
    #[cfg(not(windows))]
    let file = File::open(path)?;
    file.sync_all()
}

/// A directory's entries (the renames in it) on disk. Windows has no such call; its
/// renames are journaled by NTFS.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: PathBuf) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn a_swap_interrupted_after_any_rename_is_finished_by_the_next_open() {
        let swap = Swap::new()
            .rename("uniasset.db", "replaced/uniasset.db")
            .rename("staging/uniasset.db", "uniasset.db")
            .rename("staging/documents", "documents")
            .then_remove("staging");
        for made in 0..=swap.moves.len() {
            let dir = tempfile::tempdir().unwrap();
            let d = dir.path();
            std::fs::write(d.join("uniasset.db"), "old").unwrap();
            std::fs::create_dir_all(d.join("staging/documents")).unwrap();
            std::fs::create_dir(d.join("replaced")).unwrap();
            std::fs::write(d.join("staging/uniasset.db"), "new").unwrap();
            std::fs::write(d.join("staging/documents/receipt"), "doc").unwrap();
            write_journal(d, &swap).unwrap();
            for (from, to) in &swap.moves[..made] {
                std::fs::rename(d.join(from), d.join(to)).unwrap();
            }

            assert!(finish_interrupted(d).unwrap(), "after {made} renames");
            assert_eq!(read(d.join("uniasset.db")), "new");
            assert_eq!(read(d.join("documents/receipt")), "doc");
            assert_eq!(read(d.join("replaced/uniasset.db")), "old");
            assert!(!d.join("staging").exists() && !d.join(JOURNAL_FILE).exists());
            assert!(
                !finish_interrupted(d).unwrap(),
                "once finished, nothing is left"
            );
        }
    }

    #[test]
    fn a_failing_rename_puts_back_what_was_moved() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("uniasset.db"), "old").unwrap();
        std::fs::create_dir(d.join("replaced")).unwrap();
        let swap = Swap::new()
            .rename("uniasset.db", "replaced/uniasset.db")
            .rename("staging/uniasset.db", "uniasset.db");
        assert!(swap.apply(d).is_err(), "nothing is staged");
        assert_eq!(read(d.join("uniasset.db")), "old");
        assert!(!d.join(JOURNAL_FILE).exists());
    }

    #[test]
    fn a_journal_that_reaches_outside_the_data_directory_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("data");
        std::fs::create_dir(&d).unwrap();
        std::fs::write(dir.path().join("elsewhere"), "keep").unwrap();
        let swap = Swap::new().rename("../elsewhere", "taken");
        std::fs::write(d.join(JOURNAL_FILE), serde_json::to_vec(&swap).unwrap()).unwrap();
        let err = finish_interrupted(&d).unwrap_err();
        assert!(err.to_string().contains("could not finish it"), "{err}");
        assert_eq!(read(dir.path().join("elsewhere")), "keep");
    }
}
