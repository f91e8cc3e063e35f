//! Connecting Entra (R-E1…R-E5) through real HTTP to the simulator, with the secret in the
//! real keychain: plain-language failures, nothing saved on failure, disconnect, the
//! secret nowhere but the keychain, matching accounts, reactivation with Entra in mind.

use graph_sim::{Simulator, TenantConfig};
use testkit::tenant::{connect, connected, input, DOMAIN};
use uniasset_core::access::Actor;
use uniasset_core::directory::{self, NewUser, Role, SignInMethod, UserStatus};
use uniasset_core::entra::{self, cloud::Cloud, EntraError, ReactivationError};
use uniasset_core::organization::Plan;
use uniasset_core::secrets::{ClientSecret, Keychain};
use uniasset_core::ErrorCode;

fn db_text(org: &testkit::Org) -> String {
    let mut bytes = std::fs::read(org.store.path()).unwrap();
    bytes.extend(std::fs::read(org.store.path().with_extension("db-wal")).unwrap_or_default());
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_keeps_the_secret_only_in_the_keychain() {
    let t = connected(Plan::Enterprise).await;
    let secret = t.sim.client_secret();
    assert_eq!(
        Keychain::for_store(&t.org.store).unwrap().load().unwrap(),
        ClientSecret::new(secret.clone())
    );
    assert!(
        !db_text(&t.org).contains(&secret),
        "the secret is not in SQLite"
    );
    let settings = entra::settings(&t.org.store).unwrap();
    assert!(
        !serde_json::to_string(&settings).unwrap().contains(&secret),
        "nor in what the window receives"
    );
    let c = settings.connection.unwrap();
    assert_eq!(c.tenant, t.sim.tenant_id());
    assert_eq!(c.endpoints.graph_url, t.sim.base_url());
    let mut t = t;
    entra::test_saved(&mut t.org.store).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn test_connection_failures_are_in_plain_language_and_save_nothing() {
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    let mut org = testkit::org(Plan::Enterprise);
    let right = ClientSecret::new(sim.client_secret());
    let cases: Vec<(entra::ConnectionInput, ClientSecret, &str, &str)> = vec![
        (
            {
                let mut i = input(&sim);
                i.tenant = "00000000-0000-0000-0000-000000000001".into();
                i
            },
            right.clone(),
            "entra_tenant_not_found",
            "AADSTS90002",
        ),
        (
            {
                let mut i = input(&sim);
                i.client_id = "00000000-0000-0000-0000-000000000002".into();
                i
            },
            right.clone(),
            "entra_app_not_found",
            "AADSTS700016",
        ),
        (
            input(&sim),
            ClientSecret::new("not-the-secret"),
            "entra_wrong_secret",
            "AADSTS7000215",
        ),
        (
            {
                let mut i = input(&sim);
                i.login_url = Some("http://127.0.0.1:9".into());
                i
            },
            right.clone(),
            "entra_unreachable",
            "",
        ),
        (
            {
                let mut i = input(&sim);
                i.graph_url = Some("http://graph.example.com".into());
                i
            },
            right.clone(),
            "invalid_endpoint",
            "",
        ),
        (
            {
                let mut i = input(&sim);
                i.cloud = Cloud::Custom;
                i.graph_url = None;
                i
            },
            right.clone(),
            "invalid_endpoint",
            "",
        ),
        (input(&sim), ClientSecret::new("  "), "empty_secret", ""),
    ];
    for (input, secret, code, microsoft) in cases {
        let err = entra::connect(&mut org.store, &Actor::CommandLine, &input, &secret)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{err}");
        assert!(err.to_string().contains(microsoft), "{err}");
        assert!(
            !err.to_string().contains(&sim.client_secret()),
            "errors never carry the secret"
        );
        assert!(
            entra::connection(&org.store).unwrap().is_none(),
            "nothing saved"
        );
        assert!(matches!(
            Keychain::for_store(&org.store).unwrap().load(),
            Err(uniasset_core::secrets::SecretError::Missing)
        ));
    }

    sim.set_secret_expired(true);
    let err = entra::test(&Actor::CommandLine, &input(&sim), &right)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "entra_secret_expired");
    assert!(
        err.to_string()
            .starts_with("The client secret has expired."),
        "{err}"
    );
    sim.set_secret_expired(false);

    sim.set_permission_granted(false);
    let err = entra::test(&Actor::CommandLine, &input(&sim), &right)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "entra_permission_missing");
    assert!(
        err.to_string().contains("Authorization_RequestDenied"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnect_removes_the_secret_and_turns_auto_deprovision_off() {
    let mut t = connected(Plan::Enterprise).await;
    // An enabled colleague: a run that would leave nobody enabled is held instead.
    t.linked("colleague@northwind.example", Role::Member);
    let (_, oid) = {
        let oid = t.sim.add_user("ann@northwind.example", None, true);
        (
            directory::add_user(
                &mut t.org.store,
                &Actor::CommandLine,
                &NewUser {
                    email: "ann@northwind.example".into(),
                    display_name: "Ann".into(),
                    role: Role::Member,
                    sign_in: SignInMethod::Microsoft,
                    entra_object_id: Some(oid.clone()),
                },
                None,
            )
            .unwrap(),
            oid,
        )
    };
    entra::set_auto_deprovision(&mut t.org.store, &Actor::CommandLine, true).unwrap();
    t.sim.set_enabled(&oid, false);
    t.sync().await;
    assert_eq!(
        t.org.user("ann@northwind.example").status,
        UserStatus::Deactivated
    );

    entra::disconnect(&mut t.org.store, &Actor::CommandLine).unwrap();
    let settings = entra::settings(&t.org.store).unwrap();
    assert!(settings.connection.is_none());
    assert!(!settings.auto_deprovision);
    assert!(matches!(
        Keychain::for_store(&t.org.store).unwrap().load(),
        Err(uniasset_core::secrets::SecretError::Missing)
    ));
    assert_eq!(
        t.org.user("ann@northwind.example").status,
        UserStatus::Deactivated,
        "nobody is reactivated"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_toggle_needs_enterprise_a_connection_and_an_admin() {
    let mut t = connected(Plan::Team).await;
    let err = entra::set_auto_deprovision(&mut t.org.store, &Actor::CommandLine, true).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Auto-deprovisioning needs the Enterprise plan; this organization is on the Team plan."
    );

    let mut org = testkit::org(Plan::Enterprise);
    let err = entra::set_auto_deprovision(&mut org.store, &Actor::CommandLine, true).unwrap_err();
    assert!(matches!(err, EntraError::NotConnected));

    let mut t = connected(Plan::Enterprise).await;
    t.org.add(
        "adam@northwind.example",
        Role::Admin,
        SignInMethod::Password,
    );
    t.org.add(
        "mia@northwind.example",
        Role::Member,
        SignInMethod::Password,
    );
    let (member, admin) = (
        t.org.actor("mia@northwind.example"),
        t.org.actor("adam@northwind.example"),
    );
    let err = entra::set_auto_deprovision(&mut t.org.store, &member, true).unwrap_err();
    assert_eq!(err.code(), "needs_admin");
    let err = entra::disconnect(&mut t.org.store, &member).unwrap_err();
    assert_eq!(err.code(), "needs_admin");
    let on = entra::set_auto_deprovision(&mut t.org.store, &admin, true).unwrap();
    assert!(on.auto_deprovision && on.enabled_at.is_some());
    let off = entra::set_auto_deprovision(&mut t.org.store, &admin, false).unwrap();
    assert!(!off.auto_deprovision);
}

#[tokio::test(flavor = "multi_thread")]
async fn matching_links_single_exact_matches_and_lists_the_rest() {
    let mut t = connected(Plan::Enterprise).await;
    let ann = t
        .sim
        .add_user("ann@northwind.example", Some("ann@northwind.example"), true);
    let bob = t.sim.add_user(
        "robert@northwind.example",
        Some("bob@northwind.example"),
        true,
    );
    t.sim.add_user(
        "twin1@northwind.example",
        Some("twins@northwind.example"),
        true,
    );
    t.sim.add_user(
        "twin2@northwind.example",
        Some("twins@northwind.example"),
        true,
    );
    for email in [
        "ann@northwind.example",
        "bob@northwind.example",
        "twins@northwind.example",
        "ghost@northwind.example",
    ] {
        directory::add_user(
            &mut t.org.store,
            &Actor::CommandLine,
            &NewUser {
                email: email.into(),
                display_name: email.into(),
                role: Role::Member,
                sign_in: SignInMethod::Microsoft,
                entra_object_id: None,
            },
            None,
        )
        .unwrap();
    }
    let report = entra::match_accounts(&mut t.org.store, &Actor::CommandLine)
        .await
        .unwrap();
    let matched: Vec<_> = report
        .matched
        .iter()
        .map(|m| (m.email.as_str(), m.entra_object_id.as_str()))
        .collect();
    assert_eq!(
        matched,
        vec![
            ("ann@northwind.example", ann.as_str()),
            ("bob@northwind.example", bob.as_str())
        ]
    );
    let unmatched: Vec<_> = report.unmatched.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(
        unmatched,
        vec!["ghost@northwind.example", "twins@northwind.example"]
    );
    assert!(report.unmatched[1].reason.contains("several"));
    assert_eq!(
        t.org
            .user("bob@northwind.example")
            .entra_object_id
            .as_deref(),
        Some(bob.as_str())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reactivating_someone_entra_still_disables_needs_confirmation() {
    let mut t = connected(Plan::Enterprise).await;
    // An enabled colleague: a run that would leave nobody enabled is held instead.
    t.linked("colleague@northwind.example", Role::Member);
    let (leo, oid) = t.linked("leo@northwind.example", Role::Member);
    entra::set_auto_deprovision(&mut t.org.store, &Actor::CommandLine, true).unwrap();
    t.sim.set_enabled(&oid, false);
    t.sync().await;

    let err = entra::reactivate(&mut t.org.store, &Actor::CommandLine, leo.id, false)
        .await
        .unwrap_err();
    let ReactivationError::NeedsConfirmation(check) = &err else {
        panic!("{err:?}")
    };
    assert!(check.live);
    assert_eq!(check.state, "disabled");
    assert!(
        err.to_string()
            .contains("the next nightly sync will deactivate them again"),
        "{err}"
    );
    assert_eq!(
        t.org.user("leo@northwind.example").status,
        UserStatus::Deactivated
    );

    // Graph unreachable: the last known state stands in, and says so.
    let testkit::tenant::Connected { mut org, sim } = t;
    drop(sim);
    let err = entra::reactivate(&mut org.store, &Actor::CommandLine, leo.id, false)
        .await
        .unwrap_err();
    let ReactivationError::NeedsConfirmation(check) = &err else {
        panic!("{err:?}")
    };
    assert!(!check.live);
    assert!(err.to_string().contains("last known state"), "{err}");

    let back = entra::reactivate(&mut org.store, &Actor::CommandLine, leo.id, true)
        .await
        .unwrap();
    assert_eq!(back.status, UserStatus::Active, "Reactivate anyway");
}

#[tokio::test(flavor = "multi_thread")]
async fn reactivation_needs_no_confirmation_once_entra_enables_the_account() {
    let mut t = connected(Plan::Enterprise).await;
    // An enabled colleague: a run that would leave nobody enabled is held instead.
    t.linked("colleague@northwind.example", Role::Member);
    let (leo, oid) = t.linked("leo@northwind.example", Role::Member);
    entra::set_auto_deprovision(&mut t.org.store, &Actor::CommandLine, true).unwrap();
    t.sim.set_enabled(&oid, false);
    t.sync().await;
    t.sim.set_enabled(&oid, true);
    let back = entra::reactivate(&mut t.org.store, &Actor::CommandLine, leo.id, false)
        .await
        .unwrap();
    assert_eq!(back.status, UserStatus::Active);
}

#[tokio::test(flavor = "multi_thread")]
async fn automatic_runs_follow_the_saved_toggle() {
    use chrono::{Duration, Utc};
    use uniasset_core::schedule;
    use uniasset_core::sync::Trigger;

    let mut t = connected(Plan::Enterprise).await;
    let now = Utc::now();
    let next = schedule::next_window(now);
    assert_eq!(
        schedule::automatic_run_due(&t.org.store, next + Duration::seconds(30)).unwrap(),
        None,
        "off: nothing due"
    );
    assert_eq!(schedule::next_run(&t.org.store, now).unwrap(), None);

    entra::set_auto_deprovision(&mut t.org.store, &Actor::CommandLine, true).unwrap();
    assert_eq!(
        schedule::automatic_run_due(&t.org.store, now).unwrap(),
        None,
        "not at once"
    );
    assert_eq!(schedule::next_run(&t.org.store, now).unwrap(), Some(next));
    assert_eq!(
        schedule::automatic_run_due(&t.org.store, next + Duration::seconds(30)).unwrap(),
        Some(Trigger::Scheduled)
    );
    assert_eq!(
        schedule::automatic_run_due(&t.org.store, next + Duration::hours(5)).unwrap(),
        Some(Trigger::CatchUp)
    );

    let run = testkit::tenant::automatic(&mut t.org.store, Trigger::Scheduled).await;
    assert_eq!(run.trigger, Trigger::Scheduled);

    entra::set_auto_deprovision(&mut t.org.store, &Actor::CommandLine, false).unwrap();
    assert_eq!(
        schedule::automatic_run_due(&t.org.store, next + Duration::days(1)).unwrap(),
        None,
        "off stops future runs"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn save_is_all_or_nothing_and_audits_only_changes() {
    use uniasset_core::entra::MassDeactivationGuard;
    let mut team = connected(Plan::Team).await;
    let stricter = MassDeactivationGuard {
        min_users: 2,
        percent: 10,
    };
    let err = entra::save(&mut team.org.store, &Actor::CommandLine, true, stricter).unwrap_err();
    assert_eq!(err.code(), "needs_enterprise");
    assert_eq!(
        entra::settings(&team.org.store).unwrap().guard,
        MassDeactivationGuard {
            min_users: 5,
            percent: 20
        },
        "the guard was not saved either"
    );

    let mut t = connected(Plan::Enterprise).await;
    let audits = t.org.count("audit_entries");
    let saved = entra::save(&mut t.org.store, &Actor::CommandLine, true, stricter).unwrap();
    assert!(saved.auto_deprovision);
    assert_eq!(saved.guard, stricter);
    assert_eq!(t.org.count("audit_entries"), audits + 2);
    entra::save(&mut t.org.store, &Actor::CommandLine, true, stricter).unwrap();
    assert_eq!(
        t.org.count("audit_entries"),
        audits + 2,
        "saving without changes records nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn connecting_another_tenant_turns_automatic_runs_off() {
    let mut t = connected(Plan::Enterprise).await;
    entra::set_auto_deprovision(&mut t.org.store, &Actor::CommandLine, true).unwrap();
    // Same tenant again (a new secret, say), by its domain: automatic runs stay on.
    connect(&mut t.org.store, &t.sim, DOMAIN).await;
    assert!(entra::settings(&t.org.store).unwrap().auto_deprovision);

    let other = Simulator::start(TenantConfig::default()).unwrap();
    connect(&mut t.org.store, &other, &other.tenant_id()).await;
    assert!(
        !entra::settings(&t.org.store).unwrap().auto_deprovision,
        "links to the old tenant must be checked first"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_automatic_run_does_not_use_up_its_window() {
    use chrono::{Duration, Utc};
    use uniasset_core::schedule;
    use uniasset_core::sync::Trigger;

    let mut t = connected(Plan::Enterprise).await;
    entra::set_auto_deprovision(&mut t.org.store, &Actor::CommandLine, true).unwrap();
    let window = schedule::next_window(Utc::now());
    let started =
        (window + Duration::seconds(5)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let conn = rusqlite::Connection::open(t.org.store.path()).unwrap();
    conn.execute("INSERT INTO sync_runs (trigger, started_at, result, started_by) VALUES ('scheduled', ?1, 'failed', 'Microsoft Entra ID sync')", [&started]).unwrap();
    let later = window + Duration::minutes(20);
    assert_eq!(
        schedule::automatic_run_due(&t.org.store, later).unwrap(),
        Some(Trigger::CatchUp),
        "tried again"
    );
    conn.execute("UPDATE sync_runs SET result = 'succeeded'", [])
        .unwrap();
    assert_eq!(
        schedule::automatic_run_due(&t.org.store, later).unwrap(),
        None,
        "a run that did its job counts"
    );
}
