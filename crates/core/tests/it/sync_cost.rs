//! R-S7's cost bound, counted by the simulator itself: a first sync of a tenant costs at
//! most ⌈users / 999⌉ + 2 requests, and a second one after 50 changes at most 5, however
//! large the tenant.

use testkit::tenant::connected;
use uniasset_core::access::Actor;
use uniasset_core::directory::{self, NewUser, Role, SignInMethod};
use uniasset_core::organization::Plan;

#[tokio::test(flavor = "multi_thread")]
async fn a_100k_user_tenant_costs_101_pages_once_then_a_handful() {
    const TENANT: usize = 100_000;
    let mut t = connected(Plan::Enterprise).await;
    let oids = t.sim.add_users(TENANT - 1, "northwind.example");
    // The organization links 500 of the tenant's accounts.
    let owner = Actor::CommandLine;
    for (i, oid) in oids.iter().take(500).enumerate() {
        directory::add_user(
            &mut t.org.store,
            &owner,
            &NewUser {
                email: format!("user{:05}@northwind.example", i + 1),
                display_name: format!("User {i}"),
                role: Role::Member,
                sign_in: SignInMethod::Microsoft,
                entra_object_id: Some(oid.clone()),
            },
            None,
        )
        .unwrap();
    }

    t.sim.reset_counts();
    let first = t.sync().await;
    let cost = t.sim.counts().total;
    assert_eq!(first.counts.checked, 500);
    let bound = TENANT.div_ceil(999) as u64 + 2;
    assert!(
        cost <= bound,
        "first sync cost {cost} requests, bound {bound}"
    );
    assert_eq!(
        first.graph_requests, cost,
        "the run record counts what the tenant saw"
    );

    for oid in &oids[..25] {
        t.sim.set_enabled(oid, false);
    }
    for oid in &oids[1000..1025] {
        t.sim.set_enabled(oid, false);
    }
    t.sim.reset_counts();
    let second = t.sync().await;
    let cost = t.sim.counts().total;
    assert!(cost <= 5, "second sync cost {cost} requests");
    assert_eq!(
        second.counts.deactivated, 25,
        "only the linked ones are deactivated"
    );
}
