//! `users/delta`: first sync, changes only, `latest`, and expired tokens.

use crate::common::{graph_error_code, ids_of, Env};
use graph_sim::TenantConfig;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;

const START: &str = "/v1.0/users/delta?$select=id,accountEnabled";

/// Follows next links from `first` to the delta link; returns every object seen, the
/// number of pages and the delta link.
async fn round(env: &Env, first: &str) -> (Vec<Value>, usize, String) {
    let mut objects = Vec::new();
    let mut url = first.to_string();
    for pages in 1.. {
        let (status, page) = env.get(&url).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        objects.extend(page["value"].as_array().unwrap().iter().cloned());
        if let Some(delta) = page["@odata.deltaLink"].as_str() {
            assert!(page.get("@odata.nextLink").is_none());
            assert!(delta.starts_with(&format!(
                "{}/v1.0/users/delta?$deltatoken=",
                env.sim.base_url()
            )));
            return (objects, pages, delta.to_string());
        }
        url = page["@odata.nextLink"]
            .as_str()
            .expect("nextLink or deltaLink")
            .to_string();
        assert!(url.contains("$skiptoken="), "{url}");
    }
    unreachable!()
}

async fn small_pages() -> Env {
    Env::with_config(TenantConfig {
        delta_page_size: 3,
        ..TenantConfig::default()
    })
    .await
}

#[tokio::test]
async fn first_sync_pages_through_existing_users_then_reports_only_changes() {
    let env = small_pages().await;
    let ids = env.sim.add_users(10, "contoso.onmicrosoft.com");
    env.sim.soft_delete(&ids[9]);

    let (objects, pages, delta_link) = round(&env, START).await;
    assert_eq!(pages, 3);
    let mut seen = ids_of(&json!({ "value": objects }));
    seen.sort();
    let mut want = ids[..9].to_vec();
    want.sort();
    assert_eq!(seen, want);
    assert_eq!(
        objects[0],
        json!({"id": objects[0]["id"], "accountEnabled": true})
    );

    let (nothing, pages, delta_link) = round(&env, &delta_link).await;
    assert!(nothing.is_empty());
    assert_eq!(pages, 1);

    env.sim.set_enabled(&ids[0], false);
    env.sim.soft_delete(&ids[1]);
    env.sim.hard_delete(&ids[2]);
    env.sim.set_enabled(&ids[3], false);
    env.sim.set_enabled(&ids[3], true);
    let newcomer = env.sim.add_user("new@contoso.onmicrosoft.com", None, true);
    let (changes, pages, delta_link) = round(&env, &delta_link).await;
    assert_eq!(pages, 2);
    let changes: HashMap<String, Value> = changes
        .into_iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), c))
        .collect();
    assert_eq!(changes.len(), 5, "each changed object once: {changes:?}");
    assert_eq!(
        changes[&ids[0]],
        json!({"id": ids[0], "accountEnabled": false})
    );
    assert_eq!(
        changes[&ids[1]],
        json!({"id": ids[1], "@removed": {"reason": "changed"}})
    );
    assert_eq!(
        changes[&ids[2]],
        json!({"id": ids[2], "@removed": {"reason": "deleted"}})
    );
    assert_eq!(
        changes[&ids[3]],
        json!({"id": ids[3], "accountEnabled": true})
    );
    assert_eq!(
        changes[&newcomer],
        json!({"id": newcomer, "accountEnabled": true})
    );

    env.sim.restore(&ids[1]);
    let (restored, _, _) = round(&env, &delta_link).await;
    assert_eq!(restored, [json!({"id": ids[1], "accountEnabled": true})]);
}

#[tokio::test]
async fn latest_starts_from_now() {
    let env = small_pages().await;
    let ids = env.sim.add_users(5, "contoso.onmicrosoft.com");
    let (objects, pages, delta_link) = round(&env, &format!("{START}&$deltatoken=latest")).await;
    assert!(objects.is_empty());
    assert_eq!(pages, 1);
    env.sim.set_enabled(&ids[2], false);
    let (changes, _, _) = round(&env, &delta_link).await;
    assert_eq!(changes, [json!({"id": ids[2], "accountEnabled": false})]);
}

#[tokio::test]
async fn expired_tokens_get_410_with_a_location_to_restart() {
    let env = small_pages().await;
    env.sim.add_users(7, "contoso.onmicrosoft.com");
    let (_, _, delta_link) = round(&env, START).await;
    let (first_page_status, first_page) = env.get(START).await;
    assert_eq!(first_page_status, StatusCode::OK);
    let next_link = first_page["@odata.nextLink"].as_str().unwrap().to_string();

    env.sim.expire_delta_tokens();
    for stale in [delta_link, next_link] {
        let response = env
            .http
            .get(&stale)
            .bearer_auth(&env.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::GONE);
        let location = response.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(location, env.url(START));
        let body: Value = response.json().await.unwrap();
        assert_eq!(graph_error_code(&body), "syncStateNotFound");
        let (objects, _, _) = round(&env, &location).await;
        assert_eq!(objects.len(), 7);
    }
}

#[tokio::test]
async fn a_few_changes_in_a_large_tenant_come_back_in_one_page() {
    let env = Env::new().await;
    let ids = env.sim.add_users(100_000, "contoso.onmicrosoft.com");
    let (_, _, delta_link) = round(&env, &format!("{START}&$deltatoken=latest")).await;
    for id in ids.iter().step_by(2_000) {
        env.sim.set_enabled(id, false);
    }
    env.sim.reset_counts();
    let (changes, pages, _) = round(&env, &delta_link).await;
    assert_eq!((changes.len(), pages), (50, 1));
    assert_eq!(env.sim.counts().delta, 1);
}
