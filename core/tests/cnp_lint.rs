//! The cluster-policy lints: each fires on the case it is about and stays quiet on its near miss.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::lint::{self, LintConfig, ids};
use netpol_core::model::{CalicoVersion, ResourceSet};

fn set(text: &str, version: CalicoVersion) -> ResourceSet {
    let r = netpol_core::design::import("x.yaml", text);
    assert_eq!(r.error_count(), 0, "{:?}", r.diagnostics);
    r.resource_set_for(version)
}

/// `(lint id, resource name, rule)` of the findings of the given lints.
fn found(text: &str, version: CalicoVersion, wanted: &[&str]) -> Vec<(String, String, String)> {
    lint::lint_resources(&set(text, version), &LintConfig::default())
        .into_iter()
        .filter(|f| wanted.contains(&f.id))
        .map(|f| {
            (
                f.id.to_owned(),
                f.location.resource.name.clone(),
                f.location.rule.map(|r| r.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

fn cnp(name: &str, tier: &str, priority: u32, subject: &str, rules: &str) -> String {
    format!(
        "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {{name: {name}}}\nspec:\n  tier: {tier}\n  priority: {priority}\n  subject: {subject}\n{rules}---\n"
    )
}

const DENY_DEV: &str =
    "  ingress:\n  - action: Deny\n    from: [{namespaces: {matchLabels: {env: dev}}}]\n";

fn row(id: &str, name: &str, rule: &str) -> (String, String, String) {
    (id.to_owned(), name.to_owned(), rule.to_owned())
}

#[test]
fn equal_priorities_with_overlapping_subjects() {
    let ties = [ids::CLUSTER_POLICY_PRIORITY_TIE];
    let prod = "{namespaces: {matchLabels: {env: prod}}}";
    let text =
        cnp("b", "Admin", 5, prod, DENY_DEV) + &cnp("a", "Admin", 5, "{namespaces: {}}", DENY_DEV);
    assert_eq!(
        found(&text, CalicoVersion::V3_32, &ties),
        [row(ties[0], "b", "")]
    );
    let disjoint = cnp("b", "Admin", 5, prod, DENY_DEV)
        + &cnp(
            "a",
            "Admin",
            5,
            "{namespaces: {matchLabels: {env: dev}}}",
            DENY_DEV,
        );
    assert_eq!(found(&disjoint, CalicoVersion::V3_32, &ties), []);
    let other_tier =
        cnp("b", "Admin", 5, prod, DENY_DEV) + &cnp("a", "Baseline", 5, prod, DENY_DEV);
    assert_eq!(found(&other_tier, CalicoVersion::V3_32, &ties), []);
    let other_priority =
        cnp("b", "Admin", 5, prod, DENY_DEV) + &cnp("a", "Admin", 6, prod, DENY_DEV);
    assert_eq!(found(&other_priority, CalicoVersion::V3_32, &ties), []);
    assert_eq!(
        found(&text, CalicoVersion::V3_31, &ties),
        [],
        "3.31 does not enforce CNPs"
    );
}

#[test]
fn nodes_and_domain_names_peers_fail_closed() {
    let wanted = [ids::CLUSTER_POLICY_UNENFORCED_PEER];
    let rules = "  egress:\n  - action: Accept\n    to: [{domainNames: [api.example.com]}]\n  - action: Deny\n    to: [{nodes: {}}]\n  - action: Deny\n    to: [{networks: [10.0.0.0/8]}]\n";
    let text = cnp("p", "Admin", 1, "{namespaces: {}}", rules);
    assert_eq!(
        found(&text, CalicoVersion::V3_32, &wanted),
        [
            row(wanted[0], "p", "egress rule 0"),
            row(wanted[0], "p", "egress rule 1")
        ]
    );
}

#[test]
fn an_accept_to_networks_that_hold_pods() {
    let wanted = [ids::CLUSTER_POLICY_NETWORKS_MATCH_PODS];
    let rules = "  egress:\n  - action: Accept\n    to: [{networks: [0.0.0.0/0]}]\n  - action: Deny\n    to: [{networks: [0.0.0.0/0]}]\n  - action: Accept\n    to: [{networks: [203.0.113.0/24]}]\n";
    let text = cnp("world", "Baseline", 1, "{namespaces: {}}", rules);
    assert_eq!(
        found(&text, CalicoVersion::V3_32, &wanted),
        [row(wanted[0], "world", "egress rule 0")]
    );
    // The pod range is Calico's default pool unless IP pools say otherwise.
    let pools = "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: pods}\nspec: {cidr: 10.42.0.0/16}\n---\n";
    let inside = cnp(
        "pods",
        "Admin",
        1,
        "{namespaces: {}}",
        "  egress:\n  - action: Accept\n    to: [{networks: [10.0.0.0/8]}]\n",
    );
    assert_eq!(
        found(&(pools.to_owned() + &inside), CalicoVersion::V3_32, &wanted),
        [row(wanted[0], "pods", "egress rule 0")]
    );
    assert_eq!(
        found(&inside, CalicoVersion::V3_32, &wanted),
        [],
        "10.0.0.0/8 misses 192.168.0.0/16"
    );
}

#[test]
fn admin_network_policy_named_ports_on_3_31() {
    let wanted = [ids::ADMIN_POLICY_NAMED_PORT];
    let anp = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: web}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - action: Allow\n    from: [{namespaces: {}}]\n    ports: [{portNumber: {port: 80}}]\n  - action: Allow\n    from: [{namespaces: {}}]\n    ports: [{namedPort: http}]\n";
    assert_eq!(
        found(anp, CalicoVersion::V3_31, &wanted),
        [row(wanted[0], "web", "ingress rule 1")]
    );
    assert_eq!(
        found(anp, CalicoVersion::V3_32, &wanted),
        [],
        "3.32 ignores ANPs (and says so elsewhere)"
    );
}

#[test]
fn tiers_ordered_before_the_admin_tier() {
    let wanted = [ids::TIER_BEFORE_KUBE_ADMIN];
    let tiers = "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: early}\nspec: {order: 100}\n---\napiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: late}\nspec: {order: 2000}\n---\n";
    let admin = cnp("guard", "Admin", 1, "{namespaces: {}}", DENY_DEV);
    assert_eq!(
        found(&(tiers.to_owned() + &admin), CalicoVersion::V3_32, &wanted),
        [row(wanted[0], "early", "")]
    );
    let baseline = cnp("floor", "Baseline", 1, "{namespaces: {}}", DENY_DEV);
    assert_eq!(
        found(
            &(tiers.to_owned() + &baseline),
            CalicoVersion::V3_32,
            &wanted
        ),
        [],
        "no Admin-tier policy to run before"
    );
}
