//! What one allow rule exposes, read from its peer (the source of an ingress rule, the destination of
//! an egress rule) and its destination ports.
//!
//! A peer with no positive label criterion (no selector, namespaceSelector, service accounts,
//! services or domains) is an address match: every address, or its `nets` less its `notNets` (a
//! `notSelector` alone does not keep addresses out). A peer by selectors reaches the addresses of the
//! network sets it selects. Only a peer with no criterion at all counts as every namespace's pods by
//! address; a peer by selectors does when every workload satisfies them (`namespaceSelector: all()`
//! with no pod selector, Kubernetes' `namespaceSelector: {}`).

use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;

use crate::eval::Direction;
use crate::lint::context::Context;
use crate::lint::symbolic;
use crate::lint::universe::NAMESPACE_LABEL;
use crate::model::vocabulary::addresses::parse_net;
use crate::model::{CalicoPolicy, ContainerPort, EntityRule, Port, Rule};
use crate::selector::{Expr, MatchOp, Selector};

use super::order::View;
use super::walk::policy_type;
use super::{Exposure, ExposureKind, SENSITIVE_PORTS, WIDE_RANGE};

/// The cloud metadata addresses (AWS, GCP, Azure and others; AWS's IPv6 one).
const METADATA: [IpAddr; 2] = [
    IpAddr::V4(std::net::Ipv4Addr::new(169, 254, 169, 254)),
    IpAddr::V6(std::net::Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
];

/// The subject's container ports as they resolve a rule's named destination ports: per named port
/// (`Port::Named`, in `ports` then `notPorts` order), the numbers a container port of that name and
/// the rule's protocol has. `None`: the subject's ports are not known (a label class).
pub(super) type Resolved = Option<Vec<Vec<u16>>>;

/// How `subject_ports` resolve the named ports of the rule (`Some(vec![])` for a rule with none).
pub(super) fn resolve_named(r: &Rule, subject_ports: Option<&[ContainerPort]>) -> Resolved {
    let named: Vec<&str> = named_ports(r).collect();
    if named.is_empty() {
        return Some(Vec::new());
    }
    let ports = subject_ports?;
    Some(
        named
            .iter()
            .map(|name| {
                ports
                    .iter()
                    .filter(|c| c.name.as_deref() == Some(*name))
                    .filter(|c| r.protocol.is_none_or(|p| p.number() == c.protocol.number()))
                    .map(|c| c.port)
                    .collect()
            })
            .collect(),
    )
}

/// The named ports of a rule's destination, `ports` then `notPorts`.
fn named_ports(r: &Rule) -> impl Iterator<Item = &str> {
    r.destination
        .ports
        .iter()
        .chain(&r.destination.not_ports)
        .filter_map(|p| match p {
            Port::Named(name) => Some(name.as_str()),
            _ => None,
        })
}

/// The exposures of rule `rule` (of `direction`) of the enforced policy at `at`, for a subject in
/// `namespace` (`None`: a label class that may span namespaces) whose container ports resolve the
/// rule's named ports as `resolved` says.
pub(super) fn of_rule(
    view: &View<'_>,
    ctx: &Context<'_>,
    at: usize,
    rule: usize,
    direction: Direction,
    namespace: Option<&str>,
    resolved: &Resolved,
) -> Vec<Exposure> {
    let Some(enforced) = view.enforced.get(at) else {
        return Vec::new();
    };
    let policy = view.policy(enforced);
    let Some(r) = crate::lint::context::rules(policy, policy_type(direction)).get(rule) else {
        return Vec::new();
    };
    let peer = match direction {
        Direction::Ingress => &r.source,
        Direction::Egress => &r.destination,
    };
    let sensitive = Sensitive::of(r, direction, resolved);
    if sensitive.matches_nothing {
        // Every destination port is a name the subject's containers do not have: as in Calico, the
        // rule matches none of its packets.
        return Vec::new();
    }
    let addresses = Addresses::of(ctx, policy, peer);
    let ports = PortsText::of(r);
    let mut kinds: Vec<(ExposureKind, String)> = Vec::new();
    if addresses.reach_world() {
        kinds.push((ExposureKind::World, ports.all.clone()));
    }
    if every_namespace(ctx, policy, peer) {
        kinds.push((ExposureKind::AllNamespaces, ports.all.clone()));
    }
    if direction == Direction::Egress && addresses.reach_metadata() {
        kinds.push((ExposureKind::Metadata, ports.all.clone()));
    }
    if ports.carried && r.destination.ports.is_empty() {
        kinds.push((ExposureKind::AllPorts, ports.all.clone()));
    }
    if ports.carried && r.destination.ports.iter().any(is_wide) {
        kinds.push((ExposureKind::WideRange, ports.all.clone()));
    }
    let mut missing = None;
    if direction == Direction::Ingress
        && ports.carried
        && (!sensitive.certain.is_empty() || !sensitive.unknown_names.is_empty())
        && (addresses.any_address || from_other_namespace(ctx, policy, peer, namespace))
    {
        if sensitive.certain.is_empty() {
            // Only a named port may be a sensitive one, and the subject's ports are not known.
            missing = Some(Arc::from(format!(
                "the container ports of its workloads (named port {})",
                sensitive.unknown_names.join(", ")
            )));
            kinds.push((
                ExposureKind::SensitivePort,
                format!("{}/{}", ports.protocol, sensitive.unknown_names.join(",")),
            ));
        } else {
            let list: Vec<String> = sensitive.certain.iter().map(u16::to_string).collect();
            kinds.push((
                ExposureKind::SensitivePort,
                format!("{}/{}", ports.protocol, list.join(",")),
            ));
        }
    }
    let decided_by = Arc::new(enforced.rule(rule));
    kinds
        .into_iter()
        .map(|(kind, ports)| Exposure {
            kind,
            direction,
            ports: ports.into(),
            missing: (kind == ExposureKind::SensitivePort)
                .then(|| missing.clone())
                .flatten(),
            decided_by: Arc::clone(&decided_by),
        })
        .collect()
}

/// The sensitive ports an (ingress) rule's destination ports reach on its subject.
#[derive(Debug, Default)]
struct Sensitive {
    /// Reached for certain: by number, by range, by every port, or by a name the subject's container
    /// ports resolve to one, and not excepted.
    certain: Vec<u16>,
    /// Named ports that may be a sensitive one: the subject's ports are not known.
    unknown_names: Vec<String>,
    /// Every destination port is a name the subject's ports do not resolve: the rule matches nothing.
    matches_nothing: bool,
}

impl Sensitive {
    fn of(r: &Rule, direction: Direction, resolved: &Resolved) -> Sensitive {
        // An egress rule's named ports are the peer's, and sensitive ports are an ingress matter.
        if direction != Direction::Ingress {
            return Sensitive::default();
        }
        let Some(resolved) = resolved else {
            let mut unknown_names: Vec<String> = r
                .destination
                .ports
                .iter()
                .filter_map(|p| match p {
                    Port::Named(name) => Some(name.clone()),
                    _ => None,
                })
                .collect();
            let mut certain = Self::numeric(r, direction, &[], &[]);
            if r.destination
                .not_ports
                .iter()
                .any(|p| matches!(p, Port::Named(_)))
            {
                // A named exception may be any of them.
                unknown_names.extend(certain.drain(..).map(|p| p.to_string()));
            }
            return Sensitive {
                certain,
                unknown_names,
                matches_nothing: false,
            };
        };
        // `resolved` lists the named `ports` first, then the named `notPorts`.
        let named_in = r
            .destination
            .ports
            .iter()
            .filter(|p| matches!(p, Port::Named(_)))
            .count();
        let (included, excluded) = resolved.split_at(named_in.min(resolved.len()));
        let included: Vec<u16> = included.iter().flatten().copied().collect();
        let excluded: Vec<u16> = excluded.iter().flatten().copied().collect();
        let only_names = !r.destination.ports.is_empty()
            && r.destination
                .ports
                .iter()
                .all(|p| matches!(p, Port::Named(_)));
        Sensitive {
            certain: Self::numeric(r, direction, &included, &excluded),
            unknown_names: Vec::new(),
            matches_nothing: only_names && included.is_empty(),
        }
    }

    /// The sensitive ports the rule reaches by number, by every port, or as `included`, less
    /// `notPorts` by number and `excluded`.
    fn numeric(r: &Rule, direction: Direction, included: &[u16], excluded: &[u16]) -> Vec<u16> {
        if direction != Direction::Ingress {
            return Vec::new();
        }
        SENSITIVE_PORTS
            .into_iter()
            .filter(|&p| {
                (r.destination.ports.is_empty()
                    || r.destination.ports.iter().any(|e| e.contains(p))
                    || included.contains(&p))
                    && !r.destination.not_ports.iter().any(|e| e.contains(p))
                    && !excluded.contains(&p)
            })
            .collect()
    }
}

/// A range of [`WIDE_RANGE`] ports or more.
fn is_wide(port: &Port) -> bool {
    matches!(*port, Port::Range(lo, hi) if u32::from(hi) - u32::from(lo) + 1 >= WIDE_RANGE)
}

/// The rule's protocol and destination ports as the report writes them.
struct PortsText {
    /// `TCP`, or `any` for a rule of every protocol.
    protocol: String,
    /// `TCP/8443`, `any/all`, `TCP/all except 22`.
    all: String,
    /// The rule's protocol carries ports (or it names none).
    carried: bool,
}

impl PortsText {
    fn of(r: &Rule) -> PortsText {
        let protocol = r
            .protocol
            .map_or_else(|| "any".to_owned(), |p| p.canonical().to_string());
        let list = |ports: &[Port]| {
            ports
                .iter()
                .map(Port::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut all = if r.destination.ports.is_empty() {
            format!("{protocol}/all")
        } else {
            format!("{protocol}/{}", list(&r.destination.ports))
        };
        if !r.destination.not_ports.is_empty() {
            all.push_str(&format!(" except {}", list(&r.destination.not_ports)));
        }
        PortsText {
            carried: r.protocol.is_none_or(|p| p.has_ports()),
            protocol,
            all,
        }
    }
}

/// The addresses a peer reaches.
struct Addresses {
    /// The peer has no positive label criterion: it matches by address (every address, or its nets).
    any_address: bool,
    nets: Vec<IpNet>,
    not_nets: Vec<IpNet>,
}

impl Addresses {
    fn of(ctx: &Context<'_>, policy: &CalicoPolicy, peer: &EntityRule) -> Addresses {
        let parse = |nets: &[String]| -> Vec<IpNet> {
            nets.iter().filter_map(|n| parse_net(n).ok()).collect()
        };
        let not_nets = parse(&peer.not_nets);
        if !has_positive_labels(peer) {
            let nets = if peer.nets.is_empty() {
                vec![IpNet::V4(Default::default()), IpNet::V6(Default::default())]
            } else {
                parse(&peer.nets)
            };
            return Addresses {
                any_address: true,
                nets,
                not_nets,
            };
        }
        // A peer by selectors reaches the addresses of the network sets it selects; with
        // `namespaceSelector: global()`, of the global ones only.
        let global = peer
            .namespace_selector
            .as_deref()
            .is_some_and(|t| t.contains("global("));
        let selector = if global {
            match peer.selector.as_deref() {
                Some(text) => ctx.selectors.lookup(text).cloned(),
                None => Some(Selector::all()),
            }
        } else {
            symbolic::peer(ctx, policy, peer)
        };
        let nets = match selector {
            Some(selector) => ctx
                .sets
                .iter()
                .filter(|s| !global || s.namespace.is_none())
                .filter(|s| selector.matches(&s.labels))
                .flat_map(|s| s.nets.iter().copied())
                .collect(),
            None => Vec::new(),
        };
        Addresses {
            any_address: false,
            nets,
            not_nets,
        }
    }

    /// Some net is `0.0.0.0/0` or `::/0` and no exception is.
    fn reach_world(&self) -> bool {
        self.nets.iter().any(|n| {
            n.prefix_len() == 0
                && !self
                    .not_nets
                    .iter()
                    .any(|x| x.prefix_len() == 0 && x.addr().is_ipv4() == n.addr().is_ipv4())
        })
    }

    /// A metadata address is in a net and in no exception.
    fn reach_metadata(&self) -> bool {
        METADATA.iter().any(|ip| {
            self.nets.iter().any(|n| n.contains(ip))
                && !self.not_nets.iter().any(|n| n.contains(ip))
        })
    }
}

/// Whether the peer has a criterion that only labelled endpoints (or services, domains) meet.
fn has_positive_labels(peer: &EntityRule) -> bool {
    peer.selector.is_some()
        || peer.namespace_selector.is_some()
        || peer.service_accounts.is_some()
        || peer.services.is_some()
        || !peer.domains.is_empty()
}

/// Every pod of every namespace matches the peer: no criterion but ports, or selectors whose
/// conjunction (pod labels, namespace scope, Calico's own labels) every workload satisfies. A peer
/// that asks for labels is not "every namespace", even when it may be in any of them.
fn every_namespace(ctx: &Context<'_>, policy: &CalicoPolicy, peer: &EntityRule) -> bool {
    let unrestricted = EntityRule {
        ports: Vec::new(),
        not_ports: Vec::new(),
        ..peer.clone()
    }
    .is_empty();
    if unrestricted {
        return true;
    }
    if !has_positive_labels(peer) {
        return false;
    }
    symbolic::peer(ctx, policy, peer).is_some_and(|s| Selector::all().implies(&s) == Some(true))
}

/// Pods of a namespace other than `namespace` may match the peer; when unsure, yes.
fn from_other_namespace(
    ctx: &Context<'_>,
    policy: &CalicoPolicy,
    peer: &EntityRule,
    namespace: Option<&str>,
) -> bool {
    let no_namespace = peer
        .namespace_selector
        .as_deref()
        .is_none_or(|t| t.trim().is_empty());
    if no_namespace && policy.kind.is_namespaced() {
        // The policy's own namespace: the subject's, since the policy selects it.
        return false;
    }
    let (Some(namespace), Some(peer)) = (namespace, symbolic::peer(ctx, policy, peer)) else {
        return true;
    };
    let elsewhere = Expr::Match {
        key: NAMESPACE_LABEL.to_owned(),
        op: MatchOp::Ne,
        value: namespace.to_owned(),
    };
    match Selector::from_expr(elsewhere) {
        Ok(elsewhere) => !peer.overlaps(&elsewhere).is_no(),
        Err(_) => true,
    }
}
