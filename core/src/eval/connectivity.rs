//! Cluster connectivity in the normalized form of `connectivity.md`: every allowed (src, dst, proto,
//! port) among the pods/workloads of the resources and the probed outside addresses.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{CompileError, Endpoint, EndpointError, EndpointId, Evaluator, Flow, WorkloadEndpoint};
use crate::model::{Port, Protocol, ResourceSet};

/// Outside addresses and extra (protocol, port) pairs to probe (`--probes FILE`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Probes {
    #[serde(default)]
    pub external_ips: Vec<String>,
    /// `["TCP", 9999]`, `["ICMP", null]`.
    #[serde(default)]
    pub extra_ports: Vec<(String, Option<u16>)>,
}

impl Probes {
    /// Reads the probes JSON: the object itself, or an object holding it under `"probes"`.
    pub fn from_json(text: &str) -> Result<Probes, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("probes: {e}"))?;
        let inner = value.get("probes").cloned().unwrap_or(value);
        serde_json::from_value(inner).map_err(|e| format!("probes: {e}"))
    }
}

/// One allowed connection, or one whose verdict depends on a fact the resources do not give.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Connection {
    pub src: String,
    pub dst: String,
    pub proto: String,
    pub port: Option<u16>,
    #[serde(default)]
    pub state: ConnectionState,
}

/// Whether a listed connection is allowed, or may be (`cli.md`: "Verdicts may be undecidable").
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionState {
    #[default]
    Allow,
    /// Allowed or denied depending on a workload's pod IP or container ports.
    Undecidable,
}

/// Why connectivity could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectivityError {
    #[error("{0}")]
    Endpoint(#[from] EndpointError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Compile(Vec<CompileError>),
    #[error("probes: `{0}` is not an IP address")]
    BadProbeIp(String),
    #[error("probes: `{0}` is not TCP, UDP, SCTP or ICMP")]
    BadProbeProtocol(String),
}

/// The protocols of the normalized form, in output order.
pub(crate) fn proto_name(protocol: Protocol) -> Option<&'static str> {
    match protocol.number() {
        1 => Some("ICMP"),
        6 => Some("TCP"),
        17 => Some("UDP"),
        132 => Some("SCTP"),
        _ => None,
    }
}

/// A probed (protocol, port): ICMP has no port.
pub(crate) type Probe = (Protocol, Option<u16>);

pub(crate) fn probe(protocol: Protocol, port: Option<u16>) -> Option<Probe> {
    proto_name(protocol)?;
    Some(if protocol.has_ports() {
        (protocol.canonical(), port)
    } else {
        (protocol.canonical(), None)
    })
}

