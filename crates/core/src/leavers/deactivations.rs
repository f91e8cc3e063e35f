//! One deactivation as the evidence tells it, read from the records each step left: the
//! audit trail's `user.deactivated` entry (when, by whom), the run's line for that person
//! when the sync did it (the run, when the change was first seen, who applied a held run),
//! the offboarding when it was done here in one step, and what became of their Microsoft
//! sessions.

use rusqlite::{Connection, OptionalExtension};

use super::LeaversError;
use crate::access::Actor;
use crate::directory::{self, DeactivationReason};
use crate::entra::SessionsOutcome;
use crate::text_enum::text_enum;

text_enum! {
    /// What started a deactivation.
    DeactivationTrigger, "deactivation trigger", "disabled_in_entra, deleted_from_entra, by_hand or offboarded" {
        /// The sync found the account disabled in Microsoft Entra ID.
        DisabledInEntra => "disabled_in_entra",
        /// The sync found the account deleted in Microsoft Entra ID.
        DeletedFromEntra => "deleted_from_entra",
        /// An Owner or Admin deactivated them in UniAsset.
        ByHand => "by_hand",
        /// An Owner or Admin offboarded them here: disabled in Entra and deactivated in one step.
        Offboarded => "offboarded",
    }
}

impl DeactivationTrigger {
    /// What a reason alone says started it (no offboarding known).
    pub(super) fn of(reason: DeactivationReason) -> DeactivationTrigger {
        match reason {
            DeactivationReason::DisabledInEntra => DeactivationTrigger::DisabledInEntra,
            DeactivationReason::DeletedFromEntra => DeactivationTrigger::DeletedFromEntra,
            DeactivationReason::Manual => DeactivationTrigger::ByHand,
        }
    }
}

/// A `user.deactivated` audit entry.
pub(super) struct Entry {
    pub id: i64,
    pub at: String,
    pub actor_label: String,
    pub actor_user_id: Option<i64>,
    pub user_id: i64,
    pub detail: String,
}

impl Entry {
    pub const COLUMNS: &'static str = "id, at, actor_label, actor_user_id, subject_user_id, detail";

    pub fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
        Ok(Entry {
            id: r.get(0)?,
            at: r.get(1)?,
            actor_label: r.get(2)?,
            actor_user_id: r.get(3)?,
            user_id: r.get(4)?,
            detail: r.get(5)?,
        })
    }

    fn by_sync(&self) -> bool {
        self.actor_user_id.is_none() && self.actor_label == Actor::EntraSync.label()
    }
}

/// One deactivation, with everything the records say about it.
pub(super) struct Deactivation {
    pub user_id: i64,
    pub at: String,
    /// "Microsoft Entra ID sync, run #12", or the person who deactivated them.
    pub by: String,
    pub reason: DeactivationReason,
    pub trigger: DeactivationTrigger,
    pub run_id: Option<i64>,
    pub detected_at: Option<String>,
    /// The object id the run read, when the sync did it.
    pub object_id: Option<String>,
    /// For a held run: who applied it, and when.
    pub applied_by: Option<String>,
    pub applied_at: Option<String>,
    /// When offboarded here: when Entra disabled the account (None if it refused).
    pub disabled_in_entra_at: Option<String>,
    pub sessions: Option<Sessions>,
}

/// What became of the person's Microsoft sessions for this deactivation.
pub(super) struct Sessions {
    pub outcome: SessionsOutcome,
    /// When they were ended (only for `Ended`).
    pub ended_at: Option<String>,
}

/// What the run's line for the person says.
struct RunLine {
    run_id: i64,
    reason: Option<DeactivationReason>,
    detected_at: Option<String>,
    object_id: Option<String>,
    applies_held_run: bool,
    started_by: String,
    started_at: String,
    sessions: Option<SessionsOutcome>,
    sessions_at: Option<String>,
}

pub(super) fn deactivation(conn: &Connection, entry: Entry) -> Result<Deactivation, LeaversError> {
    let since = previous_deactivation(conn, &entry)?;
    let sessions = sessions_end(conn, &entry, since.as_deref())?;
    if !entry.by_sync() {
        let offboarded = offboarding(conn, &entry, since.as_deref())?;
        return Ok(Deactivation {
            user_id: entry.user_id,
            at: entry.at,
            by: entry.actor_label,
            reason: DeactivationReason::Manual,
            trigger: if offboarded.is_some() {
                DeactivationTrigger::Offboarded
            } else {
                DeactivationTrigger::ByHand
            },
            run_id: None,
            detected_at: None,
            object_id: None,
            applied_by: None,
            applied_at: None,
            disabled_in_entra_at: offboarded.flatten(),
            sessions,
        });
    }
    let line = run_line(conn, &entry)?;
    // The entry's own words name the reason too ("Reason: deleted from Entra").
    let reason = line.as_ref().and_then(|l| l.reason).unwrap_or_else(|| {
        if entry.detail.contains(directory::reason_words(
            DeactivationReason::DeletedFromEntra,
        )) {
            DeactivationReason::DeletedFromEntra
        } else {
            DeactivationReason::DisabledInEntra
        }
    });
    let sessions = sessions.or_else(|| {
        let l = line.as_ref()?;
        let outcome = l.sessions?;
        Some(Sessions {
            outcome,
            ended_at: l
                .sessions_at
                .clone()
                .filter(|_| outcome == SessionsOutcome::Ended),
        })
    });
    let applied = line.as_ref().filter(|l| l.applies_held_run);
    Ok(Deactivation {
        user_id: entry.user_id,
        by: match &line {
            Some(l) => format!("{}, run #{}", entry.actor_label, l.run_id),
            None => entry.actor_label,
        },
        at: entry.at,
        reason,
        trigger: DeactivationTrigger::of(reason),
        run_id: line.as_ref().map(|l| l.run_id),
        detected_at: line.as_ref().and_then(|l| l.detected_at.clone()),
        object_id: line.as_ref().and_then(|l| l.object_id.clone()),
        applied_by: applied.map(|l| l.started_by.clone()),
        applied_at: applied.map(|l| l.started_at.clone()),
        disabled_in_entra_at: None,
        sessions,
    })
}

