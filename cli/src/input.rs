//! Loading resources from the command line's `PATH…` arguments, shared by every subcommand that reads
//! resources (`validate`, `eval`, `impact`, `lint`, `export`, …).
//!
//! A path is a file, a directory (every `*.yaml`, `*.yml` and `*.json` below it, sorted), or `-` for
//! standard input. Files may hold Calico or Kubernetes objects, `List`s, or design documents (whose
//! resources are included). Problems inside files are diagnostics, not failures: only input that cannot
//! be read at all (a missing path, a permission error) makes [`load`] fail.

use std::io::Read;
use std::path::{Path, PathBuf};

use netpol_core::design::Design;
use netpol_core::model::{CalicoVersion, ResourceSet};
use netpol_core::yaml::{self, Diagnostic, ImportResult, ImportedResource};

/// `--calico-version`, shared by every command that evaluates, lints or exports (`cli.md`).
#[derive(clap::Args, Debug, Clone, Copy, Default)]
pub struct CalicoVersionArg {
    /// The Calico release to evaluate as: 3.29, 3.30, 3.31 or 3.32 (default: the design's
    /// spec.calicoVersion, else 3.32). It decides which cluster-wide kinds are enforced.
    #[arg(long = "calico-version", value_name = "VERSION")]
    pub calico_version: Option<CalicoVersion>,
}

/// Everything read from the paths.
#[derive(Debug, Default)]
pub struct Input {
    files: Vec<String>,
    result: ImportResult,
}

impl Input {
    /// All resources of all files, grouped.
    pub fn resource_set(&self) -> ResourceSet {
        self.result.resource_set()
    }

    /// The release to evaluate as: the flag, else the design's `spec.calicoVersion`, else 3.32.
    pub fn calico_version(&self, flag: CalicoVersionArg) -> CalicoVersion {
        self.result.calico_version(flag.calico_version)
    }

    /// The resources as `version` sees them.
    pub fn resource_set_for(&self, version: CalicoVersion) -> ResourceSet {
        self.result.resource_set_for(version)
    }

    /// Warnings for every object `version` does not enforce (and every object of a kind Netpol Studio
    /// does not read): never silence.
    pub fn not_enforced(&self, version: CalicoVersion) -> Vec<Diagnostic> {
        self.result.not_enforced(version)
    }

    /// Prints [`Input::not_enforced`] on stderr.
    pub fn warn_not_enforced(&self, version: CalicoVersion) {
        for d in self.not_enforced(version) {
            eprintln!("{}", d.render());
        }
    }

    /// Every problem found, file by file, in file order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.result.diagnostics
    }

    /// The resources with the file and line each came from.
    pub fn resources(&self) -> &[ImportedResource] {
        &self.result.resources
    }

    /// Design documents met (their resources are in [`Input::resource_set`] too).
    pub fn designs(&self) -> &[Design] {
        &self.result.designs
    }

    /// The files read, as named in diagnostics (`-` is `<stdin>`).
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// Number of error diagnostics.
    pub fn error_count(&self) -> usize {
        self.result.error_count()
    }

    /// Number of warning diagnostics.
    pub fn warning_count(&self) -> usize {
        self.result.warning_count()
    }
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
            add(&mut input, "<stdin>", &bytes);
            continue;
        }
        for file in expand(path)? {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            add(&mut input, &file.display().to_string(), &bytes);
        }
    }
    Ok(input)
}

fn add(input: &mut Input, name: &str, bytes: &[u8]) {
    input.files.push(name.to_owned());
    input.result.extend(yaml::import_bytes(name, bytes));
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
