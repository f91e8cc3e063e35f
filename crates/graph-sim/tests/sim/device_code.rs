//! Device code sign-in: the devicecode endpoint, polling the token endpoint, and the
//! verification page an administrator approves or declines on.

use crate::common::{
    assert_entra_error, begin_device_code, jwt_parts, poll_device_code, post_form, quick_polling,
    ADMIN_SCOPES, PUBLIC_CLIENT,
};
use graph_sim::{Faults, Simulator, TenantConfig};
use reqwest::{Client, StatusCode};
use std::time::Duration;

const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

/// POSTs the verification page's form; the status and the HTML.
async fn submit_page(sim: &Simulator, form: &[(&str, &str)]) -> (StatusCode, String) {
    let response = Client::new()
        .post(format!("{}/devicelogin", sim.base_url()))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

fn field<'a>(body: &'a serde_json::Value, name: &str) -> &'a str {
    body[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} in {body}"))
}

#[tokio::test]
async fn an_approved_sign_in_gives_one_delegated_token() {
    let sim = Simulator::start(quick_polling()).unwrap();
    let admin = sim.add_user("ada@contoso.onmicrosoft.com", None, true);
    sim.set_roles(&admin, &["Global Administrator"]);

    let started = begin_device_code(&sim).await;
    let (device_code, user_code) = (field(&started, "device_code"), field(&started, "user_code"));
    assert!(device_code.len() >= 40);
    assert_eq!(user_code.len(), 8);
    assert!(user_code
        .bytes()
        .all(|b| b.is_ascii_uppercase() || (b'2'..=b'9').contains(&b)));
    let verification_uri = format!("{}/devicelogin", sim.base_url());
    assert_eq!(started["verification_uri"], verification_uri.as_str());
    assert_eq!(started["expires_in"], 900);
    assert_eq!(started["interval"], 0);
    assert_eq!(
        started["message"],
        format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate.").as_str()
    );
    assert_eq!(sim.pending_device_codes(), vec![user_code.to_string()]);

    let pending = poll_device_code(&sim, device_code).await;
    assert_entra_error(
        &pending,
        StatusCode::BAD_REQUEST,
        "authorization_pending",
        70016,
    );

    let page = reqwest::get(&verification_uri).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<form") && html.contains("name=\"code\""),
        "{html}"
    );

    let typed = user_code.to_lowercase();
    let (status, html) = submit_page(
        &sim,
        &[
            ("code", typed.as_str()),
            ("user", "ada@contoso.onmicrosoft.com"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("You have signed in"), "{html}");
    assert!(sim.pending_device_codes().is_empty());

    let (status, body) = poll_device_code(&sim, device_code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], ADMIN_SCOPES);
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["ext_expires_in"], 3599);
    let (_, claims) = jwt_parts(field(&body, "access_token"));
    assert_eq!(claims["tid"], sim.tenant_id().as_str());
    assert_eq!(claims["upn"], "ada@contoso.onmicrosoft.com");
    assert_eq!(
        claims["scp"],
        "Application.ReadWrite.All AppRoleAssignment.ReadWrite.All"
    );
    assert_eq!(claims["wids"], serde_json::json!([GLOBAL_ADMINISTRATOR]));
    assert_eq!(claims["aud"], "https://graph.microsoft.com");
    assert_eq!(claims["appid"], PUBLIC_CLIENT);

    let again = poll_device_code(&sim, device_code).await;
    assert_entra_error(&again, StatusCode::BAD_REQUEST, "invalid_grant", 70000);
}

