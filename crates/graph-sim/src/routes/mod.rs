//! The HTTP surface: the token and device code endpoints and the device login page at
//! the root, Graph under `/v1.0`.

mod access;
mod applications;
mod batch;
mod body;
mod delta;
pub(crate) mod device_code;
mod device_login;
mod pipeline;
mod query;
mod service_principals;
mod token;
mod user_writes;
mod users;

use crate::reply::RequestIds;
use crate::state::{lock, Shared};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{from_fn_with_state, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use std::sync::Arc;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let graph = Router::new()
        .route("/users", get(users::list_users))
        .route("/users/delta", get(delta::delta))
        .route(
            "/users/{id}",
            get(users::get_user).patch(user_writes::update),
        )
        .route("/users/{id}/manager", get(users::get_manager))
        .route(
            "/users/{id}/revokeSignInSessions",
            post(user_writes::revoke_sessions),
        )
        .route("/directory/deletedItems/{id}", get(users::get_deleted_item))
        .route("/$batch", post(batch::batch))
        .route(
            "/applications",
            get(applications::list).post(applications::create),
        )
        .route(
            "/applications/{id}",
            get(applications::get_one)
                .patch(applications::update)
                .delete(applications::delete),
        )
        .route(
            "/applications/{id}/addPassword",
            post(applications::add_password),
        )
        .route(
            "/applications/{id}/removePassword",
            post(applications::remove_password),
        )
        .route(
            "/servicePrincipals",
            get(service_principals::list).post(service_principals::create),
        )
        .route(
            "/servicePrincipals/{id}/appRoleAssignments",
            post(service_principals::assign),
        )
        .fallback(unknown_resource)
        .layer(from_fn_with_state(shared.clone(), pipeline::graph_pipeline));
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token::token))
        .route("/{tenant}/oauth2/v2.0/devicecode", post(device_code::begin))
        .route(
            "/devicelogin",
            get(device_login::page).post(device_login::submit),
        )
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
