//! Validation parity: what the Kubernetes API server and Calico's validator reject that decoding alone
//! lets through. Each check is one row of the table below, with its upstream source; every row has a
//! rejected and an accepted case in `core/tests/validation_parity.rs`. The checks walk the document's
//! node tree, so each error points at the offending key or value (`FILE:LINE:COL`).
//!
//! Sources (read at):
//! - `k8s`: kubernetes `pkg/apis/networking/validation/validation.go` (ValidateNetworkPolicyPort,
//!   ValidateNetworkPolicyPeer, ValidateNetworkPolicySpec, ValidateIPBlock), commit 019c5dc5;
//!   label selectors: apimachinery `pkg/apis/meta/v1/validation` (ValidateLabelSelector,
//!   ValidateLabelSelectorRequirement, ValidateLabels) and `pkg/util/validation` (IsQualifiedName,
//!   IsValidLabelValue, IsValidPortName, IsValidPortNum).
//! - `calico`: projectcalico/calico `libcalico-go/lib/validator/v3/validator.go` (validateRule,
//!   validatePort, validateIPNetwork, validateNetworkPolicySpec, validateGlobalNetworkPolicySpec,
//!   validate(Global)NetworkPolicy name regexes) and the CRD's CEL rules in
//!   `api/pkg/apis/projectcalico/v3/{policy_common,globalnetworkpolicy}.go`, commit 87c15906.
//!
//! | Row | Kind | Rejected | Source |
//! |---|---|---|---|
//! | K1 | KNP | `ports[].protocol` other than TCP, UDP, SCTP | k8s ValidateNetworkPolicyPort |
//! | K2 | KNP | numeric `port` or `endPort` outside 1–65535 | k8s ValidateNetworkPolicyPort (IsValidPortNum) |
//! | K3 | KNP | `endPort` < `port` | k8s ValidateNetworkPolicyPort |
//! | K4 | KNP | `endPort` with a named `port` | k8s ValidateNetworkPolicyPort |
//! | K5 | KNP | `endPort` without `port` | k8s ValidateNetworkPolicyPort |
//! | K6 | KNP | a named port that is not an IANA service name | k8s ValidateNetworkPolicyPort (IsValidPortName) |
//! | K7 | KNP | a peer with none of podSelector, namespaceSelector, ipBlock | k8s ValidateNetworkPolicyPeer |
//! | K8 | KNP | `ipBlock` together with another peer field | k8s ValidateNetworkPolicyPeer |
//! | K9 | KNP | `except` that is not a CIDR, or not a strict subset of `cidr` | k8s ValidateIPBlock |
//! | K10 | KNP | more than two `policyTypes` | k8s ValidateNetworkPolicySpec |
//! | K11 | KNP | label keys that are not qualified names, values that are not label values | apimachinery ValidateLabelSelector → ValidateLabels |
//! | K12 | KNP | `In`/`NotIn` without values, `Exists`/`DoesNotExist` with values | apimachinery ValidateLabelSelectorRequirement |
//! | C1 | Calico | a type listed twice in `types` | calico validate(Global)NetworkPolicySpec |
//! | C2 | Calico | numeric ports without `protocol` | calico validateRule (protocolSingleOrRangePortsMsg) |
//! | C3 | Calico | ports with a protocol other than TCP, UDP, SCTP | calico validateRule (protocolPortsMsg) |
//! | C4 | Calico | port 0 | calico validatePort |
//! | C5 | Calico | `icmp` without protocol ICMP/ICMPv6 | calico CEL on Rule (policy_common.go) |
//! | C6 | Calico | ICMP `type` > 254 or `code` > 255; a `code` without a `type` | calico ICMPFields (policy_common.go) |
//! | C7 | Calico | protocol ICMP with ipVersion 6, ICMPv6 with ipVersion 4 | calico CEL on Rule |
//! | C8 | Calico | IPv4 and IPv6 nets in one rule; nets of the other version than `ipVersion` | calico validateRule (scanNets) |
//! | C9 | Calico | `0.0.0.0/0` or `::/0` in `notNets` | calico validateRule (scanNets) |
//! | C10 | Calico | a net with host bits set (`10.0.0.1/8`) | calico validateIPNetwork (`net` tag) |
//! | C11 | Calico | `services` with ports, selectors, namespaceSelector, nets or serviceAccounts; an empty service name | calico CEL on EntityRule/Rule |
//! | C12 | Calico | `services` in an egress rule's source or an ingress rule's destination; in a GlobalNetworkPolicy without `namespace` | calico validate(Global)NetworkPolicySpec |
//! | C13 | Calico | `http` on a rule that is not Allow, with a protocol other than TCP, or in an egress rule | calico CEL on Rule, ruleUsesAppLayerPolicy |
//! | C14 | Calico | preDNAT with doNotTrack, with egress, without applyOnForward (and doNotTrack without it) | calico CEL on GlobalNetworkPolicySpec |
//! | C15 | Calico | a policy name with more than one `.` (other than `knp.default.` names) | calico networkPolicyNameRegex, globalNetworkPolicyNameRegex |
//!
//! Already checked where the field is decoded (not repeated here): names (DNS subdomain / label),
//! selector syntax and `global()`, CIDR syntax, `policyTypes`/`types` values, protocol names and
//! numbers, port syntax and ranges written `a:b` with `a > b`, actions. Duplicate objects (same kind,
//! namespace and name) span documents and files: `design::Input::duplicate_objects`.

