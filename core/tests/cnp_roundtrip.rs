//! ClusterNetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy: import → export → import is
//! lossless (property test, both API flavours write them the same), and a design document keeps them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::design;
use netpol_core::model::*;
use netpol_core::yaml::{self, ExportOptions};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    "[a-z]([a-z0-9-]{0,11}[a-z0-9])?"
}

fn label_selector() -> impl Strategy<Value = LabelSelector> {
    let requirement = (
        prop::sample::select(vec!["app", "env", "kubernetes.io/metadata.name"]),
        prop::sample::select(vec![
            LabelSelectorOperator::In,
            LabelSelectorOperator::NotIn,
            LabelSelectorOperator::Exists,
            LabelSelectorOperator::DoesNotExist,
        ]),
        vec("[a-z]{1,5}", 0..3),
    )
        .prop_map(|(key, operator, values)| LabelSelectorRequirement {
            key: key.to_owned(),
            operator,
            values: match operator {
                LabelSelectorOperator::In | LabelSelectorOperator::NotIn => values,
                _ => Vec::new(),
            },
        });
    (
        btree_map(
            prop::sample::select(vec!["app", "env", "tier"]).prop_map(str::to_owned),
            "[a-z0-9]{0,6}",
            0..3,
        ),
        vec(requirement, 0..2),
    )
        .prop_map(|(match_labels, match_expressions)| LabelSelector {
            match_labels,
            match_expressions,
            extra: Extra::new(),
        })
}

fn pods(v1alpha1: bool) -> impl Strategy<Value = NamespacedPods> {
    (option::of(label_selector()), label_selector()).prop_map(move |(ns, pod_selector)| {
        NamespacedPods {
            namespace_selector: if v1alpha1 {
                Some(ns.unwrap_or_default())
            } else {
                ns
            },
            pod_selector,
            extra: Extra::new(),
        }
    })
}

fn peer(kind: ClusterPolicyKind, egress: bool) -> BoxedStrategy<ClusterPeer> {
    let v1 = kind.is_v1alpha1();
    let by_namespace = label_selector()
        .prop_map(|s| ClusterPeer {
            namespaces: Some(s),
            ..ClusterPeer::default()
        })
        .boxed();
    let by_pod = pods(v1)
        .prop_map(|p| ClusterPeer {
            pods: Some(p),
            ..ClusterPeer::default()
        })
        .boxed();
    if !egress {
        return prop_oneof![by_namespace, by_pod].boxed();
    }
    let cidr = prop::sample::select(vec![
        "10.0.0.0/8",
        "0.0.0.0/0",
        "fd00::/8",
        "192.168.1.7/32",
    ]);
    let networks = vec(cidr, 1..3)
        .prop_map(|n| ClusterPeer {
            networks: n.into_iter().map(str::to_owned).collect(),
            ..ClusterPeer::default()
        })
        .boxed();
    let nodes = label_selector()
        .prop_map(|s| ClusterPeer {
            nodes: Some(s),
            ..ClusterPeer::default()
        })
        .boxed();
    let domains = vec("(\\*\\.)?[a-z]{1,6}\\.example\\.com", 1..3)
        .prop_map(|d| ClusterPeer {
            domain_names: d,
            ..ClusterPeer::default()
        })
        .boxed();
    if kind == ClusterPolicyKind::BaselineAdminNetworkPolicy {
        prop_oneof![by_namespace, by_pod, networks, nodes].boxed()
    } else {
        prop_oneof![by_namespace, by_pod, networks, nodes, domains].boxed()
    }
}

fn port_number() -> impl Strategy<Value = u16> {
    1u16..=65535
}

fn range() -> impl Strategy<Value = (u16, u16)> {
    (1u16..65535).prop_flat_map(|start| (Just(start), start + 1..=65535))
}

