//! Reading a design document from a parsed YAML or JSON document.

use std::collections::BTreeMap;

use super::{API_VERSION, Design, Position};
use crate::model::Resource;
use crate::yaml::decode::Decoder;
use crate::yaml::dispatch::single;
use crate::yaml::node::Node;

/// Decodes a `kind: Design` document; `None` (with errors reported) when it cannot be read.
pub(crate) fn decode(d: &mut Decoder<'_>, node: &Node) -> Option<Design> {
    let version_node = node.get("apiVersion")?;
    let version = version_node.as_str().unwrap_or_default();
    if version != API_VERSION {
        d.error(version_node.pos, version_message(version));
        return None;
    }
    let mut top = d.fields(node, "")?;
    top.take("apiVersion");
    top.take("kind");
    let meta_node = top.take("metadata");
    let spec_node = top.take("spec");
    top.finish_dropping(d);
    let mut design = Design::default();
    match meta_node {
        Some(m) => {
            let mut f = d.fields(m, "metadata")?;
            match f.string(d, "name") {
                Some(name) => design.name = name,
                None => d.error(m.pos, "missing `metadata.name` of the design"),
            }
            f.finish_dropping(d);
        }
        None => d.error(node.pos, "missing `metadata` (with the design's `name`)"),
    }
    let Some(spec) = spec_node else {
        return Some(design);
    };
    let mut f = d.fields(spec, "spec")?;
    design.description = f.string(d, "description");
    design.taxonomy = f.list(d, "taxonomy", |d, n, p| d.leaf(n, p));
    design.environments = f.list(d, "environments", |d, n, p| d.leaf(n, p));
    design.pod_cidrs = f.strings(d, "podCidrs");
    if let Some(node) = spec.get("podCidrs") {
        check_pod_cidrs(d, node);
    }
    design.calico_version = calico_version(d, &mut f);
    design.namespaces = f.list(d, "namespaces", |d, n, p| d.leaf(n, p));
    design.layout = f
        .leaf::<BTreeMap<String, Position>>(d, "layout")
        .unwrap_or_default();
    design.lint = f.leaf::<super::LintConfig>(d, "lint").unwrap_or_default();
    let mut resources = Vec::new();
    for key in ["tiers", "policies", "networkSets"] {
        resources.extend(f.list(d, key, |d, n, _| single(d, n)));
    }
    f.finish_dropping(d);
    for resource in resources {
        match resource {
            Resource::Tier(t) => design.tiers.push(t),
            Resource::CalicoPolicy(p) => design.policies.push(p),
            Resource::KubernetesPolicy(p) => design.kubernetes_policies.push(p),
            Resource::ClusterPolicy(p) => design.cluster_policies.push(p),
            Resource::NetworkSet(s) => design.network_sets.push(s),
            Resource::IpPool(p) => {
                for cidr in super::pool_cidrs(&[p]) {
                    if !design.pod_cidrs.contains(&cidr) {
                        design.pod_cidrs.push(cidr);
                    }
                }
            }
            Resource::Namespace(n) => design.namespaces.push(super::DesignNamespace {
                name: n.metadata.name,
                labels: n.metadata.labels,
                workloads: Vec::new(),
            }),
            Resource::Workload(w) => {
                let ns_name = w
                    .metadata
                    .namespace
                    .clone()
                    .unwrap_or_else(|| "default".to_owned());
                let group = super::WorkloadGroup {
                    name: w.metadata.name,
                    kind: w.kind,
                    labels: w.metadata.labels,
                    service_account: w.service_account,
                    ports: w.ports,
                };
                match design.namespaces.iter_mut().find(|n| n.name == ns_name) {
                    Some(ns) => ns.workloads.push(group),
                    None => design.namespaces.push(super::DesignNamespace {
                        name: ns_name,
                        labels: Default::default(),
                        workloads: vec![group],
                    }),
                }
            }
        }
    }
    Some(design)
}

/// `spec.calicoVersion`: `3.29` … `3.32`. Unquoted, YAML reads `3.30` as the number 3.3: a number is
/// taken with two decimals, as a release is written.
fn calico_version(
    d: &mut Decoder<'_>,
    f: &mut crate::yaml::decode::Fields<'_>,
) -> Option<crate::model::CalicoVersion> {
    let node = f.take("calicoVersion")?;
    let text = match node.value {
        crate::yaml::node::Value::Float(v) => format!("{v:.2}"),
        _ => d.string(node, "spec.calicoVersion")?,
    };
    match text.parse() {
        Ok(version) => Some(version),
        Err(e) => {
            d.error(node.pos, format!("invalid `spec.calicoVersion`: {e}"));
            None
        }
    }
}

/// Reports each pod CIDR Calico would refuse as an IP pool's `spec.cidr`, at its position.
fn check_pod_cidrs(d: &mut Decoder<'_>, node: &Node) {
    let crate::yaml::node::Value::Seq(items) = &node.value else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        if let Some(text) = item.as_str()
            && let Err(message) = crate::model::parse_pool_cidr(text)
        {
            d.error(item.pos, format!("invalid `spec.podCidrs[{i}]`: {message}"));
        }
    }
}

/// Why another `apiVersion` cannot be read, and what to do about it.
fn version_message(version: &str) -> String {
    let Some(v) = version.strip_prefix("studio.netpol.dev/") else {
        return format!("`{version}` is not a design document version: expected `{API_VERSION}`");
    };
    let older = matches!(v, "v1alpha0" | "v0" | "v0alpha1");
    if older {
        format!(
            "design document version `{version}` is older than this Netpol Studio reads (`{API_VERSION}`): \
             re-save it with the version that wrote it, or recreate it from its resources"
        )
    } else {
        format!(
            "design document version `{version}` is newer than this Netpol Studio reads (`{API_VERSION}`): \
             upgrade Netpol Studio to open it"
        )
    }
}
