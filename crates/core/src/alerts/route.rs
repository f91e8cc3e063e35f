//! Where alerts go and how: the saved settings, with the password from the keychain.

use super::error::AlertError;
use super::messages::Message;
use super::send;
use super::settings::settings;
use crate::secrets::{SecretError, SmtpKeychain};
use crate::store::Store;

/// The saved settings with the password from the keychain.
pub(super) struct Route {
    server: send::Server,
    sender: String,
    recipients: Vec<String>,
}

impl Route {
    /// Takes `&mut Store` though it only reads: a `&Store` held across the keychain's await
    /// would make the future not `Send` (a connection is not `Sync`), and the app spawns it.
    pub(super) async fn saved(store: &mut Store) -> Result<Route, AlertError> {
        let s = settings(store)?;
        let (Some(host), Some(sender), true) = (s.host, s.sender, s.enabled) else {
            return Err(AlertError::NotSetUp);
        };
        let credentials = match s.username {
            Some(user) => {
                let keychain = SmtpKeychain::for_store(store)?;
                // A keychain waiting to be unlocked holds up no other work.
                let password = tokio::task::spawn_blocking(move || keychain.load())
                    .await
                    .map_err(|e| SecretError::Unavailable(e.to_string()))??;
                Some((user, password))
            }
            None => None,
        };
        Ok(Route {
            server: send::Server {
                host,
                port: s.port,
                tls: s.tls,
                credentials,
            },
            sender,
            recipients: s.recipients,
        })
    }

    /// The same server and sender, to other recipients (a reminder's Owners, Admins and manager).
    pub(super) fn to(&self, recipients: Vec<String>) -> Route {
        Route {
            server: self.server.clone(),
            sender: self.sender.clone(),
            recipients,
        }
    }

    pub(super) async fn send(&self, message: &Message) -> Result<(), AlertError> {
        send::send(&self.server, &self.sender, &self.recipients, message).await
    }
}
