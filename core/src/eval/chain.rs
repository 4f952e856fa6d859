//! Chains: the policies that select a label set for one direction and mode, in Calico's order,
//! flattened into one contiguous array of small entries that the hot loop scans. Chains are interned:
//! label sets selected by the same policies share one chain, which keeps the working set small.
//! Each chain also has an index block (`index`) for the path that records nothing.

mod index;

use std::collections::HashMap;

use super::Direction;
use super::compiled::{ANY, CRule, Evaluator, PolicyId};
use crate::model::Action;

pub(crate) use index::{
    ACTION_ALLOW, ACTION_PASS, ENTRY_NAMED, ProtocolClasses, VIEW_NAMED, decode_entry, view_of,
    view_tiers,
};

/// A chain without an index block: walked in full.
pub(crate) const NO_BLOCK: u32 = u32::MAX;

/// One entry of a [`Chain`]: a policy header or one of its rules. Rules needing ICMP or port checks
/// defer to their [`CRule`] (found through [`Chain::origin`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FlatRule {
    pub src_crit: u32,
    pub dst_crit: u32,
    /// 0 = any protocol.
    pub protocol: u8,
    /// 0 = none.
    pub not_protocol: u8,
    pub flags: u8,
    pub action: Action,
}

/// A policy header entry (no rule; for explanations).
pub(crate) const FLAG_HEADER: u8 = 1;
/// Rendered for IPv4 / IPv6.
pub(crate) const FLAG_V4: u8 = 2;
pub(crate) const FLAG_V6: u8 = 4;
/// ICMP or port criteria: check the full [`CRule`].
pub(crate) const FLAG_SLOW: u8 = 8;
/// A rule whose match needs data the evaluator does not have (`domains`, `services`): skipped, except
/// in the world where such rules match (`worlds`), which only the flat walk visits.
pub(crate) const FLAG_UNSUPPORTED: u8 = 16;

/// One chain.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chain {
    /// (tier, end index into `rules`), tiers in Calico's order.
    pub tiers: Vec<(usize, u32)>,
    pub rules: Vec<FlatRule>,
    /// For each entry of `rules`: its policy and rule index.
    pub origin: Vec<(PolicyId, u32)>,
    /// Where its index block starts in [`Chains::arena`] ([`NO_BLOCK`]: none), and its length.
    pub block: u32,
    pub block_len: u32,
}

static EMPTY: Chain = Chain {
    tiers: Vec::new(),
    rules: Vec::new(),
    origin: Vec::new(),
    block: NO_BLOCK,
    block_len: 0,
};

/// The interned chains of an evaluator.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chains {
    list: Vec<Chain>,
    ids: HashMap<(Direction, Vec<PolicyId>), u32>,
    /// The protocol classes every chain's index is built for.
    pub classes: ProtocolClasses,
    /// The index blocks of every chain, one after the other.
    pub arena: Vec<u32>,
    /// Words of the arena that belong to chains no longer in use.
    dead: usize,
}

impl Chains {
    pub fn get(&self, id: u32) -> &Chain {
        self.list.get(id as usize).unwrap_or(&EMPTY)
    }

    /// Number of distinct chains in use.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Drops every chain (they are built again by the caller); the protocol classes stay.
    pub fn clear(&mut self) {
        self.list.clear();
        self.ids.clear();
        self.arena.clear();
        self.dead = 0;
    }

    /// Bytes of index blocks in use.
    pub fn index_bytes(&self) -> usize {
        (self.arena.len() - self.dead) * 4
    }

    /// Whether forgotten chains hold most of the memory (then rebuilding every chain is worth it).
    pub fn mostly_dead(&self) -> bool {
        self.dead > 1 << 16 && self.dead * 2 > self.arena.len()
    }

    /// Drops the chains that contain a policy whose rules or order changed, so that they are built
    /// again; every label set that used one contains the policy and is rebuilt by the caller.
    pub fn forget_policy(&mut self, policy: PolicyId) {
        let (list, dead) = (&self.list, &mut self.dead);
        self.ids.retain(|(_, policies), id| {
            let keep = !policies.contains(&policy);
            if !keep && let Some(chain) = list.get(*id as usize) {
                *dead += chain.block_len as usize;
            }
            keep
        });
    }
}

