//! The proof of a recommendation: the same flows replayed against it with the impact engine (before:
//! the estate with no policy, after: the recommended design), and every (group, group, protocol,
//! port) between the design's known ends that it allows although nobody observed it, each with the
//! widening that explains it.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::{Node, Recommendation, Uncovered, Widening, has_policy_side};
use crate::design;
use crate::eval::{Endpoint, Evaluator, Flow, Verdict};
use crate::flows::{FlowSet, Observed};
use crate::impact::{Change, Impact, ImpactOptions};
use crate::model::vocabulary::addresses::parse_net;
use crate::model::{Labels, Protocol};

/// Above this many evaluations (ends × ends × probed ports) the widened flows are not enumerated.
pub const MAX_WIDENED_EVALUATIONS: usize = 4_000_000;

/// Stand-in addresses for "an outside address in no network set", tried in order.
const OUTSIDE_STAND_INS: [&str; 5] = [
    "192.0.2.1",
    "198.51.100.1",
    "203.0.113.1",
    "100.100.100.100",
    "1.1.1.1",
];

/// An observed flow the proof lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProofFlow {
    pub src: String,
    pub dst: String,
    pub protocol: Protocol,
    pub port: Option<u16>,
    pub count: u64,
    pub observed: Observed,
    /// Why the flow is listed (for unmatched flows, the reason).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// A flow between two known ends that the design allows and no flow log showed allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WidenedFlow {
    pub src: String,
    pub dst: String,
    pub protocol: Protocol,
    pub port: u16,
    /// The widening (an option, the baseline, the flow log) that allows it; `None` is a flow the
    /// recommendation should not allow.
    pub because: Option<String>,
}

/// What the recommendation does to the observed flows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proof {
    /// Distinct observed flows.
    pub observed: u64,
    pub observed_allowed: u64,
    pub observed_denied: u64,
    /// Observed allowed (or partly allowed), denied by the design: must be empty.
    pub broken: Vec<ProofFlow>,
    /// Observed denied only, allowed by the design.
    pub allowed_observed_denied: Vec<ProofFlow>,
    /// Observed allowed flows the impact engine could not map to the design.
    pub unmatched: Vec<ProofFlow>,
    /// Flows allowed by their source's report only, whose connection a record of the same groups and
    /// port shows denied at the destination: counted as denied.
    pub source_only_allows: u64,
    pub widened: Vec<WidenedFlow>,
    /// Widened flows no widening explains (must be 0).
    pub widened_unexplained: usize,
    /// Whether the widened flows were enumerated (see [`MAX_WIDENED_EVALUATIONS`]).
    pub widened_enumerated: bool,
    pub groups: usize,
    pub policies_written: usize,
    pub network_sets_written: usize,
    pub baseline_flows: usize,
    pub open_flows: usize,
    pub widenings: Vec<Widening>,
    pub uncovered: Vec<Uncovered>,
    /// The verdicts are those with the staged policies enforced.
    pub staged: bool,
    pub compile_errors: Vec<String>,
}

/// A proof's figures and wording, for a shell that shows them (the app's preview).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofFigures {
    pub observed: u64,
    pub observed_allowed: u64,
    pub observed_denied: u64,
    pub broken: usize,
    pub widened: usize,
    pub widened_unexplained: usize,
    pub allowed_observed_denied: usize,
    pub unmatched: usize,
    pub groups: usize,
    pub policies_written: usize,
    pub network_sets_written: usize,
    /// The widened line of the text proof.
    pub widened_line: String,
    /// Widened flows by reason, most first.
    pub widened_by_reason: Vec<(String, usize)>,
    /// Each widening, described.
    pub widenings: Vec<String>,
}

impl Proof {
    /// The figures and wording a preview shows.
    pub fn figures(&self) -> ProofFigures {
        ProofFigures {
            observed: self.observed,
            observed_allowed: self.observed_allowed,
            observed_denied: self.observed_denied,
            broken: self.broken.len(),
            widened: self.widened.len(),
            widened_unexplained: self.widened_unexplained,
            allowed_observed_denied: self.allowed_observed_denied.len(),
            unmatched: self.unmatched.len(),
            groups: self.groups,
            policies_written: self.policies_written,
            network_sets_written: self.network_sets_written,
            widened_line: widened_line(self),
            widened_by_reason: widened_by_reason(self),
            widenings: self.widenings.iter().map(Widening::describe).collect(),
        }
    }

