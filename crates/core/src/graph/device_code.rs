//! An administrator's sign-in with a device code (OAuth 2.0 device authorization grant,
//! RFC 8628), used only to set UniAsset's app registration up and to renew its secret. The
//! window shows a short code; the administrator enters it on Microsoft's page in any browser.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use super::cloud::Endpoints;
use super::error::{token_error, TokenErrorBody};
use super::http::{claims, http_client, malformed, network, ClientOptions};
use super::GraphError;

/// Microsoft Graph Command Line Tools: Microsoft's own public client, the one Microsoft Graph
/// PowerShell signs administrators in with, so no app of UniAsset's has to exist in the
/// tenant before the setup creates one.
pub const SETUP_CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// Creating an app registration and granting it User.Read.All: nothing more.
const SCOPES: [&str; 2] = [
    "Application.ReadWrite.All",
    "AppRoleAssignment.ReadWrite.All",
];

/// Any work account, whichever tenant: the token says which one it was.
const SIGN_IN_TENANT: &str = "organizations";

/// RFC 8628 §3.5: on `slow_down`, poll this much less often from then on.
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// What the administrator is shown: the code and where to enter it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct DeviceCodePrompt {
    pub user_code: String,
    pub verification_uri: String,
    /// RFC 3339: after this the code no longer works.
    pub expires_at: String,
    /// Microsoft's own instruction, in the language it chose.
    pub message: String,
}

/// The administrator's delegated access token. Used for the setup alone and never stored;
/// no Display or Serialize, and Debug is redacted.
pub struct AdminToken(String);

impl AdminToken {
    pub(super) fn expose(&self) -> &str {
        &self.0
    }

    /// The account that signed in (its `upn` claim), for messages.
    pub fn account(&self) -> String {
        #[derive(Deserialize)]
        struct Claims {
            upn: Option<String>,
            unique_name: Option<String>,
        }
        claims::<Claims>(&self.0)
            .and_then(|c| c.upn.or(c.unique_name))
            .unwrap_or_else(|| "the account that signed in".to_owned())
    }
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

const WAITING: u8 = 0;
const CANCELLED: u8 = 1;
/// The work the sign-in was for has begun changing the tenant: too late to cancel.
const COMMITTED: u8 = 2;

struct CancelState {
    state: AtomicU8,
    wake: Notify,
}

/// Stops a sign-in that is waiting, or whose work has not yet changed anything; its `wait`
/// (or `commit`) then ends with `SignInCancelled`.
#[derive(Clone)]
pub struct CancelSignIn(Arc<CancelState>);

impl CancelSignIn {
    /// Whether the cancel came in time: false once the work has begun changing the tenant.
    pub fn cancel(&self) -> bool {
        let state = &self.0.state;
        let in_time = state
            .compare_exchange(WAITING, CANCELLED, Ordering::SeqCst, Ordering::SeqCst)
            .map_or_else(|now| now == CANCELLED, |_| true);
        // A stored permit: a cancel that comes before `wait` polls still counts.
        self.0.wake.notify_one();
        in_time
    }

    /// Called just before the first change: from here on a cancel comes too late.
    pub fn commit(&self) -> Result<(), GraphError> {
        self.0
            .state
            .compare_exchange(WAITING, COMMITTED, Ordering::SeqCst, Ordering::SeqCst)
            .map(drop)
            .map_err(|_| GraphError::SignInCancelled)
    }
}

/// A sign-in started and waiting for the administrator.
pub struct PendingSignIn {
    http: reqwest::Client,
    login_url: String,
    device_code: String,
    interval: Duration,
    expires: Instant,
    cancel: CancelSignIn,
}

impl std::fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PendingSignIn(<redacted>)")
    }
}

