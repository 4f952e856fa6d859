//! The design document: Netpol Studio's own versioned file.
//!
//! A design holds what plain resources cannot: the label taxonomy, the environments (with the cluster
//! labels Fleet targets and per-environment CIDRs), the namespaces and workload groups being designed
//! for, and the layout of the canvas. Its tiers, policies and network sets are ordinary Calico and
//! Kubernetes objects, written in their wire form inside the document, so that they read exactly like
//! the YAML a user would apply.
//!
//! ```yaml
//! apiVersion: studio.netpol.dev/v1alpha1
//! kind: Design
//! metadata: {name: shop, description: …}
//! spec: {taxonomy: […], environments: […], namespaces: […], tiers: […], policies: […],
//!        networkSets: […], layout: {node-id: {x: 0, y: 0}}}
//! ```
//!
//! The file may be YAML or JSON. [`to_resources`] and [`from_resources`] convert to and from plain
//! resources.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{
    ApiFlavour, CalicoPolicy, CalicoVersion, ClusterPolicy, ContainerPort, IpPool,
    KubernetesPolicy, Labels, Namespace, NetworkSet, ObjectMeta, Resource, ResourceSet, Tier,
    Workload, WorkloadKind,
};
use crate::yaml::{self, Diagnostic, Severity};

mod decode;
mod edit;
mod encode;
mod enforcement;
mod input;
mod lint_settings;
mod merge;
pub mod share;
mod taxonomy;

pub(crate) use decode::decode;
pub use edit::{
    NameError, add_namespace, add_workload_group, check_namespace_name, check_new_namespace,
    check_new_workload_group, check_port_name, check_port_name_in, check_service_account,
    check_workload_name, remove_namespace, remove_workload_group, rename_namespace,
    rename_workload_group,
};
pub use taxonomy::{
    LabelStatus, RenameError, ValueRename, is_builtin_key, is_environment_key, label_status,
    label_usage, rename_label_value,
};

/// The `apiVersion` of the design documents this version reads and writes.
pub const API_VERSION: &str = "studio.netpol.dev/v1alpha1";

/// The built-in sample design (Rancher + Calico zero-trust estate), as YAML.
pub const SAMPLE_YAML: &str = include_str!("design/sample.yaml");

/// The empty design with the default-deny baseline, as YAML.
pub const BASELINE_YAML: &str = include_str!("design/baseline.yaml");

pub use crate::model::vocabulary::namespaces::SYSTEM_NAMESPACES;
pub use input::{DesignDocument, Document, Input, import, import_bytes, import_bytes_with_limits};
pub use lint_settings::LintConfig;
pub use merge::{ImportOutcome, apply_import, merge};

/// A design: everything the Studio edits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Design {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The label keys the design uses, with their allowed values.
    #[serde(default)]
    pub taxonomy: Vec<LabelKey>,
    #[serde(default)]
    pub environments: Vec<Environment>,
    /// The cluster's pod address range (its Calico IP pools' CIDRs); empty means Calico's default
    /// pool, `192.168.0.0/16`. The evaluator places every designed workload (they have no IP) in it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pod_cidrs: Vec<String>,
    /// The Calico release the design targets (`spec.calicoVersion`); unset means the newest known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calico_version: Option<CalicoVersion>,
    #[serde(default)]
    pub namespaces: Vec<DesignNamespace>,
    #[serde(default)]
    pub tiers: Vec<Tier>,
    /// Calico policies of every kind.
    #[serde(default)]
    pub policies: Vec<CalicoPolicy>,
    /// Kubernetes (and staged Kubernetes) network policies.
    #[serde(default)]
    pub kubernetes_policies: Vec<KubernetesPolicy>,
    /// ClusterNetworkPolicies (and AdminNetworkPolicies / BaselineAdminNetworkPolicies).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_policies: Vec<ClusterPolicy>,
    #[serde(default)]
    pub network_sets: Vec<NetworkSet>,
    /// Canvas positions by node id.
    #[serde(default)]
    pub layout: BTreeMap<String, Position>,
    /// Which lints run for this design (`spec.lint`); omitted when it is the default.
    #[serde(default, skip_serializing_if = "LintConfig::is_default")]
    pub lint: LintConfig,
}

