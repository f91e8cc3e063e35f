//! Cost in proportion to the work (issue 27): what an owner waits for, measured as they run
//! it — the `uniasset` binary as a process where they would run one — on a 100,000-user
//! tenant, every user linked, served by the Graph simulator with 50 ms of latency per Graph
//! request. Each row is printed beside its floor measured in the same run: the requests the
//! simulator answered times that latency (the network alone), and the goal.
//!
//!     cargo build --release -p uniasset-cli
//!     scripts/with-keyring.sh cargo bench -p uniasset-cli --bench process_cost

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use graph_sim::{Faults, Simulator, TenantConfig};
use uniasset_core::access::Actor;
use uniasset_core::sync::{self, SyncRequest, Trigger};

const USERS: usize = 100_000;
const LATENCY_MS: u64 = 50;
const CHANGES: usize = 50;
const SAMPLES: usize = 5;

struct Row {
    what: &'static str,
    graph_requests: u64,
    other_requests: u64,
    wall_s: f64,
    goal: &'static str,
}

impl Row {
    /// What the network alone costs: each Graph request waits the simulator's latency.
    fn floor_s(&self) -> f64 {
        (self.graph_requests * LATENCY_MS) as f64 / 1000.0
    }
}

fn median(mut walls: Vec<f64>) -> f64 {
    walls.sort_by(f64::total_cmp);
    walls[walls.len() / 2]
}

/// Runs `uniasset ARGS` on `dir` to its end; returns the wall time in seconds.
fn uniasset(dir: &Path, args: &[&str]) -> f64 {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_uniasset"))
        .args(args)
        .env("UNIASSET_DATA_DIR", dir)
        .output()
        .unwrap();
    let wall = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "uniasset {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    wall
}

/// Disables the next `CHANGES` accounts (from `*next`) in the simulated Entra.
fn disable_next(sim: &Simulator, oids: &[String], next: &mut usize) {
    for oid in &oids[*next..*next + CHANGES] {
        sim.set_enabled(oid, false);
    }
    *next += CHANGES;
}

fn deactivated(dir: &Path) -> i64 {
    let conn = rusqlite::Connection::open(dir.join("uniasset.db")).unwrap();
    conn.query_row(
        "SELECT count(*) FROM users WHERE status = 'deactivated'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

async fn rows() -> Vec<Row> {
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    let oids = sim.add_users(USERS, "northwind.example");
    let testkit::Org { dir, mut store } = testkit::tenant::everyone_linked(&sim, &oids).await;
    sim.set_faults(Faults {
        latency_ms: LATENCY_MS,
        ..Faults::default()
    });
    let data = dir.path();
    let mut rows = Vec::new();
    let mut measured = |what, goal, walls: Vec<f64>, sim: &Simulator, samples: u64| {
        let counts = sim.counts();
        rows.push(Row {
            what,
            graph_requests: (counts.total - counts.token) / samples,
            other_requests: counts.token / samples,
            wall_s: median(walls),
            goal,
        });
        sim.reset_counts();
    };

    sim.reset_counts();
    let walls = (0..SAMPLES)
        .map(|_| uniasset(data, &["org", "show"]))
        .collect();
    measured(
        "any command, 100,000 users (`uniasset org show`)",
        "<= 0.05 s",
        walls,
        &sim,
        1,
    );

    sim.reset_counts();
    let first = uniasset(data, &["entra", "sync"]);
    measured(
        "first sync, as a process (`uniasset entra sync`)",
        "<= 1.3 x floor",
        vec![first],
        &sim,
        1,
    );

    let mut next = 0;
    let mut walls = Vec::new();
    for _ in 0..SAMPLES {
        disable_next(&sim, &oids, &mut next);
        walls.push(uniasset(data, &["entra", "sync"]));
    }
    assert_eq!(deactivated(data), next as i64);
    let _ = std::fs::remove_file("/tmp/bench.db");
    rusqlite::Connection::open(data.join("uniasset.db"))
        .unwrap()
        .execute_batch("VACUUM INTO '/tmp/bench.db'")
        .unwrap();
    measured(
        "next sync, 50 changes, as a process",
        "<= 0.25 s",
        walls,
        &sim,
        SAMPLES as u64,
    );

    let mut walls = Vec::new();
    for _ in 0..SAMPLES {
        disable_next(&sim, &oids, &mut next);
        let started = Instant::now();
        let request = SyncRequest {
            trigger: Trigger::Interval,
            dry_run: false,
            deadline: None,
        };
        let run = sync::run_sync(&mut store, &Actor::EntraSync, request)
            .await
            .unwrap();
        walls.push(started.elapsed().as_secs_f64());
        assert_eq!(run.counts.deactivated as usize, CHANGES, "{run:?}");
    }
    measured(
        "frequent check, 50 changes (in the app's process)",
        "<= floor + 0.05 s",
        walls,
        &sim,
        SAMPLES as u64,
    );
    rows
}

#[tokio::main]
async fn main() {
    let rows = rows().await;
    println!(
        "{USERS} users, all linked; simulator latency {LATENCY_MS} ms per Graph request; \
         median of {SAMPLES} where repeated\n"
    );
    println!(
        "{:<52} {:>6} {:>6} {:>8} {:>8} {:>8} {:>8}  goal",
        "what", "Graph", "token", "floor s", "wall s", "above s", "x floor"
    );
    for r in &rows {
        let ratio = if r.floor_s() > 0.0 {
            format!("{:.2}", r.wall_s / r.floor_s())
        } else {
            "-".to_owned()
        };
        println!(
            "{:<52} {:>6} {:>6} {:>8.2} {:>8.3} {:>8.3} {:>8}  {}",
            r.what,
            r.graph_requests,
            r.other_requests,
            r.floor_s(),
            r.wall_s,
            r.wall_s - r.floor_s(),
            ratio,
            r.goal
        );
    }
}
