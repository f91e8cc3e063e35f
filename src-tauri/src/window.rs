//! The main window exists only while it is open. Closing it destroys the webview, and with
//! it WebKit's web process, so UniAsset holds little memory in the tray; opening it again
//! builds a fresh one whose screens load from the core (the session lives in the shell, not
//! the page). Started with `--minimized` (at login), no window is built at all.

use std::sync::Mutex;

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

use crate::commands::events;

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

/// Opens the window to sign in, saying `why`.
pub fn ask_sign_in<R: Runtime>(app: &AppHandle<R>, why: String) {
    if let Some(notice) = app.try_state::<SignInNotice>() {
        *notice.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
    }
    show_main_window(app);
    // An open window takes the notice now; a new one on start.
    let _ = events::sign_in_needed(app, &());
}
