//! Signing in (R-D4): password check against the Argon2id hash, refusal of deactivated
//! users whatever their sign-in method, and sessions that deactivation ends. Under attack
//! (R-X2): repeated failures lock the email out for a growing time, an unknown email is
//! answered as slowly and in the same words as a wrong password, and a session unused for
//! the organization's idle time has ended. Rules that depend on time take `now` from the
//! caller, so tests (and the app's test clock) can move it.

use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::access::Actor;
use crate::audit;
use crate::directory::{self, DirectoryError, User, UserStatus};
use crate::password::{self, Password, PasswordError};
use crate::store::{Store, StoreError};
use crate::timestamp;

/// Wrong attempts in a row before an email is locked out.
pub const FAILURES_BEFORE_LOCKOUT: u32 = 5;
/// The first lockout lasts this long; each further one in a row twice as long, up to the
/// longest.
const FIRST_LOCKOUT_MINUTES: i64 = 1;
const LONGEST_LOCKOUT_MINUTES: i64 = 15;
/// A day without failures forgets an email's record, so the next lockout is short again.
const FORGET_FAILURES_AFTER_HOURS: i64 = 24;
/// No account has a longer address (RFC 5321); a longer one is never recorded.
const MAX_EMAIL_LENGTH: usize = 254;

/// A session token, held only by the signed-in window; the store keeps its SHA-256.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

