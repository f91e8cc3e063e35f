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

use super::Org;

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

pub async fn connected(plan: Plan) -> Connected {
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    let mut org = super::org(plan);
    entra::connect(
        &mut org.store,
        &Actor::CommandLine,
        &input(&sim),
        &ClientSecret::new(sim.client_secret()),
    )
    .await
    .unwrap();
    Connected { org, sim }
}

impl Connected {
    /// A Microsoft sign-in user linked to a new, enabled Entra account of the same address.
    pub fn linked(&mut self, email: &str, role: Role) -> (User, String) {
        let oid = self.sim.add_user(email, Some(email), true);
        let user = directory::add_user(
            &mut self.org.store,
            &Actor::CommandLine,
            &NewUser {
                email: email.into(),
                display_name: email.split('@').next().unwrap().into(),
                role,
                sign_in: SignInMethod::Microsoft,
                entra_object_id: Some(oid.clone()),
            },
        )
        .unwrap();
        (user, oid)
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
