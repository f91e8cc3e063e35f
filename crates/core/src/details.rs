//! A user's Details: who they are and everything attributed to them, which deactivation
//! leaves untouched (R-D3).

use serde::{Deserialize, Serialize};

use crate::assets::{self, Asset, Document, MaintenanceLog};
use crate::audit::{self, AuditEntry};
use crate::directory::{self, get_user, DirectoryError, Manager, User};
use crate::entra::{self, SessionsEnd};
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct UserDetails {
    pub user: User,
    pub assets: Vec<Asset>,
    pub audit: Vec<AuditEntry>,
    pub maintenance_logs: Vec<MaintenanceLog>,
    pub documents: Vec<Document>,
    /// With ending sessions on: what became of their Microsoft sessions when they were
    /// deactivated (R-E7).
    pub sessions: Option<SessionsEnd>,
    /// Who manages them (R-D10), from Entra or set by hand.
    pub manager: Option<Manager>,
}

pub fn details(store: &Store, user_id: i64) -> Result<UserDetails, DirectoryError> {
    Ok(UserDetails {
        user: get_user(store, user_id)?,
        assets: assets::assets_of_user(store, user_id)?,
        audit: audit::for_user(store, user_id)?,
        maintenance_logs: assets::maintenance_logs_of_user(store, user_id)?,
        documents: assets::documents_of_user(store, user_id)?,
        sessions: entra::sessions_end(store, user_id)?,
        manager: directory::manager_of(store, user_id)?,
    })
}
