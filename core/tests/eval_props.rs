//! Property tests: the compiled evaluator agrees with the reference evaluator on random estates and
//! flows, and incremental policy edits give the same verdicts as a full recompile.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::eval::reference::{RefDecided, Reference};
use netpol_core::eval::synthetic::{
    EstateConfig, Rng, Vocab, estate, flow_endpoints, random_flows, random_policy,
};
use netpol_core::eval::{Evaluator, Flow};
use netpol_core::model::ResourceSet;
use proptest::prelude::*;

fn small(seed: u64, policies: usize) -> EstateConfig {
    EstateConfig {
        seed,
        namespaces: 4,
        workloads: 30,
        policies,
        apps: 5,
        staged_percent: 15,
    }
}

/// The estate with a third of its workloads stripped of their IP (designed workloads, aggregated
/// flow-log rows) and one of several pod ranges: Calico's default pool, pools inside or across the
/// CIDRs the random rules name, a pool inside a network set, a disabled pool, an IPv6 pool.
fn with_pod_range(mut rs: ResourceSet, seed: u64) -> ResourceSet {
    use netpol_core::model::IpPool;
    let pools: &[(&str, bool)] = match seed % 6 {
        0 => &[],
        1 => &[("10.1.0.0/16", false)],
        2 => &[("10.2.0.0/16", false), ("10.1.0.0/16", false)],
        3 => &[("10.0.0.0/8", false)],
        4 => &[("10.3.0.0/16", true), ("1.1.1.0/24", false)],
        _ => &[("fd00:10::/64", false)],
    };
    rs.ip_pools = pools
        .iter()
        .map(|&(cidr, disabled)| {
            let mut pool = IpPool::new(format!("pool-{disabled}-{cidr}"), cidr);
            pool.spec.disabled = disabled;
            pool
        })
        .collect();
    let stripped = (seed / 6 % 3) as usize;
    for (i, w) in rs.workloads.iter_mut().enumerate() {
        if i % 3 == stripped {
            w.ip = None;
        }
    }
    rs
}

/// Compiled and reference agree on verdict, staged verdict and what decided each side.
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
    prop_assert_eq!(
        ev.allows(flow),
        r.verdict == netpol_core::eval::Verdict::Allow
    );
    let explained = ev.explain(flow);
    prop_assert_eq!(
        explained.verdict,
        v.enforced.verdict,
        "explain walks the same way {:?}",
        flow
    );
    prop_assert_eq!(explained.staged, v.staged.map(|s| s.verdict));
    prop_assert_eq!(
        &explained.ingress.decided_by,
        &ev.decided_by_json(&v.enforced.ingress.decided_by)
    );
    prop_assert_eq!(
        &explained.egress.decided_by,
        &ev.decided_by_json(&v.enforced.egress.decided_by)
    );
    prop_assert_eq!(v.staged.map(|s| s.verdict), r.staged, "staged {:?}", flow);
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
    Ok(())
}

