//! `GET /v1.0/users/{id}`, `GET /v1.0/users/{id}/manager`, `GET /v1.0/users` and
//! `GET /v1.0/directory/deletedItems/{id}`.

use super::access::denied_user_read;
use super::query::self_link;
use super::query::Query;
use crate::faults::ReadFault;
use crate::reply::not_found;
use crate::reply::{json_response, RequestIds};
use crate::select::Select;
use crate::state::{lock, Shared};
use crate::tokens::Grant;
use crate::user::User;
use crate::{cursor, filter, search};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde_json::{Map, Value};
use std::sync::Arc;

const DEFAULT_PAGE_SIZE: usize = 100;
const MAX_PAGE_SIZE: usize = 999;

pub(crate) async fn get_user(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (status, body) = user_reply(&shared, &ids, &caller, &id, raw.as_deref());
    json_response(status, &body)
}

/// The status and body of a GET of one user, shared by the route and `$batch` items.
pub(crate) fn user_reply(
    shared: &Shared,
    ids: &RequestIds,
    caller: &Grant,
    id: &str,
    raw_query: Option<&str>,
) -> (StatusCode, Value) {
    let select = match readable(shared, ids, caller, raw_query) {
        Ok(select) => select,
        Err(refused) => return refused,
    };
    if lock(&shared.failing_users).contains(&id.to_lowercase()) {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            ids.error_body("generalException", "An unexpected error occurred."),
        );
    }
    let read_fault = lock(&shared.faults).decide_read();
    let directory = lock(&shared.directory);
    let Some(mut user) = directory.get(id) else {
        return not_found(ids, id);
    };
    match read_fault {
        Some(ReadFault::NotFound) => {
            lock(&shared.counts).flaky_not_found += 1;
            return not_found(ids, id);
        }
        Some(ReadFault::WrongUser) => {
            if let Some(other) = directory.other_than(user) {
                lock(&shared.counts).wrong_id += 1;
                user = other;
            }
        }
        None => {}
    }
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        format!("{}/$entity", select.context(&shared.base_url)).into(),
    );
    body.extend(select.render(user));
    (StatusCode::OK, Value::Object(body))
}

/// `GET /v1.0/users/{id}/manager`: the manager as a directory object (a user, with its
/// `@odata.type`), or Graph's 404 `Request_ResourceNotFound` naming 'manager' when the user
/// has none (and naming the user when there is no such user).
pub(crate) async fn get_manager(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (status, body) = manager_reply(&shared, &ids, &caller, &id, raw.as_deref());
    json_response(status, &body)
}

fn manager_reply(
    shared: &Shared,
    ids: &RequestIds,
    caller: &Grant,
    id: &str,
    raw_query: Option<&str>,
) -> (StatusCode, Value) {
    let select = match readable(shared, ids, caller, raw_query) {
        Ok(select) => select,
        Err(refused) => return refused,
    };
    let directory = lock(&shared.directory);
    let Some(user) = directory.get(id) else {
        return not_found(ids, id);
    };
    match user.manager.as_deref().and_then(|m| directory.get(m)) {
        Some(manager) => directory_object(shared, &select, manager),
        None => not_found(ids, "manager"),
    }
}

/// `GET /v1.0/directory/deletedItems/{id}`: a soft-deleted user, restorable for 30 days.
pub(crate) async fn get_deleted_item(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (status, body) = deleted_item_reply(&shared, &ids, &caller, &id, raw.as_deref());
    json_response(status, &body)
}

/// The status and body of a GET of one deleted item, shared by the route and `$batch` items.
pub(crate) fn deleted_item_reply(
    shared: &Shared,
    ids: &RequestIds,
    caller: &Grant,
    id: &str,
    raw_query: Option<&str>,
) -> (StatusCode, Value) {
    let select = match readable(shared, ids, caller, raw_query) {
        Ok(select) => select,
        Err(refused) => return refused,
    };
    let directory = lock(&shared.directory);
    let Some(user) = directory.get_deleted(id) else {
        return not_found(ids, id);
    };
    directory_object(shared, &select, user)
}

/// A user read as a directory object (a deleted item, a manager): Graph names its type.
fn directory_object(shared: &Shared, select: &Select, user: &User) -> (StatusCode, Value) {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        format!(
            "{}/v1.0/$metadata#directoryObjects/$entity",
            shared.base_url
        )
        .into(),
    );
    body.insert("@odata.type".into(), "#microsoft.graph.user".into());
    body.extend(select.render(user));
    (StatusCode::OK, Value::Object(body))
}

