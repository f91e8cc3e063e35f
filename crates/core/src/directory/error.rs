//! What can go wrong with the directory, in words for the administrator.

use super::user::{sign_in_name, SignInMethod};
use super::validate::{describe, UserProblem};
use crate::access::AccessError;
use crate::password::PasswordError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("{}", describe(.0))]
    Invalid(Vec<UserProblem>),
    #[error("A user with the email {} already exists.", crate::text::excerpt(.0))]
    DuplicateEmail(String),
    #[error("Another user is already linked to the Entra object id {0}.")]
    DuplicateEntraId(String),
    #[error("No user has the email {}.", crate::text::excerpt(.0))]
    UnknownEmail(String),
    #[error("No such user (id {0}).")]
    UnknownUser(i64),
    #[error("{0} is already deactivated.")]
    AlreadyDeactivated(String),
    #[error("{0} is already active.")]
    AlreadyActive(String),
    #[error(
        "{0} is the last active Owner and cannot be deactivated. Make another user an Owner first."
    )]
    LastOwner(String),
    #[error(
        "{0} is the last active Owner and must stay an Owner. Make another user an Owner first."
    )]
    LastOwnerRole(String),
    #[error("{email} signs in with {}, not with a password.", sign_in_name(*.method))]
    NoPasswordSignIn { email: String, method: SignInMethod },
    #[error("Your own password is changed with your current one, not set here.")]
    OwnPassword,
    #[error("You cannot deactivate your own account.")]
    SelfDeactivation,
    #[error("{0} cannot be their own manager.")]
    OwnManager(String),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for DirectoryError {
    fn code(&self) -> &'static str {
        use DirectoryError::*;
        match self {
            Invalid(_) => "invalid_user",
            DuplicateEmail(_) => "duplicate_email",
            DuplicateEntraId(_) => "duplicate_entra_id",
            UnknownEmail(_) | UnknownUser(_) => "unknown_user",
            AlreadyDeactivated(_) => "already_deactivated",
            AlreadyActive(_) => "already_active",
            LastOwner(_) | LastOwnerRole(_) => "last_owner",
            NoPasswordSignIn { .. } => "no_password_sign_in",
            OwnPassword => "own_password",
            SelfDeactivation => "self_deactivation",
            OwnManager(_) => "own_manager",
            Access(e) => e.code(),
            Password(e) => e.code(),
            Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for DirectoryError {
    fn from(e: rusqlite::Error) -> Self {
        DirectoryError::Store(e.into())
    }
}
