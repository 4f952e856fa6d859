//! The policy board: the design's tiers in evaluation order, each with its policies in evaluation
//! order, and the board's edits (move a tier or a policy, add, rename, set a tier's default action;
//! `policies`: new, duplicate and delete policies, delete tiers; `rule_summary`: a rule in one line).
//!
//! Ordering is Felix's (`eval::order`): tiers by order (nil last) then name; policies by order (nil
//! last) then `name/namespace/kind`. Moving something reassigns order numbers with gaps of
//! [`ORDER_GAP`] so that the result is strictly increasing: no two policies end up with the same order
//! by accident. Calico's built-in tiers and Kubernetes policies have fixed orders; they stay put and
//! the others are numbered around them.

use std::cmp::Ordering;

use thiserror::Error;

use crate::design::Design;
use crate::eval::order::{Tiers, policy_cmp, tier_cmp};
use crate::eval::{PolicyKey, kubernetes_to_calico};
use crate::model::{
    ADMIN_NETWORK_POLICY_TIER, BASELINE_ADMIN_NETWORK_POLICY_TIER, ClusterSubject, DEFAULT_TIER,
    KUBE_ADMIN_TIER, KUBE_BASELINE_TIER, Tier, TierDefaultAction,
};
use crate::selector::Selector;

mod migrate_anp;
mod policies;
mod rule_summary;

pub use migrate_anp::{DesignMigration, has_admin_policies, migrate_admin_policies};
pub use policies::{
    TierPolicies, delete_policy, delete_tier, duplicate_policy, new_cluster_policy, new_policy,
    policies_in_tier,
};
pub use rule_summary::rule_summary;

/// The step between reassigned order numbers.
pub const ORDER_GAP: f64 = 100.0;

/// Which policy of the design a card shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyRef {
    /// `design.policies[i]`.
    Calico(usize),
    /// `design.kubernetes_policies[i]`.
    Kubernetes(usize),
    /// `design.cluster_policies[i]`: a ClusterNetworkPolicy, AdminNetworkPolicy or
    /// BaselineAdminNetworkPolicy.
    Cluster(usize),
}

/// One policy on the board.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyCard {
    pub policy: PolicyRef,
    /// The name as Calico shows it (`staged:` and `knp.default.` prefixes included).
    pub display_name: String,
    pub namespace: Option<String>,
    pub order: Option<f64>,
    /// The endpoint selector (for Kubernetes policies, the pod selector in Calico syntax).
    pub selector: String,
    pub ingress_rules: usize,
    pub egress_rules: usize,
    pub staged: bool,
    /// Kubernetes policies have a fixed order (1000) and cannot be moved; cluster policies are ordered
    /// by their `priority`, edited in the policy itself.
    pub fixed: bool,
    /// What the card must say besides: a cluster policy the design's Calico release does not enforce.
    pub note: Option<String>,
}

/// One tier on the board, with its policies in evaluation order.
#[derive(Debug, Clone, PartialEq)]
pub struct TierColumn {
    pub name: String,
    pub order: Option<f64>,
    pub default_action: TierDefaultAction,
    /// Declared in the design (or built in). An undeclared tier that policies name is shown last.
    pub valid: bool,
    /// Built-in tiers keep their order.
    pub fixed: bool,
    pub cards: Vec<PolicyCard>,
}

/// A board edit that could not be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum BoardError {
    #[error(
        "`{0}` is not a valid tier name: lowercase letters, digits and `-`, at most 63 characters"
    )]
    InvalidTierName(String),
    #[error("a tier named `{0}` already exists")]
    DuplicateTier(String),
    #[error("there is no tier named `{0}`")]
    UnknownTier(String),
    #[error("the built-in tier `{0}` cannot be renamed or moved")]
    BuiltInTier(String),
    #[error("tier `{tier}` already has a policy named `{name}` of that kind")]
    DuplicatePolicy { name: String, tier: String },
    #[error(
        "tier `{tier}` holds {policies} policies: move them to another tier or delete them with it"
    )]
    TierNotEmpty { tier: String, policies: usize },
}

