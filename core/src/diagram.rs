//! The flow picture of a design or resource set (issue 19, `netpol diagram`): namespaces as groups
//! holding their workload groups, the cluster DNS, network sets and the world, and one edge per
//! (source, destination) with the services the evaluator allows between them — rendered to Mermaid
//! ([`to_mermaid`]), Graphviz DOT ([`to_dot`]) and a self-contained SVG ([`to_svg`]).
//!
//! The edges are [`connectivity`]'s answer, never decided here: workloads are probed on their
//! container ports, and each outside node is probed as one address — a network set at the first
//! address of its first block, the world at a documentation address that no network set holds — on
//! the ports the resources declare, as `netpol connectivity --probes` does. An edge whose verdict
//! depends on a missing fact is kept and marked undecidable (drawn dashed, not only in another colour).
//! Every output is deterministic: nodes, groups and edges are sorted, ids are positions in that order.

mod dot;
mod mermaid;
mod svg;

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::eval::connectivity::{
    Connection, ConnectionState, ConnectivityError, Probes, connectivity,
};
use crate::model::ResourceSet;
use crate::model::vocabulary::addresses::parse_net;

pub use dot::to_dot;
pub use mermaid::to_mermaid;
pub use svg::to_svg;

/// The label Kubernetes puts on the cluster DNS pods.
const DNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

/// Addresses that stand for the world (RFC 5737 and RFC 3849 documentation ranges): the first that no
/// network set holds, so the world's edges are those of an address nobody named.
const WORLD_ADDRESSES: [&str; 4] = ["203.0.113.7", "198.51.100.7", "192.0.2.7", "2001:db8::7"];

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// Any address outside the cluster that no network set holds.
    World,
    NetworkSet,
    /// The cluster DNS (a workload labelled `k8s-app: kube-dns`).
    Dns,
    Workload,
}

impl NodeKind {
    /// `world`, `network-set`, `dns`, `workload` (CSS classes).
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::World => "world",
            NodeKind::NetworkSet => "network-set",
            NodeKind::Dns => "dns",
            NodeKind::Workload => "workload",
        }
    }
}

/// One node of the picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// `world`, `networkset/<name>` (`networkset/<ns>/<name>`), `workload/<ns>/<name>`.
    pub id: String,
    pub kind: NodeKind,
    /// What the picture writes on it: the workload's or set's name, `the world`.
    pub label: String,
    /// The namespace group it is drawn in (workloads only: a namespaced network set is an outside
    /// address all the same, named `<ns>/<name>`).
    pub group: Option<String>,
}

/// How an edge is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeMark {
    /// Allowed (solid).
    Allowed,
    /// Allowed or denied depending on a fact the resources do not give (dashed).
    Undecidable,
    /// Allowed by a change and not before it (thick).
    Added,
    /// Allowed before a change and not after it (dashed).
    Removed,
}

impl EdgeMark {
    /// `allowed`, `undecidable`, `added`, `removed` (CSS classes).
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeMark::Allowed => "allowed",
            EdgeMark::Undecidable => "undecidable",
            EdgeMark::Added => "added",
            EdgeMark::Removed => "removed",
        }
    }

    /// Drawn dashed rather than solid.
    pub fn dashed(self) -> bool {
        matches!(self, EdgeMark::Undecidable | EdgeMark::Removed)
    }

    /// What the label says besides the services, so a reader without colour knows it too.
    fn word(self) -> Option<&'static str> {
        match self {
            EdgeMark::Allowed => None,
            EdgeMark::Undecidable => Some("undecidable"),
            EdgeMark::Added => Some("now allowed"),
            EdgeMark::Removed => Some("no longer allowed"),
        }
    }
}

/// One edge: every service allowed from one node to another, with one mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub mark: EdgeMark,
    /// Per protocol (`TCP`, `UDP`, `SCTP`, `ICMP`), the ports, sorted (empty for ICMP).
    pub services: BTreeMap<String, Vec<u16>>,
}

