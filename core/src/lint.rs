//! Best-practice lints for zero-trust Calico designs (issue 9, `calico-semantics.md` §9).
//!
//! Every lint has a stable kebab-case id ([`LINTS`]), a severity, a message that names the resource and
//! the rule, and a suggested fix — with a machine-applicable [`Change`] where one exists. Lints can be
//! turned off per design through [`LintConfig`], which the design document stores.
//!
//! Entry points: [`lint_resources`] for plain Calico/Kubernetes resources (the CLI), [`lint_design`] for
//! the Studio's design document (the app). Both return findings sorted by resource, rule and id, so the
//! output is deterministic.
//!
//! **Architecture invariant**: linting never fails. A selector that does not parse is reported by the
//! validator, not here; lints that need it skip the resource.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::design::Design;
pub use crate::design::LintConfig;
use crate::model::{PolicyType, ResourceSet};

mod cluster_policy;
pub(crate) mod context;
mod defaults;
mod dns;
mod environments;
pub mod fix;
mod index;
mod literals;
mod match_space;
mod ordering;
mod selection;
mod shadow;
pub(crate) mod space;
mod staged;
pub(crate) mod symbolic;
mod taxonomy;
mod tiers;
pub(crate) mod universe;

use context::Context;
pub use fix::{FixError, apply_fix};
pub use staged::lint_flows;

/// How bad a finding is. `netpol lint` exits 1 on errors (and on warnings with `--deny warnings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Calico rejects the object, or the design does something it clearly does not mean.
    Error,
    /// Probably a mistake; the fix is usually small.
    Warning,
    /// Worth knowing; harmless as it stands.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The resource a finding is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResourceRef {
    /// The `kind:` (`GlobalNetworkPolicy`, `Tier`, …).
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

/// One rule of a policy: its direction and its index in that direction's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RuleRef {
    pub direction: PolicyType,
    pub index: usize,
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let direction = match self.direction {
            PolicyType::Ingress => "ingress",
            PolicyType::Egress => "egress",
        };
        write!(f, "{direction} rule {}", self.index)
    }
}

/// Where a finding points: the resource, the rule when it is about one, and the source position when
/// the resource was read from a file (see [`Finding::set_position`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    pub resource: ResourceRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

/// What a machine-applicable [`Change`] does at its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeOp {
    /// Set the value at the path (creating it).
    Set,
    /// Insert the value into the array at the path (`/-` appends), as in JSON Patch `add`.
    Add,
    /// Remove the value at the path.
    Remove,
}

/// An edit of one resource, as a JSON-Patch-like operation on its wire form (the path is a JSON
/// pointer into the resource, e.g. `/spec/order` or `/spec/egress/-`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub resource: ResourceRef,
    pub op: ChangeOp,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
}

/// How to fix a finding: always a sentence, and the edits when they can be applied mechanically.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedFix {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
}

impl SuggestedFix {
    /// A fix described in words only.
    pub fn text(text: impl Into<String>) -> SuggestedFix {
        SuggestedFix {
            text: text.into(),
            changes: Vec::new(),
        }
    }

    /// A fix with the edits that carry it out.
    pub fn with_changes(text: impl Into<String>, changes: Vec<Change>) -> SuggestedFix {
        SuggestedFix {
            text: text.into(),
            changes,
        }
    }
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The lint's stable id, one of [`LINTS`].
    pub id: &'static str,
    pub severity: Severity,
    /// Lowercase, no final period; user text in backticks.
    pub message: String,
    pub location: Location,
    pub fix: SuggestedFix,
}

impl Finding {
    /// Records where the finding's resource was read from.
    pub fn set_position(&mut self, file: impl Into<String>, line: u32, column: u32) {
        self.location.file = Some(file.into());
        self.location.line = Some(line);
        self.location.column = Some(column);
    }
}

/// A lint: its id, default severity and what it catches (for `--help`, docs and the app's settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LintInfo {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

