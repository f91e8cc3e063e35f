//! The `graph-sim` binary: seeds a tenant and prints how to reach it.

use crate::common::{ids_of, ADMIN_SCOPES, DEVICE_CODE_GRANT, PUBLIC_CLIENT};
use reqwest::Client;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Kills the simulator process even when an assertion fails first.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary with `args`; returns it and the JSON line it printed.
fn start(args: &[&str]) -> (KillOnDrop, Value) {
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_graph-sim"))
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, serde_json::from_str(&line).expect("one JSON line"))
}

/// An access token for the tenant the binary printed.
async fn token(http: &Client, info: &Value) -> String {
    let form = [
        ("client_id", info["client_id"].as_str().unwrap()),
        ("client_secret", info["client_secret"].as_str().unwrap()),
        ("scope", "https://graph.microsoft.com/.default"),
        ("grant_type", "client_credentials"),
    ];
    let reply: Value = http
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            info["base_url"].as_str().unwrap(),
            info["tenant_id"].as_str().unwrap()
        ))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["access_token"].as_str().unwrap().to_owned()
}

/// One user's id and `accountEnabled`, as the sync reads them.
async fn user(http: &Client, base_url: &str, token: &str, id: &str) -> reqwest::Response {
    http.get(format!(
        "{base_url}/v1.0/users/{id}?$select=id,accountEnabled"
    ))
    .bearer_auth(token)
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn seeds_users_and_prints_connection_details() {
    let (_child, info) = start(&["--users", "10", "--disabled", "2", "--deleted", "3"]);
    let base_url = info["base_url"].as_str().unwrap();
    assert_eq!(info["domain"], "contoso.onmicrosoft.com");

    let http = Client::new();
    let token = token(&http, &info).await;
    let list = |filter: &str| {
        http.get(format!("{base_url}/v1.0/users?$select=id{filter}"))
            .bearer_auth(&token)
            .send()
    };
    let all: Value = list("").await.unwrap().json().await.unwrap();
    let disabled: Value = list("&$filter=accountEnabled eq false")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids_of(&all).len(), 7);
    assert_eq!(ids_of(&disabled).len(), 2);
}

#[tokio::test]
async fn a_seed_file_adds_accounts_with_fixed_ids() {
    let dir = std::env::temp_dir().join(format!("graph-sim-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed = dir.join("seed.json");
    std::fs::write(
        &seed,
        r#"[{"id": "11111111-2222-4333-8444-555555555555", "upn": "ann@contoso.example", "enabled": false},
            {"id": "66666666-7777-4888-9999-000000000000", "upn": "bob@contoso.example", "deleted": true},
            {"id": "77777777-7777-4777-8777-777777777777", "upn": "gia_fabrikam.example#EXT#@contoso.example",
             "guest": true, "name": "Gia Guest"}]"#,
    )
    .unwrap();
    let (_child, info) = start(&["--seed", seed.to_str().unwrap()]);
    let base_url = info["base_url"].as_str().unwrap();
    let http = Client::new();
    let token = token(&http, &info).await;
    let get = |id: &'static str| user(&http, base_url, &token, id);
    let ann: Value = get("11111111-2222-4333-8444-555555555555")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ann["accountEnabled"], false);
    let bob = get("66666666-7777-4888-9999-000000000000").await;
    assert_eq!(bob.status(), reqwest::StatusCode::NOT_FOUND);
    let gia: Value = http
        .get(format!(
            "{base_url}/v1.0/users/77777777-7777-4777-8777-777777777777?$select=id,userType,displayName"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(gia["userType"], "Guest");
    assert_eq!(gia["displayName"], "Gia Guest");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn device_code_timings_and_seeded_roles_come_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("graph-sim-roles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed = dir.join("seed.json");
    std::fs::write(
        &seed,
        r#"[{"id": "88888888-8888-4888-8888-888888888888", "upn": "ada@contoso.example",
             "roles": ["Application Administrator"]}]"#,
    )
    .unwrap();
    let (_child, info) = start(&[
        "--seed",
        seed.to_str().unwrap(),
        "--device-code-interval",
        "0",
        "--device-code-lifetime",
        "60",
    ]);
    let base_url = info["base_url"].as_str().unwrap();
    let http = Client::new();
    let started: Value = http
        .post(format!("{base_url}/organizations/oauth2/v2.0/devicecode"))
        .form(&[("client_id", PUBLIC_CLIENT), ("scope", ADMIN_SCOPES)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(started["interval"], 0);
    assert_eq!(started["expires_in"], 60);
    let approved = http
        .post(format!("{base_url}/devicelogin"))
        .form(&[
            ("code", started["user_code"].as_str().unwrap()),
            ("user", "ada@contoso.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), reqwest::StatusCode::OK);
    let token: Value = http
        .post(format!("{base_url}/organizations/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", DEVICE_CODE_GRANT),
            ("client_id", PUBLIC_CLIENT),
            ("device_code", started["device_code"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created = http
        .post(format!("{base_url}/v1.0/applications"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .json(&serde_json::json!({"displayName": "UniAsset Desktop"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An account disabled through stdin while the simulator runs, as an end-to-end test does
/// to a leaver between two checks.
#[tokio::test]
async fn stdin_commands_disable_an_account_while_it_runs() {
    let dir = std::env::temp_dir().join(format!("graph-sim-stdin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed = dir.join("seed.json");
    let ann = "11111111-2222-4333-8444-666666666666";
    std::fs::write(
        &seed,
        format!(r#"[{{"id": "{ann}", "upn": "ann@contoso.example"}}]"#),
    )
    .unwrap();
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_graph-sim"))
            .args(["--seed", seed.to_str().unwrap()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stdin = child.0.stdin.take().unwrap();
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let info: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let mut say = |command: &str| {
        use std::io::Write;
        writeln!(stdin, "{command}").unwrap();
        lines.next().unwrap().unwrap()
    };
    let http = Client::new();
    let token = token(&http, &info).await;
    let base_url = info["base_url"].as_str().unwrap();
    let enabled = || async {
        let user: Value = user(&http, base_url, &token, ann)
            .await
            .json()
            .await
            .unwrap();
        user["accountEnabled"].clone()
    };
    assert_eq!(enabled().await, true);
    assert_eq!(say(&format!("disable {ann}")), "ok");
    assert_eq!(enabled().await, false);
    assert!(say("switch off").starts_with("unknown command"));
    let _ = std::fs::remove_dir_all(&dir);
}
