//! App registrations, their service principals, the app roles granted to those (app role
//! assignments) and their client secrets (password credentials): what "register an app
//! and give it User.Read.All with admin consent" leaves behind in a tenant.

use chrono::{DateTime, Months, SubsecRound, Utc};
use rand::distr::{Alphanumeric, SampleString};
use rand::RngExt;
use serde_json::Value;

/// Microsoft Graph's application (client) id, the same in every tenant.
pub(crate) const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
/// Graph's application permission User.Read.All.
pub(crate) const USER_READ_ALL: &str = "df021288-bdef-4463-88db-98f22de89214";

/// Some of Graph's application permissions: (id, value, display name), as published.
const GRAPH_APP_ROLES: [(&str, &str, &str); 5] = [
    (
        USER_READ_ALL,
        "User.Read.All",
        "Read all users' full profiles",
    ),
    (
        "741f803b-c850-494e-b5df-cde7c675a1ca",
        "User.ReadWrite.All",
        "Read and write all users' full profiles",
    ),
    (
        "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
        "Directory.Read.All",
        "Read directory data",
    ),
    (
        "77f3a031-c388-4f99-b373-dc68676a979e",
        "User.RevokeSessions.All",
        "Revoke all sign in sessions for a user",
    ),
    (
        "3011c876-62b7-4ada-afa2-506cbbecc68c",
        "User.EnableDisableAccount.All",
        "Enable and disable user accounts",
    ),
];

pub(crate) struct Application {
    pub(crate) id: String,
    pub(crate) app_id: String,
    pub(crate) display_name: String,
    pub(crate) sign_in_audience: String,
    /// Kept as sent: the simulator only echoes it back.
    pub(crate) required_resource_access: Value,
    pub(crate) passwords: Vec<PasswordCredential>,
    pub(crate) created: DateTime<Utc>,
}

pub(crate) struct PasswordCredential {
    pub(crate) key_id: String,
    pub(crate) display_name: Option<String>,
    pub(crate) secret: String,
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
}

impl PasswordCredential {
    /// `hint`: the secret's first three characters, all Entra ever shows again.
    pub(crate) fn hint(&self) -> String {
        self.secret.chars().take(3).collect()
    }
}

pub(crate) struct AppRole {
    pub(crate) id: &'static str,
    pub(crate) value: &'static str,
    pub(crate) display_name: &'static str,
}

pub(crate) struct ServicePrincipal {
    pub(crate) id: String,
    pub(crate) app_id: String,
    pub(crate) display_name: String,
    /// The application permissions this resource offers (Graph's own; none for others).
    pub(crate) app_roles: Vec<AppRole>,
}

#[derive(Clone)]
pub(crate) struct AppRoleAssignment {
    pub(crate) id: String,
    pub(crate) principal_id: String,
    pub(crate) resource_id: String,
    pub(crate) app_role_id: String,
    pub(crate) created: DateTime<Utc>,
}

/// What a client-credentials sign-in finds for an app id and secret.
pub(crate) enum SecretCheck {
    /// No such application, or one without a service principal in this tenant.
    UnknownApp,
    WrongSecret,
    /// The secret matches only credentials past their `endDateTime`.
    Expired,
    /// The values of the app roles assigned to the app's service principal.
    Valid {
        roles: Vec<String>,
    },
}

/// What `removePassword` did not find.
#[derive(Debug)]
pub(crate) enum Missing {
    Application,
    Credential,
}

/// Why a service principal was not created.
#[derive(Debug)]
pub(crate) enum SpRefused {
    UnknownApp,
    Exists,
}

/// Why an app role assignment was refused.
#[derive(Debug)]
pub(crate) enum AssignError {
    NoPrincipal,
    PrincipalMismatch,
    NoResource,
    NoSuchRole,
    AlreadyAssigned,
}

/// The tenant's app registrations and service principals.
pub(crate) struct Registry {
    apps: Vec<Application>,
    service_principals: Vec<ServicePrincipal>,
    assignments: Vec<AppRoleAssignment>,
}

