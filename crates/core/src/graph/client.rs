//! The HTTP side: the client-credentials token (cached, refreshed once on 401), and one
//! JSON request with retries.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use backon::Retryable;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::error::{token_error, GraphErrorBody, TokenErrorBody};
use super::retry::{backoff, parse_retry_after, Failure, Transient};
use super::GraphError;
use crate::entra::cloud::Endpoints;
use crate::secrets::ClientSecret;

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

struct CachedToken {
    value: String,
    expires: Instant,
}

pub struct GraphClient {
    http: reqwest::Client,
    endpoints: Endpoints,
    tenant: String,
    client_id: String,
    secret: ClientSecret,
    token: tokio::sync::Mutex<Option<CachedToken>>,
    requests: AtomicU64,
    pub(super) options: ClientOptions,
    pub(super) deadline: Instant,
}

/// A successful reply, or the documented "no such object".
pub(super) enum Reply<T> {
    Found(T),
    NotFound,
}

impl GraphClient {
    pub fn new(
        endpoints: Endpoints,
        tenant: &str,
        client_id: &str,
        secret: ClientSecret,
        options: ClientOptions,
    ) -> Result<GraphClient, GraphError> {
        let http = reqwest::Client::builder()
            .timeout(options.request_timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("UniAsset-Desktop/", env!("CARGO_PKG_VERSION")))
            // Bearer tokens go only where we send them, never to a redirect target.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| GraphError::Unreachable {
                host: endpoints.graph_url.clone(),
                detail: e.to_string(),
            })?;
        Ok(GraphClient {
            http,
            deadline: Instant::now() + options.retry_budget,
            endpoints,
            tenant: tenant.to_owned(),
            client_id: client_id.to_owned(),
            secret,
            token: tokio::sync::Mutex::new(None),
            requests: AtomicU64::new(0),
            options,
        })
    }

    /// HTTP requests sent so far (token requests and retries included).
    pub fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub(super) fn graph_url(&self, path_and_query: &str) -> String {
        format!("{}/v1.0{}", self.endpoints.graph_url, path_and_query)
    }

    /// Links Graph returns (`@odata.nextLink`, `@odata.deltaLink`) must point back at the
    /// Graph endpoint: the access token is never sent anywhere else.
    pub(super) fn checked_link(&self, link: &str) -> Result<String, GraphError> {
        if link.starts_with(&format!("{}/", self.endpoints.graph_url)) {
            Ok(link.to_owned())
        } else {
            Err(GraphError::Malformed {
                detail: "a paging link pointed away from Microsoft Graph".into(),
            })
        }
    }

    async fn token(&self, refresh: bool) -> Result<String, GraphError> {
        let mut slot = self.token.lock().await;
        if let Some(t) = slot
            .as_ref()
            .filter(|t| !refresh && t.expires > Instant::now())
        {
            return Ok(t.value.clone());
        }
        let started = Instant::now();
        let stubborn = AtomicU32::new(0);
        let fetched = (|| self.fetch_token())
            .retry(backoff(self.options.min_backoff, self.options.max_attempts))
            .sleep(tokio::time::sleep)
            .when(Failure::retryable)
            .adjust(|f, b| f.next_delay(b, self.deadline, &stubborn))
            .await
            .map_err(|f| f.into_error(started))?;
        let value = fetched.value.clone();
        *slot = Some(fetched);
        Ok(value)
    }

    async fn fetch_token(&self) -> Result<CachedToken, Failure> {
        #[derive(serde::Deserialize)]
        struct TokenReply {
            access_token: String,
            expires_in: u64,
        }
        let url = format!(
            "{}/{}/oauth2/v2.0/token",
            self.endpoints.login_url, self.tenant
        );
        let scope = format!("{}/.default", self.endpoints.graph_url);
        let form = [
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.secret.expose()),
            ("scope", scope.as_str()),
            ("grant_type", "client_credentials"),
        ];
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = self
            .http
            .post(&url)
            .form(&form)
            .send()
            .await
            .map_err(|e| network(&self.endpoints.login_url, &e))?;
        let status = response.status();
        let retry_after = retry_after(&response);
        let bytes = response
            .bytes()
            .await
            .map_err(|e| network(&self.endpoints.login_url, &e))?;
        if status.is_success() {
            let reply: TokenReply = serde_json::from_slice(&bytes).map_err(|e| malformed(&e))?;
            // Renew a minute early so a token never expires between check and use.
            let lifetime = Duration::from_secs(reply.expires_in.saturating_sub(60).max(1));
            return Ok(CachedToken {
                value: reply.access_token,
                expires: Instant::now() + lifetime,
            });
        }
        if let Some(kind) = transient(status) {
            return Err(Failure::Transient { kind, retry_after });
        }
        match serde_json::from_slice::<TokenErrorBody>(&bytes) {
            Ok(body) => Err(Failure::Final(token_error(
                &body,
                &self.tenant,
                &self.client_id,
                status.as_u16(),
            ))),
            Err(e) => Err(malformed(&e)),
        }
    }

    /// One Graph request with retries: 429/503/504 and network failures are retried,
    /// a 401 gets a fresh token once, 404 is reported as `NotFound`.
    pub(super) async fn request<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Reply<T>, GraphError> {
        let refreshed = AtomicBool::new(false);
        let started = Instant::now();
        let stubborn = AtomicU32::new(0);
        (|| self.attempt(method.clone(), url, body, &refreshed))
            .retry(backoff(self.options.min_backoff, self.options.max_attempts))
            .sleep(tokio::time::sleep)
            .when(Failure::retryable)
            .adjust(|f, b| f.next_delay(b, self.deadline, &stubborn))
            .await
            .map_err(|f| f.into_error(started))
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: Option<&serde_json::Value>,
        refreshed: &AtomicBool,
    ) -> Result<Reply<T>, Failure> {
        let token = self.token(false).await.map_err(Failure::Final)?;
        let mut request = self.http.request(method, url).bearer_auth(token);
        if self.options.low_priority {
            request = request.header("x-ms-throttle-priority", "Low");
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = request
            .send()
            .await
            .map_err(|e| network(&self.endpoints.graph_url, &e))?;
        let status = response.status();
        let retry_after = retry_after(&response);
        let bytes = response
            .bytes()
            .await
            .map_err(|e| network(&self.endpoints.graph_url, &e))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes)
                .map(Reply::Found)
                .map_err(|e| malformed(&e));
        }
        if let Some(kind) = transient(status) {
            return Err(Failure::Transient { kind, retry_after });
        }
        let error = serde_json::from_slice::<GraphErrorBody>(&bytes)
            .map_err(|e| malformed(&e))?
            .error;
        match status {
            StatusCode::NOT_FOUND if error.code == "Request_ResourceNotFound" => {
                Ok(Reply::NotFound)
            }
            StatusCode::UNAUTHORIZED if !refreshed.swap(true, Ordering::Relaxed) => {
                self.token(true).await.map_err(Failure::Final)?;
                Err(Failure::RefreshToken { code: error.code })
            }
            StatusCode::UNAUTHORIZED => Err(Failure::Final(GraphError::TokenRejected {
                code: error.code,
            })),
            StatusCode::FORBIDDEN => Err(Failure::Final(GraphError::PermissionMissing {
                code: error.code,
            })),
            StatusCode::GONE => Err(Failure::Final(GraphError::DeltaExpired {
                code: error.code,
            })),
            _ if error.code == "syncStateNotFound" || error.code == "resyncRequired" => {
                Err(Failure::Final(GraphError::DeltaExpired {
                    code: error.code,
                }))
            }
            _ => Err(Failure::Final(GraphError::Unexpected {
                status: status.as_u16(),
                code: error.code,
                message: error.message,
            })),
        }
    }
}

fn transient(status: StatusCode) -> Option<Transient> {
    match status {
        StatusCode::TOO_MANY_REQUESTS => Some(Transient::Throttled),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT | StatusCode::BAD_GATEWAY => {
            Some(Transient::Unavailable(status.as_u16()))
        }
        _ => None,
    }
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after)
}

fn network(host: &str, e: &reqwest::Error) -> Failure {
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

fn malformed(e: &serde_json::Error) -> Failure {
    Failure::Transient {
        kind: Transient::Malformed(e.to_string()),
        retry_after: None,
    }
}
