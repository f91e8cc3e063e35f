//! A person's manager (R-D10): who hears, besides the Owners and Admins, that a leaver still
//! holds assets. Read from Microsoft Entra ID, or set by hand by an Owner or Admin; a manager
//! set by hand stays until changed by hand, whatever Entra says.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::validate::{is_email, UserProblem};
use super::{find_by_email_in, user_by_id, DirectoryError};
use crate::access::Actor;
use crate::audit;
use crate::store::{Store, StoreError};
use crate::text;
use crate::text_enum::text_enum;
use crate::timestamp;

text_enum! {
    /// Where UniAsset learned who a person's manager is.
    ManagerSource, "manager source", "entra or hand" {
        Entra => "entra",
        Hand => "hand",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Manager {
    pub email: String,
    pub name: String,
    pub source: ManagerSource,
    pub set_at: String,
}

pub fn manager_of(store: &Store, user_id: i64) -> Result<Option<Manager>, StoreError> {
    manager_in(store.conn(), user_id)
}

pub(crate) fn manager_in(conn: &Connection, user_id: i64) -> Result<Option<Manager>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT email, name, source, set_at FROM user_managers WHERE user_id = ?1",
            [user_id],
            |r| {
                Ok(Manager {
                    email: r.get(0)?,
                    name: r.get(1)?,
                    source: r.get(2)?,
                    set_at: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// An Owner or Admin names a person's manager by email address: someone in UniAsset (their
/// name is used) or not. Not the person themselves. Audited.
pub fn set_manager(
    store: &mut Store,
    by: &Actor,
    user_id: i64,
    email: &str,
) -> Result<Manager, DirectoryError> {
    by.require_admin("set people's managers")?;
    let email = email.trim();
    if let Err(e) = text::refuse_controls("email address", email) {
        return Err(DirectoryError::Invalid(vec![UserProblem::Control(e)]));
    }
    if !is_email(email) {
        return Err(DirectoryError::Invalid(vec![UserProblem::InvalidEmail(
            email.to_owned(),
        )]));
    }
    let tx = store.write()?;
    let user = user_by_id(&tx, user_id)?;
    if user.email.eq_ignore_ascii_case(email) {
        return Err(DirectoryError::OwnManager(user.email));
    }
    let name = find_by_email_in(&tx, email)?.map_or_else(|| email.to_owned(), |u| u.display_name);
    keep(&tx, user_id, email, &name, ManagerSource::Hand)?;
    audit::record(
        &tx,
        by,
        audit::Entry::user("user.manager_set", user_id)
            .detail(format!("Manager of {}: {name} <{email}>", user.email)),
    )?;
    let manager = manager_in(&tx, user_id)?.expect("just kept");
    tx.commit().map_err(StoreError::from)?;
    Ok(manager)
}

/// What Entra says about a person's manager (None: they have none there), kept unless a
/// manager was set by hand and `over_hand` is false (an Owner or Admin asking for Entra's
/// answer replaces their own). Returns whether anything changed.
pub(crate) fn note_from_entra(
    conn: &Connection,
    user_id: i64,
    found: Option<(&str, &str)>,
    over_hand: bool,
) -> Result<bool, StoreError> {
    let mut now = manager_in(conn, user_id)?;
    if now
        .as_ref()
        .is_some_and(|m| m.source == ManagerSource::Hand)
    {
        if !over_hand {
            return Ok(false);
        }
        conn.execute("DELETE FROM user_managers WHERE user_id = ?1", [user_id])?;
        now = None;
    }
    match found {
        Some((name, email)) => {
            if now.is_some_and(|m| m.email.eq_ignore_ascii_case(email) && m.name == name) {
                return Ok(false);
            }
            let name = text::replace_controls(name);
            keep(conn, user_id, email, &name, ManagerSource::Entra)?;
        }
        None => {
            if now.is_none() {
                return Ok(false);
            }
            conn.execute("DELETE FROM user_managers WHERE user_id = ?1", [user_id])?;
        }
    }
    Ok(true)
}

fn keep(
    conn: &Connection,
    user_id: i64,
    email: &str,
    name: &str,
    source: ManagerSource,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO user_managers (user_id, email, name, source, set_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name,
             source = excluded.source, set_at = excluded.set_at",
        rusqlite::params![user_id, email, name, source, timestamp::now()],
    )?;
    Ok(())
}
