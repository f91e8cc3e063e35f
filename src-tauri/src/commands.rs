//! IPC commands: each a few lines that call one core function and pass its error on.

use tauri::State;
use uniasset_core::access::Actor;
use uniasset_core::assets::{self, Asset};
use uniasset_core::directory::{self, User, UserPage, UserQuery};
use uniasset_core::organization::{self, NewOrganization, Organization};
use uniasset_core::password::Password;
use uniasset_core::sessions::{self, AppStatus};
use uniasset_core::ErrorReport;

use crate::state::AppState;

type Reply<T> = Result<T, ErrorReport>;

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> Reply<AppStatus> {
    let store = state.store()?;
    Ok(sessions::status(&store, state.session().as_ref())?)
}

#[tauri::command]
pub async fn setup_organization(
    state: State<'_, AppState>,
    input: NewOrganization,
) -> Reply<Organization> {
    let mut store = state.store()?;
    Ok(organization::create(
        &mut store,
        &input,
        &Actor::FirstRunSetup,
    )?)
}

#[tauri::command]
pub async fn sign_in(state: State<'_, AppState>, email: String, password: Password) -> Reply<User> {
    let mut store = state.store()?;
    let signed_in = sessions::sign_in(&mut store, &email, &password)?;
    *state.session() = Some(signed_in.token);
    Ok(signed_in.user)
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Reply<()> {
    let mut store = state.store()?;
    if let Some(token) = state.session().take() {
        sessions::sign_out(&mut store, &token)?;
    }
    Ok(())
}

#[tauri::command]
pub async fn list_users(state: State<'_, AppState>, query: UserQuery) -> Reply<UserPage> {
    let store = state.store()?;
    state.actor(&store)?;
    Ok(directory::list_users(&store, &query)?)
}

#[tauri::command]
pub async fn list_assets(state: State<'_, AppState>) -> Reply<Vec<Asset>> {
    let store = state.store()?;
    state.actor(&store)?;
    Ok(assets::list_assets(&store)?)
}
