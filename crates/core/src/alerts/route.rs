//! Where alerts go and how: by email (the saved settings, with the password from the
//! keychain) or to the chat webhook (its address from the keychain).

use super::channel::Channel;
use super::error::AlertError;
use super::messages::{organization_name, Message};
use super::send;
use super::settings::settings;
use super::webhook::Webhook;
use crate::secrets::{SecretError, SmtpKeychain};
use crate::store::Store;

pub(super) enum Route {
    Email {
        server: send::Server,
        sender: String,
        recipients: Vec<String>,
    },
    Chat {
        webhook: Webhook,
        organization: String,
    },
}

impl Route {
    /// Takes `&mut Store` though it only reads: a `&Store` held across the keychain's await
    /// would make the future not `Send` (a connection is not `Sync`), and the app spawns it.
    pub(super) async fn saved(store: &mut Store, channel: Channel) -> Result<Route, AlertError> {
        match channel {
            Channel::Email => email(store).await,
            Channel::Chat => Ok(Route::Chat {
                webhook: Webhook::saved(store).await?,
                organization: organization_name(store)?,
            }),
        }
    }

    /// The same way, to other recipients (a reminder's Owners, Admins and manager); a chat
    /// channel has its own members.
    pub(super) fn to(&self, recipients: Vec<String>) -> Route {
        match self {
            Route::Email { server, sender, .. } => Route::Email {
                server: server.clone(),
                sender: sender.clone(),
                recipients,
            },
            Route::Chat {
                webhook,
                organization,
            } => Route::Chat {
                webhook: webhook.clone(),
                organization: organization.clone(),
            },
        }
    }

    pub(super) async fn send(&self, message: &Message) -> Result<(), AlertError> {
        match self {
            Route::Email {
                server,
                sender,
                recipients,
            } => send::send(server, sender, recipients, message).await,
            Route::Chat {
                webhook,
                organization,
            } => webhook.post(message, organization).await,
        }
    }
}

async fn email(store: &mut Store) -> Result<Route, AlertError> {
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
    Ok(Route::Email {
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
