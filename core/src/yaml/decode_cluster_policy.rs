//! The decoder of `ClusterNetworkPolicy` (v1alpha2), `AdminNetworkPolicy` and
//! `BaselineAdminNetworkPolicy` (v1alpha1), with every rejection of their CRDs' schemas and CEL rules
//! (kubernetes-sigs/network-policy-api `config/crd/experimental/…`): exactly one subject field, peer
//! field and port field; priority 0..=1000; at most 25 (v1alpha1: 100) rules, peers and protocols;
//! `start < end`; `networks` are CIDRs; no named port beside `networks`/`nodes`/`domainNames` peers;
//! a BaselineAdminNetworkPolicy is named `default`.

use super::decode::{Decoder, Fields};
use super::decode_calico::{forbid_namespace, metadata};
use super::decode_kube::label_selector;
use super::node::{Node, Value};
use crate::model::{
    AdminPort, AdminPortNumber, AdminPortRange, ClusterAction, ClusterEgressRule,
    ClusterIngressRule, ClusterPeer, ClusterPolicy, ClusterPolicyKind, ClusterPolicySpec,
    ClusterProtocol, ClusterSubject, ClusterTier, DestinationPort, Extra, NamespacedPods,
    PortRange, Protocol, ProtocolPort,
};

/// The CRDs' limit on `networks` and `domainNames` of one peer.
const MAX_ADDRESSES: usize = 25;
/// The CRDs' limit on a rule name.
const MAX_RULE_NAME: usize = 100;
/// The CRDs' limit on one `networks` entry.
const MAX_CIDR_LEN: usize = 43;

/// One object of the three kinds.
pub(crate) fn cluster_policy(
    d: &mut Decoder<'_>,
    kind: ClusterPolicyKind,
    meta_node: &Node,
    spec_node: Option<&Node>,
    aside: &mut Extra,
) -> Option<ClusterPolicy> {
    let meta = metadata(d, meta_node, aside);
    let spec = match spec_node {
        Some(node) => spec(d, kind, node),
        None => {
            let pos = meta_node.pos;
            d.error(pos, format!("missing `spec` of {}", kind.as_str()));
            None
        }
    };
    let mut meta = meta?;
    forbid_namespace(d, meta_node, &mut meta, kind.as_str());
    if kind == ClusterPolicyKind::BaselineAdminNetworkPolicy && meta.name != "default" {
        let pos = meta_node.get("name").map_or(meta_node.pos, |n| n.pos);
        d.error(
            pos,
            format!(
                "a BaselineAdminNetworkPolicy must be named `default` (there is one per cluster), not `{}`",
                meta.name
            ),
        );
    }
    Some(ClusterPolicy {
        kind,
        metadata: meta,
        spec: spec?,
    })
}

fn spec(d: &mut Decoder<'_>, kind: ClusterPolicyKind, node: &Node) -> Option<ClusterPolicySpec> {
    let mut f = d.fields(node, "spec")?;
    let cnp = kind == ClusterPolicyKind::ClusterNetworkPolicy;
    let tier = if cnp {
        let tier = f.leaf::<ClusterTier>(d, "tier");
        if tier.is_none() && node.get("tier").is_none() {
            d.error(
                node.pos,
                "missing `spec.tier` of ClusterNetworkPolicy: `Admin` or `Baseline`",
            );
        }
        tier
    } else {
        None
    };
    let priority = if kind == ClusterPolicyKind::BaselineAdminNetworkPolicy {
        None
    } else {
        let priority = f.take("priority").and_then(|n| self::priority(d, n));
        if node.get("priority").is_none() {
            d.error(
                node.pos,
                format!("missing `spec.priority` of {}: 0 to 1000", kind.as_str()),
            );
        }
        priority
    };
    let subject = match f.take("subject") {
        Some(n) => subject(d, kind, n),
        None => {
            d.error(
                node.pos,
                format!("missing `spec.subject` of {}", kind.as_str()),
            );
            None
        }
    };
    let ingress = rules(d, kind, &mut f, "ingress", ingress_rule);
    let egress = rules(d, kind, &mut f, "egress", egress_rule);
    let mut extra = Extra::new();
    f.finish(d, &mut extra);
    Some(ClusterPolicySpec {
        tier,
        priority,
        subject: subject?,
        ingress,
        egress,
        extra,
    })
}

