//! The tray icon: UniAsset lives here while its window is closed. Sync Now runs (or joins)
//! the same core sync as the window's button, for the same person; the last result follows
//! the runner's announcements. From 30 days before the client secret expires, "Renew client
//! secret…" opens the Entra page, where renewing takes one sign-in.

use chrono::Local;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime, Wry};
use uniasset_core::entra;
use uniasset_core::sync::{self, Trigger};

use crate::state::AppState;
use crate::sync_runner::SyncRunner;
use crate::window;

const SYNC_NOW: &str = "sync-now";
const OPEN: &str = "open";
const RENEW_SECRET: &str = "renew-secret";
const QUIT: &str = "quit";

/// The menu item that shows the last sync's result, kept to update it.
pub struct LastResultItem(MenuItem<Wry>);

/// The menu and its "Renew client secret…" item, shown only while renewal is due.
struct RenewItem {
    menu: Menu<Wry>,
    item: MenuItem<Wry>,
}

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
    let renew = MenuItem::with_id(
        app,
        RENEW_SECRET,
        "Renew client secret…",
        true,
        None::<&str>,
    )?;
    app.manage(RenewItem {
        menu: menu.clone(),
        item: renew,
    });
    follow_results(app.clone());
    refresh_renewal(app.clone());
    TrayIconBuilder::with_id("main")
        .icon(Image::from_bytes(include_bytes!("../icons/tray.png"))?)
        .tooltip("UniAsset")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            SYNC_NOW => sync_now(app.clone()),
            OPEN => window::show_main_window(app),
            RENEW_SECRET => window::show_entra_page(app),
            QUIT => app.exit(0),
            _ => {}
        })
        .build(app)?;
    Ok(())
}

/// Tray → Sync Now, on behalf of the person signed in to the window, through the same
/// checks as the window's button; with nobody signed in, the window opens to sign in and
/// says why.
pub fn sync_now(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let actor = match state.store().await {
            Ok(store) => state.actor(&store),
            Err(e) => Err(e),
        };
        let actor = match actor {
            Ok(actor) => actor,
            Err(e) => {
                show_last_result(&app, &format!("Sync Now: {}", e.message));
                let why = format!("Sync Now from the tray did not run: {}", e.message);
                return window::ask_sign_in(&app, why);
            }
        };
        let runner = app.state::<SyncRunner>();
        if let Err(e) = runner.run(&app, Trigger::Tray, actor).await {
            window::show_main_window(&app);
            show_last_result(&app, &format!("Sync Now: {}", e.message));
        }
    });
}

/// Keeps "Last sync" in step with every run the runner finishes.
fn follow_results(app: AppHandle) {
    let runner = app.state::<SyncRunner>();
    let app = app.clone();
    runner.on_finished(move |outcome| {
        let at = Local::now().format("%H:%M");
        let what = match outcome {
            Ok(run) => sync::headline(&run),
            Err(e) => e.message,
        };
        show_last_result(&app, &format!("Last sync ({at}): {what}"));
        refresh_renewal(app.clone());
    });
}

/// Shows "Renew client secret…" (with the date) while renewal is due, hides it otherwise.
pub fn refresh_renewal<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let settings = match state.store().await {
            Ok(store) => entra::settings(&store).ok(),
            Err(_) => None,
        };
        let Some(renew) = app.try_state::<RenewItem>() else {
            return;
        };
        let due = settings.as_ref().filter(|s| s.renewal_due);
        let shown = renew.menu.get(RENEW_SECRET).is_some();
        match due {
            Some(settings) => {
                let expires = settings
                    .connection
                    .as_ref()
                    .and_then(|c| c.secret_expires_on.clone())
                    .unwrap_or_default();
                let _ = renew
                    .item
                    .set_text(format!("Renew client secret (expires {expires})…"));
                if !shown {
                    let _ = renew.menu.insert(&renew.item, 2);
                }
            }
            None if shown => {
                let _ = renew.menu.remove(&renew.item);
            }
            None => {}
        }
    });
}

fn show_last_result<R: Runtime>(app: &AppHandle<R>, text: &str) {
    if let Some(item) = app.try_state::<LastResultItem>() {
        let _ = item.0.set_text(text);
    }
}
