//! The small toolkit the resource decoders are written with.
//!
//! Decoding walks a positioned [`Node`] tree by hand instead of going through serde derive, so that
//! every problem points at its own key or value, every problem in a document is reported (not only the
//! first), and unknown keys become warnings that are kept in `extra` instead of being dropped.

use serde::de::DeserializeOwned;

use super::diagnostic::{Diagnostic, Severity};
use super::node::{Node, Pos, Value};
use crate::model::Extra;

/// Collects the diagnostics of one file while its documents are decoded.
pub(crate) struct Decoder<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub diagnostics: Vec<Diagnostic>,
    errors: usize,
    /// Byte offset of each line's start, computed on the first diagnostic: quoting a line must not
    /// rescan the file, or many diagnostics in a large file would take quadratic time.
    line_starts: Option<Vec<usize>>,
}

impl<'a> Decoder<'a> {
    pub fn new(file: &'a str, text: &'a str) -> Decoder<'a> {
        Decoder {
            file,
            text,
            diagnostics: Vec::new(),
            errors: 0,
            line_starts: None,
        }
    }

    /// How many errors so far; compare before and after decoding a resource to know if it failed.
    pub fn error_count(&self) -> usize {
        self.errors
    }

    /// The text of 1-based `line`, without its line break (empty past the end).
    pub fn line_text(&mut self, line: usize) -> &'a str {
        let text = self.text;
        let starts = self.line_starts.get_or_insert_with(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let Some(&start) = line.checked_sub(1).and_then(|i| starts.get(i)) else {
            return "";
        };
        let end = starts.get(line).map_or(text.len(), |&next| next - 1);
        text.get(start..end).unwrap_or("").trim_end_matches('\r')
    }

    pub fn error(&mut self, pos: Pos, message: impl Into<String>) {
        self.push(Severity::Error, pos, message);
    }

    pub fn warning(&mut self, pos: Pos, message: impl Into<String>) {
        self.push(Severity::Warning, pos, message);
    }

    fn push(&mut self, severity: Severity, pos: Pos, message: impl Into<String>) {
        if severity == Severity::Error {
            self.errors += 1;
        }
        let line_text = self.line_text(pos.line).to_owned();
        self.diagnostics.push(Diagnostic {
            severity,
            file: self.file.to_owned(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
            line_text,
        });
    }

    /// A value read through serde (enums, numbers, label maps, ports); an error points at the value.
    pub fn leaf<T: DeserializeOwned>(&mut self, node: &Node, path: &str) -> Option<T> {
        match serde_json::from_value::<T>(node.to_json()) {
            Ok(v) => Some(v),
            Err(e) => {
                let message = e.to_string();
                // serde names the unknown key but not where it is: point at the key itself.
                let pos = message
                    .strip_prefix("unknown field `")
                    .and_then(|rest| rest.split('`').next())
                    .and_then(|key| match &node.value {
                        Value::Map(entries) => entries
                            .iter()
                            .find(|(k, _)| k.as_str() == Some(key))
                            .map(|(k, _)| k.pos),
                        _ => None,
                    })
                    .unwrap_or(node.pos);
                self.error(pos, format!("invalid `{path}`: {}", plain_words(&message)));
                None
            }
        }
    }

    /// A string value (numbers and booleans are refused: Kubernetes does not coerce them either).
    pub fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.error(
                    node.pos,
                    format!(
                        "invalid `{path}`: expected a string, found {}",
                        node.describe()
                    ),
                );
                None
            }
        }
    }

    /// The items of a list; `null` is an empty list.
    pub fn seq<'n>(&mut self, node: &'n Node, path: &str) -> &'n [Node] {
        match &node.value {
            Value::Seq(items) => items,
            Value::Null => &[],
            _ => {
                self.error(
                    node.pos,
                    format!(
                        "invalid `{path}`: expected a list, found {}",
                        node.describe()
                    ),
                );
                &[]
            }
        }
    }

    /// Each item of a list decoded by `f`, with `path[i]` paths; failed items are left out.
    pub fn list<T>(
        &mut self,
        node: &Node,
        path: &str,
        mut f: impl FnMut(&mut Self, &Node, &str) -> Option<T>,
    ) -> Vec<T> {
        let items = self.seq(node, path);
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if let Some(v) = f(self, item, &format!("{path}[{i}]")) {
                out.push(v);
            }
        }
        out
    }

    /// A list of strings.
    pub fn strings(&mut self, node: &Node, path: &str) -> Vec<String> {
        if let Value::Seq(items) = &node.value {
            let all: Option<Vec<String>> = items
                .iter()
                .map(|n| n.as_str().map(str::to_owned))
                .collect();
            if let Some(all) = all {
                return all;
            }
        }
        self.list(node, path, |d, n, p| d.string(n, p))
    }

    /// The fields of a map, for [`Fields::take`]; `null` reads as an empty map.
    pub fn fields<'n>(&mut self, node: &'n Node, path: &str) -> Option<Fields<'n>> {
        match &node.value {
            Value::Map(entries) => Some(Fields {
                entries,
                used: vec![false; entries.len()],
                path: path.to_owned(),
            }),
            Value::Null => Some(Fields {
                entries: &[],
                used: Vec::new(),
                path: path.to_owned(),
            }),
            _ => {
                self.error(
                    node.pos,
                    format!(
                        "invalid `{path}`: expected a map, found {}",
                        node.describe()
                    ),
                );
                None
            }
        }
    }
}

