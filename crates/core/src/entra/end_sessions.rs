//! Ending a leaver's Microsoft sessions (R-E7). With the setting on, every person deactivated
//! because Entra disabled their account, and every Microsoft-linked person deactivated by
//! hand, has their sign-in sessions ended in Entra (`revokeSignInSessions`): refresh tokens
//! and browser session cookies stop working. It happens after the deactivation is saved and
//! never holds it up: what Microsoft answered is kept per person (ended, nothing to end,
//! refused, failed), and a refused or failed attempt is tried again at the next run.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::{settings, EntraError, EntraSettings};
use crate::access::Actor;
use crate::audit;
use crate::directory::{DeactivationReason, User};
use crate::graph::{GraphClient, GraphError, Written, REVOKE_SESSIONS_ROLE};
use crate::organization;
use crate::store::{Store, StoreError};
use crate::text_enum::text_enum;
use crate::timestamp;

/// A refused or failed attempt is tried again at each run for this long after the
/// deactivation; after that the person's record says what happened last.
const RETRY_DAYS: i64 = 30;

text_enum! {
    /// What became of a leaver's Microsoft sessions.
    SessionsOutcome, "sessions outcome", "ended, nothing_to_end, refused or failed" {
        Ended => "ended",
        /// The account was deleted in Entra: it has no sessions left.
        NothingToEnd => "nothing_to_end",
        /// Microsoft refused: UniAsset lacks the permission.
        Refused => "refused",
        /// Microsoft could not be reached or answered with an error; tried again.
        Failed => "failed",
    }
}

/// A person's sessions, as the person, the run report and the evidence show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SessionsEnd {
    pub outcome: SessionsOutcome,
    /// When they were ended, or when UniAsset last tried (RFC 3339).
    pub at: String,
    /// The outcome in words, with what happens next.
    pub detail: String,
}

/// Turns ending sessions on or off. On counts from now: people deactivated before are left
/// as they are. It may be turned on before connecting: "Set it up for me" then asks for the
/// permission in the same sign-in.
pub fn set_end_sessions(
    store: &mut Store,
    by: &Actor,
    on: bool,
) -> Result<EntraSettings, EntraError> {
    by.require_admin("change whether UniAsset ends leavers' Microsoft sessions")?;
    if on {
        organization::require_enterprise(store, "Ending Microsoft sessions")?;
    }
    let tx = store.write()?;
    let changed = if on {
        tx.execute(
            "UPDATE deprovision_settings SET end_sessions_since = ?1 WHERE end_sessions_since IS NULL",
            [timestamp::now()],
        )?
    } else {
        tx.execute(
            "UPDATE deprovision_settings SET end_sessions_since = NULL WHERE end_sessions_since IS NOT NULL",
            [],
        )?
    };
    if changed > 0 {
        let action = if on {
            "entra.end_sessions_on"
        } else {
            "entra.end_sessions_off"
        };
        audit::record(&tx, by, audit::Entry::organization(action))?;
    }
    tx.commit().map_err(StoreError::from)?;
    Ok(settings(store)?)
}

/// When ending sessions was turned on; None while off.
pub(crate) fn since_in(conn: &Connection) -> Result<Option<String>, StoreError> {
    Ok(conn.query_row(
        "SELECT end_sessions_since FROM deprovision_settings WHERE id = 1",
        [],
        |r| r.get(0),
    )?)
}

/// Keeps the permissions the client's token carries (free: the token is already there).
pub(crate) async fn note_granted_roles(store: &mut Store, graph: &GraphClient) {
    if let Ok(roles) = graph.granted_roles().await {
        // Only what the settings show: a failure to note it changes nothing else.
        let _ = note_roles(store.conn(), &roles);
    }
}

pub(crate) fn note_roles(conn: &Connection, roles: &[String]) -> Result<(), StoreError> {
    let text = serde_json::to_string(roles).unwrap_or_default();
    conn.execute(
        "UPDATE entra_connection SET granted_roles = ?1 WHERE id = 1",
        [text],
    )?;
    Ok(())
}

/// A leaver whose sessions are due to be ended.
struct Due {
    user_id: i64,
    object_id: String,
    deactivated_at: String,
    reason: DeactivationReason,
}