use ipnet::IpNet;

use super::decode::Decoder;
use super::node::{Node, Value};
use crate::model::vocabulary::addresses::parse_net;
use crate::model::vocabulary::names::{label_value, qualified_name};

/// The nodes of a sequence (none when the node is not one).
fn items(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.value) {
        Some(Value::Seq(items)) => items,
        _ => &[],
    }
}

fn int(node: &Node) -> Option<i64> {
    match node.value {
        Value::Int(i) => Some(i),
        Value::UInt(u) => i64::try_from(u).ok(),
        _ => None,
    }
}

fn present(node: Option<&Node>) -> bool {
    node.is_some_and(|n| n.value != Value::Null)
}

/// A non-empty sequence, string or map.
fn non_empty(node: Option<&Node>) -> bool {
    match node.map(|n| &n.value) {
        None | Some(Value::Null) => false,
        Some(Value::Seq(v)) => !v.is_empty(),
        Some(Value::Map(v)) => !v.is_empty(),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

// ---------------------------------------------------------------------------------------------------
// Kubernetes NetworkPolicy
// ---------------------------------------------------------------------------------------------------

/// The `spec` of a Kubernetes NetworkPolicy (or Calico's staged variant).
pub(crate) fn kubernetes_policy_spec(d: &mut Decoder<'_>, spec: &Node) {
    if let Some(sel) = spec.get("podSelector") {
        label_selector(d, sel, "spec.podSelector");
    }
    // K10: "may not specify more than two policyTypes".
    if let Some(types) = spec.get("policyTypes")
        && items(Some(types)).len() > 2
    {
        d.error(
                types.pos,
                "`spec.policyTypes` lists more than two types: Kubernetes accepts at most `Ingress` and `Egress` (each once)",
            );
    }
    for (direction, peers_key) in [("ingress", "from"), ("egress", "to")] {
        for (i, rule) in items(spec.get(direction)).iter().enumerate() {
            for (j, port) in items(rule.get("ports")).iter().enumerate() {
                kubernetes_port(d, port, &format!("spec.{direction}[{i}].ports[{j}]"));
            }
            for (j, peer) in items(rule.get(peers_key)).iter().enumerate() {
                kubernetes_peer(d, peer, &format!("spec.{direction}[{i}].{peers_key}[{j}]"));
            }
        }
    }
}

fn kubernetes_port(d: &mut Decoder<'_>, node: &Node, path: &str) {
    // K1: protocol must be TCP, UDP or SCTP (Kubernetes has no ICMP or protocol numbers).
    if let Some(p) = node.get("protocol") {
        if let Some(text) = p.as_str().filter(|t| !matches!(*t, "TCP" | "UDP" | "SCTP")) {
            d.error(p.pos, format!("`{path}.protocol` is `{text}`: Kubernetes supports `TCP`, `UDP` and `SCTP` only"));
        } else if p.as_str().is_none() && p.value != Value::Null {
            d.error(
                p.pos,
                format!("`{path}.protocol` must be `TCP`, `UDP` or `SCTP`"),
            );
        }
    }
    let port = node.get("port").filter(|n| n.value != Value::Null);
    let end = node.get("endPort").filter(|n| n.value != Value::Null);
    match port {
        Some(p) => match &p.value {
            Value::String(name) => {
                // K4: "may not be specified when `port` is non-numeric".
                if let Some(e) = end {
                    d.error(e.pos, format!("`{path}.endPort` may not be given with a named `port` (`{name}`): a range needs a numeric port"));
                }
                // K6: IsValidPortName.
                if let Err(why) = port_name(name) {
                    d.error(
                        p.pos,
                        format!("`{path}.port` `{name}` is not a valid port name: {why}"),
                    );
                }
            }
            _ => {
                let number = int(p);
                // K2: IsValidPortNum (the decoder already refuses numbers above 65535).
                if number == Some(0) {
                    d.error(
                        p.pos,
                        format!("`{path}.port` is 0: a port number must be 1-65535"),
                    );
                }
                if let Some(e) = end {
                    let end_number = int(e);
                    if end_number == Some(0) {
                        d.error(
                            e.pos,
                            format!("`{path}.endPort` is 0: a port number must be 1-65535"),
                        );
                    }
                    // K3: "must be greater than or equal to `port`".
                    if let (Some(start), Some(stop)) = (number, end_number)
                        && stop < start
                    {
                        d.error(e.pos, format!("`{path}.endPort` ({stop}) is below `port` ({start}): it must be greater than or equal to `port`"));
                    }
                }
            }
        },
        // K5: "may not be specified when `port` is not specified".
        None => {
            if let Some(e) = end {
                d.error(e.pos, format!("`{path}.endPort` needs a `port`: Kubernetes refuses a range without its start"));
            }
        }
    }
}

/// `IsValidPortName`: an IANA service name — at most 15 characters of `a-z`, `0-9` and `-`, at
/// least one letter, no `-` at either end, no `--`.
fn port_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.len() > 15 {
        return Err("it must be 1-15 characters");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err("it may hold only lowercase letters, digits and `-`");
    }
    if !name.bytes().any(|b| b.is_ascii_lowercase()) {
        return Err("it must contain at least one letter");
    }
    if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        return Err("`-` may not start or end it, nor appear twice in a row");
    }
    Ok(())
}

