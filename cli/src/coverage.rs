//! `netpol coverage PATH… [--format table|json|markdown|sarif] [--fail-on uncovered|exposed]`: per
//! workload (or label class) and direction, what protects it and which allow rules expose it
//! (`cli.md`). Core computes and words the report (`coverage::coverage`); this module reads the
//! input, prints, and maps `--fail-on` to the exit code.
//!
//! A Fleet repository is reported per environment: table and Markdown under each environment's
//! name, JSON as `{"environments": {NAME: REPORT}}`, SARIF as one run whose results name their
//! environment. Exit 1 when a `--fail-on` condition holds, 2 on unreadable input or input with errors.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use netpol_core::coverage::{self, Coverage, ExposureKind, State, UNCOVERED_SUMMARY};
use netpol_core::eval::Direction;
use netpol_core::model::Resource;

use crate::input::{self, Input};

/// Arguments of `netpol coverage`.
#[derive(Args, Debug)]
pub struct CoverageArgs {
    /// Files or directories (every *.yaml, *.yml, *.json below, sorted); `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Fail (exit 1) when a workload is uncovered, or has an exposure (repeatable, or
    /// comma-separated).
    #[arg(
        long = "fail-on",
        value_enum,
        value_name = "CONDITION",
        value_delimiter = ','
    )]
    fail_on: Vec<FailOn>,
    #[command(flatten)]
    version: input::CalicoVersionArg,
    #[command(flatten)]
    env: input::EnvArg,
}

/// How `coverage` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
    Markdown,
    Sarif,
}

/// What fails the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Uncovered,
    Exposed,
}

/// The SARIF rule id of uncovered workloads.
const UNCOVERED: &str = "uncovered";

