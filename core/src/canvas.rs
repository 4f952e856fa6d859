//! The flow canvas: the design as a graph (namespaces, workload groups, network sets, the DNS service
//! and "the world"), laid out in layers by the taxonomy's tier label, and the drawn flows as edges
//! with the verdict the whole design gives them (through the evaluator, never re-decided here).
//!
//! A drawn flow lives in the policies themselves: every rule [`draw::add_flow`] writes carries the
//! rule annotation [`FLOW_ANNOTATION`] (`"<from-node> -> <to-node>"`), so the edges survive export and
//! re-import as ordinary Calico YAML. Node ids are the design's layout keys: `namespace/<ns>`,
//! `workload/<ns>/<name>`, `networkset/<name>` (`networkset/<ns>/<name>` when namespaced) and
//! [`WORLD_ID`].

pub mod draw;
pub mod edit;
pub mod guardrail;

use std::collections::BTreeMap;

use ipnet::IpNet;
use serde::Serialize;

use crate::design::{Design, LabelScope, Position};
use crate::eval::{
    Endpoint, EndpointId, Evaluator, Explanation, Flow, FlowVerdict, Verdict, WorkloadEndpoint,
};
use crate::model::vocabulary::addresses::parse_net;
use crate::model::{Labels, Port, Protocol};

pub use draw::{DrawError, DrawOutcome, FlowRequest, add_flow};
pub use edit::{FlowChange, RemoveOutcome, remove_flow, update_flow};
pub use guardrail::{GuardrailOutcome, GuardrailRequest, add_guardrail, guardrail_unavailable};

/// The node id of "the world": any address outside the clusters.
pub const WORLD_ID: &str = "internet";
/// The rule annotation that marks a rule drawn on the canvas: `"<from-node> -> <to-node>"`.
pub use crate::model::vocabulary::annotations::FLOW_ANNOTATION;
/// The label Kubernetes puts on the cluster DNS pods.
const DNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");
/// The address block "the world" stands for.
const WORLD_NET: &str = "0.0.0.0/0";

/// Horizontal distance between layers, vertical distance between nodes of a layer.
const LAYER_WIDTH: f64 = 280.0;
const ROW_HEIGHT: f64 = 70.0;
const MARGIN: f64 = 40.0;

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    Namespace,
    Workload,
    /// The cluster DNS (the workload labelled `k8s-app: kube-dns`).
    Dns,
    NetworkSet,
    World,
}

impl NodeKind {
    /// `namespace`, `workload`, … (CSS classes, test hooks).
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Namespace => "namespace",
            NodeKind::Workload => "workload",
            NodeKind::Dns => "dns",
            NodeKind::NetworkSet => "network-set",
            NodeKind::World => "world",
        }
    }
}

/// One node of the canvas.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    /// What the node is called on the canvas (`namespace/name` for workloads).
    pub label: String,
    pub namespace: Option<String>,
    pub name: String,
    pub labels: Labels,
    /// The layer (column) the automatic layout puts it in.
    pub layer: usize,
    /// The stored layout position when the design has one, else the automatic one.
    pub position: Position,
}

/// The taxonomy key whose values order the layers: the first key named `tier` (after any prefix)
/// that lists its values, e.g. `security.company.io/tier: [frontend, backend, data]`.
fn tier_key(design: &Design) -> Option<(&str, &[String])> {
    design
        .taxonomy
        .iter()
        .find(|k| {
            let name = k.key.rsplit('/').next().unwrap_or_default();
            name == "tier" && !k.values.is_empty()
        })
        .map(|k| (k.key.as_str(), k.values.as_slice()))
}

fn is_dns(labels: &Labels) -> bool {
    labels.get(DNS_LABEL.0).map(String::as_str) == Some(DNS_LABEL.1)
}

