//! Authentication, permission, GET one user, and listing with `$select`, `$filter`, `$top`.

use crate::common::{graph_error_code, ids_of, Env};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashSet;

#[tokio::test]
async fn refuses_missing_unknown_and_expired_tokens() {
    let env = Env::new().await;
    let id = env
        .sim
        .add_user("adele@contoso.onmicrosoft.com", None, true);
    let url = env.url(&format!("/v1.0/users/{id}?$select=id,accountEnabled"));

    let anonymous = env.http.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(graph_error_code(&body), "InvalidAuthenticationToken");

    let forged = env
        .http
        .get(&url)
        .bearer_auth("forged")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);

    assert_eq!(env.get(&url).await.0, StatusCode::OK);
    env.sim.expire_tokens();
    let (status, body) = env.get(&url).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(graph_error_code(&body), "InvalidAuthenticationToken");
    assert_eq!(
        body["error"]["message"],
        "Access token has expired or is not yet valid."
    );
}

#[tokio::test]
async fn without_permission_users_endpoints_answer_403() {
    let env = Env::new().await;
    let id = env
        .sim
        .add_user("adele@contoso.onmicrosoft.com", None, true);
    env.sim.set_permission_granted(false);
    for path in [
        format!("/v1.0/users/{id}?$select=id,accountEnabled"),
        "/v1.0/users?$select=id,accountEnabled".to_string(),
        "/v1.0/users/delta?$select=id,accountEnabled".to_string(),
    ] {
        let (status, body) = env.get(&path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(graph_error_code(&body), "Authorization_RequestDenied");
        assert_eq!(
            body["error"]["message"],
            "Insufficient privileges to complete the operation."
        );
    }
    env.sim.set_permission_granted(true);
    assert_eq!(
        env.get(&format!("/v1.0/users/{id}")).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn get_user_honours_select_and_leaves_account_enabled_out_by_default() {
    let env = Env::new().await;
    let id = env.sim.add_user(
        "Adele@contoso.onmicrosoft.com",
        Some("adele@contoso.com"),
        false,
    );

    let (status, body) = env
        .get(&format!("/v1.0/users/{id}?$select=id,accountEnabled"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let keys: HashSet<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        HashSet::from(["@odata.context", "id", "accountEnabled"])
    );
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["accountEnabled"], false);
    assert!(body["@odata.context"]
        .as_str()
        .unwrap()
        .starts_with(&env.sim.base_url()));

    let (_, full) = env.get(&format!("/v1.0/users/{}", id.to_uppercase())).await;
    assert_eq!(full["id"], id.as_str());
    assert_eq!(full["userPrincipalName"], "Adele@contoso.onmicrosoft.com");
    assert_eq!(full["mail"], "adele@contoso.com");
    assert!(full["displayName"].is_string());
    assert!(full.get("accountEnabled").is_none(), "{full}");

    let (_, by_upn) = env
        .get("/v1.0/users/adele@contoso.onmicrosoft.com?$select=id")
        .await;
    assert_eq!(by_upn["id"], id.as_str());

    let (status, body) = env
        .get(&format!("/v1.0/users/{id}?$select=id,favouriteColour"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(graph_error_code(&body), "Request_BadRequest");
}

#[tokio::test]
async fn unknown_and_deleted_users_are_404_resource_not_found() {
    let env = Env::new().await;
    let soft = env.sim.add_user("soft@contoso.onmicrosoft.com", None, true);
    let hard = env.sim.add_user("hard@contoso.onmicrosoft.com", None, true);
    env.sim.soft_delete(&soft);
    env.sim.hard_delete(&hard);
    let unknown = "9f3c1f0e-1d7e-4c39-9a55-4d1f2f6b7a10".to_string();
    for id in [unknown, soft.clone(), hard] {
        let (status, body) = env
            .get(&format!("/v1.0/users/{id}?$select=id,accountEnabled"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(graph_error_code(&body), "Request_ResourceNotFound");
        assert_eq!(
            body["error"]["message"],
            format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present.")
        );
    }
    env.sim.restore(&soft);
    assert_eq!(
        env.get(&format!("/v1.0/users/{soft}")).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_users_manager_or_graphs_404_when_there_is_none() {
    let env = Env::new().await;
    let dana = env.sim.add_user("dana@contoso.onmicrosoft.com", None, true);
    let mona = env.sim.add_user(
        "mona@contoso.onmicrosoft.com",
        Some("mona@contoso.com"),
        true,
    );
    let (status, body) = env.get(&format!("/v1.0/users/{dana}/manager")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(graph_error_code(&body), "Request_ResourceNotFound");
    assert_eq!(
        body["error"]["message"],
        "Resource 'manager' does not exist or one of its queried reference-property objects are not present."
    );

    env.sim.set_manager(&dana, Some(&mona));
    let (status, body) = env
        .get(&format!(
            "/v1.0/users/{dana}/manager?$select=id,displayName,mail,userPrincipalName"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["@odata.type"], "#microsoft.graph.user");
    assert_eq!(body["id"], mona.as_str());
    assert_eq!(body["mail"], "mona@contoso.com");
    assert_eq!(body["userPrincipalName"], "mona@contoso.onmicrosoft.com");

    env.sim.set_manager(&dana, None);
    assert_eq!(
        env.get(&format!("/v1.0/users/{dana}/manager")).await.0,
        StatusCode::NOT_FOUND
    );
    let unknown = "9f3c1f0e-1d7e-4c39-9a55-4d1f2f6b7a10";
    let (status, body) = env.get(&format!("/v1.0/users/{unknown}/manager")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"]["message"].as_str().unwrap().contains(unknown));
}

/// Follows `@odata.nextLink` from `first`, returning every page.
async fn all_pages(env: &Env, first: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut next = Some(first.to_string());
    while let Some(url) = next {
        let (status, page) = env.get(&url).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        next = page["@odata.nextLink"].as_str().map(str::to_string);
        pages.push(page);
    }
    pages
}

#[tokio::test]
async fn list_pages_every_user_exactly_once() {
    let env = Env::new().await;
    let mut expected: HashSet<String> = env
        .sim
        .add_users(2_500, "contoso.onmicrosoft.com")
        .into_iter()
        .collect();
    let gone = env.sim.add_user("gone@contoso.onmicrosoft.com", None, true);
    env.sim.soft_delete(&gone);

    let pages = all_pages(&env, "/v1.0/users?$select=id,accountEnabled&$top=999").await;
    let sizes: Vec<usize> = pages.iter().map(|p| ids_of(p).len()).collect();
    assert_eq!(sizes, [999, 999, 502]);
    let next = pages[0]["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("{}/v1.0/users?", env.sim.base_url())),
        "{next}"
    );
    assert!(
        next.contains("$select=id,accountEnabled")
            && next.contains("$top=999")
            && next.contains("$skiptoken="),
        "{next}"
    );
    for page in &pages {
        assert_eq!(page["value"][0]["accountEnabled"], true);
        for id in ids_of(page) {
            assert!(expected.remove(&id), "{id} listed twice or unknown");
        }
    }
    assert!(expected.is_empty(), "{} users never listed", expected.len());

    let default_pages = all_pages(&env, "/v1.0/users?$select=id").await;
    assert_eq!(default_pages.len(), 25);
    assert_eq!(ids_of(&default_pages[0]).len(), 100);
}

#[tokio::test]
async fn top_outside_1_to_999_is_a_bad_request() {
    let env = Env::new().await;
    for top in ["1000", "0", "lots"] {
        let (status, body) = env.get(&format!("/v1.0/users?$top={top}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "$top={top}");
        assert_eq!(graph_error_code(&body), "Request_BadRequest");
    }
}

#[tokio::test]
async fn filters_by_account_enabled_and_by_upn_or_mail() {
    let env = Env::new().await;
    let ids = env.sim.add_users(30, "contoso.onmicrosoft.com");
    for id in &ids[..7] {
        env.sim.set_enabled(id, false);
    }
    env.sim.soft_delete(&ids[7]);
    let obrien = env.sim.add_user(
        "o'brien@contoso.onmicrosoft.com",
        Some("Pat.OBrien@contoso.com"),
        true,
    );

    let (_, disabled) = env
        .get("/v1.0/users?$select=id,accountEnabled&$filter=accountEnabled eq false")
        .await;
    let mut got = ids_of(&disabled);
    got.sort();
    let mut want = ids[..7].to_vec();
    want.sort();
    assert_eq!(got, want);
    let (_, enabled) = env
        .get("/v1.0/users?$select=id&$filter=accountEnabled eq true&$top=999")
        .await;
    assert_eq!(ids_of(&enabled).len(), 30 - 7 - 1 + 1);

    let by_upn = "/v1.0/users?$select=id&$filter=userPrincipalName eq 'O''Brien@CONTOSO.onmicrosoft.com' or mail eq 'o''brien@contoso.onmicrosoft.com'";
    assert_eq!(ids_of(&env.get(by_upn).await.1), [obrien.as_str()]);
    let by_mail = "/v1.0/users?$select=id&$filter=userPrincipalName eq 'pat.obrien@contoso.com' or mail eq 'pat.obrien@contoso.com'";
    assert_eq!(ids_of(&env.get(by_mail).await.1), [obrien.as_str()]);
    let deleted = "/v1.0/users?$filter=userPrincipalName eq 'user00008@contoso.onmicrosoft.com'";
    assert!(ids_of(&env.get(deleted).await.1).is_empty());

    for filter in [
        "startswith(displayName,'a')",
        "accountEnabled eq true nand mail eq 'x'",
        "userType eq 'Alien'",
        "mail eq 'unterminated",
    ] {
        let (status, body) = env.get(&format!("/v1.0/users?$filter={filter}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{filter}");
        assert_eq!(graph_error_code(&body), "Request_UnsupportedQuery");
    }
}

#[tokio::test]
async fn a_seeded_tenant_keeps_the_object_ids_it_is_given() {
    let env = Env::new().await;
    let id = "0F8FAD5B-D9CB-469F-A165-70867728950E";
    let stored = env
        .sim
        .add_user_with_id(id, "seeded@contoso.onmicrosoft.com", None, false);
    assert_eq!(stored, id.to_lowercase());
    let (status, body) = env
        .get(&format!("/v1.0/users/{stored}?$select=id,accountEnabled"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["accountEnabled"], false);
}

#[tokio::test]
async fn a_failing_user_answers_500_and_heals() {
    let env = Env::new().await;
    let id = env
        .sim
        .add_user("flaky@contoso.onmicrosoft.com", None, true);
    env.sim.set_user_failing(&id, true);
    let (status, body) = env
        .get(&format!("/v1.0/users/{id}?$select=id,accountEnabled"))
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(graph_error_code(&body), "generalException");
    env.sim.set_user_failing(&id, false);
    assert_eq!(
        env.get(&format!("/v1.0/users/{id}")).await.0,
        StatusCode::OK
    );
}
