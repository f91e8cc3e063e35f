//! Frequent check benchmark (issue 15): Graph requests and wall time of a frequent check
//! that finds nothing new and of one with 50 changes, at 1,000 and 100,000 linked users,
//! against the network floor (Graph requests × the simulator's latency) measured in the
//! same run; then the delay from disabling an account in the simulator to its deactivation,
//! with checks every 5 minutes and with the nightly run alone, on a clock the benchmark moves.
//!
//!     scripts/with-keyring.sh cargo bench -p uniasset-core --bench check_cost

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use graph_sim::{Faults, Simulator, TenantConfig};
use uniasset_core::access::Actor;
use uniasset_core::clock;
use uniasset_core::directory::{self, UserStatus};
use uniasset_core::entra;
use uniasset_core::schedule;
use uniasset_core::store::Store;
use uniasset_core::sync::{self, RunRecord, SyncRequest, Trigger};

const LATENCY_MS: u64 = 50;
const SAMPLES: usize = 5;

/// The core's clock, moved by the benchmark: real time plus an offset it sets.
struct MovedClock(AtomicI64);

static OFFSET_MS: MovedClock = MovedClock(AtomicI64::new(0));

impl clock::Clock for &'static MovedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.0.load(Ordering::Relaxed))
    }
}

fn move_clock_to(at: DateTime<Utc>) {
    let offset = (at - Utc::now()).num_milliseconds();
    OFFSET_MS.0.store(offset, Ordering::Relaxed);
}

struct Tenant {
    sim: Simulator,
    oids: Vec<String>,
    store: Store,
    _dir: tempfile::TempDir,
}

async fn tenant(size: usize) -> Tenant {
    let sim = Simulator::start(TenantConfig::default()).unwrap();
    let oids = sim.add_users(size, "northwind.example");
    let testkit::Org { dir, mut store } = testkit::tenant::everyone_linked(&sim, &oids).await;
    // The first run reads the tenant in full and saves the delta link the checks start from.
    sync::run_sync(&mut store, &Actor::CommandLine, request(Trigger::Manual))
        .await
        .unwrap();
    sim.set_faults(Faults {
        latency_ms: LATENCY_MS,
        ..Faults::default()
    });
    Tenant {
        sim,
        oids,
        store,
        _dir: dir,
    }
}

fn request(trigger: Trigger) -> SyncRequest {
    SyncRequest {
        trigger,
        dry_run: false,
        deadline: None,
    }
}

async fn check(t: &mut Tenant) -> RunRecord {
    sync::run_sync(&mut t.store, &Actor::EntraSync, request(Trigger::Interval))
        .await
        .unwrap()
}

struct Row {
    scenario: String,
    requests: u64,
    graph_requests: u64,
    wall_ms: f64,
}

impl Row {
    fn floor_ms(&self) -> f64 {
        (self.graph_requests * LATENCY_MS) as f64
    }
}

/// The median of `SAMPLES` checks, each after `prepare` (which may change the tenant).
async fn measure(t: &mut Tenant, scenario: String, changes: usize) -> Row {
    let mut walls = Vec::new();
    let mut counts = Vec::new();
    for sample in 0..SAMPLES {
        let start = 100 + sample * changes;
        for oid in &t.oids[start..start + changes] {
            t.sim.set_enabled(oid, false);
        }
        t.sim.reset_counts();
        let started = Instant::now();
        let run = check(t).await;
        walls.push(started.elapsed().as_secs_f64() * 1000.0);
        counts.push(t.sim.counts());
        assert_eq!(run.counts.deactivated as usize, changes, "{run:?}");
        assert_eq!(run.quiet(), changes == 0, "{run:?}");
    }
    walls.sort_by(f64::total_cmp);
    let c = counts[0];
    Row {
        scenario,
        requests: c.total,
        graph_requests: c.total - c.token,
        wall_ms: walls[SAMPLES / 2],
    }
}

