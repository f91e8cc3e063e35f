//! Entra's OAuth error body, shared by the token and device code endpoints.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// `error_description` starts with the AADSTS code like the real one; clients must
/// branch on `error` and `error_codes`, never on the text.
pub(crate) fn entra_error(status: StatusCode, error: &str, code: u32, text: &str) -> Response {
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

/// A 200 with Entra's JSON content type, for token and device code replies.
pub(crate) fn entra_json(body: &serde_json::Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

/// AADSTS700016, for a client id that names no application (or none usable) here.
pub(crate) fn unknown_client(client_id: &str, tenant: &str) -> Response {
    entra_error(
        StatusCode::BAD_REQUEST,
        "unauthorized_client",
        700016,
        &format!("Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."),
    )
}

/// AADSTS90002, for a `{tenant}` path segment that names no tenant here.
pub(crate) fn unknown_tenant(tenant: &str) -> Response {
    entra_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        90002,
        &format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
    )
}

/// AADSTS900144, for a required form field left out or empty.
pub(crate) fn missing_field(name: &str) -> Response {
    entra_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900144,
        &format!("The request body must contain the following parameter: '{name}'."),
    )
}
