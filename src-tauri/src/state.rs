//! What the shell holds while it runs: the open store and the window's session.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use uniasset_core::access::Actor;
use uniasset_core::sessions::{self, SessionToken};
use uniasset_core::store::Store;
use uniasset_core::{data_dir, ErrorReport};

pub struct AppState {
    /// A store that failed to open (a damaged file, say) is reported in the window rather
    /// than crashing the app or touching the file.
    store: Result<Mutex<Store>, ErrorReport>,
    session: Mutex<Option<SessionToken>>,
}

impl AppState {
    pub fn open(data_dir: Option<PathBuf>) -> AppState {
        let store = data_dir::resolve(data_dir)
            .map_err(ErrorReport::from)
            .and_then(|dir| Store::open(&dir).map_err(ErrorReport::from))
            .map(Mutex::new);
        AppState {
            store,
            session: Mutex::new(None),
        }
    }

    pub fn store(&self) -> Result<MutexGuard<'_, Store>, ErrorReport> {
        let store = self.store.as_ref().map_err(Clone::clone)?;
        Ok(store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    pub fn session(&self) -> MutexGuard<'_, Option<SessionToken>> {
        self.session
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The signed-in person, checked against the store now (a deactivated user's session has
    /// ended even if the window still holds it).
    pub fn actor(&self, store: &Store) -> Result<Actor, ErrorReport> {
        let session = self.session();
        let token = session
            .as_ref()
            .ok_or_else(|| ErrorReport::from(uniasset_core::sessions::SignInError::SessionEnded))?;
        Ok(sessions::authenticate(store, token)?)
    }
}