    /// The proof holds: nothing observed allowed is broken, every widened flow is explained.
    pub fn holds(&self) -> bool {
        self.broken.is_empty() && self.widened_unexplained == 0
    }
}

/// One end of the enumeration.
struct UEnd {
    label: String,
    namespace: Option<String>,
    labels: Labels,
    /// The address standing for an outside end.
    address: Option<IpAddr>,
    id: crate::eval::EndpointId,
}

/// Replays `flows` against the recommendation (see the module documentation).
pub fn prove(rec: &Recommendation, flows: &FlowSet) -> Proof {
    let after = design::to_resources(&rec.design);
    let before = design::to_resources(&design::open_cluster(&rec.design));
    let report = Impact::new(&before, &after).run(flows, ImpactOptions::default());
    let staged = rec.options.staged;
    let mut proof = Proof {
        observed: report.flows.len() as u64,
        observed_allowed: 0,
        observed_denied: 0,
        broken: Vec::new(),
        allowed_observed_denied: Vec::new(),
        unmatched: Vec::new(),
        source_only_allows: 0,
        widened: Vec::new(),
        widened_unexplained: 0,
        widened_enumerated: false,
        groups: rec.groups,
        policies_written: rec.policies_written,
        network_sets_written: rec.network_sets_written,
        baseline_flows: rec.baseline_flows,
        open_flows: rec.open_flows,
        widenings: rec.widenings.clone(),
        uncovered: rec.uncovered.clone(),
        staged,
        compile_errors: report.compile_errors.clone(),
    };
    for f in &report.flows {
        let taken_as_allowed = rec.allowed.get(f.index).copied().unwrap_or(true);
        let verdict = if staged {
            f.after_staged.or(f.after)
        } else {
            f.after
        };
        let row = |why: Option<String>| ProofFlow {
            src: f.src.clone(),
            dst: f.dst.clone(),
            protocol: f.protocol,
            port: f.port,
            count: f.count,
            observed: f.observed,
            why,
        };
        if f.observed == Observed::Deny || !taken_as_allowed {
            proof.observed_denied += 1;
            if verdict == Some(Verdict::Allow) {
                proof.allowed_observed_denied.push(row(None));
            }
            if f.observed != Observed::Deny {
                proof.source_only_allows += 1;
            }
            continue;
        }
        proof.observed_allowed += 1;
        if f.change == Change::Undecidable {
            // A starting design's named port or pod-range CIDR can leave a verdict open: never
            // counted as kept or broken.
            proof
                .unmatched
                .push(row(f.missing.as_ref().map(|m| format!("undecidable: {m}"))));
        } else if f.change == Change::Unmatched || verdict.is_none() {
            proof.unmatched.push(row(f.unmatched.clone()));
        } else if verdict == Some(Verdict::Deny) {
            proof.broken.push(row(None));
        }
    }
    enumerate_widened(rec, flows, &after, &mut proof);
    proof
}