/// A user's most recent deactivation, as the evidence tells it.
pub(super) fn latest_deactivation(
    conn: &Connection,
    user_id: i64,
) -> Result<Option<Deactivation>, LeaversError> {
    let entry = conn
        .query_row(
            &format!(
                "SELECT {} FROM audit_entries
                 WHERE action = 'user.deactivated' AND subject_user_id = ?1
                 ORDER BY at DESC, id DESC LIMIT 1",
                Entry::COLUMNS
            ),
            [user_id],
            Entry::from_row,
        )
        .optional()?;
    entry.map(|e| deactivation(conn, e)).transpose()
}

/// Runs take turns (one lock), and a run writes its deactivations after it starts: the
/// latest run started by then with a deactivation line for them is the one.
fn run_line(conn: &Connection, entry: &Entry) -> Result<Option<RunLine>, LeaversError> {
    Ok(conn
        .query_row(
            "SELECT l.run_id, l.reason, l.detected_at, l.entra_object_id, r.applies_run_id IS NOT NULL,
                 r.started_by, r.started_at, l.sessions_outcome, l.sessions_at
             FROM sync_run_lines l JOIN sync_runs r ON r.id = l.run_id
             WHERE l.user_id = ?1 AND l.outcome = 'deactivated' AND r.started_at <= ?2
             ORDER BY r.started_at DESC, l.run_id DESC LIMIT 1",
            rusqlite::params![entry.user_id, entry.at],
            |r| {
                Ok(RunLine {
                    run_id: r.get(0)?,
                    reason: r.get(1)?,
                    detected_at: r.get(2)?,
                    object_id: r.get(3)?,
                    applies_held_run: r.get(4)?,
                    started_by: r.get(5)?,
                    started_at: r.get(6)?,
                    sessions: r.get(7)?,
                    sessions_at: r.get(8)?,
                })
            },
        )
        .optional()?)
}

/// When the same person was deactivated before this entry, if ever: records kept per person
/// (an offboarding, a sessions outcome) answer this deactivation only if they come after it.
fn previous_deactivation(conn: &Connection, entry: &Entry) -> Result<Option<String>, LeaversError> {
    Ok(conn.query_row(
        "SELECT max(at) FROM audit_entries
         WHERE action = 'user.deactivated' AND subject_user_id = ?1
             AND (at < ?2 OR (at = ?2 AND id < ?3))",
        rusqlite::params![entry.user_id, entry.at, entry.id],
        |r| r.get(0),
    )?)
}

/// The offboarding that made this deactivation, with when Entra disabled the account (None
/// inside when Entra refused and the owner deactivated them anyway). The person's row is
/// stamped a moment before the audit entry, in the same transaction.
fn offboarding(
    conn: &Connection,
    entry: &Entry,
    since: Option<&str>,
) -> Result<Option<Option<String>>, LeaversError> {
    Ok(conn
        .query_row(
            "SELECT disabled_in_entra_at FROM offboardings
             WHERE user_id = ?1 AND deactivated_at <= ?2 AND deactivated_at > ?3
             ORDER BY id DESC LIMIT 1",
            rusqlite::params![entry.user_id, entry.at, since.unwrap_or_default()],
            |r| r.get(0),
        )
        .optional()?)
}

/// What became of the person's Microsoft sessions for this deactivation, as kept per person.
fn sessions_end(
    conn: &Connection,
    entry: &Entry,
    since: Option<&str>,
) -> Result<Option<Sessions>, LeaversError> {
    Ok(conn
        .query_row(
            "SELECT outcome, ended_at FROM entra_session_ends
             WHERE user_id = ?1 AND deactivated_at <= ?2 AND deactivated_at > ?3",
            rusqlite::params![entry.user_id, entry.at, since.unwrap_or_default()],
            |r| {
                Ok(Sessions {
                    outcome: r.get(0)?,
                    ended_at: r.get(1)?,
                })
            },
        )
        .optional()?)
}
