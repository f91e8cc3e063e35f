//! What the window needs to know when it starts or comes back: is there an organization,
//! who is signed in, and for a demo organization, how to sign in to it.

use chrono::{DateTime, Utc};

use crate::access::SettingsAccess;
use crate::demo;
use crate::directory::User;
use crate::organization::{self, Organization};
use crate::sessions::{self, SessionToken};
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AppStatus {
    pub organization: Option<Organization>,
    pub signed_in: Option<User>,
    /// For a demo organization, how to sign in to it (shown on the sign-in screen).
    pub demo_sign_in: Option<String>,
    /// What the signed-in person may manage in Settings.
    pub may: Option<SettingsAccess>,
}

/// The organization (if set up) and the person holding `token` (if it is still valid at
/// `now`). Asking is not using: it does not keep an idle session alive.
pub fn status(
    store: &Store,
    token: Option<&SessionToken>,
    now: DateTime<Utc>,
) -> Result<AppStatus, StoreError> {
    let organization = organization::find(store)?;
    let demo_sign_in = organization.as_ref().filter(|o| o.demo).map(|_| {
        format!(
            "This is a demo organization with fictional data. Sign in as {} with the password \u{201c}{}\u{201d}.",
            demo::OWNER_EMAIL,
            demo::OWNER_PASSWORD
        )
    });
    let signed_in = match token {
        Some(token) => sessions::signed_in(store, token, now)?,
        None => None,
    };
    let may = signed_in
        .as_ref()
        .map(|user| SettingsAccess::of(&user.as_actor()));
    Ok(AppStatus {
        demo_sign_in,
        organization,
        signed_in,
        may,
    })
}
