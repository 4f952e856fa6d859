//! The resource model: Calico and Kubernetes objects as Netpol Studio holds them.
//!
//! The types mirror the wire format (`projectcalico.org/v3` field names, camelCase) so that YAML and JSON
//! map onto them one to one, and they keep what the user wrote (selectors and CIDRs as text, protocols
//! by name or number) so that import → export is lossless. Interpretation — parsing selectors, defaulting
//! `types`, converting Kubernetes policies — happens in the modules that need it, never here.
//!
//! Every struct that a user writes by hand carries an `extra` map: fields this version does not know are
//! kept there (and reported as warnings by the importer) instead of being dropped on round-trip.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub mod anp_migration;
mod calico_version;
mod cluster_policy;
mod pools;
pub mod vocabulary;

pub use calico_version::{CalicoVersion, CalicoVersionParseError};
pub use cluster_policy::*;
pub use pools::{
    DEFAULT_IPV4_POOL_CIDR, DEFAULT_IPV4_POOL_NAME, IpPool, IpPoolSpec, parse_pool_cidr, pod_range,
};
pub use vocabulary::names;
pub use vocabulary::ports::{
    PORT_PROTOCOLS, Port, PortParseError, Protocol, ProtocolParseError, carries_ports,
};

/// Unknown fields of an object, kept verbatim so that export does not drop them.
pub type Extra = BTreeMap<String, serde_json::Value>;

/// A label map. Ordered, so that output is deterministic.
pub type Labels = BTreeMap<String, String>;

/// Which API group and version an object was read from or is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ApiFlavour {
    /// `projectcalico.org/v3`: what `calicoctl` and the Calico API server speak.
    #[serde(rename = "v3")]
    V3,
    /// `crd.projectcalico.org/v1`: the stored CRDs (tier-prefixed names, no defaulting on the way in).
    #[serde(rename = "crd-v1")]
    CrdV1,
}

impl ApiFlavour {
    /// The `apiVersion` string of Calico objects in this flavour.
    pub fn api_version(self) -> &'static str {
        match self {
            ApiFlavour::V3 => "projectcalico.org/v3",
            ApiFlavour::CrdV1 => "crd.projectcalico.org/v1",
        }
    }
}

/// `metadata` of any object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: Labels,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Server-populated fields (`resourceVersion`, `uid`, `managedFields`, …) and anything unknown.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ObjectMeta {
    /// Metadata with just a name (and a namespace for namespaced kinds).
    pub fn named(name: impl Into<String>, namespace: Option<&str>) -> ObjectMeta {
        ObjectMeta {
            name: name.into(),
            namespace: namespace.map(str::to_owned),
            ..ObjectMeta::default()
        }
    }
}

/// The Calico policy kinds that share [`PolicySpec`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CalicoPolicyKind {
    NetworkPolicy,
    GlobalNetworkPolicy,
    StagedNetworkPolicy,
    StagedGlobalNetworkPolicy,
}

impl CalicoPolicyKind {
    /// The `kind:` string.
    pub fn as_str(self) -> &'static str {
        match self {
            CalicoPolicyKind::NetworkPolicy => "NetworkPolicy",
            CalicoPolicyKind::GlobalNetworkPolicy => "GlobalNetworkPolicy",
            CalicoPolicyKind::StagedNetworkPolicy => "StagedNetworkPolicy",
            CalicoPolicyKind::StagedGlobalNetworkPolicy => "StagedGlobalNetworkPolicy",
        }
    }

    /// Namespaced (`NetworkPolicy`, `StagedNetworkPolicy`) rather than cluster-wide.
    pub fn is_namespaced(self) -> bool {
        matches!(
            self,
            CalicoPolicyKind::NetworkPolicy | CalicoPolicyKind::StagedNetworkPolicy
        )
    }

    /// Staged kinds are never enforced; they give the "would be" verdict.
    pub fn is_staged(self) -> bool {
        matches!(
            self,
            CalicoPolicyKind::StagedNetworkPolicy | CalicoPolicyKind::StagedGlobalNetworkPolicy
        )
    }
}

/// A Calico `NetworkPolicy`, `GlobalNetworkPolicy` or one of their staged variants.
///
/// `metadata.name` is the **bare** name (no tier prefix): importers strip a `<tier>.` prefix that matches
/// `spec.tier`, exporters add it back for flavours that need it (see [`names`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalicoPolicy {
    pub kind: CalicoPolicyKind,
    pub metadata: ObjectMeta,
    pub spec: PolicySpec,
}

