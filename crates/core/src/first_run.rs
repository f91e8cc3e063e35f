//! First-run setup in the window: the organization, its Owner, and the Owner signed in, so
//! the window goes straight to Home instead of asking for the password just chosen.

use chrono::{DateTime, Utc};

use crate::organization::{self, NewOrganization, OrganizationError};
use crate::sessions::{self, SignInError, SignedIn};
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum FirstRunError {
    #[error(transparent)]
    Organization(#[from] OrganizationError),
    #[error(transparent)]
    SignIn(#[from] SignInError),
}

impl crate::ErrorCode for FirstRunError {
    fn code(&self) -> &'static str {
        match self {
            FirstRunError::Organization(e) => e.code(),
            FirstRunError::SignIn(e) => e.code(),
        }
    }
}

/// Creates the organization (the Owner must have a password: the window is the only way
/// in) and starts the Owner's session.
pub fn set_up(
    store: &mut Store,
    setup: &NewOrganization,
    now: DateTime<Utc>,
) -> Result<SignedIn, FirstRunError> {
    organization::create_first_run(store, setup)?;
    Ok(sessions::start_proved(
        store,
        setup.owner_email.trim(),
        now,
    )?)
}
