//! Policies of every kind reduced to one form, as Calico's update processors reduce them before Felix
//! sees them: the policy's endpoint selection (§4), and each rule's peer criteria combined exactly as
//! `GetEntityRuleSelector` and Felix's `combineMatchesIfPossible` do (§5.2).

use std::fmt;

use ipnet::IpNet;
use serde::Serialize;

use super::knp::kubernetes_to_calico;
use crate::model::vocabulary::addresses::parse_net;
use crate::model::{
    Action, CalicoPolicy, CalicoPolicyKind, ClusterPolicy, ClusterPolicyKind, EntityRule,
    KubernetesPolicy, PolicySpec, PolicyType, Port, Rule, StagedAction,
};
use crate::selector::Selector;

/// Every kind of policy the evaluator knows, named as Calico's policy keys name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum PolicyKind {
    NetworkPolicy,
    GlobalNetworkPolicy,
    StagedNetworkPolicy,
    StagedGlobalNetworkPolicy,
    KubernetesNetworkPolicy,
    StagedKubernetesNetworkPolicy,
    /// A ClusterNetworkPolicy (Calico 3.32+).
    KubernetesClusterNetworkPolicy,
    /// An AdminNetworkPolicy (Calico 3.29–3.31).
    KubernetesAdminNetworkPolicy,
    /// The BaselineAdminNetworkPolicy (Calico 3.29–3.31).
    KubernetesBaselineAdminNetworkPolicy,
}

impl PolicyKind {
    /// The kind as it appears in Calico's policy key (and so in the v3.32 order tie-break).
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::NetworkPolicy => "NetworkPolicy",
            PolicyKind::GlobalNetworkPolicy => "GlobalNetworkPolicy",
            PolicyKind::StagedNetworkPolicy => "StagedNetworkPolicy",
            PolicyKind::StagedGlobalNetworkPolicy => "StagedGlobalNetworkPolicy",
            PolicyKind::KubernetesNetworkPolicy => "KubernetesNetworkPolicy",
            PolicyKind::StagedKubernetesNetworkPolicy => "StagedKubernetesNetworkPolicy",
            PolicyKind::KubernetesClusterNetworkPolicy => "KubernetesClusterNetworkPolicy",
            PolicyKind::KubernetesAdminNetworkPolicy => "KubernetesAdminNetworkPolicy",
            PolicyKind::KubernetesBaselineAdminNetworkPolicy => {
                "KubernetesBaselineAdminNetworkPolicy"
            }
        }
    }

    /// The kind of a cluster-wide Kubernetes policy.
    pub fn of_cluster(kind: ClusterPolicyKind) -> PolicyKind {
        match kind {
            ClusterPolicyKind::ClusterNetworkPolicy => PolicyKind::KubernetesClusterNetworkPolicy,
            ClusterPolicyKind::AdminNetworkPolicy => PolicyKind::KubernetesAdminNetworkPolicy,
            ClusterPolicyKind::BaselineAdminNetworkPolicy => {
                PolicyKind::KubernetesBaselineAdminNetworkPolicy
            }
        }
    }

    /// The Kubernetes kind a cluster-wide policy key stands for.
    pub fn cluster_kind(self) -> Option<ClusterPolicyKind> {
        match self {
            PolicyKind::KubernetesClusterNetworkPolicy => {
                Some(ClusterPolicyKind::ClusterNetworkPolicy)
            }
            PolicyKind::KubernetesAdminNetworkPolicy => Some(ClusterPolicyKind::AdminNetworkPolicy),
            PolicyKind::KubernetesBaselineAdminNetworkPolicy => {
                Some(ClusterPolicyKind::BaselineAdminNetworkPolicy)
            }
            _ => None,
        }
    }

    /// Staged kinds give the "would be" verdict only.
    pub fn is_staged(self) -> bool {
        matches!(
            self,
            PolicyKind::StagedNetworkPolicy
                | PolicyKind::StagedGlobalNetworkPolicy
                | PolicyKind::StagedKubernetesNetworkPolicy
        )
    }

    fn from_calico(kind: CalicoPolicyKind) -> PolicyKind {
        match kind {
            CalicoPolicyKind::NetworkPolicy => PolicyKind::NetworkPolicy,
            CalicoPolicyKind::GlobalNetworkPolicy => PolicyKind::GlobalNetworkPolicy,
            CalicoPolicyKind::StagedNetworkPolicy => PolicyKind::StagedNetworkPolicy,
            CalicoPolicyKind::StagedGlobalNetworkPolicy => PolicyKind::StagedGlobalNetworkPolicy,
        }
    }
}

