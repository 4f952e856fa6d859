//! Drawing a flow as a cluster guardrail: a Kubernetes ClusterNetworkPolicy rule (Calico 3.32's
//! `kube-admin` or `kube-baseline` tier) instead of Calico policy rules.
//!
//! A ClusterNetworkPolicy has one subject, so each side of the flow is its own policy: the
//! destination's (an ingress rule from the source) and the source's (an egress rule to the
//! destination). A `Deny` needs one side — the destination's when it is in the cluster, since a deny
//! is final there — while an `Accept` takes every side in the cluster, because an accepted direction
//! still leaves the other end's policies to decide (`cluster-network-policy.md` §2). Ingress peers
//! can only be namespaces or pods, so a flow from outside the cluster cannot be a guardrail.
//!
//! The drawn policies carry [`FLOW_ANNOTATION`] in their metadata (a ClusterNetworkPolicy rule has
//! none of its own), so the edge reads back from them as it does from annotated Calico rules.

use std::collections::BTreeMap;

use super::draw::DrawError;
use super::{FLOW_ANNOTATION, FlowKey, NodeKind, WORLD_NET, identifying_labels, nodes};
use crate::design::Design;
use crate::model::{
    CalicoVersion, ClusterAction, ClusterEgressRule, ClusterIngressRule, ClusterPeer,
    ClusterPolicy, ClusterPolicyKind, ClusterPolicySpec, ClusterProtocol, ClusterSubject,
    ClusterTier, DestinationPort, LabelSelector, Labels, NamespacedPods, ObjectMeta, Port,
    PortRange, Protocol, ProtocolPort,
};

/// The label Kubernetes puts on every namespace.
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";
/// The longest rule name the CRD accepts.
const MAX_RULE_NAME: usize = 100;
/// The priority of the first guardrail drawn in a tier, and the step after the last one.
const FIRST_PRIORITY: u32 = 100;
const PRIORITY_STEP: u32 = 10;
/// The highest priority the CRD accepts.
const MAX_PRIORITY: u32 = 1000;

/// A flow to write as a ClusterNetworkPolicy rule.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardrailRequest {
    /// Node ids (see [`super::nodes`]).
    pub from: String,
    pub to: String,
    /// TCP, UDP or SCTP: the protocols a ClusterNetworkPolicy names.
    pub protocol: Protocol,
    /// Destination ports; empty for every port of the protocol.
    pub ports: Vec<Port>,
    /// `Admin` (a guardrail, before every namespace's policies) or `Baseline` (a default, after them).
    pub tier: ClusterTier,
    /// `Accept` or `Deny`.
    pub action: ClusterAction,
}

/// Where the guardrail went: indices into `design.cluster_policies`, and the rule's name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GuardrailOutcome {
    pub policies: Vec<usize>,
    pub rule: String,
}

/// Why the design cannot take a guardrail drawn as a ClusterNetworkPolicy, or `None` when it can: the
/// Calico release it targets must enforce the kind (3.32 and later).
pub fn guardrail_unavailable(design: &Design) -> Option<String> {
    let version = design.calico_version.unwrap_or_default();
    (!version.enforces(ClusterPolicyKind::ClusterNetworkPolicy)).then(|| {
        format!(
            "the design targets Calico {version}, which does not enforce ClusterNetworkPolicy (Calico {} does): set the design's Calico version to {} to draw cluster guardrails",
            CalicoVersion::V3_32,
            CalicoVersion::V3_32
        )
    })
}

/// One end as a ClusterNetworkPolicy sees it.
struct End {
    name: String,
    /// As a subject or peer: a namespace or pods; `None` outside the cluster.
    inside: Option<Inside>,
    /// Outside the cluster: its address blocks.
    networks: Vec<String>,
}

enum Inside {
    Namespace(LabelSelector),
    Pods(NamespacedPods),
}

fn match_labels(pairs: impl IntoIterator<Item = (String, String)>) -> LabelSelector {
    LabelSelector {
        match_labels: pairs.into_iter().collect::<Labels>(),
        ..LabelSelector::default()
    }
}

fn end(design: &Design, id: &str) -> Result<End, DrawError> {
    let node = nodes(design)
        .into_iter()
        .find(|n| n.id == id)
        .ok_or_else(|| DrawError::UnknownNode(id.to_owned()))?;
    let namespace = |ns: &str| match_labels([(NAMESPACE_NAME_LABEL.to_owned(), ns.to_owned())]);
    let (inside, networks) = match node.kind {
        NodeKind::Workload | NodeKind::Dns => {
            let pairs = identifying_labels(design, &node.labels);
            if pairs.is_empty() {
                return Err(DrawError::NoLabels(node.label.clone()));
            }
            let ns = node.namespace.as_deref().unwrap_or_default();
            let pods = NamespacedPods {
                namespace_selector: Some(namespace(ns)),
                pod_selector: match_labels(
                    pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())),
                ),
                ..NamespacedPods::default()
            };
            (Some(Inside::Pods(pods)), Vec::new())
        }
        NodeKind::Namespace => (Some(Inside::Namespace(namespace(&node.name))), Vec::new()),
        NodeKind::NetworkSet => {
            let nets = design
                .network_sets
                .iter()
                .find(|s| s.metadata.name == node.name && s.metadata.namespace == node.namespace)
                .map(|s| s.spec.nets.clone())
                .unwrap_or_default();
            (None, nets)
        }
        NodeKind::World => (None, vec![WORLD_NET.to_owned()]),
    };
    Ok(End {
        name: node.name,
        inside,
        networks,
    })
}

