//! What both benchmarks start from: an Enterprise organization connected to a simulated
//! tenant, in a data directory of its own.

use graph_sim::Simulator;
use uniasset_core::access::Actor;
use uniasset_core::entra::{self, cloud::Cloud, ConnectionInput};
use uniasset_core::organization::{self, NewOrganization, Plan};
use uniasset_core::secrets::ClientSecret;
use uniasset_core::store::Store;

pub async fn connected(sim: &Simulator) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    organization::create(
        &mut store,
        &NewOrganization {
            name: "Bench".into(),
            plan: Plan::Enterprise,
            owner_email: "owner@bench.example".into(),
            owner_name: "Owner".into(),
            owner_password: None,
        },
        &Actor::CommandLine,
    )
    .unwrap();
    let input = ConnectionInput {
        tenant: sim.tenant_id(),
        client_id: sim.client_id(),
        cloud: Cloud::Custom,
        login_url: Some(sim.base_url()),
        graph_url: Some(sim.base_url()),
        secret_expires_on: None,
    };
    let secret = ClientSecret::new(sim.client_secret());
    entra::connect(&mut store, &Actor::CommandLine, &input, &secret)
        .await
        .unwrap();
    (dir, store)
}
