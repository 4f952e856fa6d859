//! ClusterNetworkPolicy → Calico policy, as Calico 3.32's
//! `libcalico-go/lib/backend/k8s/conversion/clusternetworkpolicy.go` (`K8sClusterNetworkPolicyToCalico`)
//! converts it, and AdminNetworkPolicy / BaselineAdminNetworkPolicy as Calico 3.29–3.31's `conversion.go`
//! (`K8sAdminNetworkPolicyToCalico`, `K8sBaselineAdminNetworkPolicyToCalico`) does
//! (`cluster-network-policy.md` §3, §4).
//!
//! The result is a GlobalNetworkPolicy-like spec: tier `kube-admin`/`kube-baseline` (or
//! `adminnetworkpolicy`/`baselineadminnetworkpolicy`), order = priority (1000 for the baseline admin
//! policy), the orchestrator clause in the selector, one Calico rule per (protocol group × peer) with
//! the rule's action, and `types` from the directions that kept a rule. A rule Calico cannot convert
//! fails closed in place: a bare `Deny` for Deny and Pass, nothing for Accept/Allow.

use std::collections::BTreeMap;

use ipnet::IpNet;

use super::knp::{k8s_selector, simplify_ports};
use crate::model::{
    Action, AdminPort, ClusterAction, ClusterPeer, ClusterPolicy, ClusterPolicyKind,
    ClusterProtocol, EntityRule, PolicySpec, PolicyType, Port, Protocol, Rule, RuleMetadata,
};

/// The order Calico 3.29–3.31 gives the BaselineAdminNetworkPolicy.
const BASELINE_ADMIN_ORDER: f64 = 1000.0;

/// The rule annotation Calico writes the source rule's name into (`K8sCNPRuleNameLabel`).
pub const RULE_NAME_ANNOTATION: &str = "name";

/// A converted policy, with for each Calico rule the name of the rule it came from.
pub(crate) struct Converted {
    pub spec: PolicySpec,
    pub ingress_names: Vec<Option<String>>,
    pub egress_names: Vec<Option<String>>,
}

/// The Calico spec a cluster policy becomes; `None` when Calico drops the whole policy (no subject, or
/// a ClusterNetworkPolicy without a tier).
pub(crate) fn cluster_to_calico(policy: &ClusterPolicy) -> Option<Converted> {
    let tier = policy.calico_tier()?;
    let spec = &policy.spec;
    let (namespace_selector, selector) = if let Some(ns) = &spec.subject.namespaces {
        (k8s_selector(Some(ns), false), k8s_selector(None, true))
    } else if let Some(pods) = &spec.subject.pods {
        let all_namespaces = crate::model::LabelSelector::default();
        let ns = pods.namespace_selector.as_ref().unwrap_or(&all_namespaces);
        (
            k8s_selector(Some(ns), false),
            k8s_selector(Some(&pods.pod_selector), true),
        )
    } else {
        return None;
    };
    let kind = policy.kind;
    let mut ingress = Vec::new();
    let mut ingress_names = Vec::new();
    for rule in &spec.ingress {
        let converted = convert_rule(
            kind,
            rule.action,
            &rule.from,
            &rule.protocols,
            &rule.ports,
            false,
        );
        push_rules(
            &mut ingress,
            &mut ingress_names,
            converted,
            rule.action,
            rule.name.as_deref(),
        );
    }
    let mut egress = Vec::new();
    let mut egress_names = Vec::new();
    for rule in &spec.egress {
        let converted = convert_rule(
            kind,
            rule.action,
            &rule.to,
            &rule.protocols,
            &rule.ports,
            true,
        );
        push_rules(
            &mut egress,
            &mut egress_names,
            converted,
            rule.action,
            rule.name.as_deref(),
        );
    }
    let mut types = Vec::new();
    if !ingress.is_empty() {
        types.push(PolicyType::Ingress);
    }
    if !egress.is_empty() {
        types.push(PolicyType::Egress);
    }
    let order = match kind {
        ClusterPolicyKind::BaselineAdminNetworkPolicy => BASELINE_ADMIN_ORDER,
        _ => f64::from(spec.priority.unwrap_or_default()),
    };
    Some(Converted {
        spec: PolicySpec {
            tier: Some(tier.to_owned()),
            order: Some(order),
            selector: Some(selector),
            namespace_selector: Some(namespace_selector),
            types,
            ingress,
            egress,
            ..PolicySpec::default()
        },
        ingress_names,
        egress_names,
    })
}

/// Appends a converted rule's Calico rules, or its fail-closed replacement.
fn push_rules(
    out: &mut Vec<Rule>,
    names: &mut Vec<Option<String>>,
    converted: Option<Vec<Rule>>,
    action: ClusterAction,
    name: Option<&str>,
) {
    let rules = match converted {
        Some(rules) => rules,
        // `k8sClusterNetPolHandleFailedRules`: Deny and Pass become a deny of everything, in place.
        None if matches!(action, ClusterAction::Deny | ClusterAction::Pass) => {
            vec![Rule::new(Action::Deny)]
        }
        None => Vec::new(),
    };
    for rule in rules {
        out.push(rule);
        names.push(name.map(str::to_owned));
    }
}

fn calico_action(action: ClusterAction) -> Action {
    match action {
        ClusterAction::Accept | ClusterAction::Allow => Action::Allow,
        ClusterAction::Deny => Action::Deny,
        ClusterAction::Pass => Action::Pass,
    }
}

/// Ports grouped by protocol name (`""` = no protocol); `None` = every port of that protocol.
type ProtocolPorts = BTreeMap<String, (Option<Protocol>, Option<Vec<Port>>)>;

