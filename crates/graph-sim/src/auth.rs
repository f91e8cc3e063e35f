//! The Entra token endpoint (client-credentials grant) and the bearer-token check.

use crate::reply::RequestIds;
use crate::state::{lock, Shared};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::distr::{Alphanumeric, SampleString};
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Issued access tokens and the secret's state.
#[derive(Default)]
pub(crate) struct Auth {
    /// Access token -> when it expires; `None` for a lifetime past what the clock holds.
    tokens: HashMap<String, Option<Instant>>,
    pub(crate) secret_expired: bool,
}

/// What an access token says of itself, as the claims of Entra's JWTs do.
struct Claims<'a> {
    tenant_id: &'a str,
    audience: &'a str,
    client_id: &'a str,
    lifetime_secs: u64,
}

impl Auth {
    /// A JWT-shaped token (unsigned: `alg` none, a random signature part), so clients can
    /// read its claims as they do Entra's. Validity is still this map's word alone.
    fn issue(&mut self, claims: &Claims) -> String {
        let now = Instant::now();
        // Forget expired tokens so a long benchmark does not grow the map without bound.
        self.tokens
            .retain(|_, expires| expires.is_none_or(|at| at > now));
        let issued_at = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
        let payload = json!({
            "aud": claims.audience,
            "iss": format!("https://sts.windows.net/{}/", claims.tenant_id),
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at.saturating_add(claims.lifetime_secs),
            "appid": claims.client_id,
            "roles": ["User.Read.All"],
            "tid": claims.tenant_id,
            "uti": Alphanumeric.sample_string(&mut rand::rng(), 22),
        });
        let token = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(payload.to_string()),
            Alphanumeric.sample_string(&mut rand::rng(), 43),
        );
        let expires = now.checked_add(Duration::from_secs(claims.lifetime_secs));
        self.tokens.insert(token.clone(), expires);
        token
    }

    fn is_valid(&self, token: &str) -> bool {
        self.tokens
            .get(token)
            .is_some_and(|expires| expires.is_none_or(|at| at > Instant::now()))
    }

    pub(crate) fn expire_all(&mut self) {
        let now = Instant::now();
        self.tokens
            .values_mut()
            .for_each(|expires| *expires = Some(now));
    }
}

/// `POST /{tenant}/oauth2/v2.0/token`. Checks run in the order Entra reports them, so
/// each misconfiguration gets the AADSTS code the app maps to plain language.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let config = &shared.config;

    if !shared.is_tenant(&tenant) {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
        );
    }
    let (Some(grant_type), Some(client_id), Some(scope)) =
        (field("grant_type"), field("client_id"), field("scope"))
    else {
        let missing = ["grant_type", "client_id", "scope"]
            .into_iter()
            .find(|name| field(name).is_none())
            .unwrap_or("grant_type");
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            &format!("The request body must contain the following parameter: '{missing}'."),
        );
    };
    if grant_type != "client_credentials" {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{grant_type}'."),
        );
    }
    if !client_id.eq_ignore_ascii_case(&config.client_id) {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."),
        );
    }
    if !scope.ends_with("/.default") || scope.contains(char::is_whitespace) {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            &format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."),
        );
    }
    let Some(secret) = field("client_secret") else {
        return entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        );
    };
    if secret != config.client_secret {
        return entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            &format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.", config.client_id),
        );
    }
    let tenant_id = lock(&shared.tenant_id).clone();
    let mut auth = lock(&shared.auth);
    if auth.secret_expired {
        return entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000222,
            &format!("The provided client secret keys for app '{}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.", config.client_id),
        );
    }
    let lifetime = shared.token_lifetime_secs.load(Ordering::Relaxed);
    let access_token = auth.issue(&Claims {
        tenant_id: &tenant_id,
        audience: scope.trim_end_matches("/.default"),
        client_id: &config.client_id,
        lifetime_secs: lifetime,
    });
    let body = json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
    });
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

/// Entra's error body; `error_description` starts with the AADSTS code like the real one.
fn entra_error(status: StatusCode, error: &str, code: u32, text: &str) -> Response {
    let trace_id = uuid::Uuid::new_v4().to_string();
    let correlation_id = uuid::Uuid::new_v4().to_string();
    let timestamp = chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {text} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}"),
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

/// The 401 Graph gives for a missing, unknown or expired bearer token, or `None` when
/// the request may proceed.
pub(crate) fn reject_unauthenticated(
    shared: &Shared,
    headers: &HeaderMap,
    ids: &RequestIds,
) -> Option<Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let message = match token {
        None => "Access token is empty.",
        Some(token) if lock(&shared.auth).is_valid(token) => return None,
        Some(_) => "Access token has expired or is not yet valid.",
    };
    Some(ids.error(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        message,
    ))
}