fn enumerate_widened(
    rec: &Recommendation,
    flows: &FlowSet,
    resources: &crate::model::ResourceSet,
    proof: &mut Proof,
) {
    let mut ev = match Evaluator::new(resources) {
        Ok(ev) => ev,
        Err(_) => Evaluator::build(resources).0,
    };
    let mut ends: Vec<UEnd> = Vec::new();
    for ns in &rec.design.namespaces {
        for w in &ns.workloads {
            let label = format!("{}/{}", ns.name, w.name);
            if let Some(id) = ev.workload(&label) {
                ends.push(UEnd {
                    label,
                    namespace: Some(ns.name.clone()),
                    labels: w.labels.clone(),
                    address: None,
                    id,
                });
            }
        }
    }
    let set_nets: Vec<ipnet::IpNet> = rec
        .design
        .network_sets
        .iter()
        .flat_map(|s| s.spec.nets.iter().filter_map(|n| parse_net(n).ok()))
        .collect();
    for set in &rec.design.network_sets {
        let Some(net) = set.spec.nets.iter().find_map(|n| parse_net(n).ok()) else {
            continue;
        };
        let address = net.network();
        ends.push(UEnd {
            label: set.metadata.name.clone(),
            namespace: None,
            labels: Labels::new(),
            address: Some(address),
            id: ev.intern(&Endpoint::outside(address)),
        });
    }
    if let Some(address) = OUTSIDE_STAND_INS
        .iter()
        .filter_map(|a| a.parse::<IpAddr>().ok())
        .find(|ip| !set_nets.iter().any(|n| n.contains(ip)))
    {
        ends.push(UEnd {
            label: "outside (no network set)".to_owned(),
            namespace: None,
            labels: Labels::new(),
            address: Some(address),
            id: ev.intern(&Endpoint::outside(address)),
        });
    }
    let label_of = |i: u32| -> Option<String> {
        rec.endpoint_nodes
            .get(i as usize)
            .cloned()
            .flatten()
            .map(|n: Node| n.label())
    };
    let mut observed: BTreeSet<(String, String, Protocol, u16)> = BTreeSet::new();
    let mut probes: BTreeSet<(Protocol, u16)> = BTreeSet::new();
    for f in flows.flows() {
        if let Some(port) = f.port.filter(|_| f.protocol.has_ports()) {
            probes.insert((f.protocol, port));
            if f.observed() != Observed::Deny
                && let (Some(s), Some(d)) = (label_of(f.src.0), label_of(f.dst.0))
            {
                observed.insert((s, d, f.protocol, port));
            }
        }
    }
    for w in &rec.widenings {
        if let Widening::PortRange {
            protocol,
            low,
            high,
            ..
        } = w
        {
            probes.insert((*protocol, *low));
            probes.insert((*protocol, *high));
        }
    }
    if ends.len() * ends.len() * probes.len() > MAX_WIDENED_EVALUATIONS {
        return;
    }
    proof.widened_enumerated = true;
    let pods = crate::model::pod_range(&resources.ip_pools);
    // The starting design's own policies over the recommended estate: what they allow was allowed
    // before the recommendation.
    let base_ev = rec.base.as_ref().map(|base| {
        let estate = design::Design {
            policies: base.policies.clone(),
            kubernetes_policies: base.kubernetes_policies.clone(),
            cluster_policies: base.cluster_policies.clone(),
            ..rec.design.clone()
        };
        let resources = design::to_resources(&estate);
        let mut ev = Evaluator::build(&resources).0;
        let ids: Vec<crate::eval::EndpointId> = ends
            .iter()
            .map(|e| match e.address {
                Some(ip) => ev.intern(&Endpoint::outside(ip)),
                None => ev.workload(&e.label).unwrap_or(e.id),
            })
            .collect();
        (ev, ids)
    });
    let scope = &rec.options.namespaces;
    let has_side = |e: &UEnd| {
        e.namespace
            .as_deref()
            .is_some_and(|ns| has_policy_side(ns, scope))
    };
    for (ai, a) in ends.iter().enumerate() {
        for (bi, b) in ends.iter().enumerate() {
            if a.namespace.is_none() && b.namespace.is_none() {
                continue;
            }
            for &(protocol, port) in &probes {
                if observed.contains(&(a.label.clone(), b.label.clone(), protocol, port)) {
                    continue;
                }
                let flow = Flow {
                    src: a.id,
                    dst: b.id,
                    protocol,
                    port: Some(port),
                };
                let allowed = if rec.options.staged {
                    let v = ev.evaluate(&flow);
                    v.staged.map_or(v.enforced.verdict, |s| s.verdict) == Verdict::Allow
                } else {
                    ev.allows(&flow)
                };
                if !allowed {
                    continue;
                }
                let because = if !has_side(a) && !has_side(b) {
                    Some(
                        "neither end is under the default deny (system or out-of-scope namespace, or outside)"
                            .to_owned(),
                    )
                } else {
                    explain(rec, a, b, protocol, port, &pods).or_else(|| {
                        let (ev, ids) = base_ev.as_ref()?;
                        let flow = Flow {
                            src: *ids.get(ai)?,
                            dst: *ids.get(bi)?,
                            protocol,
                            port: Some(port),
                        };
                        ev.allows(&flow)
                            .then(|| "the starting design's own policies allow it".to_owned())
                    })
                };
                if because.is_none() {
                    proof.widened_unexplained += 1;
                }
                proof.widened.push(WidenedFlow {
                    src: a.label.clone(),
                    dst: b.label.clone(),
                    protocol,
                    port,
                    because,
                });
            }
        }
    }
}

