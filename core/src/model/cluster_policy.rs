//! Kubernetes cluster-wide policies of `policy.networking.k8s.io`: `ClusterNetworkPolicy` (v1alpha2,
//! enforced by Calico 3.32 in the `kube-admin` and `kube-baseline` tiers) and its predecessors
//! `AdminNetworkPolicy` / `BaselineAdminNetworkPolicy` (v1alpha1, enforced by Calico 3.29–3.31)
//! (`cluster-network-policy.md` §1, §4).
//!
//! The three kinds share one shape (a subject, ordered ingress and egress rules with an action, peers
//! and ports), so they share one model. The fields follow the wire format of each kind: `tier` and
//! `protocols` exist only in a ClusterNetworkPolicy, `ports` only in the v1alpha1 kinds, `priority` in
//! every kind but the BaselineAdminNetworkPolicy. The importer refuses a field on the wrong kind, so a
//! value of this type always reads back as it was written.

use serde::{Deserialize, Serialize};

use super::{Extra, LabelSelector, ObjectMeta, Protocol};

/// The API group and version of a ClusterNetworkPolicy.
pub const CLUSTER_NETWORK_POLICY_API_VERSION: &str = "policy.networking.k8s.io/v1alpha2";
/// The API group and version of the AdminNetworkPolicy and BaselineAdminNetworkPolicy.
pub const ADMIN_NETWORK_POLICY_API_VERSION: &str = "policy.networking.k8s.io/v1alpha1";

/// Which of the three kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ClusterPolicyKind {
    ClusterNetworkPolicy,
    AdminNetworkPolicy,
    BaselineAdminNetworkPolicy,
}

impl ClusterPolicyKind {
    /// The `kind:` string.
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterPolicyKind::ClusterNetworkPolicy => "ClusterNetworkPolicy",
            ClusterPolicyKind::AdminNetworkPolicy => "AdminNetworkPolicy",
            ClusterPolicyKind::BaselineAdminNetworkPolicy => "BaselineAdminNetworkPolicy",
        }
    }

    /// The `apiVersion` the kind is written with.
    pub fn api_version(self) -> &'static str {
        match self {
            ClusterPolicyKind::ClusterNetworkPolicy => CLUSTER_NETWORK_POLICY_API_VERSION,
            _ => ADMIN_NETWORK_POLICY_API_VERSION,
        }
    }

    /// The kind of a `kind:` string.
    pub fn from_kind(kind: &str) -> Option<ClusterPolicyKind> {
        match kind {
            "ClusterNetworkPolicy" => Some(ClusterPolicyKind::ClusterNetworkPolicy),
            "AdminNetworkPolicy" => Some(ClusterPolicyKind::AdminNetworkPolicy),
            "BaselineAdminNetworkPolicy" => Some(ClusterPolicyKind::BaselineAdminNetworkPolicy),
            _ => None,
        }
    }

    /// The v1alpha1 kinds (AdminNetworkPolicy, BaselineAdminNetworkPolicy).
    pub fn is_v1alpha1(self) -> bool {
        self != ClusterPolicyKind::ClusterNetworkPolicy
    }

    /// Most rules in one direction, and most peers (and CNP protocols) in one rule, the CRD accepts.
    pub fn max_items(self) -> usize {
        match self {
            ClusterPolicyKind::ClusterNetworkPolicy => 25,
            _ => 100,
        }
    }
}

/// A ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy (cluster-scoped: no namespace).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterPolicy {
    pub kind: ClusterPolicyKind,
    pub metadata: ObjectMeta,
    pub spec: ClusterPolicySpec,
}

/// The tier of a ClusterNetworkPolicy (`spec.tier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ClusterTier {
    /// Before Kubernetes NetworkPolicy (Calico's `kube-admin` tier).
    Admin,
    /// After Kubernetes NetworkPolicy (Calico's `kube-baseline` tier).
    Baseline,
}

