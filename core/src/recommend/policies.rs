//! The recommended rules written as Calico policies: per (namespace, group, tier) one policy with its
//! ingress and egress rules, ports merged into ranges where asked, and the baseline's scope.

use std::collections::{BTreeMap, BTreeSet};

use crate::board::ORDER_GAP;
use crate::design::Design;
use crate::model::vocabulary::annotations::FLOW_ANNOTATION;
use crate::model::vocabulary::namespaces::is_system_namespace;
use crate::model::{
    Action, CalicoPolicy, CalicoPolicyKind, EntityRule, ObjectMeta, PolicySpec, PolicyType, Port,
    Protocol, Rule, RuleMetadata, Tier, TierDefaultAction,
};

use super::{APPLICATION_TIER, NAMESPACE_NAME_LABEL, PLATFORM_TIER, RecommendOptions, Widening};

/// The rules of one policy, by direction.
#[derive(Debug, Default)]
pub(super) struct Sides {
    pub(super) ingress: RuleSet,
    pub(super) egress: RuleSet,
}

/// Rules by (peer, protocol).
#[derive(Debug, Default)]
pub(super) struct RuleSet(pub(super) BTreeMap<(String, Protocol), RuleAcc>);

#[derive(Debug)]
pub(super) struct RuleAcc {
    pub(super) peer: EntityRule,
    pub(super) ports: BTreeSet<u16>,
    pub(super) all_ports: bool,
    pub(super) annotation: String,
    /// The rule's ends as the proof names them (`ns/name`, a set, or `namespace/ns`).
    pub(super) from: String,
    pub(super) to: String,
}

impl RuleSet {
    pub(super) fn add(
        &mut self,
        key: (String, Protocol),
        peer: EntityRule,
        (ports, all_ports): (&BTreeSet<u16>, bool),
        annotation: &str,
        (from, to): (String, String),
    ) {
        let acc = self.0.entry(key).or_insert_with(|| RuleAcc {
            peer,
            ports: BTreeSet::new(),
            all_ports: false,
            annotation: annotation.to_owned(),
            from,
            to,
        });
        acc.ports.extend(ports.iter().copied());
        acc.all_ports |= all_ports;
    }
}

pub(super) fn ensure_tier(design: &mut Design, name: &str, order: f64) {
    if design.tiers.iter().any(|t| t.metadata.name == name) {
        return;
    }
    let mut tier = Tier::new(name, Some(order));
    tier.spec.default_action = Some(TierDefaultAction::Pass);
    design.tiers.push(tier);
}

pub(super) fn write_policies(
    design: &mut Design,
    policies: &BTreeMap<(String, String, String), Sides>,
    selectors: &BTreeMap<(String, String), String>,
    options: &RecommendOptions,
    widenings: &mut BTreeSet<Widening>,
) {
    let mut next_order: BTreeMap<String, f64> = BTreeMap::new();
    for tier in [PLATFORM_TIER, APPLICATION_TIER] {
        let last = design.highest_order(tier);
        next_order.insert(tier.to_owned(), last + ORDER_GAP);
    }
    // Platform first, then application; within a tier by namespace and group.
    let mut keys: Vec<&(String, String, String)> = policies.keys().collect();
    keys.sort_by_key(|(ns, group, tier)| (tier != PLATFORM_TIER, ns.clone(), group.clone()));
    for key in keys {
        let (ns, group, tier) = key;
        let Some(sides) = policies.get(key) else {
            continue;
        };
        let base = if tier == PLATFORM_TIER {
            format!("{PLATFORM_TIER}-{group}")
        } else {
            group.clone()
        };
        let name = design.free_policy_name(ns, &base);
        let order = next_order.get(tier).copied().unwrap_or(ORDER_GAP);
        next_order.insert(tier.clone(), order + ORDER_GAP);
        let mut types = Vec::new();
        if !sides.ingress.0.is_empty() {
            types.push(PolicyType::Ingress);
        }
        if !sides.egress.0.is_empty() {
            types.push(PolicyType::Egress);
        }
        design.policies.push(CalicoPolicy {
            kind: if options.staged {
                CalicoPolicyKind::StagedNetworkPolicy
            } else {
                CalicoPolicyKind::NetworkPolicy
            },
            metadata: ObjectMeta::named(name, Some(ns)),
            spec: PolicySpec {
                tier: Some(tier.clone()),
                order: Some(order),
                selector: selectors.get(&(ns.clone(), group.clone())).cloned(),
                types,
                ingress: rules(&sides.ingress, PolicyType::Ingress, options, widenings),
                egress: rules(&sides.egress, PolicyType::Egress, options, widenings),
                ..PolicySpec::default()
            },
        });
    }
}

/// The rules of one direction; ports are merged into a range past `merge_ports_after` (listed).
pub(super) fn rules(
    set: &RuleSet,
    direction: PolicyType,
    options: &RecommendOptions,
    widenings: &mut BTreeSet<Widening>,
) -> Vec<Rule> {
    set.0
        .iter()
        .map(|((_, protocol), acc)| {
            let mut rule = Rule::new(Action::Allow);
            rule.protocol = Some(*protocol);
            let merge = options
                .merge_ports_after
                .is_some_and(|n| acc.ports.len() > n);
            let ports: Vec<Port> = match (acc.ports.first(), acc.ports.last()) {
                _ if acc.all_ports => Vec::new(),
                (Some(&low), Some(&high)) if merge => {
                    widenings.insert(Widening::PortRange {
                        from: acc.from.clone(),
                        to: acc.to.clone(),
                        protocol: *protocol,
                        low,
                        high,
                        observed: acc.ports.iter().copied().collect(),
                    });
                    vec![Port::Range(low, high)]
                }
                _ => acc.ports.iter().map(|p| Port::Number(*p)).collect(),
            };
            match direction {
                PolicyType::Ingress => {
                    rule.source = acc.peer.clone();
                    rule.destination.ports = ports;
                }
                PolicyType::Egress => {
                    rule.destination = EntityRule {
                        ports,
                        ..acc.peer.clone()
                    };
                }
            }
            rule.metadata = Some(RuleMetadata {
                annotations: BTreeMap::from([(FLOW_ANNOTATION.to_owned(), acc.annotation.clone())]),
            });
            rule
        })
        .collect()
}

/// The default deny covers the scope's namespaces only (when a scope is given); staged, it is staged.
pub(super) fn scope_baseline(design: &mut Design, options: &RecommendOptions) {
    let Some(deny) = design.policies.iter_mut().find(|p| {
        p.metadata.name == "default-deny"
            && matches!(
                p.kind,
                CalicoPolicyKind::GlobalNetworkPolicy | CalicoPolicyKind::StagedGlobalNetworkPolicy
            )
    }) else {
        return;
    };
    if !options.namespaces.is_empty() {
        let quoted: Vec<String> = options
            .namespaces
            .iter()
            .filter(|ns| !is_system_namespace(ns))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|ns| format!("\"{ns}\""))
            .collect();
        deny.spec.namespace_selector = Some(format!(
            "{NAMESPACE_NAME_LABEL} in {{{}}}",
            quoted.join(", ")
        ));
    }
    if options.staged {
        deny.kind = CalicoPolicyKind::StagedGlobalNetworkPolicy;
    }
}