/// What one protocol/port entry converts to: `(protocol, port)`; both `None` means every protocol.
fn cnp_entry(entry: &ClusterProtocol) -> (Option<Protocol>, Option<Port>) {
    let numbered = [
        (&entry.tcp, Protocol::Tcp),
        (&entry.udp, Protocol::Udp),
        (&entry.sctp, Protocol::Sctp),
    ];
    for (field, protocol) in numbered {
        if let Some(field) = field {
            let port = field
                .destination_port
                .as_ref()
                .and_then(|d| match (d.number, d.range) {
                    (Some(n), _) if n != 0 => Some(Port::Number(n)),
                    (_, Some(r)) => Some(Port::Range(r.start, r.end)),
                    _ => None,
                });
            return (Some(protocol), port);
        }
    }
    match &entry.destination_named_port {
        // 3.32 converts a named port with no protocol: the container port's own protocol decides.
        Some(name) if !name.is_empty() => (None, Some(Port::Named(name.clone()))),
        _ => (None, None),
    }
}

/// What one v1alpha1 port entry converts to. Calico 3.29–3.31 does not convert `namedPort`: the
/// entry reads as empty, which means every protocol and port.
fn admin_entry(entry: &AdminPort) -> (Option<Protocol>, Option<Port>) {
    if let Some(n) = &entry.port_number {
        return (
            Some(n.protocol.unwrap_or(Protocol::Tcp)),
            Some(Port::Number(n.port)),
        );
    }
    if let Some(r) = &entry.port_range {
        return (
            Some(r.protocol.unwrap_or(Protocol::Tcp)),
            Some(Port::Range(r.start, r.end)),
        );
    }
    (None, None)
}

/// `unpackCNPProtocols` / `unpackANPPorts`: no entries, or an entry with neither protocol nor port,
/// means one group of every protocol and port (the other entries are dropped).
fn unpack(entries: Vec<(Option<Protocol>, Option<Port>)>) -> Option<ProtocolPorts> {
    let everything = || {
        let mut all = ProtocolPorts::new();
        all.insert(String::new(), (None, None));
        all
    };
    if entries.is_empty() {
        return Some(everything());
    }
    let mut groups = ProtocolPorts::new();
    for (protocol, port) in entries {
        if protocol.is_none() && port.is_none() {
            return Some(everything());
        }
        if let Some(Port::Range(lo, hi)) = port
            && lo > hi
        {
            // `numorstring.PortFromRange` refuses it: the rule fails.
            return None;
        }
        let key = protocol.map(|p| p.to_string()).unwrap_or_default();
        match (groups.get_mut(&key), port) {
            // An "every port" group stays so.
            (Some((_, None)), _) => {}
            (Some((_, Some(list))), Some(port)) => list.push(port),
            (Some(entry), None) => entry.1 = None,
            (None, port) => {
                groups.insert(key, (protocol, port.map(|p| vec![p])));
            }
        }
    }
    Some(groups)
}

/// `combinePortsWith…Peers`: one rule per (protocol group × peer); `None` when Calico fails the rule.
fn convert_rule(
    kind: ClusterPolicyKind,
    action: ClusterAction,
    peers: &[ClusterPeer],
    protocols: &[ClusterProtocol],
    ports: &[AdminPort],
    egress: bool,
) -> Option<Vec<Rule>> {
    let entries = if kind.is_v1alpha1() {
        ports.iter().map(admin_entry).collect()
    } else {
        protocols.iter().map(cnp_entry).collect()
    };
    let groups = unpack(entries)?;
    let mut rules = Vec::new();
    for (protocol, group_ports) in groups.into_values() {
        let group_ports = simplify_ports(group_ports.unwrap_or_default());
        for peer in peers {
            let mut entity = peer_entity(peer, egress)?;
            let mut rule = Rule::new(calico_action(action));
            rule.protocol = protocol;
            if egress {
                entity.ports = group_ports.clone();
                rule.destination = entity;
            } else {
                rule.source = entity;
                rule.destination.ports = group_ports.clone();
            }
            rules.push(rule);
        }
    }
    Some(rules)
}

/// A peer as a Calico entity rule; `None` when it has no field Calico converts (`nodes`,
/// `domainNames`, nothing) or a CIDR Calico cannot parse.
fn peer_entity(peer: &ClusterPeer, egress: bool) -> Option<EntityRule> {
    let mut entity = EntityRule::default();
    let mut found = false;
    if let Some(ns) = &peer.namespaces {
        entity.namespace_selector = Some(k8s_selector(Some(ns), false));
        found = true;
    }
    if let Some(pods) = &peer.pods {
        let all_namespaces = crate::model::LabelSelector::default();
        let ns = pods.namespace_selector.as_ref().unwrap_or(&all_namespaces);
        entity.selector = Some(k8s_selector(Some(&pods.pod_selector), true));
        entity.namespace_selector = Some(k8s_selector(Some(ns), false));
        found = true;
    }
    if egress && !peer.networks.is_empty() {
        for text in &peer.networks {
            let net: IpNet = text.trim().parse().ok()?;
            entity.nets.push(net.trunc().to_string());
        }
        found = true;
    }
    found.then_some(entity)
}

/// Marks each converted rule with the name of its source rule, as Calico does.
pub(crate) fn annotate(rules: &mut [Rule], names: &[Option<String>]) {
    for (rule, name) in rules.iter_mut().zip(names) {
        if let Some(name) = name.as_ref().filter(|n| !n.is_empty()) {
            let mut metadata = RuleMetadata::default();
            metadata
                .annotations
                .insert(RULE_NAME_ANNOTATION.to_owned(), name.clone());
            rule.metadata = Some(metadata);
        }
    }
}

#[cfg(test)]
mod tests;
