//! The picture as a self-contained SVG: no external reference, no embedded font (a system font stack
//! every browser and viewer has), integer coordinates, so the same picture gives the same bytes.
//!
//! The layout is layered, left to right: the outside nodes (the world, network sets) in the first
//! column, then the namespaces, each a box holding its workloads, in columns by the longest path of
//! namespace-to-namespace flows (cycles broken at the edge that closes them, in name order). Edges are
//! curves from a node's right side to the other's left side with an arrowhead; dashed for undecidable
//! and removed flows, thick for added ones — never told by colour alone — with a legend.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{Diagram, EdgeMark, NodeKind};

const FONT: &str =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const MARGIN: i64 = 20;
const NODE_W: i64 = 180;
const NODE_H: i64 = 30;
const NODE_GAP: i64 = 10;
const GROUP_PAD: i64 = 10;
const GROUP_HEADER: i64 = 26;
const GROUP_GAP: i64 = 20;
const COLUMN_W: i64 = NODE_W + 2 * GROUP_PAD;
/// Room between columns for the edges' labels.
const COLUMN_GAP: i64 = 220;
const LEGEND_H: i64 = 40;
/// Characters of a node's label that fit its box at 12 px (the whole label is in its tooltip).
const LABEL_CHARS: usize = 24;

/// A placed node: its box.
#[derive(Clone, Copy, Default)]
struct Place {
    x: i64,
    y: i64,
}

