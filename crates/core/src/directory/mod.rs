//! The directory of users (R-D2): who they are, their role and sign-in method, their Entra
//! link, and whether they are active.

mod actions;
mod edit;
mod error;
mod import;
mod linked;
mod manager;
mod status;
mod user;
mod validate;

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::access::Actor;
pub use crate::access::Role;
use crate::audit;
use crate::password::{self, Password};
use crate::store::{Store, StoreError};
use crate::timestamp;

pub(crate) use actions::may_set_password;
pub use actions::UserActions;
pub use edit::{changes, edit_user, UserEdit};
pub use error::DirectoryError;
pub use import::{
    import_csv, import_file, preview_import_file, ImportError, ImportPreview, ImportRow,
    ImportSummary, RowProblem, CSV_HEADER,
};
pub(crate) use linked::{active_linked_elsewhere, microsoft_linked, microsoft_linked_to};
pub(crate) use manager::{manager_in, note_from_entra};
pub use manager::{manager_of, set_manager, Manager, ManagerSource};
pub use status::{
    deactivate, deactivate_in, may_deactivate_now, reactivate, reason_words, set_protected,
};
pub use user::{sign_in_name, AccountGap, DeactivationReason, SignInMethod, User, UserStatus};
pub use validate::{describe, NewUser, UserProblem, ValidUser};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct UserQuery {
    pub status: Option<UserStatus>,
    /// Matches anywhere in the name or email, ignoring case.
    pub search: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub sign_in: Option<SignInMethod>,
    /// Only the active people with this gap.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub gap: Option<AccountGap>,
    /// The first matching user to return, counted in name order (a window of a long list).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub offset: Option<u32>,
    /// At most this many users; none for every match. The window asks for the rows in view
    /// and a few either side: sending all 10,000 on every keystroke took hundreds of ms.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct UserCounts {
    pub all: u32,
    pub active: u32,
    pub deactivated: u32,
    pub cannot_sign_in: u32,
    pub not_linked: u32,
}

/// Users matching a query (the window its offset and limit ask for), with counts over the
/// whole organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserList {
    pub users: Vec<User>,
    /// How many users match the filters in all, inside the window or not.
    pub matching: u32,
    pub counts: UserCounts,
}

/// One row of the Users page: the user, and what the signed-in person may do to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct UserRow {
    #[serde(flatten)]
    #[ts(flatten)]
    pub user: User,
    pub may: UserActions,
    /// Assets assigned to them now.
    pub assets_held: u32,
    /// Active, and what keeps them from signing in or being checked, if anything.
    pub gap: Option<AccountGap>,
}

/// The Users page as `by` sees it: the window of matching users the query asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct UserPage {
    /// Matching users `offset`, `offset + 1`, … in name order.
    pub users: Vec<UserRow>,
    pub offset: u32,
    /// How many users match the filters in all.
    pub matching: u32,
    pub counts: UserCounts,
    /// "Add user" and "Import CSV" are offered.
    pub may_add: bool,
}

const USER_COLUMNS: &str = "id, email, display_name, role, sign_in, entra_object_id, status,
    deactivated_at, deactivated_by, deactivation_reason, created_at, protected, entra_tenant_id";

fn user_from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        email: r.get(1)?,
        display_name: r.get(2)?,
        role: r.get(3)?,
        sign_in: r.get(4)?,
        entra_object_id: r.get(5)?,
        status: r.get(6)?,
        deactivated_at: r.get(7)?,
        deactivated_by: r.get(8)?,
        deactivation_reason: r.get(9)?,
        created_at: r.get(10)?,
        protected: r.get(11)?,
        entra_tenant_id: r.get(12)?,
    })
}

