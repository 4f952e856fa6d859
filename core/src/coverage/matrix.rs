//! Namespace × namespace: for each (source namespace, destination namespace), whether the workloads of
//! one reach those of the other on the destinations' container ports — `allowed` (every probe),
//! `denied` (none), `partly`, or `undecidable` (some probe's verdict depends on a missing fact and the
//! others do not decide) — from the evaluator's connectivity (`eval::connectivity`), counted here.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::eval::WorkloadEndpoint;
use crate::eval::connectivity::{
    ConnectionState, ConnectivityError, Probes, connectivity, probe, sorted,
};
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
}

/// One (source namespace, destination namespace) cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// The source namespace.
    pub from: String,
    /// The destination namespace.
    pub to: String,
    /// What the probes say together.
    pub reach: Reach,
    /// Probed connections (source workload, destination workload, destination container port).
    pub probes: usize,
    /// Probes allowed.
    pub allowed: usize,
    /// Probes whose verdict depends on a missing fact; the rest are denied.
    pub undecidable: usize,
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

/// The namespace matrix of the resources' workloads (every ordered pair of distinct workloads, on each
/// of the destination's container ports).
pub fn namespace_matrix(resources: &ResourceSet) -> Result<NamespaceMatrix, ConnectivityError> {
    let workloads = WorkloadEndpoint::all_from(resources)?;
    // Per workload (as connectivity names them): its namespace and its probes as a destination.
    let mut nodes: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for w in &workloads {
        let probes = sorted(
            w.ports
                .iter()
                .filter_map(|p| probe(p.protocol, Some(p.port))),
        )
        .len();
        nodes
            .entry(w.display_name())
            .or_insert_with(|| (w.namespace.clone(), probes));
    }
    let mut namespaces: Vec<String> = nodes.values().map(|(ns, _)| ns.clone()).collect();
    namespaces.sort();
    namespaces.dedup();
    // Probes per (source namespace, destination namespace): every other workload as source.
    let mut per_ns: HashMap<&str, usize> = HashMap::new();
    for (ns, _) in nodes.values() {
        *per_ns.entry(ns).or_default() += 1;
    }
    let mut counts: HashMap<(String, String), (usize, usize, usize)> = HashMap::new();
    for (from, sources) in &per_ns {
        for (to, probes) in nodes.values() {
            // A workload is not its own source.
            let sources = if from == to { sources - 1 } else { *sources };
            let cell = counts.entry(((*from).to_owned(), to.clone())).or_default();
            cell.0 += sources * probes;
        }
    }
    for c in connectivity(resources, &Probes::default())? {
        let (Some((from, _)), Some((to, _))) = (nodes.get(&c.src), nodes.get(&c.dst)) else {
            continue;
        };
        let cell = counts.entry((from.clone(), to.clone())).or_default();
        match c.state {
            ConnectionState::Allow => cell.1 += 1,
            ConnectionState::Undecidable => cell.2 += 1,
        }
    }
    let mut cells = Vec::new();
    for from in &namespaces {
        for to in &namespaces {
            let Some(&(probes, allowed, undecidable)) = counts.get(&(from.clone(), to.clone()))
            else {
                continue;
            };
            if probes == 0 {
                continue;
            }
            let denied = probes.saturating_sub(allowed + undecidable);
            let reach = if undecidable > 0 && (allowed == 0 || denied == 0) {
                Reach::Undecidable
            } else if denied == 0 {
                Reach::Allowed
            } else if allowed == 0 && undecidable == 0 {
                Reach::Denied
            } else {
                Reach::Partly
            };
            cells.push(Cell {
                from: from.clone(),
                to: to.clone(),
                reach,
                probes,
                allowed,
                undecidable,
            });
        }
    }
    Ok(NamespaceMatrix { namespaces, cells })
}
