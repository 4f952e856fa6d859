//! Cases transcribed from Calico's `clusternetworkpolicy_test.go` (v3.32.1) and, for the v1alpha1
//! kinds, from the behaviour of `conversion.go` (v3.31.0).

use super::*;
use crate::model::{
    AdminPortNumber, ClusterEgressRule, ClusterIngressRule, ClusterPolicySpec, ClusterSubject,
    ClusterTier, DestinationPort, LabelSelector, NamespacedPods, ObjectMeta, PortRange,
    ProtocolPort,
};

fn labels(pairs: &[(&str, &str)]) -> LabelSelector {
    let mut s = LabelSelector::default();
    for (k, v) in pairs {
        s.match_labels.insert((*k).to_owned(), (*v).to_owned());
    }
    s
}

fn cnp(spec: ClusterPolicySpec) -> ClusterPolicy {
    ClusterPolicy {
        kind: ClusterPolicyKind::ClusterNetworkPolicy,
        metadata: ObjectMeta::named("test.policy", None),
        spec,
    }
}

fn tcp(port: u16) -> ClusterProtocol {
    ClusterProtocol {
        tcp: Some(ProtocolPort {
            destination_port: Some(DestinationPort {
                number: Some(port),
                ..DestinationPort::default()
            }),
            ..ProtocolPort::default()
        }),
        ..ClusterProtocol::default()
    }
}

fn named(name: &str) -> ClusterProtocol {
    ClusterProtocol {
        destination_named_port: Some(name.to_owned()),
        ..ClusterProtocol::default()
    }
}

fn namespaces(pairs: &[(&str, &str)]) -> ClusterPeer {
    ClusterPeer {
        namespaces: Some(labels(pairs)),
        ..ClusterPeer::default()
    }
}

fn pods(ns: Option<&[(&str, &str)]>, pod: &[(&str, &str)]) -> ClusterPeer {
    ClusterPeer {
        pods: Some(NamespacedPods {
            namespace_selector: ns.map(labels),
            pod_selector: labels(pod),
            ..NamespacedPods::default()
        }),
        ..ClusterPeer::default()
    }
}

fn ingress(
    name: &str,
    action: ClusterAction,
    from: Vec<ClusterPeer>,
    protocols: Vec<ClusterProtocol>,
) -> ClusterIngressRule {
    ClusterIngressRule {
        name: Some(name.to_owned()),
        action,
        from,
        protocols,
        ports: Vec::new(),
        extra: Default::default(),
    }
}

fn egress(
    name: &str,
    action: ClusterAction,
    to: Vec<ClusterPeer>,
    protocols: Vec<ClusterProtocol>,
) -> ClusterEgressRule {
    ClusterEgressRule {
        name: Some(name.to_owned()),
        action,
        to,
        protocols,
        ports: Vec::new(),
        extra: Default::default(),
    }
}

/// `(protocol, namespaceSelector, selector, ports)` of a rule's peer side.
fn summary(rule: &Rule, egress: bool) -> (Option<String>, String, String, Vec<String>) {
    let side = if egress {
        &rule.destination
    } else {
        &rule.source
    };
    (
        rule.protocol.map(|p| p.to_string()),
        side.namespace_selector.clone().unwrap_or_default(),
        side.selector.clone().unwrap_or_default(),
        rule.destination
            .ports
            .iter()
            .map(|p| p.to_string())
            .collect(),
    )
}

