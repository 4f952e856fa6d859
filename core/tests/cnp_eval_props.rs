//! Property test: with random ClusterNetworkPolicies (Calico 3.32) or AdminNetworkPolicies and a
//! BaselineAdminNetworkPolicy (Calico 3.31) added to random estates, the compiled evaluator agrees
//! with the reference evaluator on every flow, and with the explanation it gives.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::eval::reference::{RefDecided, Reference};
use netpol_core::eval::synthetic::{EstateConfig, Rng, estate, flow_endpoints, random_flows};
use netpol_core::eval::{Direction, Evaluator, Flow, Verdict};
use netpol_core::model::{CalicoVersion, ClusterPolicy, ResourceSet};
use proptest::prelude::*;
use serde_json::{Value, json};

fn selector(rng: &mut Rng) -> Value {
    match rng.below(5) {
        0 => json!({}),
        1 => json!({"matchLabels": {"env": "prod"}}),
        2 => json!({"matchLabels": {"team": format!("team-{}", rng.below(4))}}),
        3 => json!({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]}),
        _ => {
            json!({"matchLabels": {"kubernetes.io/metadata.name": format!("ns-{}", rng.below(4))}})
        }
    }
}

fn pod_selector(rng: &mut Rng) -> Value {
    match rng.below(4) {
        0 => json!({}),
        1 => json!({"matchLabels": {"app": format!("app-{}", rng.below(5))}}),
        2 => json!({"matchLabels": {"role": *rng.pick(&["frontend", "backend", "db", "cache"])}}),
        _ => json!({"matchExpressions": [{"key": "canary", "operator": "Exists"}]}),
    }
}

fn pods(rng: &mut Rng, v1alpha1: bool) -> Value {
    if v1alpha1 || rng.chance(60) {
        json!({"namespaceSelector": selector(rng), "podSelector": pod_selector(rng)})
    } else {
        json!({"podSelector": pod_selector(rng)})
    }
}

fn peer(rng: &mut Rng, egress: bool, v1alpha1: bool) -> Value {
    let kinds = if egress { 6 } else { 2 };
    match rng.below(kinds) {
        0 => json!({"namespaces": selector(rng)}),
        1 => json!({"pods": pods(rng, v1alpha1)}),
        2 => {
            let nets = *rng.pick(&[
                &["10.1.0.0/16"][..],
                &["0.0.0.0/0"],
                &["1.1.1.0/24", "198.51.100.0/24"],
                &["10.0.0.0/8", "fd00::/8"],
            ]);
            json!({"networks": nets})
        }
        3 => json!({"networks": ["203.0.113.0/24"]}),
        4 => json!({"nodes": {"matchLabels": {"role": "infra"}}}),
        _ => json!({"namespaces": {}}),
    }
}

/// CNP `protocols` or v1alpha1 `ports`, sometimes absent; named ports only beside selector peers.
fn ports(rng: &mut Rng, v1alpha1: bool, named_ok: bool) -> Option<Value> {
    let count = rng.below(3);
    if count == 0 {
        return None;
    }
    let mut list = Vec::new();
    for _ in 0..count {
        let entry = match (rng.below(if named_ok { 4 } else { 3 }), v1alpha1) {
            (0, false) => {
                json!({"tcp": {"destinationPort": {"number": *rng.pick(&[80u16, 8080, 5432])}}})
            }
            (1, false) => json!({"udp": {"destinationPort": {"number": 53}}}),
            (2, false) => {
                json!({"tcp": {"destinationPort": {"range": {"start": 5000, "end": 9090}}}})
            }
            (_, false) => json!({"destinationNamedPort": *rng.pick(&["http", "dns", "metrics"])}),
            (0, true) => json!({"portNumber": {"port": *rng.pick(&[80u16, 8080, 5432])}}),
            (1, true) => json!({"portNumber": {"protocol": "UDP", "port": 53}}),
            (2, true) => json!({"portRange": {"protocol": "TCP", "start": 5000, "end": 9090}}),
            (_, true) => json!({"namedPort": *rng.pick(&["http", "dns"])}),
        };
        list.push(entry);
    }
    Some(Value::Array(list))
}

fn rules(rng: &mut Rng, egress: bool, kind: &str) -> Vec<Value> {
    let v1alpha1 = kind != "ClusterNetworkPolicy";
    let actions: &[&str] = match kind {
        "ClusterNetworkPolicy" => &["Accept", "Deny", "Pass"],
        "AdminNetworkPolicy" => &["Allow", "Deny", "Pass"],
        _ => &["Allow", "Deny"],
    };
    (0..rng.below(4))
        .map(|i| {
            let peers: Vec<Value> = (0..1 + rng.below(2))
                .map(|_| peer(rng, egress, v1alpha1))
                .collect();
            let named_ok = peers
                .iter()
                .all(|p| p.get("networks").is_none() && p.get("nodes").is_none());
            let mut rule = json!({"name": format!("rule-{i}"), "action": *rng.pick(actions)});
            rule[if egress { "to" } else { "from" }] = Value::Array(peers);
            if let Some(ports) = ports(rng, v1alpha1, named_ok) {
                rule[if v1alpha1 { "ports" } else { "protocols" }] = ports;
            }
            rule
        })
        .collect()
}