impl Evaluator {
    /// Sets a label set's four chains from its applicable policies.
    pub(crate) fn rebuild_chains(&mut self, ls: usize) {
        let mut ids = [[0u32; 2]; 2];
        let mut staged_selects = [false; 2];
        for (d, direction) in [Direction::Ingress, Direction::Egress]
            .into_iter()
            .enumerate()
        {
            for (mode, slot) in ids.iter_mut().enumerate() {
                let policies: Vec<PolicyId> = self.label_sets[ls]
                    .applicable
                    .iter()
                    .copied()
                    .filter(|&pid| {
                        self.policy(pid).is_some_and(|p| {
                            p.rules(direction).is_some() && (mode == 1 || !p.norm.staged())
                        })
                    })
                    .collect();
                if mode == 1 {
                    staged_selects[d] = policies
                        .iter()
                        .any(|&pid| self.policy(pid).is_some_and(|p| p.norm.staged()));
                }
                slot[d] = self.intern_chain(direction, policies);
            }
        }
        let blocks = ids.map(|mode| mode.map(|c| self.chains.get(c).block));
        if let Some(slot) = self.blocks.get_mut(ls) {
            *slot = blocks;
        }
        self.label_sets[ls].chains = ids;
        self.label_sets[ls].staged_selects = staged_selects;
    }

    fn intern_chain(&mut self, direction: Direction, policies: Vec<PolicyId>) -> u32 {
        if let Some(&id) = self.chains.ids.get(&(direction, policies.clone())) {
            return id;
        }
        let mut chain = Chain::default();
        for &pid in &policies {
            let Some(p) = self.policy(pid) else { continue };
            push_policy(&mut chain, pid, p.rules(direction).unwrap_or(&[]));
            let end = chain.rules.len() as u32;
            match chain.tiers.last_mut() {
                Some((tier, last_end)) if *tier == p.tier => *last_end = end,
                _ => chain.tiers.push((p.tier, end)),
            }
        }
        match self.index_chain(&chain, direction) {
            // Offsets are u32: an arena past 16 GiB is not indexed further.
            Some(block) if self.chains.arena.len() + block.len() < NO_BLOCK as usize => {
                chain.block = self.chains.arena.len() as u32;
                chain.block_len = block.len() as u32;
                self.chains.arena.extend(block);
            }
            _ => chain.block = NO_BLOCK,
        }
        let id = self.chains.list.len() as u32;
        self.chains.list.push(chain);
        self.chains.ids.insert((direction, policies), id);
        id
    }
}

/// A policy's header followed by its rules. Rules that can never match are left out.
fn push_policy(chain: &mut Chain, policy: PolicyId, rules: &[CRule]) {
    chain.rules.push(FlatRule {
        src_crit: ANY,
        dst_crit: ANY,
        protocol: 0,
        not_protocol: 0,
        flags: FLAG_HEADER,
        action: Action::Log,
    });
    chain.origin.push((policy, 0));
    for (i, r) in rules.iter().enumerate() {
        if r.never || !(r.renders[0] || r.renders[1]) {
            continue;
        }
        let slow = r.l4.icmp.is_some()
            || r.l4.not_icmp.is_some()
            || !r.dst_ports.is_empty()
            || !r.dst_not_ports.is_empty();
        let flags = if r.renders[0] { FLAG_V4 } else { 0 }
            | if r.renders[1] { FLAG_V6 } else { 0 }
            | if slow { FLAG_SLOW } else { 0 }
            | if r.unsupported { FLAG_UNSUPPORTED } else { 0 };
        chain.rules.push(FlatRule {
            src_crit: r.src_crit,
            dst_crit: r.dst_crit,
            protocol: r.l4.protocol.unwrap_or(0),
            not_protocol: r.l4.not_protocol.unwrap_or(0),
            flags,
            action: r.action,
        });
        chain.origin.push((policy, i as u32));
    }
}
