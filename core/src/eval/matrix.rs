//! The connectivity matrix (issue 19): namespace × namespace, each cell what the probes of
//! `netpol connectivity` say together — `allowed` (every probe), `denied` (none), `partly`, or
//! `undecidable` (some probe's verdict depends on a missing fact and the others do not decide) — with
//! one example probe per answer and the rule that decides it; the workload × workload drill-down of
//! one namespace pair; and the cells a change turns ([`matrix_changes`]).
//!
//! The probes are those of [`connectivity`] without `--probes`: every ordered pair of distinct
//! workloads, on each of the destination's container ports. Each probe's answer is read from
//! [`connectivity`]'s list, never decided again here, so the matrix agrees with `netpol connectivity`
//! cell by cell; the evaluator is asked only for the deciding rule of each cell's examples.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::connectivity::{
    Connection, ConnectionState, ConnectivityError, Probe, Probes, connectivity, probe, proto_name,
    sorted,
};
use super::probe_plan::deciding_side;
use super::{Endpoint, EndpointId, Evaluator, Flow, WorkloadEndpoint};
use crate::model::ResourceSet;

/// What one cell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reach {
    /// Every probed connection is allowed.
    Allowed,
    /// None is.
    Denied,
    /// Some are allowed, some denied.
    Partly,
    /// Some depend on a fact the resources do not give (a pod IP, container ports).
    Undecidable,
}

impl Reach {
    /// `allowed`, `denied`, `partly` or `undecidable`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Allowed => "allowed",
            Reach::Denied => "denied",
            Reach::Partly => "partly",
            Reach::Undecidable => "undecidable",
        }
    }

    /// The cell's answer from its counts: undecidable when the undecidable probes could tip it
    /// either way (the decided ones are all allowed or all denied), else what the decided ones say.
    fn of(probes: usize, allowed: usize, undecidable: usize) -> Reach {
        let denied = probes.saturating_sub(allowed + undecidable);
        if undecidable > 0 && (allowed == 0 || denied == 0) {
            Reach::Undecidable
        } else if denied == 0 {
            Reach::Allowed
        } else if allowed == 0 && undecidable == 0 {
            Reach::Denied
        } else {
            Reach::Partly
        }
    }
}

/// One probe's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeAnswer {
    Allowed,
    Denied,
    Undecidable,
}

impl ProbeAnswer {
    /// `allowed`, `denied` or `undecidable`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeAnswer::Allowed => "allowed",
            ProbeAnswer::Denied => "denied",
            ProbeAnswer::Undecidable => "undecidable",
        }
    }
}

/// The first probe of a cell with a given answer (in source, destination, protocol, port order),
/// and what decides it: a hover says which rule, a click opens its explanation (`netpol explain`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// The source workload, `namespace/name`.
    pub src: String,
    /// The destination workload, `namespace/name`.
    pub dst: String,
    /// `TCP`, `UDP`, `SCTP` or `ICMP`.
    pub proto: String,
    pub port: Option<u16>,
    pub answer: ProbeAnswer,
    /// `netpol eval`'s `decided_by` of the deciding side (for an undecidable probe, of the world in
    /// which every missing fact is as the resources leave it).
    pub decided_by: Value,
}

/// One cell: a (source, destination) pair of namespaces, or of workloads in the drill-down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// The source namespace (workload in the drill-down).
    pub from: String,
    /// The destination namespace (workload in the drill-down).
    pub to: String,
    /// What the probes say together.
    pub reach: Reach,
    /// Probed connections (source workload, destination workload, destination container port).
    pub probes: usize,
    /// Probes allowed.
    pub allowed: usize,
    /// Probes whose verdict depends on a missing fact; the rest are denied.
    pub undecidable: usize,
    /// One example per answer present in the cell, allowed first, then denied, then undecidable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
}

