//! The `graph-sim` binary: seeds a tenant and prints how to reach it.

use crate::common::ids_of;
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

#[tokio::test]
async fn seeds_users_and_prints_connection_details() {
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_graph-sim"))
            .args(["--users", "10", "--disabled", "2", "--deleted", "3"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value = serde_json::from_str(&line).expect("one JSON line");
    let base_url = info["base_url"].as_str().unwrap();
    assert_eq!(info["domain"], "contoso.onmicrosoft.com");

    let http = Client::new();
    let form = [
        ("client_id", info["client_id"].as_str().unwrap()),
        ("client_secret", info["client_secret"].as_str().unwrap()),
        ("scope", "https://graph.microsoft.com/.default"),
        ("grant_type", "client_credentials"),
    ];
    let token: Value = http
        .post(format!(
            "{base_url}/{}/oauth2/v2.0/token",
            info["tenant_id"].as_str().unwrap()
        ))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap();
    let list = |filter: &str| {
        http.get(format!("{base_url}/v1.0/users?$select=id{filter}"))
            .bearer_auth(token)
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