/// Runs the subcommand.
pub fn run(args: &CoverageArgs) -> ExitCode {
    let inputs = match input::load_per_env_or_exit("coverage", &args.paths, &args.env) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    let several = inputs.len() > 1;
    let mut failed = false;
    let mut json = serde_json::Map::new();
    let mut results: Vec<Result> = Vec::new();
    for loaded in &inputs {
        let input = &loaded.input;
        if let Err(code) = input::exit_on_errors(input) {
            return code;
        }
        let report = coverage::coverage(&input::enforced_resources(input, args.version));
        failed |= args.fail_on.iter().any(|f| match f {
            FailOn::Uncovered => report.has_uncovered(),
            FailOn::Exposed => report.has_exposed(),
        });
        let env = loaded.env.as_deref().filter(|_| several);
        match args.format {
            Format::Table => {
                if let Some(env) = env {
                    println!("== environment {env} ==");
                }
                print!("{}", report.render_table());
            }
            Format::Markdown => {
                if let Some(env) = env {
                    println!("# Environment `{env}`\n");
                }
                print!("{}", report.render_markdown());
            }
            Format::Json => match (env, serde_json::to_value(&report)) {
                (Some(env), Ok(value)) => {
                    json.insert(env.to_owned(), value);
                }
                (None, Ok(value)) => println!(
                    "{}",
                    serde_json::to_string_pretty(&value).unwrap_or_default()
                ),
                (_, Err(e)) => {
                    eprintln!("netpol coverage: {e}");
                    return ExitCode::from(2);
                }
            },
            Format::Sarif => results.extend(sarif_results(input, &report, env)),
        }
    }
    if several && args.format == Format::Json {
        println!("{}", input::by_environment_json(json));
    }
    if args.format == Format::Sarif {
        println!("{}", sarif(&results));
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One SARIF result, before it borrows into `crate::sarif`.
struct Result {
    rule_id: &'static str,
    message: String,
    file: String,
    line: u32,
    column: u32,
    logical: String,
}

/// SARIF's level for a rule: what opens a workload wide is a warning, the rest a note.
fn level(rule_id: &str) -> &'static str {
    match rule_id {
        "all-namespaces" | "all-ports" | "wide-range" => "note",
        _ => "warning",
    }
}

/// A resource's place: `(kind, namespace, name)` → `(file, line, column)`.
type Places = HashMap<(String, Option<String>, String), (String, u32, u32)>;

fn places(input: &Input) -> (Places, HashMap<String, (String, u32, u32)>) {
    let mut resources = Places::new();
    let mut workloads = HashMap::new();
    for r in input.located_resources() {
        let meta = r.resource.metadata();
        let place = (
            r.file.clone(),
            u32::try_from(r.line).unwrap_or(u32::MAX),
            u32::try_from(r.column).unwrap_or(u32::MAX),
        );
        if let Resource::Workload(w) = &r.resource {
            let namespace = w.metadata.namespace.as_deref().unwrap_or("default");
            workloads
                .entry(format!("{namespace}/{}", w.metadata.name))
                .or_insert_with(|| place.clone());
        }
        resources
            .entry((
                r.resource.kind().to_owned(),
                meta.namespace.clone(),
                meta.name.clone(),
            ))
            .or_insert(place);
    }
    (resources, workloads)
}

/// The results of one report: each uncovered direction at the workload, each exposure at its policy;
/// what has no place of its own points at line 1 of the first input file.
fn sarif_results(input: &Input, report: &Coverage, env: Option<&str>) -> Vec<Result> {
    let (resources, workloads) = places(input);
    let fallback = (
        input
            .files
            .first()
            .cloned()
            .unwrap_or_else(|| "<input>".to_owned()),
        1,
        1,
    );
    let suffix = env.map_or_else(String::new, |e| format!(" (environment {e})"));
    let mut out = Vec::new();
    for entry in &report.workloads {
        for direction in [Direction::Ingress, Direction::Egress] {
            if entry.state(direction) != State::Uncovered {
                continue;
            }
            let (file, line, column) = workloads
                .get(&entry.workload)
                .cloned()
                .unwrap_or_else(|| fallback.clone());
            out.push(Result {
                rule_id: UNCOVERED,
                message: format!("{}{suffix}", entry.describe_uncovered(direction)),
                file,
                line,
                column,
                logical: entry.workload.clone(),
            });
        }
        for exposure in &entry.exposures {
            let r = &exposure.decided_by.resource;
            let (file, line, column) = resources
                .get(&(r.kind.clone(), r.namespace.clone(), r.name.clone()))
                .cloned()
                .unwrap_or_else(|| fallback.clone());
            out.push(Result {
                rule_id: exposure.kind.as_str(),
                message: format!("`{}`: {}{suffix}", entry.workload, exposure.describe()),
                file,
                line,
                column,
                logical: match &r.namespace {
                    Some(ns) => format!("{} {ns}/{}", r.kind, r.name),
                    None => format!("{} {}", r.kind, r.name),
                },
            });
        }
    }
    out
}

/// The results as a SARIF 2.1.0 log (`crate::sarif`).
fn sarif(results: &[Result]) -> String {
    let mut rules = vec![crate::sarif::Rule {
        id: UNCOVERED,
        summary: UNCOVERED_SUMMARY,
        level: level(UNCOVERED),
        doc: "docs/coverage.md",
    }];
    rules.extend(ExposureKind::ALL.iter().map(|k| crate::sarif::Rule {
        id: k.as_str(),
        summary: k.summary(),
        level: level(k.as_str()),
        doc: "docs/coverage.md",
    }));
    let findings: Vec<crate::sarif::Finding<'_>> = results
        .iter()
        .map(|r| crate::sarif::Finding {
            rule_id: r.rule_id,
            level: level(r.rule_id),
            message: r.message.clone(),
            file: &r.file,
            line: r.line,
            column: r.column,
            logical: Some(r.logical.clone()),
        })
        .collect();
    serde_json::to_string_pretty(&crate::sarif::log(&rules, &findings)).unwrap_or_default()
}
