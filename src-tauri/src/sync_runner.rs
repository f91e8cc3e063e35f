//! Runs syncs for the window, the tray and the scheduler, one at a time: within this process
//! a second request joins the run in progress and gets its record; other processes are kept
//! out by the core's lock. Each finished run is announced: to the window as the
//! `sync-finished` event, and to the tray and the notifications through `subscribe`. The
//! runner survives any panic in a run: its slot is cleared and the next run works.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;

use futures_util::FutureExt;
use tauri::{AppHandle, Runtime};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch, Mutex};
use uniasset_core::access::Actor;
use uniasset_core::store::Store;
use uniasset_core::sync::{self, RunRecord, SyncRequest, Trigger};
use uniasset_core::{data_dir, schedule, ErrorCode, ErrorReport};

use crate::error::ShellError;

pub type Outcome = Result<RunRecord, ErrorReport>;

/// The run going, if any: what started it, and where its outcome will appear.
type Slot = Arc<Mutex<Option<(Trigger, watch::Receiver<Option<Outcome>>)>>>;

pub struct SyncRunner {
    data_dir: Option<PathBuf>,
    running: Slot,
    finished: broadcast::Sender<Outcome>,
}

impl SyncRunner {
    pub fn new(data_dir: Option<PathBuf>) -> SyncRunner {
        SyncRunner {
            data_dir,
            running: Slot::default(),
            finished: broadcast::channel(16).0,
        }
    }

    /// Every outcome from now on, for the tray and the notifications.
    pub fn subscribe(&self) -> broadcast::Receiver<Outcome> {
        self.finished.subscribe()
    }

