//! One sync at a time across every process sharing the data directory (R-S6): an OS file
//! lock, which the kernel releases when its holder exits or is killed, so it never sticks.

use std::fs::{File, TryLockError};
use std::path::Path;

pub const LOCK_FILE: &str = "sync.lock";

/// Held for the duration of a run; dropping it releases the lock.
pub struct SyncLock {
    _file: File,
}

pub enum LockError {
    Busy,
    Io(std::io::Error),
}

impl SyncLock {
    pub fn acquire(data_dir: &Path) -> Result<SyncLock, LockError> {
        let file = crate::data_dir::open_private_file(&data_dir.join(LOCK_FILE), false)
            .map_err(LockError::Io)?;
        match file.try_lock() {
            Ok(()) => Ok(SyncLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(LockError::Busy),
            Err(TryLockError::Error(e)) => Err(LockError::Io(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = SyncLock::acquire(dir.path()).ok().unwrap();
        assert!(matches!(
            SyncLock::acquire(dir.path()),
            Err(LockError::Busy)
        ));
        drop(first);
        assert!(SyncLock::acquire(dir.path()).is_ok());
    }
}