/// Calico's built-in tiers, whose orders are fixed.
const BUILT_IN_TIERS: [&str; 5] = [
    DEFAULT_TIER,
    KUBE_ADMIN_TIER,
    KUBE_BASELINE_TIER,
    ADMIN_NETWORK_POLICY_TIER,
    BASELINE_ADMIN_NETWORK_POLICY_TIER,
];

fn is_built_in(tier: &str) -> bool {
    BUILT_IN_TIERS.contains(&tier)
}

/// The board of `design`: the declared tiers, the `default` tier and any tier a policy names, in
/// evaluation order (the built-in `kube-admin` and `kube-baseline` only when declared or used).
pub fn columns(design: &Design) -> Vec<TierColumn> {
    let mut tiers = Tiers::new(&design.tiers);
    let mut cards: Vec<(usize, PolicyCard, String)> = Vec::new();
    for (i, policy) in design.policies.iter().enumerate() {
        let key = PolicyKey::of_calico(policy);
        let tier = tiers.id(policy.tier());
        let card = PolicyCard {
            policy: PolicyRef::Calico(i),
            display_name: key.display_name(),
            namespace: key.namespace.clone(),
            order: policy.spec.order,
            selector: policy
                .spec
                .selector
                .clone()
                .unwrap_or_else(|| "all()".to_owned()),
            ingress_rules: policy.spec.ingress.len(),
            egress_rules: policy.spec.egress.len(),
            staged: policy.kind.is_staged(),
            fixed: false,
            note: None,
        };
        cards.push((tier, card, key.tie_key()));
    }
    for (i, policy) in design.kubernetes_policies.iter().enumerate() {
        let key = PolicyKey::of_kubernetes(policy);
        let spec = kubernetes_to_calico(policy);
        let tier = tiers.id(DEFAULT_TIER);
        let card = PolicyCard {
            policy: PolicyRef::Kubernetes(i),
            display_name: key.display_name(),
            namespace: key.namespace.clone(),
            order: spec.order,
            selector: spec.selector.clone().unwrap_or_else(|| "all()".to_owned()),
            ingress_rules: policy.spec.ingress.len(),
            egress_rules: policy.spec.egress.len(),
            staged: policy.staged,
            fixed: true,
            note: None,
        };
        cards.push((tier, card, key.tie_key()));
    }
    let version = design.calico_version.unwrap_or_default();
    for (i, policy) in design.cluster_policies.iter().enumerate() {
        // A ClusterNetworkPolicy without a tier is refused on import (and dropped by Calico).
        let Some(tier_name) = policy.calico_tier() else {
            continue;
        };
        let key = PolicyKey::of_cluster(policy);
        let note = (!version.enforces(policy.kind)).then(|| {
            let instead = if policy.kind.is_v1alpha1() {
                "migrate it to a ClusterNetworkPolicy"
            } else {
                "Calico 3.32 and later enforce it"
            };
            format!("Not enforced by Calico {version}: {instead}")
        });
        let card = PolicyCard {
            policy: PolicyRef::Cluster(i),
            display_name: key.display_name(),
            namespace: None,
            // Calico 3.32 orders a ClusterNetworkPolicy by its priority; 3.29–3.31 gave the
            // BaselineAdminNetworkPolicy order 1000.
            order: Some(f64::from(policy.spec.priority.unwrap_or(1000))),
            selector: subject_summary(&policy.spec.subject),
            ingress_rules: policy.spec.ingress.len(),
            egress_rules: policy.spec.egress.len(),
            staged: false,
            fixed: true,
            note,
        };
        cards.push((tiers.id(tier_name), card, key.tie_key()));
    }
    let shown = |id: usize, name: &str| {
        name == DEFAULT_TIER
            || design.tiers.iter().any(|t| t.metadata.name == name)
            || cards.iter().any(|(tier, _, _)| *tier == id)
    };
    let mut ids: Vec<usize> = (0..tiers.list.len())
        .filter(|&id| tiers.get(id).is_some_and(|t| shown(id, &t.name)))
        .collect();
    ids.sort_by(|&a, &b| match (tiers.get(a), tiers.get(b)) {
        (Some(a), Some(b)) => tier_cmp(a, b),
        _ => Ordering::Equal,
    });
    ids.into_iter()
        .filter_map(|id| {
            let info = tiers.get(id)?;
            let mut mine: Vec<&(usize, PolicyCard, String)> =
                cards.iter().filter(|(tier, _, _)| *tier == id).collect();
            mine.sort_by(|a, b| policy_cmp((a.1.order, &a.2), (b.1.order, &b.2)));
            Some(TierColumn {
                name: info.name.clone(),
                order: info.order,
                default_action: info.default_action,
                valid: info.valid,
                fixed: is_built_in(&info.name),
                cards: mine.into_iter().map(|(_, card, _)| card.clone()).collect(),
            })
        })
        .collect()
}

