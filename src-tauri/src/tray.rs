//! The tray icon: UniAsset lives here while its window is closed. Sync Now runs (or joins)
//! the same core sync as the window's button, for the same person; the last result follows
//! the runner's announcements (a frequent check that found nothing new is not a run: it
//! leaves "Last sync" alone). While frequent checks are on, "Last checked HH:MM" says when
//! UniAsset last looked. Three notices come and go: from 30 days before the client secret
//! expires, "Renew client secret…" opens the Entra page; after 3 days without a good backup,
//! "Back up now…" opens General, where the Backups card is; while leavers' assets are overdue,
//! "N overdue assets to recover…" opens Assets → Leavers; once a check found a newer version,
//! "Update available…" opens General's Updates card, with its release notes (and once it is
//! installed, "Restart to use…" opens it too, where Restart now is).

use chrono::{DateTime, Local};
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime, Wry};
use uniasset_core::backup;
use uniasset_core::entra;
use uniasset_core::leavers;
use uniasset_core::schedule;
use uniasset_core::store::Store;
use uniasset_core::sync::{self, Trigger};
use uniasset_core::updates::{self, Installation};

use crate::clock;
use crate::state::{AppState, AppStateExt};
use crate::sync_runner::SyncRunner;
use crate::window;

const SYNC_NOW: &str = "sync-now";
const OPEN: &str = "open";
const RENEW_SECRET: &str = "renew-secret";
const BACK_UP: &str = "back-up";
const OVERDUE: &str = "overdue";
const UPDATE: &str = "update";
const LAST_CHECKED: &str = "last-checked";
const QUIT: &str = "quit";

/// The menu item that shows the last sync's result, kept to update it.
pub struct LastResultItem(MenuItem<Wry>);

/// The menu and its notices, each shown only while it applies, just below the last result.
struct Notices {
    menu: Menu<Wry>,
    last_checked: MenuItem<Wry>,
    renew: MenuItem<Wry>,
    back_up: MenuItem<Wry>,
    overdue: MenuItem<Wry>,
    update: MenuItem<Wry>,
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
    let notice = |id| MenuItem::with_id(app, id, "", true, None::<&str>);
    app.manage(Notices {
        menu: menu.clone(),
        // Information, like the last result: not clickable.
        last_checked: MenuItem::with_id(app, LAST_CHECKED, "", false, None::<&str>)?,
        renew: notice(RENEW_SECRET)?,
        back_up: notice(BACK_UP)?,
        overdue: notice(OVERDUE)?,
        update: notice(UPDATE)?,
    });
    follow_results(app.clone());
    refresh_notices(app.clone());
    TrayIconBuilder::with_id("main")
        .icon(Image::from_bytes(include_bytes!("../icons/tray.png"))?)
        .tooltip("UniAsset")
        .menu(&menu)
        .on_menu_event(|app, event| {
            let id = event.id().as_ref();
            match id {
                SYNC_NOW => sync_now(app.clone()),
                OPEN => window::show_main_window(app),
                RENEW_SECRET => window::show_page(app, "entra"),
                BACK_UP => window::show_page(app, "backups"),
                OVERDUE => window::show_page(app, "leavers"),
                UPDATE => window::show_page(app, "updates"),
                QUIT => app.exit(0),
                _ => {}
            }
            // Once done (a window built or shown, a sync started): what was clicked, for
            // support, and for the end-to-end tests, which wait for it instead of pausing.
            log::info!("tray menu: {id} handled");
        })
        .build(app)?;
    Ok(())
}

