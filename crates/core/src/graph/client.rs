//! The HTTP side: the token (the app's client-credentials token, cached and refreshed once
//! on 401, or an administrator's delegated token), and one JSON request with retries.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use backon::Retryable;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::cloud::Endpoints;
use super::device_code::AdminToken;
use super::error::{token_error, GraphErrorBody, TokenErrorBody};
use super::http::{claims, http_client, malformed, network, ClientOptions};
use super::retry::{backoff, parse_retry_after, Failure, Transient};
use super::GraphError;
use crate::secrets::ClientSecret;

/// Token lifetimes outside this range are not believed: Entra issues 60–90 minutes, and a
/// reply claiming years (or nothing) must neither overflow the clock nor pin a token forever.
const MIN_TOKEN_LIFETIME: Duration = Duration::from_secs(60);
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// Renew this long before a token expires, so it never expires between check and use.
const RENEW_EARLY: Duration = Duration::from_secs(60);
/// No run waits on Microsoft longer than this, whatever budget the caller asked for.
const MAX_RETRY_BUDGET: Duration = Duration::from_secs(24 * 3600);

struct CachedToken {
    value: String,
    expires: Instant,
}

/// Whose authority the client's requests carry.
enum Credential {
    /// UniAsset's own app registration: client credentials, tokens fetched as needed.
    App {
        tenant: String,
        client_id: String,
        secret: ClientSecret,
    },
    /// An administrator's sign-in, for setting the app up: one token, never renewed.
    Admin(AdminToken),
}

pub struct GraphClient {
    /// One HTTP client per endpoint, as each decides on its own whether to use a proxy.
    login_http: reqwest::Client,
    graph_http: reqwest::Client,
    endpoints: Endpoints,
    credential: Credential,
    token: tokio::sync::Mutex<Option<CachedToken>>,
    requests: AtomicU64,
    throttled: AtomicU64,
    pub(super) options: ClientOptions,
    pub(super) deadline: Instant,
}