fn cluster_policy(rng: &mut Rng, kind: &str, index: usize) -> ClusterPolicy {
    let v1alpha1 = kind != "ClusterNetworkPolicy";
    let subject = if rng.chance(50) {
        json!({"namespaces": selector(rng)})
    } else {
        json!({"pods": pods(rng, v1alpha1)})
    };
    let mut spec = json!({
        "subject": subject,
        "ingress": rules(rng, false, kind),
        "egress": rules(rng, true, kind),
    });
    if kind != "BaselineAdminNetworkPolicy" {
        // Few priorities, so that ties (broken by name) happen.
        spec["priority"] = json!(rng.below(4) * 10);
    }
    if kind == "ClusterNetworkPolicy" {
        spec["tier"] = json!(*rng.pick(&["Admin", "Admin", "Baseline"]));
    }
    let name = if kind == "BaselineAdminNetworkPolicy" {
        "default".to_owned()
    } else {
        format!("cp-{index}")
    };
    let value = json!({"kind": kind, "metadata": {"name": name}, "spec": spec});
    serde_json::from_value(value).expect("a valid cluster policy")
}

fn with_cluster_policies(seed: u64, calico_policies: usize, cluster: usize) -> ResourceSet {
    let mut rs = estate(&EstateConfig {
        seed,
        namespaces: 4,
        workloads: 30,
        policies: calico_policies,
        apps: 5,
        staged_percent: 10,
    });
    let mut rng = Rng::new(seed ^ 0x5eed);
    let v31 = rng.chance(35);
    for i in 0..cluster {
        let kind = if !v31 {
            "ClusterNetworkPolicy"
        } else if i == 0 {
            "BaselineAdminNetworkPolicy"
        } else {
            "AdminNetworkPolicy"
        };
        rs.cluster_policies.push(cluster_policy(&mut rng, kind, i));
    }
    // Either version also holds the other generation's kinds, which it must ignore.
    rs.cluster_policies.push(cluster_policy(
        &mut rng,
        if v31 {
            "ClusterNetworkPolicy"
        } else {
            "AdminNetworkPolicy"
        },
        cluster,
    ));
    rs.calico_version = Some(if v31 {
        CalicoVersion::V3_31
    } else {
        CalicoVersion::V3_32
    });
    rs
}

fn agree(ev: &Evaluator, reference: &Reference, flow: &Flow) -> Result<(), TestCaseError> {
    let v = ev.evaluate(flow);
    // The reference walks concrete ends: where every possible pod IP of an IP-less end agrees on an
    // answer the pod range as a whole does not give, `evaluate` answers for one of those IPs.
    let walked = ev.decisive_flow(flow);
    let (src, dst) = (
        ev.endpoint(walked.src).expect("src"),
        ev.endpoint(walked.dst).expect("dst"),
    );
    let r = reference.evaluate(src, dst, flow.protocol, flow.port);
    prop_assert_eq!(v.enforced.verdict, r.verdict, "{:?}", flow);
    prop_assert_eq!(ev.allows(flow), r.verdict == Verdict::Allow);
    prop_assert_eq!(
        RefDecided::of_compiled(ev, &v.enforced.egress.decided_by),
        r.egress.1,
        "egress {:?}",
        flow
    );
    prop_assert_eq!(
        RefDecided::of_compiled(ev, &v.enforced.ingress.decided_by),
        r.ingress.1,
        "ingress {:?}",
        flow
    );
    let explained = ev.explain(flow);
    prop_assert_eq!(explained.verdict, v.enforced.verdict);
    prop_assert_eq!(
        &explained.egress.decided_by,
        &ev.side_decided_by_json(&v.enforced.egress.decided_by, Direction::Egress)
    );
    prop_assert_eq!(
        &explained.ingress.decided_by,
        &ev.side_decided_by_json(&v.enforced.ingress.decided_by, Direction::Ingress)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn compiled_agrees_with_reference_with_cluster_policies(
        seed in any::<u64>(),
        calico_policies in 0usize..20,
        cluster in 1usize..8,
    ) {
        let rs = with_cluster_policies(seed, calico_policies, cluster);
        let (mut ev, errors) = Evaluator::build(&rs);
        prop_assert!(errors.is_empty(), "{:?}", errors);
        let endpoints = flow_endpoints(&mut ev);
        let reference = Reference::new(&rs);
        let mut rng = Rng::new(seed.wrapping_add(11));
        for flow in random_flows(&mut rng, &endpoints, 150) {
            agree(&ev, &reference, &flow)?;
        }
    }
}

/// A rule that decides names its source rule in `decided_by`, and only cluster policies' rules do.
#[test]
fn deciding_cluster_rules_carry_their_names() {
    let mut named = 0;
    for seed in 0..40u64 {
        let rs = with_cluster_policies(seed, 5, 6);
        let (mut ev, _) = Evaluator::build(&rs);
        let endpoints = flow_endpoints(&mut ev);
        let mut rng = Rng::new(seed);
        for flow in random_flows(&mut rng, &endpoints, 60) {
            let v = ev.evaluate(&flow);
            let json = ev.side_decided_by_json(&v.enforced.ingress.decided_by, Direction::Ingress);
            let is_cluster = json["policy"].as_str().is_some_and(|p| {
                p.starts_with("kcnp:") || p.starts_with("kanp.") || p.starts_with("kbanp.")
            });
            if is_cluster && json["action"] != "Deny" {
                assert!(
                    json["rule_name"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("rule-")),
                    "{json}"
                );
                named += 1;
            }
            if !is_cluster {
                assert!(json.get("rule_name").is_none(), "{json}");
            }
        }
    }
    assert!(named > 0, "some flows are decided by a cluster policy rule");
}
