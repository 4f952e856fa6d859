//! Drawing a flow: the egress rule on the source's side and the ingress rule on the destination's
//! side, each in the policy of the chosen tier that selects exactly that end (created when missing).
//!
//! An end outside the cluster (a network set, the world) has no policy side of its own: only the
//! other side gets a rule. Selectors come from the nodes' labels ([`super::identifying_labels`]); a
//! peer in another namespace is named by its namespace's `kubernetes.io/metadata.name`, a global
//! network set by `namespaceSelector: global()`.

use std::collections::BTreeMap;

use thiserror::Error;

use super::{FLOW_ANNOTATION, NodeKind, WORLD_NET, identifying_labels, nodes};
use crate::board::ORDER_GAP;
use crate::design::Design;
use crate::model::{
    Action, CalicoPolicy, CalicoPolicyKind, DEFAULT_TIER, EntityRule, ObjectMeta, PolicySpec,
    PolicyType, Port, Protocol, Rule, RuleMetadata,
};
use crate::selector::Selector;

/// The label Kubernetes puts on every namespace.
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// A flow to allow.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowRequest {
    /// Node ids (see [`super::nodes`]).
    pub from: String,
    pub to: String,
    pub protocol: Protocol,
    /// Destination ports; empty for every port (and for protocols without ports).
    pub ports: Vec<Port>,
    pub tier: String,
    /// Write staged policies (`StagedNetworkPolicy`) instead of enforced ones.
    pub staged: bool,
}

/// Where the rules went: indices into `design.policies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DrawOutcome {
    pub egress: Option<usize>,
    pub ingress: Option<usize>,
}

/// A flow that cannot be drawn; the design is left unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DrawError {
    #[error("there is no node `{0}` on the canvas")]
    UnknownNode(String),
    #[error("a flow needs two different ends")]
    SameNode,
    #[error("neither end is in the cluster: no policy can allow this flow")]
    NoPolicySide,
    #[error("there is no tier named `{0}`")]
    UnknownTier(String),
    #[error("{0} has no ports; leave the ports empty")]
    PortsWithoutPorts(String),
    #[error("`{0}` has no labels to select it by")]
    NoLabels(String),
    #[error("there is no drawn flow {0}")]
    UnknownFlow(String),
    #[error("{0}")]
    GuardrailNotEnforced(String),
    #[error(
        "a ClusterNetworkPolicy names TCP, UDP or SCTP ports, not {0}: draw it as a Calico policy"
    )]
    GuardrailProtocol(String),
    #[error(
        "a ClusterNetworkPolicy rule accepts, denies or passes; `{0}` is the AdminNetworkPolicy word"
    )]
    GuardrailAction(String),
    #[error(
        "`{0}` is outside the cluster: a ClusterNetworkPolicy's ingress peers are namespaces or pods, so a flow from outside cannot be a guardrail; draw it as a Calico policy"
    )]
    GuardrailFromOutside(String),
    #[error(
        "a named port cannot be combined with addresses in a ClusterNetworkPolicy rule: give port numbers"
    )]
    GuardrailNamedPortOutside,
}

/// One end as a policy sees it.
struct End {
    kind: NodeKind,
    namespace: Option<String>,
    name: String,
    /// `key == "value" && …` from the node's labels (`None` for the world or an unlabelled set).
    selector: Option<String>,
    nets: Vec<String>,
}

fn selector_for(pairs: &[(&str, &str)]) -> Option<String> {
    if pairs.is_empty() {
        return None;
    }
    let parts: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k} == \"{v}\""))
        .collect();
    Some(parts.join(" && "))
}