    /// Calls `each` with every outcome from now on, for as long as the app runs.
    pub fn on_finished(&self, each: impl Fn(Outcome) + Send + 'static) {
        let mut finished = self.subscribe();
        tauri::async_runtime::spawn(async move {
            loop {
                match finished.recv().await {
                    Ok(outcome) => each(outcome),
                    // Fell behind a burst of runs: the next outcome still arrives.
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }

    /// Runs a sync for `actor`, or joins the one already running. The core decides first
    /// whether `actor` may start this kind of run, so nobody joins a run they may not start.
    pub async fn run<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        trigger: Trigger,
        actor: Actor,
    ) -> Outcome {
        let mut store = self.open_store()?;
        sync::authorize(&store, &actor, trigger)?;
        let request = SyncRequest {
            trigger,
            dry_run: false,
            deadline: None,
        };
        let data_dir = self.data_dir.clone();
        let announce = app.clone();
        self.run_job(app, trigger, async move {
            let run = sync::run_sync(&mut store, &actor, request).await;
            if run.as_ref().is_ok_and(RunRecord::quiet) {
                announce_quiet_check(&announce, &store);
            }
            drop(store);
            run.map_err(ErrorReport::from)
        })
        .await
        .inspect_err(|e| {
            if e.code == ShellError::SyncCrashed.code() {
                close_crashed_run(data_dir);
            }
        })
    }

    async fn run_job<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        trigger: Trigger,
        job: impl Future<Output = Outcome> + Send + 'static,
    ) -> Outcome {
        let mut outcome = loop {
            let mut slot = self.running.lock().await;
            match slot.as_ref() {
                // Whoever asks for a sync during a frequent check wants a run of their own,
                // not the check's record (which may be quiet, with nothing to show).
                Some((Trigger::Interval, check)) if trigger != Trigger::Interval => {
                    let mut check = check.clone();
                    drop(slot);
                    let _ = check.wait_for(Option::is_some).await;
                }
                Some((_, running)) => break running.clone(),
                None => {
                    let (done, outcome) = watch::channel(None);
                    *slot = Some((trigger, outcome.clone()));
                    let (app, running, finished) =
                        (app.clone(), self.running.clone(), self.finished.clone());
                    tauri::async_runtime::spawn(async move {
                        let result = AssertUnwindSafe(job)
                            .catch_unwind()
                            .await
                            .unwrap_or_else(|_| Err(crashed()));
                        running.lock().await.take();
                        // Listeners hear of the run before its waiters wake. A quiet check
                        // is no run (`announce_quiet_check` told the window).
                        if let Some(run) = result.as_ref().ok().filter(|r| !r.quiet()) {
                            let _ = crate::events::sync_finished(&app, run);
                        }
                        let _ = finished.send(result.clone());
                        let _ = done.send(Some(result));
                    });
                    break outcome;
                }
            }
        };
        let finished = outcome
            .wait_for(Option::is_some)
            .await
            .map_err(|_| crashed())?;
        finished
            .clone()
            .expect("wait_for returned a finished outcome")
    }

    /// `open_existing`, not `open`: `open` also opens and closes the database file itself,
    /// and closing any descriptor of a file drops every POSIX lock this process holds on it,
    /// SQLite's for the window's connection included. Another process (the command line)
    /// closing its connection then takes itself for the last one and removes the WAL under
    /// the app's feet: later writes are lost and the app reads "database disk image is
    /// malformed". A run needs the organization's database anyway.
    fn open_store(&self) -> Result<Store, ErrorReport> {
        Ok(Store::open_existing(&data_dir::resolve(
            self.data_dir.clone(),
        )?)?)
    }
}

/// Tells the window that a frequent check found nothing new, with "Last checked" in the
/// payload: the window need not ask (asking counts as using the session, and an unattended
/// window must still sign out).
fn announce_quiet_check<R: Runtime>(app: &AppHandle<R>, store: &Store) {
    match schedule::frequent_checks(store, crate::clock::now()) {
        Ok(checks) => {
            let _ = crate::events::frequent_check(app, &checks);
        }
        Err(e) => log::warn!("could not read the frequent checks' state: {e}"),
    }
}

fn crashed() -> ErrorReport {
    ShellError::SyncCrashed.into()
}

/// A run that died mid-way left its record "running": close it as failed now, rather than
/// at the next run's start, so the history says so at once.
fn close_crashed_run(data_dir: Option<PathBuf>) {
    let closed = data_dir::resolve(data_dir)
        .map_err(ErrorReport::from)
        .and_then(|dir| Ok(Store::open_existing(&dir)?))
        .and_then(|store| Ok(sync::close_interrupted(&store)?));
    if let Err(e) = closed {
        log::warn!("could not close the crashed run's record: {}", e.message);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use graph_sim::{Faults, Simulator, TenantConfig};
    use tauri::test::{mock_builder, mock_context, noop_assets};
    use tauri::Manager;
    use testkit::Org;
    use uniasset_core::access::Actor;
    use uniasset_core::directory::{self, NewUser, Role, SignInMethod};
    use uniasset_core::entra;
    use uniasset_core::organization::Plan;
    use uniasset_core::store::Store;
    use uniasset_core::sync::Trigger;
    use uniasset_core::ErrorCode;

    use super::SyncRunner;
    use crate::error::ShellError;

    fn link(store: &mut Store, sim: &Simulator, email: &str, enabled: bool) {
        let oid = sim.add_user(email, None, enabled);
        let user = NewUser {
            email: email.into(),
            display_name: email.into(),
            role: Role::Member,
            sign_in: SignInMethod::Microsoft,
            entra_object_id: Some(oid),
        };
        directory::add_user(store, &Actor::CommandLine, &user, None).unwrap();
    }

    /// Ann disabled and Bo enabled in a connected organization, and a mock app running its
    /// syncs.
    struct World {
        org: Org,
        sim: Simulator,
        app: tauri::App<tauri::test::MockRuntime>,
    }

    fn world() -> World {
        let sim = Simulator::start(TenantConfig::default()).unwrap();
        let org = connected_org(&sim);
        let app = mock_builder()
            .manage(SyncRunner::new(Some(org.dir.path().to_owned())))
            .build(mock_context(noop_assets()))
            .unwrap();
        World { org, sim, app }
    }

    /// Northwind on Enterprise, connected to `sim`, with Ann (disabled) and Bo linked.
    pub(crate) fn connected_org(sim: &Simulator) -> Org {
        let mut org = testkit::org(Plan::Enterprise);
        link(&mut org.store, sim, "ann@northwind.example", false);
        link(&mut org.store, sim, "bo@northwind.example", true);
        tauri::async_runtime::block_on(testkit::tenant::connect(
            &mut org.store,
            sim,
            &sim.tenant_id(),
        ));
        org
    }

    /// The tray's Sync Now while the window's is running gets the same run: one run, one record.
    #[test]
    fn a_second_request_joins_the_running_sync() {
        let w = world();
        w.sim.set_faults(Faults {
            latency_ms: 300,
            ..Faults::default()
        });
        let handle = w.app.handle().clone();
        let runner = w.app.state::<SyncRunner>();
        let mut finished = runner.subscribe();
        let (window, tray) = tauri::async_runtime::block_on(async {
            tokio::join!(
                runner.run(&handle, Trigger::Manual, Actor::CommandLine),
                async {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    runner.run(&handle, Trigger::Tray, Actor::CommandLine).await
                }
            )
        });
        let (window, tray) = (window.unwrap(), tray.unwrap());
        assert_eq!(window.id, tray.id, "the tray joined the window's run");
        assert_eq!(window.trigger, Trigger::Manual);
        assert_eq!(window.counts.deactivated, 1);
        assert_eq!(
            uniasset_core::sync::runs(&w.org.store, 10).unwrap().len(),
            1,
            "nothing ran twice"
        );
        let announced = finished.try_recv().unwrap().unwrap();
        assert_eq!(announced.id, window.id, "listeners heard the run once");
        assert!(finished.try_recv().is_err());
    }

    /// Sync Now during a frequent check waits it out and gets a run of its own: the check
    /// may be quiet, with no record to show.
    #[test]
    fn sync_now_does_not_join_a_frequent_check() {
        let mut w = world();
        let guard = entra::settings(&w.org.store).unwrap().guard;
        entra::save(&mut w.org.store, &Actor::CommandLine, true, guard).unwrap();
        let handle = w.app.handle().clone();
        let runner = w.app.state::<SyncRunner>();
        let first = tauri::async_runtime::block_on(runner.run(
            &handle,
            Trigger::Manual,
            Actor::CommandLine,
        ))
        .unwrap();
        assert_eq!(first.counts.deactivated, 1);
        w.sim.set_faults(Faults {
            latency_ms: 300,
            ..Faults::default()
        });
        let (check, manual) = tauri::async_runtime::block_on(async {
            tokio::join!(
                runner.run(&handle, Trigger::Interval, Actor::EntraSync),
                async {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    runner
                        .run(&handle, Trigger::Manual, Actor::CommandLine)
                        .await
                }
            )
        });
        assert!(check.unwrap().quiet(), "nothing new since the first run");
        let manual = manual.unwrap();
        assert_eq!(manual.trigger, Trigger::Manual);
        assert!(manual.id.is_some(), "a run of its own, in the history");
        assert_eq!(
            uniasset_core::sync::runs(&w.org.store, 10).unwrap().len(),
            2
        );
    }

    /// A panicking run is reported as failed to whoever waits, and the next run works.
    #[test]
    fn the_runner_survives_a_panic() {
        let w = world();
        let handle = w.app.handle().clone();
        let runner = w.app.state::<SyncRunner>();
        let mut finished = runner.subscribe();
        let crashed =
            tauri::async_runtime::block_on(runner.run_job(&handle, Trigger::Manual, async {
                panic!("a bug in a run");
            }))
            .unwrap_err();
        assert_eq!(crashed.code, ShellError::SyncCrashed.code());
        assert!(crashed.message.contains("Nobody was deactivated"));
        assert_eq!(
            finished.try_recv().unwrap().unwrap_err().code,
            ShellError::SyncCrashed.code()
        );

        let next = tauri::async_runtime::block_on(runner.run(
            &handle,
            Trigger::Manual,
            Actor::CommandLine,
        ))
        .unwrap();
        assert_eq!(next.counts.deactivated, 1, "the next run works: {next:?}");
    }

    #[test]
    fn a_member_cannot_start_or_join_a_run() {
        let w = world();
        let member = uniasset_core::access::Actor::Person(uniasset_core::access::Person {
            user_id: 2,
            display_name: "Ann".into(),
            email: "ann@northwind.example".into(),
            role: Role::Member,
        });
        let refused = tauri::async_runtime::block_on(w.app.state::<SyncRunner>().run(
            w.app.handle(),
            Trigger::Tray,
            member,
        ))
        .unwrap_err();
        assert_eq!(refused.code, "needs_admin");
        assert!(uniasset_core::sync::runs(&w.org.store, 10)
            .unwrap()
            .is_empty());
    }
}
