//! UniAsset's deprovision core. Every rule of the product lives here, enforced whoever the
//! caller is (the Tauri shell, the `uniasset` command line, tests). It knows nothing of
//! Tauri, GTK or the webview. The rules (R-D1, R-S4, …) are defined in docs/rules.md; the
//! layers its modules form, and why, in docs/architecture.md.

pub mod access;
pub mod alerts;
pub mod app_status;
pub mod assets;
pub mod audit;
pub mod backup;
pub mod clock;
pub mod data_dir;
pub mod demo;
pub mod details;
pub mod diagnostics;
pub mod directory;
pub mod entra;
pub mod error_code;
pub mod first_run;
pub mod graph;
pub mod home;
pub mod leavers;
pub mod organization;
pub mod overview;
pub mod password;
pub mod plan_change;
pub mod schedule;
pub mod secrets;
pub mod sessions;
pub mod spreadsheet;
pub mod store;
pub mod sync;
pub mod text;
pub mod text_enum;
mod timestamp;
pub mod updates;

pub use error_code::{ErrorCode, ErrorReport};
