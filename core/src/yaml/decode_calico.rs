//! Decoders for the Calico kinds (`projectcalico.org/v3` and `crd.projectcalico.org/v1`) and for the
//! metadata every object has.

use super::decode::{Decoder, Fields};
use super::node::Node;
use super::validate::SelectorField::{Plain, RuleNamespace};
use crate::model::names::{is_dns_label, is_dns_subdomain};
use crate::model::{
    CalicoPolicy, CalicoPolicyKind, EntityRule, Extra, IcmpFields, IpPool, IpPoolSpec, NetworkSet,
    NetworkSetSpec, ObjectMeta, PolicySpec, Rule, RuleMetadata, ServiceAccountMatch, ServiceMatch,
    Tier, TierSpec, names,
};

/// Metadata fields the API server fills in: tolerated silently and kept aside, never exported.
const SERVER_METADATA: &[&str] = &[
    "creationTimestamp",
    "deletionGracePeriodSeconds",
    "deletionTimestamp",
    "finalizers",
    "generateName",
    "generation",
    "managedFields",
    "ownerReferences",
    "resourceVersion",
    "selfLink",
    "uid",
];

/// Annotations that tools write for themselves; kept aside so that export does not repeat them.
const TOOL_ANNOTATIONS: &[&str] = &["kubectl.kubernetes.io/last-applied-configuration"];

/// Reports `name` when Kubernetes' API server would refuse it (a name with a line break would
/// otherwise survive import and corrupt the exported comments and file names).
fn checked_name(
    d: &mut Decoder<'_>,
    node: &Node,
    path: &str,
    name: &str,
    is_valid: fn(&str) -> bool,
) -> bool {
    let valid = is_valid(name);
    if !valid {
        let shown: String = name.escape_debug().collect();
        d.error(
            node.pos,
            format!("`{path}` is `{shown}`: names must be lowercase letters, digits, `-` (and `.` between parts), starting and ending with a letter or digit"),
        );
    }
    valid
}

/// `metadata`: server-populated fields go to `aside`, unknown ones to `meta.extra` with a warning.
pub(crate) fn metadata(d: &mut Decoder<'_>, node: &Node, aside: &mut Extra) -> Option<ObjectMeta> {
    let mut f = d.fields(node, "metadata")?;
    let name = match f.take("name") {
        Some(n) => d
            .string(n, "metadata.name")
            .filter(|name| checked_name(d, n, "metadata.name", name, is_dns_subdomain)),
        None => {
            d.error(node.pos, "missing `metadata.name`");
            None
        }
    };
    let namespace = match f.take("namespace") {
        Some(n) => d
            .string(n, "metadata.namespace")
            .filter(|ns| checked_name(d, n, "metadata.namespace", ns, is_dns_label)),
        None => None,
    };
    let labels = f.leaf(d, "labels").unwrap_or_default();
    let mut annotations: std::collections::BTreeMap<String, String> =
        f.leaf(d, "annotations").unwrap_or_default();
    let mut server = Extra::new();
    for key in SERVER_METADATA {
        if let Some(v) = f.take(key) {
            server.insert((*key).to_owned(), v.to_json());
        }
    }
    for key in TOOL_ANNOTATIONS {
        if let Some(v) = annotations.remove(*key) {
            aside.insert(
                format!("metadata.annotations.{key}"),
                serde_json::Value::String(v),
            );
        }
    }
    for (k, v) in server {
        aside.insert(format!("metadata.{k}"), v);
    }
    let mut meta = ObjectMeta {
        name: name?,
        namespace,
        labels,
        annotations,
        extra: Extra::new(),
    };
    f.finish(d, &mut meta.extra);
    Some(meta)
}

/// A namespaced object needs a namespace; `default` is assumed (as `kubectl apply` would) with a warning.
pub(crate) fn require_namespace(
    d: &mut Decoder<'_>,
    node: &Node,
    meta: &mut ObjectMeta,
    kind: &str,
) {
    if meta.namespace.as_deref().is_none_or(str::is_empty) {
        d.warning(
            node.pos,
            format!(
                "{kind} `{}` has no `metadata.namespace`: assuming `default`",
                meta.name
            ),
        );
        meta.namespace = Some("default".to_owned());
    }
}

/// A cluster-scoped object has no namespace; one that is given is ignored with a warning.
pub(crate) fn forbid_namespace(
    d: &mut Decoder<'_>,
    node: &Node,
    meta: &mut ObjectMeta,
    kind: &str,
) {
    if let Some(ns) = meta.namespace.take() {
        let pos = node.get("namespace").map_or(node.pos, |n| n.pos);
        d.warning(
            pos,
            format!("{kind} is cluster-scoped: `metadata.namespace: {ns}` ignored"),
        );
    }
}