impl CalicoPolicy {
    /// The tier this policy lives in (`default` when unset).
    pub fn tier(&self) -> &str {
        self.spec
            .tier
            .as_deref()
            .filter(|t| !t.is_empty())
            .unwrap_or(DEFAULT_TIER)
    }
}

/// The name of Calico's built-in default tier.
pub const DEFAULT_TIER: &str = "default";

/// The spec shared by the Calico policy kinds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicySpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Lower orders are evaluated first; `None` means last.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_order"
    )]
    pub order: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// Global kinds only: restricts the policy to endpoints in matching namespaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_selector: Option<String>,
    /// As written; empty means "default from the rules" (see `PolicySpec::effective_types`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<PolicyType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<Rule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<Rule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub do_not_track: Option<bool>,
    #[serde(default, rename = "preDNAT", skip_serializing_if = "Option::is_none")]
    pub pre_dnat: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply_on_forward: Option<bool>,
    /// Staged kinds only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staged_action: Option<StagedAction>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl PolicySpec {
    /// `types` after Calico's defaulting: as written when non-empty; otherwise `[Egress]` when there
    /// are egress rules only, `[Ingress, Egress]` with both, and `[Ingress]` in every other case.
    pub fn effective_types(&self) -> Vec<PolicyType> {
        if !self.types.is_empty() {
            return self.types.clone();
        }
        match (self.ingress.is_empty(), self.egress.is_empty()) {
            (true, false) => vec![PolicyType::Egress],
            (false, false) => vec![PolicyType::Ingress, PolicyType::Egress],
            _ => vec![PolicyType::Ingress],
        }
    }
}

/// A traffic direction a policy can apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PolicyType {
    Ingress,
    Egress,
}

/// `stagedAction` of the staged kinds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StagedAction {
    #[default]
    Set,
    Delete,
    Learn,
    Ignore,
}

/// A rule's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Action {
    Allow,
    Deny,
    Log,
    Pass,
}

impl Action {
    /// The action as Calico writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "Allow",
            Action::Deny => "Deny",
            Action::Log => "Log",
            Action::Pass => "Pass",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One ingress or egress rule of a Calico policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_protocol: Option<Protocol>,
    /// 4 or 6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_version: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp: Option<IcmpFields>,
    #[serde(default, rename = "notICMP", skip_serializing_if = "Option::is_none")]
    pub not_icmp: Option<IcmpFields>,
    #[serde(default, skip_serializing_if = "EntityRule::is_empty")]
    pub source: EntityRule,
    #[serde(default, skip_serializing_if = "EntityRule::is_empty")]
    pub destination: EntityRule,
    /// Application-layer match; enforced only with ALP, ignored by the L3/L4 evaluator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<RuleMetadata>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Rule {
    /// A rule with only an action: it matches every packet.
    pub fn new(action: Action) -> Rule {
        Rule {
            action,
            protocol: None,
            not_protocol: None,
            ip_version: None,
            icmp: None,
            not_icmp: None,
            source: EntityRule::default(),
            destination: EntityRule::default(),
            http: None,
            metadata: None,
            extra: Extra::new(),
        }
    }
}

/// `icmp` / `notICMP` of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IcmpFields {
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub icmp_type: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u8>,
}

/// `metadata` of a rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleMetadata {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// The `source` or `destination` of a rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityRule {
    /// CIDRs or single addresses, as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nets: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_nets: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_selector: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_accounts: Option<ServiceAccountMatch>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ports: Vec<Port>,
    /// Calico Enterprise: egress destinations by DNS name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<ServiceMatch>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl EntityRule {
    /// No criterion at all: matches any peer.
    pub fn is_empty(&self) -> bool {
        self == &EntityRule::default()
    }
}

/// `serviceAccounts` of an entity rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceAccountMatch {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
}

/// `services` of an entity rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceMatch {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A Calico `Tier`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tier {
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: TierSpec,
}

impl Tier {
    /// A tier with a name, an order and Calico's default action (`Deny`).
    pub fn new(name: impl Into<String>, order: Option<f64>) -> Tier {
        Tier {
            metadata: ObjectMeta::named(name, None),
            spec: TierSpec {
                order,
                ..TierSpec::default()
            },
        }
    }

    /// The tier's default action, `Deny` when unset.
    pub fn default_action(&self) -> TierDefaultAction {
        self.spec.default_action.unwrap_or(TierDefaultAction::Deny)
    }
}

/// The spec of a [`Tier`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TierSpec {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_order"
    )]
    pub order: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_action: Option<TierDefaultAction>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// What happens at the end of a tier when no rule decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TierDefaultAction {
    Deny,
    Pass,
}