impl Design {
    /// `base`, or else `base-2`, `base-3`, …: the first name no policy of `namespace` has yet.
    /// Drawing on the canvas and the recommender both name new namespaced policies this way.
    pub fn free_policy_name(&self, namespace: &str, base: &str) -> String {
        first_free_name(base, |name| {
            self.policies.iter().any(|p| {
                p.metadata.namespace.as_deref() == Some(namespace) && p.metadata.name == name
            })
        })
    }

    /// `base`, or else `base-2`, `base-3`, …: the first name no ClusterNetworkPolicy has yet (they are
    /// cluster-scoped: one namespace of names). Drawing a guardrail names its policies this way.
    pub fn free_cluster_policy_name(&self, base: &str) -> String {
        first_free_name(base, |name| {
            self.cluster_policies.iter().any(|p| {
                p.kind == crate::model::ClusterPolicyKind::ClusterNetworkPolicy
                    && p.metadata.name == name
            })
        })
    }

    /// The highest `order` of the policies in `tier` (0 when none has one): a new policy placed after
    /// them gets a larger order.
    pub fn highest_order(&self, tier: &str) -> f64 {
        self.policies
            .iter()
            .filter(|p| p.tier() == tier)
            .filter_map(|p| p.spec.order)
            .fold(0.0_f64, f64::max)
    }
}

/// `base` unless `taken`, else the first of `base-2`, `base-3`, … that is not.
fn first_free_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|name| !taken(name))
        .unwrap_or_else(|| base.to_owned())
}

/// One label key of the taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub struct LabelKey {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Allowed values; empty means any value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    pub scope: LabelScope,
    /// A CSS colour for the UI (`#rrggbb`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
}

/// Who owns a label key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelScope {
    /// Set by the security team; policies rely on it (must not be changed by application teams).
    Security,
    /// Set by application teams.
    Application,
    /// Set by Kubernetes or the platform (`kubernetes.io/metadata.name`, `k8s-app`).
    Kubernetes,
}

/// A deployment environment: which clusters it is, and its address space.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Cluster labels that select this environment's clusters (Fleet `clusterSelector.matchLabels`).
    #[serde(default)]
    pub cluster_selector: Labels,
    /// The environment's address ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cidrs: Vec<String>,
    /// Ranges exempt from the environment's isolation (shared services reachable from it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<String>,
}

/// A namespace and the workloads designed to run in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub struct DesignNamespace {
    pub name: String,
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub workloads: Vec<WorkloadGroup>,
}

/// A group of identical pods (a Deployment, a StatefulSet, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub struct WorkloadGroup {
    pub name: String,
    pub kind: WorkloadKind,
    /// Pod labels.
    #[serde(default)]
    pub labels: Labels,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ContainerPort>,
}

/// A position on the canvas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub x: f64,
    pub y: f64,
}

/// A design document that could not be loaded; holds every problem found.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for DesignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rendered: Vec<String> = self
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(Diagnostic::render)
            .collect();
        f.write_str(&rendered.join("\n"))
    }
}

impl std::error::Error for DesignError {}

/// The built-in sample design.
pub fn sample() -> Design {
    match load(SAMPLE_YAML) {
        Ok(design) => design,
        // INVARIANT: the sample is checked by the tests; an empty design keeps the app usable anyway.
        Err(_) => Design {
            name: "sample".to_owned(),
            ..Design::default()
        },
    }
}

/// The ClusterNetworkPolicies of [`sample_cluster_network_policy`].
pub const SAMPLE_CLUSTER_POLICIES_YAML: &str = include_str!("design/sample_cluster_policies.yaml");

