//! Creating, duplicating and deleting policies, and deleting tiers: the board's and the editor's
//! "New", "Duplicate" and "Delete". A tier that still holds policies is never deleted silently: the
//! caller says whether its policies move to another tier or go with it.

use crate::design::Design;
use crate::model::{
    CalicoPolicy, CalicoPolicyKind, ClusterPolicy, ClusterPolicyKind, ClusterPolicySpec,
    ClusterSubject, ClusterTier, LabelSelector, ObjectMeta, PolicySpec,
};

use super::{BoardError, PolicyRef, is_built_in};

/// `base`, `base-2`, `base-3`, …: the first for which `taken` is false.
fn free_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|name| !taken(name))
        .unwrap_or_else(|| base.to_owned())
}

/// A name no Calico policy of `namespace` (`None`: the global kinds) has yet.
fn free_calico_name(design: &Design, namespace: Option<&str>, base: &str) -> String {
    free_name(base, |name| {
        design
            .policies
            .iter()
            .any(|p| p.metadata.namespace.as_deref() == namespace && p.metadata.name == name)
    })
}

/// Adds a new, empty policy to `tier`, after the tier's other policies, and returns where it is.
/// It is a `StagedGlobalNetworkPolicy`: an empty policy that selects every endpoint would otherwise
/// send all their traffic to the end of the tier; staged, it changes no verdict until the user clears
/// "Staged" (the form says so).
pub fn new_policy(design: &mut Design, tier: &str) -> PolicyRef {
    let name = free_calico_name(design, None, "new-policy");
    let order = design.highest_order(tier) + super::ORDER_GAP;
    design.policies.push(CalicoPolicy {
        kind: CalicoPolicyKind::StagedGlobalNetworkPolicy,
        metadata: ObjectMeta::named(name, None),
        spec: PolicySpec {
            tier: Some(tier.to_owned()),
            order: Some(order),
            ..PolicySpec::default()
        },
    });
    PolicyRef::Calico(design.policies.len() - 1)
}

/// Adds a new, empty ClusterNetworkPolicy in the admin tier (no rules: it decides nothing until it
/// gets one) and returns where it is.
pub fn new_cluster_policy(design: &mut Design) -> PolicyRef {
    let name = design.free_cluster_policy_name("new-cluster-policy");
    let priority = design
        .cluster_policies
        .iter()
        .filter_map(|p| p.spec.priority)
        .max()
        .map_or(100, |p| (p + 10).min(1000));
    design.cluster_policies.push(ClusterPolicy {
        kind: ClusterPolicyKind::ClusterNetworkPolicy,
        metadata: ObjectMeta::named(name, None),
        spec: ClusterPolicySpec {
            tier: Some(ClusterTier::Admin),
            priority: Some(priority),
            subject: ClusterSubject {
                namespaces: Some(LabelSelector::default()),
                ..ClusterSubject::default()
            },
            ..ClusterPolicySpec::default()
        },
    });
    PolicyRef::Cluster(design.cluster_policies.len() - 1)
}

/// Adds a copy of `policy` named `<name>-copy` (or `-copy-2`, …) and returns where it is; `None` when
/// `policy` is not a Calico or cluster policy of the design.
pub fn duplicate_policy(design: &mut Design, policy: PolicyRef) -> Option<PolicyRef> {
    match policy {
        PolicyRef::Calico(i) => {
            let mut copy = design.policies.get(i)?.clone();
            let base = format!("{}-copy", copy.metadata.name);
            copy.metadata.name =
                free_calico_name(design, copy.metadata.namespace.as_deref(), &base);
            design.policies.push(copy);
            Some(PolicyRef::Calico(design.policies.len() - 1))
        }
        PolicyRef::Cluster(i) => {
            let mut copy = design.cluster_policies.get(i)?.clone();
            let base = format!("{}-copy", copy.metadata.name);
            copy.metadata.name = free_name(&base, |name| {
                design
                    .cluster_policies
                    .iter()
                    .any(|p| p.kind == copy.kind && p.metadata.name == name)
            });
            design.cluster_policies.push(copy);
            Some(PolicyRef::Cluster(design.cluster_policies.len() - 1))
        }
        PolicyRef::Kubernetes(_) => None,
    }
}

/// Removes `policy` from the design; false when there is no such policy.
pub fn delete_policy(design: &mut Design, policy: PolicyRef) -> bool {
    match policy {
        PolicyRef::Calico(i) if i < design.policies.len() => {
            design.policies.remove(i);
            true
        }
        PolicyRef::Cluster(i) if i < design.cluster_policies.len() => {
            design.cluster_policies.remove(i);
            true
        }
        PolicyRef::Kubernetes(i) if i < design.kubernetes_policies.len() => {
            design.kubernetes_policies.remove(i);
            true
        }
        _ => false,
    }
}

/// What becomes of the policies of a tier being deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TierPolicies {
    /// Delete the tier only when it holds no policy.
    Refuse,
    /// Move them to this tier (placed after its own policies), then delete the tier.
    MoveTo(String),
    /// Delete them with the tier.
    DeleteThem,
}

/// How many Calico policies name `tier`.
pub fn policies_in_tier(design: &Design, tier: &str) -> usize {
    design.policies.iter().filter(|p| p.tier() == tier).count()
}

