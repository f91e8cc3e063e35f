//! What every `/v1.0` request goes through before its handler: latency, the bearer
//! check, then the seeded faults.

use crate::auth::reject_unauthenticated;
use crate::faults::Fault;
use crate::reply::{retry_after_value, RequestIds, GRAPH_JSON};
use crate::state::{lock, Shared};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
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
    let refused = reject_unauthenticated(&shared, request.headers(), &ids).or_else(|| {
        let fault = lock(&shared.faults).decide()?;
        Some(fault_response(&shared, &ids, fault))
    });
    let mut response = match refused {
        Some(response) => response,
        None => {
            request.extensions_mut().insert(ids.clone());
            next.run(request).await
        }
    };
    ids.stamp(&mut response);
    response
}

fn fault_response(shared: &Shared, ids: &RequestIds, fault: Fault) -> Response {
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
            return dropped();
        }
        Fault::Malformed => {
            counts.malformed += 1;
            return malformed();
        }
    };
    let mut response = ids.error(status, code, message);
    if let Some(value) = retry_after.and_then(|s| HeaderValue::from_str(&retry_after_value(s)).ok())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
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