/// Identifies a policy: kind, namespace (namespaced kinds) and bare name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PolicyKey {
    pub kind: PolicyKind,
    pub namespace: Option<String>,
    pub name: String,
}

impl PolicyKey {
    /// The key of a Calico policy.
    pub fn of_calico(policy: &CalicoPolicy) -> PolicyKey {
        let kind = PolicyKind::from_calico(policy.kind);
        let namespace = if policy.kind.is_namespaced() {
            Some(
                policy
                    .metadata
                    .namespace
                    .clone()
                    .unwrap_or_else(|| "default".into()),
            )
        } else {
            None
        };
        PolicyKey {
            kind,
            namespace,
            name: policy.metadata.name.clone(),
        }
    }

    /// The key of a Kubernetes (or staged Kubernetes) policy.
    pub fn of_kubernetes(policy: &KubernetesPolicy) -> PolicyKey {
        let kind = if policy.staged {
            PolicyKind::StagedKubernetesNetworkPolicy
        } else {
            PolicyKind::KubernetesNetworkPolicy
        };
        PolicyKey {
            kind,
            namespace: Some(
                policy
                    .metadata
                    .namespace
                    .clone()
                    .unwrap_or_else(|| "default".into()),
            ),
            name: policy.metadata.name.clone(),
        }
    }

    /// The key of a ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy.
    pub fn of_cluster(policy: &ClusterPolicy) -> PolicyKey {
        PolicyKey {
            kind: PolicyKind::of_cluster(policy.kind),
            namespace: None,
            name: policy.metadata.name.clone(),
        }
    }

    /// The name as Calico shows it: `knp.default.<name>` for Kubernetes policies, `staged:` before
    /// staged ones, `kcnp:<name>` for a ClusterNetworkPolicy (3.32's flow logs), and the converted
    /// policy's name `kanp.adminnetworkpolicy.<name>` / `kbanp.baselineadminnetworkpolicy.<name>` for
    /// the v1alpha1 kinds (3.29–3.31).
    pub fn display_name(&self) -> String {
        match self.kind {
            PolicyKind::KubernetesClusterNetworkPolicy => format!("kcnp:{}", self.name),
            PolicyKind::KubernetesAdminNetworkPolicy => {
                format!("kanp.adminnetworkpolicy.{}", self.name)
            }
            PolicyKind::KubernetesBaselineAdminNetworkPolicy => {
                format!("kbanp.baselineadminnetworkpolicy.{}", self.name)
            }
            PolicyKind::KubernetesNetworkPolicy => format!("knp.default.{}", self.name),
            PolicyKind::StagedKubernetesNetworkPolicy => {
                format!("staged:knp.default.{}", self.name)
            }
            PolicyKind::StagedNetworkPolicy | PolicyKind::StagedGlobalNetworkPolicy => {
                format!("staged:{}", self.name)
            }
            PolicyKind::NetworkPolicy | PolicyKind::GlobalNetworkPolicy => self.name.clone(),
        }
    }