/// A `NetworkSet` (namespaced, `metadata.namespace` set) or `GlobalNetworkSet`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkSet {
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: NetworkSetSpec,
}

impl NetworkSet {
    /// A `GlobalNetworkSet` when it has no namespace.
    pub fn is_global(&self) -> bool {
        self.metadata.namespace.is_none()
    }
}

/// The spec of a [`NetworkSet`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkSetSpec {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nets: Vec<String>,
    /// Calico Enterprise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_egress_domains: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A Kubernetes `networking.k8s.io/v1 NetworkPolicy`, or a Calico `StagedKubernetesNetworkPolicy` when
/// `staged` is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KubernetesPolicy {
    pub metadata: ObjectMeta,
    pub spec: KubernetesPolicySpec,
    /// Read as `StagedKubernetesNetworkPolicy`.
    #[serde(default)]
    pub staged: bool,
}

/// `spec` of a Kubernetes NetworkPolicy (plus `stagedAction` for the staged kind).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesPolicySpec {
    #[serde(default)]
    pub pod_selector: LabelSelector,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_types: Vec<PolicyType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<KubernetesIngressRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<KubernetesEgressRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staged_action: Option<StagedAction>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A Kubernetes ingress rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KubernetesIngressRule {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from: Vec<KubernetesPeer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<KubernetesPort>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A Kubernetes egress rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KubernetesEgressRule {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<KubernetesPeer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<KubernetesPort>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A `from` / `to` peer of a Kubernetes rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesPeer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_selector: Option<LabelSelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<LabelSelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_block: Option<IpBlock>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ipBlock` of a Kubernetes peer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IpBlock {
    pub cidr: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A `ports[]` entry of a Kubernetes rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesPort {
    /// `TCP` (the default), `UDP` or `SCTP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// A number or a named port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<Port>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_port: Option<u16>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A Kubernetes `LabelSelector`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: Labels,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSelectorRequirement {
    pub key: String,
    pub operator: LabelSelectorOperator,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// The operator of a `matchExpressions` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LabelSelectorOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// A `v1 Namespace`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Namespace {
    pub metadata: ObjectMeta,
}

/// Which Kubernetes object a [`Workload`] was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum WorkloadKind {
    Pod,
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    Job,
    CronJob,
}

impl WorkloadKind {
    /// The `kind:` string.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Pod => "Pod",
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
        }
    }
}

/// A pod, or the pods a controller makes, reduced to what policy sees: the pod labels (from the pod
/// template for controllers), the service account, the IP when known, and the named container ports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workload {
    pub kind: WorkloadKind,
    /// Name and namespace of the object; `labels` here are the **pod** labels.
    pub metadata: ObjectMeta,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
    /// The pod IP (`status.podIP`) when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Container ports, named or not, of containers and init containers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ContainerPort>,
}

/// Labels a controller adds per pod or per revision (a ReplicaSet's template hash, a DaemonSet's or
/// StatefulSet's revision, a StatefulSet pod's name): never part of a workload's identity.
pub const VOLATILE_POD_LABELS: [&str; 4] = [
    "pod-template-hash",
    "controller-revision-hash",
    "statefulset.kubernetes.io/pod-name",
    "pod-template-generation",
];

/// A container port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ContainerPort {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub port: u16,
    /// Defaults to TCP.
    #[serde(default)]
    pub protocol: Protocol,
}

/// Any object Netpol Studio reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resource", rename_all = "camelCase")]
pub enum Resource {
    CalicoPolicy(CalicoPolicy),
    KubernetesPolicy(KubernetesPolicy),
    Tier(Tier),
    NetworkSet(NetworkSet),
    Namespace(Namespace),
    Workload(Workload),
    IpPool(IpPool),
    ClusterPolicy(ClusterPolicy),
}

impl Resource {
    /// The `kind:` this resource is written as.
    pub fn kind(&self) -> &'static str {
        match self {
            Resource::CalicoPolicy(p) => p.kind.as_str(),
            Resource::KubernetesPolicy(p) if p.staged => "StagedKubernetesNetworkPolicy",
            Resource::KubernetesPolicy(_) => "NetworkPolicy",
            Resource::Tier(_) => "Tier",
            Resource::NetworkSet(s) if s.is_global() => "GlobalNetworkSet",
            Resource::NetworkSet(_) => "NetworkSet",
            Resource::Namespace(_) => "Namespace",
            Resource::Workload(w) => w.kind.as_str(),
            Resource::IpPool(_) => "IPPool",
            Resource::ClusterPolicy(p) => p.kind.as_str(),
        }
    }

    /// The object's metadata.
    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Resource::CalicoPolicy(p) => &p.metadata,
            Resource::KubernetesPolicy(p) => &p.metadata,
            Resource::Tier(t) => &t.metadata,
            Resource::NetworkSet(s) => &s.metadata,
            Resource::Namespace(n) => &n.metadata,
            Resource::Workload(w) => &w.metadata,
            Resource::IpPool(p) => &p.metadata,
            Resource::ClusterPolicy(p) => &p.metadata,
        }
    }
}

