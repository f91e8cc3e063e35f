//! The app registration UniAsset signs in as, made and kept up with an administrator's
//! sign-in: the application, its service principal, the app role assignments (admin consent to
//! User.Read.All and the permissions of optional features), and its password credentials
//! (client secrets).

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::{GraphClient, Reply};
use super::users::encode;
use super::GraphError;
use crate::secrets::ClientSecret;

/// Microsoft Graph's own application id, the same in every tenant.
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
/// Microsoft Graph's User.Read.All application permission (app role) id.
const USER_READ_ALL: &str = "df021288-bdef-4463-88db-98f22de89214";

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// The object id, which addPassword and removePassword take.
    pub id: String,
    /// The application (client) id UniAsset signs in with.
    pub app_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub password_credentials: Vec<PasswordCredential>,
    /// The permissions the registration asks for (API permissions).
    #[serde(default)]
    pub required_resource_access: Vec<ResourceAccess>,
}

/// One API's permissions in an app registration's `requiredResourceAccess`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceAccess {
    pub resource_app_id: String,
    #[serde(default)]
    pub resource_access: Vec<AccessEntry>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct AccessEntry {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// A client secret as Graph lists it: never its value, only its first characters (`hint`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordCredential {
    pub key_id: String,
    #[serde(default)]
    pub hint: Option<String>,
    #[serde(default)]
    pub end_date_time: Option<DateTime<Utc>>,
}

/// A secret just added: its value is returned this once.
#[derive(Debug)]
pub struct NewSecret {
    pub key_id: String,
    pub secret: ClientSecret,
    pub expires: DateTime<Utc>,
}

#[derive(Deserialize)]
struct Listing<T> {
    value: Vec<T>,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphPrincipal {
    id: String,
    #[serde(default)]
    app_roles: Vec<AppRole>,
}

#[derive(Deserialize)]
struct AppRole {
    id: String,
    value: String,
}

impl GraphClient {
    /// A read (GET), retried as any; a write (POST, PATCH, DELETE) retried only when not run.
    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Option<T>, GraphError> {
        let url = self.graph_url(path);
        let reply = if method == Method::GET {
            self.request(method, &url, body).await?
        } else {
            self.write(method, &url, body).await?
        };
        match reply {
            Reply::Found(value) => Ok(Some(value)),
            Reply::NotFound => Ok(None),
        }
    }

    /// A single-tenant app registration asking for User.Read.All as an application permission.
    pub async fn create_application(&self, display_name: &str) -> Result<Application, GraphError> {
        let body = json!({
            "displayName": display_name,
            "signInAudience": "AzureADMyOrg",
            "requiredResourceAccess": [{
                "resourceAppId": GRAPH_APP_ID,
                "resourceAccess": [{ "id": USER_READ_ALL, "type": "Role" }],
            }],
        });
        self.send(Method::POST, "/applications", Some(&body))
            .await?
            .ok_or_else(|| missing("the new application"))
    }

    /// The app registration with this application (client) id, if the tenant has one.
    pub async fn find_application(&self, app_id: &str) -> Result<Option<Application>, GraphError> {
        let filter = encode(&format!("appId eq '{app_id}'"));
        let path = format!(
            "/applications?$filter={filter}&$select=id,appId,displayName,passwordCredentials,requiredResourceAccess"
        );
        let listing: Option<Listing<Application>> = self.send(Method::GET, &path, None).await?;
        Ok(listing.and_then(|l| l.value.into_iter().next()))
    }

    pub async fn delete_application(&self, object_id: &str) -> Result<(), GraphError> {
        let path = format!("/applications/{}", encode(object_id));
        self.send::<()>(Method::DELETE, &path, None).await?;
        Ok(())
    }

    /// Creates the application's service principal (its presence in this tenant); returns its id.
    pub async fn create_service_principal(&self, app_id: &str) -> Result<String, GraphError> {
        let created: Option<Created> = self
            .send(
                Method::POST,
                "/servicePrincipals",
                Some(&json!({ "appId": app_id })),
            )
            .await?;
        created
            .map(|c| c.id)
            .ok_or_else(|| missing("the new service principal"))
    }

    /// Grants the service principal Microsoft Graph's User.Read.All application permission:
    /// the app role assignment that admin consent creates.
    pub async fn grant_user_read_all(&self, principal_id: &str) -> Result<(), GraphError> {
        let graph = self.graph_service_principal().await?;
        self.assign_app_role(principal_id, &graph.id, USER_READ_ALL)
            .await
    }

