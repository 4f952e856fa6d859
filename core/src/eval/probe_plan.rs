//! The probe plan (`netpol probe-plan`, `cli.md`): the checks that prove a cluster enforces what the
//! resources say, each with the verdict to expect and the rule that decides it.
//!
//! - **Expected allows**: every connection the resources allow between their workloads, on the
//!   destination's container ports (or, for a workload that lists none, the ports the policies name).
//! - **Expected denies**: the nearest neighbours of each allowed connection, where a mistake in the
//!   cluster would show first — the same pair on another port ("other-port"), and the same port from a
//!   workload of another namespace ("other-namespace"). Each is denied by the resources; one of each
//!   per allowed connection, so the plan grows with the design, not with its square.
//!
//! A probe whose verdict depends on a fact the resources do not give (see `worlds`) is left out: a
//! plan must not assert a guess. Every probe is a flow `netpol eval` reads (`ref` endpoints), so the
//! plan can be checked against the engine itself, and [`to_k8s_jobs`] turns it into Jobs that check the
//! live cluster.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Value, json};

use super::connectivity::{ConnectivityError, declared_ports, probe, proto_name};
use super::{
    DecidedBy, Endpoint, EndpointId, Evaluator, Flow, FlowVerdict, Sides, Verdict, WorkloadEndpoint,
};
use crate::model::{Protocol, ResourceSet};

/// Why a probe is in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeReason {
    /// A connection the resources allow.
    Allowed,
    /// An allowed pair of workloads, on a port no rule allows between them.
    OtherPort,
    /// An allowed destination and port, from a workload of another namespace.
    OtherNamespace,
}

impl ProbeReason {
    /// How the Markdown plan words it.
    pub fn describe(self) -> &'static str {
        match self {
            ProbeReason::Allowed => "allowed connection",
            ProbeReason::OtherPort => "same workloads, another port",
            ProbeReason::OtherNamespace => "same port, from another namespace",
        }
    }
}

/// One check: a flow between two workloads of the resources and the verdict to expect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedProbe {
    /// `{"ref": "namespace/name"}`, as `netpol eval` reads it.
    pub src: Value,
    pub dst: Value,
    pub protocol: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    pub expect: Verdict,
    /// What decides the expected verdict: `netpol eval`'s `decided_by` of the deciding side.
    pub because: Value,
    pub reason: ProbeReason,
}

impl PlannedProbe {
    /// The source's `namespace/name`.
    pub fn src_name(&self) -> &str {
        self.src["ref"].as_str().unwrap_or_default()
    }

    /// The destination's `namespace/name`.
    pub fn dst_name(&self) -> &str {
        self.dst["ref"].as_str().unwrap_or_default()
    }
}

/// One workload of the plan.
struct Node {
    name: String,
    namespace: String,
    id: EndpointId,
    /// (protocol, port) probed when it is the destination, sorted.
    ports: Vec<(Protocol, Option<u16>)>,
}