/// The matrix: the namespaces with workloads, sorted, and a cell for each ordered pair that has at
/// least one probe (a destination namespace whose workloads list no container port has none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespaceMatrix {
    /// The namespaces with workloads, sorted.
    pub namespaces: Vec<String>,
    /// Row by row (source), then by destination, in `namespaces` order.
    pub cells: Vec<Cell>,
}

impl NamespaceMatrix {
    /// The cell from `from` to `to`, when it has probes.
    pub fn cell(&self, from: &str, to: &str) -> Option<&Cell> {
        self.cells.iter().find(|c| c.from == from && c.to == to)
    }
}

/// The drill-down of one namespace pair: its workloads, and a cell per (source, destination)
/// workload pair that has probes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadMatrix {
    pub from_namespace: String,
    pub to_namespace: String,
    /// The source namespace's workloads, `namespace/name`, sorted.
    pub sources: Vec<String>,
    /// The destination namespace's workloads, sorted.
    pub destinations: Vec<String>,
    /// Row by row (source), then by destination.
    pub cells: Vec<Cell>,
}

/// A cell whose answer or counts differ between two matrices; `None` on a side without the cell
/// (a namespace added or removed, or no probes on that side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellChange {
    pub from: String,
    pub to: String,
    pub before: Option<Cell>,
    pub after: Option<Cell>,
}

impl CellChange {
    /// The answer before, `None` without a cell.
    pub fn reach_before(&self) -> Option<Reach> {
        self.before.as_ref().map(|c| c.reach)
    }

    /// The answer after, `None` without a cell.
    pub fn reach_after(&self) -> Option<Reach> {
        self.after.as_ref().map(|c| c.reach)
    }
}

/// The namespace matrix of the resources' workloads (see the module documentation).
pub fn namespace_matrix(resources: &ResourceSet) -> Result<NamespaceMatrix, ConnectivityError> {
    let connections = connectivity(resources, &Probes::default())?;
    namespace_matrix_of(resources, &connections)
}

/// The namespace matrix from the connections [`connectivity`] gave for `resources` (without
/// probes), for a caller that needs both.
pub fn namespace_matrix_of(
    resources: &ResourceSet,
    connections: &[Connection],
) -> Result<NamespaceMatrix, ConnectivityError> {
    let probed = Probed::of(resources)?;
    let mut namespaces: Vec<String> = probed.nodes.iter().map(|n| n.namespace.clone()).collect();
    namespaces.sort();
    namespaces.dedup();
    let cells = probed.cells(
        connections,
        |n| Some(n.namespace.as_str()),
        |n| Some(n.namespace.as_str()),
    );
    Ok(NamespaceMatrix { namespaces, cells })
}

/// The workload × workload drill-down of the cell from `from_namespace` to `to_namespace`.
pub fn workload_matrix(
    resources: &ResourceSet,
    from_namespace: &str,
    to_namespace: &str,
) -> Result<WorkloadMatrix, ConnectivityError> {
    let connections = connectivity(resources, &Probes::default())?;
    let probed = Probed::of(resources)?;
    let in_namespace = |ns: &str| -> Vec<String> {
        probed
            .nodes
            .iter()
            .filter(|n| n.namespace == ns)
            .map(|n| n.name.clone())
            .collect()
    };
    let cells = probed.cells(
        &connections,
        |n| (n.namespace == from_namespace).then_some(n.name.as_str()),
        |n| (n.namespace == to_namespace).then_some(n.name.as_str()),
    );
    Ok(WorkloadMatrix {
        from_namespace: from_namespace.to_owned(),
        to_namespace: to_namespace.to_owned(),
        sources: in_namespace(from_namespace),
        destinations: in_namespace(to_namespace),
        cells,
    })
}

