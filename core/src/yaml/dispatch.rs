//! From a parsed document to resources: `apiVersion` and `kind` choose the decoder.

use super::decode::Decoder;
use super::node::{Node, Value};
use super::{
    ImportResult, ImportedResource, decode_calico as calico, decode_cluster_policy as cluster,
    decode_kube as kube,
};
use crate::model::{CalicoPolicyKind, ClusterPolicyKind, Extra, Resource, WorkloadKind};

const CALICO_V3: &str = "projectcalico.org/v3";
const CALICO_CRD: &str = "crd.projectcalico.org/v1";
/// `studio.netpol.dev/`: the apiVersion prefix of the Studio's own documents.
const STUDIO_GROUP_PREFIX: &str = "studio.netpol.dev/";

/// Decodes one document: an object, a `List` of objects, or a JSON array of objects.
pub(crate) fn document(d: &mut Decoder<'_>, node: &Node, out: &mut ImportResult) {
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|item| object(d, item, out, 0)),
        _ => object(d, node, out, 0),
    }
}

fn object(d: &mut Decoder<'_>, node: &Node, out: &mut ImportResult, list_depth: usize) {
    let Value::Map(_) = &node.value else {
        d.error(node.pos, format!("expected a Kubernetes or Calico object (a map with `apiVersion` and `kind`), found {}", node.describe()));
        return;
    };
    let api_version = node.get("apiVersion").and_then(Node::as_str);
    let Some(kind) = node.get("kind").and_then(Node::as_str) else {
        let pos = node.get("kind").map_or(node.pos, |n| n.pos);
        d.error(
            pos,
            "missing `kind`: every object needs `apiVersion` and `kind`",
        );
        return;
    };
    if kind == "List" || (kind.ends_with("List") && node.get("items").is_some()) {
        if list_depth > 0 {
            d.error(node.pos, "a `List` inside a `List` is not supported");
            return;
        }
        if let Some(items) = node.get("items") {
            for item in d.seq(items, "items") {
                object(d, item, out, list_depth + 1);
            }
        }
        return;
    }
    let Some(api_version) = api_version else {
        let pos = node.get("apiVersion").map_or(node.pos, |n| n.pos);
        d.error(pos, format!("missing `apiVersion` for kind `{kind}`"));
        return;
    };
    let errors_before = d.error_count();
    let mut aside = Extra::new();
    let resource = decode_known(d, api_version, kind, node, &mut aside, out);
    let Some(resource) = resource else { return };
    if d.error_count() > errors_before {
        return;
    }
    out.resources.push(ImportedResource {
        resource,
        file: d.file.to_owned(),
        line: node.pos.line,
        column: node.pos.column,
        extra_kept_aside: aside,
    });
}

/// Top-level keys every object may have besides `metadata` and `spec`.
fn top_level_rest(d: &mut Decoder<'_>, node: &Node, aside: &mut Extra, spec_is_data: bool) {
    let Value::Map(entries) = &node.value else {
        return;
    };
    for (key, value) in entries {
        let k = key.key_text();
        match k.as_str() {
            "apiVersion" | "kind" | "metadata" => {}
            "spec" if spec_is_data => {}
            "status" | "spec" => {
                aside.insert(k, value.to_json());
            }
            _ => {
                d.warning(key.pos, format!("unknown top-level field `{k}`: ignored"));
                aside.insert(k, value.to_json());
            }
        }
    }
}

