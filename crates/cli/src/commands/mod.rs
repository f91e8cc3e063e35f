//! One function per command, each a thin call into the core.

mod org;
mod users;

use std::io::Read;

use uniasset_core::password::Password;
use uniasset_core::store::Store;
use uniasset_core::{data_dir, organization};

use crate::args::{Cli, Command};
use crate::output::{Done, Failure};

pub fn run(cli: Cli) -> Result<Done, Failure> {
    let dir = data_dir::resolve(cli.data_dir)?;
    let mut store = Store::open(&dir)?;
    match cli.command {
        Command::Org(cmd) => org::run(&mut store, cmd),
        Command::Users(cmd) => {
            organization::get(&store)?;
            users::run(&mut store, cmd)
        }
    }
}

/// A secret piped in on standard input, without its trailing line break.
fn password_from_stdin() -> Result<Password, Failure> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| {
        Failure::usage(format!(
            "Could not read the password from standard input: {e}"
        ))
    })?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.is_empty() {
        return Err(Failure::usage("No password arrived on standard input."));
    }
    Ok(Password::new(text))
}