/// Sorts probes as the output wants them: by protocol name, then port (null first).
pub(crate) fn sorted(probes: impl IntoIterator<Item = Probe>) -> Vec<Probe> {
    let set: BTreeSet<(&'static str, Option<u16>)> = probes
        .into_iter()
        .filter_map(|(p, port)| Some((proto_name(p)?, port)))
        .collect();
    set.into_iter()
        .filter_map(|(name, port)| {
            let protocol = name.parse::<Protocol>().ok()?;
            Some((protocol, port))
        })
        .collect()
}

/// Every (protocol, port) declared anywhere in the resources: container ports and numeric rule ports
/// (the first port of a range) of every policy kind.
pub(crate) fn declared_ports(rs: &ResourceSet) -> Vec<Probe> {
    let mut out = Vec::new();
    for w in &rs.workloads {
        out.extend(
            w.ports
                .iter()
                .filter_map(|p| probe(p.protocol, Some(p.port))),
        );
    }
    let numbers = |ports: &[Port]| -> Vec<u16> {
        ports
            .iter()
            .filter_map(|p| match p {
                Port::Number(n) => Some(*n),
                Port::Range(lo, _) => Some(*lo),
                Port::Named(_) => None,
            })
            .collect()
    };
    for p in &rs.policies {
        for rule in p.spec.ingress.iter().chain(&p.spec.egress) {
            let Some(protocol) = rule.protocol else {
                continue;
            };
            if !protocol.has_ports() {
                out.extend(probe(protocol, None));
            }
            out.extend(
                numbers(&rule.destination.ports)
                    .into_iter()
                    .filter_map(|n| probe(protocol, Some(n))),
            );
        }
    }
    for p in &rs.kubernetes_policies {
        let ports = p
            .spec
            .ingress
            .iter()
            .flat_map(|r| &r.ports)
            .chain(p.spec.egress.iter().flat_map(|r| &r.ports));
        for port in ports {
            if let Some(Port::Number(n)) = port.port {
                out.extend(probe(port.protocol.unwrap_or(Protocol::Tcp), Some(n)));
            }
        }
    }
    for p in &rs.cluster_policies {
        let rules = p
            .spec
            .ingress
            .iter()
            .map(|r| (&r.protocols, &r.ports))
            .chain(p.spec.egress.iter().map(|r| (&r.protocols, &r.ports)));
        for (protocols, ports) in rules {
            for entry in protocols {
                let on = [
                    (Protocol::Tcp, &entry.tcp),
                    (Protocol::Udp, &entry.udp),
                    (Protocol::Sctp, &entry.sctp),
                ];
                for (protocol, port) in on {
                    let Some(destination) = port.as_ref().and_then(|p| p.destination_port.as_ref())
                    else {
                        continue;
                    };
                    let first = destination.number.or(destination.range.map(|r| r.start));
                    out.extend(first.and_then(|n| probe(protocol, Some(n))));
                }
            }
            for port in ports {
                if let Some(n) = &port.port_number {
                    out.extend(probe(n.protocol.unwrap_or(Protocol::Tcp), Some(n.port)));
                }
                if let Some(r) = &port.port_range {
                    out.extend(probe(r.protocol.unwrap_or(Protocol::Tcp), Some(r.start)));
                }
            }
        }
    }
    out
}

/// The allowed connections of the resources (see `connectivity.md`), sorted.
pub fn connectivity(
    rs: &ResourceSet,
    probes: &Probes,
) -> Result<Vec<Connection>, ConnectivityError> {
    let mut ev = Evaluator::new(rs).map_err(ConnectivityError::Compile)?;
    // Every pair is asked: each row answers a whole row of destinations.
    ev.use_decision_rows(true);
    let workloads = WorkloadEndpoint::all_from(rs)?;
    let mut extra = Vec::new();
    for (name, port) in &probes.extra_ports {
        let protocol = Protocol::parse_lenient(name)
            .ok()
            .filter(|p| proto_name(*p).is_some());
        let protocol = protocol.ok_or_else(|| ConnectivityError::BadProbeProtocol(name.clone()))?;
        extra.extend(probe(protocol, *port));
    }
    let mut nodes: Vec<Node> = Vec::new();
    for w in workloads {
        let to_pod = sorted(
            w.ports
                .iter()
                .filter_map(|p| probe(p.protocol, Some(p.port)))
                .chain(extra.iter().copied()),
        );
        let name = w.display_name();
        let id = ev.intern(&Endpoint::Workload(w));
        nodes.push(Node {
            name,
            id,
            pod: true,
            probes: to_pod,
        });
    }
    let to_outside = sorted(declared_ports(rs).into_iter().chain(extra.iter().copied()));
    for ip in &probes.external_ips {
        let addr: IpAddr = ip
            .trim()
            .parse()
            .map_err(|_| ConnectivityError::BadProbeIp(ip.clone()))?;
        let id = ev.intern(&Endpoint::outside(addr));
        nodes.push(Node {
            name: addr.to_string(),
            id,
            pod: false,
            probes: to_outside.clone(),
        });
    }
    Ok(connections(&ev, nodes))
}

struct Node {
    name: String,
    id: EndpointId,
    pod: bool,
    /// What is probed when this node is the destination, sorted.
    probes: Vec<Probe>,
}

/// Walks every ordered pair in output order, so no sort of the (large) result is needed.
fn connections(ev: &Evaluator, mut nodes: Vec<Node>) -> Vec<Connection> {
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    nodes.dedup_by(|a, b| a.name == b.name);
    let mut out = Vec::new();
    for (i, src) in nodes.iter().enumerate() {
        for (j, dst) in nodes.iter().enumerate() {
            if i == j || (!src.pod && !dst.pod) {
                continue;
            }
            for &(protocol, port) in &dst.probes {
                let flow = Flow {
                    src: src.id,
                    dst: dst.id,
                    protocol,
                    port,
                };
                let state = if ev.is_uncertain(&flow) {
                    let v = ev.evaluate(&flow);
                    if v.undecidable.enforced.verdict.any() {
                        Some(ConnectionState::Undecidable)
                    } else {
                        (v.verdict() == super::Verdict::Allow).then_some(ConnectionState::Allow)
                    }
                } else {
                    ev.allows(&flow).then_some(ConnectionState::Allow)
                };
                if let Some(state) = state {
                    let proto = proto_name(protocol).unwrap_or_default().to_owned();
                    out.push(Connection {
                        src: src.name.clone(),
                        dst: dst.name.clone(),
                        proto,
                        port,
                        state,
                    });
                }
            }
        }
    }
    out
}

/// The JSON array of `connectivity.md`, one connection per line.
pub fn to_json(connections: &[Connection]) -> String {
    let mut out = String::from("[\n");
    for (i, c) in connections.iter().enumerate() {
        let line = serde_json::to_string(c).unwrap_or_default();
        let sep = if i + 1 < connections.len() { "," } else { "" };
        let _ = writeln!(out, "{line}{sep}");
    }
    out.push_str("]\n");
    out
}

/// Whether any listed connection is undecidable (the CSV and the table then gain a state column).
fn any_undecidable(connections: &[Connection]) -> bool {
    connections
        .iter()
        .any(|c| c.state == ConnectionState::Undecidable)
}

fn state_word(state: ConnectionState) -> &'static str {
    match state {
        ConnectionState::Allow => "allow",
        ConnectionState::Undecidable => "undecidable",
    }
}

