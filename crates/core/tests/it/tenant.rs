//! Tenant identity: the tenant is known by the GUID Microsoft reports, each link remembers
//! the tenant it was made in, and links never read as "deleted" in another tenant.

use graph_sim::{Simulator, TenantConfig};
use testkit::tenant::{connect, connected, Connected, DOMAIN};
use uniasset_core::access::Actor;
use uniasset_core::directory::{Role, UserStatus};
use uniasset_core::entra;
use uniasset_core::organization::Plan;
use uniasset_core::sync::{LineOutcome, RunResult};

fn connection_tenant(t: &Connected) -> Option<String> {
    entra::connection(&t.org.store)
        .unwrap()
        .and_then(|c| c.tenant_id)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_domain_connects_as_the_tenants_guid_and_links_carry_it() {
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    let mut org = testkit::org(Plan::Enterprise);
    connect(&mut org.store, &sim, "Contoso.onmicrosoft.com").await;
    let mut t = Connected { org, sim };
    let saved = entra::connection(&t.org.store).unwrap().unwrap();
    assert_eq!(saved.tenant, "contoso.onmicrosoft.com", "as typed");
    assert_eq!(
        saved.tenant_id,
        Some(t.sim.tenant_id()),
        "as Microsoft reports it"
    );
    let (ann, _) = t.linked("ann@northwind.example", Role::Member);
    assert_eq!(ann.entra_tenant_id, Some(t.sim.tenant_id()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_that_now_answers_for_another_tenant_runs_nobody() {
    let mut t = connected(Plan::Enterprise).await;
    connect(&mut t.org.store, &t.sim, DOMAIN).await;
    t.linked("ann@northwind.example", Role::Member);
    t.linked("bo@northwind.example", Role::Member);
    let before = t.sim.tenant_id();
    // The domain now belongs to a tenant where none of the linked object ids exist.
    let after = t.sim.switch_tenant();
    let run = t.sync().await;
    assert_eq!(run.result, RunResult::Failed, "{run:?}");
    let error = run.error.unwrap();
    assert!(error.contains(&before) && error.contains(&after), "{error}");
    assert_eq!(run.counts.deactivated, 0);
    for email in ["ann@northwind.example", "bo@northwind.example"] {
        assert_eq!(t.org.user(email).status, UserStatus::Active);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn links_from_another_tenant_are_listed_never_read_as_deleted() {
    let mut t = connected(Plan::Enterprise).await;
    t.linked("ann@northwind.example", Role::Member);
    let (bo, _) = t.linked("bo@northwind.example", Role::Member);

    // Connect a different tenant, where Ann's and Bo's old object ids mean nothing.
    let other = Simulator::start(TenantConfig::default()).unwrap();
    let new_ann = other.add_user("ann@northwind.example", Some("ann@northwind.example"), true);
    other.add_user("bo@northwind.example", Some("bo@northwind.example"), false);
    other.add_user("cy@northwind.example", None, true);
    connect(&mut t.org.store, &other, &other.tenant_id()).await;
    t.sim = other;
    let run = t.sync().await;
    assert_eq!(run.counts.deactivated, 0, "{run:?}");
    assert_eq!(run.counts.checked, 0);
    let listed: Vec<_> = run
        .lines
        .iter()
        .map(|l| (l.email.as_str(), l.outcome))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("ann@northwind.example", LineOutcome::OtherTenant),
            ("bo@northwind.example", LineOutcome::OtherTenant)
        ]
    );
    assert!(run.lines[0].detail.contains("Match the users again"));

    // Matching again links them in this tenant; the next run checks them there.
    let report = entra::match_accounts(&mut t.org.store, &Actor::CommandLine)
        .await
        .unwrap();
    assert_eq!(report.matched.len(), 2, "{report:?}");
    let ann = t.org.user("ann@northwind.example");
    assert_eq!(ann.entra_object_id, Some(new_ann));
    assert_eq!(ann.entra_tenant_id, Some(t.sim.tenant_id()));
    let next = t.sync().await;
    assert_eq!(next.counts.checked, 2);
    assert_eq!(next.counts.deactivated, 1, "{next:?}");
    assert_eq!(t.org.user(&bo.email).status, UserStatus::Deactivated);
}

#[tokio::test(flavor = "multi_thread")]
async fn links_made_before_tenants_were_recorded_are_adopted_by_the_next_run() {
    let mut t = connected(Plan::Enterprise).await;
    t.linked("ann@northwind.example", Role::Member);
    let conn = rusqlite::Connection::open(t.org.store.path()).unwrap();
    conn.execute_batch(
        "UPDATE entra_connection SET tenant_id = NULL; UPDATE users SET entra_tenant_id = NULL;",
    )
    .unwrap();
    let run = t.sync().await;
    assert_eq!(run.result, RunResult::Succeeded, "{run:?}");
    assert_eq!(run.counts.checked, 1);
    assert_eq!(connection_tenant(&t), Some(t.sim.tenant_id()));
    assert_eq!(
        t.org.user("ann@northwind.example").entra_tenant_id,
        Some(t.sim.tenant_id())
    );
    let conn = rusqlite::Connection::open(t.org.store.path()).unwrap();
    let (actor, detail): (String, String) = conn
        .query_row(
            "SELECT actor_label, detail FROM audit_entries WHERE action = 'entra.links_adopted'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(actor, "Microsoft Entra ID sync");
    assert!(detail.starts_with("1 Entra link(s)"), "{detail}");
}