    /// Grants the service principal more of Microsoft Graph's application permissions, by
    /// their names ("User.RevokeSessions.All"), and lists them among those its app registration
    /// asks for, as consenting in API permissions does. One already granted is left as is.
    pub async fn grant_app_roles(
        &self,
        application: &Application,
        principal_id: &str,
        values: &[&str],
    ) -> Result<(), GraphError> {
        let graph = self.graph_service_principal().await?;
        let mut ids = Vec::new();
        for value in values {
            let role = graph
                .app_roles
                .iter()
                .find(|r| r.value.eq_ignore_ascii_case(value))
                .ok_or_else(|| missing(&format!("the {value} permission in Microsoft Graph")))?;
            ids.push(role.id.clone());
        }
        // Granted first: an administrator who may not grant is refused before anything of
        // the registration changes.
        for id in &ids {
            match self.assign_app_role(principal_id, &graph.id, id).await {
                Err(GraphError::Unexpected {
                    status: 400,
                    message,
                    ..
                }) if message.contains("already exists") => {}
                other => other?,
            }
        }
        self.require_access(application, &ids).await
    }

    /// The service principal of the application with this client id, if the tenant has one.
    pub async fn find_service_principal(&self, app_id: &str) -> Result<Option<String>, GraphError> {
        let filter = encode(&format!("appId eq '{app_id}'"));
        let listing: Option<Listing<Created>> = self
            .send(
                Method::GET,
                &format!("/servicePrincipals?$filter={filter}&$select=id"),
                None,
            )
            .await?;
        Ok(listing
            .and_then(|l| l.value.into_iter().next())
            .map(|c| c.id))
    }

    /// Adds app role ids of Microsoft Graph to the registration's requiredResourceAccess.
    async fn require_access(
        &self,
        application: &Application,
        ids: &[String],
    ) -> Result<(), GraphError> {
        let mut required: Vec<ResourceAccess> = application.required_resource_access.clone();
        let graph_index = match required
            .iter()
            .position(|r| r.resource_app_id == GRAPH_APP_ID)
        {
            Some(index) => index,
            None => {
                required.push(ResourceAccess {
                    resource_app_id: GRAPH_APP_ID.into(),
                    resource_access: Vec::new(),
                });
                required.len() - 1
            }
        };
        let graph = &mut required[graph_index];
        let before = graph.resource_access.len();
        for id in ids {
            if !graph
                .resource_access
                .iter()
                .any(|a| a.id.eq_ignore_ascii_case(id))
            {
                graph.resource_access.push(AccessEntry {
                    id: id.clone(),
                    kind: "Role".into(),
                });
            }
        }
        if graph.resource_access.len() == before {
            return Ok(());
        }
        let path = format!("/applications/{}", encode(&application.id));
        let body = json!({ "requiredResourceAccess": required });
        self.send::<()>(Method::PATCH, &path, Some(&body)).await?;
        Ok(())
    }

    async fn graph_service_principal(&self) -> Result<GraphPrincipal, GraphError> {
        let filter = encode(&format!("appId eq '{GRAPH_APP_ID}'"));
        let listing: Option<Listing<GraphPrincipal>> = self
            .send(
                Method::GET,
                &format!("/servicePrincipals?$filter={filter}&$select=id,appRoles"),
                None,
            )
            .await?;
        listing
            .and_then(|l| l.value.into_iter().next())
            .ok_or_else(|| missing("Microsoft Graph's service principal"))
    }

    async fn assign_app_role(
        &self,
        principal_id: &str,
        graph_id: &str,
        app_role_id: &str,
    ) -> Result<(), GraphError> {
        let body = json!({
            "principalId": principal_id,
            "resourceId": graph_id,
            "appRoleId": app_role_id,
        });
        let path = format!(
            "/servicePrincipals/{}/appRoleAssignments",
            encode(principal_id)
        );
        self.send::<serde_json::Value>(Method::POST, &path, Some(&body))
            .await?
            .ok_or_else(|| missing("the app role assignment"))?;
        Ok(())
    }

    /// Adds a client secret (addPassword) valid until `expires`.
    pub async fn add_secret(
        &self,
        object_id: &str,
        display_name: &str,
        expires: DateTime<Utc>,
    ) -> Result<NewSecret, GraphError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Added {
            key_id: String,
            secret_text: String,
            end_date_time: DateTime<Utc>,
        }
        let body = json!({
            "passwordCredential": {
                "displayName": display_name,
                "endDateTime": expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            }
        });
        let path = format!("/applications/{}/addPassword", encode(object_id));
        let added: Added = self
            .send(Method::POST, &path, Some(&body))
            .await?
            .ok_or_else(|| missing("the application"))?;
        Ok(NewSecret {
            key_id: added.key_id,
            secret: ClientSecret::new(added.secret_text),
            expires: added.end_date_time,
        })
    }

    /// Removes a client secret (removePassword): from then on it gets no token.
    pub async fn remove_secret(&self, object_id: &str, key_id: &str) -> Result<(), GraphError> {
        let path = format!("/applications/{}/removePassword", encode(object_id));
        self.send::<()>(Method::POST, &path, Some(&json!({ "keyId": key_id })))
            .await?
            .ok_or_else(|| missing("the application"))
    }
}

/// Graph answered "not found" for something it had just made or listed (replication lag).
fn missing(what: &str) -> GraphError {
    GraphError::Unexpected {
        status: 404,
        code: "Request_ResourceNotFound".into(),
        message: format!("Microsoft Graph did not find {what}."),
    }
}
