//! The picture as a Mermaid flowchart (GitHub and GitLab render it in Markdown): a subgraph per
//! namespace, shapes per kind, solid, thick or dashed arrows per mark.
//!
//! Ids are `n<i>` and `g<i>` (positions in the sorted picture), so no user text is ever read as
//! syntax; every label is quoted, with the characters Mermaid would still interpret written as its
//! `#code;` entities.

use std::fmt::Write as _;

use super::{Diagram, EdgeMark, NodeKind};

/// The flowchart, left to right, ending with a newline.
pub fn to_mermaid(diagram: &Diagram) -> String {
    let mut out = String::from("flowchart LR\n");
    let id = |node: &str| -> String {
        diagram
            .nodes
            .iter()
            .position(|n| n.id == node)
            .map_or_else(|| "missing".to_owned(), |i| format!("n{i}"))
    };
    let shape = |kind: NodeKind, label: &str| -> String {
        let text = quoted(label);
        match kind {
            NodeKind::World => format!("(({text}))"),
            NodeKind::NetworkSet => format!("[/{text}/]"),
            NodeKind::Dns => format!("{{{{{text}}}}}"),
            NodeKind::Workload => format!("[{text}]"),
        }
    };
    for (i, node) in diagram.nodes.iter().enumerate() {
        if node.group.is_none() {
            let _ = writeln!(out, "  n{i}{}", shape(node.kind, &node.label));
        }
    }
    for (g, group) in diagram.groups.iter().enumerate() {
        let _ = writeln!(out, "  subgraph g{g}[{}]", quoted(group));
        for (i, node) in diagram.nodes.iter().enumerate() {
            if node.group.as_ref() == Some(group) {
                let _ = writeln!(out, "    n{i}{}", shape(node.kind, &node.label));
            }
        }
        out.push_str("  end\n");
    }
    for edge in &diagram.edges {
        let arrow = match edge.mark {
            EdgeMark::Allowed => "-->",
            EdgeMark::Added => "==>",
            EdgeMark::Undecidable | EdgeMark::Removed => "-.->",
        };
        let _ = writeln!(
            out,
            "  {} {arrow}|{}| {}",
            id(&edge.from),
            quoted(&edge.label()),
            id(&edge.to)
        );
    }
    out
}

/// A label in double quotes (Mermaid reads anything up to the next `"` as text), with `"`, `#` (which
/// starts an entity), `<`, `>` (HTML) and `|` (which ends an edge label) as Mermaid entity codes, and
/// line breaks as spaces.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '|' => out.push_str("#124;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn labels_never_close_their_quotes_or_shapes() {
        assert_eq!(quoted("a\"b"), "\"a#quot;b\"");
        assert_eq!(quoted("x|y#z"), "\"x#124;y#35;z\"");
        assert_eq!(quoted("<b>(1)</b>"), "\"#lt;b#gt;(1)#lt;/b#gt;\"");
        assert_eq!(quoted("two\nlines"), "\"two lines\"");
    }
}
