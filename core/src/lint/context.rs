//! What every lint needs to know about a resource set: its tiers in evaluation order (with Calico's
//! implicit tiers), its policies in evaluation order, and how to name things in findings.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use crate::model::{
    Action, CalicoPolicy, CalicoPolicyKind, DEFAULT_TIER, ObjectMeta, PolicyType, ResourceSet,
    Rule, TierDefaultAction,
};

use super::space::Bits;
use super::universe::{self, Endpoint, Entities, Selectors, SetEntity};
use super::{Finding, LintConfig, Location, ResourceRef, RuleRef, SuggestedFix, lint_info};

/// The built-in default tier's order since Calico 3.29.
pub const DEFAULT_TIER_ORDER: f64 = 1_000_000.0;

/// Tiers Calico creates itself (`libcalico-go/lib/names/policy.go` TierIsStatic).
pub const STATIC_TIERS: &[&str] = &[DEFAULT_TIER, "kube-admin", "kube-baseline"];

/// A tier as evaluation sees it.
#[derive(Debug, Clone)]
pub struct TierInfo {
    pub name: String,
    /// `None` sorts after every ordered tier.
    pub order: Option<f64>,
    pub default_action: TierDefaultAction,
    /// Declared as a `Tier` object (rather than implied, like `default`).
    pub declared: bool,
}

/// Shared state of one lint run.
pub struct Context<'a> {
    pub set: &'a ResourceSet,
    pub config: &'a LintConfig,
    /// Declared tiers plus the implicit `default`, sorted by Calico's tier order.
    pub tiers: Vec<TierInfo>,
    /// Indices into `set.policies`, sorted by evaluation order (tier, order, name).
    pub policy_order: Vec<usize>,
    /// Every selector of the policies, parsed once.
    pub selectors: Selectors,
    /// The workloads as endpoints, in resource order.
    pub endpoints: Vec<Endpoint>,
    /// Every namespace the resources mention.
    pub namespaces: BTreeSet<String>,
    /// The network sets as selectors see them.
    pub sets: Vec<SetEntity>,
    /// Endpoints and network sets, indexed by label.
    pub entities: Entities,
    /// Per policy (index into `set.policies`): the endpoints it applies to.
    pub applied: Vec<Bits>,
}

