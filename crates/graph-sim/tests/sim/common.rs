//! Helpers shared by the simulator's tests.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use graph_sim::{Simulator, TenantConfig};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

/// A simulator, an HTTP client and a valid access token.
pub struct Env {
    pub sim: Simulator,
    pub http: Client,
    pub token: String,
}

impl Env {
    pub async fn new() -> Env {
        Env::with_config(TenantConfig::default()).await
    }

    pub async fn with_config(config: TenantConfig) -> Env {
        let sim = Simulator::start(config).expect("simulator starts");
        let http = Client::new();
        let token = fetch_token(&sim, &http).await;
        Env { sim, http, token }
    }

    /// `base_url` + `path_and_query`, for the relative paths the tests write.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.sim.base_url(), path_and_query)
    }

    /// GET with the bearer token; `target` is a path or an absolute URL.
    pub async fn get(&self, target: &str) -> (StatusCode, Value) {
        self.get_with(target, &[]).await
    }

    /// GET with the bearer token and extra request headers.
    pub async fn get_with(&self, target: &str, headers: &[(&str, &str)]) -> (StatusCode, Value) {
        let url = if target.starts_with("http") {
            target.to_string()
        } else {
            self.url(target)
        };
        let mut request = self.http.get(url).bearer_auth(&self.token);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        (status, response.json().await.expect("JSON body"))
    }
}

pub async fn fetch_token(sim: &Simulator, http: &Client) -> String {
    let form = [
        ("client_id", sim.client_id()),
        ("client_secret", sim.client_secret()),
        ("scope", GRAPH_SCOPE.to_string()),
        ("grant_type", "client_credentials".to_string()),
    ];
    let reply: Value = http
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            sim.base_url(),
            sim.tenant_id()
        ))
        .form(&form)
        .send()
        .await
        .expect("token request sent")
        .json()
        .await
        .expect("token JSON");
    reply["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// The `error.code` of a Graph error body, after checking the rest of its shape.
pub fn graph_error_code(body: &Value) -> &str {
    let error = &body["error"];
    assert!(error["message"].is_string(), "error.message in {body}");
    for field in ["date", "request-id", "client-request-id"] {
        assert!(
            error["innerError"][field].is_string(),
            "innerError.{field} in {body}"
        );
    }
    error["code"].as_str().expect("error.code")
}

/// The `id`s of a page's `value`.
pub fn ids_of(page: &Value) -> Vec<String> {
    page["value"]
        .as_array()
        .expect("value array")
        .iter()
        .map(|u| u["id"].as_str().expect("id").to_string())
        .collect()
}

/// POSTs a `$batch` with the bearer token.
pub async fn post_batch(env: &Env, body: &Value) -> (StatusCode, Value) {
    let response = env
        .http
        .post(env.url("/v1.0/$batch"))
        .bearer_auth(&env.token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// A `$batch` body reading each of `ids` (item ids "0", "1", …).
pub fn get_items(ids: &[String]) -> Value {
    let requests: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"id": i.to_string(), "method": "GET", "url": format!("/users/{id}?$select=id,accountEnabled")}))
        .collect();
    json!({ "requests": requests })
}

/// Checks Entra's OAuth error shape: status, `error`, `error_codes` and the AADSTS
/// prefix of `error_description`.
pub fn assert_entra_error(reply: &(StatusCode, Value), status: StatusCode, error: &str, code: u64) {
    let (got_status, body) = reply;
    assert_eq!(*got_status, status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], serde_json::json!([code]), "{body}");
    let description = body["error_description"]
        .as_str()
        .expect("error_description");
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    for field in ["timestamp", "trace_id", "correlation_id"] {
        assert!(body[field].is_string(), "{field} in {body}");
    }
}

/// The public client (Microsoft Graph Command Line Tools) administrators sign in with.
pub const PUBLIC_CLIENT: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";
/// The delegated scopes "Set it up for me" asks for.
pub const ADMIN_SCOPES: &str = "https://graph.microsoft.com/Application.ReadWrite.All https://graph.microsoft.com/AppRoleAssignment.ReadWrite.All";
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// POSTs a form to `base_url` + `path`; the status and JSON body.
pub async fn post_form(sim: &Simulator, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = Client::new()
        .post(format!("{}{path}", sim.base_url()))
        .form(form)
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    (status, response.json().await.expect("JSON body"))
}

/// Starts a device code sign-in for the admin scopes at the `organizations` endpoint.
pub async fn begin_device_code(sim: &Simulator) -> Value {
    let (status, body) = post_form(
        sim,
        "/organizations/oauth2/v2.0/devicecode",
        &[("client_id", PUBLIC_CLIENT), ("scope", ADMIN_SCOPES)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// One poll of the token endpoint for `device_code`.
pub async fn poll_device_code(sim: &Simulator, device_code: &str) -> (StatusCode, Value) {
    post_form(
        sim,
        "/organizations/oauth2/v2.0/token",
        &[
            ("grant_type", DEVICE_CODE_GRANT),
            ("client_id", PUBLIC_CLIENT),
            ("device_code", device_code),
        ],
    )
    .await
}

/// A delegated access token for `upn` through the whole device code flow (the
/// simulator must poll without an interval).
pub async fn delegated_token(sim: &Simulator, upn: &str) -> String {
    let started = begin_device_code(sim).await;
    sim.approve_device_code(started["user_code"].as_str().unwrap(), upn)
        .expect("approved");
    let (status, body) = poll_device_code(sim, started["device_code"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

/// A simulator whose device code sign-ins may be polled back to back.
pub fn quick_polling() -> TenantConfig {
    TenantConfig {
        device_code_interval_secs: 0,
        ..TenantConfig::default()
    }
}

/// A client-credentials token request for any app; the status and JSON body.
pub async fn app_token(sim: &Simulator, client_id: &str, secret: &str) -> (StatusCode, Value) {
    let path = format!("/{}/oauth2/v2.0/token", sim.tenant_id());
    post_form(
        sim,
        &path,
        &[
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", GRAPH_SCOPE),
            ("grant_type", "client_credentials"),
        ],
    )
    .await
}

/// The JSON of a JWT's header and payload.
pub fn jwt_parts(token: &str) -> (Value, Value) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "header.payload.signature: {token}");
    assert!(!parts[2].is_empty());
    let decode = |part: &str| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
    };
    (decode(parts[0]), decode(parts[1]))
}

/// Sends `method path` with a bearer token and an optional JSON body; the status and
/// the JSON body (`Null` when empty).
pub async fn call(
    sim: &Simulator,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Client::new()
        .request(method, format!("{}/v1.0{path}", sim.base_url()))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("JSON body")
    };
    (status, body)
}