/// Deletes the tier `name` (declared, or only named by policies) and returns how many policies
/// `then` moved or deleted. Built-in tiers cannot be deleted.
pub fn delete_tier(
    design: &mut Design,
    name: &str,
    then: TierPolicies,
) -> Result<usize, BoardError> {
    if is_built_in(name) {
        return Err(BoardError::BuiltInTier(name.to_owned()));
    }
    let declared = design.tiers.iter().any(|t| t.metadata.name == name);
    let count = policies_in_tier(design, name);
    if !declared && count == 0 {
        return Err(BoardError::UnknownTier(name.to_owned()));
    }
    match &then {
        TierPolicies::Refuse if count > 0 => {
            return Err(BoardError::TierNotEmpty {
                tier: name.to_owned(),
                policies: count,
            });
        }
        TierPolicies::MoveTo(target) if target == name => {
            return Err(BoardError::TierNotEmpty {
                tier: name.to_owned(),
                policies: count,
            });
        }
        TierPolicies::MoveTo(target)
            if !is_built_in(target) && !design.tiers.iter().any(|t| &t.metadata.name == target) =>
        {
            return Err(BoardError::UnknownTier(target.clone()));
        }
        TierPolicies::MoveTo(target) => {
            let mut next = design.highest_order(target);
            for policy in design.policies.iter_mut().filter(|p| p.tier() == name) {
                next += super::ORDER_GAP;
                policy.spec.tier = Some(target.clone());
                policy.spec.order = Some(next);
            }
        }
        TierPolicies::DeleteThem => design.policies.retain(|p| p.tier() != name),
        TierPolicies::Refuse => {}
    }
    design.tiers.retain(|t| t.metadata.name != name);
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::columns;
    use crate::design::sample;

    fn tier_of(design: &Design, name: &str) -> Vec<String> {
        columns(design)
            .into_iter()
            .find(|c| c.name == name)
            .map(|c| c.cards.into_iter().map(|c| c.display_name).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_new_policy_is_staged_last_in_its_tier_and_valid() {
        let mut design = sample();
        let before = tier_of(&design, "platform");
        let at = new_policy(&mut design, "platform");
        let after = tier_of(&design, "platform");
        assert_eq!(after.len(), before.len() + 1);
        assert_eq!(after.last().map(String::as_str), Some("staged:new-policy"));
        let PolicyRef::Calico(i) = at else {
            panic!("{at:?}")
        };
        let diagnostics = crate::yaml::check_calico_policy("p.yaml", &design.policies[i]);
        assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
        new_policy(&mut design, "platform");
        assert_eq!(
            tier_of(&design, "platform").last().map(String::as_str),
            Some("staged:new-policy-2")
        );
        let at = new_cluster_policy(&mut design);
        let PolicyRef::Cluster(i) = at else {
            panic!("{at:?}")
        };
        let diagnostics = crate::yaml::check_cluster_policy("p.yaml", &design.cluster_policies[i]);
        assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
    }

    #[test]
    fn duplicates_get_a_free_name_and_deletes_remove() {
        let mut design = sample();
        let name = design.policies[0].metadata.name.clone();
        let copy = duplicate_policy(&mut design, PolicyRef::Calico(0)).unwrap();
        let again = duplicate_policy(&mut design, PolicyRef::Calico(0)).unwrap();
        let name_of = |d: &Design, r| match r {
            PolicyRef::Calico(i) => d.policies[i].metadata.name.clone(),
            _ => String::new(),
        };
        assert_eq!(name_of(&design, copy), format!("{name}-copy"));
        assert_eq!(name_of(&design, again), format!("{name}-copy-2"));
        let count = design.policies.len();
        assert!(delete_policy(&mut design, copy));
        assert_eq!(design.policies.len(), count - 1);
        assert!(!delete_policy(&mut design, PolicyRef::Calico(999)));
    }

    #[test]
    fn a_tier_with_policies_is_never_emptied_silently() {
        let mut design = sample();
        let held = policies_in_tier(&design, "platform");
        assert!(held > 0);
        let err = delete_tier(&mut design, "platform", TierPolicies::Refuse).unwrap_err();
        assert!(err.to_string().contains("holds"), "{err}");
        assert_eq!(design, sample());
        let total = design.policies.len();
        let target = columns(&design)
            .into_iter()
            .map(|c| c.name)
            .find(|n| n != "platform" && !is_built_in(n))
            .unwrap();
        let target_before = policies_in_tier(&design, &target);
        assert_eq!(
            delete_tier(
                &mut design,
                "platform",
                TierPolicies::MoveTo(target.clone())
            ),
            Ok(held)
        );
        assert_eq!(design.policies.len(), total);
        assert_eq!(policies_in_tier(&design, &target), target_before + held);
        assert!(!design.tiers.iter().any(|t| t.metadata.name == "platform"));

        let mut design = sample();
        assert_eq!(
            delete_tier(&mut design, "platform", TierPolicies::DeleteThem),
            Ok(held)
        );
        assert_eq!(design.policies.len(), total - held);
        assert!(delete_tier(&mut design, "default", TierPolicies::DeleteThem).is_err());

        let mut design = sample();
        crate::board::add_tier(&mut design, "empty").unwrap();
        assert_eq!(
            delete_tier(&mut design, "empty", TierPolicies::Refuse),
            Ok(0)
        );
        assert_eq!(design, sample());
    }
}
