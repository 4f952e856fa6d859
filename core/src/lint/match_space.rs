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

use crate::model::vocabulary::addresses::{Family, addr_value, net_range, parse_net};
use crate::model::{CalicoPolicy, EntityRule, PolicyType, Rule};

use super::context::Context;
use super::space::{Bits, FlowBox, Ports, Region};

mod ports;
use ports::PortSpec;

fn contains(net: &IpNet, family: Family, value: u128) -> bool {
    let (f, lo, hi) = net_range(net);
    f == family && lo <= value && value <= hi
}

/// A region of address space: every rule treats its addresses alike.
struct AddrRegion {
    family: Family,
    lo: u128,
    /// Known-IP workloads (endpoint indices) at this address.
    workloads: Vec<usize>,
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

    /// Certain where `bits` is known, unknown (may, not must) everywhere when it is not.
    fn from_bits(bits: Option<Bits>, len: usize) -> TriBits {
        match bits {
            Some(b) => TriBits {
                may: b.clone(),
                must: b,
            },
            None => TriBits {
                may: Bits::full(len),
                must: Bits::empty(len),
            },
        }
    }

    fn and(&self, o: &TriBits) -> TriBits {
        TriBits {
            may: self.may.and(&o.may),
            must: self.must.and(&o.must),
        }
    }

    fn not(&self, len: usize) -> TriBits {
        let full = Bits::full(len);
        TriBits {
            may: full.minus(&self.must),
            must: full.minus(&self.may),
        }
    }

    fn get(&self, must: bool) -> &Bits {
        if must { &self.must } else { &self.may }
    }
}

/// The flow space of a design, and rules compiled into it.
pub struct Space<'a> {
    ctx: &'a Context<'a>,
    /// Known IPs of the endpoints.
    local_ips: Vec<Option<(Family, u128)>>,
    /// Endpoints whose IP is unknown: the peer identities (plus "none", the last index).
    ids: Vec<usize>,
    regions: Vec<AddrRegion>,
    /// The regions each entity (endpoint, then network set) occupies.
    entity_regions: Vec<Vec<usize>>,
    /// Regions of each family.
    v4: Bits,
}

/// A rule compiled: what it may match and what it certainly matches.
pub struct CompiledRule {
    pub may: Region,
    pub must: Region,
}

/// The CIDRs of a `nets`/`notNets` list; `None` when one does not parse.
fn parse_all(nets: &[String]) -> Option<Vec<IpNet>> {
    nets.iter().map(|n| parse_net(n).ok()).collect()
}

/// Whether an address (`None`: unknown) is in any of the CIDRs.
fn in_nets(nets: Option<&[IpNet]>, addr: Option<(Family, u128)>) -> Tri {
    let Some(nets) = nets else { return Tri::MAYBE };
    match addr {
        Some((family, value)) => {
            if nets.iter().any(|n| contains(n, family, value)) {
                Tri::YES
            } else {
                Tri::NO
            }
        }
        None => {
            let all = |f: Family| {
                nets.iter()
                    .any(|n| n.prefix_len() == 0 && net_range(n).0 == f)
            };
            Tri {
                may: !nets.is_empty(),
                must: all(Family::V4) && all(Family::V6),
            }
        }
    }
}

/// `nets` and `notNets` of an entity rule on one address.
fn addresses(
    nets: &Option<Option<Vec<IpNet>>>,
    not_nets: &Option<Option<Vec<IpNet>>>,
    addr: Option<(Family, u128)>,
) -> Tri {
    let mut t = Tri::YES;
    if let Some(n) = nets {
        t = t.and(in_nets(n.as_deref(), addr));
    }
    if let Some(n) = not_nets {
        t = t.and(in_nets(n.as_deref(), addr).not());
    }
    t
}

