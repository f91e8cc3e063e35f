//! Request bodies of Graph writes: a JSON object, refused the way Graph refuses it.

use crate::reply::{GraphError, RequestIds};
use axum::http::StatusCode;
use serde_json::{Map, Value};

/// The body as a JSON object; an empty body counts as `{}` (addPassword may send none).
pub(crate) fn json_object(ids: &RequestIds, body: &[u8]) -> Result<Map<String, Value>, GraphError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ids.refuse(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )),
    }
}

/// A string property; `Ok(None)` when absent or null, an error when of another type.
pub(crate) fn optional_string<'a>(
    ids: &RequestIds,
    object: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, GraphError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(bad_request(
            ids,
            &format!("Invalid value for property '{name}': a string is expected."),
        )),
    }
}

/// A string property the request cannot do without.
pub(crate) fn required_string<'a>(
    ids: &RequestIds,
    object: &'a Map<String, Value>,
    name: &str,
) -> Result<&'a str, GraphError> {
    optional_string(ids, object, name)?
        .filter(|text| !text.trim().is_empty())
        .ok_or_else(|| bad_request(ids, &format!("Property '{name}' is required.")))
}

/// Graph's 400 `Request_BadRequest`.
pub(crate) fn bad_request(ids: &RequestIds, message: &str) -> GraphError {
    ids.refuse(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
}
