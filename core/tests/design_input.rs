//! The one input reader (`design::import`) and the import merge (`design::apply_import`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::design::{self, Document, ImportOutcome};

const POLICY: &str = "\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-all}
spec: {selector: all(), types: [Ingress]}
";

#[test]
fn a_lone_design_document_is_the_design_and_its_resources_are_not_copied_beside_it() {
    let input = design::import("sample.yaml", design::SAMPLE_YAML);
    assert_eq!(input.documents.len(), 1);
    assert_eq!(input.single_design(), Some(&design::sample()));
    assert_eq!(input.resources().count(), 0);
    assert_eq!(
        input.resource_set(),
        design::to_resources(&design::sample()),
        "the resource view expands the design"
    );
}

#[test]
fn a_design_beside_resources_is_not_a_single_design_and_documents_keep_file_order() {
    let text = format!("{POLICY}---\n{}", design::BASELINE_YAML);
    let input = design::import("mixed.yaml", &text);
    assert_eq!(input.error_count(), 0, "{:?}", input.diagnostics);
    assert!(input.single_design().is_none());
    assert!(!input.is_designs_only());
    assert!(matches!(input.documents[0], Document::Resource(_)));
    assert!(matches!(input.documents[1], Document::Design(_)));
    let baseline_policies = design::baseline().policies.len();
    assert_eq!(input.resource_set().policies.len(), baseline_policies + 1);
    // Every located resource of the design points at the design document's first line.
    let Document::Design(doc) = &input.documents[1] else {
        unreachable!()
    };
    assert!(doc.line > 5, "after the policy's lines: {}", doc.line);
    let located = input.located_resources();
    assert!(located.iter().skip(1).all(|r| r.line == doc.line));
}

#[test]
fn errors_in_a_design_document_are_reported_at_their_line_in_file_order() {
    let text = format!(
        "{POLICY}---\napiVersion: studio.netpol.dev/v1alpha1\nkind: Design\nmetadata: {{name: d}}\nspec:\n  taxonomy: 3\n"
    );
    let input = design::import("bad.yaml", &text);
    let errors: Vec<(usize, &str)> = input
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.line, d.file.as_str()))
        .collect();
    assert_eq!(errors, [(10, "bad.yaml")], "{:?}", input.diagnostics);
}

#[test]
fn importing_resources_merges_them_and_a_design_document_replaces_the_design() {
    let mut d = design::baseline();
    let before = d.policies.len();
    let outcome = design::apply_import(&mut d, design::import("p.yaml", POLICY));
    assert!(
        matches!(
            outcome,
            ImportOutcome::Merged {
                added: 1,
                replaced: 0,
                ..
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(d.policies.len(), before + 1);
    // The same object again replaces it.
    let again = design::apply_import(&mut d, design::import("p.yaml", POLICY));
    assert!(
        matches!(
            again,
            ImportOutcome::Merged {
                added: 0,
                replaced: 1,
                ..
            }
        ),
        "{again:?}"
    );
    let replaced = design::apply_import(&mut d, design::import("s.yaml", design::SAMPLE_YAML));
    assert_eq!(
        replaced,
        ImportOutcome::ReplacedDesign(design::sample().name)
    );
    assert_eq!(d, design::sample());
}

#[test]
fn a_broken_file_changes_nothing() {
    let mut d = design::baseline();
    let outcome = design::apply_import(&mut d, design::import("x.yaml", "kind: [\n"));
    assert!(matches!(outcome, ImportOutcome::Rejected(ref e) if !e.is_empty()));
    assert_eq!(d, design::baseline());
}

#[test]
fn imported_ip_pools_become_the_pod_range_as_a_design_made_from_them_does() {
    let pools = "\
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: old}
spec: {cidr: 10.1.0.0/16, disabled: true}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: new}
spec: {cidr: 10.2.0.0/16}
";
    let input = design::import("pools.yaml", pools);
    let mut merged = design::Design::default();
    design::apply_import(&mut merged, input.clone());
    let made = design::from_resources(&input.resource_set());
    assert_eq!(merged.pod_cidrs, ["10.2.0.0/16"]);
    assert_eq!(merged.pod_cidrs, made.pod_cidrs);
}
