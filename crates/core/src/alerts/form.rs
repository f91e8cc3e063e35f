//! The Email alerts form: checked, saved (the password to the keychain) and turned off, each
//! audited.

use super::error::AlertError;
use super::outbox;
use super::settings::{settings, EmailSettings, EmailSettingsInput, SmtpTls};
use crate::access::Actor;
use crate::audit;
use crate::secrets::{SmtpKeychain, SmtpPassword};
use crate::store::{Store, StoreError};
use crate::text;

/// A checked form: trimmed, addresses parsed.
struct Checked {
    host: String,
    port: u16,
    tls: SmtpTls,
    username: Option<String>,
    sender: String,
    recipients: Vec<String>,
}

fn check(input: &EmailSettingsInput) -> Result<Checked, AlertError> {
    let host = input.host.trim();
    // A bracketed IPv6 literal or a name/IPv4 address; nothing with a scheme, port or path.
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !host.is_empty()
                && host.len() <= 253
                && host.split('.').all(|l| {
                    !l.is_empty()
                        && !l.starts_with('-')
                        && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                })
        }
    };
    if !host_ok {
        return Err(AlertError::InvalidHost(text::excerpt(host)));
    }
    if input.port == 0 {
        return Err(AlertError::InvalidPort(0));
    }
    let address = |a: &str| {
        a.parse::<email_address::EmailAddress>()
            .ok()
            .map(|_| a.to_owned())
    };
    let sender = input.sender.trim();
    let sender = address(sender).ok_or_else(|| AlertError::InvalidSender(text::excerpt(sender)))?;
    let mut recipients: Vec<String> = Vec::new();
    for r in input
        .recipients
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        let r = address(r).ok_or_else(|| AlertError::InvalidRecipient(text::excerpt(r)))?;
        if !recipients.iter().any(|k| k.eq_ignore_ascii_case(&r)) {
            recipients.push(r);
        }
    }
    if recipients.is_empty() {
        return Err(AlertError::NoRecipients);
    }
    let username = input
        .username
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned);
    Ok(Checked {
        host: host.to_ascii_lowercase(),
        port: input.port,
        tls: input.tls,
        username,
        sender,
        recipients,
    })
}

/// Saves the form and turns alerts on (Owner or Admin, audited). `password` None keeps the
/// saved one; without a user name any saved password is removed. The keychain goes back to
/// what it held when the store cannot be written.
pub fn save(
    store: &mut Store,
    by: &Actor,
    input: &EmailSettingsInput,
    password: Option<&SmtpPassword>,
) -> Result<EmailSettings, AlertError> {
    by.require_admin("set up email alerts")?;
    let checked = check(input)?;
    let current = settings(store)?;
    let password = password.filter(|p| !p.is_blank());
    if checked.username.is_some() && password.is_none() && !current.password_set {
        return Err(AlertError::PasswordNeeded);
    }
    let keychain = SmtpKeychain::for_store(store)?;
    let previous = if current.password_set {
        keychain.load().ok()
    } else {
        None
    };
    let password_set = match (&checked.username, password) {
        (None, _) => {
            // Only touched when it holds something: a server without sign-in needs no keychain.
            if current.password_set {
                keychain.delete()?;
            }
            false
        }
        (Some(_), Some(p)) => {
            keychain.save(p)?;
            true
        }
        (Some(_), None) => true,
    };
    let unchanged = password.is_none() && checked.same_as(&current);
    match write_settings(store, by, &checked, password_set, unchanged) {
        Ok(()) => Ok(settings(store)?),
        Err(e) => {
            let _ = match previous {
                Some(p) => keychain.save(&p),
                None => keychain.delete(),
            };
            Err(e)
        }
    }
}

impl Checked {
    /// The saved settings already say this (alerts on, same server and addresses).
    fn same_as(&self, saved: &EmailSettings) -> bool {
        saved.enabled
            && saved.host.as_deref() == Some(self.host.as_str())
            && saved.port == self.port
            && saved.tls == self.tls
            && saved.username == self.username
            && saved.sender.as_deref() == Some(self.sender.as_str())
            && saved.recipients == self.recipients
    }
}

