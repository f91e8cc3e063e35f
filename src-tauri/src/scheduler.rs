//! The nightly run (R-T1…R-T4): a task that wakes every tick, asks the core whether an
//! automatic run is due at this wall-clock time and what its policy says to do (on time,
//! catch-up, retry after a failure, give up), and starts the run. Every decision is in
//! `uniasset_core::schedule`; this loop only remembers the attempts between ticks. After it,
//! the daily backup when the core says one is due.

use chrono::{DateTime, Utc};
use tauri::{AppHandle, Manager};
use uniasset_core::access::Actor;
use uniasset_core::{backup, schedule};

use crate::clock;
use crate::state::AppState;
use crate::sync_runner::SyncRunner;

pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut attempts = None;
        loop {
            let now = clock::now();
            let step = schedule::tick(now, due(&app, now).await, attempts);
            attempts = step.attempts;
            if let (Some(trigger), Some(a)) = (step.run, step.attempts) {
                log::info!(
                    "automatic sync due ({trigger}) for the {} window, attempt {}",
                    a.window,
                    a.count
                );
                let runner = app.state::<SyncRunner>();
                let _ = runner.run(&app, trigger, Actor::EntraSync).await;
            }
            back_up_if_due(&app, now).await;
            crate::email::check_stale(&app).await;
            // The day moves on with nothing else happening: "Renew client secret…" appears
            // 30 days before expiry even with automatic runs off.
            crate::tray::refresh_notices(app.clone());
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

/// The daily backup: after the nightly run, or at start when a day was missed (the core's
/// `backup::due`). It reads and writes whole files, so it runs on a blocking thread with a
/// connection of its own; a failure is kept for General and the tray, and logged.
async fn back_up_if_due(app: &AppHandle, now: DateTime<Utc>) {
    let state = app.state::<AppState>();
    let own = {
        let Ok(store) = state.store().await else {
            return;
        };
        if !backup::due(&store, now).unwrap_or(false) {
            return;
        }
        match store.another() {
            Ok(own) => own,
            Err(e) => return log::warn!("the daily backup could not start: {e}"),
        }
    };
    let made = tauri::async_runtime::spawn_blocking(move || {
        let mut own = own;
        backup::create(&mut own, &Actor::Scheduler, None)
    })
    .await;
    match made {
        Ok(Ok(file)) => log::info!(
            "daily backup made: {} ({} bytes)",
            file.path,
            file.size_bytes
        ),
        Ok(Err(e)) => log::warn!("the daily backup failed: {e}"),
        Err(e) => log::warn!("the daily backup stopped unexpectedly: {e}"),
    }
    crate::tray::refresh_notices(app.clone());
}
