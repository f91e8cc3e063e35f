//! Helpers shared by the simulator's tests.

use graph_sim::{Simulator, TenantConfig};
use reqwest::{Client, StatusCode};
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
