//! The Graph client against the simulator's faults, over real HTTP on 127.0.0.1: whatever
//! Microsoft (or something between) sends, a user gets their true state or an error —
//! never another user's state — and nothing panics or loops for ever.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use graph_sim::{Faults, Simulator, TenantConfig};
use uniasset_core::entra::cloud::Cloud;
use uniasset_core::graph::{AccountState, ClientOptions, GraphClient, GraphError};
use uniasset_core::secrets::ClientSecret;
use uniasset_core::ErrorCode;

fn client(sim: &Simulator) -> GraphClient {
    client_for(sim, &sim.tenant_id())
}

/// A client that names the tenant by `tenant`: its GUID or a verified domain.
fn client_for(sim: &Simulator, tenant: &str) -> GraphClient {
    let endpoints = Cloud::Custom
        .endpoints(Some(&sim.base_url()), Some(&sim.base_url()))
        .unwrap();
    GraphClient::new(
        endpoints,
        tenant,
        &sim.client_id(),
        ClientSecret::new(sim.client_secret()),
        ClientOptions {
            min_backoff: Duration::from_millis(5),
            retry_budget: Duration::from_secs(30),
            ..ClientOptions::default()
        },
    )
    .unwrap()
}

fn seeded(seed: u64) -> Simulator {
    Simulator::start(TenantConfig {
        seed,
        ..TenantConfig::default()
    })
    .unwrap()
}

/// `count` users, every other one disabled, so that a reply about a neighbour always
/// carries the opposite state; returns each id with its true state.
fn alternating(sim: &Simulator, count: usize) -> Vec<(String, AccountState)> {
    sim.add_users(count, "contoso.onmicrosoft.com")
        .into_iter()
        .enumerate()
        .map(|(i, id)| {
            let enabled = i % 2 == 0;
            sim.set_enabled(&id, enabled);
            let state = if enabled {
                AccountState::Enabled
            } else {
                AccountState::Disabled
            };
            (id, state)
        })
        .collect()
}

