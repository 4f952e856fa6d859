//! `netpol lint PATH… [--format text|json|sarif] [--fail-on error|warning|note] [--list] [--allow ID…]
//! [--flows FILE…]`: best-practice findings for resources or a design document (`cli.md`).
//!
//! Text output is one `FILE:LINE:COL: SEVERITY[ID]: message` line per finding, then the suggested fix,
//! then a summary line; `sarif` is SARIF 2.1.0 (`crate::sarif`). Exit 1 on error findings or unreadable
//! resources in a file (and on findings of the `--fail-on` severity or worse; `--deny warnings` is
//! `--fail-on warning`), 2 on usage errors or paths that cannot be read. `--list` prints every lint.

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
    #[arg(required_unless_present = "list", value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Print every lint (`ID  SEVERITY  description`; JSON with --format json) and exit.
    #[arg(long)]
    list: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Fail (exit 1) when a finding of this severity or worse exists (`note` = `info`).
    #[arg(long = "fail-on", value_enum, value_name = "SEVERITY")]
    fail_on: Option<FailOn>,
    /// Also fail (exit 1) on findings of this severity (`--deny warnings` = `--fail-on warning`).
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
    #[command(flatten)]
    env: input::EnvArg,
}

/// How `lint` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
}

/// The least severe finding that fails the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    #[value(alias = "note")]
    Info,
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
    if args.list {
        return list(args.format);
    }
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
    let inputs = match input::load_per_env_or_exit("lint", &args.paths, &args.env) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    // A repository is linted per environment: text and JSON report each environment under its
    // name; SARIF (one run) holds every environment's findings, each said once with the environments
    // it is found in.
    let several = inputs.len() > 1;
    let mut failed = false;
    let mut json = serde_json::Map::new();
    let mut sarif_findings: Vec<(Finding, Vec<String>)> = Vec::new();
    let mut fallback = String::from("<input>");
    for loaded in &inputs {
        let linted = match lint_one(&loaded.input, args) {
            Ok(out) => out,
            Err(code) => return code,
        };
        failed |= linted.failed;
        if let Some(first) = loaded.input.files.first()
            && fallback == "<input>"
        {
            fallback = first.clone();
        }
        match (args.format, &loaded.env) {
            (Format::Sarif, env) => {
                for e in &linted.input_errors {
                    eprintln!("{e}");
                }
                for f in linted.findings {
                    let same = |(g, _): &&mut (Finding, Vec<String>)| {
                        g.id == f.id
                            && g.message == f.message
                            && g.location.file == f.location.file
                            && g.location.line == f.location.line
                    };
                    match sarif_findings.iter_mut().find(same) {
                        Some((_, envs)) => envs.extend(env.clone()),
                        None => sarif_findings.push((f, env.iter().cloned().collect())),
                    }
                }
            }
            (Format::Json, Some(env)) if several => {
                json.insert(env.clone(), linted.value);
            }
            (Format::Text, Some(env)) if several => {
                print!("== environment {env} ==\n{}", linted.text);
            }
            _ => print!("{}", linted.text),
        }
    }
    if args.format == Format::Sarif {
        let findings: Vec<Finding> = sarif_findings
            .into_iter()
            .map(|(mut f, envs)| {
                if several {
                    f.message = format!("{} (environments: {})", f.message, envs.join(", "));
                }
                f
            })
            .collect();
        println!("{}", sarif(&findings, &fallback));
    }
    if several && args.format == Format::Json {
        println!("{}", input::by_environment_json(json));
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// What linting one input gives.
struct Linted {
    findings: Vec<Finding>,
    input_errors: Vec<String>,
    /// The text or JSON report (empty for SARIF, which is written once for every input).
    text: String,
    value: serde_json::Value,
    failed: bool,
}

/// Lints one input.
fn lint_one(input: &Input, args: &LintArgs) -> Result<Linted, ExitCode> {
    let version = args.version.resolve(input);
    for d in input.not_enforced(version) {
        eprintln!("{}", d.render());
    }
    let mut findings = match lint_input(input, &args.allow, version) {
        Ok(f) => f,
        Err(message) => {
            eprintln!("netpol lint: {message}");
            return Err(ExitCode::from(2));
        }
    };
    for path in &args.flows {
        match input::load_flows(std::slice::from_ref(path), Default::default()) {
            Ok(flows) => {
                let config = config_for(input, &args.allow);
                findings.extend(lint::lint_flows(
                    &input.resource_set_for(version),
                    &flows,
                    &config,
                ));
            }
            Err(message) => {
                eprintln!("netpol lint: {message}");
                return Err(ExitCode::from(2));
            }
        }
    }
    locate(input, &mut findings);
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
    let report = Report {
        findings: &findings,
        errors,
        warnings,
        info,
        input_errors: input_errors.clone(),
    };
    let value = serde_json::to_value(&report).unwrap_or_default();
    let text = match args.format {
        Format::Text => {
            let mut text = String::new();
            for e in &input_errors {
                text.push_str(&format!("{e}\n"));
            }
            let fallback = input.files.first().map_or("<input>", String::as_str);
            for f in &findings {
                text.push_str(&format!("{}\n", render(f, fallback)));
            }
            text.push_str(&format!(
                "{} findings: {errors} errors, {warnings} warnings, {info} info\n",
                findings.len()
            ));
            text
        }
        Format::Json => match serde_json::to_string_pretty(&report) {
            Ok(text) => format!("{text}\n"),
            Err(e) => {
                eprintln!("netpol lint: {e}");
                return Err(ExitCode::from(2));
            }
        },
        Format::Sarif => String::new(),
    };
    let threshold = match (args.fail_on, args.deny) {
        (Some(FailOn::Info), _) | (_, Some(Deny::Info)) => Severity::Info,
        (Some(FailOn::Warning), _) | (_, Some(Deny::Warnings)) => Severity::Warning,
        _ => Severity::Error,
    };
    let denied = findings.iter().any(|f| f.severity <= threshold);
    Ok(Linted {
        failed: errors > 0 || !input_errors.is_empty() || denied,
        findings,
        input_errors,
        text,
        value,
    })
}

/// `--list`: every lint, one per line (`ID  SEVERITY  description`), or a JSON array.
fn list(format: Format) -> ExitCode {
    match format {
        Format::Json => match serde_json::to_string_pretty(LINTS) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("netpol lint: {e}");
                return ExitCode::from(2);
            }
        },
        Format::Text | Format::Sarif => {
            let width = LINTS.iter().map(|l| l.id.len()).max().unwrap_or(0);
            for l in LINTS {
                println!("{:width$}  {:7}  {}", l.id, l.severity.as_str(), l.summary);
            }
        }
    }
    ExitCode::SUCCESS
}

