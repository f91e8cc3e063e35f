//! `graph-sim`: runs a simulator with a generated tenant until killed, for manual tries,
//! the demo and scripts. Prints one JSON line with what a client needs to connect. Lines on
//! stdin change the tenant while it runs, as an administrator would in Entra (end-to-end
//! tests disable a leaver this way): `disable <object id>`, `enable <id>`, `delete <id>`
//! (to the recycle bin); each is answered on stdout with `ok` or what was wrong. `status <id>`
//! answers with the account as JSON: `{"enabled": false, "sessions_revoked_at": "…"|null}`;
//! `manager <id> <manager's id>` and `no-manager <id>` set or take away a manager.

use clap::Parser;
use graph_sim::{Faults, SeedAccount, Simulator, TenantConfig};
use std::process::ExitCode;

#[derive(Parser)]
#[command(about = "A Microsoft Graph simulator on 127.0.0.1")]
struct Args {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Users in the tenant (user00001@<domain>, ...).
    #[arg(long, default_value_t = 0)]
    users: usize,
    /// How many of them are disabled (the first ones).
    #[arg(long, default_value_t = 0)]
    disabled: usize,
    /// How many of them are soft-deleted (the ones after the disabled).
    #[arg(long, default_value_t = 0)]
    deleted: usize,
    /// A JSON file of accounts with fixed object ids, added after the generated ones:
    /// `[{"id": "<guid>", "upn": "a@b.example", "enabled": true, "deleted": false,
    /// "roles": ["Global Administrator"]}]`.
    #[arg(long, value_name = "FILE")]
    seed: Option<std::path::PathBuf>,
    /// Delay every Graph reply by this many milliseconds (a slow or distant Microsoft).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Seconds a device code sign-in asks the app to wait between polls.
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    device_code_interval: u64,
    /// Seconds a device code sign-in stays valid.
    #[arg(long, value_name = "SECS", default_value_t = 900)]
    device_code_lifetime: u64,
    /// Grant the pre-configured app one more of Graph's application permissions, as an
    /// administrator's consent does (User.RevokeSessions.All, User.EnableDisableAccount.All).
    #[arg(long = "grant", value_name = "PERMISSION")]
    grants: Vec<String>,
}

fn read_seed(path: &std::path::Path) -> Result<Vec<SeedAccount>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a list of accounts: {e}", path.display()))
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.disabled + args.deleted > args.users {
        eprintln!("graph-sim: --disabled plus --deleted must not exceed --users");
        return ExitCode::from(2);
    }
    let seed = match args.seed.as_deref().map(read_seed).transpose() {
        Ok(seed) => seed.unwrap_or_default(),
        Err(message) => {
            eprintln!("graph-sim: {message}");
            return ExitCode::from(2);
        }
    };
    let config = TenantConfig {
        device_code_interval_secs: args.device_code_interval,
        device_code_lifetime_secs: args.device_code_lifetime,
        ..TenantConfig::default()
    };
    let domain = config.domains[0].clone();
    let simulator = match Simulator::start_on(config, args.port) {
        Ok(simulator) => simulator,
        Err(error) => {
            eprintln!("graph-sim: cannot listen on port {}: {error}", args.port);
            return ExitCode::FAILURE;
        }
    };
    let ids = simulator.add_users(args.users, &domain);
    let (disabled, rest) = ids.split_at(args.disabled);
    disabled
        .iter()
        .for_each(|id| simulator.set_enabled(id, false));
    rest[..args.deleted]
        .iter()
        .for_each(|id| simulator.soft_delete(id));
    simulator.seed(&seed);
    for permission in &args.grants {
        if !simulator.try_grant_app_role(permission) {
            eprintln!("graph-sim: Microsoft Graph offers no application permission {permission}");
            return ExitCode::from(2);
        }
    }
    simulator.set_faults(Faults {
        latency_ms: args.latency_ms,
        ..Faults::default()
    });

    let line = serde_json::json!({
        "base_url": simulator.base_url(),
        "tenant_id": simulator.tenant_id(),
        "client_id": simulator.client_id(),
        "client_secret": simulator.client_secret(),
        "domain": domain,
    });
    println!("{line}");
    // The server runs on its own thread; this one takes commands, then keeps the process
    // alive once stdin is closed.
    for command in std::io::stdin().lines() {
        let Ok(command) = command else { break };
        println!("{}", control(&simulator, &command));
    }
    loop {
        std::thread::park();
    }
}

/// One stdin command. An id the tenant never had is a bug in the test: the simulator panics
/// and exits, loudly.
fn control(simulator: &Simulator, command: &str) -> String {
    match command.split_whitespace().collect::<Vec<_>>()[..] {
        ["disable", id] => simulator.set_enabled(id, false),
        ["enable", id] => simulator.set_enabled(id, true),
        ["delete", id] => simulator.soft_delete(id),
        ["manager", id, manager] => simulator.set_manager(id, Some(manager)),
        ["no-manager", id] => simulator.set_manager(id, None),
        ["status", id] => {
            return serde_json::json!({
                "enabled": simulator.is_enabled(id),
                "sessions_revoked_at": simulator.sessions_revoked_at(id),
            })
            .to_string()
        }
        _ => {
            return format!(
                "unknown command {command:?}: use disable|enable|delete|status <object id>, manager <object id> <manager's object id> or no-manager <object id>"
            )
        }
    }
    "ok".to_owned()
}
