//! Ports and named ports in the flow space: a rule's `ports`/`notPorts` lists cut its boxes, and a
//! named port resolves on the endpoint that owns it, so boxes split where resolutions differ.

use crate::model::{PORT_PROTOCOLS, Port, carries_ports};

use super::{Space, single};
use crate::lint::space::{Bits, FlowBox, Ports};

/// Which dimension owns a named port: the local endpoint, the peer identity, or the peer address.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    Local,
    PeerId,
    Addr,
}

impl Space<'_> {
    /// Applies a `ports`/`notPorts` list to boxes. Named ports resolve on the endpoint that owns the
    /// port, so boxes split where resolutions differ: by local endpoint, or for the peer by identity
    /// (unknown-IP workloads) and, for identity "none", by address (known-IP workloads).
    pub(super) fn apply_ports(
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
        if names.is_empty() {
            // Numbers only: every owner resolves alike, one group.
            if !owners.is_empty() {
                groups.push((Vec::new(), owners.clone()));
            }
        } else {
            for i in owners.iter() {
                let resolved = self.resolve(self.owner_endpoint(owner, i), &names, spec.rule_proto);
                match groups.iter_mut().find(|(r, _)| *r == resolved) {
                    Some((_, bits)) => bits.insert(i),
                    None => {
                        let mut bits = Bits::empty(len);
                        bits.insert(i);
                        groups.push((resolved, bits));
                    }
                }
            }
        }
        let bearing = {
            let mut b = Bits::empty(256);
            for p in PORT_PROTOCOLS {
                b.insert(usize::from(p));
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
                let numeric_here = if carries_ports(*proto) {
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

/// One `ports` or `notPorts` list of a rule.
pub(super) struct PortSpec<'r> {
    pub(super) entries: &'r [Port],
    pub(super) negated: bool,
    pub(super) is_src: bool,
    pub(super) rule_proto: Option<u8>,
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