/// What every read of one object checks first: the permission, then its `$select`.
fn readable(
    shared: &Shared,
    ids: &RequestIds,
    caller: &Grant,
    raw_query: Option<&str>,
) -> Result<Select, (StatusCode, Value)> {
    if let Some(denied) = denied_user_read(shared, ids, caller) {
        return Err(denied);
    }
    Query::parse(raw_query, &["$select"])
        .and_then(|q| Select::parse(q.get("$select")))
        .map_err(|message| {
            (
                StatusCode::BAD_REQUEST,
                ids.error_body("Request_BadRequest", &message),
            )
        })
}

/// `GET /v1.0/users`. `$search` is an advanced query: without `ConsistencyLevel:
/// eventual` Graph refuses it, and ignores `$count=true` (as documented for directory
/// objects); with the header, `$count=true` adds `@odata.count`.
pub(crate) async fn list_users(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Some((status, body)) = denied_user_read(&shared, &ids, &caller) {
        return json_response(status, &body);
    }
    let bad = |code: &str, message: &str| ids.error(StatusCode::BAD_REQUEST, code, message);
    let query = match Query::parse(
        raw.as_deref(),
        &[
            "$select",
            "$top",
            "$filter",
            "$skiptoken",
            "$search",
            "$count",
        ],
    ) {
        Ok(query) => query,
        Err(message) => return bad("Request_BadRequest", &message),
    };
    let eventual = headers
        .get("ConsistencyLevel")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("eventual"));
    let select = match Select::parse(query.get("$select")) {
        Ok(select) => select,
        Err(message) => return bad("Request_BadRequest", &message),
    };
    let top = match query.get("$top").map(|t| t.trim().parse::<usize>()) {
        None => DEFAULT_PAGE_SIZE,
        Some(Ok(top)) if (1..=MAX_PAGE_SIZE).contains(&top) => top,
        Some(_) => {
            let given = query.get("$top").unwrap_or_default();
            let message = format!("Invalid page size specified: '{given}'. Must be between 1 and {MAX_PAGE_SIZE} inclusive.");
            return bad("Request_BadRequest", &message);
        }
    };
    let filter = match query.get("$filter").map(filter::parse) {
        None => filter::Filter::default(),
        Some(Ok(filter)) => filter,
        Some(Err(message)) => return bad("Request_UnsupportedQuery", &message),
    };
    let search = match query.get("$search") {
        None => search::Search::default(),
        Some(_) if !eventual => {
            return bad(
                "Request_UnsupportedQuery",
                "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
            )
        }
        Some(raw) => match search::parse(raw) {
            Ok(search) => search,
            Err(message) => return bad("Request_BadRequest", &message),
        },
    };
    let count = match query.get("$count").map(|c| c.trim().to_ascii_lowercase()) {
        None => false,
        Some(c) if c == "true" => eventual,
        Some(c) if c == "false" => false,
        Some(_) => {
            return bad(
                "Request_BadRequest",
                "Invalid value for $count: use true or false.",
            )
        }
    };
    let start = match query.get("$skiptoken").map(|t| cursor::decode(t, 1)) {
        None => 0,
        Some(Some(fields)) => usize::try_from(fields[0]).unwrap_or(usize::MAX),
        Some(None) => return bad("Request_BadRequest", "Invalid $skiptoken."),
    };

    let directory = lock(&shared.directory);
    let (page, next) = directory.list(&filter, &search, start, top);
    let value: Vec<Value> = page
        .into_iter()
        .map(|user| Value::Object(select.render(user)))
        .collect();
    let total = count.then(|| directory.count(&filter, &search));
    drop(directory);
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        select.context(&shared.base_url).into(),
    );
    if let Some(total) = total {
        body.insert("@odata.count".into(), total.into());
    }
    body.insert("value".into(), value.into());
    let next_link = match self_link(&shared, "/v1.0/users", raw.as_deref()) {
        Some(link) => Some(link),
        None => next.map(|next| {
            let skiptoken = cursor::encode(&[next as u64]);
            format!(
                "{}/v1.0/users?{}",
                shared.base_url,
                query.with("$skiptoken", &skiptoken)
            )
        }),
    };
    if let Some(link) = next_link {
        body.insert("@odata.nextLink".into(), link.into());
    }
    json_response(StatusCode::OK, &Value::Object(body))
}
