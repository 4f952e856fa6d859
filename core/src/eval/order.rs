//! Tier and policy order, as Felix's `calc/policy_sorter.go` (`TierLess`, `PolKVLess`) sorts them
//! (`calico-semantics.md` §6).

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::model::{
    ADMIN_NETWORK_POLICY_TIER, BASELINE_ADMIN_NETWORK_POLICY_TIER, DEFAULT_TIER, KUBE_ADMIN_TIER,
    KUBE_BASELINE_TIER, Tier, TierDefaultAction,
};

/// One tier as the evaluator sees it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TierInfo {
    pub name: String,
    pub order: Option<f64>,
    pub default_action: TierDefaultAction,
    /// Declared (or built in). Policies may name a tier that does not exist: Felix sorts such a
    /// tier after every valid one.
    pub valid: bool,
}

/// Calico's built-in tiers: `default` (order 1,000,000, Deny), `kube-admin` (1,000, Pass) and
/// `kube-baseline` (10,000,000, Pass) of 3.32, and 3.29–3.31's `adminnetworkpolicy` (1,000, Pass)
/// and `baselineadminnetworkpolicy` (10,000,000, Pass). A tier matters only when a policy is in it.
const BUILT_IN: [(&str, f64, TierDefaultAction); 5] = [
    (DEFAULT_TIER, 1_000_000.0, TierDefaultAction::Deny),
    (KUBE_ADMIN_TIER, 1_000.0, TierDefaultAction::Pass),
    (KUBE_BASELINE_TIER, 10_000_000.0, TierDefaultAction::Pass),
    (ADMIN_NETWORK_POLICY_TIER, 1_000.0, TierDefaultAction::Pass),
    (
        BASELINE_ADMIN_NETWORK_POLICY_TIER,
        10_000_000.0,
        TierDefaultAction::Pass,
    ),
];

/// The tiers known to an evaluator, by id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tiers {
    pub list: Vec<TierInfo>,
    by_name: HashMap<String, usize>,
}

impl Tiers {
    /// The declared tiers plus the built-in ones (a declared built-in keeps its declared action and,
    /// when it gives one, its order).
    pub fn new(declared: &[Tier]) -> Tiers {
        let mut tiers = Tiers::default();
        for (name, order, action) in BUILT_IN {
            tiers.insert(TierInfo {
                name: name.to_owned(),
                order: Some(order),
                default_action: action,
                valid: true,
            });
        }
        for tier in declared {
            let name = tier.metadata.name.clone();
            let builtin_order = BUILT_IN.iter().find(|b| b.0 == name).map(|b| b.1);
            tiers.insert(TierInfo {
                order: tier.spec.order.or(builtin_order),
                default_action: tier.default_action(),
                valid: true,
                name,
            });
        }
        tiers
    }

    fn insert(&mut self, info: TierInfo) -> usize {
        if let Some(&id) = self.by_name.get(&info.name) {
            self.list[id] = info;
            return id;
        }
        self.list.push(info);
        let id = self.list.len() - 1;
        self.by_name.insert(self.list[id].name.clone(), id);
        id
    }

    /// The id of a tier, adding an invalid (undeclared) tier when needed.
    pub fn id(&mut self, name: &str) -> usize {
        match self.by_name.get(name) {
            Some(&id) => id,
            None => self.insert(TierInfo {
                name: name.to_owned(),
                order: None,
                default_action: TierDefaultAction::Deny,
                valid: false,
            }),
        }
    }

    pub fn get(&self, id: usize) -> Option<&TierInfo> {
        self.list.get(id)
    }
}

/// `TierLess`: valid tiers first, then by order (nil = after every ordered tier), then by name.
pub(crate) fn tier_cmp(a: &TierInfo, b: &TierInfo) -> Ordering {
    b.valid
        .cmp(&a.valid)
        .then_with(|| order_cmp(a.order, b.order))
        .then_with(|| a.name.cmp(&b.name))
}

/// Orders ascending with nil as +∞.
pub(crate) fn order_cmp(a: Option<f64>, b: Option<f64>) -> Ordering {
    a.unwrap_or(f64::INFINITY)
        .total_cmp(&b.unwrap_or(f64::INFINITY))
}

/// `PolKVLess` (v3.32): by order, nil last, ties by `name/namespace/kind`.
pub(crate) fn policy_cmp(a: (Option<f64>, &str), b: (Option<f64>, &str)) -> Ordering {
    order_cmp(a.0, b.0).then_with(|| a.1.cmp(b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_sort_by_validity_order_and_name() {
        let t = |name: &str, order: Option<f64>, valid| TierInfo {
            name: name.into(),
            order,
            default_action: TierDefaultAction::Deny,
            valid,
        };
        let mut list = [
            t("zzz", None, false),
            t("b", None, true),
            t("default", Some(1e6), true),
            t("a", None, true),
            t("sec", Some(10.0), true),
        ];
        list.sort_by(tier_cmp);
        let names: Vec<&str> = list.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["sec", "default", "a", "b", "zzz"]);
    }

    #[test]
    fn policy_ties_break_on_name_namespace_kind() {
        assert_eq!(
            policy_cmp(
                (Some(1.0), "b//GlobalNetworkPolicy"),
                (None, "a//GlobalNetworkPolicy")
            ),
            Ordering::Less
        );
        assert_eq!(
            policy_cmp(
                (Some(1.0), "a/ns/NetworkPolicy"),
                (Some(1.0), "a/ns/KubernetesNetworkPolicy")
            ),
            Ordering::Greater
        );
        assert_eq!(policy_cmp((None, "a"), (None, "b")), Ordering::Less);
    }
}
