//! Checks on field values that Calico's API server would reject: selector syntax (with the error
//! placed on the offending character of the file), where `global()` may appear, selector length, and
//! CIDR syntax.

use super::decode::Decoder;
use super::node::{Node, Pos};
use crate::model::vocabulary::addresses::parse_net;
use crate::selector::Selector;

/// Calico's CRD limit on selector fields.
const MAX_SELECTOR_LEN: usize = 1024;

/// Where a selector sits, which decides whether `global()` is allowed in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SelectorField {
    /// Anything but a rule's `namespaceSelector`: `global()` is refused.
    Plain,
    /// A rule's `source`/`destination` `namespaceSelector`: `global()` is allowed as the whole selector.
    RuleNamespace,
}

/// A selector that parses, fits the length limit and does not mention `global()`: valid in any field,
/// so the full check (and its messages) can be skipped.
pub(crate) fn plainly_valid_selector(text: &str) -> bool {
    text.len() <= MAX_SELECTOR_LEN && Selector::parse(text).is_ok_and(|s| !s.mentions_global())
}

/// What Calico would refuse in the selector `text` written in the field `path`: the byte offset of the
/// offending character (when there is one) and the message. The importer places it in the file, the
/// editors next to their field (`yaml::fields::selector`).
pub(crate) fn selector_problem(
    text: &str,
    path: &str,
    field: SelectorField,
) -> Option<(Option<usize>, String)> {
    if text.len() > MAX_SELECTOR_LEN {
        return Some((
            None,
            format!(
                "`{path}` is {} characters long, more than Calico's limit of {MAX_SELECTOR_LEN}",
                text.len()
            ),
        ));
    }
    match Selector::parse(text) {
        Err(e) => Some((
            Some(e.span().start),
            format!("invalid selector in `{path}`: {}", e.message()),
        )),
        Ok(sel) if sel.mentions_global() => {
            let at = Some(text.find("global(").unwrap_or(0));
            match field {
                SelectorField::RuleNamespace if sel.is_global() => None,
                SelectorField::RuleNamespace => Some((
                    at,
                    format!(
                        "`global()` in `{path}` must be the whole selector: Calico does not combine it with other terms"
                    ),
                )),
                SelectorField::Plain => Some((
                    at,
                    format!(
                        "`global()` is not allowed in `{path}`: only a rule's `namespaceSelector` may be `global()`"
                    ),
                )),
            }
        }
        Ok(_) => None,
    }
}

impl Decoder<'_> {
    /// Parses the selector in `node` (a string already read as `text`) and reports what Calico would
    /// refuse, pointing at the offending character when the selector is written on one line.
    pub fn check_selector(&mut self, node: &Node, path: &str, text: &str, field: SelectorField) {
        if let Some((offset, message)) = selector_problem(text, path, field) {
            let pos = match offset {
                Some(offset) => self.position_in_scalar(node, text, offset),
                None => node.pos,
            };
            self.error(pos, message);
        }
    }

    /// Checks that every entry is a CIDR or a single address.
    pub fn check_cidrs(&mut self, node: Option<&Node>, path: &str) {
        let Some(node) = node else { return };
        let items: Vec<(Pos, String)> = match &node.value {
            super::node::Value::Seq(items) => items
                .iter()
                .filter_map(|n| n.as_str().map(|s| (n.pos, s.to_owned())))
                .collect(),
            super::node::Value::String(s) => vec![(node.pos, s.clone())],
            _ => Vec::new(),
        };
        for (i, (pos, text)) in items.iter().enumerate() {
            if parse_net(text).is_err() {
                let at = if matches!(node.value, super::node::Value::Seq(_)) {
                    format!("{path}[{i}]")
                } else {
                    path.to_owned()
                };
                self.error(*pos, format!("invalid `{at}`: `{text}` is not a CIDR (like `10.0.0.0/8`) or an IP address"));
            }
        }
    }

    /// The file position of byte `offset` of a scalar's value, when the scalar is on one line and
    /// written plainly or quoted; otherwise the scalar's own position.
    fn position_in_scalar(&mut self, node: &Node, value: &str, offset: usize) -> Pos {
        let line = self.line_text(node.pos.line);
        let start: String = line
            .chars()
            .skip(node.pos.column.saturating_sub(1))
            .collect();
        let (skip, body) = match start.chars().next() {
            Some(q @ ('"' | '\'')) => (1, &start[q.len_utf8()..]),
            _ => (0, start.as_str()),
        };
        let prefix = value.get(..offset).unwrap_or(value);
        // Only when the written text is the value itself (no escapes, folding or block style).
        if value.contains('\n') || !body.starts_with(value) {
            return node.pos;
        }
        Pos {
            line: node.pos.line,
            column: node.pos.column + skip + prefix.chars().count(),
        }
    }
}
