//! `netpol eval --resources PATH… [--input FILE|-] [--explain]`: one JSON verdict line per flow line
//! (`cli.md`).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use netpol_core::eval::Evaluator;
use netpol_core::eval::flow_input::parse_flow_line;
use netpol_core::model::ResourceSet;

/// Arguments of `netpol eval`.
#[derive(Args)]
pub struct EvalArgs {
    /// Resource files or directories (tiers, policies of every kind, network sets, namespaces, pods and workloads).
    #[arg(long, num_args = 1.., required = true)]
    pub resources: Vec<PathBuf>,
    /// JSON lines of flows; `-` (the default) reads standard input.
    #[arg(long, default_value = "-")]
    pub input: String,
    /// Add each side's trace: every tier visited and every policy that selected the endpoint.
    #[arg(long)]
    pub explain: bool,
    #[command(flatten)]
    pub version: crate::input::CalicoVersionArg,
    #[command(flatten)]
    pub env: crate::input::EnvArg,
}

/// Loads the resources and compiles them; on failure prints the problems and returns exit code 2.
pub(crate) fn compile(
    paths: &[PathBuf],
    version: crate::input::CalicoVersionArg,
    env: &crate::input::EnvArg,
) -> Result<(ResourceSet, Evaluator), ExitCode> {
    let resources = load(paths, version, env)?;
    match Evaluator::new(&resources) {
        Ok(ev) => Ok((resources, ev)),
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            Err(ExitCode::from(2))
        }
    }
}

/// Loads the resources as the chosen Calico release sees them, warning on stderr about every object it
/// does not enforce; input that cannot be read or has errors prints them and gives exit code 2.
pub(crate) fn load(
    paths: &[PathBuf],
    version: crate::input::CalicoVersionArg,
    env: &crate::input::EnvArg,
) -> Result<ResourceSet, ExitCode> {
    let input = crate::input::load_or_exit(paths, env)?;
    Ok(crate::input::enforced_resources(&input, version))
}

/// Runs `netpol eval`.
pub fn run(args: &EvalArgs) -> ExitCode {
    let (resources, mut ev) = match compile(&args.resources, args.version, &args.env) {
        Ok(compiled) => compiled,
        Err(code) => return code,
    };
    let reader: Box<dyn Read> = if args.input == "-" {
        Box::new(std::io::stdin())
    } else {
        match std::fs::File::open(&args.input) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("{}: error: {e}", args.input);
                return ExitCode::from(2);
            }
        }
    };
    let name = if args.input == "-" {
        "<stdin>"
    } else {
        args.input.as_str()
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    for (n, line) in BufReader::new(reader).lines().enumerate() {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                eprintln!("{name}:{}:1: error: {e}", n + 1);
                return ExitCode::from(2);
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let value = match parse_flow_line(&mut ev, &resources, &line) {
            Ok(flow) if args.explain => ev.explain(&flow).to_json(),
            Ok(flow) => ev.verdict_json(&flow, &ev.evaluate(&flow)),
            Err(message) => {
                eprintln!("{name}:{}:1: error: {message}", n + 1);
                failed = true;
                serde_json::json!({ "error": message })
            }
        };
        if writeln!(out, "{value}").is_err() {
            return ExitCode::from(2);
        }
    }
    if out.flush().is_err() || failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
