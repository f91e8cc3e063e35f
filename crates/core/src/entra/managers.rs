//! People's managers from Microsoft Entra ID (R-D10): read for a person when an Owner or Admin
//! asks, and for each person deactivated while holding assets — by a run because Entra
//! disabled them (a deleted account has no manager left to read), or by hand. A manager set by hand is kept over Entra's, unless the
//! Owner or Admin asks for Entra's.

use super::{client_for, saved, EntraError};
use crate::access::Actor;
use crate::audit;
use crate::directory::{self, Manager};
use crate::graph::{ClientOptions, EntraManager, GraphClient};
use crate::store::{Store, StoreError};

/// Reads the person's manager from Entra now and keeps it, replacing one set by hand.
pub async fn manager_from_entra(
    store: &mut Store,
    by: &Actor,
    user_id: i64,
) -> Result<Option<Manager>, EntraError> {
    by.require_admin("read people's managers from Microsoft Entra ID")?;
    let user = directory::get_user(store, user_id)?;
    let object_id = match &user.entra_object_id {
        Some(oid) if user.entra_linked() => oid.clone(),
        _ => return Err(EntraError::NotLinked(user.email)),
    };
    let (connection, keychain) = saved(store)?;
    let graph = client_for(connection, keychain, ClientOptions::default()).await?;
    let found = graph.manager(&object_id).await?;
    let tx = store.write()?;
    directory::note_from_entra(&tx, user_id, parts(&found), true)?;
    let detail = match &found {
        Some(m) => format!("Manager in Microsoft Entra ID: {} <{}>", m.name, m.email),
        None => "No manager in Microsoft Entra ID".to_owned(),
    };
    audit::record(
        &tx,
        by,
        audit::Entry::user("user.manager_from_entra", user_id).detail(detail),
    )?;
    tx.commit().map_err(StoreError::from)?;
    Ok(directory::manager_of(store, user_id)?)
}

/// The managers of people just deactivated (user id, object id) who still hold assets — the
/// reminders are about those, so a run that deactivates many people holding nothing costs no
/// request — one request each. A failure leaves what was known; it never touches the run.
pub(crate) async fn note_leavers_managers(
    store: &mut Store,
    graph: &GraphClient,
    leavers: &[(i64, String)],
) -> Result<(), StoreError> {
    for (user_id, object_id) in leavers {
        let holds: bool = store.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM assets WHERE assigned_to = ?1)",
            [user_id],
            |r| r.get(0),
        )?;
        if !holds {
            continue;
        }
        let Ok(found) = graph.manager(object_id).await else {
            continue;
        };
        let tx = store.write()?;
        directory::note_from_entra(&tx, *user_id, parts(&found), false)?;
        tx.commit()?;
    }
    Ok(())
}

fn parts(found: &Option<EntraManager>) -> Option<(&str, &str)> {
    found.as_ref().map(|m| (m.name.as_str(), m.email.as_str()))
}
