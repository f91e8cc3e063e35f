//! The client-credentials token endpoint and its Entra error codes.

use crate::common::{assert_entra_error, fetch_token, jwt_parts, Env, GRAPH_SCOPE};
use graph_sim::{Faults, Simulator, TenantConfig};
use reqwest::{Client, StatusCode};
use serde_json::Value;

async fn post_token(sim: &Simulator, tenant: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = Client::new()
        .post(format!("{}/{tenant}/oauth2/v2.0/token", sim.base_url()))
        .form(form)
        .send()
        .await
        .expect("token request sent");
    let status = response.status();
    (status, response.json().await.expect("JSON body"))
}

/// A well-formed request with one field replaced or, with `None`, left out.
async fn token_with(
    sim: &Simulator,
    tenant: &str,
    field: &str,
    value: Option<&str>,
) -> (StatusCode, Value) {
    let (client_id, secret) = (sim.client_id(), sim.client_secret());
    let fields = [
        ("client_id", client_id.as_str()),
        ("client_secret", secret.as_str()),
        ("scope", GRAPH_SCOPE),
        ("grant_type", "client_credentials"),
    ];
    let form: Vec<(&str, &str)> = fields
        .into_iter()
        .filter_map(|(name, v)| {
            if name == field {
                value.map(|x| (name, x))
            } else {
                Some((name, v))
            }
        })
        .collect();
    post_token(sim, tenant, &form).await
}

#[tokio::test]
async fn issues_a_bearer_token_by_tenant_id_or_domain() {
    let config = TenantConfig {
        token_lifetime_secs: 1234,
        ..TenantConfig::default()
    };
    let sim = Simulator::start(config).unwrap();
    for tenant in [
        sim.tenant_id(),
        sim.tenant_id().to_uppercase(),
        "Contoso.onmicrosoft.com".to_string(),
    ] {
        let (status, body) = token_with(&sim, &tenant, "", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 1234);
        assert_eq!(body["ext_expires_in"], 1234);
        assert!(body["access_token"].as_str().is_some_and(|t| t.len() >= 32));
    }
}