macro_rules! lints {
    ($($konst:ident = $id:literal, $severity:ident, $summary:literal;)*) => {
        /// The ids of every lint, as constants.
        pub mod ids {
            $(#[doc = $summary] pub const $konst: &str = $id;)*
        }
        /// Every lint this crate knows, in documentation order.
        pub const LINTS: &[LintInfo] = &[$(LintInfo { id: $id, severity: Severity::$severity, summary: $summary }),*];
    };
}

lints! {
    NO_GLOBAL_DEFAULT_DENY = "no-global-default-deny", Warning,
        "no enforced global default deny: workloads no policy selects are open";
    NAMESPACE_WITHOUT_DENY = "namespace-without-default-deny", Warning,
        "a namespace whose workloads no deny covers";
    INGRESS_ONLY_DEFAULT_DENY = "ingress-only-default-deny", Warning,
        "a default deny that covers ingress only, leaving egress open";
    DEFAULT_DENY_WITHOUT_DNS = "default-deny-without-dns", Warning,
        "an egress default deny with no DNS allow evaluated before it";
    DNS_UDP_ONLY = "dns-udp-only", Warning,
        "DNS allowed on UDP 53 only; TCP 53 is needed for large and truncated answers";
    DEFAULT_DENY_SYSTEM_NAMESPACES = "default-deny-selects-system-namespaces", Error,
        "a global default deny that does not exclude the system namespaces";
    BROAD_ALLOW_AHEAD = "broad-allow-ahead", Warning,
        "a broad allow ordered ahead of more specific policies";
    INLINE_CIDRS = "inline-cidrs", Info,
        "a long CIDR list written into a rule instead of a network set";
    INLINE_DOMAINS = "inline-domains", Info,
        "domains written into a rule instead of a network set";
    SHADOWED_RULE = "shadowed-rule", Warning,
        "a rule that can never match because earlier rules already decide every flow it matches";
    SAME_ORDER_CONFLICT = "same-order-conflict", Warning,
        "two policies in one tier with the same order select common endpoints with different actions";
    SELECTOR_SELECTS_NOTHING = "selector-selects-nothing", Warning,
        "a policy or rule selector that selects nothing in the design";
    UNKNOWN_LABEL_KEY = "unknown-label-key", Warning,
        "a selector uses a label key that is not in the taxonomy";
    UNKNOWN_LABEL_VALUE = "unknown-label-value", Warning,
        "a selector uses a label value that is not allowed by the taxonomy";
    TIER_NOT_FOUND = "tier-not-found", Error,
        "a policy in a tier that does not exist";
    TIER_ORDER_TIE = "tier-order-tie", Warning,
        "two tiers with the same order (the tie is broken by name)";
    PASS_IN_LAST_TIER = "pass-in-last-tier", Warning,
        "`Pass` in the last tier hands the decision to the profiles, which allow";
    TIER_PREFIX_MISMATCH = "tier-prefix-mismatch", Warning,
        "a tier-prefixed policy name that does not match the policy's tier";
    NAME_ORDER_MISMATCH = "name-order-mismatch", Warning,
        "an order embedded in a policy name disagrees with the order field";
    NO_CROSS_ENVIRONMENT_GUARDRAIL = "no-cross-environment-guardrail", Warning,
        "environments are defined but no policy denies traffic between them";
    STAGED_DENIES_ALLOWED_FLOWS = "staged-denies-allowed-flows", Warning,
        "a staged policy would deny flows that are allowed today";
    CLUSTER_POLICY_PRIORITY_TIE = "cluster-policy-priority-tie", Warning,
        "two cluster network policies of one tier with the same priority and overlapping subjects (the order is undefined upstream)";
    CLUSTER_POLICY_UNENFORCED_PEER = "cluster-policy-unenforced-peer", Warning,
        "a `nodes` or `domainNames` peer, which Calico does not enforce: the rule fails closed";
    CLUSTER_POLICY_NETWORKS_MATCH_PODS = "cluster-policy-networks-match-pods", Warning,
        "an Accept to `networks` that contain pod addresses also accepts pod-to-pod traffic";
    ADMIN_POLICY_NAMED_PORT = "admin-policy-named-port", Warning,
        "an AdminNetworkPolicy `namedPort`, which Calico 3.29–3.31 ignores: the rule matches every port";
    TIER_BEFORE_KUBE_ADMIN = "tier-before-kube-admin", Warning,
        "a Calico tier ordered below 1000 runs before the cluster admin's ClusterNetworkPolicies";
}

/// The lint with that id.
pub fn lint_info(id: &str) -> Option<&'static LintInfo> {
    LINTS.iter().find(|l| l.id == id)
}

