//! Who a run decides over (issue 27). A run that reads the whole tenant decides over every
//! linked user. A run that reads only the changes since the last one decides over the users
//! those changes concern, and over the few whose standing every run reports again — anyone
//! active whose account is known disabled or deleted, anyone the sync deactivated whose
//! account is enabled again, links no run has read yet, sightings kept for the evidence.
//! Everyone else enters the decision as counts (the guard and the hold judge the whole
//! organization), so a run's work follows what changed in Entra, not the tenant's size,
//! and its decision is the one a run over everyone would make.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use super::decide::{self, Rest};
use super::observe::DeltaRead;
use crate::directory::{self, User, UserStatus};
use crate::entra;
use crate::graph::AccountState;
use crate::store::StoreError;

pub struct Scope {
    /// Linked users of the connected tenant that the run decides over.
    pub tracked: Vec<User>,
    /// Users linked in another tenant (the active ones at least): reported, never checked.
    pub elsewhere: Vec<User>,
    /// Entra's last word on the accounts of `tracked`, from earlier runs.
    pub known: HashMap<String, AccountState>,
    /// The linked users of the connected tenant left out of `tracked`, as counts.
    pub rest: Rest,
}

/// Every linked user, for a run that reads the whole tenant.
pub fn everyone(conn: &Connection, tenant_id: &str) -> Result<Scope, StoreError> {
    let linked = directory::microsoft_linked(conn)?;
    let (tracked, elsewhere) = decide::split_by_tenant(linked, tenant_id);
    Ok(Scope {
        tracked,
        elsewhere,
        known: entra::known_states(conn)?,
        rest: Rest::default(),
    })
}

/// The users a delta read concerns and those whose standing is reported again.
pub fn touched(conn: &Connection, tenant_id: &str, read: &DeltaRead) -> Result<Scope, StoreError> {
    let standing = standing(conn)?;
    let ids = read
        .items
        .iter()
        .map(|(id, _, _)| id.as_str())
        .chain(standing.iter().map(String::as_str));
    let (tracked, _) =
        decide::split_by_tenant(directory::microsoft_linked_to(conn, ids)?, tenant_id);
    let known = entra::known_states_of(
        conn,
        tracked.iter().filter_map(|u| u.entra_object_id.as_deref()),
    )?;
    let (here, elsewhere) = active_linked(conn, tenant_id)?;
    let rest = rest(conn, tenant_id, &tracked, here)?;
    let elsewhere = match elsewhere {
        0 => Vec::new(),
        _ => directory::active_linked_elsewhere(conn, tenant_id)?,
    };
    Ok(Scope {
        tracked,
        elsewhere,
        known,
        rest,
    })
}

/// The object ids every run looks at again, whatever changed: the `quiet` check's "pending"
/// users, the enabled-again ones, and the sightings kept. Few, and found through indexes:
/// CROSS JOIN keeps SQLite from starting at `users` (it has no statistics to know better).
fn standing(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.object_id FROM entra_unread r
         UNION SELECT a.object_id FROM entra_accounts a INDEXED BY entra_accounts_not_enabled
             CROSS JOIN users u ON u.entra_object_id = a.object_id
             WHERE a.state <> 'enabled' AND u.status = 'active'
         UNION SELECT u.entra_object_id FROM users u INDEXED BY users_status
             JOIN entra_accounts a ON a.object_id = u.entra_object_id
             WHERE u.status = 'deactivated' AND a.state = 'enabled'
               AND u.deactivation_reason IN ('disabled_in_entra', 'deleted_from_entra')
         UNION SELECT u.entra_object_id FROM entra_changes_seen s CROSS JOIN users u ON u.id = s.user_id
             WHERE u.entra_object_id IS NOT NULL",
    )?;
    let ids = stmt.query_map([], |r| r.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}

/// How many active linked users there are in the connected tenant and in others, in one
/// pass over the `users_linked` index.
fn active_linked(conn: &Connection, tenant_id: &str) -> Result<(u32, u32), StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FILTER (WHERE entra_tenant_id IS NULL OR entra_tenant_id = ?1 COLLATE NOCASE),
                    count(*) FILTER (WHERE entra_tenant_id IS NOT NULL AND entra_tenant_id <> ?1 COLLATE NOCASE)
             FROM users WHERE status = 'active' AND sign_in = 'microsoft' AND entra_object_id IS NOT NULL",
        )?
        .query_row([tenant_id], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// The connected tenant's linked users outside `tracked` (`active` of them active in all):
/// how many are active, and whether any is known enabled. Their accounts did not change, so
/// what is known of them stands.
fn rest(
    conn: &Connection,
    tenant_id: &str,
    tracked: &[User],
    active: u32,
) -> Result<Rest, StoreError> {
    let inside = tracked
        .iter()
        .filter(|u| u.status == UserStatus::Active)
        .count() as u32;
    // At most `tracked.len()` enabled ones can be inside: one more found is outside.
    let ids: HashSet<i64> = tracked.iter().map(|u| u.id).collect();
    let mut enabled = conn.prepare_cached(
        "SELECT u.id FROM users u JOIN entra_accounts a ON a.object_id = u.entra_object_id
         WHERE a.state = 'enabled' AND u.entra_object_id IS NOT NULL AND u.sign_in = 'microsoft'
           AND (u.entra_tenant_id IS NULL OR u.entra_tenant_id = ?1 COLLATE NOCASE) LIMIT ?2",
    )?;
    let mut rows = enabled.query(rusqlite::params![tenant_id, tracked.len() as i64 + 1])?;
    let mut known_enabled = false;
    while let Some(row) = rows.next()? {
        if !ids.contains(&row.get(0)?) {
            known_enabled = true;
            break;
        }
    }
    Ok(Rest {
        active: active.saturating_sub(inside),
        known_enabled,
    })
}
