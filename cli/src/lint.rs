//! `netpol lint PATH… [--format text|json] [--deny warnings] [--allow ID…] [--flows FILE…]`:
//! best-practice findings for resources or a design document (`cli.md`).
//!
//! Text output is one `FILE:LINE:COL: SEVERITY[ID]: message` line per finding, then the suggested fix,
//! then a summary line. Exit 1 on error findings or unreadable resources in a file (and on warnings with
//! `--deny warnings`), 2 on usage errors or paths that cannot be read.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use netpol_core::lint::{self, Finding, LINTS, LintConfig, Severity};
use serde::Serialize;

use crate::input::{self, Input};

/// Arguments of `netpol lint`.
#[derive(Args, Debug)]
pub struct LintArgs {
    /// Files or directories (every *.yaml, *.yml, *.json below, sorted); `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also fail (exit 1) on findings of this severity.
    #[arg(long, value_enum, value_name = "LEVEL")]
    deny: Option<Deny>,
    /// Turn a lint off (repeatable, or comma-separated).
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    allow: Vec<String>,
    /// Observed flow logs: report staged policies that would deny flows allowed today.
    #[arg(long, value_name = "FILE")]
    flows: Vec<PathBuf>,
    #[command(flatten)]
    version: input::CalicoVersionArg,
}

/// How `lint` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// What else fails the run besides errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Deny {
    Warnings,
    Info,
}

#[derive(Serialize)]
struct Report<'a> {
    findings: &'a [Finding],
    errors: usize,
    warnings: usize,
    info: usize,
    /// Problems reading the input files (`FILE:LINE:COL: error: …`).
    input_errors: Vec<String>,
}

/// Runs the subcommand.
pub fn run(args: &LintArgs) -> ExitCode {
    let unknown: Vec<&String> = args
        .allow
        .iter()
        .filter(|id| lint::lint_info(id).is_none())
        .collect();
    if !unknown.is_empty() {
        let known: Vec<&str> = LINTS.iter().map(|l| l.id).collect();
        let names: Vec<String> = unknown.iter().map(|id| format!("`{id}`")).collect();
        eprintln!(
            "netpol lint: unknown lint {}; known lints: {}",
            names.join(", "),
            known.join(", ")
        );
        return ExitCode::from(2);
    }
    let input = match input::load(&args.paths) {
        Ok(input) => input,
        Err(message) => {
            eprintln!("netpol lint: {message}");
            return ExitCode::from(2);
        }
    };
    let version = args.version.resolve(&input);
    for d in input.not_enforced(version) {
        eprintln!("{}", d.render());
    }
    let mut findings = match lint_input(&input, &args.allow, version) {
        Ok(f) => f,
        Err(message) => {
            eprintln!("netpol lint: {message}");
            return ExitCode::from(2);
        }
    };
    for path in &args.flows {
        match input::load_flows(std::slice::from_ref(path), Default::default()) {
            Ok(flows) => {
                let config = config_for(&input, &args.allow);
                findings.extend(lint::lint_flows(
                    &input.resource_set_for(version),
                    &flows,
                    &config,
                ));
            }
            Err(message) => {
                eprintln!("netpol lint: {message}");
                return ExitCode::from(2);
            }
        }
    }
    locate(&input, &mut findings);
    findings.sort_by(|a, b| {
        let key = |f: &Finding| (f.location.file.clone(), f.location.line, f.location.column);
        key(a).cmp(&key(b))
    });
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let (errors, warnings, info) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let input_errors: Vec<String> = input
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.render())
        .collect();
    match args.format {
        Format::Text => {
            for e in &input_errors {
                println!("{e}");
            }
            let fallback = input.files.first().map_or("<input>", String::as_str);
            for f in &findings {
                println!("{}", render(f, fallback));
            }
            println!(
                "{} findings: {errors} errors, {warnings} warnings, {info} info",
                findings.len()
            );
        }
        Format::Json => {
            let report = Report {
                findings: &findings,
                errors,
                warnings,
                info,
                input_errors: input_errors.clone(),
            };
            match serde_json::to_string_pretty(&report) {
                Ok(text) => println!("{text}"),
                Err(e) => {
                    eprintln!("netpol lint: {e}");
                    return ExitCode::from(2);
                }
            }
        }
    }
    let denied = match args.deny {
        None => false,
        Some(Deny::Warnings) => warnings > 0,
        Some(Deny::Info) => warnings + info > 0,
    };
    if errors > 0 || !input_errors.is_empty() || denied {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The configuration: a design's own `spec.lint` (when the input is one design) plus `--allow`.
fn config_for(input: &Input, allow: &[String]) -> LintConfig {
    let mut config = match input.single_design() {
        Some(design) => design.lint.clone(),
        None => LintConfig::default(),
    };
    for id in allow {
        config.allow.insert(id.clone());
    }
    config
}

/// Lints the input: each design document as a design when the input holds nothing else, otherwise
/// every resource together.
fn lint_input(
    input: &Input,
    allow: &[String],
    version: netpol_core::model::CalicoVersion,
) -> Result<Vec<Finding>, String> {
    let config = config_for(input, allow);
    if input.is_designs_only() {
        let mut out = Vec::new();
        for design in input.designs().map(|d| &d.design) {
            let mut config = design.lint.clone();
            config.allow.extend(allow.iter().cloned());
            out.extend(lint::lint_design(design, &config));
        }
        return Ok(out);
    }
    Ok(lint::lint_resources(
        &input.resource_set_for(version),
        &config,
    ))
}

/// A resource by `(kind, namespace, name)`.
type ResourceKey<'a> = (&'a str, Option<&'a str>, &'a str);

/// Where a resource was read: `(file, line, column)`.
type Position<'a> = (&'a str, usize, usize);

/// Fills in the file, line and column of each finding's resource.
fn locate(input: &Input, findings: &mut [Finding]) {
    let mut positions: HashMap<ResourceKey<'_>, Position<'_>> = HashMap::new();
    let located = input.located_resources();
    for r in &located {
        let meta = r.resource.metadata();
        positions
            .entry((
                r.resource.kind(),
                meta.namespace.as_deref(),
                meta.name.as_str(),
            ))
            .or_insert((&r.file, r.line, r.column));
    }
    for f in findings {
        let res = &f.location.resource;
        if let Some(&(file, line, column)) = positions.get(&(
            res.kind.as_str(),
            res.namespace.as_deref(),
            res.name.as_str(),
        )) {
            f.set_position(
                file,
                u32::try_from(line).unwrap_or(u32::MAX),
                u32::try_from(column).unwrap_or(u32::MAX),
            );
        }
    }
}

/// `FILE:LINE:COL: warning[ID]: message`, then `  = fix: …`.
fn render(f: &Finding, fallback: &str) -> String {
    let place = match (&f.location.file, f.location.line, f.location.column) {
        (Some(file), Some(line), Some(column)) if line > 0 => format!("{file}:{line}:{column}"),
        (Some(file), _, _) => file.clone(),
        _ => fallback.to_owned(),
    };
    let resource = &f.location.resource;
    let what = match &resource.namespace {
        Some(ns) => format!("{} {ns}/{}", resource.kind, resource.name),
        None => format!("{} {}", resource.kind, resource.name),
    };
    let mut text = format!(
        "{place}: {}[{}]: {}\n  = resource: {what}",
        f.severity, f.id, f.message
    );
    text.push_str(&format!("\n  = fix: {}", f.fix.text));
    text
}