/// The widening that allows `a → b`, if any.
fn explain(
    rec: &Recommendation,
    a: &UEnd,
    b: &UEnd,
    protocol: Protocol,
    port: u16,
    pods: &[ipnet::IpNet],
) -> Option<String> {
    if b.namespace.as_deref() == Some("kube-system")
        && b.labels.get("k8s-app").is_some_and(|v| v == "kube-dns")
        && port == 53
        && matches!(protocol, Protocol::Udp | Protocol::Tcp)
    {
        return Some("the baseline allows DNS to kube-dns from every workload".to_owned());
    }
    let in_ns = |from: &str| {
        from == a.label
            || a.namespace
                .as_deref()
                .is_some_and(|ns| from == format!("namespace/{ns}"))
    };
    // An outside end's address, or for a workload the pod range it is somewhere in: Calico adds a
    // selected network set's nets to the rule's addresses, so a set over the pod range matches pods.
    let outside_in = |nets: &[String]| {
        let nets: Vec<ipnet::IpNet> = nets.iter().filter_map(|n| parse_net(n).ok()).collect();
        [a, b].iter().any(|e| match e.address {
            Some(ip) => nets.iter().any(|n| n.contains(&ip)),
            None => pods.iter().any(|p| nets.iter().any(|n| n.contains(p))),
        })
    };
    rec.widenings
        .iter()
        .find(|w| match w {
            Widening::PortRange {
                from,
                to,
                protocol: p,
                low,
                high,
                ..
            } => *p == protocol && (*low..=*high).contains(&port) && *to == b.label && in_ns(from),
            Widening::AllPorts {
                from,
                to,
                protocol: p,
            } => *p == protocol && *to == b.label && in_ns(from),
            Widening::NamespacePeer { namespace, to } => {
                *to == b.label && a.namespace.as_deref() == Some(namespace)
            }
            Widening::SharedSelector { also, .. } => *also == a.label || *also == b.label,
            Widening::AddressBlock { block, .. } => outside_in(std::slice::from_ref(block)),
            Widening::AggregatedAway { nets, .. } => outside_in(nets),
        })
        .map(Widening::describe)
}

/// The proof as text (`netpol recommend`'s default output).
pub fn render_text(proof: &Proof) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "observed: {} distinct flows ({} allowed, {} denied)",
        proof.observed, proof.observed_allowed, proof.observed_denied
    );
    let _ = writeln!(
        out,
        "broken after: {}{}",
        proof.broken.len(),
        if proof.staged {
            " (with the staged policies enforced)"
        } else {
            ""
        }
    );
    for f in &proof.broken {
        let _ = writeln!(out, "  {}", flow_line(f));
    }
    let _ = writeln!(out, "widened: {}", widened_line(proof));
    for (because, count) in widened_by_reason(proof) {
        let _ = writeln!(out, "  {count} × {because}");
    }
    let _ = writeln!(
        out,
        "allowed although observed denied: {}",
        proof.allowed_observed_denied.len()
    );
    for f in &proof.allowed_observed_denied {
        let _ = writeln!(out, "  {}", flow_line(f));
    }
    if proof.source_only_allows > 0 {
        let _ = writeln!(
            out,
            "  ({} of the denied flows were allowed by the source's report only, and denied at the destination)",
            proof.source_only_allows
        );
    }
    let _ = writeln!(out, "unmatched (not evaluated): {}", proof.unmatched.len());
    for f in &proof.unmatched {
        let _ = writeln!(out, "  {}", flow_line(f));
    }
    let _ = writeln!(
        out,
        "policies written: {} ({} workload groups, {} network sets); {} flows left to the baseline's DNS rule, {} between ends outside the default deny",
        proof.policies_written,
        proof.groups,
        proof.network_sets_written,
        proof.baseline_flows,
        proof.open_flows
    );
    if !proof.widenings.is_empty() {
        let _ = writeln!(out, "widenings:");
        for w in &proof.widenings {
            let _ = writeln!(out, "  - {}", w.describe());
        }
    }
    for u in &proof.uncovered {
        let _ = writeln!(
            out,
            "not covered: {} -> {} {}{}: {}",
            u.src,
            u.dst,
            u.protocol,
            u.port.map(|p| format!("/{p}")).unwrap_or_default(),
            u.reason
        );
    }
    for e in &proof.compile_errors {
        let _ = writeln!(out, "warning: {e}");
    }
    out
}

