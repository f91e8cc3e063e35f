//! In-app updates (issue 28): where this installation looks for new versions, whether it
//! looks every day, what the latest look found, and the rules around installing one — only
//! an Owner or Admin, only a copy installed from a package, never while a sync, a backup or
//! a restore runs. Reading the feed, checking its signature and running Windows' and macOS'
//! installers is the Tauri updater plugin's work, in the shell; a Linux package is installed
//! here (install.rs), once the plugin has verified it.

mod error;
mod feed;
mod install;
mod installation;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::access::{self, Actor};
use crate::audit;
use crate::store::{Store, StoreError};
use crate::timestamp;

pub use error::UpdateError;
pub use install::{
    begin_install, install_linux_package, record_installed, record_installer_started, InstallGuard,
};
pub use installation::{Installation, Package, FEED_VARIABLE};

/// A daily check waits this long after the last try, answered or not.
const CHECK_EVERY: Duration = Duration::hours(24);

/// A newer version a feed offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Release {
    pub version: String,
    /// The release notes, shown before installing.
    pub notes: Option<String>,
    /// When it was published (RFC 3339), when the feed says.
    pub published_at: Option<String>,
}

/// Settings → General → Updates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct UpdateStatus {
    pub current_version: String,
    pub check_daily: bool,
    /// The address saved in General (an organization's own mirror).
    pub saved_feed: Option<String>,
    /// Set by `UNIASSET_UPDATE_FEED`; it wins over the saved one.
    pub feed_from_environment: Option<String>,
    /// The feed a check reads now; None: none is set.
    pub feed_in_use: Option<String>,
    pub last_checked_at: Option<String>,
    /// A version newer than this one, as the latest check found (none once it is installed).
    pub available: Option<Release>,
    /// A newer version already installed, which runs once UniAsset starts again.
    pub installed: Option<String>,
    /// Why this copy cannot install updates (built from source), when it cannot.
    pub cannot_install: Option<String>,
}

pub fn status(
    store: &Store,
    by: &Actor,
    installation: &Installation,
) -> Result<UpdateStatus, UpdateError> {
    access::check_updates(by)?;
    let saved = saved(store)?;
    Ok(UpdateStatus {
        current_version: installation.version.clone(),
        check_daily: saved.check_daily,
        feed_in_use: feed::in_use(installation, saved.feed.as_deref()).ok(),
        saved_feed: saved.feed.clone(),
        feed_from_environment: installation.feed_from_environment.clone(),
        last_checked_at: saved.last_checked_at.clone(),
        installed: saved.installed(&installation.version),
        available: saved.available(&installation.version),
        cannot_install: installation
            .package
            .is_none()
            .then(|| UpdateError::NotInstalledFromPackage.to_string()),
    })
}

/// The address a check reads: the environment's, else the one saved in General, else the
/// build's; each must be https.
pub fn feed_in_use(store: &Store, installation: &Installation) -> Result<String, UpdateError> {
    feed::in_use(installation, saved(store)?.feed.as_deref())
}

pub fn set_check_daily(store: &mut Store, by: &Actor, on: bool) -> Result<(), UpdateError> {
    access::check_updates(by)?;
    let detail = if on {
        "UniAsset checks for updates every day"
    } else {
        "Daily update checks turned off"
    };
    change_setting(
        store,
        by,
        "UPDATE updates SET check_daily = ?1 WHERE id = 1 AND check_daily <> ?1",
        &on,
        detail.to_owned(),
    )
}

/// Saves an organization's own feed address; empty goes back to the build's.
pub fn set_feed(store: &mut Store, by: &Actor, address: &str) -> Result<(), UpdateError> {
    access::check_updates(by)?;
    let address = address.trim();
    let feed = (!address.is_empty())
        .then(|| feed::checked(address))
        .transpose()?;
    let detail = match &feed {
        Some(f) => format!("Updates are read from {f}"),
        None => "Updates are read from the feed UniAsset was built with".to_owned(),
    };
    change_setting(
        store,
        by,
        "UPDATE updates SET feed = ?1 WHERE id = 1 AND feed IS NOT ?1",
        &feed,
        detail,
    )
}