fn cnp_protocol(named: bool) -> BoxedStrategy<ClusterProtocol> {
    let destination = prop_oneof![
        port_number().prop_map(|n| DestinationPort {
            number: Some(n),
            ..DestinationPort::default()
        }),
        range().prop_map(|(start, end)| DestinationPort {
            range: Some(PortRange { start, end }),
            ..DestinationPort::default()
        }),
    ];
    let numbered = (0..3usize, destination).prop_map(|(which, d)| {
        let port = Some(ProtocolPort {
            destination_port: Some(d),
            extra: Extra::new(),
        });
        match which {
            0 => ClusterProtocol {
                tcp: port,
                ..ClusterProtocol::default()
            },
            1 => ClusterProtocol {
                udp: port,
                ..ClusterProtocol::default()
            },
            _ => ClusterProtocol {
                sctp: port,
                ..ClusterProtocol::default()
            },
        }
    });
    if named {
        prop_oneof![
            3 => numbered,
            1 => name().prop_map(|n| ClusterProtocol { destination_named_port: Some(n), ..ClusterProtocol::default() }),
        ]
        .boxed()
    } else {
        numbered.boxed()
    }
}

fn admin_port(named: bool) -> BoxedStrategy<AdminPort> {
    let protocol = option::of(prop::sample::select(vec![
        Protocol::Tcp,
        Protocol::Udp,
        Protocol::Sctp,
    ]));
    let number = (protocol.clone(), port_number()).prop_map(|(protocol, port)| AdminPort {
        port_number: Some(AdminPortNumber { protocol, port }),
        ..AdminPort::default()
    });
    let ranged = (protocol, range()).prop_map(|(protocol, (start, end))| AdminPort {
        port_range: Some(AdminPortRange {
            protocol,
            start,
            end,
        }),
        ..AdminPort::default()
    });
    if named {
        prop_oneof![
            number,
            ranged,
            name().prop_map(|n| AdminPort {
                named_port: Some(n),
                ..AdminPort::default()
            })
        ]
        .boxed()
    } else {
        prop_oneof![number, ranged].boxed()
    }
}

type RuleParts = (
    Option<String>,
    ClusterAction,
    Vec<ClusterPeer>,
    Vec<ClusterProtocol>,
    Vec<AdminPort>,
);

fn rule(kind: ClusterPolicyKind, egress: bool) -> impl Strategy<Value = RuleParts> {
    let actions = match kind {
        ClusterPolicyKind::ClusterNetworkPolicy => {
            vec![
                ClusterAction::Accept,
                ClusterAction::Deny,
                ClusterAction::Pass,
            ]
        }
        ClusterPolicyKind::AdminNetworkPolicy => {
            vec![
                ClusterAction::Allow,
                ClusterAction::Deny,
                ClusterAction::Pass,
            ]
        }
        ClusterPolicyKind::BaselineAdminNetworkPolicy => {
            vec![ClusterAction::Allow, ClusterAction::Deny]
        }
    };
    (
        option::of("[a-z][a-z -]{0,20}"),
        prop::sample::select(actions),
        vec(peer(kind, egress), 1..3),
    )
        .prop_flat_map(move |(name, action, peers)| {
            // The CEL rule: no named port beside peers that have none.
            let named = !peers
                .iter()
                .any(|p| !p.networks.is_empty() || p.nodes.is_some() || !p.domain_names.is_empty());
            let ports = if kind.is_v1alpha1() {
                (Just(Vec::new()), vec(admin_port(named), 0..3)).boxed()
            } else {
                (vec(cnp_protocol(named), 0..3), Just(Vec::new())).boxed()
            };
            (Just(name), Just(action), Just(peers), ports)
        })
        .prop_map(|(name, action, peers, (protocols, ports))| {
            (name, action, peers, protocols, ports)
        })
}

