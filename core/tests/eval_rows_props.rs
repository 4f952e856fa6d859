//! Property tests of the decision rows behind `Evaluator::allows` (one side's verdict for every peer
//! at once): on estates of more than one word of endpoints, with flows that meet a row many times,
//! `allows` and `evaluate` (staged verdicts and deciding rules too) agree with the reference
//! evaluator, and rows built before an edit or before new
//! endpoints are interned never answer after it.

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
use netpol_core::eval::{Endpoint, EndpointId, Evaluator, Flow, Verdict};
use netpol_core::model::Protocol;
use proptest::prelude::*;

fn config(seed: u64, workloads: usize, policies: usize) -> EstateConfig {
    EstateConfig {
        seed,
        namespaces: 5,
        workloads,
        policies,
        apps: 6,
        staged_percent: 15,
    }
}

/// The reference's enforced verdict of a flow between two interned endpoints (for an end without a
/// pod IP, at the address `evaluate` answers for, as `eval_props` compares them).
fn reference_allows(ev: &Evaluator, reference: &Reference, flow: &Flow) -> bool {
    let walked = ev.decisive_flow(flow);
    let (src, dst) = (
        ev.endpoint(walked.src).expect("src"),
        ev.endpoint(walked.dst).expect("dst"),
    );
    reference
        .evaluate(src, dst, flow.protocol, flow.port)
        .verdict
        == Verdict::Allow
}

/// `evaluate` agrees with the reference: verdicts, staged verdict, and what decided each side.
fn agree(ev: &Evaluator, reference: &Reference, flow: &Flow) -> Result<(), TestCaseError> {
    let v = ev.evaluate(flow);
    let walked = ev.decisive_flow(flow);
    let (src, dst) = (
        ev.endpoint(walked.src).expect("src"),
        ev.endpoint(walked.dst).expect("dst"),
    );
    let r = reference.evaluate(src, dst, flow.protocol, flow.port);
    prop_assert_eq!(v.enforced.verdict, r.verdict, "{:?}", flow);
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

/// Flows from a few sources and to a few destinations, on a few protocols and ports, so that every
/// row is met by many peers (and the peers sit in every word of it).
fn dense_flows(rng: &mut Rng, endpoints: &[EndpointId], count: usize) -> Vec<Flow> {
    let ends: Vec<EndpointId> = (0..6).map(|_| *rng.pick(endpoints)).collect();
    let probes = [
        (Protocol::Tcp, Some(8080)),
        (Protocol::Tcp, Some(8050)),
        (Protocol::Tcp, Some(5432)),
        (Protocol::Udp, Some(53)),
        (Protocol::Sctp, Some(9)),
        (Protocol::Icmp, None),
        (Protocol::Number(47), None),
    ];
    (0..count)
        .map(|i| {
            let (protocol, port) = *rng.pick(&probes);
            let (near, far) = (*rng.pick(&ends), *rng.pick(endpoints));
            let (src, dst) = if i % 2 == 0 { (near, far) } else { (far, near) };
            Flow {
                src,
                dst,
                protocol,
                port,
            }
        })
        .collect()
}

/// The rows are built behind `&self`; the evaluator must stay shareable (the app's canvas keeps one
/// in a `Memo`, which wants `Send + Sync`).
#[test]
fn an_evaluator_with_rows_is_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Evaluator>();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn rows_agree_with_the_reference(seed in any::<u64>(), policies in 1usize..60, v6 in any::<bool>()) {
        let mut rs = estate(&config(seed, 150, policies));
        if v6 {
            // A quarter of the workloads on IPv6: a flow's family is its source's, and rules render
            // per family.
            for (i, w) in rs.workloads.iter_mut().enumerate().step_by(4) {
                w.ip = Some(format!("fd00:10::{:x}", i + 1));
            }
        }
        let (mut ev, errors) = Evaluator::build(&rs);
        prop_assert!(errors.is_empty(), "{:?}", errors);
        ev.use_decision_rows(true);
        let endpoints = flow_endpoints(&mut ev);
        prop_assert!(endpoints.len() > 128, "rows span several words");
        let reference = Reference::new(&rs);
        let mut rng = Rng::new(seed ^ 0x0220);
        let mut flows = dense_flows(&mut rng, &endpoints, 400);
        flows.extend(random_flows(&mut rng, &endpoints, 100));
        // Twice: the second pass answers from rows the first one built.
        for _ in 0..2 {
            for flow in &flows {
                prop_assert_eq!(ev.allows(flow), reference_allows(&ev, &reference, flow), "{:?}", flow);
                agree(&ev, &reference, flow)?;
            }
        }
    }

    #[test]
    fn rows_are_dropped_by_edits_and_new_endpoints(seed in any::<u64>(), edits in 1usize..6) {
        let rs = estate(&config(seed, 100, 25));
        let (mut ev, _) = Evaluator::build(&rs);
        ev.use_decision_rows(true);
        let endpoints = flow_endpoints(&mut ev);
        let mut current = rs.clone();
        let vocab = Vocab { namespaces: 5, apps: 6 };
        let mut rng = Rng::new(seed ^ 0xED17);
        for edit in 0..edits {
            // Fill rows, then change what they were built from.
            for flow in dense_flows(&mut rng, &endpoints, 200) {
                ev.allows(&flow);
            }
            let staged = rng.chance(20);
            let (group, json) = random_policy(&mut rng, &vocab, 3000 + edit, staged);
            if group == "policies" {
                let p: netpol_core::model::CalicoPolicy = serde_json::from_value(json).expect("policy");
                ev.update_calico_policy(&p).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                current.policies.push(p);
            } else {
                let p: netpol_core::model::KubernetesPolicy = serde_json::from_value(json).expect("policy");
                ev.update_kubernetes_policy(&p).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                current.kubernetes_policies.push(p);
            }
        }
        // The same endpoints: only the edits can have made the rows stale.
        let reference = Reference::new(&current);
        for flow in dense_flows(&mut rng, &endpoints, 400) {
            prop_assert_eq!(ev.allows(&flow), reference_allows(&ev, &reference, &flow), "{:?}", flow);
            agree(&ev, &reference, &flow)?;
        }
        // A new endpoint after rows were built: a peer no row has a bit for, and an end without rows.
        let newcomer = ev.intern(&Endpoint::outside("10.0.0.77".parse().expect("ip")));
        let mut endpoints = endpoints;
        endpoints.push(newcomer);
        for flow in dense_flows(&mut rng, &endpoints, 200) {
            prop_assert_eq!(ev.allows(&flow), reference_allows(&ev, &reference, &flow), "{:?}", flow);
        }
        for &other in &endpoints {
            for (src, dst) in [(newcomer, other), (other, newcomer)] {
                let flow = Flow { src, dst, protocol: Protocol::Tcp, port: Some(8080) };
                prop_assert_eq!(ev.allows(&flow), reference_allows(&ev, &reference, &flow), "{:?}", flow);
            }
        }
    }
}
