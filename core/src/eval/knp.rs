//! Kubernetes NetworkPolicy → Calico policy, as `libcalico-go/lib/backend/k8s/conversion/conversion.go`
//! (`K8sNetworkPolicyToCalico`, `k8sRuleToCalico`, `SimplifyPorts`) does it (`calico-semantics.md` §8).

use std::collections::BTreeMap;

use crate::model::{
    Action, EntityRule, KubernetesPeer, KubernetesPolicy, KubernetesPort, LabelSelector,
    LabelSelectorOperator, PolicySpec, PolicyType, Port, Protocol, Rule,
};

/// The order Calico gives every Kubernetes policy.
pub const KUBERNETES_POLICY_ORDER: f64 = 1000.0;

/// The Calico `NetworkPolicy` spec a Kubernetes policy becomes: tier `default`, order 1000, selectors
/// with the `projectcalico.org/orchestrator == 'k8s'` term, one Allow rule per (protocol × peer).
///
/// `policyTypes` is defaulted as the API server does before Calico sees the object: `[Ingress]`, plus
/// `Egress` when there are egress rules. A `ports[]` entry with a port and no protocol means TCP (the
/// converter makes TCP explicit); an empty entry `{}`, or no `ports` at all, means every protocol and
/// port (the converter then keeps that one rule per peer and drops the other entries).
pub fn kubernetes_to_calico(policy: &KubernetesPolicy) -> PolicySpec {
    let spec = &policy.spec;
    let mut types = spec.policy_types.clone();
    if types.is_empty() {
        types.push(PolicyType::Ingress);
        if !spec.egress.is_empty() {
            types.push(PolicyType::Egress);
        }
    }
    let mut ingress_types = Vec::new();
    if types.contains(&PolicyType::Ingress) {
        ingress_types.push(PolicyType::Ingress);
    }
    if types.contains(&PolicyType::Egress) {
        ingress_types.push(PolicyType::Egress);
    }
    let ingress = spec
        .ingress
        .iter()
        .flat_map(|r| rules(&r.from, &r.ports, true))
        .collect();
    let egress = spec
        .egress
        .iter()
        .flat_map(|r| rules(&r.to, &r.ports, false))
        .collect();
    PolicySpec {
        tier: Some(crate::model::DEFAULT_TIER.to_owned()),
        order: Some(KUBERNETES_POLICY_ORDER),
        selector: Some(k8s_selector(Some(&spec.pod_selector), true)),
        types: ingress_types,
        ingress,
        egress,
        ..PolicySpec::default()
    }
}

/// `k8sSelectorToCalico`: a pod selector gets the orchestrator term; an empty namespace selector is
/// `all()`; an absent namespace selector is the empty string (the policy's own namespace).
pub(crate) fn k8s_selector(s: Option<&LabelSelector>, pod: bool) -> String {
    let mut terms = Vec::new();
    if pod {
        terms.push("projectcalico.org/orchestrator == 'k8s'".to_owned());
    }
    let Some(s) = s else {
        return terms.join(" && ");
    };
    if !pod && s.match_labels.is_empty() && s.match_expressions.is_empty() {
        return "all()".to_owned();
    }
    for (k, v) in &s.match_labels {
        terms.push(format!("{k} == '{v}'"));
    }
    for e in &s.match_expressions {
        let values = e.values.join("', '");
        terms.push(match e.operator {
            LabelSelectorOperator::In => format!("{} in {{ '{values}' }}", e.key),
            LabelSelectorOperator::NotIn => format!("{} not in {{ '{values}' }}", e.key),
            LabelSelectorOperator::Exists => format!("has({})", e.key),
            LabelSelectorOperator::DoesNotExist => format!("! has({})", e.key),
        });
    }
    terms.join(" && ")
}

/// `k8sRuleToCalico`: protocols in name order, then peers in order.
fn rules(peers: &[KubernetesPeer], ports: &[KubernetesPort], ingress: bool) -> Vec<Rule> {
    // None = every port of that protocol; the "" protocol = every protocol.
    let mut by_protocol: BTreeMap<String, (Option<Protocol>, Option<Vec<Port>>)> = BTreeMap::new();
    if ports.is_empty() {
        by_protocol.insert(String::new(), (None, None));
    }
    for port in ports {
        if port.protocol.is_none() && port.port.is_none() {
            // `k8sRuleToCalico`: no protocol and no port allows everything, so it is the only rule.
            by_protocol.clear();
            by_protocol.insert(String::new(), (None, None));
            break;
        }
        let protocol = port.protocol.unwrap_or(Protocol::Tcp);
        let calico_ports = port.port.as_ref().map(|p| match (p, port.end_port) {
            (Port::Number(lo), Some(hi)) if hi > *lo => vec![Port::Range(*lo, hi)],
            (p, _) => vec![p.clone()],
        });
        let entry = by_protocol
            .entry(protocol.to_string())
            .or_insert((Some(protocol), Some(Vec::new())));
        match calico_ports {
            None => entry.1 = None,
            Some(list) => {
                if let Some(existing) = &mut entry.1 {
                    existing.extend(list);
                }
            }
        }
    }
    let peers: Vec<Option<&KubernetesPeer>> = if peers.is_empty() {
        vec![None]
    } else {
        peers.iter().map(Some).collect()
    };
    let mut out = Vec::new();
    for (protocol, ports) in by_protocol.into_values() {
        let ports = simplify_ports(ports.unwrap_or_default());
        for peer in &peers {
            let mut entity = peer_entity(*peer);
            let mut rule = Rule::new(Action::Allow);
            rule.protocol = protocol;
            if ingress {
                rule.source = entity;
                rule.destination.ports = ports.clone();
            } else {
                entity.ports = ports.clone();
                rule.destination = entity;
            }
            out.push(rule);
        }
    }
    out
}