fn end(design: &Design, id: &str) -> Result<End, DrawError> {
    let node = nodes(design)
        .into_iter()
        .find(|n| n.id == id)
        .ok_or_else(|| DrawError::UnknownNode(id.to_owned()))?;
    let selector = match node.kind {
        NodeKind::Workload | NodeKind::Dns => Some(
            selector_for(&identifying_labels(design, &node.labels))
                .ok_or_else(|| DrawError::NoLabels(node.label.clone()))?,
        ),
        NodeKind::NetworkSet => selector_for(
            &node
                .labels
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
        ),
        NodeKind::Namespace | NodeKind::World => None,
    };
    let nets = match node.kind {
        NodeKind::World => vec![WORLD_NET.to_owned()],
        NodeKind::NetworkSet if selector.is_none() => design
            .network_sets
            .iter()
            .find(|s| s.metadata.name == node.name && s.metadata.namespace == node.namespace)
            .map(|s| s.spec.nets.clone())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    Ok(End {
        kind: node.kind,
        namespace: node.namespace,
        name: node.name,
        selector,
        nets,
    })
}

impl End {
    /// The namespace and endpoint selector of a policy on this end, when it has a policy side.
    fn subject(&self) -> Option<(&str, String)> {
        match self.kind {
            NodeKind::Workload | NodeKind::Dns => {
                Some((self.namespace.as_deref()?, self.selector.clone()?))
            }
            NodeKind::Namespace => Some((self.namespace.as_deref()?, "all()".to_owned())),
            NodeKind::NetworkSet | NodeKind::World => None,
        }
    }

    /// This end as a rule peer in a policy of namespace `home`.
    fn peer(&self, home: &str) -> EntityRule {
        let other_namespace = |ns: &Option<String>| {
            ns.as_deref()
                .filter(|ns| *ns != home)
                .map(|ns| format!("{NAMESPACE_NAME_LABEL} == \"{ns}\""))
        };
        let mut peer = EntityRule::default();
        match self.kind {
            NodeKind::Workload | NodeKind::Dns => {
                peer.selector = self.selector.clone();
                peer.namespace_selector = other_namespace(&self.namespace);
            }
            NodeKind::Namespace => match other_namespace(&self.namespace) {
                Some(ns) => peer.namespace_selector = Some(ns),
                None => peer.selector = Some("all()".to_owned()),
            },
            NodeKind::NetworkSet => {
                if self.selector.is_some() {
                    peer.selector = self.selector.clone();
                    peer.namespace_selector = match &self.namespace {
                        None => Some("global()".to_owned()),
                        ns => other_namespace(ns),
                    };
                } else {
                    peer.nets = self.nets.clone();
                }
            }
            NodeKind::World => peer.nets = self.nets.clone(),
        }
        peer
    }
}

fn same_selector(a: &str, b: &str) -> bool {
    match (Selector::parse(a), Selector::parse(b)) {
        (Ok(a), Ok(b)) => a.canonical() == b.canonical(),
        _ => a.trim() == b.trim(),
    }
}

pub(crate) fn tier_exists(design: &Design, tier: &str) -> bool {
    tier == DEFAULT_TIER || design.tiers.iter().any(|t| t.metadata.name == tier)
}

/// Whether a rule matches every packet (a trailing Pass/Deny/Allow): drawn rules go before it.
fn is_catch_all(rule: &Rule) -> bool {
    rule.action != Action::Log
        && rule.protocol.is_none()
        && rule.not_protocol.is_none()
        && rule.icmp.is_none()
        && rule.not_icmp.is_none()
        && rule.source.is_empty()
        && rule.destination.is_empty()
}

/// The index of the policy of `tier` in `namespace` that selects exactly `selector`, created (after
/// the tier's last policy) when there is none.
fn policy_for(
    design: &mut Design,
    namespace: &str,
    selector: &str,
    base_name: &str,
    tier: &str,
    staged: bool,
) -> usize {
    let kind = if staged {
        CalicoPolicyKind::StagedNetworkPolicy
    } else {
        CalicoPolicyKind::NetworkPolicy
    };
    let found = design.policies.iter().position(|p| {
        p.kind == kind
            && p.metadata.namespace.as_deref() == Some(namespace)
            && p.tier() == tier
            && same_selector(p.spec.selector.as_deref().unwrap_or("all()"), selector)
    });
    if let Some(i) = found {
        return i;
    }
    let last = design.highest_order(tier);
    let name = design.free_policy_name(namespace, base_name);
    design.policies.push(CalicoPolicy {
        kind,
        metadata: ObjectMeta::named(name, Some(namespace)),
        spec: PolicySpec {
            tier: (tier != DEFAULT_TIER).then(|| tier.to_owned()),
            order: Some(last + ORDER_GAP),
            selector: Some(selector.to_owned()),
            ..PolicySpec::default()
        },
    });
    design.policies.len() - 1
}

/// Adds `rule` to policy `index` in `direction` (before a catch-all rule, unless an equal rule is
/// already there) and makes sure the policy applies to that direction.
fn add_rule(design: &mut Design, index: usize, direction: PolicyType, rule: Rule) {
    let Some(policy) = design.policies.get_mut(index) else {
        return;
    };
    let spec = &mut policy.spec;
    if !spec.types.is_empty() || spec.ingress.is_empty() && spec.egress.is_empty() {
        if spec.types.is_empty() {
            spec.types = spec.effective_types();
            // A new policy: only the direction it is drawn for.
            spec.types.retain(|t| *t == direction);
        }
        if !spec.types.contains(&direction) {
            spec.types.push(direction);
            spec.types.sort();
        }
    }
    let rules = match direction {
        PolicyType::Ingress => &mut spec.ingress,
        PolicyType::Egress => &mut spec.egress,
    };
    let unmarked = |r: &Rule| Rule {
        metadata: None,
        ..r.clone()
    };
    if rules.iter().any(|r| unmarked(r) == unmarked(&rule)) {
        return;
    }
    let at = rules.iter().position(is_catch_all).unwrap_or(rules.len());
    rules.insert(at, rule);
}

fn drawn_rule(request: &FlowRequest, source: EntityRule, mut destination: EntityRule) -> Rule {
    destination.ports = request.ports.clone();
    let mut rule = Rule::new(Action::Allow);
    rule.protocol = Some(request.protocol);
    rule.source = source;
    rule.destination = destination;
    rule.metadata = Some(RuleMetadata {
        annotations: BTreeMap::from([(
            FLOW_ANNOTATION.to_owned(),
            format!("{} -> {}", request.from, request.to),
        )]),
    });
    rule
}

/// Allows the flow `request` in `design`: an egress rule in the source's policy of the tier, an
/// ingress rule in the destination's. On error the design is unchanged.
pub fn add_flow(design: &mut Design, request: &FlowRequest) -> Result<DrawOutcome, DrawError> {
    if request.from == request.to {
        return Err(DrawError::SameNode);
    }
    if !tier_exists(design, &request.tier) {
        return Err(DrawError::UnknownTier(request.tier.clone()));
    }
    if !request.ports.is_empty() && !request.protocol.has_ports() {
        return Err(DrawError::PortsWithoutPorts(request.protocol.to_string()));
    }
    let src = end(design, &request.from)?;
    let dst = end(design, &request.to)?;
    let (src_side, dst_side) = (src.subject(), dst.subject());
    if src_side.is_none() && dst_side.is_none() {
        return Err(DrawError::NoPolicySide);
    }
    let mut outcome = DrawOutcome::default();
    if let Some((namespace, selector)) = src_side {
        let index = policy_for(
            design,
            namespace,
            &selector,
            &src.name,
            &request.tier,
            request.staged,
        );
        let rule = drawn_rule(request, EntityRule::default(), dst.peer(namespace));
        add_rule(design, index, PolicyType::Egress, rule);
        outcome.egress = Some(index);
    }
    if let Some((namespace, selector)) = dst_side {
        let index = policy_for(
            design,
            namespace,
            &selector,
            &dst.name,
            &request.tier,
            request.staged,
        );
        let rule = drawn_rule(request, src.peer(namespace), EntityRule::default());
        add_rule(design, index, PolicyType::Ingress, rule);
        outcome.ingress = Some(index);
    }
    Ok(outcome)
}
