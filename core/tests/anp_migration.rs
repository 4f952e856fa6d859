#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]
//! `model::anp_migration` and its proof beyond the conformance suite (which `cnp_conformance.rs`
//! migrates): the v1alpha1 limits split down to v1alpha2's 25, names kept in order, probe workloads
//! when the input has none, and every written policy importing cleanly.

use std::fmt::Write as _;

use netpol_core::eval::migration::migrate_and_prove;
use netpol_core::model::anp_migration::{CNP_MAX_ITEMS, MigrationNote};
use netpol_core::model::{ClusterPolicyKind, Resource, ResourceSet};
use netpol_core::yaml::{ExportOptions, export_resource};

/// An AdminNetworkPolicy over `team: t0` pods with `rules` ingress rules alternating Deny and Allow
/// from `team: t<i>` on TCP 8000+i (each rule decides flows no other rule does), after a first
/// rule with `wide` peers and `wide` ports.
fn big_anp(rules: usize, wide: usize) -> String {
    let mut y = String::from(
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: big}\nspec:\n  priority: 7\n  subject: {namespaces: {matchLabels: {team: t0}}}\n  ingress:\n",
    );
    let _ = writeln!(y, "  - name: wide\n    action: Pass\n    from:");
    for i in 0..wide {
        let _ = writeln!(y, "    - namespaces: {{matchLabels: {{wide: w{i}}}}}");
    }
    let _ = writeln!(y, "    ports:");
    for i in 0..wide {
        let _ = writeln!(y, "    - portNumber: {{protocol: UDP, port: {}}}", 7000 + i);
    }
    for i in 1..rules {
        let action = if i % 2 == 0 { "Allow" } else { "Deny" };
        let _ = writeln!(
            y,
            "  - name: r{i}\n    action: {action}\n    from: [{{namespaces: {{matchLabels: {{team: t{}}}}}}}]\n    ports: [{{portNumber: {{port: {}}}}}]",
            i,
            8000 + i
        );
    }
    y
}

const BANP: &str = "
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
  - name: deny-other-teams
    action: Deny
    from: [{namespaces: {matchExpressions: [{key: team, operator: Exists}]}}]
  egress:
  - name: dns
    action: Allow
    to: [{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}}]
    ports: [{portNumber: {protocol: UDP, port: 53}}, {portRange: {start: 50, end: 60}}]
";

fn read(text: &str) -> ResourceSet {
    let input = netpol_core::design::import("in.yaml", text);
    assert_eq!(input.error_count(), 0, "{:?}", input.diagnostics);
    input.resource_set()
}

