//! The connectivity matrix agrees with `netpol connectivity` cell by cell, on the sample designs and
//! on the sample with policies taken away; its drill-down adds up to its cells; its examples name
//! the rule the evaluator gives; `matrix_changes` lists exactly the cells that differ.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::BTreeMap;

use netpol_core::design::{sample, sample_cluster_network_policy, to_resources};
use netpol_core::eval::connectivity::{ConnectionState, Probes, connectivity};
use netpol_core::eval::matrix::{
    Cell, NamespaceMatrix, ProbeAnswer, Reach, matrix_changes, namespace_matrix, to_text,
    workload_matrix,
};
use netpol_core::eval::{Evaluator, Flow};
use netpol_core::model::{Protocol, ResourceSet};
use proptest::prelude::*;

fn namespace_of(workload: &str) -> &str {
    workload.split_once('/').map_or(workload, |(ns, _)| ns)
}

/// Per (source, destination) group: (probes, allowed, undecidable), counted straight from the
/// resources' workloads and `connectivity`'s list.
fn expected_counts(
    rs: &ResourceSet,
    group: impl Fn(&str) -> String,
) -> BTreeMap<(String, String), (usize, usize, usize)> {
    let mut ports: BTreeMap<String, usize> = BTreeMap::new();
    for w in &rs.workloads {
        let name = format!(
            "{}/{}",
            w.metadata.namespace.clone().unwrap_or_default(),
            w.metadata.name
        );
        let mut distinct: Vec<(String, u16)> = w
            .ports
            .iter()
            .map(|p| (p.protocol.to_string(), p.port))
            .collect();
        distinct.sort();
        distinct.dedup();
        ports.entry(name).or_insert(distinct.len());
    }
    let mut out: BTreeMap<(String, String), (usize, usize, usize)> = BTreeMap::new();
    for src in ports.keys() {
        for (dst, &n) in &ports {
            if src != dst && n > 0 {
                out.entry((group(src), group(dst))).or_default().0 += n;
            }
        }
    }
    for c in connectivity(rs, &Probes::default()).expect("connectivity") {
        let cell = out
            .get_mut(&(group(&c.src), group(&c.dst)))
            .expect("a probed pair");
        match c.state {
            ConnectionState::Allow => cell.1 += 1,
            ConnectionState::Undecidable => cell.2 += 1,
        }
    }
    out
}

fn counts(cell: &Cell) -> (usize, usize, usize) {
    (cell.probes, cell.allowed, cell.undecidable)
}

fn assert_agrees_with_connectivity(rs: &ResourceSet) -> NamespaceMatrix {
    let matrix = namespace_matrix(rs).expect("matrix");
    let want = expected_counts(rs, |w| namespace_of(w).to_owned());
    let got: BTreeMap<(String, String), (usize, usize, usize)> = matrix
        .cells
        .iter()
        .map(|c| ((c.from.clone(), c.to.clone()), counts(c)))
        .collect();
    assert_eq!(got, want);
    matrix
}

#[test]
fn the_sample_matrix_agrees_with_connectivity_cell_by_cell() {
    for design in [sample(), sample_cluster_network_policy()] {
        let rs = to_resources(&design);
        let matrix = assert_agrees_with_connectivity(&rs);
        assert!(matrix.cells.len() > 10, "{} cells", matrix.cells.len());
        // Rows in namespace order, then columns.
        let keys: Vec<(&str, &str)> = matrix
            .cells
            .iter()
            .map(|c| (c.from.as_str(), c.to.as_str()))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        let mut namespaces = matrix.namespaces.clone();
        namespaces.sort();
        namespaces.dedup();
        assert_eq!(matrix.namespaces, namespaces);
        // The sample says every kind of answer it can: some pairs allowed, some denied.
        assert!(matrix.cells.iter().any(|c| c.reach == Reach::Denied));
        assert!(
            matrix
                .cells
                .iter()
                .any(|c| matches!(c.reach, Reach::Allowed | Reach::Partly))
        );
    }
}

#[test]
fn the_drill_down_agrees_with_connectivity_and_adds_up_to_its_cell() {
    let rs = to_resources(&sample());
    let matrix = namespace_matrix(&rs).expect("matrix");
    let per_workload = expected_counts(&rs, str::to_owned);
    for cell in &matrix.cells {
        let drill = workload_matrix(&rs, &cell.from, &cell.to).expect("drill-down");
        let mut total = (0, 0, 0);
        for w in &drill.cells {
            assert_eq!(namespace_of(&w.from), cell.from);
            assert_eq!(namespace_of(&w.to), cell.to);
            assert!(drill.sources.contains(&w.from) && drill.destinations.contains(&w.to));
            assert_eq!(
                Some(&counts(w)),
                per_workload.get(&(w.from.clone(), w.to.clone())),
                "{} → {}",
                w.from,
                w.to
            );
            total = (
                total.0 + w.probes,
                total.1 + w.allowed,
                total.2 + w.undecidable,
            );
        }
        assert_eq!(total, counts(cell), "{} → {}", cell.from, cell.to);
    }
}

