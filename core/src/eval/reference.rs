//! A deliberately straightforward evaluator, for tests only: per flow it computes the effective labels,
//! collects and sorts the selecting policies and walks them rule by rule, without interning, bit sets
//! or precomputed chains. The compiled [`super::Evaluator`] must agree with it on every flow.

use ipnet::IpNet;

use super::endpoint::{
    Entity, SetEntity, addresses, effective_labels, peer_entities, set_entities,
};
use super::matching::{
    dst_ports_match, flow_family, identity_matches, protocol_matches, rule_renders_for,
    src_ports_match,
};
use super::normalize::{NormPolicy, NormRule, PolicyKey, normalize_all};
use super::order::{Tiers, policy_cmp, tier_cmp};
use super::{DecidedBy, Direction, Endpoint, Evaluator, Verdict};
use crate::model::{Action, Protocol, ResourceSet, TierDefaultAction};

/// What decided one side, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefDecided {
    Rule {
        policy: PolicyKey,
        rule: u32,
        action: Action,
    },
    EndOfTier {
        tier: String,
    },
    Profile,
    None,
}

impl RefDecided {
    /// What the compiled evaluator `ev` says decided a side, by name, to compare with the reference.
    /// A policy the evaluator cannot name reads as `None`, so the comparison fails on it.
    pub fn of_compiled(ev: &Evaluator, decided: &DecidedBy) -> RefDecided {
        match *decided {
            DecidedBy::Rule {
                policy,
                rule,
                action,
            } => match ev.policy_key(policy) {
                Some(policy) => RefDecided::Rule {
                    policy: policy.clone(),
                    rule,
                    action,
                },
                None => RefDecided::None,
            },
            DecidedBy::EndOfTier { tier } => RefDecided::EndOfTier {
                tier: ev.tier_name(tier).unwrap_or_default().to_owned(),
            },
            DecidedBy::Profile => RefDecided::Profile,
            DecidedBy::None => RefDecided::None,
        }
    }
}

/// The reference verdict of a flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefVerdict {
    pub verdict: Verdict,
    pub egress: (Verdict, RefDecided),
    pub ingress: (Verdict, RefDecided),
    /// With staged policies, when a staged policy selects either end.
    pub staged: Option<Verdict>,
}

/// The reference evaluator.
pub struct Reference {
    policies: Vec<NormPolicy>,
    tiers: Tiers,
    sets: Vec<SetEntity>,
    pod_range: Vec<IpNet>,
}

struct Peer<'a> {
    endpoint: &'a Endpoint,
    entity: Option<Entity>,
}

impl Reference {
    /// Policies that fail to compile are left out (as [`super::Evaluator::build`] does).
    pub fn new(resources: &ResourceSet) -> Reference {
        let (policies, _) = normalize_all(resources);
        let mut tiers = Tiers::new(&resources.tiers);
        for p in &policies {
            tiers.id(&p.tier);
        }
        Reference {
            policies,
            tiers,
            sets: set_entities(resources),
            pod_range: crate::model::pod_range(&resources.ip_pools),
        }
    }

    /// The verdict of one flow.
    pub fn evaluate(
        &self,
        src: &Endpoint,
        dst: &Endpoint,
        protocol: Protocol,
        port: Option<u16>,
    ) -> RefVerdict {
        let src = Peer {
            endpoint: src,
            entity: entity(src),
        };
        let dst = Peer {
            endpoint: dst,
            entity: entity(dst),
        };
        let egress = self.side(&src, &src, &dst, Direction::Egress, false, protocol, port);
        let ingress = self.side(&dst, &src, &dst, Direction::Ingress, false, protocol, port);
        let staged_selects = self.selects_staged(&src, Direction::Egress)
            || self.selects_staged(&dst, Direction::Ingress);
        let staged = staged_selects.then(|| {
            let e = self.side(&src, &src, &dst, Direction::Egress, true, protocol, port);
            let i = self.side(&dst, &src, &dst, Direction::Ingress, true, protocol, port);
            e.0.and(i.0)
        });
        RefVerdict {
            verdict: egress.0.and(ingress.0),
            egress,
            ingress,
            staged,
        }
    }

