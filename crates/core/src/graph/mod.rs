//! A Microsoft Graph client for what UniAsset needs: the client-credentials token, users'
//! `accountEnabled`, paging, `$batch`, and delta, with retries that honour `Retry-After`.

mod batch;
mod client;
pub mod cloud;
mod deleted;
mod error;
mod retry;
mod users;

pub use client::{ClientOptions, GraphClient};
pub use error::GraphError;
pub use users::{AccountState, DeltaChange, EntraAccount, DELTA_FIELDS};
