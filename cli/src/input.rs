//! Reading the command line's inputs, shared by every subcommand: resource and design files
//! (`PATH…` arguments) through core's one reader, `design::import_bytes`, and flow logs through
//! `flows::import_reader`.
//!
//! A path is a file, a directory (every `*.yaml`, `*.yml` and `*.json` below it, sorted), or `-` for
//! standard input. Files may hold Calico or Kubernetes objects, `List`s, or design documents. Problems
//! inside files are diagnostics, not failures: only input that cannot be read at all (a missing path, a
//! permission error) makes [`load`] fail.
//!
//! A directory with a `fleet.yaml` anywhere below it, or a `.zip` file, is a **Fleet repository**: it is
//! handed to core as a file tree (`export::read`) and read as Fleet deploys it, one environment at a
//! time ([`load_per_env`]; `--env NAME` picks one). A design document read with `--env` stands for that
//! environment's resources, as its export deploys them.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub use netpol_core::design::Input;
use netpol_core::design::{self, Document};
use netpol_core::export::{self, DesignExportOptions, FileTree, Repository};
use netpol_core::flows::{FlowSet, ImportOptions};
use netpol_core::model::{CalicoVersion, ResourceSet};

/// `--calico-version`, shared by every command that evaluates, lints or exports (`cli.md`).
#[derive(clap::Args, Debug, Clone, Copy, Default)]
pub struct CalicoVersionArg {
    /// The Calico release to evaluate as: 3.29, 3.30, 3.31 or 3.32 (default: the design's
    /// spec.calicoVersion, else 3.32). It decides which cluster-wide kinds are enforced.
    #[arg(long = "calico-version", value_name = "VERSION")]
    pub calico_version: Option<CalicoVersion>,
}

impl CalicoVersionArg {
    /// The release to evaluate `input` as: the flag, else the design's `spec.calicoVersion`, else 3.32.
    pub fn resolve(self, input: &Input) -> CalicoVersion {
        input.calico_version(self.calico_version)
    }
}

/// The resources as the chosen release sees them, after warning on stderr about every object it does
/// not enforce (and every object of a kind Netpol Studio does not read): never silence.
pub fn enforced_resources(input: &Input, version: CalicoVersionArg) -> ResourceSet {
    let version = version.resolve(input);
    for d in input.not_enforced(version) {
        eprintln!("{}", d.render());
    }
    input.resource_set_for(version)
}

/// `--env NAME`, shared by every command that reads resources.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct EnvArg {
    /// With a Fleet repository (a folder holding fleet.yaml files, or a .zip) or a design with
    /// environments: the environment to read, as Fleet deploys it there (default: each environment
    /// of the repository, reported one after the other).
    #[arg(long = "env", value_name = "NAME")]
    pub env: Option<String>,
}

/// The input of one environment (`env` is `None` when no repository or environment is involved).
pub struct EnvInput {
    pub env: Option<String>,
    pub input: Input,
}

/// A command's text to standard output, or to `--out FILE` (exit 2 when it cannot be written).
pub fn write_text(out: Option<&Path>, text: &str) -> ExitCode {
    match out {
        None => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{}: error: {e}", path.display());
                ExitCode::from(2)
            }
        },
    }
}

/// The JSON report of a command run once per environment: `{"environments": {NAME: report, …}}`,
/// pretty-printed.
pub fn by_environment_json(reports: serde_json::Map<String, serde_json::Value>) -> String {
    let value = serde_json::json!({ "environments": reports });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// A path given on the command line, read.
enum Source {
    /// Plain files (and design documents), read through the one reader.
    Plain(Input),
    /// A Fleet repository.
    Repository(Box<Repository>),
}

/// Whether a directory holds a `fleet.yaml` somewhere below it.
fn holds_fleet_yaml(dir: &Path) -> bool {
    let mut pending = vec![dir.to_owned()];
    while let Some(d) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                if p.file_name().is_some_and(|n| n != ".git") {
                    pending.push(p);
                }
            } else if p.file_name().is_some_and(|n| n == "fleet.yaml") {
                return true;
            }
        }
    }
    false
}

