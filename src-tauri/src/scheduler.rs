//! The nightly run (R-T1…R-T4): a task that wakes every tick, asks the core whether an
//! automatic run is due at this wall-clock time, and starts it. The arithmetic lives in
//! `uniasset_core::schedule`; a failed run does not count as the window's run there.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tauri::{AppHandle, Manager};
use uniasset_core::access::Actor;
use uniasset_core::schedule;

use crate::clock;
use crate::state::AppState;
use crate::sync_runner::SyncRunner;

/// A window whose run failed (network not up yet after waking, say) is tried again after a
/// pause, a few times, rather than every tick or never.
const RETRY_AFTER: Duration = Duration::from_secs(15 * 60);
const ATTEMPTS_PER_WINDOW: u32 = 4;

pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        // The window last started for, when, and how many times.
        let mut attempted: Option<(DateTime<Utc>, Instant, u32)> = None;
        loop {
            let now = clock::now();
            let window = schedule::latest_window(now);
            let tries = match attempted {
                Some((w, at, n)) if w == window => {
                    (n < ATTEMPTS_PER_WINDOW && at.elapsed() >= RETRY_AFTER).then_some(n)
                }
                _ => Some(0),
            };
            if let Some(n) = tries {
                if let Some(trigger) = due(&app, now).await {
                    attempted = Some((window, Instant::now(), n + 1));
                    log::info!(
                        "automatic sync due ({trigger}) for the {window} window, attempt {}",
                        n + 1
                    );
                    let runner = app.state::<SyncRunner>();
                    let _ = runner.run(&app, trigger, Actor::EntraSync).await;
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