impl<'a> Space<'a> {
    pub fn new(ctx: &'a Context<'a>) -> Space<'a> {
        let set = ctx.set;
        let local_ips: Vec<Option<(Family, u128)>> = set
            .workloads
            .iter()
            .map(|w| {
                w.ip.as_deref()
                    .and_then(|ip| ip.trim().parse::<IpAddr>().ok())
                    .map(addr_value)
            })
            .collect();
        let ids = (0..local_ips.len())
            .filter(|&i| local_ips[i].is_none())
            .collect();
        // Every CIDR and known address that can tell addresses apart.
        let mut cuts: Vec<(Family, u128, u128)> = ctx
            .sets
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
                            .filter_map(|n| parse_net(n).ok())
                            .map(|n| net_range(&n)),
                    );
                }
            }
        }
        let mut by_ip: std::collections::HashMap<(u8, u128), Vec<usize>> =
            std::collections::HashMap::new();
        for (i, ip) in local_ips.iter().enumerate() {
            if let Some((f, v)) = ip {
                by_ip
                    .entry((u8::from(*f == Family::V4), *v))
                    .or_default()
                    .push(i);
            }
        }
        let mut regions = Vec::new();
        let mut entity_regions: Vec<Vec<usize>> = vec![Vec::new(); ctx.entities.count];
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
                let r = regions.len();
                let workloads = by_ip
                    .get(&(u8::from(family == Family::V4), lo))
                    .cloned()
                    .unwrap_or_default();
                for &w in &workloads {
                    entity_regions[w].push(r);
                }
                for (s, info) in ctx.sets.iter().enumerate() {
                    if info.nets.iter().any(|n| contains(n, family, lo)) {
                        entity_regions[ctx.entities.endpoints + s].push(r);
                    }
                }
                regions.push(AddrRegion {
                    family,
                    lo,
                    workloads,
                });
            }
        }
        let mut v4 = Bits::empty(regions.len());
        for (r, region) in regions.iter().enumerate() {
            if region.family == Family::V4 {
                v4.insert(r);
            }
        }
        Space {
            ctx,
            local_ips,
            ids,
            regions,
            entity_regions,
            v4,
        }
    }

    pub fn locals(&self) -> usize {
        self.ctx.endpoints.len()
    }

    fn none_id(&self) -> usize {
        self.ids.len()
    }

    /// Whether the positive selector of an entity rule (selector, serviceAccounts, namespaceSelector)
    /// selects any workload or network set of the design; `None` when a selector does not parse.
    pub fn selects_any(&self, p: &CalicoPolicy, e: &EntityRule) -> Option<bool> {
        self.ctx
            .entities
            .positive(&self.ctx.selectors, e, scoped_namespace(p))
            .map(|b| !b.is_empty())
    }

    /// The regions where some entity of `bits` sits.
    fn regions_of(&self, bits: &Bits) -> Bits {
        let mut out = Bits::empty(self.regions.len());
        for e in bits.iter() {
            for &r in &self.entity_regions[e] {
                out.insert(r);
            }
        }
        out
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
        let local = self.local_side(local_side, scoped_ns, applied);
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

    /// The local endpoints a rule's local side (destination of ingress, source of egress) admits.
    fn local_side(&self, e: &EntityRule, scoped_ns: Option<&str>, applied: &Bits) -> TriBits {
        let identity_free = e.selector.is_none()
            && e.not_selector.is_none()
            && e.namespace_selector.is_none()
            && e.service_accounts.is_none()
            && e.nets.is_empty()
            && e.not_nets.is_empty();
        if identity_free {
            return TriBits {
                may: applied.clone(),
                must: applied.clone(),
            };
        }
        let n = self.locals();
        let entities = &self.ctx.entities;
        let selectors = &self.ctx.selectors;
        let mut t = TriBits::from_bits(Some(Bits::full(entities.count)), entities.count);
        if positive_present(e, scoped_ns) {
            t = t.and(&TriBits::from_bits(
                entities.positive(selectors, e, scoped_ns),
                entities.count,
            ));
        }
        if let Some(text) = &e.not_selector {
            t = t.and(
                &TriBits::from_bits(entities.matching(selectors, text), entities.count)
                    .not(entities.count),
            );
        }
        let may = t.may.truncated(n).and(applied);
        let must = t.must.truncated(n).and(applied);
        if e.nets.is_empty() && e.not_nets.is_empty() {
            return TriBits { may, must };
        }
        // Each endpoint the selectors may admit, by its own address (`must` is within `may`).
        let nets = (!e.nets.is_empty()).then(|| parse_all(&e.nets));
        let not_nets = (!e.not_nets.is_empty()).then(|| parse_all(&e.not_nets));
        let mut out = TriBits {
            may: Bits::empty(n),
            must: Bits::empty(n),
        };
        for i in may.iter() {
            let address = addresses(&nets, &not_nets, self.local_ips[i]);
            if address.may {
                out.may.insert(i);
            }
            if address.must && must.contains(i) {
                out.must.insert(i);
            }
        }
        out
    }

    /// `nets` and `notNets` over the address regions. A region's addresses are all inside or all
    /// outside each CIDR, and regions are sorted by family and first address, so a CIDR holds a
    /// contiguous run of them: two binary searches instead of a test per region.
    fn address_regions(
        &self,
        nets: &Option<Option<Vec<IpNet>>>,
        not_nets: &Option<Option<Vec<IpNet>>>,
    ) -> TriBits {
        let n = self.regions.len();
        let mut t = TriBits {
            may: Bits::full(n),
            must: Bits::full(n),
        };
        // A list with an unparsable CIDR matches no address for certain, and any address maybe.
        match nets {
            Some(Some(list)) => t = t.and(&TriBits::from_bits(Some(self.regions_in(list)), n)),
            Some(None) => t.must = Bits::empty(n),
            None => {}
        }
        match not_nets {
            Some(Some(list)) => {
                let inside = self.regions_in(list);
                t.may = t.may.minus(&inside);
                t.must = t.must.minus(&inside);
            }
            Some(None) => t.must = Bits::empty(n),
            None => {}
        }
        t
    }

    /// The regions whose first address is in one of `nets`.
    fn regions_in(&self, nets: &[IpNet]) -> Bits {
        let key = |family: Family, value: u128| (family == Family::V6, value);
        let mut out = Bits::empty(self.regions.len());
        for net in nets {
            let (family, lo, hi) = net_range(net);
            let start = self
                .regions
                .partition_point(|r| key(r.family, r.lo) < key(family, lo));
            let end = self
                .regions
                .partition_point(|r| key(r.family, r.lo) <= key(family, hi));
            out.insert_range(start..end);
        }
        out
    }

    /// The peer side as a union of (identity set, address set) parts, each with may/must bits.
    fn peer_parts(
        &self,
        e: &EntityRule,
        scoped_ns: Option<&str>,
        ip_version: Option<u8>,
    ) -> Vec<(TriBits, TriBits)> {
        let n_ids = self.ids.len() + 1;
        let n_regions = self.regions.len();
        let none = self.none_id();
        let entities = &self.ctx.entities;
        let selectors = &self.ctx.selectors;
        // Criteria on the address alone: family, nets, notNets, and `notSelector` on the entities there.
        let family = match ip_version {
            Some(4) => self.v4.clone(),
            Some(_) => Bits::full(n_regions).minus(&self.v4),
            None => Bits::full(n_regions),
        };
        let mut addr_base = TriBits {
            may: family.clone(),
            must: family,
        };
        if !e.nets.is_empty() || !e.not_nets.is_empty() {
            let nets = (!e.nets.is_empty()).then(|| parse_all(&e.nets));
            let not_nets = (!e.not_nets.is_empty()).then(|| parse_all(&e.not_nets));
            addr_base = addr_base.and(&self.address_regions(&nets, &not_nets));
        }
        let mut id_base = TriBits {
            may: Bits::full(n_ids),
            must: Bits::full(n_ids),
        };
        if let Some(text) = &e.not_selector {
            match entities.matching(selectors, text) {
                Some(not) => {
                    let occupied = self.regions_of(&not);
                    addr_base = addr_base.and(&TriBits {
                        may: Bits::full(n_regions).minus(&occupied),
                        must: Bits::full(n_regions).minus(&occupied),
                    });
                    let ids = TriBits::build(n_ids, |u| {
                        if u != none && not.contains(self.ids[u]) {
                            Tri::NO
                        } else {
                            Tri::YES
                        }
                    });
                    id_base = id_base.and(&ids);
                }
                None => {
                    addr_base = addr_base.and(&TriBits::from_bits(None, n_regions));
                    id_base = id_base.and(&TriBits::from_bits(None, n_ids));
                }
            }
        }
        if !positive_present(e, scoped_ns) {
            return vec![(id_base, addr_base)];
        }
        // Positive selector: the identity's workload matches, or some entity at the address does.
        let (id_pos, addr_pos) = match entities.positive(selectors, e, scoped_ns) {
            Some(pos) => {
                let ids = TriBits::build(n_ids, |u| {
                    if u != none && pos.contains(self.ids[u]) {
                        Tri::YES
                    } else {
                        Tri::NO
                    }
                });
                let regions = self.regions_of(&pos);
                (
                    ids,
                    TriBits {
                        may: regions.clone(),
                        must: regions,
                    },
                )
            }
            None => (
                TriBits::from_bits(None, n_ids),
                TriBits::from_bits(None, n_regions),
            ),
        };
        vec![
            (
                id_base.and(&id_pos),
                TriBits {
                    may: addr_base.may.clone(),
                    must: addr_base.must.clone(),
                },
            ),
            (id_base, addr_base.and(&addr_pos)),
        ]
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

fn single(len: usize, i: usize) -> Bits {
    let mut b = Bits::empty(len);
    b.insert(i);
    b
}
