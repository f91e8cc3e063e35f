//! What every `/v1.0` request goes through before its handler: latency, the bearer
//! check, then the seeded faults.

use crate::auth::caller;
use crate::faults::Fault;
use crate::reply::{retry_after_value, RequestIds, GRAPH_JSON};
use crate::state::{lock, Shared};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;

pub(crate) async fn graph_pipeline(
    State(shared): State<Arc<Shared>>,
    mut request: Request,
    next: Next,
) -> Response {
    let ids = RequestIds::new(request.headers());
    let latency = lock(&shared.faults).faults().latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let mut response = match caller(&shared, request.headers(), &ids) {
        Err(rejected) => rejected.into_response(),
        Ok(grant) => {
            let fault = lock(&shared.faults).decide();
            match fault.and_then(|fault| fault_response(&shared, &ids, fault)) {
                Some(faulty) => faulty,
                None => {
                    request.extensions_mut().insert(ids.clone());
                    request.extensions_mut().insert(grant);
                    let response = next.run(request).await;
                    if fault == Some(Fault::Truncated) {
                        truncated(&shared, response).await
                    } else {
                        response
                    }
                }
            }
        }
    };
    ids.stamp(&mut response);
    response
}

/// The reply that replaces the handler's, or `None` when the handler still answers
/// (a truncated reply is cut from the real one).
fn fault_response(shared: &Shared, ids: &RequestIds, fault: Fault) -> Option<Response> {
    let retry_after = lock(&shared.faults).faults().retry_after_secs;
    let mut counts = lock(&shared.counts);
    let (status, code, message) = match fault {
        Fault::Unavailable => {
            counts.unavailable += 1;
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "serviceNotAvailable",
                "The service is temporarily unavailable. Please retry later.",
            )
        }
        Fault::Throttled => {
            counts.throttled += 1;
            (
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Please retry again later.",
            )
        }
        Fault::Dropped => {
            counts.dropped += 1;
            return Some(dropped());
        }
        Fault::Malformed => {
            counts.malformed += 1;
            return Some(malformed());
        }
        Fault::Truncated => return None,
    };
    let mut response = ids.error(status, code, message);
    if let Some(value) = retry_after.and_then(|s| HeaderValue::from_str(&retry_after_value(s)).ok())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    Some(response)
}

/// The handler's 200 with only the first half of its JSON body. `Content-Length` matches
/// the cut body, so the HTTP reply is complete and only its JSON is broken. Other
/// statuses pass unchanged.
async fn truncated(shared: &Shared, response: Response) -> Response {
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let whole = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let cut = whole.slice(..whole.len() / 2);
    parts.headers.remove(header::TRANSFER_ENCODING);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(cut.len()));
    lock(&shared.counts).truncated += 1;
    Response::from_parts(parts, Body::from(cut))
}

/// A 200 whose chunked body breaks off: hyper aborts the connection when the body
/// stream fails, so the client reads an incomplete message.
fn dropped() -> Response {
    let chunks = futures_util::stream::iter([
        Ok(Bytes::from_static(b"{\"value\":[{\"id\":")),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "graph-sim: simulated dropped connection",
        )),
    ]);
    let mut response = Response::new(Body::from_stream(chunks));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(GRAPH_JSON));
    response
}

/// A complete 200 that claims JSON but is cut short, as a broken proxy might send.
fn malformed() -> Response {
    let mut response = Response::new(Body::from("{\"value\":[{\"id\":\"0b5e"));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(GRAPH_JSON));
    response
}
