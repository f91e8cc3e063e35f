//! Settings → General → Email alerts and Chat alerts. The SMTP password and the webhook's
//! address go straight to the core, which keeps them in the OS keychain; no reply carries
//! them back.

use tauri::{AppHandle, Runtime};
use uniasset_core::alerts::{
    self, EmailSettings, EmailSettingsInput, WebhookKind, WebhookSettings,
};
use uniasset_core::secrets::{SmtpPassword, WebhookUrl};

use super::Reply;
use crate::state::AppStateExt;

commands! {
    email_settings() -> EmailSettings;
    save_email_settings(input: EmailSettingsInput, password: Option<String>) -> EmailSettings;
    send_test_email() -> ();
    clear_email_settings() -> EmailSettings;
    webhook_settings() -> Option<WebhookSettings>;
    save_webhook(url: String, kind: WebhookKind) -> WebhookSettings;
    test_webhook() -> Option<WebhookSettings>;
    webhook_off() -> ();
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

async fn webhook_settings<R: Runtime>(app: AppHandle<R>) -> Reply<Option<WebhookSettings>> {
    let (_, store) = app.signed_in().await?;
    Ok(alerts::webhook_settings(&store)?)
}

async fn save_webhook<R: Runtime>(
    app: AppHandle<R>,
    url: String,
    kind: WebhookKind,
) -> Reply<WebhookSettings> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(alerts::set_webhook(&mut store, &actor, &WebhookUrl::new(url), kind)?)
}

/// "Send test" to the webhook; the settings after it (tested, or the failure recorded).
async fn test_webhook<R: Runtime>(app: AppHandle<R>) -> Reply<Option<WebhookSettings>> {
    let (actor, mut own) = app.app_state().for_network().await?;
    alerts::test_webhook(&mut own, &actor).await?;
    Ok(alerts::webhook_settings(&own)?)
}

async fn webhook_off<R: Runtime>(app: AppHandle<R>) -> Reply<()> {
    let (actor, mut store) = app.signed_in().await?;
    Ok(alerts::webhook_off(&mut store, &actor)?)
}
