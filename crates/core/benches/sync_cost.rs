//! Sync cost benchmark: Graph requests, wall time and peak memory of UniAsset's sync
//! (a full first read, then delta) against two baselines measured in the same run on the
//! same simulated tenant — one GET per linked user (what a hand-run script does), and
//! `$batch` reads of every linked user each run.
//!
//!     scripts/with-keyring.sh cargo bench -p uniasset-core --bench sync_cost

use std::time::Instant;

use futures_util::stream::{self, StreamExt};
use graph_sim::{Simulator, TenantConfig};
use uniasset_core::access::Actor;
use uniasset_core::directory::{self, NewUser, Role, SignInMethod};
use uniasset_core::entra;
use uniasset_core::graph::ClientOptions;
use uniasset_core::sync::{self, SyncRequest, Trigger};

struct Row {
    scenario: String,
    requests: u64,
    millis: u128,
    peak_mib: f64,
}

/// Peak resident memory since the last reset, in MiB (Linux; 0 elsewhere).
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn measure<F: std::future::Future<Output = ()>>(
    sim: &Simulator,
    scenario: String,
    work: F,
) -> Row {
    sim.reset_counts();
    reset_peak();
    let started = Instant::now();
    work.await;
    Row {
        scenario,
        requests: sim.counts().total,
        millis: started.elapsed().as_millis(),
        peak_mib: peak_mib(),
    }
}

async fn tenant(size: usize, linked: usize) -> Vec<Row> {
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    let oids = sim.add_users(size, "northwind.example");
    let testkit::Org {
        dir: _dir,
        mut store,
    } = testkit::tenant::connected_to(&sim, uniasset_core::organization::Plan::Enterprise).await;
    let users = &oids[..linked];
    for (i, oid) in users.iter().enumerate() {
        directory::add_user(
            &mut store,
            &Actor::CommandLine,
            &NewUser {
                email: format!("user{:06}@northwind.example", i + 1),
                display_name: format!("User {i}"),
                role: Role::Member,
                sign_in: SignInMethod::Microsoft,
                entra_object_id: Some(oid.clone()),
            },
            None,
        )
        .unwrap();
    }
    let label = |what: &str| format!("{size:>7} users, {linked:>6} linked: {what}");
    let mut rows = Vec::new();

    let graph = entra::client(&store, ClientOptions::default()).unwrap();
    rows.push(
        measure(&sim, label("baseline, one GET per user"), async {
            let done: Vec<_> = stream::iter(users.iter().map(|oid| graph.account(oid)))
                .buffer_unordered(4)
                .collect()
                .await;
            assert!(done.iter().all(Result::is_ok));
        })
        .await,
    );
    let graph = entra::client(&store, ClientOptions::default()).unwrap();
    rows.push(
        measure(&sim, label("baseline, $batch every user"), async {
            let done = graph.accounts(users).await;
            assert!(done.values().all(Result::is_ok));
        })
        .await,
    );

    let request = SyncRequest {
        trigger: Trigger::Manual,
        dry_run: false,
        deadline: None,
    };
    rows.push(
        measure(&sim, label("UniAsset first sync"), async {
            sync::run_sync(&mut store, &Actor::CommandLine, request)
                .await
                .unwrap();
        })
        .await,
    );
    for oid in &oids[..50] {
        sim.set_enabled(oid, false);
    }
    rows.push(
        measure(&sim, label("UniAsset next sync, 50 changed"), async {
            let run = sync::run_sync(&mut store, &Actor::CommandLine, request)
                .await
                .unwrap();
            assert_eq!(run.counts.deactivated, 50.min(linked as u32));
        })
        .await,
    );
    rows
}

#[tokio::main]
async fn main() {
    let mut rows = Vec::new();
    for (size, linked) in [(1_000, 1_000), (100_000, 10_000)] {
        rows.extend(tenant(size, linked).await);
    }
    println!(
        "{:<62} {:>9} {:>9} {:>10}",
        "scenario", "requests", "wall ms", "peak MiB"
    );
    for r in rows {
        println!(
            "{:<62} {:>9} {:>9} {:>10.1}",
            r.scenario, r.requests, r.millis, r.peak_mib
        );
    }
}
