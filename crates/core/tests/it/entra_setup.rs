//! "Set it up for me" and "Renew secret" (R-E6) through real HTTP to the simulator's device
//! code sign-in and app registration, with the secret in the real keychain: what is made in
//! the tenant, the plain message for an account without the role, the ways a sign-in ends,
//! and that neither the new secret nor the administrator's token is kept anywhere else.

use graph_sim::{Faults, Simulator, TenantConfig};
use uniasset_core::access::Actor;
use uniasset_core::entra::{self, cloud::Cloud, ConnectionInput, EntraError, SetupTarget};
use uniasset_core::graph::GraphError;
use uniasset_core::organization::Plan;
use uniasset_core::secrets::{ClientSecret, Keychain};
use uniasset_core::store::Store;
use uniasset_core::sync::{self, RunResult, SyncRequest, Trigger};
use uniasset_core::ErrorCode;

const ADMIN: &str = "grace@contoso.onmicrosoft.com";
const CLERK: &str = "carl@contoso.onmicrosoft.com";
/// May register apps and add secrets, but not grant Microsoft Graph's application permissions.
const APP_ADMIN: &str = "abe@contoso.onmicrosoft.com";

fn tenant(config: TenantConfig) -> Simulator {
    let sim = Simulator::start(TenantConfig {
        device_code_interval_secs: 1,
        ..config
    })
    .unwrap();
    let admin = sim.add_user(ADMIN, Some(ADMIN), true);
    sim.set_roles(&admin, &["Global Administrator"]);
    sim.add_user(CLERK, Some(CLERK), true);
    let app_admin = sim.add_user(APP_ADMIN, Some(APP_ADMIN), true);
    sim.set_roles(&app_admin, &["Application Administrator"]);
    sim
}

fn target(sim: &Simulator) -> SetupTarget {
    SetupTarget {
        cloud: Cloud::Custom,
        login_url: Some(sim.base_url()),
        graph_url: Some(sim.base_url()),
    }
}

/// Runs "Set it up for me" with `account` approving the code.
async fn set_up(
    store: &mut Store,
    sim: &Simulator,
    account: &str,
) -> Result<entra::Connection, EntraError> {
    let (prompt, sign_in) = entra::begin_setup(store, &Actor::CommandLine, &target(sim)).await?;
    assert_eq!(
        sim.pending_device_codes(),
        std::slice::from_ref(&prompt.user_code)
    );
    assert!(prompt.verification_uri.starts_with(&sim.base_url()));
    assert!(prompt.message.contains(&prompt.user_code));
    sim.approve_device_code(&prompt.user_code, account).unwrap();
    entra::finish_setup(store, &Actor::CommandLine, sign_in).await
}

async fn renew(
    store: &mut Store,
    sim: &Simulator,
    account: &str,
) -> Result<entra::SecretRenewal, EntraError> {
    let (prompt, sign_in) = entra::begin_renewal(store, &Actor::CommandLine).await?;
    sim.approve_device_code(&prompt.user_code, account).unwrap();
    entra::finish_renewal(store, &Actor::CommandLine, sign_in).await
}

fn db_text(store: &Store) -> String {
    let mut bytes = std::fs::read(store.path()).unwrap();
    bytes.extend(std::fs::read(store.path().with_extension("db-wal")).unwrap_or_default());
    String::from_utf8_lossy(&bytes).into_owned()
}

fn secret(store: &Store) -> ClientSecret {
    Keychain::for_store(store).unwrap().load().unwrap()
}

/// Whether `secret` still gets a token for the connected app (and reads a user).
async fn works(store: &Store, secret: ClientSecret) -> Result<(), EntraError> {
    let c = entra::connection(store).unwrap().unwrap();
    let form = ConnectionInput {
        tenant: c.tenant,
        client_id: c.client_id,
        cloud: Cloud::Custom,
        login_url: Some(c.endpoints.login_url),
        graph_url: Some(c.endpoints.graph_url),
        secret_expires_on: None,
    };
    entra::test(&Actor::CommandLine, &form, &secret).await
}

