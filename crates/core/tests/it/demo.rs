//! The demo organization against its simulated tenant: Sync Now deactivates exactly the
//! demo's disabled and deleted Microsoft users, and matching links the unlinked ones.

use graph_sim::{SeedAccount, Simulator, TenantConfig};
use uniasset_core::demo;
use uniasset_core::directory::{self, DeactivationReason, UserQuery, UserStatus};
use uniasset_core::entra;
use uniasset_core::secrets::ClientSecret;
use uniasset_core::sync::{self, RunResult, SyncRequest, Trigger};

fn demo_tenant() -> Simulator {
    let sim = Simulator::start(TenantConfig {
        tenant_id: demo::TENANT_ID.into(),
        client_id: demo::CLIENT_ID.into(),
        ..TenantConfig::default()
    })
    .unwrap();
    let accounts: Vec<SeedAccount> = demo::tenant_accounts()
        .into_iter()
        .map(|a| SeedAccount {
            id: a.object_id,
            upn: a.user_principal_name,
            enabled: a.enabled,
            deleted: a.deleted,
            guest: false,
            name: None,
            roles: Vec::new(),
        })
        .collect();
    sim.seed(&accounts);
    sim
}

async fn sync_now(
    store: &mut uniasset_core::store::Store,
    owner: &uniasset_core::access::Actor,
) -> sync::RunRecord {
    let request = SyncRequest {
        trigger: Trigger::Manual,
        dry_run: false,
        deadline: None,
    };
    sync::run_sync(store, owner, request).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_shows_sync_now_working() {
    let mut org = testkit::empty_store();
    let signed_in = demo::set_up(&mut org.store).unwrap();
    assert_eq!(signed_in.user.email, demo::OWNER_EMAIL);
    assert!(demo::is_demo(&org.store).unwrap());
    assert!(uniasset_core::organization::get(&org.store).unwrap().demo);
    assert!(org.count("users") >= 40);
    assert!(
        org.count("assets") >= 10
            && org.count("maintenance_logs") > 0
            && org.count("documents") > 0
    );

    let sim = demo_tenant();
    demo::connect_simulator(
        &mut org.store,
        &sim.base_url(),
        &ClientSecret::new(sim.client_secret()),
    )
    .await
    .unwrap();
    let owner = org.actor(demo::OWNER_EMAIL);
    let run = sync_now(&mut org.store, &owner).await;
    assert_eq!(run.result, RunResult::Succeeded, "{run:?}");
    assert_eq!(
        (
            run.counts.disabled_found,
            run.counts.deleted_found,
            run.counts.deactivated
        ),
        (3, 2, 5)
    );
    let gone = directory::list_users(
        &org.store,
        &UserQuery {
            status: Some(UserStatus::Deactivated),
            ..Default::default()
        },
    )
    .unwrap();
    let reasons: Vec<_> = gone.users.iter().map(|u| u.deactivation_reason).collect();
    assert_eq!(
        reasons
            .iter()
            .filter(|r| **r == Some(DeactivationReason::DisabledInEntra))
            .count(),
        3
    );

    let report = entra::match_accounts(&mut org.store, &owner).await.unwrap();
    assert_eq!(report.matched.len(), 2, "{report:?}");

    // A restart brings a new simulator on a new port; reconnecting keeps working.
    drop(sim);
    let sim = demo_tenant();
    demo::connect_simulator(
        &mut org.store,
        &sim.base_url(),
        &ClientSecret::new(sim.client_secret()),
    )
    .await
    .unwrap();
    let again = sync_now(&mut org.store, &owner).await;
    assert_eq!(again.result, RunResult::Succeeded, "{again:?}");
    assert_eq!(again.counts.deactivated, 0);
}
