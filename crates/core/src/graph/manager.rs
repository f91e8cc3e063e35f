//! A person's manager in Entra (`GET /users/{id}/manager`, readable with `User.Read.All`).

use reqwest::Method;
use serde::Deserialize;

use super::client::{GraphClient, Reply};
use super::users::encode;
use super::GraphError;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DirectoryObject {
    display_name: Option<String>,
    mail: Option<String>,
    user_principal_name: Option<String>,
}

/// Who manages a person, as Entra names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraManager {
    pub name: String,
    /// Their mail, or their sign-in name when they have no mailbox.
    pub email: String,
}

impl GraphClient {
    /// The person's manager, or None when Entra has none for them (Graph's 404).
    pub async fn manager(&self, object_id: &str) -> Result<Option<EntraManager>, GraphError> {
        let url = self.graph_url(&format!(
            "/users/{}/manager?$select=id,displayName,mail,userPrincipalName",
            encode(object_id)
        ));
        Ok(
            match self
                .request::<DirectoryObject>(Method::GET, &url, None)
                .await?
            {
                Reply::NotFound => None,
                Reply::Found(found) => {
                    let email = found.mail.or(found.user_principal_name);
                    email.map(|email| EntraManager {
                        name: found.display_name.unwrap_or_else(|| email.clone()),
                        email,
                    })
                }
            },
        )
    }
}
