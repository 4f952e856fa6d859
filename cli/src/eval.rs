//! `netpol eval --resources PATH… [--input FILE|-] [--explain]`: one JSON verdict line per flow line
//! (`cli.md`). The input may also be a JSON array of flows — a probe plan (`netpol probe-plan`):
//! flows that carry `expect` get `"expect"` and `"as_expected"` in their verdict line, and any verdict
//! other than expected gives exit code 1.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use netpol_core::eval::Evaluator;
use netpol_core::eval::flow_input::parse_probe_line;
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
    let mut reader = BufReader::new(reader);
    // A JSON array (a probe plan) is read whole; anything else line by line, as it streams.
    let is_array = match reader.fill_buf() {
        Ok(head) => head
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'['),
        Err(e) => {
            eprintln!("{name}:1:1: error: {e}");
            return ExitCode::from(2);
        }
    };
    // Each flow with where it is, for messages: `FILE:LINE:1` in lines, `FILE: flow N` in an array.
    let lines: Box<dyn Iterator<Item = (String, Result<String, String>)>> =
        if is_array {
            let mut text = String::new();
            if let Err(e) = reader.read_to_string(&mut text) {
                eprintln!("{name}:1:1: error: {e}");
                return ExitCode::from(2);
            }
            match serde_json::from_str::<Vec<serde_json::Value>>(&text) {
                Ok(items) => Box::new(items.into_iter().enumerate().map(move |(i, item)| {
                    (format!("{name}: flow {}", i + 1), Ok(item.to_string()))
                })),
                Err(e) => {
                    eprintln!(
                        "{name}:{}:{}: error: not a JSON array of flows: {e}",
                        e.line(),
                        e.column()
                    );
                    return ExitCode::from(2);
                }
            }
        } else {
            Box::new(reader.lines().enumerate().map(move |(n, line)| {
                (
                    format!("{name}:{}:1", n + 1),
                    line.map_err(|e| e.to_string()),
                )
            }))
        };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    let mut unexpected = 0usize;
    for (n, line) in lines {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                eprintln!("{n}: error: {e}");
                return ExitCode::from(2);
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let value = match parse_probe_line(&mut ev, &resources, &line) {
            Ok((flow, expect)) => {
                let verdict = ev.evaluate(&flow);
                let mut value = if args.explain {
                    ev.explain(&flow).to_json()
                } else {
                    ev.verdict_json(&flow, &verdict)
                };
                if let (Some(expect), Some(object)) = (expect, value.as_object_mut()) {
                    let as_expected =
                        !verdict.undecidable.enforced.verdict.any() && verdict.verdict() == expect;
                    if !as_expected {
                        unexpected += 1;
                        eprintln!("{n}: not as expected: {expect:?} expected");
                    }
                    object.insert("expect".into(), serde_json::json!(expect));
                    object.insert("as_expected".into(), serde_json::json!(as_expected));
                }
                value
            }
            Err(message) => {
                eprintln!("{n}: error: {message}");
                failed = true;
                serde_json::json!({ "error": message })
            }
        };
        if writeln!(out, "{value}").is_err() {
            return ExitCode::from(2);
        }
    }
    if out.flush().is_err() || failed {
        return ExitCode::from(2);
    }
    if unexpected > 0 {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
