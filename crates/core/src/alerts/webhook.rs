//! Chat alerts (R-M4): the same alerts as the emails, posted to a Microsoft Teams channel (a
//! Workflows webhook, which takes an Adaptive Card), a Slack channel (an incoming webhook:
//! text with blocks) or any endpoint (a JSON body documented in docs/webhook.md). The address
//! is a secret — whoever has it can post — so it lives only in the OS keychain; the store
//! keeps its kind and host. Only https, or plain http to this computer (as for Entra
//! endpoints, R-E4).

use std::time::Duration;

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::error::AlertError;
use super::messages::Message;
use crate::access::Actor;
use crate::audit;
use crate::secrets::{WebhookKeychain, WebhookUrl};
use crate::store::{Store, StoreError};
use crate::text_enum::text_enum;
use crate::timestamp;

/// A chat service that does not answer within this long is tried again later.
const TIMEOUT: Duration = Duration::from_secs(20);

text_enum! {
    /// What the webhook expects.
    WebhookKind, "webhook kind", "teams, slack or json" {
        /// A Microsoft Teams Workflows webhook ("Post to a channel when a webhook request is received").
        Teams => "teams",
        /// A Slack incoming webhook.
        Slack => "slack",
        /// Any endpoint: UniAsset's documented JSON body.
        Json => "json",
    }
}

/// The chat webhook as the window shows it: never the address, only its host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct WebhookSettings {
    pub kind: WebhookKind,
    pub host: String,
    pub set_at: String,
    pub tested_at: Option<String>,
    pub last: Option<super::LastSend>,
}

/// Where chat alerts go: the kind and the address from the keychain.
#[derive(Clone)]
pub(super) struct Webhook {
    kind: WebhookKind,
    url: WebhookUrl,
    host: String,
}

pub fn webhook_settings(store: &Store) -> Result<Option<WebhookSettings>, StoreError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT kind, host, set_at, tested_at, last_sent_at, last_subject, last_error
             FROM chat_webhook WHERE id = 1",
            [],
            |r| {
                let (at, subject, error): (Option<String>, Option<String>, Option<String>) =
                    (r.get(4)?, r.get(5)?, r.get(6)?);
                Ok(WebhookSettings {
                    kind: r.get(0)?,
                    host: r.get(1)?,
                    set_at: r.get(2)?,
                    tested_at: r.get(3)?,
                    last: at.zip(subject).map(|(at, subject)| super::LastSend {
                        at,
                        subject,
                        error,
                    }),
                })
            },
        )
        .optional()?)
}

/// The host of an address UniAsset may post to: https anywhere, http only to this computer.
fn postable_host(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url.trim()).ok()?;
    let host = parsed.host_str()?.to_owned();
    let loopback = host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => Some(host),
        "http" if loopback => Some(host),
        _ => None,
    }
}

/// An Owner or Admin sets the webhook: its address into the keychain, its kind and host here;
/// alerts start from the runs stored after now. Audited.
pub fn set_webhook(
    store: &mut Store,
    by: &Actor,
    url: &WebhookUrl,
    kind: WebhookKind,
) -> Result<WebhookSettings, AlertError> {
    by.require_admin("set up chat alerts")?;
    let host = postable_host(url.expose()).ok_or_else(|| {
        // Only what comes before the path is echoed: the path is the secret part.
        let shown = url
            .expose()
            .split('/')
            .take(3)
            .collect::<Vec<_>>()
            .join("/");
        AlertError::InvalidWebhook(shown)
    })?;
    WebhookKeychain::for_store(store)?.save(&WebhookUrl::new(url.expose().trim()))?;
    let tx = store.write()?;
    tx.execute(
        "INSERT INTO chat_webhook (id, kind, host, set_at, alerts_after_run)
         VALUES (1, ?1, ?2, ?3, (SELECT coalesce(max(id), 0) FROM sync_runs))
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, host = excluded.host,
             set_at = excluded.set_at, tested_at = NULL, alerts_after_run = excluded.alerts_after_run,
             stale_alerted_from = NULL, last_sent_at = NULL, last_subject = NULL, last_error = NULL",
        rusqlite::params![kind, host, timestamp::now()],
    )?;
    tx.execute("DELETE FROM run_posts", [])?;
    audit::record(
        &tx,
        by,
        audit::Entry::organization("alerts.webhook_set")
            .detail(format!("{kind} webhook at {host}")),
    )?;
    tx.commit().map_err(StoreError::from)?;
    Ok(webhook_settings(store)?.expect("just set"))
}

