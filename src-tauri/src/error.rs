//! What can go wrong in the shell itself: the system refusing to open a folder, a page or a
//! file, starting at login, a blocking thread that stopped, the demo's tenant, a sync run
//! that panicked. Each has a stable code, as the core's errors do, and reaches the window
//! the same way (`ErrorReport` through the core's `ErrorCode`). The core's own errors never
//! pass through here: the shell passes them on unchanged.

use uniasset_core::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum ShellError {
    /// `folder` is what the window calls it ("backup folder"), `path` where it is.
    #[error("The {folder} {path} could not be made: {error}")]
    FolderNotMade {
        folder: &'static str,
        path: String,
        error: std::io::Error,
    },
    #[error("The {folder} {path} could not be opened: {error}")]
    FolderNotOpened {
        folder: &'static str,
        path: String,
        error: tauri_plugin_opener::Error,
    },
    #[error("The document could not be opened: {0}")]
    DocumentNotOpened(tauri_plugin_opener::Error),
    #[error("The browser could not be opened at {url}: {error}. Open that address yourself.")]
    BrowserNotOpened {
        url: String,
        error: tauri_plugin_opener::Error,
    },
    /// Work on a blocking thread ended without an answer (`work`: "backup", "restore").
    #[error("The {work} stopped unexpectedly: {error}")]
    Stopped {
        work: &'static str,
        error: tauri::Error,
    },
    #[error("Could not change starting at login: {0}")]
    Autostart(tauri_plugin_autostart::Error),
    #[error("The demo's simulated Entra tenant could not start: {0}")]
    DemoTenant(std::io::Error),
    #[error("This system gives UniAsset no folder for its logs: {0}")]
    NoLogFolder(tauri::Error),
    #[error(
        "The sync stopped on an internal error. Nobody was deactivated; the next run starts again."
    )]
    SyncCrashed,
}

impl ErrorCode for ShellError {
    fn code(&self) -> &'static str {
        match self {
            ShellError::FolderNotMade { .. }
            | ShellError::FolderNotOpened { .. }
            | ShellError::DocumentNotOpened(_)
            | ShellError::BrowserNotOpened { .. } => "open_failed",
            ShellError::Stopped { .. } => "unexpected",
            ShellError::Autostart(_) => "autostart",
            ShellError::DemoTenant(_) => "demo_tenant",
            ShellError::NoLogFolder(_) => "no_log_folder",
            ShellError::SyncCrashed => "sync_crashed",
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use uniasset_core::ErrorReport;

    use super::ShellError;

    /// The codes and words the window received before this type, unchanged.
    #[test]
    fn reports_keep_their_codes_and_words() {
        let cases = [
            (
                ShellError::FolderNotMade {
                    folder: "logs folder",
                    path: "/home/o/logs".into(),
                    error: io::Error::other("denied"),
                },
                "open_failed",
                "The logs folder /home/o/logs could not be made: denied",
            ),
            (
                ShellError::DemoTenant(io::Error::other("no port")),
                "demo_tenant",
                "The demo's simulated Entra tenant could not start: no port",
            ),
            (
                ShellError::SyncCrashed,
                "sync_crashed",
                "The sync stopped on an internal error. Nobody was deactivated; the next run \
                 starts again.",
            ),
        ];
        for (error, code, message) in cases {
            assert_eq!(
                ErrorReport::from(error),
                ErrorReport {
                    code: code.into(),
                    message: message.into(),
                }
            );
        }
    }
}
