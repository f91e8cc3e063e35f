//! The bearer-token check every Graph request goes through (tokens are handed out by
//! `routes::token`).

use crate::reply::{GraphError, RequestIds};
use crate::state::{lock, Shared};
use crate::tokens::Grant;
use axum::http::{header, HeaderMap, StatusCode};

/// What the request's bearer token grants, or the 401 Graph gives for a missing,
/// unknown or expired one.
pub(crate) fn caller(
    shared: &Shared,
    headers: &HeaderMap,
    ids: &RequestIds,
) -> Result<Grant, GraphError> {
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
        Some(token) => match lock(&shared.tokens).grant_of(token) {
            Some(grant) => return Ok(grant.clone()),
            None => "Access token has expired or is not yet valid.",
        },
    };
    Err(ids.refuse(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        message,
    ))
}