/// SARIF's level for a severity (`info` is `note`).
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The findings as a SARIF 2.1.0 log; a finding with no position points at line 1 of `fallback`.
fn sarif(findings: &[Finding], fallback: &str) -> String {
    let rules: Vec<crate::sarif::Rule<'_>> = LINTS
        .iter()
        .map(|l| crate::sarif::Rule {
            id: l.id,
            summary: l.summary,
            level: level(l.severity),
            doc: "docs/lints.md",
        })
        .collect();
    let results: Vec<crate::sarif::Finding<'_>> = findings
        .iter()
        .map(|f| {
            let (file, line, column) = match (&f.location.file, f.location.line) {
                (Some(file), Some(line)) if line > 0 => {
                    (file.as_str(), line, f.location.column.unwrap_or(1))
                }
                (Some(file), _) => (file.as_str(), 1, 1),
                _ => (fallback, 1, 1),
            };
            let resource = &f.location.resource;
            let mut logical = match &resource.namespace {
                Some(ns) => format!("{} {ns}/{}", resource.kind, resource.name),
                None => format!("{} {}", resource.kind, resource.name),
            };
            if let Some(rule) = f.location.rule {
                logical.push_str(&format!(" {rule}"));
            }
            crate::sarif::Finding {
                rule_id: f.id,
                level: level(f.severity),
                message: format!("{} (fix: {})", f.message, f.fix.text),
                file,
                line,
                column,
                logical: Some(logical),
            }
        })
        .collect();
    let log = crate::sarif::log(&rules, &results);
    serde_json::to_string_pretty(&log).unwrap_or_default()
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
