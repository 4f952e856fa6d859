//! `netpol`: the Netpol Studio engine on the command line. A thin shell over `netpol-core`.
//!
//! Exit codes (`../shared/spec/cli.md`): 0 success, 1 the command found what it was asked to fail on,
//! 2 usage error or unreadable input. Each subcommand lives in its own module under `commands/`.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;

mod commands;
mod connectivity;
mod coverage;
mod diagram;
mod diff;
mod eval;
mod explain;
mod export;
mod flow_files;
mod impact;
pub mod input;
mod lint;
mod migrate_anp;
mod probe_plan;
mod recommend;
mod sample;
mod sarif;
mod selector;
mod validate;

/// Design, check and gate Calico network policy.
#[derive(Parser)]
#[command(name = "netpol", version, about)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    commands::run(cli.command)
}
