use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_autostart::ManagerExt;
use uniasset_core::access;
use uniasset_core::organization::{self, Organization};
use uniasset_core::ErrorReport;

use super::Reply;
use crate::state::AppState;

commands! {
    autostart_enabled() -> bool;
    set_autostart(enabled: bool) -> bool;
    set_idle_timeout(minutes: i64) -> Organization;
}

/// "Start UniAsset at login" (R-T5), so the nightly sync keeps running after a reboot.
/// Anyone signed in may see it; only an Owner or Admin may change it.
async fn autostart_enabled<R: Runtime>(app: AppHandle<R>) -> Reply<bool> {
    let state = app.state::<AppState>();
    state.actor(&*state.store().await?)?;
    app.autolaunch().is_enabled().map_err(autostart_error)
}

async fn set_autostart<R: Runtime>(app: AppHandle<R>, enabled: bool) -> Reply<bool> {
    let state = app.state::<AppState>();
    let store = state.store().await?;
    access::check_start_at_login(&state.actor(&store)?)?;
    let launcher = app.autolaunch();
    if enabled {
        launcher.enable()
    } else {
        launcher.disable()
    }
    .map_err(autostart_error)?;
    launcher.is_enabled().map_err(autostart_error)
}

/// Settings → General: minutes without use before a session ends (Owner or Admin).
async fn set_idle_timeout<R: Runtime>(app: AppHandle<R>, minutes: i64) -> Reply<Organization> {
    let state = app.state::<AppState>();
    let mut store = state.store().await?;
    let actor = state.actor(&store)?;
    Ok(organization::set_idle_timeout(&mut store, &actor, minutes)?)
}

fn autostart_error(e: tauri_plugin_autostart::Error) -> ErrorReport {
    ErrorReport {
        code: "autostart".into(),
        message: format!("Could not change starting at login: {e}"),
    }
}