/// Fails instead of hanging if a read never ends.
async fn bounded<T>(what: &str, read: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .unwrap_or_else(|_| panic!("{what} did not end"))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_absurd_token_lifetime_neither_panics_nor_breaks_reads() {
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    let id = sim.add_user("adele@contoso.onmicrosoft.com", None, false);
    sim.set_token_lifetime(10_000_000_000_000_000_000);
    let graph = client(&sim);
    assert_eq!(graph.account(&id).await, Ok(AccountState::Disabled));
    assert_eq!(graph.account(&id).await, Ok(AccountState::Disabled));
    assert_eq!(sim.counts().token, 1, "the token is cached as usual");
    assert_eq!(graph.tenant_id().await.unwrap(), sim.tenant_id());
}

#[tokio::test(flavor = "multi_thread")]
async fn truncated_replies_are_retried_then_fail_never_giving_a_state() {
    let sim = seeded(11);
    let users = alternating(&sim, 60);
    let ids: Vec<String> = users.iter().map(|(id, _)| id.clone()).collect();
    let truth: HashMap<&str, AccountState> =
        users.iter().map(|(id, s)| (id.as_str(), *s)).collect();
    let graph = client(&sim);

    sim.set_faults(Faults {
        truncated_rate: 1.0,
        ..Faults::default()
    });
    sim.reset_counts();
    let err = graph.account(&ids[0]).await.unwrap_err();
    assert!(matches!(err, GraphError::Malformed { .. }), "{err:?}");
    assert_eq!(err.code(), "entra_malformed_reply");
    assert_eq!(sim.counts().truncated, 3, "one try and two retries");
    for (id, result) in graph.accounts(&ids).await {
        assert!(
            matches!(result, Err(GraphError::Malformed { .. })),
            "{id}: {result:?}"
        );
    }
    let listing = bounded("listing", graph.for_each_account(|_| {})).await;
    assert!(
        matches!(listing, Err(GraphError::Malformed { .. })),
        "{listing:?}"
    );
    let delta = bounded("delta", graph.delta_from_now()).await;
    assert!(
        matches!(delta, Err(GraphError::Malformed { .. })),
        "{delta:?}"
    );

    // Now and then: each user gets the truth, or an error; the retries mostly heal.
    sim.set_faults(Faults {
        truncated_rate: 0.3,
        ..Faults::default()
    });
    sim.reset_counts();
    let results = graph.accounts(&ids).await;
    assert_eq!(results.len(), ids.len());
    for (id, result) in &results {
        match result {
            Ok(state) => assert_eq!(*state, truth[id.as_str()], "{id}"),
            Err(e) => assert!(matches!(e, GraphError::Malformed { .. }), "{id}: {e:?}"),
        }
    }
    assert!(results.values().any(Result::is_ok));
    for (id, state) in &users[..10] {
        match graph.account(id).await {
            Ok(read) => assert_eq!(read, *state, "{id}"),
            Err(e) => assert!(matches!(e, GraphError::Malformed { .. }), "{id}: {e:?}"),
        }
    }
    let mut listed = HashMap::new();
    match bounded(
        "listing",
        graph.for_each_account(|account| {
            listed.insert(account.object_id.clone(), account.state());
        }),
    )
    .await
    {
        Ok(()) => {
            for (id, state) in &listed {
                assert_eq!(*state, truth[id.as_str()], "{id}");
            }
        }
        Err(e) => assert!(matches!(e, GraphError::Malformed { .. }), "{e:?}"),
    }
    assert!(sim.counts().truncated > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_about_another_user_is_an_error_for_that_user() {
    let sim = seeded(5);
    let users = alternating(&sim, 40);
    let ids: Vec<String> = users.iter().map(|(id, _)| id.clone()).collect();
    let graph = client(&sim);

    sim.set_faults(Faults {
        wrong_id_rate: 0.3,
        ..Faults::default()
    });
    let results = graph.accounts(&ids).await;
    let mut wrong = 0;
    for (id, state) in &users {
        match &results[id] {
            Ok(read) => assert_eq!(read, state, "{id}"),
            Err(GraphError::WrongUser { asked, answered }) => {
                assert_eq!(asked, id);
                assert_ne!(answered, id);
                wrong += 1;
            }
            Err(e) => panic!("{id}: {e:?}"),
        }
    }
    assert!(wrong > 0);
    assert_eq!(wrong, sim.counts().wrong_id);

    sim.set_faults(Faults {
        wrong_id_rate: 1.0,
        ..Faults::default()
    });
    let err = graph.account(&ids[0]).await.unwrap_err();
    assert!(
        matches!(&err, GraphError::WrongUser { asked, .. } if *asked == ids[0]),
        "{err:?}"
    );
    assert_eq!(err.code(), "entra_wrong_user");

    // Object ids are GUIDs: the same id in capitals is the same user.
    sim.set_faults(Faults::default());
    assert_eq!(
        graph.account(&ids[1].to_uppercase()).await,
        Ok(AccountState::Disabled)
    );
    let upper = [ids[0].to_uppercase()];
    assert_eq!(
        graph.accounts(&upper).await[&upper[0]],
        Ok(AccountState::Enabled)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn self_linking_pages_end_in_an_error() {
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    sim.add_users(5, "contoso.onmicrosoft.com");
    let graph = client(&sim);
    let saved_link = graph.delta_from_now().await.unwrap();

    sim.set_faults(Faults {
        self_linking_pages: true,
        ..Faults::default()
    });
    sim.reset_counts();
    let mut seen = 0;
    let listing = bounded("listing", graph.for_each_account(|_| seen += 1)).await;
    let err = listing.unwrap_err();
    assert!(
        matches!(err, GraphError::EndlessPaging { repeated: true, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "entra_endless_paging");
    assert!(err.to_string().contains("the list of users"), "{err}");
    assert!(sim.counts().user_list <= 2, "{:?}", sim.counts());

    let from_now = bounded("delta from now", graph.delta_from_now()).await;
    assert!(
        matches!(from_now, Err(GraphError::EndlessPaging { .. })),
        "{from_now:?}"
    );
    let changes = bounded("delta", graph.delta_changes(&saved_link, |_, _, _| {})).await;
    let err = changes.unwrap_err();
    assert!(matches!(err, GraphError::EndlessPaging { .. }), "{err:?}");
    assert!(err.to_string().contains("changed users"), "{err}");
    assert!(sim.counts().delta <= 4, "{:?}", sim.counts());
}

#[tokio::test(flavor = "multi_thread")]
async fn absurd_retry_after_values_neither_panic_nor_stall() {
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    let ids = sim.add_users(3, "contoso.onmicrosoft.com");
    let graph = client(&sim);
    graph.account(&ids[0]).await.unwrap();
    for retry_after in [1e19, f64::INFINITY, f64::NAN, -1.0] {
        sim.set_faults(Faults {
            throttle_rate: 1.0,
            retry_after_secs: Some(retry_after),
            ..Faults::default()
        });
        let started = Instant::now();
        let single = graph.account(&ids[0]).await;
        assert!(
            matches!(single, Err(GraphError::Throttled { .. })),
            "{retry_after}: {single:?}"
        );
        for (id, result) in graph.accounts(&ids).await {
            assert!(
                matches!(result, Err(GraphError::Throttled { .. })),
                "{retry_after} {id}: {result:?}"
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{retry_after}: waited {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tenant_id_comes_from_the_token_at_no_cost() {
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    let id = sim.add_user("adele@contoso.onmicrosoft.com", None, true);
    let by_guid = client(&sim);
    // Connected by domain name, the settings still work once the domain names another tenant.
    let graph = client_for(&sim, "contoso.onmicrosoft.com");

    // On its own: the one token request any first call makes, and nothing else.
    assert_eq!(graph.tenant_id().await.unwrap(), sim.tenant_id());
    assert_eq!(sim.counts().total, 1);
    assert_eq!(sim.counts().token, 1);
    assert_eq!(graph.requests_sent(), 1);

    // After reads: free.
    graph.account(&id).await.unwrap();
    let (sent, seen) = (graph.requests_sent(), sim.counts());
    assert_eq!(graph.tenant_id().await.unwrap(), sim.tenant_id());
    assert_eq!((graph.requests_sent(), sim.counts()), (sent, seen));

    // The same URL and settings, another directory: the token says so. (The stale reply
    // about `id` below is why a sync must compare the tenant before believing a 404.)
    by_guid.account(&id).await.unwrap();
    let old = sim.tenant_id();
    let new = sim.switch_tenant();
    assert_ne!(new, old);
    let fresh = client_for(&sim, "contoso.onmicrosoft.com");
    assert_eq!(fresh.tenant_id().await.unwrap(), new);
    assert_eq!(graph.account(&id).await, Ok(AccountState::Deleted));
    assert_eq!(
        graph.tenant_id().await.unwrap(),
        new,
        "the refreshed token names the new tenant"
    );
    let err = by_guid.account(&id).await.unwrap_err();
    assert!(matches!(err, GraphError::TenantNotFound { .. }), "{err:?}");
}

/// Frequent checks pause after repeated throttling, even when every retry got through: the
/// client counts each 429 it was sent, single requests and `$batch` items alike.
#[tokio::test(flavor = "multi_thread")]
async fn every_429_is_counted_even_when_a_retry_gets_through() {
    let sim = seeded(15);
    let ids: Vec<String> = sim.add_users(40, "contoso.onmicrosoft.com");
    let graph = client(&sim);
    graph.account(&ids[0]).await.unwrap();
    assert_eq!(graph.throttled_replies(), 0);
    sim.set_faults(Faults {
        throttle_rate: 0.4,
        retry_after_secs: Some(0.0),
        ..Faults::default()
    });
    sim.reset_counts();
    for id in &ids[..10] {
        graph.account(id).await.unwrap();
    }
    assert!(graph.accounts(&ids).await.values().all(Result::is_ok));
    let sent = sim.counts().throttled;
    assert!(sent > 0, "the simulator throttled some");
    assert_eq!(graph.throttled_replies(), sent);
}
