use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_autostart::ManagerExt;
use tauri_plugin_opener::OpenerExt;
use uniasset_core::organization::{self, Organization};
use uniasset_core::{access, diagnostics, ErrorReport};

use super::Reply;
use crate::state::AppState;
use crate::support;

commands! {
    autostart_enabled() -> bool;
    set_autostart(enabled: bool) -> bool;
    set_idle_timeout(minutes: i64) -> Organization;
    app_version() -> String;
    diagnostics() -> String;
    open_logs_folder() -> ();
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

/// The version General shows. Asked of no session: it is no secret, and the window may show
/// it before anyone signs in.
async fn app_version<R: Runtime>(_app: AppHandle<R>) -> Reply<String> {
    Ok(support::VERSION.to_owned())
}

/// Settings → General → Copy diagnostics (Owner or Admin): the core's redacted report; the
/// window puts it on the clipboard and shows it.
async fn diagnostics<R: Runtime>(app: AppHandle<R>) -> Reply<String> {
    let state = app.state::<AppState>();
    let store = state.store().await?;
    let actor = state.actor(&store)?;
    let context = support::context(state.data_dir()?, support::log_dir(&app)?);
    Ok(diagnostics::report(&store, &actor, &context)?)
}

/// Settings → General → Open logs folder (Owner or Admin), in the system's file manager;
/// the crash reports are there too.
async fn open_logs_folder<R: Runtime>(app: AppHandle<R>) -> Reply<()> {
    {
        let state = app.state::<AppState>();
        let store = state.store().await?;
        access::check_support(&state.actor(&store)?)?;
    }
    let dir = support::log_dir(&app)?;
    // A folder not written yet (logging failed, or it was deleted) still opens.
    std::fs::create_dir_all(&dir).map_err(|e| ErrorReport {
        code: "open_failed".into(),
        message: format!("The logs folder {} could not be made: {e}", dir.display()),
    })?;
    app.opener()
        .open_path(dir.to_string_lossy(), None::<&str>)
        .map_err(|e| ErrorReport {
            code: "open_failed".into(),
            message: format!("The logs folder {} could not be opened: {e}", dir.display()),
        })
}

fn autostart_error(e: tauri_plugin_autostart::Error) -> ErrorReport {
    ErrorReport {
        code: "autostart".into(),
        message: format!("Could not change starting at login: {e}"),
    }
}
