//! A run that reads only what changed in Entra decides over the users the changes concern
//! (issue 27), and its decision is the one a run over everyone makes: the same counts and
//! the same lines for the people every run reports again (protected, enabled again, linked
//! in another tenant), links no run has read yet included.

use std::collections::BTreeSet;

use testkit::tenant::{connected, Connected};
use uniasset_core::access::Actor;
use uniasset_core::directory::{self, Role};
use uniasset_core::organization::Plan;
use uniasset_core::sync::{LineOutcome, RunRecord};

fn outcomes(run: &RunRecord) -> BTreeSet<(String, LineOutcome)> {
    run.lines
        .iter()
        .map(|l| (l.email.clone(), l.outcome))
        .collect()
}

fn sql(t: &Connected, statement: &str) {
    let conn = rusqlite::Connection::open(t.org.store.path()).unwrap();
    conn.execute_batch(statement).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_over_the_changes_decides_as_a_run_over_everyone() {
    let mut t = connected(Plan::Enterprise).await;
    for i in 0..30 {
        t.linked(&format!("member{i:02}@northwind.example"), Role::Member);
    }
    let (pat, pat_oid) = t.linked("pat@northwind.example", Role::Member);
    directory::set_protected(&mut t.org.store, &Actor::CommandLine, pat.id, true).unwrap();
    let (_, ann) = t.linked("ann@northwind.example", Role::Member);
    let (bo, _) = t.linked("bo@northwind.example", Role::Member);
    sql(
        &t,
        &format!(
            "UPDATE users SET entra_tenant_id = '00000000-0000-0000-0000-00000000beef' WHERE id = {}",
            bo.id
        ),
    );
    t.sim.set_enabled(&pat_oid, false);
    t.sim.set_enabled(&ann, false);
    let first = t.sync().await;
    assert_eq!(first.counts.deactivated, 1, "Ann: {first:?}");

    // Entra's changes: Ann enabled again, Cy and Di disabled. A link made since: Ed.
    t.sim.set_enabled(&ann, true);
    let (_, cy) = t.linked("cy@northwind.example", Role::Member);
    let (_, di) = t.linked("di@northwind.example", Role::Member);
    t.sync().await;
    t.sim.set_enabled(&cy, false);
    t.sim.set_enabled(&di, false);
    t.linked("ed@northwind.example", Role::Member);
    t.sim.reset_counts();
    let changes = t.sync().await;
    assert_eq!(t.sim.counts().user_list, 0, "read by delta, not in full");
    assert_eq!(changes.counts.deactivated, 2, "{changes:?}");
    let reported_again = BTreeSet::from([
        (
            "pat@northwind.example".to_owned(),
            LineOutcome::SkippedProtected,
        ),
        (
            "ann@northwind.example".to_owned(),
            LineOutcome::EnabledAgain,
        ),
        ("bo@northwind.example".to_owned(), LineOutcome::OtherTenant),
    ]);
    let mut expected = reported_again.clone();
    expected.insert(("cy@northwind.example".into(), LineOutcome::Deactivated));
    expected.insert(("di@northwind.example".into(), LineOutcome::Deactivated));
    assert_eq!(outcomes(&changes), expected);

    // The same organization read in full: the same counts, the same people reported.
    let quiet = t.sync().await;
    sql(&t, "DELETE FROM entra_delta");
    let full = t.sync().await;
    assert_eq!(outcomes(&quiet), reported_again);
    assert_eq!(outcomes(&full), reported_again);
    assert_eq!(quiet.counts, full.counts);
    // Everyone active and linked in this tenant is checked: 30 members, Pat and Ed.
    assert_eq!(full.counts.checked, 32, "{full:?}");
    assert_eq!(changes.counts.checked, 34, "Cy and Di were still active");
}
