//! Verdicts that depend on facts the input does not give (`cli.md`, "Verdicts may be undecidable").
//!
//! Two facts about a workload can be missing: its pod IP (it is then somewhere in the cluster's pod
//! range) and its container ports (a named rule port then may or may not be the flow's port); and
//! what a `domains` or `services` rule matches is never known here. Rather
//! than guess, the evaluator enumerates the *possible worlds* that can make a difference and
//! evaluates the flow in each:
//! - the pod IP: one representative address per atom of the pod range cut by every CIDR a rule or a
//!   network set names (within an atom every `nets`/`notNets` test has the same answer, so one
//!   address stands for all of them, exactly);
//! - the container ports of the destination: none of the named ports the rules use is the flow's
//!   port, or exactly one of them is;
//! - rules whose match needs data the evaluator does not have (`domains`, `services`): they match
//!   nothing, or they match whenever the rest of the rule does.
//!
//! A verdict that is the same in every world is decided; one that differs is undecidable, and the
//! fact whose variation changes it is named. Endpoints whose facts are all given never enter this
//! path: the fast path is unchanged for them.

use std::net::IpAddr;

use ipnet::IpNet;

use super::compiled::Evaluator;
use super::walk::Quiet;
use super::{Direction, Endpoint, EndpointId, Flow, FlowVerdict, WorkloadEndpoint};

/// Which facts a verdict depends on (all false: decided).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Missing {
    /// The source workload's pod IP.
    pub src_ip: bool,
    /// The destination workload's pod IP.
    pub dst_ip: bool,
    /// The destination workload's container ports (a named rule port).
    pub dst_ports: bool,
    /// What a rule the evaluator cannot check matches (`domains`, `services`).
    pub rule_data: bool,
}

impl Missing {
    /// Whether the verdict depends on a missing fact.
    pub fn any(self) -> bool {
        self.src_ip || self.dst_ip || self.dst_ports || self.rule_data
    }
}

/// The verdict and each side of one mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SidesMissing {
    pub verdict: Missing,
    pub egress: Missing,
    pub ingress: Missing,
}

impl SidesMissing {
    pub fn any(self) -> bool {
        self.verdict.any() || self.egress.any() || self.ingress.any()
    }
}

/// What a [`FlowVerdict`] cannot decide, per mode. All default: every verdict is decided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Undecidable {
    pub enforced: SidesMissing,
    pub staged: SidesMissing,
}

impl Undecidable {
    pub fn any(self) -> bool {
        self.enforced.any() || self.staged.any()
    }
}

/// The worlds of one endpoint whose facts are missing.
#[derive(Debug, Clone, Default)]
pub(crate) struct EndpointWorlds {
    /// Hidden twins of the endpoint, one per pod-range atom (empty: the IP is known or no rule
    /// can tell the atoms apart).
    pub ip_variants: Vec<EndpointId>,
    /// The container ports are not given.
    pub ports_unknown: bool,
}

/// What the worlds were built from: rebuilt when an edit changes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct WorldCuts {
    /// CIDRs strictly inside a pod-range block (sorted, deduplicated).
    pub cuts: Vec<IpNet>,
    /// Named ports any rule names as a destination port (sorted, deduplicated).
    pub port_names: Vec<String>,
    /// Why some rules need data the evaluator does not have (`domains`, `services`), if any do.
    pub unsupported: Vec<&'static str>,
}