/// `unchanged`: a test that went through still holds for what is saved.
fn write_settings(
    store: &mut Store,
    by: &Actor,
    c: &Checked,
    password_set: bool,
    unchanged: bool,
) -> Result<(), AlertError> {
    let tx = store.write()?;
    // Turning alerts on owes emails only for runs stored from now on, not the history.
    tx.execute(
        "UPDATE email_alerts SET enabled = 1, host = ?1, port = ?2, tls = ?3, username = ?4,
             password_set = ?5, sender = ?6, recipients = ?7,
             alerts_after_run = CASE WHEN enabled = 1 THEN alerts_after_run
                                     ELSE (SELECT coalesce(max(id), 0) FROM sync_runs) END,
             tested_at = CASE WHEN ?8 THEN tested_at END
         WHERE id = 1",
        rusqlite::params![
            c.host,
            c.port,
            c.tls,
            c.username,
            password_set,
            c.sender,
            c.recipients.join(","),
            unchanged
        ],
    )?;
    outbox::retry_now(&tx)?;
    let signed_in = match &c.username {
        Some(u) => format!(", signing in as {u}"),
        None => String::new(),
    };
    audit::record(
        &tx,
        by,
        audit::Entry::organization("alerts.saved").detail(format!(
            "Email alerts from {} to {} through {}:{} (TLS mode {}{signed_in})",
            c.sender,
            c.recipients.join(", "),
            c.host,
            c.port,
            c.tls
        )),
    )?;
    tx.commit().map_err(StoreError::from)?;
    Ok(())
}

/// Turns email alerts off and forgets the server, the addresses and the password (Owner or
/// Admin, audited).
pub fn clear(store: &mut Store, by: &Actor) -> Result<EmailSettings, AlertError> {
    by.require_admin("turn email alerts off")?;
    let had_password = settings(store)?.password_set;
    let keychain = SmtpKeychain::for_store(store)?;
    let tx = store.write()?;
    tx.execute_batch("DELETE FROM email_alerts; INSERT INTO email_alerts (id) VALUES (1);")?;
    audit::record(
        &tx,
        by,
        audit::Entry::organization("alerts.off")
            .detail("Email alerts turned off; the SMTP settings and password were removed"),
    )?;
    tx.commit().map_err(StoreError::from)?;
    if had_password {
        keychain.delete()?;
    }
    Ok(settings(store)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> EmailSettingsInput {
        EmailSettingsInput {
            host: "smtp.example.com".into(),
            port: 587,
            tls: SmtpTls::StartTls,
            username: None,
            sender: "alerts@example.com".into(),
            recipients: "owner@example.com, Owner@example.com,it@example.com".into(),
        }
    }

    #[test]
    fn the_form_is_checked() {
        let c = check(&input()).unwrap();
        assert_eq!(c.recipients, ["owner@example.com", "it@example.com"]);
        for host in [
            "smtp://mail.example.com",
            "mail.example.com:587",
            "",
            "a b",
            "[zz]",
        ] {
            let mut i = input();
            i.host = host.into();
            assert!(
                matches!(check(&i), Err(AlertError::InvalidHost(_))),
                "{host}"
            );
        }
        let mut i = input();
        i.host = "[::1]".into();
        assert!(check(&i).is_ok());
        i.port = 0;
        assert!(matches!(check(&i), Err(AlertError::InvalidPort(0))));
        let mut i = input();
        i.recipients = "owner@example.com, nobody".into();
        assert!(matches!(check(&i), Err(AlertError::InvalidRecipient(r)) if r == "nobody"));
        i.recipients = " , ".into();
        assert!(matches!(check(&i), Err(AlertError::NoRecipients)));
        let mut i = input();
        i.sender = "alerts at example".into();
        assert!(matches!(check(&i), Err(AlertError::InvalidSender(_))));
    }
}
