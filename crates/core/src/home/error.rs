use crate::access::AccessError;
use crate::backup::BackupError;
use crate::leavers::LeaversError;
use crate::organization::OrganizationError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum HomeError {
    #[error(
        "The getting-started list is put away once every step on it is done: {0} still to do."
    )]
    ChecklistNotDone(u32),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Organization(#[from] OrganizationError),
    #[error(transparent)]
    Backup(#[from] BackupError),
    #[error(transparent)]
    Leavers(#[from] LeaversError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for HomeError {
    fn code(&self) -> &'static str {
        match self {
            HomeError::ChecklistNotDone(_) => "checklist_not_done",
            HomeError::Access(e) => e.code(),
            HomeError::Organization(e) => e.code(),
            HomeError::Backup(e) => e.code(),
            HomeError::Leavers(e) => e.code(),
            HomeError::Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for HomeError {
    fn from(e: rusqlite::Error) -> Self {
        HomeError::Store(e.into())
    }
}
