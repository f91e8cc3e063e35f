//! What the running program knows of itself: its version, how it was installed, and which
//! feeds its build and its environment name.

/// An organization's own mirror for this process, winning over General's address.
pub const FEED_VARIABLE: &str = "UNIASSET_UPDATE_FEED";

/// How this copy of UniAsset came to the computer, which decides how it updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Package {
    Deb,
    Rpm,
    /// Windows' NSIS or MSI installer, macOS' app bundle: the updater plugin installs those.
    Installer,
}

/// What the running program knows of itself, from its build and its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installation {
    pub version: String,
    /// None: built from source (`cargo build`), which does not update itself.
    pub package: Option<Package>,
    /// The feed this build names (the release build sets it).
    pub built_in_feed: Option<String>,
    /// `UNIASSET_UPDATE_FEED`, which wins over the address saved in General.
    pub feed_from_environment: Option<String>,
}

impl Installation {
    pub fn new(version: &str, package: Option<Package>, built_in_feed: Option<String>) -> Self {
        Installation {
            version: version.to_owned(),
            package,
            built_in_feed,
            feed_from_environment: std::env::var(FEED_VARIABLE)
                .ok()
                .filter(|v| !v.trim().is_empty()),
        }
    }
}