/// A cluster policy's subject in Calico selector syntax: `namespaces: <selector>` or `pods: <namespace
/// selector> / <pod selector>`.
fn subject_summary(subject: &ClusterSubject) -> String {
    let text = |ls: &crate::model::LabelSelector| {
        Selector::from_label_selector(ls)
            .map(|s| s.to_string())
            .unwrap_or_else(|e| format!("invalid: {e}"))
    };
    match (&subject.namespaces, &subject.pods) {
        (Some(ns), _) => format!("namespaces: {}", text(ns)),
        (None, Some(pods)) => {
            let ns = pods
                .namespace_selector
                .as_ref()
                .map(text)
                .unwrap_or_else(|| "all()".to_owned());
            format!("pods: {ns} / {}", text(&pods.pod_selector))
        }
        (None, None) => "no subject".to_owned(),
    }
}

/// Strictly increasing orders for a sequence in which `fixed[i]` holds the order of the items that
/// must keep theirs: the others are spaced by [`ORDER_GAP`] (or less, to fit before the next fixed
/// item). `None` when it cannot be done (two fixed items out of order, or no room between them).
fn spaced_orders(fixed: &[Option<f64>]) -> Option<Vec<f64>> {
    let mut out = Vec::with_capacity(fixed.len());
    let mut previous = 0.0_f64;
    let mut i = 0;
    while i < fixed.len() {
        if let Some(order) = fixed[i] {
            if !out.is_empty() && order <= previous {
                return None;
            }
            out.push(order);
            previous = order;
            i += 1;
            continue;
        }
        let run_end = (i..fixed.len())
            .find(|&j| fixed[j].is_some())
            .unwrap_or(fixed.len());
        let run = (run_end - i) as f64;
        let gap = match fixed.get(run_end).copied().flatten() {
            Some(next) => ORDER_GAP.min((next - previous) / (run + 1.0)),
            None => ORDER_GAP,
        };
        if gap <= 0.0 || !gap.is_finite() {
            return None;
        }
        for k in 1..=(run_end - i) {
            out.push(previous + gap * k as f64);
        }
        previous += gap * run;
        i = run_end;
    }
    Some(out)
}

/// Moves `position` by `delta` places within `len` items, or `None` when it would leave the list.
fn moved(position: usize, delta: isize, len: usize) -> Option<usize> {
    let target = position.checked_add_signed(delta)?;
    (target < len && target != position).then_some(target)
}

/// The declared (valid) tiers in evaluation order.
fn valid_tiers(design: &Design) -> Vec<TierColumn> {
    columns(design).into_iter().filter(|c| c.valid).collect()
}

/// Moves the tier `name` by `delta` places in evaluation order (negative: earlier). Returns whether
/// anything changed (the tier is already first/last, or the move is impossible).
pub fn move_tier(design: &mut Design, name: &str, delta: isize) -> Result<bool, BoardError> {
    let order = valid_tiers(design);
    let Some(position) = order.iter().position(|c| c.name == name) else {
        return Err(if is_built_in(name) {
            BoardError::BuiltInTier(name.to_owned())
        } else {
            BoardError::UnknownTier(name.to_owned())
        });
    };
    match moved(position, delta, order.len()) {
        Some(target) => move_tier_to(design, name, target),
        None if is_built_in(name) => Err(BoardError::BuiltInTier(name.to_owned())),
        None => Ok(false),
    }
}

