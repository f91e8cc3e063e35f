//! The Microsoft-linked users, as the sync reads them: everyone for a run that read the
//! whole tenant, or only those a change concerns. Password and Google users are never
//! returned, so the sync can never touch them (R-S1).

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::{user_from_row, User, USER_COLUMNS};
use crate::store::StoreError;

/// Every Microsoft-linked user, active or not, in the order they were added.
pub(crate) fn microsoft_linked(conn: &Connection) -> Result<Vec<User>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE sign_in = 'microsoft' AND entra_object_id IS NOT NULL ORDER BY id"
    ))?;
    let users = stmt
        .query_map([], user_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(users)
}

/// The Microsoft-linked users of these Entra object ids (any case), each once, in the order
/// they were added; ids nobody is linked to are left out.
pub(crate) fn microsoft_linked_to<'a>(
    conn: &Connection,
    object_ids: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<User>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE sign_in = 'microsoft' AND entra_object_id = ?1"
    ))?;
    let mut found = BTreeMap::new();
    for oid in object_ids {
        for user in stmt.query_map([oid], user_from_row)? {
            let user = user?;
            found.insert(user.id, user);
        }
    }
    Ok(found.into_values().collect())
}

/// The active Microsoft-linked users whose link was made in another tenant than
/// `tenant_id`.
pub(crate) fn active_linked_elsewhere(
    conn: &Connection,
    tenant_id: &str,
) -> Result<Vec<User>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE status = 'active' AND sign_in = 'microsoft'
             AND entra_object_id IS NOT NULL AND entra_tenant_id IS NOT NULL
             AND entra_tenant_id <> ?1 COLLATE NOCASE ORDER BY id"
    ))?;
    let users = stmt
        .query_map([tenant_id], user_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(users)
}