/// The proof as Markdown, for a review.
pub fn render_markdown(proof: &Proof) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Recommended design: proof against the observed flows\n"
    );
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(
        out,
        "| Observed distinct flows | {} ({} allowed, {} denied) |",
        proof.observed, proof.observed_allowed, proof.observed_denied
    );
    let _ = writeln!(out, "| Broken after | **{}** |", proof.broken.len());
    let _ = writeln!(out, "| Widened | {} |", widened_line(proof));
    let _ = writeln!(
        out,
        "| Allowed although observed denied | {} |",
        proof.allowed_observed_denied.len()
    );
    let _ = writeln!(out, "| Unmatched | {} |", proof.unmatched.len());
    let _ = writeln!(
        out,
        "| Policies written | {} ({} workload groups, {} network sets) |",
        proof.policies_written, proof.groups, proof.network_sets_written
    );
    let sections: [(&str, &Vec<ProofFlow>); 3] = [
        ("Broken flows", &proof.broken),
        (
            "Allowed although observed denied",
            &proof.allowed_observed_denied,
        ),
        ("Unmatched flows", &proof.unmatched),
    ];
    for (title, rows) in sections {
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {title}\n");
        for f in rows {
            let _ = writeln!(out, "- {}", flow_line(f));
        }
    }
    let reasons = widened_by_reason(proof);
    if !reasons.is_empty() {
        let _ = writeln!(out, "\n### Widened flows by reason\n");
        let _ = writeln!(out, "| Flows | Because |\n|---:|---|");
        for (because, count) in reasons {
            let _ = writeln!(out, "| {count} | {because} |");
        }
    }
    if !proof.widenings.is_empty() {
        let _ = writeln!(out, "\n### Widenings\n");
        for w in &proof.widenings {
            let _ = writeln!(out, "- {}", w.describe());
        }
    }
    if !proof.uncovered.is_empty() {
        let _ = writeln!(out, "\n### Not covered\n");
        for u in &proof.uncovered {
            let _ = writeln!(
                out,
                "- {} -> {} {}{}: {}",
                u.src,
                u.dst,
                u.protocol,
                u.port.map(|p| format!("/{p}")).unwrap_or_default(),
                u.reason
            );
        }
    }
    out
}

fn flow_line(f: &ProofFlow) -> String {
    let port = f.port.map(|p| format!("/{p}")).unwrap_or_default();
    let why = f
        .why
        .as_deref()
        .map(|w| format!(": {w}"))
        .unwrap_or_default();
    format!(
        "{} -> {} {}{port} ({} observed, {}){why}",
        f.src,
        f.dst,
        f.protocol,
        f.observed.as_str(),
        f.count
    )
}

fn widened_line(proof: &Proof) -> String {
    if !proof.widened_enumerated {
        return "not enumerated (too many ends and ports)".to_owned();
    }
    format!(
        "{} flows between known ends allowed but never observed ({} unexplained)",
        proof.widened.len(),
        proof.widened_unexplained
    )
}

/// Widened flows counted by reason, most first.
fn widened_by_reason(proof: &Proof) -> Vec<(String, usize)> {
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for w in &proof.widened {
        let because = w
            .because
            .clone()
            .unwrap_or_else(|| "unexplained".to_owned());
        *counts.entry(because).or_default() += 1;
    }
    let mut out: Vec<(String, usize)> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}
