//! DNS lints: `dns-udp-only` and `default-deny-without-dns`.
//!
//! A pod resolves names over UDP 53 and falls back to TCP 53 for truncated or large answers, so an
//! egress default deny needs an earlier allow of both (`calico-semantics.md` §9).

use serde_json::json;

use crate::model::{Action, CalicoPolicy, PolicyType, Port, Protocol, Rule};

use super::context::{Context, direction_key, display_policy, finding, policy_ref};
use super::{Change, ChangeOp, Finding, ResourceRef, RuleRef, SuggestedFix, ids};

/// Which DNS transports an egress rule allows.
#[derive(Debug, Default, Clone, Copy)]
pub struct DnsTransports {
    pub udp: bool,
    pub tcp: bool,
}

/// The DNS transports an `Allow` egress rule opens: destination port 53 (or kube-dns's named ports
/// `dns`/`dns-tcp`) on UDP and/or TCP. A rule without a protocol and without ports opens both.
pub fn dns_transports(rule: &Rule) -> DnsTransports {
    let mut t = DnsTransports::default();
    if rule.action != Action::Allow {
        return t;
    }
    let protocol = rule.protocol.map(Protocol::number);
    let ports = &rule.destination.ports;
    let excluded = |n: u16| rule.destination.not_ports.iter().any(|p| p.contains(n));
    if ports.is_empty() && rule.destination.not_ports.is_empty() {
        t.udp = matches!(protocol, None | Some(17));
        t.tcp = matches!(protocol, None | Some(6));
        return t;
    }
    for port in ports {
        let (udp, tcp) = match port {
            Port::Named(name) if name == "dns" => (true, false),
            Port::Named(name) if name == "dns-tcp" => (false, true),
            Port::Named(_) => (false, false),
            numeric => (
                numeric.contains(53) && !excluded(53),
                numeric.contains(53) && !excluded(53),
            ),
        };
        t.udp |= udp && matches!(protocol, None | Some(17));
        t.tcp |= tcp && matches!(protocol, None | Some(6));
    }
    if ports.is_empty() && !excluded(53) {
        t.udp = matches!(protocol, None | Some(17));
        t.tcp = matches!(protocol, None | Some(6));
    }
    t
}

pub fn check(
    ctx: &Context<'_>,
    broad_deny: &[(&CalicoPolicy, PolicyType)],
    out: &mut Vec<Finding>,
) {
    for p in &ctx.set.policies {
        udp_only(p, out);
    }
    for &(deny, direction) in broad_deny {
        if direction == PolicyType::Egress && !deny.kind.is_staged() {
            without_dns(ctx, deny, out);
        }
    }
}

fn udp_only(p: &CalicoPolicy, out: &mut Vec<Finding>) {
    let transports: Vec<DnsTransports> = p.spec.egress.iter().map(dns_transports).collect();
    if transports.iter().any(|t| t.tcp) {
        return;
    }
    let Some(index) = transports.iter().position(|t| t.udp) else {
        return;
    };
    let rule = &p.spec.egress[index];
    let mut tcp_rule = rule.clone();
    tcp_rule.protocol = Some(Protocol::Tcp);
    for port in &mut tcp_rule.destination.ports {
        if *port == Port::Named("dns".to_owned()) {
            *port = Port::Named("dns-tcp".to_owned());
        }
    }
    let rule_ref = RuleRef {
        direction: PolicyType::Egress,
        index,
    };
    out.push(finding(
        ids::DNS_UDP_ONLY,
        policy_ref(p),
        Some(rule_ref),
        format!("{rule_ref} of `{}` allows DNS on UDP 53 only: lookups that fall back to TCP are denied", display_policy(p)),
        SuggestedFix::with_changes(
            "add the same rule for TCP 53",
            vec![Change {
                resource: policy_ref(p),
                op: ChangeOp::Add,
                path: format!("/spec/{}/{}", direction_key(PolicyType::Egress), index + 1),
                value: serde_json::to_value(&tcp_rule).ok(),
            }],
        ),
    ));
}

/// Whether some enforced policy evaluated before `deny` (or `deny` itself) allows DNS on UDP 53: a
/// Calico policy, or a cluster-wide Kubernetes policy (a ClusterNetworkPolicy `Accept` in
/// `kube-admin` runs before the `default` tier).
fn dns_allowed_before(ctx: &Context<'_>, deny: &CalicoPolicy) -> bool {
    let allows_dns = |p: &CalicoPolicy| {
        p.spec.effective_types().contains(&PolicyType::Egress)
            && p.spec.egress.iter().any(|r| dns_transports(r).udp)
    };
    let by_calico = ctx
        .set
        .policies
        .iter()
        .filter(|p| !p.kind.is_staged())
        .any(|p| (std::ptr::eq(p, deny) || ctx.evaluated_before(p, deny)) && allows_dns(p));
    by_calico
        || ctx
            .converted_cluster_policies()
            .iter()
            .any(|c| ctx.cluster_policy_before(c, deny) && allows_dns(c))
}

fn without_dns(ctx: &Context<'_>, deny: &CalicoPolicy, out: &mut Vec<Finding>) {
    if dns_allowed_before(ctx, deny) {
        return;
    }
    let order = deny.spec.order.map_or(100.0, |o| (o - 10.0).max(0.0));
    let name = "allow-dns".to_owned();
    let dns_rule = |protocol: &str| {
        json!({
            "action": "Allow",
            "protocol": protocol,
            "destination": {
                "selector": "k8s-app == 'kube-dns'",
                "namespaceSelector": "projectcalico.org/name == 'kube-system'",
                "ports": [53],
            },
        })
    };
    let mut spec = json!({
        "tier": deny.tier(),
        "order": order,
        "types": ["Egress"],
        "egress": [dns_rule("UDP"), dns_rule("TCP")],
    });
    if let Some(selector) = &deny.spec.selector {
        spec["selector"] = json!(selector);
    }
    if let Some(ns_selector) = &deny.spec.namespace_selector {
        spec["namespaceSelector"] = json!(ns_selector);
    }
    let mut metadata = json!({"name": name});
    if let Some(ns) = &deny.metadata.namespace {
        metadata["namespace"] = json!(ns);
    }
    let kind = deny.kind.as_str();
    let policy = json!({"apiVersion": "projectcalico.org/v3", "kind": kind, "metadata": metadata, "spec": spec});
    out.push(finding(
        ids::DEFAULT_DENY_WITHOUT_DNS,
        policy_ref(deny),
        None,
        format!(
            "`{}` denies egress by default but no policy evaluated before it allows DNS: name lookups fail",
            display_policy(deny)
        ),
        SuggestedFix::with_changes(
            format!("allow UDP and TCP 53 to kube-dns in a policy ordered before it (e.g. `{name}` at order {order} in tier `{}`)", deny.tier()),
            vec![Change {
                resource: ResourceRef { kind: kind.to_owned(), namespace: deny.metadata.namespace.clone(), name },
                op: ChangeOp::Set,
                path: String::new(),
                value: Some(policy),
            }],
        ),
    ));
}