impl Registry {
    /// Graph's own service principal, and the pre-configured app (`client_id`, `secret`)
    /// set up as an administrator does by hand: registered as "UniAsset", with a service
    /// principal, User.Read.All granted and one two-year secret.
    pub(crate) fn new(client_id: &str, secret: &str) -> Registry {
        let graph = ServicePrincipal {
            id: new_id(),
            app_id: GRAPH_APP_ID.to_string(),
            display_name: "Microsoft Graph".to_string(),
            app_roles: GRAPH_APP_ROLES
                .iter()
                .map(|&(id, value, display_name)| AppRole {
                    id,
                    value,
                    display_name,
                })
                .collect(),
        };
        let mut registry = Registry {
            apps: Vec::new(),
            service_principals: vec![graph],
            assignments: Vec::new(),
        };
        let object_id = registry
            .create_app("UniAsset", "AzureADMyOrg", Value::Array(Vec::new()))
            .id
            .clone();
        let app = registry.app_mut(&object_id).expect("just created");
        app.app_id = client_id.to_lowercase();
        let start = Utc::now().trunc_subsecs(0);
        app.passwords.push(PasswordCredential {
            key_id: new_id(),
            display_name: None,
            secret: secret.to_string(),
            start,
            end: two_years_after(start),
        });
        let principal = registry
            .create_service_principal(client_id)
            .expect("the app exists")
            .id
            .clone();
        let graph_id = registry.graph().id.clone();
        registry
            .assign(&principal, &principal, &graph_id, USER_READ_ALL)
            .expect("Graph offers User.Read.All and nothing is assigned yet");
        registry
    }

    /// Grants the app `app_id` Graph's app role `value` ("User.RevokeSessions.All"), as an
    /// administrator's consent in the portal does; false when Graph has no such role or the
    /// app no service principal. Granting it again changes nothing.
    pub(crate) fn grant_role(&mut self, app_id: &str, value: &str) -> bool {
        let Some(principal) = self.service_principal_of(app_id).map(|p| p.id.clone()) else {
            return false;
        };
        let graph = self.graph();
        let Some(role) = graph.app_roles.iter().find(|r| r.value == value) else {
            return false;
        };
        let (graph_id, role_id) = (graph.id.clone(), role.id);
        matches!(
            self.assign(&principal, &principal, &graph_id, role_id),
            Ok(_) | Err(AssignError::AlreadyAssigned)
        )
    }

    /// Microsoft Graph's service principal, there from the start.
    pub(crate) fn graph(&self) -> &ServicePrincipal {
        &self.service_principals[0]
    }

    pub(crate) fn create_app(
        &mut self,
        display_name: &str,
        sign_in_audience: &str,
        required_resource_access: Value,
    ) -> &Application {
        self.apps.push(Application {
            id: new_id(),
            app_id: new_id(),
            display_name: display_name.to_string(),
            sign_in_audience: sign_in_audience.to_string(),
            required_resource_access,
            passwords: Vec::new(),
            created: Utc::now().trunc_subsecs(0),
        });
        self.apps.last().expect("just pushed")
    }

    /// By object id (any case).
    pub(crate) fn app(&self, id: &str) -> Option<&Application> {
        self.apps.iter().find(|a| a.id.eq_ignore_ascii_case(id))
    }

    pub(crate) fn app_mut(&mut self, id: &str) -> Option<&mut Application> {
        self.apps.iter_mut().find(|a| a.id.eq_ignore_ascii_case(id))
    }

