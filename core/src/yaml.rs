//! YAML (and JSON) import and export of Calico and Kubernetes resources.
//!
//! **Import** never fails as a whole: it returns every resource it could read together with every
//! problem it found ([`ImportResult`]), each pointing at `file:line:column`. A broken document does not
//! hide the good ones; the caller decides whether errors are fatal. Unknown fields are warned about and
//! kept in the model's `extra` maps, so that export writes them back. Server-populated fields
//! (`status`, `managedFields`, `resourceVersion`, …) are tolerated and kept aside.
//!
//! **Limits** ([`Limits`]) bound the work any input can cause: file size, number of documents,
//! nesting depth, aliases (billion-laughs bombs). Input over a limit is refused with a clear message.
//!
//! **Export** ([`export`]) is deterministic, in the key order `kubectl` users expect, for either API
//! flavour.

use serde::{Deserialize, Serialize};

use crate::model::{Extra, Resource, ResourceSet};

mod build;
pub(crate) mod decode;
mod decode_calico;
mod decode_cluster_policy;
mod decode_kube;
mod diagnostic;
pub(crate) mod dispatch;
mod documents;
mod export;
pub mod fields;
pub(crate) mod node;
mod parity;
mod validate;

pub use diagnostic::{Diagnostic, Severity};
pub use export::{ExportInput, ExportOptions, export, export_resource, export_set, to_wire_json};
pub(crate) use export::{WireDoc, to_yaml, wire};

/// How the importer's warning about an object of a kind it does not read ends.
/// The first YAML document of a text as JSON (`Value::Null` when the text holds none), parsed by
/// the same parser and within the same [`Limits`] as every resource: for Fleet's own files and overlay
/// patches, which the export module reads into its own types.
pub(crate) fn first_document_json(text: &str) -> Result<serde_json::Value, String> {
    let Some(doc) = documents::split(text).into_iter().next() else {
        return Ok(serde_json::Value::Null);
    };
    match documents::parse(&doc, &Limits::default()) {
        Ok(Some(node)) => Ok(node.to_json()),
        Ok(None) => Ok(serde_json::Value::Null),
        Err(e) => Err(format!("{}:{}: {}", e.pos.line, e.pos.column, e.message)),
    }
}

pub(crate) const IGNORED_KIND: &str = "is not used by Netpol Studio: skipped";

/// Bounds on what one file may make the importer do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest accepted file, in bytes (default 50 MB).
    pub max_file_bytes: usize,
    /// Most documents in one file (default 100 000).
    pub max_documents: usize,
    /// Deepest nesting of maps and lists (default 64).
    pub max_depth: usize,
    /// Most aliases and anchors in one document (default 10 000).
    pub max_aliases: usize,
    /// Most parser events that alias expansion may replay in one document (default 100 000): stops
    /// "billion laughs" documents whose aliases expand exponentially.
    pub max_alias_expansion: usize,
    /// Most values (scalars, lists, maps) in one document (default 2 000 000).
    pub max_nodes_per_document: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 50 * 1024 * 1024,
            max_documents: 100_000,
            max_depth: 64,
            max_aliases: 10_000,
            max_alias_expansion: 100_000,
            max_nodes_per_document: 2_000_000,
        }
    }
}

/// A resource read from a file, with where it starts and what was kept aside.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedResource {
    pub resource: Resource,
    pub file: String,
    /// 1-based line of the object's first key.
    pub line: usize,
    /// 1-based column of the object's first key.
    pub column: usize,
    /// Server-populated and tool fields (`status`, `metadata.resourceVersion`, `metadata.managedFields`,
    /// the object part of a workload that policy does not use, …) by dotted path: tolerated, not exported.
    pub extra_kept_aside: Extra,
}

/// Everything read from one input, and everything wrong with it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportResult {
    pub resources: Vec<ImportedResource>,
    pub diagnostics: Vec<Diagnostic>,
    /// Design documents met in the input, as parsed: `design::import` decodes them (the design
    /// document is a layer above the resources).
    pub(crate) design_documents: Vec<node::Node>,
}

impl ImportResult {
    /// The resources, grouped.
    pub fn resource_set(&self) -> ResourceSet {
        self.resources.iter().map(|r| r.resource.clone()).collect()
    }

    /// Number of error diagnostics.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warning diagnostics.
    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    /// Appends another result (of another file).
    pub fn extend(&mut self, other: ImportResult) {
        self.resources.extend(other.resources);
        self.diagnostics.extend(other.diagnostics);
        self.design_documents.extend(other.design_documents);
    }
}

