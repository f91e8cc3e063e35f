//! Device code sign-in, as Entra documents it: `POST /{tenant}/oauth2/v2.0/devicecode`
//! hands out a code, and the token endpoint's device code grant answers each poll.

use crate::applications::GRAPH_APP_ID;
use crate::device_code::Poll;
use crate::directory_roles::template_id;
use crate::entra_error::{entra_error, entra_json, missing_field, unknown_client, unknown_tenant};
use crate::state::{lock, Shared};
use crate::tokens::{Grant, PUBLIC_CLIENT_ID};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub(crate) const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// OpenID Connect scopes: they ask for ID and refresh tokens, not Graph permissions.
const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "offline_access", "email"];

/// `POST /{tenant}/oauth2/v2.0/devicecode` (form `client_id`, `scope`). Only the public
/// client the contract names may start one: registered apps are confidential clients.
pub(crate) async fn begin(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: &str| {
        form.get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    };
    if !shared.is_sign_in_tenant(&tenant) {
        return unknown_tenant(&tenant);
    }
    let Some(client_id) = field("client_id") else {
        return missing_field("client_id");
    };
    let Some(scope) = field("scope") else {
        return missing_field("scope");
    };
    if !client_id.eq_ignore_ascii_case(PUBLIC_CLIENT_ID) {
        return unknown_client(client_id, &tenant);
    }
    let config = &shared.config;
    let (device_code, user_code) = lock(&shared.device_codes).begin(
        scope.trim(),
        Duration::from_secs(config.device_code_lifetime_secs),
        Duration::from_secs(config.device_code_interval_secs),
    );
    let verification_uri = format!("{}/devicelogin", shared.base_url);
    entra_json(&json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verification_uri,
        "expires_in": config.device_code_lifetime_secs,
        "interval": config.device_code_interval_secs,
        "message": format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."),
    }))
}

/// The token endpoint's device code grant (form `client_id`, `device_code`): one poll.
pub(crate) fn redeem(shared: &Shared, tenant: &str, form: &HashMap<String, String>) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    if !shared.is_sign_in_tenant(tenant) {
        return unknown_tenant(tenant);
    }
    let Some(client_id) = field("client_id") else {
        return missing_field("client_id");
    };
    let Some(device_code) = field("device_code") else {
        return missing_field("device_code");
    };
    if !client_id.eq_ignore_ascii_case(PUBLIC_CLIENT_ID) {
        return unknown_client(client_id, tenant);
    }
    let poll =
        lock(&shared.device_codes).poll(device_code, || lock(&shared.faults).take_slow_down());
    let bad = |error: &str, code: u32, text: &str| {
        entra_error(StatusCode::BAD_REQUEST, error, code, text)
    };
    let (upn, scope) = match poll {
        Poll::Unknown => return bad_verification_code(),
        Poll::Expired => return bad("expired_token", 70020, "The provided value for the input parameter 'device_code' is expired. The user did not sign in in time; start a new sign-in."),
        // Entra has no AADSTS code of its own for this RFC 8628 answer; it shares
        // authorization_pending's.
        Poll::TooSoon => return bad("slow_down", 70016, "The client is polling too often. Wait at least the interval, plus five seconds, before the next request."),
        Poll::Declined => return bad("authorization_declined", 70000, "The end user declined the authorization request."),
        Poll::Waiting => return bad("authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling."),
        Poll::Approved { upn, scope } => (upn, scope),
    };
    let account = lock(&shared.directory)
        .get(&upn)
        .filter(|u| u.enabled)
        .map(|u| {
            let role_ids = u
                .roles
                .iter()
                .filter_map(|name| template_id(name))
                .map(str::to_string)
                .collect();
            (u.id.clone(), role_ids)
        });
    // The account was deleted or disabled between approval and this poll.
    let Some((object_id, role_ids)) = account else {
        return bad_verification_code();
    };
    let (audience, scopes) = graph_scopes(&scope);
    let grant = Grant::Delegated {
        upn,
        object_id,
        role_ids,
        scopes,
    };
    let (access_token, lifetime) = shared.issue(grant, &audience);
    entra_json(&json!({
        "token_type": "Bearer",
        "scope": scope,
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
    }))
}

/// AADSTS70000 invalid_grant, for a device code never issued or already redeemed.
fn bad_verification_code() -> Response {
    entra_error(
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        70000,
        "The provided value for the input parameter 'device_code' is not valid: it was never issued or has already been used (bad_verification_code).",
    )
}

/// The resource (token audience) and the permission names of a requested scope string,
/// e.g. "https://graph.microsoft.com/Application.ReadWrite.All offline_access" gives
/// ("https://graph.microsoft.com", ["Application.ReadWrite.All"]). Bare names are
/// Graph's, as Entra reads them.
fn graph_scopes(scope: &str) -> (String, Vec<String>) {
    let mut audience = None;
    let mut scopes = Vec::new();
    for item in scope.split_whitespace() {
        if OIDC_SCOPES.iter().any(|s| s.eq_ignore_ascii_case(item)) {
            continue;
        }
        match item.rsplit_once('/') {
            Some((resource, name)) if item.contains("://") => {
                audience.get_or_insert_with(|| resource.to_string());
                scopes.push(name.to_string());
            }
            _ => scopes.push(item.to_string()),
        }
    }
    (audience.unwrap_or_else(|| GRAPH_APP_ID.to_string()), scopes)
}
