//! The tray icon: UniAsset lives here while its window is closed. Sync Now runs (or joins)
//! the same core sync as the window's button.

use chrono::Local;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime, Wry};
use uniasset_core::sync::{RunRecord, RunResult, Trigger};

use crate::state::AppState;

const SYNC_NOW: &str = "sync-now";
const OPEN: &str = "open";
const QUIT: &str = "quit";

/// The menu item that shows the last sync's result, kept to update it.
pub struct LastResultItem(MenuItem<Wry>);

pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let last = MenuItem::with_id(
        app,
        "last-result",
        "Last sync: none yet",
        false,
        None::<&str>,
    )?;
    let menu = Menu::with_items(
        app,
        &[
            &MenuItem::with_id(app, SYNC_NOW, "Sync Now", true, None::<&str>)?,
            &last,
            &PredefinedMenuItem::separator(app)?,
            &MenuItem::with_id(app, OPEN, "Open UniAsset", true, None::<&str>)?,
            &MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?,
        ],
    )?;
    app.manage(LastResultItem(last));
    TrayIconBuilder::with_id("main")
        .icon(Image::from_bytes(include_bytes!("../icons/tray.png"))?)
        .tooltip("UniAsset")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            SYNC_NOW => sync_now(app.clone()),
            OPEN => show_main_window(app),
            QUIT => app.exit(0),
            _ => {}
        })
        .build(app)?;
    Ok(())
}

/// Tray → Sync Now, on behalf of the person signed in to the window (R-D5: an Owner or
/// Admin); with nobody signed in, the window opens on the sign-in screen.
pub fn sync_now(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let actor = match state.store().await {
            Ok(store) => state.actor(&store),
            Err(e) => Err(e),
        };
        match actor {
            Ok(actor) => {
                let _ = state.runner.run(&app, Trigger::Tray, actor).await;
            }
            Err(e) => {
                show_main_window(&app);
                show_last_result(&app, &format!("Sync Now: {}", e.message));
            }
        }
    });
}

pub fn show_last_result<R: Runtime>(app: &AppHandle<R>, text: &str) {
    if let Some(item) = app.try_state::<LastResultItem>() {
        let _ = item.0.set_text(text);
    }
}

pub fn describe(run: &RunRecord) -> String {
    let at = Local::now().format("%H:%M");
    let what = match run.result {
        RunResult::Succeeded | RunResult::CompletedWithErrors => {
            let errors = if run.counts.errors > 0 {
                format!(", {} errors", run.counts.errors)
            } else {
                String::new()
            };
            format!("{} deactivated{errors}", run.counts.deactivated)
        }
        RunResult::Failed => "failed".to_owned(),
        RunResult::HeldForReview => "held for review".to_owned(),
        RunResult::Running => "running".to_owned(),
    };
    format!("Last sync ({at}): {what}")
}

pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}