fn kubernetes_peer(d: &mut Decoder<'_>, node: &Node, path: &str) {
    let pod = node.get("podSelector").filter(|n| n.value != Value::Null);
    let ns = node
        .get("namespaceSelector")
        .filter(|n| n.value != Value::Null);
    let block = node.get("ipBlock").filter(|n| n.value != Value::Null);
    if let Some(sel) = pod {
        label_selector(d, sel, &format!("{path}.podSelector"));
    }
    if let Some(sel) = ns {
        label_selector(d, sel, &format!("{path}.namespaceSelector"));
    }
    let count = [pod, ns, block].iter().filter(|n| n.is_some()).count();
    if count == 0 {
        // K7: "must specify a peer".
        d.error(node.pos, format!("`{path}` is empty: a peer needs `podSelector`, `namespaceSelector` or `ipBlock` (to match everything, leave out the whole list)"));
    } else if count > 1
        && let Some(b) = block
    {
        // K8: "may not specify both ipBlock and another peer".
        d.error(b.pos, format!("`{path}` combines `ipBlock` with a selector: Kubernetes refuses both in one peer (write two peers)"));
    }
    if let Some(b) = block {
        ip_block(d, b, &format!("{path}.ipBlock"));
    }
}

fn ip_block(d: &mut Decoder<'_>, node: &Node, path: &str) {
    let Some(cidr) = node
        .get("cidr")
        .and_then(Node::as_str)
        .and_then(|c| c.parse::<IpNet>().ok())
    else {
        return;
    };
    for (i, e) in items(node.get("except")).iter().enumerate() {
        let Some(text) = e.as_str() else { continue };
        // K9: except is a CIDR (IsValidCIDRForLegacyField) and "must be a strict subset of `cidr`".
        match text.trim().parse::<IpNet>() {
            Err(_) => {
                if parse_net(text).is_ok() {
                    d.error(e.pos, format!("`{path}.except[{i}]` is `{text}`, an address: Kubernetes wants a CIDR here (`{text}/32` or `/128`)"));
                }
            }
            Ok(except) => {
                if !cidr.contains(&except.network()) || cidr.prefix_len() >= except.prefix_len() {
                    d.error(e.pos, format!("`{path}.except[{i}]` `{text}` is not a strict subset of `cidr` `{cidr}`"));
                }
            }
        }
    }
}

