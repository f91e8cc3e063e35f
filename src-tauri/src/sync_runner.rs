//! Runs syncs for the window, the tray and the scheduler. Within this process a second
//! request joins the run in progress and gets its record (R-S6); other processes are kept
//! out by the core's lock. After each run: an event for the window, the tray's last
//! result, and a desktop notification when someone was deactivated, or the run failed or
//! was held.

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::Notification;
use tokio::sync::{watch, Mutex};
use uniasset_core::access::Actor;
use uniasset_core::sync::{self, LineOutcome, RunRecord, RunResult, SyncRequest, Trigger};
use uniasset_core::ErrorReport;

use crate::state::AppState;
use crate::tray;

/// The window listens for this to refresh the Entra page.
pub const SYNC_FINISHED: &str = "sync-finished";

type Outcome = Result<RunRecord, ErrorReport>;

#[derive(Default)]
pub struct SyncRunner {
    running: Mutex<Option<watch::Receiver<Option<Outcome>>>>,
}

impl SyncRunner {
    pub async fn run<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        trigger: Trigger,
        actor: Actor,
    ) -> Outcome {
        let mut outcome = {
            let mut slot = self.running.lock().await;
            match slot.as_ref() {
                Some(running) => running.clone(),
                None => {
                    let (done, outcome) = watch::channel(None);
                    *slot = Some(outcome.clone());
                    let app = app.clone();
                    tauri::async_runtime::spawn(async move {
                        let result = execute(&app, trigger, actor).await;
                        let state = app.state::<AppState>();
                        state.runner.running.lock().await.take();
                        let _ = done.send(Some(result.clone()));
                        announce(&app, &result);
                    });
                    outcome
                }
            }
        };
        let finished = outcome
            .wait_for(Option::is_some)
            .await
            .map_err(|_| ErrorReport {
                code: "sync_lost".into(),
                message: "The sync stopped unexpectedly.".into(),
            })?;
        finished
            .clone()
            .expect("wait_for returned a finished outcome")
    }
}

async fn execute<R: Runtime>(app: &AppHandle<R>, trigger: Trigger, actor: Actor) -> Outcome {
    let mut store = app.state::<AppState>().open_store()?;
    Ok(sync::run_sync(
        &mut store,
        &actor,
        SyncRequest {
            trigger,
            dry_run: false,
        },
    )
    .await?)
}

fn announce<R: Runtime>(app: &AppHandle<R>, outcome: &Outcome) {
    match outcome {
        Ok(run) => {
            log::info!(
                "sync run {:?} ({}) ended {}: checked {}, deactivated {}, skipped {}, errors {}",
                run.id,
                run.trigger,
                run.result,
                run.counts.checked,
                run.counts.deactivated,
                run.counts.skipped,
                run.counts.errors
            );
            let _ = app.emit(SYNC_FINISHED, run);
            tray::show_last_result(app, &tray::describe(run));
            if let Some(text) = worth_notifying(run) {
                notify(app, &text);
            }
        }
        Err(e) => {
            log::warn!("sync refused: {}", e.message);
            notify(app, &e.message);
        }
    }
}

fn worth_notifying(run: &RunRecord) -> Option<String> {
    let n = run.counts.deactivated;
    match run.result {
        RunResult::Failed => Some(format!("The Entra ID sync failed: {}", run.error.as_deref().unwrap_or("see the run history."))),
        RunResult::HeldForReview => Some(format!(
            "The Entra ID sync was held for review: it would deactivate {} users. Nobody was deactivated; open Settings → Integrations → Microsoft Entra ID to apply or dismiss.",
            run.lines.iter().filter(|l| l.outcome == LineOutcome::Held).count()
        )),
        _ if n > 0 => Some(format!("The Entra ID sync deactivated {n} user{}.", if n == 1 { "" } else { "s" })),
        _ => None,
    }
}

fn notify<R: Runtime>(app: &AppHandle<R>, body: &str) {
    // Without the plugin (tests on a mock runtime) there is nobody to tell; a desktop
    // without a notification service is not an error worth surfacing either.
    let Some(notifications) = app.try_state::<Notification<R>>() else {
        return;
    };
    if let Err(e) = notifications.builder().title("UniAsset").body(body).show() {
        log::info!("no desktop notification shown: {e}");
    }
}

#[cfg(test)]
mod tests {
    use graph_sim::{Faults, Simulator, TenantConfig};
    use tauri::test::{mock_builder, mock_context, noop_assets};
    use tauri::Manager;
    use uniasset_core::access::Actor;
    use uniasset_core::directory::{self, NewUser, Role, SignInMethod};
    use uniasset_core::entra::{self, cloud::Cloud, ConnectionInput};
    use uniasset_core::organization::{self, NewOrganization, Plan};
    use uniasset_core::secrets::ClientSecret;
    use uniasset_core::store::Store;
    use uniasset_core::sync::Trigger;

    use crate::state::AppState;

    /// The tray's Sync Now while the window's is running gets the same run: one run, one record.
    #[test]
    fn a_second_request_joins_the_running_sync() {
        let dir = tempfile::tempdir().unwrap();
        let sim = Simulator::start(TenantConfig::default()).unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let setup = NewOrganization {
            name: "Northwind".into(),
            plan: Plan::Enterprise,
            owner_email: "olivia@northwind.example".into(),
            owner_name: "Olivia".into(),
            owner_password: None,
        };
        organization::create(&mut store, &setup, &Actor::FirstRunSetup).unwrap();
        let oid = sim.add_user("ann@northwind.example", None, false);
        let ann = NewUser {
            email: "ann@northwind.example".into(),
            display_name: "Ann".into(),
            role: Role::Member,
            sign_in: SignInMethod::Microsoft,
            entra_object_id: Some(oid),
        };
        directory::add_user(&mut store, &Actor::CommandLine, &ann).unwrap();
        let input = ConnectionInput {
            tenant: sim.tenant_id(),
            client_id: sim.client_id(),
            cloud: Cloud::Custom,
            login_url: Some(sim.base_url()),
            graph_url: Some(sim.base_url()),
            secret_expires_on: None,
        };
        let secret = ClientSecret::new(sim.client_secret());
        tauri::async_runtime::block_on(entra::connect(
            &mut store,
            &Actor::CommandLine,
            &input,
            &secret,
        ))
        .unwrap();
        sim.set_faults(Faults {
            latency_ms: 300,
            ..Faults::default()
        });

        let app = mock_builder()
            .manage(AppState::new(Some(dir.path().to_owned())))
            .build(mock_context(noop_assets()))
            .unwrap();
        let handle = app.handle().clone();
        let state = app.state::<AppState>();
        let (window, tray) = tauri::async_runtime::block_on(async {
            tokio::join!(
                state
                    .runner
                    .run(&handle, Trigger::Manual, Actor::CommandLine),
                async {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    state
                        .runner
                        .run(&handle, Trigger::Tray, Actor::CommandLine)
                        .await
                }
            )
        });
        let (window, tray) = (window.unwrap(), tray.unwrap());
        assert_eq!(window.id, tray.id, "the tray joined the window's run");
        assert_eq!(window.trigger, Trigger::Manual);
        assert_eq!(window.counts.deactivated, 1);
        assert_eq!(
            uniasset_core::sync::runs(&store, 10).unwrap().len(),
            1,
            "nothing ran twice"
        );
    }
}
