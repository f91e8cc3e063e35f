//! What adding people from Entra ID reads: `userType`, `createdDateTime`, `$filter` joined
//! by `and`, `$search` (only with `ConsistencyLevel: eventual`) and `$count`.

use crate::common::{graph_error_code, ids_of, Env};
use reqwest::StatusCode;
use serde_json::Value;

const EVENTUAL: &[(&str, &str)] = &[("ConsistencyLevel", "eventual")];

/// A small tenant: two enabled members, a disabled member, an enabled guest, a deleted
/// member. Returns their ids in that order.
fn tenant(env: &Env) -> [String; 5] {
    let adele = env.sim.add_user(
        "AdeleV@contoso.onmicrosoft.com",
        Some("adele.vance@contoso.com"),
        true,
    );
    env.sim.set_display_name(&adele, "Adele Vance");
    let alex = env
        .sim
        .add_user("alexw@contoso.onmicrosoft.com", None, true);
    env.sim.set_display_name(&alex, "Alex Wilber");
    let gone = env
        .sim
        .add_user("diego@contoso.onmicrosoft.com", None, false);
    env.sim.set_display_name(&gone, "Diego Siciliani");
    let guest = env.sim.add_guest(
        "adam_fabrikam.com#EXT#@contoso.onmicrosoft.com",
        Some("adam@fabrikam.com"),
        true,
    );
    env.sim.set_display_name(&guest, "Adam Guest");
    let deleted = env
        .sim
        .add_user("adrian@contoso.onmicrosoft.com", None, true);
    env.sim.set_display_name(&deleted, "Adrian King");
    env.sim.soft_delete(&deleted);
    [adele, alex, gone, guest, deleted]
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[tokio::test]
async fn users_carry_user_type_and_creation_time_only_when_selected() {
    let env = Env::new().await;
    let [adele, _, _, guest, _] = tenant(&env);
    let (_, body) = env
        .get(&format!("/v1.0/users/{guest}?$select=id,userType,createdDateTime,mail,userPrincipalName,displayName"))
        .await;
    assert_eq!(body["userType"], "Guest");
    assert_eq!(body["mail"], "adam@fabrikam.com");
    assert_eq!(
        body["userPrincipalName"],
        "adam_fabrikam.com#EXT#@contoso.onmicrosoft.com"
    );
    assert_eq!(body["displayName"], "Adam Guest");
    let created = body["createdDateTime"].as_str().unwrap();
    let parsed = chrono::DateTime::parse_from_rfc3339(created).unwrap();
    assert!(
        created.ends_with('Z') && !created.contains('.'),
        "{created}"
    );
    assert!((chrono::Utc::now() - parsed.to_utc()).num_seconds() < 60);

    let (_, member) = env.get(&format!("/v1.0/users/{adele}")).await;
    assert!(
        member.get("userType").is_none() && member.get("createdDateTime").is_none(),
        "not in Graph's default set: {member}"
    );

    let long_ago = chrono::DateTime::parse_from_rfc3339("2019-09-20T17:06:49Z")
        .unwrap()
        .to_utc();
    env.sim.set_created(&adele, long_ago);
    let (_, member) = env
        .get(&format!(
            "/v1.0/users/{adele}?$select=id,userType,createdDateTime"
        ))
        .await;
    assert_eq!(member["userType"], "Member");
    assert_eq!(member["createdDateTime"], "2019-09-20T17:06:49Z");
}

#[tokio::test]
async fn filters_enabled_members_and_guests_with_and() {
    let env = Env::new().await;
    let [adele, alex, gone, guest, _] = tenant(&env);
    let env = &env;
    let list = |filter: &str| {
        let url = format!("/v1.0/users?$select=id&$filter={filter}");
        async move {
            let (status, body) = env.get(&url).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            sorted(ids_of(&body))
        }
    };
    assert_eq!(
        list("accountEnabled eq true and userType eq 'Member'").await,
        sorted(vec![adele.clone(), alex.clone()])
    );
    assert_eq!(list("userType eq 'guest'").await, [guest.as_str()]);
    assert_eq!(
        list("userType eq 'Member' and accountEnabled eq false or userType eq 'Guest'").await,
        sorted(vec![gone, guest])
    );
    assert_eq!(
        list("accountEnabled eq true and mail eq 'ADELE.VANCE@contoso.com'").await,
        [adele]
    );
}

#[tokio::test]
async fn search_needs_consistency_level_eventual() {
    let env = Env::new().await;
    tenant(&env);
    let url = r#"/v1.0/users?$search="displayName:ad"&$select=id"#;
    let (status, body) = env.get(url).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(graph_error_code(&body), "Request_UnsupportedQuery");
    assert_eq!(
        body["error"]["message"],
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"
    );
    let (status, _) = env.get_with(url, EVENTUAL).await;
    assert_eq!(status, StatusCode::OK);

    for bad in [
        "displayName:ad",
        r#""displayName:ad" or "mail:ad""#,
        r#""jobTitle:boss""#,
    ] {
        let (status, body) = env
            .get_with(&format!("/v1.0/users?$search={bad}"), EVENTUAL)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
}

#[tokio::test]
async fn search_matches_name_tokens_by_prefix_and_addresses_by_startswith() {
    let env = Env::new().await;
    let [adele, alex, gone, guest, _deleted] = tenant(&env);
    let env = &env;
    let search = |query: &str| {
        let url = format!("/v1.0/users?$select=id,displayName&$search={query}");
        async move {
            let (status, body) = env.get_with(&url, EVENTUAL).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            sorted(ids_of(&body))
        }
    };
    // Every word of the name that starts with "ad", the deleted Adrian aside.
    assert_eq!(
        search(r#""displayName:ad""#).await,
        sorted(vec![adele.clone(), guest.clone()])
    );
    assert_eq!(search(r#""displayName:va ADE""#).await, [adele.as_str()]);
    assert_eq!(search(r#""displayName:ele""#).await, Vec::<String>::new());
    assert_eq!(search(r#""displayName:wil""#).await, [alex.as_str()]);
    // Addresses by startswith, not by word: "vance" is inside Adele's mail, not its start.
    assert_eq!(search(r#""mail:adele.v""#).await, [adele.as_str()]);
    assert_eq!(search(r#""mail:vance""#).await, Vec::<String>::new());
    assert_eq!(
        search(r#""displayName:diego" OR "userPrincipalName:alexw@""#).await,
        sorted(vec![alex.clone(), gone])
    );
    assert_eq!(
        search(r#""displayName:a" AND "mail:adam""#).await,
        [guest.as_str()]
    );

    // $search with $filter: both must hold.
    let (_, body) = env
        .get_with(
            r#"/v1.0/users?$select=id&$filter=accountEnabled eq true and userType eq 'Member'&$search="displayName:ad" OR "mail:ad""#,
            EVENTUAL,
        )
        .await;
    assert_eq!(ids_of(&body), [adele]);
}

#[tokio::test]
async fn count_comes_with_consistency_level_and_search_pages_need_it_too() {
    let env = Env::new().await;
    let ids = env.sim.add_users(250, "contoso.onmicrosoft.com");
    for id in &ids[..10] {
        env.sim.set_enabled(id, false);
    }
    let first = "/v1.0/users?$select=id&$filter=accountEnabled eq true&$count=true&$top=100";
    let (_, ignored) = env.get(first).await;
    assert!(
        ignored.get("@odata.count").is_none(),
        "without the header $count=true is ignored: {ignored}"
    );
    let (_, counted) = env.get_with(first, EVENTUAL).await;
    assert_eq!(counted["@odata.count"], 240);
    assert_eq!(ids_of(&counted).len(), 100);

    let searched =
        r#"/v1.0/users?$select=id&$search="userPrincipalName:user001"&$count=true&$top=50"#;
    let (_, page) = env.get_with(searched, EVENTUAL).await;
    assert_eq!(page["@odata.count"], 100, "user00100 … user00199");
    let next = page["@odata.nextLink"].as_str().unwrap().to_string();
    assert!(
        next.contains("$search=") && next.contains("$skiptoken="),
        "{next}"
    );
    let (status, body) = env.get(&next).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "every page needs the header"
    );
    assert_eq!(graph_error_code(&body), "Request_UnsupportedQuery");

    let mut seen = ids_of(&page);
    let mut link = Some(next);
    while let Some(url) = link {
        let (status, page) = env.get_with(&url, EVENTUAL).await;
        assert_eq!(status, StatusCode::OK);
        seen.extend(ids_of(&page));
        link = page["@odata.nextLink"].as_str().map(str::to_string);
    }
    assert_eq!(sorted(seen), sorted(ids[99..199].to_vec()));
}

#[tokio::test]
async fn delta_reports_renames_and_carries_user_type() {
    let env = Env::new().await;
    let [adele, ..] = tenant(&env);
    let (_, first) = env
        .get("/v1.0/users/delta?$select=id,accountEnabled,userType,displayName,mail,userPrincipalName,createdDateTime")
        .await;
    let delta = first["@odata.deltaLink"].as_str().unwrap().to_string();
    let guest = first["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userType"] == "Guest")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(guest["mail"], "adam@fabrikam.com");

    env.sim.set_display_name(&adele, "Adele Vance-Smith");
    let (_, changes) = env.get(&delta).await;
    assert_eq!(ids_of(&changes), [adele]);
    assert_eq!(changes["value"][0]["displayName"], "Adele Vance-Smith");
    assert_eq!(changes["value"][0]["userType"], "Member");
    assert!(changes["value"][0]["createdDateTime"].is_string());
}
