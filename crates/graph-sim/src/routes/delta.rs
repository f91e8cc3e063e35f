//! `GET /v1.0/users/delta`: a full first sync, then only what changed.
//!
//! A delta token is `(generation, stamp, $select)`: "changes after this stamp". A page
//! token adds the stamp the round stops at (fixed when the round starts, so objects
//! changing mid-round wait for the next round instead of being missed) and whether
//! this is a first sync, which leaves removed objects out.

use super::access::denied_user_read;
use super::query::self_link;
use super::query::{encode, Query};
use crate::cursor;
use crate::reply::{json_response, RequestIds};
use crate::select::Select;
use crate::state::{lock, Shared};
use crate::tokens::Grant;
use crate::user::{Lifecycle, User};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Map, Value};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Where one request of a delta round starts and ends.
struct Round {
    generation: u64,
    after: u64,
    upto: u64,
    initial: bool,
    select: Select,
}

pub(crate) async fn delta(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    Extension(caller): Extension<Grant>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Some((status, body)) = denied_user_read(&shared, &ids, &caller) {
        return json_response(status, &body);
    }
    let round = match parse_round(&shared, raw.as_deref()) {
        Ok(round) => round,
        Err(message) => return ids.error(StatusCode::BAD_REQUEST, "Request_BadRequest", &message),
    };
    if round.generation != shared.delta_generation.load(Ordering::Relaxed) {
        return sync_state_not_found(&shared, &ids, &round.select);
    }

    let directory = lock(&shared.directory);
    let (page, resume) = directory.changes(
        round.after,
        round.upto,
        round.initial,
        shared.config.delta_page_size.max(1),
    );
    let value: Vec<Value> = page.into_iter().map(|u| render(&round.select, u)).collect();
    drop(directory);

    let bits = u64::from(round.select.to_bits());
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        round.select.context(&shared.base_url).into(),
    );
    body.insert("value".into(), value.into());
    let delta_url = |query: String| format!("{}/v1.0/users/delta?{query}", shared.base_url);
    let (name, link) = match (
        self_link(&shared, "/v1.0/users/delta", raw.as_deref()),
        resume,
    ) {
        (Some(own), _) => ("@odata.nextLink", own),
        (None, Some(after)) => {
            let token = cursor::encode(&[
                round.generation,
                after,
                round.upto,
                u64::from(round.initial),
                bits,
            ]);
            ("@odata.nextLink", delta_url(format!("$skiptoken={token}")))
        }
        (None, None) => {
            let token = cursor::encode(&[round.generation, round.upto, bits]);
            (
                "@odata.deltaLink",
                delta_url(format!("$deltatoken={token}")),
            )
        }
    };
    body.insert(name.into(), link.into());
    json_response(StatusCode::OK, &Value::Object(body))
}

fn parse_round(shared: &Shared, raw: Option<&str>) -> Result<Round, String> {
    let query = Query::parse(raw, &["$select", "$deltatoken", "$skiptoken"])?;
    let invalid = || "The delta or skip token is not valid.".to_string();
    let now = lock(&shared.directory).current_seq();
    let generation = shared.delta_generation.load(Ordering::Relaxed);
    if let Some(token) = query.get("$skiptoken") {
        let f = cursor::decode(token, 5).ok_or_else(invalid)?;
        let select_bits = u8::try_from(f[4]).map_err(|_| invalid())?;
        return Ok(Round {
            generation: f[0],
            after: f[1],
            upto: f[2],
            initial: f[3] == 1,
            select: Select::from_bits(select_bits),
        });
    }
    match query.get("$deltatoken") {
        // A client that only wants future changes starts with an empty round ending now.
        Some(token) if token.eq_ignore_ascii_case("latest") => Ok(Round {
            generation,
            after: now,
            upto: now,
            initial: false,
            select: Select::parse(query.get("$select"))?,
        }),
        Some(token) => {
            let f = cursor::decode(token, 3).ok_or_else(invalid)?;
            let select_bits = u8::try_from(f[2]).map_err(|_| invalid())?;
            Ok(Round {
                generation: f[0],
                after: f[1],
                upto: now,
                initial: false,
                select: Select::from_bits(select_bits),
            })
        }
        None => Ok(Round {
            generation,
            after: 0,
            upto: now,
            initial: true,
            select: Select::parse(query.get("$select"))?,
        }),
    }
}

/// A changed object: its current state, or Graph's removal marker.
fn render(select: &Select, user: &User) -> Value {
    let reason = match user.lifecycle {
        Lifecycle::Active => return Value::Object(select.render(user)),
        Lifecycle::SoftDeleted => "changed",
        Lifecycle::HardDeleted => "deleted",
    };
    json!({ "id": user.id, "@removed": { "reason": reason } })
}

/// 410 Gone for a token from before `expire_delta_tokens`, pointing at a fresh full sync
/// with the same `$select`, as Graph does when a token has aged out.
fn sync_state_not_found(shared: &Shared, ids: &RequestIds, select: &Select) -> Response {
    let mut location = format!("{}/v1.0/users/delta", shared.base_url);
    if let Some(names) = select.query_value() {
        location.push_str(&format!("?$select={}", encode(&names)));
    }
    let mut response = ids.error(
        StatusCode::GONE,
        "syncStateNotFound",
        "The sync state for this delta token is no longer available. Restart the sync from the URL in the Location header.",
    );
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