/// One representative address per atom of `pod_range` cut by `cuts` (empty when the pod range is one
/// block that no cut divides: the existing "somewhere in the range" answer is then exact).
pub(crate) fn ip_atoms(pod_range: &[IpNet], cuts: &[IpNet]) -> Vec<IpAddr> {
    let inside = |block: &IpNet| -> Vec<IpNet> {
        cuts.iter()
            .filter(|c| *c != block && block.contains(*c))
            .copied()
            .collect()
    };
    if pod_range.len() <= 1 && pod_range.iter().all(|b| inside(b).is_empty()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for block in pod_range {
        let nodes: Vec<IpNet> = std::iter::once(*block).chain(inside(block)).collect();
        for node in &nodes {
            // The largest cuts strictly inside this node: disjoint, since CIDRs nest or are apart.
            let mut children: Vec<IpNet> = nodes
                .iter()
                .filter(|c| *c != node && node.contains(*c))
                .filter(|c| {
                    !nodes
                        .iter()
                        .any(|o| o != *c && o != node && node.contains(o) && o.contains(*c))
                })
                .copied()
                .collect();
            children.sort();
            children.dedup();
            if let Some(ip) = first_uncovered(node, &children) {
                out.push(ip);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The first address of `node` inside none of `children` (sorted, disjoint, inside `node`).
fn first_uncovered(node: &IpNet, children: &[IpNet]) -> Option<IpAddr> {
    let mut candidate = as_number(node.network());
    let last = as_number(node.broadcast());
    for child in children {
        let (start, end) = (as_number(child.network()), as_number(child.broadcast()));
        if candidate < start {
            break;
        }
        if candidate <= end {
            candidate = end.checked_add(1)?;
        }
    }
    (candidate <= last).then(|| from_number(candidate, node.addr()))
}

fn as_number(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn from_number(n: u128, family: IpAddr) -> IpAddr {
    match family {
        IpAddr::V4(_) => IpAddr::V4(u32::try_from(n).unwrap_or(u32::MAX).into()),
        IpAddr::V6(_) => IpAddr::V6(n.into()),
    }
}

/// One world's answers: enforced (verdict, egress, ingress), then staged (or all allow when no
/// staged policy selects either end — the same in every world, since worlds keep the labels).
type Answers = [bool; 6];

fn answers(v: &FlowVerdict) -> Answers {
    use super::Verdict::Allow;
    let staged = v.staged.unwrap_or(v.enforced);
    [
        v.enforced.verdict == Allow,
        v.enforced.egress.verdict == Allow,
        v.enforced.ingress.verdict == Allow,
        staged.verdict == Allow,
        staged.egress.verdict == Allow,
        staged.ingress.verdict == Allow,
    ]
}

impl Evaluator {
    /// The worlds of a workload with a missing fact: a hidden twin per pod-range atom the rules
    /// can tell apart, and whether its container ports are unknown.
    pub(crate) fn build_worlds(&mut self, id: EndpointId, w: &WorkloadEndpoint) {
        let ip_variants = if w.ip.is_none() {
            let atoms = super::worlds::ip_atoms(&self.pod_range, &self.world_cuts.cuts);
            atoms
                .into_iter()
                .map(|ip| {
                    let twin = WorkloadEndpoint {
                        ip: Some(ip),
                        ..w.clone()
                    };
                    self.push_endpoint(&Endpoint::Workload(twin), true)
                })
                .collect()
        } else {
            Vec::new()
        };
        let ports_unknown = !w.ports_known && !self.world_cuts.port_names.is_empty();
        let uncertain = !ip_variants.is_empty() || ports_unknown;
        if let Some(hot) = self.hot.get_mut(id.0 as usize) {
            hot.uncertain = uncertain;
        }
        if uncertain {
            self.worlds.insert(
                id,
                EndpointWorlds {
                    ip_variants,
                    ports_unknown,
                },
            );
        } else {
            self.worlds.remove(&id);
        }
    }

    /// The CIDRs inside the pod range and the named ports that the policies and network sets use.
    pub(crate) fn current_world_cuts(&self) -> WorldCuts {
        let mut cuts: Vec<IpNet> = Vec::new();
        let mut port_names: Vec<String> = Vec::new();
        let mut unsupported: Vec<&'static str> = Vec::new();
        for policy in self.policies.iter().flatten() {
            for direction in [Direction::Ingress, Direction::Egress] {
                for rule in policy.norm.rules(direction).into_iter().flatten() {
                    unsupported.extend(rule.unsupported);
                    for entity in [&rule.src, &rule.dst] {
                        cuts.extend(entity.nets.iter().chain(&entity.not_nets));
                    }
                    port_names.extend(rule.dst.ports.named.iter().cloned());
                    port_names.extend(rule.dst.not_ports.named.iter().cloned());
                }
            }
        }
        cuts.extend(self.sets.iter().flat_map(|s| s.nets.iter()));
        cuts.retain(|c| self.pod_range.iter().any(|b| b != c && b.contains(c)));
        cuts.sort();
        cuts.dedup();
        port_names.sort();
        port_names.dedup();
        unsupported.sort_unstable();
        unsupported.dedup();
        WorldCuts {
            cuts,
            port_names,
            unsupported,
        }
    }

    /// After an edit: rebuilds the worlds when the CIDRs or named ports they come from changed.
    pub(crate) fn refresh_worlds(&mut self) {
        let fresh = self.current_world_cuts();
        if fresh == self.world_cuts {
            return;
        }
        self.world_cuts = fresh;
        let uncertain: Vec<(EndpointId, WorkloadEndpoint)> = self
            .endpoints
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.hidden)
            .filter_map(|(i, e)| match &e.endpoint {
                Endpoint::Workload(w) if w.ip.is_none() || !w.ports_known => {
                    Some((EndpointId(i as u32), w.clone()))
                }
                _ => None,
            })
            .collect();
        // Twins of the old cuts stay behind, hidden and unreferenced: edits are rare next to flows.
        for (id, w) in uncertain {
            self.build_worlds(id, &w);
        }
    }

    /// [`Evaluator::evaluate`] for a flow with an end whose facts are missing: evaluates every world
    /// and marks what differs. `base` is the evaluation of the flow itself.
    pub(crate) fn evaluate_worlds(&self, flow: &Flow, base: FlowVerdict) -> FlowVerdict {
        self.worlds_outcome(flow, base).0
    }

    /// The flow whose walk gives [`Evaluator::evaluate`]'s answer: the flow itself, or — when every
    /// possible pod IP agrees on an answer that the pod range taken as a whole does not give (a
    /// `notNets` and a `nets` rule that between them cover every address) — the flow between the
    /// hidden twins of one such world. Explanations walk it; the tests check it against the
    /// reference evaluator.
    pub fn decisive_flow(&self, flow: &Flow) -> Flow {
        if !self.is_uncertain(flow) {
            return *flow;
        }
        let base = self.evaluate_with(flow, &mut Quiet, &mut Quiet);
        self.worlds_outcome(flow, base).1.unwrap_or(*flow)
    }

    /// The verdict, and the world flow that replaced the flow's own walk, if one did.
    fn worlds_outcome(&self, flow: &Flow, base: FlowVerdict) -> (FlowVerdict, Option<Flow>) {
        let src_ips = self.ip_worlds(flow.src);
        let dst_ips = self.ip_worlds(flow.dst);
        let names = self.port_name_worlds(flow);
        let rule_data: &[bool] = if self.world_cuts.unsupported.is_empty() {
            &[false]
        } else {
            &[false, true]
        };
        let axes = [src_ips.len(), dst_ips.len(), names.len(), rule_data.len()];
        if axes.iter().all(|&n| n == 1) {
            return (base, None);
        }
        // Every world, indexed by its position on each axis (source IP, destination IP, named port,
        // rule data), with its answers.
        let mut worlds: Vec<([usize; 4], Answers, FlowVerdict)> = Vec::new();
        for (s, &src) in src_ips.iter().enumerate() {
            for (d, &dst) in dst_ips.iter().enumerate() {
                for (n, name) in names.iter().enumerate() {
                    for (r, &data) in rule_data.iter().enumerate() {
                        let world = Flow { src, dst, ..*flow };
                        let v = self.evaluate_in_world(
                            &world,
                            name.as_deref(),
                            data,
                            &mut Quiet,
                            &mut Quiet,
                        );
                        worlds.push(([s, d, n, r], answers(&v), v));
                    }
                }
            }
        }
        let at = |point: [usize; 4]| worlds.iter().find(|w| w.0 == point).map(|w| w.1);
        // A fact matters for an answer when moving along its axis alone changes that answer.
        let mut missing = [Missing::default(); 6];
        for (point, answer, _) in &worlds {
            for axis in 0..4 {
                if point[axis] == 0 {
                    continue;
                }
                let mut origin = *point;
                origin[axis] = 0;
                let Some(other) = at(origin) else { continue };
                for (k, m) in missing.iter_mut().enumerate() {
                    if answer[k] != other[k] {
                        match axis {
                            0 => m.src_ip = true,
                            1 => m.dst_ip = true,
                            2 => m.dst_ports = true,
                            _ => m.rule_data = true,
                        }
                    }
                }
            }
        }
        let Some(first) = worlds.first() else {
            return (base, None);
        };
        let undecidable = Undecidable {
            enforced: SidesMissing {
                verdict: missing[0],
                egress: missing[1],
                ingress: missing[2],
            },
            staged: if base.staged.is_some() {
                SidesMissing {
                    verdict: missing[3],
                    egress: missing[4],
                    ingress: missing[5],
                }
            } else {
                SidesMissing::default()
            },
        };
        if undecidable.any() {
            return (
                FlowVerdict {
                    undecidable,
                    ..base
                },
                None,
            );
        }
        // Decided in every world. The flow's own evaluation (the pod range as a whole) usually says
        // the same and names the rule as before; where it does not, a real world's answer stands:
        // the first world, which assumes no named port and no `domains` match, as the flow's own
        // walk does, and differs from it only by the twins' addresses.
        if answers(&base) == first.1 {
            (base, None)
        } else {
            let world = Flow {
                src: src_ips.first().copied().unwrap_or(flow.src),
                dst: dst_ips.first().copied().unwrap_or(flow.dst),
                ..*flow
            };
            (first.2, Some(world))
        }
    }

    /// The endpoints standing for `id`'s possible pod IPs (itself when there is one world).
    fn ip_worlds(&self, id: EndpointId) -> Vec<EndpointId> {
        match self.worlds.get(&id) {
            Some(w) if !w.ip_variants.is_empty() => w.ip_variants.clone(),
            _ => vec![id],
        }
    }

    /// `None` (no named port of the rules is the flow's port) and, when the destination's container
    /// ports are not given and the flow carries a port, each named port that could be.
    fn port_name_worlds(&self, flow: &Flow) -> Vec<Option<String>> {
        let unknown = self.worlds.get(&flow.dst).is_some_and(|w| w.ports_unknown)
            && flow.port.is_some()
            && crate::model::carries_ports(flow.protocol.number());
        let mut out = vec![None];
        if unknown {
            out.extend(self.world_cuts.port_names.iter().cloned().map(Some));
        }
        out
    }

    /// The sentence naming what a verdict depends on, for people and for the JSON `missing` field.
    pub fn describe_missing(&self, flow: &Flow, missing: Missing) -> String {
        let mut parts = Vec::new();
        if missing.src_ip {
            parts.push(format!("the pod IP of {}", self.subject(flow.src)));
        }
        if missing.dst_ip {
            parts.push(format!("the pod IP of {}", self.subject(flow.dst)));
        }
        if missing.dst_ports {
            let names = self.deciding_port_names(flow);
            let which = if names.is_empty() {
                String::new()
            } else {
                format!(
                    " (named port {})",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            parts.push(format!(
                "the container ports of {}{which}",
                self.subject(flow.dst)
            ));
        }
        if missing.rule_data {
            parts.extend(
                self.world_cuts
                    .unsupported
                    .iter()
                    .map(|why| (*why).to_owned()),
            );
        }
        parts.join("; ")
    }

    /// `namespace/name`, or for an unnamed workload its namespace and labels.
    fn subject(&self, id: EndpointId) -> String {
        match self.endpoint(id) {
            Some(Endpoint::Workload(w)) if w.name.is_none() => {
                let labels: Vec<String> =
                    w.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                if labels.is_empty() {
                    format!("the workloads of namespace {}", w.namespace)
                } else {
                    format!("the workload {{{}}} in {}", labels.join(", "), w.namespace)
                }
            }
            _ => self.endpoint_label(id),
        }
    }

    /// The named ports whose presence on the destination changes the enforced or staged verdict.
    fn deciding_port_names(&self, flow: &Flow) -> Vec<String> {
        let none = answers(&self.evaluate_assuming(flow, None, &mut Quiet, &mut Quiet));
        self.world_cuts
            .port_names
            .iter()
            .filter(|name| {
                answers(&self.evaluate_assuming(flow, Some(name), &mut Quiet, &mut Quiet)) != none
            })
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn ips(list: &[IpAddr]) -> Vec<String> {
        list.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn one_block_without_cuts_needs_no_worlds() {
        assert!(
            ip_atoms(
                &nets(&["10.0.0.0/16"]),
                &nets(&["0.0.0.0/0", "192.168.0.0/24"])
            )
            .is_empty()
        );
    }

    #[test]
    fn cuts_inside_the_range_give_one_address_per_atom() {
        let atoms = ip_atoms(
            &nets(&["10.0.0.0/16"]),
            &nets(&[
                "10.0.1.0/24",
                "10.0.1.128/25",
                "10.0.0.0/24",
                "172.16.0.0/12",
            ]),
        );
        // The range outside both /24s, 10.0.0.0/24, 10.0.1.0/24 outside the /25, and the /25.
        assert_eq!(
            ips(&atoms),
            ["10.0.0.0", "10.0.1.0", "10.0.1.128", "10.0.2.0"]
        );
    }

    #[test]
    fn a_node_wholly_covered_by_its_children_has_no_atom_of_its_own() {
        let atoms = ip_atoms(
            &nets(&["10.0.0.0/16"]),
            &nets(&["10.0.0.0/17", "10.0.128.0/17"]),
        );
        assert_eq!(ips(&atoms), ["10.0.0.0", "10.0.128.0"]);
    }

    #[test]
    fn two_pools_are_two_atoms_even_without_cuts() {
        let atoms = ip_atoms(&nets(&["10.0.0.0/16", "fd00::/48"]), &[]);
        assert_eq!(ips(&atoms), ["10.0.0.0", "fd00::"]);
    }
}
