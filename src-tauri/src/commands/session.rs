use tauri::{AppHandle, Manager, Runtime};
use uniasset_core::app_status::{self, AppStatus};
use uniasset_core::demo;
use uniasset_core::directory::User;
use uniasset_core::first_run;
use uniasset_core::organization::NewOrganization;
use uniasset_core::password::Password;
use uniasset_core::sessions;

use super::Reply;
use crate::clock;
use crate::state::AppState;
use crate::window::{PageRequest, SignInNotice};

commands! {
    app_status() -> AppStatus;
    setup_organization(input: NewOrganization) -> AppStatus;
    setup_demo() -> AppStatus;
    sign_in(email: String, password: Password) -> User;
    sign_out() -> ();
    change_own_password(current: Password, new_password: Password) -> ();
    take_sign_in_notice() -> Option<String>;
    take_page_request() -> Option<String>;
}

/// Asked on start and whenever the window is shown again: a session that has ended (idle
/// too long, or its user deactivated) is dropped, and the window goes to sign-in.
async fn app_status<R: Runtime>(app: AppHandle<R>) -> Reply<AppStatus> {
    let state = app.state::<AppState>();
    let store = state.store().await?;
    let mut session = state.session();
    let status = app_status::status(&store, session.as_ref(), clock::now())?;
    if status.signed_in.is_none() {
        *session = None;
    }
    Ok(status)
}

/// First run → "Create organization": the Owner is signed in, and the window goes to Home.
async fn setup_organization<R: Runtime>(
    app: AppHandle<R>,
    input: NewOrganization,
) -> Reply<AppStatus> {
    let state = app.state::<AppState>();
    let mut store = state.store().await?;
    let signed_in = first_run::set_up(&mut store, &input, clock::now())?;
    let status = app_status::status(&store, Some(&signed_in.token), clock::now())?;
    *state.session() = Some(signed_in.token);
    Ok(status)
}

/// First run → "Explore with a demo organization": seed it, sign its Owner in, and connect
/// it to the simulated tenant.
async fn setup_demo<R: Runtime>(app: AppHandle<R>) -> Reply<AppStatus> {
    let state = app.state::<AppState>();
    let signed_in = demo::set_up(&mut *state.store().await?)?;
    *state.session() = Some(signed_in.token);
    crate::demo::start_tenant(&app).await?;
    let store = state.store().await?;
    let status = app_status::status(&store, state.session().as_ref(), clock::now())?;
    Ok(status)
}

async fn sign_in<R: Runtime>(app: AppHandle<R>, email: String, password: Password) -> Reply<User> {
    let state = app.state::<AppState>();
    let mut store = state.store().await?;
    let signed_in = sessions::sign_in(&mut store, &email, &password, clock::now())?;
    // One window, one session: whoever it held before (perhaps someone else) is signed out.
    let previous = state.session().replace(signed_in.token);
    if let Some(previous) = previous {
        if let Err(e) = sessions::sign_out(&mut store, &previous) {
            log::warn!("Could not end the window's previous session: {e}");
        }
    }
    Ok(signed_in.user)
}

async fn sign_out<R: Runtime>(app: AppHandle<R>) -> Reply<()> {
    let state = app.state::<AppState>();
    let mut store = state.store().await?;
    let token = state.session().take();
    if let Some(token) = token {
        sessions::sign_out(&mut store, &token)?;
    }
    Ok(())
}

/// "Your password": this window's session stays, the person's other sessions end.
async fn change_own_password<R: Runtime>(
    app: AppHandle<R>,
    current: Password,
    new_password: Password,
) -> Reply<()> {
    let state = app.state::<AppState>();
    let mut store = state.store().await?;
    let token = state.session().clone();
    let token = token.ok_or(sessions::SignInError::SessionEnded)?;
    Ok(sessions::change_own_password(
        &mut store,
        &token,
        &current,
        &new_password,
    )?)
}

/// Why the window was opened to sign in (the tray's Sync Now with nobody signed in), once.
async fn take_sign_in_notice<R: Runtime>(app: AppHandle<R>) -> Reply<Option<String>> {
    Ok(app.try_state::<SignInNotice>().and_then(|n| n.take()))
}

/// The screen the tray asked for (Renew client secret…), once.
async fn take_page_request<R: Runtime>(app: AppHandle<R>) -> Reply<Option<String>> {
    Ok(app.try_state::<PageRequest>().and_then(|r| r.take()))
}