/// The entries of one map being decoded; remembers which keys were understood.
pub(crate) struct Fields<'n> {
    entries: &'n [(Node, Node)],
    used: Vec<bool>,
    pub path: String,
}

impl<'n> Fields<'n> {
    /// The value of `key` (`None` when absent or `null`), marked as understood.
    pub fn take(&mut self, key: &str) -> Option<&'n Node> {
        let index = self
            .entries
            .iter()
            .position(|(k, _)| k.as_str() == Some(key))?;
        self.used[index] = true;
        let value = &self.entries[index].1;
        (value.value != Value::Null).then_some(value)
    }

    /// `path.key`, for messages.
    pub fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Decodes `key` with serde when present.
    pub fn leaf<T: DeserializeOwned>(&mut self, d: &mut Decoder<'_>, key: &str) -> Option<T> {
        let node = self.take(key)?;
        // The path is only needed for a message: decode first, spell it out on failure.
        match serde_json::from_value::<T>(node.to_json()) {
            Ok(v) => Some(v),
            Err(_) => d.leaf(node, &self.path_of(key)),
        }
    }

    /// Decodes `key` as a string when present.
    pub fn string(&mut self, d: &mut Decoder<'_>, key: &str) -> Option<String> {
        let node = self.take(key)?;
        match &node.value {
            Value::String(text) => Some(text.clone()),
            _ => d.string(node, &self.path_of(key)),
        }
    }

    /// Decodes `key` as a selector string, checked with the selector parser.
    pub fn selector(
        &mut self,
        d: &mut Decoder<'_>,
        key: &str,
        field: super::validate::SelectorField,
    ) -> Option<String> {
        let node = self.take(key)?;
        if let Value::String(text) = &node.value
            && super::validate::plainly_valid_selector(text)
        {
            return Some(text.clone());
        }
        let path = self.path_of(key);
        let text = d.string(node, &path)?;
        d.check_selector(node, &path, &text, field);
        Some(text)
    }

    /// Decodes `key` as a list of CIDRs (empty when absent), each checked.
    pub fn cidrs(&mut self, d: &mut Decoder<'_>, key: &str) -> Vec<String> {
        let Some(node) = self.take(key) else {
            return Vec::new();
        };
        let path = self.path_of(key);
        let list = d.strings(node, &path);
        d.check_cidrs(Some(node), &path);
        list
    }

    /// Decodes `key` as a list of strings (empty when absent).
    pub fn strings(&mut self, d: &mut Decoder<'_>, key: &str) -> Vec<String> {
        match self.take(key) {
            Some(node) => d.strings(node, &self.path_of(key)),
            None => Vec::new(),
        }
    }

    /// Decodes `key` as a list with `f` (empty when absent).
    pub fn list<T>(
        &mut self,
        d: &mut Decoder<'_>,
        key: &str,
        f: impl FnMut(&mut Decoder<'_>, &Node, &str) -> Option<T>,
    ) -> Vec<T> {
        match self.take(key) {
            Some(node) => {
                let path = self.path_of(key);
                // The closure cannot borrow the decoder's lifetime directly; re-wrap it.
                let mut f = f;
                d.list(node, &path, |d, n, p| f(d, n, p))
            }
            None => Vec::new(),
        }
    }

    /// Decodes `key` with `f` when present.
    pub fn nested<T>(
        &mut self,
        d: &mut Decoder<'_>,
        key: &str,
        f: impl FnOnce(&mut Decoder<'_>, &Node, &str) -> Option<T>,
    ) -> Option<T> {
        let node = self.take(key)?;
        let path = self.path_of(key);
        f(d, node, &path)
    }

    /// The keys nobody took, as `(key, value)`.
    pub fn rest(&self) -> impl Iterator<Item = (&'n Node, &'n Node)> + '_ {
        self.entries
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !**used)
            .map(|((k, v), _)| (k, v))
    }

    /// Ends decoding: every key not taken is reported as a warning and kept in `extra`.
    pub fn finish(self, d: &mut Decoder<'_>, extra: &mut Extra) {
        for (key, value) in self.rest() {
            let name = key.key_text();
            d.warning(
                key.pos,
                format!("unknown field `{}`: kept as written", self.path_of(&name)),
            );
            extra.insert(name, value.to_json());
        }
    }

    /// Ends decoding of a map that has no `extra`: unknown keys are warned about and dropped.
    pub fn finish_dropping(self, d: &mut Decoder<'_>) {
        for (key, _) in self.rest() {
            d.warning(
                key.pos,
                format!("unknown field `{}`: ignored", self.path_of(&key.key_text())),
            );
        }
    }
}

/// serde's messages name Rust types (`expected f64`); users know numbers, strings and maps.
fn plain_words(message: &str) -> String {
    const TYPES: [(&str, &str); 10] = [
        ("expected f64", "expected a number"),
        ("expected u8", "expected a number 0-255"),
        ("expected u16", "expected a number 0-65535"),
        ("expected u32", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected a boolean", "expected true or false"),
        ("expected a map", "expected a map"),
        ("expected a sequence", "expected a list"),
        ("invalid type: sequence", "invalid type: list"),
        ("struct Position", "a position {x, y}"),
    ];
    let mut out = message.to_owned();
    for (from, to) in TYPES {
        out = out.replace(from, to);
    }
    out
}
