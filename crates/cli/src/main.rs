//! `uniasset`: the command line over UniAsset's core, for scripting and support.
//! Exit codes: 0 success, 1 failure, 2 bad usage (clap's own code for usage errors).

mod args;
mod commands;
mod output;

use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue};
use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::try_parse().unwrap_or_else(|e| short_echo(e).exit());
    let json = cli.json;
    match commands::run(cli) {
        Ok(done) => {
            output::success(&done, json);
            ExitCode::SUCCESS
        }
        Err(failure) => {
            output::failure(&failure, json);
            ExitCode::from(failure.exit_code())
        }
    }
}

/// clap repeats a refused value, argument or subcommand whole; like the core's errors,
/// repeat at most 80 characters of it (R-X3). Its own words (argument names) are shorter.
fn short_echo(mut e: clap::Error) -> clap::Error {
    let echoed: Vec<(ContextKind, String)> = e
        .context()
        .filter_map(|(kind, value)| match value {
            ContextValue::String(text) => Some((kind, uniasset_core::text::excerpt(text))),
            _ => None,
        })
        .collect();
    for (kind, short) in echoed {
        e.insert(kind, ContextValue::String(short));
    }
    e
}