/// A Calico policy of `kind`. The name is made bare: a `<tier>.` prefix matching `spec.tier` (or
/// `default.` for the default tier) is removed, so both naming styles give one identity.
pub(crate) fn calico_policy(
    d: &mut Decoder<'_>,
    kind: CalicoPolicyKind,
    meta_node: &Node,
    spec_node: Option<&Node>,
    aside: &mut Extra,
) -> Option<CalicoPolicy> {
    let meta = metadata(d, meta_node, aside);
    super::parity::calico_policy(d, !kind.is_namespaced(), meta_node, spec_node);
    let spec = match spec_node {
        Some(n) => policy_spec(d, n, kind),
        None => Some(PolicySpec::default()),
    };
    let mut meta = meta?;
    let spec = spec?;
    if kind.is_namespaced() {
        require_namespace(d, meta_node, &mut meta, kind.as_str());
    } else {
        forbid_namespace(d, meta_node, &mut meta, kind.as_str());
    }
    let tier = spec
        .tier
        .as_deref()
        .filter(|t| !t.is_empty())
        .unwrap_or(crate::model::DEFAULT_TIER);
    meta.name = names::bare_policy_name(&meta.name, tier).to_owned();
    Some(CalicoPolicy {
        kind,
        metadata: meta,
        spec,
    })
}

fn policy_spec(d: &mut Decoder<'_>, node: &Node, kind: CalicoPolicyKind) -> Option<PolicySpec> {
    let mut f = d.fields(node, "spec")?;
    // A tier name becomes the prefix of stored policy names (`tier.policy`), so it may not hold a dot.
    let tier = match f.take("tier") {
        Some(n) => d
            .string(n, "spec.tier")
            .filter(|t| checked_name(d, n, "spec.tier", t, is_dns_label)),
        None => None,
    };
    let mut spec = PolicySpec {
        tier,
        order: f.leaf(d, "order"),
        selector: f.selector(d, "selector", Plain),
        namespace_selector: None,
        service_account_selector: f.selector(d, "serviceAccountSelector", Plain),
        types: f.leaf(d, "types").unwrap_or_default(),
        ingress: f.list(d, "ingress", rule),
        egress: f.list(d, "egress", rule),
        do_not_track: None,
        pre_dnat: None,
        apply_on_forward: None,
        staged_action: None,
        extra: Extra::new(),
    };
    if !kind.is_namespaced() {
        spec.namespace_selector = f.selector(d, "namespaceSelector", Plain);
        spec.do_not_track = f.leaf(d, "doNotTrack");
        spec.pre_dnat = f.leaf(d, "preDNAT");
        spec.apply_on_forward = f.leaf(d, "applyOnForward");
    }
    if kind.is_staged() {
        spec.staged_action = f.leaf(d, "stagedAction");
    }
    f.finish(d, &mut spec.extra);
    Some(spec)
}