#[tokio::test]
async fn answers_each_misconfiguration_with_its_aadsts_code() {
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    let tenant = sim.tenant_id();
    let bad = StatusCode::BAD_REQUEST;
    let unauthorized = StatusCode::UNAUTHORIZED;

    let unknown_tenant = token_with(&sim, "fabrikam.onmicrosoft.com", "", None).await;
    assert_entra_error(&unknown_tenant, bad, "invalid_request", 90002);
    let other_guid = token_with(&sim, "72f988bf-86f1-41af-91ab-2d7cd011db47", "", None).await;
    assert_entra_error(&other_guid, bad, "invalid_request", 90002);

    let unknown_app = token_with(
        &sim,
        &tenant,
        "client_id",
        Some("00000000-0000-0000-0000-000000000001"),
    )
    .await;
    assert_entra_error(&unknown_app, bad, "unauthorized_client", 700016);

    let missing_secret = token_with(&sim, &tenant, "client_secret", None).await;
    assert_entra_error(&missing_secret, unauthorized, "invalid_client", 7000218);

    let wrong_secret = token_with(&sim, &tenant, "client_secret", Some("not-the-secret")).await;
    assert_entra_error(&wrong_secret, unauthorized, "invalid_client", 7000215);

    let password_grant = token_with(&sim, &tenant, "grant_type", Some("password")).await;
    assert_entra_error(&password_grant, bad, "unsupported_grant_type", 70003);

    let bad_scope = token_with(
        &sim,
        &tenant,
        "scope",
        Some("https://graph.microsoft.com/User.Read.All"),
    )
    .await;
    assert_entra_error(&bad_scope, bad, "invalid_scope", 1002012);

    sim.set_secret_expired(true);
    let expired = token_with(&sim, &tenant, "", None).await;
    assert_entra_error(&expired, unauthorized, "invalid_client", 7000222);
    sim.set_secret_expired(false);
    assert_eq!(token_with(&sim, &tenant, "", None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn faults_never_touch_the_token_endpoint() {
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    sim.set_faults(Faults {
        throttle_rate: 1.0,
        unavailable_rate: 1.0,
        drop_rate: 1.0,
        malformed_rate: 1.0,
        ..Faults::default()
    });
    let token = fetch_token(&sim, &Client::new()).await;
    assert!(!token.is_empty());
}

#[tokio::test]
async fn access_tokens_are_jwts_naming_the_tenant() {
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    let token = fetch_token(&sim, &Client::new()).await;
    let (header, claims) = jwt_parts(&token);
    assert_eq!(header["typ"], "JWT");
    assert_eq!(header["alg"], "none");
    assert_eq!(claims["tid"], sim.tenant_id().as_str());
    assert_eq!(claims["aud"], "https://graph.microsoft.com");
    assert_eq!(claims["appid"], sim.client_id().as_str());
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    assert_eq!(exp - iat, 3599);
    assert_ne!(
        token,
        fetch_token(&sim, &Client::new()).await,
        "each token is new"
    );
}

#[tokio::test]
async fn the_token_lifetime_can_change_at_run_time_to_anything() {
    let env = Env::new().await;
    let id = env
        .sim
        .add_user("adele@contoso.onmicrosoft.com", None, true);
    const ABSURD: u64 = 10_000_000_000_000_000_000;
    env.sim.set_token_lifetime(ABSURD);
    let (status, body) = token_with(&env.sim, &env.sim.tenant_id(), "", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["expires_in"].as_u64(), Some(ABSURD));
    let token = body["access_token"].as_str().unwrap();
    let (_, claims) = jwt_parts(token);
    assert!(claims["exp"].as_u64().unwrap() > ABSURD);
    let response = env
        .http
        .get(env.url(&format!("/v1.0/users/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "a token for ever still works"
    );
    env.sim.expire_tokens();
    let response = env
        .http
        .get(env.url(&format!("/v1.0/users/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "until expired on purpose"
    );

    env.sim.set_token_lifetime(5);
    let (_, body) = token_with(&env.sim, &env.sim.tenant_id(), "", None).await;
    assert_eq!(body["expires_in"], 5);
}

#[tokio::test]
async fn switching_tenant_keeps_the_app_but_not_the_directory() {
    let env = Env::new().await;
    let id = env
        .sim
        .add_user("adele@contoso.onmicrosoft.com", None, true);
    let old = env.sim.tenant_id();
    let new = env.sim.switch_tenant();
    assert_ne!(new, old);
    assert_eq!(env.sim.tenant_id(), new);
    assert!(uuid::Uuid::parse_str(&new).is_ok() && new == new.to_lowercase());

    let (status, _) = env.get(&format!("/v1.0/users/{id}")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "old tokens are refused");

    let by_old_guid = token_with(&env.sim, &old, "", None).await;
    assert_entra_error(
        &by_old_guid,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        90002,
    );
    for tenant in [new.clone(), "contoso.onmicrosoft.com".to_string()] {
        let (status, body) = token_with(&env.sim, &tenant, "", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, claims) = jwt_parts(body["access_token"].as_str().unwrap());
        assert_eq!(claims["tid"], new.as_str());
    }

    let fresh = Env {
        token: fetch_token(&env.sim, &env.http).await,
        ..env
    };
    let (status, _) = fresh.get(&format!("/v1.0/users/{id}")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the old object ids do not exist here"
    );
    let (_, list) = fresh.get("/v1.0/users").await;
    assert_eq!(list["value"], serde_json::json!([]));
    let added = fresh
        .sim
        .add_user("bob@contoso.onmicrosoft.com", None, true);
    let (status, _) = fresh.get(&format!("/v1.0/users/{added}")).await;
    assert_eq!(status, StatusCode::OK);
}
