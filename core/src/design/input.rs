//! The one input reader: YAML or JSON text holding Calico and Kubernetes objects, design documents, or
//! both, read into located documents plus diagnostics.
//!
//! Every shell reads through here, so none has to guess whether its input was a design: the CLI's
//! `PATH…` arguments, the app's Import panel and its autosave, and `design::load`. A design document's
//! resources are not copied beside it: [`Input::resource_set`] expands each design where a caller
//! wants resources, and [`Input::single_design`] says when the input *is* one design.

use super::{Design, decode, to_resources};
use crate::model::{Extra, ResourceSet};
use crate::yaml::{self, Diagnostic, ImportResult, ImportedResource, Limits};

/// A design document, where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignDocument {
    pub design: Design,
    pub file: String,
    /// 1-based line of the document's first key.
    pub line: usize,
    /// 1-based column of the document's first key.
    pub column: usize,
}

/// One document of the input.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    Resource(ImportedResource),
    Design(DesignDocument),
}

impl Document {
    fn position(&self) -> (usize, usize) {
        match self {
            Document::Resource(r) => (r.line, r.column),
            Document::Design(d) => (d.line, d.column),
        }
    }
}

/// Everything read from one or more files, in file and document order, and everything wrong with it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    pub documents: Vec<Document>,
    pub diagnostics: Vec<Diagnostic>,
    /// The files read, as named in diagnostics.
    pub files: Vec<String>,
}

impl Input {
    /// The plain resources (not those of design documents), with where each was read.
    pub fn resources(&self) -> impl Iterator<Item = &ImportedResource> {
        self.documents.iter().filter_map(|d| match d {
            Document::Resource(r) => Some(r),
            Document::Design(_) => None,
        })
    }

    /// The design documents.
    pub fn designs(&self) -> impl Iterator<Item = &DesignDocument> {
        self.documents.iter().filter_map(|d| match d {
            Document::Design(d) => Some(d),
            Document::Resource(_) => None,
        })
    }

    /// Every resource: the plain ones and each design's (`design::to_resources`), each located where
    /// its document starts.
    pub fn located_resources(&self) -> Vec<ImportedResource> {
        let mut out = Vec::new();
        for document in &self.documents {
            match document {
                Document::Resource(r) => out.push(r.clone()),
                Document::Design(d) => {
                    out.extend(to_resources(&d.design).resources().map(|resource| {
                        ImportedResource {
                            resource,
                            file: d.file.clone(),
                            line: d.line,
                            column: d.column,
                            extra_kept_aside: Extra::new(),
                        }
                    }));
                }
            }
        }
        out
    }

    /// Every resource, grouped: the plain ones and each design's.
    pub fn resource_set(&self) -> ResourceSet {
        let mut set = ResourceSet::default();
        for document in &self.documents {
            match document {
                Document::Resource(r) => set.push(r.resource.clone()),
                Document::Design(d) => {
                    for resource in to_resources(&d.design).resources() {
                        set.push(resource);
                    }
                }
            }
        }
        set
    }

    /// The design, when the input is exactly one design document and nothing else.
    pub fn single_design(&self) -> Option<&Design> {
        match self.documents.as_slice() {
            [Document::Design(d)] => Some(&d.design),
            _ => None,
        }
    }

    /// Whether every document is a design document (and there is at least one).
    pub fn is_designs_only(&self) -> bool {
        !self.documents.is_empty()
            && self
                .documents
                .iter()
                .all(|d| matches!(d, Document::Design(_)))
    }

    /// Number of error diagnostics.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warning diagnostics.
    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    /// Every object defined twice: the same kind (of the same API group), namespace and name — for
    /// Calico policies after the tier prefix is removed, so `default.deny` and `deny` are one object.
    /// The API server refuses to create the second (`AlreadyExists`); `kubectl apply` would silently
    /// replace the first. One error per repeat, at the repeat, naming where the first is.
    pub fn duplicate_objects(&self) -> Vec<Diagnostic> {
        use crate::model::Resource;
        let mut first: std::collections::HashMap<
            (&str, &str, Option<&str>, &str),
            &ImportedResource,
        > = std::collections::HashMap::new();
        let mut out = Vec::new();
        for r in self.resources() {
            let group = match &r.resource {
                Resource::KubernetesPolicy(p) if !p.staged => "networking.k8s.io",
                Resource::Namespace(_) | Resource::Workload(_) => "",
                Resource::ClusterPolicy(_) => "policy.networking.k8s.io",
                _ => "projectcalico.org",
            };
            let meta = r.resource.metadata();
            let key = (
                group,
                r.resource.kind(),
                meta.namespace.as_deref(),
                meta.name.as_str(),
            );
            match first.get(&key) {
                None => {
                    first.insert(key, r);
                }
                Some(earlier) => {
                    let what = match &meta.namespace {
                        Some(ns) => format!("{} `{ns}/{}`", key.1, meta.name),
                        None => format!("{} `{}`", key.1, meta.name),
                    };
                    let mut d = Diagnostic::file_level(
                        yaml::Severity::Error,
                        &r.file,
                        format!(
                            "{what} is defined twice (first at {}:{}:{}): the API server refuses the second",
                            earlier.file, earlier.line, earlier.column
                        ),
                    );
                    d.line = r.line;
                    d.column = r.column;
                    out.push(d);
                }
            }
        }
        out
    }

    /// Appends the input of other files.
    pub fn extend(&mut self, other: Input) {
        self.documents.extend(other.documents);
        self.diagnostics.extend(other.diagnostics);
        self.files.extend(other.files);
    }
}

/// Reads one YAML or JSON text with the default [`Limits`].
pub fn import(file_name: &str, text: &str) -> Input {
    let result = yaml::import(file_name, text);
    located(file_name, text, result)
}

/// Reads raw bytes: binary, compressed and non-UTF-8 input is refused with a clear message.
pub fn import_bytes(file_name: &str, bytes: &[u8]) -> Input {
    import_bytes_with_limits(file_name, bytes, &Limits::default())
}

/// As [`import_bytes`], with explicit limits.
pub fn import_bytes_with_limits(file_name: &str, bytes: &[u8], limits: &Limits) -> Input {
    let result = yaml::import_bytes_with_limits(file_name, bytes, limits);
    // Design documents were parsed, so the bytes are UTF-8 text.
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    located(file_name, text, result)
}

/// Decodes the design documents the resource importer set aside, and orders everything as the file.
fn located(file_name: &str, text: &str, result: ImportResult) -> Input {
    let ImportResult {
        resources,
        mut diagnostics,
        design_documents,
    } = result;
    let mut documents: Vec<Document> = resources.into_iter().map(Document::Resource).collect();
    if !design_documents.is_empty() {
        let mut d = yaml::decode::Decoder::new(file_name, yaml::source_text(text));
        for node in &design_documents {
            if let Some(design) = decode::decode(&mut d, node) {
                documents.push(Document::Design(DesignDocument {
                    design,
                    file: file_name.to_owned(),
                    line: node.pos.line,
                    column: node.pos.column,
                }));
            }
        }
        diagnostics.append(&mut d.diagnostics);
        // People read files top to bottom (the resource importer sorts its own the same way).
        diagnostics.sort_by_key(|d| (d.line, d.column));
        documents.sort_by_key(Document::position);
    }
    Input {
        documents,
        diagnostics,
        files: vec![file_name.to_owned()],
    }
}