/// Moves the tier `name` to place `target` among the declared tiers in evaluation order (what a drop
/// on the board asks for: 0 is first; a target past the end means last). Built-in tiers keep their
/// orders, the others are renumbered around them. Returns whether anything changed: `false` when the
/// tier is already there or the built-in tiers leave no room for that place.
pub fn move_tier_to(design: &mut Design, name: &str, target: usize) -> Result<bool, BoardError> {
    if is_built_in(name) {
        return Err(BoardError::BuiltInTier(name.to_owned()));
    }
    let mut order = valid_tiers(design);
    let Some(position) = order.iter().position(|c| c.name == name) else {
        return Err(BoardError::UnknownTier(name.to_owned()));
    };
    let target = target.min(order.len() - 1);
    if target == position {
        return Ok(false);
    }
    let column = order.remove(position);
    order.insert(target, column);
    let fixed: Vec<Option<f64>> = order
        .iter()
        .map(|c| if c.fixed { c.order } else { None })
        .collect();
    let Some(orders) = spaced_orders(&fixed) else {
        return Ok(false);
    };
    let mut next = design.clone();
    for (column, order) in order.iter().zip(orders) {
        if column.fixed {
            continue;
        }
        match next
            .tiers
            .iter_mut()
            .find(|t| t.metadata.name == column.name)
        {
            Some(tier) => tier.spec.order = Some(order),
            None => next.tiers.push(Tier::new(column.name.clone(), Some(order))),
        }
    }
    let want: Vec<&str> = order.iter().map(|c| c.name.as_str()).collect();
    let got: Vec<String> = valid_tiers(&next).into_iter().map(|c| c.name).collect();
    if got != want {
        return Ok(false);
    }
    *design = next;
    Ok(true)
}

/// Moves a Calico policy by `delta` places within its tier (negative: earlier). Returns whether
/// anything changed. Kubernetes policies keep their fixed order; the others are numbered around them.
pub fn move_policy(design: &mut Design, policy: PolicyRef, delta: isize) -> bool {
    let board = columns(design);
    let Some((column, position)) = board.iter().find_map(|c| {
        let at = c.cards.iter().position(|card| card.policy == policy)?;
        Some((c, at))
    }) else {
        return false;
    };
    let Some(target) = moved(position, delta, column.cards.len()) else {
        return false;
    };
    let tier = column.name.clone();
    move_policy_to(design, policy, &tier, target).unwrap_or(false)
}

/// Moves a Calico policy to place `target` of tier `tier` (what a drop on the board asks for: 0 is
/// first, counted without the moved policy; past the end means last). Moving to another tier sets
/// the policy's tier. The tier's movable policies are renumbered with gaps around the fixed ones
/// (Kubernetes policies), so no two end up with the same order. Returns whether anything changed:
/// `false` when the policy is already there or the fixed orders leave no room for that place.
pub fn move_policy_to(
    design: &mut Design,
    policy: PolicyRef,
    tier: &str,
    target: usize,
) -> Result<bool, BoardError> {
    let PolicyRef::Calico(index) = policy else {
        return Ok(false);
    };
    let Some(moving) = design.policies.get(index) else {
        return Ok(false);
    };
    let same_tier = moving.tier() == tier;
    let board = columns(design);
    // A policy may move within an undeclared tier, but not into one.
    let Some(column) = board
        .iter()
        .find(|c| c.name == tier && (c.valid || same_tier))
    else {
        return Err(BoardError::UnknownTier(tier.to_owned()));
    };
    if !same_tier {
        let clash = design.policies.iter().enumerate().any(|(i, p)| {
            i != index
                && p.tier() == tier
                && p.kind == moving.kind
                && p.metadata.namespace == moving.metadata.namespace
                && p.metadata.name == moving.metadata.name
        });
        if clash {
            return Err(BoardError::DuplicatePolicy {
                name: moving.metadata.name.clone(),
                tier: tier.to_owned(),
            });
        }
    }
    let mut cards: Vec<PolicyRef> = column
        .cards
        .iter()
        .map(|c| c.policy)
        .filter(|p| *p != policy)
        .collect();
    let target = target.min(cards.len());
    cards.insert(target, policy);
    if same_tier
        && column
            .cards
            .iter()
            .map(|c| c.policy)
            .eq(cards.iter().copied())
    {
        return Ok(false);
    }
    let fixed: Vec<Option<f64>> = cards
        .iter()
        .map(|p| {
            column
                .cards
                .iter()
                .find(|c| c.policy == *p && c.fixed)
                .and_then(|c| c.order)
        })
        .collect();
    let Some(orders) = spaced_orders(&fixed) else {
        return Ok(false);
    };
    let mut next = design.clone();
    if let Some(p) = next.policies.get_mut(index) {
        p.spec.tier = (tier != DEFAULT_TIER).then(|| tier.to_owned());
    }
    for (card, order) in cards.iter().zip(orders) {
        if let PolicyRef::Calico(i) = *card
            && let Some(p) = next.policies.get_mut(i)
        {
            p.spec.order = Some(order);
        }
    }
    let got: Option<Vec<PolicyRef>> = columns(&next)
        .into_iter()
        .find(|c| c.name == tier)
        .map(|c| c.cards.iter().map(|card| card.policy).collect());
    if got.as_deref() != Some(cards.as_slice()) {
        return Ok(false);
    }
    *design = next;
    Ok(true)
}

