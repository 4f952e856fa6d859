//! Writing resources as YAML: deterministic, `apiVersion, kind, metadata, spec` first, fields in the
//! order Calico's and Kubernetes' own documentation writes them.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{
    ApiFlavour, CalicoPolicy, ContainerPort, KubernetesPolicy, NetworkSet, ObjectMeta, Resource,
    ResourceSet, Tier, Workload, WorkloadKind, names,
};

/// How to write resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportOptions {
    /// `projectcalico.org/v3` (bare policy names, Calico 3.32+) or `crd.projectcalico.org/v1` (tier-prefixed
    /// names including `default.`, `spec.tier` and `types` always written: no defaulting happens there).
    pub flavour: ApiFlavour,
    /// A `# Kind name` comment line above each object.
    pub comments: bool,
}

impl Default for ExportOptions {
    fn default() -> ExportOptions {
        ExportOptions {
            flavour: ApiFlavour::V3,
            comments: false,
        }
    }
}

/// What [`export`] accepts: a slice or vector of resources, or a [`ResourceSet`].
pub trait ExportInput {
    /// The resources, in the order to write them.
    fn export_order(&self) -> Vec<Resource>;
}

impl ExportInput for [Resource] {
    fn export_order(&self) -> Vec<Resource> {
        self.to_vec()
    }
}

impl ExportInput for Vec<Resource> {
    fn export_order(&self) -> Vec<Resource> {
        self.clone()
    }
}

impl ExportInput for ResourceSet {
    fn export_order(&self) -> Vec<Resource> {
        self.resources().collect()
    }
}

/// All resources as one multi-document YAML text (`---` between objects), in the given order.
pub fn export<R: ExportInput + ?Sized>(resources: &R, options: &ExportOptions) -> String {
    let mut out = String::new();
    for (i, r) in resources.export_order().iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&export_resource(r, options));
    }
    out
}

/// A [`ResourceSet`] as YAML, tiers first (the order in which they must be applied).
pub fn export_set(set: &ResourceSet, options: &ExportOptions) -> String {
    export(set, options)
}

/// One resource as one YAML document (no `---`), ending with a newline.
pub fn export_resource(resource: &Resource, options: &ExportOptions) -> String {
    let mut out = String::new();
    if options.comments {
        out.push_str(&comment(resource));
    }
    let yaml = to_yaml(&wire(resource, options.flavour));
    // Serialising plain data structures to a String cannot fail; keep the error visible if it ever does.
    match yaml {
        Ok(y) => out.push_str(&y),
        Err(e) => out.push_str(&format!("# export failed: {e}\n")),
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// One resource as the JSON value of its wire form (what [`export_resource`] writes, as JSON).
pub fn to_wire_json(resource: &Resource, flavour: ApiFlavour) -> serde_json::Value {
    serde_json::to_value(wire(resource, flavour)).unwrap_or(serde_json::Value::Null)
}

/// Any value as YAML, the way every export writes it: block style, strings on one line (no folding,
/// so that selectors stay greppable), YAML 1.1 look-alikes (`yes`, `on`, `1e3`) quoted for kubectl.
pub(crate) fn to_yaml<T: Serialize>(value: &T) -> Result<String, serde_saphyr::SerializeError> {
    let mut options = serde_saphyr::SerializerOptions::default();
    options.prefer_block_scalars = false;
    serde_saphyr::to_string_with_options(value, options)
}

fn comment(resource: &Resource) -> String {
    let meta = resource.metadata();
    let name = match &meta.namespace {
        Some(ns) => format!("{ns}/{}", meta.name),
        None => meta.name.clone(),
    };
    let detail = match resource {
        Resource::CalicoPolicy(p) => {
            let order = p
                .spec
                .order
                .map_or("unset (last)".to_owned(), |o| o.to_string());
            format!(" (tier {}, order {order})", p.tier())
        }
        _ => String::new(),
    };
    // A comment ends at the first line break: escape any, so no part of a name can leak out of it.
    let line: String = format!("{} {name}{detail}", resource.kind())
        .escape_debug()
        .collect();
    format!("# {line}\n")
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Wire<'a, S: Serialize> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Cow<'a, ObjectMeta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spec: Option<S>,
}

/// A resource in its wire form, ready for any serde serializer (YAML export, JSON, design documents).
pub(crate) enum WireDoc<'a> {
    Policy(Box<Wire<'a, Cow<'a, crate::model::PolicySpec>>>),
    Tier(Wire<'a, &'a crate::model::TierSpec>),
    Set(Wire<'a, &'a crate::model::NetworkSetSpec>),
    Kube(Wire<'a, &'a crate::model::KubernetesPolicySpec>),
    Namespace(Wire<'a, ()>),
    Workload(serde_json::Value),
    Pool(Wire<'a, &'a crate::model::IpPoolSpec>),
    Cluster(Wire<'a, &'a crate::model::ClusterPolicySpec>),
}

impl Serialize for WireDoc<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            WireDoc::Policy(w) => w.serialize(s),
            WireDoc::Tier(w) => w.serialize(s),
            WireDoc::Set(w) => w.serialize(s),
            WireDoc::Kube(w) => w.serialize(s),
            WireDoc::Namespace(w) => w.serialize(s),
            WireDoc::Workload(v) => v.serialize(s),
            WireDoc::Pool(w) => w.serialize(s),
            WireDoc::Cluster(w) => w.serialize(s),
        }
    }
}

