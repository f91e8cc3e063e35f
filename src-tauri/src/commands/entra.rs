use tauri::{AppHandle, Runtime, State};
use uniasset_core::entra::{self, ConnectionInput, MassDeactivationGuard, MatchReport};
use uniasset_core::overview::{self, EntraOverview};
use uniasset_core::secrets::ClientSecret;
use uniasset_core::store::Store;
use uniasset_core::sync::{self, RunRecord, Trigger};

use super::Reply;
use crate::clock;
use crate::state::AppState;
use crate::sync_runner::SyncRunner;

fn overview_for(state: &AppState, store: &Store) -> Reply<EntraOverview> {
    let actor = state.actor(store)?;
    Ok(overview::entra_overview(store, &actor, clock::now())?)
}

#[tauri::command]
pub async fn entra_overview(state: State<'_, AppState>) -> Reply<EntraOverview> {
    let store = state.store().await?;
    overview_for(&state, &store)
}

/// "Test connection" on the form, before saving; the secret is used and dropped.
#[tauri::command]
pub async fn entra_test(
    state: State<'_, AppState>,
    input: ConnectionInput,
    secret: String,
) -> Reply<()> {
    let actor = {
        let store = state.store().await?;
        state.actor(&store)?
    };
    Ok(entra::test(&actor, &input, &ClientSecret::new(secret)).await?)
}

#[tauri::command]
pub async fn entra_connect(
    state: State<'_, AppState>,
    input: ConnectionInput,
    secret: String,
) -> Reply<EntraOverview> {
    let (actor, mut own) = state.for_network().await?;
    entra::connect(&mut own, &actor, &input, &ClientSecret::new(secret)).await?;
    overview_for(&state, &*state.store().await?)
}

#[tauri::command]
pub async fn entra_disconnect(state: State<'_, AppState>) -> Reply<EntraOverview> {
    let mut store = state.store().await?;
    let actor = state.actor(&store)?;
    entra::disconnect(&mut store, &actor)?;
    overview_for(&state, &store)
}

/// Save on the Entra page: the toggle and the guard take effect only here (R-T4).
#[tauri::command]
pub async fn entra_save(
    state: State<'_, AppState>,
    auto_deprovision: bool,
    guard: MassDeactivationGuard,
) -> Reply<EntraOverview> {
    let mut store = state.store().await?;
    let actor = state.actor(&store)?;
    entra::save(&mut store, &actor, auto_deprovision, guard)?;
    overview_for(&state, &store)
}

/// Sync Now: the same check as the nightly run (R-S8); joins a run already going.
#[tauri::command]
pub async fn sync_now<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    runner: State<'_, SyncRunner>,
) -> Reply<RunRecord> {
    let actor = state.actor(&*state.store().await?)?;
    runner.run(&app, Trigger::Manual, actor).await
}

#[tauri::command]
pub async fn run_details(state: State<'_, AppState>, run_id: i64) -> Reply<RunRecord> {
    let store = state.store().await?;
    let actor = state.actor(&store)?;
    Ok(sync::run_details(&store, &actor, run_id)?)
}

#[tauri::command]
pub async fn apply_held(state: State<'_, AppState>, run_id: i64) -> Reply<RunRecord> {
    let (actor, mut own) = state.for_network().await?;
    Ok(sync::apply_held(&mut own, &actor, run_id, Trigger::Manual).await?)
}

#[tauri::command]
pub async fn dismiss_held(state: State<'_, AppState>, run_id: i64) -> Reply<EntraOverview> {
    let mut store = state.store().await?;
    let actor = state.actor(&store)?;
    sync::dismiss_held(&mut store, &actor, run_id)?;
    overview_for(&state, &store)
}

#[tauri::command]
pub async fn match_accounts(state: State<'_, AppState>) -> Reply<MatchReport> {
    let (actor, mut own) = state.for_network().await?;
    Ok(entra::match_accounts(&mut own, &actor).await?)
}