/// Every file below a directory (`.git` left out), keyed by its `/`-separated relative path.
fn read_tree(dir: &Path) -> Result<FileTree, String> {
    let mut tree = FileTree::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| format!("cannot read directory {}: {e}", d.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read directory {}: {e}", d.display()))?;
            let p = entry.path();
            let file_type = entry
                .file_type()
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            if file_type.is_dir() {
                if p.file_name().is_some_and(|n| n != ".git") {
                    pending.push(p);
                }
                continue;
            }
            let rel = p
                .strip_prefix(dir)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let bytes =
                std::fs::read(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            tree.insert(rel, bytes);
        }
    }
    Ok(tree)
}

/// The repository a path stands for, if it is one: a directory holding a `fleet.yaml`, or a zip.
pub fn repository(path: &Path) -> Result<Option<Repository>, String> {
    let root = path.display().to_string();
    let prefix = format!("{}/", root.trim_end_matches('/'));
    if path.is_dir() {
        if !holds_fleet_yaml(path) {
            return Ok(None);
        }
        return Ok(Some(export::read::read(&prefix, read_tree(path)?)));
    }
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {root}: {e}"))?;
        let tree = export::unzip(&bytes).map_err(|e| format!("{root}: {e}"))?;
        if !export::is_repository(&tree) {
            return Err(format!(
                "{root}: the archive holds no fleet.yaml: it is not a Fleet repository"
            ));
        }
        return Ok(Some(export::read::read(&prefix, tree)));
    }
    Ok(None)
}

/// Reads every path, one input per environment: a single input (environment `None`) when no path is a
/// Fleet repository and `--env` is not given; else, for each environment of the repositories (or the
/// one `--env` names), the plain paths plus what each repository deploys there, a design document
/// standing for that environment's resources. `Err` when a path cannot be read or `--env` names no
/// environment.
pub fn load_per_env(paths: &[PathBuf], env: &EnvArg) -> Result<Vec<EnvInput>, String> {
    per_env(paths, env, true)
}

/// As [`load_per_env`]; with `require` false, `--env` on inputs without environments reads them as
/// they are (one side of a comparison may be plain resources).
fn per_env(paths: &[PathBuf], env: &EnvArg, require: bool) -> Result<Vec<EnvInput>, String> {
    let mut sources = Vec::new();
    let mut plain = Vec::new();
    let flush = |plain: &mut Vec<PathBuf>, sources: &mut Vec<Source>| -> Result<(), String> {
        if !plain.is_empty() {
            sources.push(Source::Plain(load_plain(plain)?));
            plain.clear();
        }
        Ok(())
    };
    for path in paths {
        match repository(path)? {
            Some(repo) => {
                flush(&mut plain, &mut sources)?;
                sources.push(Source::Repository(Box::new(repo)));
            }
            None => plain.push(path.clone()),
        }
    }
    flush(&mut plain, &mut sources)?;
    // The environments: every repository's, then every design's, in order of first appearance.
    let mut names: Vec<String> = Vec::new();
    let mut push = |name: &str| {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    };
    let mut has_repository = false;
    for source in &sources {
        if let Source::Repository(repo) = source {
            has_repository = true;
            repo.environment_names().iter().for_each(|n| push(n));
        }
    }
    if env.env.is_some() || has_repository {
        for source in &sources {
            if let Source::Plain(input) = source {
                for d in input.designs() {
                    d.design
                        .environments
                        .iter()
                        .for_each(|e| push(&export::file_safe(&e.name)));
                }
            }
        }
    }
    if !has_repository && (env.env.is_none() || (!require && names.is_empty())) {
        let mut input = Input::default();
        for source in sources {
            if let Source::Plain(i) = source {
                input.extend(i);
            }
        }
        return Ok(vec![EnvInput { env: None, input }]);
    }
    let chosen: Vec<String> = match &env.env {
        Some(name) => {
            let wanted = export::file_safe(name);
            match names.iter().find(|n| **n == wanted || *n == name) {
                Some(n) => vec![n.clone()],
                None if names.is_empty() => {
                    return Err(format!(
                        "--env {name}: no input has environments (a Fleet repository, or a design with environments)"
                    ));
                }
                None => {
                    return Err(format!(
                        "--env {name}: no such environment; the inputs have {}",
                        names.join(", ")
                    ));
                }
            }
        }
        None => names,
    };
    Ok(chosen
        .into_iter()
        .map(|name| {
            let mut input = Input::default();
            for source in &sources {
                match source {
                    Source::Repository(repo) => {
                        if let Some(e) = repo.environment(&name) {
                            input.extend(repo.input(e));
                        } else {
                            input
                                .diagnostics
                                .push(netpol_core::yaml::Diagnostic::file_level(
                                    netpol_core::yaml::Severity::Warning,
                                    repo.root.trim_end_matches('/'),
                                    format!("the repository has no environment `{name}`"),
                                ));
                        }
                    }
                    Source::Plain(plain) => input.extend(for_environment(plain, &name)),
                }
            }
            EnvInput {
                env: Some(name),
                input,
            }
        })
        .collect())
}