/// The wire form of `resource` in `flavour`.
pub(crate) fn wire(resource: &Resource, flavour: ApiFlavour) -> WireDoc<'_> {
    match resource {
        Resource::CalicoPolicy(p) => WireDoc::Policy(Box::new(policy(p, flavour))),
        Resource::Tier(t) => WireDoc::Tier(tier(t, flavour)),
        Resource::NetworkSet(s) => WireDoc::Set(network_set(s, flavour)),
        Resource::KubernetesPolicy(k) => WireDoc::Kube(kubernetes(k, flavour)),
        Resource::Namespace(n) => WireDoc::Namespace(Wire {
            api_version: "v1",
            kind: "Namespace",
            metadata: Cow::Borrowed(&n.metadata),
            spec: None,
        }),
        Resource::Workload(w) => WireDoc::Workload(workload(w)),
        Resource::IpPool(p) => WireDoc::Pool(Wire {
            api_version: flavour.api_version(),
            kind: "IPPool",
            metadata: Cow::Borrowed(&p.metadata),
            spec: Some(&p.spec),
        }),
        // The same in both flavours: these are Kubernetes objects, not Calico's.
        Resource::ClusterPolicy(p) => WireDoc::Cluster(Wire {
            api_version: p.kind.api_version(),
            kind: p.kind.as_str(),
            metadata: Cow::Borrowed(&p.metadata),
            spec: Some(&p.spec),
        }),
    }
}

fn policy(p: &CalicoPolicy, flavour: ApiFlavour) -> Wire<'_, Cow<'_, crate::model::PolicySpec>> {
    let (metadata, spec) = match flavour {
        ApiFlavour::V3 => (Cow::Borrowed(&p.metadata), Cow::Borrowed(&p.spec)),
        ApiFlavour::CrdV1 => {
            let tier = p.tier().to_owned();
            let mut meta = p.metadata.clone();
            meta.name = names::prefixed_policy_name(&p.metadata.name, &tier, true);
            let mut spec = p.spec.clone();
            spec.types = spec.effective_types();
            spec.tier = Some(tier);
            (Cow::Owned(meta), Cow::Owned(spec))
        }
    };
    Wire {
        api_version: flavour.api_version(),
        kind: p.kind.as_str(),
        metadata,
        spec: Some(spec),
    }
}

fn tier(t: &Tier, flavour: ApiFlavour) -> Wire<'_, &crate::model::TierSpec> {
    let empty = t.spec == crate::model::TierSpec::default();
    Wire {
        api_version: flavour.api_version(),
        kind: "Tier",
        metadata: Cow::Borrowed(&t.metadata),
        spec: (!empty).then_some(&t.spec),
    }
}

