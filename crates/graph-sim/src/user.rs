//! A user of the simulated directory, as the directory keeps it and as filters, searches
//! and `$select` read it.

use chrono::{DateTime, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lifecycle {
    Active,
    /// In the recycle bin: restorable, invisible to GET and list.
    SoftDeleted,
    /// Gone for good; kept only so delta can report the removal.
    HardDeleted,
}

#[derive(Clone, Debug)]
pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) user_principal_name: String,
    pub(crate) mail: Option<String>,
    pub(crate) display_name: String,
    pub(crate) enabled: bool,
    /// `userType`: a guest (invited from another organization) or a member.
    pub(crate) guest: bool,
    /// `createdDateTime`, to the second as Graph gives it.
    pub(crate) created: DateTime<Utc>,
    pub(crate) lifecycle: Lifecycle,
    /// Directory roles by display name; not a user property Graph returns, so not a
    /// change delta reports.
    pub(crate) roles: Vec<String>,
    /// When `revokeSignInSessions` last ended the user's sessions.
    pub(crate) sessions_revoked: Option<DateTime<Utc>>,
    /// The object id of their manager (`/users/{id}/manager`), if they have one.
    pub(crate) manager: Option<String>,
    /// The directory's stamp of the user's latest change, set by the directory alone.
    pub(crate) seq: u64,
}

impl User {
    pub(crate) fn is_active(&self) -> bool {
        self.lifecycle == Lifecycle::Active
    }
}