/// Asks Microsoft for a device code.
pub async fn begin(endpoints: &Endpoints) -> Result<(DeviceCodePrompt, PendingSignIn), GraphError> {
    #[derive(Deserialize)]
    struct Reply {
        device_code: String,
        user_code: String,
        verification_uri: String,
        expires_in: u64,
        #[serde(default)]
        interval: Option<u64>,
        #[serde(default)]
        message: Option<String>,
    }
    let http = http_client(&endpoints.login_url, &ClientOptions::default())?;
    let url = format!(
        "{}/{SIGN_IN_TENANT}/oauth2/v2.0/devicecode",
        endpoints.login_url
    );
    let scope = SCOPES
        .iter()
        .map(|s| format!("{}/{s}", endpoints.graph_url))
        .collect::<Vec<_>>()
        .join(" ");
    let form = [("client_id", SETUP_CLIENT_ID), ("scope", scope.as_str())];
    let started = Instant::now();
    let response = http
        .post(&url)
        .form(&form)
        .send()
        .await
        .map_err(|e| network(&endpoints.login_url, &e).into_error(started))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| network(&endpoints.login_url, &e).into_error(started))?;
    if !status.is_success() {
        let body: TokenErrorBody =
            serde_json::from_slice(&bytes).map_err(|e| malformed(&e).into_error(started))?;
        return Err(token_error(
            &body,
            SIGN_IN_TENANT,
            SETUP_CLIENT_ID,
            status.as_u16(),
        ));
    }
    let reply: Reply =
        serde_json::from_slice(&bytes).map_err(|e| malformed(&e).into_error(started))?;
    // The address is opened in the browser: https (or loopback http), with no credentials.
    if super::cloud::checked_base(&reply.verification_uri).is_err() {
        return Err(GraphError::Malformed {
            detail: "the sign-in page's address is not a plain https link".into(),
        });
    }
    // Codes live 15 minutes at Microsoft; a reply promising more is not believed.
    let lifetime = Duration::from_secs(reply.expires_in.clamp(30, 900));
    let expires_at = crate::clock::now() + chrono::Duration::seconds(lifetime.as_secs() as i64);
    let message = reply.message.unwrap_or_else(|| {
        format!(
            "To sign in, use a web browser to open the page {} and enter the code {} to authenticate.",
            reply.verification_uri, reply.user_code
        )
    });
    let prompt = DeviceCodePrompt {
        user_code: reply.user_code,
        verification_uri: reply.verification_uri,
        expires_at: expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        message,
    };
    let pending = PendingSignIn {
        http,
        login_url: endpoints.login_url.clone(),
        device_code: reply.device_code,
        interval: Duration::from_secs(reply.interval.unwrap_or(5).clamp(1, 60)),
        expires: started + lifetime,
        cancel: CancelSignIn(Arc::new(CancelState {
            state: AtomicU8::new(WAITING),
            wake: Notify::new(),
        })),
    };
    Ok((prompt, pending))
}

/// One poll's answer.
enum Poll {
    SignedIn(AdminToken),
    Pending,
    SlowDown,
}

impl PendingSignIn {
    pub fn canceller(&self) -> CancelSignIn {
        self.cancel.clone()
    }

    /// Polls Microsoft at the interval it asked for until the administrator has signed in,
    /// declined, the code has expired, or the sign-in is cancelled.
    pub async fn wait(self) -> Result<AdminToken, GraphError> {
        let mut interval = self.interval;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = self.cancel.0.wake.notified() => return Err(GraphError::SignInCancelled),
            }
            match self.poll().await {
                Ok(Poll::SignedIn(token)) => return Ok(token),
                Ok(Poll::Pending) => {}
                Ok(Poll::SlowDown) => interval += SLOW_DOWN_STEP,
                // A lost connection does not end the sign-in: the code is still good.
                Err(GraphError::Unreachable { .. }) if Instant::now() < self.expires => {}
                Err(e) => return Err(e),
            }
            if Instant::now() >= self.expires {
                return Err(GraphError::SignInExpired);
            }
        }
    }

    async fn poll(&self) -> Result<Poll, GraphError> {
        #[derive(Deserialize)]
        struct Reply {
            access_token: String,
        }
        let url = format!("{}/{SIGN_IN_TENANT}/oauth2/v2.0/token", self.login_url);
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", SETUP_CLIENT_ID),
            ("device_code", self.device_code.as_str()),
        ];
        let started = Instant::now();
        let broke = |e: reqwest::Error| network(&self.login_url, &e).into_error(started);
        let response = self
            .http
            .post(&url)
            .form(&form)
            .send()
            .await
            .map_err(broke)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(broke)?;
        if status.is_success() {
            let reply: Reply =
                serde_json::from_slice(&bytes).map_err(|e| malformed(&e).into_error(started))?;
            return Ok(Poll::SignedIn(AdminToken(reply.access_token)));
        }
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Ok(Poll::SlowDown);
        }
        let body: TokenErrorBody =
            serde_json::from_slice(&bytes).map_err(|e| malformed(&e).into_error(started))?;
        match body.error.as_str() {
            "authorization_pending" => Ok(Poll::Pending),
            "slow_down" => Ok(Poll::SlowDown),
            "expired_token" | "code_expired" => Err(GraphError::SignInExpired),
            "authorization_declined" | "access_denied" => Err(GraphError::SignInDeclined),
            _ => Err(token_error(
                &body,
                SIGN_IN_TENANT,
                SETUP_CLIENT_ID,
                status.as_u16(),
            )),
        }
    }
}
