//! Reminders about leavers' assets (R-A5): optional, off by default. For each asset a leaver
//! still holds, one reminder when they leave, one three days before its due date, one on the
//! due date, and one a week while it is overdue — each to the Owners and Admins and to the
//! leaver's manager by email, and to the chat channel when a webhook is set, listing everything
//! that leaver still holds with the dates. Each is sent once on each channel (recorded with
//! the due date it is about: a moved date makes new ones), survives restarts, and is audited; only the latest one owed is sent, so a computer that was off for
//! a month sends one reminder, not four. A failed send is tried again later, never twice after
//! it went through.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::channel::Channel;
use super::messages::{organization_name, Message};
use super::outbox::retry_after;
use super::route::Route;
use super::settings::{note_last_send, LastSend};
use crate::access::Actor;
use crate::assets::DUE_SOON_DAYS;
use crate::audit;
use crate::store::{Store, StoreError};
use crate::text::replace_controls;
use crate::timestamp;

/// Whether reminders are on, since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ReminderSettings {
    pub enabled: bool,
    /// Reminders whose moment came before this are never sent.
    pub since: Option<String>,
}

pub fn reminder_settings(store: &Store) -> Result<ReminderSettings, StoreError> {
    let since: Option<String> = store.conn().query_row(
        "SELECT reminders_since FROM leaver_settings WHERE id = 1",
        [],
        |r| r.get(0),
    )?;
    Ok(ReminderSettings {
        enabled: since.is_some(),
        since,
    })
}

/// An Owner or Admin turns reminders on (counting from now) or off; audited.
pub fn set_reminders(
    store: &mut Store,
    by: &Actor,
    on: bool,
) -> Result<ReminderSettings, super::AlertError> {
    by.require_admin("turn reminders about leavers' assets on or off")?;
    let tx = store.write()?;
    let changed = if on {
        tx.execute(
            "UPDATE leaver_settings SET reminders_since = ?1 WHERE id = 1 AND reminders_since IS NULL",
            [timestamp::now()],
        )?
    } else {
        tx.execute(
            "UPDATE leaver_settings SET reminders_since = NULL WHERE id = 1 AND reminders_since IS NOT NULL",
            [],
        )?
    };
    if changed > 0 {
        let action = if on {
            "alerts.reminders_on"
        } else {
            "alerts.reminders_off"
        };
        audit::record(&tx, by, audit::Entry::organization(action))?;
    }
    tx.commit()?;
    Ok(reminder_settings(store)?)
}

/// One asset a leaver holds, with the reminder owed about it now.
struct Owed {
    holding_id: i64,
    user_id: i64,
    kind: String,
    due: String,
}

/// What a leaver still holds, for the message.
struct Held {
    tag: String,
    name: String,
    serial: Option<String>,
    due: String,
}

/// The latest reminder moment reached by `now` for an asset due on `due`, held by someone
/// who left at `left`: its kind and when it came. None before the first.
fn latest_moment(
    left: DateTime<Utc>,
    due: NaiveDate,
    now: DateTime<Utc>,
) -> Option<(String, DateTime<Utc>)> {
    let midnight = |day: NaiveDate| day.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    let mut moments = vec![("left".to_owned(), left)];
    if let Some(soon) = due
        .checked_sub_days(Days::new(DUE_SOON_DAYS))
        .and_then(midnight)
    {
        moments.push(("due_soon".to_owned(), soon.max(left)));
    }
    moments.extend(midnight(due).map(|t| ("due".to_owned(), t.max(left))));
    if let Some(first_overdue) = due.checked_add_days(Days::new(1)).and_then(midnight) {
        if now >= first_overdue {
            let week = (now - first_overdue).num_days() / 7;
            let at = first_overdue + chrono::Duration::days(week * 7);
            moments.push((format!("overdue_{}", week + 1), at));
        }
    }
    moments
        .into_iter()
        .filter(|(_, at)| *at <= now)
        .max_by_key(|(_, at)| *at)
}

