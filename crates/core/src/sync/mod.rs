//! The deprovision sync (R-S1…R-S9): ask Entra about every Microsoft-linked user and
//! deactivate those it has disabled or deleted — never deleting anything, never touching
//! password or Google users, never acting on doubt, all of a run's changes in one
//! transaction, one run at a time.

mod apply;
mod decide;
mod frequent;
mod lock;
mod memory;
mod observe;
mod person;
mod quiet;
mod record;
mod review;
mod run;
mod scope;
mod seen;
mod wording;

use std::time::Duration;

use crate::access::{AccessError, Actor};
use crate::entra::{self, EntraError};
use crate::graph::GraphError;
use crate::organization::{self, OrganizationError};
use crate::store::{Store, StoreError};

pub use frequent::{state as frequent_check_state, CheckState};
pub(crate) use lock::SyncLock;
pub use lock::LOCK_FILE;
pub use memory::MISSING_FOR;
pub use record::{
    get as run, list as runs, pending_reviews, LineOutcome, Review, RunCounts, RunLine, RunRecord,
    RunResult, Trigger,
};
pub use review::{apply_held, dismiss_held};
pub use run::{check_person, run_sync};
pub use wording::{headline, notification};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncRequest {
    pub trigger: Trigger,
    /// Preview only (R-S9): nothing is changed or stored.
    pub dry_run: bool,
    /// Overrides the organization's run deadline (Entra settings), for this run only.
    pub deadline: Option<Duration>,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("A sync is already running. Its result will appear in the run history when it ends.")]
    AlreadyRunning,
    #[error("Auto-deprovisioning is off, so no automatic sync runs. Turn it on in Settings → Integrations → Microsoft Entra ID.")]
    AutoDeprovisionOff,
    #[error("This held run was already {0}.")]
    AlreadyReviewed(Review),
    #[error("No held run #{0} waits for review.")]
    NoSuchHeldRun(i64),
    #[error("There is no run #{0}.")]
    UnknownRun(i64),
    #[error("{} does not sign in with a Microsoft account linked to Microsoft Entra ID, so there is nothing to check. Link them first (Match Microsoft accounts).", crate::text::excerpt(.0))]
    NotLinked(String),
    #[error(transparent)]
    Directory(#[from] crate::directory::DirectoryError),
    #[error("The sync's lock file could not be used: {0}")]
    Lock(String),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Organization(#[from] OrganizationError),
    #[error(transparent)]
    Entra(#[from] EntraError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A held run could not be applied now; it stays held.
    #[error(transparent)]
    Failed(#[from] RunFailure),
}

impl crate::ErrorCode for SyncError {
    fn code(&self) -> &'static str {
        match self {
            SyncError::AlreadyRunning => "sync_running",
            SyncError::AutoDeprovisionOff => "auto_deprovision_off",
            SyncError::AlreadyReviewed(_) => "already_reviewed",
            SyncError::NoSuchHeldRun(_) | SyncError::UnknownRun(_) => "unknown_run",
            SyncError::NotLinked(_) => "not_linked",
            SyncError::Directory(e) => e.code(),
            SyncError::Lock(_) => "sync_lock",
            SyncError::Access(e) => e.code(),
            SyncError::Organization(e) => e.code(),
            SyncError::Entra(e) => e.code(),
            SyncError::Store(e) => e.code(),
            SyncError::Failed(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Store(e.into())
    }
}

/// One run with its per-user lines, for an Owner or Admin.
pub fn run_details(store: &Store, by: &Actor, id: i64) -> Result<RunRecord, SyncError> {
    by.require_admin("see sync runs")?;
    record::get(store, id)?.ok_or(SyncError::UnknownRun(id))
}

/// Who may start a run of this kind (R-D5, R-D6, R-S8). The app asks before a request
/// joins a run already going, so nobody joins a run they could not have started.
pub fn authorize(store: &Store, by: &Actor, trigger: Trigger) -> Result<(), SyncError> {
    if trigger.automatic() {
        if *by != Actor::EntraSync {
            return Err(AccessError::NeedsAdmin("start an automatic sync").into());
        }
    } else {
        by.require_admin("run a sync")?;
    }
    organization::require_enterprise(store, "Auto-deprovisioning")?;
    let settings = entra::settings(store)?;
    if settings.connection.is_none() {
        return Err(EntraError::NotConnected.into());
    }
    if trigger.automatic() && !settings.auto_deprovision {
        return Err(SyncError::AutoDeprovisionOff);
    }
    Ok(())
}

/// Why a run that had started ended without changing anything.
#[derive(Debug, thiserror::Error)]
pub enum RunFailure {
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error(transparent)]
    Entra(#[from] EntraError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("The Microsoft Entra ID connection changed while this run was going (disconnected or connected again). Nobody was deactivated.")]
    ConnectionChanged,
    #[error("Auto-deprovisioning was turned off while this automatic run was going. Nobody was deactivated.")]
    TurnedOff,
    #[error("The run did not finish within {}. Nobody was deactivated; the next run starts again.", minutes(*.0))]
    DeadlinePassed(Duration),
    #[error("The connection now answers for a different tenant ({found}) than the one it was connected to ({connected}). Nobody was deactivated. Connect again in Settings → Integrations → Microsoft Entra ID, then match the users again.")]
    TenantChanged { connected: String, found: String },
    #[error("UniAsset hit an internal error during the run ({0}). Nobody was deactivated; the next run starts again.")]
    Internal(String),
}

impl crate::ErrorCode for RunFailure {
    fn code(&self) -> &'static str {
        match self {
            RunFailure::Graph(e) => e.code(),
            RunFailure::Entra(e) => e.code(),
            RunFailure::Store(e) => e.code(),
            RunFailure::ConnectionChanged => "connection_changed",
            RunFailure::TurnedOff => "auto_deprovision_off",
            RunFailure::DeadlinePassed(_) => "run_deadline",
            RunFailure::TenantChanged { .. } => "tenant_changed",
            RunFailure::Internal(_) => "internal_error",
        }
    }
}

impl From<rusqlite::Error> for RunFailure {
    fn from(e: rusqlite::Error) -> Self {
        RunFailure::Store(e.into())
    }
}

fn minutes(d: Duration) -> String {
    match d.as_secs() {
        1 => "1 second".to_owned(),
        s if s < 120 => format!("{s} seconds"),
        s => format!("{} minutes", s / 60),
    }
}

/// Closes the records of runs that stopped without finishing (a crash). While another run
/// holds the lock nothing is closed: a "running" record may be that run's own.
pub fn close_interrupted(store: &Store) -> Result<(), SyncError> {
    match acquire(store) {
        Ok(_lock) => Ok(record::close_interrupted(store.conn())?),
        Err(SyncError::AlreadyRunning) => Ok(()),
        Err(e) => Err(e),
    }
}

pub(crate) fn acquire(store: &Store) -> Result<lock::SyncLock, SyncError> {
    lock::SyncLock::acquire(store.data_dir()).map_err(|e| match e {
        lock::LockError::Busy => SyncError::AlreadyRunning,
        lock::LockError::Io(e) => SyncError::Lock(e.to_string()),
    })
}
