//! What every request to Microsoft shares, the Graph client's and the device-code
//! sign-in's alike: the client's options, how the HTTP client is built, reading a token's
//! claims, and how a broken connection or an unreadable reply is classed.

use std::time::Duration;

use base64::Engine;
use serde::de::DeserializeOwned;

use super::cloud::is_loopback_http;
use super::retry::{Failure, Transient};
use super::GraphError;

#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Marks requests `x-ms-throttle-priority: Low`, for unattended (nightly) work.
    pub low_priority: bool,
    /// Retries stop once this long has passed since the client was made: a run never
    /// waits on Microsoft beyond it.
    pub retry_budget: Duration,
    pub max_attempts: usize,
    /// How many requests may be in flight at once.
    pub concurrency: usize,
    pub request_timeout: Duration,
    /// The first backoff step when Microsoft gives no `Retry-After`.
    pub min_backoff: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            low_priority: false,
            retry_budget: Duration::from_secs(300),
            max_attempts: 8,
            concurrency: 4,
            request_timeout: Duration::from_secs(30),
            min_backoff: Duration::from_millis(500),
        }
    }
}

pub(super) fn http_client(
    base: &str,
    options: &ClientOptions,
) -> Result<reqwest::Client, GraphError> {
    let mut builder = reqwest::Client::builder()
        .timeout(options.request_timeout)
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("UniAsset-Desktop/", env!("CARGO_PKG_VERSION")))
        // Bearer tokens go only where we send them, never to a redirect target.
        .redirect(reqwest::redirect::Policy::none());
    // Otherwise reqwest follows the proxy environment (HTTPS_PROXY, ALL_PROXY, NO_PROXY…).
    if is_loopback_http(base) {
        builder = builder.no_proxy();
    }
    builder.build().map_err(|e| GraphError::Unreachable {
        host: base.to_owned(),
        detail: e.to_string(),
    })
}

/// The claims of an access token. Graph access tokens are JWTs (header.payload.signature,
/// base64url); the signature is Microsoft's business and not checked here.
pub(super) fn claims<T: DeserializeOwned>(token: &str) -> Option<T> {
    let mut parts = token.split('.');
    let (Some(_header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&json).ok()
}

pub(super) fn network(host: &str, e: &reqwest::Error) -> Failure {
    // reqwest's Display names the URL, never the form body, so the secret cannot leak here.
    let detail = if e.is_timeout() {
        "the request timed out".to_owned()
    } else if e.is_connect() {
        "the connection was refused or could not be made".to_owned()
    } else {
        "the connection broke off before a complete reply".to_owned()
    };
    Failure::Transient {
        kind: Transient::Network {
            host: host.to_owned(),
            detail,
        },
        retry_after: None,
    }
}

pub(super) fn malformed(e: &serde_json::Error) -> Failure {
    Failure::Transient {
        kind: Transient::Malformed(e.to_string()),
        retry_after: None,
    }
}