/// Every node of the design, laid out: the world first, then the tier values in taxonomy order, then
/// workloads without a tier (platform and DNS), then the network sets. Within a layer, nodes are
/// ordered by namespace and name; a namespace sits in the first layer of its workloads.
pub fn nodes(design: &Design) -> Vec<Node> {
    let tiers = tier_key(design);
    let tier_count = tiers.map_or(0, |(_, values)| values.len());
    let untiered = tier_count + 1;
    let sets_layer = tier_count + 2;
    let layer_of = |labels: &Labels| -> usize {
        tiers
            .and_then(|(key, values)| {
                let value = labels.get(key)?;
                values.iter().position(|v| v == value)
            })
            .map_or(untiered, |i| i + 1)
    };
    let mut out = vec![Node {
        id: WORLD_ID.to_owned(),
        kind: NodeKind::World,
        label: "the world".to_owned(),
        namespace: None,
        name: WORLD_ID.to_owned(),
        labels: Labels::new(),
        layer: 0,
        position: Position::default(),
    }];
    for ns in &design.namespaces {
        let layer = ns
            .workloads
            .iter()
            .map(|w| layer_of(&w.labels))
            .min()
            .unwrap_or_else(|| layer_of(&ns.labels));
        out.push(Node {
            id: format!("namespace/{}", ns.name),
            kind: NodeKind::Namespace,
            label: ns.name.clone(),
            namespace: Some(ns.name.clone()),
            name: ns.name.clone(),
            labels: ns.labels.clone(),
            layer,
            position: Position::default(),
        });
        for w in &ns.workloads {
            out.push(Node {
                id: format!("workload/{}/{}", ns.name, w.name),
                kind: if is_dns(&w.labels) {
                    NodeKind::Dns
                } else {
                    NodeKind::Workload
                },
                label: format!("{}/{}", ns.name, w.name),
                namespace: Some(ns.name.clone()),
                name: w.name.clone(),
                labels: w.labels.clone(),
                layer: layer_of(&w.labels),
                position: Position::default(),
            });
        }
    }
    for set in &design.network_sets {
        let ns = set.metadata.namespace.clone();
        let id = match &ns {
            Some(ns) => format!("networkset/{ns}/{}", set.metadata.name),
            None => format!("networkset/{}", set.metadata.name),
        };
        out.push(Node {
            id,
            kind: NodeKind::NetworkSet,
            label: set.metadata.name.clone(),
            namespace: ns,
            name: set.metadata.name.clone(),
            labels: set.metadata.labels.clone(),
            layer: sets_layer,
            position: Position::default(),
        });
    }
    place(&mut out, &design.layout);
    out
}

/// Automatic positions by layer and row; a stored position wins.
fn place(nodes: &mut [Node], layout: &BTreeMap<String, Position>) {
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    // Namespaces first within their namespace, so that a namespace heads its workloads.
    order.sort_by(|&a, &b| {
        let (a, b) = (&nodes[a], &nodes[b]);
        (
            a.layer,
            &a.namespace,
            a.kind != NodeKind::Namespace,
            &a.name,
        )
            .cmp(&(
                b.layer,
                &b.namespace,
                b.kind != NodeKind::Namespace,
                &b.name,
            ))
    });
    let mut rows: BTreeMap<usize, usize> = BTreeMap::new();
    for i in order {
        let row = rows.entry(nodes[i].layer).or_default();
        nodes[i].position = layout.get(&nodes[i].id).copied().unwrap_or(Position {
            x: MARGIN + LAYER_WIDTH * nodes[i].layer as f64,
            y: MARGIN + ROW_HEIGHT * *row as f64,
        });
        *row += 1;
    }
}

/// How the design treats a drawn flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeVerdict {
    /// Allowed, staged policies included.
    Allowed,
    /// Denied, staged policies included.
    Denied,
    /// Denied today, allowed once the staged policies are enforced.
    AllowedWhenStaged,
    /// Allowed today, denied once the staged policies are enforced.
    DeniedWhenStaged,
    /// An end has no endpoint to evaluate (an empty network set).
    Unknown,
    /// Allowed or denied depending on a fact the design does not give (a workload's pod IP or
    /// container ports, what a `domains` rule matches).
    Undecidable,
}

impl EdgeVerdict {
    /// `allowed`, `denied`, … (CSS classes, test hooks).
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeVerdict::Allowed => "allowed",
            EdgeVerdict::Denied => "denied",
            EdgeVerdict::AllowedWhenStaged => "allowed-when-staged",
            EdgeVerdict::DeniedWhenStaged => "denied-when-staged",
            EdgeVerdict::Unknown => "unknown",
            EdgeVerdict::Undecidable => "undecidable",
        }
    }

    /// For people.
    pub fn describe(self) -> &'static str {
        match self {
            EdgeVerdict::Allowed => "allowed",
            EdgeVerdict::Denied => "denied",
            EdgeVerdict::AllowedWhenStaged => "allowed only when staged policies are enforced",
            EdgeVerdict::DeniedWhenStaged => "denied once staged policies are enforced",
            EdgeVerdict::Unknown => "cannot be evaluated",
            EdgeVerdict::Undecidable => "undecidable: depends on a fact the design does not give",
        }
    }

    fn of(verdicts: &[FlowVerdict]) -> EdgeVerdict {
        if verdicts.is_empty() {
            return EdgeVerdict::Unknown;
        }
        if verdicts
            .iter()
            .any(|v| v.undecidable.enforced.verdict.any() || v.undecidable.staged.verdict.any())
        {
            return EdgeVerdict::Undecidable;
        }
        let enforced = verdicts.iter().all(|v| v.verdict() == Verdict::Allow);
        let staged = verdicts
            .iter()
            .all(|v| v.staged.map_or(v.verdict(), |s| s.verdict) == Verdict::Allow);
        match (enforced, staged) {
            (true, true) => EdgeVerdict::Allowed,
            (false, false) => EdgeVerdict::Denied,
            (false, true) => EdgeVerdict::AllowedWhenStaged,
            (true, false) => EdgeVerdict::DeniedWhenStaged,
        }
    }
}