#[test]
fn each_example_is_a_probe_of_its_cell_with_the_evaluators_deciding_rule() {
    let rs = to_resources(&sample());
    let matrix = namespace_matrix(&rs).expect("matrix");
    let allowed: BTreeMap<(String, String, String, Option<u16>), ConnectionState> =
        connectivity(&rs, &Probes::default())
            .expect("connectivity")
            .into_iter()
            .map(|c| ((c.src, c.dst, c.proto, c.port), c.state))
            .collect();
    let ev = Evaluator::new(&rs).expect("compiles");
    let mut rules = 0;
    for cell in &matrix.cells {
        let answers: Vec<ProbeAnswer> = cell.examples.iter().map(|e| e.answer).collect();
        let mut want = Vec::new();
        if cell.allowed > 0 {
            want.push(ProbeAnswer::Allowed);
        }
        if cell.probes > cell.allowed + cell.undecidable {
            want.push(ProbeAnswer::Denied);
        }
        if cell.undecidable > 0 {
            want.push(ProbeAnswer::Undecidable);
        }
        assert_eq!(answers, want, "{} → {}", cell.from, cell.to);
        for e in &cell.examples {
            assert_eq!(
                (namespace_of(&e.src), namespace_of(&e.dst)),
                (cell.from.as_str(), cell.to.as_str())
            );
            let listed = allowed.get(&(e.src.clone(), e.dst.clone(), e.proto.clone(), e.port));
            let answer = match listed {
                Some(ConnectionState::Allow) => ProbeAnswer::Allowed,
                Some(ConnectionState::Undecidable) => ProbeAnswer::Undecidable,
                None => ProbeAnswer::Denied,
            };
            assert_eq!(answer, e.answer);
            let kind = e.decided_by["kind"].as_str().unwrap_or_default();
            if kind == "rule" {
                rules += 1;
                let action = e.decided_by["action"].as_str().unwrap_or_default();
                match e.answer {
                    ProbeAnswer::Allowed => assert_eq!(action, "Allow", "{e:?}"),
                    ProbeAnswer::Denied => assert_eq!(action, "Deny", "{e:?}"),
                    ProbeAnswer::Undecidable => {}
                }
            }
            // The deciding rule is one of the two sides `netpol eval` reports for the example.
            let flow = Flow {
                src: ev.workload(&e.src).expect("source"),
                dst: ev.workload(&e.dst).expect("destination"),
                protocol: e.proto.parse::<Protocol>().expect("protocol"),
                port: e.port,
            };
            let sides = ev.evaluate(&flow).enforced;
            assert!(
                [sides.egress.decided_by, sides.ingress.decided_by]
                    .iter()
                    .any(|d| ev.decided_by_json(d) == e.decided_by),
                "{e:?}"
            );
        }
    }
    assert!(rules > 0, "the sample's cells are decided by rules");
}

#[test]
fn matrix_changes_lists_exactly_the_cells_that_differ() {
    let before_rs = to_resources(&sample());
    let before = namespace_matrix(&before_rs).expect("before");
    assert!(matrix_changes(&before, &before).is_empty());
    let mut after_rs = before_rs.clone();
    after_rs.policies.clear();
    after_rs.kubernetes_policies.clear();
    after_rs.cluster_policies.clear();
    let after = namespace_matrix(&after_rs).expect("after");
    let changes = matrix_changes(&before, &after);
    assert!(!changes.is_empty());
    for change in &changes {
        assert_eq!(
            change.before.as_ref(),
            before.cell(&change.from, &change.to)
        );
        assert_eq!(change.after.as_ref(), after.cell(&change.from, &change.to));
        assert_ne!(
            change.before.as_ref().map(counts),
            change.after.as_ref().map(counts)
        );
        // With no policy at all, every probe is allowed.
        assert_eq!(change.reach_after(), Some(Reach::Allowed));
    }
    let changed = changes.len();
    let unchanged = after
        .cells
        .iter()
        .filter(|c| before.cell(&c.from, &c.to).map(counts) == Some(counts(c)))
        .count();
    assert_eq!(changed + unchanged, after.cells.len());
}

#[test]
fn the_text_matrix_of_the_sample() {
    let matrix = namespace_matrix(&to_resources(&sample())).expect("matrix");
    let text = to_text(&matrix);
    assert_eq!(text.lines().count(), 2 + matrix.namespaces.len());
    insta::assert_snapshot!("sample_matrix_text", text);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Whatever subset of the sample's policies is kept, the matrix still agrees with connectivity,
    /// and the changes from the full sample are the cells that differ.
    #[test]
    fn any_subset_of_the_sample_policies_agrees(keep in proptest::collection::vec(any::<bool>(), 64)) {
        let full = to_resources(&sample());
        let mut rs = full.clone();
        let mut bits = keep.iter().cycle();
        rs.policies.retain(|_| *bits.next().unwrap_or(&true));
        rs.kubernetes_policies.retain(|_| *bits.next().unwrap_or(&true));
        let matrix = assert_agrees_with_connectivity(&rs);
        let base = namespace_matrix(&full).expect("matrix");
        for change in matrix_changes(&base, &matrix) {
            prop_assert_ne!(
                change.before.as_ref().map(counts),
                change.after.as_ref().map(counts)
            );
        }
    }
}
