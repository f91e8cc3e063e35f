use uniasset_core::access::Actor;
use uniasset_core::alerts::{self, EmailSettings, EmailSettingsInput};
use uniasset_core::secrets::SmtpPassword;
use uniasset_core::store::Store;

use super::{block_on, from_stdin};
use crate::args::AlertsCommand;
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