async fn sync_now(store: &mut Store) -> sync::RunRecord {
    let request = SyncRequest {
        trigger: Trigger::Cli,
        dry_run: false,
        deadline: None,
    };
    sync::run_sync(store, &Actor::CommandLine, request)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn set_it_up_for_me_registers_the_app_and_connects() {
    let sim = tenant(TenantConfig::default());
    let mut org = testkit::org(Plan::Enterprise);
    let connection = set_up(&mut org.store, &sim, ADMIN).await.unwrap();

    let made: Vec<_> = sim
        .applications()
        .into_iter()
        .filter(|a| a.app_id != sim.client_id())
        .collect();
    assert_eq!(made.len(), 1, "one app registration: {made:?}");
    let app = &made[0];
    assert_eq!(app.display_name, "UniAsset Desktop — Northwind Traders");
    assert!(app.has_service_principal);
    assert_eq!(app.roles, ["User.Read.All"]);
    assert_eq!(app.key_ids.len(), 1);

    assert_eq!(connection.tenant, sim.tenant_id());
    assert_eq!(
        connection.tenant_id.as_deref(),
        Some(sim.tenant_id().as_str())
    );
    assert_eq!(connection.client_id, app.app_id);
    assert!(connection.set_up_by_uniasset);
    let in_a_year = (chrono::Utc::now() + chrono::Months::new(12)).date_naive();
    assert_eq!(connection.secret_expires_on, Some(in_a_year.to_string()));

    let secret = secret(&org.store);
    works(&org.store, secret.clone()).await.unwrap();
    assert_eq!(sync_now(&mut org.store).await.result, RunResult::Succeeded);

    let settings = entra::settings(&org.store).unwrap();
    assert!(!settings.renewal_due, "a fresh secret needs no renewal");
    assert_eq!(settings.secret_renewal, None);
    let text = db_text(&org.store);
    let exposed = format!("{secret:?}");
    assert!(!exposed.contains('~') && exposed.contains("redacted"));
    assert!(!text.contains("eyJ"), "no token in SQLite");
    let audit = uniasset_core::audit::page(&org.store, &Actor::CommandLine, &Default::default())
        .map(|page| serde_json::to_string(&page).unwrap())
        .unwrap();
    assert!(
        audit.contains(ADMIN),
        "the audit trail says who signed in: {audit}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_without_the_role_gets_the_plain_message_and_nothing_is_left() {
    let sim = tenant(TenantConfig::default());
    let mut org = testkit::org(Plan::Enterprise);
    let before = sim.applications().len();
    // No role: refused at the first step. An Application Administrator: the app is made, the
    // grant of User.Read.All refused, and the app deleted again.
    for account in [CLERK, APP_ADMIN] {
        let err = set_up(&mut org.store, &sim, account).await.unwrap_err();
        assert_eq!(err.code(), "entra_admin_role_needed", "{err}");
        let message = err.to_string();
        assert!(
            message.starts_with(&format!(
                "{account} signed in, but may not register UniAsset and grant it User.Read.All"
            )),
            "{message}"
        );
        assert!(message.contains("Global Administrator"), "{message}");
        assert!(message.contains("guided steps"), "{message}");
        assert_eq!(
            sim.applications().len(),
            before,
            "no app registration is left behind"
        );
    }
    assert!(entra::connection(&org.store).unwrap().is_none());
    assert!(Keychain::for_store(&org.store).unwrap().load().is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancel_counts_until_the_first_change_in_the_tenant() {
    let sim = tenant(TenantConfig::default());
    let mut org = testkit::org(Plan::Enterprise);
    let by = Actor::CommandLine;
    // Approved, but cancelled before the setup's first write: nothing is made.
    let (prompt, sign_in) = entra::begin_setup(&mut org.store, &by, &target(&sim))
        .await
        .unwrap();
    let cancel = sign_in.canceller();
    sim.approve_device_code(&prompt.user_code, ADMIN).unwrap();
    assert!(cancel.cancel(), "in time");
    let err = entra::finish_setup(&mut org.store, &by, sign_in)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "entra_sign_in_cancelled", "{err}");
    assert_eq!(sim.applications().len(), 1, "nothing was registered");

    // After a finished setup the same handle is too late.
    let (prompt, sign_in) = entra::begin_setup(&mut org.store, &by, &target(&sim))
        .await
        .unwrap();
    let cancel = sign_in.canceller();
    sim.approve_device_code(&prompt.user_code, ADMIN).unwrap();
    entra::finish_setup(&mut org.store, &by, sign_in)
        .await
        .unwrap();
    assert!(!cancel.cancel(), "too late: the tenant has changed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_renewal_whose_connection_went_meanwhile_switches_nothing_and_leaves_no_secret() {
    let sim = tenant(TenantConfig::default());
    let mut org = testkit::org(Plan::Enterprise);
    set_up(&mut org.store, &sim, ADMIN).await.unwrap();
    let client_id = entra::connection(&org.store).unwrap().unwrap().client_id;
    let (prompt, sign_in) = entra::begin_renewal(&mut org.store, &Actor::CommandLine)
        .await
        .unwrap();
    let mut window = org.store.another().unwrap();
    // Disconnected (elsewhere) while the administrator was signing in.
    let meanwhile = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        entra::disconnect(&mut window, &Actor::CommandLine).unwrap();
        sim.approve_device_code(&prompt.user_code, ADMIN).unwrap();
    };
    let (renewed, ()) = tokio::join!(
        entra::finish_renewal(&mut org.store, &Actor::CommandLine, sign_in),
        meanwhile
    );
    let err = renewed.unwrap_err();
    assert_eq!(err.code(), "connection_changed", "{err}");
    assert!(
        Keychain::for_store(&org.store).unwrap().load().is_err(),
        "no secret in the keychain after a disconnect"
    );
    let app = sim
        .applications()
        .into_iter()
        .find(|a| a.app_id == client_id)
        .unwrap();
    assert_eq!(app.key_ids.len(), 1, "the new secret was removed again");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_ends_plainly_when_declined_expired_or_cancelled() {
    let sim = tenant(TenantConfig {
        device_code_lifetime_secs: 2,
        ..TenantConfig::default()
    });
    let mut org = testkit::org(Plan::Enterprise);
    let by = Actor::CommandLine;

    let (prompt, sign_in) = entra::begin_setup(&mut org.store, &by, &target(&sim))
        .await
        .unwrap();
    sim.decline_device_code(&prompt.user_code).unwrap();
    let err = entra::finish_setup(&mut org.store, &by, sign_in)
        .await
        .unwrap_err();
    assert!(
        matches!(err, EntraError::Graph(GraphError::SignInDeclined)),
        "{err:?}"
    );

    let (_, sign_in) = entra::begin_setup(&mut org.store, &by, &target(&sim))
        .await
        .unwrap();
    let err = entra::finish_setup(&mut org.store, &by, sign_in)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "entra_sign_in_expired", "{err}");

    let (_, sign_in) = entra::begin_setup(&mut org.store, &by, &target(&sim))
        .await
        .unwrap();
    sign_in.canceller().cancel();
    let err = entra::finish_setup(&mut org.store, &by, sign_in)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "entra_sign_in_cancelled", "{err}");

    assert!(entra::connection(&org.store).unwrap().is_none());
    assert_eq!(sim.applications().len(), 1, "only the tenant's own app");
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_down_makes_the_app_poll_less_often_and_still_finish() {
    let sim = tenant(TenantConfig::default());
    sim.set_faults(Faults {
        slow_down_polls: 1,
        ..Faults::default()
    });
    let mut org = testkit::org(Plan::Enterprise);
    let started = std::time::Instant::now();
    set_up(&mut org.store, &sim, ADMIN).await.unwrap();
    // One poll at 1 s answered slow_down; the next waits 1 + 5 s (RFC 8628).
    assert!(started.elapsed() >= std::time::Duration::from_secs(6));
}

#[tokio::test(flavor = "multi_thread")]
async fn renewing_swaps_the_secret_and_the_old_one_gets_no_token() {
    let sim = tenant(TenantConfig::default());
    let mut org = testkit::org(Plan::Enterprise);
    set_up(&mut org.store, &sim, ADMIN).await.unwrap();
    let old = secret(&org.store);

    let renewal = renew(&mut org.store, &sim, ADMIN).await.unwrap();
    let new = secret(&org.store);
    assert_ne!(new, old);
    assert!(
        renewal.old_secret.starts_with("The old secret was removed"),
        "{}",
        renewal.old_secret
    );
    let err = works(&org.store, old).await.unwrap_err();
    assert_eq!(err.code(), "entra_wrong_secret", "{err}");
    works(&org.store, new).await.unwrap();
    assert_eq!(sync_now(&mut org.store).await.result, RunResult::Succeeded);
    let app = sim
        .applications()
        .into_iter()
        .find(|a| a.app_id == entra::connection(&org.store).unwrap().unwrap().client_id)
        .unwrap();
    assert_eq!(app.key_ids.len(), 1, "only the new secret is left");

    // Without a role, nothing changes; an Application Administrator may renew.
    let err = renew(&mut org.store, &sim, CLERK).await.unwrap_err();
    assert_eq!(err.code(), "entra_admin_role_needed");
    assert!(
        err.to_string().contains("may not add a client secret"),
        "{err}"
    );
    works(&org.store, secret(&org.store)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_entered_by_hand_is_renewed_and_replaced_by_its_hint() {
    let sim = tenant(TenantConfig::default());
    let mut org = testkit::org(Plan::Enterprise);
    testkit::tenant::connect(&mut org.store, &sim, &sim.tenant_id()).await;
    let typed = ClientSecret::new(sim.client_secret());

    let renewal = renew(&mut org.store, &sim, ADMIN).await.unwrap();
    assert!(
        renewal.old_secret.starts_with("The old secret was removed"),
        "{}",
        renewal.old_secret
    );
    let err = works(&org.store, typed).await.unwrap_err();
    assert_eq!(err.code(), "entra_wrong_secret", "{err}");
    works(&org.store, secret(&org.store)).await.unwrap();
    let connection = entra::connection(&org.store).unwrap().unwrap();
    assert!(
        !connection.set_up_by_uniasset,
        "the app is still the one entered by hand"
    );
    assert!(
        connection.secret_expires_on.is_some(),
        "the new secret's expiry is known"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_admins_may_set_up_or_renew() {
    let sim = tenant(TenantConfig::default());
    let mut org = testkit::team(Plan::Enterprise);
    let member = org.actor(testkit::MEMBER_EMAIL);
    let err = entra::begin_setup(&mut org.store, &member, &target(&sim))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "needs_admin", "{err}");
    let err = entra::begin_renewal(&mut org.store, &Actor::CommandLine)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "entra_not_connected", "{err}");
    assert!(
        sim.pending_device_codes().is_empty(),
        "no sign-in was started"
    );
}
