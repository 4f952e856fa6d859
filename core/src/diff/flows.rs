//! The flows a change turns, for the PR summary: the connections `netpol connectivity` lists on one
//! side only, drawn as a Mermaid flowchart (GitHub and GitLab render it in the pull request), and the
//! namespace pairs whose matrix cell changes, as a small table. Both are capped, with an explicit
//! "and N more" line, to keep the pull request's body within its limits.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;

use crate::diagram::{Diagram, EdgeMark, folded, to_mermaid};
use crate::eval::connectivity::{Connection, ConnectionState, Probes, connectivity};
use crate::eval::matrix::{Cell, CellChange, Reach, matrix_changes, namespace_matrix_of};
use crate::model::ResourceSet;

/// Probes (ordered workload pairs × the destination's ports) one side may take before the summary
/// leaves connectivity out: the summary is recomputed on every edit in the browser, on the page.
const MAX_PROBES: usize = 250_000;
/// Edges of the flowchart at most (an edge is every service between two workloads with one mark).
const MAX_EDGES: usize = 30;
/// Rows of the namespace-pair table at most.
const MAX_PAIRS: usize = 20;

/// What a change does to connectivity between the workloads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowChanges {
    /// Allowed (or undecidable) after and not before, in connectivity's order.
    pub added: Vec<Connection>,
    /// Allowed (or undecidable) before and not after.
    pub removed: Vec<Connection>,
    /// The namespace pairs whose cell changes (without the cells' examples).
    pub pairs: Vec<CellChange>,
    /// The changed flows as a Mermaid flowchart, at most [`MAX_EDGES`] edges.
    pub mermaid: String,
    /// Edges left out of `mermaid`.
    pub edges_left_out: usize,
}

impl FlowChanges {
    /// Whether connectivity is the same on both sides.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// Whether connectivity was compared, and if not, why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum FlowComparison {
    Compared(FlowChanges),
    /// A side has more than [`MAX_PROBES`] probes: `netpol connectivity` lists them.
    TooLarge {
        probes: usize,
        limit: usize,
    },
    /// A side does not evaluate (its policies do not compile: the lints say why).
    NotEvaluated,
}

/// The probes connectivity makes on `resources`: every ordered pair of distinct workloads, on the
/// destination's container ports (an upper bound: a port listed twice counts twice).
fn probe_count(resources: &ResourceSet) -> usize {
    let workloads = resources.workloads.len();
    resources
        .workloads
        .iter()
        .map(|w| w.ports.len().saturating_mul(workloads.saturating_sub(1)))
        .fold(0, usize::saturating_add)
}

/// Compares the connectivity of `old` and `new` (see [`FlowComparison`]).
pub fn compare_flows(old: &ResourceSet, new: &ResourceSet) -> FlowComparison {
    let probes = probe_count(old).max(probe_count(new));
    if probes > MAX_PROBES {
        return FlowComparison::TooLarge {
            probes,
            limit: MAX_PROBES,
        };
    }
    flow_changes(old, new).map_or(FlowComparison::NotEvaluated, FlowComparison::Compared)
}

/// The flow changes from `old` to `new`, however large; `None` when either side cannot be evaluated.
pub fn flow_changes(old: &ResourceSet, new: &ResourceSet) -> Option<FlowChanges> {
    let before = connectivity(old, &Probes::default()).ok()?;
    let after = connectivity(new, &Probes::default()).ok()?;
    let only_in = |list: &[Connection], other: &[Connection]| -> Vec<Connection> {
        let other: BTreeSet<&Connection> = other.iter().collect();
        list.iter()
            .filter(|c| !other.contains(c))
            .cloned()
            .collect()
    };
    let added = only_in(&after, &before);
    let removed = only_in(&before, &after);
    let mut pairs = matrix_changes(
        &namespace_matrix_of(old, &before).ok()?,
        &namespace_matrix_of(new, &after).ok()?,
    );
    for pair in &mut pairs {
        for cell in pair.before.iter_mut().chain(pair.after.iter_mut()) {
            cell.examples.clear();
        }
    }
    let node = |name: &str| vec![format!("workload/{name}")];
    let marked = added
        .iter()
        .map(|c| (c, EdgeMark::Added))
        .chain(removed.iter().map(|c| (c, EdgeMark::Removed)));
    let mut edges = folded(marked, node);
    let edges_left_out = edges.len().saturating_sub(MAX_EDGES);
    edges.truncate(MAX_EDGES);
    let diagram = Diagram::of_edges(&[old, new], edges);
    Some(FlowChanges {
        added,
        removed,
        pairs,
        mermaid: to_mermaid(&diagram),
        edges_left_out,
    })
}

/// The "Changed flows" section of the summary's Markdown.
pub(crate) fn flows_markdown(comparison: &FlowComparison, out: &mut String) {
    let _ = writeln!(out, "## Changed flows\n");
    let changes = match comparison {
        FlowComparison::Compared(changes) => changes,
        FlowComparison::TooLarge { probes, limit } => {
            let _ = writeln!(
                out,
                "Not compared: {probes} probes on a side, over the summary's {limit} (`netpol connectivity` on each side lists them).\n"
            );
            return;
        }
        FlowComparison::NotEvaluated => {
            let _ = writeln!(
                out,
                "Not compared: a side's policies do not compile (see the lints).\n"
            );
            return;
        }
    };
    if changes.is_empty() {
        let _ = writeln!(out, "No connection between workloads changes.\n");
        return;
    }
    let undecidable = |list: &[Connection]| {
        list.iter()
            .filter(|c| c.state == ConnectionState::Undecidable)
            .count()
    };
    let undecidable = undecidable(&changes.added) + undecidable(&changes.removed);
    let _ = writeln!(
        out,
        "Connections between workloads: {} now allowed, {} no longer allowed{}.\n",
        changes.added.len(),
        changes.removed.len(),
        if undecidable > 0 {
            format!(" ({undecidable} of them undecidable: a missing fact decides)")
        } else {
            String::new()
        }
    );
    let _ = writeln!(out, "```mermaid\n{}```\n", changes.mermaid);
    if changes.edges_left_out > 0 {
        let _ = writeln!(
            out,
            "_And {} more changed workload pairs, not drawn._\n",
            changes.edges_left_out
        );
    }
    if changes.pairs.is_empty() {
        return;
    }
    let _ = writeln!(out, "| From namespace | To namespace | Before | After |");
    let _ = writeln!(out, "|---|---|---|---|");
    for pair in changes.pairs.iter().take(MAX_PAIRS) {
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} |",
            pair.from,
            pair.to,
            cell_text(pair.before.as_ref()),
            cell_text(pair.after.as_ref())
        );
    }
    if changes.pairs.len() > MAX_PAIRS {
        let _ = writeln!(
            out,
            "\n_And {} more changed namespace pairs._",
            changes.pairs.len() - MAX_PAIRS
        );
    }
    let _ = writeln!(out);
}

/// `allowed`, `denied`, or the share allowed when the cell is mixed (`partly, 3 of 8 allowed`), so a
/// row whose answer stays `partly` still shows what moved.
fn cell_text(cell: Option<&Cell>) -> String {
    match cell {
        None => "no probes".to_owned(),
        Some(c) => match c.reach {
            Reach::Allowed | Reach::Denied => c.reach.as_str().to_owned(),
            Reach::Partly => format!("partly, {} of {} allowed", c.allowed, c.probes),
            Reach::Undecidable => {
                format!("undecidable, {} of {} undecidable", c.undecidable, c.probes)
            }
        },
    }
}
