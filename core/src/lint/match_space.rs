//! Rules as regions of the finite flow space ([`super::space`]).
//!
//! Peers are partitioned into classes that every rule treats alike: each workload (per address
//! family when its IP is unknown) and each region of address space cut out by every CIDR the design
//! writes (network sets, rule `nets`/`notNets`, workload IPs). Identity matching follows
//! `calico-semantics.md` §5.2: a positive selector matches a class when some entity at that address
//! matches it; `notSelector` when none does.
//!
//! Where the model cannot be sure (a workload whose IP is unknown against a CIDR, HTTP or ICMP
//! type matches, domains, services) a rule gets two regions: `may` (every flow it could match) and
//! `must` (flows it certainly matches). Shadowing removes only `must` regions of earlier rules from
//! the `may` region of the rule under test, so it never reports a rule that could match.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::model::{CalicoPolicy, EntityRule, Labels, PolicyType, Port, Rule};
use crate::selector::LabelLookup;

use super::context::Context;
use super::space::{Bits, FlowBox, Ports, Region};
use super::universe::{Endpoint, NAME_LABEL, NAMESPACE_LABEL, namespace_labels};

/// IPv4 or IPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

fn family_of(net: &IpNet) -> Family {
    match net {
        IpNet::V4(_) => Family::V4,
        IpNet::V6(_) => Family::V6,
    }
}

/// `(family, first, last)` of a CIDR as integers.
fn net_range(net: &IpNet) -> (Family, u128, u128) {
    match net {
        IpNet::V4(n) => (
            Family::V4,
            u32::from(n.network()).into(),
            u32::from(n.broadcast()).into(),
        ),
        IpNet::V6(n) => (
            Family::V6,
            u128::from(n.network()),
            u128::from(n.broadcast()),
        ),
    }
}

fn ip_value(ip: IpAddr) -> (Family, u128) {
    match ip {
        IpAddr::V4(a) => (Family::V4, u32::from(a).into()),
        IpAddr::V6(a) => (Family::V6, u128::from(a)),
    }
}

/// A CIDR or a single address (`/32`, `/128`), host bits masked. `None` when it does not parse.
pub fn parse_net(text: &str) -> Option<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>()
        .map(|n| n.trunc())
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

/// A network set as rule selectors see it.
struct SetInfo {
    labels: Labels,
    namespace: Option<String>,
    ns_labels: Labels,
    nets: Vec<IpNet>,
}

/// A class of peers every rule treats alike.
#[derive(Debug, Clone)]
pub enum PeerClass {
    /// A workload (index into the endpoints), for one family when its IP is unknown.
    Workload {
        endpoint: usize,
        family: Family,
        ip: Option<u128>,
        sets: Vec<usize>,
    },
    /// Addresses `lo..=hi` of one family that no workload is known to hold.
    Region {
        family: Family,
        lo: u128,
        sets: Vec<usize>,
    },
}

impl PeerClass {
    fn family(&self) -> Family {
        match self {
            PeerClass::Workload { family, .. } | PeerClass::Region { family, .. } => *family,
        }
    }
}

/// Labels of something with no namespace, for `namespaceSelector` (`global()` matches it).
struct NoNamespace;

impl LabelLookup for NoNamespace {
    fn label(&self, _key: &str) -> Option<&str> {
        None
    }
    fn is_global(&self) -> bool {
        true
    }
}

/// Something with an address that a rule's identity criteria test.
enum Entity<'x> {
    Workload(&'x Endpoint),
    Set(&'x SetInfo),
}

/// The flow space of a design, and rules compiled into it.
pub struct Space<'a> {
    ctx: &'a Context<'a>,
    pub peers: Vec<PeerClass>,
    sets: Vec<SetInfo>,
    /// Known IPs of the endpoints.
    local_ips: Vec<Option<(Family, u128)>>,
}

/// A rule compiled: what it may match and what it certainly matches.
pub struct CompiledRule {
    pub may: Region,
    pub must: Region,
}

/// Whether a match is certain, possible or impossible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tri {
    may: bool,
    must: bool,
}