    /// Calico 3.32's tie-break key for equal orders: `name/namespace/kind`.
    pub fn tie_key(&self) -> String {
        // Calico 3.29–3.31 keyed the converted v1alpha1 policies as GlobalNetworkPolicies of the
        // prefixed name.
        let (name, kind) = match self.kind {
            PolicyKind::KubernetesAdminNetworkPolicy
            | PolicyKind::KubernetesBaselineAdminNetworkPolicy => (
                self.display_name(),
                PolicyKind::GlobalNetworkPolicy.as_str(),
            ),
            _ => (self.name.clone(), self.kind.as_str()),
        };
        format!("{name}/{}/{kind}", self.namespace.as_deref().unwrap_or(""))
    }
}

impl fmt::Display for PolicyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind.as_str(), ns, self.name),
            None => write!(f, "{} {}", self.kind.as_str(), self.name),
        }
    }
}

/// A policy that cannot be compiled (a selector or CIDR that does not parse).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{policy}: {field}: {message}")]
pub struct CompileError {
    pub policy: PolicyKey,
    /// Where in the spec, e.g. `ingress[0].source.selector`.
    pub field: String,
    pub message: String,
}

/// How a rule's namespace scope is expressed.
#[derive(Debug, Clone)]
pub(crate) enum NsScope {
    /// `projectcalico.org/namespace == N` (a namespaced policy's rule with no namespaceSelector).
    Namespace(String),
    /// A namespaceSelector, keys prefixed `pcns.`, `all()` = namespaced, `global()` = not namespaced.
    Selector(Selector),
}

/// The positive selector of an entity rule: every part present must match one entity.
#[derive(Debug, Clone, Default)]
pub(crate) struct PeerSelector {
    pub ns: Option<NsScope>,
    pub sa_names: Vec<String>,
    pub sa_selector: Option<Selector>,
    pub selector: Option<Selector>,
    /// The rule's notSelector, folded in (Felix's `combineMatchesIfPossible`).
    pub not: Option<Selector>,
}

/// Which endpoints a policy applies to.
#[derive(Debug, Clone)]
pub(crate) struct Applies {
    /// Namespaced kinds: only endpoints of this namespace.
    pub namespace: Option<String>,
    pub selector: Option<Selector>,
    /// Global kinds: the top-level namespaceSelector.
    pub ns_selector: Option<Selector>,
    pub sa_selector: Option<Selector>,
}

/// Numeric ranges and port names of `ports` / `notPorts`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct PortList {
    pub ranges: Vec<(u16, u16)>,
    pub named: Vec<String>,
}

impl PortList {
    fn from_ports(ports: &[Port]) -> PortList {
        let mut list = PortList::default();
        for port in ports {
            match port {
                Port::Number(n) => list.ranges.push((*n, *n)),
                Port::Range(lo, hi) => list.ranges.push((*lo, *hi)),
                Port::Named(name) => list.named.push(name.clone()),
            }
        }
        list
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty() && self.named.is_empty()
    }

    /// Whether a numeric port is in one of the ranges.
    pub fn contains_number(&self, port: u16) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= port && port <= hi)
    }
}

/// The source or destination of a rule, reduced.
#[derive(Debug, Clone, Default)]
pub(crate) struct NormEntity {
    pub positive: Option<PeerSelector>,
    /// notSelector when there is no positive selector: the peer's IP must belong to no entity it selects.
    pub negative: Option<Selector>,
    pub nets: Vec<IpNet>,
    pub not_nets: Vec<IpNet>,
    pub ports: PortList,
    pub not_ports: PortList,
}

impl NormEntity {
    /// No identity criterion (selectors, nets): any peer passes.
    pub fn identity_is_empty(&self) -> bool {
        self.positive.is_none()
            && self.negative.is_none()
            && self.nets.is_empty()
            && self.not_nets.is_empty()
    }

