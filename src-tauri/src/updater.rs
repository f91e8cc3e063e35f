//! Updates through Tauri's updater plugin: it reads the feed, downloads the package and
//! checks its signature against the public key UniAsset was built with; the core decides
//! where to look, whether a check is due and whether an install may start, and installs a
//! Linux package once verified. Here the two are joined, and the plugin's errors are put in
//! the core's words.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tauri::utils::config::BundleType;
use tauri::utils::platform::bundle_type;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::{Error as PluginError, Update, UpdaterExt};
use uniasset_core::access::Actor;
use uniasset_core::store::Store;
use uniasset_core::updates::{self, Answer, Installation, Package, Release, UpdateError};

use crate::state::AppState;

/// A feed that does not answer within this is "Could not check for updates".
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);
/// A package that has not arrived within this is given up (they are ~10 MB).
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(600);

/// What this copy knows of itself, decided once as it starts.
pub fn installation<R: Runtime>(app: &AppHandle<R>) -> Installation {
    let package = match bundle_type() {
        Some(BundleType::Deb) => Some(Package::Deb),
        Some(BundleType::Rpm) => Some(Package::Rpm),
        Some(BundleType::AppImage) | None => None,
        Some(_) => Some(Package::Installer),
    };
    let built_in_feed = app
        .config()
        .plugins
        .0
        .get("updater")
        .and_then(|u| u.get("endpoints"))
        .and_then(|e| e.get(0))
        .and_then(|e| e.as_str())
        .map(str::to_owned);
    Installation::new(
        &app.package_info().version.to_string(),
        package,
        built_in_feed,
    )
}

/// Asks the feed for a newer version and remembers the answer (the tray and General show
/// it until the next check). The store is the caller's own connection (`&mut`: one that may
/// wait on the network with the command).
pub async fn check<R: Runtime>(
    app: &AppHandle<R>,
    store: &mut Store,
) -> Result<Option<(Release, Update)>, UpdateError> {
    let installation = app.state::<Installation>();
    let feed = updates::feed_in_use(store, &installation)?;
    let found = ask(app, &feed).await;
    let answer = match &found {
        Ok(Some((release, _))) => Answer::Newer(release),
        Ok(None) => Answer::UpToDate,
        Err(_) => Answer::NoAnswer,
    };
    updates::remember_check(store, crate::clock::now(), answer)?;
    crate::tray::refresh_notices(app.clone());
    found
}

/// Downloads, verifies and installs the version the feed offers now, if an install may
/// start.
pub async fn install<R: Runtime>(
    app: &AppHandle<R>,
    store: &mut Store,
    by: &Actor,
) -> Result<(), UpdateError> {
    let installation = app.state::<Installation>();
    let guard = updates::begin_install(store, by, &installation)?;
    let (release, mut update) = check(app, store)
        .await?
        .ok_or(UpdateError::NothingToInstall)?;
    update.timeout = Some(DOWNLOAD_TIMEOUT);
    let bytes = update
        .download(|_, _| {}, || {})
        .await
        .map_err(|e| refused(e, &installation))?;
    log::info!("update {}: downloaded and verified", release.version);
    match installation.package {
        Some(Package::Installer) => {
            // Windows' installer ends this process as it starts: the audit log says so first.
            updates::record_installer_started(store, by, &installation, &release.version)?;
            update
                .install(&bytes)
                .map_err(|e| refused(e, &installation))?;
            updates::record_installed(store, by, &installation, &release.version)?;
        }
        _ => updates::install_linux_package(
            store,
            by,
            &guard,
            &installation,
            &release.version,
            &bytes,
        )?,
    }
    log::info!("update {}: installed", release.version);
    crate::tray::refresh_notices(app.clone());
    Ok(())
}

/// The daily check, when the core says one is due, on a connection of its own (the feed
/// may be slow); quiet when the feed cannot be read.
pub async fn check_if_due<R: Runtime>(app: &AppHandle<R>, now: DateTime<Utc>) {
    let mut store = {
        let state = app.state::<AppState>();
        let Ok(shared) = state.store().await else {
            return;
        };
        match updates::check_due(&shared, &app.state::<Installation>(), now) {
            Ok(true) => match shared.another() {
                Ok(store) => store,
                Err(e) => return log::warn!("could not check for updates: {e}"),
            },
            Ok(false) => return,
            Err(e) => return log::warn!("could not tell whether an update check is due: {e}"),
        }
    };
    match check(app, &mut store).await {
        Ok(Some((release, _))) => log::info!("update available: {}", release.version),
        Ok(None) => log::info!("daily update check: up to date"),
        Err(e) => log::info!("daily update check: {e}"),
    }
}

async fn ask<R: Runtime>(
    app: &AppHandle<R>,
    feed: &str,
) -> Result<Option<(Release, Update)>, UpdateError> {
    let could_not = |e: PluginError| {
        log::warn!("update check of {feed}: {e}");
        UpdateError::CouldNotCheck
    };
    let url = feed.parse().map_err(|_| UpdateError::FeedAddress)?;
    let updater = app
        .updater_builder()
        .endpoints(vec![url])
        .and_then(|b| b.timeout(CHECK_TIMEOUT).build())
        .map_err(could_not)?;
    let Some(update) = updater.check().await.map_err(could_not)? else {
        return Ok(None);
    };
    let release = Release {
        version: update.version.clone(),
        notes: update.body.clone().filter(|n| !n.trim().is_empty()),
        published_at: update.raw_json["pub_date"].as_str().map(str::to_owned),
    };
    Ok(Some((release, update)))
}

/// A download or an installer the plugin ran that failed, in the core's words.
fn refused(error: PluginError, installation: &Installation) -> UpdateError {
    log::warn!("update refused: {error}");
    let running = installation.version.clone();
    match error {
        PluginError::Minisign(_)
        | PluginError::Base64(_)
        | PluginError::SignatureUtf8(_)
        | PluginError::SignedVersionMismatch { .. }
        | PluginError::MissingSignedVersion => UpdateError::SignatureMismatch,
        PluginError::Reqwest(_) | PluginError::Network(_) => {
            UpdateError::CouldNotDownload(error.to_string(), running)
        }
        other => UpdateError::InstallerFailed(other.to_string(), running),
    }
}
