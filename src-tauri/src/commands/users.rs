use tauri::{AppHandle, Manager, Runtime};
use uniasset_core::details::{self, UserDetails};
use uniasset_core::directory::{self, User, UserPage, UserQuery};
use uniasset_core::entra;

use super::Reply;
use crate::state::AppState;

commands! {
    list_users(query: UserQuery) -> UserPage;
    user_details(user_id: i64) -> UserDetails;
    deactivate_user(user_id: i64) -> User;
    set_user_protected(user_id: i64, protected: bool) -> User;
    reactivate_user(user_id: i64, confirmed: bool) -> User;
}

async fn list_users<R: Runtime>(app: AppHandle<R>, query: UserQuery) -> Reply<UserPage> {
    let state = app.state::<AppState>();
    let store = state.store().await?;
    let actor = state.actor(&store)?;
    Ok(directory::page(&store, &actor, &query)?)
}

async fn user_details<R: Runtime>(app: AppHandle<R>, user_id: i64) -> Reply<UserDetails> {
    let state = app.state::<AppState>();
    let store = state.store().await?;
    state.actor(&store)?;
    Ok(details::details(&store, user_id)?)
}

async fn deactivate_user<R: Runtime>(app: AppHandle<R>, user_id: i64) -> Reply<User> {
    let state = app.state::<AppState>();
    let mut store = state.store().await?;
    let actor = state.actor(&store)?;
    Ok(directory::deactivate(&mut store, &actor, user_id)?)
}

/// "Never deactivate automatically" on or off (break-glass and service accounts).
async fn set_user_protected<R: Runtime>(
    app: AppHandle<R>,
    user_id: i64,
    protected: bool,
) -> Reply<User> {
    let state = app.state::<AppState>();
    let mut store = state.store().await?;
    let actor = state.actor(&store)?;
    Ok(directory::set_protected(
        &mut store, &actor, user_id, protected,
    )?)
}

/// `confirmed` is the administrator's "Reactivate anyway" after the Entra warning (R-U1).
async fn reactivate_user<R: Runtime>(
    app: AppHandle<R>,
    user_id: i64,
    confirmed: bool,
) -> Reply<User> {
    let state = app.state::<AppState>();
    let (actor, mut own) = state.for_network().await?;
    Ok(entra::reactivate(&mut own, &actor, user_id, confirmed).await?)
}