    /// All applications, or those with `app_id`.
    pub(crate) fn apps<'a>(
        &'a self,
        app_id: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Application> + 'a {
        self.apps
            .iter()
            .filter(move |a| app_id.is_none_or(|wanted| a.app_id.eq_ignore_ascii_case(wanted)))
    }

    /// Deletes an application with its service principal and that principal's
    /// assignments; false when there is no such application.
    pub(crate) fn delete_app(&mut self, id: &str) -> bool {
        let Some(position) = self.apps.iter().position(|a| a.id.eq_ignore_ascii_case(id)) else {
            return false;
        };
        let app = self.apps.remove(position);
        let principals: Vec<String> = self
            .service_principals
            .iter()
            .filter(|sp| sp.app_id == app.app_id)
            .map(|sp| sp.id.clone())
            .collect();
        self.service_principals
            .retain(|sp| !principals.contains(&sp.id));
        self.assignments.retain(|a| {
            !principals.contains(&a.principal_id) && !principals.contains(&a.resource_id)
        });
        true
    }

    /// Adds a generated secret valid from `start` (default now) until `end` (default two
    /// years later); `None` when there is no such application.
    pub(crate) fn add_password(
        &mut self,
        id: &str,
        display_name: Option<String>,
        start: Option<DateTime<Utc>>,
        end: Option<DateTime<Utc>>,
    ) -> Option<&PasswordCredential> {
        let app = self.app_mut(id)?;
        let start = start.unwrap_or_else(|| Utc::now().trunc_subsecs(0));
        app.passwords.push(PasswordCredential {
            key_id: new_id(),
            display_name,
            secret: new_secret(),
            start,
            end: end.unwrap_or_else(|| two_years_after(start)),
        });
        app.passwords.last()
    }

    pub(crate) fn remove_password(&mut self, id: &str, key_id: &str) -> Result<(), Missing> {
        let app = self.app_mut(id).ok_or(Missing::Application)?;
        let before = app.passwords.len();
        app.passwords
            .retain(|p| !p.key_id.eq_ignore_ascii_case(key_id));
        if app.passwords.len() == before {
            return Err(Missing::Credential);
        }
        Ok(())
    }

    /// Refused when no application has `app_id` or it already has a service principal.
    pub(crate) fn create_service_principal(
        &mut self,
        app_id: &str,
    ) -> Result<&ServicePrincipal, SpRefused> {
        let app = self
            .apps(Some(app_id))
            .next()
            .ok_or(SpRefused::UnknownApp)?;
        if self.service_principal_of(&app.app_id).is_some() {
            return Err(SpRefused::Exists);
        }
        let principal = ServicePrincipal {
            id: new_id(),
            app_id: app.app_id.clone(),
            display_name: app.display_name.clone(),
            app_roles: Vec::new(),
        };
        self.service_principals.push(principal);
        Ok(self.service_principals.last().expect("just pushed"))
    }

    pub(crate) fn service_principal(&self, id: &str) -> Option<&ServicePrincipal> {
        self.service_principals
            .iter()
            .find(|sp| sp.id.eq_ignore_ascii_case(id))
    }

    pub(crate) fn service_principal_of(&self, app_id: &str) -> Option<&ServicePrincipal> {
        self.service_principals
            .iter()
            .find(|sp| sp.app_id.eq_ignore_ascii_case(app_id))
    }

    /// All service principals, or the one with `app_id`.
    pub(crate) fn service_principals<'a>(
        &'a self,
        app_id: Option<&'a str>,
    ) -> impl Iterator<Item = &'a ServicePrincipal> + 'a {
        self.service_principals
            .iter()
            .filter(move |sp| app_id.is_none_or(|wanted| sp.app_id.eq_ignore_ascii_case(wanted)))
    }

    /// Grants `principal_id` (which must be the service principal `sp_id` the request
    /// addresses) the app role `app_role_id` of the resource service principal.
    pub(crate) fn assign(
        &mut self,
        sp_id: &str,
        principal_id: &str,
        resource_id: &str,
        app_role_id: &str,
    ) -> Result<AppRoleAssignment, AssignError> {
        let principal = self
            .service_principal(sp_id)
            .ok_or(AssignError::NoPrincipal)?;
        if !principal.id.eq_ignore_ascii_case(principal_id) {
            return Err(AssignError::PrincipalMismatch);
        }
        let resource = self
            .service_principal(resource_id)
            .ok_or(AssignError::NoResource)?;
        let role = resource
            .app_roles
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(app_role_id))
            .ok_or(AssignError::NoSuchRole)?;
        let (principal_id, resource_id, app_role_id) = (
            principal.id.clone(),
            resource.id.clone(),
            role.id.to_string(),
        );
        if self.assignments.iter().any(|a| {
            a.principal_id == principal_id
                && a.resource_id == resource_id
                && a.app_role_id == app_role_id
        }) {
            return Err(AssignError::AlreadyAssigned);
        }
        let assignment = AppRoleAssignment {
            id: new_id(),
            principal_id,
            resource_id,
            app_role_id,
            created: Utc::now().trunc_subsecs(0),
        };
        self.assignments.push(assignment.clone());
        Ok(assignment)
    }

    /// The values of the app roles granted to the service principal `principal_id`.
    pub(crate) fn role_values(&self, principal_id: &str) -> Vec<String> {
        self.assignments
            .iter()
            .filter(|a| a.principal_id == principal_id)
            .filter_map(|a| {
                let resource = self.service_principal(&a.resource_id)?;
                let role = resource.app_roles.iter().find(|r| r.id == a.app_role_id)?;
                Some(role.value.to_string())
            })
            .collect()
    }

    /// Checks a client-credentials sign-in, in the order Entra reports the problems.
    pub(crate) fn check_secret(
        &self,
        app_id: &str,
        secret: &str,
        now: DateTime<Utc>,
    ) -> SecretCheck {
        let Some(principal) = self.service_principal_of(app_id) else {
            return SecretCheck::UnknownApp;
        };
        let Some(app) = self.apps(Some(app_id)).next() else {
            return SecretCheck::UnknownApp;
        };
        let matching: Vec<&PasswordCredential> = app
            .passwords
            .iter()
            .filter(|p| p.secret == secret)
            .collect();
        if matching.is_empty() {
            return SecretCheck::WrongSecret;
        }
        if !matching.iter().any(|p| p.start <= now && now < p.end) {
            return SecretCheck::Expired;
        }
        SecretCheck::Valid {
            roles: self.role_values(&principal.id),
        }
    }
}

