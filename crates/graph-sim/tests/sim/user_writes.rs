//! What an application may do to a user: end their sessions (`revokeSignInSessions`) and
//! disable their account (`PATCH accountEnabled`), each only with its permission.

use crate::common::{call, delegated_token, fetch_token, graph_error_code, quick_polling};
use graph_sim::Simulator;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Grants the pre-configured app Graph's app roles named by `values`, as an administrator's
/// consent does, and returns a fresh app token carrying them.
async fn grant(sim: &Simulator, values: &[&str]) -> String {
    let admin_upn = "ada@contoso.onmicrosoft.com";
    let admin = sim.add_user(admin_upn, None, true);
    sim.set_roles(&admin, &["Global Administrator"]);
    let admin = delegated_token(sim, admin_upn).await;
    let path = format!("/servicePrincipals?$filter=appId eq '{GRAPH_APP_ID}'");
    let (_, graph) = call(sim, &admin, Method::GET, &path, None).await;
    let graph = &graph["value"][0];
    let path = format!("/servicePrincipals?$filter=appId eq '{}'", sim.client_id());
    let (_, principal) = call(sim, &admin, Method::GET, &path, None).await;
    let principal = principal["value"][0]["id"].as_str().unwrap().to_string();
    for value in values {
        let role = graph["appRoles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["value"] == *value)
            .unwrap_or_else(|| panic!("Graph offers {value}"));
        let (status, body) = call(
            sim,
            &admin,
            Method::POST,
            &format!("/servicePrincipals/{principal}/appRoleAssignments"),
            Some(json!({"principalId": principal, "resourceId": graph["id"], "appRoleId": role["id"]})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    fetch_token(sim, &Client::new()).await
}

async fn revoke(sim: &Simulator, token: &str, id: &str) -> (StatusCode, Value) {
    let path = format!("/users/{id}/revokeSignInSessions");
    call(sim, token, Method::POST, &path, None).await
}

async fn disable(sim: &Simulator, token: &str, id: &str) -> (StatusCode, Value) {
    let body = json!({"accountEnabled": false});
    call(
        sim,
        token,
        Method::PATCH,
        &format!("/users/{id}"),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn without_the_permissions_both_are_refused_and_nothing_changes() {
    let sim = Simulator::start(quick_polling()).unwrap();
    let dana = sim.add_user("dana@contoso.onmicrosoft.com", None, true);
    let token = fetch_token(&sim, &Client::new()).await;
    for reply in [
        revoke(&sim, &token, &dana).await,
        disable(&sim, &token, &dana).await,
    ] {
        assert_eq!(reply.0, StatusCode::FORBIDDEN, "{}", reply.1);
        assert_eq!(graph_error_code(&reply.1), "Authorization_RequestDenied");
    }
    assert!(sim.is_enabled(&dana));
    assert_eq!(sim.sessions_revoked_at(&dana), None);
}

#[tokio::test]
async fn granted_the_roles_an_app_ends_sessions_and_disables_an_account() {
    let sim = Simulator::start(quick_polling()).unwrap();
    let dana = sim.add_user("dana@contoso.onmicrosoft.com", None, true);
    let token = grant(
        &sim,
        &["User.RevokeSessions.All", "User.EnableDisableAccount.All"],
    )
    .await;

    let (status, body) = revoke(&sim, &token, &dana).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["value"], true);
    assert!(body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#Edm.Boolean"));
    assert!(sim.sessions_revoked_at(&dana).is_some());

    let (status, body) = disable(&sim, &token, &dana).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(!sim.is_enabled(&dana));
    let path = format!("/users/{dana}?$select=id,accountEnabled");
    let (_, user) = call(&sim, &token, Method::GET, &path, None).await;
    assert_eq!(user["accountEnabled"], false);
}

#[tokio::test]
async fn an_administrator_account_cannot_be_disabled_by_the_app() {
    let sim = Simulator::start(quick_polling()).unwrap();
    let boss = sim.add_user("boss@contoso.onmicrosoft.com", None, true);
    sim.set_roles(&boss, &["User Administrator"]);
    let token = grant(
        &sim,
        &["User.RevokeSessions.All", "User.EnableDisableAccount.All"],
    )
    .await;
    let (status, body) = disable(&sim, &token, &boss).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(graph_error_code(&body), "Authorization_RequestDenied");
    assert!(sim.is_enabled(&boss));
}

#[tokio::test]
async fn a_deleted_account_is_not_found_and_bad_bodies_are_refused() {
    let sim = Simulator::start(quick_polling()).unwrap();
    let gone = sim.add_user("gone@contoso.onmicrosoft.com", None, true);
    let dana = sim.add_user("dana@contoso.onmicrosoft.com", None, true);
    sim.soft_delete(&gone);
    let token = grant(
        &sim,
        &["User.RevokeSessions.All", "User.EnableDisableAccount.All"],
    )
    .await;
    for reply in [
        revoke(&sim, &token, &gone).await,
        disable(&sim, &token, &gone).await,
    ] {
        assert_eq!(reply.0, StatusCode::NOT_FOUND, "{}", reply.1);
        assert_eq!(graph_error_code(&reply.1), "Request_ResourceNotFound");
    }
    for body in [
        json!({"accountEnabled": "no"}),
        json!({"displayName": "Dana"}),
    ] {
        let (status, reply) = call(
            &sim,
            &token,
            Method::PATCH,
            &format!("/users/{dana}"),
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
    }
    assert!(sim.is_enabled(&dana));
}

#[tokio::test]
async fn an_administrator_adds_permissions_to_an_existing_app() {
    let sim = Simulator::start(quick_polling()).unwrap();
    let admin = sim.add_user("ada@contoso.onmicrosoft.com", None, true);
    sim.set_roles(&admin, &["Global Administrator"]);
    let admin = delegated_token(&sim, "ada@contoso.onmicrosoft.com").await;
    let object_id = sim.applications()[0].object_id.clone();
    let access = json!([{"resourceAppId": GRAPH_APP_ID, "resourceAccess": [
        {"id": "df021288-bdef-4463-88db-98f22de89214", "type": "Role"},
        {"id": "77f3a031-c388-4f99-b373-dc68676a979e", "type": "Role"}]}]);
    let path = format!("/applications/{object_id}");
    let body = json!({"requiredResourceAccess": access});
    let (status, reply) = call(&sim, &admin, Method::PATCH, &path, Some(body)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{reply}");
    let (_, app) = call(&sim, &admin, Method::GET, &path, None).await;
    assert_eq!(app["requiredResourceAccess"], access);
}