/// The SVG document, ending with a newline.
pub fn to_svg(diagram: &Diagram) -> String {
    let columns = group_columns(diagram);
    let group_column_count = columns.iter().copied().max().map_or(0, |c| c + 1);
    let outside: Vec<usize> = (0..diagram.nodes.len())
        .filter(|&i| diagram.nodes[i].group.is_none())
        .collect();
    let is_source = |i: usize| diagram.edges.iter().any(|e| e.from == diagram.nodes[i].id);
    let is_sink = |i: usize| diagram.edges.iter().any(|e| e.to == diagram.nodes[i].id);
    // An outside node that flows go to is drawn again in a last column, so that every edge runs
    // left to right instead of back across the namespaces.
    let sink_column = outside
        .iter()
        .any(|&i| is_sink(i))
        .then_some(1 + group_column_count);
    let column_count = 1 + group_column_count + usize::from(sink_column.is_some());
    let column_x = |c: usize| MARGIN + c as i64 * (COLUMN_W + COLUMN_GAP);
    let mut places = vec![Place::default(); diagram.nodes.len()];
    let mut sink_places: Vec<Option<Place>> = vec![None; diagram.nodes.len()];
    let mut bottoms = vec![MARGIN; column_count];
    // The outside nodes, stacked in the first column (those flows leave or that have none) and in
    // the last (those flows reach).
    let mut y = MARGIN + GROUP_HEADER;
    let mut sink_y = MARGIN + GROUP_HEADER;
    for &i in &outside {
        if let Some(column) = sink_column.filter(|_| is_sink(i)) {
            sink_places[i] = Some(Place {
                x: column_x(column) + GROUP_PAD,
                y: sink_y,
            });
            sink_y += NODE_H + NODE_GAP;
            bottoms[column] = sink_y;
        }
        if is_source(i) || !is_sink(i) {
            places[i] = Place {
                x: column_x(0) + GROUP_PAD,
                y,
            };
            y += NODE_H + NODE_GAP;
        }
    }
    bottoms[0] = y;
    // The namespace boxes, stacked in their columns in name order.
    let mut boxes = Vec::new();
    for (g, group) in diagram.groups.iter().enumerate() {
        let column = 1 + columns[g];
        let top = if bottoms[column] == MARGIN {
            MARGIN
        } else {
            bottoms[column] + GROUP_GAP
        };
        let mut y = top + GROUP_HEADER;
        for (i, node) in diagram.nodes.iter().enumerate() {
            if node.group.as_ref() == Some(group) {
                places[i] = Place {
                    x: column_x(column) + GROUP_PAD,
                    y,
                };
                y += NODE_H + NODE_GAP;
            }
        }
        let bottom = y - NODE_GAP + GROUP_PAD;
        let bottom = bottom.max(top + GROUP_HEADER + GROUP_PAD);
        boxes.push((column_x(column), top, bottom - top, group.as_str()));
        bottoms[column] = bottom;
    }
    let width = column_x(column_count - 1) + COLUMN_W + MARGIN;
    let height = bottoms.iter().copied().max().unwrap_or(MARGIN) + MARGIN + LEGEND_H;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" font-family=\"{FONT}\" font-size=\"12\">"
    );
    out.push_str("<title>Allowed flows</title>\n");
    out.push_str("<defs>\n");
    for mark in MARKS {
        let _ = writeln!(
            out,
            "<marker id=\"arrow-{}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{}\"/></marker>",
            mark.as_str(),
            colour(mark)
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(
        out,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    for (x, y, h, label) in boxes {
        let _ = writeln!(
            out,
            "<g class=\"namespace\"><rect x=\"{x}\" y=\"{y}\" width=\"{COLUMN_W}\" height=\"{h}\" rx=\"8\" fill=\"#f4f5f9\" stroke=\"#8792a2\"/><text x=\"{}\" y=\"{}\" font-weight=\"bold\">{}</text></g>",
            x + GROUP_PAD,
            y + 17,
            escape(&shortened(label))
        );
    }
    for (i, node) in diagram.nodes.iter().enumerate() {
        let drawn_first = node.group.is_some() || is_source(i) || !is_sink(i);
        let copies = [drawn_first.then_some(places[i]), sink_places[i]];
        for Place { x, y } in copies.into_iter().flatten() {
            draw_node(&mut out, node, x, y);
        }
    }
    let from_place = |id: &str| -> Option<Place> {
        let i = diagram.nodes.iter().position(|n| n.id == id)?;
        Some(places[i])
    };
    let to_place = |id: &str| -> Option<Place> {
        let i = diagram.nodes.iter().position(|n| n.id == id)?;
        Some(sink_places[i].unwrap_or(places[i]))
    };
    for edge in &diagram.edges {
        let (Some(from), Some(to)) = (from_place(&edge.from), to_place(&edge.to)) else {
            continue;
        };
        draw_edge(&mut out, edge, from, to);
    }
    legend(&mut out, diagram, height - LEGEND_H);
    out.push_str("</svg>\n");
    out
}

/// One node's shape, its label (cut to fit) and its id as the tooltip.
fn draw_node(out: &mut String, node: &super::Node, x: i64, y: i64) {
    let (fill, shape) = match node.kind {
        NodeKind::World => (
            "#eef6ff",
            format!(
                "<ellipse cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\"",
                x + NODE_W / 2,
                y + NODE_H / 2,
                NODE_W / 2,
                NODE_H / 2
            ),
        ),
        NodeKind::NetworkSet => (
            "#f3f0ff",
            format!("<rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\""),
        ),
        NodeKind::Dns => (
            "#e9faf4",
            format!("<rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"15\""),
        ),
        NodeKind::Workload => (
            "#ffffff",
            format!("<rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"5\""),
        ),
    };
    let caption = match node.kind {
        NodeKind::Dns => "DNS · ",
        NodeKind::NetworkSet => "set · ",
        NodeKind::World | NodeKind::Workload => "",
    };
    let _ = writeln!(
        out,
        "<g class=\"node {}\"><title>{}</title>{shape} fill=\"{fill}\" stroke=\"#4a5568\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
        node.kind.as_str(),
        escape(&node.id),
        x + NODE_W / 2,
        y + NODE_H / 2 + 4,
        escape(&shortened(&format!("{caption}{}", node.label)))
    );
}

/// One edge: a curve from the source's right side to the destination's left side, its services
/// at its middle, its ends and services as the tooltip.
fn draw_edge(out: &mut String, edge: &super::Edge, from: Place, to: Place) {
    let (x1, y1) = (from.x + NODE_W, from.y + NODE_H / 2);
    let (x2, y2) = (to.x, to.y + NODE_H / 2);
    let bend = ((x2 - x1).abs() / 2).max(60);
    let (c1, c2) = ((x1 + bend, y1), (x2 - bend, y2));
    // The curve's midpoint, where the label goes: (p0 + 3 p1 + 3 p2 + p3) / 8.
    let mx = (x1 + 3 * c1.0 + 3 * c2.0 + x2) / 8;
    let my = (y1 + 3 * c1.1 + 3 * c2.1 + y2) / 8;
    let dash = if edge.mark.dashed() {
        " stroke-dasharray=\"6 4\""
    } else {
        ""
    };
    let stroke_width = if edge.mark == EdgeMark::Added {
        "3"
    } else {
        "1.5"
    };
    let _ = writeln!(
        out,
        "<g class=\"edge {mark}\"><title>{title}</title><path d=\"M{x1},{y1} C{},{} {},{} {x2},{y2}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{stroke_width}\"{dash} marker-end=\"url(#arrow-{mark})\"/><text x=\"{mx}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">{label}</text></g>",
        c1.0,
        c1.1,
        c2.0,
        c2.1,
        my - 3,
        mark = edge.mark.as_str(),
        colour = colour(edge.mark),
        title = escape(&format!("{} → {}: {}", edge.from, edge.to, edge.label())),
        label = escape(&edge.label()),
    );
}

/// Every mark, in legend order.
const MARKS: [EdgeMark; 4] = [
    EdgeMark::Allowed,
    EdgeMark::Undecidable,
    EdgeMark::Added,
    EdgeMark::Removed,
];

fn colour(mark: EdgeMark) -> &'static str {
    match mark {
        EdgeMark::Allowed => "#2b6cb0",
        EdgeMark::Undecidable => "#975a16",
        EdgeMark::Added => "#276749",
        EdgeMark::Removed => "#c53030",
    }
}

/// One sample line per mark the picture uses, with its word.
fn legend(out: &mut String, diagram: &Diagram, top: i64) {
    let used: BTreeSet<EdgeMark> = diagram.edges.iter().map(|e| e.mark).collect();
    let mut x = MARGIN;
    let y = top + LEGEND_H / 2;
    out.push_str("<g class=\"legend\">\n");
    for mark in MARKS.into_iter().filter(|m| used.contains(m)) {
        let dash = if mark.dashed() {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        let width = if mark == EdgeMark::Added { 3 } else { 2 };
        let word = match mark {
            EdgeMark::Allowed => "allowed",
            EdgeMark::Undecidable => "undecidable (a missing fact decides)",
            EdgeMark::Added => "now allowed",
            EdgeMark::Removed => "no longer allowed",
        };
        let _ = writeln!(
            out,
            "<path d=\"M{x},{y} H{}\" stroke=\"{}\" stroke-width=\"{width}\"{dash} marker-end=\"url(#arrow-{})\"/><text x=\"{}\" y=\"{}\">{word}</text>",
            x + 40,
            colour(mark),
            mark.as_str(),
            x + 48,
            y + 4
        );
        x += 48 + 8 * word.len() as i64 + 24;
    }
    out.push_str("</g>\n");
}

/// The column (from 0, after the outside nodes' one) of each group: the longest path of
/// group-to-group edges leading to it, after dropping the edges that close a cycle.
fn group_columns(diagram: &Diagram) -> Vec<usize> {
    let n = diagram.groups.len();
    let group_of = |id: &str| -> Option<usize> {
        let group = diagram.node(id)?.group.as_ref()?;
        diagram.groups.iter().position(|g| g == group)
    };
    let links: BTreeSet<(usize, usize)> = diagram
        .edges
        .iter()
        .filter_map(|e| Some((group_of(&e.from)?, group_of(&e.to)?)))
        .filter(|(a, b)| a != b)
        .collect();
    let mut successors = vec![Vec::new(); n];
    for &(a, b) in &links {
        successors[a].push(b);
    }
    let mut walk = Walk {
        successors: &successors,
        state: vec![Visit::New; n],
        finished: Vec::with_capacity(n),
        kept: vec![Vec::new(); n],
    };
    for g in 0..n {
        if walk.state[g] == Visit::New {
            walk.visit(g);
        }
    }
    let mut columns = vec![0; n];
    for &g in walk.finished.iter().rev() {
        for &next in &walk.kept[g] {
            columns[next] = columns[next].max(columns[g] + 1);
        }
    }
    columns
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    New,
    Open,
    Done,
}

/// A depth-first walk that keeps the edges that do not close a cycle.
struct Walk<'a> {
    successors: &'a [Vec<usize>],
    state: Vec<Visit>,
    /// Groups in the order their walk finished (reversed: a topological order of `kept`).
    finished: Vec<usize>,
    kept: Vec<Vec<usize>>,
}

impl Walk<'_> {
    fn visit(&mut self, g: usize) {
        self.state[g] = Visit::Open;
        for &next in &self.successors[g] {
            match self.state[next] {
                // An edge back to an open group closes a cycle: it does not push columns.
                Visit::Open => {}
                Visit::New => {
                    self.kept[g].push(next);
                    self.visit(next);
                }
                Visit::Done => self.kept[g].push(next),
            }
        }
        self.state[g] = Visit::Done;
        self.finished.push(g);
    }
}

/// The label cut to what fits a box, with an ellipsis.
fn shortened(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    let mut out: String = label.chars().take(LABEL_CHARS - 1).collect();
    out.push('…');
    out
}

/// Text for XML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, shortened};

    #[test]
    fn text_is_escaped_and_long_labels_cut() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(shortened("short"), "short");
        let long = "a-very-long-workload-name-indeed";
        assert_eq!(shortened(long).chars().count(), 24);
        assert!(shortened(long).ends_with('…'));
    }
}