/// The reminders owed on `channel` at `now`, oldest leaver first.
fn owed(
    conn: &Connection,
    channel: Channel,
    since: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Owed>, StoreError> {
    let since = DateTime::parse_from_rfc3339(since).map_or(now, |t| t.with_timezone(&Utc));
    let now_text = timestamp::at(now);
    let mut stmt = conn.prepare(
        "SELECT h.id, h.user_id, u.deactivated_at, h.return_due FROM asset_holdings h
             JOIN users u ON u.id = h.user_id
         WHERE h.ended_at IS NULL AND h.return_due IS NOT NULL AND u.status = 'deactivated'
         ORDER BY u.deactivated_at, h.id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut done = conn.prepare_cached(
        "SELECT 1 FROM asset_reminders
         WHERE holding_id = ?1 AND channel = ?5 AND kind = ?2 AND due = ?3
             AND (sent_at IS NOT NULL OR coalesce(retry_at, '') > ?4)",
    )?;
    let mut found = Vec::new();
    for (holding_id, user_id, left, due) in rows {
        let (Ok(left), Ok(due_day)) = (
            DateTime::parse_from_rfc3339(&left),
            NaiveDate::parse_from_str(&due, "%Y-%m-%d"),
        ) else {
            continue;
        };
        let Some((kind, at)) = latest_moment(left.with_timezone(&Utc), due_day, now) else {
            continue;
        };
        let asked = rusqlite::params![holding_id, kind, due, now_text, channel.as_str()];
        if at < since || done.exists(asked)? {
            continue;
        }
        found.push(Owed {
            holding_id,
            user_id,
            kind,
            due,
        });
    }
    Ok(found)
}

/// From the scheduler's tick: sends the reminders owed now, one message per leaver, and
/// records each. Returns what was sent or tried. Nothing when reminders are off or no way
/// to send is set up.
pub async fn send_reminders(
    store: &mut Store,
    now: DateTime<Utc>,
) -> Result<Vec<LastSend>, StoreError> {
    let Some(since) = reminder_settings(store)?.since else {
        return Ok(Vec::new());
    };
    let mut attempts = Vec::new();
    for channel in Channel::ALL {
        let owed = owed(store.conn(), channel, &since, now)?;
        if owed.is_empty() {
            continue;
        }
        let Ok(route) = Route::saved(store, channel).await else {
            continue;
        };
        let mut by_leaver: BTreeMap<i64, Vec<Owed>> = BTreeMap::new();
        for o in owed {
            by_leaver.entry(o.user_id).or_default().push(o);
        }
        for (user_id, owed) in by_leaver {
            let (message, recipients) = reminder(store, user_id, now)?;
            let outcome = route.to(recipients.clone()).send(&message).await;
            let sent = LastSend {
                at: timestamp::now(),
                subject: message.subject.clone(),
                error: outcome.err().map(|e| e.to_string()),
            };
            let to = match channel {
                Channel::Email => recipients.join(", "),
                Channel::Chat => "the chat channel".to_owned(),
            };
            record(store, channel, user_id, &owed, &sent, &to)?;
            attempts.push(sent);
        }
    }
    Ok(attempts)
}

/// The message about one leaver, and who gets it: the active Owners and Admins, and their
/// manager when known.
fn reminder(
    store: &Store,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(Message, Vec<String>), StoreError> {
    let conn = store.conn();
    let (name, email): (String, String) = conn.query_row(
        "SELECT display_name, email FROM users WHERE id = ?1",
        [user_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (name, email) = (replace_controls(&name), replace_controls(&email));
    let mut stmt = conn.prepare(
        "SELECT a.tag, a.name, a.serial, h.return_due FROM asset_holdings h
             JOIN assets a ON a.id = h.asset_id
         WHERE h.user_id = ?1 AND h.ended_at IS NULL ORDER BY h.return_due, a.tag",
    )?;
    let held = stmt
        .query_map([user_id], |r| {
            Ok(Held {
                tag: r.get(0)?,
                name: r.get(1)?,
                serial: r.get(2)?,
                due: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let today = now.date_naive().to_string();
    let overdue = held.iter().filter(|h| h.due < today).count();
    let subject = if overdue > 0 {
        format!("UniAsset: {name} has {overdue} overdue asset(s) to return")
    } else {
        format!(
            "UniAsset: {name} still holds {} asset(s) to return",
            held.len()
        )
    };
    let mut body = format!(
        "{name} <{email}> has left {} and still holds:\n\n",
        organization_name(store)?
    );
    for h in &held {
        let serial = h
            .serial
            .as_deref()
            .map(|s| format!(", serial {}", replace_controls(s)))
            .unwrap_or_default();
        let state = if h.due < today {
            "OVERDUE"
        } else if h.due == today {
            "due today"
        } else {
            "due"
        };
        body.push_str(&format!(
            "  - {}  {}{serial}: {state} {}\n",
            replace_controls(&h.tag),
            replace_controls(&h.name),
            h.due
        ));
    }
    body.push_str("\nCheck each asset in when it comes back, in UniAsset: Assets → Leavers (or `uniasset leavers`). After its due date an Owner or Admin can write it off.\n");
    let mut recipients: Vec<String> = conn
        .prepare(
            "SELECT email FROM users WHERE status = 'active' AND role IN ('owner', 'admin')
             ORDER BY role DESC, email",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if let Some(manager) = crate::directory::manager_in(conn, user_id)? {
        if !recipients
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&manager.email))
        {
            recipients.push(manager.email);
        }
    }
    Ok((
        Message {
            event: "reminder",
            subject,
            body,
        },
        recipients,
    ))
}

/// Keeps what became of a leaver's reminders: sent (audited, never sent again) or failed
/// (tried again after a wait).
fn record(
    store: &mut Store,
    channel: Channel,
    user_id: i64,
    owed: &[Owed],
    sent: &LastSend,
    to: &str,
) -> Result<(), StoreError> {
    let tx = store.write()?;
    for o in owed {
        let key = rusqlite::params![o.holding_id, channel.as_str(), o.kind, o.due];
        match &sent.error {
            None => tx.execute(
                "INSERT INTO asset_reminders (holding_id, channel, kind, due, sent_at, tries)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1)
                 ON CONFLICT (holding_id, channel, kind, due) DO UPDATE SET sent_at = excluded.sent_at,
                     tries = tries + 1, last_error = NULL, retry_at = NULL",
                rusqlite::params![o.holding_id, channel.as_str(), o.kind, o.due, sent.at],
            )?,
            Some(error) => {
                let tries: u32 = tx
                    .query_row(
                        "SELECT tries FROM asset_reminders
                         WHERE holding_id = ?1 AND channel = ?2 AND kind = ?3 AND due = ?4",
                        key,
                        |r| r.get(0),
                    )
                    .optional()?
                    .unwrap_or(0)
                    + 1;
                tx.execute(
                    "INSERT INTO asset_reminders (holding_id, channel, kind, due, tries, last_error, retry_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (holding_id, channel, kind, due) DO UPDATE SET tries = excluded.tries,
                         last_error = excluded.last_error, retry_at = excluded.retry_at",
                    rusqlite::params![
                        o.holding_id,
                        channel.as_str(),
                        o.kind,
                        o.due,
                        tries,
                        error,
                        timestamp::at(crate::clock::now() + retry_after(tries))
                    ],
                )?
            }
        };
    }
    if sent.ok() {
        audit::record(
            &tx,
            &Actor::Scheduler,
            audit::Entry::user("user.assets_reminder_sent", user_id)
                .detail(format!("{} — to {to}", sent.subject)),
        )?;
    }
    note_last_send(&tx, channel, sent)?;
    tx.commit()?;
    Ok(())
}

/// How many reminders were sent about the asset since its holder left (`uniasset leavers`).
pub fn reminders_sent(store: &Store, asset_id: i64) -> Result<u32, StoreError> {
    Ok(store.conn().query_row(
        "SELECT count(DISTINCT r.kind || '/' || r.due) FROM asset_reminders r
             JOIN asset_holdings h ON h.id = r.holding_id
         WHERE h.asset_id = ?1 AND h.ended_at IS NULL AND r.sent_at IS NOT NULL",
        [asset_id],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_latest_moment_reached_names_the_reminder() {
        let left = at("2026-03-01T10:00:00Z");
        let due = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        let kind = |now: &str| latest_moment(left, due, at(now)).map(|(k, _)| k);
        assert_eq!(kind("2026-03-01T09:00:00Z"), None, "before they left");
        assert_eq!(kind("2026-03-01T10:00:00Z").as_deref(), Some("left"));
        assert_eq!(kind("2026-03-11T23:59:00Z").as_deref(), Some("left"));
        assert_eq!(kind("2026-03-12T00:00:00Z").as_deref(), Some("due_soon"));
        assert_eq!(kind("2026-03-15T08:00:00Z").as_deref(), Some("due"));
        assert_eq!(kind("2026-03-16T00:00:00Z").as_deref(), Some("overdue_1"));
        assert_eq!(kind("2026-03-22T23:00:00Z").as_deref(), Some("overdue_1"));
        assert_eq!(kind("2026-03-23T00:00:00Z").as_deref(), Some("overdue_2"));
        assert_eq!(kind("2026-04-20T00:00:00Z").as_deref(), Some("overdue_6"));
    }
}