impl Tri {
    const YES: Tri = Tri {
        may: true,
        must: true,
    };
    const NO: Tri = Tri {
        may: false,
        must: false,
    };
    const MAYBE: Tri = Tri {
        may: true,
        must: false,
    };

    fn and(self, o: Tri) -> Tri {
        Tri {
            may: self.may && o.may,
            must: self.must && o.must,
        }
    }

    fn not(self) -> Tri {
        Tri {
            may: !self.must,
            must: !self.may,
        }
    }

    fn exact(b: bool) -> Tri {
        if b { Tri::YES } else { Tri::NO }
    }
}

impl<'a> Space<'a> {
    pub fn new(ctx: &'a Context<'a>) -> Space<'a> {
        let set = ctx.set;
        let sets: Vec<SetInfo> = set
            .network_sets
            .iter()
            .map(|s| {
                let mut labels = s.metadata.labels.clone();
                let ns_labels = s
                    .metadata
                    .namespace
                    .as_deref()
                    .map(|ns| namespace_labels(set, ns))
                    .unwrap_or_default();
                if let Some(ns) = &s.metadata.namespace {
                    labels.extend(
                        ns_labels
                            .iter()
                            .map(|(k, v)| (format!("pcns.{k}"), v.clone())),
                    );
                    labels.insert(NAMESPACE_LABEL.to_owned(), ns.clone());
                }
                SetInfo {
                    labels,
                    namespace: s.metadata.namespace.clone(),
                    ns_labels,
                    nets: s.spec.nets.iter().filter_map(|n| parse_net(n)).collect(),
                }
            })
            .collect();
        let local_ips: Vec<Option<(Family, u128)>> = set
            .workloads
            .iter()
            .map(|w| {
                w.ip.as_deref()
                    .and_then(|ip| ip.trim().parse::<IpAddr>().ok())
                    .map(ip_value)
            })
            .collect();
        // Every CIDR that can tell addresses apart.
        let mut cuts: Vec<(Family, u128, u128)> = sets
            .iter()
            .flat_map(|s| s.nets.iter().map(net_range))
            .collect();
        for p in &set.policies {
            for rule in p.spec.ingress.iter().chain(&p.spec.egress) {
                for e in [&rule.source, &rule.destination] {
                    cuts.extend(
                        e.nets
                            .iter()
                            .chain(&e.not_nets)
                            .filter_map(|n| parse_net(n))
                            .map(|n| net_range(&n)),
                    );
                }
            }
        }
        let mut peers = Vec::new();
        for (endpoint, ip) in local_ips.iter().enumerate() {
            match ip {
                Some((family, value)) => {
                    let in_sets = sets_containing(&sets, *family, *value);
                    peers.push(PeerClass::Workload {
                        endpoint,
                        family: *family,
                        ip: Some(*value),
                        sets: in_sets,
                    });
                }
                None => {
                    for family in [Family::V4, Family::V6] {
                        peers.push(PeerClass::Workload {
                            endpoint,
                            family,
                            ip: None,
                            sets: Vec::new(),
                        });
                    }
                }
            }
        }
        for (family, max) in [(Family::V4, u128::from(u32::MAX)), (Family::V6, u128::MAX)] {
            let mut points: Vec<u128> = vec![0];
            for &(f, lo, hi) in &cuts {
                if f == family {
                    points.push(lo);
                    if hi < max {
                        points.push(hi + 1);
                    }
                }
            }
            points.sort_unstable();
            points.dedup();
            for (i, &lo) in points.iter().enumerate() {
                let hi = points.get(i + 1).map_or(max, |next| next - 1);
                let _ = hi;
                peers.push(PeerClass::Region {
                    family,
                    lo,
                    sets: sets_containing(&sets, family, lo),
                });
            }
        }
        Space {
            ctx,
            peers,
            sets,
            local_ips,
        }
    }

    pub fn locals(&self) -> usize {
        self.ctx.endpoints.len()
    }

    /// The endpoints a policy applies to.
    pub fn applied(&self, p: &CalicoPolicy) -> Bits {
        let mut bits = Bits::empty(self.locals());
        for (i, e) in self.ctx.endpoints.iter().enumerate() {
            if self.ctx.applies(p, e) {
                bits.insert(i);
            }
        }
        bits
    }

    /// Compiles rule `rule` of policy `p` in `direction`, for the endpoints in `applied`.
    pub fn compile(
        &self,
        p: &CalicoPolicy,
        direction: PolicyType,
        rule: &Rule,
        applied: &Bits,
    ) -> CompiledRule {
        let (local_side, peer_side) = match direction {
            PolicyType::Ingress => (&rule.destination, &rule.source),
            PolicyType::Egress => (&rule.source, &rule.destination),
        };
        let mut may = FlowBox::full(self.locals(), self.peers.len());
        may.local = applied.clone();
        let mut must = may.clone();
        // Identity and addresses of both sides.
        for (i, e) in self.ctx.endpoints.iter().enumerate() {
            if !applied.contains(i) {
                continue;
            }
            let t = self.entity_side(
                p,
                local_side,
                &[Entity::Workload(e)],
                self.local_ips[i].map(|(f, v)| (f, Some(v))),
                None,
            );
            if !t.may {
                may.local = may.local.minus(&single(self.locals(), i));
            }
            if !t.must {
                must.local = must.local.minus(&single(self.locals(), i));
            }
        }
        let mut may_peer = Bits::empty(self.peers.len());
        let mut must_peer = Bits::empty(self.peers.len());
        for (i, class) in self.peers.iter().enumerate() {
            if rule
                .ip_version
                .is_some_and(|v| (v == 4) != (class.family() == Family::V4))
            {
                continue;
            }
            let t = self.peer_side(p, peer_side, class);
            if t.may {
                may_peer.insert(i);
            }
            if t.must {
                must_peer.insert(i);
            }
        }
        may.peer = may_peer;
        must.peer = must_peer;
        // Protocols.
        let mut proto = Bits::full(256);
        if let Some(pr) = rule.protocol {
            proto = single(256, usize::from(pr.number()));
        }
        if let Some(not) = rule.not_protocol {
            proto = proto.minus(&single(256, usize::from(not.number())));
        }
        may.proto = proto.clone();
        must.proto = proto;
        let uncertain = rule.http.is_some()
            || rule.icmp.is_some()
            || !local_side.domains.is_empty()
            || !peer_side.domains.is_empty()
            || local_side.services.is_some()
            || peer_side.services.is_some();
        if rule.not_icmp.is_some() {
            must.proto = must.proto.minus(&single(256, 1)).minus(&single(256, 58));
        }
        let mut may_boxes = vec![may];
        let mut must_boxes = if uncertain { Vec::new() } else { vec![must] };
        // Ports: source ports belong to the source, destination ports to the destination.
        let (src_owner_local, dst_owner_local) = match direction {
            PolicyType::Ingress => (false, true),
            PolicyType::Egress => (true, false),
        };
        for (entity, is_src, owner_local) in [
            (&rule.source, true, src_owner_local),
            (&rule.destination, false, dst_owner_local),
        ] {
            for (entries, negated) in [(&entity.ports, false), (&entity.not_ports, true)] {
                if entries.is_empty() {
                    continue;
                }
                let rule_proto = rule.protocol.map(|p| p.number());
                may_boxes =
                    self.apply_ports(may_boxes, entries, negated, is_src, owner_local, rule_proto);
                must_boxes = self.apply_ports(
                    must_boxes,
                    entries,
                    negated,
                    is_src,
                    owner_local,
                    rule_proto,
                );
            }
        }
        CompiledRule {
            may: Region::new(may_boxes),
            must: Region::new(must_boxes),
        }
    }

    /// Whether the positive selector of an entity rule (selector, serviceAccounts, namespaceSelector)
    /// selects any workload or network set of the design; `None` when a selector does not parse.
    pub fn selects_any(&self, p: &CalicoPolicy, e: &EntityRule) -> Option<bool> {
        let scoped_ns = p
            .kind
            .is_namespaced()
            .then(|| p.metadata.namespace.clone())
            .flatten();
        let workloads = self.ctx.endpoints.iter().map(Entity::Workload);
        let sets = self.sets.iter().map(Entity::Set);
        for x in workloads.chain(sets) {
            if self.positive(e, scoped_ns.as_deref(), &x)? {
                return Some(true);
            }
        }
        Some(false)
    }

    /// Matches the peer side of a rule against a peer class.
    fn peer_side(&self, p: &CalicoPolicy, e: &EntityRule, class: &PeerClass) -> Tri {
        match class {
            PeerClass::Workload {
                endpoint,
                family,
                ip,
                sets,
            } => {
                let w = Entity::Workload(&self.ctx.endpoints[*endpoint]);
                let mut entities = vec![w];
                entities.extend(sets.iter().map(|&s| Entity::Set(&self.sets[s])));
                // With an unknown IP, the workload may also sit inside any network set of its family.
                let maybe: Vec<Entity<'_>> = if ip.is_none() {
                    self.sets
                        .iter()
                        .filter(|s| s.nets.iter().any(|n| family_of(n) == *family))
                        .map(Entity::Set)
                        .collect()
                } else {
                    Vec::new()
                };
                self.entity_side(p, e, &entities, Some((*family, *ip)), Some(&maybe))
            }
            PeerClass::Region {
                family, lo, sets, ..
            } => {
                let entities: Vec<Entity<'_>> =
                    sets.iter().map(|&s| Entity::Set(&self.sets[s])).collect();
                self.entity_side(p, e, &entities, Some((*family, Some(*lo))), None)
            }
        }
    }

    /// Matches an entity rule against the entities at one address. `addr` is the family and value
    /// when known (`None` for a local endpoint of unknown address); `maybe` lists entities that may
    /// also hold the address.
    fn entity_side(
        &self,
        p: &CalicoPolicy,
        e: &EntityRule,
        entities: &[Entity<'_>],
        addr: Option<(Family, Option<u128>)>,
        maybe: Option<&[Entity<'_>]>,
    ) -> Tri {
        let mut t = Tri::YES;
        let scoped_ns = p
            .kind
            .is_namespaced()
            .then(|| p.metadata.namespace.clone())
            .flatten();
        let has_ns_sel = e.namespace_selector.is_some() || scoped_ns.is_some();
        let any_sel = e.selector.is_some()
            || e.service_accounts.is_some()
            || e.not_selector.is_some()
            || e.namespace_selector.is_some();
        let positive_present =
            (has_ns_sel && any_sel) || e.selector.is_some() || e.service_accounts.is_some();
        if positive_present {
            let m = |x: &Entity<'_>| self.positive(e, scoped_ns.as_deref(), x);
            t = t.and(any_of(entities, maybe, m));
        }
        if let Some(text) = &e.not_selector {
            match self.ctx.selectors.lookup(text) {
                Some(sel) => {
                    t = t.and(any_of(entities, maybe, |x| Some(sel.matches(&labels_of(x)))).not())
                }
                None => t = t.and(Tri::MAYBE),
            }
        }
        if !e.nets.is_empty() {
            t = t.and(nets_match(&e.nets, addr));
        }
        if !e.not_nets.is_empty() {
            t = t.and(nets_match(&e.not_nets, addr).not());
        }
        t
    }

    /// The positive selector of an entity rule (`GetEntityRuleSelector`) on one entity; `None` when
    /// a selector does not parse.
    fn positive(&self, e: &EntityRule, scoped_ns: Option<&str>, x: &Entity<'_>) -> Option<bool> {
        let (namespace, ns_labels) = match x {
            Entity::Workload(w) => (Some(w.namespace.as_str()), Some(&w.ns_labels)),
            Entity::Set(s) => (
                s.namespace.as_deref(),
                s.namespace.as_ref().map(|_| &s.ns_labels),
            ),
        };
        let any_sel = e.selector.is_some()
            || e.service_accounts.is_some()
            || e.not_selector.is_some()
            || e.namespace_selector.is_some();
        let ns_ok = match (&e.namespace_selector, scoped_ns) {
            (Some(text), _) => {
                let sel = self.ctx.selectors.lookup(text)?;
                Some(match ns_labels {
                    Some(l) => sel.matches_namespace_selector(l),
                    None => sel.matches_namespace_selector(&NoNamespace),
                })
            }
            (None, Some(ns)) => Some(namespace == Some(ns)),
            (None, None) => None,
        };
        let mut id_ok = true;
        if let Some(sa) = &e.service_accounts {
            let (sa_name, sa_labels) = match x {
                Entity::Workload(w) => (
                    w.sa_labels.get(NAME_LABEL).map(String::as_str),
                    Some(&w.sa_labels),
                ),
                Entity::Set(_) => (None, None),
            };
            if !sa.names.is_empty() {
                id_ok &= sa_name.is_some_and(|n| sa.names.iter().any(|m| m == n));
            }
            if let Some(text) = &sa.selector {
                let sel = self.ctx.selectors.lookup(text)?;
                id_ok &= sa_labels.is_some_and(|l| sel.matches(l));
            }
        }
        if let Some(text) = &e.selector {
            id_ok &= self.ctx.selectors.lookup(text)?.matches(&labels_of(x));
        }
        Some(match ns_ok {
            Some(ns) if any_sel => ns && id_ok,
            _ => id_ok,
        })
    }

    /// Applies a `ports`/`notPorts` list to boxes; named ports resolve on the owner of the port
    /// (the local endpoint or the peer class), so boxes split by owner where resolutions differ.
    fn apply_ports(
        &self,
        boxes: Vec<FlowBox>,
        entries: &[Port],
        negated: bool,
        is_src: bool,
        owner_local: bool,
        rule_proto: Option<u8>,
    ) -> Vec<FlowBox> {
        let numeric = Ports::from_ranges(
            entries
                .iter()
                .filter_map(|p| match p {
                    Port::Number(n) => Some((*n, *n)),
                    Port::Range(lo, hi) => Some((*lo, *hi)),
                    Port::Named(_) => None,
                })
                .collect(),
        );
        let names: Vec<&str> = entries
            .iter()
            .filter_map(|p| {
                if let Port::Named(n) = p {
                    Some(n.as_str())
                } else {
                    None
                }
            })
            .collect();
        let port_protocols = [6usize, 17, 132];
        let mut out = Vec::new();
        for b in boxes {
            // Group owners by what the names resolve to: protocol -> ports.
            let owners = if owner_local { &b.local } else { &b.peer };
            let mut groups: Vec<(Vec<(u8, Ports)>, Bits)> = Vec::new();
            let len = if owner_local {
                self.locals()
            } else {
                self.peers.len()
            };
            for i in owners.iter() {
                let resolved = if names.is_empty() {
                    Vec::new()
                } else {
                    self.resolve(i, owner_local, &names, rule_proto)
                };
                match groups.iter_mut().find(|(r, _)| *r == resolved) {
                    Some((_, bits)) => bits.insert(i),
                    None => {
                        let mut bits = Bits::empty(len);
                        bits.insert(i);
                        groups.push((resolved, bits));
                    }
                }
            }
            for (resolved, owners) in groups {
                let mut base = b.clone();
                if owner_local {
                    base.local = owners;
                } else {
                    base.peer = owners;
                }
                // Protocols with named ports get their own box; the others share the numeric set.
                let mut other_protos = base.proto.clone();
                for (proto, named) in &resolved {
                    let mut one = base.clone();
                    one.proto = base.proto.and(&single(256, usize::from(*proto)));
                    other_protos = other_protos.minus(&single(256, usize::from(*proto)));
                    let mut ports = Ports::empty();
                    if port_protocols.contains(&usize::from(*proto)) {
                        ports = numeric.clone();
                    }
                    let set = union(&ports, named);
                    set_ports(
                        &mut one,
                        is_src,
                        if negated { set.complement() } else { set },
                    );
                    out.push(one);
                }
                let mut rest = base;
                if negated {
                    rest.proto = other_protos;
                    set_ports(&mut rest, is_src, numeric.complement());
                } else {
                    let mut bearing = Bits::empty(256);
                    for p in port_protocols {
                        bearing.insert(p);
                    }
                    rest.proto = other_protos.and(&bearing);
                    set_ports(&mut rest, is_src, numeric.clone());
                }
                out.push(rest);
            }
        }
        out.into_iter().filter(|b| !b.is_empty()).collect()
    }

    /// The named ports of one owner (local endpoint or peer class) for the given names.
    fn resolve(
        &self,
        owner: usize,
        owner_local: bool,
        names: &[&str],
        rule_proto: Option<u8>,
    ) -> Vec<(u8, Ports)> {
        let endpoint = if owner_local {
            Some(owner)
        } else {
            match self.peers.get(owner) {
                Some(PeerClass::Workload { endpoint, .. }) => Some(*endpoint),
                _ => None,
            }
        };
        let Some(w) = endpoint.and_then(|i| self.ctx.set.workloads.get(i)) else {
            return Vec::new();
        };
        let mut by_proto: Vec<(u8, Vec<(u16, u16)>)> = Vec::new();
        for port in &w.ports {
            let proto = port.protocol.number();
            if port.name.as_deref().is_none_or(|n| !names.contains(&n))
                || rule_proto.is_some_and(|r| r != proto)
            {
                continue;
            }
            match by_proto.iter_mut().find(|(p, _)| *p == proto) {
                Some((_, ranges)) => ranges.push((port.port, port.port)),
                None => by_proto.push((proto, vec![(port.port, port.port)])),
            }
        }
        by_proto.sort_by_key(|(p, _)| *p);
        by_proto
            .into_iter()
            .map(|(p, r)| (p, Ports::from_ranges(r)))
            .collect()
    }
}

fn set_ports(b: &mut FlowBox, is_src: bool, ports: Ports) {
    if is_src {
        b.src_port = b.src_port.and(&ports);
    } else {
        b.dst_port = b.dst_port.and(&ports);
    }
}

fn union(a: &Ports, b: &Ports) -> Ports {
    a.complement().and(&b.complement()).complement()
}

fn single(len: usize, i: usize) -> Bits {
    let mut b = Bits::empty(len);
    b.insert(i);
    b
}

fn sets_containing(sets: &[SetInfo], family: Family, value: u128) -> Vec<usize> {
    sets.iter()
        .enumerate()
        .filter(|(_, s)| {
            s.nets.iter().any(|n| {
                let (f, lo, hi) = net_range(n);
                f == family && lo <= value && value <= hi
            })
        })
        .map(|(i, _)| i)
        .collect()
}

fn labels_of<'x>(x: &'x Entity<'_>) -> &'x Labels {
    match x {
        Entity::Workload(w) => &w.labels,
        Entity::Set(s) => &s.labels,
    }
}

/// Whether some entity at the address matches: certain entities decide `must`, possible ones widen
/// `may`. A selector that does not parse makes the answer uncertain.
fn any_of(
    entities: &[Entity<'_>],
    maybe: Option<&[Entity<'_>]>,
    m: impl Fn(&Entity<'_>) -> Option<bool>,
) -> Tri {
    let mut t = Tri::NO;
    for x in entities {
        match m(x) {
            Some(true) => return Tri::YES,
            Some(false) => {}
            None => t = Tri::MAYBE,
        }
    }
    if maybe.is_some_and(|xs| xs.iter().any(|x| m(x) != Some(false))) {
        t = Tri::MAYBE;
    }
    t
}

/// Whether an address is in any of the CIDRs.
fn nets_match(nets: &[String], addr: Option<(Family, Option<u128>)>) -> Tri {
    let parsed: Vec<IpNet> = nets.iter().filter_map(|n| parse_net(n)).collect();
    if parsed.len() != nets.len() {
        return Tri::MAYBE;
    }
    match addr {
        Some((family, Some(value))) => Tri::exact(parsed.iter().any(|n| {
            let (f, lo, hi) = net_range(n);
            f == family && lo <= value && value <= hi
        })),
        Some((family, None)) => {
            let everything = parsed
                .iter()
                .any(|n| family_of(n) == family && n.prefix_len() == 0);
            let some = parsed.iter().any(|n| family_of(n) == family);
            Tri {
                may: some,
                must: everything,
            }
        }
        None => {
            let all_v4 = parsed
                .iter()
                .any(|n| family_of(n) == Family::V4 && n.prefix_len() == 0);
            let all_v6 = parsed
                .iter()
                .any(|n| family_of(n) == Family::V6 && n.prefix_len() == 0);
            Tri {
                may: true,
                must: all_v4 && all_v6,
            }
        }
    }
}
