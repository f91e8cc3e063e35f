//! One function per command, each a thin call into the core.

mod alerts;
mod assets;
mod audit;
mod backup;
mod entra;
mod leavers;
mod org;
mod report;
mod status;
mod users;

use std::io::Read;

use uniasset_core::password::Password;
use uniasset_core::store::Store;
use uniasset_core::{data_dir, organization};

use crate::args::{BackupCommand, Cli, Command, OrgCommand, ReportCommand};
use crate::output::{Done, Failure};

pub fn run(cli: Cli) -> Result<Done, Failure> {
    let json = cli.json;
    let dir = data_dir::resolve(cli.data_dir)?;
    // A restore opens no store: the organization there may be missing, damaged or about
    // to be replaced.
    if let Command::Backup(BackupCommand::Restore {
        file,
        force,
        passphrase_stdin,
    }) = cli.command
    {
        return backup::restore(&dir, &file, force, passphrase_stdin);
    }
    // Only `org init` makes a database: any other command in a mistyped directory says
    // so and leaves nothing behind.
    let mut store = match &cli.command {
        Command::Org(OrgCommand::Init(_)) => Store::open(&dir)?,
        _ => Store::open_existing(&dir)?,
    };
    for change in store.tightened() {
        eprintln!("uniasset: {change}");
    }
    match cli.command {
        Command::Org(cmd) => org::run(&mut store, cmd),
        Command::Users(cmd) => {
            organization::get(&store)?;
            users::run(&mut store, cmd)
        }
        Command::Entra(cmd) => {
            organization::get(&store)?;
            entra::run(&mut store, cmd)
        }
        Command::Assets(cmd) => {
            organization::get(&store)?;
            assets::run(&mut store, cmd)
        }
        Command::Alerts(cmd) => {
            organization::get(&store)?;
            alerts::run(&mut store, cmd)
        }
        Command::Audit(args) => {
            // clap sees the conflict only when --json follows the subcommand.
            if json && args.csv {
                return Err(Failure::usage(
                    "--csv and --json cannot be used together: choose one.",
                ));
            }
            organization::get(&store)?;
            audit::run(&store, args)
        }
        Command::Backup(cmd) => {
            organization::get(&store)?;
            backup::run(&mut store, cmd)
        }
        Command::Leavers { overdue } => {
            organization::get(&store)?;
            leavers::run(&store, overdue)
        }
        Command::Report(ReportCommand::Leavers(args)) => {
            if json && args.csv {
                return Err(Failure::usage(
                    "--csv and --json cannot be used together: choose one.",
                ));
            }
            organization::get(&store)?;
            report::leavers(&store, args)
        }
        Command::Report(ReportCommand::Target { hours }) => {
            organization::get(&store)?;
            report::target(&mut store, hours)
        }
        Command::Status => status::run(&store),
    }
}

/// A secret piped in on standard input, without its trailing line break.
fn from_stdin(what: &str) -> Result<String, Failure> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| {
        Failure::usage(format!(
            "Could not read the {what} from standard input: {e}"
        ))
    })?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.is_empty() {
        return Err(Failure::usage(format!(
            "No {what} arrived on standard input."
        )));
    }
    Ok(text.to_owned())
}

fn password_from_stdin() -> Result<Password, Failure> {
    from_stdin("password").map(Password::new)
}

/// Runs the core's async work (Graph calls) to completion on this thread.
fn block_on<F: std::future::Future>(work: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a single-threaded runtime starts")
        .block_on(work)
}