/// What identifies a drawn flow: its ends and its service (the annotation, protocol and destination
/// ports its rules carry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowKey {
    pub from: String,
    pub to: String,
    pub protocol: Protocol,
    pub ports: Vec<Port>,
}

/// One drawn flow and its verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub protocol: Protocol,
    pub ports: Vec<Port>,
    /// The tiers of the policies holding its rules, in the order they were found (one, unless the
    /// policies were moved apart on the board).
    pub tiers: Vec<String>,
    /// Its rules are in staged policies.
    pub staged: bool,
    /// The ClusterNetworkPolicy rules it was drawn as, each `kube-admin → <name> → rule "<rule>"`.
    pub guardrails: Vec<String>,
    pub verdict: EdgeVerdict,
}

impl Edge {
    /// `TCP 8443, 8444` (or the protocol alone).
    pub fn service(&self) -> String {
        let ports: Vec<String> = self.ports.iter().map(Port::to_string).collect();
        if ports.is_empty() {
            self.protocol.to_string()
        } else {
            format!("{} {}", self.protocol, ports.join(", "))
        }
    }

    /// What identifies the flow, for [`update_flow`] and [`remove_flow`].
    pub fn key(&self) -> FlowKey {
        FlowKey {
            from: self.from.clone(),
            to: self.to.clone(),
            protocol: self.protocol,
            ports: self.ports.clone(),
        }
    }
}

/// A drawn flow read back from its rules.
struct DrawnFlow {
    key: FlowKey,
    tiers: Vec<String>,
    staged: bool,
    guardrails: Vec<String>,
}

/// The flows drawn on the canvas, read back from the annotated rules, deduplicated and sorted.
fn drawn_flows(design: &Design) -> Vec<DrawnFlow> {
    let mut flows: Vec<DrawnFlow> = Vec::new();
    for policy in &design.policies {
        for rule in policy.spec.ingress.iter().chain(&policy.spec.egress) {
            let Some(mark) = rule
                .metadata
                .as_ref()
                .and_then(|m| m.annotations.get(FLOW_ANNOTATION))
            else {
                continue;
            };
            let Some((from, to)) = mark.split_once(" -> ") else {
                continue;
            };
            let Some(protocol) = rule.protocol else {
                continue;
            };
            let key = FlowKey {
                from: from.trim().to_owned(),
                to: to.trim().to_owned(),
                protocol,
                ports: rule.destination.ports.clone(),
            };
            let tier = policy.tier();
            match flows.iter_mut().find(|f| f.key == key) {
                Some(flow) => {
                    if !flow.tiers.iter().any(|t| t == tier) {
                        flow.tiers.push(tier.to_owned());
                    }
                    flow.staged |= policy.kind.is_staged();
                }
                None => flows.push(DrawnFlow {
                    key,
                    tiers: vec![tier.to_owned()],
                    staged: policy.kind.is_staged(),
                    guardrails: Vec::new(),
                }),
            }
        }
    }
    for policy in &design.cluster_policies {
        let Some((key, rule)) = guardrail::drawn(policy) else {
            continue;
        };
        let tier = policy.calico_tier().unwrap_or_default();
        let named = format!("{tier} → {} → rule \"{rule}\"", policy.metadata.name);
        match flows.iter_mut().find(|f| f.key == key) {
            Some(flow) => {
                if !flow.tiers.iter().any(|t| t == tier) {
                    flow.tiers.push(tier.to_owned());
                }
                flow.guardrails.push(named);
            }
            None => flows.push(DrawnFlow {
                key,
                tiers: vec![tier.to_owned()],
                staged: false,
                guardrails: vec![named],
            }),
        }
    }
    flows.sort_by(|a, b| {
        let (a, b) = (&a.key, &b.key);
        (&a.from, &a.to, a.protocol.number()).cmp(&(&b.from, &b.to, b.protocol.number()))
    });
    flows
}

