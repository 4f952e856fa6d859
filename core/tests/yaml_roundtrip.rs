//! Import → export → import is lossless for every supported field (property test), in both API flavours.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::BTreeMap;

use netpol_core::model::*;
use netpol_core::yaml::{self, ExportOptions};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    "[a-z]([a-z0-9-]{0,11}[a-z0-9])?"
}

/// Label values and other free text, including what YAML likes to misread.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9._-]{0,12}",
        Just(String::new()),
        prop::sample::select(vec![
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "true",
            "False",
            "null",
            "~",
            "1",
            "0x1F",
            "1e3",
            "-1",
            ".inf",
            "1.0",
            "a: b",
            "a #b",
            "#c",
            "- x",
            "'q'",
            "\"dq\"",
            " lead",
            "trail ",
            "x\ny",
            "tab\there",
            "{a}",
            "[b]",
            "*ref",
            "&anchor",
            "!tag",
            "%dir",
            "@at",
            "`tick`",
            "é ü",
            "---",
            "...",
            ":",
            "?",
            "|",
            ">",
        ])
        .prop_map(str::to_owned),
    ]
}

fn labels() -> impl Strategy<Value = Labels> {
    btree_map(
        prop::sample::select(vec![
            "app",
            "env",
            "security.company.io/zone",
            "k8s-app",
            "tier",
        ])
        .prop_map(str::to_owned),
        text(),
        0..3,
    )
}

fn selector() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "all()",
        "",
        "app == 'web'",
        "app == \"web\" && env != 'prod'",
        "has(security.company.io/zone)",
        "!has(x)",
        "env in {'a', 'b'}",
        "k not in {}",
        "(a == 'x' || b == 'y') && c starts with 'z'",
        "name contains ': #'",
    ])
    .prop_map(str::to_owned)
}

fn cidr() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "10.0.0.0/8",
        "192.168.1.7",
        "203.0.113.0/24",
        "fd00::/8",
        "0.0.0.0/0",
        "::1",
    ])
    .prop_map(str::to_owned)
}

fn protocol() -> impl Strategy<Value = Protocol> {
    prop_oneof![
        prop::sample::select(vec![
            Protocol::Tcp,
            Protocol::Udp,
            Protocol::Icmp,
            Protocol::IcmpV6,
            Protocol::Sctp,
            Protocol::UdpLite
        ]),
        (1u8..=255).prop_map(Protocol::Number),
    ]
}

fn port() -> impl Strategy<Value = Port> {
    prop_oneof![
        any::<u16>().prop_map(Port::Number),
        // `lo:lo` reads back as the number `lo` (Port's one form of a single port): no such range.
        (any::<u16>(), any::<u16>()).prop_map(|(a, b)| match a.cmp(&b) {
            std::cmp::Ordering::Equal => Port::Number(a),
            _ => Port::Range(a.min(b), a.max(b)),
        }),
        "[a-z][a-z0-9-]{0,10}".prop_map(Port::Named),
    ]
}

/// Unknown fields: kept in `extra` and written back.
fn extra() -> impl Strategy<Value = Extra> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
        text().prop_map(serde_json::Value::from),
        (-1e9f64..1e9).prop_map(serde_json::Value::from),
    ];
    let value = leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(serde_json::Value::from),
            btree_map("[a-z]{1,5}", inner, 0..3)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect()))
        ]
    });
    btree_map("x[A-Z][a-z]{0,6}", value, 0..2)
}

fn entity() -> impl Strategy<Value = EntityRule> {
    (
        vec(cidr(), 0..2),
        vec(cidr(), 0..2),
        option::of(selector()),
        option::of(selector()),
        option::of(prop_oneof![selector(), Just("global()".to_owned())]),
        option::of(
            (vec(name(), 0..2), option::of(selector()))
                .prop_map(|(names, selector)| ServiceAccountMatch { names, selector }),
        ),
        vec(port(), 0..3),
        vec(port(), 0..2),
        vec("[a-z]{1,8}\\.example\\.com", 0..2),
        option::of(
            (name(), option::of(name()))
                .prop_map(|(name, namespace)| ServiceMatch { name, namespace }),
        ),
        extra(),
    )
        .prop_map(
            |(
                nets,
                not_nets,
                selector,
                not_selector,
                namespace_selector,
                service_accounts,
                ports,
                not_ports,
                domains,
                services,
                extra,
            )| EntityRule {
                nets,
                not_nets,
                selector,
                not_selector,
                namespace_selector,
                service_accounts,
                ports,
                not_ports,
                domains,
                services,
                extra,
            },
        )
}

