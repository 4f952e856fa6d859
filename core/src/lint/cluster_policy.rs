//! Lints of ClusterNetworkPolicy and AdminNetworkPolicy / BaselineAdminNetworkPolicy
//! (`cluster-network-policy.md` §2–§4): `cluster-policy-priority-tie`, `cluster-policy-unenforced-peer`,
//! `cluster-policy-networks-match-pods`, `admin-policy-named-port`, `tier-before-kube-admin`. Only the
//! kinds the targeted Calico release enforces are linted.

use ipnet::IpNet;

use crate::model::vocabulary::addresses::parse_net;
use crate::model::{
    ClusterAction, ClusterPeer, ClusterPolicy, ClusterPolicyKind, ClusterTier, LabelSelector,
    PolicyType,
};

use super::context::{Context, finding};
use super::{Finding, ResourceRef, RuleRef, SuggestedFix, ids};

/// Calico's order of `kube-admin` (and of 3.29–3.31's `adminnetworkpolicy`).
const ADMIN_TIER_ORDER: f64 = 1_000.0;

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let version = ctx.set.calico_version.unwrap_or_default();
    let enforced: Vec<&ClusterPolicy> = ctx
        .set
        .cluster_policies
        .iter()
        .filter(|p| version.enforces(p.kind))
        .collect();
    priority_ties(&enforced, out);
    let pod_range = crate::model::pod_range(&ctx.set.ip_pools);
    for p in &enforced {
        for (direction, index, action, peers) in rules(p) {
            let rule = Some(RuleRef { direction, index });
            unenforced_peers(p, rule, action, peers, out);
            if action.admits() {
                networks_match_pods(p, rule, peers, &pod_range, out);
            }
        }
        if p.kind == ClusterPolicyKind::AdminNetworkPolicy {
            named_ports(p, out);
        }
    }
    tiers_before_admin(ctx, &enforced, out);
}

fn resource(p: &ClusterPolicy) -> ResourceRef {
    ResourceRef {
        kind: p.kind.as_str().to_owned(),
        namespace: None,
        name: p.metadata.name.clone(),
    }
}

/// Every rule: direction, index, action and peers.
fn rules(p: &ClusterPolicy) -> Vec<(PolicyType, usize, ClusterAction, &[ClusterPeer])> {
    let ingress = p
        .spec
        .ingress
        .iter()
        .enumerate()
        .map(|(i, r)| (PolicyType::Ingress, i, r.action, r.from.as_slice()));
    let egress = p
        .spec
        .egress
        .iter()
        .enumerate()
        .map(|(i, r)| (PolicyType::Egress, i, r.action, r.to.as_slice()));
    ingress.chain(egress).collect()
}

/// `(namespace labels, pod labels)` a subject requires exactly (its `matchLabels`).
fn required_labels(p: &ClusterPolicy) -> (Option<&LabelSelector>, Option<&LabelSelector>) {
    match (&p.spec.subject.namespaces, &p.spec.subject.pods) {
        (Some(ns), _) => (Some(ns), None),
        (None, Some(pods)) => (pods.namespace_selector.as_ref(), Some(&pods.pod_selector)),
        (None, None) => (None, None),
    }
}

/// Two selectors that require different values of one key select nothing in common.
fn surely_disjoint(a: Option<&LabelSelector>, b: Option<&LabelSelector>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return false;
    };
    a.match_labels
        .iter()
        .any(|(k, v)| b.match_labels.get(k).is_some_and(|w| w != v))
}

/// Equal priorities in one tier leave the order undefined upstream (Calico breaks the tie by name).
fn priority_ties(policies: &[&ClusterPolicy], out: &mut Vec<Finding>) {
    for (i, a) in policies.iter().enumerate() {
        for b in &policies[i + 1..] {
            let same_tier = a.calico_tier() == b.calico_tier();
            let same_priority = a.spec.priority.is_some() && a.spec.priority == b.spec.priority;
            if !same_tier
                || !same_priority
                || a.kind == ClusterPolicyKind::BaselineAdminNetworkPolicy
            {
                continue;
            }
            let ((ans, apod), (bns, bpod)) = (required_labels(a), required_labels(b));
            if surely_disjoint(ans, bns) || surely_disjoint(apod, bpod) {
                continue;
            }
            let (first, second) = if a.metadata.name <= b.metadata.name {
                (a, b)
            } else {
                (b, a)
            };
            out.push(finding(
                ids::CLUSTER_POLICY_PRIORITY_TIE,
                resource(second),
                None,
                format!(
                    "{} `{}` and `{}` have priority {} in one tier and their subjects may overlap: the order between them is undefined upstream (Calico evaluates `{}` first, by name)",
                    second.kind.as_str(),
                    first.metadata.name,
                    second.metadata.name,
                    second.spec.priority.unwrap_or_default(),
                    first.metadata.name
                ),
                SuggestedFix::text(format!(
                    "give `{}` a priority of its own, so that every implementation applies them in the same order",
                    second.metadata.name
                )),
            ));
        }
    }
}

