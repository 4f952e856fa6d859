//! Named ports over every peer at once: for an egress rule that names ports, the destinations whose
//! container ports make it match a flow's protocol and port, as a bitset (`walk::slow_rule_matches`
//! asks the same of one destination at a time, which would cost a row one call per peer).

use rustc_hash::FxHashMap;

use super::super::compiled::{ANY, CRule, Evaluator};
use super::super::matching::protocol_matches;
use super::super::normalize::PortList;
use crate::model::carries_ports;

/// Per (port name, protocol, port), the endpoints owning such a container port; made as rows ask.
pub(super) type Owners = FxHashMap<(String, u8, u16), Vec<u64>>;

/// What a row build brings: the peers' criterion holders, every peer, and the owners made so far.
pub(super) struct Peers<'a> {
    pub words: usize,
    pub holders: &'a [u64],
    pub all: &'a [u64],
    /// Endpoints that are workloads (an outside address owns no port).
    pub workloads: &'a [u64],
    pub owners: &'a mut Owners,
}

impl Evaluator {
    /// The destinations for which `rule`'s port criteria match a flow of `protocol` and `port`
    /// (its selectors are tested apart), as `walk::slow_rule_matches` decides for one destination.
    pub(super) fn rule_port_peers(
        &self,
        rule: &CRule,
        protocol: u8,
        port: Option<u16>,
        peers: &mut Peers<'_>,
    ) -> Vec<u64> {
        let words = peers.words;
        if !protocol_matches(&rule.l4, protocol) {
            return vec![0; words];
        }
        // Who may own the named port: a workload meeting the rule's positive selector.
        let base: Vec<u64> = match rule.dst_named_crit {
            ANY => peers.workloads.to_vec(),
            c => {
                let from = c as usize * words;
                match peers.holders.get(from..from + words) {
                    Some(h) => h.iter().zip(peers.workloads).map(|(h, w)| h & w).collect(),
                    None => vec![0; words],
                }
            }
        };
        let mut hit = |list: &PortList| -> Vec<u64> {
            match port {
                Some(p) if carries_ports(protocol) => {
                    if list.contains_number(p) {
                        return peers.all.to_vec();
                    }
                    let mut out = vec![0u64; words];
                    for name in &list.named {
                        let owners = self.owners(peers, name, protocol, p);
                        for ((o, b), w) in out.iter_mut().zip(&base).zip(owners) {
                            *o |= b & w;
                        }
                    }
                    out
                }
                _ => vec![0; words],
            }
        };
        let ports = if rule.dst_ports.is_empty() {
            None
        } else {
            Some(hit(&rule.dst_ports))
        };
        let not_ports = if rule.dst_not_ports.is_empty() {
            vec![0; words]
        } else {
            hit(&rule.dst_not_ports)
        };
        let ports = ports.unwrap_or_else(|| peers.all.to_vec());
        ports
            .iter()
            .zip(&not_ports)
            .zip(peers.all)
            .map(|((p, n), a)| p & !n & a)
            .collect()
    }

    fn owners<'p>(
        &self,
        peers: &'p mut Peers<'_>,
        name: &str,
        protocol: u8,
        port: u16,
    ) -> &'p [u64] {
        let key = (name.to_owned(), protocol, port);
        let words = peers.words;
        peers.owners.entry(key).or_insert_with(|| {
            let mut bits = vec![0u64; words];
            for (e, data) in self.endpoints.iter().enumerate() {
                let owns = data.named_ports.iter().any(|p| {
                    p.name.as_deref() == Some(name)
                        && p.protocol.number() == protocol
                        && p.port == port
                });
                if owns && let Some(w) = bits.get_mut(e >> 6) {
                    *w |= 1 << (e & 63);
                }
            }
            bits
        })
    }
}