#[test]
fn limits_are_split_and_verdicts_kept_on_probe_workloads() {
    let resources = read(&format!("{}---{BANP}", big_anp(60, 30)));
    let proof = migrate_and_prove(&resources).expect("compiles");
    let names: Vec<&str> = proof
        .migration
        .policies
        .iter()
        .map(|m| m.policy.metadata.name.as_str())
        .collect();
    // The wide rule: 30 peers × 30 ports → 2 × 2 rules; 59 more rules: 63 ingress rules → 3 parts.
    assert_eq!(names, ["big-1", "big-2", "big-3", "default"]);
    assert!(proof.migration.notes.contains(&MigrationNote::RuleSplit {
        source: "AdminNetworkPolicy/big".to_owned(),
        rule: "wide".to_owned(),
        parts: 4,
    }));
    for m in &proof.migration.policies {
        let p = &m.policy;
        assert_eq!(p.kind, ClusterPolicyKind::ClusterNetworkPolicy);
        assert!(p.spec.ingress.len() <= CNP_MAX_ITEMS && p.spec.egress.len() <= CNP_MAX_ITEMS);
        for r in &p.spec.ingress {
            assert!(r.from.len() <= CNP_MAX_ITEMS && r.protocols.len() <= CNP_MAX_ITEMS);
            assert!(r.ports.is_empty());
        }
    }
    assert!(proof.probes_synthesized);
    assert!(
        proof.comparison.workloads >= 30,
        "{}",
        proof.comparison.workloads
    );
    assert!(
        proof.comparison.changes.is_empty(),
        "{:#?}",
        &proof.comparison.changes[..proof.comparison.changes.len().min(5)]
    );
    // The proof has teeth: dropping the last part changes verdicts.
    let mut truncated = proof.migration.clone();
    truncated
        .policies
        .retain(|m| m.policy.metadata.name != "big-3");
    let mut after = resources.clone();
    after.cluster_policies.retain(|p| !p.kind.is_v1alpha1());
    after
        .cluster_policies
        .extend(truncated.policies.iter().map(|m| m.policy.clone()));
    let (namespaces, workloads) = netpol_core::model::anp_migration::probe_workloads(
        &resources
            .cluster_policies
            .iter()
            .chain(truncated.policies.iter().map(|m| &m.policy))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let mut before = resources.clone();
    before.calico_version = Some(netpol_core::model::CalicoVersion::V3_31);
    after.calico_version = Some(netpol_core::model::CalicoVersion::V3_32);
    for set in [&mut before, &mut after] {
        set.namespaces.extend(namespaces.iter().cloned());
        set.workloads.extend(workloads.iter().cloned());
    }
    let comparison = netpol_core::eval::equivalence::compare(&before, &after).expect("compiles");
    assert!(!comparison.changes.is_empty());
}

#[test]
fn written_policies_import_without_a_problem() {
    let resources = read(&format!("{}---{BANP}", big_anp(40, 27)));
    let proof = migrate_and_prove(&resources).expect("compiles");
    for m in &proof.migration.policies {
        let text = export_resource(
            &Resource::ClusterPolicy(m.policy.clone()),
            &ExportOptions::default(),
        );
        let back = netpol_core::design::import("out.yaml", &text);
        assert!(
            back.diagnostics.is_empty(),
            "{text}\n{:?}",
            back.diagnostics
        );
        assert_eq!(
            back.resource_set().cluster_policies,
            std::slice::from_ref(&m.policy)
        );
    }
}

#[test]
fn names_taken_by_existing_cluster_network_policies_are_not_reused() {
    let cnp = "
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: default}
spec:
  tier: Admin
  priority: 3
  subject: {namespaces: {matchLabels: {team: nobody}}}
  ingress: [{name: x, action: Deny, from: [{namespaces: {}}]}]
";
    let resources = read(&format!("{cnp}---{BANP}"));
    let proof = migrate_and_prove(&resources).expect("compiles");
    assert_eq!(
        proof.migration.policies[0].policy.metadata.name,
        "default-migrated"
    );
    assert!(proof.migration.notes.contains(&MigrationNote::Renamed {
        source: "BaselineAdminNetworkPolicy/default".to_owned(),
        name: "default-migrated".to_owned(),
    }));
}

const ANP_NAMED_PORT: &str = "
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: web}
spec:
  priority: 5
  subject: {pods: {namespaceSelector: {matchLabels: {team: web}}, podSelector: {matchLabels: {app: web}}}}
  ingress:
  - name: deny-http
    action: Deny
    from: [{namespaces: {matchLabels: {team: other}}}]
    ports: [{namedPort: http}]
";

#[test]
fn a_design_is_migrated_in_place_with_its_proof_worded() {
    let mut design =
        netpol_core::design::from_resources(&read(&format!("{ANP_NAMED_PORT}---{BANP}")));
    design.calico_version = Some(netpol_core::model::CalicoVersion::V3_31);
    assert!(netpol_core::board::has_admin_policies(&design));
    let migrated = netpol_core::board::migrate_admin_policies(&design).expect("compiles");
    let after = &migrated.design;
    assert!(!netpol_core::board::has_admin_policies(after));
    assert_eq!(
        after.calico_version,
        Some(netpol_core::model::CalicoVersion::V3_32)
    );
    let names: Vec<&str> = after
        .cluster_policies
        .iter()
        .map(|p| p.metadata.name.as_str())
        .collect();
    assert_eq!(names, ["web", "default"]);
    assert!(
        after
            .cluster_policies
            .iter()
            .all(|p| p.kind == ClusterPolicyKind::ClusterNetworkPolicy)
    );
    assert_eq!(after.policies, design.policies);
    let summary = migrated.summary();
    assert_eq!(
        summary[0],
        "1 AdminNetworkPolicy and 1 BaselineAdminNetworkPolicy objects became 2 ClusterNetworkPolicies"
    );
    let proof = &migrated.proof;
    let flows = proof.comparison.flows;
    let changes = proof.comparison.changes.len();
    assert!(flows > 0);
    assert!(
        summary[1].starts_with(&format!(
            "equivalent: {} of {flows} flows between ",
            flows - changes
        )),
        "{summary:?}"
    );
    assert_eq!(proof.unexplained().count(), 0, "{summary:?}");
    // The named port narrows: said among the notes, and as documented changes when a probe shows one.
    assert!(
        summary
            .iter()
            .any(|l| l.contains("named port `http` matched every port")),
        "{summary:?}"
    );
    assert_eq!(
        summary.iter().any(|l| l.contains("change as documented")),
        changes > 0,
        "{summary:?}"
    );
}
