//! Deactivating a person by hand (R-D3) where Entra is concerned: deactivated here at once,
//! whatever Microsoft says; then, with ending sessions on, a Microsoft-linked person's
//! sessions are ended in Entra (R-E7). Without a connection or a readable secret now, the
//! next run ends them.

use std::time::Duration;

use super::{client_for, end_sessions, saved};
use crate::access::Actor;
use crate::directory::{self, DirectoryError, User};
use crate::graph::ClientOptions;
use crate::store::Store;

/// How long deactivating by hand waits on Microsoft to end the person's sessions.
const END_SESSIONS_WAIT: Duration = Duration::from_secs(60);

pub async fn deactivate(
    store: &mut Store,
    by: &Actor,
    user_id: i64,
) -> Result<User, DirectoryError> {
    let user = directory::deactivate(store, by, user_id)?;
    if user.entra_object_id.is_some() && end_sessions::since_in(store.conn())?.is_some() {
        end_sessions_now(store, by).await;
    }
    Ok(user)
}

/// Ends the sessions now due, if Microsoft can be asked now; what is not done is kept for
/// the next run, which tries again.
async fn end_sessions_now(store: &mut Store, by: &Actor) {
    let Ok((connection, keychain)) = saved(store) else {
        return;
    };
    let Ok(graph) = client_for(connection, keychain, ClientOptions::default()).await else {
        return;
    };
    let _ =
        tokio::time::timeout(END_SESSIONS_WAIT, end_sessions::catch_up(store, &graph, by)).await;
}
