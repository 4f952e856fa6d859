//! Soundness of `shadowed-rule` against the evaluator: on random estates, no rule the lint calls
//! shadowed may ever be the rule that decides a flow. The flows are every pair of endpoints (workloads
//! and outside addresses) over a spread of protocols and ports.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::BTreeSet;

use netpol_core::eval::synthetic::{EstateConfig, estate, flow_endpoints};
use netpol_core::eval::{DecidedBy, Evaluator, Flow};
use netpol_core::lint::{LintConfig, ids, lint_resources};
use netpol_core::model::{PolicyType, Protocol};

/// `(kind, namespace, name, direction, rule)` of a rule.
type RuleKey = (String, Option<String>, String, PolicyType, u32);

const PROBES: [(Protocol, Option<u16>); 11] = [
    (Protocol::Tcp, Some(8080)),
    (Protocol::Tcp, Some(9090)),
    (Protocol::Tcp, Some(5432)),
    (Protocol::Tcp, Some(50051)),
    (Protocol::Tcp, Some(443)),
    (Protocol::Tcp, Some(1)),
    (Protocol::Udp, Some(53)),
    (Protocol::Udp, Some(5353)),
    (Protocol::Udp, Some(8080)),
    (Protocol::Icmp, None),
    (Protocol::Sctp, Some(9)),
];

#[test]
fn a_shadowed_rule_never_decides_a_flow() {
    let mut reported_total = 0;
    for seed in 1..=16 {
        let config = EstateConfig {
            seed,
            namespaces: 4,
            workloads: 24,
            policies: 30,
            apps: 4,
            staged_percent: 0,
        };
        let resources = estate(&config);
        let shadowed: BTreeSet<RuleKey> = lint_resources(&resources, &LintConfig::default())
            .into_iter()
            .filter(|f| f.id == ids::SHADOWED_RULE)
            .filter_map(|f| {
                let rule = f.location.rule?;
                let r = f.location.resource;
                Some((
                    r.kind,
                    r.namespace,
                    r.name,
                    rule.direction,
                    u32::try_from(rule.index).ok()?,
                ))
            })
            .collect();
        reported_total += shadowed.len();
        let (mut ev, _errors) = Evaluator::build(&resources);
        let endpoints = flow_endpoints(&mut ev);
        for &src in &endpoints {
            for &dst in &endpoints {
                for (protocol, port) in PROBES {
                    let verdict = ev.evaluate(&Flow {
                        src,
                        dst,
                        protocol,
                        port,
                    });
                    for (side, direction) in [
                        (verdict.enforced.egress, PolicyType::Egress),
                        (verdict.enforced.ingress, PolicyType::Ingress),
                    ] {
                        let DecidedBy::Rule { policy, rule, .. } = side.decided_by else {
                            continue;
                        };
                        let Some(key) = ev.policy_key(policy) else {
                            continue;
                        };
                        let k = (
                            key.kind.as_str().to_owned(),
                            key.namespace.clone(),
                            key.name.clone(),
                            direction,
                            rule,
                        );
                        assert!(
                            !shadowed.contains(&k),
                            "seed {seed}: {k:?} is reported shadowed but decides {protocol} {port:?} from {src:?} to {dst:?}"
                        );
                    }
                }
            }
        }
    }
    assert!(
        reported_total > 0,
        "the estates should contain shadowed rules, or this test proves nothing"
    );
}