/// Adds one user (R-D5: Owners and Admins; only an Owner may add another Owner). A user
/// who signs in with a password may be given their first one here (strength-checked);
/// Google and Microsoft users are given none.
pub fn add_user(
    store: &mut Store,
    by: &Actor,
    new: &NewUser,
    initial_password: Option<&Password>,
) -> Result<User, DirectoryError> {
    actions::may_add(by)?;
    if new.role == Role::Owner {
        by.require_owner("add another Owner")?;
    }
    let valid = new.validate().map_err(DirectoryError::Invalid)?;
    let hash = match initial_password {
        None => None,
        Some(_) if valid.sign_in != SignInMethod::Password => {
            return Err(DirectoryError::NoPasswordSignIn {
                email: valid.email,
                method: valid.sign_in,
            })
        }
        Some(pw) => {
            password::check_strength(pw, &[&valid.email, &valid.display_name])?;
            // Hashed before the write begins: Argon2 is slow, the write lock is shared.
            Some(password::hash(pw)?)
        }
    };
    let tx = store.write()?;
    ensure_unique(&tx, &valid)?;
    let id = insert(&tx, &valid, hash.as_deref())?;
    let mut detail = format!(
        "{} as {}, signs in with {}",
        valid.email, valid.role, valid.sign_in
    );
    if hash.is_some() {
        detail.push_str("; initial password set");
    }
    audit::record(&tx, by, audit::Entry::user("user.added", id).detail(detail))?;
    let user = user_by_id(&tx, id)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(user)
}

fn ensure_unique(conn: &Connection, user: &ValidUser) -> Result<(), DirectoryError> {
    if find_by_email_in(conn, &user.email)?.is_some() {
        return Err(DirectoryError::DuplicateEmail(user.email.clone()));
    }
    if let Some(oid) = &user.entra_object_id {
        ensure_entra_id_free(conn, oid, None)?;
    }
    Ok(())
}

/// No other user (than `except`) is linked to the Entra object id `oid`.
fn ensure_entra_id_free(
    conn: &Connection,
    oid: &str,
    except: Option<i64>,
) -> Result<(), DirectoryError> {
    let taken: Option<i64> = conn
        .query_row(
            "SELECT id FROM users WHERE entra_object_id = ?1 AND id IS NOT ?2",
            rusqlite::params![oid, except],
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        Some(_) => Err(DirectoryError::DuplicateEntraId(oid.to_owned())),
        None => Ok(()),
    }
}

/// Inserts an already validated user; the caller owns the transaction and the audit entry.
pub(crate) fn insert(
    conn: &Connection,
    user: &ValidUser,
    password_hash: Option<&str>,
) -> Result<i64, StoreError> {
    conn.execute(
        // A link is made in the connected tenant; with none, the next connection adopts it.
        "INSERT INTO users (email, display_name, role, sign_in, entra_object_id, password_hash, created_at,
                            entra_tenant_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,
                 CASE WHEN ?5 IS NULL THEN NULL ELSE (SELECT tenant_id FROM entra_connection WHERE id = 1) END)",
        rusqlite::params![
            user.email,
            user.display_name,
            user.role,
            user.sign_in,
            user.entra_object_id,
            password_hash,
            timestamp::now()
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn user_by_id(conn: &Connection, id: i64) -> Result<User, DirectoryError> {
    conn.query_row(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
        [id],
        user_from_row,
    )
    .optional()?
    .ok_or(DirectoryError::UnknownUser(id))
}

pub(crate) fn find_by_email_in(conn: &Connection, email: &str) -> Result<Option<User>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?1"),
            [email.trim()],
            user_from_row,
        )
        .optional()?)
}

/// Looks a user up by email, ignoring case.
pub fn find_by_email(store: &Store, email: &str) -> Result<User, DirectoryError> {
    find_by_email_in(store.conn(), email)?
        .ok_or_else(|| DirectoryError::UnknownEmail(email.trim().to_owned()))
}

pub fn get_user(store: &Store, id: i64) -> Result<User, DirectoryError> {
    user_by_id(store.conn(), id)
}

/// The Users page for `by`: each row carries what `by` may do to that user, decided by the
/// same checks the commands enforce, and how many assets they hold.
pub fn page(store: &Store, by: &Actor, query: &UserQuery) -> Result<UserPage, StoreError> {
    let list = list_users(store, query)?;
    let owners = active_owner_count(store.conn())?;
    let held = assets_held(store.conn())?;
    let without_password = without_password(store.conn())?;
    Ok(UserPage {
        users: list
            .users
            .into_iter()
            .map(|user| UserRow {
                may: UserActions::of(by, &user, owners),
                assets_held: held.get(&user.id).copied().unwrap_or(0),
                gap: gap_of(&user, &without_password),
                user,
            })
            .collect(),
        offset: query.offset.unwrap_or(0),
        matching: list.matching,
        counts: list.counts,
        may_add: actions::may_add(by).is_ok(),
    })
}