#[tokio::test]
async fn polling_sooner_than_the_interval_is_told_to_slow_down() {
    let sim = Simulator::start(TenantConfig {
        device_code_interval_secs: 1,
        ..TenantConfig::default()
    })
    .unwrap();
    let started = begin_device_code(&sim).await;
    assert_eq!(started["interval"], 1);
    let device_code = field(&started, "device_code");
    let first = poll_device_code(&sim, device_code).await;
    assert_entra_error(
        &first,
        StatusCode::BAD_REQUEST,
        "authorization_pending",
        70016,
    );
    let hasty = poll_device_code(&sim, device_code).await;
    assert_eq!(hasty.1["error"], "slow_down", "{}", hasty.1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let patient = poll_device_code(&sim, device_code).await;
    assert_eq!(patient.1["error"], "authorization_pending", "{}", patient.1);
}

#[tokio::test]
async fn a_seeded_fault_makes_polls_slow_down_however_patient() {
    let sim = Simulator::start(quick_polling()).unwrap();
    sim.set_faults(Faults {
        slow_down_polls: 2,
        ..Faults::default()
    });
    let started = begin_device_code(&sim).await;
    let device_code = field(&started, "device_code");
    let mut errors = Vec::new();
    for _ in 0..3 {
        let (_, body) = poll_device_code(&sim, device_code).await;
        errors.push(body["error"].as_str().unwrap().to_string());
    }
    assert_eq!(errors, ["slow_down", "slow_down", "authorization_pending"]);
}

#[tokio::test]
async fn a_code_nobody_approves_expires() {
    let sim = Simulator::start(TenantConfig {
        device_code_interval_secs: 0,
        device_code_lifetime_secs: 1,
        ..TenantConfig::default()
    })
    .unwrap();
    sim.add_user("ada@contoso.onmicrosoft.com", None, true);
    let started = begin_device_code(&sim).await;
    assert_eq!(started["expires_in"], 1);
    let user_code = field(&started, "user_code");
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let expired = poll_device_code(&sim, field(&started, "device_code")).await;
    assert_entra_error(&expired, StatusCode::BAD_REQUEST, "expired_token", 70020);
    assert!(sim.pending_device_codes().is_empty());
    let (status, html) = submit_page(
        &sim,
        &[("code", user_code), ("user", "ada@contoso.onmicrosoft.com")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("has expired"), "{html}");
    let refused = sim.approve_device_code(user_code, "ada@contoso.onmicrosoft.com");
    assert!(refused.unwrap_err().contains("has expired"));
}

#[tokio::test]
async fn a_declined_sign_in_is_reported_to_the_poller() {
    let sim = Simulator::start(quick_polling()).unwrap();
    let started = begin_device_code(&sim).await;
    let (status, html) = submit_page(
        &sim,
        &[("code", field(&started, "user_code")), ("decline", "1")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("declined"), "{html}");
    let declined = poll_device_code(&sim, field(&started, "device_code")).await;
    assert_entra_error(
        &declined,
        StatusCode::BAD_REQUEST,
        "authorization_declined",
        70000,
    );

    let other = begin_device_code(&sim).await;
    sim.decline_device_code(field(&other, "user_code")).unwrap();
    let declined = poll_device_code(&sim, field(&other, "device_code")).await;
    assert_eq!(declined.1["error"], "authorization_declined");
    assert!(sim
        .approve_device_code(field(&other, "user_code"), "x@y")
        .is_err());
}

#[tokio::test]
async fn unknown_codes_users_clients_and_tenants_are_refused() {
    let sim = Simulator::start(quick_polling()).unwrap();
    sim.add_user("off@contoso.onmicrosoft.com", None, false);

    let unknown = poll_device_code(&sim, "not-a-device-code-that-was-ever-issued-0123456789").await;
    assert_entra_error(&unknown, StatusCode::BAD_REQUEST, "invalid_grant", 70000);

    let started = begin_device_code(&sim).await;
    let user_code = field(&started, "user_code");
    for (form, problem) in [
        (
            vec![
                ("code", "ZZZZ2222"),
                ("user", "off@contoso.onmicrosoft.com"),
            ],
            "is not valid",
        ),
        (
            vec![
                ("code", user_code),
                ("user", "nobody@contoso.onmicrosoft.com"),
            ],
            "There is no account nobody@contoso.onmicrosoft.com",
        ),
        (
            vec![("code", user_code), ("user", "off@contoso.onmicrosoft.com")],
            "is disabled",
        ),
        (vec![("code", user_code), ("user", "<b>@x")], "&lt;b&gt;@x"),
    ] {
        let (status, html) = submit_page(&sim, &form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
        assert!(html.contains(problem), "{problem} in {html}");
    }
    assert_eq!(
        sim.pending_device_codes(),
        vec![user_code.to_string()],
        "still waiting"
    );
    assert!(sim
        .approve_device_code("ZZZZ2222", "off@contoso.onmicrosoft.com")
        .unwrap_err()
        .contains("is not valid"));

    let wrong_client = post_form(
        &sim,
        "/organizations/oauth2/v2.0/devicecode",
        &[
            ("client_id", "00000000-0000-0000-0000-000000000001"),
            ("scope", ADMIN_SCOPES),
        ],
    )
    .await;
    assert_entra_error(
        &wrong_client,
        StatusCode::BAD_REQUEST,
        "unauthorized_client",
        700016,
    );
    let wrong_tenant = post_form(
        &sim,
        "/fabrikam.onmicrosoft.com/oauth2/v2.0/devicecode",
        &[("client_id", PUBLIC_CLIENT), ("scope", ADMIN_SCOPES)],
    )
    .await;
    assert_entra_error(
        &wrong_tenant,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        90002,
    );
    for tenant in ["common", &sim.tenant_id(), "contoso.onmicrosoft.com"] {
        let (status, body) = post_form(
            &sim,
            &format!("/{tenant}/oauth2/v2.0/devicecode"),
            &[("client_id", PUBLIC_CLIENT), ("scope", ADMIN_SCOPES)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{tenant}: {body}");
    }
}