/// `k8sPeerToCalicoFields`.
fn peer_entity(peer: Option<&KubernetesPeer>) -> EntityRule {
    let mut entity = EntityRule::default();
    let Some(peer) = peer else {
        return entity;
    };
    if let Some(block) = &peer.ip_block {
        entity.nets = vec![block.cidr.clone()];
        entity.not_nets = block.except.clone();
        return entity;
    }
    entity.selector = Some(k8s_selector(peer.pod_selector.as_ref(), true));
    let ns = k8s_selector(peer.namespace_selector.as_ref(), false);
    entity.namespace_selector = (!ns.is_empty()).then_some(ns);
    entity
}

/// `SimplifyPorts`: named ports first, then the numbers merged into the fewest ranges.
pub(crate) fn simplify_ports(ports: Vec<Port>) -> Vec<Port> {
    if ports.len() <= 1 {
        return ports;
    }
    let mut out = Vec::new();
    let mut numbers: Vec<u32> = Vec::new();
    for p in &ports {
        match p {
            Port::Named(_) => out.push(p.clone()),
            Port::Number(n) => numbers.push(u32::from(*n)),
            Port::Range(lo, hi) => numbers.extend(u32::from(*lo)..=u32::from(*hi)),
        }
    }
    if numbers.len() <= 1 {
        return ports;
    }
    numbers.sort_unstable();
    let mut i = 0;
    while i < numbers.len() {
        let first = numbers[i];
        let mut last = first;
        i += 1;
        while i < numbers.len() && numbers[i] <= last + 1 {
            last = numbers[i];
            i += 1;
        }
        // INVARIANT: the numbers came from u16 ports.
        let (lo, hi) = (first as u16, last as u16);
        out.push(if lo == hi {
            Port::Number(lo)
        } else {
            Port::Range(lo, hi)
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{KubernetesIngressRule, KubernetesPolicySpec, ObjectMeta};

    fn policy(spec: KubernetesPolicySpec) -> KubernetesPolicy {
        KubernetesPolicy {
            metadata: ObjectMeta::named("web", Some("shop")),
            spec,
            staged: false,
        }
    }

    #[test]
    fn ports_are_grouped_by_protocol_and_merged() {
        let port = |protocol, port| KubernetesPort {
            protocol,
            port: Some(Port::Number(port)),
            end_port: None,
            ..KubernetesPort::default()
        };
        let spec = KubernetesPolicySpec {
            ingress: vec![KubernetesIngressRule {
                from: vec![],
                ports: vec![
                    port(None, 81),
                    port(Some(Protocol::Udp), 53),
                    port(None, 80),
                    port(None, 82),
                    port(None, 90),
                ],
                ..KubernetesIngressRule::default()
            }],
            ..KubernetesPolicySpec::default()
        };
        let calico = kubernetes_to_calico(&policy(spec));
        assert_eq!(calico.order, Some(1000.0));
        assert_eq!(calico.types, vec![PolicyType::Ingress]);
        assert_eq!(calico.ingress.len(), 2);
        assert_eq!(calico.ingress[0].protocol, Some(Protocol::Tcp));
        assert_eq!(
            calico.ingress[0].destination.ports,
            vec![Port::Range(80, 82), Port::Number(90)]
        );
        assert_eq!(calico.ingress[1].protocol, Some(Protocol::Udp));
        assert_eq!(
            calico.selector.as_deref(),
            Some("projectcalico.org/orchestrator == 'k8s'")
        );
    }

    #[test]
    fn an_empty_port_entry_allows_every_protocol() {
        let spec = KubernetesPolicySpec {
            ingress: vec![KubernetesIngressRule {
                from: vec![],
                ports: vec![
                    KubernetesPort {
                        protocol: Some(Protocol::Udp),
                        ..KubernetesPort::default()
                    },
                    KubernetesPort::default(),
                ],
                ..KubernetesIngressRule::default()
            }],
            ..KubernetesPolicySpec::default()
        };
        let calico = kubernetes_to_calico(&policy(spec));
        assert_eq!(calico.ingress.len(), 1);
        assert_eq!(calico.ingress[0].protocol, None);
        assert!(calico.ingress[0].destination.ports.is_empty());
        let udp_only = KubernetesPolicySpec {
            ingress: vec![KubernetesIngressRule {
                ports: vec![KubernetesPort {
                    protocol: Some(Protocol::Udp),
                    ..KubernetesPort::default()
                }],
                ..KubernetesIngressRule::default()
            }],
            ..KubernetesPolicySpec::default()
        };
        let calico = kubernetes_to_calico(&policy(udp_only));
        assert_eq!(calico.ingress[0].protocol, Some(Protocol::Udp));
        assert!(calico.ingress[0].destination.ports.is_empty());
    }

    #[test]
    fn namespace_selectors_follow_the_converter() {
        let empty = LabelSelector::default();
        assert_eq!(k8s_selector(Some(&empty), false), "all()");
        assert_eq!(k8s_selector(None, false), "");
        let mut s = LabelSelector::default();
        s.match_labels.insert("team".into(), "a".into());
        assert_eq!(
            k8s_selector(Some(&s), true),
            "projectcalico.org/orchestrator == 'k8s' && team == 'a'"
        );
    }
}