impl End {
    fn subject(&self) -> Option<ClusterSubject> {
        let mut subject = ClusterSubject::default();
        match self.inside.as_ref()? {
            Inside::Namespace(s) => subject.namespaces = Some(s.clone()),
            Inside::Pods(p) => subject.pods = Some(p.clone()),
        }
        Some(subject)
    }

    fn peer(&self) -> ClusterPeer {
        let mut peer = ClusterPeer::default();
        match &self.inside {
            Some(Inside::Namespace(s)) => peer.namespaces = Some(s.clone()),
            Some(Inside::Pods(p)) => peer.pods = Some(p.clone()),
            None => peer.networks = self.networks.clone(),
        }
        peer
    }
}

/// The `protocols` of the rule: one entry per port, a range of every port when none is given.
fn protocols(protocol: Protocol, ports: &[Port]) -> Result<Vec<ClusterProtocol>, DrawError> {
    let with = |port: DestinationPort| {
        let port = Some(ProtocolPort {
            destination_port: Some(port),
            ..ProtocolPort::default()
        });
        let mut entry = ClusterProtocol::default();
        match protocol {
            Protocol::Tcp => entry.tcp = port,
            Protocol::Udp => entry.udp = port,
            _ => entry.sctp = port,
        }
        entry
    };
    if !matches!(protocol, Protocol::Tcp | Protocol::Udp | Protocol::Sctp) {
        return Err(DrawError::GuardrailProtocol(protocol.to_string()));
    }
    let number = |n| DestinationPort {
        number: Some(n),
        ..DestinationPort::default()
    };
    let range = |start, end| DestinationPort {
        range: Some(PortRange { start, end }),
        ..DestinationPort::default()
    };
    if ports.is_empty() {
        return Ok(vec![with(range(1, u16::MAX))]);
    }
    Ok(ports
        .iter()
        .map(|port| match port {
            Port::Number(n) => with(number(*n)),
            Port::Range(lo, hi) if lo == hi => with(number(*lo)),
            Port::Range(lo, hi) => with(range(*lo, *hi)),
            Port::Named(name) => ClusterProtocol {
                destination_named_port: Some(name.clone()),
                ..ClusterProtocol::default()
            },
        })
        .collect())
}

/// The protocol and ports a drawn rule's `protocols` stand for (the inverse of [`protocols`]; a rule
/// of named ports alone reads as TCP).
fn service_of(protocols: &[ClusterProtocol]) -> Option<(Protocol, Vec<Port>)> {
    let mut protocol = None;
    let mut ports = Vec::new();
    for entry in protocols {
        let (p, port) = match (&entry.tcp, &entry.udp, &entry.sctp) {
            (Some(port), None, None) => (Protocol::Tcp, port),
            (None, Some(port), None) => (Protocol::Udp, port),
            (None, None, Some(port)) => (Protocol::Sctp, port),
            _ => {
                ports.push(Port::Named(entry.destination_named_port.clone()?));
                continue;
            }
        };
        if protocol.is_some_and(|q| q != p) {
            return None;
        }
        protocol = Some(p);
        let destination = port.destination_port.as_ref()?;
        match (destination.number, destination.range) {
            (Some(n), None) => ports.push(Port::Number(n)),
            (None, Some(PortRange { start: 1, end })) if end == u16::MAX => {}
            (None, Some(r)) => ports.push(Port::Range(r.start, r.end)),
            _ => return None,
        }
    }
    Some((protocol.unwrap_or(Protocol::Tcp), ports))
}

/// A drawn guardrail read back: the flow it stands for and its rule's name, when `policy` is one.
pub(crate) fn drawn(policy: &ClusterPolicy) -> Option<(FlowKey, String)> {
    if policy.kind != ClusterPolicyKind::ClusterNetworkPolicy {
        return None;
    }
    let mark = policy.metadata.annotations.get(FLOW_ANNOTATION)?;
    let (from, to) = mark.split_once(" -> ")?;
    let spec = &policy.spec;
    let (name, protocols) = match (spec.ingress.as_slice(), spec.egress.as_slice()) {
        ([rule], []) => (rule.name.clone(), &rule.protocols),
        ([], [rule]) => (rule.name.clone(), &rule.protocols),
        _ => return None,
    };
    let (protocol, ports) = service_of(protocols)?;
    let key = FlowKey {
        from: from.trim().to_owned(),
        to: to.trim().to_owned(),
        protocol,
        ports,
    };
    Some((key, name.unwrap_or_default()))
}

