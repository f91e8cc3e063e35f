use tauri::State;
use uniasset_core::details::{self, UserDetails};
use uniasset_core::directory::{self, User, UserPage, UserQuery};
use uniasset_core::entra;

use super::Reply;
use crate::state::AppState;

#[tauri::command]
pub async fn list_users(state: State<'_, AppState>, query: UserQuery) -> Reply<UserPage> {
    let store = state.store().await?;
    state.actor(&store)?;
    Ok(directory::list_users(&store, &query)?)
}

#[tauri::command]
pub async fn user_details(state: State<'_, AppState>, user_id: i64) -> Reply<UserDetails> {
    let store = state.store().await?;
    state.actor(&store)?;
    Ok(details::details(&store, user_id)?)
}

#[tauri::command]
pub async fn deactivate_user(state: State<'_, AppState>, user_id: i64) -> Reply<User> {
    let mut store = state.store().await?;
    let actor = state.actor(&store)?;
    Ok(directory::deactivate(&mut store, &actor, user_id)?)
}

/// "Never deactivate automatically" on or off (break-glass and service accounts).
#[tauri::command]
pub async fn set_user_protected(
    state: State<'_, AppState>,
    user_id: i64,
    protected: bool,
) -> Reply<User> {
    let mut store = state.store().await?;
    let actor = state.actor(&store)?;
    Ok(directory::set_protected(
        &mut store, &actor, user_id, protected,
    )?)
}

/// `confirmed` is the administrator's "Reactivate anyway" after the Entra warning (R-U1).
#[tauri::command]
pub async fn reactivate_user(
    state: State<'_, AppState>,
    user_id: i64,
    confirmed: bool,
) -> Reply<User> {
    let (actor, mut own) = state.for_network().await?;
    Ok(entra::reactivate(&mut own, &actor, user_id, confirmed).await?)
}
