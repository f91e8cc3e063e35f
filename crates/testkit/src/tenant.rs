//! An organization connected to its own Graph simulator on 127.0.0.1, with the client
//! secret in the real keychain (run the tests under scripts/with-keyring.sh).

use graph_sim::{Simulator, TenantConfig};
use uniasset_core::access::Actor;
use uniasset_core::directory::{self, NewUser, Role, SignInMethod, User};
use uniasset_core::entra::{self, cloud::Cloud, ConnectionInput};
use uniasset_core::organization::Plan;
use uniasset_core::secrets::ClientSecret;
use uniasset_core::store::Store;
use uniasset_core::sync::{self, RunRecord, SyncRequest, Trigger};

use crate::org::Org;

pub struct Connected {
    pub org: Org,
    pub sim: Simulator,
}

pub fn input(sim: &Simulator) -> ConnectionInput {
    ConnectionInput {
        tenant: sim.tenant_id(),
        client_id: sim.client_id(),
        cloud: Cloud::Custom,
        login_url: Some(sim.base_url()),
        graph_url: Some(sim.base_url()),
        secret_expires_on: None,
    }
}

/// Connects `store` to `sim`, the tenant typed as `tenant` (its GUID or a verified domain).
pub async fn connect(store: &mut Store, sim: &Simulator, tenant: &str) {
    let form = ConnectionInput {
        tenant: tenant.into(),
        ..input(sim)
    };
    entra::connect(
        store,
        &Actor::CommandLine,
        &form,
        &ClientSecret::new(sim.client_secret()),
    )
    .await
    .unwrap();
}

/// The simulator's verified domain.
pub const DOMAIN: &str = "contoso.onmicrosoft.com";

/// Northwind on `plan`, connected to a simulator of its own.
pub async fn connected(plan: Plan) -> Connected {
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    let org = connected_to(&sim, plan).await;
    Connected { org, sim }
}

/// Northwind on `plan`, connected to `sim` (one started with a configuration of its own).
pub async fn connected_to(sim: &Simulator, plan: Plan) -> Org {
    let mut org = crate::org::org(plan);
    connect(&mut org.store, sim, &sim.tenant_id()).await;
    org
}

impl Connected {
    /// A Microsoft sign-in user linked to a new, enabled Entra account of the same address.
    pub fn linked(&mut self, email: &str, role: Role) -> (User, String) {
        let oid = self.sim.add_user(email, Some(email), true);
        (self.link(email, &oid, role), oid)
    }

    /// A Microsoft sign-in user linked to the existing Entra account `oid`.
    pub fn link(&mut self, email: &str, oid: &str, role: Role) -> User {
        directory::add_user(
            &mut self.org.store,
            &Actor::CommandLine,
            &NewUser {
                email: email.into(),
                display_name: email.split('@').next().unwrap().into(),
                role,
                sign_in: SignInMethod::Microsoft,
                entra_object_id: Some(oid.into()),
            },
            None,
        )
        .unwrap()
    }

    pub async fn sync(&mut self) -> RunRecord {
        sync_store(&mut self.org.store, Trigger::Manual, false).await
    }

    pub async fn dry_run(&mut self) -> RunRecord {
        sync_store(&mut self.org.store, Trigger::Manual, true).await
    }
}

pub async fn sync_store(store: &mut Store, trigger: Trigger, dry_run: bool) -> RunRecord {
    sync::run_sync(
        store,
        &Actor::CommandLine,
        SyncRequest {
            trigger,
            dry_run,
            deadline: None,
        },
    )
    .await
    .unwrap()
}

/// A run started by the scheduler: the nightly one, or a frequent check.
pub async fn automatic(store: &mut Store, trigger: Trigger) -> RunRecord {
    sync::run_sync(
        store,
        &Actor::EntraSync,
        SyncRequest {
            trigger,
            dry_run: false,
            deadline: None,
        },
    )
    .await
    .unwrap()
}

/// Northwind (Enterprise) connected to `sim` with a Microsoft sign-in user linked to each of
/// `object_ids` (`user000001@northwind.example`, …, imported in one CSV), auto-deprovisioning
/// on and checks every 5 minutes: the benchmarks' large organization.
pub async fn everyone_linked(sim: &Simulator, object_ids: &[String]) -> Org {
    let mut org = connected_to(sim, Plan::Enterprise).await;
    let mut csv = format!("{}\n", directory::CSV_HEADER);
    for (i, oid) in object_ids.iter().enumerate() {
        csv += &format!(
            "user{:06}@northwind.example,User {i},member,microsoft,{oid}\n",
            i + 1
        );
    }
    directory::import_csv(&mut org.store, &Actor::CommandLine, csv.as_bytes()).unwrap();
    let guard = entra::settings(&org.store).unwrap().guard;
    entra::save(&mut org.store, &Actor::CommandLine, true, guard).unwrap();
    entra::set_check_interval(&mut org.store, &Actor::CommandLine, Some(5)).unwrap();
    org
}
