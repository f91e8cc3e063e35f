//! The outbox (R-M2): every stored run that deactivated people, was held for review or
//! failed is owed one email, and one chat post when a webhook is set (R-M4), whoever stored it
//! — the window, the app's scheduler or `uniasset entra sync` from cron. What is owed is
//! derived from `sync_runs` (runs after the channel's `alerts_after_run`) and the channel's
//! record of each run (`run_alerts`, `run_posts`). Any process may deliver it: the one that
//! stored the run, right after; the app's scheduler on its tick; the next `uniasset entra
//! sync`. A claim written in an IMMEDIATE transaction lets only one of them send each.
//!
//! A claim is a lease: a process that dies while sending leaves the email to the next one
//! once the lease has passed. Only a process dying between the server's acceptance and the
//! commit of "sent" (a few milliseconds) can cause the email to be sent again; that is
//! preferred to an alert about deactivations that is never sent.

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension};

use super::channel::Channel;
use super::messages;
use super::route::Route;
use super::send;
use super::settings::{note_last_send, LastSend};
use crate::clock;
use crate::store::{Store, StoreError};
use crate::sync;
use crate::timestamp;

/// How long a claim keeps other processes off an email: a send's whole deadline, with room
/// for the database writes around it (each may wait 10 seconds for a busy file).
const LEASE: Duration = Duration::from_secs(send::DEADLINE.as_secs() * 4);

/// The wait before a failed email is tried again: 5 minutes, doubling with each failed try,
/// at most an hour. A server that is down, or one that never answers (30 seconds a try), is
/// then not asked again at every scheduler tick (30 seconds) and every command.
pub(super) fn retry_after(tries: u32) -> chrono::Duration {
    chrono::Duration::minutes((5_i64 << tries.saturating_sub(1).min(4)).min(60))
}

/// Sends the emails owed for stored runs, oldest first, and records each outcome (for the
/// window, as every send is). Returns what was sent or tried. The first failure ends the
/// call: the server is most likely down, and that email, still owed, is tried again later
/// (`retry_after`); an email never tried yet is tried at once, so the process that stored a
/// run always tries its email itself. Only a store error is an error; it never affects a run.
pub async fn send_owed(store: &mut Store) -> Result<Vec<LastSend>, StoreError> {
    let mut attempts = Vec::new();
    for channel in Channel::ALL {
        attempts.extend(deliver(store, channel).await?);
    }
    Ok(attempts)
}

/// `send_owed` for one channel.
async fn deliver(store: &mut Store, channel: Channel) -> Result<Vec<LastSend>, StoreError> {
    if next_due(store.conn(), channel)?.is_none() {
        return Ok(Vec::new());
    }
    // Read before anything is claimed: the keychain may wait for someone to unlock it.
    let route = Route::saved(store, channel).await;
    let mut attempts = Vec::new();
    while let Some(run_id) = claim(store, channel)? {
        let message = match sync::run(store, run_id)? {
            Some(run) => messages::for_run(store, &run)?,
            None => None,
        };
        let Some(message) = message else {
            // Only a record at odds with its own counts gets here: nothing to say about it.
            done(store.conn(), channel, run_id)?;
            continue;
        };
        let outcome = match &route {
            Ok(route) => route.send(&message).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let sent = LastSend {
            at: timestamp::now(),
            subject: message.subject,
            error: outcome.err(),
        };
        record(store, channel, run_id, &sent)?;
        let failed = !sent.ok();
        attempts.push(sent);
        if failed {
            break;
        }
    }
    Ok(attempts)
}

/// New settings, a new chance: emails waiting after a failure are tried by the next process.
pub(super) fn retry_now(conn: &Connection) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE run_alerts SET retry_at = NULL WHERE done_at IS NULL",
        [],
    )?;
    Ok(())
}

/// The oldest run whose email is owed and may be sent now: neither claimed by a live
/// process nor waiting to be retried.
fn next_due(conn: &Connection, channel: Channel) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT r.id FROM sync_runs r
                     JOIN {settings} e ON e.id = 1 AND {on}
                     LEFT JOIN {runs} a ON a.run_id = r.id
                 WHERE r.id > e.alerts_after_run
                   AND (r.result IN ('failed', 'held_for_review')
                        OR (r.result IN ('succeeded', 'completed_with_errors') AND r.deactivated > 0))
                   AND a.done_at IS NULL
                   AND coalesce(a.claimed_until, '') <= ?1
                   AND coalesce(a.retry_at, '') <= ?1
                 ORDER BY r.id LIMIT 1",
                settings = channel.settings_table(),
                on = channel.on("e"),
                runs = channel.runs_table()
            ),
            [timestamp::now()],
            |r| r.get(0),
        )
        .optional()?)
}

/// Claims the next email due for this process: chosen and claimed in one IMMEDIATE
/// transaction, so two processes never claim the same one.
fn claim(store: &mut Store, channel: Channel) -> Result<Option<i64>, StoreError> {
    let tx = store.write()?;
    let Some(run_id) = next_due(&tx, channel)? else {
        return Ok(None);
    };
    let lease = chrono::Duration::from_std(LEASE).expect("the lease is a few minutes");
    tx.execute(
        &format!(
            "INSERT INTO {} (run_id, claimed_until) VALUES (?1, ?2)
             ON CONFLICT (run_id) DO UPDATE SET claimed_until = excluded.claimed_until",
            channel.runs_table()
        ),
        rusqlite::params![run_id, timestamp::at(clock::now() + lease)],
    )?;
    tx.commit()?;
    Ok(Some(run_id))
}

fn done(conn: &Connection, channel: Channel, run_id: i64) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "UPDATE {} SET done_at = ?2, claimed_until = NULL WHERE run_id = ?1",
            channel.runs_table()
        ),
        rusqlite::params![run_id, timestamp::now()],
    )?;
    Ok(())
}

/// Records a claimed alert's outcome and lets go of the claim.
fn record(
    store: &mut Store,
    channel: Channel,
    run_id: i64,
    sent: &LastSend,
) -> Result<(), StoreError> {
    let tx = store.write()?;
    let runs = channel.runs_table();
    match &sent.error {
        None => done(&tx, channel, run_id)?,
        Some(error) => {
            let tries: u32 = tx.query_row(
                &format!("SELECT tries + 1 FROM {runs} WHERE run_id = ?1"),
                [run_id],
                |r| r.get(0),
            )?;
            tx.execute(
                &format!(
                    "UPDATE {runs} SET tries = ?2, last_error = ?3, retry_at = ?4,
                         claimed_until = NULL
                     WHERE run_id = ?1"
                ),
                rusqlite::params![
                    run_id,
                    tries,
                    error,
                    timestamp::at(clock::now() + retry_after(tries))
                ],
            )?;
        }
    }
    note_last_send(&tx, channel, sent)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        let minutes: Vec<i64> = (1..=8).map(|n| retry_after(n).num_minutes()).collect();
        assert_eq!(minutes, [5, 10, 20, 40, 60, 60, 60, 60]);
        assert_eq!(retry_after(u32::MAX).num_minutes(), 60);
    }
}
