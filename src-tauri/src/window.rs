//! The main window exists only while it is open. Closing it destroys the webview, and with
//! it WebKit's web process, so UniAsset holds little memory in the tray; opening it again
//! builds a fresh one whose screens load from the core (the session lives in the shell, not
//! the page). Started with `--minimized` (at login), no window is built at all.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

use crate::events;

/// The window's label; the capability that lets it call the app's commands names it.
pub const MAIN: &str = "main";

/// Shows the main window, building it if it is closed, and brings it to the front.
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    let window = match app.get_webview_window(MAIN) {
        Some(window) => window,
        None => match build(app) {
            Ok(window) => window,
            Err(e) => {
                log::error!("UniAsset could not open its window: {e}");
                return;
            }
        },
    };
    let _ = window.show();
    let _ = window.unminimize();
    let _ = window.set_focus();
}

/// After the window is destroyed: WebKitGTK keeps its network process as long as the web
/// context, which Tauri keeps for the app's lifetime on Linux (tauri#14626), so it would hold
/// its memory all night for nothing. With no page left it is ended; WebKit starts a new one
/// for the next window.
pub fn destroyed<R: Runtime>(app: &AppHandle<R>) {
    if under_webdriver() {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        // The web process closes the page first: WebKit would start a new network process
        // for a web process still running. However long that takes (a busy machine), it is
        // waited for, not guessed; a window opened meanwhile keeps the network process.
        let started = Instant::now();
        while has_child(WEB_PROCESS) {
            if app.get_webview_window(MAIN).is_some() {
                return;
            }
            if started.elapsed() > WEB_PROCESS_CEILING {
                log::warn!(
                    "the closed window's web process still runs; WebKit's network process is kept"
                );
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let handle = app.clone();
        // On the main thread, where windows are built: none can appear between the check and
        // the end of the process.
        let _ = app.run_on_main_thread(move || {
            if handle.get_webview_window(MAIN).is_none() {
                end_network_process();
            }
        });
    });
}

/// The kernel keeps 15 bytes of a process name: WebKitWebProcess, WebKitNetworkProcess.
const WEB_PROCESS: &str = "WebKitWebProces";
#[cfg(target_os = "linux")]
const NETWORK_PROCESS: &str = "WebKitNetworkPr";
/// How long a closed window's web process may take to end before UniAsset leaves WebKit be.
const WEB_PROCESS_CEILING: Duration = Duration::from_secs(300);

/// Under WebDriver (tauri-driver starts the app with this variable) the automation session
/// needs the network process: ending it would end the test's session.
fn under_webdriver() -> bool {
    std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true")
}

#[cfg(target_os = "linux")]
fn end_network_process() {
    for pid in children(NETWORK_PROCESS) {
        // SAFETY: a plain signal to our own child process, found just above.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    }
    log::info!("the closed window's WebKit processes have ended");
}

#[cfg(target_os = "linux")]
fn has_child(name: &str) -> bool {
    !children(name).is_empty()
}

/// Our child processes called `name` that still run (ended ones not yet reaped are not).
#[cfg(target_os = "linux")]
fn children(name: &str) -> Vec<i32> {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (name) state ppid …"; the kernel keeps 15 bytes of the name.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let child = head.split_once('(').map_or("", |(_, name)| name);
        let mut fields = rest.split_whitespace();
        let state = fields.next();
        let parent = fields.next().and_then(|p| p.parse().ok());
        if parent == Some(me) && child == name && state != Some("Z") {
            found.push(pid);
        }
    }
    found
}

#[cfg(not(target_os = "linux"))]
fn end_network_process() {}

#[cfg(not(target_os = "linux"))]
fn has_child(_name: &str) -> bool {
    false
}

fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    WebviewWindowBuilder::new(app, MAIN, WebviewUrl::default())
        .title("UniAsset")
        .inner_size(1180.0, 760.0)
        .min_inner_size(1024.0, 700.0)
        // Shown once built, by `show_main_window`, like the other ways of opening it.
        .visible(false)
        .build()
}

/// Why the window was opened to sign in (tray → Sync Now with nobody signed in), until the
/// window has said it: a window being built now is not listening yet, so it asks on start.
#[derive(Default)]
pub struct SignInNotice(Mutex<Option<String>>);

impl SignInNotice {
    pub fn take(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// A screen the tray asked the window to show ("entra" for Renew client secret…, "backups"
/// for Back up now…), until the window has shown it: like the sign-in notice, a window being
/// built asks on start.
#[derive(Default)]
pub struct PageRequest(Mutex<Option<String>>);

impl PageRequest {
    pub fn take(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// Opens the window on a screen (see `PageRequest`).
pub fn show_page<R: Runtime>(app: &AppHandle<R>, page: &str) {
    if let Some(request) = app.try_state::<PageRequest>() {
        *request.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(page.to_owned());
    }
    show_main_window(app);
    let _ = events::page_requested(app, &());
}

/// Opens the window to sign in, saying `why`.
pub fn ask_sign_in<R: Runtime>(app: &AppHandle<R>, why: String) {
    if let Some(notice) = app.try_state::<SignInNotice>() {
        *notice.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
    }
    show_main_window(app);
    // An open window takes the notice now; a new one on start.
    let _ = events::sign_in_needed(app, &());
}
