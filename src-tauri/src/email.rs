//! Email alerts leave from here: the core's outbox is emptied after every finished run and on
//! each scheduler tick, so runs stored by `uniasset entra sync` and emails an earlier try
//! could not send go out too (the core sends each once, whichever process gets there first).
//! The tick also checks "no run has succeeded for 48 hours" and sends the reminders owed about
//! leavers' assets. A failed send is recorded by the core for the window; it never touches
//! the run.

use tauri::{AppHandle, Manager, Runtime};
use uniasset_core::alerts;
use uniasset_core::store::Store;

use crate::clock;
use crate::state::AppState;
use crate::sync_runner::SyncRunner;

pub fn follow_results<R: Runtime>(app: AppHandle<R>) {
    let runner = app.state::<SyncRunner>();
    let app = app.clone();
    runner.on_finished(move |outcome| {
        if outcome.is_err() {
            return;
        }
        let app = app.clone();
        tauri::async_runtime::spawn(async move { send_owed(&app).await });
    });
}

/// Called on each scheduler tick.
pub async fn on_tick<R: Runtime>(app: &AppHandle<R>) {
    send_owed(app).await;
    let Some(mut store) = own_store(app).await else {
        return;
    };
    if let Err(e) = alerts::check_stale(&mut store, clock::now()).await {
        log::warn!("could not check whether runs have stopped succeeding: {e}");
    }
    match alerts::send_reminders(&mut store, clock::now()).await {
        Ok(attempts) => {
            for failed in attempts.iter().filter(|a| !a.ok()) {
                log::warn!(
                    "could not send the reminder {:?}: {}",
                    failed.subject,
                    failed.error.as_deref().unwrap_or_default()
                );
            }
        }
        Err(e) => log::warn!("could not send the reminders owed: {e}"),
    }
}

async fn send_owed<R: Runtime>(app: &AppHandle<R>) {
    let Some(mut store) = own_store(app).await else {
        return;
    };
    match alerts::send_owed(&mut store).await {
        Ok(attempts) => {
            for failed in attempts.iter().filter(|a| !a.ok()) {
                log::warn!(
                    "could not send the email alert {:?}: {}",
                    failed.subject,
                    failed.error.as_deref().unwrap_or_default()
                );
            }
        }
        Err(e) => log::warn!("could not send the email alerts owed: {e}"),
    }
}

/// A connection of its own: sending may wait on the mail server, and the window's shared
/// connection must not wait with it.
async fn own_store<R: Runtime>(app: &AppHandle<R>) -> Option<Store> {
    let state = app.state::<AppState>();
    let shared = state.store().await.ok()?;
    shared.another().ok()
}
