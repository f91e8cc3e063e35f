use uniasset_core::access::Actor;
use uniasset_core::alerts::{self, EmailSettings, EmailSettingsInput, WebhookSettings};
use uniasset_core::secrets::{SmtpPassword, WebhookUrl};
use uniasset_core::store::Store;

use super::{block_on, from_stdin};
use crate::args::{AlertsCommand, WebhookCommand};
use crate::output::{Done, Failure};

pub fn run(store: &mut Store, cmd: AlertsCommand) -> Result<Done, Failure> {
    let me = Actor::CommandLine;
    match cmd {
        AlertsCommand::Set(args) => {
            let password = if args.password_stdin {
                Some(SmtpPassword::new(from_stdin("SMTP password")?))
            } else {
                None
            };
            let input = EmailSettingsInput {
                host: args.host,
                port: args.port,
                tls: args.tls,
                username: args.user,
                sender: args.from,
                recipients: args.to,
            };
            let settings = alerts::save(store, &me, &input, password.as_ref())?;
            let mut text = format!("Email alerts are on.\n{}", describe(&settings));
            if settings.password_set {
                text.push_str("\nThe SMTP password is in the system keychain.");
            }
            text.push_str("\nSend a test email with `uniasset alerts test`.");
            Ok(Done::new(&settings, text))
        }
        AlertsCommand::Show => {
            let settings = alerts::settings(store)?;
            let text = if settings.enabled {
                describe(&settings)
            } else {
                "Email alerts are off. Set them up with `uniasset alerts set`.".to_owned()
            };
            Ok(Done::new(&settings, text))
        }
        AlertsCommand::Test => {
            block_on(alerts::send_test(store, &me))?;
            let settings = alerts::settings(store)?;
            let text = format!("Sent a test email to {}.", settings.recipients.join(", "));
            Ok(Done::new(&settings, text))
        }
        AlertsCommand::Off => {
            let settings = alerts::clear(store, &me)?;
            let text = "Email alerts are off; the SMTP settings and password were removed.";
            Ok(Done::new(&settings, text))
        }
        AlertsCommand::Webhook(cmd) => webhook(store, &me, cmd),
        AlertsCommand::Reminders { state } => {
            let settings = alerts::set_reminders(store, &me, state == "on")?;
            let text = if settings.enabled {
                "Reminders about leavers' assets are on."
            } else {
                "Reminders about leavers' assets are off."
            };
            Ok(Done::new(&settings, text))
        }
    }
}

fn webhook(store: &mut Store, me: &Actor, cmd: WebhookCommand) -> Result<Done, Failure> {
    match cmd {
        WebhookCommand::Set {
            url,
            url_stdin: _,
            kind,
        } => {
            let url = match url {
                Some(url) => url,
                None => from_stdin("webhook address")?,
            };
            let settings = alerts::set_webhook(store, me, &WebhookUrl::new(url), kind)?;
            let text = format!(
                "Chat alerts go to the {} webhook at {}; its address is in the system keychain.\nPost a test with `uniasset alerts webhook test`.",
                settings.kind, settings.host
            );
            Ok(Done::new(&settings, text))
        }
        WebhookCommand::Test => {
            block_on(alerts::test_webhook(store, me))?;
            let settings = alerts::webhook_settings(store)?;
            let text = "Posted a test message to the chat webhook.".to_owned();
            Ok(Done::new(&settings, text))
        }
        WebhookCommand::Show => {
            let settings = alerts::webhook_settings(store)?;
            let text = match &settings {
                Some(s) => describe_webhook(s),
                None => {
                    "No chat webhook is set. Set one with `uniasset alerts webhook set`.".to_owned()
                }
            };
            Ok(Done::new(&settings, text))
        }
        WebhookCommand::Off => {
            alerts::webhook_off(store, me)?;
            let text = "Chat alerts are off; the webhook's address was removed from the keychain.";
            Ok(Done::new(&serde_json::Value::Null, text))
        }
    }
}

fn describe_webhook(s: &WebhookSettings) -> String {
    let mut text = format!("Chat alerts: {} webhook at {}.", s.kind, s.host);
    if let Some(last) = &s.last {
        match &last.error {
            None => text.push_str(&format!("\nLast post: {:?} at {}.", last.subject, last.at)),
            Some(e) => text.push_str(&format!("\nLast post failed at {}: {e}", last.at)),
        }
    }
    text
}

fn describe(s: &EmailSettings) -> String {
    let mut text = format!(
        "Server:     {}:{} (TLS mode {})\nSign-in:    {}\nFrom:       {}\nTo:         {}",
        s.host.as_deref().unwrap_or("-"),
        s.port,
        s.tls,
        match &s.username {
            Some(u) => format!(
                "{u} (password {})",
                if s.password_set {
                    "in the keychain"
                } else {
                    "not set"
                }
            ),
            None => "none".to_owned(),
        },
        s.sender.as_deref().unwrap_or("-"),
        s.recipients.join(", ")
    );
    if let Some(last) = &s.last_send {
        text.push_str(&format!("\nLast email: {} \"{}\": ", last.at, last.subject));
        text.push_str(match &last.error {
            None => "sent",
            Some(_) => "failed",
        });
        if let Some(e) = &last.error {
            text.push_str(&format!("\n  {e}"));
        }
    }
    text
}
