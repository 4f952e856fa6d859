//! Whether two resource sets give the same verdicts: every ordered pair of workloads, on every port
//! that matters, evaluated under both, and each flow whose verdict differs named with what decided it
//! on either side. `netpol migrate-anp` proves its rewrite with it.
//!
//! The ports probed towards a workload are its container ports, every port a policy of either set
//! names (the first port of a range), ICMP, and per port-carrying protocol one port no policy and no
//! workload names — the port that shows a rule that matched "every port" on one side only.

use std::collections::BTreeSet;

use super::connectivity::{Probe, declared_ports, probe, proto_name, sorted};
use super::{
    CompileError, Direction, Endpoint, EndpointError, Evaluator, Flow, Sides, Verdict,
    WorkloadEndpoint,
};
use crate::model::{Protocol, ResourceSet};

/// The outcome of [`compare`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Workloads compared (the same in both sets).
    pub workloads: usize,
    /// Flows evaluated under both sets.
    pub flows: usize,
    /// The flows whose verdict differs, in (source, destination, protocol, port) order.
    pub changes: Vec<VerdictChange>,
}

/// One flow whose verdict differs between the two sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictChange {
    pub src: String,
    pub dst: String,
    /// `TCP`, `UDP`, `SCTP`, `ICMP`.
    pub protocol: String,
    pub port: Option<u16>,
    pub before: Verdict,
    pub after: Verdict,
    /// What decided the verdict before: the denying side, or both allowing sides.
    pub before_reason: String,
    pub after_reason: String,
    /// The rules that decided the verdict before, as (policy as Calico names it, rule name) — what a
    /// caller needs to recognise a change it expects.
    pub before_rules: Vec<(String, Option<String>)>,
}

/// Why two sets could not be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    #[error("{0}")]
    Endpoint(#[from] EndpointError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Compile(Vec<CompileError>),
}

/// Compares the verdicts of `before` and `after` on the workloads of `before` (the caller gives both
/// sets the same workloads and namespaces).
pub fn compare(before: &ResourceSet, after: &ResourceSet) -> Result<Comparison, CompareError> {
    let mut old = Evaluator::new(before).map_err(CompareError::Compile)?;
    let mut new = Evaluator::new(after).map_err(CompareError::Compile)?;
    let workloads = WorkloadEndpoint::all_from(before)?;
    let shared = shared_probes(before, after);
    let mut nodes = Vec::new();
    for w in workloads {
        let own = w
            .ports
            .iter()
            .filter_map(|p| probe(p.protocol, Some(p.port)));
        let probes = sorted(own.chain(shared.iter().copied()));
        let name = w.display_name();
        let endpoint = Endpoint::Workload(w);
        nodes.push((name, old.intern(&endpoint), new.intern(&endpoint), probes));
    }
    nodes.sort_by(|a, b| a.0.cmp(&b.0));
    let mut comparison = Comparison {
        workloads: nodes.len(),
        ..Comparison::default()
    };
    for (i, (src, src_old, src_new, _)) in nodes.iter().enumerate() {
        for (j, (dst, dst_old, dst_new, probes)) in nodes.iter().enumerate() {
            if i == j {
                continue;
            }
            for &(protocol, port) in probes {
                comparison.flows += 1;
                let flow_old = Flow {
                    src: *src_old,
                    dst: *dst_old,
                    protocol,
                    port,
                };
                let flow_new = Flow {
                    src: *src_new,
                    dst: *dst_new,
                    protocol,
                    port,
                };
                if old.allows(&flow_old) == new.allows(&flow_new) {
                    continue;
                }
                let was = old.evaluate(&flow_old).enforced;
                let is = new.evaluate(&flow_new).enforced;
                comparison.changes.push(VerdictChange {
                    src: src.clone(),
                    dst: dst.clone(),
                    protocol: proto_name(protocol).unwrap_or_default().to_owned(),
                    port,
                    before: was.verdict,
                    after: is.verdict,
                    before_reason: reason(&old, &was),
                    after_reason: reason(&new, &is),
                    before_rules: deciding_rules(&old, &was),
                });
            }
        }
    }
    Ok(comparison)
}

/// The probes every workload gets: the ports either set names, ICMP, and an unnamed port per
/// protocol.
fn shared_probes(before: &ResourceSet, after: &ResourceSet) -> Vec<Probe> {
    let mut named: BTreeSet<Probe> = declared_ports(before)
        .into_iter()
        .chain(declared_ports(after))
        .collect();
    for set in [before, after] {
        for w in &set.workloads {
            named.extend(
                w.ports
                    .iter()
                    .filter_map(|p| probe(p.protocol, Some(p.port))),
            );
        }
    }
    let mut out: Vec<Probe> = named.iter().copied().collect();
    out.extend(probe(Protocol::Icmp, None));
    for protocol in [Protocol::Tcp, Protocol::Udp, Protocol::Sctp] {
        let unnamed = (1..=u16::MAX)
            .rev()
            .find(|port| !named.contains(&(protocol, Some(*port))));
        out.extend(unnamed.and_then(|port| probe(protocol, Some(port))));
    }
    out
}

/// What decided a verdict: the side that denied (egress first, as Calico checks it), or both sides
/// that allowed.
fn reason(ev: &Evaluator, sides: &Sides) -> String {
    let egress = ev.describe_side(&sides.egress.decided_by, Direction::Egress);
    let ingress = ev.describe_side(&sides.ingress.decided_by, Direction::Ingress);
    match (sides.egress.verdict, sides.ingress.verdict) {
        (Verdict::Deny, _) => format!("egress denied by {egress}"),
        (_, Verdict::Deny) => format!("ingress denied by {ingress}"),
        _ => format!("egress allowed by {egress}; ingress allowed by {ingress}"),
    }
}

/// The rules behind [`reason`], as (policy, rule name).
fn deciding_rules(ev: &Evaluator, sides: &Sides) -> Vec<(String, Option<String>)> {
    let deciding: Vec<(&super::SideVerdict, Direction)> =
        match (sides.egress.verdict, sides.ingress.verdict) {
            (Verdict::Deny, _) => vec![(&sides.egress, Direction::Egress)],
            (_, Verdict::Deny) => vec![(&sides.ingress, Direction::Ingress)],
            _ => vec![
                (&sides.egress, Direction::Egress),
                (&sides.ingress, Direction::Ingress),
            ],
        };
    deciding
        .into_iter()
        .filter_map(|(side, direction)| match side.decided_by {
            super::DecidedBy::Rule { policy, rule, .. } => Some((
                ev.policy_key(policy)
                    .map(|k| k.display_name())
                    .unwrap_or_default(),
                ev.rule_name(policy, direction, rule).map(str::to_owned),
            )),
            _ => None,
        })
        .collect()
}