    /// A text that is equal for two entities exactly when their identity criteria are equal.
    pub fn identity_key(&self) -> String {
        let sel = |s: &Option<Selector>| s.as_ref().map(|s| s.canonical()).unwrap_or_default();
        let mut key = String::new();
        if let Some(p) = &self.positive {
            let ns = match &p.ns {
                None => String::new(),
                Some(NsScope::Namespace(n)) => format!("ns={n}"),
                Some(NsScope::Selector(s)) => format!("nssel={}", s.canonical()),
            };
            key.push_str(&format!(
                "pos[{ns}|{:?}|{}|{}|{}]",
                p.sa_names,
                sel(&p.sa_selector),
                sel(&p.selector),
                sel(&p.not)
            ));
        }
        key.push_str(&format!(
            "neg[{}]nets{:?}not{:?}",
            sel(&self.negative),
            self.nets,
            self.not_nets
        ));
        key
    }
}

/// The protocol and ICMP criteria of a rule (numbers: names and numbers are equivalent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct L4 {
    pub protocol: Option<u8>,
    pub not_protocol: Option<u8>,
    pub icmp: Option<(u8, Option<u8>)>,
    pub not_icmp: Option<(u8, Option<u8>)>,
}

/// One rule, reduced.
#[derive(Debug, Clone)]
pub(crate) struct NormRule {
    pub action: Action,
    pub l4: L4,
    pub ip_version: Option<u8>,
    pub src: NormEntity,
    pub dst: NormEntity,
    /// Criteria this evaluator cannot check (`domains` without DNS data, `services`): the rule never matches.
    pub unsupported: Option<&'static str>,
    /// An `http` match: enforced only by application-layer policy; the L4 part is evaluated.
    pub needs_alp: bool,
    /// The name of the rule it was converted from (cluster-wide Kubernetes policies).
    pub name: Option<String>,
}

/// A policy, reduced.
#[derive(Debug, Clone)]
pub(crate) struct NormPolicy {
    pub key: PolicyKey,
    pub tier: String,
    pub order: Option<f64>,
    pub applies: Applies,
    /// `None` when the policy's types do not include the direction.
    pub ingress: Option<Vec<NormRule>>,
    pub egress: Option<Vec<NormRule>>,
}

impl NormPolicy {
    pub fn staged(&self) -> bool {
        self.key.kind.is_staged()
    }

    pub fn rules(&self, direction: super::Direction) -> Option<&[NormRule]> {
        match direction {
            super::Direction::Ingress => self.ingress.as_deref(),
            super::Direction::Egress => self.egress.as_deref(),
        }
    }
}

/// Every policy of the resources, reduced. Staged policies with `stagedAction` other than `Set` have no
/// effect in OSS Calico and are left out. Policies that fail to compile are returned as errors.
pub(crate) fn normalize_all(
    resources: &crate::model::ResourceSet,
) -> (Vec<NormPolicy>, Vec<CompileError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for policy in &resources.policies {
        match normalize_calico(policy) {
            Ok(Some(p)) => out.push(p),
            Ok(None) => {}
            Err(e) => errors.extend(e),
        }
    }
    for policy in &resources.kubernetes_policies {
        match normalize_kubernetes(policy) {
            Ok(Some(p)) => out.push(p),
            Ok(None) => {}
            Err(e) => errors.extend(e),
        }
    }
    let version = resources.calico_version.unwrap_or_default();
    for policy in &resources.cluster_policies {
        match normalize_cluster(policy, version) {
            Ok(Some(p)) => out.push(p),
            Ok(None) => {}
            Err(e) => errors.extend(e),
        }
    }
    (out, errors)
}

/// A Calico policy, reduced (`None` for staged policies that are not `Set`).
pub(crate) fn normalize_calico(
    policy: &CalicoPolicy,
) -> Result<Option<NormPolicy>, Vec<CompileError>> {
    if policy.kind.is_staged() && policy.spec.staged_action.unwrap_or_default() != StagedAction::Set
    {
        return Ok(None);
    }
    let key = PolicyKey::of_calico(policy);
    normalize_spec(key, &policy.spec).map(Some)
}

