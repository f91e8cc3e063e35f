//! The daily check of the audit trail (R-X5): the app verifies the whole chain once a day and
//! keeps the verdict, which Home shows when the trail was changed outside UniAsset.

use chrono::{DateTime, Duration, Utc};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use super::chain::verify_in;
use crate::store::{Store, StoreError};
use crate::timestamp;

/// How often the app verifies the trail.
const EVERY: Duration = Duration::hours(24);

/// The latest verification of the whole trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct TrailVerdict {
    pub checked_at: String,
    /// Entries checked and the newest one's hash, when the chain is intact.
    #[ts(type = "number | null")]
    pub entries: Option<u64>,
    pub head: Option<String>,
    /// Where and how the chain breaks, in words naming the first entry that does not match.
    pub broken: Option<String>,
}

/// The trail verified now, in a sentence for a report an auditor reads (the evidence).
pub fn trail_words(store: &Store) -> Result<String, StoreError> {
    Ok(match verify_in(store.conn())? {
        Ok(head) => format!(
            "Audit trail verified at {}: {} entries, each as UniAsset recorded it; the newest entry's SHA-256 is {}.",
            timestamp::now(),
            head.entries,
            head.head
        ),
        Err(broken) => format!(
            "Audit trail verified at {}: it was changed outside UniAsset. {broken}",
            timestamp::now()
        ),
    })
}

/// The latest verdict kept, if the trail was ever checked.
pub fn verdict(store: &Store) -> Result<Option<TrailVerdict>, StoreError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT checked_at, entries, head, broken FROM audit_checks WHERE id = 1",
            [],
            |r| {
                Ok(TrailVerdict {
                    checked_at: r.get(0)?,
                    entries: r.get::<_, Option<i64>>(1)?.map(|n| n as u64),
                    head: r.get(2)?,
                    broken: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Whether a day has passed since the last check (or there was none).
pub fn check_due(store: &Store, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let last = verdict(store)?.and_then(|v| timestamp::parse(&v.checked_at));
    Ok(last.is_none_or(|last| now - last >= EVERY || last > now))
}

/// Verifies the whole trail now and keeps the verdict.
pub fn check_and_keep(store: &mut Store) -> Result<TrailVerdict, StoreError> {
    let found = verify_in(store.conn())?;
    let verdict = match found {
        Ok(head) => TrailVerdict {
            checked_at: timestamp::now(),
            entries: Some(head.entries),
            head: Some(head.head),
            broken: None,
        },
        Err(broken) => TrailVerdict {
            checked_at: timestamp::now(),
            entries: None,
            head: None,
            broken: Some(broken.to_string()),
        },
    };
    store.conn().execute(
        "INSERT INTO audit_checks (id, checked_at, entries, head, broken) VALUES (1, ?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at, entries = excluded.entries,
             head = excluded.head, broken = excluded.broken",
        rusqlite::params![
            verdict.checked_at,
            verdict.entries.map(|n| n as i64),
            verdict.head,
            verdict.broken
        ],
    )?;
    Ok(verdict)
}