fn icmp() -> impl Strategy<Value = IcmpFields> {
    (option::of(any::<u8>()), option::of(any::<u8>()))
        .prop_map(|(icmp_type, code)| IcmpFields { icmp_type, code })
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        prop::sample::select(vec![Action::Allow, Action::Deny, Action::Log, Action::Pass]),
        option::of(protocol()),
        option::of(protocol()),
        option::of(prop::sample::select(vec![4u8, 6])),
        (option::of(icmp()), option::of(icmp())),
        entity(),
        entity(),
        option::of(Just(
            serde_json::json!({"methods": ["GET"], "paths": [{"exact": "/"}]}),
        )),
        option::of(
            btree_map("[a-z]{1,6}", text(), 0..2)
                .prop_map(|annotations| RuleMetadata { annotations }),
        ),
        extra(),
    )
        .prop_map(
            |(
                action,
                protocol,
                not_protocol,
                ip_version,
                (icmp, not_icmp),
                source,
                destination,
                http,
                metadata,
                extra,
            )| Rule {
                action,
                protocol,
                not_protocol,
                ip_version,
                icmp,
                not_icmp,
                source,
                destination,
                http,
                metadata,
                extra,
            },
        )
}

fn meta(namespaced: bool) -> impl Strategy<Value = ObjectMeta> {
    (
        name(),
        name(),
        labels(),
        btree_map("[a-z.]{1,10}/[a-z]{1,5}", text(), 0..2),
        extra(),
    )
        .prop_map(move |(name, ns, labels, annotations, extra)| ObjectMeta {
            name,
            namespace: namespaced.then_some(ns),
            labels,
            annotations,
            extra,
        })
}

fn calico_policy() -> impl Strategy<Value = CalicoPolicy> {
    let kind = prop::sample::select(vec![
        CalicoPolicyKind::NetworkPolicy,
        CalicoPolicyKind::GlobalNetworkPolicy,
        CalicoPolicyKind::StagedNetworkPolicy,
        CalicoPolicyKind::StagedGlobalNetworkPolicy,
    ]);
    kind.prop_flat_map(|kind| {
        let global = !kind.is_namespaced();
        (
            meta(kind.is_namespaced()),
            option::of(prop_oneof![Just("default".to_owned()), name()]),
            option::of(prop_oneof![
                (0u32..100_000).prop_map(f64::from),
                (0.0f64..1e6)
            ]),
            option::of(selector()),
            option::of(selector()),
            option::of(selector()),
            vec(
                prop::sample::select(vec![PolicyType::Ingress, PolicyType::Egress]),
                0..3,
            ),
            vec(rule(), 0..3),
            vec(rule(), 0..3),
            (
                option::of(any::<bool>()),
                option::of(any::<bool>()),
                option::of(any::<bool>()),
            ),
            option::of(prop::sample::select(vec![
                StagedAction::Set,
                StagedAction::Delete,
                StagedAction::Learn,
                StagedAction::Ignore,
            ])),
            extra(),
        )
            .prop_map(
                move |(
                    metadata,
                    tier,
                    order,
                    sel,
                    ns_sel,
                    sa_sel,
                    types,
                    ingress,
                    egress,
                    (dnt, pre, fwd),
                    staged,
                    extra,
                )| CalicoPolicy {
                    kind,
                    metadata,
                    spec: PolicySpec {
                        tier,
                        order,
                        selector: sel,
                        namespace_selector: if global { ns_sel } else { None },
                        service_account_selector: sa_sel,
                        types,
                        ingress,
                        egress,
                        do_not_track: if global { dnt } else { None },
                        pre_dnat: if global { pre } else { None },
                        apply_on_forward: if global { fwd } else { None },
                        staged_action: if kind.is_staged() { staged } else { None },
                        extra,
                    },
                },
            )
    })
}

fn label_selector() -> impl Strategy<Value = LabelSelector> {
    let requirement = (
        "[a-z]{1,5}",
        prop::sample::select(vec![
            LabelSelectorOperator::In,
            LabelSelectorOperator::NotIn,
            LabelSelectorOperator::Exists,
            LabelSelectorOperator::DoesNotExist,
        ]),
        vec(text(), 0..3),
    )
        .prop_map(|(key, operator, values)| LabelSelectorRequirement {
            key,
            operator,
            values,
        });
    (labels(), vec(requirement, 0..2), extra()).prop_map(
        |(match_labels, match_expressions, extra)| LabelSelector {
            match_labels,
            match_expressions,
            extra,
        },
    )
}