/// `src,dst,proto,port` with a header; an empty port for ICMP. When a connection is undecidable,
/// a `state` column says which are.
pub fn to_csv(connections: &[Connection]) -> String {
    let with_state = any_undecidable(connections);
    let mut out = String::from(if with_state {
        "src,dst,proto,port,state\n"
    } else {
        "src,dst,proto,port\n"
    });
    for c in connections {
        let _ = write!(
            out,
            "{},{},{},{}",
            c.src,
            c.dst,
            c.proto,
            c.port.map(|p| p.to_string()).unwrap_or_default()
        );
        if with_state {
            let _ = write!(out, ",{}", state_word(c.state));
        }
        out.push('\n');
    }
    out
}

/// Aligned columns for people.
pub fn to_table(connections: &[Connection]) -> String {
    let w_src = connections
        .iter()
        .map(|c| c.src.len())
        .max()
        .unwrap_or(0)
        .max(3);
    let w_dst = connections
        .iter()
        .map(|c| c.dst.len())
        .max()
        .unwrap_or(0)
        .max(3);
    let with_state = any_undecidable(connections);
    let mut out = format!(
        "{:<w_src$}  {:<w_dst$}  {:<5}  PORT{}\n",
        "SRC",
        "DST",
        "PROTO",
        if with_state { "   STATE" } else { "" }
    );
    for c in connections {
        let port = c.port.map(|p| p.to_string()).unwrap_or_else(|| "-".into());
        if with_state {
            let _ = writeln!(
                out,
                "{:<w_src$}  {:<w_dst$}  {:<5}  {port:<5}  {}",
                c.src,
                c.dst,
                c.proto,
                state_word(c.state)
            );
        } else {
            let _ = writeln!(
                out,
                "{:<w_src$}  {:<w_dst$}  {:<5}  {port}",
                c.src, c.dst, c.proto
            );
        }
    }
    out
}