/// Lints plain resources: every lint that does not need the design's taxonomy or environments.
pub fn lint_resources(resources: &ResourceSet, config: &LintConfig) -> Vec<Finding> {
    let view = normalized_view(resources);
    let ctx = Context::new(&view, config);
    resource_findings(&ctx)
}

/// [`lint_resources`] over a context already built on the normalized view (coverage shares it:
/// `coverage::lint_and_coverage`).
pub(crate) fn resource_findings(ctx: &Context<'_>) -> Vec<Finding> {
    finish(ctx.config, back_to_sources(run(ctx)))
}

/// Lints a design: the resource lints over its resources (namespaces and workload groups included),
/// plus the taxonomy and environment lints. Pass `&design.lint` to honour the design's own settings.
pub fn lint_design(design: &Design, config: &LintConfig) -> Vec<Finding> {
    let resources = normalized_view(&crate::design::to_resources(design));
    let ctx = Context::new(&resources, config);
    let mut findings = run(&ctx);
    taxonomy::check(&ctx, design, &mut findings);
    environments::check(&ctx, design, &mut findings);
    finish(config, back_to_sources(findings))
}

/// The name a Kubernetes NetworkPolicy has among Calico policies once converted (Calico's own).
pub(crate) const KNP_PREFIX: &str = "knp.default.";

/// The resources as the lints read them: every Kubernetes NetworkPolicy also as the Calico policy
/// Calico converts it into (`eval::kubernetes_to_calico`: tier `default`, order 1000, named
/// `knp.default.<name>`), so a lint written over Calico policies covers Kubernetes ones too. The
/// Kubernetes objects stay in the set for the lints that read them as such.
pub(crate) fn normalized_view(resources: &ResourceSet) -> ResourceSet {
    let mut view = resources.clone();
    for k in &resources.kubernetes_policies {
        let mut metadata = k.metadata.clone();
        metadata.name = format!("{KNP_PREFIX}{}", k.metadata.name);
        view.policies.push(crate::model::CalicoPolicy {
            kind: if k.staged {
                crate::model::CalicoPolicyKind::StagedNetworkPolicy
            } else {
                crate::model::CalicoPolicyKind::NetworkPolicy
            },
            metadata,
            spec: crate::eval::kubernetes_to_calico(k),
        });
    }
    view
}

/// Findings about converted Kubernetes policies pointed back at the Kubernetes object. Its name and
/// order are Calico's conversion, not the author's, so the naming lints do not apply; edits are
/// written for Calico's fields, so only the fix's words are kept.
fn back_to_sources(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.retain(|f| {
        let converted = f.location.resource.name.starts_with(KNP_PREFIX);
        !(converted && matches!(f.id, ids::TIER_PREFIX_MISMATCH | ids::NAME_ORDER_MISMATCH))
    });
    for f in &mut findings {
        let r = &mut f.location.resource;
        let Some(name) = r.name.strip_prefix(KNP_PREFIX) else {
            continue;
        };
        let kind = match r.kind.as_str() {
            "NetworkPolicy" => "NetworkPolicy",
            "StagedNetworkPolicy" => "StagedKubernetesNetworkPolicy",
            _ => continue,
        };
        r.name = name.to_owned();
        r.kind = kind.to_owned();
        f.fix.changes.clear();
    }
    findings
}

fn run(ctx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    tiers::check(ctx, &mut findings);
    cluster_policy::check(ctx, &mut findings);
    let denies = defaults::default_denies(ctx);
    defaults::check(ctx, &denies, &mut findings);
    dns::check(ctx, &denies, &mut findings);
    literals::check(ctx, &mut findings);
    ordering::check(ctx, &mut findings);
    let space = match_space::Space::new(ctx);
    selection::check(ctx, &space, &mut findings);
    shadow::check(ctx, &space, &mut findings);
    findings
}

/// Drops findings of lints that are turned off and sorts the rest deterministically.
fn finish(config: &LintConfig, mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.retain(|f| config.is_enabled(f.id));
    findings.sort_by(|a, b| {
        (&a.location.resource, a.location.rule, a.id, &a.message).cmp(&(
            &b.location.resource,
            b.location.rule,
            b.id,
            &b.message,
        ))
    });
    findings.dedup_by(|a, b| a.id == b.id && a.location == b.location && a.message == b.message);
    findings
}
