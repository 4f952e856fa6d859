//! `netpol connectivity --resources PATH… [--format json|csv|table] [--probes FILE]`: every allowed
//! connection in the normalized form of `connectivity.md`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use netpol_core::eval::connectivity::{Probes, connectivity, to_csv, to_json, to_table};

/// Output format of `netpol connectivity`.
#[derive(Clone, Copy, Default, ValueEnum)]
pub enum ConnectivityFormat {
    #[default]
    Json,
    Csv,
    Table,
}

/// Arguments of `netpol connectivity`.
#[derive(Args)]
pub struct ConnectivityArgs {
    /// Resource files or directories.
    #[arg(long, num_args = 1.., required = true)]
    pub resources: Vec<PathBuf>,
    /// `json` (default), `csv` or `table`.
    #[arg(long, value_enum, default_value_t)]
    pub format: ConnectivityFormat,
    /// JSON: `{"external_ips": [...], "extra_ports": [["TCP", 9999], ["ICMP", null]]}`.
    #[arg(long)]
    pub probes: Option<String>,
    #[command(flatten)]
    pub version: crate::input::CalicoVersionArg,
    #[command(flatten)]
    pub env: crate::input::EnvArg,
}

/// Runs `netpol connectivity`.
pub fn run(args: &ConnectivityArgs) -> ExitCode {
    let probes = match &args.probes {
        None => Probes::default(),
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| Probes::from_json(&text))
        {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{path}: error: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let resources = match crate::eval::load(&args.resources, args.version, &args.env) {
        Ok(resources) => resources,
        Err(code) => return code,
    };
    match connectivity(&resources, &probes) {
        Ok(connections) => {
            let text = match args.format {
                ConnectivityFormat::Json => to_json(&connections),
                ConnectivityFormat::Csv => to_csv(&connections),
                ConnectivityFormat::Table => to_table(&connections),
            };
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