/// Disables one account at each of `at` (clock times, in order) and moves the clock on in
/// 30-second steps, running what the scheduler runs when the core says it is due; returns
/// each delay from disabling to deactivation.
async fn delays(
    t: &mut Tenant,
    at: &[DateTime<Utc>],
    first: usize,
    frequent: bool,
) -> Vec<Duration> {
    let minutes = frequent.then_some(5);
    entra::set_check_interval(&mut t.store, &Actor::CommandLine, minutes).unwrap();
    let accounts: Vec<(String, String)> = (0..at.len())
        .map(|i| {
            let email = format!("user{:06}@northwind.example", first + i + 1);
            (t.oids[first + i].clone(), email)
        })
        .collect();
    let mut found: Vec<Option<Duration>> = vec![None; at.len()];
    let mut now = at[0] - Duration::minutes(10);
    while found.iter().any(Option::is_none) {
        move_clock_to(now);
        for (i, (oid, _)) in accounts.iter().enumerate() {
            if now >= at[i] && now < at[i] + Duration::seconds(30) {
                t.sim.set_enabled(oid, false);
            }
        }
        if let Some(trigger) = schedule::automatic_run_due(&t.store, now).unwrap() {
            sync::run_sync(&mut t.store, &Actor::EntraSync, request(trigger))
                .await
                .unwrap();
        } else if schedule::frequent_check_due(&t.store, now).unwrap() {
            check(t).await;
        }
        for (i, (_, email)) in accounts.iter().enumerate() {
            let status = directory::find_by_email(&t.store, email).unwrap().status;
            if found[i].is_none() && now >= at[i] && status == UserStatus::Deactivated {
                found[i] = Some(now - at[i]);
            }
        }
        now += Duration::seconds(30);
    }
    found.into_iter().flatten().collect()
}

fn words(d: Duration) -> String {
    let s = d.num_seconds();
    if s < 3600 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{} h {:02} min", s / 3600, (s % 3600) / 60)
    }
}

#[tokio::main]
async fn main() {
    assert!(clock::install(Box::new(&OFFSET_MS)));
    let mut rows = Vec::new();
    for size in [1_000, 100_000] {
        let mut t = tenant(size).await;
        let label = |what: &str| format!("{size:>7} linked users: {what}");
        rows.push(measure(&mut t, label("check, nothing new"), 0).await);
        rows.push(measure(&mut t, label("check, 50 changes"), 50).await);
    }
    println!(
            "Frequent checks, simulator latency {LATENCY_MS} ms per Graph request, median of {SAMPLES}\n"
        );
    println!(
        "{:<42} {:>8} {:>8} {:>9} {:>10} {:>12}",
        "scenario", "requests", "of Graph", "wall ms", "floor ms", "above floor"
    );
    for r in &rows {
        println!(
            "{:<42} {:>8} {:>8} {:>9.1} {:>10.1} {:>12.1}",
            r.scenario,
            r.requests,
            r.graph_requests,
            r.wall_ms,
            r.floor_ms(),
            r.wall_ms - r.floor_ms()
        );
    }

    let mut t = tenant(1_000).await;
    let day = schedule::next_window(Utc::now()) + Duration::days(1);
    let frequent: Vec<_> = (0..5)
        .map(|i| day + Duration::hours(2) + Duration::seconds(400 * i + 30))
        .collect();
    let nightly: Vec<_> = [4, 12, 20]
        .map(|h| day + Duration::days(2) + Duration::hours(h - 3))
        .to_vec();
    let with_checks = delays(&mut t, &frequent, 10, true).await;
    let nightly_only = delays(&mut t, &nightly, 20, false).await;
    println!("\nFrom disabling an account in Entra ID to its deactivation in UniAsset:");
    for (what, d) in [
        ("checks every 5 minutes", with_checks),
        ("nightly run only", nightly_only),
    ] {
        let max = d.iter().max().copied().unwrap();
        let mean = d.iter().fold(Duration::zero(), |a, b| a + *b) / d.len() as i32;
        println!(
            "  {what:<24} {} accounts: mean {}, longest {}",
            d.len(),
            words(mean),
            words(max)
        );
    }
}
