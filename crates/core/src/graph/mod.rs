//! A Microsoft Graph client for what UniAsset needs: the client-credentials token, users'
//! `accountEnabled`, paging, `$batch`, and delta, with retries that honour `Retry-After`;
//! and, with an administrator's device-code sign-in, the app registration UniAsset uses.

mod applications;
mod batch;
mod client;
pub mod cloud;
mod deleted;
pub mod device_code;
mod error;
mod http;
mod manager;
mod retry;
mod user_writes;
mod users;

pub use applications::{Application, NewSecret, PasswordCredential};
pub use client::GraphClient;
pub use error::GraphError;
pub use http::ClientOptions;
pub use manager::EntraManager;
pub use user_writes::{Written, ENABLE_DISABLE_ROLE, REVOKE_SESSIONS_ROLE};
pub use users::{AccountState, DeltaChange, EntraAccount, DELTA_FIELDS};
