//! Decoders for the Kubernetes kinds: `NetworkPolicy` (and Calico's staged variant), `Namespace`, and
//! pods and workload controllers reduced to what policy sees.

use super::decode::Decoder;
use super::decode_calico::{metadata, require_namespace};
use super::node::Node;
use crate::model::vocabulary::addresses::is_cidr;
use crate::model::{
    ContainerPort, Extra, IpBlock, KubernetesEgressRule, KubernetesIngressRule, KubernetesPeer,
    KubernetesPolicy, KubernetesPolicySpec, KubernetesPort, LabelSelector,
    LabelSelectorRequirement, Namespace, ObjectMeta, Protocol, Workload, WorkloadKind,
};

/// A `networking.k8s.io/v1 NetworkPolicy`, or a `StagedKubernetesNetworkPolicy` when `staged`.
pub(crate) fn kubernetes_policy(
    d: &mut Decoder<'_>,
    staged: bool,
    meta_node: &Node,
    spec_node: Option<&Node>,
    aside: &mut Extra,
) -> Option<KubernetesPolicy> {
    let meta = metadata(d, meta_node, aside);
    if let Some(node) = spec_node {
        super::parity::kubernetes_policy_spec(d, node);
    }
    let spec = match spec_node {
        Some(node) => {
            let mut f = d.fields(node, "spec")?;
            let mut spec = KubernetesPolicySpec {
                pod_selector: f
                    .nested(d, "podSelector", label_selector)
                    .unwrap_or_default(),
                policy_types: f.leaf(d, "policyTypes").unwrap_or_default(),
                ingress: f.list(d, "ingress", ingress_rule),
                egress: f.list(d, "egress", egress_rule),
                staged_action: if staged {
                    f.leaf(d, "stagedAction")
                } else {
                    None
                },
                extra: Extra::new(),
            };
            f.finish(d, &mut spec.extra);
            Some(spec)
        }
        None => Some(KubernetesPolicySpec::default()),
    };
    let mut meta = meta?;
    require_namespace(
        d,
        meta_node,
        &mut meta,
        if staged {
            "StagedKubernetesNetworkPolicy"
        } else {
            "NetworkPolicy"
        },
    );
    Some(KubernetesPolicy {
        metadata: meta,
        spec: spec?,
        staged,
    })
}

