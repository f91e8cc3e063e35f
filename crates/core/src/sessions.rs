//! Signing in (R-D4): password check against the Argon2id hash, refusal of deactivated
//! users whatever their sign-in method, and sessions that deactivation ends.

use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::access::{Actor, Person};
use crate::audit;
use crate::directory::{self, DirectoryError, User, UserStatus};
use crate::password::{self, Password};
use crate::store::{Store, StoreError};
use crate::timestamp;

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
    #[error("The email or password is incorrect.")]
    InvalidCredentials,
    #[error("This account is deactivated. Contact an administrator of your organization.")]
    Deactivated,
    #[error("This account has no password yet. An administrator can set one with `uniasset users set-password`.")]
    NoPassword,
    #[error("Your session has ended. Sign in again.")]
    SessionEnded,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::ErrorCode for SignInError {
    fn code(&self) -> &'static str {
        match self {
            SignInError::InvalidCredentials => "invalid_credentials",
            SignInError::Deactivated => "account_deactivated",
            SignInError::NoPassword => "no_password",
            SignInError::SessionEnded => "session_ended",
            SignInError::Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for SignInError {
    fn from(e: rusqlite::Error) -> Self {
        SignInError::Store(e.into())
    }
}

impl From<DirectoryError> for SignInError {
    fn from(e: DirectoryError) -> Self {
        match e {
            DirectoryError::Store(e) => SignInError::Store(e),
            _ => SignInError::InvalidCredentials,
        }
    }
}

/// Checks the password, then the status: a deactivated user is told so (and nothing else)
/// only once they have proved who they are, or when they have no password to prove it with.
pub fn sign_in(
    store: &mut Store,
    email: &str,
    password: &Password,
) -> Result<SignedIn, SignInError> {
    let user = directory::find_by_email(store, email)?;
    let hash: Option<String> = store.conn().query_row(
        "SELECT password_hash FROM users WHERE id = ?1",
        [user.id],
        |r| r.get(0),
    )?;
    match hash {
        Some(hash) if !password::verify(password, &hash) => {
            return Err(SignInError::InvalidCredentials)
        }
        Some(_) => {}
        None if user.status == UserStatus::Deactivated => return Err(SignInError::Deactivated),
        None => return Err(SignInError::NoPassword),
    }
    if user.status == UserStatus::Deactivated {
        return Err(SignInError::Deactivated);
    }
    let token = SessionToken(hex::encode(rand::random::<[u8; 32]>()));
    let tx = store.write()?;
    tx.execute(
        "INSERT INTO sessions (user_id, token_hash, created_at) VALUES (?1, ?2, ?3)",
        rusqlite::params![user.id, token_hash(&token), timestamp::now()],
    )?;
    tx.commit().map_err(StoreError::from)?;
    Ok(SignedIn { token, user })
}

/// Who holds `token`, as of now: a session ended by sign-out or deactivation is refused,
/// and the role is read fresh so a demotion takes effect at once.
pub fn authenticate(store: &Store, token: &SessionToken) -> Result<Actor, SignInError> {
    let user = session_user(store, token)?.ok_or(SignInError::SessionEnded)?;
    Ok(Actor::Person(Person {
        user_id: user.id,
        display_name: user.display_name,
        email: user.email,
        role: user.role,
    }))
}

fn session_user(store: &Store, token: &SessionToken) -> Result<Option<User>, StoreError> {
    let user_id: Option<i64> = store
        .conn()
        .query_row(
            "SELECT s.user_id FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.ended_at IS NULL AND u.status = 'active'",
            [token_hash(token)],
            |r| r.get(0),
        )
        .optional()?;
    match user_id {
        Some(id) => match directory::get_user(store, id) {
            Ok(user) => Ok(Some(user)),
            Err(DirectoryError::Store(e)) => Err(e),
            Err(_) => Ok(None),
        },
        None => Ok(None),
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
    if by.user_id() != Some(user.id) {
        by.require_admin("set other people's passwords")?;
        if user.role == directory::Role::Owner {
            by.require_owner("set an Owner's password")?;
        }
    }
    password::check_strength(password, &[&user.email, &user.display_name])?;
    let hash = password::hash(password)?;
    let tx = store.write()?;
    tx.execute(
        "UPDATE users SET password_hash = ?2 WHERE id = ?1",
        rusqlite::params![user.id, hash],
    )?;
    end_all_for_user(&tx, user.id)?;
    audit::record(&tx, by, audit::Entry::user("user.password_set", user.id))?;
    tx.commit().map_err(StoreError::from)?;
    Ok(())
}

fn token_hash(token: &SessionToken) -> String {
    hex::encode(Sha256::digest(token.0.as_bytes()))
}

/// What the window needs to know on start: is there an organization, and who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AppStatus {
    pub organization: Option<crate::organization::Organization>,
    pub signed_in: Option<User>,
    /// For a demo organization, how to sign in to it (shown on the sign-in screen).
    pub demo_sign_in: Option<String>,
}

/// The organization (if set up) and the person holding `token` (if it is still valid).
pub fn status(store: &Store, token: Option<&SessionToken>) -> Result<AppStatus, StoreError> {
    let organization = crate::organization::find(store)?;
    let demo_sign_in = organization.as_ref().filter(|o| o.demo).map(|_| {
        format!(
            "This is a demo organization with fictional data. Sign in as {} with the password \u{201c}{}\u{201d}.",
            crate::demo::OWNER_EMAIL,
            crate::demo::OWNER_PASSWORD
        )
    });
    Ok(AppStatus {
        demo_sign_in,
        organization,
        signed_in: match token {
            Some(token) => session_user(store, token)?,
            None => None,
        },
    })
}