/// A plain input for one environment: each design document with environments stands for the
/// resources its export deploys there (located at the design document); everything else as it is.
fn for_environment(input: &Input, env: &str) -> Input {
    let mut out = Input {
        documents: Vec::new(),
        diagnostics: input.diagnostics.clone(),
        files: input.files.clone(),
    };
    for document in &input.documents {
        match document {
            Document::Design(d) if !d.design.environments.is_empty() => {
                let exported = export::design_to_input(&d.design, &DesignExportOptions::default());
                let Some((_, set)) = exported
                    .environments
                    .iter()
                    .find(|(e, _)| export::file_safe(&e.name) == env)
                else {
                    continue;
                };
                for resource in set.resources() {
                    out.documents
                        .push(Document::Resource(netpol_core::yaml::ImportedResource {
                            resource,
                            file: d.file.clone(),
                            line: d.line,
                            column: d.column,
                            extra_kept_aside: Default::default(),
                        }));
                }
                // The release the design targets still applies.
                out.documents.push(Document::Design(design::DesignDocument {
                    design: design::Design {
                        calico_version: d.design.calico_version,
                        name: d.design.name.clone(),
                        ..design::Design::default()
                    },
                    ..d.clone()
                }));
            }
            other => out.documents.push(other.clone()),
        }
    }
    out
}

/// Two sides of a comparison (`impact --before … --after …`, `diff OLD NEW`), paired by environment:
/// one pair (environment `None`) when neither side has environments; else one pair per environment of
/// either side (or the one `--env` names), a side without environments standing for every one.
pub fn load_pairs(
    before: &[PathBuf],
    after: &[PathBuf],
    env: &EnvArg,
) -> Result<Vec<(Option<String>, Input, Input)>, String> {
    let before = per_env(before, env, false)?;
    let after = per_env(after, env, false)?;
    let mut names: Vec<String> = Vec::new();
    for e in after.iter().chain(&before) {
        if let Some(n) = &e.env
            && !names.contains(n)
        {
            names.push(n.clone());
        }
    }
    if names.is_empty() {
        if let Some(name) = &env.env {
            return Err(format!(
                "--env {name}: no input has environments (a Fleet repository, or a design with environments)"
            ));
        }
        let pick =
            |side: Vec<EnvInput>| side.into_iter().next().map(|e| e.input).unwrap_or_default();
        return Ok(vec![(None, pick(before), pick(after))]);
    }
    let side = |list: &[EnvInput], name: &str| -> Input {
        let own = list.iter().find(|e| e.env.as_deref() == Some(name));
        let whole = list.iter().find(|e| e.env.is_none());
        own.map(|e| e.input.clone())
            .or_else(|| whole.map(|e| for_environment(&e.input, name)))
            .unwrap_or_else(|| {
                let mut input = Input::default();
                input
                    .diagnostics
                    .push(netpol_core::yaml::Diagnostic::file_level(
                        netpol_core::yaml::Severity::Warning,
                        "<input>",
                        format!("this side has no environment `{name}`: read as empty"),
                    ));
                input
            })
    };
    Ok(names
        .iter()
        .map(|name| (Some(name.clone()), side(&before, name), side(&after, name)))
        .collect())
}

