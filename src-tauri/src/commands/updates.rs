use tauri::{AppHandle, Manager, Runtime};
use uniasset_core::access;
use uniasset_core::updates::{self, Installation, UpdateStatus};

use super::Reply;
use crate::state::AppStateExt;
use crate::updater;

commands! {
    update_status() -> UpdateStatus;
    set_update_check_daily(on: bool) -> UpdateStatus;
    set_update_feed(address: String) -> UpdateStatus;
    check_for_updates() -> UpdateStatus;
    install_update() -> UpdateStatus;
    restart_to_update() -> ();
}

/// Settings → General → Updates (Owner or Admin).
async fn update_status<R: Runtime>(app: AppHandle<R>) -> Reply<UpdateStatus> {
    let (actor, store) = app.signed_in().await?;
    Ok(updates::status(&store, &actor, &app.state::<Installation>())?)
}

async fn set_update_check_daily<R: Runtime>(app: AppHandle<R>, on: bool) -> Reply<UpdateStatus> {
    let (actor, mut store) = app.signed_in().await?;
    updates::set_check_daily(&mut store, &actor, on)?;
    Ok(updates::status(&store, &actor, &app.state::<Installation>())?)
}

/// An organization's own mirror of the feed; empty goes back to UniAsset's.
async fn set_update_feed<R: Runtime>(app: AppHandle<R>, address: String) -> Reply<UpdateStatus> {
    let (actor, mut store) = app.signed_in().await?;
    updates::set_feed(&mut store, &actor, &address)?;
    Ok(updates::status(&store, &actor, &app.state::<Installation>())?)
}

/// Check for updates: the feed is read now, on a connection of its own.
async fn check_for_updates<R: Runtime>(app: AppHandle<R>) -> Reply<UpdateStatus> {
    let (actor, mut store) = app.app_state().for_network().await?;
    access::check_updates(&actor)?;
    updater::check(&app, &mut store).await?;
    Ok(updates::status(&store, &actor, &app.state::<Installation>())?)
}

/// Install update: then the status names the version installed, which runs once UniAsset
/// starts again.
async fn install_update<R: Runtime>(app: AppHandle<R>) -> Reply<UpdateStatus> {
    let (actor, mut store) = app.app_state().for_network().await?;
    updater::install(&app, &mut store, &actor).await?;
    Ok(updates::status(&store, &actor, &app.state::<Installation>())?)
}

/// "Restart now" after an install: the same arguments, the new program.
async fn restart_to_update<R: Runtime>(app: AppHandle<R>) -> Reply<()> {
    let (actor, _) = app.signed_in().await?;
    access::check_updates(&actor)?;
    app.restart()
}
