//! The HTTP surface: the token endpoint at the root, Graph under `/v1.0`.

mod batch;
mod delta;
mod pipeline;
mod query;
mod users;

use crate::reply::RequestIds;
use crate::state::{lock, Shared};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{from_fn_with_state, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::Value;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let graph = Router::new()
        .route("/users", get(users::list_users))
        .route("/users/delta", get(delta::delta))
        .route("/users/{id}", get(users::get_user))
        .route("/directory/deletedItems/{id}", get(users::get_deleted_item))
        .route("/$batch", post(batch::batch))
        .fallback(unknown_resource)
        .layer(from_fn_with_state(shared.clone(), pipeline::graph_pipeline));
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(crate::auth::token))
        .nest("/v1.0", graph)
        .layer(from_fn_with_state(shared.clone(), count_request))
        .with_state(shared)
}

async fn count_request(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    lock(&shared.counts).record_request(request.method(), request.uri().path());
    next.run(request).await
}

async fn unknown_resource(Extension(ids): Extension<RequestIds>, request: Request) -> Response {
    let message = format!(
        "Resource not found for the segment '{}'.",
        request.uri().path()
    );
    ids.error(StatusCode::BAD_REQUEST, "BadRequest", &message)
}

/// With `self_linking_pages` on, the link back to the page being served (the request's
/// own URL), for its `@odata.nextLink`.
fn self_link(shared: &Shared, path: &str, raw_query: Option<&str>) -> Option<String> {
    if !lock(&shared.faults).faults().self_linking_pages {
        return None;
    }
    let query = raw_query.map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!("{}{path}{query}", shared.base_url))
}

/// The 403 a users endpoint gives while User.Read.All is not granted, if so.
fn denied_permission(shared: &Shared, ids: &RequestIds) -> Option<(StatusCode, Value)> {
    if shared.permission_granted.load(Ordering::Relaxed) {
        return None;
    }
    Some((
        StatusCode::FORBIDDEN,
        ids.error_body(
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ),
    ))
}
