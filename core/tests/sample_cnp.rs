#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]
//! The "Calico 3.32 with ClusterNetworkPolicy" variant of the built-in sample: the same estate and the
//! same verdicts, with the platform guardrails written as ClusterNetworkPolicies.

use netpol_core::design::{self, Design};
use netpol_core::eval::equivalence::compare;
use netpol_core::lint::{LintConfig, lint_design};
use netpol_core::model::{CalicoVersion, ClusterPolicyKind};

fn variant() -> Design {
    design::sample_cluster_network_policy()
}

#[test]
fn the_variant_holds_the_guardrails_as_cluster_network_policies() {
    let d = variant();
    assert_eq!(d.calico_version, Some(CalicoVersion::V3_32));
    let names: Vec<&str> = d
        .cluster_policies
        .iter()
        .map(|p| p.metadata.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "allow-dns",
            "deny-cross-environment-dev",
            "deny-cross-environment-staging",
            "deny-cross-environment-prod"
        ]
    );
    assert!(
        d.cluster_policies
            .iter()
            .all(|p| p.kind == ClusterPolicyKind::ClusterNetworkPolicy)
    );
    assert!(
        d.policies
            .iter()
            .all(|p| !["allow-dns", "deny-cross-environment"].contains(&p.metadata.name.as_str()))
    );
    // Every Calico tier runs after kube-admin (1,000), so the guardrails come first.
    assert!(
        d.tiers
            .iter()
            .all(|t| t.spec.order.unwrap_or(f64::MAX) > 1000.0)
    );
    // The document round-trips.
    assert_eq!(design::load(&design::save(&d)).expect("loads"), d);
}

/// Every ordered pair of the sample's workloads, on every port that matters: the same verdict.
#[test]
fn the_variant_gives_the_sample_s_verdicts() {
    let before = design::to_resources(&design::sample());
    let after = design::to_resources(&variant());
    let comparison = compare(&before, &after).expect("compiles");
    assert!(comparison.workloads >= 10, "{}", comparison.workloads);
    assert!(comparison.flows > 1000, "{}", comparison.flows);
    assert!(
        comparison.changes.is_empty(),
        "{:#?}",
        &comparison.changes[..comparison.changes.len().min(5)]
    );
    // And the comparison can tell: without the cross-environment guardrails, verdicts change.
    let mut open = variant();
    open.cluster_policies
        .retain(|p| !p.metadata.name.starts_with("deny-cross-environment"));
    let comparison = compare(&before, &design::to_resources(&open)).expect("compiles");
    assert!(!comparison.changes.is_empty());
}

/// The sample lints clean, and so does the variant: the lints that look for a DNS allow before the
/// default deny and for a cross-environment guardrail see the ClusterNetworkPolicies.
#[test]
fn the_variant_lints_clean_like_the_sample() {
    let render = |d: &Design| -> Vec<String> {
        lint_design(d, &LintConfig::default())
            .iter()
            .map(|f| format!("{} {}", f.id, f.message))
            .collect()
    };
    assert_eq!(render(&design::sample()), Vec::<String>::new());
    assert_eq!(render(&variant()), Vec::<String>::new());
    // Without the ClusterNetworkPolicies both lints speak.
    let mut bare = variant();
    bare.cluster_policies.clear();
    let findings = render(&bare);
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with("default-deny-without-dns")),
        "{findings:#?}"
    );
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with("no-cross-environment-guardrail")),
        "{findings:#?}"
    );
    // Under Calico 3.31 the ClusterNetworkPolicies are not enforced: the same two findings.
    let mut old = variant();
    old.calico_version = Some(CalicoVersion::V3_31);
    assert_eq!(render(&old), findings);
}
