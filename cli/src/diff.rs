//! `netpol diff OLD NEW [--flows FILE…] [--format markdown|json]`: the pull-request summary of a
//! policy change — what changed rule by rule, the lints of the new version, and the impact on observed
//! flows when flow logs are given.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use netpol_core::design;
use netpol_core::diff::summary::{self, ImpactFigures};
use netpol_core::flows::ImportOptions;
use netpol_core::impact::{self, ImpactOptions};
use netpol_core::lint::{self, Finding, LintConfig};
use netpol_core::model::ResourceSet;

use crate::input;

/// Arguments of `netpol diff`.
#[derive(Args)]
pub struct DiffArgs {
    /// The old version: a design document, a resource file or a directory of them.
    pub old: PathBuf,
    /// The new version, in the same forms.
    pub new: PathBuf,
    /// Flow logs to replay against both versions (any supported format, gzipped or not).
    #[arg(long, num_args = 1..)]
    pub flows: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,
    #[command(flatten)]
    pub env: input::EnvArg,
}

/// `--format` values.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

/// One side of the diff: its resources and its lint findings.
struct Version {
    resources: ResourceSet,
    findings: Vec<Finding>,
    /// Set when the version is one design document.
    design: Option<design::Design>,
}

/// Runs `netpol diff`.
pub fn run(args: &DiffArgs) -> ExitCode {
    match summarise(args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn summarise(args: &DiffArgs) -> Result<String, String> {
    let pairs = input::load_pairs(
        std::slice::from_ref(&args.old),
        std::slice::from_ref(&args.new),
        &args.env,
    )?;
    let flows = if args.flows.is_empty() {
        None
    } else {
        Some(input::load_flows(&args.flows, ImportOptions::default())?)
    };
    // Per environment when a side is a Fleet repository (or `--env` is given): one summary each,
    // under a heading naming the environment.
    let several = pairs.len() > 1;
    let mut markdown = String::new();
    let mut json = serde_json::Map::new();
    for (env, old, new) in pairs {
        let old = version(old)?;
        let new = version(new)?;
        let impact = flows.as_ref().map(|flows| {
            let report = impact::impact(
                &old.resources,
                &new.resources,
                flows,
                ImpactOptions::default(),
            );
            ImpactFigures::from(&report)
        });
        let summary = match (&old.design, &new.design) {
            (Some(a), Some(b)) => summary::pr_summary_designs(a, b, impact),
            _ => summary::pr_summary_with_findings(
                &old.resources,
                &new.resources,
                &old.findings,
                new.findings,
                impact,
            ),
        };
        match (args.format, env) {
            (Format::Json, Some(env)) if several => {
                json.insert(
                    env,
                    serde_json::to_value(&summary).map_err(|e| format!("error: {e}"))?,
                );
            }
            (Format::Json, _) => {
                markdown =
                    serde_json::to_string_pretty(&summary).map_err(|e| format!("error: {e}"))?;
                markdown.push('\n');
            }
            (Format::Markdown, Some(env)) if several => {
                markdown.push_str(&format!(
                    "# Environment `{env}`\n\n{}\n",
                    summary.to_markdown()
                ));
            }
            (Format::Markdown, _) => markdown.push_str(&summary.to_markdown()),
        }
    }
    if several && matches!(args.format, Format::Json) {
        markdown = input::by_environment_json(json);
        markdown.push('\n');
    }
    Ok(markdown)
}

/// One version. A lone design document is linted as a design (taxonomy and environment lints too);
/// anything else as plain resources. Input errors make the diff meaningless: exit 2.
fn version(input: input::Input) -> Result<Version, String> {
    if input.error_count() > 0 {
        let rendered: Vec<String> = input
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.render())
            .collect();
        return Err(rendered.join("\n"));
    }
    let config = LintConfig::default();
    if let Some(only) = input.single_design()
        && input.resources().next().is_none()
    {
        return Ok(Version {
            resources: design::to_resources(only),
            findings: lint::lint_design(only, &only.lint),
            design: Some(only.clone()),
        });
    }
    let resources = input.resource_set();
    let findings = lint::lint_resources(&resources, &config);
    Ok(Version {
        resources,
        findings,
        design: None,
    })
}
