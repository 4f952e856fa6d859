//! The enforced policies in Felix's evaluation order, over the lints' normalized view: Calico policies,
//! Kubernetes NetworkPolicies as Calico converts them, and the cluster-wide Kubernetes policies the
//! Calico release enforces, converted. Staged policies are set aside as not enforced.

use std::borrow::Cow;

use crate::eval::order::{Tiers, policy_cmp, tier_cmp};
use crate::eval::{Direction, PolicyKey};
use crate::lint::ResourceRef;
use crate::lint::context::keyed_cluster_policies;
use crate::model::{CalicoPolicy, PolicyType, ResourceSet, TierDefaultAction};

use super::DecidedBy;

/// One enforced policy, where evaluation meets it.
pub(super) struct Enforced {
    /// Index into [`View::set`]'s policies.
    pub index: usize,
    /// The tier's id (policies of one tier are adjacent).
    pub tier: usize,
    pub tier_name: String,
    pub tier_default: TierDefaultAction,
    /// The directions the policy applies to (its effective types).
    pub ingress: bool,
    pub egress: bool,
    /// The name as verdicts show it.
    pub name: String,
    pub namespace: Option<String>,
    /// The object as written.
    pub resource: ResourceRef,
}

impl Enforced {
    /// Whether the policy applies to `direction` (its effective types).
    pub fn applies_to(&self, direction: Direction) -> bool {
        match direction {
            Direction::Ingress => self.ingress,
            Direction::Egress => self.egress,
        }
    }

    /// The rule of this policy, named as a verdict names it.
    pub fn rule(&self, rule: usize) -> DecidedBy {
        DecidedBy {
            tier: self.tier_name.clone(),
            policy: self.name.clone(),
            namespace: self.namespace.clone(),
            rule,
            resource: self.resource.clone(),
        }
    }
}

/// The resources as coverage reads them.
pub(super) struct View<'r> {
    /// The lints' normalized view plus the converted cluster policies (at the end): borrowed when the
    /// release enforces no cluster policy, so the lints' context can serve coverage too.
    pub set: Cow<'r, ResourceSet>,
    /// The enforced policies, in evaluation order.
    pub enforced: Vec<Enforced>,
    /// The policies left out, one line each.
    pub not_enforced: Vec<String>,
}

impl<'r> View<'r> {
    /// The view of `resources`, given their normalized view (`lint::normalized_view`).
    pub fn new(resources: &ResourceSet, mut set: Cow<'r, ResourceSet>) -> View<'r> {
        // The view holds the Calico policies, then one converted policy per Kubernetes policy, in
        // order (`lint::normalized_view`); the cluster policies are appended here.
        let mut origins: Vec<(PolicyKey, ResourceRef)> = resources
            .policies
            .iter()
            .map(|p| {
                let resource = ResourceRef {
                    kind: p.kind.as_str().to_owned(),
                    namespace: p.metadata.namespace.clone(),
                    name: p.metadata.name.clone(),
                };
                (PolicyKey::of_calico(p), resource)
            })
            .collect();
        origins.extend(resources.kubernetes_policies.iter().map(|k| {
            let resource = ResourceRef {
                kind: if k.staged {
                    "StagedKubernetesNetworkPolicy"
                } else {
                    "NetworkPolicy"
                }
                .to_owned(),
                namespace: k.metadata.namespace.clone(),
                name: k.metadata.name.clone(),
            };
            (PolicyKey::of_kubernetes(k), resource)
        }));
        for (key, policy) in keyed_cluster_policies(resources) {
            let kind = key
                .kind
                .cluster_kind()
                .map_or("ClusterNetworkPolicy", |k| k.as_str());
            let resource = ResourceRef {
                kind: kind.to_owned(),
                namespace: None,
                name: key.name.clone(),
            };
            origins.push((key, resource));
            set.to_mut().policies.push(policy);
        }
        let mut tiers = Tiers::new(&resources.tiers);
        let mut enforced = Vec::new();
        let mut not_enforced = Vec::new();
        for (index, ((key, resource), policy)) in origins.into_iter().zip(&set.policies).enumerate()
        {
            if key.kind.is_staged() {
                not_enforced.push(format!(
                    "{} is staged: Calico does not enforce it",
                    describe(&resource)
                ));
                continue;
            }
            let tier = tiers.id(policy.tier());
            let info = tiers.get(tier);
            let types = policy.spec.effective_types();
            enforced.push((
                key,
                Enforced {
                    index,
                    tier,
                    tier_name: policy.tier().to_owned(),
                    tier_default: info.map_or(TierDefaultAction::Deny, |t| t.default_action),
                    ingress: types.contains(&PolicyType::Ingress),
                    egress: types.contains(&PolicyType::Egress),
                    name: String::new(),
                    namespace: None,
                    resource,
                },
            ));
        }
        enforced.sort_by(|(ka, a), (kb, b)| {
            let (pa, pb) = (&set.policies[a.index], &set.policies[b.index]);
            match (tiers.get(a.tier), tiers.get(b.tier)) {
                (Some(ta), Some(tb)) => tier_cmp(ta, tb),
                _ => a.tier.cmp(&b.tier),
            }
            .then_with(|| {
                policy_cmp(
                    (pa.spec.order, &ka.tie_key()),
                    (pb.spec.order, &kb.tie_key()),
                )
            })
        });
        let enforced = enforced
            .into_iter()
            .map(|(key, mut e)| {
                e.name = key.display_name();
                e.namespace = key.namespace.clone();
                e
            })
            .collect();
        View {
            set,
            enforced,
            not_enforced,
        }
    }

    /// The policy of an enforced entry.
    pub fn policy(&self, e: &Enforced) -> &CalicoPolicy {
        &self.set.policies[e.index]
    }
}

/// `GlobalNetworkPolicy allow-all`, `NetworkPolicy shop/web`.
pub(super) fn describe(r: &ResourceRef) -> String {
    match &r.namespace {
        Some(ns) => format!("{} {ns}/{}", r.kind, r.name),
        None => format!("{} {}", r.kind, r.name),
    }
}
