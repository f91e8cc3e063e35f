//! Email alerts leave from here: after every finished run (the core decides whether it is
//! worth an email and never sends one twice), and on the scheduler's tick for "no run has
//! succeeded for 48 hours". A failed send is recorded by the core for the window; it never
//! touches the run.

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
        let Ok(run) = outcome else { return };
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            let Some(mut store) = own_store(&app).await else {
                return;
            };
            if let Err(e) = alerts::after_run(&mut store, &run).await {
                log::warn!("could not send the email alert for run {:?}: {e}", run.id);
            }
        });
    });
}

/// Called on each scheduler tick.
pub async fn check_stale<R: Runtime>(app: &AppHandle<R>) {
    let Some(mut store) = own_store(app).await else {
        return;
    };
    if let Err(e) = alerts::check_stale(&mut store, clock::now()).await {
        log::warn!("could not check whether runs have stopped succeeding: {e}");
    }
}

/// A connection of its own: sending may wait on the mail server, and the window's shared
/// connection must not wait with it.
async fn own_store<R: Runtime>(app: &AppHandle<R>) -> Option<Store> {
    let state = app.state::<AppState>();
    let shared = state.store().await.ok()?;
    shared.another().ok()
}