/// The sample's Calico policies that the ClusterNetworkPolicy variant replaces.
const SAMPLE_GUARDRAILS: [&str; 2] = ["allow-dns", "deny-cross-environment"];

/// The built-in sample in the "Calico 3.32 with ClusterNetworkPolicy" style: its DNS allow and its
/// cross-environment guardrail are ClusterNetworkPolicies in `kube-admin` instead of Calico policies
/// in the `platform` tier, and its own tiers are ordered after `kube-admin` (1,000), so that the
/// guardrails still run before any application allow. Every verdict is the sample's (a test proves
/// it flow by flow).
pub fn sample_cluster_network_policy() -> Design {
    let mut design = sample();
    design.name = format!("{}-cnp", design.name);
    design.description = Some(
        "The sample estate with its platform guardrails (DNS, no traffic across environments) as Kubernetes ClusterNetworkPolicies, Calico 3.32"
            .to_owned(),
    );
    design.calico_version = Some(CalicoVersion::V3_32);
    design.policies.retain(|p| {
        !(p.tier() == "platform" && SAMPLE_GUARDRAILS.contains(&p.metadata.name.as_str()))
    });
    let platform_used = design.policies.iter().any(|p| p.tier() == "platform");
    design
        .tiers
        .retain(|t| platform_used || t.metadata.name != "platform");
    for tier in &mut design.tiers {
        if let Some(order) = tier.spec.order.as_mut() {
            *order += 1000.0;
        }
    }
    design.cluster_policies =
        crate::yaml::import("sample_cluster_policies.yaml", SAMPLE_CLUSTER_POLICIES_YAML)
            .resource_set()
            .cluster_policies;
    design
}

/// A new, empty design with the default-deny baseline: a global default deny at order 1000 in the
/// default tier that leaves the [`SYSTEM_NAMESPACES`] out, and an allow of DNS (UDP and TCP 53 to
/// kube-dns in kube-system) at order 100 in the `platform` tier; an empty `application` tier sits
/// between them. Both custom tiers end in Pass.
pub fn baseline() -> Design {
    match load(BASELINE_YAML) {
        Ok(design) => design,
        // INVARIANT: the baseline is checked by the tests; an empty design keeps the app usable anyway.
        Err(_) => Design {
            name: "new-design".to_owned(),
            ..Design::default()
        },
    }
}

/// The design's estate with no network policy at all: the same namespaces, workload groups, network
/// sets and tiers, without Calico or Kubernetes policies. Calico allows traffic to and from endpoints
/// no policy applies to, so every flow is allowed: as a "before" of the impact preview it answers
/// "what would this design break on a cluster that enforces nothing yet?".
pub fn open_cluster(design: &Design) -> Design {
    Design {
        policies: Vec::new(),
        kubernetes_policies: Vec::new(),
        cluster_policies: Vec::new(),
        ..design.clone()
    }
}

/// Reads a design document (YAML or JSON).
pub fn load(text: &str) -> Result<Design, DesignError> {
    load_file("design.yaml", text)
}

/// Reads a design document, naming `file_name` in diagnostics.
pub fn load_file(file_name: &str, text: &str) -> Result<Design, DesignError> {
    let input = import(file_name, text);
    if input.error_count() > 0 {
        return Err(DesignError {
            diagnostics: input.diagnostics,
        });
    }
    let found = input.designs().count();
    if found != 1 {
        let message = format!(
            "expected exactly one `kind: Design` document (apiVersion `{API_VERSION}`), found {found}"
        );
        return Err(DesignError {
            diagnostics: vec![Diagnostic::file_level(Severity::Error, file_name, message)],
        });
    }
    // INVARIANT: exactly one design document was found above.
    input
        .designs()
        .next()
        .map(|d| d.design.clone())
        .ok_or_else(|| DesignError {
            diagnostics: Vec::new(),
        })
}

/// Writes a design document as YAML (deterministic).
pub fn save(design: &Design) -> String {
    encode::to_yaml(design)
}

