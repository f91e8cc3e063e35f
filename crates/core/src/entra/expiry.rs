//! When the client secret expires, in words: the 14-day warning (R-E3) and, from 30 days
//! before, the offer to renew it (R-E6), on the Entra page, in the tray and on each run.

use chrono::NaiveDate;

use super::{connection_in, Connection, SECRET_RENEWAL_DAYS, SECRET_WARNING_DAYS};
use crate::store::StoreError;

pub(super) fn secret_expiry(connection: &Connection) -> Option<NaiveDate> {
    connection
        .secret_expires_on
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

pub(super) fn secret_warning(expires: NaiveDate, today: NaiveDate) -> Option<String> {
    let days = (expires - today).num_days();
    match days {
        d if d < 0 => Some(format!("The client secret expired on {expires}. Syncs fail until you renew it (Renew secret on the Microsoft Entra ID page, or uniasset entra renew-secret) or reconnect with a new secret.")),
        0 => Some("The client secret expires today. Renew it (Renew secret on the Microsoft Entra ID page, or uniasset entra renew-secret) or reconnect with a new secret.".to_owned()),
        d if d <= SECRET_WARNING_DAYS => Some(format!(
            "The client secret expires on {expires}, in {}. Renew it (Renew secret on the Microsoft Entra ID page, or uniasset entra renew-secret) or reconnect with a new secret before then.",
            days_words(d)
        )),
        _ => None,
    }
}

fn days_words(days: i64) -> String {
    format!("{days} day{}", if days == 1 { "" } else { "s" })
}

/// From 30 days before expiry: when the secret expires and that "Renew secret" replaces it.
pub(super) fn renewal_notice(expires: NaiveDate, today: NaiveDate) -> Option<String> {
    const HOW: &str = "Renew it with Renew secret in Settings → Integrations → Microsoft Entra ID: an administrator signs in, and UniAsset adds a new secret, tests it, switches to it and removes the old one.";
    match (expires - today).num_days() {
        d if d < 0 => Some(format!("The client secret expired on {expires}. {HOW}")),
        0 => Some(format!(
            "The client secret expires today ({expires}). {HOW}"
        )),
        d if d <= SECRET_RENEWAL_DAYS => Some(format!(
            "The client secret expires on {expires}, in {}. {HOW}",
            days_words(d)
        )),
        _ => None,
    }
}

/// What a run ending now says about the secret's expiry, read inside the run's transaction.
pub(crate) fn secret_notice_in(conn: &rusqlite::Connection) -> Result<Option<String>, StoreError> {
    let today = crate::clock::now().date_naive();
    Ok(connection_in(conn)?
        .as_ref()
        .and_then(secret_expiry)
        .and_then(|d| renewal_notice(d, today)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewal_is_offered_from_thirty_days_before_and_names_the_date() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let day = |d: i64| today + chrono::Duration::days(d);
        assert_eq!(renewal_notice(day(31), today), None);
        let due = renewal_notice(day(30), today).unwrap();
        assert!(
            due.starts_with("The client secret expires on 2026-12-27, in 30 days."),
            "{due}"
        );
        assert!(due.contains("Renew secret"), "{due}");
        assert!(renewal_notice(day(0), today)
            .unwrap()
            .contains("expires today (2026-11-27)"));
        assert!(renewal_notice(day(-1), today)
            .unwrap()
            .starts_with("The client secret expired on 2026-11-26."));
    }

    #[test]
    fn the_secret_warning_starts_fourteen_days_before() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let day = |d: i64| today + chrono::Duration::days(d);
        assert_eq!(secret_warning(day(15), today), None);
        assert!(secret_warning(day(14), today)
            .unwrap()
            .contains("in 14 days"));
        assert!(secret_warning(day(1), today).unwrap().contains("in 1 day."));
        assert!(secret_warning(day(0), today)
            .unwrap()
            .contains("expires today"));
        assert!(secret_warning(day(-3), today)
            .unwrap()
            .contains("expired on 2026-11-24"));
    }
}
