//! Leavers (R-A2, R-A3): deactivated people who still hold assets, and the deprovisioning
//! evidence an auditor asks for — every deactivation in a period, when the sync first saw
//! the change in Entra, when and by whom (which run, or which person) UniAsset deactivated
//! them, and what became of each asset they held at that moment.
//!
//! The deactivations come from the audit trail's `user.deactivated` entries: one per
//! deactivation, by hand or by the sync, never rewritten, each with its time and actor (a
//! reactivated and again deactivated person has two). For the sync's entries, the run that
//! wrote them (its line for that person) gives the run number, the reason and when the
//! change was first seen.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::access::{AccessError, Actor};
use crate::assets::{self, Asset, HoldingOutcome};
use crate::audit;
use crate::directory::{self, DeactivationReason, DirectoryError, User};
use crate::spreadsheet::safe_cell;
use crate::store::{Store, StoreError};
use crate::timestamp;

/// A deactivated person who still holds assets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Leaver {
    pub user: User,
    pub reason: DeactivationReason,
    pub deactivated_at: String,
    /// "Microsoft Entra ID sync, run #12", or the person who deactivated them.
    pub deactivated_by: String,
    pub assets: Vec<Asset>,
}

/// Every deactivation in a period: the deprovisioning evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Evidence {
    /// The period's first and last day (UTC, both included); None for open-ended.
    pub since: Option<String>,
    pub until: Option<String>,
    pub generated_at: String,
    /// Oldest deactivation first.
    pub rows: Vec<EvidenceRow>,
    /// The audit trail the evidence comes from, verified as the report was made (R-X5):
    /// its entry count and head hash, or where it was changed.
    pub audit_trail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EvidenceRow {
    #[ts(type = "number")]
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub reason: DeactivationReason,
    /// When the sync first saw the change in Entra (RFC 3339); None for a deactivation by
    /// hand, or by a run from before UniAsset recorded it.
    pub detected_at: Option<String>,
    pub deactivated_at: String,
    /// "Microsoft Entra ID sync, run #12", or the person who deactivated them.
    pub deactivated_by: String,
    #[ts(type = "number | null")]
    pub run_id: Option<i64>,
    /// From `detected_at` to `deactivated_at`.
    #[ts(type = "number | null")]
    pub delay_seconds: Option<i64>,
    /// Every asset they held at the moment of deactivation.
    pub assets: Vec<EvidenceAsset>,
    /// Tags of those still assigned to them.
    pub assets_outstanding: Vec<String>,
    /// Tags of those checked in since.
    pub assets_returned: Vec<String>,
    /// Tags of those marked lost since.
    pub assets_lost: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EvidenceAsset {
    pub tag: String,
    pub name: String,
    /// Always true: the evidence lists only assets held when access ended.
    pub held_at_deactivation: bool,
    /// When the holding ended (returned or lost); None while outstanding.
    pub returned_at: Option<String>,
    pub outcome: Option<HoldingOutcome>,
}

#[derive(Debug, thiserror::Error)]
pub enum LeaversError {
    #[error("\"{}\" is not a date: use YYYY-MM-DD.", crate::text::excerpt(.0))]
    InvalidDate(String),
    #[error("The start date {since} is after the end date {until}: no deactivation can match.")]
    DateRange { since: NaiveDate, until: NaiveDate },
    #[error("Could not write the evidence report: {0}")]
    Write(std::io::Error),
    #[error("Could not write the evidence report to {}: {source}", .path.display())]
    WriteFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for LeaversError {
    fn code(&self) -> &'static str {
        match self {
            LeaversError::InvalidDate(_) => "invalid_date",
            LeaversError::DateRange { .. } => "invalid_date_range",
            LeaversError::Write(_) | LeaversError::WriteFile { .. } => "export_failed",
            LeaversError::Access(e) => e.code(),
            LeaversError::Directory(e) => e.code(),
            LeaversError::Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for LeaversError {
    fn from(e: rusqlite::Error) -> Self {
        LeaversError::Store(e.into())
    }
}

/// A day typed as YYYY-MM-DD (the command line's `--since` and `--until`).
pub fn parse_date(text: &str) -> Result<NaiveDate, LeaversError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| LeaversError::InvalidDate(text.to_owned()))
}

/// Every deactivated person who still holds assets, most recently deactivated first
/// (Owner and Admin: they are the ones who get the assets back).
pub fn leavers(store: &Store, by: &Actor) -> Result<Vec<Leaver>, LeaversError> {
    by.require_admin("see leavers")?;
    let conn = store.conn();
    let ids: Vec<i64> = {
        let mut stmt = conn.prepare(
            "SELECT u.id FROM users u WHERE u.status = 'deactivated'
                 AND EXISTS (SELECT 1 FROM assets a WHERE a.assigned_to = u.id)
             ORDER BY u.deactivated_at DESC, u.id",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut found = Vec::new();
    for id in ids {
        let user = directory::user_by_id(conn, id)?;
        let latest = latest_deactivation(conn, id)?;
        let (reason, deactivated_at, deactivated_by) = match latest {
            Some(d) => (d.reason, d.at, d.by),
            // Deactivated before the audit trail existed: the user row is all there is.
            None => (
                user.deactivation_reason
                    .unwrap_or(DeactivationReason::Manual),
                user.deactivated_at.clone().unwrap_or_default(),
                user.deactivated_by.clone().unwrap_or_default(),
            ),
        };
        found.push(Leaver {
            assets: assets::assets_of_user(store, id)?,
            user,
            reason,
            deactivated_at,
            deactivated_by,
        });
    }
    Ok(found)
}

/// How many deactivated people still hold assets (the sidebar's count).
pub fn count(store: &Store) -> Result<u32, LeaversError> {
    Ok(store.conn().query_row(
        "SELECT count(DISTINCT a.assigned_to) FROM assets a JOIN users u ON u.id = a.assigned_to
         WHERE u.status = 'deactivated'",
        [],
        |r| r.get(0),
    )?)
}

/// Every deactivation whose day (UTC) lies in `since..=until`, oldest first (Owner and
/// Admin).
pub fn evidence(
    store: &Store,
    by: &Actor,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Result<Evidence, LeaversError> {
    by.require_admin("see the deprovisioning evidence")?;
    if let (Some(since), Some(until)) = (since, until) {
        if since > until {
            return Err(LeaversError::DateRange { since, until });
        }
    }
    let conn = store.conn();
    // Stamps are RFC 3339 in UTC, so text order is time order and a day's stamps start
    // with the day.
    let from = since.map(|d| d.to_string()).unwrap_or_default();
    let before = until
        .and_then(|d| d.succ_opt())
        .map(|d| d.to_string())
        .unwrap_or_else(|| "9999".to_owned());
    let mut stmt = conn.prepare(
        "SELECT e.id, e.at, e.actor_label, e.actor_user_id, e.subject_user_id, e.detail, u.email,
             u.display_name
         FROM audit_entries e JOIN users u ON u.id = e.subject_user_id
         WHERE e.action = 'user.deactivated' AND e.at >= ?1 AND e.at < ?2
         ORDER BY e.at, e.id",
    )?;
    let entries = stmt
        .query_map([from, before], |r| {
            Ok((
                Entry {
                    at: r.get(1)?,
                    actor_label: r.get(2)?,
                    actor_user_id: r.get(3)?,
                    user_id: r.get(4)?,
                    detail: r.get(5)?,
                },
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = Vec::new();
    for (entry, email, name) in entries {
        let d = deactivation(conn, entry)?;
        let assets = held_at(conn, d.user_id, &d.at)?;
        let tags = |want: Option<HoldingOutcome>| {
            assets
                .iter()
                .filter(|a| a.outcome == want)
                .map(|a| a.tag.clone())
                .collect()
        };
        rows.push(EvidenceRow {
            user_id: d.user_id,
            email,
            name,
            reason: d.reason,
            delay_seconds: d
                .detected_at
                .as_deref()
                .and_then(|seen| seconds(seen, &d.at)),
            detected_at: d.detected_at,
            deactivated_at: d.at,
            deactivated_by: d.by,
            run_id: d.run_id,
            assets_outstanding: tags(None),
            assets_returned: tags(Some(HoldingOutcome::Returned)),
            assets_lost: tags(Some(HoldingOutcome::Lost)),
            assets,
        });
    }
    Ok(Evidence {
        since: since.map(|d| d.to_string()),
        until: until.map(|d| d.to_string()),
        generated_at: timestamp::now(),
        rows,
        audit_trail: audit::trail_words(store)?,
    })
}

/// A `user.deactivated` audit entry.
struct Entry {
    at: String,
    actor_label: String,
    actor_user_id: Option<i64>,
    user_id: i64,
    detail: String,
}

/// One deactivation, with the run behind it when the sync did it.
struct Deactivation {
    user_id: i64,
    at: String,
    by: String,
    reason: DeactivationReason,
    run_id: Option<i64>,
    detected_at: Option<String>,
}

fn by_sync(entry: &Entry) -> bool {
    entry.actor_user_id.is_none() && entry.actor_label == Actor::EntraSync.label()
}

fn deactivation(conn: &Connection, entry: Entry) -> Result<Deactivation, LeaversError> {
    if !by_sync(&entry) {
        return Ok(Deactivation {
            user_id: entry.user_id,
            at: entry.at,
            by: entry.actor_label,
            reason: DeactivationReason::Manual,
            run_id: None,
            detected_at: None,
        });
    }
    // Runs take turns (one lock), and a run writes its deactivations after it starts: the
    // latest run started by then with a deactivation line for them is the one.
    let line: Option<(i64, Option<DeactivationReason>, Option<String>)> = conn
        .query_row(
            "SELECT l.run_id, l.reason, l.detected_at FROM sync_run_lines l
                 JOIN sync_runs r ON r.id = l.run_id
             WHERE l.user_id = ?1 AND l.outcome = 'deactivated' AND r.started_at <= ?2
             ORDER BY r.started_at DESC, l.run_id DESC LIMIT 1",
            rusqlite::params![entry.user_id, entry.at],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (run_id, reason, detected_at) = line.unwrap_or((0, None, None));
    // The entry's own words name the reason too ("Reason: deleted from Entra").
    let reason = reason.unwrap_or_else(|| {
        if entry.detail.contains(directory::reason_words(
            DeactivationReason::DeletedFromEntra,
        )) {
            DeactivationReason::DeletedFromEntra
        } else {
            DeactivationReason::DisabledInEntra
        }
    });
    let by = if run_id > 0 {
        format!("{}, run #{run_id}", entry.actor_label)
    } else {
        entry.actor_label
    };
    Ok(Deactivation {
        user_id: entry.user_id,
        at: entry.at,
        by,
        reason,
        run_id: (run_id > 0).then_some(run_id),
        detected_at,
    })
}

/// A user's most recent deactivation, as the evidence tells it.
fn latest_deactivation(
    conn: &Connection,
    user_id: i64,
) -> Result<Option<Deactivation>, LeaversError> {
    let entry = conn
        .query_row(
            "SELECT at, actor_label, actor_user_id, detail FROM audit_entries
             WHERE action = 'user.deactivated' AND subject_user_id = ?1
             ORDER BY at DESC, id DESC LIMIT 1",
            [user_id],
            |r| {
                Ok(Entry {
                    at: r.get(0)?,
                    actor_label: r.get(1)?,
                    actor_user_id: r.get(2)?,
                    user_id,
                    detail: r.get(3)?,
                })
            },
        )
        .optional()?;
    entry.map(|e| deactivation(conn, e)).transpose()
}

/// The assets whose holding by `user_id` was open at `at`, with how each ended since.
fn held_at(conn: &Connection, user_id: i64, at: &str) -> Result<Vec<EvidenceAsset>, LeaversError> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.tag, a.name, h.ended_at, h.outcome FROM asset_holdings h
             JOIN assets a ON a.id = h.asset_id
         WHERE h.user_id = ?1 AND h.assigned_at <= ?2 AND (h.ended_at IS NULL OR h.ended_at > ?2)
         ORDER BY a.tag COLLATE NOCASE, h.id",
    )?;
    let rows = stmt.query_map(rusqlite::params![user_id, at], |r| {
        Ok(EvidenceAsset {
            tag: r.get(0)?,
            name: r.get(1)?,
            held_at_deactivation: true,
            returned_at: r.get(2)?,
            outcome: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn seconds(from: &str, to: &str) -> Option<i64> {
    let from = DateTime::parse_from_rfc3339(from).ok()?;
    let to = DateTime::parse_from_rfc3339(to).ok()?;
    Some((to - from).num_seconds())
}

/// A delay for people: "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h".
pub fn delay_words(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m, s) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, _) => format!("{m} min {s} s"),
        (0, _, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}

/// The CSV columns, one row per deactivation.
pub const CSV_HEADER: [&str; 11] = [
    "person",
    "email",
    "reason",
    "detected_at",
    "deactivated_at",
    "deactivated_by",
    "delay",
    "assets_held",
    "returned",
    "lost",
    "outstanding",
];

/// The evidence for the period as CSV, every cell safe to open in a spreadsheet (R-D9).
/// Returns how many deactivations were written.
pub fn evidence_csv(
    store: &Store,
    by: &Actor,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
    out: impl Write,
) -> Result<u32, LeaversError> {
    let evidence = evidence(store, by, since, until)?;
    let mut csv = csv::Writer::from_writer(out);
    let write = |e: csv::Error| LeaversError::Write(e.into());
    csv.write_record(CSV_HEADER).map_err(write)?;
    for row in &evidence.rows {
        let ended = |outcome: HoldingOutcome| {
            row.assets
                .iter()
                .filter(|a| a.outcome == Some(outcome))
                .map(|a| format!("{} {}", a.tag, a.returned_at.as_deref().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let held: Vec<String> = row
            .assets
            .iter()
            .map(|a| format!("{} ({})", a.tag, a.name))
            .collect();
        let cells = [
            row.name.clone(),
            row.email.clone(),
            row.reason.as_str().to_owned(),
            row.detected_at.clone().unwrap_or_default(),
            row.deactivated_at.clone(),
            row.deactivated_by.clone(),
            row.delay_seconds.map(delay_words).unwrap_or_default(),
            held.join("; "),
            ended(HoldingOutcome::Returned),
            ended(HoldingOutcome::Lost),
            row.assets_outstanding.join("; "),
        ];
        csv.write_record(cells.iter().map(|c| safe_cell(c).into_owned()))
            .map_err(write)?;
    }
    csv.flush().map_err(LeaversError::Write)?;
    Ok(evidence.rows.len() as u32)
}

/// `evidence_csv` into the file at `path`, written beside it and then renamed, so a failed
/// export never leaves half a file under the chosen name; readable by its owner only.
pub fn evidence_csv_file(
    store: &Store,
    by: &Actor,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
    path: &Path,
) -> Result<u32, LeaversError> {
    by.require_admin("see the deprovisioning evidence")?;
    let failed = |source| LeaversError::WriteFile {
        path: path.to_owned(),
        source,
    };
    let name = path
        .file_name()
        .ok_or_else(|| failed(std::io::ErrorKind::InvalidInput.into()))?;
    let partial = path.with_file_name(format!(
        ".{}.{}.partial",
        name.to_string_lossy(),
        std::process::id()
    ));
    let file = crate::data_dir::open_private_file(&partial, true).map_err(failed)?;
    let mut out = std::io::BufWriter::new(file);
    let result = evidence_csv(store, by, since, until, &mut out).and_then(|n| {
        out.into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .and_then(|_| std::fs::rename(&partial, path))
            .map_err(failed)?;
        Ok(n)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_read_for_people() {
        assert_eq!(delay_words(0), "0 s");
        assert_eq!(delay_words(200), "3 min 20 s");
        assert_eq!(delay_words(2 * 3600 + 5 * 60 + 9), "2 h 5 min");
        assert_eq!(delay_words(3 * 86_400 + 4 * 3600), "3 d 4 h");
    }
}