/// After the tier's last ClusterNetworkPolicy, so a new guardrail does not tie with one (ties are
/// undefined upstream).
fn next_priority(design: &Design, tier: ClusterTier) -> u32 {
    design
        .cluster_policies
        .iter()
        .filter(|p| p.kind == ClusterPolicyKind::ClusterNetworkPolicy && p.spec.tier == Some(tier))
        .filter_map(|p| p.spec.priority)
        .max()
        .map_or(FIRST_PRIORITY, |last| {
            last.saturating_add(PRIORITY_STEP).min(MAX_PRIORITY)
        })
}

/// Writes the flow `request` as ClusterNetworkPolicy rules (see the module's documentation). On
/// error the design is unchanged.
pub fn add_guardrail(
    design: &mut Design,
    request: &GuardrailRequest,
) -> Result<GuardrailOutcome, DrawError> {
    if let Some(why) = guardrail_unavailable(design) {
        return Err(DrawError::GuardrailNotEnforced(why));
    }
    if request.from == request.to {
        return Err(DrawError::SameNode);
    }
    if request.action == ClusterAction::Allow {
        return Err(DrawError::GuardrailAction(
            request.action.as_str().to_owned(),
        ));
    }
    let protocols = protocols(request.protocol, &request.ports)?;
    let src = end(design, &request.from)?;
    let dst = end(design, &request.to)?;
    let Some(src_peer_inside) = src.inside.as_ref().map(|_| src.peer()) else {
        return Err(DrawError::GuardrailFromOutside(src.name));
    };
    let named = request.ports.iter().any(|p| matches!(p, Port::Named(_)));
    if named && dst.inside.is_none() {
        return Err(DrawError::GuardrailNamedPortOutside);
    }
    let verb = match request.action {
        ClusterAction::Deny => "deny",
        ClusterAction::Pass => "pass",
        _ => "accept",
    };
    let base = format!("{}-to-{}", src.name, dst.name);
    let mut rule: String = format!("{verb}-{base}");
    rule.truncate(MAX_RULE_NAME);
    let ingress_side = dst.subject().map(|subject| {
        (
            subject,
            ClusterPolicySpec {
                ingress: vec![ClusterIngressRule {
                    name: Some(rule.clone()),
                    action: request.action,
                    from: vec![src_peer_inside.clone()],
                    protocols: protocols.clone(),
                    ports: Vec::new(),
                    extra: Default::default(),
                }],
                ..ClusterPolicySpec::default()
            },
        )
    });
    let egress_side = src.subject().map(|subject| {
        (
            subject,
            ClusterPolicySpec {
                egress: vec![ClusterEgressRule {
                    name: Some(rule.clone()),
                    action: request.action,
                    to: vec![dst.peer()],
                    protocols: protocols.clone(),
                    ports: Vec::new(),
                    extra: Default::default(),
                }],
                ..ClusterPolicySpec::default()
            },
        )
    });
    let sides: Vec<(&str, (ClusterSubject, ClusterPolicySpec))> = match request.action {
        ClusterAction::Deny | ClusterAction::Pass => ingress_side
            .map(|s| ("", s))
            .or_else(|| egress_side.map(|s| ("", s)))
            .into_iter()
            .collect(),
        _ => match (ingress_side, egress_side) {
            (Some(i), Some(e)) => vec![("-egress", e), ("-ingress", i)],
            (Some(i), None) => vec![("", i)],
            (None, Some(e)) => vec![("", e)],
            (None, None) => Vec::new(),
        },
    };
    let priority = next_priority(design, request.tier);
    let mut outcome = GuardrailOutcome {
        policies: Vec::new(),
        rule,
    };
    for (suffix, (subject, spec)) in sides {
        let name = design.free_cluster_policy_name(&format!("{base}{suffix}"));
        let mut metadata = ObjectMeta::named(name, None);
        metadata.annotations = BTreeMap::from([(
            FLOW_ANNOTATION.to_owned(),
            format!("{} -> {}", request.from, request.to),
        )]);
        design.cluster_policies.push(ClusterPolicy {
            kind: ClusterPolicyKind::ClusterNetworkPolicy,
            metadata,
            spec: ClusterPolicySpec {
                tier: Some(request.tier),
                priority: Some(priority),
                subject,
                ..spec
            },
        });
        outcome.policies.push(design.cluster_policies.len() - 1);
    }
    Ok(outcome)
}

/// Removes the guardrails drawn for `key`; how many were removed.
pub(crate) fn remove_guardrails(design: &mut Design, key: &FlowKey) -> usize {
    let before = design.cluster_policies.len();
    design
        .cluster_policies
        .retain(|p| drawn(p).is_none_or(|(k, _)| k != *key));
    before - design.cluster_policies.len()
}