/// A Kubernetes policy converted as Calico converts it, then reduced.
pub(crate) fn normalize_kubernetes(
    policy: &KubernetesPolicy,
) -> Result<Option<NormPolicy>, Vec<CompileError>> {
    if policy.staged && policy.spec.staged_action.unwrap_or_default() != StagedAction::Set {
        return Ok(None);
    }
    let key = PolicyKey::of_kubernetes(policy);
    let spec = kubernetes_to_calico(policy);
    normalize_spec(key, &spec).map(Some)
}

/// A ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy converted as the given
/// Calico release converts it, then reduced; `None` when that release does not enforce the kind or drops
/// the policy.
pub(crate) fn normalize_cluster(
    policy: &ClusterPolicy,
    version: crate::model::CalicoVersion,
) -> Result<Option<NormPolicy>, Vec<CompileError>> {
    if !version.enforces(policy.kind) {
        return Ok(None);
    }
    let Some(mut converted) = super::cnp::cluster_to_calico(policy) else {
        return Ok(None);
    };
    super::cnp::annotate(&mut converted.spec.ingress, &converted.ingress_names);
    super::cnp::annotate(&mut converted.spec.egress, &converted.egress_names);
    let mut norm = normalize_spec(PolicyKey::of_cluster(policy), &converted.spec)?;
    // `types` lists only the directions with a converted rule; a direction without is not applied.
    if converted.spec.ingress.is_empty() {
        norm.ingress = None;
    }
    if converted.spec.egress.is_empty() {
        norm.egress = None;
    }
    let name_rules = |rules: &mut Option<Vec<NormRule>>, names: Vec<Option<String>>| {
        for (rule, name) in rules.iter_mut().flatten().zip(names) {
            rule.name = name;
        }
    };
    name_rules(&mut norm.ingress, converted.ingress_names);
    name_rules(&mut norm.egress, converted.egress_names);
    Ok(Some(norm))
}

pub(crate) fn normalize_spec(
    key: PolicyKey,
    spec: &PolicySpec,
) -> Result<NormPolicy, Vec<CompileError>> {
    let mut cx = Cx {
        key: &key,
        errors: Vec::new(),
    };
    let namespace = key.namespace.clone();
    let global = namespace.is_none();
    let applies = Applies {
        namespace: namespace.clone(),
        selector: cx.selector(spec.selector.as_deref(), "selector"),
        ns_selector: if global {
            cx.selector(spec.namespace_selector.as_deref(), "namespaceSelector")
        } else {
            None
        },
        sa_selector: cx.selector(
            spec.service_account_selector.as_deref(),
            "serviceAccountSelector",
        ),
    };
    let types = spec.effective_types();
    let mut rules = |dir: &str, list: &[Rule]| -> Vec<NormRule> {
        list.iter()
            .enumerate()
            .map(|(i, r)| cx.rule(r, namespace.as_deref(), &format!("{dir}[{i}]")))
            .collect()
    };
    let ingress = types
        .contains(&PolicyType::Ingress)
        .then(|| rules("ingress", &spec.ingress));
    let egress = types
        .contains(&PolicyType::Egress)
        .then(|| rules("egress", &spec.egress));
    if !cx.errors.is_empty() {
        return Err(cx.errors);
    }
    let tier = spec
        .tier
        .clone()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| crate::model::DEFAULT_TIER.to_owned());
    Ok(NormPolicy {
        key,
        tier,
        order: spec.order,
        applies,
        ingress,
        egress,
    })
}

struct Cx<'a> {
    key: &'a PolicyKey,
    errors: Vec<CompileError>,
}

