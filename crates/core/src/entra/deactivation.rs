//! Deactivating a person by hand (R-D3) where Entra is concerned: deactivated here at once,
//! whatever Microsoft says; then, for a Microsoft-linked person, with ending sessions on their
//! sessions are ended in Entra (R-E7), and their manager is read for the reminders about
//! their assets (R-D10). Without a connection or a readable secret now, the next run ends the
//! sessions; the manager can be read later.

use std::time::Duration;

use super::{client_for, end_sessions, managers, saved};
use crate::access::Actor;
use crate::directory::{self, DirectoryError, User};
use crate::graph::ClientOptions;
use crate::store::Store;

/// How long deactivating by hand waits on Microsoft afterwards.
const FOLLOW_UP_WAIT: Duration = Duration::from_secs(60);

pub async fn deactivate(
    store: &mut Store,
    by: &Actor,
    user_id: i64,
) -> Result<User, DirectoryError> {
    let user = directory::deactivate(store, by, user_id)?;
    if let Some(object_id) = user.entra_object_id.clone().filter(|_| user.entra_linked()) {
        let ending = end_sessions::since_in(store.conn())?.is_some();
        follow_up(store, by, user.id, object_id, ending).await;
    }
    Ok(user)
}

/// Asks Microsoft, if it can be asked now, to end the sessions now due and who manages the
/// person; what is not done is left for later (the next run ends the sessions).
async fn follow_up(store: &mut Store, by: &Actor, user_id: i64, object_id: String, ending: bool) {
    let Ok((connection, keychain)) = saved(store) else {
        return;
    };
    let Ok(graph) = client_for(connection, keychain, ClientOptions::default()).await else {
        return;
    };
    let work = async {
        if ending {
            let _ = end_sessions::catch_up(store, &graph, by).await;
        }
        let _ = managers::note_leavers_managers(store, &graph, &[(user_id, object_id)]).await;
    };
    let _ = tokio::time::timeout(FOLLOW_UP_WAIT, work).await;
}