/// Compares two optional orders with `None` as +∞.
pub fn cmp_order(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.total_cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

impl<'a> Context<'a> {
    pub fn new(set: &'a ResourceSet, config: &'a LintConfig) -> Context<'a> {
        let mut tiers: Vec<TierInfo> = set
            .tiers
            .iter()
            .map(|t| TierInfo {
                name: t.metadata.name.clone(),
                order: t
                    .spec
                    .order
                    .or((t.metadata.name == DEFAULT_TIER).then_some(DEFAULT_TIER_ORDER)),
                default_action: t.default_action(),
                declared: true,
            })
            .collect();
        if !tiers.iter().any(|t| t.name == DEFAULT_TIER) {
            tiers.push(TierInfo {
                name: DEFAULT_TIER.to_owned(),
                order: Some(DEFAULT_TIER_ORDER),
                default_action: TierDefaultAction::Deny,
                declared: false,
            });
        }
        tiers.sort_by(|a, b| cmp_order(a.order, b.order).then_with(|| a.name.cmp(&b.name)));
        let endpoints: Vec<Endpoint> = universe::workload_endpoints(set);
        let sets = universe::set_entities(set);
        let entities = Entities::new(&endpoints, &sets);
        let mut ctx = Context {
            set,
            config,
            tiers,
            policy_order: (0..set.policies.len()).collect(),
            selectors: Selectors::new(set),
            endpoints,
            namespaces: universe::known_namespaces(set),
            sets,
            entities,
            applied: Vec::new(),
        };
        ctx.applied = set
            .policies
            .iter()
            .map(|p| ctx.entities.applied(&ctx.selectors, p))
            .collect();
        let mut order = std::mem::take(&mut ctx.policy_order);
        order.sort_by(|&a, &b| ctx.cmp_policies(&set.policies[a], &set.policies[b]));
        ctx.policy_order = order;
        ctx
    }

    /// The rank of a tier in evaluation order; unknown tiers sort last.
    pub fn tier_rank(&self, name: &str) -> usize {
        self.tiers
            .iter()
            .position(|t| t.name == name)
            .unwrap_or(self.tiers.len())
    }

    /// The tier of that name (declared or implicit).
    pub fn tier(&self, name: &str) -> Option<&TierInfo> {
        self.tiers.iter().find(|t| t.name == name)
    }

    /// Whether a tier of that name exists: declared, or one Calico creates itself.
    pub fn tier_exists(&self, name: &str) -> bool {
        self.tier(name).is_some() || STATIC_TIERS.contains(&name)
    }

    /// Evaluation order of two policies: tier, then order (`None` last), then Calico's tie key
    /// `name/namespace/kind` (v3.32).
    pub fn cmp_policies(&self, a: &CalicoPolicy, b: &CalicoPolicy) -> Ordering {
        self.tier_rank(a.tier())
            .cmp(&self.tier_rank(b.tier()))
            .then_with(|| cmp_order(a.spec.order, b.spec.order))
            .then_with(|| a.metadata.name.cmp(&b.metadata.name))
            .then_with(|| a.metadata.namespace.cmp(&b.metadata.namespace))
            .then_with(|| a.kind.as_str().cmp(b.kind.as_str()))
    }

    /// The cluster-wide Kubernetes policies the targeted Calico release enforces (ClusterNetworkPolicy
    /// from 3.32, AdminNetworkPolicy and BaselineAdminNetworkPolicy before), as the GlobalNetworkPolicies
    /// Calico converts them into (named as the verdicts name them, `kcnp:<name>`): what a lint asking
    /// "does some policy allow or deny this before that" must see besides the Calico policies.
    pub fn converted_cluster_policies(&self) -> Vec<CalicoPolicy> {
        converted_cluster_policies(self.set)
    }

    /// Whether a policy of [`Self::converted_cluster_policies`] is evaluated before Calico policy `p`:
    /// its tier (`kube-admin`, …: Calico's own orders) runs first, or it is the same tier and its
    /// priority comes first.
    pub fn cluster_policy_before(&self, cluster: &CalicoPolicy, p: &CalicoPolicy) -> bool {
        let mut built_in = crate::eval::order::Tiers::new(&[]);
        let mut order = |name: &str| {
            self.tier(name).and_then(|t| t.order).or_else(|| {
                let id = built_in.id(name);
                built_in.get(id).and_then(|t| t.order)
            })
        };
        let (theirs, ours) = (order(cluster.tier()), order(p.tier()));
        match cmp_order(theirs, ours) {
            Ordering::Less => true,
            Ordering::Greater => false,
            Ordering::Equal => {
                cluster.tier() == p.tier()
                    && cmp_order(cluster.spec.order, p.spec.order) == Ordering::Less
            }
        }
    }

    /// Policies in evaluation order.
    pub fn policies_in_order(&self) -> impl Iterator<Item = &'a CalicoPolicy> + '_ {
        self.policy_order.iter().map(|&i| &self.set.policies[i])
    }

    /// Whether policy `a` is evaluated before policy `b` (both in evaluation order, any tier).
    pub fn evaluated_before(&self, a: &CalicoPolicy, b: &CalicoPolicy) -> bool {
        self.cmp_policies(a, b) == Ordering::Less
    }

    /// Whether `p` applies to `e`; a policy whose selectors do not parse applies to nothing.
    pub fn applies(&self, p: &CalicoPolicy, e: &Endpoint) -> bool {
        match (e.index, self.policy_index(p)) {
            (Some(i), Some(pi)) => self.applied[pi].contains(i),
            _ => universe::applies(&self.selectors, p, e).unwrap_or(false),
        }
    }

    /// The index of a policy of this resource set in `set.policies`.
    pub fn policy_index(&self, p: &CalicoPolicy) -> Option<usize> {
        let base = self.set.policies.as_ptr().addr();
        let offset = std::ptr::from_ref(p).addr().checked_sub(base)?;
        let index = offset / std::mem::size_of::<CalicoPolicy>().max(1);
        (index < self.set.policies.len() && std::ptr::eq(&self.set.policies[index], p))
            .then_some(index)
    }

    /// [`Context::applied_to`] without a copy; `None` for a policy outside the resource set.
    pub fn applied_ref(&self, p: &CalicoPolicy) -> Option<&Bits> {
        self.policy_index(p).map(|i| &self.applied[i])
    }

    /// The endpoints `p` applies to (empty for a policy not of this set).
    pub fn applied_to(&self, p: &CalicoPolicy) -> Bits {
        self.policy_index(p).map_or_else(
            || Bits::empty(self.endpoints.len()),
            |i| self.applied[i].clone(),
        )
    }

    /// Whether `name` is one of the configured system namespaces.
    pub fn is_system_namespace(&self, name: &str) -> bool {
        self.config.system_namespaces.iter().any(|s| s == name)
    }

    /// The tier's end-of-tier action (Deny for tiers that do not exist).
    pub fn tier_default_action(&self, name: &str) -> TierDefaultAction {
        self.tier(name)
            .map_or(TierDefaultAction::Deny, |t| t.default_action)
    }
}

