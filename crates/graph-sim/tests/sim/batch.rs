//! `$batch`: limits, per-item statuses, shuffled order, per-item throttling.

use crate::common::{get_items, graph_error_code, post_batch, Env};
use graph_sim::Faults;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Replies keyed by their `id`.
fn by_id(reply: &Value) -> HashMap<String, Value> {
    reply["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

#[tokio::test]
async fn answers_each_item_with_its_own_status_in_any_order() {
    let env = Env::new().await;
    let ids = env.sim.add_users(20, "contoso.onmicrosoft.com");
    env.sim.set_enabled(&ids[3], false);
    env.sim.soft_delete(&ids[4]);

    let (status, reply) = post_batch(&env, &get_items(&ids)).await;
    assert_eq!(status, StatusCode::OK);
    let order: Vec<&str> = reply["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let request_order: Vec<String> = (0..20).map(|i| i.to_string()).collect();
    assert_ne!(order, request_order, "replies come back shuffled");
    let replies = by_id(&reply);
    assert_eq!(replies.len(), 20);
    assert_eq!(replies["0"]["status"], 200);
    assert_eq!(replies["0"]["body"]["id"], ids[0].as_str());
    assert_eq!(replies["0"]["body"]["accountEnabled"], true);
    assert_eq!(replies["3"]["body"]["accountEnabled"], false);
    assert_eq!(replies["4"]["status"], 404);
    assert_eq!(
        graph_error_code(&replies["4"]["body"]),
        "Request_ResourceNotFound"
    );

    let others = json!({"requests": [
        {"id": "a", "method": "PATCH", "url": format!("/users/{}", ids[0])},
        {"id": "b", "method": "GET", "url": "users/delta"},
        {"id": "c", "method": "GET", "url": format!("users/{}", ids[1]), "headers": {"ConsistencyLevel": "eventual"}},
    ]});
    let replies = by_id(&post_batch(&env, &others).await.1);
    assert_eq!(replies["a"]["status"], 400);
    assert_eq!(replies["b"]["status"], 400);
    assert_eq!(replies["c"]["status"], 200);

    let counts = env.sim.counts();
    assert_eq!((counts.batch, counts.batch_items), (2, 23));
}

#[tokio::test]
async fn refuses_more_than_20_items_and_duplicate_ids() {
    let env = Env::new().await;
    let ids = env.sim.add_users(21, "contoso.onmicrosoft.com");
    let (status, body) = post_batch(&env, &get_items(&ids)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(graph_error_code(&body), "BadRequest");

    let duplicate = json!({"requests": [
        {"id": "1", "method": "GET", "url": format!("/users/{}", ids[0])},
        {"id": "1", "method": "GET", "url": format!("/users/{}", ids[1])},
    ]});
    let (status, body) = post_batch(&env, &duplicate).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(graph_error_code(&body), "BadRequest");

    let (status, _) = post_batch(&env, &json!({"nope": []})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn throttles_items_individually_with_retry_after() {
    let env = Env::new().await;
    let ids = env.sim.add_users(20, "contoso.onmicrosoft.com");
    env.sim.set_faults(Faults {
        throttle_rate: 0.3,
        retry_after_secs: Some(0.25),
        ..Faults::default()
    });
    let mut outer_429 = 0;
    let mut item_429 = 0;
    for _ in 0..10 {
        let (status, reply) = post_batch(&env, &get_items(&ids)).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            outer_429 += 1;
            continue;
        }
        for item in reply["responses"].as_array().unwrap() {
            if item["status"] == 429 {
                item_429 += 1;
                assert_eq!(item["headers"]["Retry-After"], "0.25");
                assert_eq!(graph_error_code(&item["body"]), "TooManyRequests");
            } else {
                assert_eq!(item["status"], 200);
            }
        }
    }
    assert!(item_429 > 0, "some items throttled");
    assert_eq!(env.sim.counts().throttled, outer_429 + item_429);
}

#[tokio::test]
async fn items_answer_403_without_permission() {
    let env = Env::new().await;
    let ids = env.sim.add_users(2, "contoso.onmicrosoft.com");
    env.sim.set_permission_granted(false);
    let (status, reply) = post_batch(&env, &get_items(&ids)).await;
    assert_eq!(status, StatusCode::OK);
    for item in reply["responses"].as_array().unwrap() {
        assert_eq!(item["status"], 403);
        assert_eq!(
            graph_error_code(&item["body"]),
            "Authorization_RequestDenied"
        );
    }
}