/// Whether a request is one of Graph's advanced queries on directory objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Query {
    Default,
    Advanced,
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
        let credential = Credential::App {
            tenant: tenant.to_owned(),
            client_id: client_id.to_owned(),
            secret,
        };
        GraphClient::with(endpoints, credential, options)
    }

    /// A client acting as the administrator who signed in with a device code.
    pub fn for_admin(
        endpoints: Endpoints,
        token: AdminToken,
        options: ClientOptions,
    ) -> Result<GraphClient, GraphError> {
        GraphClient::with(endpoints, Credential::Admin(token), options)
    }

    fn with(
        endpoints: Endpoints,
        credential: Credential,
        options: ClientOptions,
    ) -> Result<GraphClient, GraphError> {
        let now = Instant::now();
        Ok(GraphClient {
            login_http: http_client(&endpoints.login_url, &options)?,
            graph_http: http_client(&endpoints.graph_url, &options)?,
            // The budget is the caller's, but checked all the same: `Instant + Duration`
            // panics past what the clock can hold.
            deadline: now
                .checked_add(options.retry_budget.min(MAX_RETRY_BUDGET))
                .unwrap_or(now),
            endpoints,
            credential,
            token: tokio::sync::Mutex::new(None),
            requests: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            options,
        })
    }

    /// HTTP requests sent so far (token requests and retries included).
    pub fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Requests (and `$batch` items) answered 429 so far: Microsoft asked this client to
    /// slow down, even if a retry then got through.
    pub fn throttled_replies(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }

    pub(super) fn note_throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
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

    /// The tenant's directory id (a lowercase GUID) as Microsoft reports it: the `tid`
    /// claim of the access token. Uses the cached token, so it costs no Graph request;
    /// at most the token request a first Graph call would make anyway.
    pub async fn tenant_id(&self) -> Result<String, GraphError> {
        tenant_of(&self.token(false).await?)
    }

    /// The access token requests carry now (fetched if none is cached).
    pub(super) async fn current_token(&self) -> Result<String, GraphError> {
        self.token(false).await
    }

    async fn token(&self, refresh: bool) -> Result<String, GraphError> {
        let (tenant, client_id, secret) = match &self.credential {
            Credential::App {
                tenant,
                client_id,
                secret,
            } => (tenant, client_id, secret),
            // Graph refused the administrator's token (it expired mid-setup): sign in again.
            Credential::Admin(_) if refresh => return Err(GraphError::AdminSignInEnded),
            Credential::Admin(token) => return Ok(token.expose().to_owned()),
        };
        let mut slot = self.token.lock().await;
        if let Some(t) = slot
            .as_ref()
            .filter(|t| !refresh && t.expires > Instant::now())
        {
            return Ok(t.value.clone());
        }
        let started = Instant::now();
        let stubborn = AtomicU32::new(0);
        let fetched = (|| self.fetch_token(tenant, client_id, secret))
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

    async fn fetch_token(
        &self,
        tenant: &str,
        client_id: &str,
        secret: &ClientSecret,
    ) -> Result<CachedToken, Failure> {
        #[derive(serde::Deserialize)]
        struct TokenReply {
            access_token: String,
            /// Any JSON number: one too large for an integer must still parse.
            expires_in: f64,
        }
        let url = format!("{}/{}/oauth2/v2.0/token", self.endpoints.login_url, tenant);
        let scope = format!("{}/.default", self.endpoints.graph_url);
        let form = [
            ("client_id", client_id),
            ("client_secret", secret.expose()),
            ("scope", scope.as_str()),
            ("grant_type", "client_credentials"),
        ];
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = self
            .login_http
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
            let now = Instant::now();
            return Ok(CachedToken {
                value: reply.access_token,
                // If the clock cannot hold it, the token counts as stale: fetched anew next time.
                expires: now
                    .checked_add(usable_lifetime(reply.expires_in))
                    .unwrap_or(now),
            });
        }
        if let Some(kind) = transient(status) {
            if status == StatusCode::TOO_MANY_REQUESTS {
                self.note_throttled();
            }
            return Err(Failure::Transient { kind, retry_after });
        }
        match serde_json::from_slice::<TokenErrorBody>(&bytes) {
            Ok(body) => Err(Failure::Final(token_error(
                &body,
                tenant,
                client_id,
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
        self.request_with(method, url, body, Query::Default).await
    }

    /// As `request`, for an advanced query (`$search`, `$count`): Graph runs those only with
    /// `ConsistencyLevel: eventual`, on every page.
    pub(super) async fn request_with<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: Option<&serde_json::Value>,
        query: Query,
    ) -> Result<Reply<T>, GraphError> {
        self.send_with_retries(method, url, body, query, Failure::retryable)
            .await
    }

    /// A request that changes the directory (creating an app, adding a secret). Retried only
    /// when Graph said it did not run it (429 throttling): after a broken connection, a
    /// timeout or a 5xx it may have run, and a second try could add a second app or secret.
    pub(super) async fn write<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Reply<T>, GraphError> {
        self.send_with_retries(method, url, body, Query::Default, Failure::not_run)
            .await
    }

    async fn send_with_retries<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: Option<&serde_json::Value>,
        query: Query,
        retry_when: fn(&Failure) -> bool,
    ) -> Result<Reply<T>, GraphError> {
        let refreshed = AtomicBool::new(false);
        let started = Instant::now();
        let stubborn = AtomicU32::new(0);
        (|| self.attempt(method.clone(), url, body, query, &refreshed))
            .retry(backoff(self.options.min_backoff, self.options.max_attempts))
            .sleep(tokio::time::sleep)
            .when(retry_when)
            .adjust(|f, b| f.next_delay(b, self.deadline, &stubborn))
            .await
            .map_err(|f| f.into_error(started))
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: Option<&serde_json::Value>,
        query: Query,
        refreshed: &AtomicBool,
    ) -> Result<Reply<T>, Failure> {
        let token = self.token(false).await.map_err(Failure::Final)?;
        let mut request = self.graph_http.request(method, url).bearer_auth(token);
        if self.options.low_priority {
            request = request.header("x-ms-throttle-priority", "Low");
        }
        if query == Query::Advanced {
            request = request.header("ConsistencyLevel", "eventual");
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
            // 204 No Content (a delete, removePassword) has no body: read it as `null`.
            let body: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
            return serde_json::from_slice(body)
                .map(Reply::Found)
                .map_err(|e| malformed(&e));
        }
        if let Some(kind) = transient(status) {
            if status == StatusCode::TOO_MANY_REQUESTS {
                self.note_throttled();
            }
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

/// How long a token is used: its `expires_in` clamped to a believable range, less a
/// margin for renewing early (but never less than half the lifetime).
fn usable_lifetime(expires_in: f64) -> Duration {
    let secs = if expires_in.is_nan() { 0.0 } else { expires_in };
    let lifetime = Duration::from_secs_f64(secs.clamp(
        MIN_TOKEN_LIFETIME.as_secs_f64(),
        MAX_TOKEN_LIFETIME.as_secs_f64(),
    ));
    lifetime.saturating_sub(RENEW_EARLY).max(lifetime / 2)
}

/// The `tid` claim of an access token, a lowercase GUID.
fn tenant_of(token: &str) -> Result<String, GraphError> {
    #[derive(serde::Deserialize)]
    struct Claims {
        tid: Option<String>,
    }
    let unreadable = || GraphError::Malformed {
        detail: "the access token does not say which tenant it is for".into(),
    };
    let tid = claims::<Claims>(token)
        .and_then(|c| c.tid)
        .ok_or_else(unreadable)?;
    uuid::Uuid::parse_str(&tid)
        .map(|guid| guid.hyphenated().to_string())
        .map_err(|_| unreadable())
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

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    fn jwt(payload: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn token_lifetimes_are_clamped() {
        let hour = Duration::from_secs(3599);
        assert_eq!(usable_lifetime(3599.0), hour - RENEW_EARLY);
        assert_eq!(usable_lifetime(1e19), MAX_TOKEN_LIFETIME - RENEW_EARLY);
        assert_eq!(usable_lifetime(1e300), MAX_TOKEN_LIFETIME - RENEW_EARLY);
        assert_eq!(
            usable_lifetime(f64::INFINITY),
            MAX_TOKEN_LIFETIME - RENEW_EARLY
        );
        for short in [0.0, -5.0, 1.0, f64::NAN, f64::NEG_INFINITY] {
            assert_eq!(usable_lifetime(short), MIN_TOKEN_LIFETIME / 2, "{short}");
        }
    }

    #[test]
    fn the_tenant_is_the_tid_claim_lowercased() {
        let token = jwt(
            r#"{"aud":"https://graph.microsoft.com","tid":"72F988BF-86F1-41AF-91AB-2D7CD011DB47","exp":1}"#,
        );
        assert_eq!(
            tenant_of(&token).unwrap(),
            "72f988bf-86f1-41af-91ab-2d7cd011db47"
        );
    }

    #[test]
    fn a_token_without_a_readable_tenant_is_an_error() {
        for token in [
            "opaque-token".to_owned(),
            "a.b".to_owned(),
            "a.b.c.d".to_owned(),
            "x.!!!.sig".to_owned(),
            jwt("not json"),
            jwt(r#"{"aud":"https://graph.microsoft.com"}"#),
            jwt(r#"{"tid":42}"#),
            jwt(r#"{"tid":"contoso.onmicrosoft.com"}"#),
        ] {
            let err = tenant_of(&token).unwrap_err();
            assert!(
                matches!(err, GraphError::Malformed { .. }),
                "{token}: {err:?}"
            );
            assert!(err.to_string().contains("which tenant"), "{err}");
        }
    }
}
