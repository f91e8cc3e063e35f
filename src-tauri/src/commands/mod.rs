//! IPC commands: each a few lines that call one core function and pass its error on.

pub mod entra;
pub mod general;
pub mod session;
pub mod users;

use uniasset_core::ErrorReport;

pub type Reply<T> = Result<T, ErrorReport>;
