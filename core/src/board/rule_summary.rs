//! A Calico rule in one line, for the editor's collapsed rule rows: every criterion the rule has,
//! and for a side with none what Calico does with it ("to any destination"), so an empty peer never
//! reads as a blank.

use crate::model::{EntityRule, IcmpFields, Port, Rule};

fn joined<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn ports_text(word: &str, ports: &[Port]) -> Option<String> {
    match ports {
        [] => None,
        [Port::Number(n)] => Some(format!("{word}port {n}")),
        _ => Some(format!("{word}ports {}", joined(ports))),
    }
}

fn icmp_text(icmp: &IcmpFields) -> String {
    match (icmp.icmp_type, icmp.code) {
        (Some(t), Some(c)) => format!("type {t} code {c}"),
        (Some(t), None) => format!("type {t}"),
        (None, Some(c)) => format!("code {c}"),
        (None, None) => "any type".to_owned(),
    }
}

/// The peer criteria of one side (ports apart), in the order Calico combines them.
fn peer(e: &EntityRule) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(s) = &e.namespace_selector {
        parts.push(format!("namespaces {s}"));
    }
    if let Some(s) = &e.selector {
        parts.push(s.clone());
    }
    if let Some(s) = &e.not_selector {
        parts.push(format!("not {s}"));
    }
    if let Some(sa) = &e.service_accounts {
        if !sa.names.is_empty() {
            parts.push(format!("service accounts {}", joined(&sa.names)));
        }
        if let Some(s) = &sa.selector {
            parts.push(format!("service accounts {s}"));
        }
    }
    if !e.nets.is_empty() {
        parts.push(format!("nets {}", joined(&e.nets)));
    }
    if !e.not_nets.is_empty() {
        parts.push(format!("not nets {}", joined(&e.not_nets)));
    }
    if !e.domains.is_empty() {
        parts.push(format!("domains {}", joined(&e.domains)));
    }
    if let Some(service) = &e.services {
        match &service.namespace {
            Some(ns) => parts.push(format!("service {ns}/{}", service.name)),
            None => parts.push(format!("service {}", service.name)),
        }
    }
    if !e.extra.is_empty() {
        let keys: Vec<&str> = e.extra.keys().map(String::as_str).collect();
        parts.push(format!("(also {})", keys.join(", ")))
    }
    parts
}

/// One side: `from any source`, `to namespaces … · app == "db" port 5432`, …
fn side(word: &str, any: &str, e: &EntityRule) -> String {
    let criteria = peer(e);
    let mut out = if criteria.is_empty() {
        format!("{word} {any}")
    } else {
        format!("{word} {}", criteria.join(" · "))
    };
    for text in [ports_text("", &e.ports), ports_text("not ", &e.not_ports)]
        .into_iter()
        .flatten()
    {
        out.push(' ');
        out.push_str(&text);
    }
    out
}

/// `rule` in one line, e.g. `Allow UDP from any source to
/// namespaces kubernetes.io/metadata.name == "kube-system" · k8s-app == "kube-dns" port 53`.
pub fn rule_summary(rule: &Rule) -> String {
    let mut out = rule.action.as_str().to_owned();
    match (&rule.protocol, &rule.not_protocol) {
        (Some(p), _) => out.push_str(&format!(" {p}")),
        (None, None) => out.push_str(" any protocol"),
        (None, Some(_)) => {}
    }
    if let Some(p) = &rule.not_protocol {
        out.push_str(&format!(" except {p}"));
    }
    if let Some(v) = rule.ip_version {
        out.push_str(&format!(" IPv{v}"));
    }
    if let Some(icmp) = &rule.icmp {
        out.push_str(&format!(" ({})", icmp_text(icmp)));
    }
    if let Some(icmp) = &rule.not_icmp {
        out.push_str(&format!(" (not {})", icmp_text(icmp)));
    }
    out.push(' ');
    out.push_str(&side("from", "any source", &rule.source));
    out.push(' ');
    out.push_str(&side("to", "any destination", &rule.destination));
    if rule.http.is_some() {
        out.push_str(" with an HTTP match");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Action, Protocol};

    #[test]
    fn an_empty_peer_says_any() {
        let mut rule = Rule::new(Action::Allow);
        rule.protocol = Some(Protocol::Tcp);
        rule.destination.ports = vec![Port::Number(443)];
        assert_eq!(
            rule_summary(&rule),
            "Allow TCP from any source to any destination port 443"
        );
        assert_eq!(
            rule_summary(&Rule::new(Action::Deny)),
            "Deny any protocol from any source to any destination"
        );
    }

    #[test]
    fn every_criterion_is_said() {
        let mut rule = Rule::new(Action::Pass);
        rule.protocol = Some(Protocol::Udp);
        rule.destination.namespace_selector =
            Some("kubernetes.io/metadata.name == \"kube-system\"".to_owned());
        rule.destination.selector = Some("k8s-app == \"kube-dns\"".to_owned());
        rule.destination.ports = vec![Port::Number(53), Port::Range(1000, 2000)];
        rule.source.not_nets = vec!["10.0.0.0/8".to_owned()];
        rule.source.service_accounts = Some(crate::model::ServiceAccountMatch {
            names: vec!["api".to_owned()],
            selector: None,
        });
        assert_eq!(
            rule_summary(&rule),
            "Pass UDP from service accounts api · not nets 10.0.0.0/8 to namespaces kubernetes.io/metadata.name == \"kube-system\" · k8s-app == \"kube-dns\" ports 53, 1000:2000"
        );
        let mut icmp = Rule::new(Action::Allow);
        icmp.not_protocol = Some(Protocol::Tcp);
        icmp.icmp = Some(IcmpFields {
            icmp_type: Some(8),
            code: None,
        });
        assert_eq!(
            rule_summary(&icmp),
            "Allow except TCP (type 8) from any source to any destination"
        );
    }
}