fn peer() -> impl Strategy<Value = KubernetesPeer> {
    let block = (
        cidr().prop_filter("ipBlock needs a CIDR", |c| c.contains('/')),
        vec(cidr(), 0..2),
        extra(),
    )
        .prop_map(|(cidr, except, extra)| IpBlock {
            cidr,
            except,
            extra,
        });
    (
        option::of(label_selector()),
        option::of(label_selector()),
        option::of(block),
        extra(),
    )
        .prop_map(
            |(pod_selector, namespace_selector, ip_block, extra)| KubernetesPeer {
                pod_selector,
                namespace_selector,
                ip_block,
                extra,
            },
        )
}

fn kport() -> impl Strategy<Value = KubernetesPort> {
    (
        option::of(protocol()),
        option::of(port()),
        option::of(any::<u16>()),
        extra(),
    )
        .prop_map(|(protocol, port, end_port, extra)| KubernetesPort {
            protocol,
            port,
            end_port,
            extra,
        })
}

fn kubernetes_policy() -> impl Strategy<Value = KubernetesPolicy> {
    let ingress = (vec(peer(), 0..2), vec(kport(), 0..2), extra())
        .prop_map(|(from, ports, extra)| KubernetesIngressRule { from, ports, extra });
    let egress = (vec(peer(), 0..2), vec(kport(), 0..2), extra())
        .prop_map(|(to, ports, extra)| KubernetesEgressRule { to, ports, extra });
    (
        meta(true),
        label_selector(),
        vec(
            prop::sample::select(vec![PolicyType::Ingress, PolicyType::Egress]),
            0..3,
        ),
        vec(ingress, 0..2),
        vec(egress, 0..2),
        any::<bool>(),
        option::of(Just(StagedAction::Set)),
        extra(),
    )
        .prop_map(
            |(
                metadata,
                pod_selector,
                policy_types,
                ingress,
                egress,
                staged,
                staged_action,
                extra,
            )| KubernetesPolicy {
                metadata,
                spec: KubernetesPolicySpec {
                    pod_selector,
                    policy_types,
                    ingress,
                    egress,
                    staged_action: if staged { staged_action } else { None },
                    extra,
                },
                staged,
            },
        )
}

fn workload() -> impl Strategy<Value = Workload> {
    let kind = prop::sample::select(vec![
        WorkloadKind::Pod,
        WorkloadKind::Deployment,
        WorkloadKind::StatefulSet,
        WorkloadKind::DaemonSet,
        WorkloadKind::ReplicaSet,
        WorkloadKind::Job,
        WorkloadKind::CronJob,
    ]);
    let container_port = (
        option::of(name()),
        any::<u16>(),
        prop::sample::select(vec![Protocol::Tcp, Protocol::Udp, Protocol::Sctp]),
    )
        .prop_map(|(name, port, protocol)| ContainerPort {
            name,
            port,
            protocol,
        });
    (
        kind,
        name(),
        name(),
        labels(),
        btree_map("[a-z]{1,5}", text(), 0..2),
        option::of(name()),
        option::of(cidr()),
        vec(container_port, 0..3),
    )
        .prop_map(
            |(kind, n, ns, labels, annotations, service_account, ip, ports)| Workload {
                kind,
                metadata: ObjectMeta {
                    labels,
                    annotations,
                    ..ObjectMeta::named(n, Some(&ns))
                },
                service_account,
                ip: if kind == WorkloadKind::Pod { ip } else { None },
                ports,
            },
        )
}

fn resource() -> impl Strategy<Value = Resource> {
    any_resource().prop_map(accepted_by_the_api_server)
}

/// The resource made into one the Kubernetes API server and Calico's validator accept (the import
/// rejects the others: `yaml/parity.rs`), changing as little as possible so the round trip still
/// sees every field.
fn accepted_by_the_api_server(resource: Resource) -> Resource {
    match resource {
        Resource::CalicoPolicy(mut p) => {
            let global = !p.kind.is_namespaced();
            let spec = &mut p.spec;
            let mut seen = Vec::new();
            spec.types.retain(|t| {
                let new = !seen.contains(t);
                seen.push(*t);
                new
            });
            if spec.pre_dnat == Some(true) {
                spec.do_not_track = spec.do_not_track.map(|_| false);
                spec.egress.clear();
                spec.types.retain(|t| *t != PolicyType::Egress);
            }
            if spec.pre_dnat == Some(true) || spec.do_not_track == Some(true) {
                spec.apply_on_forward = Some(true);
            }
            for rule in &mut spec.ingress {
                valid_rule(rule, true, global);
            }
            for rule in &mut spec.egress {
                valid_rule(rule, false, global);
            }
            Resource::CalicoPolicy(p)
        }
        Resource::KubernetesPolicy(mut p) => {
            let spec = &mut p.spec;
            spec.policy_types.truncate(2);
            valid_label_selector(&mut spec.pod_selector);
            for rule in &mut spec.ingress {
                rule.from.iter_mut().for_each(valid_peer);
                rule.ports.iter_mut().for_each(valid_kport);
            }
            for rule in &mut spec.egress {
                rule.to.iter_mut().for_each(valid_peer);
                rule.ports.iter_mut().for_each(valid_kport);
            }
            Resource::KubernetesPolicy(p)
        }
        other => other,
    }
}

