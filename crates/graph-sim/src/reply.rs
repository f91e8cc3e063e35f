//! Graph's reply conventions: the JSON content type, request ids and the error shape.

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// What Graph sends for JSON bodies.
pub(crate) const GRAPH_JSON: &str =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, GRAPH_JSON)],
        body.to_string(),
    )
        .into_response()
}

/// A Graph error reply, small enough to travel in a `Result`, so handlers can refuse
/// with `?`.
pub(crate) struct GraphError {
    status: StatusCode,
    body: Value,
}

impl From<(StatusCode, Value)> for GraphError {
    fn from((status, body): (StatusCode, Value)) -> Self {
        GraphError { status, body }
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        json_response(self.status, &self.body)
    }
}

/// `Retry-After` as Graph writes it: seconds, fractional when needed ("0.25", "2").
pub(crate) fn retry_after_value(secs: f64) -> String {
    format!("{secs}")
}

/// The ids Graph attaches to a request: its own `request-id`, and the caller's
/// `client-request-id` echoed back (or the request id when the caller sent none).
#[derive(Clone, Debug)]
pub(crate) struct RequestIds {
    request_id: String,
    client_request_id: String,
}

impl RequestIds {
    pub(crate) fn new(headers: &HeaderMap) -> Self {
        let request_id = uuid::Uuid::new_v4().to_string();
        let client_request_id = headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .map_or_else(|| request_id.clone(), str::to_string);
        RequestIds {
            request_id,
            client_request_id,
        }
    }

    /// `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`
    pub(crate) fn error_body(&self, code: &str, message: &str) -> Value {
        json!({
            "error": {
                "code": code,
                "message": message,
                "innerError": {
                    "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                    "request-id": self.request_id,
                    "client-request-id": self.client_request_id,
                }
            }
        })
    }

    pub(crate) fn error(&self, status: StatusCode, code: &str, message: &str) -> Response {
        self.refuse(status, code, message).into_response()
    }

    pub(crate) fn refuse(&self, status: StatusCode, code: &str, message: &str) -> GraphError {
        GraphError {
            status,
            body: self.error_body(code, message),
        }
    }

    /// Adds the id headers every Graph reply carries.
    pub(crate) fn stamp(&self, response: &mut Response) {
        for (name, value) in [
            ("request-id", &self.request_id),
            ("client-request-id", &self.client_request_id),
        ] {
            if let Ok(value) = HeaderValue::from_str(value) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(name), value);
            }
        }
    }
}

/// Graph's 404 for an object that does not exist (or, for users, is in the recycle bin).
pub(crate) fn not_found(ids: &RequestIds, id: &str) -> (StatusCode, serde_json::Value) {
    let message = format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present.");
    (
        StatusCode::NOT_FOUND,
        ids.error_body("Request_ResourceNotFound", &message),
    )
}