/// The endpoint that stands for a node in the evaluator: the workload itself, a pod of the namespace
/// with no labels of its own, a network set's first address block, or every address for the world.
fn endpoint_of(ev: &mut Evaluator, design: &Design, node: &Node) -> Option<EndpointId> {
    match node.kind {
        NodeKind::Workload | NodeKind::Dns => {
            ev.workload(&format!("{}/{}", node.namespace.as_deref()?, node.name))
        }
        NodeKind::Namespace => {
            let ns = design.namespaces.iter().find(|n| n.name == node.name)?;
            let endpoint = WorkloadEndpoint {
                namespace: ns.name.clone(),
                namespace_labels: ns.labels.clone(),
                ..WorkloadEndpoint::default()
            };
            Some(ev.intern(&Endpoint::Workload(endpoint)))
        }
        NodeKind::NetworkSet => {
            let set = design
                .network_sets
                .iter()
                .find(|s| s.metadata.name == node.name && s.metadata.namespace == node.namespace)?;
            let net: IpNet = set.spec.nets.iter().find_map(|n| parse_net(n).ok())?;
            Some(ev.intern(&Endpoint::Outside(net)))
        }
        NodeKind::World => {
            let net: IpNet = WORLD_NET.parse().ok()?;
            Some(ev.intern(&Endpoint::Outside(net)))
        }
    }
}

/// The flows to evaluate for an edge: one per numeric port (a range by its first port), or one
/// without a port.
fn flows_of(src: EndpointId, dst: EndpointId, protocol: Protocol, ports: &[Port]) -> Vec<Flow> {
    let numbers: Vec<u16> = ports
        .iter()
        .filter_map(|p| match *p {
            Port::Number(n) => Some(n),
            Port::Range(lo, _) => Some(lo),
            Port::Named(_) => None,
        })
        .collect();
    if numbers.is_empty() {
        return vec![Flow {
            src,
            dst,
            protocol,
            port: None,
        }];
    }
    numbers
        .into_iter()
        .map(|port| Flow {
            src,
            dst,
            protocol,
            port: Some(port),
        })
        .collect()
}

/// The canvas of a design: its nodes and its drawn flows with their verdicts.
#[derive(Debug, Clone)]
pub struct Canvas {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    evaluator: Evaluator,
    /// The evaluated flows of each edge, for explanations.
    flows: Vec<Vec<Flow>>,
}

impl Canvas {
    /// Lays out the design and evaluates every drawn flow. Policies that do not compile are left out
    /// of the verdicts (the lints report them).
    pub fn of(design: &Design) -> Canvas {
        let nodes = nodes(design);
        let (mut evaluator, _errors) = Evaluator::build(&crate::design::to_resources(design));
        let mut endpoints: BTreeMap<&str, Option<EndpointId>> = BTreeMap::new();
        for node in &nodes {
            endpoints.insert(&node.id, endpoint_of(&mut evaluator, design, node));
        }
        let mut edges = Vec::new();
        let mut all_flows = Vec::new();
        for DrawnFlow {
            key,
            tiers,
            staged,
            guardrails,
        } in drawn_flows(design)
        {
            let FlowKey {
                from,
                to,
                protocol,
                ports,
            } = key;
            let ends = (
                endpoints.get(from.as_str()).copied().flatten(),
                endpoints.get(to.as_str()).copied().flatten(),
            );
            let flows = match ends {
                (Some(src), Some(dst)) => flows_of(src, dst, protocol, &ports),
                _ => Vec::new(),
            };
            let verdicts: Vec<FlowVerdict> = flows.iter().map(|f| evaluator.evaluate(f)).collect();
            edges.push(Edge {
                from,
                to,
                protocol,
                ports,
                tiers,
                staged,
                guardrails,
                verdict: EdgeVerdict::of(&verdicts),
            });
            all_flows.push(flows);
        }
        Canvas {
            nodes,
            edges,
            evaluator,
            flows: all_flows,
        }
    }

    /// The explanation of edge `index`, one per evaluated port.
    pub fn explain(&self, index: usize) -> Vec<Explanation> {
        self.flows
            .get(index)
            .map(|flows| flows.iter().map(|f| self.evaluator.explain(f)).collect())
            .unwrap_or_default()
    }

    /// The node with `id`.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// The label keys a selector for `labels` should use: the application-scope keys of the taxonomy
/// when the labels have any (they name the application), else every label.
pub(crate) fn identifying_labels<'a>(
    design: &Design,
    labels: &'a Labels,
) -> Vec<(&'a str, &'a str)> {
    let application: Vec<(&str, &str)> = labels
        .iter()
        .filter(|(k, _)| {
            design
                .taxonomy
                .iter()
                .any(|t| &t.key == *k && t.scope == LabelScope::Application)
        })
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if application.is_empty() {
        labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    } else {
        application
    }
}

#[cfg(test)]
mod tests;
