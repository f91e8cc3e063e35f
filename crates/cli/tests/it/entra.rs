//! `uniasset entra …` as a real process against the Graph simulator on 127.0.0.1 and the
//! real keychain (run under scripts/with-keyring.sh).

use std::path::Path;
use std::process::{Child, Output};
use std::time::{Duration, Instant};

use crate::common::{add_member, connect_args, spawn};
use graph_sim::{Faults, Simulator, TenantConfig};
use serde_json::Value;

/// Waits until `child`'s sync has begun: its "running" row is in the database. A fixed pause
/// is not enough on a busy machine, where starting a process alone can take a second.
fn wait_for_running_run(dir: &Path, child: &mut Child) {
    let started = Instant::now();
    loop {
        let running: i64 = rusqlite::Connection::open_with_flags(
            dir.join("uniasset.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .and_then(|conn| {
            conn.busy_timeout(Duration::from_secs(10))?;
            conn.query_row(
                "SELECT count(*) FROM sync_runs WHERE result = 'running'",
                [],
                |r| r.get(0),
            )
        })
        .unwrap_or(0);
        if running > 0 {
            return;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sync ended before its run was seen"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no sync started within 120 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

struct Tenant {
    dir: tempfile::TempDir,
    sim: Simulator,
    /// Everything every command printed, to prove the secret never appears in it.
    printed: String,
}

impl Tenant {
    fn new() -> Tenant {
        let t = Tenant {
            dir: tempfile::tempdir().unwrap(),
            sim: Simulator::start(TenantConfig::default()).unwrap(),
            printed: String::new(),
        };
        crate::common::init(t.dir.path(), "enterprise", None);
        t
    }

    fn run(&mut self, args: &[&str], stdin: &str) -> Output {
        let out = crate::common::run(self.dir.path(), args, stdin);
        self.printed.push_str(&String::from_utf8_lossy(&out.stdout));
        self.printed.push_str(&String::from_utf8_lossy(&out.stderr));
        out
    }

    fn ok(&mut self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all, "");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn connect(&mut self) {
        let args = connect_args(&self.sim);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.run(&args, &format!("{}\n", self.sim.client_secret()));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn linked(&mut self, email: &str) -> String {
        let oid = self.sim.add_user(email, Some(email), true);
        self.ok(&add_member(email, email, "microsoft", Some(&oid)));
        oid
    }

    fn status(&mut self, email: &str) -> String {
        let users = self.ok(&["users", "list"]);
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == email)
            .unwrap()["status"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn secret_never_printed_or_stored(&self) {
        let secret = self.sim.client_secret();
        assert!(
            !self.printed.contains(&secret),
            "the secret appeared in the command line's output"
        );
        for file in ["uniasset.db", "uniasset.db-wal"] {
            let bytes = std::fs::read(self.dir.path().join(file)).unwrap_or_default();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(&secret),
                "the secret is in {file}"
            );
        }
    }
}

#[test]
fn connect_sync_and_history() {
    let mut t = Tenant::new();
    t.connect();
    assert_eq!(t.ok(&["entra", "test"])["ok"], true);
    let ann = t.linked("ann@northwind.example");
    t.linked("bob@northwind.example");
    t.sim.set_enabled(&ann, false);

    let preview = t.ok(&["entra", "sync", "--dry-run"]);
    assert_eq!(preview["dry_run"], true);
    assert_eq!(preview["lines"][0]["outcome"], "would_deactivate");
    assert_eq!(t.status("ann@northwind.example"), "active");

    let run = t.ok(&["entra", "sync"]);
    assert_eq!(run["trigger"], "cli");
    assert_eq!(run["result"], "succeeded");
    for field in [
        "checked",
        "disabled_found",
        "deleted_found",
        "deactivated",
        "skipped",
        "errors",
    ] {
        assert!(
            run["counts"].get(field).is_some(),
            "the run record lacks {field}"
        );
    }
    assert_eq!(run["counts"]["deactivated"], 1);
    assert_eq!(run["lines"][0]["email"], "ann@northwind.example");
    assert_eq!(run["lines"][0]["reason"], "disabled_in_entra");
    assert_eq!(t.status("ann@northwind.example"), "deactivated");

    let runs = t.ok(&["entra", "runs"]);
    assert_eq!(runs.as_array().unwrap().len(), 1);
    let text = t.run(&["entra", "runs", "1"], "");
    assert!(String::from_utf8_lossy(&text.stdout)
        .contains("deactivated            ann@northwind.example (disabled in Entra)"));
    t.secret_never_printed_or_stored();
}

#[test]
fn a_protected_user_is_reported_never_deactivated_by_the_sync() {
    let mut t = Tenant::new();
    t.connect();
    t.linked("colleague@northwind.example");
    let svc = t.linked("svc@northwind.example");
    t.ok(&["users", "protect", "svc@northwind.example"]);
    let listed = t.run(&["users", "list"], "");
    assert!(String::from_utf8_lossy(&listed.stdout).contains("active, protected"));
    t.sim.set_enabled(&svc, false);
    let run = t.ok(&["entra", "sync"]);
    assert_eq!(run["counts"]["deactivated"], 0);
    assert_eq!(run["lines"][0]["outcome"], "skipped_protected");
    assert_eq!(run["lines"][0]["reason"], "disabled_in_entra");
    assert_eq!(t.status("svc@northwind.example"), "active");

    t.ok(&["users", "unprotect", "svc@northwind.example"]);
    t.sim.set_enabled(&svc, true);
    t.ok(&["entra", "sync"]);
    t.sim.set_enabled(&svc, false);
    let run = t.ok(&["entra", "sync"]);
    assert_eq!(run["counts"]["deactivated"], 1, "{run}");
    assert_eq!(t.status("svc@northwind.example"), "deactivated");
}

#[test]
fn reactivation_asks_for_force_while_entra_disables_the_account() {
    let mut t = Tenant::new();
    t.connect();
    // An enabled colleague: a run that would leave nobody enabled is held instead.
    t.linked("colleague@northwind.example");
    let leo = t.linked("leo@northwind.example");
    t.ok(&["entra", "auto-deprovision", "on"]);
    t.sim.set_enabled(&leo, false);
    t.ok(&["entra", "sync"]);
    let refused = t.run(&["users", "reactivate", "leo@northwind.example"], "");
    assert_eq!(refused.status.code(), Some(1));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("the next nightly sync will deactivate them again")
            && said.contains("--force"),
        "{said}"
    );
    assert_eq!(t.status("leo@northwind.example"), "deactivated");
    t.ok(&["users", "reactivate", "leo@northwind.example", "--force"]);
    assert_eq!(t.status("leo@northwind.example"), "active");
}

#[test]
fn a_failed_run_exits_1_with_its_record_and_deactivates_nobody() {
    let mut t = Tenant::new();
    t.connect();
    let ann = t.linked("ann@northwind.example");
    t.sim.set_enabled(&ann, false);
    t.sim.set_secret_expired(true);
    let out = t.run(&["--json", "entra", "sync"], "");
    assert_eq!(out.status.code(), Some(1));
    let run: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(run["result"], "failed");
    assert!(run["error"]
        .as_str()
        .unwrap()
        .contains("The client secret has expired"));
    assert_eq!(t.status("ann@northwind.example"), "active");
    t.secret_never_printed_or_stored();
}

#[test]
fn two_processes_never_sync_at_once() {
    let mut t = Tenant::new();
    t.connect();
    let ann = t.linked("ann@northwind.example");
    t.sim.set_enabled(&ann, false);
    // Slow enough that the first is still running when the second, started once the first's
    // run has begun, asks for the lock, however long that process takes to start.
    t.sim.set_faults(Faults {
        latency_ms: 2000,
        ..Faults::default()
    });
    let mut first = spawn(t.dir.path(), &["--json", "entra", "sync"], "", &[]);
    wait_for_running_run(t.dir.path(), &mut first);
    let second = spawn(t.dir.path(), &["--json", "entra", "sync"], "", &[])
        .wait_with_output()
        .unwrap();
    let first = first.wait_with_output().unwrap();
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(second.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(err["error"]["code"], "sync_running");
    assert_eq!(
        t.ok(&["entra", "runs"]).as_array().unwrap().len(),
        1,
        "nothing ran twice"
    );
}

#[test]
fn a_sync_killed_midway_leaves_a_consistent_database_and_the_next_completes() {
    let mut t = Tenant::new();
    t.connect();
    t.linked("colleague@northwind.example");
    let ann = t.linked("ann@northwind.example");
    t.sim.set_enabled(&ann, false);
    t.sim.set_faults(Faults {
        latency_ms: 1500,
        ..Faults::default()
    });
    let mut victim = spawn(t.dir.path(), &["entra", "sync"], "", &[]);
    // Midway: once its run is recorded, while Graph is still answering.
    wait_for_running_run(t.dir.path(), &mut victim);
    victim.kill().unwrap();
    victim.wait().unwrap();
    t.sim.set_faults(Faults::default());

    let conn = rusqlite::Connection::open(t.dir.path().join("uniasset.db")).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    assert_eq!(
        t.status("ann@northwind.example"),
        "active",
        "the killed run changed nothing"
    );

    let run = t.ok(&["entra", "sync"]);
    assert_eq!(run["counts"]["deactivated"], 1);
    let runs = t.ok(&["entra", "runs"]);
    assert_eq!(runs[1]["result"], "failed");
    assert!(runs[1]["error"].as_str().unwrap().contains("interrupted"));
}

#[test]
fn without_a_keychain_nothing_is_stored_in_plain_text() {
    let t = Tenant::new();
    let secret = t.sim.client_secret();
    let mut args = vec!["--json".to_owned()];
    args.extend(connect_args(&t.sim));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = spawn(
        t.dir.path(),
        &args,
        &secret,
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")],
    )
    .wait_with_output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(err["error"]["code"], "keychain_unavailable");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("stores nothing in plain text"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&secret));
    let conn = rusqlite::Connection::open(t.dir.path().join("uniasset.db")).unwrap();
    let saved: i64 = conn
        .query_row("SELECT count(*) FROM entra_connection", [], |r| r.get(0))
        .unwrap();
    assert_eq!(saved, 0);
}

impl Tenant {
    /// A user added through the command line, unlinked.
    fn add(&mut self, email: &str, sign_in: &str) {
        self.ok(&add_member(email, email, sign_in, None));
    }

    fn users(&mut self) -> Vec<Value> {
        self.ok(&["users", "list"]).as_array().unwrap().clone()
    }
}

/// Emails in a provision report's `added` or `linked`.
fn emails(report: &Value, field: &str) -> Vec<String> {
    let mut emails: Vec<String> = report[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect();
    emails.sort();
    emails
}

#[test]
fn provision_adds_enabled_members_links_by_address_and_leaves_the_rest() {
    let mut t = Tenant::new();
    t.connect();
    let adele = t.sim.add_user(
        "adele@northwind.example",
        Some("adele@northwind.example"),
        true,
    );
    t.sim.set_display_name(&adele, "Adele Vance");
    t.sim.add_guest(
        "gina_fabrikam.com#EXT#@northwind.onmicrosoft.com",
        Some("gina@fabrikam.com"),
        true,
    );
    let dora = t.sim.add_user(
        "dora@northwind.example",
        Some("dora@northwind.example"),
        true,
    );
    t.sim.set_enabled(&dora, false);
    let dan = t
        .sim
        .add_user("dan@northwind.example", Some("dan@northwind.example"), true);
    t.sim.soft_delete(&dan);
    let mike = t.sim.add_user(
        "mike@northwind.example",
        Some("mike@northwind.example"),
        true,
    );
    t.add("mike@northwind.example", "microsoft");
    t.sim
        .add_user("pat@northwind.example", Some("pat@northwind.example"), true);
    t.add("pat@northwind.example", "password");
    t.linked("lee@northwind.example");
    let before = t.users();

    // A dry run says the same as the real run, and changes nothing.
    let preview = t.ok(&["entra", "provision", "--dry-run"]);
    assert_eq!(t.users(), before, "a dry run changes nothing");
    let text = t.run(&["entra", "provision", "--dry-run"], "");
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(
        text.starts_with("Dry run, nothing changed: would add 1, would link 1, 1 left alone."),
        "{text}"
    );
    assert!(
        text.contains("Adele Vance <adele@northwind.example>"),
        "{text}"
    );

    let done = t.ok(&["entra", "provision"]);
    for report in [&preview, &done] {
        assert_eq!(emails(report, "added"), ["adele@northwind.example"]);
        assert_eq!(emails(report, "linked"), ["mike@northwind.example"]);
        let left = report["left_alone"].as_array().unwrap();
        assert_eq!(left.len(), 1, "{report}");
        assert_eq!(left[0]["email"], "pat@northwind.example");
        assert!(left[0]["reason"]
            .as_str()
            .unwrap()
            .contains("signs in with a password"));
    }
    let users = t.users();
    assert_eq!(users.len(), before.len() + 1, "only Adele is new");
    let find = |email: &str| users.iter().find(|u| u["email"] == email).cloned();
    let added = find("adele@northwind.example").unwrap();
    assert_eq!(added["sign_in"], "microsoft");
    assert_eq!(added["role"], "member");
    assert_eq!(added["entra_object_id"], adele.as_str());
    assert_eq!(
        find("mike@northwind.example").unwrap()["entra_object_id"],
        mike.as_str()
    );
    assert_eq!(
        find("pat@northwind.example").unwrap()["sign_in"],
        "password"
    );
    for never in [
        "gina@fabrikam.com",
        "dora@northwind.example",
        "dan@northwind.example",
    ] {
        assert!(find(never).is_none(), "{never} was added");
    }

    let again = t.ok(&["entra", "provision"]);
    assert!(emails(&again, "added").is_empty(), "{again}");
    assert!(emails(&again, "linked").is_empty(), "{again}");
    assert_eq!(t.users().len(), before.len() + 1);
    let text = t.run(&["entra", "provision"], "");
    assert!(String::from_utf8_lossy(&text.stdout).starts_with("added 0, linked 0, 1 left alone."));
    t.secret_never_printed_or_stored();
}

#[test]
fn provision_without_a_connection_exits_1_and_says_so() {
    let mut t = Tenant::new();
    for args in [
        &["entra", "provision"][..],
        &["entra", "provision", "--dry-run"][..],
    ] {
        let out = t.run(args, "");
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("Microsoft Entra ID is not connected"),
            "{stderr}"
        );
    }
    let out = t.run(&["--json", "entra", "provision"], "");
    assert_eq!(out.status.code(), Some(1));
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["error"]["code"], "entra_not_connected");
    assert_eq!(t.users().len(), 1, "only the Owner");
}

#[test]
fn auto_add_turns_on_and_off() {
    let mut t = Tenant::new();
    let out = t.run(&["entra", "auto-add", "on"], "");
    assert_eq!(out.status.code(), Some(1), "needs a connection");
    t.connect();
    let on = t.ok(&["entra", "auto-add", "on"]);
    assert_eq!(on["auto_add_new_users"], true);
    assert!(on["auto_add_since"].is_string());
    let off = t.ok(&["entra", "auto-add", "off"]);
    assert_eq!(off["auto_add_new_users"], false);
}

/// `entra check-interval`: minutes in the core's range or `off`, printed back; the range is
/// the core's, and a word other than `off` is refused before the store is opened. They run
/// between the nightly runs, so they are refused until auto-deprovisioning is on.
#[test]
fn check_interval_turns_frequent_checks_on_and_off() {
    let mut t = Tenant::new();
    let out = t.run(&["entra", "check-interval", "10"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Turn auto-deprovisioning on first"),
        "{}",
        t.printed
    );
    t.connect();
    t.ok(&["entra", "auto-deprovision", "on"]);
    let on = t.ok(&["entra", "check-interval", "10"]);
    assert_eq!(on["check_every_minutes"], 10);
    let out = t.run(&["entra", "check-interval", "61"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("Frequent checks run every 5 to 60 minutes (got 61)."),
        "{}",
        t.printed
    );
    let out = t.run(&["entra", "check-interval", "sometimes"], "");
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let off = t.run(&["entra", "check-interval", "off"], "");
    assert!(off.status.success(), "{}", t.printed);
    assert!(String::from_utf8_lossy(&off.stdout).contains("Frequent checks are off"));
    assert_eq!(
        t.ok(&["entra", "check-interval", "off"])["check_every_minutes"],
        Value::Null
    );
}

/// `entra setup` and `entra renew-secret`: the code goes to standard error while the command
/// waits; the administrator's approval (here through the simulator's handle) lets it finish.
#[test]
fn setup_and_renew_secret_wait_for_the_administrator_and_print_the_code() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Simulator::start(TenantConfig {
        device_code_interval_secs: 1,
        ..TenantConfig::default()
    })
    .unwrap();
    let admin = sim.add_user("grace@contoso.onmicrosoft.com", None, true);
    sim.set_roles(&admin, &["Global Administrator"]);
    crate::common::init(dir.path(), "enterprise", None);
    let base = sim.base_url();

    let approve = |child: std::process::Child| {
        let asked = Instant::now();
        let code = loop {
            if let Some(code) = sim.pending_device_codes().pop() {
                break code;
            }
            assert!(
                asked.elapsed() < Duration::from_secs(120),
                "no device code asked for within 120 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        sim.approve_device_code(&code, "grace@contoso.onmicrosoft.com")
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(err.contains(&format!("Code: {code}")), "{err}");
        assert!(err.contains(&format!("{base}/devicelogin")), "{err}");
        assert!(out.status.success(), "{err}");
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let setup = spawn(
        dir.path(),
        &[
            "--json",
            "entra",
            "setup",
            "--login-url",
            &base,
            "--graph-url",
            &base,
        ],
        "",
        &[],
    );
    let connection = approve(setup);
    assert_eq!(connection["tenant"], sim.tenant_id());
    assert_eq!(connection["set_up_by_uniasset"], true);
    assert!(connection["secret_expires_on"].is_string());

    let renewal = approve(spawn(
        dir.path(),
        &["--json", "entra", "renew-secret"],
        "",
        &[],
    ));
    assert!(renewal["old_secret"]
        .as_str()
        .unwrap()
        .starts_with("The old secret was removed"));
    let test = crate::common::run(dir.path(), &["entra", "test"], "");
    assert!(test.status.success(), "{test:?}");
}