/// The cluster-wide Kubernetes policies `set`'s Calico release enforces, as the GlobalNetworkPolicies
/// Calico converts them into, named `kcnp:<name>` (or the v1alpha1 kinds' converted names) and in
/// their built-in tier (see [`Context::converted_cluster_policies`]).
pub fn converted_cluster_policies(set: &ResourceSet) -> Vec<CalicoPolicy> {
    keyed_cluster_policies(set)
        .into_iter()
        .map(|(_, p)| p)
        .collect()
}

/// [`converted_cluster_policies`], each with the key of the policy it was converted from (for
/// Calico's order tie-break and the name verdicts show).
pub fn keyed_cluster_policies(set: &ResourceSet) -> Vec<(crate::eval::PolicyKey, CalicoPolicy)> {
    let version = set.calico_version.unwrap_or_default();
    set.cluster_policies
        .iter()
        .filter(|p| version.enforces(p.kind))
        .filter_map(|p| {
            let converted = crate::eval::cluster_to_calico(p)?;
            let key = crate::eval::PolicyKey::of_cluster(p);
            let policy = CalicoPolicy {
                kind: CalicoPolicyKind::GlobalNetworkPolicy,
                metadata: ObjectMeta {
                    name: key.display_name(),
                    ..ObjectMeta::default()
                },
                spec: converted.spec,
            };
            Some((key, policy))
        })
        .collect()
}

/// How a finding names a Calico policy.
pub fn policy_ref(p: &CalicoPolicy) -> ResourceRef {
    ResourceRef {
        kind: p.kind.as_str().to_owned(),
        namespace: p.metadata.namespace.clone(),
        name: p.metadata.name.clone(),
    }
}

/// `ns/name` or `name`, for messages.
pub fn display_policy(p: &CalicoPolicy) -> String {
    match &p.metadata.namespace {
        Some(ns) => format!("{ns}/{}", p.metadata.name),
        None => p.metadata.name.clone(),
    }
}

/// A policy's rules in one direction.
pub fn rules(p: &CalicoPolicy, direction: PolicyType) -> &[Rule] {
    match direction {
        PolicyType::Ingress => &p.spec.ingress,
        PolicyType::Egress => &p.spec.egress,
    }
}

/// The direction's name in wire form (`ingress` / `egress`), for JSON pointers and messages.
pub fn direction_key(direction: PolicyType) -> &'static str {
    match direction {
        PolicyType::Ingress => "ingress",
        PolicyType::Egress => "egress",
    }
}

/// A rule with no match criterion at all: it matches every packet of its direction.
pub fn is_catch_all(rule: &Rule) -> bool {
    rule.protocol.is_none()
        && rule.not_protocol.is_none()
        && rule.ip_version.is_none()
        && rule.icmp.is_none()
        && rule.not_icmp.is_none()
        && rule.http.is_none()
        && rule.source.is_empty()
        && rule.destination.is_empty()
}

/// Builds a finding for the lint `id`, with the lint's severity.
pub fn finding(
    id: &'static str,
    resource: ResourceRef,
    rule: Option<RuleRef>,
    message: String,
    fix: SuggestedFix,
) -> Finding {
    let severity = lint_info(id).map_or(super::Severity::Warning, |l| l.severity);
    Finding {
        id,
        severity,
        message,
        location: Location {
            resource,
            rule,
            file: None,
            line: None,
            column: None,
        },
        fix,
    }
}

/// Whether a policy decides nothing but denies in `direction`: it applies to that direction, has no
/// `Allow` or `Pass` rule there, and either ends with a catch-all `Deny` or sits in a tier whose
/// end-of-tier action is `Deny` (so every endpoint it selects is denied what no earlier rule allowed).
pub fn is_deny_all(ctx: &Context<'_>, p: &CalicoPolicy, direction: PolicyType) -> bool {
    if !p.spec.effective_types().contains(&direction) {
        return false;
    }
    let rules = rules(p, direction);
    if rules
        .iter()
        .any(|r| matches!(r.action, Action::Allow | Action::Pass))
    {
        return false;
    }
    rules
        .iter()
        .any(|r| r.action == Action::Deny && is_catch_all(r))
        || ctx.tier_default_action(p.tier()) == TierDefaultAction::Deny
}
