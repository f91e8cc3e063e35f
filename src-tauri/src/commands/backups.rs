//! Backups (Settings → General, and the first-run screen's "Restore from a backup"): each
//! command calls one core function. Backing up and restoring read and write whole files, so
//! they run on a blocking thread with a connection of their own.

use std::path::{Path, PathBuf};

use tauri::{AppHandle, Runtime};
use uniasset_core::access::Actor;
use uniasset_core::backup::{
    self, BackupInfo, BackupSettingsInput, BackupStatus, Restorer, RestoreOutcome,
};
use uniasset_core::secrets::BackupPassphrase;

use super::Reply;
use crate::error::ShellError;
use crate::state::AppStateExt;

commands! {
    backup_status() -> BackupStatus;
    backup_now() -> BackupStatus;
    save_backup_settings(input: BackupSettingsInput) -> BackupStatus;
    set_backup_passphrase(passphrase: Option<String>) -> BackupStatus;
    inspect_backup(path: String, passphrase: Option<String>) -> BackupInfo;
    restore_backup(path: String, passphrase: Option<String>) -> RestoreOutcome;
    open_backup_folder() -> ();
}

async fn backup_status<R: Runtime>(app: AppHandle<R>) -> Reply<BackupStatus> {
    let (_, store) = app.signed_in().await?;
    Ok(backup::status(&store)?)
}

async fn backup_now<R: Runtime>(app: AppHandle<R>) -> Reply<BackupStatus> {
    let (actor, own) = app.app_state().for_network().await?;
    let status = blocking(move || {
        let mut own = own;
        backup::create(&mut own, &actor, None)?;
        Ok(backup::status(&own)?)
    })
    .await?;
    crate::tray::refresh_notices(app.clone());
    Ok(status)
}

async fn save_backup_settings<R: Runtime>(
    app: AppHandle<R>,
    input: BackupSettingsInput,
) -> Reply<BackupStatus> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(backup::save_settings(&mut store, &actor, &input)?)
}

async fn set_backup_passphrase<R: Runtime>(
    app: AppHandle<R>,
    passphrase: Option<String>,
) -> Reply<BackupStatus> {
    let (actor, mut store) = app.signed_in().await?;
    let passphrase = passphrase.map(BackupPassphrase::new);
    Ok(backup::set_passphrase(
        &mut store,
        &actor,
        passphrase.as_ref(),
    )?)
}

/// What a file holds, before anything is replaced; at first run too (nobody signed in).
async fn inspect_backup<R: Runtime>(
    _app: AppHandle<R>,
    path: String,
    passphrase: Option<String>,
) -> Reply<BackupInfo> {
    let path = PathBuf::from(path);
    blocking(move || {
        let passphrase = passphrase.map(BackupPassphrase::new);
        Ok(backup::inspect(&path, passphrase.as_ref())?)
    })
    .await
}

/// Signed in, the restorer is that person (the core requires an Owner); at first run, with
/// nobody signed in, the core requires a data directory without an organization.
async fn restore_backup<R: Runtime>(
    app: AppHandle<R>,
    path: String,
    passphrase: Option<String>,
) -> Reply<RestoreOutcome> {
    let state = app.app_state();
    let restorer = {
        let store = state.store().await?;
        match state.actor(&store) {
            Ok(Actor::Person(person)) => Restorer::Owner {
                user_id: person.user_id,
            },
            _ => Restorer::FirstRun,
        }
    };
    let path = PathBuf::from(path);
    let passphrase = passphrase.map(BackupPassphrase::new);
    let outcome = state
        .with_store_closed(move |dir| backup::restore(&dir, &path, passphrase.as_ref(), restorer))
        .await??;
    crate::tray::refresh_notices(app.clone());
    Ok(outcome)
}

async fn open_backup_folder<R: Runtime>(app: AppHandle<R>) -> Reply<()> {
    let folder = {
        let (_, store) = app.signed_in().await?;
        backup::status(&store)?.folder
    };
    super::open_folder(&app, "backup folder", Path::new(&folder))
}

/// File work off the async runtime's threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Reply<T> + Send + 'static,
) -> Reply<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|error| ShellError::Stopped {
            work: "backup",
            error,
        })?
}