/// An application as the `Simulator` handle reports it, for tests to check what a client
/// registered, granted and cleaned up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredApp {
    pub object_id: String,
    pub app_id: String,
    pub display_name: String,
    /// Key ids of its password credentials, oldest first.
    pub key_ids: Vec<String>,
    pub has_service_principal: bool,
    /// Values of the app roles granted to its service principal, e.g. "User.Read.All".
    pub roles: Vec<String>,
}

impl Registry {
    pub(crate) fn registered(&self) -> Vec<RegisteredApp> {
        self.apps
            .iter()
            .map(|app| {
                let principal = self.service_principal_of(&app.app_id);
                RegisteredApp {
                    object_id: app.id.clone(),
                    app_id: app.app_id.clone(),
                    display_name: app.display_name.clone(),
                    key_ids: app.passwords.iter().map(|p| p.key_id.clone()).collect(),
                    has_service_principal: principal.is_some(),
                    roles: principal.map_or_else(Vec::new, |sp| self.role_values(&sp.id)),
                }
            })
            .collect()
    }
}

/// Entra's object and key ids: lowercase GUIDs.
fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A 40-character secret shaped like Entra's (three characters, a digit, `Q~`, then 34
/// more from its alphabet), so clients that forget to form-encode `~` or `.` find out.
fn new_secret() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-";
    let mut rng = rand::rng();
    let head = Alphanumeric.sample_string(&mut rng, 3);
    let digit = rng.random_range(0..10u8);
    let tail: String = (0..34)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("{head}{digit}Q~{tail}")
}

/// Entra's default lifetime of a client secret.
fn two_years_after(start: DateTime<Utc>) -> DateTime<Utc> {
    start.checked_add_months(Months::new(24)).unwrap_or(start)
}