/// The cells whose answer or counts differ from `before` to `after` (examples aside), in (source,
/// destination) order: the "before vs after" view of an edit or a pending export.
pub fn matrix_changes(before: &NamespaceMatrix, after: &NamespaceMatrix) -> Vec<CellChange> {
    let index = |m: &NamespaceMatrix| -> BTreeMap<(String, String), Cell> {
        m.cells
            .iter()
            .map(|c| ((c.from.clone(), c.to.clone()), c.clone()))
            .collect()
    };
    let (mut old, mut new) = (index(before), index(after));
    let mut keys: Vec<(String, String)> = old.keys().chain(new.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    let counts = |c: &Cell| (c.reach, c.probes, c.allowed, c.undecidable);
    keys.into_iter()
        .filter_map(|key| {
            let (b, a) = (old.remove(&key), new.remove(&key));
            if b.as_ref().map(counts) == a.as_ref().map(counts) {
                return None;
            }
            Some(CellChange {
                from: key.0,
                to: key.1,
                before: b,
                after: a,
            })
        })
        .collect()
}

/// The namespace matrix for people (`netpol connectivity --format matrix`): a row per source
/// namespace, a column per destination, each cell `allowed`, `denied`, `partly a/n` (a of n probes
/// allowed), `undecidable u/n` (u of n undecidable) or `-` (no probes), after a legend line.
pub fn to_text(matrix: &NamespaceMatrix) -> String {
    let cells: HashMap<(&str, &str), &Cell> = matrix
        .cells
        .iter()
        .map(|c| ((c.from.as_str(), c.to.as_str()), c))
        .collect();
    let text = |from: &str, to: &str| -> String {
        match cells.get(&(from, to)) {
            None => "-".to_owned(),
            Some(c) => match c.reach {
                Reach::Allowed | Reach::Denied => c.reach.as_str().to_owned(),
                Reach::Partly => format!("partly {}/{}", c.allowed, c.probes),
                Reach::Undecidable => format!("undecidable {}/{}", c.undecidable, c.probes),
            },
        }
    };
    let corner = "FROM \\ TO";
    let first = matrix
        .namespaces
        .iter()
        .map(String::len)
        .chain([corner.len()])
        .max()
        .unwrap_or_default();
    let widths: Vec<usize> = matrix
        .namespaces
        .iter()
        .map(|to| {
            matrix
                .namespaces
                .iter()
                .map(|from| text(from, to).len())
                .chain([to.len()])
                .max()
                .unwrap_or_default()
        })
        .collect();
    let mut out = String::from(
        "# Each cell: the source namespace's workloads to the destination's, on its container ports: \
         allowed, denied, partly a/n (a of n probes allowed), undecidable u/n (u of n depend on a \
         missing fact), - (no probes)\n",
    );
    let mut line = format!("{corner:<first$}");
    for (to, width) in matrix.namespaces.iter().zip(&widths) {
        line.push_str(&format!("  {to:<width$}"));
    }
    out.push_str(line.trim_end());
    out.push('\n');
    for from in &matrix.namespaces {
        let mut line = format!("{from:<first$}");
        for (to, width) in matrix.namespaces.iter().zip(&widths) {
            line.push_str(&format!("  {:<width$}", text(from, to)));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// One workload as [`connectivity`] probes it.
struct Node {
    name: String,
    namespace: String,
    id: EndpointId,
    /// The (protocol, port) probed when it is the destination, in connectivity's order.
    probes: Vec<Probe>,
}

/// The workloads of the resources, interned in an evaluator for the examples' deciding rules.
struct Probed {
    evaluator: Evaluator,
    /// Sorted by name, one per name (as connectivity keeps them).
    nodes: Vec<Node>,
}

/// Counts of one cell while it is filled, and its first probe of each answer.
#[derive(Default)]
struct Tally {
    probes: usize,
    allowed: usize,
    undecidable: usize,
    /// Indexed by [`ProbeAnswer`] order: allowed, denied, undecidable.
    examples: [Option<Example>; 3],
}

impl Probed {
    fn of(resources: &ResourceSet) -> Result<Probed, ConnectivityError> {
        let mut evaluator = Evaluator::new(resources).map_err(ConnectivityError::Compile)?;
        let mut nodes = Vec::new();
        for w in WorkloadEndpoint::all_from(resources)? {
            let probes = sorted(
                w.ports
                    .iter()
                    .filter_map(|p| probe(p.protocol, Some(p.port))),
            );
            let name = w.display_name();
            let namespace = w.namespace.clone();
            let id = evaluator.intern(&Endpoint::Workload(w));
            nodes.push(Node {
                name,
                namespace,
                id,
                probes,
            });
        }
        // The same sort and de-duplication as connectivity, so a name stands for the same workload.
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        nodes.dedup_by(|a, b| a.name == b.name);
        Ok(Probed { evaluator, nodes })
    }

    /// The cells of every (row, column) the keys give: a node whose key is `None` takes no part.
    /// Every probe's answer comes from `connections`; sorted by (row, column).
    fn cells<'a>(
        &'a self,
        connections: &[Connection],
        row: impl Fn(&'a Node) -> Option<&'a str>,
        column: impl Fn(&'a Node) -> Option<&'a str>,
    ) -> Vec<Cell> {
        let index: HashMap<&str, usize> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.as_str(), i))
            .collect();
        let mut listed: HashMap<(usize, usize, &str, Option<u16>), ConnectionState> =
            HashMap::new();
        for c in connections {
            if let (Some(&src), Some(&dst)) = (index.get(c.src.as_str()), index.get(c.dst.as_str()))
            {
                listed.insert((src, dst, c.proto.as_str(), c.port), c.state);
            }
        }
        let mut tallies: BTreeMap<(&str, &str), Tally> = BTreeMap::new();
        for (i, src) in self.nodes.iter().enumerate() {
            let Some(from) = row(src) else { continue };
            for (j, dst) in self.nodes.iter().enumerate() {
                if i == j || dst.probes.is_empty() {
                    continue;
                }
                let Some(to) = column(dst) else { continue };
                let tally = tallies.entry((from, to)).or_default();
                for &(protocol, port) in &dst.probes {
                    let proto = proto_name(protocol).unwrap_or_default();
                    let answer = match listed.get(&(i, j, proto, port)) {
                        Some(ConnectionState::Allow) => ProbeAnswer::Allowed,
                        Some(ConnectionState::Undecidable) => ProbeAnswer::Undecidable,
                        None => ProbeAnswer::Denied,
                    };
                    tally.probes += 1;
                    match answer {
                        ProbeAnswer::Allowed => tally.allowed += 1,
                        ProbeAnswer::Undecidable => tally.undecidable += 1,
                        ProbeAnswer::Denied => {}
                    }
                    let slot = &mut tally.examples[answer as usize];
                    if slot.is_none() {
                        let flow = Flow {
                            src: src.id,
                            dst: dst.id,
                            protocol,
                            port,
                        };
                        *slot = Some(self.example(src, dst, &flow, answer));
                    }
                }
            }
        }
        tallies
            .into_iter()
            .map(|((from, to), t)| Cell {
                from: from.to_owned(),
                to: to.to_owned(),
                reach: Reach::of(t.probes, t.allowed, t.undecidable),
                probes: t.probes,
                allowed: t.allowed,
                undecidable: t.undecidable,
                examples: t.examples.into_iter().flatten().collect(),
            })
            .collect()
    }

    fn example(&self, src: &Node, dst: &Node, flow: &Flow, answer: ProbeAnswer) -> Example {
        let verdict = self.evaluator.evaluate(flow);
        Example {
            src: src.name.clone(),
            dst: dst.name.clone(),
            proto: proto_name(flow.protocol).unwrap_or_default().to_owned(),
            port: flow.port,
            answer,
            decided_by: self
                .evaluator
                .decided_by_json(&deciding_side(&verdict.enforced)),
        }
    }
}
