//! Request counters.

use crate::common::{fetch_token, Env};
use graph_sim::RequestCounts;
use serde_json::json;

#[tokio::test]
async fn counts_each_request_by_endpoint() {
    let env = Env::new().await;
    let ids = env.sim.add_users(3, "contoso.onmicrosoft.com");
    fetch_token(&env.sim, &env.http).await;
    env.get(&format!("/v1.0/users/{}", ids[0])).await;
    env.get("/v1.0/users/9f3c1f0e-1d7e-4c39-9a55-4d1f2f6b7a10")
        .await;
    env.get("/v1.0/users?$top=2").await;
    env.get("/v1.0/users/delta?$select=id").await;
    env.get("/v1.0/groups").await;
    let batch = json!({"requests": [
        {"id": "1", "method": "GET", "url": format!("/users/{}", ids[1])},
        {"id": "2", "method": "GET", "url": format!("/users/{}", ids[2])},
    ]});
    env.http
        .post(env.url("/v1.0/$batch"))
        .bearer_auth(&env.token)
        .json(&batch)
        .send()
        .await
        .unwrap();

    let expected = RequestCounts {
        token: 2,
        user_get: 2,
        user_list: 1,
        batch: 1,
        batch_items: 2,
        delta: 1,
        total: 8,
        ..RequestCounts::default()
    };
    assert_eq!(env.sim.counts(), expected);
    env.sim.reset_counts();
    assert_eq!(env.sim.counts(), RequestCounts::default());
}