/// Tray → Sync Now, on behalf of the person signed in to the window, through the same
/// checks as the window's button; with nobody signed in, the window opens to sign in and
/// says why.
pub fn sync_now(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let actor = match app.signed_in().await {
            Ok((actor, _)) => actor,
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

/// Keeps "Last sync" in step with every run the runner finishes, and "Last checked" with
/// every check.
fn follow_results(app: AppHandle) {
    let runner = app.state::<SyncRunner>();
    let app = app.clone();
    runner.on_finished(move |outcome| {
        let at = clock::now().with_timezone(&Local).format("%H:%M");
        let what = match outcome {
            Ok(run) if run.quiet() => None,
            Ok(run) => Some(sync::headline(&run)),
            Err(e) => Some(e.message),
        };
        if let Some(what) = what {
            show_last_result(&app, &format!("Last sync ({at}): {what}"));
        }
        refresh_notices(app.clone());
    });
}

/// Shows each notice while it applies (the core decides), with its words, hides it otherwise.
pub fn refresh_notices<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let (checked, renew, back_up, overdue, update) = match state.store().await {
            Ok(store) => (
                last_checked(&store),
                renewal_notice(&store),
                backup_notice(&store),
                overdue_notice(&store),
                update_notice(&app, &store),
            ),
            Err(_) => (None, None, None, None, None),
        };
        let Some(notices) = app.try_state::<Notices>() else {
            return;
        };
        // Bottom-up, so each goes in at its place whichever is shown.
        show_notice(&notices.menu, &notices.update, UPDATE, update);
        show_notice(&notices.menu, &notices.overdue, OVERDUE, overdue);
        show_notice(&notices.menu, &notices.back_up, BACK_UP, back_up);
        show_notice(&notices.menu, &notices.renew, RENEW_SECRET, renew);
        show_notice(&notices.menu, &notices.last_checked, LAST_CHECKED, checked);
    });
}

/// "Last checked 14:05" in local time, while frequent checks are on.
fn last_checked(store: &Store) -> Option<String> {
    let checks = schedule::frequent_checks(store, clock::now()).ok()?;
    checks.every_minutes?;
    let Some(at) = checks
        .last_checked_at
        .as_deref()
        .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
    else {
        return Some("Last checked: not yet".to_owned());
    };
    let paused = if checks.paused.is_some() {
        " (frequent checks paused)"
    } else {
        ""
    };
    let at = at.with_timezone(&Local).format("%H:%M");
    Some(format!("Last checked {at}{paused}"))
}

fn renewal_notice(store: &Store) -> Option<String> {
    let settings = entra::settings(store).ok().filter(|s| s.renewal_due)?;
    let expires = settings.connection?.secret_expires_on.unwrap_or_default();
    Some(format!("Renew client secret (expires {expires})…"))
}

fn backup_notice(store: &Store) -> Option<String> {
    let status = backup::status(store).ok().filter(|s| s.overdue)?;
    Some(match status.last_good {
        Some(last) => format!(
            "Back up now (last good backup {})…",
            last.created_at.get(..10).unwrap_or(&last.created_at)
        ),
        None => "Back up now (no backup yet)…".to_owned(),
    })
}

fn overdue_notice(store: &Store) -> Option<String> {
    match leavers::overdue_count(store).ok()? {
        0 => None,
        1 => Some("1 overdue asset to recover…".to_owned()),
        n => Some(format!("{n} overdue assets to recover…")),
    }
}

fn update_notice<R: Runtime>(app: &AppHandle<R>, store: &Store) -> Option<String> {
    let running = &app.try_state::<Installation>()?.version;
    if let Some(installed) = updates::installed(store, running).ok()? {
        return Some(format!("Restart to use UniAsset {installed}…"));
    }
    let release = updates::available(store, running).ok()??;
    Some(format!("Update available: UniAsset {}…", release.version))
}

fn show_notice(menu: &Menu<Wry>, item: &MenuItem<Wry>, id: &str, text: Option<String>) {
    let shown = menu.get(id).is_some();
    match text {
        Some(text) => {
            let _ = item.set_text(text);
            if !shown {
                let _ = menu.insert(item, 2);
            }
        }
        None if shown => {
            let _ = menu.remove(item);
        }
        None => {}
    }
}

fn show_last_result<R: Runtime>(app: &AppHandle<R>, text: &str) {
    if let Some(item) = app.try_state::<LastResultItem>() {
        let _ = item.0.set_text(text);
    }
}
