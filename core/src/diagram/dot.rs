//! The picture as Graphviz DOT: a `cluster_` subgraph per namespace (Graphviz draws those as boxes),
//! shapes per kind, dashed or bold edges per mark. Every id and label is a quoted string.

use std::fmt::Write as _;

use super::{Diagram, EdgeMark, NodeKind};

/// The digraph, left to right, ending with a newline.
pub fn to_dot(diagram: &Diagram) -> String {
    let mut out = String::from("digraph netpol {\n");
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica,Arial,sans-serif\"];\n");
    out.push_str("  edge [fontname=\"Helvetica,Arial,sans-serif\", fontsize=10];\n");
    let node_line = |node: &super::Node| -> String {
        let shape = match node.kind {
            NodeKind::World => "ellipse",
            NodeKind::NetworkSet => "parallelogram",
            NodeKind::Dns => "hexagon",
            NodeKind::Workload => "box",
        };
        format!(
            "{} [label={}, shape={shape}];",
            quoted(&node.id),
            quoted(&node.label)
        )
    };
    for node in diagram.nodes.iter().filter(|n| n.group.is_none()) {
        let _ = writeln!(out, "  {}", node_line(node));
    }
    for (g, group) in diagram.groups.iter().enumerate() {
        let _ = writeln!(out, "  subgraph {} {{", quoted(&format!("cluster_{g}")));
        let _ = writeln!(out, "    label={};", quoted(group));
        for node in diagram
            .nodes
            .iter()
            .filter(|n| n.group.as_ref() == Some(group))
        {
            let _ = writeln!(out, "    {}", node_line(node));
        }
        out.push_str("  }\n");
    }
    for edge in &diagram.edges {
        let style = match edge.mark {
            EdgeMark::Allowed => "solid",
            EdgeMark::Added => "bold",
            EdgeMark::Undecidable | EdgeMark::Removed => "dashed",
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}, style={style}];",
            quoted(&edge.from),
            quoted(&edge.to),
            quoted(&edge.label())
        );
    }
    out.push_str("}\n");
    out
}

/// A DOT quoted string: `"` and `\` escaped, line breaks as `\n`.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
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
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(quoted(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(quoted("x\ny"), r#""x\ny""#);
    }
}