fn cluster_policy() -> impl Strategy<Value = ClusterPolicy> {
    prop::sample::select(vec![
        ClusterPolicyKind::ClusterNetworkPolicy,
        ClusterPolicyKind::AdminNetworkPolicy,
        ClusterPolicyKind::BaselineAdminNetworkPolicy,
    ])
    .prop_flat_map(|kind| {
        let subject = prop_oneof![
            label_selector().prop_map(|s| ClusterSubject {
                namespaces: Some(s),
                ..ClusterSubject::default()
            }),
            pods(kind.is_v1alpha1()).prop_map(|p| ClusterSubject {
                pods: Some(p),
                ..ClusterSubject::default()
            }),
        ];
        (
            Just(kind),
            name(),
            prop::sample::select(vec![ClusterTier::Admin, ClusterTier::Baseline]),
            0u32..=1000,
            subject,
            vec(rule(kind, false), 0..3),
            vec(rule(kind, true), 0..3),
        )
    })
    .prop_map(
        |(kind, name, tier, priority, subject, ingress, egress)| ClusterPolicy {
            kind,
            metadata: ObjectMeta::named(
                if kind == ClusterPolicyKind::BaselineAdminNetworkPolicy {
                    "default".to_owned()
                } else {
                    name
                },
                None,
            ),
            spec: ClusterPolicySpec {
                tier: (kind == ClusterPolicyKind::ClusterNetworkPolicy).then_some(tier),
                priority: (kind != ClusterPolicyKind::BaselineAdminNetworkPolicy)
                    .then_some(priority),
                subject,
                ingress: ingress
                    .into_iter()
                    .map(
                        |(name, action, from, protocols, ports)| ClusterIngressRule {
                            name,
                            action,
                            from,
                            protocols,
                            ports,
                            extra: Extra::new(),
                        },
                    )
                    .collect(),
                egress: egress
                    .into_iter()
                    .map(|(name, action, to, protocols, ports)| ClusterEgressRule {
                        name,
                        action,
                        to,
                        protocols,
                        ports,
                        extra: Extra::new(),
                    })
                    .collect(),
                extra: Extra::new(),
            },
        },
    )
}

fn reimport(resources: &[Resource], flavour: ApiFlavour) -> Result<Vec<Resource>, TestCaseError> {
    let text = yaml::export(
        resources,
        &ExportOptions {
            flavour,
            comments: true,
        },
    );
    let result = yaml::import("roundtrip.yaml", &text);
    let problems: Vec<String> = result.diagnostics.iter().map(|d| d.render()).collect();
    prop_assert!(
        problems.is_empty(),
        "{}\n--- exported ---\n{text}",
        problems.join("\n")
    );
    Ok(result.resources.into_iter().map(|r| r.resource).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn export_then_import_is_lossless(policies in vec(cluster_policy(), 1..3)) {
        let resources: Vec<Resource> = policies.into_iter().map(Resource::ClusterPolicy).collect();
        prop_assert_eq!(&reimport(&resources, ApiFlavour::V3)?, &resources);
        prop_assert_eq!(&reimport(&resources, ApiFlavour::CrdV1)?, &resources);
    }

    #[test]
    fn a_design_keeps_its_cluster_policies(policies in vec(cluster_policy(), 1..3)) {
        let mut d = design::baseline();
        d.cluster_policies = policies;
        let back = design::load(&design::save(&d));
        prop_assert_eq!(back.as_ref().map(|b| &b.cluster_policies), Ok(&d.cluster_policies));
        let json = design::load(&design::save_json(&d));
        prop_assert_eq!(json.as_ref().map(|b| &b.cluster_policies), Ok(&d.cluster_policies));
        prop_assert_eq!(&design::to_resources(&d).cluster_policies, &d.cluster_policies);
    }
}

#[test]
fn unknown_fields_are_kept_and_warned_about() {
    let text = "apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: x}
spec:
  tier: Admin
  priority: 1
  subject: {namespaces: {}}
  futureField: 3
  ingress:
  - action: Deny
    from: [{namespaces: {}}]
    futureRuleField: yes
";
    let r = yaml::import("x.yaml", text);
    let warnings: Vec<String> = r
        .diagnostics
        .iter()
        .map(|d| format!("{}:{} {}", d.line, d.column, d.message))
        .collect();
    assert_eq!(
        warnings,
        [
            "8:3 unknown field `spec.futureField`: kept as written",
            "12:5 unknown field `spec.ingress[0].futureRuleField`: kept as written"
        ]
    );
    let again = yaml::import(
        "y.yaml",
        &yaml::export(&r.resource_set(), &ExportOptions::default()),
    );
    assert_eq!(again.resource_set(), r.resource_set());
}
