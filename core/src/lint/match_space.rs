//! Rules as regions of the finite flow space ([`super::space`]).
//!
//! A peer is a pair (identity, address). Identities are the workloads whose IP is unknown, plus
//! "none" (an address no unknown-IP workload holds). Addresses are the regions of IPv4/IPv6 space cut
//! out by every CIDR the design writes (network sets, rule `nets`/`notNets`) and by every known
//! workload IP (its own /32 or /128 region). The entities at a peer are its identity's workload plus
//! the network sets and known-IP workloads at its address, so identity matching follows
//! `calico-semantics.md` §5.2 exactly: a positive selector matches when some entity matches it
//! (a union of two boxes), `notSelector` when none does, `nets` when the region is inside a CIDR.
//!
//! Where the model cannot be sure (HTTP or ICMP type matches, domains, services, a selector that does
//! not parse) a rule gets two regions: `may` (every flow it could match) and `must` (flows it certainly
//! matches). Shadowing removes only `must` regions of earlier rules from the `may` region of the rule
//! under test, so it never reports a rule that could match.

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

fn contains(net: &IpNet, family: Family, value: u128) -> bool {
    let (f, lo, hi) = net_range(net);
    f == family && lo <= value && value <= hi
}

/// A network set as rule selectors see it.
struct SetInfo {
    labels: Labels,
    namespace: Option<String>,
    ns_labels: Labels,
    nets: Vec<IpNet>,
}

/// A region of address space: every rule treats its addresses alike.
struct AddrRegion {
    family: Family,
    lo: u128,
    /// Known-IP workloads (endpoint indices) at this address.
    workloads: Vec<usize>,
    /// Network sets containing it.
    sets: Vec<usize>,
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

    fn from(b: Option<bool>) -> Tri {
        match b {
            Some(true) => Tri::YES,
            Some(false) => Tri::NO,
            None => Tri::MAYBE,
        }
    }

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
}

/// Two bit sets: what may and what must match.
struct TriBits {
    may: Bits,
    must: Bits,
}

impl TriBits {
    fn build(len: usize, mut f: impl FnMut(usize) -> Tri) -> TriBits {
        let (mut may, mut must) = (Bits::empty(len), Bits::empty(len));
        for i in 0..len {
            let t = f(i);
            if t.may {
                may.insert(i);
            }
            if t.must {
                must.insert(i);
            }
        }
        TriBits { may, must }
    }

    fn get(&self, must: bool) -> &Bits {
        if must { &self.must } else { &self.may }
    }
}

/// The flow space of a design, and rules compiled into it.
pub struct Space<'a> {
    ctx: &'a Context<'a>,
    sets: Vec<SetInfo>,
    /// Known IPs of the endpoints.
    local_ips: Vec<Option<(Family, u128)>>,
    /// Endpoints whose IP is unknown: the peer identities (plus "none", the last index).
    ids: Vec<usize>,
    regions: Vec<AddrRegion>,
}

/// A rule compiled: what it may match and what it certainly matches.
pub struct CompiledRule {
    pub may: Region,
    pub must: Region,
}