/// The probe plan of the resources (see the module documentation): the expected allows in
/// (source, destination, protocol, port) order, then the expected denies in the same order.
pub fn probe_plan(rs: &ResourceSet) -> Result<Vec<PlannedProbe>, ConnectivityError> {
    let mut ev = Evaluator::new(rs).map_err(ConnectivityError::Compile)?;
    let rule_ports = ordered(declared_ports(rs));
    let mut nodes = Vec::new();
    for w in WorkloadEndpoint::all_from(rs)? {
        let own = ordered(
            w.ports
                .iter()
                .filter_map(|p| probe(p.protocol, Some(p.port))),
        );
        let ports = if own.is_empty() {
            rule_ports.clone()
        } else {
            own
        };
        let name = w.display_name();
        let namespace = w.namespace.clone();
        let id = ev.intern(&Endpoint::Workload(w));
        nodes.push(Node {
            name,
            namespace,
            id,
            ports,
        });
    }
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    nodes.dedup_by(|a, b| a.name == b.name);

    let decided = |ev: &Evaluator, flow: &Flow| -> Option<FlowVerdict> {
        let v = ev.evaluate(flow);
        (!v.undecidable.enforced.verdict.any()).then_some(v)
    };
    let flow = |src: &Node, dst: &Node, protocol: Protocol, port: Option<u16>| Flow {
        src: src.id,
        dst: dst.id,
        protocol,
        port,
    };
    let mut allowed = Vec::new();
    let mut denied = BTreeSet::new();
    for (i, src) in nodes.iter().enumerate() {
        for (j, dst) in nodes.iter().enumerate() {
            if i == j {
                continue;
            }
            for &(protocol, port) in &dst.ports {
                let f = flow(src, dst, protocol, port);
                let Some(v) = decided(&ev, &f) else {
                    continue;
                };
                if v.verdict() == Verdict::Allow {
                    allowed.push(planned(&ev, src, dst, &f, &v, ProbeReason::Allowed));
                }
            }
        }
    }
    // The nearest neighbours of each allowed connection that the resources deny.
    let mut denies = Vec::new();
    for probe in &allowed {
        let (Some(src), Some(dst)) = (
            nodes.iter().find(|n| n.name == probe.src_name()),
            nodes.iter().find(|n| n.name == probe.dst_name()),
        ) else {
            continue;
        };
        let protocol = Protocol::parse_lenient(probe.protocol).unwrap_or(Protocol::Tcp);
        if let Some(port) = probe.port {
            let others = other_ports(port, &dst.ports, &rule_ports, protocol);
            if let Some((f, v)) = others.into_iter().find_map(|q| {
                let f = flow(src, dst, protocol, Some(q));
                decided(&ev, &f)
                    .filter(|v| v.verdict() == Verdict::Deny)
                    .map(|v| (f, v))
            }) && denied.insert((src.id, dst.id, f.protocol, f.port))
            {
                denies.push(planned(&ev, src, dst, &f, &v, ProbeReason::OtherPort));
            }
        }
        let outsider = nodes
            .iter()
            .filter(|n| n.namespace != src.namespace && n.id != dst.id)
            .find_map(|other| {
                let f = flow(other, dst, protocol, probe.port);
                decided(&ev, &f)
                    .filter(|v| v.verdict() == Verdict::Deny)
                    .map(|v| (other, f, v))
            });
        if let Some((other, f, v)) = outsider
            && denied.insert((other.id, dst.id, f.protocol, f.port))
        {
            denies.push(planned(
                &ev,
                other,
                dst,
                &f,
                &v,
                ProbeReason::OtherNamespace,
            ));
        }
    }
    denies.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    allowed.extend(denies);
    Ok(allowed)
}

/// Ports to try for "another port" of `port`: the destination's other ports of the protocol, then the
/// ports the policies name, then the port after it (ports the cluster would not otherwise probe).
fn other_ports(
    port: u16,
    own: &[(Protocol, Option<u16>)],
    named: &[(Protocol, Option<u16>)],
    protocol: Protocol,
) -> Vec<u16> {
    let mut out: Vec<u16> = Vec::new();
    for &(p, q) in own.iter().chain(named) {
        if let Some(q) = q
            && p == protocol
            && q != port
            && !out.contains(&q)
        {
            out.push(q);
        }
    }
    for q in [port.checked_add(1), port.checked_sub(1)]
        .into_iter()
        .flatten()
    {
        if q != 0 && !out.contains(&q) {
            out.push(q);
        }
    }
    out
}

/// What decides a flow, for people and plans: for a deny the side that denied (egress first: a packet
/// the source's policy drops never reaches the destination); for an allow the destination's rule,
/// unless no policy selected it.
pub(crate) fn deciding_side(sides: &Sides) -> DecidedBy {
    match sides.verdict {
        Verdict::Deny if sides.egress.verdict == Verdict::Deny => sides.egress.decided_by,
        Verdict::Deny => sides.ingress.decided_by,
        Verdict::Allow => match sides.ingress.decided_by {
            DecidedBy::Profile | DecidedBy::None => sides.egress.decided_by,
            rule => rule,
        },
    }
}

fn planned(
    ev: &Evaluator,
    src: &Node,
    dst: &Node,
    flow: &Flow,
    verdict: &FlowVerdict,
    reason: ProbeReason,
) -> PlannedProbe {
    let sides = verdict.enforced;
    let deciding = deciding_side(&sides);
    PlannedProbe {
        src: json!({ "ref": src.name }),
        dst: json!({ "ref": dst.name }),
        protocol: proto_name(flow.protocol).unwrap_or("TCP"),
        port: flow.port,
        expect: sides.verdict,
        because: ev.decided_by_json(&deciding),
        reason,
    }
}

