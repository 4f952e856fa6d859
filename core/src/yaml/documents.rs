//! Cutting a file into YAML documents and parsing each one on its own, within limits.
//!
//! Documents are parsed separately so that a syntax error in one does not hide the others. A line
//! that starts with `---` or `...` followed by a blank or the end of the line is always a document
//! boundary in YAML 1.2 (such lines are forbidden inside scalars), so cutting there is exact.

use super::Limits;
use super::node::{Node, Pos, Value};

/// One document of a file: its text and the line (1-based) it starts on.
pub(crate) struct DocumentText<'a> {
    pub text: &'a str,
    pub first_line: usize,
}

fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

/// Splits `text` at `---` lines (kept with the document they open, since content may follow the
/// marker) and `...` lines (dropped). Documents with nothing but comments and blanks are left out.
pub(crate) fn split(text: &str) -> Vec<DocumentText<'_>> {
    let mut docs = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1usize;
    let mut offset = 0usize;
    for (line_no, line) in (1usize..).zip(text.split_inclusive('\n')) {
        let open = is_marker(line, "---");
        let close = is_marker(line, "...");
        if open || close {
            push_if_content(&mut docs, &text[start..offset], start_line);
            let next = if open { offset } else { offset + line.len() };
            start = next;
            start_line = if open { line_no } else { line_no + 1 };
        }
        offset += line.len();
    }
    push_if_content(&mut docs, &text[start..], start_line);
    docs
}

fn push_if_content<'a>(docs: &mut Vec<DocumentText<'a>>, chunk: &'a str, first_line: usize) {
    let has_content = chunk.lines().any(|l| {
        let body = if is_marker(l, "---") { &l[3..] } else { l };
        let t = body.trim();
        !t.is_empty() && !t.starts_with('#') && !t.starts_with('%')
    });
    if has_content {
        docs.push(DocumentText {
            text: chunk,
            first_line,
        });
    }
}

/// A document that could not be parsed: where and why.
pub(crate) struct ParseFailure {
    pub pos: Pos,
    pub message: String,
}

/// Parses one document into a positioned tree; positions are made relative to the whole file.
pub(crate) fn parse(doc: &DocumentText<'_>, limits: &Limits) -> Result<Option<Node>, ParseFailure> {
    let offset = doc.first_line - 1;
    match super::build::document(doc.text, limits) {
        Ok(mut node) => {
            if let Some(n) = node.as_mut() {
                shift(n, offset);
            }
            Ok(node)
        }
        Err(e) => Err(ParseFailure {
            pos: Pos {
                line: e.pos.line.max(1) + offset,
                column: e.pos.column.max(1),
            },
            message: e.message,
        }),
    }
}

fn shift(node: &mut Node, lines: usize) {
    // INVARIANT: depth is bounded by `Limits::max_depth`, enforced by the parser budget.
    if node.pos.line > 0 {
        node.pos.line += lines;
    }
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, lines)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            shift(k, lines);
            shift(v, lines);
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(text: &str) -> Vec<usize> {
        split(text).iter().map(|d| d.first_line).collect()
    }

    #[test]
    fn splits_at_document_markers_only() {
        assert_eq!(starts("a: 1\n---\nb: 2\n--- \nc: 3\n"), vec![1, 2, 4]);
        assert_eq!(
            starts("---\na: 1\n---\n---\n# only a comment\n---\nb: |\n  ---x\n"),
            vec![1, 6]
        );
        assert_eq!(starts("a: 1\n...\ngarbage: [\n---\nb: 2\n"), vec![1, 3, 4]);
        assert_eq!(starts("a: '---'\nb: ----\n"), vec![1]);
        assert_eq!(starts("--- {a: 1}\n"), vec![1]);
        assert!(starts("").is_empty());
    }
}