/// Every problem `netpol validate` finds with one Calico policy held as a model (the editor's form):
/// written as [`export_resource`] writes it and read back, like [`check_cluster_policy`], so a field
/// the form would change is checked with the rest of its rule (ports need a protocol, ICMP needs
/// ICMP, an HTTP match needs an Allow ingress rule) in the importer's own words.
pub fn check_calico_policy(
    file_name: &str,
    policy: &crate::model::CalicoPolicy,
) -> Vec<Diagnostic> {
    let text = export_resource(
        &Resource::CalicoPolicy(policy.clone()),
        &ExportOptions::default(),
    );
    import(file_name, &text).diagnostics
}

/// Every problem `netpol validate` finds with one cluster-wide policy held as a model (the
/// editor's form edits the model, not text): the policy is written as [`export_resource`] writes it
/// and read back by the importer, so the checks and their messages are the importer's own, and each
/// diagnostic's line:column points into that written text (`file` is `file_name`).
pub fn check_cluster_policy(
    file_name: &str,
    policy: &crate::model::ClusterPolicy,
) -> Vec<Diagnostic> {
    let text = export_resource(
        &Resource::ClusterPolicy(policy.clone()),
        &ExportOptions::default(),
    );
    import(file_name, &text).diagnostics
}

/// Imports the resources of one YAML or JSON text with the default [`Limits`].
pub fn import(file_name: &str, text: &str) -> ImportResult {
    import_with_limits(file_name, text, &Limits::default())
}

/// Imports the resources of one YAML or JSON text.
pub fn import_with_limits(file_name: &str, text: &str, limits: &Limits) -> ImportResult {
    if text.len() > limits.max_file_bytes {
        return refused(
            file_name,
            format!(
                "file is {} bytes, more than the limit of {} bytes",
                text.len(),
                limits.max_file_bytes
            ),
        );
    }
    let text = source_text(text);
    let documents = documents::split(text);
    if documents.len() > limits.max_documents {
        return refused(
            file_name,
            format!(
                "file has {} documents, more than the limit of {}",
                documents.len(),
                limits.max_documents
            ),
        );
    }
    let mut d = decode::Decoder::new(file_name, text);
    let mut result = ImportResult::default();
    for doc in &documents {
        match documents::parse(doc, limits) {
            Ok(Some(node)) => dispatch::document(&mut d, &node, &mut result),
            Ok(None) => {}
            Err(failure) => d.error(failure.pos, failure.message),
        }
    }
    result.diagnostics.append(&mut d.diagnostics);
    // Decoders report in the order they check fields; people read files top to bottom.
    result.diagnostics.sort_by_key(|d| (d.line, d.column));
    result
}

/// Imports raw bytes: refuses binary and non-UTF-8 input with a clear message, else as [`import`].
pub fn import_bytes(file_name: &str, bytes: &[u8]) -> ImportResult {
    import_bytes_with_limits(file_name, bytes, &Limits::default())
}

/// As [`import_bytes`], with explicit limits.
pub fn import_bytes_with_limits(file_name: &str, bytes: &[u8], limits: &Limits) -> ImportResult {
    if bytes.len() > limits.max_file_bytes {
        return refused(
            file_name,
            format!(
                "file is {} bytes, more than the limit of {} bytes",
                bytes.len(),
                limits.max_file_bytes
            ),
        );
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return refused(
            file_name,
            "file is gzip-compressed, not YAML or JSON: decompress it first".to_owned(),
        );
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return refused(
            file_name,
            "file is a zip archive, not YAML or JSON: extract it first".to_owned(),
        );
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return refused(
            file_name,
            "file is binary (it contains NUL bytes), not YAML or JSON".to_owned(),
        );
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => import_with_limits(file_name, text, limits),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            let text = String::from_utf8_lossy(bytes);
            let mut r = ImportResult::default();
            r.diagnostics.push(Diagnostic::at(
                Severity::Error,
                file_name,
                &text,
                line,
                column,
                "file is not valid UTF-8 text: YAML and JSON input must be UTF-8",
            ));
            r
        }
    }
}

/// The text positions are counted in: the input without a byte-order mark.
pub(crate) fn source_text(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

fn refused(file_name: &str, message: String) -> ImportResult {
    ImportResult {
        diagnostics: vec![Diagnostic::file_level(Severity::Error, file_name, message)],
        ..ImportResult::default()
    }
}