fn sort_key(p: &PlannedProbe) -> (String, String, &'static str, Option<u16>) {
    (
        p.src_name().to_owned(),
        p.dst_name().to_owned(),
        p.protocol,
        p.port,
    )
}

/// (protocol, port) pairs without duplicates, in order.
fn ordered(
    probes: impl IntoIterator<Item = (Protocol, Option<u16>)>,
) -> Vec<(Protocol, Option<u16>)> {
    let set: BTreeSet<(u8, Option<u16>)> = probes
        .into_iter()
        .map(|(p, port)| (p.number(), port))
        .collect();
    set.into_iter()
        .map(|(n, port)| (Protocol::from_number(n), port))
        .collect()
}

/// The plan as JSON: a top-level array, one probe per line, that `netpol eval --input` reads back.
pub fn to_json(plan: &[PlannedProbe]) -> String {
    let mut out = String::from("[\n");
    for (i, p) in plan.iter().enumerate() {
        let line = serde_json::to_string(p).unwrap_or_default();
        let sep = if i + 1 < plan.len() { "," } else { "" };
        let _ = writeln!(out, "{line}{sep}");
    }
    out.push_str("]\n");
    out
}

/// What a `because` value says, for people: `security → allow-dns, ingress rule 0 (Allow)`.
pub fn describe_because(because: &Value) -> String {
    let text = |k: &str| because.get(k).and_then(Value::as_str).unwrap_or_default();
    match text("kind") {
        "rule" => format!(
            "{} → {} rule {} ({})",
            text("tier"),
            text("policy"),
            because
                .get("rule")
                .and_then(Value::as_u64)
                .unwrap_or_default(),
            text("action")
        ),
        "end-of-tier" => format!("end of tier {} (default deny)", text("tier")),
        "profile" => "no policy selects it (allowed by its namespace's profile)".to_owned(),
        other => other.to_owned(),
    }
}

/// The plan as Markdown: the counts, then one table per expectation.
pub fn to_markdown(plan: &[PlannedProbe]) -> String {
    let allows = plan.iter().filter(|p| p.expect == Verdict::Allow).count();
    let mut out = String::new();
    let _ = writeln!(out, "## Probe plan\n");
    let _ = writeln!(
        out,
        "{} probes: {allows} expected allowed, {} expected denied.\n",
        plan.len(),
        plan.len() - allows
    );
    for (expect, title) in [
        (Verdict::Allow, "Expected allowed"),
        (Verdict::Deny, "Expected denied"),
    ] {
        let _ = writeln!(out, "### {title}\n");
        let _ = writeln!(out, "| From | To | Protocol | Port | Why | Decided by |");
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for p in plan.iter().filter(|p| p.expect == expect) {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} | {} | {} | {} |",
                p.src_name(),
                p.dst_name(),
                p.protocol,
                p.port.map(|n| n.to_string()).unwrap_or_default(),
                p.reason.describe(),
                describe_because(&p.because)
            );
        }
        out.push('\n');
    }
    out
}

/// How the Jobs of [`to_k8s_jobs`] reach each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobOptions {
    /// The probe container's image: it needs `sh` and `nc` (busybox has both).
    pub image: String,
    /// The destination's host name, with `{name}` and `{namespace}` replaced: by default the Service
    /// named like the workload (`{name}.{namespace}.svc.cluster.local`), whose port must equal the
    /// container port (network policy sees the pod's port).
    pub host: String,
    /// Seconds each probe waits for a connection.
    pub timeout_seconds: u32,
}

impl Default for JobOptions {
    fn default() -> JobOptions {
        JobOptions {
            image: "busybox:1.36".to_owned(),
            host: "{name}.{namespace}.svc.cluster.local".to_owned(),
            timeout_seconds: 3,
        }
    }
}