/// Writes a design document as JSON (deterministic; the same document as [`save`]).
pub fn save_json(design: &Design) -> String {
    encode::to_json(design)
}

/// The plain resources a design stands for: tiers, namespaces, network sets, policies, workloads and
/// one IP pool per pod CIDR (named `pod-cidr-1`, …).
pub fn to_resources(design: &Design) -> ResourceSet {
    let mut set = ResourceSet {
        tiers: design.tiers.clone(),
        policies: design.policies.clone(),
        kubernetes_policies: design.kubernetes_policies.clone(),
        cluster_policies: design.cluster_policies.clone(),
        calico_version: design.calico_version,
        network_sets: design.network_sets.clone(),
        ip_pools: design
            .pod_cidrs
            .iter()
            .enumerate()
            .map(|(i, cidr)| IpPool::new(format!("pod-cidr-{}", i + 1), cidr.trim()))
            .collect(),
        ..ResourceSet::default()
    };
    for ns in &design.namespaces {
        let mut meta = ObjectMeta::named(&ns.name, None);
        meta.labels = ns.labels.clone();
        set.namespaces.push(Namespace { metadata: meta });
        for w in &ns.workloads {
            let mut meta = ObjectMeta::named(&w.name, Some(&ns.name));
            meta.labels = w.labels.clone();
            set.workloads.push(Workload {
                kind: w.kind,
                metadata: meta,
                service_account: w.service_account.clone(),
                ip: None,
                ports: w.ports.clone(),
            });
        }
    }
    set
}

/// A design holding `set`: namespaces (also those only named by workloads) with their workloads, and a
/// taxonomy listing every label key in use with the values seen.
pub fn from_resources(set: &ResourceSet) -> Design {
    // In order of first appearance, so that a design made from a design's resources is that design.
    let mut namespaces: Vec<DesignNamespace> = Vec::new();
    for ns in &set.namespaces {
        merge::namespace_entry(&mut namespaces, &ns.metadata.name).labels =
            ns.metadata.labels.clone();
    }
    for w in &set.workloads {
        let ns = w.metadata.namespace.as_deref().unwrap_or("default");
        merge::namespace_entry(&mut namespaces, ns)
            .workloads
            .push(merge::workload_group(w));
    }
    let mut seen: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    let label_maps = set
        .namespaces
        .iter()
        .map(|n| &n.metadata.labels)
        .chain(set.workloads.iter().map(|w| &w.metadata.labels))
        .chain(set.network_sets.iter().map(|s| &s.metadata.labels));
    for labels in label_maps {
        for (k, v) in labels {
            seen.entry(k.clone()).or_default().insert(v.clone());
        }
    }
    let taxonomy = seen
        .into_iter()
        .map(|(key, values)| LabelKey {
            scope: guess_scope(&key),
            key,
            description: None,
            values: values.into_iter().collect(),
            colour: None,
        })
        .collect();
    Design {
        name: "imported".to_owned(),
        description: None,
        taxonomy,
        environments: Vec::new(),
        pod_cidrs: pool_cidrs(&set.ip_pools),
        namespaces,
        tiers: set.tiers.clone(),
        policies: set.policies.clone(),
        kubernetes_policies: set.kubernetes_policies.clone(),
        cluster_policies: set.cluster_policies.clone(),
        calico_version: set.calico_version,
        network_sets: set.network_sets.clone(),
        layout: BTreeMap::new(),
        lint: LintConfig::default(),
    }
}

/// The CIDRs of the pools pods get addresses from: the enabled ones, or all when every pool is
/// disabled (pods keep their addresses). A design does not keep pool names or routing settings.
pub(crate) fn pool_cidrs(pools: &[IpPool]) -> Vec<String> {
    let enabled = pools.iter().any(|p| !p.spec.disabled);
    let mut cidrs: Vec<String> = Vec::new();
    for pool in pools.iter().filter(|p| !enabled || !p.spec.disabled) {
        if !cidrs.contains(&pool.spec.cidr) {
            cidrs.push(pool.spec.cidr.clone());
        }
    }
    cidrs
}