fn decode_known(
    d: &mut Decoder<'_>,
    api_version: &str,
    kind: &str,
    node: &Node,
    aside: &mut Extra,
    out: &mut ImportResult,
) -> Option<Resource> {
    let version_pos = node.get("apiVersion").map_or(node.pos, |n| n.pos);
    let is_calico = api_version == CALICO_V3 || api_version == CALICO_CRD;
    let metadata = || node.get("metadata");
    let need_meta = |d: &mut Decoder<'_>| -> Option<&Node> {
        let m = metadata();
        if m.is_none() {
            d.error(node.pos, format!("missing `metadata` for kind `{kind}`"));
        }
        m
    };
    let spec = node.get("spec").filter(|s| s.value != Value::Null);
    let calico_kind = match kind {
        "NetworkPolicy" if is_calico => Some(CalicoPolicyKind::NetworkPolicy),
        "GlobalNetworkPolicy" => Some(CalicoPolicyKind::GlobalNetworkPolicy),
        "StagedNetworkPolicy" => Some(CalicoPolicyKind::StagedNetworkPolicy),
        "StagedGlobalNetworkPolicy" => Some(CalicoPolicyKind::StagedGlobalNetworkPolicy),
        _ => None,
    };
    if let Some(ck) = calico_kind {
        if !is_calico {
            d.error(version_pos, format!("unsupported apiVersion `{api_version}` for {kind}: expected `{CALICO_V3}` or `{CALICO_CRD}`"));
            return None;
        }
        top_level_rest(d, node, aside, true);
        return {
            let meta = need_meta(d)?;
            calico::calico_policy(d, ck, meta, spec, aside).map(Resource::CalicoPolicy)
        };
    }
    if let Some(ck) = ClusterPolicyKind::from_kind(kind) {
        if api_version != ck.api_version() {
            d.error(
                version_pos,
                format!(
                    "unsupported apiVersion `{api_version}` for {kind}: expected `{}`",
                    ck.api_version()
                ),
            );
            return None;
        }
        top_level_rest(d, node, aside, true);
        let meta = need_meta(d)?;
        return cluster::cluster_policy(d, ck, meta, spec, aside).map(Resource::ClusterPolicy);
    }
    match kind {
        "Tier" | "NetworkSet" | "GlobalNetworkSet" | "StagedKubernetesNetworkPolicy" | "IPPool"
            if !is_calico =>
        {
            d.error(version_pos, format!("unsupported apiVersion `{api_version}` for {kind}: expected `{CALICO_V3}` or `{CALICO_CRD}`"));
            None
        }
        "Tier" => {
            top_level_rest(d, node, aside, true);
            {
                let meta = need_meta(d)?;
                calico::tier(d, meta, spec, aside).map(Resource::Tier)
            }
        }
        "IPPool" => {
            top_level_rest(d, node, aside, true);
            {
                let meta = need_meta(d)?;
                calico::ip_pool(d, meta, spec, aside).map(Resource::IpPool)
            }
        }
        "NetworkSet" | "GlobalNetworkSet" => {
            top_level_rest(d, node, aside, true);
            {
                let meta = need_meta(d)?;
                calico::network_set(d, kind == "GlobalNetworkSet", meta, spec, aside)
                    .map(Resource::NetworkSet)
            }
        }
        "StagedKubernetesNetworkPolicy" => {
            top_level_rest(d, node, aside, true);
            {
                let meta = need_meta(d)?;
                kube::kubernetes_policy(d, true, meta, spec, aside).map(Resource::KubernetesPolicy)
            }
        }
        "NetworkPolicy" if api_version == "networking.k8s.io/v1" => {
            top_level_rest(d, node, aside, true);
            {
                let meta = need_meta(d)?;
                kube::kubernetes_policy(d, false, meta, spec, aside).map(Resource::KubernetesPolicy)
            }
        }
        "NetworkPolicy" => {
            d.error(
                version_pos,
                format!("unsupported apiVersion `{api_version}` for NetworkPolicy: expected `networking.k8s.io/v1`, `{CALICO_V3}` or `{CALICO_CRD}`"),
            );
            None
        }
        "Namespace" if api_version == "v1" => {
            top_level_rest(d, node, aside, false);
            {
                let meta = need_meta(d)?;
                kube::namespace(d, meta, aside).map(Resource::Namespace)
            }
        }
        // The design document is decoded by `design::import`, a layer above: kept here as read.
        "Design" if api_version.starts_with(STUDIO_GROUP_PREFIX) => {
            out.design_documents.push(node.clone());
            None
        }
        _ => {
            let workload_kind = workload_kind(api_version, kind);
            match workload_kind {
                Some(wk) => {
                    need_meta(d)?;
                    top_level_rest(d, node, aside, false);
                    kube::workload(d, wk, node, aside).map(Resource::Workload)
                }
                None => {
                    let pos = node.get("kind").map_or(node.pos, |n| n.pos);
                    d.warning(
                        pos,
                        format!("kind `{kind}` (`{api_version}`) {}", super::IGNORED_KIND),
                    );
                    None
                }
            }
        }
    }
}

fn workload_kind(api_version: &str, kind: &str) -> Option<WorkloadKind> {
    match (api_version, kind) {
        ("v1", "Pod") => Some(WorkloadKind::Pod),
        ("apps/v1", "Deployment") => Some(WorkloadKind::Deployment),
        ("apps/v1", "StatefulSet") => Some(WorkloadKind::StatefulSet),
        ("apps/v1", "DaemonSet") => Some(WorkloadKind::DaemonSet),
        ("apps/v1", "ReplicaSet") => Some(WorkloadKind::ReplicaSet),
        ("batch/v1", "Job") => Some(WorkloadKind::Job),
        ("batch/v1", "CronJob") => Some(WorkloadKind::CronJob),
        _ => None,
    }
}

/// Decodes one object that must be a single resource (an item of a design document's lists).
pub(crate) fn single(d: &mut Decoder<'_>, node: &Node) -> Option<Resource> {
    let mut found = ImportResult::default();
    // A list depth of 1 refuses nested `List`s.
    object(d, node, &mut found, 1);
    if !found.design_documents.is_empty() {
        d.error(
            node.pos,
            "a design document cannot be nested in another one",
        );
        return None;
    }
    let mut resources = found.resources.into_iter();
    match (resources.next(), resources.next()) {
        (Some(r), None) => Some(r.resource),
        _ => None,
    }
}
