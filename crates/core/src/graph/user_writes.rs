//! What UniAsset may do to a user in Entra when granted the permission for it: end their
//! sign-in sessions (`revokeSignInSessions`, User.RevokeSessions.All) and disable their
//! account (`PATCH accountEnabled`, User.EnableDisableAccount.All). Both are idempotent, so
//! they are retried like reads.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::{GraphClient, Reply};
use super::users::encode;
use super::GraphError;

/// The application permission that lets UniAsset end a user's sessions.
pub const REVOKE_SESSIONS_ROLE: &str = "User.RevokeSessions.All";
/// The application permission that lets UniAsset disable a user's account.
pub const ENABLE_DISABLE_ROLE: &str = "User.EnableDisableAccount.All";

/// What Graph did to the account asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Done,
    /// No such account (deleted): nothing to do.
    NoAccount,
}

impl GraphClient {
    /// Ends every sign-in session of the account: its refresh tokens and browser session
    /// cookies stop working (access tokens already issued run out within about an hour).
    pub async fn revoke_sign_in_sessions(&self, object_id: &str) -> Result<Written, GraphError> {
        let url = self.graph_url(&format!(
            "/users/{}/revokeSignInSessions",
            encode(object_id)
        ));
        let reply: Reply<serde_json::Value> = self.request(Method::POST, &url, None).await?;
        Ok(written(reply))
    }

    /// Blocks the account from signing in (`accountEnabled: false`).
    pub async fn disable_account(&self, object_id: &str) -> Result<Written, GraphError> {
        let url = self.graph_url(&format!("/users/{}", encode(object_id)));
        let body = json!({ "accountEnabled": false });
        let reply: Reply<serde_json::Value> =
            self.request(Method::PATCH, &url, Some(&body)).await?;
        Ok(written(reply))
    }

    /// The application permissions UniAsset's token carries (its `roles` claim): what an
    /// administrator has granted, as Entra saw it when the token was issued.
    pub async fn granted_roles(&self) -> Result<Vec<String>, GraphError> {
        #[derive(Deserialize)]
        struct Claims {
            #[serde(default)]
            roles: Vec<String>,
        }
        let token = self.current_token().await?;
        Ok(super::http::claims::<Claims>(&token)
            .map(|c| c.roles)
            .unwrap_or_default())
    }
}

fn written(reply: Reply<serde_json::Value>) -> Written {
    match reply {
        Reply::Found(_) => Written::Done,
        Reply::NotFound => Written::NoAccount,
    }
}
