use crate::access::AccessError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Nothing answered, or not with a feed: said quietly, nothing else happens.
    #[error("Could not check for updates. UniAsset will try again tomorrow; you can also check now in Settings → General.")]
    CouldNotCheck,
    #[error(
        "Could not download the update ({0}). Nothing was installed; UniAsset {1} keeps running."
    )]
    CouldNotDownload(String, String),
    #[error("The update's signature does not match UniAsset's signing key, so it was refused and nothing was installed. If your organization mirrors the update feed, ask whoever runs it; otherwise tell UniAsset's support.")]
    SignatureMismatch,
    #[error("No update feed is set: this copy of UniAsset was built without one. Enter your organization's feed address below.")]
    NoFeed,
    #[error("The update feed must be a full https:// address, such as https://updates.example.com/uniasset/latest.json.")]
    FeedAddress,
    #[error("This copy of UniAsset was built from source rather than installed from a package, so it does not update itself. Install UniAsset's package to get updates.")]
    NotInstalledFromPackage,
    #[error("UniAsset is up to date: there is no newer version to install.")]
    NothingToInstall,
    #[error("A sync is running. Install the update once it has finished.")]
    SyncRunning,
    #[error("A backup or restore is running. Install the update once it has finished.")]
    BackupRunning,
    #[error("Installing an update needs administrator rights, and this computer has no pkexec to ask for them. The verified package is at {0}: install it with `sudo apt install {0}`.")]
    NeedsAdministrator(String),
    #[error("The update could not be installed ({reason}). UniAsset {running} keeps running; the verified package is at {package}.")]
    InstallFailed {
        reason: String,
        running: String,
        package: String,
    },
    #[error("The update could not be installed ({0}). UniAsset {1} keeps running.")]
    InstallerFailed(String, String),
    #[error("The update could not be saved to disk before installing: {0}.")]
    Disk(String),
}

impl crate::ErrorCode for UpdateError {
    fn code(&self) -> &'static str {
        match self {
            UpdateError::Access(e) => e.code(),
            UpdateError::Store(e) => e.code(),
            UpdateError::CouldNotCheck => "update_check_failed",
            UpdateError::CouldNotDownload(..) => "update_download_failed",
            UpdateError::SignatureMismatch => "update_signature_mismatch",
            UpdateError::NoFeed => "update_no_feed",
            UpdateError::FeedAddress => "update_feed_address",
            UpdateError::NotInstalledFromPackage => "update_not_packaged",
            UpdateError::NothingToInstall => "update_nothing_to_install",
            UpdateError::SyncRunning => "sync_running",
            UpdateError::BackupRunning => "backup_running",
            UpdateError::NeedsAdministrator(_) => "update_needs_administrator",
            UpdateError::InstallFailed { .. } | UpdateError::InstallerFailed(..) => {
                "update_install_failed"
            }
            UpdateError::Disk(_) => "update_disk",
        }
    }
}
