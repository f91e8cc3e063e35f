//! What an application may do to a user: `POST /v1.0/users/{id}/revokeSignInSessions` and
//! `PATCH /v1.0/users/{id}` with `accountEnabled`.

use super::access::{may_enable_disable, may_revoke_sessions};
use super::body::{bad_request, json_object};
use crate::reply::{json_response, not_found, GraphError, RequestIds};
use crate::state::{lock, Shared};
use crate::tokens::Grant;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Value};
use std::sync::Arc;

type Reply = Result<Response, GraphError>;

/// → 200 `{"value": true}` (an `Edm.Boolean`); 404 for a deleted user; 500 for a user
/// made to fail (`Simulator::set_user_failing`).
pub(crate) async fn revoke_sessions(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    Path(id): Path<String>,
) -> Reply {
    may_revoke_sessions(&shared, &ids, &caller)?;
    if lock(&shared.failing_users).contains(&id.to_lowercase()) {
        return Err(ids.refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "generalException",
            "An unexpected error occurred.",
        ));
    }
    let mut directory = lock(&shared.directory);
    let user_id = directory
        .get(&id)
        .map(|user| user.id.clone())
        .ok_or_else(|| not_found(&ids, &id))?;
    directory.revoke_sessions(&user_id);
    let body = json!({
        "@odata.context": format!("{}/v1.0/$metadata#Edm.Boolean", shared.base_url),
        "value": true,
    });
    Ok(json_response(StatusCode::OK, &body))
}

/// `{"accountEnabled": bool}` → 204. Only `accountEnabled` is simulated; any other
/// property is refused rather than silently ignored.
pub(crate) async fn update(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let fields = json_object(&ids, &body)?;
    let mut directory = lock(&shared.directory);
    let user = directory.get(&id).ok_or_else(|| not_found(&ids, &id))?;
    may_enable_disable(&shared, &ids, &caller, user)?;
    let user_id = user.id.clone();
    let mut enabled = None;
    for (name, value) in &fields {
        match (name.as_str(), value) {
            ("accountEnabled", Value::Bool(value)) => enabled = Some(*value),
            ("accountEnabled", _) => {
                return Err(bad_request(
                    &ids,
                    "Invalid value for property 'accountEnabled': a boolean is expected.",
                ))
            }
            (other, _) => {
                return Err(bad_request(
                    &ids,
                    &format!("The simulator does not update the property '{other}'."),
                ))
            }
        }
    }
    if let Some(enabled) = enabled {
        directory.set_enabled(&user_id, enabled);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
