//! Issued access tokens and what each one grants, so Graph can tell an application's
//! token from an administrator's and check roles and scopes as Entra's claims would.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::distr::{Alphanumeric, SampleString};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The public client the administrator signs in with (Microsoft Graph Command Line Tools):
/// delegated tokens name it as their `appid`.
pub(crate) const PUBLIC_CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// Who a token speaks for.
#[derive(Clone, Debug)]
pub(crate) enum Grant {
    /// Client credentials: the application itself, with the app roles (application
    /// permissions, e.g. "User.Read.All") assigned to its service principal when issued.
    App { app_id: String, roles: Vec<String> },
    /// Device code sign-in: a user, with the template ids of their directory roles and
    /// the delegated scopes granted (without the resource URL, e.g.
    /// "Application.ReadWrite.All").
    Delegated {
        upn: String,
        object_id: String,
        role_ids: Vec<String>,
        scopes: Vec<String>,
    },
}

impl Grant {
    pub(crate) fn has_app_role(&self, role: &str) -> bool {
        matches!(self, Grant::App { roles, .. } if roles.iter().any(|r| r.eq_ignore_ascii_case(role)))
    }

    /// A delegated grant holding `scope` and, with `role_ids` non-empty, one of those roles.
    pub(crate) fn is_delegated_with(&self, scope: &str, role_ids: &[&str]) -> bool {
        match self {
            Grant::App { .. } => false,
            Grant::Delegated {
                role_ids: held,
                scopes,
                ..
            } => {
                scopes.iter().any(|s| s.eq_ignore_ascii_case(scope))
                    && (role_ids.is_empty()
                        || held.iter().any(|id| role_ids.contains(&id.as_str())))
            }
        }
    }

    /// The claims that differ between app and delegated tokens, as Entra writes them.
    fn claims(&self) -> Value {
        match self {
            Grant::App { app_id, roles } if roles.is_empty() => json!({ "appid": app_id }),
            Grant::App { app_id, roles } => json!({ "appid": app_id, "roles": roles }),
            Grant::Delegated {
                upn,
                object_id,
                role_ids,
                scopes,
            } => json!({
                "appid": PUBLIC_CLIENT_ID,
                "upn": upn,
                "oid": object_id,
                "scp": scopes.join(" "),
                "wids": role_ids,
            }),
        }
    }
}

/// What is left of a token's life; `None` for a lifetime past what the clock holds.
type Expiry = Option<Instant>;

#[derive(Default)]
pub(crate) struct Tokens {
    tokens: HashMap<String, (Expiry, Grant)>,
}

impl Tokens {
    /// A JWT-shaped token (unsigned: `alg` none, a random signature part), so clients can
    /// read its claims as they do Entra's. Validity is still this map's word alone.
    pub(crate) fn issue(
        &mut self,
        grant: Grant,
        tenant_id: &str,
        audience: &str,
        lifetime_secs: u64,
    ) -> String {
        let now = Instant::now();
        // Forget expired tokens so a long benchmark does not grow the map without bound.
        self.tokens
            .retain(|_, (expires, _)| expires.is_none_or(|at| at > now));
        let issued_at = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
        let mut payload = json!({
            "aud": audience,
            "iss": format!("https://sts.windows.net/{tenant_id}/"),
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at.saturating_add(lifetime_secs),
            "tid": tenant_id,
            "uti": Alphanumeric.sample_string(&mut rand::rng(), 22),
        });
        if let (Some(payload), Value::Object(own)) = (payload.as_object_mut(), grant.claims()) {
            payload.extend(own);
        }
        let token = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(payload.to_string()),
            Alphanumeric.sample_string(&mut rand::rng(), 43),
        );
        let expires = now.checked_add(Duration::from_secs(lifetime_secs));
        self.tokens.insert(token.clone(), (expires, grant));
        token
    }

    /// What a token grants, while it is valid.
    pub(crate) fn grant_of(&self, token: &str) -> Option<&Grant> {
        self.tokens
            .get(token)
            .filter(|(expires, _)| expires.is_none_or(|at| at > Instant::now()))
            .map(|(_, grant)| grant)
    }

    pub(crate) fn expire_all(&mut self) {
        let now = Instant::now();
        self.tokens
            .values_mut()
            .for_each(|(expires, _)| *expires = Some(now));
    }
}