    fn selects_staged(&self, own: &Peer<'_>, direction: Direction) -> bool {
        let Some(e) = &own.entity else { return false };
        self.policies
            .iter()
            .any(|p| p.staged() && p.rules(direction).is_some() && p.applies.matches(&e.labels))
    }

    #[allow(clippy::too_many_arguments)]
    fn side(
        &self,
        own: &Peer<'_>,
        src: &Peer<'_>,
        dst: &Peer<'_>,
        direction: Direction,
        staged: bool,
        protocol: Protocol,
        port: Option<u16>,
    ) -> (Verdict, RefDecided) {
        let Some(own_entity) = &own.entity else {
            return (Verdict::Allow, RefDecided::None);
        };
        let mut selected: Vec<&NormPolicy> = self
            .policies
            .iter()
            .filter(|p| {
                (staged || !p.staged())
                    && p.rules(direction).is_some()
                    && p.applies.matches(&own_entity.labels)
            })
            .collect();
        let tier_of = |p: &NormPolicy| self.tiers.list.iter().find(|t| t.name == p.tier);
        selected.sort_by(|a, b| {
            let tiers = match (tier_of(a), tier_of(b)) {
                (Some(ta), Some(tb)) => tier_cmp(ta, tb),
                _ => std::cmp::Ordering::Equal,
            };
            tiers.then_with(|| policy_cmp((a.order, &a.key.tie_key()), (b.order, &b.key.tie_key())))
        });
        let mut i = 0;
        while i < selected.len() {
            let tier = selected[i].tier.clone();
            let mut passed = false;
            while i < selected.len() && selected[i].tier == tier {
                let p = selected[i];
                i += 1;
                if passed {
                    continue;
                }
                for (index, rule) in p.rules(direction).unwrap_or(&[]).iter().enumerate() {
                    if !self.rule_matches(rule, src, dst, protocol, port) {
                        continue;
                    }
                    let decided = RefDecided::Rule {
                        policy: p.key.clone(),
                        rule: index as u32,
                        action: rule.action,
                    };
                    match rule.action {
                        Action::Log => {}
                        Action::Allow => return (Verdict::Allow, decided),
                        Action::Deny => return (Verdict::Deny, decided),
                        Action::Pass => {
                            passed = true;
                            break;
                        }
                    }
                }
            }
            let default_action = self
                .tiers
                .list
                .iter()
                .find(|t| t.name == tier)
                .map_or(TierDefaultAction::Deny, |t| t.default_action);
            if !passed && default_action == TierDefaultAction::Deny {
                return (Verdict::Deny, RefDecided::EndOfTier { tier });
            }
        }
        (Verdict::Allow, RefDecided::Profile)
    }

    fn rule_matches(
        &self,
        rule: &NormRule,
        src: &Peer<'_>,
        dst: &Peer<'_>,
        protocol: Protocol,
        port: Option<u16>,
    ) -> bool {
        let src_net = addresses(src.endpoint, &self.pod_range);
        let dst_net = addresses(dst.endpoint, &self.pod_range);
        let protocol = protocol.number();
        if rule.unsupported.is_some()
            || !rule_renders_for(rule, flow_family(&src_net, &dst_net))
            || !src_ports_match(&rule.src)
        {
            return false;
        }
        if !protocol_matches(&rule.l4, protocol) {
            return false;
        }
        let src_entities = peer_entities(src.entity.as_ref(), &src_net, &self.sets);
        let dst_entities = peer_entities(dst.entity.as_ref(), &dst_net, &self.sets);
        if !identity_matches(&rule.src, &src_entities, &src_net)
            || !identity_matches(&rule.dst, &dst_entities, &dst_net)
        {
            return false;
        }
        let named = |name: &str| {
            let (Some(entity), Some(w)) = (&dst.entity, dst.endpoint.as_workload()) else {
                return false;
            };
            rule.dst.positive.as_ref().is_none_or(|p| p.matches(entity))
                && w.ports.iter().any(|p| {
                    p.name.as_deref() == Some(name)
                        && p.protocol.number() == protocol
                        && Some(p.port) == port
                })
        };
        dst_ports_match(&rule.dst.ports, &rule.dst.not_ports, protocol, port, &named)
    }
}

fn entity(endpoint: &Endpoint) -> Option<Entity> {
    endpoint.as_workload().map(|w| Entity {
        labels: effective_labels(w),
        namespaced: true,
    })
}
