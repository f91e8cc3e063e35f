//! `uniasset`: the command line over UniAsset's core, for scripting and support.
//! Exit codes: 0 success, 1 failure, 2 bad usage (clap's own code for usage errors).

mod args;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
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