/// Which dimension owns a named port: the local endpoint, the peer identity, or the peer address.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    Local,
    PeerId,
    Addr,
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
        let ids = (0..local_ips.len())
            .filter(|&i| local_ips[i].is_none())
            .collect();
        // Every CIDR and known address that can tell addresses apart.
        let mut cuts: Vec<(Family, u128, u128)> = sets
            .iter()
            .flat_map(|s| s.nets.iter().map(net_range))
            .collect();
        cuts.extend(local_ips.iter().flatten().map(|&(f, v)| (f, v, v)));
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
        let mut regions = Vec::new();
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
            for &lo in &points {
                let workloads = (0..local_ips.len())
                    .filter(|&i| local_ips[i] == Some((family, lo)))
                    .collect();
                let in_sets = (0..sets.len())
                    .filter(|&s| sets[s].nets.iter().any(|n| contains(n, family, lo)))
                    .collect();
                regions.push(AddrRegion {
                    family,
                    lo,
                    workloads,
                    sets: in_sets,
                });
            }
        }
        Space {
            ctx,
            sets,
            local_ips,
            ids,
            regions,
        }
    }

    pub fn locals(&self) -> usize {
        self.ctx.endpoints.len()
    }

    fn none_id(&self) -> usize {
        self.ids.len()
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

    /// Whether the positive selector of an entity rule (selector, serviceAccounts, namespaceSelector)
    /// selects any workload or network set of the design; `None` when a selector does not parse.
    pub fn selects_any(&self, p: &CalicoPolicy, e: &EntityRule) -> Option<bool> {
        let scoped_ns = scoped_namespace(p);
        let workloads = self.ctx.endpoints.iter().map(Entity::Workload);
        for x in workloads.chain(self.sets.iter().map(Entity::Set)) {
            if self.positive(e, scoped_ns, &x)? {
                return Some(true);
            }
        }
        Some(false)
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
        let scoped_ns = scoped_namespace(p);
        // The local endpoint: its labels and (known or unknown) address.
        let local = TriBits::build(self.locals(), |i| {
            if !applied.contains(i) {
                return Tri::NO;
            }
            let e = &self.ctx.endpoints[i];
            self.identity(local_side, scoped_ns, &[Entity::Workload(e)])
                .and(self.addresses(local_side, self.local_ips[i]))
        });
        // The peer: identity and address.
        let peer_parts = self.peer_parts(peer_side, scoped_ns, rule.ip_version);
        // Protocols.
        let mut proto = Bits::full(256);
        if let Some(pr) = rule.protocol {
            proto = single(256, usize::from(pr.number()));
        }
        if let Some(not) = rule.not_protocol {
            proto = proto.minus(&single(256, usize::from(not.number())));
        }
        let mut must_proto = proto.clone();
        if rule.not_icmp.is_some() {
            must_proto = must_proto.minus(&single(256, 1)).minus(&single(256, 58));
        }
        let uncertain = rule.http.is_some()
            || rule.icmp.is_some()
            || [local_side, peer_side]
                .iter()
                .any(|e| !e.domains.is_empty() || e.services.is_some());
        let build = |must: bool| -> Vec<FlowBox> {
            peer_parts
                .iter()
                .map(|(ids, addrs)| FlowBox {
                    local: local.get(must).clone(),
                    peer: ids.get(must).clone(),
                    addr: addrs.get(must).clone(),
                    proto: if must {
                        must_proto.clone()
                    } else {
                        proto.clone()
                    },
                    src_port: Ports::full(),
                    dst_port: Ports::full(),
                })
                .filter(|b| !b.is_empty())
                .collect()
        };
        let mut may_boxes = build(false);
        let mut must_boxes = if uncertain { Vec::new() } else { build(true) };
        // Ports: source ports belong to the source, destination ports to the destination.
        let (src_local, dst_local) = match direction {
            PolicyType::Ingress => (false, true),
            PolicyType::Egress => (true, false),
        };
        for (entity, is_src, owner_local) in [
            (&rule.source, true, src_local),
            (&rule.destination, false, dst_local),
        ] {
            for (entries, negated) in [(&entity.ports, false), (&entity.not_ports, true)] {
                if entries.is_empty() {
                    continue;
                }
                let rule_proto = rule.protocol.map(|p| p.number());
                let spec = PortSpec {
                    entries,
                    negated,
                    is_src,
                    rule_proto,
                };
                may_boxes = self.apply_ports(may_boxes, &spec, owner_local);
                must_boxes = self.apply_ports(must_boxes, &spec, owner_local);
            }
        }
        CompiledRule {
            may: Region::new(may_boxes),
            must: Region::new(must_boxes),
        }
    }

    /// The peer side as a union of (identity set, address set) parts, each with may/must bits.
    fn peer_parts(
        &self,
        e: &EntityRule,
        scoped_ns: Option<&str>,
        ip_version: Option<u8>,
    ) -> Vec<(TriBits, TriBits)> {
        let n_ids = self.ids.len() + 1;
        let none = self.none_id();
        let family_ok = |r: usize| {
            ip_version.is_none_or(|v| (v == 4) == (self.regions[r].family == Family::V4))
        };
        // Criteria on the address alone: family, nets, notNets, and `notSelector` on the entities there.
        let addr_base = TriBits::build(self.regions.len(), |r| {
            if !family_ok(r) {
                return Tri::NO;
            }
            let region = &self.regions[r];
            let mut t = self.addresses(e, Some((region.family, region.lo)));
            if let Some(text) = &e.not_selector {
                let entities = self.region_entities(region);
                t = t.and(
                    any_of(&entities, |x| {
                        self.ctx
                            .selectors
                            .lookup(text)
                            .map(|s| s.matches(labels_of(x)))
                    })
                    .not(),
                );
            }
            t
        });
        // Criteria on the identity alone: `notSelector` on the unknown-IP workload.
        let id_base = TriBits::build(n_ids, |u| {
            if u == none {
                return Tri::YES;
            }
            match &e.not_selector {
                Some(text) => {
                    let w = &self.ctx.endpoints[self.ids[u]];
                    Tri::from(
                        self.ctx
                            .selectors
                            .lookup(text)
                            .map(|s| !s.matches(&w.labels)),
                    )
                }
                None => Tri::YES,
            }
        });
        if !positive_present(e, scoped_ns) {
            return vec![(id_base, addr_base)];
        }
        // Positive selector: the identity's workload matches, or some entity at the address does.
        let id_pos = TriBits::build(n_ids, |u| {
            if u == none {
                return Tri::NO;
            }
            let w = &self.ctx.endpoints[self.ids[u]];
            Tri::from(self.positive(e, scoped_ns, &Entity::Workload(w)))
        });
        let addr_pos = TriBits::build(self.regions.len(), |r| {
            let entities = self.region_entities(&self.regions[r]);
            any_of(&entities, |x| self.positive(e, scoped_ns, x))
        });
        let and = |a: &TriBits, b: &TriBits| TriBits {
            may: a.may.and(&b.may),
            must: a.must.and(&b.must),
        };
        vec![
            (and(&id_base, &id_pos), clone_tri(&addr_base)),
            (id_base, and(&addr_base, &addr_pos)),
        ]
    }

    fn region_entities(&self, region: &AddrRegion) -> Vec<Entity<'_>> {
        let workloads = region
            .workloads
            .iter()
            .map(|&w| Entity::Workload(&self.ctx.endpoints[w]));
        workloads
            .chain(region.sets.iter().map(|&s| Entity::Set(&self.sets[s])))
            .collect()
    }

    /// Identity criteria of an entity rule (positive selector and `notSelector`) on the entities at
    /// one address (for the local endpoint).
    fn identity(&self, e: &EntityRule, scoped_ns: Option<&str>, entities: &[Entity<'_>]) -> Tri {
        let mut t = Tri::YES;
        if positive_present(e, scoped_ns) {
            t = t.and(any_of(entities, |x| self.positive(e, scoped_ns, x)));
        }
        if let Some(text) = &e.not_selector {
            t = t.and(
                any_of(entities, |x| {
                    self.ctx
                        .selectors
                        .lookup(text)
                        .map(|s| s.matches(labels_of(x)))
                })
                .not(),
            );
        }
        t
    }

    /// `nets`/`notNets` of an entity rule on an address (`None`: unknown).
    fn addresses(&self, e: &EntityRule, addr: Option<(Family, u128)>) -> Tri {
        let mut t = Tri::YES;
        for (nets, negated) in [(&e.nets, false), (&e.not_nets, true)] {
            if nets.is_empty() {
                continue;
            }
            let parsed: Vec<IpNet> = nets.iter().filter_map(|n| parse_net(n)).collect();
            let hit = if parsed.len() != nets.len() {
                Tri::MAYBE
            } else {
                match addr {
                    Some((family, value)) => {
                        Tri::from(Some(parsed.iter().any(|n| contains(n, family, value))))
                    }
                    None => {
                        let all = |f: Family| {
                            parsed
                                .iter()
                                .any(|n| n.prefix_len() == 0 && net_range(n).0 == f)
                        };
                        Tri {
                            may: true,
                            must: all(Family::V4) && all(Family::V6),
                        }
                    }
                }
            };
            t = t.and(if negated { hit.not() } else { hit });
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
            let sa_labels = match x {
                Entity::Workload(w) => Some(&w.sa_labels),
                Entity::Set(_) => None,
            };
            let sa_name = sa_labels
                .and_then(|l| l.get(NAME_LABEL))
                .map(String::as_str);
            if !sa.names.is_empty() {
                id_ok &= sa_name.is_some_and(|n| sa.names.iter().any(|m| m == n));
            }
            if let Some(text) = &sa.selector {
                let sel = self.ctx.selectors.lookup(text)?;
                id_ok &= sa_labels.is_some_and(|l| sel.matches(l));
            }
        }
        if let Some(text) = &e.selector {
            id_ok &= self.ctx.selectors.lookup(text)?.matches(labels_of(x));
        }
        Some(match ns_ok {
            Some(ns) if any_selector_field(e) => ns && id_ok,
            _ => id_ok,
        })
    }

    /// Applies a `ports`/`notPorts` list to boxes. Named ports resolve on the endpoint that owns the
    /// port, so boxes split where resolutions differ: by local endpoint, or for the peer by identity
    /// (unknown-IP workloads) and, for identity "none", by address (known-IP workloads).
    fn apply_ports(
        &self,
        boxes: Vec<FlowBox>,
        spec: &PortSpec<'_>,
        owner_local: bool,
    ) -> Vec<FlowBox> {
        let mut out = Vec::new();
        for b in boxes {
            if owner_local {
                self.split_ports(b, spec, Owner::Local, &mut out);
                continue;
            }
            let none = single(self.ids.len() + 1, self.none_id());
            let with_id = FlowBox {
                peer: b.peer.minus(&none),
                ..b.clone()
            };
            let without = FlowBox {
                peer: b.peer.and(&none),
                ..b
            };
            if !with_id.is_empty() {
                self.split_ports(with_id, spec, Owner::PeerId, &mut out);
            }
            if !without.is_empty() {
                self.split_ports(without, spec, Owner::Addr, &mut out);
            }
        }
        out.into_iter().filter(|b| !b.is_empty()).collect()
    }

    fn split_ports(&self, b: FlowBox, spec: &PortSpec<'_>, owner: Owner, out: &mut Vec<FlowBox>) {
        let names = spec.names();
        let numeric = spec.numeric();
        let owners = match owner {
            Owner::Local => &b.local,
            Owner::PeerId => &b.peer,
            Owner::Addr => &b.addr,
        };
        let len = match owner {
            Owner::Local => self.locals(),
            Owner::PeerId => self.ids.len() + 1,
            Owner::Addr => self.regions.len(),
        };
        let mut groups: Vec<(Vec<(u8, Ports)>, Bits)> = Vec::new();
        for i in owners.iter() {
            let resolved = if names.is_empty() {
                Vec::new()
            } else {
                self.resolve(self.owner_endpoint(owner, i), &names, spec.rule_proto)
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
        let bearing = {
            let mut b = Bits::empty(256);
            for p in PORT_PROTOCOLS {
                b.insert(p);
            }
            b
        };
        for (resolved, members) in groups {
            let mut base = b.clone();
            match owner {
                Owner::Local => base.local = members,
                Owner::PeerId => base.peer = members,
                Owner::Addr => base.addr = members,
            }
            // Protocols with named ports get their own box; the others share the numeric set.
            let mut other_protos = base.proto.clone();
            for (proto, named) in &resolved {
                let mut one = base.clone();
                one.proto = base.proto.and(&single(256, usize::from(*proto)));
                other_protos = other_protos.minus(&single(256, usize::from(*proto)));
                let numeric_here = if PORT_PROTOCOLS.contains(&usize::from(*proto)) {
                    numeric.clone()
                } else {
                    Ports::empty()
                };
                let set = union(&numeric_here, named);
                set_ports(
                    &mut one,
                    spec.is_src,
                    if spec.negated { set.complement() } else { set },
                );
                out.push(one);
            }
            let mut rest = base;
            if spec.negated {
                rest.proto = other_protos;
                set_ports(&mut rest, spec.is_src, numeric.complement());
            } else {
                rest.proto = other_protos.and(&bearing);
                set_ports(&mut rest, spec.is_src, numeric.clone());
            }
            out.push(rest);
        }
    }

    /// The endpoint that owns a port for an owner index.
    fn owner_endpoint(&self, owner: Owner, i: usize) -> Option<usize> {
        match owner {
            Owner::Local => Some(i),
            Owner::PeerId => self.ids.get(i).copied(),
            Owner::Addr => self
                .regions
                .get(i)
                .and_then(|r| r.workloads.first().copied()),
        }
    }

    /// The named ports of one endpoint for the given names: protocol → ports.
    fn resolve(
        &self,
        endpoint: Option<usize>,
        names: &[&str],
        rule_proto: Option<u8>,
    ) -> Vec<(u8, Ports)> {
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

/// Protocols whose ports rules can match: TCP, UDP, SCTP.
const PORT_PROTOCOLS: [usize; 3] = [6, 17, 132];

/// One `ports` or `notPorts` list of a rule.
struct PortSpec<'r> {
    entries: &'r [Port],
    negated: bool,
    is_src: bool,
    rule_proto: Option<u8>,
}

impl PortSpec<'_> {
    fn numeric(&self) -> Ports {
        Ports::from_ranges(
            self.entries
                .iter()
                .filter_map(|p| match p {
                    Port::Number(n) => Some((*n, *n)),
                    Port::Range(lo, hi) => Some((*lo, *hi)),
                    Port::Named(_) => None,
                })
                .collect(),
        )
    }

    fn names(&self) -> Vec<&str> {
        self.entries
            .iter()
            .filter_map(|p| {
                if let Port::Named(n) = p {
                    Some(n.as_str())
                } else {
                    None
                }
            })
            .collect()
    }
}

fn clone_tri(t: &TriBits) -> TriBits {
    TriBits {
        may: t.may.clone(),
        must: t.must.clone(),
    }
}

/// The namespace a NetworkPolicy's rule selectors are scoped to.
fn scoped_namespace(p: &CalicoPolicy) -> Option<&str> {
    if p.kind.is_namespaced() {
        p.metadata.namespace.as_deref()
    } else {
        None
    }
}

fn any_selector_field(e: &EntityRule) -> bool {
    e.selector.is_some()
        || e.service_accounts.is_some()
        || e.not_selector.is_some()
        || e.namespace_selector.is_some()
}

/// Whether the entity rule has a positive selector at all (§5.2 step 3); without one, any address
/// matches as far as identity goes.
fn positive_present(e: &EntityRule, scoped_ns: Option<&str>) -> bool {
    let ns_scope = e.namespace_selector.is_some() || scoped_ns.is_some();
    (ns_scope && any_selector_field(e)) || e.selector.is_some() || e.service_accounts.is_some()
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

fn labels_of<'x>(x: &'x Entity<'_>) -> &'x Labels {
    match x {
        Entity::Workload(w) => &w.labels,
        Entity::Set(s) => &s.labels,
    }
}

/// Whether some entity matches; a selector that does not parse makes the answer uncertain.
fn any_of(entities: &[Entity<'_>], m: impl Fn(&Entity<'_>) -> Option<bool>) -> Tri {
    let mut t = Tri::NO;
    for x in entities {
        match m(x) {
            Some(true) => return Tri::YES,
            Some(false) => {}
            None => t = Tri::MAYBE,
        }
    }
    t
}