#[derive(Debug)]
pub struct SignedIn {
    pub token: SessionToken,
    pub user: User,
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Also the answer for an unknown email and for an account without a password, so the
    /// answer never tells an outsider which addresses have accounts.
    #[error("The email or password is incorrect. (People who sign in with Microsoft or Google need a password from an administrator to use this app.)")]
    InvalidCredentials,
    #[error("This account is deactivated. Contact an administrator of your organization.")]
    Deactivated,
    #[error("Your session has ended. Sign in again.")]
    SessionEnded,
    #[error(
        "Too many failed attempts to sign in with this email. Try again in {}.",
        minutes_words(*.minutes)
    )]
    Locked { minutes: i64 },
    #[error("Your current password is not right.")]
    WrongPassword,
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for SignInError {
    fn code(&self) -> &'static str {
        match self {
            SignInError::InvalidCredentials => "invalid_credentials",
            SignInError::Deactivated => "account_deactivated",
            SignInError::SessionEnded => "session_ended",
            SignInError::Locked { .. } => "sign_in_locked",
            SignInError::WrongPassword => "wrong_password",
            SignInError::Password(e) => e.code(),
            SignInError::Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for SignInError {
    fn from(e: rusqlite::Error) -> Self {
        SignInError::Store(e.into())
    }
}

fn minutes_words(minutes: i64) -> String {
    if minutes == 1 {
        "1 minute".to_owned()
    } else {
        format!("{minutes} minutes")
    }
}

/// Checks the password, then the status: a deactivated user is told so (and nothing else)
/// only once they have proved who they are, or when they have no password to prove it with.
/// A locked-out email is refused before any check. Success ends the user's other sessions.
pub fn sign_in(
    store: &mut Store,
    email: &str,
    password: &Password,
    now: DateTime<Utc>,
) -> Result<SignedIn, SignInError> {
    password::check_length(password)?;
    let email = email.trim();
    if let Some(until) = locked_until(store.conn(), email, now)? {
        return Err(locked(until, now));
    }
    let account = match directory::find_by_email(store, email) {
        Ok(user) => {
            let hash: Option<String> = store.conn().query_row(
                "SELECT password_hash FROM users WHERE id = ?1",
                [user.id],
                |r| r.get(0),
            )?;
            Some((user, hash))
        }
        Err(DirectoryError::Store(e)) => return Err(e.into()),
        Err(_) => None,
    };
    // The same Argon2 work whether or not the account exists or has a password, so neither
    // the answer nor the time it takes tells them apart from a wrong password.
    let hash = account.as_ref().and_then(|(_, hash)| hash.as_deref());
    let matches = password::verify(password, hash.unwrap_or(password::DUMMY_HASH));
    match account {
        Some((user, Some(_))) if matches => {
            if user.status == UserStatus::Deactivated {
                return Err(SignInError::Deactivated);
            }
            start_session(store, email, user, now)
        }
        account => {
            if let Some(until) = record_failure(store, email, account.as_ref(), now)? {
                return Err(locked(until, now));
            }
            Err(SignInError::InvalidCredentials)
        }
    }
}

/// Starts a session for someone who proved who they are another way: the Owner who has
/// just chosen their password at first-run setup.
pub(crate) fn start_proved(
    store: &mut Store,
    email: &str,
    now: DateTime<Utc>,
) -> Result<SignedIn, SignInError> {
    let user = match directory::find_by_email(store, email) {
        Ok(user) => user,
        Err(DirectoryError::Store(e)) => return Err(e.into()),
        Err(_) => return Err(SignInError::InvalidCredentials),
    };
    start_session(store, email, user, now)
}

fn start_session(
    store: &mut Store,
    email: &str,
    user: User,
    now: DateTime<Utc>,
) -> Result<SignedIn, SignInError> {
    let token = SessionToken(hex::encode(rand::random::<[u8; 32]>()));
    let at = timestamp::at(now);
    let tx = store.write()?;
    tx.execute("DELETE FROM sign_in_failures WHERE email = ?1", [email])?;
    // One person, one session: the window has one, so a new sign-in replaces the last.
    end_all_for_user(&tx, user.id)?;
    tx.execute(
        "INSERT INTO sessions (user_id, token_hash, created_at, last_used_at) VALUES (?1, ?2, ?3, ?3)",
        rusqlite::params![user.id, token_hash(&token), at],
    )?;
    tx.commit().map_err(StoreError::from)?;
    Ok(SignedIn { token, user })
}

fn locked(until: DateTime<Utc>, now: DateTime<Utc>) -> SignInError {
    // Rounded up: "try again in 1 minute" must not be too early.
    let seconds = (until - now).num_seconds().max(1);
    SignInError::Locked {
        minutes: (seconds + 59) / 60,
    }
}

fn locked_until(
    conn: &Connection,
    email: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let until: Option<String> = conn
        .query_row(
            "SELECT locked_until FROM sign_in_failures WHERE email = ?1 AND locked_until > ?2",
            [email, &timestamp::at(now)],
            |r| r.get(0),
        )
        .optional()?;
    Ok(until.as_deref().and_then(timestamp::parse))
}

/// Counts a failed attempt; on the one that reaches the limit, locks the email out (and
/// audits it) and returns until when.
fn record_failure(
    store: &mut Store,
    email: &str,
    account: Option<&(User, Option<String>)>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, SignInError> {
    if email.chars().count() > MAX_EMAIL_LENGTH {
        return Ok(None);
    }
    let tx = store.write()?;
    let forget_before = now - TimeDelta::hours(FORGET_FAILURES_AFTER_HOURS);
    tx.execute(
        "DELETE FROM sign_in_failures WHERE last_failed_at < ?1",
        [timestamp::at(forget_before)],
    )?;
    let (failures, lockouts): (u32, u32) = tx
        .query_row(
            "SELECT failures, lockouts FROM sign_in_failures WHERE email = ?1",
            [email],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, 0));
    let (failures, lockouts, until) = if failures + 1 >= FAILURES_BEFORE_LOCKOUT {
        let lockouts = lockouts + 1;
        let length = lockout_minutes(lockouts);
        let until = now + TimeDelta::minutes(length);
        let whose = match account {
            Some(_) => String::new(),
            None => format!(" as {email} (no such account)"),
        };
        let entry = match account {
            Some((user, _)) => audit::Entry::user("user.sign_in_locked", user.id),
            None => audit::Entry::organization("user.sign_in_locked"),
        };
        audit::record(
            &tx,
            &Actor::SignInProtection,
            entry.detail(format!(
                "{FAILURES_BEFORE_LOCKOUT} failed sign-ins in a row{whose}; locked for {} (until {})",
                minutes_words(length),
                timestamp::at(until)
            )),
        )?;
        (0, lockouts, Some(until))
    } else {
        (failures + 1, lockouts, None)
    };
    tx.execute(
        "INSERT INTO sign_in_failures (email, failures, lockouts, last_failed_at, locked_until)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (email) DO UPDATE SET failures = excluded.failures,
             lockouts = excluded.lockouts, last_failed_at = excluded.last_failed_at,
             locked_until = coalesce(excluded.locked_until, locked_until)",
        rusqlite::params![
            email,
            failures,
            lockouts,
            timestamp::at(now),
            until.map(timestamp::at)
        ],
    )?;
    tx.commit().map_err(StoreError::from)?;
    Ok(until)
}

/// 1, 2, 4, 8, then 15 minutes for the first, second, … lockout in a row.
fn lockout_minutes(lockouts: u32) -> i64 {
    let doubled = FIRST_LOCKOUT_MINUTES.saturating_mul(1 << lockouts.saturating_sub(1).min(16));
    doubled.min(LONGEST_LOCKOUT_MINUTES)
}

/// Who holds `token` at `now`: a session ended by sign-out, deactivation or a newer
/// sign-in, or left unused for the organization's idle time, is refused; the role is read
/// fresh so a demotion takes effect at once. Each accepted use counts as activity.
pub fn authenticate(
    store: &Store,
    token: &SessionToken,
    now: DateTime<Utc>,
) -> Result<Actor, SignInError> {
    let (session_id, user) = live_session(store, token, now)?.ok_or(SignInError::SessionEnded)?;
    // Never backwards: a clock set back must not make a session look older than it is.
    store.conn().execute(
        "UPDATE sessions SET last_used_at = ?2 WHERE id = ?1 AND last_used_at < ?2",
        rusqlite::params![session_id, timestamp::at(now)],
    )?;
    Ok(user.as_actor())
}

/// The open session holding `token` and its user, ending it first if it has been idle
/// too long at `now`.
fn live_session(
    store: &Store,
    token: &SessionToken,
    now: DateTime<Utc>,
) -> Result<Option<(i64, User)>, StoreError> {
    let found: Option<(i64, i64, String, u32)> = store
        .conn()
        .query_row(
            "SELECT s.id, s.user_id, coalesce(s.last_used_at, s.created_at),
                    coalesce((SELECT idle_timeout_minutes FROM organization WHERE id = 1), ?2)
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.ended_at IS NULL AND u.status = 'active'",
            rusqlite::params![
                token_hash(token),
                crate::organization::DEFAULT_IDLE_TIMEOUT_MINUTES
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((session_id, user_id, last_used, idle_minutes)) = found else {
        return Ok(None);
    };
    let idle_ends =
        timestamp::parse(&last_used).map(|t| t + TimeDelta::minutes(idle_minutes.into()));
    match idle_ends {
        Some(ends) if now < ends => {}
        // Idle too long (or a last use that cannot be read): over for good, dated when it
        // ran out, even if the idle time is raised later.
        _ => {
            let ended_at = idle_ends.map_or_else(|| timestamp::at(now), timestamp::at);
            store.conn().execute(
                "UPDATE sessions SET ended_at = ?2 WHERE id = ?1 AND ended_at IS NULL",
                rusqlite::params![session_id, ended_at],
            )?;
            return Ok(None);
        }
    }
    match directory::get_user(store, user_id) {
        Ok(user) => Ok(Some((session_id, user))),
        Err(DirectoryError::Store(e)) => Err(e),
        Err(_) => Ok(None),
    }
}

pub fn sign_out(store: &mut Store, token: &SessionToken) -> Result<(), StoreError> {
    store.conn().execute(
        "UPDATE sessions SET ended_at = ?2 WHERE token_hash = ?1 AND ended_at IS NULL",
        rusqlite::params![token_hash(token), timestamp::now()],
    )?;
    Ok(())
}

/// Ends every open session of a user; returns how many were open.
pub(crate) fn end_all_for_user(conn: &Connection, user_id: i64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "UPDATE sessions SET ended_at = ?2 WHERE user_id = ?1 AND ended_at IS NULL",
        rusqlite::params![user_id, timestamp::now()],
    )?)
}

/// Sets a user's password: an Owner or Admin for anyone (only an Owner for an Owner), or a
/// person for themselves. Their other sessions end, as after any credential change.
pub fn set_password(
    store: &mut Store,
    by: &Actor,
    email: &str,
    password: &Password,
) -> Result<(), DirectoryError> {
    let user = directory::find_by_email(store, email)?;
    replace_checked(store, by, user.id, password, |by, user| {
        if by.user_id() != Some(user.id) {
            by.require_admin("set other people's passwords")?;
            if user.role == directory::Role::Owner {
                by.require_owner("set an Owner's password")?;
            }
        }
        Ok(())
    })
}

/// The window's password reset: an Owner or Admin sets a new password for someone who signs
/// in with one (only an Owner for an Owner; never their own, see `change_own_password`).
/// The user's sessions end.
pub fn set_user_password(
    store: &mut Store,
    by: &Actor,
    user_id: i64,
    password: &Password,
) -> Result<(), DirectoryError> {
    by.require_admin("set other people's passwords")?;
    replace_checked(store, by, user_id, password, directory::may_set_password)
}

/// Replaces the password of `user_id` if `may` allows it, ending all their sessions.
fn replace_checked(
    store: &mut Store,
    by: &Actor,
    user_id: i64,
    password: &Password,
    may: impl Fn(&Actor, &User) -> Result<(), DirectoryError>,
) -> Result<(), DirectoryError> {
    let user = directory::get_user(store, user_id)?;
    may(by, &user)?;
    let hash = strong_hash(&user, password)?;
    let tx = store.write()?;
    // Checked again under the write lock: the role may have changed while hashing.
    may(by, &directory::user_by_id(&tx, user_id)?)?;
    let ended = replace_password(&tx, &user, &hash, None)?;
    audit::record(
        &tx,
        by,
        audit::Entry::user("user.password_set", user.id).detail(sessions_ended(ended)),
    )?;
    tx.commit().map_err(StoreError::from)?;
    Ok(())
}

/// A signed-in person changes their own password, proving who they are with the current
/// one. A wrong current password counts as a failed sign-in for their email (so an open
/// window is no way round the lockout), and a locked email is refused before any check.
/// Their other sessions end; this one stays.
pub fn change_own_password(
    store: &mut Store,
    token: &SessionToken,
    current: &Password,
    new: &Password,
) -> Result<(), SignInError> {
    let now = crate::clock::now();
    password::check_length(current)?;
    let (session_id, user) = live_session(store, token, now)?.ok_or(SignInError::SessionEnded)?;
    if let Some(until) = locked_until(store.conn(), &user.email, now)? {
        return Err(locked(until, now));
    }
    let stored: Option<String> = store.conn().query_row(
        "SELECT password_hash FROM users WHERE id = ?1",
        [user.id],
        |r| r.get(0),
    )?;
    if !password::verify(current, stored.as_deref().unwrap_or(password::DUMMY_HASH)) {
        let account = (user.clone(), stored);
        if let Some(until) = record_failure(store, &user.email, Some(&account), now)? {
            return Err(locked(until, now));
        }
        return Err(SignInError::WrongPassword);
    }
    let hash = strong_hash(&user, new)?;
    let tx = store.write()?;
    tx.execute(
        "DELETE FROM sign_in_failures WHERE email = ?1",
        [&user.email],
    )?;
    let ended = replace_password(&tx, &user, &hash, Some(session_id))?;
    let mut detail = "Changed their own password".to_owned();
    if ended > 0 {
        detail.push_str(&format!("; {ended} other session(s) ended"));
    }
    audit::record(
        &tx,
        &user.as_actor(),
        audit::Entry::user("user.password_changed", user.id).detail(detail),
    )?;
    tx.commit().map_err(StoreError::from)?;
    Ok(())
}

/// A strength-checked Argon2 hash of `password` for `user`, made before any write begins
/// (hashing is slow; the write lock is shared).
fn strong_hash(user: &User, password: &Password) -> Result<String, PasswordError> {
    password::check_strength(password, &[&user.email, &user.display_name])?;
    password::hash(password)
}

/// Stores a new password hash and ends the user's open sessions but `keep`; returns how
/// many ended.
fn replace_password(
    conn: &Connection,
    user: &User,
    hash: &str,
    keep: Option<i64>,
) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE users SET password_hash = ?2 WHERE id = ?1",
        rusqlite::params![user.id, hash],
    )?;
    Ok(conn.execute(
        "UPDATE sessions SET ended_at = ?3 WHERE user_id = ?1 AND id IS NOT ?2 AND ended_at IS NULL",
        rusqlite::params![user.id, keep, timestamp::now()],
    )?)
}

fn sessions_ended(ended: usize) -> String {
    match ended {
        0 => String::new(),
        n => format!("{n} open session(s) ended"),
    }
}

fn token_hash(token: &SessionToken) -> String {
    hex::encode(Sha256::digest(token.0.as_bytes()))
}

/// The person holding `token`, if the session is still valid at `now`. Asking is not
/// using: it does not keep an idle session alive.
pub fn signed_in(
    store: &Store,
    token: &SessionToken,
    now: DateTime<Utc>,
) -> Result<Option<User>, StoreError> {
    Ok(live_session(store, token, now)?.map(|(_, user)| user))
}
