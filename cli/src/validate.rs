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
pub fn run(args: &ValidateArgs) -> ExitCode {
    let mut input = match input::load(&args.paths) {
        Ok(input) => input,
        Err(message) => {
            eprintln!("netpol validate: {message}");
            return ExitCode::from(2);
        }
    };
    // The API server refuses a second object of the same kind, namespace and name.
    let duplicates = input.duplicate_objects();
    input.diagnostics.extend(duplicates);
    // The objects the targeted Calico ignores are warnings too (the importer already reported the
    // kinds it does not read).
    let version = args.version.resolve(&input);
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
    match args.format {
        Format::Text => {
            for d in &diagnostics {
                println!("{}", d.render());
            }
            println!("{summary}");
        }
        Format::Json => {
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
            match serde_json::to_string_pretty(&report) {
                Ok(text) => println!("{text}"),
                Err(e) => {
                    eprintln!("netpol validate: {e}");
                    return ExitCode::from(2);
                }
            }
        }
    }
    if input.error_count() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
