//! Reading the command line's inputs, shared by every subcommand: resource and design files
//! (`PATH…` arguments) through core's one reader, `design::import_bytes`, and flow logs through
//! `flows::import_reader`.
//!
//! A path is a file, a directory (every `*.yaml`, `*.yml` and `*.json` below it, sorted), or `-` for
//! standard input. Files may hold Calico or Kubernetes objects, `List`s, or design documents. Problems
//! inside files are diagnostics, not failures: only input that cannot be read at all (a missing path, a
//! permission error) makes [`load`] fail.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use netpol_core::design;
pub use netpol_core::design::Input;
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

/// Reads every path. `Err` (with a message for stderr, exit code 2) when a path cannot be read.
pub fn load(paths: &[PathBuf]) -> Result<Input, String> {
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
pub fn load_or_exit(paths: &[PathBuf]) -> Result<Input, ExitCode> {
    let input = load(paths).map_err(|message| {
        eprintln!("{message}");
        ExitCode::from(2)
    })?;
    if input.error_count() > 0 {
        for d in input.diagnostics.iter().filter(|d| d.is_error()) {
            eprintln!("{}", d.render());
        }
        return Err(ExitCode::from(2));
    }
    Ok(input)
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
