//! `netpol validate PATH… [--format text|json]`: parse every resource and report every problem.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::input;

/// Arguments of `netpol validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Files or directories (every *.yaml, *.yml, *.json below, sorted); `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    version: input::CalicoVersionArg,
    #[command(flatten)]
    env: input::EnvArg,
}

/// How `validate` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Serialize)]
struct Report<'a> {
    files: usize,
    resources: usize,
    errors: usize,
    warnings: usize,
    diagnostics: &'a [netpol_core::yaml::Diagnostic],
    objects: Vec<Object<'a>>,
}

#[derive(Serialize)]
struct Object<'a> {
    file: &'a str,
    line: usize,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    name: &'a str,
}

/// Runs the subcommand: exit 0 when every file is valid, 1 on errors, 2 when a path cannot be read.
/// A Fleet repository is validated per environment (each one as Fleet deploys it), each report under
/// a heading naming its environment.
pub fn run(args: &ValidateArgs) -> ExitCode {
    let inputs = match input::load_per_env_or_exit("validate", &args.paths, &args.env) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    let several = inputs.len() > 1;
    let mut errors = 0;
    let mut json = serde_json::Map::new();
    for loaded in &inputs {
        let (text, value, found) = match report(&loaded.input, args) {
            Ok(out) => out,
            Err(message) => {
                eprintln!("netpol validate: {message}");
                return ExitCode::from(2);
            }
        };
        errors += found;
        match (args.format, &loaded.env) {
            (Format::Json, Some(env)) if several => {
                json.insert(env.clone(), value);
            }
            (Format::Text, Some(env)) if several => print!("== environment {env} ==\n{text}"),
            _ => print!("{text}"),
        }
    }
    if several && args.format == Format::Json {
        println!("{}", input::by_environment_json(json));
    }
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One input's report: the text to print, the JSON value, and the number of errors.
fn report(
    input: &input::Input,
    args: &ValidateArgs,
) -> Result<(String, serde_json::Value, usize), String> {
    // The API server refuses a second object of the same kind, namespace and name.
    let mut input = input.clone();
    let duplicates = input.duplicate_objects();
    input.diagnostics.extend(duplicates);
    let input = &input;
    // The objects the targeted Calico ignores are warnings too (the importer already reported the
    // kinds it does not read).
    let version = args.version.resolve(input);
    let mut diagnostics = input.diagnostics.clone();
    for d in input.not_enforced(version) {
        if !diagnostics.contains(&d) {
            diagnostics.push(d);
        }
    }
    // In file order (as read), then by position; the sort is stable, so same-place problems keep theirs.
    let file_index = |file: &str| input.files.iter().position(|f| f == file);
    diagnostics.sort_by_key(|d| (file_index(&d.file), d.line, d.column));
    let warnings = diagnostics.iter().filter(|d| !d.is_error()).count();
    let resources = input.located_resources();
    let summary = format!(
        "{} files, {} resources, {} errors, {} warnings",
        input.files.len(),
        resources.len(),
        input.error_count(),
        warnings
    );
    let report = Report {
        files: input.files.len(),
        resources: resources.len(),
        errors: input.error_count(),
        warnings,
        diagnostics: &diagnostics,
        objects: resources
            .iter()
            .map(|r| {
                let meta = r.resource.metadata();
                Object {
                    file: &r.file,
                    line: r.line,
                    kind: r.resource.kind(),
                    namespace: meta.namespace.as_deref(),
                    name: &meta.name,
                }
            })
            .collect(),
    };
    let value = serde_json::to_value(&report).map_err(|e| e.to_string())?;
    let text = match args.format {
        Format::Text => {
            let mut text = String::new();
            for d in &diagnostics {
                text.push_str(&d.render());
                text.push('\n');
            }
            text.push_str(&summary);
            text.push('\n');
            text
        }
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        ),
    };
    Ok((text, value, input.error_count()))
}