impl Edge {
    /// `TCP 80, 443 · UDP 53`, then the mark's word in parentheses when it has one.
    pub fn label(&self) -> String {
        let services: Vec<String> = self
            .services
            .iter()
            .map(|(proto, ports)| {
                if ports.is_empty() {
                    proto.clone()
                } else {
                    let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
                    format!("{proto} {}", ports.join(", "))
                }
            })
            .collect();
        let services = services.join(" · ");
        match self.mark.word() {
            Some(word) => format!("{services} ({word})"),
            None => services,
        }
    }
}

/// The picture: namespace groups, nodes and edges, each sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagram {
    /// The namespaces, sorted: declared ones and those of the workloads.
    pub groups: Vec<String>,
    /// The world, the network sets, then the workloads by namespace and name.
    pub nodes: Vec<Node>,
    /// By source, destination and mark.
    pub edges: Vec<Edge>,
}

impl Diagram {
    /// The picture of the resources: every node, and an edge per allowed or undecidable (source,
    /// destination) pair (see the module documentation).
    pub fn of(resources: &ResourceSet) -> Result<Diagram, ConnectivityError> {
        let mut diagram = Diagram::nodes_of(resources);
        let outside = outside_addresses(resources);
        let probes = Probes {
            external_ips: outside.iter().map(|(ip, _)| ip.to_string()).collect(),
            extra_ports: Vec::new(),
        };
        let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (ip, id) in outside {
            by_name.entry(ip.to_string()).or_default().push(id);
        }
        for node in diagram.nodes.iter().filter(|n| n.group.is_some()) {
            if let Some(name) = node.id.strip_prefix("workload/") {
                by_name
                    .entry(name.to_owned())
                    .or_default()
                    .push(node.id.clone());
            }
        }
        let connections = connectivity(resources, &probes)?;
        diagram.edges = edges_of(&connections, |name| {
            by_name.get(name).cloned().unwrap_or_default()
        });
        diagram.sort_edges();
        Ok(diagram)
    }

    /// A picture of the given edges between the nodes of any of the resource sets (the PR
    /// summary's changed flows, between the two sides' workloads): only the nodes and groups the
    /// edges touch.
    pub fn of_edges(resources: &[&ResourceSet], edges: Vec<Edge>) -> Diagram {
        let touched = |id: &str| edges.iter().any(|e| e.from == id || e.to == id);
        let mut nodes: Vec<Node> = resources
            .iter()
            .flat_map(|rs| Diagram::nodes_of(rs).nodes)
            .filter(|n| touched(&n.id))
            .collect();
        // The order `nodes_of` gives one set: the world, the sets, then workloads by namespace.
        nodes.sort_by(|a, b| {
            (a.kind.min(NodeKind::Dns), &a.group, &a.label, &a.id).cmp(&(
                b.kind.min(NodeKind::Dns),
                &b.group,
                &b.label,
                &b.id,
            ))
        });
        nodes.dedup_by(|a, b| a.id == b.id);
        let mut groups: Vec<String> = nodes.iter().filter_map(|n| n.group.clone()).collect();
        groups.sort();
        groups.dedup();
        let mut diagram = Diagram {
            groups,
            nodes,
            edges,
        };
        diagram.sort_edges();
        diagram
    }

    /// Every node and group, without edges.
    fn nodes_of(resources: &ResourceSet) -> Diagram {
        let mut groups: Vec<String> = resources
            .namespaces
            .iter()
            .map(|n| n.metadata.name.clone())
            .collect();
        let mut nodes = vec![Node {
            id: "world".to_owned(),
            kind: NodeKind::World,
            label: "the world".to_owned(),
            group: None,
        }];
        let mut sets: Vec<Node> = resources
            .network_sets
            .iter()
            .map(|set| {
                let name = &set.metadata.name;
                match &set.metadata.namespace {
                    Some(ns) => Node {
                        id: format!("networkset/{ns}/{name}"),
                        kind: NodeKind::NetworkSet,
                        label: format!("{ns}/{name}"),
                        group: None,
                    },
                    None => Node {
                        id: format!("networkset/{name}"),
                        kind: NodeKind::NetworkSet,
                        label: name.clone(),
                        group: None,
                    },
                }
            })
            .collect();
        sets.sort_by(|a, b| a.id.cmp(&b.id));
        sets.dedup_by(|a, b| a.id == b.id);
        nodes.extend(sets);
        let mut workloads: Vec<Node> = resources
            .workloads
            .iter()
            .map(|w| {
                let ns = w.metadata.namespace.clone().unwrap_or_default();
                let dns =
                    w.metadata.labels.get(DNS_LABEL.0).map(String::as_str) == Some(DNS_LABEL.1);
                Node {
                    id: format!("workload/{ns}/{}", w.metadata.name),
                    kind: if dns {
                        NodeKind::Dns
                    } else {
                        NodeKind::Workload
                    },
                    label: w.metadata.name.clone(),
                    group: Some(ns),
                }
            })
            .collect();
        workloads.sort_by(|a, b| (&a.group, &a.label).cmp(&(&b.group, &b.label)));
        workloads.dedup_by(|a, b| a.id == b.id);
        groups.extend(workloads.iter().filter_map(|w| w.group.clone()));
        groups.sort();
        groups.dedup();
        nodes.extend(workloads);
        Diagram {
            groups,
            nodes,
            edges: Vec::new(),
        }
    }

