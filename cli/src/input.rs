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
use netpol_core::model::ResourceSet;
use netpol_core::yaml::{self, Diagnostic, ImportResult, ImportedResource};

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