fn unenforced_peers(
    p: &ClusterPolicy,
    rule: Option<RuleRef>,
    action: ClusterAction,
    peers: &[ClusterPeer],
    out: &mut Vec<Finding>,
) {
    let Some(field) = peers.iter().find_map(|peer| {
        if peer.nodes.is_some() {
            Some("nodes")
        } else if !peer.domain_names.is_empty() {
            Some("domainNames")
        } else {
            None
        }
    }) else {
        return;
    };
    let effect = if action.admits() {
        "drops the whole rule: the traffic it accepts is not accepted"
    } else {
        "replaces the whole rule with a deny of all traffic"
    };
    out.push(finding(
        ids::CLUSTER_POLICY_UNENFORCED_PEER,
        resource(p),
        rule,
        format!(
            "`{field}` peers are not enforced by Calico: it {effect} (fail closed)"
        ),
        SuggestedFix::text(
            "use `networks` (the nodes' or the service's CIDRs) or a `pods`/`namespaces` peer instead",
        ),
    ));
}

fn networks_match_pods(
    p: &ClusterPolicy,
    rule: Option<RuleRef>,
    peers: &[ClusterPeer],
    pod_range: &[IpNet],
    out: &mut Vec<Finding>,
) {
    let overlapping = peers
        .iter()
        .flat_map(|peer| &peer.networks)
        .filter_map(|text| parse_net(text).ok().map(|net| (text, net)))
        .find(|(_, net)| {
            pod_range
                .iter()
                .any(|pods| net.contains(pods) || pods.contains(net))
        });
    let Some((text, _)) = overlapping else {
        return;
    };
    out.push(finding(
        ids::CLUSTER_POLICY_NETWORKS_MATCH_PODS,
        resource(p),
        rule,
        format!(
            "`networks: {text}` also matches pod addresses: this rule accepts pod-to-pod traffic too, not only traffic to the outside"
        ),
        SuggestedFix::text(
            "if it is meant for the outside world, deny or pass pod traffic in an earlier rule (a `namespaces: {}` peer), or list only external CIDRs",
        ),
    ));
}

fn named_ports(p: &ClusterPolicy, out: &mut Vec<Finding>) {
    let ingress = p
        .spec
        .ingress
        .iter()
        .map(|r| (PolicyType::Ingress, &r.ports));
    let egress = p.spec.egress.iter().map(|r| (PolicyType::Egress, &r.ports));
    let mut index = [0usize; 2];
    for (direction, ports) in ingress.chain(egress) {
        let slot = usize::from(direction == PolicyType::Egress);
        let rule = Some(RuleRef {
            direction,
            index: index[slot],
        });
        index[slot] += 1;
        if let Some(name) = ports.iter().find_map(|port| port.named_port.as_ref()) {
            out.push(finding(
                ids::ADMIN_POLICY_NAMED_PORT,
                resource(p),
                rule,
                format!(
                    "`namedPort: {name}` is not converted by Calico 3.29–3.31: the rule matches every protocol and port"
                ),
                SuggestedFix::text(
                    "write the port number (`portNumber`), or migrate to a ClusterNetworkPolicy on Calico 3.32, which resolves named ports",
                ),
            ));
        }
    }
}

/// A Calico tier ordered below 1,000 runs before the Admin tier of the cluster policies.
fn tiers_before_admin(ctx: &Context<'_>, enforced: &[&ClusterPolicy], out: &mut Vec<Finding>) {
    let admin = enforced.iter().find(|p| match p.kind {
        ClusterPolicyKind::ClusterNetworkPolicy => p.spec.tier == Some(ClusterTier::Admin),
        ClusterPolicyKind::AdminNetworkPolicy => true,
        ClusterPolicyKind::BaselineAdminNetworkPolicy => false,
    });
    let Some(admin) = admin else {
        return;
    };
    let admin_tier = admin.calico_tier().unwrap_or_default();
    for tier in &ctx.set.tiers {
        let Some(order) = tier.spec.order.filter(|o| *o < ADMIN_TIER_ORDER) else {
            continue;
        };
        out.push(finding(
            ids::TIER_BEFORE_KUBE_ADMIN,
            ResourceRef {
                kind: "Tier".to_owned(),
                namespace: None,
                name: tier.metadata.name.clone(),
            },
            None,
            format!(
                "tier `{}` has order {order}, below {ADMIN_TIER_ORDER}: its policies decide before the cluster admin's `{admin_tier}` tier (e.g. {} `{}`)",
                tier.metadata.name,
                admin.kind.as_str(),
                admin.metadata.name
            ),
            SuggestedFix::text(
                "order it above 1000 unless it must override the cluster admin's guardrails",
            ),
        ));
    }
}