    /// Edges in the nodes' order (the world, the sets, then namespace by namespace), then by mark.
    fn sort_edges(&mut self) {
        let position = |id: &str| self.nodes.iter().position(|n| n.id == id);
        let mut keyed: Vec<_> = std::mem::take(&mut self.edges)
            .into_iter()
            .map(|e| ((position(&e.from), position(&e.to), e.mark), e))
            .collect();
        keyed.sort_by_key(|a| a.0);
        self.edges = keyed.into_iter().map(|(_, e)| e).collect();
    }

    /// The node with `id`.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// The address each outside node is probed at: a network set's first block's first address, the
/// world's the first documentation address no set holds (the first one when every one is held).
fn outside_addresses(resources: &ResourceSet) -> Vec<(IpAddr, String)> {
    let mut out = Vec::new();
    let mut blocks = Vec::new();
    for set in &resources.network_sets {
        let nets: Vec<_> = set
            .spec
            .nets
            .iter()
            .filter_map(|n| parse_net(n).ok())
            .collect();
        blocks.extend(nets.iter().copied());
        let id = match &set.metadata.namespace {
            Some(ns) => format!("networkset/{ns}/{}", set.metadata.name),
            None => format!("networkset/{}", set.metadata.name),
        };
        if let Some(first) = nets.first() {
            out.push((first.network(), id));
        }
    }
    let candidates: Vec<IpAddr> = WORLD_ADDRESSES
        .iter()
        .filter_map(|a| a.parse().ok())
        .collect();
    let world = candidates
        .iter()
        .find(|ip| !blocks.iter().any(|b| b.contains(*ip)))
        .or(candidates.first());
    if let Some(ip) = world {
        out.push((*ip, "world".to_owned()));
    }
    out
}

/// Folds connections into one edge per (source node, destination node, mark); a connection names
/// its ends as connectivity does and `nodes` says which nodes stand behind each name.
pub(crate) fn edges_of(
    connections: &[Connection],
    nodes: impl Fn(&str) -> Vec<String>,
) -> Vec<Edge> {
    let mark_of = |state: ConnectionState| match state {
        ConnectionState::Allow => EdgeMark::Allowed,
        ConnectionState::Undecidable => EdgeMark::Undecidable,
    };
    folded(connections.iter().map(|c| (c, mark_of(c.state))), nodes)
}

/// Folds marked connections into edges, sorted by source, destination and mark.
pub(crate) fn folded<'a>(
    connections: impl Iterator<Item = (&'a Connection, EdgeMark)>,
    nodes: impl Fn(&str) -> Vec<String>,
) -> Vec<Edge> {
    let mut edges: BTreeMap<(String, String, EdgeMark), BTreeMap<String, Vec<u16>>> =
        BTreeMap::new();
    for (c, mark) in connections {
        for from in nodes(&c.src) {
            for to in nodes(&c.dst) {
                let ports = edges
                    .entry((from.clone(), to, mark))
                    .or_default()
                    .entry(c.proto.clone())
                    .or_default();
                if let Some(port) = c.port
                    && !ports.contains(&port)
                {
                    ports.push(port);
                    ports.sort_unstable();
                }
            }
        }
    }
    edges
        .into_iter()
        .map(|((from, to, mark), services)| Edge {
            from,
            to,
            mark,
            services,
        })
        .collect()
}
