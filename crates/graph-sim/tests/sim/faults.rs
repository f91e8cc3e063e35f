//! Seeded faults: throttling, outages, dropped connections, malformed and truncated
//! bodies, latency, wrong and vanishing users, pages that link to themselves.

use crate::common::{get_items, graph_error_code, post_batch, Env};
use graph_sim::{Faults, TenantConfig};
use reqwest::StatusCode;
use serde_json::Value;
use std::time::{Duration, Instant};

async fn env_with_user() -> (Env, String) {
    let env = Env::new().await;
    let id = env
        .sim
        .add_user("adele@contoso.onmicrosoft.com", None, true);
    let url = env.url(&format!("/v1.0/users/{id}?$select=id,accountEnabled"));
    (env, url)
}

/// Statuses of `n` GETs of `url`.
async fn statuses(env: &Env, url: &str, n: usize) -> Vec<u16> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let response = env
            .http
            .get(url)
            .bearer_auth(&env.token)
            .send()
            .await
            .unwrap();
        out.push(response.status().as_u16());
    }
    out
}

#[tokio::test]
async fn throttle_rate_is_roughly_honoured_and_carries_retry_after() {
    let (env, url) = env_with_user().await;
    env.sim.set_faults(Faults {
        throttle_rate: 0.3,
        retry_after_secs: Some(0.25),
        ..Faults::default()
    });
    let mut throttled = 0;
    for _ in 0..200 {
        let response = env
            .http
            .get(&url)
            .bearer_auth(&env.token)
            .send()
            .await
            .unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            throttled += 1;
            assert_eq!(response.headers()["retry-after"], "0.25");
            let body = response.json().await.unwrap();
            assert_eq!(graph_error_code(&body), "TooManyRequests");
        } else {
            assert_eq!(response.status(), StatusCode::OK);
        }
    }
    assert!(
        (40..=80).contains(&throttled),
        "{throttled} of 200 throttled"
    );
    assert_eq!(env.sim.counts().throttled, throttled);
}

#[tokio::test]
async fn the_same_seed_gives_the_same_faults() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let env = Env::with_config(TenantConfig {
            seed: 42,
            ..TenantConfig::default()
        })
        .await;
        let id = env
            .sim
            .add_user("adele@contoso.onmicrosoft.com", None, true);
        env.sim.set_faults(Faults {
            throttle_rate: 0.2,
            unavailable_rate: 0.2,
            ..Faults::default()
        });
        runs.push(statuses(&env, &env.url(&format!("/v1.0/users/{id}")), 40).await);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&429) && runs[0].contains(&503) && runs[0].contains(&200));
}

#[tokio::test]
async fn unavailable_is_503_with_optional_retry_after() {
    let (env, url) = env_with_user().await;
    for (retry_after, header) in [(Some(2.0), Some("2")), (None, None)] {
        env.sim.set_faults(Faults {
            unavailable_rate: 1.0,
            retry_after_secs: retry_after,
            ..Faults::default()
        });
        let response = env
            .http
            .get(&url)
            .bearer_auth(&env.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap()),
            header
        );
        let body = response.json().await.unwrap();
        assert_eq!(graph_error_code(&body), "serviceNotAvailable");
    }
    assert_eq!(env.sim.counts().unavailable, 2);
}

#[tokio::test]
async fn a_dropped_connection_is_a_client_error() {
    let (env, url) = env_with_user().await;
    env.sim.set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    let outcome = match env.http.get(&url).bearer_auth(&env.token).send().await {
        Ok(response) => response.bytes().await.map(|_| ()),
        Err(error) => Err(error),
    };
    assert!(outcome.is_err(), "the reply must not arrive whole");
    assert_eq!(env.sim.counts().dropped, 1);

    env.sim.set_faults(Faults::default());
    let response = env
        .http
        .get(&url)
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_malformed_body_does_not_parse() {
    let (env, url) = env_with_user().await;
    env.sim.set_faults(Faults {
        malformed_rate: 1.0,
        ..Faults::default()
    });
    let response = env
        .http
        .get(&url)
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.json::<serde_json::Value>().await.is_err());
    assert_eq!(env.sim.counts().malformed, 1);
}