#[test]
fn multiple_peers_and_ports() {
    let udp_range = ClusterProtocol {
        udp: Some(ProtocolPort {
            destination_port: Some(DestinationPort {
                range: Some(PortRange { start: 20, end: 30 }),
                ..DestinationPort::default()
            }),
            ..ProtocolPort::default()
        }),
        ..ClusterProtocol::default()
    };
    let protos = vec![tcp(80), udp_range, named("http-port"), named("8080")];
    let policy = cnp(ClusterPolicySpec {
        tier: Some(ClusterTier::Admin),
        priority: Some(600),
        subject: ClusterSubject {
            namespaces: Some(labels(&[("label", "value"), ("label2", "value2")])),
            ..ClusterSubject::default()
        },
        ingress: vec![ingress(
            "A random ingress rule",
            ClusterAction::Pass,
            vec![namespaces(&[("k", "v")]), pods(None, &[("k2", "v2")])],
            protos.clone(),
        )],
        egress: vec![egress(
            "A random egress rule",
            ClusterAction::Deny,
            vec![
                namespaces(&[("k3", "v3")]),
                pods(Some(&[("k4", "v4")]), &[("k5", "v5")]),
            ],
            protos,
        )],
        ..ClusterPolicySpec::default()
    });
    let Some(c) = cluster_to_calico(&policy) else {
        panic!("converted")
    };
    let spec = &c.spec;
    assert_eq!(spec.tier.as_deref(), Some("kube-admin"));
    assert_eq!(spec.order, Some(600.0));
    assert_eq!(
        spec.namespace_selector.as_deref(),
        Some("label == 'value' && label2 == 'value2'")
    );
    assert_eq!(
        spec.selector.as_deref(),
        Some("projectcalico.org/orchestrator == 'k8s'")
    );
    let pod = "projectcalico.org/orchestrator == 'k8s' && k2 == 'v2'";
    let s = |p: Option<&str>, ns: &str, sel: &str, ports: &[&str]| {
        (
            p.map(str::to_owned),
            ns.to_owned(),
            sel.to_owned(),
            ports.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>(),
        )
    };
    let got: Vec<_> = spec.ingress.iter().map(|r| summary(r, false)).collect();
    assert_eq!(
        got,
        [
            s(None, "k == 'v'", "", &["http-port", "8080"]),
            s(None, "all()", pod, &["http-port", "8080"]),
            s(Some("TCP"), "k == 'v'", "", &["80"]),
            s(Some("TCP"), "all()", pod, &["80"]),
            s(Some("UDP"), "k == 'v'", "", &["20:30"]),
            s(Some("UDP"), "all()", pod, &["20:30"]),
        ]
    );
    assert!(spec.ingress.iter().all(|r| r.action == Action::Pass));
    let pod5 = "projectcalico.org/orchestrator == 'k8s' && k5 == 'v5'";
    let got: Vec<_> = spec.egress.iter().map(|r| summary(r, true)).collect();
    assert_eq!(
        got,
        [
            s(None, "k3 == 'v3'", "", &["http-port", "8080"]),
            s(None, "k4 == 'v4'", pod5, &["http-port", "8080"]),
            s(Some("TCP"), "k3 == 'v3'", "", &["80"]),
            s(Some("TCP"), "k4 == 'v4'", pod5, &["80"]),
            s(Some("UDP"), "k3 == 'v3'", "", &["20:30"]),
            s(Some("UDP"), "k4 == 'v4'", pod5, &["20:30"]),
        ]
    );
    assert_eq!(spec.types, [PolicyType::Ingress, PolicyType::Egress]);
    assert!(
        c.ingress_names
            .iter()
            .all(|n| n.as_deref() == Some("A random ingress rule"))
    );
}

#[test]
fn unsupported_rules_fail_closed_in_place() {
    let nodes = ClusterPeer {
        nodes: Some(LabelSelector::default()),
        ..ClusterPeer::default()
    };
    let domains = ClusterPeer {
        domain_names: vec!["a.example.com".to_owned()],
        ..ClusterPeer::default()
    };
    let policy = cnp(ClusterPolicySpec {
        tier: Some(ClusterTier::Baseline),
        priority: Some(1),
        subject: ClusterSubject {
            pods: Some(NamespacedPods::default()),
            ..ClusterSubject::default()
        },
        egress: vec![
            egress(
                "accept-nodes",
                ClusterAction::Accept,
                vec![nodes.clone()],
                vec![],
            ),
            egress("deny-nodes", ClusterAction::Deny, vec![nodes], vec![]),
            egress("pass-domains", ClusterAction::Pass, vec![domains], vec![]),
            egress(
                "deny-ns",
                ClusterAction::Deny,
                vec![namespaces(&[])],
                vec![tcp(5)],
            ),
        ],
        ..ClusterPolicySpec::default()
    });
    let Some(c) = cluster_to_calico(&policy) else {
        panic!("converted")
    };
    assert_eq!(c.spec.tier.as_deref(), Some("kube-baseline"));
    assert_eq!(c.spec.namespace_selector.as_deref(), Some("all()"));
    let bare = Rule::new(Action::Deny);
    assert_eq!(c.spec.egress.len(), 3, "the Accept rule is dropped");
    assert_eq!(c.spec.egress[0], bare);
    assert_eq!(c.spec.egress[1], bare);
    assert_eq!(
        c.spec.egress[2].destination.namespace_selector.as_deref(),
        Some("all()")
    );
    assert_eq!(
        c.egress_names,
        [
            Some("deny-nodes".to_owned()),
            Some("pass-domains".to_owned()),
            Some("deny-ns".to_owned())
        ]
    );
    assert_eq!(
        c.spec.types,
        [PolicyType::Egress],
        "no ingress rule: no Ingress type"
    );
}