fn valid_rule(rule: &mut Rule, ingress: bool, global: bool) {
    let carries_ports = |p: Option<Protocol>| p.is_some_and(|p| p.has_ports());
    let any_port = [&rule.source, &rule.destination]
        .iter()
        .any(|e| !e.ports.is_empty() || !e.not_ports.is_empty());
    if rule.http.is_some() {
        if ingress {
            rule.action = Action::Allow;
            rule.protocol = rule.protocol.map(|_| Protocol::Tcp);
        } else {
            rule.http = None;
        }
    }
    if any_port && !carries_ports(rule.protocol) {
        rule.protocol = Some(Protocol::Tcp);
    }
    if !matches!(rule.protocol.map(Protocol::number), Some(1 | 58)) {
        rule.icmp = None;
    }
    for icmp in [&mut rule.icmp, &mut rule.not_icmp].into_iter().flatten() {
        icmp.icmp_type = icmp.icmp_type.map(|t| t.min(254));
        if icmp.code.is_some() && icmp.icmp_type.is_none() {
            icmp.icmp_type = Some(0);
        }
    }
    let wants = |p: Option<Protocol>| match p.map(Protocol::number) {
        Some(1) => Some(4),
        Some(58) => Some(6),
        _ => None,
    };
    let family = |net: &str| if net.contains(':') { 6 } else { 4 };
    let first = [&rule.source, &rule.destination]
        .iter()
        .flat_map(|e| e.nets.iter().chain(&e.not_nets))
        .map(|n| family(n))
        .next();
    for e in [&mut rule.source, &mut rule.destination] {
        let keep = |n: &String| Some(family(n)) == first;
        e.nets.retain(keep);
        e.not_nets.retain(|n| keep(n) && !n.ends_with("/0"));
        for port in e.ports.iter_mut().chain(e.not_ports.iter_mut()) {
            *port = match port.clone() {
                Port::Number(0) => Port::Number(1),
                Port::Range(0, 1) => Port::Number(1),
                Port::Range(0, hi) => Port::Range(1, hi),
                other => other,
            };
        }
    }
    for v in [wants(rule.protocol), wants(rule.not_protocol), first] {
        if v.is_some_and(|v| rule.ip_version.is_some_and(|have| have != v)) {
            rule.ip_version = None;
        }
    }
    for (is_source, e) in [(true, &mut rule.source), (false, &mut rule.destination)] {
        let wrong_side = ingress != is_source;
        let unnamespaced = global && e.services.as_ref().is_some_and(|s| s.namespace.is_none());
        if wrong_side || unnamespaced {
            e.services = None;
        }
        if e.services.is_some() {
            e.ports.clear();
            e.not_ports.clear();
            e.selector = None;
            e.not_selector = None;
            e.namespace_selector = None;
            e.nets.clear();
            e.not_nets.clear();
            e.service_accounts = None;
        }
    }
}

fn valid_label_selector(sel: &mut LabelSelector) {
    use netpol_core::model::vocabulary::names::label_value;
    sel.match_labels.retain(|_, v| label_value(v).is_ok());
    for req in &mut sel.match_expressions {
        req.values.retain(|v| label_value(v).is_ok());
        match req.operator {
            LabelSelectorOperator::In | LabelSelectorOperator::NotIn if req.values.is_empty() => {
                req.values.push("x".to_owned())
            }
            LabelSelectorOperator::Exists | LabelSelectorOperator::DoesNotExist => {
                req.values.clear()
            }
            _ => {}
        }
    }
}

fn valid_peer(peer: &mut KubernetesPeer) {
    if let Some(block) = &mut peer.ip_block {
        let cidr: ipnet::IpNet = block.cidr.parse().unwrap();
        block.except.retain(|e| {
            e.parse::<ipnet::IpNet>()
                .is_ok_and(|e| cidr.contains(&e.network()) && cidr.prefix_len() < e.prefix_len())
        });
        peer.pod_selector = None;
        peer.namespace_selector = None;
    } else if peer.pod_selector.is_none() && peer.namespace_selector.is_none() {
        peer.pod_selector = Some(LabelSelector::default());
    }
    for sel in [&mut peer.pod_selector, &mut peer.namespace_selector]
        .into_iter()
        .flatten()
    {
        valid_label_selector(sel);
    }
}

