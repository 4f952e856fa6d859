//! `netpol explain --resources PATH… --from ENDPOINT --to ENDPOINT --protocol P [--port N]`: one flow's
//! evaluation for people, side by side, tier by tier, policy by policy (`cli.md`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use netpol_core::eval::Flow;
use netpol_core::eval::flow_input::parse_endpoint_arg;
use netpol_core::model::Protocol;

/// Output format of `netpol explain`.
#[derive(Clone, Copy, Default, ValueEnum)]
pub enum ExplainFormat {
    #[default]
    Text,
    Json,
}

/// Arguments of `netpol explain`.
#[derive(Args)]
pub struct ExplainArgs {
    /// Resource files or directories.
    #[arg(long, num_args = 1.., required = true)]
    pub resources: Vec<PathBuf>,
    /// The source: `namespace/name` of a pod or workload, or an IP.
    #[arg(long)]
    pub from: String,
    /// The destination: `namespace/name` of a pod or workload, or an IP.
    #[arg(long)]
    pub to: String,
    /// TCP, UDP, ICMP, SCTP or a protocol number.
    #[arg(long)]
    pub protocol: String,
    /// The destination port (omit for protocols without ports).
    #[arg(long)]
    pub port: Option<u16>,
    /// `text` (default) or `json` (the `eval --explain` shape).
    #[arg(long, value_enum, default_value_t)]
    pub format: ExplainFormat,
    #[command(flatten)]
    pub version: crate::input::CalicoVersionArg,
    #[command(flatten)]
    pub env: crate::input::EnvArg,
}

/// Runs `netpol explain`.
pub fn run(args: &ExplainArgs) -> ExitCode {
    let (_, mut ev) = match crate::eval::compile(&args.resources, args.version, &args.env) {
        Ok(compiled) => compiled,
        Err(code) => return code,
    };
    let protocol = match Protocol::parse_lenient(&args.protocol) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let endpoints = parse_endpoint_arg(&mut ev, &args.from)
        .and_then(|src| Ok((src, parse_endpoint_arg(&mut ev, &args.to)?)));
    let (src, dst) = match endpoints {
        Ok(ids) => ids,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let port = if protocol.has_ports() {
        args.port
    } else {
        None
    };
    let explanation = ev.explain(&Flow {
        src,
        dst,
        protocol,
        port,
    });
    match args.format {
        ExplainFormat::Text => {
            let port = port.map(|p| format!(" port {p}")).unwrap_or_default();
            println!(
                "{} → {} {protocol}{port}",
                ev.endpoint_label(src),
                ev.endpoint_label(dst)
            );
            print!("{}", explanation.to_text());
        }
        ExplainFormat::Json => println!("{}", explanation.to_json()),
    }
    ExitCode::SUCCESS
}
