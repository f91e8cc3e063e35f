//! Where the organization's data lives. The app and the `uniasset` command line must agree,
//! so both ask this module rather than their own frameworks.

use std::path::PathBuf;

/// The application identifier, also Tauri's `identifier`: the data folder's name.
pub const APP_IDENTIFIER: &str = "app.uniasset.desktop";

/// Environment variable that overrides the data directory (app and command line alike).
pub const DATA_DIR_ENV: &str = "UNIASSET_DATA_DIR";

#[derive(Debug, thiserror::Error)]
#[error("This system has no per-user application data folder; set {DATA_DIR_ENV} to choose one.")]
pub struct NoDataDir;

impl crate::ErrorCode for NoDataDir {
    fn code(&self) -> &'static str {
        "no_data_directory"
    }
}

/// `explicit` (a `--data-dir` argument) wins, then `UNIASSET_DATA_DIR`, then the platform's
/// application data folder (e.g. `~/.local/share/app.uniasset.desktop` on Linux).
pub fn resolve(explicit: Option<PathBuf>) -> Result<PathBuf, NoDataDir> {
    if let Some(dir) = explicit {
        return Ok(dir);
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join(APP_IDENTIFIER))
        .ok_or(NoDataDir)
}