/// A Kubernetes `LabelSelector` (K11, K12).
fn label_selector(d: &mut Decoder<'_>, node: &Node, path: &str) {
    if let Some(Value::Map(entries)) = node.get("matchLabels").map(|n| &n.value) {
        for (k, v) in entries {
            let key = k.key_text();
            if let Err(why) = qualified_name(&key) {
                d.error(
                    k.pos,
                    format!("`{path}.matchLabels` key `{key}` is not a valid label key: {why}"),
                );
            }
            if let Some(value) = v.as_str()
                && let Err(why) = label_value(value)
            {
                d.error(v.pos, format!("`{path}.matchLabels.{key}` value `{value}` is not a valid label value: {why}"));
            }
        }
    }
    for (i, req) in items(node.get("matchExpressions")).iter().enumerate() {
        let at = format!("{path}.matchExpressions[{i}]");
        if let Some(k) = req.get("key")
            && let Some(key) = k.as_str()
            && let Err(why) = qualified_name(key)
        {
            d.error(
                k.pos,
                format!("`{at}.key` `{key}` is not a valid label key: {why}"),
            );
        }
        let values = req.get("values");
        let has_values = non_empty(values);
        match req.get("operator").and_then(Node::as_str) {
            Some(op @ ("In" | "NotIn")) if !has_values => d.error(
                req.pos,
                format!("`{at}` uses `{op}` without `values`: it must list at least one value"),
            ),
            Some(op @ ("Exists" | "DoesNotExist")) if has_values => d.error(
                values.map_or(req.pos, |v| v.pos),
                format!("`{at}` uses `{op}` with `values`: it may not list any"),
            ),
            _ => {}
        }
        for v in items(values) {
            if let Some(value) = v.as_str()
                && let Err(why) = label_value(value)
            {
                d.error(
                    v.pos,
                    format!("`{at}.values` `{value}` is not a valid label value: {why}"),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Calico policies
// ---------------------------------------------------------------------------------------------------

/// A protocol as written: `Some(number)` for known names and numbers.
fn protocol_number(node: &Node) -> Option<i64> {
    if let Some(n) = int(node) {
        return Some(n);
    }
    match node.as_str()? {
        "TCP" => Some(6),
        "UDP" => Some(17),
        "ICMP" => Some(1),
        "ICMPv6" => Some(58),
        "SCTP" => Some(132),
        "UDPLite" => Some(136),
        other => other.parse().ok(),
    }
}

/// A Calico policy: name (C15), spec-level checks (C1, C12, C14) and every rule.
pub(crate) fn calico_policy(d: &mut Decoder<'_>, global: bool, meta: &Node, spec: Option<&Node>) {
    if let Some(n) = meta.get("name")
        && let Some(name) = n.as_str()
    {
        // C15: `^(label\.)?label$` for global policies; namespaced ones may also be
        // `knp.default.<subdomain>` / `ossg.default.<subdomain>`.
        let conversions =
            !global && (name.starts_with("knp.default.") || name.starts_with("ossg.default."));
        if !conversions && name.matches('.').count() > 1 {
            d.error(n.pos, format!("`metadata.name` `{name}` has more than one `.`: Calico allows at most a `<tier>.` prefix before the name"));
        }
    }
    let Some(spec) = spec else { return };
    // C1: "'<type>' type specified more than once".
    let types = items(spec.get("types"));
    for (i, t) in types.iter().enumerate() {
        if types[..i].iter().any(|u| u.as_str() == t.as_str()) {
            d.error(
                t.pos,
                format!(
                    "`spec.types` lists `{}` more than once",
                    t.as_str().unwrap_or("?")
                ),
            );
        }
    }
    if global {
        pre_dnat(d, spec);
    }
    for direction in ["ingress", "egress"] {
        for (i, rule) in items(spec.get(direction)).iter().enumerate() {
            calico_rule(
                d,
                rule,
                direction,
                &format!("spec.{direction}[{i}]"),
                global,
            );
        }
    }
}

/// C14: the CEL rules of GlobalNetworkPolicySpec.
fn pre_dnat(d: &mut Decoder<'_>, spec: &Node) {
    let flag = |key: &str| spec.get(key).is_some_and(|n| n.value == Value::Bool(true));
    let (pre, untracked, forward) = (flag("preDNAT"), flag("doNotTrack"), flag("applyOnForward"));
    let pos = |key: &str| spec.get(key).map_or(spec.pos, |n| n.pos);
    if pre && untracked {
        d.error(
            pos("preDNAT"),
            "`spec.preDNAT` and `spec.doNotTrack` cannot both be true",
        );
    }
    if pre && non_empty(spec.get("egress")) {
        d.error(
            pos("egress"),
            "a preDNAT policy cannot have egress rules (preDNAT applies to ingress only)",
        );
    }
    if pre
        && items(spec.get("types"))
            .iter()
            .any(|t| t.as_str() == Some("Egress"))
    {
        d.error(
            pos("types"),
            "a preDNAT policy cannot have the `Egress` type",
        );
    }
    if (pre || untracked) && !forward {
        let key = if pre { "preDNAT" } else { "doNotTrack" };
        d.error(
            pos(key),
            format!("`spec.applyOnForward` must be true when `spec.{key}` is true"),
        );
    }
}

fn calico_rule(d: &mut Decoder<'_>, rule: &Node, direction: &str, path: &str, global: bool) {
    let protocol = rule.get("protocol").filter(|n| n.value != Value::Null);
    let proto = protocol.and_then(protocol_number);
    let not_proto = rule
        .get("notProtocol")
        .filter(|n| n.value != Value::Null)
        .and_then(protocol_number);
    let ip_version = rule.get("ipVersion").and_then(int);
    // C2, C3, C4: ports against the protocol (validateRule, validatePort).
    for side in ["source", "destination"] {
        let Some(entity) = rule.get(side) else {
            continue;
        };
        for key in ["ports", "notPorts"] {
            for (i, port) in items(entity.get(key)).iter().enumerate() {
                let at = format!("{path}.{side}.{key}[{i}]");
                let numeric = match &port.value {
                    Value::Int(_) | Value::UInt(_) => true,
                    Value::String(s) => s.trim().starts_with(|c: char| c.is_ascii_digit()),
                    _ => false,
                };
                if int(port) == Some(0)
                    || port
                        .as_str()
                        .is_some_and(|s| s.split(':').any(|p| p.trim() == "0"))
                {
                    d.error(port.pos, format!("`{at}` is 0: Calico's ports are 1-65535"));
                }
                match proto {
                    None if protocol.is_none() && numeric => d.error(port.pos, format!("`{at}`: rules with a numeric port or port range must set `protocol` to TCP, UDP or SCTP")),
                    Some(p) if !matches!(p, 6 | 17 | 132) => d.error(port.pos, format!("`{at}`: rules that specify ports must set `protocol` to TCP, UDP or SCTP")),
                    _ => {}
                }
            }
        }
    }
    // C5: "ICMP fields require protocol to be ICMP or ICMPv6".
    if let Some(icmp) = rule.get("icmp").filter(|n| n.value != Value::Null)
        && !matches!(proto, Some(1 | 58))
    {
        d.error(
            icmp.pos,
            format!("`{path}.icmp` needs `protocol` ICMP or ICMPv6"),
        );
    }
    // C6: ICMP type 0-254, code 0-255, and a code needs a type.
    for key in ["icmp", "notICMP"] {
        let Some(icmp) = rule.get(key).filter(|n| n.value != Value::Null) else {
            continue;
        };
        if let Some(t) = icmp.get("type")
            && int(t).is_some_and(|v| !(0..=254).contains(&v))
        {
            d.error(t.pos, format!("`{path}.{key}.type` must be 0-254"));
        }
        if let Some(c) = icmp.get("code") {
            if int(c).is_some_and(|v| !(0..=255).contains(&v)) {
                d.error(c.pos, format!("`{path}.{key}.code` must be 0-255"));
            }
            if !present(icmp.get("type")) {
                d.error(
                    c.pos,
                    format!("`{path}.{key}.code` is given without a `type`"),
                );
            }
        }
    }
    // C7: ICMP needs ipVersion 4, ICMPv6 needs 6.
    if let Some(v) = ip_version {
        for (key, p) in [("protocol", proto), ("notProtocol", not_proto)] {
            let pos = rule.get(key).map_or(rule.pos, |n| n.pos);
            if p == Some(1) && v != 4 {
                d.error(pos, format!("`{path}.{key}` ICMP requires `ipVersion: 4`"));
            }
            if p == Some(58) && v != 6 {
                d.error(
                    pos,
                    format!("`{path}.{key}` ICMPv6 requires `ipVersion: 6`"),
                );
            }
        }
    }
    // C8, C9, C10: the nets of both sides (validateRule's scanNets, validateIPNetwork).
    let (mut seen_v4, mut seen_v6) = (false, false);
    for side in ["source", "destination"] {
        for key in ["nets", "notNets"] {
            let Some(list) = rule.get(side).and_then(|e| e.get(key)) else {
                continue;
            };
            let (mut v4, mut v6) = (false, false);
            for (i, n) in items(Some(list)).iter().enumerate() {
                let Some(text) = n.as_str() else { continue };
                let Ok(net) = parse_net(text) else { continue };
                let at = format!("{path}.{side}.{key}[{i}]");
                if let Ok(written) = text.trim().parse::<IpNet>()
                    && written.addr() != written.network()
                {
                    d.error(n.pos, format!("`{at}` `{text}` has host bits set: Calico wants the network address (`{}`)", written.trunc()));
                }
                if key == "notNets" && net.prefix_len() == 0 {
                    d.error(n.pos, format!("`{at}` is the catch-all `{text}`: in `notNets` it makes the rule match no traffic, which Calico refuses"));
                }
                let is_v4 = matches!(net, IpNet::V4(_));
                v4 |= is_v4;
                v6 |= !is_v4;
                if ip_version.is_some_and(|v| v != if is_v4 { 4 } else { 6 }) {
                    d.error(
                        n.pos,
                        format!("`{at}` `{text}` is not of the rule's `ipVersion`"),
                    );
                }
            }
            if (v4 && seen_v6) || (v6 && seen_v4) || (v4 && v6) {
                d.error(list.pos, format!("`{path}.{side}.{key}`: the rule mixes IPv4 and IPv6 CIDRs, which Calico refuses (write one rule per IP version)"));
            }
            seen_v4 |= v4;
            seen_v6 |= v6;
        }
    }
    // C11, C12: services.
    for side in ["source", "destination"] {
        let Some(entity) = rule.get(side) else {
            continue;
        };
        let Some(services) = entity.get("services").filter(|n| n.value != Value::Null) else {
            continue;
        };
        let at = format!("{path}.{side}.services");
        for key in [
            "ports",
            "notPorts",
            "selector",
            "notSelector",
            "namespaceSelector",
            "nets",
            "notNets",
            "serviceAccounts",
        ] {
            // Ports are refused with services in the destination only (the Rule's CEL rule).
            let ports_key = matches!(key, "ports" | "notPorts");
            if non_empty(entity.get(key)) && !(ports_key && side == "source") {
                d.error(
                    services.pos,
                    format!("`{at}` cannot be combined with `{side}.{key}`"),
                );
            }
        }
        if services.get("name").and_then(Node::as_str) == Some("") {
            d.error(services.pos, format!("`{at}` must name a service"));
        }
        let wrong_side = (direction == "egress" && side == "source")
            || (direction == "ingress" && side == "destination");
        if wrong_side {
            d.error(services.pos, format!("`{at}` is not allowed in an {direction} rule's {side} (services are an egress destination or an ingress source)"));
        } else if global && !non_empty(services.get("namespace")) {
            d.error(
                services.pos,
                format!("`{at}` must give a `namespace` in a global policy"),
            );
        }
    }
    // C13: HTTP matches.
    if let Some(http) = rule.get("http").filter(|n| n.value != Value::Null) {
        if rule.get("action").and_then(Node::as_str) != Some("Allow") {
            d.error(
                http.pos,
                format!("`{path}.http`: an HTTP match is only valid on Allow rules"),
            );
        }
        if proto.is_some_and(|p| p != 6) {
            d.error(
                http.pos,
                format!("`{path}.http`: rules with an HTTP match must have protocol TCP or none"),
            );
        }
        if direction == "egress" {
            d.error(
                http.pos,
                format!("`{path}.http`: HTTP matches are not allowed in egress rules"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_apimachinery() {
        assert!(port_name("http").is_ok());
        assert!(port_name("h2c-8080").is_ok());
        assert!(port_name("80").is_err());
        assert!(port_name("Http").is_err());
        assert!(port_name("a--b").is_err());
        assert!(port_name("-a").is_err());
        assert!(port_name("a-very-long-name").is_err());
    }
}
