//! The fault-injection suite: real syncs against the project's Graph simulator while it
//! misbehaves (truncated JSON, wrong ids, self-linking pages, an absurd token lifetime, a
//! tenant switch, a disconnect mid-run, 404s that come and go), counting deactivations of
//! people Entra still has enabled. It prints a table and fails if that count is not zero.
//! (`harness = false`, so the table is printed on every run, in CI too.)

use std::collections::BTreeMap;
use std::time::Duration;

use graph_sim::Faults;
use testkit::tenant::{connected, Connected};
use uniasset_core::access::Actor;
use uniasset_core::directory::{self, Role, UserQuery, UserStatus};
use uniasset_core::entra;
use uniasset_core::organization::Plan;
use uniasset_core::store::Store;
use uniasset_core::sync::{self, RunResult, SyncRequest, Trigger};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Truth {
    Enabled,
    Leaver,
}

/// A tenant of 40 linked people (3 disabled and 2 deleted in Entra), and 30 more who exist
/// in Entra before the first run but are linked in UniAsset only after it, so the second
/// run reads them through `$batch`.
struct World {
    t: Connected,
    truth: BTreeMap<String, Truth>,
    later: Vec<(String, String)>,
}

async fn world() -> World {
    let mut t = connected(Plan::Enterprise).await;
    let mut truth = BTreeMap::new();
    for i in 0..40 {
        let email = format!("p{i:02}@northwind.example");
        let (_, oid) = t.linked(&email, Role::Member);
        let leaver = match i {
            3 | 17 | 29 => {
                t.sim.set_enabled(&oid, false);
                true
            }
            8 | 33 => {
                t.sim.soft_delete(&oid);
                true
            }
            _ => false,
        };
        truth.insert(
            email,
            if leaver {
                Truth::Leaver
            } else {
                Truth::Enabled
            },
        );
    }
    let later = (40..70)
        .map(|i| {
            let email = format!("p{i:02}@northwind.example");
            let oid = t.sim.add_user(&email, Some(&email), true);
            truth.insert(email.clone(), Truth::Enabled);
            (email, oid)
        })
        .collect();
    World { t, truth, later }
}

impl World {
    fn link_later(&mut self) {
        for (email, oid) in &self.later {
            self.t.link(email, oid, Role::Member);
        }
    }

    fn deactivated(&self) -> Vec<String> {
        let query = UserQuery {
            status: Some(UserStatus::Deactivated),
            ..UserQuery::default()
        };
        directory::list_users(&self.t.org.store, &query)
            .unwrap()
            .users
            .into_iter()
            .map(|u| u.email)
            .collect()
    }
}

struct Tally {
    scenario: &'static str,
    results: Vec<RunResult>,
    injected: u64,
    leavers_deactivated: usize,
    leavers: usize,
    wrong: usize,
}

fn tally(scenario: &'static str, w: &World, results: Vec<RunResult>, injected: u64) -> Tally {
    let deactivated = w.deactivated();
    let wrong = deactivated
        .iter()
        .filter(|e| w.truth.get(*e) != Some(&Truth::Leaver))
        .count();
    Tally {
        scenario,
        results,
        injected,
        leavers_deactivated: deactivated.len() - wrong,
        leavers: w.truth.values().filter(|t| **t == Truth::Leaver).count(),
        wrong,
    }
}

/// Two runs with `faults` on: a first full read, then delta plus `$batch` reads of the
/// people linked since. `injected` picks the simulator's count of this fault.
async fn faulty(
    scenario: &'static str,
    faults: Faults,
    injected: fn(&graph_sim::RequestCounts) -> u64,
) -> Tally {
    let mut w = world().await;
    w.t.sim.set_faults(faults);
    let first = w.t.sync().await;
    w.link_later();
    let second = w.t.sync().await;
    let count = injected(&w.t.sim.counts());
    tally(scenario, &w, vec![first.result, second.result], count)
}

async fn huge_token_lifetime() -> Tally {
    let mut w = world().await;
    w.t.sim.set_token_lifetime(10_000_000_000_000_000_000);
    w.t.sim.expire_tokens();
    let first = w.t.sync().await;
    w.link_later();
    let second = w.t.sync().await;
    tally(
        "token lifetime 10^19",
        &w,
        vec![first.result, second.result],
        1,
    )
}

async fn tenant_switch() -> Tally {
    let mut w = world().await;
    let first = w.t.sync().await;
    // Keep what the first run rightly did; then the connection answers for another tenant,
    // where every linked object id reads "not found".
    let before = w.deactivated().len();
    w.t.sim.switch_tenant();
    let second = w.t.sync().await;
    let third = w.t.sync().await;
    assert_eq!(w.deactivated().len(), before);
    tally(
        "tenant switch",
        &w,
        vec![first.result, second.result, third.result],
        1,
    )
}

async fn disconnect_mid_run() -> Tally {
    let mut w = world().await;
    w.t.sim.set_faults(Faults {
        latency_ms: 300,
        ..Faults::default()
    });
    let mut runner = Store::open(w.t.org.dir.path()).unwrap();
    let request = SyncRequest {
        trigger: Trigger::Manual,
        dry_run: false,
        deadline: None,
    };
    let store = &mut w.t.org.store;
    let (run, ()) = tokio::join!(
        sync::run_sync(&mut runner, &Actor::CommandLine, request),
        async {
            tokio::time::sleep(Duration::from_millis(150)).await;
            entra::disconnect(store, &Actor::CommandLine).unwrap();
        }
    );
    tally("disconnect during a run", &w, vec![run.unwrap().result], 1)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let rate = 0.5;
    let tallies = vec![
        faulty(
            "truncated JSON with status 200",
            Faults {
                truncated_rate: rate,
                ..Faults::default()
            },
            |c| c.truncated,
        )
        .await,
        faulty(
            "wrong ids in replies",
            Faults {
                wrong_id_rate: rate,
                ..Faults::default()
            },
            |c| c.wrong_id,
        )
        .await,
        faulty(
            "404s that come and go",
            Faults {
                flaky_not_found_rate: rate,
                ..Faults::default()
            },
            |c| c.flaky_not_found,
        )
        .await,
        faulty(
            "self-linking pages",
            Faults {
                self_linking_pages: true,
                ..Faults::default()
            },
            |c| c.user_list + c.delta,
        )
        .await,
        faulty(
            "throttling and outages",
            Faults {
                throttle_rate: rate,
                unavailable_rate: 0.1,
                retry_after_secs: Some(0.01),
                ..Faults::default()
            },
            |c| c.throttled + c.unavailable,
        )
        .await,
        huge_token_lifetime().await,
        tenant_switch().await,
        disconnect_mid_run().await,
    ];

    println!();
    println!(
        "{:<32} {:>9} {:<48} {:>18} {:>20}",
        "fault", "injected", "run results", "leavers handled", "wrong deactivations"
    );
    for t in &tallies {
        let results: Vec<String> = t.results.iter().map(ToString::to_string).collect();
        println!(
            "{:<32} {:>9} {:<48} {:>12} of {:<3} {:>20}",
            t.scenario,
            t.injected,
            results.join(", "),
            t.leavers_deactivated,
            t.leavers,
            t.wrong
        );
    }
    let wrong: usize = tallies.iter().map(|t| t.wrong).sum();
    println!("wrong deactivations in all: {wrong}");
    assert_eq!(wrong, 0, "someone Entra still has enabled was deactivated");
}