#[tokio::test]
async fn latency_delays_graph_replies() {
    let (env, url) = env_with_user().await;
    env.sim.set_faults(Faults {
        latency_ms: 150,
        ..Faults::default()
    });
    let started = Instant::now();
    let response = env
        .http
        .get(&url)
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

/// Status, `Content-Length` header and raw body of one GET.
async fn raw_get(env: &Env, url: &str) -> (StatusCode, Option<usize>, Vec<u8>) {
    let response = env
        .http
        .get(url)
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let length = response
        .headers()
        .get("content-length")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (status, length, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_truncated_reply_is_the_first_half_of_the_real_one() {
    let env = Env::new().await;
    env.sim.add_users(5, "contoso.onmicrosoft.com");
    for path in [
        "/v1.0/users?$select=id,accountEnabled",
        "/v1.0/users/delta?$select=id,accountEnabled",
    ] {
        let url = env.url(path);
        let (_, _, whole) = raw_get(&env, &url).await;
        env.sim.set_faults(Faults {
            truncated_rate: 1.0,
            ..Faults::default()
        });
        let (status, length, cut) = raw_get(&env, &url).await;
        env.sim.set_faults(Faults::default());
        assert_eq!(status, StatusCode::OK);
        assert_eq!(length, Some(cut.len()), "a complete HTTP reply");
        assert_eq!(cut.len(), whole.len() / 2);
        assert!(whole.starts_with(&cut), "the real body, cut: {path}");
        assert!(serde_json::from_slice::<Value>(&cut).is_err());
    }
    assert_eq!(env.sim.counts().truncated, 2);

    // Only 200s are cut: errors keep their readable body.
    env.sim.set_faults(Faults {
        truncated_rate: 1.0,
        ..Faults::default()
    });
    let (status, body) = env
        .get("/v1.0/users/9f3c1f0e-1d7e-4c39-9a55-4d1f2f6b7a10")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(graph_error_code(&body), "Request_ResourceNotFound");
}

#[tokio::test]
async fn a_wrong_id_reply_is_another_users_body() {
    let env = Env::new().await;
    let ids = env.sim.add_users(4, "contoso.onmicrosoft.com");
    env.sim.set_faults(Faults {
        wrong_id_rate: 1.0,
        ..Faults::default()
    });
    let (status, body) = env
        .get(&format!("/v1.0/users/{}?$select=id,accountEnabled", ids[0]))
        .await;
    assert_eq!(status, StatusCode::OK);
    let answered = body["id"].as_str().unwrap();
    assert_ne!(answered, ids[0]);
    assert!(ids.iter().any(|id| id == answered), "another existing user");

    let (_, reply) = post_batch(&env, &get_items(&ids)).await;
    for item in reply["responses"].as_array().unwrap() {
        let asked = &ids[item["id"].as_str().unwrap().parse::<usize>().unwrap()];
        assert_eq!(item["status"], 200);
        let answered = item["body"]["id"].as_str().unwrap();
        assert_ne!(answered, asked);
        assert!(ids.iter().any(|id| id == answered));
    }
    assert_eq!(env.sim.counts().wrong_id, 5);

    // A user with nobody else to be mistaken for is answered truly.
    let alone = Env::new().await;
    let id = alone
        .sim
        .add_user("adele@contoso.onmicrosoft.com", None, true);
    alone.sim.set_faults(Faults {
        wrong_id_rate: 1.0,
        ..Faults::default()
    });
    let (_, body) = alone.get(&format!("/v1.0/users/{id}")).await;
    assert_eq!(body["id"], id.as_str());
}

#[tokio::test]
async fn flaky_404s_come_and_go() {
    let env = Env::new().await;
    let ids = env.sim.add_users(20, "contoso.onmicrosoft.com");
    env.sim.set_faults(Faults {
        flaky_not_found_rate: 0.5,
        ..Faults::default()
    });
    let url = env.url(&format!("/v1.0/users/{}", ids[0]));
    let mut seen = Vec::new();
    for _ in 0..40 {
        let response = env
            .http
            .get(&url)
            .bearer_auth(&env.token)
            .send()
            .await
            .unwrap();
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            let body = response.json().await.unwrap();
            assert_eq!(graph_error_code(&body), "Request_ResourceNotFound");
        }
        seen.push(status);
    }
    assert!(
        seen.contains(&StatusCode::NOT_FOUND) && seen.contains(&StatusCode::OK),
        "the same user is now found, now not: {seen:?}"
    );

    let (_, reply) = post_batch(&env, &get_items(&ids)).await;
    let statuses: Vec<u64> = reply["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            if item["status"] == 404 {
                assert_eq!(item["body"]["error"]["code"], "Request_ResourceNotFound");
            }
            item["status"].as_u64().unwrap()
        })
        .collect();
    assert!(
        statuses.contains(&404) && statuses.contains(&200),
        "{statuses:?}"
    );
    let not_found = seen.iter().filter(|s| **s == StatusCode::NOT_FOUND).count()
        + statuses.iter().filter(|s| **s == 404).count();
    assert_eq!(env.sim.counts().flaky_not_found, not_found as u64);
}

#[tokio::test]
async fn self_linking_pages_point_at_themselves() {
    let env = Env::new().await;
    env.sim.add_users(3, "contoso.onmicrosoft.com");
    env.sim.set_faults(Faults {
        self_linking_pages: true,
        ..Faults::default()
    });
    for path in [
        "/v1.0/users?$select=id,accountEnabled&$top=999",
        "/v1.0/users/delta?$select=id,accountEnabled",
        "/v1.0/users/delta?$deltatoken=latest",
    ] {
        let url = env.url(path);
        let (status, page) = env.get(&url).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["@odata.nextLink"], url.as_str(), "{path}");
        assert!(page.get("@odata.deltaLink").is_none(), "{path}");
        let (_, again) = env.get(&url).await;
        assert_eq!(again["@odata.nextLink"], url.as_str(), "still itself");
    }
}

#[tokio::test]
async fn the_later_faults_keep_a_seeds_earlier_outcomes() {
    // Adding truncation to the same seed leaves the throttling and outages where they were.
    let mut runs = Vec::new();
    for truncated_rate in [0.0, 0.5] {
        let env = Env::with_config(TenantConfig {
            seed: 7,
            ..TenantConfig::default()
        })
        .await;
        let id = env
            .sim
            .add_user("adele@contoso.onmicrosoft.com", None, true);
        env.sim.set_faults(Faults {
            throttle_rate: 0.2,
            unavailable_rate: 0.2,
            truncated_rate,
            ..Faults::default()
        });
        let url = env.url(&format!("/v1.0/users/{id}"));
        runs.push(statuses(&env, &url, 40).await);
        if truncated_rate > 0.0 {
            assert!(env.sim.counts().truncated > 0);
        }
    }
    assert_eq!(runs[0], runs[1], "a truncated reply is still a 200");
}
