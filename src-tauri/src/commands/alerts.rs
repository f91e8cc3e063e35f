//! Settings → General → Email alerts. The SMTP password goes straight to the core, which
//! keeps it in the OS keychain; no reply carries it back.

use tauri::{AppHandle, Runtime};
use uniasset_core::alerts::{self, EmailSettings, EmailSettingsInput};
use uniasset_core::secrets::SmtpPassword;

use super::Reply;
use crate::state::AppStateExt;

commands! {
    email_settings() -> EmailSettings;
    save_email_settings(input: EmailSettingsInput, password: Option<String>) -> EmailSettings;
    send_test_email() -> ();
    clear_email_settings() -> EmailSettings;
}

async fn email_settings<R: Runtime>(app: AppHandle<R>) -> Reply<EmailSettings> {
    let (actor, store) = app.signed_in().await?;
    Ok(alerts::settings_for(&store, &actor)?)
}

/// `password`: None keeps the saved one.
async fn save_email_settings<R: Runtime>(
    app: AppHandle<R>,
    input: EmailSettingsInput,
    password: Option<String>,
) -> Reply<EmailSettings> {
    let (actor, mut store) = app.signed_in().await?;
    let password = password.map(SmtpPassword::new);
    Ok(alerts::save(&mut store, &actor, &input, password.as_ref())?)
}

async fn send_test_email<R: Runtime>(app: AppHandle<R>) -> Reply<()> {
    let (actor, mut own) = app.app_state().for_network().await?;
    Ok(alerts::send_test(&mut own, &actor).await?)
}

async fn clear_email_settings<R: Runtime>(app: AppHandle<R>) -> Reply<EmailSettings> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(alerts::clear(&mut store, &actor)?)
}