impl Cx<'_> {
    fn error(&mut self, field: &str, message: String) {
        self.errors.push(CompileError {
            policy: self.key.clone(),
            field: field.to_owned(),
            message,
        });
    }

    /// A selector field; `None` when absent or empty (Calico tests `!= ""`).
    fn selector(&mut self, text: Option<&str>, field: &str) -> Option<Selector> {
        let text = text.filter(|t| !t.is_empty())?;
        match Selector::parse(text) {
            Ok(s) => Some(s),
            Err(e) => {
                self.error(field, format!("selector `{text}`: {e}"));
                None
            }
        }
    }

    fn rule(&mut self, rule: &Rule, ns: Option<&str>, field: &str) -> NormRule {
        let ip_version = match rule.ip_version {
            None => None,
            Some(v @ (4 | 6)) => Some(v),
            Some(v) => {
                self.error(
                    &format!("{field}.ipVersion"),
                    format!("`{v}` is not 4 or 6"),
                );
                None
            }
        };
        let icmp =
            |f: &Option<crate::model::IcmpFields>| f.and_then(|f| f.icmp_type.map(|t| (t, f.code)));
        let unsupported = if !rule.source.domains.is_empty() || !rule.destination.domains.is_empty()
        {
            Some("`domains` are enforced by Calico Enterprise only")
        } else if rule.source.services.is_some() || rule.destination.services.is_some() {
            Some("`services` rules need the Service's endpoints")
        } else {
            None
        };
        NormRule {
            action: rule.action,
            l4: L4 {
                protocol: rule.protocol.map(|p| p.number()),
                not_protocol: rule.not_protocol.map(|p| p.number()),
                icmp: icmp(&rule.icmp),
                not_icmp: icmp(&rule.not_icmp),
            },
            ip_version,
            src: self.entity(&rule.source, ns, &format!("{field}.source")),
            dst: self.entity(&rule.destination, ns, &format!("{field}.destination")),
            unsupported,
            needs_alp: rule.http.is_some(),
            name: None,
        }
    }

    /// `GetEntityRuleSelector` followed by `combineMatchesIfPossible`.
    fn entity(&mut self, er: &EntityRule, ns: Option<&str>, field: &str) -> NormEntity {
        let ns_sel_text = er.namespace_selector.as_deref().filter(|t| !t.is_empty());
        let ns_scope = match ns_sel_text {
            Some(_) => self
                .selector(ns_sel_text, &format!("{field}.namespaceSelector"))
                .map(NsScope::Selector),
            None => ns.map(|n| NsScope::Namespace(n.to_owned())),
        };
        let (sa_names, sa_selector) = match &er.service_accounts {
            Some(sa) => (
                sa.names.clone(),
                self.selector(
                    sa.selector.as_deref(),
                    &format!("{field}.serviceAccounts.selector"),
                ),
            ),
            None => (Vec::new(), None),
        };
        let selector = self.selector(er.selector.as_deref(), &format!("{field}.selector"));
        let not = self.selector(er.not_selector.as_deref(), &format!("{field}.notSelector"));
        let id_present = !sa_names.is_empty() || sa_selector.is_some() || selector.is_some();
        let scoped = ns_scope.is_some() && (id_present || not.is_some() || ns_sel_text.is_some());
        let positive = if scoped || id_present {
            Some(PeerSelector {
                ns: if scoped { ns_scope } else { None },
                sa_names,
                sa_selector,
                selector,
                not: None,
            })
        } else {
            None
        };
        let (positive, negative) = match positive {
            Some(mut p) => {
                p.not = not;
                (Some(p), None)
            }
            None => (None, not),
        };
        NormEntity {
            positive,
            negative,
            nets: self.nets(&er.nets, &format!("{field}.nets")),
            not_nets: self.nets(&er.not_nets, &format!("{field}.notNets")),
            ports: PortList::from_ports(&er.ports),
            not_ports: PortList::from_ports(&er.not_ports),
        }
    }

    fn nets(&mut self, nets: &[String], field: &str) -> Vec<IpNet> {
        let mut out = Vec::new();
        for text in nets {
            match parse_net(text) {
                Ok(net) => out.push(net),
                Err(e) => self.error(field, e),
            }
        }
        out
    }
}