/// One ingress or egress rule.
pub(crate) fn rule(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<Rule> {
    let mut f = d.fields(node, path)?;
    let action = match f.take("action") {
        Some(n) => d.leaf(n, &f.path_of("action")),
        None => {
            d.error(node.pos, format!("missing `{}`", f.path_of("action")));
            None
        }
    };
    let mut rule = Rule {
        action: action.unwrap_or(crate::model::Action::Allow),
        protocol: f.leaf(d, "protocol"),
        not_protocol: f.leaf(d, "notProtocol"),
        ip_version: f.leaf(d, "ipVersion"),
        icmp: f.nested(d, "icmp", icmp),
        not_icmp: f.nested(d, "notICMP", icmp),
        source: f.nested(d, "source", entity_rule).unwrap_or_default(),
        destination: f.nested(d, "destination", entity_rule).unwrap_or_default(),
        http: f.take("http").map(Node::to_json),
        metadata: f.nested(d, "metadata", rule_metadata),
        extra: Extra::new(),
    };
    f.finish(d, &mut rule.extra);
    action.map(|_| rule)
}

fn icmp(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<IcmpFields> {
    let mut f = d.fields(node, path)?;
    let fields = IcmpFields {
        icmp_type: f.leaf(d, "type"),
        code: f.leaf(d, "code"),
    };
    f.finish_dropping(d);
    Some(fields)
}

fn rule_metadata(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<RuleMetadata> {
    let mut f = d.fields(node, path)?;
    let meta = RuleMetadata {
        annotations: f.leaf(d, "annotations").unwrap_or_default(),
    };
    f.finish_dropping(d);
    Some(meta)
}

/// The `source` or `destination` of a rule.
pub(crate) fn entity_rule(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<EntityRule> {
    let mut f = d.fields(node, path)?;
    let mut e = EntityRule {
        nets: f.cidrs(d, "nets"),
        not_nets: f.cidrs(d, "notNets"),
        selector: f.selector(d, "selector", Plain),
        not_selector: f.selector(d, "notSelector", Plain),
        namespace_selector: f.selector(d, "namespaceSelector", RuleNamespace),
        service_accounts: f.nested(d, "serviceAccounts", service_accounts),
        ports: f.list(d, "ports", |d, n, p| d.leaf(n, p)),
        not_ports: f.list(d, "notPorts", |d, n, p| d.leaf(n, p)),
        domains: f.strings(d, "domains"),
        services: f.nested(d, "services", services),
        extra: Extra::new(),
    };
    f.finish(d, &mut e.extra);
    Some(e)
}

fn service_accounts(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<ServiceAccountMatch> {
    let mut f = d.fields(node, path)?;
    let sa = ServiceAccountMatch {
        names: f.strings(d, "names"),
        selector: f.string(d, "selector"),
    };
    f.finish_dropping(d);
    Some(sa)
}

fn services(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<ServiceMatch> {
    let mut f = d.fields(node, path)?;
    let name = match f.take("name") {
        Some(n) => d.string(n, &f.path_of("name")),
        None => {
            d.error(node.pos, format!("missing `{}`", f.path_of("name")));
            None
        }
    };
    let namespace = f.string(d, "namespace");
    f.finish_dropping(d);
    Some(ServiceMatch {
        name: name?,
        namespace,
    })
}

/// A `Tier`.
pub(crate) fn tier(
    d: &mut Decoder<'_>,
    meta_node: &Node,
    spec_node: Option<&Node>,
    aside: &mut Extra,
) -> Option<Tier> {
    let meta = metadata(d, meta_node, aside);
    let spec = match spec_node {
        Some(node) => {
            let mut f = d.fields(node, "spec")?;
            let mut spec = TierSpec {
                order: f.leaf(d, "order"),
                default_action: f.leaf(d, "defaultAction"),
                extra: Extra::new(),
            };
            f.finish(d, &mut spec.extra);
            Some(spec)
        }
        None => Some(TierSpec::default()),
    };
    let mut meta = meta?;
    forbid_namespace(d, meta_node, &mut meta, "Tier");
    Some(Tier {
        metadata: meta,
        spec: spec?,
    })
}

/// A `NetworkSet` (`global` false) or `GlobalNetworkSet`.
pub(crate) fn network_set(
    d: &mut Decoder<'_>,
    global: bool,
    meta_node: &Node,
    spec_node: Option<&Node>,
    aside: &mut Extra,
) -> Option<NetworkSet> {
    let meta = metadata(d, meta_node, aside);
    let spec = match spec_node {
        Some(node) => {
            let mut f: Fields<'_> = d.fields(node, "spec")?;
            let mut spec = NetworkSetSpec {
                nets: f.cidrs(d, "nets"),
                allowed_egress_domains: f.strings(d, "allowedEgressDomains"),
                extra: Extra::new(),
            };
            f.finish(d, &mut spec.extra);
            Some(spec)
        }
        None => Some(NetworkSetSpec::default()),
    };
    let mut meta = meta?;
    if global {
        forbid_namespace(d, meta_node, &mut meta, "GlobalNetworkSet");
    } else {
        require_namespace(d, meta_node, &mut meta, "NetworkSet");
    }
    Some(NetworkSet {
        metadata: meta,
        spec: spec?,
    })
}

/// `IPPool` spec fields about routing and allocation: Netpol Studio only needs `cidr` and `disabled`,
/// the others are kept as written without a warning (projectcalico.org/v3 `IPPoolSpec`).
const IP_POOL_ROUTING_FIELDS: &[&str] = &[
    "allowedUses",
    "assignmentMode",
    "blockSize",
    "disableBGPExport",
    "ipip",
    "ipipMode",
    "namespaceSelector",
    "natOutgoing",
    "nodeSelector",
    "vxlanMode",
];

/// An `IPPool` (cluster-scoped): where pod IPs come from.
pub(crate) fn ip_pool(
    d: &mut Decoder<'_>,
    meta_node: &Node,
    spec_node: Option<&Node>,
    aside: &mut Extra,
) -> Option<IpPool> {
    let meta = metadata(d, meta_node, aside);
    let Some(node) = spec_node else {
        d.error(meta_node.pos, "missing `spec.cidr` of the IPPool");
        return None;
    };
    let mut f: Fields<'_> = d.fields(node, "spec")?;
    let cidr_node = f.take("cidr");
    let cidr = match cidr_node {
        Some(n) => d.string(n, "spec.cidr"),
        None => {
            d.error(node.pos, "missing `spec.cidr` of the IPPool");
            None
        }
    };
    if let (Some(n), Some(text)) = (cidr_node, &cidr)
        && let Err(message) = crate::model::parse_pool_cidr(text)
    {
        d.error(n.pos, format!("invalid `spec.cidr`: {message}"));
    }
    let mut spec = IpPoolSpec {
        cidr: cidr.unwrap_or_default(),
        disabled: f.leaf(d, "disabled").unwrap_or(false),
        extra: Extra::new(),
    };
    for key in IP_POOL_ROUTING_FIELDS {
        if let Some(value) = f.take(key) {
            spec.extra.insert((*key).to_owned(), value.to_json());
        }
    }
    f.finish(d, &mut spec.extra);
    let mut meta = meta?;
    forbid_namespace(d, meta_node, &mut meta, "IPPool");
    Some(IpPool {
        metadata: meta,
        spec,
    })
}
