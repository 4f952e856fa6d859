//! The flow picture of the sample design: its edges are `netpol connectivity`'s answer, and its
//! Mermaid, DOT and SVG are snapshots (deterministic: the same design gives the same bytes).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::BTreeSet;

use netpol_core::design::{sample, to_resources};
use netpol_core::diagram::{Diagram, EdgeMark, NodeKind, to_dot, to_mermaid, to_svg};
use netpol_core::eval::connectivity::{ConnectionState, Probes, connectivity};

fn sample_diagram() -> Diagram {
    Diagram::of(&to_resources(&sample())).expect("diagram")
}

#[test]
fn every_workload_to_workload_edge_is_a_connection_and_back() {
    let rs = to_resources(&sample());
    let diagram = sample_diagram();
    let mut from_edges = BTreeSet::new();
    for edge in &diagram.edges {
        let (Some(from), Some(to)) = (
            edge.from.strip_prefix("workload/"),
            edge.to.strip_prefix("workload/"),
        ) else {
            continue;
        };
        for (proto, ports) in &edge.services {
            for port in ports {
                from_edges.insert((
                    from.to_owned(),
                    to.to_owned(),
                    proto.clone(),
                    Some(*port),
                    edge.mark == EdgeMark::Undecidable,
                ));
            }
            if ports.is_empty() {
                from_edges.insert((
                    from.to_owned(),
                    to.to_owned(),
                    proto.clone(),
                    None,
                    edge.mark == EdgeMark::Undecidable,
                ));
            }
        }
    }
    let listed: BTreeSet<_> = connectivity(&rs, &Probes::default())
        .expect("connectivity")
        .into_iter()
        .map(|c| {
            (
                c.src,
                c.dst,
                c.proto,
                c.port,
                c.state == ConnectionState::Undecidable,
            )
        })
        .collect();
    assert_eq!(from_edges, listed);
}

#[test]
fn the_sample_picture_has_groups_dns_network_sets_and_the_world() {
    let diagram = sample_diagram();
    let kinds: BTreeSet<NodeKind> = diagram.nodes.iter().map(|n| n.kind).collect();
    assert!(kinds.contains(&NodeKind::World));
    assert!(kinds.contains(&NodeKind::Dns));
    assert!(kinds.contains(&NodeKind::Workload));
    assert!(!diagram.groups.is_empty());
    for node in &diagram.nodes {
        if let Some(group) = &node.group {
            assert!(diagram.groups.contains(group));
        }
    }
    // The sample lets the world reach its gateway, and workloads reach the DNS.
    assert!(diagram.edges.iter().any(|e| e.from == "world"));
    let dns: Vec<&str> = diagram
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Dns)
        .map(|n| n.id.as_str())
        .collect();
    assert!(diagram.edges.iter().any(|e| dns.contains(&e.to.as_str())));
}

#[test]
fn the_pictures_are_deterministic() {
    let (a, b) = (sample_diagram(), sample_diagram());
    assert_eq!(to_mermaid(&a), to_mermaid(&b));
    assert_eq!(to_dot(&a), to_dot(&b));
    assert_eq!(to_svg(&a), to_svg(&b));
}

#[test]
fn the_svg_is_self_contained() {
    let svg = to_svg(&sample_diagram());
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    // No external reference: the only URLs are the namespace and the markers' own fragments.
    assert_eq!(svg.matches("http").count(), 1);
    assert!(!svg.contains("href"));
    assert!(!svg.contains("@import") && !svg.contains("@font-face"));
    // Every opened element is closed.
    let opened = svg.matches("<g ").count() + svg.matches("<g>").count();
    assert_eq!(opened, svg.matches("</g>").count());
}

#[test]
fn the_mermaid_uses_generated_ids_and_quoted_labels_only() {
    let text = to_mermaid(&sample_diagram());
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("flowchart LR"));
    let (mut opened, mut closed) = (0, 0);
    for line in lines {
        let line = line.trim();
        if line.starts_with("subgraph ") {
            opened += 1;
        } else if line == "end" {
            closed += 1;
        }
        // Outside quotes, only ids, shapes and arrows: no user text.
        let outside: String = line.split('"').step_by(2).collect();
        assert!(
            outside
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " -.>=|[]{}()/".contains(c)),
            "{line}"
        );
        assert_eq!(line.matches('"').count() % 2, 0, "{line}");
    }
    assert_eq!(opened, closed);
}

#[test]
fn snapshots_of_the_sample() {
    let diagram = sample_diagram();
    insta::assert_snapshot!("sample_mermaid", to_mermaid(&diagram));
    insta::assert_snapshot!("sample_dot", to_dot(&diagram));
    insta::assert_snapshot!("sample_svg", to_svg(&diagram));
}