fn gap_of(user: &User, without_password: &HashSet<i64>) -> Option<AccountGap> {
    if user.status != UserStatus::Active {
        return None;
    }
    match user.sign_in {
        SignInMethod::Password if without_password.contains(&user.id) => {
            Some(AccountGap::CannotSignIn)
        }
        SignInMethod::Microsoft if user.entra_object_id.is_none() => Some(AccountGap::NotLinked),
        _ => None,
    }
}

/// Password users without one, in one query (the hash never leaves the store).
fn without_password(conn: &Connection) -> Result<HashSet<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM users WHERE sign_in = 'password' AND password_hash IS NULL",
    )?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

/// Assets held per user, in one grouped count (a query per row would crawl at 10,000 users).
fn assets_held(conn: &Connection) -> Result<HashMap<i64, u32>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT assigned_to, count(*) FROM assets WHERE assigned_to IS NOT NULL GROUP BY assigned_to",
    )?;
    let held = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(held)
}

/// Users matching `query`, by name (the window its offset and limit ask for), with how many
/// match in all and counts over the whole organization.
pub fn list_users(store: &Store, query: &UserQuery) -> Result<UserList, StoreError> {
    let conn = store.conn();
    let search = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            format!(
                "%{}%",
                s.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        });
    const MATCHING: &str = "(?1 IS NULL OR status = ?1)
           AND (?2 IS NULL OR display_name LIKE ?2 ESCAPE '\\' OR email LIKE ?2 ESCAPE '\\')
           AND (?3 IS NULL OR role = ?3)
           AND (?4 IS NULL OR sign_in = ?4)
           AND (?5 IS NULL OR (status = 'active' AND CASE ?5
                 WHEN 'cannot_sign_in' THEN sign_in = 'password' AND password_hash IS NULL
                 WHEN 'not_linked' THEN sign_in = 'microsoft' AND entra_object_id IS NULL END))";
    let filters = rusqlite::params![query.status, search, query.role, query.sign_in, query.gap];
    // SQLite reads a negative LIMIT as none.
    let limit = query.limit.map_or(-1, i64::from);
    let offset = i64::from(query.offset.unwrap_or(0));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE {MATCHING}
         ORDER BY display_name COLLATE NOCASE, id LIMIT ?6 OFFSET ?7"
    ))?;
    let users = stmt
        .query_map(
            rusqlite::params![
                query.status,
                search,
                query.role,
                query.sign_in,
                query.gap,
                limit,
                offset
            ],
            user_from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let matching = conn
        .prepare_cached(&format!("SELECT count(*) FROM users WHERE {MATCHING}"))?
        .query_row(filters, |r| r.get(0))?;
    let counts = counts(store)?;
    Ok(UserList {
        users,
        matching,
        counts,
    })
}

/// Counts over the whole organization, whatever the filters.
pub fn counts(store: &Store) -> Result<UserCounts, StoreError> {
    Ok(store.conn().query_row(
        "SELECT count(*), count(*) FILTER (WHERE status = 'active'),
                count(*) FILTER (WHERE status = 'deactivated'),
                count(*) FILTER (WHERE status = 'active' AND sign_in = 'password'
                                 AND password_hash IS NULL),
                count(*) FILTER (WHERE status = 'active' AND sign_in = 'microsoft'
                                 AND entra_object_id IS NULL)
         FROM users",
        [],
        |r| {
            Ok(UserCounts {
                all: r.get(0)?,
                active: r.get(1)?,
                deactivated: r.get(2)?,
                cannot_sign_in: r.get(3)?,
                not_linked: r.get(4)?,
            })
        },
    )?)
}

/// How many active Owners remain; the last one can never be deactivated.
pub(crate) fn active_owner_count(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM users WHERE role = 'owner' AND status = 'active'",
        [],
        |r| r.get(0),
    )?)
}
