//! `POST /v1.0/$batch`: up to 20 GETs of single users in one round trip.

use super::users::{deleted_item_reply, user_reply};
use crate::reply::{json_response, retry_after_value, RequestIds};
use crate::state::{lock, Shared};
use crate::tokens::Grant;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::sync::Arc;

const MAX_ITEMS: usize = 20;

#[derive(Deserialize)]
struct BatchRequest {
    requests: Vec<BatchItem>,
}

/// One item; `headers`, `body` and `dependsOn` are accepted and ignored.
#[derive(Deserialize)]
struct BatchItem {
    id: String,
    method: String,
    url: String,
}

pub(crate) async fn batch(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    body: Bytes,
) -> Response {
    let bad = |message: &str| ids.error(StatusCode::BAD_REQUEST, "BadRequest", message);
    let Ok(batch) = serde_json::from_slice::<BatchRequest>(&body) else {
        return bad("Invalid batch payload format.");
    };
    if batch.requests.len() > MAX_ITEMS {
        return bad("The number of batch requests exceeds the limit of 20.");
    }
    let mut seen = HashSet::new();
    if let Some(item) = batch
        .requests
        .iter()
        .find(|item| !seen.insert(item.id.as_str()))
    {
        return bad(&format!(
            "Batch request ids must be unique; '{}' is repeated.",
            item.id
        ));
    }
    lock(&shared.counts).batch_items += batch.requests.len() as u64;

    let mut responses: Vec<Value> = batch
        .requests
        .iter()
        .map(|item| run_item(&shared, &ids, &caller, item))
        .collect();
    // Graph answers items in any order; a client that assumes request order must fail here.
    lock(&shared.faults).shuffle(&mut responses);
    json_response(StatusCode::OK, &json!({ "responses": responses }))
}

fn run_item(shared: &Shared, ids: &RequestIds, caller: &Grant, item: &BatchItem) -> Value {
    let mut headers = Map::new();
    headers.insert("Content-Type".into(), "application/json".into());
    let (throttled, retry_after) = {
        let mut faults = lock(&shared.faults);
        (faults.throttle_item(), faults.faults().retry_after_secs)
    };
    let (status, body) = if throttled {
        lock(&shared.counts).throttled += 1;
        if let Some(secs) = retry_after {
            headers.insert("Retry-After".into(), retry_after_value(secs).into());
        }
        (
            StatusCode::TOO_MANY_REQUESTS,
            ids.error_body("TooManyRequests", "Please retry again later."),
        )
    } else {
        route_item(shared, ids, caller, item)
    };
    json!({
        "id": item.id,
        "status": status.as_u16(),
        "headers": headers,
        "body": body,
    })
}

/// Runs the kinds of item the app sends: `GET users/{id}[?query]` and
/// `GET directory/deletedItems/{id}[?query]`, relative to /v1.0.
fn route_item(
    shared: &Shared,
    ids: &RequestIds,
    caller: &Grant,
    item: &BatchItem,
) -> (StatusCode, Value) {
    let url = item.url.trim_start_matches('/');
    let (path, query) = match url.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (url, None),
    };
    match path.split('/').collect::<Vec<_>>().as_slice() {
        ["users", id]
            if item.method.eq_ignore_ascii_case("GET") && *id != "delta" && !id.is_empty() =>
        {
            user_reply(shared, ids, caller, id, query)
        }
        ["directory", "deletedItems", id]
            if item.method.eq_ignore_ascii_case("GET") && !id.is_empty() =>
        {
            deleted_item_reply(shared, ids, caller, id, query)
        }
        _ => (
            StatusCode::BAD_REQUEST,
            ids.error_body(
                "BadRequest",
                &format!(
                    "The simulator runs only GET /users/{{id}} and GET /directory/deletedItems/{{id}} in a batch, not {} {}.",
                    item.method, item.url
                ),
            ),
        ),
    }
}
