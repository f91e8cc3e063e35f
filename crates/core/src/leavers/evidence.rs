//! The deprovisioning evidence an auditor samples (SOC 2 CC6.2/CC6.3, ISO 27001 A.5.11 and
//! A.5.18): every deactivation in a period — what started it, when the change was first
//! seen, when and by whom access ended here and in Microsoft, whether that was within the
//! organization's target time — and what became of each asset they held, and who took it
//! back. The deactivations come from the audit trail's `user.deactivated` entries: one per
//! deactivation, never rewritten (a reactivated and again deactivated person has two).

use chrono::{DateTime, NaiveDate};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::deactivations::{deactivation, DeactivationTrigger, Entry};
use super::{target, LeaversError};
use crate::access::Actor;
use crate::assets::{HoldingOutcome, WriteOffReason};
use crate::audit;
use crate::directory::DeactivationReason;
use crate::entra::SessionsOutcome;
use crate::store::Store;
use crate::timestamp;

/// Every deactivation in a period: the deprovisioning evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Evidence {
    /// The period's first and last day (UTC, both included); None for open-ended.
    pub since: Option<String>,
    pub until: Option<String>,
    pub generated_at: String,
    /// The organization's target from detection to deactivation, in hours.
    pub target_hours: u32,
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
    /// Their Microsoft Entra ID object id, when linked.
    pub object_id: Option<String>,
    pub reason: DeactivationReason,
    /// What started it: disabled or deleted in Entra, by hand, or offboarded here.
    pub trigger: DeactivationTrigger,
    /// When the sync first saw the change in Entra (RFC 3339); None for a deactivation by
    /// hand, or by a run from before UniAsset recorded it.
    pub detected_at: Option<String>,
    pub deactivated_at: String,
    /// "Microsoft Entra ID sync, run #12", or the person who deactivated them.
    pub deactivated_by: String,
    #[ts(type = "number | null")]
    pub run_id: Option<i64>,
    /// For a run that was held for review: who applied it, and when.
    pub applied_by: Option<String>,
    pub applied_at: Option<String>,
    /// From `detected_at` to `deactivated_at`.
    #[ts(type = "number | null")]
    pub delay_seconds: Option<i64>,
    /// The target from detection to deactivation when the report was made, in hours.
    pub target_hours: u32,
    /// Whether the delay was within the target; None when there is no detection time (a
    /// person deactivated them, or a run from before UniAsset recorded it).
    pub target_met: Option<bool>,
    /// When offboarded here: when Microsoft Entra ID disabled the account (None when Entra
    /// refused and they were deactivated here anyway).
    pub disabled_in_entra_at: Option<String>,
    /// What became of their Microsoft sessions; None when UniAsset was not asked to end them.
    pub sessions: Option<SessionsOutcome>,
    pub sessions_ended_at: Option<String>,
    /// Every asset they held at the moment of deactivation.
    pub assets: Vec<EvidenceAsset>,
    /// Tags of those still assigned to them.
    pub assets_outstanding: Vec<String>,
    /// Tags of those checked in since.
    pub assets_returned: Vec<String>,
    /// Tags of those marked lost since.
    pub assets_lost: Vec<String>,
    /// Tags of those written off since.
    pub assets_written_off: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EvidenceAsset {
    pub tag: String,
    pub name: String,
    pub serial: Option<String>,
    /// Always true: the evidence lists only assets held when access ended.
    pub held_at_deactivation: bool,
    /// Since when they held it.
    pub held_since: String,
    /// When the holding ended (returned, lost or written off); None while outstanding.
    pub returned_at: Option<String>,
    pub outcome: Option<HoldingOutcome>,
    /// Who checked it in, when returned.
    pub received_by: Option<String>,
    /// Who marked it lost, when lost.
    pub lost_by: Option<String>,
    /// Who wrote it off, and why, when written off.
    pub written_off_by: Option<String>,
    pub write_off_reason: Option<WriteOffReason>,
    /// The note given when it came back (its condition) or was marked lost.
    pub note: Option<String>,
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
    let target_hours = target::target_hours_in(conn)?;
    // Stamps are RFC 3339 in UTC, so text order is time order and a day's stamps start
    // with the day.
    let from = since.map(|d| d.to_string()).unwrap_or_default();
    let before = until
        .and_then(|d| d.succ_opt())
        .map(|d| d.to_string())
        .unwrap_or_else(|| "9999".to_owned());
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM audit_entries
         WHERE action = 'user.deactivated' AND subject_user_id IS NOT NULL AND at >= ?1 AND at < ?2
         ORDER BY at, id",
        Entry::COLUMNS
    ))?;
    let entries = stmt
        .query_map([from, before], Entry::from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = Vec::new();
    for entry in entries {
        let (email, name, linked_oid): (String, String, Option<String>) = conn.query_row(
            "SELECT email, display_name, entra_object_id FROM users WHERE id = ?1",
            [entry.user_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let d = deactivation(conn, entry)?;
        let assets = held_at(conn, d.user_id, &d.at)?;
        let tags = |want: Option<HoldingOutcome>| {
            assets
                .iter()
                .filter(|a| a.outcome == want)
                .map(|a| a.tag.clone())
                .collect()
        };
        let delay_seconds = d
            .detected_at
            .as_deref()
            .and_then(|seen| seconds(seen, &d.at));
        rows.push(EvidenceRow {
            user_id: d.user_id,
            email,
            name,
            object_id: d.object_id.or(linked_oid),
            reason: d.reason,
            trigger: d.trigger,
            delay_seconds,
            target_hours,
            target_met: delay_seconds.map(|s| s <= i64::from(target_hours) * 3600),
            detected_at: d.detected_at,
            deactivated_at: d.at,
            deactivated_by: d.by,
            run_id: d.run_id,
            applied_by: d.applied_by,
            applied_at: d.applied_at,
            disabled_in_entra_at: d.disabled_in_entra_at,
            sessions: d.sessions.as_ref().map(|s| s.outcome),
            sessions_ended_at: d.sessions.and_then(|s| s.ended_at),
            assets_outstanding: tags(None),
            assets_returned: tags(Some(HoldingOutcome::Returned)),
            assets_lost: tags(Some(HoldingOutcome::Lost)),
            assets_written_off: tags(Some(HoldingOutcome::WrittenOff)),
            assets,
        });
    }
    Ok(Evidence {
        since: since.map(|d| d.to_string()),
        until: until.map(|d| d.to_string()),
        generated_at: timestamp::now(),
        target_hours,
        rows,
        audit_trail: audit::trail_words(store)?,
    })
}

/// The assets whose holding by `user_id` was open at `at`, with how each ended since. `at` is
/// the deactivation's audit entry, stamped a moment after the deactivation itself: a holding
/// ended within that moment (in the same millisecond) was still open at the deactivation.
fn held_at(conn: &Connection, user_id: i64, at: &str) -> Result<Vec<EvidenceAsset>, LeaversError> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.tag, a.name, a.serial, h.assigned_at, h.ended_at, h.outcome, h.ended_by, h.end_note,
             h.write_off_reason
         FROM asset_holdings h JOIN assets a ON a.id = h.asset_id
         WHERE h.user_id = ?1 AND h.assigned_at <= ?2 AND (h.ended_at IS NULL OR h.ended_at >= ?2)
         ORDER BY a.tag COLLATE NOCASE, h.id",
    )?;
    let rows = stmt.query_map(rusqlite::params![user_id, at], |r| {
        let outcome: Option<HoldingOutcome> = r.get(5)?;
        let ended_by: Option<String> = r.get(6)?;
        let by = |want| ended_by.clone().filter(|_| outcome == Some(want));
        Ok(EvidenceAsset {
            tag: r.get(0)?,
            name: r.get(1)?,
            serial: r.get(2)?,
            held_at_deactivation: true,
            held_since: r.get(3)?,
            returned_at: r.get(4)?,
            received_by: by(HoldingOutcome::Returned),
            lost_by: by(HoldingOutcome::Lost),
            written_off_by: by(HoldingOutcome::WrittenOff),
            write_off_reason: r.get(8)?,
            outcome,
            note: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn seconds(from: &str, to: &str) -> Option<i64> {
    let from = DateTime::parse_from_rfc3339(from).ok()?;
    let to = DateTime::parse_from_rfc3339(to).ok()?;
    Some((to - from).num_seconds())
}