fn priority(d: &mut Decoder<'_>, node: &Node) -> Option<u32> {
    let value = match node.value {
        Value::Int(i) => Some(i),
        Value::UInt(u) => i64::try_from(u).ok(),
        _ => None,
    };
    match value {
        Some(p @ 0..=1000) => u32::try_from(p).ok(),
        Some(p) => {
            d.error(
                node.pos,
                format!("invalid `spec.priority`: `{p}` is not between 0 and 1000"),
            );
            None
        }
        None => {
            d.error(
                node.pos,
                format!(
                    "invalid `spec.priority`: expected a whole number 0 to 1000, found {}",
                    node.describe()
                ),
            );
            None
        }
    }
}

type RuleDecoder<T> = fn(&mut Decoder<'_>, ClusterPolicyKind, &Node, &str) -> Option<T>;

fn rules<T>(
    d: &mut Decoder<'_>,
    kind: ClusterPolicyKind,
    f: &mut Fields<'_>,
    key: &str,
    decode: RuleDecoder<T>,
) -> Vec<T> {
    let Some(node) = f.take(key) else {
        return Vec::new();
    };
    let path = f.path_of(key);
    check_count(d, node, &path, 0, kind.max_items(), "rules");
    d.list(node, &path, |d, n, p| decode(d, kind, n, p))
}

/// Reports a list whose length the CRD refuses.
fn check_count(d: &mut Decoder<'_>, node: &Node, path: &str, min: usize, max: usize, what: &str) {
    let Value::Seq(items) = &node.value else {
        return;
    };
    if items.len() > max {
        d.error(
            node.pos,
            format!(
                "`{path}` has {} {what}, more than the limit of {max}",
                items.len()
            ),
        );
    } else if items.len() < min {
        d.error(node.pos, format!("`{path}` is empty: give at least {min}"));
    }
}

/// Reports a map that does not have exactly one of `fields` (the CRDs' `minProperties`/`maxProperties`).
fn exactly_one(d: &mut Decoder<'_>, node: &Node, path: &str, fields: &[&str]) -> bool {
    let present: Vec<&str> = fields
        .iter()
        .copied()
        .filter(|f| node.get(f).is_some_and(|n| n.value != Value::Null))
        .collect();
    if present.len() == 1 {
        return true;
    }
    let list = fields.join(", ");
    let message = if present.is_empty() {
        format!("`{path}`: exactly one of {list} must be set, found none")
    } else {
        format!(
            "`{path}`: exactly one of {list} must be set, found {}",
            present.join(" and ")
        )
    };
    d.error(node.pos, message);
    false
}

fn subject(d: &mut Decoder<'_>, kind: ClusterPolicyKind, node: &Node) -> Option<ClusterSubject> {
    let path = "spec.subject";
    let mut f = d.fields(node, path)?;
    exactly_one(d, node, path, &["namespaces", "pods"]);
    let mut subject = ClusterSubject {
        namespaces: f.nested(d, "namespaces", label_selector),
        pods: f.nested(d, "pods", |d, n, p| pods(d, kind, n, p)),
        extra: Extra::new(),
    };
    f.finish(d, &mut subject.extra);
    Some(subject)
}

fn pods(
    d: &mut Decoder<'_>,
    kind: ClusterPolicyKind,
    node: &Node,
    path: &str,
) -> Option<NamespacedPods> {
    let mut f = d.fields(node, path)?;
    let namespace_selector = f.nested(d, "namespaceSelector", label_selector);
    if namespace_selector.is_none() && kind.is_v1alpha1() {
        d.error(
            node.pos,
            format!(
                "missing `{path}.namespaceSelector` (required in {})",
                kind.as_str()
            ),
        );
    }
    let pod_selector = f.nested(d, "podSelector", label_selector);
    if node.get("podSelector").is_none() {
        d.error(node.pos, format!("missing `{path}.podSelector`"));
    }
    let mut extra = Extra::new();
    f.finish(d, &mut extra);
    Some(NamespacedPods {
        namespace_selector,
        pod_selector: pod_selector.unwrap_or_default(),
        extra,
    })
}

fn action(
    d: &mut Decoder<'_>,
    kind: ClusterPolicyKind,
    node: &Node,
    path: &str,
) -> Option<ClusterAction> {
    let allowed: &[(&str, ClusterAction)] = match kind {
        ClusterPolicyKind::ClusterNetworkPolicy => &[
            ("Accept", ClusterAction::Accept),
            ("Deny", ClusterAction::Deny),
            ("Pass", ClusterAction::Pass),
        ],
        ClusterPolicyKind::AdminNetworkPolicy => &[
            ("Allow", ClusterAction::Allow),
            ("Deny", ClusterAction::Deny),
            ("Pass", ClusterAction::Pass),
        ],
        ClusterPolicyKind::BaselineAdminNetworkPolicy => &[
            ("Allow", ClusterAction::Allow),
            ("Deny", ClusterAction::Deny),
        ],
    };
    let text = d.string(node, path)?;
    if let Some((_, a)) = allowed.iter().find(|(name, _)| *name == text) {
        return Some(*a);
    }
    let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
    d.error(
        node.pos,
        format!(
            "invalid `{path}`: `{text}` is not an action of {}: expected {}",
            kind.as_str(),
            names.join(", ")
        ),
    );
    None
}

/// The parts every rule has: name, action, peers (under `peers_key`), and protocols or ports.
struct RuleParts {
    name: Option<String>,
    action: Option<ClusterAction>,
    peers: Vec<ClusterPeer>,
    protocols: Vec<ClusterProtocol>,
    ports: Vec<AdminPort>,
    extra: Extra,
}

fn rule_parts(
    d: &mut Decoder<'_>,
    kind: ClusterPolicyKind,
    node: &Node,
    path: &str,
    egress: bool,
) -> Option<RuleParts> {
    let mut f = d.fields(node, path)?;
    let name = f.string(d, "name");
    if let (Some(n), Some(name_node)) = (&name, node.get("name"))
        && n.chars().count() > MAX_RULE_NAME
    {
        d.error(
            name_node.pos,
            format!(
                "`{path}.name` is {} characters long, more than the limit of {MAX_RULE_NAME}",
                n.chars().count()
            ),
        );
    }
    let action = match f.take("action") {
        Some(n) => action(d, kind, n, &f.path_of("action")),
        None => {
            d.error(node.pos, format!("missing `{path}.action`"));
            None
        }
    };
    let peers_key = if egress { "to" } else { "from" };
    let peers = match f.take(peers_key) {
        Some(n) => {
            let ppath = f.path_of(peers_key);
            check_count(d, n, &ppath, 1, kind.max_items(), "peers");
            d.list(n, &ppath, |d, n, p| peer(d, kind, n, p, egress))
        }
        None => {
            d.error(
                node.pos,
                format!("missing `{path}.{peers_key}`: a rule needs at least one peer"),
            );
            Vec::new()
        }
    };
    let (protocols, ports) = if kind.is_v1alpha1() {
        let ports = match f.take("ports") {
            Some(n) => {
                let ppath = f.path_of("ports");
                check_count(d, n, &ppath, 1, kind.max_items(), "ports");
                d.list(n, &ppath, admin_port)
            }
            None => Vec::new(),
        };
        (Vec::new(), ports)
    } else {
        let protocols = match f.take("protocols") {
            Some(n) => {
                let ppath = f.path_of("protocols");
                check_count(d, n, &ppath, 1, kind.max_items(), "protocols");
                d.list(n, &ppath, protocol)
            }
            None => Vec::new(),
        };
        (protocols, Vec::new())
    };
    let named_port_key = if kind.is_v1alpha1() {
        "namedPort"
    } else {
        "destinationNamedPort"
    };
    let ports_key = if kind.is_v1alpha1() {
        "ports"
    } else {
        "protocols"
    };
    if egress
        && peers
            .iter()
            .any(|p| !p.networks.is_empty() || p.nodes.is_some() || !p.domain_names.is_empty())
        && let Some(Value::Seq(entries)) = node.get(ports_key).map(|n| &n.value)
        && let Some(named) = entries.iter().find_map(|e| e.get(named_port_key))
    {
        d.error(
            named.pos,
            format!("`{path}`: a named port cannot be combined with `networks`, `nodes` or `domainNames` peers: they have no named ports"),
        );
    }
    let mut extra = Extra::new();
    f.finish(d, &mut extra);
    Some(RuleParts {
        name,
        action,
        peers,
        protocols,
        ports,
        extra,
    })
}

fn ingress_rule(
    d: &mut Decoder<'_>,
    kind: ClusterPolicyKind,
    node: &Node,
    path: &str,
) -> Option<ClusterIngressRule> {
    let parts = rule_parts(d, kind, node, path, false)?;
    Some(ClusterIngressRule {
        name: parts.name,
        action: parts.action?,
        from: parts.peers,
        protocols: parts.protocols,
        ports: parts.ports,
        extra: parts.extra,
    })
}

fn egress_rule(
    d: &mut Decoder<'_>,
    kind: ClusterPolicyKind,
    node: &Node,
    path: &str,
) -> Option<ClusterEgressRule> {
    let parts = rule_parts(d, kind, node, path, true)?;
    Some(ClusterEgressRule {
        name: parts.name,
        action: parts.action?,
        to: parts.peers,
        protocols: parts.protocols,
        ports: parts.ports,
        extra: parts.extra,
    })
}

fn peer(
    d: &mut Decoder<'_>,
    kind: ClusterPolicyKind,
    node: &Node,
    path: &str,
    egress: bool,
) -> Option<ClusterPeer> {
    let fields: &[&str] = match (egress, kind) {
        (false, _) => &["namespaces", "pods"],
        (true, ClusterPolicyKind::BaselineAdminNetworkPolicy) => {
            &["namespaces", "pods", "networks", "nodes"]
        }
        (true, _) => &["namespaces", "pods", "networks", "nodes", "domainNames"],
    };
    let mut misplaced = false;
    for key in ["networks", "nodes", "domainNames"] {
        if !fields.contains(&key)
            && let Some(n) = node.get(key)
        {
            misplaced = true;
            let direction = if egress { "an egress" } else { "an ingress" };
            d.error(
                n.pos,
                format!(
                    "`{path}.{key}` is not allowed in {direction} peer of {}",
                    kind.as_str()
                ),
            );
        }
    }
    if !misplaced {
        exactly_one(d, node, path, fields);
    }
    let mut f = d.fields(node, path)?;
    let namespaces = f.nested(d, "namespaces", label_selector);
    let pods = f.nested(d, "pods", |d, n, p| pods(d, kind, n, p));
    let networks = match f.take("networks") {
        Some(n) => networks(d, n, &f.path_of("networks")),
        None => Vec::new(),
    };
    let nodes = f.nested(d, "nodes", label_selector);
    let domain_names = match f.take("domainNames") {
        Some(n) => domain_names(d, n, &f.path_of("domainNames")),
        None => Vec::new(),
    };
    let mut extra = Extra::new();
    f.finish(d, &mut extra);
    Some(ClusterPeer {
        namespaces,
        pods,
        networks,
        nodes,
        domain_names,
        extra,
    })
}

fn networks(d: &mut Decoder<'_>, node: &Node, path: &str) -> Vec<String> {
    check_count(d, node, path, 1, MAX_ADDRESSES, "networks");
    let list = d.strings(node, path);
    if let Value::Seq(items) = &node.value {
        for (i, (item, text)) in items.iter().zip(&list).enumerate() {
            if text.len() > MAX_CIDR_LEN {
                d.error(
                    item.pos,
                    format!("`{path}[{i}]` is {} characters long, more than the limit of {MAX_CIDR_LEN}", text.len()),
                );
            } else if !crate::model::vocabulary::addresses::is_cidr(text) {
                d.error(
                    item.pos,
                    format!("invalid `{path}[{i}]`: `{text}` is not a CIDR (like `10.0.0.0/8`; a bare address needs `/32` or `/128`)"),
                );
            }
        }
    }
    list
}

/// The CRDs' pattern for `domainNames`: DNS names, optionally `*.`-prefixed, optionally ending in `.`.
fn is_domain_name(text: &str) -> bool {
    let body = text.strip_prefix("*.").unwrap_or(text);
    let body = body.strip_suffix('.').unwrap_or(body);
    let labels: Vec<&str> = body.split('.').collect();
    // The pattern's character classes are `a-zA-z0-9` (sic: `A-z` also takes `[\]^_` and the backtick)
    // at the ends and `-a-zA-Z0-9_` inside.
    let end_ok = |c: char| c.is_ascii_alphanumeric() || ('['..='`').contains(&c);
    let inner_ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    labels.len() >= 2
        && labels.iter().all(|label| {
            let chars: Vec<char> = label.chars().collect();
            match chars.as_slice() {
                [] => false,
                [only] => end_ok(*only),
                [first, middle @ .., last] => {
                    end_ok(*first) && end_ok(*last) && middle.iter().all(|c| inner_ok(*c))
                }
            }
        })
}

fn domain_names(d: &mut Decoder<'_>, node: &Node, path: &str) -> Vec<String> {
    check_count(d, node, path, 1, MAX_ADDRESSES, "domain names");
    let list = d.strings(node, path);
    if let Value::Seq(items) = &node.value {
        for (i, (item, text)) in items.iter().zip(&list).enumerate() {
            if !is_domain_name(text) {
                d.error(
                    item.pos,
                    format!("invalid `{path}[{i}]`: `{text}` is not a domain name (like `api.example.com` or `*.example.com`)"),
                );
            }
        }
    }
    list
}

/// A port number 1..=65535.
fn port_number(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<u16> {
    let value = match node.value {
        Value::Int(i) => Some(i),
        Value::UInt(u) => i64::try_from(u).ok(),
        _ => None,
    };
    match value
        .and_then(|v| u16::try_from(v).ok())
        .filter(|&p| p >= 1)
    {
        Some(p) => Some(p),
        None => {
            let shown = value.map_or_else(|| node.describe().to_owned(), |v| format!("`{v}`"));
            d.error(
                node.pos,
                format!("invalid `{path}`: expected a port number 1 to 65535, found {shown}"),
            );
            None
        }
    }
}

/// Reads `start` and `end` of a range and checks `start < end`.
fn range_bounds(
    d: &mut Decoder<'_>,
    f: &mut Fields<'_>,
    node: &Node,
    path: &str,
) -> Option<(u16, u16)> {
    let start = f
        .take("start")
        .and_then(|n| port_number(d, n, &format!("{path}.start")));
    let end = f
        .take("end")
        .and_then(|n| port_number(d, n, &format!("{path}.end")));
    for key in ["start", "end"] {
        if node.get(key).is_none() {
            d.error(node.pos, format!("missing `{path}.{key}`"));
        }
    }
    let (start, end) = (start?, end?);
    if start >= end {
        d.error(
            node.pos,
            format!("invalid `{path}`: start port {start} must be less than end port {end}"),
        );
        return None;
    }
    Some((start, end))
}

fn protocol(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<ClusterProtocol> {
    exactly_one(
        d,
        node,
        path,
        &["tcp", "udp", "sctp", "destinationNamedPort"],
    );
    let mut f = d.fields(node, path)?;
    let mut entry = ClusterProtocol {
        tcp: f.nested(d, "tcp", protocol_port),
        udp: f.nested(d, "udp", protocol_port),
        sctp: f.nested(d, "sctp", protocol_port),
        destination_named_port: f.string(d, "destinationNamedPort"),
        extra: Extra::new(),
    };
    f.finish(d, &mut entry.extra);
    Some(entry)
}

fn protocol_port(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<ProtocolPort> {
    let mut f = d.fields(node, path)?;
    let destination_port = f.nested(d, "destinationPort", destination_port);
    if node.get("destinationPort").is_none() {
        d.error(node.pos, format!("missing `{path}.destinationPort`"));
    }
    let mut extra = Extra::new();
    f.finish(d, &mut extra);
    Some(ProtocolPort {
        destination_port,
        extra,
    })
}

fn destination_port(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<DestinationPort> {
    exactly_one(d, node, path, &["number", "range"]);
    let mut f = d.fields(node, path)?;
    let number = match f.take("number") {
        Some(n) => Some(port_number(d, n, &f.path_of("number"))?),
        None => None,
    };
    let range = match f.take("range") {
        Some(n) => {
            let rpath = f.path_of("range");
            let mut rf = d.fields(n, &rpath)?;
            let bounds = range_bounds(d, &mut rf, n, &rpath);
            rf.finish_dropping(d);
            let (start, end) = bounds?;
            Some(PortRange { start, end })
        }
        None => None,
    };
    let mut extra = Extra::new();
    f.finish(d, &mut extra);
    Some(DestinationPort {
        number,
        range,
        extra,
    })
}

/// `protocol` of a v1alpha1 port: as written (absent means TCP).
fn admin_protocol(d: &mut Decoder<'_>, f: &mut Fields<'_>) -> Option<Protocol> {
    f.leaf(d, "protocol")
}

fn admin_port(d: &mut Decoder<'_>, node: &Node, path: &str) -> Option<AdminPort> {
    exactly_one(d, node, path, &["portNumber", "portRange", "namedPort"]);
    let mut f = d.fields(node, path)?;
    let port_number = match f.take("portNumber") {
        Some(n) => {
            let npath = f.path_of("portNumber");
            let mut nf = d.fields(n, &npath)?;
            let protocol = admin_protocol(d, &mut nf);
            let port = nf
                .take("port")
                .and_then(|p| port_number(d, p, &format!("{npath}.port")));
            if n.get("port").is_none() {
                d.error(n.pos, format!("missing `{npath}.port`"));
            }
            nf.finish_dropping(d);
            Some(AdminPortNumber {
                protocol,
                port: port?,
            })
        }
        None => None,
    };
    let port_range = match f.take("portRange") {
        Some(n) => {
            let rpath = f.path_of("portRange");
            let mut rf = d.fields(n, &rpath)?;
            let protocol = admin_protocol(d, &mut rf);
            let bounds = range_bounds(d, &mut rf, n, &rpath);
            rf.finish_dropping(d);
            let (start, end) = bounds?;
            Some(AdminPortRange {
                protocol,
                start,
                end,
            })
        }
        None => None,
    };
    let named_port = f.string(d, "namedPort");
    let mut extra = Extra::new();
    f.finish(d, &mut extra);
    Some(AdminPort {
        port_number,
        port_range,
        named_port,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::is_domain_name;

    #[test]
    fn domain_names_follow_the_crd_pattern() {
        for ok in [
            "example.com",
            "*.example.com",
            "api.example.com.",
            "a_b.c-d.io",
        ] {
            assert!(is_domain_name(ok), "{ok}");
        }
        for bad in [
            "example",
            "*.com",
            "-a.com",
            "a..com",
            "a.com-",
            "*example.com",
            "",
        ] {
            assert!(!is_domain_name(bad), "{bad}");
        }
    }
}
