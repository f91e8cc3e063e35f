//! The nightly run (R-T1…R-T4): a task that wakes every tick, asks the core whether an
//! automatic run is due at this wall-clock time and what its policy says to do (on time,
//! catch-up, retry after a failure, give up), and starts the run. Every decision is in
//! `uniasset_core::schedule`; this loop only remembers the attempts between ticks. When no
//! nightly run started, a frequent check (issue 15) if the core says one is due. After them,
//! the daily backup when the core says one is due, the audit trail's daily check, and the
//! daily look for an update.

use chrono::{DateTime, Utc};
use tauri::{AppHandle, Manager, Runtime};
use uniasset_core::access::Actor;
use uniasset_core::sync::Trigger;
use uniasset_core::{audit, backup, schedule};

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
                if let Err(e) = runner.run(&app, trigger, Actor::EntraSync).await {
                    log::warn!("automatic sync did not run: {}", e.message);
                }
            } else {
                check_if_due(&app, now).await;
            }
            back_up_if_due(&app, now).await;
            check_trail_if_due(&app, now).await;
            crate::email::on_tick(&app).await;
            crate::updater::check_if_due(&app, now).await;
            // The day moves on with nothing else happening: "Renew client secret…" appears
            // 30 days before expiry even with automatic runs off.
            crate::tray::refresh_notices(app.clone());
            clock::ticked(now);
            tokio::time::sleep(clock::tick()).await;
        }
    });
}

async fn due(app: &AppHandle, now: DateTime<Utc>) -> Option<Trigger> {
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

/// A frequent check when the core says one is due: it decides whether they are on, paused
/// or waiting. A check that finds nothing new is stored by the core as its time only.
async fn check_if_due<R: Runtime>(app: &AppHandle<R>, now: DateTime<Utc>) {
    let due = {
        let state = app.state::<AppState>();
        let Ok(store) = state.store().await else {
            return;
        };
        schedule::frequent_check_due(&store, now)
    };
    match due {
        Ok(true) => {
            let runner = app.state::<SyncRunner>();
            if let Err(e) = runner.run(app, Trigger::Interval, Actor::EntraSync).await {
                log::info!("frequent check did not run: {}", e.message);
            }
        }
        Ok(false) => {}
        Err(e) => log::warn!("could not check whether a frequent check is due: {e}"),
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

/// The audit trail's daily check (R-X5): it reads every entry, so it runs on a blocking
/// thread with a connection of its own; Home shows a broken trail.
async fn check_trail_if_due(app: &AppHandle, now: DateTime<Utc>) {
    let state = app.state::<AppState>();
    let own = {
        let Ok(store) = state.store().await else {
            return;
        };
        if !audit::check_due(&store, now).unwrap_or(false) {
            return;
        }
        match store.another() {
            Ok(own) => own,
            Err(e) => return log::warn!("the audit trail's check could not start: {e}"),
        }
    };
    let checked = tauri::async_runtime::spawn_blocking(move || {
        let mut own = own;
        audit::check_and_keep(&mut own)
    })
    .await;
    match checked {
        Ok(Ok(verdict)) => match verdict.broken {
            Some(broken) => log::warn!("the audit trail was changed outside UniAsset: {broken}"),
            None => log::info!(
                "audit trail intact: {} entries",
                verdict.entries.unwrap_or(0)
            ),
        },
        Ok(Err(e)) => log::warn!("the audit trail could not be checked: {e}"),
        Err(e) => log::warn!("the audit trail's check stopped unexpectedly: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use graph_sim::{Simulator, TenantConfig};
    use tauri::test::{mock_builder, mock_context, noop_assets};
    use tauri::Manager;
    use uniasset_core::access::Actor;
    use uniasset_core::entra::{self, MassDeactivationGuard};
    use uniasset_core::sync::{self, Trigger};

    use super::check_if_due;
    use crate::state::AppState;
    use crate::sync_runner::tests::connected_org;
    use crate::sync_runner::SyncRunner;

    /// Every 5 minutes: the first check acts (Ann is disabled) and is a run in the history;
    /// none before the interval is up; the next finds nothing, stores no run and is
    /// announced as quiet. Turned off, no check runs.
    #[test]
    fn frequent_checks_run_when_due_and_only_then() {
        let sim = Simulator::start(TenantConfig::default()).unwrap();
        let testkit::Org { dir, mut store } = connected_org(&sim);
        let guard = MassDeactivationGuard {
            min_users: 5,
            percent: 20,
        };
        entra::save(&mut store, &Actor::CommandLine, true, guard).unwrap();
        entra::set_check_interval(&mut store, &Actor::CommandLine, Some(5)).unwrap();
        let app = mock_builder()
            .manage(AppState::new(Some(dir.path().to_owned())))
            .manage(SyncRunner::new(Some(dir.path().to_owned())))
            .build(mock_context(noop_assets()))
            .unwrap();
        let mut heard = app.state::<SyncRunner>().subscribe();
        let check = |at| tauri::async_runtime::block_on(check_if_due(app.handle(), at));
        let now = uniasset_core::clock::now();

        check(now);
        let runs = sync::runs(&store, 10).unwrap();
        assert_eq!(runs.len(), 1, "the first check acted: {runs:?}");
        assert_eq!(runs[0].trigger, Trigger::Interval);
        assert_eq!(runs[0].counts.deactivated, 1);
        assert!(!heard.try_recv().unwrap().unwrap().quiet());

        check(now + Duration::minutes(2));
        assert!(heard.try_recv().is_err(), "not due before 5 minutes");

        check(now + Duration::minutes(6));
        assert!(heard.try_recv().unwrap().unwrap().quiet());
        assert_eq!(sync::runs(&store, 10).unwrap().len(), 1, "no run stored");

        entra::set_check_interval(&mut store, &Actor::CommandLine, None).unwrap();
        check(now + Duration::minutes(30));
        assert!(heard.try_recv().is_err(), "off: no check");
    }
}