fn valid_kport(port: &mut KubernetesPort) {
    // Kubernetes writes protocols by name, and only these three.
    port.protocol = port.protocol.map(|p| match p.number() {
        6 => Protocol::Tcp,
        132 => Protocol::Sctp,
        _ => Protocol::Udp,
    });
    port.port = match port.port.take() {
        Some(Port::Number(0)) => Some(Port::Number(1)),
        Some(Port::Range(lo, _)) => Some(Port::Number(lo.max(1))),
        Some(Port::Named(n)) if n.contains("--") || n.ends_with('-') || n.len() > 15 => {
            Some(Port::Named("http".to_owned()))
        }
        other => other,
    };
    match (&port.port, port.end_port) {
        (Some(Port::Number(p)), Some(end)) => port.end_port = Some(end.max(*p)),
        (_, Some(_)) => port.end_port = None,
        _ => {}
    }
}

fn any_resource() -> impl Strategy<Value = Resource> {
    prop_oneof![
        4 => calico_policy().prop_map(Resource::CalicoPolicy),
        2 => kubernetes_policy().prop_map(Resource::KubernetesPolicy),
        1 => (meta(false), option::of((0u32..1000).prop_map(f64::from)), option::of(prop::sample::select(vec![TierDefaultAction::Deny, TierDefaultAction::Pass])), extra())
            .prop_map(|(metadata, order, default_action, extra)| Resource::Tier(Tier { metadata, spec: TierSpec { order, default_action, extra } })),
        1 => (any::<bool>().prop_flat_map(meta), vec(cidr(), 0..3), vec("[a-z]{1,6}\\.com", 0..2), extra())
            .prop_map(|(metadata, nets, allowed_egress_domains, extra)| Resource::NetworkSet(NetworkSet { metadata, spec: NetworkSetSpec { nets, allowed_egress_domains, extra } })),
        1 => meta(false).prop_map(|metadata| Resource::Namespace(Namespace { metadata })),
        1 => workload().prop_map(Resource::Workload),
    ]
}

/// What the crd v1 flavour writes on purpose: the tier and the defaulted `types`, so it re-reads that way.
fn as_crd_v1_reads(resource: &Resource) -> Resource {
    match resource {
        Resource::CalicoPolicy(p) => {
            let mut p = p.clone();
            p.spec.types = p.spec.effective_types();
            p.spec.tier = Some(p.tier().to_owned());
            Resource::CalicoPolicy(p)
        }
        other => other.clone(),
    }
}

fn reimport(
    resources: &[Resource],
    options: &ExportOptions,
) -> Result<Vec<Resource>, TestCaseError> {
    let text = yaml::export(resources, options);
    let result = yaml::import("roundtrip.yaml", &text);
    let errors: Vec<String> = result
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.render())
        .collect();
    prop_assert!(
        errors.is_empty(),
        "{}\n--- exported ---\n{text}",
        errors.join("\n")
    );
    Ok(result.resources.into_iter().map(|r| r.resource).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn v3_export_then_import_is_lossless(resources in vec(resource(), 1..4)) {
        let back = reimport(&resources, &ExportOptions::default())?;
        prop_assert_eq!(back, resources);
    }

    #[test]
    fn crd_v1_export_then_import_is_lossless(resources in vec(resource(), 1..4)) {
        let options = ExportOptions { flavour: ApiFlavour::CrdV1, comments: true };
        let back = reimport(&resources, &options)?;
        let expected: Vec<Resource> = resources.iter().map(as_crd_v1_reads).collect();
        prop_assert_eq!(back, expected);
    }

    #[test]
    fn export_is_deterministic(resources in vec(resource(), 1..3)) {
        let options = ExportOptions::default();
        prop_assert_eq!(yaml::export(&resources, &options), yaml::export(&resources.clone(), &options));
    }
}

#[test]
fn json_values_keep_their_types() {
    let mut extra = BTreeMap::new();
    extra.insert("xFloat".to_owned(), serde_json::json!(1.0));
    extra.insert("xBig".to_owned(), serde_json::json!(u64::MAX));
    let set = Resource::Namespace(Namespace {
        metadata: ObjectMeta {
            extra,
            ..ObjectMeta::named("n", None)
        },
    });
    let back = yaml::import(
        "n.yaml",
        &yaml::export(&[set.clone()][..], &ExportOptions::default()),
    );
    assert_eq!(back.resources.first().map(|r| &r.resource), Some(&set));
}
