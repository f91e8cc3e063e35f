//! What the shell holds while it runs: the store, the window's session and, for a demo
//! organization, its simulated Entra tenant. (The sync runner is managed on its own.)

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Mutex as StdMutex;

use graph_sim::Simulator;
use tokio::sync::{Mutex, MutexGuard};
use uniasset_core::access::Actor;
use uniasset_core::sessions::{self, SessionToken, SignInError};
use uniasset_core::store::Store;
use uniasset_core::{data_dir, ErrorReport};

pub struct AppState {
    data_dir: Option<PathBuf>,
    /// Opened on first use and again after a failure, so an administrator who moves a
    /// damaged file aside can press "Try again" without restarting the app. Held only for
    /// work on the database: commands that ask Microsoft take a connection of their own
    /// (`for_network`).
    store: Mutex<Option<Store>>,
    session: StdMutex<Option<SessionToken>>,
    pub demo_tenant: StdMutex<Option<Simulator>>,
}

/// The open store, held for the duration of one command.
pub struct StoreGuard<'a>(MutexGuard<'a, Option<Store>>);

impl Deref for StoreGuard<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.0.as_ref().expect("StoreGuard holds an open store")
    }
}

impl DerefMut for StoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        self.0.as_mut().expect("StoreGuard holds an open store")
    }
}

impl AppState {
    pub fn new(data_dir: Option<PathBuf>) -> AppState {
        AppState {
            data_dir,
            store: Mutex::new(None),
            session: StdMutex::new(None),
            demo_tenant: StdMutex::new(None),
        }
    }

    pub fn data_dir(&self) -> Result<PathBuf, ErrorReport> {
        Ok(data_dir::resolve(self.data_dir.clone())?)
    }

    pub async fn store(&self) -> Result<StoreGuard<'_>, ErrorReport> {
        let mut slot = self.store.lock().await;
        if slot.is_none() {
            *slot = Some(self.open_store()?);
        }
        Ok(StoreGuard(slot))
    }

    /// The signed-in person and a connection of the command's own, for commands that wait on
    /// Microsoft: the shared connection is released at once, so the other screens and the
    /// scheduler go on while Graph answers.
    pub async fn for_network(&self) -> Result<(Actor, Store), ErrorReport> {
        let store = self.store().await?;
        let actor = self.actor(&store)?;
        Ok((actor, store.another()?))
    }

    /// A connection of its own, for long work (a sync) that must not block the window.
    pub fn open_store(&self) -> Result<Store, ErrorReport> {
        let store = Store::open(&self.data_dir()?)?;
        // Opening takes other accounts' access away from the data; the log says what.
        for change in store.tightened() {
            log::warn!("{change}");
        }
        Ok(store)
    }

    pub fn session(&self) -> std::sync::MutexGuard<'_, Option<SessionToken>> {
        self.session
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The signed-in person, checked against the store now (a deactivated user's session, or
    /// one left idle too long, has ended even if the window still holds it). Each command
    /// that asks counts as a use of the session.
    pub fn actor(&self, store: &Store) -> Result<Actor, ErrorReport> {
        let session = self.session();
        let token = session
            .as_ref()
            .ok_or_else(|| ErrorReport::from(SignInError::SessionEnded))?;
        Ok(sessions::authenticate(store, token, crate::clock::now())?)
    }
}
