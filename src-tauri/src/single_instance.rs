//! One UniAsset per desktop session (R-T5): a second launch hands its arguments to the
//! running one, which shows its window, and ends. A launch just as the running one quits
//! finds it still holding the session bus's name and then leaving without answering; the
//! plugin reports that as a failed start. We start over in the same process (same pid, for
//! whatever launched us) once the old one has had a moment to leave.

#[cfg(target_os = "linux")]
use std::time::Duration;

use tauri::plugin::TauriPlugin;
use tauri::Runtime;

use crate::window;

/// Counts the starts over, so an instance that holds the name and never answers cannot keep
/// us starting for ever.
const ATTEMPT_VAR: &str = "UNIASSET_START_ATTEMPT";
const MAX_ATTEMPTS: u32 = 5;

pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri_plugin_single_instance::init(|app, _args, _cwd| {
        log::info!("a second launch handed over: showing the window");
        window::show_main_window(app)
    })
}

/// Whether the app failed to start because the hand-over to the running instance failed.
pub fn handover_failed(error: &tauri::Error) -> bool {
    matches!(error, tauri::Error::PluginInitialization(plugin, _) if plugin == "single-instance")
}

/// Starts this program again with the same arguments, replacing this process; ends it with
/// the reason when it has tried enough.
pub fn start_again(error: &tauri::Error) -> ! {
    let attempt: u32 = std::env::var(ATTEMPT_VAR)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
        + 1;
    if attempt > MAX_ATTEMPTS {
        eprintln!(
            "UniAsset could not start: another UniAsset is running in this session and does \
             not answer ({error}). End it, then start UniAsset again."
        );
        std::process::exit(1);
    }
    eprintln!("UniAsset is starting again: the running UniAsset was quitting ({error})");
    wait_until_released();
    exec_self(attempt)
}

/// The name the plugin claims on the session bus: the app's identifier.
#[cfg(target_os = "linux")]
const BUS_NAME: &str = "app.uniasset.desktop.SingleInstance";
/// How long a quitting instance may take to leave the bus before we try anyway.
#[cfg(target_os = "linux")]
const RELEASE_CEILING: Duration = Duration::from_secs(30);

/// Waits until the quitting instance has left the session bus (its name has no owner), so
/// the next start claims the name instead of handing over to it again.
#[cfg(target_os = "linux")]
fn wait_until_released() {
    let Ok(bus) = zbus::blocking::Connection::session() else {
        return;
    };
    let Ok(dbus) = zbus::blocking::fdo::DBusProxy::new(&bus) else {
        return;
    };
    let Ok(name) = zbus::names::BusName::try_from(BUS_NAME) else {
        return;
    };
    let deadline = std::time::Instant::now() + RELEASE_CEILING;
    while dbus.name_has_owner(name.clone()).unwrap_or(false) && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(not(target_os = "linux"))]
fn wait_until_released() {}

#[cfg(unix)]
fn exec_self(attempt: u32) -> ! {
    use std::os::unix::process::CommandExt;
    // /proc/self/exe still runs this program after a package upgrade replaced the file.
    let program = if cfg!(target_os = "linux") {
        std::path::PathBuf::from("/proc/self/exe")
    } else {
        std::env::current_exe().unwrap_or_default()
    };
    let error = std::process::Command::new(program)
        .args(std::env::args_os().skip(1))
        .env(ATTEMPT_VAR, attempt.to_string())
        .exec();
    eprintln!("UniAsset could not start again: {error}");
    std::process::exit(1);
}

#[cfg(not(unix))]
fn exec_self(_attempt: u32) -> ! {
    eprintln!("UniAsset could not start: the running UniAsset was quitting. Start it again.");
    std::process::exit(1);
}