/// Reads every path for a command that evaluates one resource set: a repository (or a design read
/// with `--env`) must come down to one environment, else `Err` says which to pick.
pub fn load_env(paths: &[PathBuf], env: &EnvArg) -> Result<Input, String> {
    let mut inputs = load_per_env(paths, env)?;
    if inputs.len() > 1 {
        let names: Vec<String> = inputs.iter().filter_map(|i| i.env.clone()).collect();
        return Err(format!(
            "the input has several environments ({}): pick one with --env",
            names.join(", ")
        ));
    }
    Ok(inputs.pop().map(|i| i.input).unwrap_or_default())
}

/// Reads every path (a Fleet repository must have one environment). `Err` (with a message for
/// stderr, exit code 2) when a path cannot be read.
pub fn load(paths: &[PathBuf]) -> Result<Input, String> {
    load_env(paths, &EnvArg::default())
}

/// Reads plain paths (no repository among them).
fn load_plain(paths: &[PathBuf]) -> Result<Input, String> {
    let mut input = Input::default();
    let mut stdin_read = false;
    for path in paths {
        if path.as_os_str() == "-" {
            if stdin_read {
                continue;
            }
            stdin_read = true;
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            input.extend(design::import_bytes("<stdin>", &bytes));
            continue;
        }
        for file in expand(path)? {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            input.extend(design::import_bytes(&file.display().to_string(), &bytes));
        }
    }
    Ok(input)
}

/// Reads every path for a command that needs error-free input: a path that cannot be read, or input
/// with errors, is printed to stderr and gives exit code 2.
pub fn load_or_exit(paths: &[PathBuf], env: &EnvArg) -> Result<Input, ExitCode> {
    let input = load_env(paths, env).map_err(|message| {
        eprintln!("{message}");
        ExitCode::from(2)
    })?;
    exit_on_errors(&input)?;
    Ok(input)
}

/// [`load_per_env`] for a command's prelude: a path that cannot be read, or an `--env` that names no
/// environment, is printed to stderr after the command's name and gives exit code 2. Errors inside
/// the files are the command's to report (some report them per environment).
pub fn load_per_env_or_exit(
    command: &str,
    paths: &[PathBuf],
    env: &EnvArg,
) -> Result<Vec<EnvInput>, ExitCode> {
    load_per_env(paths, env).map_err(|message| {
        eprintln!("netpol {command}: {message}");
        ExitCode::from(2)
    })
}

/// [`load_pairs`] for a command's prelude, failing as [`load_per_env_or_exit`] does.
pub fn load_pairs_or_exit(
    command: &str,
    before: &[PathBuf],
    after: &[PathBuf],
    env: &EnvArg,
) -> Result<Vec<(Option<String>, Input, Input)>, ExitCode> {
    load_pairs(before, after, env).map_err(|message| {
        eprintln!("netpol {command}: {message}");
        ExitCode::from(2)
    })
}

/// Input with errors cannot be evaluated: its errors are printed to stderr and give exit code 2.
pub fn exit_on_errors(input: &Input) -> Result<(), ExitCode> {
    if input.error_count() == 0 {
        return Ok(());
    }
    for d in input.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{}", d.render());
    }
    Err(ExitCode::from(2))
}

/// Imports every flow file (`-` is standard input, read once) into one set, saying on stderr what
/// the import could not take (`crate::flow_files`). `Err` when a file cannot be read or is not a flow
/// log.
pub fn load_flows(paths: &[PathBuf], options: ImportOptions) -> Result<FlowSet, String> {
    crate::flow_files::import(paths, options)
}

/// A file as itself; a directory as its YAML and JSON files, recursively, sorted by path.
fn expand(path: &Path) -> Result<Vec<PathBuf>, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut found = Vec::new();
    let mut pending = vec![path.to_owned()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| format!("cannot read directory {}: {e}", dir.display()))?;
        for entry in entries {
            let entry =
                entry.map_err(|e| format!("cannot read directory {}: {e}", dir.display()))?;
            let p = entry.path();
            let file_type = entry
                .file_type()
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            if file_type.is_dir() {
                pending.push(p);
            } else if is_resource_file(&p) {
                found.push(p);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn is_resource_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}
