//! `netpol impact --before PATH… --after PATH… --flows FILE… [--format table|json|markdown]
//! [--fail-on broken|widened|any]` (`cli.md`): replays observed flow logs against what is deployed and
//! against the design, and says what the design breaks.
//!
//! Flow files are in any supported format, gzipped or not (`netpol_core::flows`). A malformed record
//! is a warning (`FILE:LINE:COLUMN: warning: …`) and is skipped, as is a record kept with an
//! unreadable policy trace (`crate::flow_files`); a file that is not a flow log at all, or resources
//! with errors, exit 2.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use netpol_core::design::Design;
use netpol_core::flows::{self, ImportOptions};
use netpol_core::impact::{
    Change, Impact, ImpactOptions, SuggestOptions, Suggestion, render_markdown, render_table,
};
use netpol_core::model::{ApiFlavour, Resource, ResourceSet};
use netpol_core::yaml::{self, ExportOptions};

/// Output formats.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
}

/// What makes the command exit 1.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// An observed flow allowed before is denied after.
    Broken,
    /// A flow denied before is allowed after.
    Widened,
    /// Either.
    Any,
}

/// Arguments of `netpol impact`.
#[derive(Args)]
pub struct ImpactArgs {
    /// What is deployed: resource files, directories or a design (`-` for standard input).
    #[arg(long, num_args = 1.., required = true)]
    pub before: Vec<PathBuf>,
    /// The proposed design or resources.
    #[arg(long, num_args = 1.., required = true)]
    pub after: Vec<PathBuf>,
    /// Flow logs: Calico Enterprise/Cloud, Whisker/Goldmane, Hubble or CSV, gzipped or not (`-` for standard input).
    #[arg(long, num_args = 1.., required = true)]
    pub flows: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Exit 1 when the design breaks (or widens) observed flows.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Add each side's full walk to every flow (JSON).
    #[arg(long)]
    pub explain: bool,
    /// For every broken flow, suggest the narrowest allow policy in this tier.
    #[arg(long, value_name = "TIER")]
    pub suggest_tier: Option<String>,
    /// Longest flow-log line (or JSON record) accepted, in bytes.
    #[arg(long, default_value_t = flows::DEFAULT_MAX_LINE_BYTES)]
    pub max_line_bytes: usize,
    #[command(flatten)]
    pub version: crate::input::CalicoVersionArg,
    #[command(flatten)]
    pub env: crate::input::EnvArg,
}

/// Runs `netpol impact`: once, or once per environment when a side is a Fleet repository (or
/// `--env` picks one), each report under a heading naming its environment.
pub fn run(args: &ImpactArgs) -> ExitCode {
    let pairs =
        match crate::input::load_pairs_or_exit("impact", &args.before, &args.after, &args.env) {
            Ok(pairs) => pairs,
            Err(code) => return code,
        };
    let options = ImportOptions {
        max_line_bytes: args.max_line_bytes,
        ..ImportOptions::default()
    };
    let flows = match crate::input::load_flows(&args.flows, options) {
        Ok(flows) => flows,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let several = pairs.len() > 1;
    let mut failed = false;
    let mut json = serde_json::Map::new();
    for (env, before, after) in &pairs {
        let (before, _) = match resources(before, args.version) {
            Ok(loaded) => loaded,
            Err(code) => return code,
        };
        let (after, after_designs) = match resources(after, args.version) {
            Ok(loaded) => loaded,
            Err(code) => return code,
        };
        let (text, value, env_failed) = match run_one(args, &flows, &before, &after, &after_designs)
        {
            Ok(out) => out,
            Err(code) => return code,
        };
        failed |= env_failed;
        match (args.format, env) {
            (Format::Json, Some(env)) if several => {
                json.insert(env.clone(), value);
            }
            (Format::Json, _) => print!("{text}"),
            (Format::Markdown, Some(env)) if several => {
                print!("### Environment `{env}`\n\n{text}\n")
            }
            (Format::Table, Some(env)) if several => print!("== environment {env} ==\n{text}\n"),
            _ => print!("{text}"),
        }
    }
    if several && args.format == Format::Json {
        println!("{}", crate::input::by_environment_json(json));
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One comparison: the printed text, the JSON value, and whether `--fail-on` is met.
fn run_one(
    args: &ImpactArgs,
    flows: &flows::FlowSet,
    before: &ResourceSet,
    after: &ResourceSet,
    after_designs: &[Design],
) -> Result<(String, serde_json::Value, bool), ExitCode> {
    let mut imp = Impact::new(before, after);
    let report = imp.run(
        flows,
        ImpactOptions {
            explain: args.explain,
        },
    );
    for e in &report.compile_errors {
        eprintln!("warning: {e}");
    }
    let suggestions = match &args.suggest_tier {
        Some(tier) => {
            let options = SuggestOptions::for_designs(tier, after_designs);
            imp.suggest_all(flows, &report, &options)
        }
        None => Vec::new(),
    };
    let mut value = match serde_json::to_value(&report) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return Err(ExitCode::from(2));
        }
    };
    if args.suggest_tier.is_some()
        && let Some(obj) = value.as_object_mut()
    {
        let list: Vec<serde_json::Value> = suggestions
            .iter()
            .map(|s| {
                serde_json::json!({
                    "direction": s.direction.as_str(),
                    "lets_through": s.lets_through,
                    "policy": yaml::to_wire_json(&Resource::CalicoPolicy(s.policy.clone()), ApiFlavour::V3),
                })
            })
            .collect();
        obj.insert("suggestions".into(), list.into());
    }
    let text = match args.format {
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        ),
        Format::Table => render_table(&report) + &suggestions_text(&suggestions, false),
        Format::Markdown => render_markdown(&report) + &suggestions_text(&suggestions, true),
    };
    let failed = match args.fail_on {
        Some(FailOn::Broken) => report.has(Change::Broken),
        Some(FailOn::Widened) => report.has(Change::Widened),
        Some(FailOn::Any) => report.has(Change::Broken) || report.has(Change::Widened),
        None => false,
    };
    Ok((text, value, failed))
}

/// The resources of one side, and the designs among them (their taxonomies shape suggestions);
/// input with errors prints them and gives exit code 2.
fn resources(
    input: &crate::input::Input,
    version: crate::input::CalicoVersionArg,
) -> Result<(ResourceSet, Vec<Design>), ExitCode> {
    crate::input::exit_on_errors(input)?;
    let designs = input.designs().map(|d| d.design.clone()).collect();
    Ok((crate::input::enforced_resources(input, version), designs))
}

fn suggestions_text(suggestions: &[Suggestion], markdown: bool) -> String {
    if suggestions.is_empty() {
        return String::new();
    }
    let mut out = String::from(if markdown {
        "\n#### Suggested allow policies\n\n```yaml\n"
    } else {
        "\nsuggested allow policies:\n"
    });
    for s in suggestions {
        let note = s.note().map(|n| format!("; {n}")).unwrap_or_default();
        out.push_str(&format!(
            "---\n# opens the {} side{note}\n",
            s.direction.as_str()
        ));
        out.push_str(&yaml::export_resource(
            &Resource::CalicoPolicy(s.policy.clone()),
            &ExportOptions::default(),
        ));
    }
    if markdown {
        out.push_str("```\n");
    }
    out
}
