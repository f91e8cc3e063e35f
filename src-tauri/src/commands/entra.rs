use tauri::{AppHandle, Manager, Runtime};
use uniasset_core::access::Actor;
use uniasset_core::entra::{self, ConnectionInput, EntraSettings, MassDeactivationGuard, MatchReport};
use uniasset_core::overview::{self, EntraOverview};
use uniasset_core::schedule::FrequentChecks;
use uniasset_core::secrets::ClientSecret;
use uniasset_core::store::Store;
use uniasset_core::sync::{self, RunRecord, SyncRequest, Trigger};

use super::Reply;
use crate::clock;
use crate::state::AppStateExt;
use crate::sync_runner::SyncRunner;

commands! {
    entra_overview() -> EntraOverview;
    entra_test(input: ConnectionInput, secret: String) -> ();
    entra_connect(input: ConnectionInput, secret: String) -> EntraOverview;
    entra_disconnect() -> EntraOverview;
    entra_save(auto_deprovision: bool, guard: MassDeactivationGuard) -> EntraOverview;
    sync_now() -> RunRecord;
    preview_run() -> RunRecord;
    run_details(run_id: i64) -> RunRecord;
    apply_held(run_id: i64) -> RunRecord;
    dismiss_held(run_id: i64) -> EntraOverview;
    match_accounts() -> MatchReport;
    frequent_checks() -> FrequentChecks;
    save_check_interval(minutes: Option<u32>) -> EntraSettings;
    save_end_sessions(on: bool) -> EntraSettings;
    check_person(user_id: i64) -> RunRecord;
}

/// The Entra page as it is now: what the commands that change it answer.
pub(super) fn overview_for(store: &Store, actor: &Actor) -> Reply<EntraOverview> {
    Ok(overview::entra_overview(store, actor, clock::now())?)
}

async fn entra_overview<R: Runtime>(app: AppHandle<R>) -> Reply<EntraOverview> {
    let (actor, store) = app.signed_in().await?;
    overview_for(&store, &actor)
}

/// "Test connection" on the form, before saving; the secret is used and dropped.
async fn entra_test<R: Runtime>(
    app: AppHandle<R>,
    input: ConnectionInput,
    secret: String,
) -> Reply<()> {
    let (actor, _) = app.signed_in().await?;
    Ok(entra::test(&actor, &input, &ClientSecret::new(secret)).await?)
}

async fn entra_connect<R: Runtime>(
    app: AppHandle<R>,
    input: ConnectionInput,
    secret: String,
) -> Reply<EntraOverview> {
    let (actor, mut own) = app.app_state().for_network().await?;
    entra::connect(&mut own, &actor, &input, &ClientSecret::new(secret)).await?;
    crate::tray::refresh_notices(app.clone());
    let (actor, store) = app.signed_in().await?;
    overview_for(&store, &actor)
}

async fn entra_disconnect<R: Runtime>(app: AppHandle<R>) -> Reply<EntraOverview> {
    let (actor, mut store) = app.signed_in().await?;
    entra::disconnect(&mut store, &actor)?;
    crate::tray::refresh_notices(app.clone());
    overview_for(&store, &actor)
}

/// Save on the Entra page: the toggle and the guard take effect only here (R-T4).
async fn entra_save<R: Runtime>(
    app: AppHandle<R>,
    auto_deprovision: bool,
    guard: MassDeactivationGuard,
) -> Reply<EntraOverview> {
    let (actor, mut store) = app.signed_in().await?;
    entra::save(&mut store, &actor, auto_deprovision, guard)?;
    overview_for(&store, &actor)
}

/// Sync Now: the same check as the nightly run (R-S8); joins a run already going.
async fn sync_now<R: Runtime>(app: AppHandle<R>) -> Reply<RunRecord> {
    let (actor, _) = app.signed_in().await?;
    app.state::<SyncRunner>()
        .run(&app, Trigger::Manual, actor)
        .await
}

/// What a run now would do, changing and storing nothing (R-S9): shown after connecting,
/// before auto-deprovisioning is turned on.
async fn preview_run<R: Runtime>(app: AppHandle<R>) -> Reply<RunRecord> {
    let (actor, mut own) = app.app_state().for_network().await?;
    let request = SyncRequest {
        trigger: Trigger::Manual,
        dry_run: true,
        deadline: None,
    };
    Ok(sync::run_sync(&mut own, &actor, request).await?)
}

async fn run_details<R: Runtime>(app: AppHandle<R>, run_id: i64) -> Reply<RunRecord> {
    let (actor, store) = app.signed_in().await?;
    Ok(sync::run_details(&store, &actor, run_id)?)
}

async fn apply_held<R: Runtime>(app: AppHandle<R>, run_id: i64) -> Reply<RunRecord> {
    let (actor, mut own) = app.app_state().for_network().await?;
    Ok(sync::apply_held(&mut own, &actor, run_id, Trigger::Manual).await?)
}

async fn dismiss_held<R: Runtime>(app: AppHandle<R>, run_id: i64) -> Reply<EntraOverview> {
    let (actor, mut store) = app.signed_in().await?;
    sync::dismiss_held(&mut store, &actor, run_id)?;
    overview_for(&store, &actor)
}

async fn match_accounts<R: Runtime>(app: AppHandle<R>) -> Reply<MatchReport> {
    let (actor, mut own) = app.app_state().for_network().await?;
    Ok(entra::match_accounts(&mut own, &actor).await?)
}

/// "Last checked", "Next check" and a pause, for the Entra page (whoever may manage it).
async fn frequent_checks<R: Runtime>(app: AppHandle<R>) -> Reply<FrequentChecks> {
    let (actor, store) = app.signed_in().await?;
    Ok(overview::frequent_checks(&store, &actor, clock::now())?)
}

/// "Also check for changes every N minutes": on with N, off with None; takes effect at once.
async fn save_check_interval<R: Runtime>(
    app: AppHandle<R>,
    minutes: Option<u32>,
) -> Reply<EntraSettings> {
    let (actor, mut store) = app.signed_in().await?;
    let settings = entra::set_check_interval(&mut store, &actor, minutes)?;
    crate::tray::refresh_notices(app.clone());
    Ok(settings)
}

/// "End their Microsoft sessions" on or off; takes effect at once.
async fn save_end_sessions<R: Runtime>(app: AppHandle<R>, on: bool) -> Reply<EntraSettings> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(entra::set_end_sessions(&mut store, &actor, on)?)
}

/// "Check now" on one person: their account alone, read at once (R-S13).
async fn check_person<R: Runtime>(app: AppHandle<R>, user_id: i64) -> Reply<RunRecord> {
    let (actor, mut own) = app.app_state().for_network().await?;
    Ok(sync::check_person(&mut own, &actor, user_id).await?)
}