/// Checks one pod CIDR as the design's settings are typed: `Ok` with the block it stands for (host
/// bits masked), or a message quoting the input.
pub fn check_pod_cidr(text: &str) -> Result<String, String> {
    crate::model::parse_pool_cidr(text).map(|net| net.to_string())
}

/// Reads pod CIDRs as typed in one field (separated by commas or spaces): each checked with
/// [`check_pod_cidr`] and written as the block it stands for; the first bad one is the error.
pub fn parse_pod_cidrs(text: &str) -> Result<Vec<String>, String> {
    let mut cidrs: Vec<String> = Vec::new();
    for part in text.split([',', ' ', '\t', '\n']).filter(|p| !p.is_empty()) {
        let cidr = check_pod_cidr(part)?;
        if !cidrs.contains(&cidr) {
            cidrs.push(cidr);
        }
    }
    Ok(cidrs)
}

/// The pod address range the evaluator uses for the design's workloads, as CIDRs: the design's pod
/// CIDRs (IPv4 ones when there are any), or Calico's default pool when there are none (see
/// [`crate::model::pod_range`]).
pub fn effective_pod_cidrs(design: &Design) -> Vec<String> {
    crate::model::pod_range(&to_resources(design).ip_pools)
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn guess_scope(key: &str) -> LabelScope {
    let prefix = key.split_once('/').map_or("", |(p, _)| p);
    if prefix.starts_with("security.") || prefix.contains(".security.") {
        LabelScope::Security
    } else if prefix == "kubernetes.io"
        || prefix.ends_with(".kubernetes.io") && prefix != "app.kubernetes.io"
        || prefix.ends_with("k8s.io")
        || key == "k8s-app"
    {
        LabelScope::Kubernetes
    } else {
        LabelScope::Application
    }
}

/// Every resource of the design, as the YAML files `netpol sample` writes: `(file name, YAML)`, one file per
/// group, in apply order.
pub fn resource_files(design: &Design, flavour: ApiFlavour) -> Vec<(String, String)> {
    let set = to_resources(design);
    let options = yaml::ExportOptions {
        flavour,
        comments: true,
    };
    let groups: [(&str, Vec<Resource>); 8] = [
        (
            "00-tiers.yaml",
            set.tiers.iter().cloned().map(Resource::Tier).collect(),
        ),
        // The pod range, so that the files evaluate as the design does (written only when set).
        (
            "05-ip-pools.yaml",
            set.ip_pools.iter().cloned().map(Resource::IpPool).collect(),
        ),
        (
            "10-namespaces.yaml",
            set.namespaces
                .iter()
                .cloned()
                .map(Resource::Namespace)
                .collect(),
        ),
        (
            "20-network-sets.yaml",
            set.network_sets
                .iter()
                .cloned()
                .map(Resource::NetworkSet)
                .collect(),
        ),
        (
            "30-policies.yaml",
            set.policies
                .iter()
                .cloned()
                .map(Resource::CalicoPolicy)
                .collect(),
        ),
        (
            "40-kubernetes-policies.yaml",
            set.kubernetes_policies
                .iter()
                .cloned()
                .map(Resource::KubernetesPolicy)
                .collect(),
        ),
        (
            "45-cluster-network-policies.yaml",
            set.cluster_policies
                .iter()
                .cloned()
                .map(Resource::ClusterPolicy)
                .collect(),
        ),
        (
            "50-workloads.yaml",
            set.workloads
                .iter()
                .cloned()
                .map(Resource::Workload)
                .collect(),
        ),
    ];
    groups
        .into_iter()
        .filter(|(_, resources)| !resources.is_empty())
        .map(|(name, resources)| (name.to_owned(), yaml::export(&resources, &options)))
        .collect()
}