#[test]
fn a_policy_without_subject_or_tier_is_dropped() {
    let no_subject = cnp(ClusterPolicySpec {
        tier: Some(ClusterTier::Admin),
        priority: Some(1),
        ..ClusterPolicySpec::default()
    });
    assert!(cluster_to_calico(&no_subject).is_none());
    let no_tier = cnp(ClusterPolicySpec {
        priority: Some(1),
        subject: ClusterSubject {
            namespaces: Some(LabelSelector::default()),
            ..ClusterSubject::default()
        },
        ..ClusterPolicySpec::default()
    });
    assert!(cluster_to_calico(&no_tier).is_none());
}

#[test]
fn networks_become_nets_and_an_empty_entry_means_everything() {
    let policy = cnp(ClusterPolicySpec {
        tier: Some(ClusterTier::Admin),
        priority: Some(1),
        subject: ClusterSubject {
            namespaces: Some(LabelSelector::default()),
            ..ClusterSubject::default()
        },
        egress: vec![egress(
            "world",
            ClusterAction::Accept,
            vec![ClusterPeer {
                networks: vec!["10.1.2.3/8".to_owned(), "0.0.0.0/0".to_owned()],
                ..ClusterPeer::default()
            }],
            vec![tcp(443), ClusterProtocol::default()],
        )],
        ..ClusterPolicySpec::default()
    });
    let Some(c) = cluster_to_calico(&policy) else {
        panic!("converted")
    };
    assert_eq!(c.spec.egress.len(), 1);
    let rule = &c.spec.egress[0];
    assert_eq!(rule.protocol, None);
    assert!(rule.destination.ports.is_empty());
    assert_eq!(rule.destination.nets, ["10.0.0.0/8", "0.0.0.0/0"]);
}

#[test]
fn v1alpha1_named_ports_widen_the_rule_to_everything() {
    let anp = ClusterPolicy {
        kind: ClusterPolicyKind::AdminNetworkPolicy,
        metadata: ObjectMeta::named("guard", None),
        spec: ClusterPolicySpec {
            priority: Some(9),
            subject: ClusterSubject {
                namespaces: Some(LabelSelector::default()),
                ..ClusterSubject::default()
            },
            ingress: vec![ClusterIngressRule {
                name: None,
                action: ClusterAction::Allow,
                from: vec![namespaces(&[])],
                protocols: Vec::new(),
                ports: vec![
                    AdminPort {
                        port_number: Some(AdminPortNumber {
                            protocol: None,
                            port: 80,
                        }),
                        ..AdminPort::default()
                    },
                    AdminPort {
                        named_port: Some("http".to_owned()),
                        ..AdminPort::default()
                    },
                ],
                extra: Default::default(),
            }],
            ..ClusterPolicySpec::default()
        },
    };
    let Some(c) = cluster_to_calico(&anp) else {
        panic!("converted")
    };
    assert_eq!(c.spec.tier.as_deref(), Some("adminnetworkpolicy"));
    assert_eq!(c.spec.order, Some(9.0));
    assert_eq!(c.spec.ingress.len(), 1);
    assert_eq!(c.spec.ingress[0].protocol, None);
    assert!(c.spec.ingress[0].destination.ports.is_empty());
    assert_eq!(c.spec.ingress[0].action, Action::Allow);
    let banp = ClusterPolicy {
        kind: ClusterPolicyKind::BaselineAdminNetworkPolicy,
        metadata: ObjectMeta::named("default", None),
        spec: ClusterPolicySpec {
            subject: anp.spec.subject.clone(),
            ..ClusterPolicySpec::default()
        },
    };
    let Some(c) = cluster_to_calico(&banp) else {
        panic!("converted")
    };
    assert_eq!(
        (c.spec.tier.as_deref(), c.spec.order, c.spec.types.len()),
        (Some("baselineadminnetworkpolicy"), Some(1000.0), 0)
    );
}
