//! `netpol connectivity --resources PATH… [--format json|csv|table|matrix] [--probes FILE]`: every
//! allowed connection in the normalized form of `connectivity.md`, or the namespace × namespace
//! matrix read from it (`matrix`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use netpol_core::eval::connectivity::{Probes, connectivity, to_csv, to_json, to_table};
use netpol_core::eval::matrix::{namespace_matrix_of, to_text};

/// Output format of `netpol connectivity`.
#[derive(Clone, Copy, Default, ValueEnum)]
pub enum ConnectivityFormat {
    #[default]
    Json,
    Csv,
    Table,
    /// Namespace × namespace: allowed, denied, partly or undecidable over the workloads' container
    /// ports (the probes of the JSON form without --probes).
    Matrix,
}

/// Arguments of `netpol connectivity`.
#[derive(Args)]
pub struct ConnectivityArgs {
    /// Resource files or directories.
    #[arg(long, num_args = 1.., required = true)]
    pub resources: Vec<PathBuf>,
    /// `json` (default), `csv`, `table` or `matrix`.
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
    if matches!(args.format, ConnectivityFormat::Matrix) && args.probes.is_some() {
        eprintln!(
            "error: --format matrix probes the workloads on their container ports: it does not read --probes"
        );
        return ExitCode::from(2);
    }
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
                ConnectivityFormat::Matrix => match namespace_matrix_of(&resources, &connections) {
                    Ok(matrix) => to_text(&matrix),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                },
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
