//! The nightly run (R-T1…R-T4): a task that wakes every tick, asks the core whether an
//! automatic run is due at this wall-clock time, and starts it. The arithmetic lives in
//! `uniasset_core::schedule`.

use chrono::{DateTime, Utc};
use tauri::{AppHandle, Manager};
use uniasset_core::access::Actor;
use uniasset_core::schedule;

use crate::clock;
use crate::state::AppState;

pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        // The window a run was last started for: a run that is refused or fails is not
        // retried every tick, only at the next window.
        let mut attempted: Option<DateTime<Utc>> = None;
        loop {
            let now = clock::now();
            let window = schedule::latest_window(now);
            if attempted != Some(window) {
                if let Some(trigger) = due(&app, now).await {
                    attempted = Some(window);
                    log::info!("automatic sync due ({trigger}) for the {window} window");
                    let state = app.state::<AppState>();
                    let _ = state.runner.run(&app, trigger, Actor::EntraSync).await;
                }
            }
            tokio::time::sleep(clock::tick()).await;
        }
    });
}

async fn due(app: &AppHandle, now: DateTime<Utc>) -> Option<uniasset_core::sync::Trigger> {
    let state = app.state::<AppState>();
    let store = state.store().await.ok()?;
    match schedule::automatic_run_due(&store, now) {
        Ok(due) => due,
        Err(e) => {
            log::warn!("could not check the schedule: {e}");
            None
        }
    }
}
