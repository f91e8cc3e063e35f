//! App registrations over Graph with an administrator's delegated token: what "Set it
//! up for me" does, and the client-credentials sign-ins that follow from it.

use crate::common::{
    app_token, assert_entra_error, call, delegated_token, graph_error_code, jwt_parts,
    quick_polling,
};
use graph_sim::Simulator;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
const USER_READ_ALL: &str = "df021288-bdef-4463-88db-98f22de89214";

fn is_guid(text: &Value) -> bool {
    text.as_str()
        .is_some_and(|t| uuid::Uuid::parse_str(t).is_ok() && t == t.to_lowercase())
}

/// A simulator with a Global Administrator signed in; returns the admin's token.
async fn with_admin() -> (Simulator, String) {
    let sim = Simulator::start(quick_polling()).unwrap();
    let admin = sim.add_user("ada@contoso.onmicrosoft.com", None, true);
    sim.set_roles(&admin, &["Global Administrator"]);
    let token = delegated_token(&sim, "ada@contoso.onmicrosoft.com").await;
    (sim, token)
}

/// Registers an app with a service principal and a secret (and, with `grant`,
/// User.Read.All); returns the application object, its client id and its secret.
async fn register(sim: &Simulator, admin: &str, grant: bool) -> (Value, String, String) {
    let (status, app) = call(
        sim,
        admin,
        Method::POST,
        "/applications",
        Some(json!({
            "displayName": "UniAsset Desktop — Contoso",
            "signInAudience": "AzureADMyOrg",
            "requiredResourceAccess": [{"resourceAppId": GRAPH_APP_ID,
                "resourceAccess": [{"id": USER_READ_ALL, "type": "Role"}]}],
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    let app_id = app["appId"].as_str().unwrap().to_string();
    let (status, principal) = call(
        sim,
        admin,
        Method::POST,
        "/servicePrincipals",
        Some(json!({"appId": app_id})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{principal}");
    if grant {
        let (_, graph) = call(
            sim,
            admin,
            Method::GET,
            &format!("/servicePrincipals?$filter=appId eq '{GRAPH_APP_ID}'"),
            None,
        )
        .await;
        let (status, assignment) = call(sim, admin, Method::POST, &format!("/servicePrincipals/{}/appRoleAssignments", principal["id"].as_str().unwrap()), Some(json!({
            "principalId": principal["id"], "resourceId": graph["value"][0]["id"], "appRoleId": USER_READ_ALL,
        }))).await;
        assert_eq!(status, StatusCode::CREATED, "{assignment}");
    }
    let (status, credential) = call(
        sim,
        admin,
        Method::POST,
        &format!("/applications/{}/addPassword", app["id"].as_str().unwrap()),
        Some(json!({
            "passwordCredential": {"displayName": "UniAsset"}
        })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{credential}");
    (
        app,
        app_id,
        credential["secretText"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn an_admin_registers_an_app_whose_secret_then_reads_users() {
    let (sim, admin) = with_admin().await;
    sim.add_user("bob@contoso.onmicrosoft.com", None, true);

    let (status, app) = call(
        &sim,
        &admin,
        Method::POST,
        "/applications",
        Some(json!({
            "displayName": "UniAsset Desktop — Contoso",
            "signInAudience": "AzureADMyOrg",
            "requiredResourceAccess": [{"resourceAppId": GRAPH_APP_ID,
                "resourceAccess": [{"id": USER_READ_ALL, "type": "Role"}]}],
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    assert!(is_guid(&app["id"]) && is_guid(&app["appId"]), "{app}");
    assert_eq!(app["displayName"], "UniAsset Desktop — Contoso");
    assert_eq!(app["signInAudience"], "AzureADMyOrg");
    assert_eq!(
        app["requiredResourceAccess"][0]["resourceAccess"][0]["id"],
        USER_READ_ALL
    );
    assert_eq!(app["passwordCredentials"], json!([]));
    let (object_id, app_id) = (app["id"].as_str().unwrap(), app["appId"].as_str().unwrap());

    let (status, graph) = call(
        &sim,
        &admin,
        Method::GET,
        &format!("/servicePrincipals?$filter=appId eq '{GRAPH_APP_ID}'"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{graph}");
    let graph = &graph["value"][0];
    assert!(is_guid(&graph["id"]));
    let role = graph["appRoles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == USER_READ_ALL)
        .expect("User.Read.All offered");
    assert_eq!(role["value"], "User.Read.All");
    assert_eq!(role["allowedMemberTypes"], json!(["Application"]));

    let (status, principal) = call(
        &sim,
        &admin,
        Method::POST,
        "/servicePrincipals",
        Some(json!({"appId": app_id})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{principal}");
    assert!(is_guid(&principal["id"]));
    assert_eq!(principal["appId"], app_id);
    assert_eq!(principal["displayName"], "UniAsset Desktop — Contoso");
    let principal_id = principal["id"].as_str().unwrap();

    let (status, assignment) = call(
        &sim,
        &admin,
        Method::POST,
        &format!("/servicePrincipals/{principal_id}/appRoleAssignments"),
        Some(json!({
            "principalId": principal_id, "resourceId": graph["id"], "appRoleId": USER_READ_ALL,
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{assignment}");
    assert!(is_guid(&assignment["id"]));
    assert_eq!(assignment["principalId"], principal_id);
    assert_eq!(assignment["resourceId"], graph["id"]);
    assert_eq!(assignment["appRoleId"], USER_READ_ALL);
    assert_eq!(
        assignment["principalDisplayName"],
        "UniAsset Desktop — Contoso"
    );
    assert_eq!(assignment["resourceDisplayName"], "Microsoft Graph");
    assert!(assignment["createdDateTime"].is_string());

    let (status, credential) = call(
        &sim,
        &admin,
        Method::POST,
        &format!("/applications/{object_id}/addPassword"),
        Some(json!({
            "passwordCredential": {"displayName": "UniAsset", "endDateTime": "2099-01-01T00:00:00Z"}
        })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{credential}");
    let secret = credential["secretText"].as_str().unwrap();
    assert_eq!(secret.chars().count(), 40);
    assert_eq!(credential["hint"], secret[..3].to_string().as_str());
    assert!(is_guid(&credential["keyId"]));
    assert_eq!(credential["customKeyIdentifier"], Value::Null);
    assert_eq!(credential["displayName"], "UniAsset");
    assert_eq!(credential["endDateTime"], "2099-01-01T00:00:00Z");
    assert!(credential["startDateTime"].is_string());

    let (status, found) = call(
        &sim,
        &admin,
        Method::GET,
        &format!("/applications?$filter=appId eq '{app_id}'"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["value"].as_array().unwrap().len(), 1);
    let listed = &found["value"][0]["passwordCredentials"][0];
    assert_eq!(listed["keyId"], credential["keyId"]);
    assert_eq!(listed["hint"], credential["hint"]);
    assert_eq!(
        listed["secretText"],
        Value::Null,
        "the secret is shown once"
    );
    let (status, one) = call(
        &sim,
        &admin,
        Method::GET,
        &format!("/applications/{object_id}"),
        None,
    )
    .await;
    assert_eq!((status, &one["appId"]), (StatusCode::OK, &json!(app_id)));

    let (status, token) = app_token(&sim, app_id, secret).await;
    assert_eq!(status, StatusCode::OK, "{token}");
    let token = token["access_token"].as_str().unwrap();
    let (_, claims) = jwt_parts(token);
    assert_eq!(claims["appid"], app_id);
    assert_eq!(claims["roles"], json!(["User.Read.All"]));
    let (status, users) = call(
        &sim,
        token,
        Method::GET,
        "/users?$select=id,accountEnabled",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{users}");
    assert_eq!(users["value"].as_array().unwrap().len(), 2);

    let registered = sim.applications();
    let mine = registered
        .iter()
        .find(|a| a.app_id == app_id)
        .expect("registered");
    assert_eq!(mine.object_id, object_id);
    assert_eq!(mine.display_name, "UniAsset Desktop — Contoso");
    assert_eq!(
        mine.key_ids,
        vec![credential["keyId"].as_str().unwrap().to_string()]
    );
    assert!(mine.has_service_principal);
    assert_eq!(mine.roles, vec!["User.Read.All".to_string()]);
}

#[tokio::test]
async fn a_removed_secret_no_longer_signs_in_and_a_deleted_app_is_gone() {
    let (sim, admin) = with_admin().await;
    let (app, app_id, old_secret) = register(&sim, &admin, true).await;
    let object_id = app["id"].as_str().unwrap();
    let (_, renewed) = call(
        &sim,
        &admin,
        Method::POST,
        &format!("/applications/{object_id}/addPassword"),
        None,
    )
    .await;
    let new_secret = renewed["secretText"].as_str().unwrap();
    let old_key = sim
        .applications()
        .into_iter()
        .find(|a| a.app_id == app_id)
        .unwrap()
        .key_ids[0]
        .clone();

    let (status, body) = call(
        &sim,
        &admin,
        Method::POST,
        &format!("/applications/{object_id}/removePassword"),
        Some(json!({"keyId": old_key})),
    )
    .await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let refused = app_token(&sim, &app_id, &old_secret).await;
    assert_entra_error(
        &refused,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        7000215,
    );
    assert_eq!(app_token(&sim, &app_id, new_secret).await.0, StatusCode::OK);

    let (status, body) = call(
        &sim,
        &admin,
        Method::POST,
        &format!("/applications/{object_id}/removePassword"),
        Some(json!({"keyId": old_key})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(graph_error_code(&body), "Request_BadRequest");

    let (status, _) = call(
        &sim,
        &admin,
        Method::DELETE,
        &format!("/applications/{object_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let gone = app_token(&sim, &app_id, new_secret).await;
    assert_entra_error(
        &gone,
        StatusCode::BAD_REQUEST,
        "unauthorized_client",
        700016,
    );
    assert!(sim.applications().iter().all(|a| a.app_id != app_id));
    let (status, body) = call(
        &sim,
        &admin,
        Method::GET,
        &format!("/applications/{object_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(graph_error_code(&body), "Request_ResourceNotFound");
    let (_, principals) = call(
        &sim,
        &admin,
        Method::GET,
        &format!("/servicePrincipals?$filter=appId eq '{app_id}'"),
        None,
    )
    .await;
    assert_eq!(principals["value"], json!([]));
}

#[tokio::test]
async fn a_secret_past_its_end_date_gets_7000222() {
    let (sim, admin) = with_admin().await;
    let (app, app_id, _) = register(&sim, &admin, true).await;
    let (status, lapsed) = call(&sim, &admin, Method::POST, &format!("/applications/{}/addPassword", app["id"].as_str().unwrap()), Some(json!({
        "passwordCredential": {"startDateTime": "2020-01-01T00:00:00Z", "endDateTime": "2021-01-01T00:00:00Z"}
    }))).await;
    assert_eq!(status, StatusCode::OK, "{lapsed}");
    let expired = app_token(&sim, &app_id, lapsed["secretText"].as_str().unwrap()).await;
    assert_entra_error(
        &expired,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        7000222,
    );
}

#[tokio::test]
async fn an_app_without_user_read_all_is_refused_users() {
    let (sim, admin) = with_admin().await;
    let (_, app_id, secret) = register(&sim, &admin, false).await;
    let (status, token) = app_token(&sim, &app_id, &secret).await;
    assert_eq!(status, StatusCode::OK, "{token}");
    let token = token["access_token"].as_str().unwrap();
    assert!(jwt_parts(token).1.get("roles").is_none());
    for path in ["/users", "/users/delta"] {
        let (status, body) = call(&sim, token, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert_eq!(graph_error_code(&body), "Authorization_RequestDenied");
    }
    let (status, _) = call(&sim, &admin, Method::GET, "/users", None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a delegated token cannot read users here"
    );
}

/// An Application Administrator registers apps, but granting a Microsoft Graph application
/// permission takes a Global Administrator or Privileged Role Administrator.
#[tokio::test]
async fn granting_an_application_permission_takes_a_privileged_role() {
    let sim = Simulator::start(quick_polling()).unwrap();
    let app_admin = sim.add_user("abe@contoso.onmicrosoft.com", None, true);
    sim.set_roles(&app_admin, &["Application Administrator"]);
    let both = sim.add_user("pat@contoso.onmicrosoft.com", None, true);
    sim.set_roles(
        &both,
        &["Application Administrator", "Privileged Role Administrator"],
    );
    for (upn, granted) in [
        ("abe@contoso.onmicrosoft.com", false),
        ("pat@contoso.onmicrosoft.com", true),
    ] {
        let token = delegated_token(&sim, upn).await;
        let (_, app) = call(
            &sim,
            &token,
            Method::POST,
            "/applications",
            Some(json!({"displayName": upn})),
        )
        .await;
        let (status, principal) = call(
            &sim,
            &token,
            Method::POST,
            "/servicePrincipals",
            Some(json!({"appId": app["appId"]})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{upn}: {principal}");
        let (_, graph) = call(
            &sim,
            &token,
            Method::GET,
            &format!("/servicePrincipals?$filter=appId eq '{GRAPH_APP_ID}'"),
            None,
        )
        .await;
        let (status, body) = call(&sim, &token, Method::POST,
            &format!("/servicePrincipals/{}/appRoleAssignments", principal["id"].as_str().unwrap()),
            Some(json!({"principalId": principal["id"], "resourceId": graph["value"][0]["id"], "appRoleId": USER_READ_ALL})),
        ).await;
        let expected = if granted {
            StatusCode::CREATED
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(status, expected, "{upn}: {body}");
    }
}

#[tokio::test]
async fn only_application_admins_may_register_apps() {
    let sim = Simulator::start(quick_polling()).unwrap();
    let clerk = sim.add_user("cleo@contoso.onmicrosoft.com", None, true);
    let helpdesk = sim.add_user("hal@contoso.onmicrosoft.com", None, true);
    sim.set_roles(&helpdesk, &["User Administrator"]);
    let app_admin = sim.add_user("abe@contoso.onmicrosoft.com", None, true);
    sim.set_roles(&app_admin, &["Cloud Application Administrator"]);
    let new_app = json!({"displayName": "UniAsset Desktop — Contoso"});

    for upn in [
        "cleo@contoso.onmicrosoft.com",
        "hal@contoso.onmicrosoft.com",
    ] {
        let token = delegated_token(&sim, upn).await;
        let (status, body) = call(
            &sim,
            &token,
            Method::POST,
            "/applications",
            Some(new_app.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{upn}: {body}");
        assert_eq!(graph_error_code(&body), "Authorization_RequestDenied");
        assert_eq!(
            body["error"]["message"],
            "Insufficient privileges to complete the operation."
        );
        let (status, _) = call(&sim, &token, Method::GET, "/applications", None).await;
        assert_eq!(status, StatusCode::OK, "{upn} may still read");
    }
    let _ = clerk;

    let (status, app_token_body) = app_token(&sim, &sim.client_id(), &sim.client_secret()).await;
    assert_eq!(status, StatusCode::OK);
    let app_only = app_token_body["access_token"].as_str().unwrap();
    for (method, path) in [
        (Method::POST, "/applications"),
        (Method::GET, "/applications"),
    ] {
        let (status, _) = call(&sim, app_only, method, path, Some(new_app.clone())).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "an application's own token: {path}"
        );
    }

    let token = delegated_token(&sim, "abe@contoso.onmicrosoft.com").await;
    let (status, body) = call(&sim, &token, Method::POST, "/applications", Some(new_app)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn the_preconfigured_app_is_registered_like_any_other() {
    let sim = Simulator::start(quick_polling()).unwrap();
    let apps = sim.applications();
    assert_eq!(apps.len(), 1);
    let app = &apps[0];
    assert_eq!(app.app_id, sim.client_id());
    assert_eq!(app.display_name, "UniAsset");
    assert_eq!(app.key_ids.len(), 1);
    assert!(app.has_service_principal);
    assert_eq!(app.roles, vec!["User.Read.All".to_string()]);

    let admin = sim.add_user("ada@contoso.onmicrosoft.com", None, true);
    sim.set_roles(&admin, &["Application Administrator"]);
    let token = delegated_token(&sim, "ada@contoso.onmicrosoft.com").await;
    let (_, found) = call(
        &sim,
        &token,
        Method::GET,
        &format!("/applications?$filter=appId eq '{}'", sim.client_id()),
        None,
    )
    .await;
    let credential = &found["value"][0]["passwordCredentials"][0];
    assert_eq!(
        credential["hint"],
        sim.client_secret()[..3].to_string().as_str()
    );
    let start = chrono::DateTime::parse_from_rfc3339(credential["startDateTime"].as_str().unwrap())
        .unwrap();
    let end =
        chrono::DateTime::parse_from_rfc3339(credential["endDateTime"].as_str().unwrap()).unwrap();
    assert_eq!((end - start).num_days() / 365, 2, "{credential}");

    let (status, _) = call(
        &sim,
        &token,
        Method::POST,
        &format!("/applications/{}/removePassword", app.object_id),
        Some(json!({"keyId": app.key_ids[0]})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let refused = app_token(&sim, &sim.client_id(), &sim.client_secret()).await;
    assert_entra_error(
        &refused,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        7000215,
    );
}

#[tokio::test]
async fn bad_requests_get_graph_errors() {
    let (sim, admin) = with_admin().await;
    let (app, app_id, _) = register(&sim, &admin, true).await;
    let object_id = app["id"].as_str().unwrap();
    let (_, principals) = call(
        &sim,
        &admin,
        Method::GET,
        &format!("/servicePrincipals?$filter=appId eq '{app_id}'"),
        None,
    )
    .await;
    let principal_id = principals["value"][0]["id"].as_str().unwrap().to_string();
    let (_, graph) = call(
        &sim,
        &admin,
        Method::GET,
        &format!("/servicePrincipals?$filter=appId eq '{GRAPH_APP_ID}'"),
        None,
    )
    .await;
    let graph_id = graph["value"][0]["id"].clone();

    let cases: Vec<(Method, String, Option<Value>, StatusCode, &str)> = vec![
        (
            Method::POST,
            "/applications".into(),
            Some(json!({})),
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
        ),
        (
            Method::POST,
            "/servicePrincipals".into(),
            Some(json!({"appId": "00000000-0000-0000-0000-000000000009"})),
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
        ),
        (
            Method::POST,
            "/servicePrincipals".into(),
            Some(json!({"appId": app_id})),
            StatusCode::CONFLICT,
            "Request_MultipleObjectsWithSameKeyValue",
        ),
        (
            Method::POST,
            format!("/servicePrincipals/{principal_id}/appRoleAssignments"),
            Some(
                json!({"principalId": principal_id, "resourceId": graph_id, "appRoleId": USER_READ_ALL}),
            ),
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
        ),
        (
            Method::POST,
            format!("/servicePrincipals/{principal_id}/appRoleAssignments"),
            Some(
                json!({"principalId": principal_id, "resourceId": graph_id, "appRoleId": "00000000-0000-0000-0000-000000000009"}),
            ),
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
        ),
        (
            Method::POST,
            format!("/applications/{object_id}/addPassword"),
            Some(json!({"passwordCredential": {"endDateTime": "soon"}})),
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
        ),
        (
            Method::POST,
            "/applications/00000000-0000-0000-0000-000000000009/addPassword".into(),
            None,
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
        ),
        (
            Method::GET,
            "/applications?$filter=displayName eq 'x'".into(),
            None,
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
        ),
    ];
    for (method, path, body, status, code) in cases {
        let (got, reply) = call(&sim, &admin, method.clone(), &path, body).await;
        assert_eq!(got, status, "{method} {path}: {reply}");
        assert_eq!(graph_error_code(&reply), code, "{method} {path}");
    }
    let (status, selected) = call(
        &sim,
        &admin,
        Method::GET,
        &format!("/applications?$filter=appId eq '{app_id}'&$select=id,passwordCredentials"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&String> = selected["value"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "passwordCredentials"]);
}
