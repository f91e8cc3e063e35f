//! Connecting without copying secrets: the form's live checks, "Set it up for me", "Renew
//! secret" and "Allow UniAsset to …" (an administrator's device-code sign-in), and the admin
//! center link.

use tauri::{AppHandle, Runtime};
use tauri_plugin_opener::OpenerExt;
use uniasset_core::entra::cloud::Cloud;
use uniasset_core::entra::{
    self, ConnectionInput, DeviceCodePrompt, Feature, FieldProblem, SetupTarget,
};
use uniasset_core::overview::EntraOverview;
use uniasset_core::secrets::ClientSecret;

use super::entra::overview_for;
use super::Reply;
use crate::error::ShellError;
use crate::state::{AppStateExt, SignInPurpose};

commands! {
    entra_check(input: ConnectionInput, secret: String) -> Vec<FieldProblem>;
    entra_setup_begin(target: SetupTarget) -> DeviceCodePrompt;
    entra_setup_finish() -> EntraOverview;
    entra_renew_begin() -> DeviceCodePrompt;
    entra_renew_finish() -> EntraOverview;
    entra_grant_begin() -> DeviceCodePrompt;
    entra_grant_finish(feature: Feature) -> EntraOverview;
    entra_sign_in_cancel() -> bool;
    open_verification_page() -> ();
    open_entra_admin_center(cloud: Cloud) -> ();
}

/// Checks the form as it is typed; nothing is kept, nothing leaves the computer.
async fn entra_check<R: Runtime>(
    _app: AppHandle<R>,
    input: ConnectionInput,
    secret: String,
) -> Reply<Vec<FieldProblem>> {
    Ok(entra::field_problems(&input, &ClientSecret::new(secret)))
}

async fn entra_setup_begin<R: Runtime>(
    app: AppHandle<R>,
    target: SetupTarget,
) -> Reply<DeviceCodePrompt> {
    let (actor, mut own) = app.app_state().for_network().await?;
    let (prompt, sign_in) = entra::begin_setup(&mut own, &actor, &target).await?;
    app.app_state().hold_admin_sign_in(SignInPurpose::Setup, sign_in, &prompt.verification_uri);
    open_sign_in_page(&app, &prompt);
    Ok(prompt)
}

async fn entra_setup_finish<R: Runtime>(app: AppHandle<R>) -> Reply<EntraOverview> {
    let (actor, mut own) = app.app_state().for_network().await?;
    let sign_in = app.app_state().take_admin_sign_in(SignInPurpose::Setup)?;
    entra::finish_setup(&mut own, &actor, sign_in).await?;
    crate::tray::refresh_notices(app.clone());
    let (actor, store) = app.signed_in().await?;
    overview_for(&store, &actor)
}

async fn entra_renew_begin<R: Runtime>(app: AppHandle<R>) -> Reply<DeviceCodePrompt> {
    let (actor, mut own) = app.app_state().for_network().await?;
    let (prompt, sign_in) = entra::begin_renewal(&mut own, &actor).await?;
    app.app_state().hold_admin_sign_in(SignInPurpose::Renewal, sign_in, &prompt.verification_uri);
    open_sign_in_page(&app, &prompt);
    Ok(prompt)
}

async fn entra_renew_finish<R: Runtime>(app: AppHandle<R>) -> Reply<EntraOverview> {
    let (actor, mut own) = app.app_state().for_network().await?;
    let sign_in = app.app_state().take_admin_sign_in(SignInPurpose::Renewal)?;
    let renewal = entra::finish_renewal(&mut own, &actor, sign_in).await?;
    log::info!("Client secret renewed, valid until {}. {}", renewal.expires_on, renewal.old_secret);
    crate::tray::refresh_notices(app.clone());
    let (actor, store) = app.signed_in().await?;
    overview_for(&store, &actor)
}

async fn entra_grant_begin<R: Runtime>(app: AppHandle<R>) -> Reply<DeviceCodePrompt> {
    let (actor, mut own) = app.app_state().for_network().await?;
    let (prompt, sign_in) = entra::begin_grant(&mut own, &actor).await?;
    app.app_state().hold_admin_sign_in(SignInPurpose::Grant, sign_in, &prompt.verification_uri);
    open_sign_in_page(&app, &prompt);
    Ok(prompt)
}

async fn entra_grant_finish<R: Runtime>(app: AppHandle<R>, feature: Feature) -> Reply<EntraOverview> {
    let (actor, mut own) = app.app_state().for_network().await?;
    let sign_in = app.app_state().take_admin_sign_in(SignInPurpose::Grant)?;
    entra::finish_grant(&mut own, &actor, sign_in, feature).await?;
    let (actor, store) = app.signed_in().await?;
    overview_for(&store, &actor)
}

/// Whether the cancel came in time: once the administrator has signed in and UniAsset has
/// begun changing the tenant, the work finishes (or undoes itself) and Finish says how.
async fn entra_sign_in_cancel<R: Runtime>(app: AppHandle<R>) -> Reply<bool> {
    Ok(app.app_state().cancel_admin_sign_in())
}

/// "Open the sign-in page again": only the page Microsoft named for the code being waited on.
async fn open_verification_page<R: Runtime>(app: AppHandle<R>) -> Reply<()> {
    let page = app.app_state().admin_sign_in_page()?;
    open_in_browser(&app, &page)
}

async fn open_entra_admin_center<R: Runtime>(app: AppHandle<R>, cloud: Cloud) -> Reply<()> {
    open_in_browser(&app, cloud.app_registrations_url())
}

fn open_in_browser<R: Runtime>(app: &AppHandle<R>, url: &str) -> Reply<()> {
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|error| ShellError::BrowserNotOpened {
            url: url.to_owned(),
            error,
        })?;
    Ok(())
}

/// The window shows the code and the address too, so a computer without a browser that
/// opens is no dead end: the failure is only logged.
fn open_sign_in_page<R: Runtime>(app: &AppHandle<R>, prompt: &DeviceCodePrompt) {
    if let Err(e) = app.opener().open_url(&prompt.verification_uri, None::<&str>) {
        log::warn!("The sign-in page {} could not be opened in the browser: {e}", prompt.verification_uri);
    }
}