/// Whether `name` is a valid tier name (a DNS-1123 label: what Calico accepts as a tier name).
pub fn is_valid_tier_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

/// Adds a tier named `name`, evaluated after every tier the design numbers itself and before the
/// `default` tier.
pub fn add_tier(design: &mut Design, name: &str) -> Result<(), BoardError> {
    if !is_valid_tier_name(name) {
        return Err(BoardError::InvalidTierName(name.to_owned()));
    }
    if is_built_in(name) || design.tiers.iter().any(|t| t.metadata.name == name) {
        return Err(BoardError::DuplicateTier(name.to_owned()));
    }
    let default_order = 1_000_000.0;
    let last = design
        .tiers
        .iter()
        .filter(|t| !is_built_in(&t.metadata.name))
        .filter_map(|t| t.spec.order)
        .filter(|order| *order < default_order)
        .fold(0.0_f64, f64::max);
    let order = if last + ORDER_GAP < default_order {
        last + ORDER_GAP
    } else {
        (last + default_order) / 2.0
    };
    design.tiers.push(Tier::new(name, Some(order)));
    Ok(())
}

/// Renames a tier and moves every policy of it along.
pub fn rename_tier(design: &mut Design, from: &str, to: &str) -> Result<(), BoardError> {
    if is_built_in(from) {
        return Err(BoardError::BuiltInTier(from.to_owned()));
    }
    if !is_valid_tier_name(to) {
        return Err(BoardError::InvalidTierName(to.to_owned()));
    }
    if from == to {
        return Ok(());
    }
    if is_built_in(to) || design.tiers.iter().any(|t| t.metadata.name == to) {
        return Err(BoardError::DuplicateTier(to.to_owned()));
    }
    let Some(tier) = design.tiers.iter_mut().find(|t| t.metadata.name == from) else {
        return Err(BoardError::UnknownTier(from.to_owned()));
    };
    tier.metadata.name = to.to_owned();
    for policy in &mut design.policies {
        if policy.tier() == from {
            policy.spec.tier = Some(to.to_owned());
        }
    }
    Ok(())
}

/// Sets what happens to traffic a tier's policies select but no rule decides.
pub fn set_default_action(
    design: &mut Design,
    tier: &str,
    action: TierDefaultAction,
) -> Result<(), BoardError> {
    match design.tiers.iter_mut().find(|t| t.metadata.name == tier) {
        Some(found) => found.spec.default_action = Some(action),
        None if is_built_in(tier) => {
            let builtin_order = match tier {
                DEFAULT_TIER => 1_000_000.0,
                "kube-admin" => 1_000.0,
                _ => 10_000_000.0,
            };
            let mut declared = Tier::new(tier, Some(builtin_order));
            declared.spec.default_action = Some(action);
            design.tiers.push(declared);
        }
        None => return Err(BoardError::UnknownTier(tier.to_owned())),
    }
    Ok(())
}
