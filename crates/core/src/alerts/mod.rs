//! Alerts (R-M1…R-M4): tell the owner by email, and in a chat channel when a webhook is set,
//! when the sync deactivated people (with the assets to get back), held a run for review,
//! failed, or has not succeeded for 48 hours while auto-deprovision is on; and, when turned
//! on, remind them of assets leavers still hold (R-A5). The SMTP password and the webhook's
//! address live only in the OS keychain. Sending never fails a sync: each attempt's outcome is
//! recorded for the window instead. Runs' alerts go through the outbox, so every process that
//! stores runs can send them.

mod channel;
mod error;
mod form;
mod messages;
mod outbox;
mod reminders;
mod route;
mod send;
mod settings;
mod webhook;

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

use crate::access::Actor;
use crate::store::{Store, StoreError};
use crate::timestamp;

pub use error::AlertError;
pub use form::{clear, save};
pub use messages::{Message, STALE_AFTER_HOURS};
pub use outbox::send_owed;
pub use reminders::{
    reminder_settings, reminders_sent, send_reminders, set_reminders, ReminderSettings,
};
pub use settings::{settings, settings_for, EmailSettings, EmailSettingsInput, LastSend, SmtpTls};
pub use webhook::{set_webhook, webhook_off, webhook_settings, WebhookKind, WebhookSettings};

use channel::Channel;
use route::Route;
use settings::note_last_send;

/// "Send test email" with the saved settings (Owner or Admin). The outcome is recorded like
/// any alert's, and an error is returned as it is for the form to show. One that went
/// through marks the settings tested.
pub async fn send_test(store: &mut Store, by: &Actor) -> Result<(), AlertError> {
    by.require_admin("send a test email")?;
    test_on(store, Channel::Email).await
}

/// "Send test" to the chat webhook (Owner or Admin), recorded like any post; the error is
/// returned as it is for the window to show. One that went through marks the webhook tested.
pub async fn test_webhook(store: &mut Store, by: &Actor) -> Result<(), AlertError> {
    by.require_admin("send a test to the chat webhook")?;
    webhook_settings(store)?.ok_or(AlertError::WebhookNotSetUp)?;
    test_on(store, Channel::Chat).await
}

async fn test_on(store: &mut Store, channel: Channel) -> Result<(), AlertError> {
    let message = messages::test(store, channel == Channel::Chat)?;
    let (sent, outcome) = deliver_and_record(store, channel, &message).await?;
    if sent.ok() {
        store.conn().execute(
            &format!(
                "UPDATE {} SET tested_at = ?1 WHERE id = 1",
                channel.settings_table()
            ),
            [&sent.at],
        )?;
    }
    outcome
}

/// From the scheduler's tick: while alerts and auto-deprovision are on, one email when no run
/// has succeeded for 48 hours (counted from the last success, or from turning
/// auto-deprovision on). Not again until a run succeeds and another 48 hours pass.
/// Returns the email's outcome; the chat post's, if any, is recorded with the webhook.
pub async fn check_stale(
    store: &mut Store,
    now: DateTime<Utc>,
) -> Result<Option<LastSend>, StoreError> {
    let emailed = check_stale_on(store, Channel::Email, now).await?;
    check_stale_on(store, Channel::Chat, now).await?;
    Ok(emailed)
}

async fn check_stale_on(
    store: &mut Store,
    channel: Channel,
    now: DateTime<Utc>,
) -> Result<Option<LastSend>, StoreError> {
    let row: Option<(Option<String>, Option<String>, Option<String>)> = store
        .conn()
        .query_row(
            &format!(
                "SELECT (SELECT max(ended_at) FROM sync_runs WHERE result IN ('succeeded', 'completed_with_errors')),
                        d.enabled_at, a.stale_alerted_from
                 FROM {} a, deprovision_settings d
                 WHERE {} AND d.auto_deprovision = 1",
                channel.settings_table(),
                channel.on("a")
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((last_success, enabled_at, alerted_from)) = row else {
        return Ok(None);
    };
    // Text order is time order in the store's format.
    let Some(from) = last_success.max(enabled_at) else {
        return Ok(None);
    };
    let Ok(since) = DateTime::parse_from_rfc3339(&from) else {
        return Ok(None);
    };
    let quiet = now - since.with_timezone(&Utc);
    if quiet < chrono::Duration::hours(STALE_AFTER_HOURS) || alerted_from.as_deref() == Some(&from)
    {
        return Ok(None);
    }
    let message = messages::stale(store, &from, quiet)?;
    let (sent, _) = deliver_and_record(store, channel, &message).await?;
    // Only a delivered alert counts as said; a failed one is tried again on the next tick.
    if sent.ok() {
        store.conn().execute(
            &format!(
                "UPDATE {} SET stale_alerted_from = ?1 WHERE id = 1",
                channel.settings_table()
            ),
            [&from],
        )?;
    }
    Ok(Some(sent))
}

/// Sends with the saved settings and records the outcome.
async fn deliver_and_record(
    store: &mut Store,
    channel: Channel,
    message: &Message,
) -> Result<(LastSend, Result<(), AlertError>), StoreError> {
    let outcome = match Route::saved(store, channel).await {
        Ok(route) => route.send(message).await,
        Err(e) => Err(e),
    };
    let sent = LastSend {
        at: timestamp::now(),
        subject: message.subject.clone(),
        error: outcome.as_ref().err().map(ToString::to_string),
    };
    note_last_send(store.conn(), channel, &sent)?;
    Ok((sent, outcome))
}
