use tauri::{AppHandle, Runtime};
use tauri_plugin_autostart::ManagerExt;
use uniasset_core::organization::{self, Organization};
use uniasset_core::{access, diagnostics};

use super::Reply;
use crate::error::ShellError;
use crate::state::AppStateExt;
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
    app.signed_in().await?;
    Ok(app.autolaunch().is_enabled().map_err(ShellError::Autostart)?)
}

async fn set_autostart<R: Runtime>(app: AppHandle<R>, enabled: bool) -> Reply<bool> {
    let (actor, _store) = app.signed_in().await?;
    access::check_start_at_login(&actor)?;
    let launcher = app.autolaunch();
    if enabled {
        launcher.enable()
    } else {
        launcher.disable()
    }
    .map_err(ShellError::Autostart)?;
    Ok(launcher.is_enabled().map_err(ShellError::Autostart)?)
}

/// Settings → General: minutes without use before a session ends (Owner or Admin).
async fn set_idle_timeout<R: Runtime>(app: AppHandle<R>, minutes: i64) -> Reply<Organization> {
    let (actor, mut store) = app.signed_in().await?;
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
    let (actor, store) = app.signed_in().await?;
    let context = support::context(app.app_state().data_dir()?, support::log_dir(&app)?);
    Ok(diagnostics::report(&store, &actor, &context)?)
}

/// Settings → General → Open logs folder (Owner or Admin), in the system's file manager;
/// the crash reports are there too.
async fn open_logs_folder<R: Runtime>(app: AppHandle<R>) -> Reply<()> {
    let (actor, _) = app.signed_in().await?;
    access::check_support(&actor)?;
    // Logging may have failed, or the folder been deleted: `open_folder` makes it first.
    super::open_folder(&app, "logs folder", &support::log_dir(&app)?)
}