/// The spec shared by the three kinds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterPolicySpec {
    /// ClusterNetworkPolicy only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<ClusterTier>,
    /// 0..=1000, lower first; absent from a BaselineAdminNetworkPolicy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    #[serde(default)]
    pub subject: ClusterSubject,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<ClusterIngressRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<ClusterEgressRule>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec.subject`: exactly one of `namespaces` and `pods`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSubject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespaces: Option<LabelSelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<NamespacedPods>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A `pods` subject or peer: pods matching `podSelector` in namespaces matching `namespaceSelector`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespacedPods {
    /// Required by the v1alpha1 CRDs; optional in a ClusterNetworkPolicy (absent = every namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<LabelSelector>,
    #[serde(default)]
    pub pod_selector: LabelSelector,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A rule's action as written: `Accept` (ClusterNetworkPolicy) or `Allow` (v1alpha1), `Deny`, `Pass`
/// (not in a BaselineAdminNetworkPolicy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ClusterAction {
    Accept,
    Allow,
    Deny,
    Pass,
}

impl ClusterAction {
    /// The action as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterAction::Accept => "Accept",
            ClusterAction::Allow => "Allow",
            ClusterAction::Deny => "Deny",
            ClusterAction::Pass => "Pass",
        }
    }

    /// Whether the action lets traffic through (`Accept` or `Allow`).
    pub fn admits(self) -> bool {
        matches!(self, ClusterAction::Accept | ClusterAction::Allow)
    }
}

/// An ingress rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterIngressRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub action: ClusterAction,
    #[serde(default)]
    pub from: Vec<ClusterPeer>,
    /// ClusterNetworkPolicy only; empty = every protocol and port.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protocols: Vec<ClusterProtocol>,
    /// v1alpha1 kinds only; empty = every protocol and port.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<AdminPort>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An egress rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterEgressRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub action: ClusterAction,
    #[serde(default)]
    pub to: Vec<ClusterPeer>,
    /// ClusterNetworkPolicy only; empty = every protocol and port.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protocols: Vec<ClusterProtocol>,
    /// v1alpha1 kinds only; empty = every protocol and port.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<AdminPort>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One peer: exactly one field. Ingress peers are `namespaces` or `pods`; egress peers add `networks`,
/// `nodes` and `domainNames`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterPeer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespaces: Option<LabelSelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<NamespacedPods>,
    /// CIDRs, as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<String>,
    /// Experimental: nodes by label (not enforced by Calico: the rule fails closed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<LabelSelector>,
    /// Experimental: DNS names (not enforced by Calico: the rule fails closed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domain_names: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One `protocols[]` entry of a ClusterNetworkPolicy rule: exactly one field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterProtocol {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<ProtocolPort>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub udp: Option<ProtocolPort>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sctp: Option<ProtocolPort>,
    /// A container port name, resolved on the destination pod (with that port's own protocol).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_named_port: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `tcp` / `udp` / `sctp` of a ClusterNetworkPolicy protocol entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtocolPort {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_port: Option<DestinationPort>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `destinationPort`: exactly one of a number and a range.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DestinationPort {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<PortRange>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An inclusive port range, `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PortRange {
    pub start: u16,
    pub end: u16,
}

/// One `ports[]` entry of an AdminNetworkPolicy or BaselineAdminNetworkPolicy rule: exactly one field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminPort {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_number: Option<AdminPortNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_range: Option<AdminPortRange>,
    /// Not converted by Calico 3.29–3.31: the rule then matches every protocol and port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named_port: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `portNumber` of an admin policy port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminPortNumber {
    /// As written; absent means TCP (the CRD's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    pub port: u16,
}

/// `portRange` of an admin policy port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminPortRange {
    /// As written; absent means TCP (the CRD's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    pub start: u16,
    pub end: u16,
}

impl ClusterPolicy {
    /// The name Calico gives the converted policy and shows in flow logs: the CNP's own name in 3.32,
    /// `kanp.adminnetworkpolicy.<name>` / `kbanp.baselineadminnetworkpolicy.<name>` in 3.29–3.31.
    pub fn calico_name(&self) -> String {
        let name = &self.metadata.name;
        match self.kind {
            ClusterPolicyKind::ClusterNetworkPolicy => name.clone(),
            ClusterPolicyKind::AdminNetworkPolicy => format!("kanp.adminnetworkpolicy.{name}"),
            ClusterPolicyKind::BaselineAdminNetworkPolicy => {
                format!("kbanp.baselineadminnetworkpolicy.{name}")
            }
        }
    }

    /// The Calico tier the policy is converted into; `None` for a ClusterNetworkPolicy without a
    /// tier, which Calico drops.
    pub fn calico_tier(&self) -> Option<&'static str> {
        match (self.kind, self.spec.tier) {
            (ClusterPolicyKind::ClusterNetworkPolicy, Some(ClusterTier::Admin)) => {
                Some(KUBE_ADMIN_TIER)
            }
            (ClusterPolicyKind::ClusterNetworkPolicy, Some(ClusterTier::Baseline)) => {
                Some(KUBE_BASELINE_TIER)
            }
            (ClusterPolicyKind::ClusterNetworkPolicy, None) => None,
            (ClusterPolicyKind::AdminNetworkPolicy, _) => Some(ADMIN_NETWORK_POLICY_TIER),
            (ClusterPolicyKind::BaselineAdminNetworkPolicy, _) => {
                Some(BASELINE_ADMIN_NETWORK_POLICY_TIER)
            }
        }
    }
}

/// Calico 3.32's tier for ClusterNetworkPolicies of `tier: Admin` (order 1,000, default action Pass).
pub const KUBE_ADMIN_TIER: &str = "kube-admin";
/// Calico 3.32's tier for ClusterNetworkPolicies of `tier: Baseline` (order 10,000,000, Pass).
pub const KUBE_BASELINE_TIER: &str = "kube-baseline";
/// Calico 3.29–3.31's tier for AdminNetworkPolicies (order 1,000, Pass).
pub const ADMIN_NETWORK_POLICY_TIER: &str = "adminnetworkpolicy";
/// Calico 3.29–3.31's tier for the BaselineAdminNetworkPolicy (order 10,000,000, Pass).
pub const BASELINE_ADMIN_NETWORK_POLICY_TIER: &str = "baselineadminnetworkpolicy";
