//! Settings → General → Email alerts. The SMTP password goes straight to the core, which
//! keeps it in the OS keychain; no reply carries it back.

use tauri::{AppHandle, Manager, Runtime};
use uniasset_core::alerts::{self, EmailSettings, EmailSettingsInput};
use uniasset_core::secrets::SmtpPassword;

use super::Reply;
use crate::state::AppState;

commands! {
    email_settings() -> EmailSettings;
    save_email_settings(input: EmailSettingsInput, password: Option<String>) -> EmailSettings;
    send_test_email() -> ();
    clear_email_settings() -> EmailSettings;
}

async fn email_settings<R: Runtime>(app: AppHandle<R>) -> Reply<EmailSettings> {
    let state = app.state::<AppState>();
    let store = state.store().await?;
    let actor = state.actor(&store)?;
    Ok(alerts::settings_for(&store, &actor)?)
}

/// `password`: None keeps the saved one.
async fn save_email_settings<R: Runtime>(
    app: AppHandle<R>,
    input: EmailSettingsInput,
    password: Option<String>,
) -> Reply<EmailSettings> {
    let state = app.state::<AppState>();
    let mut store = state.store().await?;
    let actor = state.actor(&store)?;
    let password = password.map(SmtpPassword::new);
    Ok(alerts::save(&mut store, &actor, &input, password.as_ref())?)
}

async fn send_test_email<R: Runtime>(app: AppHandle<R>) -> Reply<()> {
    let state = app.state::<AppState>();
    let (actor, mut own) = state.for_network().await?;
    Ok(alerts::send_test(&mut own, &actor).await?)
}

async fn clear_email_settings<R: Runtime>(app: AppHandle<R>) -> Reply<EmailSettings> {
    let state = app.state::<AppState>();
    let mut store = state.store().await?;
    let actor = state.actor(&store)?;
    Ok(alerts::clear(&mut store, &actor)?)
}