/// A set of resources, grouped by what they are: the input of the evaluator, the lints and the
/// exporter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResourceSet {
    #[serde(default)]
    pub tiers: Vec<Tier>,
    #[serde(default)]
    pub policies: Vec<CalicoPolicy>,
    #[serde(default)]
    pub kubernetes_policies: Vec<KubernetesPolicy>,
    #[serde(default)]
    pub network_sets: Vec<NetworkSet>,
    #[serde(default)]
    pub namespaces: Vec<Namespace>,
    #[serde(default)]
    pub workloads: Vec<Workload>,
    /// The cluster's pod address range ([`pod_range`]: Calico's default pool when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_pools: Vec<IpPool>,
    /// ClusterNetworkPolicies, AdminNetworkPolicies and BaselineAdminNetworkPolicies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_policies: Vec<ClusterPolicy>,
    /// The Calico release the resources are evaluated as ([`CalicoVersion::default`] when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calico_version: Option<CalicoVersion>,
}

impl ResourceSet {
    /// Adds one resource to its group.
    pub fn push(&mut self, resource: Resource) {
        match resource {
            Resource::CalicoPolicy(p) => self.policies.push(p),
            Resource::KubernetesPolicy(p) => self.kubernetes_policies.push(p),
            Resource::Tier(t) => self.tiers.push(t),
            Resource::NetworkSet(s) => self.network_sets.push(s),
            Resource::Namespace(n) => self.namespaces.push(n),
            Resource::Workload(w) => self.workloads.push(w),
            Resource::IpPool(p) => self.ip_pools.push(p),
            Resource::ClusterPolicy(p) => self.cluster_policies.push(p),
        }
    }

    /// Every resource, tiers first, then IP pools (the order in which they must be applied).
    pub fn resources(&self) -> impl Iterator<Item = Resource> + '_ {
        self.tiers
            .iter()
            .cloned()
            .map(Resource::Tier)
            .chain(self.ip_pools.iter().cloned().map(Resource::IpPool))
            .chain(self.namespaces.iter().cloned().map(Resource::Namespace))
            .chain(self.network_sets.iter().cloned().map(Resource::NetworkSet))
            .chain(
                self.cluster_policies
                    .iter()
                    .cloned()
                    .map(Resource::ClusterPolicy),
            )
            .chain(self.policies.iter().cloned().map(Resource::CalicoPolicy))
            .chain(
                self.kubernetes_policies
                    .iter()
                    .cloned()
                    .map(Resource::KubernetesPolicy),
            )
            .chain(self.workloads.iter().cloned().map(Resource::Workload))
    }

    /// The tier of that name, if declared.
    pub fn tier(&self, name: &str) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.metadata.name == name)
    }

    /// The namespace of that name, if declared.
    pub fn namespace(&self, name: &str) -> Option<&Namespace> {
        self.namespaces.iter().find(|n| n.metadata.name == name)
    }
}

impl FromIterator<Resource> for ResourceSet {
    fn from_iter<I: IntoIterator<Item = Resource>>(iter: I) -> ResourceSet {
        let mut set = ResourceSet::default();
        for resource in iter {
            set.push(resource);
        }
        set
    }
}

/// Writes an `order` that is a whole number as an integer (`1000`, not `1000.0`), as people write it.
fn serialize_order<S: Serializer>(order: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match order {
        Some(o) if o.fract() == 0.0 && o.abs() < 1e15 => s.serialize_i64(*o as i64),
        Some(o) => s.serialize_f64(*o),
        None => s.serialize_none(),
    }
}

/// Serialises a value that serde would otherwise write through `Display`.
pub(crate) fn serialize_display<T: fmt::Display, S: Serializer>(
    value: &T,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

/// Deserialises an `int | string` field through a parser of the string form.
pub(crate) fn deserialize_int_or_string<'de, D, T, E>(
    d: D,
    from_int: impl FnOnce(i64) -> Result<T, E>,
    from_str: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    E: fmt::Display,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum IntOrString {
        Int(i64),
        String(String),
    }
    match IntOrString::deserialize(d)? {
        IntOrString::Int(i) => from_int(i),
        IntOrString::String(s) => from_str(&s),
    }
    .map_err(serde::de::Error::custom)
}