/// Leavers deactivated since the setting was turned on whose sessions have not been ended
/// for this deactivation, a refused or failed attempt within `RETRY_DAYS` included.
fn due(conn: &Connection, since: &str) -> Result<Vec<Due>, StoreError> {
    let oldest = timestamp::at(crate::clock::now() - chrono::Duration::days(RETRY_DAYS));
    let mut stmt = conn.prepare(
        "SELECT u.id, u.entra_object_id, u.deactivated_at, u.deactivation_reason
         FROM users u LEFT JOIN entra_session_ends s ON s.user_id = u.id
         WHERE u.status = 'deactivated' AND u.sign_in = 'microsoft'
           AND u.entra_object_id IS NOT NULL
           AND u.deactivated_at >= ?1 AND u.deactivated_at >= ?2
           AND (s.user_id IS NULL OR s.deactivated_at <> u.deactivated_at
                OR s.outcome IN ('refused', 'failed'))
         ORDER BY u.deactivated_at",
    )?;
    let rows = stmt.query_map(rusqlite::params![since, oldest], |r| {
        Ok(Due {
            user_id: r.get(0)?,
            object_id: r.get(1)?,
            deactivated_at: r.get(2)?,
            reason: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Ends the sessions of every leaver due (see `due`), one request each, recording each
/// outcome as it comes. Never fails on Microsoft's account: a refusal or an error is an
/// outcome, kept and tried again later. Returns (user id, outcome) in order.
pub(crate) async fn catch_up(
    store: &mut Store,
    graph: &GraphClient,
    by: &Actor,
) -> Result<Vec<(i64, SessionsEnd)>, StoreError> {
    let Some(since) = since_in(store.conn())? else {
        return Ok(Vec::new());
    };
    note_granted_roles(store, graph).await;
    let mut ended = Vec::new();
    for leaver in due(store.conn(), &since)? {
        let outcome = if leaver.reason == DeactivationReason::DeletedFromEntra {
            Ok(Written::NoAccount)
        } else {
            graph.revoke_sign_in_sessions(&leaver.object_id).await
        };
        let end = outcome_of(outcome);
        record(store, by, &leaver, &end)?;
        ended.push((leaver.user_id, end));
    }
    Ok(ended)
}

/// Ends one deactivated person's sessions now, whatever the setting (offboarding asks for
/// it), recording the outcome as `catch_up` does.
pub(super) async fn end_one(
    store: &mut Store,
    graph: &GraphClient,
    by: &Actor,
    user: &User,
) -> Result<SessionsEnd, StoreError> {
    let leaver = Due {
        user_id: user.id,
        object_id: user.entra_object_id.clone().unwrap_or_default(),
        deactivated_at: user.deactivated_at.clone().unwrap_or_default(),
        reason: user
            .deactivation_reason
            .unwrap_or(DeactivationReason::Manual),
    };
    let end = outcome_of(graph.revoke_sign_in_sessions(&leaver.object_id).await);
    record(store, by, &leaver, &end)?;
    Ok(end)
}

fn outcome_of(result: Result<Written, GraphError>) -> SessionsEnd {
    let at = timestamp::now();
    let (outcome, detail) = match result {
        Ok(Written::Done) => (SessionsOutcome::Ended, "Their Microsoft sign-in sessions were ended: apps and browsers must sign in again (access already granted runs out within about an hour).".to_owned()),
        Ok(Written::NoAccount) => (SessionsOutcome::NothingToEnd, "Their account was deleted in Microsoft Entra ID, so no sessions were left to end.".to_owned()),
        Err(GraphError::PermissionMissing { .. }) => (SessionsOutcome::Refused, format!("Microsoft refused: UniAsset is not allowed to end sessions ({REVOKE_SESSIONS_ROLE}). Allow it on the Entra page; the next run tries again.")),
        Err(e) => (SessionsOutcome::Failed, format!("Not ended yet: {e} The next run tries again.")),
    };
    SessionsEnd {
        outcome,
        at,
        detail,
    }
}

/// Keeps the outcome for the person and on their deactivation's run line, audited.
fn record(
    store: &mut Store,
    by: &Actor,
    leaver: &Due,
    end: &SessionsEnd,
) -> Result<(), StoreError> {
    let ended_at = (end.outcome == SessionsOutcome::Ended).then_some(end.at.as_str());
    let tx = store.write()?;
    tx.execute(
        "INSERT INTO entra_session_ends (user_id, deactivated_at, outcome, attempted_at, ended_at, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (user_id) DO UPDATE SET
             attempts = CASE WHEN deactivated_at = excluded.deactivated_at THEN attempts + 1 ELSE 1 END,
             deactivated_at = excluded.deactivated_at, outcome = excluded.outcome,
             attempted_at = excluded.attempted_at, ended_at = excluded.ended_at,
             detail = excluded.detail",
        rusqlite::params![leaver.user_id, leaver.deactivated_at, end.outcome, end.at, ended_at, end.detail],
    )?;
    tx.execute(
        "UPDATE sync_run_lines SET sessions_outcome = ?2, sessions_at = ?3
         WHERE id = (SELECT max(id) FROM sync_run_lines WHERE user_id = ?1 AND outcome = 'deactivated')",
        rusqlite::params![leaver.user_id, end.outcome, end.at],
    )?;
    let action = match end.outcome {
        SessionsOutcome::Ended => "user.sessions_ended",
        _ => "user.sessions_not_ended",
    };
    audit::record(
        &tx,
        by,
        audit::Entry::user(action, leaver.user_id).detail(end.detail.clone()),
    )?;
    tx.commit()?;
    Ok(())
}

/// What became of a person's sessions at their latest deactivation, if UniAsset tried.
pub fn sessions_end(store: &Store, user_id: i64) -> Result<Option<SessionsEnd>, StoreError> {
    sessions_end_in(store.conn(), user_id)
}

pub(crate) fn sessions_end_in(
    conn: &Connection,
    user_id: i64,
) -> Result<Option<SessionsEnd>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT s.outcome, coalesce(s.ended_at, s.attempted_at), s.detail
             FROM entra_session_ends s JOIN users u ON u.id = s.user_id
             WHERE s.user_id = ?1 AND s.deactivated_at = u.deactivated_at",
            [user_id],
            |r| {
                Ok(SessionsEnd {
                    outcome: r.get(0)?,
                    at: r.get(1)?,
                    detail: r.get(2)?,
                })
            },
        )
        .optional()?)
}