/// Runs `update`, which changes the row only when the value differs, and records `detail`
/// in the audit log when it did, in one transaction.
fn change_setting(
    store: &mut Store,
    by: &Actor,
    update: &str,
    value: &dyn rusqlite::ToSql,
    detail: String,
) -> Result<(), UpdateError> {
    let tx = store.write()?;
    let changed = tx.execute(update, [value]).map_err(StoreError::from)?;
    if changed > 0 {
        let entry = audit::Entry::organization("updates.settings_changed").detail(detail);
        audit::record(&tx, by, entry)?;
    }
    tx.commit().map_err(StoreError::from)?;
    Ok(())
}

/// Whether the daily check is due: on, a feed to read, and a day since the last try.
pub fn check_due(
    store: &Store,
    installation: &Installation,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let saved = saved(store)?;
    let last = saved.last_attempt_at.as_deref().and_then(timestamp::parse);
    Ok(saved.check_daily
        && feed::in_use(installation, saved.feed.as_deref()).is_ok()
        && last.is_none_or(|at| now - at >= CHECK_EVERY))
}

/// What a look at the feed came to.
#[derive(Debug, Clone, Copy)]
pub enum Answer<'a> {
    Newer(&'a Release),
    UpToDate,
    /// The feed could not be read: remembered as a try only.
    NoAnswer,
}

/// Stores what a check found, for General and the tray until the next one.
pub fn remember_check(
    store: &Store,
    now: DateTime<Utc>,
    answer: Answer<'_>,
) -> Result<(), StoreError> {
    let at = timestamp::at(now);
    let release = match answer {
        Answer::Newer(release) => Some(release),
        Answer::UpToDate => None,
        Answer::NoAnswer => {
            store
                .conn()
                .execute("UPDATE updates SET last_attempt_at = ?1 WHERE id = 1", [at])?;
            return Ok(());
        }
    };
    store.conn().execute(
        "UPDATE updates SET last_attempt_at = ?1, last_checked_at = ?1, available_version = ?2,
                 available_notes = ?3, available_date = ?4 WHERE id = 1",
        rusqlite::params![
            at,
            release.map(|r| &r.version),
            release.and_then(|r| r.notes.as_ref()),
            release.and_then(|r| r.published_at.as_ref()),
        ],
    )?;
    Ok(())
}

/// The newer version the latest check found and nobody has installed yet, for the tray's
/// "Update available".
pub fn available(store: &Store, running: &str) -> Result<Option<Release>, StoreError> {
    Ok(saved(store)?.available(running))
}

/// A newer version installed while `running` still runs, for the tray's "Restart…".
pub fn installed(store: &Store, running: &str) -> Result<Option<String>, StoreError> {
    Ok(saved(store)?.installed(running))
}

/// Whether `offered` is a later version than `running`; a version that is not semver is
/// never newer.
pub fn newer(offered: &str, running: &str) -> bool {
    match (
        semver::Version::parse(offered),
        semver::Version::parse(running),
    ) {
        (Ok(offered), Ok(running)) => offered > running,
        _ => false,
    }
}

struct Saved {
    check_daily: bool,
    feed: Option<String>,
    last_checked_at: Option<String>,
    last_attempt_at: Option<String>,
    available: Option<Release>,
    installed_version: Option<String>,
}

impl Saved {
    fn installed(&self, running: &str) -> Option<String> {
        self.installed_version.clone().filter(|v| newer(v, running))
    }

    fn available(self, running: &str) -> Option<Release> {
        let installed = self.installed(running);
        self.available.filter(|r| {
            newer(&r.version, running) && installed.as_ref().is_none_or(|i| newer(&r.version, i))
        })
    }
}

fn saved(store: &Store) -> Result<Saved, StoreError> {
    Ok(store.conn().query_row(
        "SELECT check_daily, feed, last_checked_at, available_version, available_notes,
                available_date, installed_version, last_attempt_at
         FROM updates WHERE id = 1",
        [],
        |r| {
            let version: Option<String> = r.get(3)?;
            let (notes, published_at) = (r.get(4)?, r.get(5)?);
            Ok(Saved {
                check_daily: r.get(0)?,
                feed: r.get(1)?,
                last_checked_at: r.get(2)?,
                available: version.map(|version| Release {
                    version,
                    notes,
                    published_at,
                }),
                installed_version: r.get(6)?,
                last_attempt_at: r.get(7)?,
            })
        },
    )?)
}
