//! Request counters, so tests and benchmarks can check how much a client asked for.

use axum::http::Method;
use serde::Serialize;

/// How many requests of each kind the simulator received since start or the last reset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RequestCounts {
    pub token: u64,
    pub user_get: u64,
    pub user_list: u64,
    pub batch: u64,
    /// Items inside `$batch` requests that were accepted and run.
    pub batch_items: u64,
    pub delta: u64,
    /// 429 replies, whole requests and `$batch` items alike.
    pub throttled: u64,
    pub unavailable: u64,
    pub dropped: u64,
    pub malformed: u64,
    /// 200 replies cut off in the middle of their JSON (`truncated_rate`).
    pub truncated: u64,
    /// Reads of one user answered with another user's body (`wrong_id_rate`).
    pub wrong_id: u64,
    /// Reads of an existing user answered 404 (`flaky_not_found_rate`).
    pub flaky_not_found: u64,
    /// Every HTTP request received, the token endpoint included.
    pub total: u64,
}

impl RequestCounts {
    /// Counts one incoming request under `total` and under the endpoint it addresses,
    /// whatever its outcome (a throttled `GET /users/{id}` is still a `user_get`).
    pub(crate) fn record_request(&mut self, method: &Method, path: &str) {
        self.total += 1;
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let counter = match (method, segments.as_slice()) {
            (&Method::POST, [_, "oauth2", "v2.0", "token"]) => &mut self.token,
            (&Method::GET, ["v1.0", "users"]) => &mut self.user_list,
            (&Method::GET, ["v1.0", "users", "delta"]) => &mut self.delta,
            (&Method::GET, ["v1.0", "users", _]) => &mut self.user_get,
            (&Method::POST, ["v1.0", "$batch"]) => &mut self.batch,
            _ => return,
        };
        *counter += 1;
    }
}