/// An Owner or Admin removes the webhook: the address leaves the keychain. Audited.
pub fn webhook_off(store: &mut Store, by: &Actor) -> Result<(), AlertError> {
    by.require_admin("turn chat alerts off")?;
    WebhookKeychain::for_store(store)?.delete()?;
    let tx = store.write()?;
    if tx.execute("DELETE FROM chat_webhook", [])? > 0 {
        audit::record(&tx, by, audit::Entry::organization("alerts.webhook_off"))?;
    }
    tx.commit().map_err(StoreError::from)?;
    Ok(())
}

impl Webhook {
    /// The saved webhook with its address from the keychain (read on a blocking thread: a
    /// keychain waiting to be unlocked holds up no other work).
    pub(super) async fn saved(store: &mut Store) -> Result<Webhook, AlertError> {
        let settings = webhook_settings(store)?.ok_or(AlertError::WebhookNotSetUp)?;
        let keychain = WebhookKeychain::for_store(store)?;
        let url = tokio::task::spawn_blocking(move || keychain.load())
            .await
            .map_err(|e| crate::secrets::SecretError::Unavailable(e.to_string()))??;
        Ok(Webhook {
            kind: settings.kind,
            url,
            host: settings.host,
        })
    }

    /// Posts the message; any 2xx answer is taken. Errors name the host, never the address.
    pub(super) async fn post(
        &self,
        message: &Message,
        organization: &str,
    ) -> Result<(), AlertError> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| self.unreachable(&e))?;
        let reply = client
            .post(self.url.expose())
            .json(&body(self.kind, message, organization))
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        let status = reply.status();
        if status.is_success() {
            return Ok(());
        }
        let said = reply.text().await.unwrap_or_default();
        Err(AlertError::WebhookRefused {
            host: self.host.clone(),
            status: status.as_u16(),
            detail: crate::text::excerpt(said.trim()).to_string(),
        })
    }

    fn unreachable(&self, e: &reqwest::Error) -> AlertError {
        // reqwest names the URL in its errors; the URL is the secret.
        let mut detail = e.to_string();
        if let Some(url) = e.url() {
            detail = detail.replace(url.as_str(), &self.host);
        }
        detail = detail.replace(self.url.expose(), &self.host);
        AlertError::WebhookUnreachable {
            host: self.host.clone(),
            detail,
        }
    }
}

/// What each kind of webhook receives.
fn body(kind: WebhookKind, message: &Message, organization: &str) -> Value {
    match kind {
        // Teams Workflows: a message with one Adaptive Card attachment.
        WebhookKind::Teams => json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {"type": "TextBlock", "text": message.subject, "weight": "Bolder", "size": "Medium", "wrap": true},
                        {"type": "TextBlock", "text": message.body, "wrap": true},
                        {"type": "TextBlock", "text": format!("UniAsset · {organization}"), "isSubtle": true, "size": "Small", "wrap": true}
                    ]
                }
            }]
        }),
        // Slack: the text is the notification's; the blocks are what the channel shows.
        WebhookKind::Slack => json!({
            "text": message.subject,
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": crate::text::excerpt(&message.subject).to_string()}},
                {"type": "section", "text": {"type": "plain_text", "text": message.body}},
                {"type": "context", "elements": [{"type": "plain_text", "text": format!("UniAsset · {organization}")}]}
            ]
        }),
        WebhookKind::Json => json!({
            "source": "UniAsset",
            "event": message.event,
            "organization": organization,
            "subject": message.subject,
            "text": message.body,
            "sent_at": timestamp::now(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_http_only_to_this_computer() {
        assert_eq!(
            postable_host("https://hooks.slack.com/services/T/B/x").as_deref(),
            Some("hooks.slack.com")
        );
        assert_eq!(
            postable_host("http://127.0.0.1:8080/hook").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(
            postable_host("http://localhost/hook").as_deref(),
            Some("localhost")
        );
        assert_eq!(postable_host("http://[::1]:9/x").as_deref(), Some("[::1]"));
        assert_eq!(postable_host("http://hooks.slack.com/services/x"), None);
        assert_eq!(postable_host("ftp://example.com/x"), None);
        assert_eq!(postable_host("not a url"), None);
    }
}