/// Same verdicts (and deciding rules, by policy key) from two evaluators over the same endpoints.
fn same(a: &Evaluator, b: &mut Evaluator, flows: &[Flow]) -> Result<(), TestCaseError> {
    for flow in flows {
        let src = b.intern(a.endpoint(flow.src).expect("src"));
        let dst = b.intern(a.endpoint(flow.dst).expect("dst"));
        let other = Flow { src, dst, ..*flow };
        let (va, vb) = (a.evaluate(flow), b.evaluate(&other));
        prop_assert_eq!(va.enforced.verdict, vb.enforced.verdict, "{:?}", flow);
        prop_assert_eq!(va.staged.map(|s| s.verdict), vb.staged.map(|s| s.verdict));
        prop_assert_eq!(
            RefDecided::of_compiled(a, &va.enforced.ingress.decided_by),
            RefDecided::of_compiled(b, &vb.enforced.ingress.decided_by)
        );
        prop_assert_eq!(
            RefDecided::of_compiled(a, &va.enforced.egress.decided_by),
            RefDecided::of_compiled(b, &vb.enforced.egress.decided_by)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn compiled_agrees_with_reference(seed in any::<u64>(), policies in 1usize..40) {
        let rs = with_pod_range(estate(&small(seed, policies)), seed);
        let (mut ev, errors) = Evaluator::build(&rs);
        prop_assert!(errors.is_empty(), "{:?}", errors);
        let endpoints = flow_endpoints(&mut ev);
        let reference = Reference::new(&rs);
        let mut rng = Rng::new(seed.wrapping_add(7));
        for flow in random_flows(&mut rng, &endpoints, 150) {
            agree(&ev, &reference, &flow)?;
        }
    }

    #[test]
    fn policies_only_build_gives_the_same_verdicts_for_endpoints_interned_later(
        seed in any::<u64>(),
        policies in 1usize..40,
    ) {
        // The impact preview compiles policies only and interns the endpoints flow logs name, in the
        // order it meets them: interning order must not change a verdict.
        let rs = with_pod_range(estate(&small(seed, policies)), seed);
        let (mut full, _) = Evaluator::build(&rs);
        let endpoints = flow_endpoints(&mut full);
        let (mut lean, errors) = Evaluator::build_policies(&rs);
        prop_assert!(errors.is_empty(), "{:?}", errors);
        prop_assert_eq!(lean.endpoint_ids().count(), 0);
        let mut rng = Rng::new(seed.wrapping_add(11));
        let mut flows = random_flows(&mut rng, &endpoints, 150);
        flows.reverse();
        same(&full, &mut lean, &flows)?;
    }

    #[test]
    fn incremental_updates_match_a_full_recompile(seed in any::<u64>(), edits in 1usize..12) {
        let rs = with_pod_range(estate(&small(seed, 20)), seed);
        let (mut incremental, _) = Evaluator::build(&rs);
        let mut current: ResourceSet = rs.clone();
        let mut rng = Rng::new(seed ^ 0xABCD);
        let vocab = Vocab { namespaces: 4, apps: 5 };
        for edit in 0..edits {
            match rng.below(3) {
                0 if !current.policies.is_empty() => {
                    let victim = current.policies.remove(rng.below(current.policies.len()));
                    incremental.remove_policy(&netpol_core::eval::PolicyKey::of_calico(&victim));
                }
                1 if !current.kubernetes_policies.is_empty() => {
                    // Replace a Kubernetes policy by a fresh random one under the same name.
                    let i = rng.below(current.kubernetes_policies.len());
                    let (group, json) = random_policy(&mut rng, &vocab, 1000 + edit, false);
                    if group == "kubernetes_policies" {
                        let mut p: netpol_core::model::KubernetesPolicy = serde_json::from_value(json).expect("policy");
                        p.metadata = current.kubernetes_policies[i].metadata.clone();
                        // A staged and an enforced Kubernetes policy of one name are two policies.
                        incremental.remove_policy(&netpol_core::eval::PolicyKey::of_kubernetes(&current.kubernetes_policies[i]));
                        incremental.update_kubernetes_policy(&p).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                        current.kubernetes_policies[i] = p;
                    }
                }
                _ => {
                    let staged = rng.chance(20);
                    let (group, json) = random_policy(&mut rng, &vocab, 2000 + edit, staged);
                    if group == "policies" {
                        let p: netpol_core::model::CalicoPolicy = serde_json::from_value(json).expect("policy");
                        incremental.update_calico_policy(&p).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                        current.policies.push(p);
                    } else {
                        let p: netpol_core::model::KubernetesPolicy = serde_json::from_value(json).expect("policy");
                        incremental.update_kubernetes_policy(&p).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                        current.kubernetes_policies.push(p);
                    }
                }
            }
        }
        let (mut full, _) = Evaluator::build(&current);
        let endpoints = flow_endpoints(&mut incremental);
        let flows = random_flows(&mut rng, &endpoints, 150);
        same(&incremental, &mut full, &flows)?;
        let reference = Reference::new(&current);
        for flow in &flows {
            agree(&incremental, &reference, flow)?;
        }
    }
}

/// Flows at and around every port bound the synthetic rules use, and with protocols no rule names:
/// the compiled evaluator's per-port and per-protocol tables must not shift a boundary.
fn boundary_flows(rng: &mut Rng, endpoints: &[netpol_core::eval::EndpointId]) -> Vec<Flow> {
    use netpol_core::model::Protocol;
    let mut ports: Vec<Option<u16>> = vec![None, Some(0), Some(1), Some(65535)];
    ports.extend((7998..=8201).map(Some));
    ports.extend([52, 53, 54, 5432, 8080, 9090, 50051].map(Some));
    let protocols = [
        Protocol::Tcp,
        Protocol::Udp,
        Protocol::Sctp,
        Protocol::Icmp,
        Protocol::IcmpV6,
        Protocol::UdpLite,
        Protocol::Number(47),
    ];
    ports
        .iter()
        .flat_map(|&port| protocols.map(|protocol| (protocol, port)))
        .map(|(protocol, port)| Flow {
            src: *rng.pick(endpoints),
            dst: *rng.pick(endpoints),
            protocol,
            port,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn port_and_protocol_boundaries_agree_with_reference(seed in any::<u64>(), policies in 5usize..40) {
        let rs = with_pod_range(estate(&small(seed, policies)), seed);
        let (mut ev, _) = Evaluator::build(&rs);
        let endpoints = flow_endpoints(&mut ev);
        let reference = Reference::new(&rs);
        let mut rng = Rng::new(seed ^ 0x5EED);
        for flow in boundary_flows(&mut rng, &endpoints) {
            agree(&ev, &reference, &flow)?;
        }
    }
}

/// An edit that names a protocol no rule named before splits the protocol classes the compiled
/// tables are built for: the incremental evaluator must rebuild them.
#[test]
fn a_policy_naming_a_new_protocol_is_applied_incrementally() {
    use netpol_core::model::{CalicoPolicy, Protocol};
    let rs = estate(&small(3, 15));
    let (mut incremental, _) = Evaluator::build(&rs);
    let gre: CalicoPolicy = serde_json::from_value(serde_json::json!({
        "kind": "GlobalNetworkPolicy",
        "metadata": {"name": "gre-first"},
        "spec": {"tier": "security", "order": 1, "selector": "app == 'app-1'", "types": ["Ingress", "Egress"],
                 "ingress": [{"action": "Deny", "protocol": 47}, {"action": "Allow", "notProtocol": 94}],
                 "egress": [{"action": "Allow", "protocol": 47}, {"action": "Allow", "notProtocol": 94}]}
    }))
    .expect("policy");
    incremental.update_calico_policy(&gre).expect("compiles");
    let mut current = rs.clone();
    current.policies.push(gre);
    let (mut full, _) = Evaluator::build(&current);
    let endpoints = flow_endpoints(&mut incremental);
    let reference = Reference::new(&current);
    let mut rng = Rng::new(11);
    let mut flows = Vec::new();
    for protocol in [
        Protocol::Number(47),
        Protocol::Number(94),
        Protocol::Number(48),
        Protocol::Tcp,
    ] {
        for _ in 0..40 {
            flows.push(Flow {
                src: *rng.pick(&endpoints),
                dst: *rng.pick(&endpoints),
                protocol,
                port: Some(8080),
            });
        }
    }
    // Only some label sets are selected by the new policy: the others keep chains built before it.
    let app1 = |f: &Flow| {
        incremental
            .endpoint(f.dst)
            .and_then(|e| e.as_workload())
            .is_some_and(|w| w.labels.get("app").map(String::as_str) == Some("app-1"))
    };
    assert!(
        flows
            .iter()
            .any(|f| f.protocol == Protocol::Number(47) && app1(f))
    );
    assert!(flows.iter().any(|f| !app1(f)));
    for flow in &flows {
        if flow.protocol == Protocol::Number(47) && app1(flow) {
            assert!(
                !incremental.allows(flow),
                "GRE is denied on ingress: {flow:?}"
            );
        }
        agree(&incremental, &reference, flow).expect("agrees with the reference");
    }
    same(&incremental, &mut full, &flows).expect("same as a full build");
}

/// Many edits leave many forgotten chains behind; the evaluator compacts them and stays right.
#[test]
fn many_edits_keep_verdicts_equal_to_a_full_build() {
    let rs = estate(&small(5, 20));
    let (mut incremental, _) = Evaluator::build(&rs);
    let mut current = rs.clone();
    let vocab = Vocab {
        namespaces: 4,
        apps: 5,
    };
    let mut rng = Rng::new(99);
    for edit in 0..400 {
        let (group, json) = random_policy(&mut rng, &vocab, 5000 + edit % 7, false);
        if group == "policies" {
            let p: netpol_core::model::CalicoPolicy = serde_json::from_value(json).expect("policy");
            incremental.update_calico_policy(&p).expect("compiles");
            current.policies.retain(|q| {
                netpol_core::eval::PolicyKey::of_calico(q)
                    != netpol_core::eval::PolicyKey::of_calico(&p)
            });
            current.policies.push(p);
        }
    }
    let (mut full, _) = Evaluator::build(&current);
    let endpoints = flow_endpoints(&mut incremental);
    let flows = random_flows(&mut rng, &endpoints, 400);
    same(&incremental, &mut full, &flows).expect("same as a full build");
}
