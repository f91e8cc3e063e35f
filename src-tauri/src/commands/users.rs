use std::path::PathBuf;

use tauri::{AppHandle, Runtime};
use uniasset_core::details::{self, UserDetails};
use uniasset_core::directory::{
    self, ImportPreview, ImportSummary, Manager, NewUser, User, UserEdit, UserPage, UserQuery,
};
use uniasset_core::entra::{self, OffboardChoice, Offboarding};
use uniasset_core::password::Password;
use uniasset_core::sessions;

use super::Reply;
use crate::state::AppStateExt;

commands! {
    list_users(query: UserQuery) -> UserPage;
    user_details(user_id: i64) -> UserDetails;
    deactivate_user(user_id: i64) -> User;
    offboard_user(user_id: i64, choice: OffboardChoice) -> Offboarding;
    set_manager(user_id: i64, email: String) -> Manager;
    manager_from_entra(user_id: i64) -> Option<Manager>;
    set_user_protected(user_id: i64, protected: bool) -> User;
    reactivate_user(user_id: i64, confirmed: bool) -> User;
    add_user(user: NewUser, password: Option<Password>) -> User;
    edit_user(user_id: i64, edit: UserEdit) -> User;
    set_user_password(user_id: i64, password: Password) -> ();
    preview_import(path: PathBuf) -> ImportPreview;
    import_users(path: PathBuf) -> ImportSummary;
}

async fn list_users<R: Runtime>(app: AppHandle<R>, query: UserQuery) -> Reply<UserPage> {
    let (actor, store) = app.signed_in().await?;
    Ok(directory::page(&store, &actor, &query)?)
}

async fn user_details<R: Runtime>(app: AppHandle<R>, user_id: i64) -> Reply<UserDetails> {
    let (_, store) = app.signed_in().await?;
    Ok(details::details(&store, user_id)?)
}

/// Ends a linked person's Microsoft sessions too, when that is on: hence the own store.
async fn deactivate_user<R: Runtime>(app: AppHandle<R>, user_id: i64) -> Reply<User> {
    let (actor, mut own) = app.app_state().for_network().await?;
    Ok(entra::deactivate(&mut own, &actor, user_id).await?)
}

/// "Offboard…": disabled in Entra, sessions ended, deactivated here (or what would be).
async fn offboard_user<R: Runtime>(
    app: AppHandle<R>,
    user_id: i64,
    choice: OffboardChoice,
) -> Reply<Offboarding> {
    let (actor, mut own) = app.app_state().for_network().await?;
    Ok(entra::offboard(&mut own, &actor, user_id, choice).await?)
}

/// "Manager…" with an email address typed.
async fn set_manager<R: Runtime>(app: AppHandle<R>, user_id: i64, email: String) -> Reply<Manager> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(directory::set_manager(&mut store, &actor, user_id, &email)?)
}

/// "Manager…" from Microsoft Entra ID: one Graph request.
async fn manager_from_entra<R: Runtime>(app: AppHandle<R>, user_id: i64) -> Reply<Option<Manager>> {
    let (actor, mut own) = app.app_state().for_network().await?;
    Ok(entra::manager_from_entra(&mut own, &actor, user_id).await?)
}

/// "Never deactivate automatically" on or off (break-glass and service accounts).
async fn set_user_protected<R: Runtime>(
    app: AppHandle<R>,
    user_id: i64,
    protected: bool,
) -> Reply<User> {
    let (actor, mut store) = app.signed_in().await?;
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
    let (actor, mut own) = app.app_state().for_network().await?;
    Ok(entra::reactivate(&mut own, &actor, user_id, confirmed).await?)
}

/// `password`: a password user's first one (the window asks for it).
async fn add_user<R: Runtime>(
    app: AppHandle<R>,
    user: NewUser,
    password: Option<Password>,
) -> Reply<User> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(directory::add_user(
        &mut store,
        &actor,
        &user,
        password.as_ref(),
    )?)
}

async fn edit_user<R: Runtime>(app: AppHandle<R>, user_id: i64, edit: UserEdit) -> Reply<User> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(directory::edit_user(&mut store, &actor, user_id, &edit)?)
}

async fn set_user_password<R: Runtime>(
    app: AppHandle<R>,
    user_id: i64,
    password: Password,
) -> Reply<()> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(sessions::set_user_password(
        &mut store, &actor, user_id, &password,
    )?)
}

/// The file the native picker gave; the core reads it, the window never does.
async fn preview_import<R: Runtime>(app: AppHandle<R>, path: PathBuf) -> Reply<ImportPreview> {
    let (actor, store) = app.signed_in().await?;
    Ok(directory::preview_import_file(&store, &actor, &path)?)
}

async fn import_users<R: Runtime>(app: AppHandle<R>, path: PathBuf) -> Reply<ImportSummary> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(directory::import_file(&mut store, &actor, &path)?)
}
