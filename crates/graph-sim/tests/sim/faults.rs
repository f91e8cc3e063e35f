//! Seeded faults: throttling, outages, dropped connections, malformed bodies, latency.

use crate::common::{graph_error_code, Env};
use graph_sim::{Faults, TenantConfig};
use reqwest::StatusCode;
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