/// The plan as Kubernetes Jobs, one per source workload: a pod in the source's namespace with the
/// source's labels and service account (so the cluster's policies select it as they select the
/// source), which tries each probe with `nc -z` and fails (exit 1) listing every probe whose outcome
/// differs from the plan. Only TCP probes can be told apart by a connection attempt: the others are
/// listed in the Job as not checked. `rs` supplies each source's labels and service account.
pub fn to_k8s_jobs(plan: &[PlannedProbe], rs: &ResourceSet, options: &JobOptions) -> String {
    let mut sources: Vec<&str> = plan.iter().map(PlannedProbe::src_name).collect();
    sources.sort_unstable();
    sources.dedup();
    let mut out = String::new();
    for source in sources {
        let Some((namespace, name)) = source.split_once('/') else {
            continue;
        };
        let workload = rs.workloads.iter().find(|w| {
            w.metadata.namespace.as_deref() == Some(namespace) && w.metadata.name == name
        });
        let labels = workload
            .map(|w| w.metadata.labels.clone())
            .unwrap_or_default();
        let service_account = workload.and_then(|w| w.service_account.clone());
        let mut script = String::from("fail=0\n");
        for p in plan.iter().filter(|p| p.src_name() == source) {
            let Some((dst_ns, dst_name)) = p.dst_name().split_once('/') else {
                continue;
            };
            let host = options
                .host
                .replace("{name}", dst_name)
                .replace("{namespace}", dst_ns);
            let expect = match p.expect {
                Verdict::Allow => "allow",
                Verdict::Deny => "deny",
            };
            let what = format!(
                "{} -> {} {}/{}",
                source,
                p.dst_name(),
                p.protocol,
                p.port.map(|n| n.to_string()).unwrap_or_default()
            );
            match (p.protocol, p.port) {
                ("TCP", Some(port)) => {
                    let _ = writeln!(
                        script,
                        "if nc -z -w {} {host} {port}; then got=allow; else got=deny; fi\nif [ \"$got\" = {expect} ]; then echo \"ok {what}: $got\"; else echo \"MISMATCH {what}: expected {expect}, got $got\"; fail=1; fi",
                        options.timeout_seconds
                    );
                }
                _ => {
                    let _ = writeln!(
                        script,
                        "echo \"not checked {what}: expected {expect} (a connection attempt cannot tell for this protocol)\""
                    );
                }
            }
        }
        script.push_str("exit $fail\n");
        let job_name = job_name(name);
        let _ = writeln!(out, "---");
        let _ = writeln!(out, "apiVersion: batch/v1");
        let _ = writeln!(out, "kind: Job");
        let _ = writeln!(out, "metadata:");
        let _ = writeln!(out, "  name: {}", quoted(&job_name));
        let _ = writeln!(out, "  namespace: {}", quoted(namespace));
        let _ = writeln!(out, "  labels:");
        let _ = writeln!(out, "    studio.netpol.dev/probe-plan: {}", quoted(name));
        let _ = writeln!(out, "spec:");
        let _ = writeln!(out, "  backoffLimit: 0");
        let _ = writeln!(out, "  ttlSecondsAfterFinished: 3600");
        let _ = writeln!(out, "  template:");
        let _ = writeln!(out, "    metadata:");
        if labels.is_empty() {
            let _ = writeln!(out, "      labels: {{}}");
        } else {
            let _ = writeln!(out, "      labels:");
            for (k, v) in &labels {
                let _ = writeln!(out, "        {}: {}", quoted(k), quoted(v));
            }
        }
        let _ = writeln!(out, "    spec:");
        let _ = writeln!(out, "      restartPolicy: Never");
        if let Some(sa) = service_account {
            let _ = writeln!(out, "      serviceAccountName: {}", quoted(&sa));
        }
        let _ = writeln!(out, "      containers:");
        let _ = writeln!(out, "        - name: probe");
        let _ = writeln!(out, "          image: {}", quoted(&options.image));
        let _ = writeln!(out, "          command: [\"sh\", \"-c\"]");
        let _ = writeln!(out, "          args:");
        let _ = writeln!(out, "            - |");
        for line in script.lines() {
            let _ = writeln!(out, "              {line}");
        }
    }
    out
}

/// A Job name from a workload name: `probe-<name>`, cut to Kubernetes' 63 characters.
fn job_name(workload: &str) -> String {
    let mut name = format!("probe-{workload}");
    name.truncate(63);
    name.trim_end_matches('-').to_owned()
}

/// A YAML double-quoted scalar (JSON's string syntax is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}