fn network_set(s: &NetworkSet, flavour: ApiFlavour) -> Wire<'_, &crate::model::NetworkSetSpec> {
    let kind = if s.is_global() {
        "GlobalNetworkSet"
    } else {
        "NetworkSet"
    };
    Wire {
        api_version: flavour.api_version(),
        kind,
        metadata: Cow::Borrowed(&s.metadata),
        spec: Some(&s.spec),
    }
}

fn kubernetes(
    k: &KubernetesPolicy,
    flavour: ApiFlavour,
) -> Wire<'_, &crate::model::KubernetesPolicySpec> {
    let (api_version, kind) = if k.staged {
        (flavour.api_version(), "StagedKubernetesNetworkPolicy")
    } else {
        ("networking.k8s.io/v1", "NetworkPolicy")
    };
    Wire {
        api_version,
        kind,
        metadata: Cow::Borrowed(&k.metadata),
        spec: Some(&k.spec),
    }
}

/// A workload as a minimal object of its kind: the pod labels (in the template for controllers), the
/// service account, one container holding the ports, and the pod IP in `status` for pods.
fn workload(w: &Workload) -> serde_json::Value {
    use serde_json::json;
    let ports: Vec<serde_json::Value> = w.ports.iter().map(container_port).collect();
    let mut container = json!({ "name": w.metadata.name });
    if !ports.is_empty() {
        container["ports"] = serde_json::Value::Array(ports);
    }
    let mut pod_spec = json!({ "containers": [container] });
    if let Some(sa) = &w.service_account {
        pod_spec["serviceAccountName"] = json!(sa);
    }
    let mut pod_meta = serde_json::Map::new();
    if !w.metadata.labels.is_empty() {
        pod_meta.insert("labels".to_owned(), json!(w.metadata.labels));
    }
    if !w.metadata.annotations.is_empty() {
        pod_meta.insert("annotations".to_owned(), json!(w.metadata.annotations));
    }
    let mut object_meta = serde_json::Map::new();
    object_meta.insert("name".to_owned(), json!(w.metadata.name));
    if let Some(ns) = &w.metadata.namespace {
        object_meta.insert("namespace".to_owned(), json!(ns));
    }
    let api_version = match w.kind {
        WorkloadKind::Pod => "v1",
        WorkloadKind::Job | WorkloadKind::CronJob => "batch/v1",
        _ => "apps/v1",
    };
    let template = json!({ "metadata": pod_meta.clone(), "spec": pod_spec.clone() });
    let selector = json!({ "matchLabels": w.metadata.labels });
    let spec = match w.kind {
        WorkloadKind::Pod => {
            object_meta.extend(pod_meta);
            pod_spec
        }
        WorkloadKind::Deployment
        | WorkloadKind::StatefulSet
        | WorkloadKind::DaemonSet
        | WorkloadKind::ReplicaSet => {
            json!({ "selector": selector, "template": template })
        }
        WorkloadKind::Job => json!({ "template": template }),
        WorkloadKind::CronJob => {
            json!({ "schedule": "@daily", "jobTemplate": { "spec": { "template": template } } })
        }
    };
    let mut object: BTreeMap<&str, serde_json::Value> = BTreeMap::new();
    object.insert("apiVersion", json!(api_version));
    object.insert("kind", json!(w.kind.as_str()));
    object.insert("metadata", serde_json::Value::Object(object_meta));
    object.insert("spec", spec);
    if let (WorkloadKind::Pod, Some(ip)) = (w.kind, &w.ip) {
        object.insert("status", json!({ "podIP": ip }));
    }
    json!(object)
}

fn container_port(p: &ContainerPort) -> serde_json::Value {
    let mut v = serde_json::json!({ "containerPort": p.port, "protocol": p.protocol });
    if let Some(name) = &p.name {
        v["name"] = serde_json::json!(name);
    }
    v
}