fn ingress_rule(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<KubernetesIngressRule> {
    let mut f = d.fields(node, path)?;
    let mut rule = KubernetesIngressRule {
        from: f.list(d, "from", peer),
        ports: f.list(d, "ports", port),
        extra: Extra::new(),
    };
    f.finish(d, &mut rule.extra);
    Some(rule)
}

fn egress_rule(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<KubernetesEgressRule> {
    let mut f = d.fields(node, path)?;
    let mut rule = KubernetesEgressRule {
        to: f.list(d, "to", peer),
        ports: f.list(d, "ports", port),
        extra: Extra::new(),
    };
    f.finish(d, &mut rule.extra);
    Some(rule)
}

fn peer(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<KubernetesPeer> {
    let mut f = d.fields(node, path)?;
    let mut peer = KubernetesPeer {
        pod_selector: f.nested(d, "podSelector", label_selector),
        namespace_selector: f.nested(d, "namespaceSelector", label_selector),
        ip_block: f.nested(d, "ipBlock", ip_block),
        extra: Extra::new(),
    };
    // `podSelector: {}` and `null` differ (all pods vs. the field being absent); `take` maps null to
    // absent, which is what the API server does too.
    f.finish(d, &mut peer.extra);
    Some(peer)
}

fn ip_block(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<IpBlock> {
    let mut f = d.fields(node, path)?;
    let cidr = match f.take("cidr") {
        Some(n) => d.string(n, &f.path_of("cidr")),
        None => {
            d.error(node.pos, format!("missing `{}`", f.path_of("cidr")));
            None
        }
    };
    if let Some(c) = cidr.as_ref().filter(|c| !is_cidr(c)) {
        let pos = node.get("cidr").map_or(node.pos, |n| n.pos);
        d.error(
            pos,
            format!(
                "invalid `{}`: `{c}` is not a CIDR (like `10.0.0.0/8`)",
                f.path_of("cidr")
            ),
        );
    }
    let except = f.cidrs(d, "except");
    let mut extra = Extra::new();
    f.finish(d, &mut extra);
    Some(IpBlock {
        cidr: cidr?,
        except,
        extra,
    })
}

fn port(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<KubernetesPort> {
    let mut f = d.fields(node, path)?;
    let mut port = KubernetesPort {
        protocol: f.leaf(d, "protocol"),
        port: f.leaf(d, "port"),
        end_port: f.leaf(d, "endPort"),
        extra: Extra::new(),
    };
    f.finish(d, &mut port.extra);
    Some(port)
}

/// A Kubernetes `LabelSelector`.
pub(crate) fn label_selector(
    d: &mut Decoder<'_>,
    node: &Node,
    path: &str,
) -> Option<LabelSelector> {
    let mut f = d.fields(node, path)?;
    let mut sel = LabelSelector {
        match_labels: f.leaf(d, "matchLabels").unwrap_or_default(),
        match_expressions: f.list(d, "matchExpressions", requirement),
        extra: Extra::new(),
    };
    f.finish(d, &mut sel.extra);
    Some(sel)
}

fn requirement(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<LabelSelectorRequirement> {
    let mut f = d.fields(node, path)?;
    let key = f.string(d, "key");
    let operator = f.leaf(d, "operator");
    let values = f.strings(d, "values");
    if key.is_none() || operator.is_none() {
        d.error(
            node.pos,
            format!("`{path}` needs a `key` and an `operator`"),
        );
    }
    f.finish_dropping(d);
    Some(LabelSelectorRequirement {
        key: key?,
        operator: operator?,
        values,
    })
}

/// A `v1 Namespace`; `spec` and `status` are kept aside.
pub(crate) fn namespace(
    d: &mut Decoder<'_>,
    meta_node: &Node,
    aside: &mut Extra,
) -> Option<Namespace> {
    let mut meta = metadata(d, meta_node, aside)?;
    meta.namespace = None;
    Some(Namespace { metadata: meta })
}

/// A pod or a controller: the pod labels (of the template for controllers), the service account, the
/// pod IP when known, and the container ports. Everything else of the object is kept aside untouched:
/// workloads carry many fields policy does not care about, so unknown fields are not warned about.
pub(crate) fn workload(
    d: &mut Decoder<'_>,
    kind: WorkloadKind,
    doc: &Node,
    aside: &mut Extra,
) -> Option<Workload> {
    let meta_node = doc.get("metadata")?;
    let object_meta = metadata(d, meta_node, aside)?;
    let (pod_meta, pod_spec, pod_path) = match kind {
        WorkloadKind::Pod => (None, doc.get("spec"), "spec"),
        WorkloadKind::CronJob => {
            let template = doc
                .get("spec")
                .and_then(|s| s.get("jobTemplate"))
                .and_then(|j| j.get("spec"))
                .and_then(|s| s.get("template"));
            (
                template.and_then(|t| t.get("metadata")),
                template.and_then(|t| t.get("spec")),
                "spec.jobTemplate.spec.template.spec",
            )
        }
        _ => {
            let template = doc.get("spec").and_then(|s| s.get("template"));
            (
                template.and_then(|t| t.get("metadata")),
                template.and_then(|t| t.get("spec")),
                "spec.template.spec",
            )
        }
    };
    let mut meta = ObjectMeta::named(object_meta.name.clone(), object_meta.namespace.as_deref());
    match pod_meta {
        Some(pm) => {
            let mut f = d.fields(pm, "spec.template.metadata")?;
            meta.labels = f.leaf(d, "labels").unwrap_or_default();
            meta.annotations = f.leaf(d, "annotations").unwrap_or_default();
        }
        None if kind == WorkloadKind::Pod => {
            meta.labels = object_meta.labels.clone();
            meta.annotations = object_meta.annotations.clone();
        }
        None => d.warning(
            doc.pos,
            format!(
                "{} `{}` has no pod template labels",
                kind.as_str(),
                meta.name
            ),
        ),
    }
    if kind != WorkloadKind::Pod && !object_meta.labels.is_empty() {
        aside.insert(
            "metadata.labels".to_owned(),
            serde_json::to_value(&object_meta.labels).unwrap_or_default(),
        );
    }
    require_namespace(d, meta_node, &mut meta, kind.as_str());
    let mut service_account = None;
    let mut ports = Vec::new();
    if let Some(spec) = pod_spec {
        service_account = spec
            .get("serviceAccountName")
            .or_else(|| spec.get("serviceAccount"))
            .and_then(|n| n.as_str())
            .map(str::to_owned);
        for list in ["initContainers", "containers"] {
            if let Some(containers) = spec.get(list) {
                let path = format!("{pod_path}.{list}");
                for (i, c) in d.seq(containers, &path).iter().enumerate() {
                    if let Some(ps) = c.get("ports") {
                        let ppath = format!("{path}[{i}].ports");
                        ports.extend(d.list(ps, &ppath, container_port));
                    }
                }
            }
        }
    }
    let ip = doc
        .get("status")
        .and_then(|s| s.get("podIP"))
        .and_then(|n| n.as_str())
        .map(str::to_owned);
    Some(Workload {
        kind,
        metadata: meta,
        service_account,
        ip,
        ports,
    })
}

fn container_port(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<ContainerPort> {
    let mut f = d.fields(node, path)?;
    let name = f.string(d, "name");
    let port = match f.take("containerPort") {
        Some(n) => d.leaf(n, &f.path_of("containerPort")),
        None => {
            d.error(
                node.pos,
                format!("missing `{}`", f.path_of("containerPort")),
            );
            None
        }
    };
    let protocol: Protocol = f.leaf(d, "protocol").unwrap_or_default();
    Some(ContainerPort {
        name,
        port: port?,
        protocol,
    })
}
