//! What the shell holds while it runs: the store, the window's session, an administrator's
//! sign-in under way and, for a demo organization, its simulated Entra tenant. (The sync
//! runner is managed on its own.)

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Mutex as StdMutex;

use graph_sim::Simulator;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::{Mutex, MutexGuard};
use uniasset_core::access::Actor;
use uniasset_core::entra::{AdminSignIn, CancelSignIn, EntraError};
use uniasset_core::sessions::{self, SessionToken, SignInError};
use uniasset_core::store::Store;
use uniasset_core::{data_dir, ErrorReport};

use crate::error::ShellError;

pub struct AppState {
    data_dir: Option<PathBuf>,
    /// Opened on first use and again after a failure, so an administrator who moves a
    /// damaged file aside can press "Try again" without restarting the app. Held only for
    /// work on the database: commands that ask Microsoft take a connection of their own
    /// (`for_network`).
    store: Mutex<Option<Store>>,
    session: StdMutex<Option<SessionToken>>,
    pub demo_tenant: StdMutex<Option<Simulator>>,
    /// An administrator's device-code sign-in between its Begin and its Finish command.
    admin_sign_in: StdMutex<Option<(SignInPurpose, AdminSignIn)>>,
    /// Cancels the latest sign-in, even while its Finish is waiting on it.
    admin_sign_in_cancel: StdMutex<Option<CancelSignIn>>,
    /// Microsoft's page for the latest sign-in's code, for "Open the sign-in page again".
    admin_sign_in_page: StdMutex<Option<String>>,
}

/// What an administrator's sign-in is for: a Finish takes only a sign-in of its own kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInPurpose {
    Setup,
    Renewal,
    /// "Allow UniAsset to end sessions" and the like: a feature's permissions.
    Grant,
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
            admin_sign_in: StdMutex::new(None),
            admin_sign_in_cancel: StdMutex::new(None),
            admin_sign_in_page: StdMutex::new(None),
        }
    }

    pub fn data_dir(&self) -> Result<PathBuf, ErrorReport> {
        Ok(data_dir::resolve(self.data_dir.clone())?)
    }

    pub async fn store(&self) -> Result<StoreGuard<'_>, ErrorReport> {
        let mut slot = self.store.lock().await;
        if slot.is_none() {
            let store = self.open_store()?;
            // The window's own connection, opened as the app starts: the one place every
            // page of the file is read, so damage shows before anyone works on it.
            store.check()?;
            *slot = Some(store);
        }
        Ok(StoreGuard(slot))
    }

    /// The signed-in person (see `actor`) and the shared store, held for one command.
    pub async fn signed_in(&self) -> Result<(Actor, StoreGuard<'_>), ErrorReport> {
        let store = self.store().await?;
        let actor = self.actor(&store)?;
        Ok((actor, store))
    }

    /// The signed-in person and a connection of the command's own, for commands that wait on
    /// Microsoft: the shared connection is released at once, so the other screens and the
    /// scheduler go on while Graph answers.
    pub async fn for_network(&self) -> Result<(Actor, Store), ErrorReport> {
        let (actor, store) = self.signed_in().await?;
        Ok((actor, store.another()?))
    }

    /// Runs `work` on the data directory with the shared connection closed and held closed
    /// (a restore replaces the database file); the next command opens what is there then.
    /// When it succeeds everyone signs in again.
    pub async fn with_store_closed<T: Send + 'static, E: Send + 'static>(
        &self,
        work: impl FnOnce(PathBuf) -> Result<T, E> + Send + 'static,
    ) -> Result<Result<T, E>, ErrorReport> {
        let mut slot = self.store.lock().await;
        slot.take();
        let dir = self.data_dir()?;
        let done = tauri::async_runtime::spawn_blocking(move || work(dir))
            .await
            .map_err(|error| ShellError::Stopped {
                work: "restore",
                error,
            })?;
        if done.is_ok() {
            *self.session() = None;
        }
        Ok(done)
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

    /// Keeps a started sign-in for its Finish, with its page; one started before is cancelled.
    pub fn hold_admin_sign_in(&self, purpose: SignInPurpose, sign_in: AdminSignIn, page: &str) {
        *locked(&self.admin_sign_in_page) = Some(page.to_owned());
        let cancel = sign_in.canceller();
        if let Some(old) = locked(&self.admin_sign_in_cancel).replace(cancel) {
            old.cancel();
        }
        *locked(&self.admin_sign_in) = Some((purpose, sign_in));
    }

    pub fn take_admin_sign_in(&self, purpose: SignInPurpose) -> Result<AdminSignIn, EntraError> {
        let mut slot = locked(&self.admin_sign_in);
        match slot.take() {
            Some((held, sign_in)) if held == purpose => Ok(sign_in),
            other => {
                *slot = other;
                Err(EntraError::NoSignInPending)
            }
        }
    }

    /// The page where the latest sign-in's code is entered.
    pub fn admin_sign_in_page(&self) -> Result<String, EntraError> {
        locked(&self.admin_sign_in_page)
            .clone()
            .ok_or(EntraError::NoSignInPending)
    }

    /// Cancels the latest sign-in; false when it came too late (the work has begun changing
    /// the tenant), and then the sign-in's page stays known.
    pub fn cancel_admin_sign_in(&self) -> bool {
        let in_time = locked(&self.admin_sign_in_cancel)
            .as_ref()
            .is_none_or(|cancel| cancel.cancel());
        if in_time {
            locked(&self.admin_sign_in_page).take();
            locked(&self.admin_sign_in).take();
        }
        in_time
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

/// The shell's state from an app handle, borrowed for as long as the handle (a `State`
/// would end with its statement), so a command's preamble is one line.
pub trait AppStateExt {
    fn app_state(&self) -> &AppState;

    /// The signed-in person and the shared store (`AppState::signed_in`).
    fn signed_in(
        &self,
    ) -> impl Future<Output = Result<(Actor, StoreGuard<'_>), ErrorReport>> + Send;
}

impl<R: Runtime> AppStateExt for AppHandle<R> {
    fn app_state(&self) -> &AppState {
        self.state::<AppState>().inner()
    }

    fn signed_in(
        &self,
    ) -> impl Future<Output = Result<(Actor, StoreGuard<'_>), ErrorReport>> + Send {
        self.app_state().signed_in()
    }
}

fn locked<T>(mutex: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
