//! One-line descriptions of rules, for people reading a pull request.

use crate::model::{EntityRule, KubernetesPeer, KubernetesPort, LabelSelector, Rule};

/// A Calico rule in one line, e.g. `Allow TCP from selector app == "web" to ports 8443`.
pub fn describe_rule(rule: &Rule) -> String {
    let mut out = rule.action.as_str().to_owned();
    if let Some(p) = &rule.protocol {
        out.push_str(&format!(" {p}"));
    }
    if let Some(p) = &rule.not_protocol {
        out.push_str(&format!(" not {p}"));
    }
    if let Some(v) = rule.ip_version {
        out.push_str(&format!(" IPv{v}"));
    }
    if let Some(icmp) = &rule.icmp {
        out.push_str(&format!(" icmp {}", icmp_text(icmp.icmp_type, icmp.code)));
    }
    if let Some(icmp) = &rule.not_icmp {
        out.push_str(&format!(
            " not icmp {}",
            icmp_text(icmp.icmp_type, icmp.code)
        ));
    }
    for (word, entity) in [("from", &rule.source), ("to", &rule.destination)] {
        let text = describe_entity(entity);
        if !text.is_empty() {
            out.push_str(&format!(" {word} {text}"));
        }
    }
    if rule.http.is_some() {
        out.push_str(" (with an HTTP match)");
    }
    out
}

fn icmp_text(icmp_type: Option<u8>, code: Option<u8>) -> String {
    match (icmp_type, code) {
        (Some(t), Some(c)) => format!("type {t} code {c}"),
        (Some(t), None) => format!("type {t}"),
        (None, Some(c)) => format!("code {c}"),
        (None, None) => "any".to_owned(),
    }
}

fn list<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_entity(e: &EntityRule) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(s) = &e.selector {
        parts.push(format!("selector {s}"));
    }
    if let Some(s) = &e.not_selector {
        parts.push(format!("not selector {s}"));
    }
    if let Some(s) = &e.namespace_selector {
        parts.push(format!("namespaces {s}"));
    }
    if let Some(sa) = &e.service_accounts {
        if !sa.names.is_empty() {
            parts.push(format!("service accounts {}", list(&sa.names)));
        }
        if let Some(s) = &sa.selector {
            parts.push(format!("service accounts {s}"));
        }
    }
    if !e.nets.is_empty() {
        parts.push(format!("nets {}", list(&e.nets)));
    }
    if !e.not_nets.is_empty() {
        parts.push(format!("not nets {}", list(&e.not_nets)));
    }
    if !e.domains.is_empty() {
        parts.push(format!("domains {}", list(&e.domains)));
    }
    if let Some(svc) = &e.services {
        let ns = svc
            .namespace
            .as_deref()
            .map(|n| format!("{n}/"))
            .unwrap_or_default();
        parts.push(format!("service {ns}{}", svc.name));
    }
    if !e.ports.is_empty() {
        parts.push(format!("ports {}", list(&e.ports)));
    }
    if !e.not_ports.is_empty() {
        parts.push(format!("not ports {}", list(&e.not_ports)));
    }
    if !e.extra.is_empty() {
        parts.push(format!(
            "and {}",
            e.extra.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    parts.join(", ")
}

fn describe_label_selector(s: &LabelSelector) -> String {
    if s.match_labels.is_empty() && s.match_expressions.is_empty() {
        return "all".to_owned();
    }
    let mut parts: Vec<String> = s
        .match_labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in &s.match_expressions {
        parts.push(format!(
            "{} {:?} [{}]",
            e.key,
            e.operator,
            e.values.join(", ")
        ));
    }
    parts.join(", ")
}

/// A Kubernetes ingress (`word` = `from`) or egress (`to`) rule in one line.
pub fn describe_kubernetes_rule(
    peers: &[KubernetesPeer],
    ports: &[KubernetesPort],
    word: &str,
) -> String {
    let mut out = "Allow".to_owned();
    let peer_texts: Vec<String> = peers
        .iter()
        .map(|p| {
            let mut parts = Vec::new();
            if let Some(s) = &p.namespace_selector {
                parts.push(format!("namespaces {}", describe_label_selector(s)));
            }
            if let Some(s) = &p.pod_selector {
                parts.push(format!("pods {}", describe_label_selector(s)));
            }
            if let Some(b) = &p.ip_block {
                let except = if b.except.is_empty() {
                    String::new()
                } else {
                    format!(" except {}", list(&b.except))
                };
                parts.push(format!("ipBlock {}{except}", b.cidr));
            }
            parts.join(" and ")
        })
        .collect();
    if !peer_texts.is_empty() {
        out.push_str(&format!(" {word} {}", peer_texts.join(" or ")));
    }
    if !ports.is_empty() {
        let texts: Vec<String> = ports
            .iter()
            .map(|p| {
                let proto = p
                    .protocol
                    .as_ref()
                    .map_or("TCP".to_owned(), ToString::to_string);
                match (&p.port, p.end_port) {
                    (Some(port), Some(end)) => format!("{proto} {port}-{end}"),
                    (Some(port), None) => format!("{proto} {port}"),
                    (None, _) => proto,
                }
            })
            .collect();
        out.push_str(&format!(" on {}", texts.join(", ")));
    }
    out
}
