//! Running the real `uniasset` binary on a data directory, shared by the CLI's tests.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use graph_sim::Simulator;
use serde_json::Value;

pub const OWNER_EMAIL: &str = "olivia@northwind.example";

/// Starts `uniasset ARGS` on `dir` with `stdin` written and closed.
pub fn spawn(dir: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_uniasset"))
        .args(args)
        .env("UNIASSET_DATA_DIR", dir)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let written = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    // A command that fails before reading its input (no organization here, say) closes
    // the pipe first; that is its answer, not the test's fault.
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child
}

pub fn run(dir: &Path, args: &[&str], stdin: &str) -> Output {
    spawn(dir, args, stdin, &[]).wait_with_output().unwrap()
}

/// Runs a command that must succeed; returns what it printed.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args, "");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(dir, &all)).unwrap()
}

/// Runs a command expected to fail with `code`; returns what it said on stderr.
pub fn fails(dir: &Path, args: &[&str], code: i32) -> String {
    let out = run(dir, args, "");
    assert_eq!(out.status.code(), Some(code), "{args:?}");
    String::from_utf8(out.stderr).unwrap()
}

/// `org init` for Northwind with Olivia as its Owner, given a password or not.
pub fn init(dir: &Path, plan: &str, owner_password: Option<&str>) {
    let mut args = vec![
        "org",
        "init",
        "--name",
        "Northwind",
        "--plan",
        plan,
        "--owner-email",
        OWNER_EMAIL,
        "--owner-name",
        "Olivia Owner",
    ];
    if owner_password.is_some() {
        args.push("--owner-password-stdin");
    }
    let stdin = owner_password
        .map(|pw| format!("{pw}\n"))
        .unwrap_or_default();
    let out = run(dir, &args, &stdin);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `users add` for a Member, linked to `entra_id` when given.
pub fn add_member<'a>(
    email: &'a str,
    name: &'a str,
    sign_in: &'a str,
    entra_id: Option<&'a str>,
) -> Vec<&'a str> {
    let mut args = vec![
        "users",
        "add",
        "--email",
        email,
        "--name",
        name,
        "--role",
        "member",
        "--sign-in",
        sign_in,
    ];
    if let Some(id) = entra_id {
        args.extend(["--entra-id", id]);
    }
    args
}

/// `entra connect` to the Graph simulator `sim`: its tenant, client and endpoints; the
/// client secret goes on standard input.
pub fn connect_args(sim: &Simulator) -> Vec<String> {
    let base = sim.base_url();
    [
        "entra",
        "connect",
        "--tenant",
        &sim.tenant_id(),
        "--client-id",
        &sim.client_id(),
        "--client-secret-stdin",
        "--login-url",
        &base,
        "--graph-url",
        &base,
    ]
    .map(String::from)
    .to_vec()
}

/// Connects the organization in `dir` to `sim`; the command must succeed.
pub fn connect(dir: &Path, sim: &Simulator) {
    let args = connect_args(sim);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(dir, &args, &format!("{}\n", sim.client_secret()));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
