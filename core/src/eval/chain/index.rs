//! Lookup tables for the fast path: per chain, the entries that can match a flow of a given protocol
//! and destination port, precomputed.
//!
//! A rule's protocol, ICMP and numeric port criteria depend only on the flow's protocol and port, so
//! they are decided when the chain is built. Protocols fall into classes that no rule tells apart
//! ([`ProtocolClasses`]); a chain's numeric port bounds cut the ports into slots that none of its
//! rules tells apart. For each (class, slot) a *view* lists the entries still to test (selector bits,
//! IP family, and named ports, which depend on the destination), grouped by tier, with Log rules
//! (no effect on a verdict) and unreachable entries left out.

use std::collections::HashMap;

use super::{Chain, FLAG_HEADER, FLAG_UNSUPPORTED, FLAG_V4, FLAG_V6};
use crate::eval::Direction;
use crate::eval::compiled::{ALWAYS, ANY, CRule, Evaluator};
use crate::eval::matching::protocol_matches;
use crate::model::{Action, TierDefaultAction, carries_ports};

/// Protocols with their own semantics whatever the rules say: ICMP echo (1, 58) and ports (6, 17, 132).
const BUILT_IN: [u8; 5] = [1, 6, 17, 58, 132];

/// Protocol numbers grouped so that two of one class are treated alike by every rule: each protocol a
/// rule names (or with built-in semantics) is a class of its own, all others share one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProtocolClasses {
    class_of: Box<[u8; 256]>,
    known: Box<[bool; 256]>,
    /// One protocol of each class.
    reps: Vec<u8>,
}

impl Default for ProtocolClasses {
    fn default() -> ProtocolClasses {
        let mut classes = ProtocolClasses {
            class_of: Box::new([0; 256]),
            known: Box::new([false; 256]),
            reps: Vec::new(),
        };
        for p in BUILT_IN {
            classes.known[p as usize] = true;
        }
        classes.recompute();
        classes
    }
}

impl ProtocolClasses {
    /// Records a protocol a rule names; true when that split a class (tables built before are stale).
    pub fn note(&mut self, protocol: u8) -> bool {
        if self.known[protocol as usize] {
            return false;
        }
        self.known[protocol as usize] = true;
        self.recompute();
        true
    }

    fn recompute(&mut self) {
        self.reps.clear();
        let mut other: Option<u8> = None;
        for p in 0..=255u8 {
            let class = if self.known[p as usize] {
                self.reps.push(p);
                self.reps.len() - 1
            } else if let Some(class) = other {
                class as usize
            } else {
                self.reps.push(p);
                other = Some((self.reps.len() - 1) as u8);
                self.reps.len() - 1
            };
            // At most 256 classes: the index fits.
            self.class_of[p as usize] = class as u8;
        }
    }

    #[inline]
    pub fn class(&self, protocol: u8) -> usize {
        self.class_of[protocol as usize] as usize
    }

    fn len(&self) -> usize {
        self.reps.len()
    }

    /// Whether flows of a class carry ports (their port picks the slot).
    #[inline]
    pub fn carries_ports(&self, class: usize) -> bool {
        self.reps.get(class).is_some_and(|&p| carries_ports(p))
    }
}

// INVARIANT: a chain's index is one block of the evaluator's arena of `u32` words, so that a lookup
// touches few cache lines (the walk is bound by memory latency, not by the tests). Offsets are relative
// to the block:
//   [0] B, the number of port bounds; [1..1+B] the bounds, ascending;
//   [1+B..1+B+C] per protocol class, the offset of its slot table (B+2 slots for protocols that carry
//   ports, the last for a flow without a port; one slot for the others);
//   slot tables: the offset of each slot's view;
//   a view: [0] T, the number of tiers (| VIEW_NAMED when an entry names ports); T pairs (end, tier << 1 | deny-at-end) where `end` counts
//   entries from the view's first; then the entries, two words each (criterion | flags << 28 for the
//   source, criterion | action << 28 for the destination); then, one word per entry, its index into
//   the chain's `rules` / `origin` (read only to report which rule decided).

/// In a view's first word (beside its number of tiers): an entry of the view names ports, so its
/// answer depends on the exact port, not only on the slot.
pub(crate) const VIEW_NAMED: u32 = 1 << 31;

/// A view's number of tiers, from its first word.
#[inline]
pub(crate) fn view_tiers(word: u32) -> usize {
    (word & !VIEW_NAMED) as usize
}

/// The criterion part of an entry word. A chain whose criteria do not fit is not indexed.
pub(crate) const CRITERION_MASK: u32 = (1 << 28) - 1;
const TOP_SHIFT: u32 = 28;

/// The rule names ports: check the full rule against the destination's container ports.
pub(crate) const ENTRY_NAMED: u32 = 8;

pub(crate) const ACTION_ALLOW: u32 = 0;
pub(crate) const ACTION_DENY: u32 = 1;
pub(crate) const ACTION_PASS: u32 = 2;

/// A view entry: source criterion, destination criterion, `FLAG_V4`/`FLAG_V6`/[`ENTRY_NAMED`], action.
#[inline]
pub(crate) fn decode_entry(words: &[u32]) -> (u32, u32, u32, u32) {
    match words {
        [src, dst, ..] => (
            src & CRITERION_MASK,
            dst & CRITERION_MASK,
            src >> TOP_SHIFT,
            dst >> TOP_SHIFT,
        ),
        _ => (0, 0, 0, ACTION_DENY),
    }
}

/// The view of a flow's protocol class and port in the block at `block`: the offset of its first
/// word in `arena`, or `None` when the block is malformed (never for a block built here).
#[inline]
pub(crate) fn view_of(
    arena: &[u32],
    block: usize,
    class: usize,
    carries: bool,
    port: Option<u16>,
) -> Option<usize> {
    let b = *arena.get(block)? as usize;
    let slot = if !carries {
        0
    } else {
        match port {
            Some(p) => arena
                .get(block + 1..block + 1 + b)?
                .partition_point(|&x| x <= u32::from(p)),
            None => b + 1,
        }
    };
    let slots = *arena.get(block + 1 + b + class)? as usize;
    Some(block + *arena.get(block + slots + slot)? as usize)
}

/// How an entry fares for one protocol and port, before selectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Static {
    Never,
    Maybe,
    /// Depends on the destination's named ports.
    Named,
}

fn static_match(rule: &CRule, protocol: u8, port: Option<u16>) -> Static {
    if !protocol_matches(&rule.l4, protocol) {
        return Static::Never;
    }
    let port = port.filter(|_| carries_ports(protocol));
    let numeric = |ranges: &[(u16, u16)]| {
        port.is_some_and(|p| ranges.iter().any(|&(lo, hi)| lo <= p && p <= hi))
    };
    let mut named = false;
    let (ports, not_ports) = (&rule.dst_ports, &rule.dst_not_ports);
    if !ports.is_empty() && !numeric(&ports.ranges) {
        if ports.named.is_empty() || port.is_none() {
            return Static::Never;
        }
        named = true;
    }
    if !not_ports.is_empty() {
        if numeric(&not_ports.ranges) {
            return Static::Never;
        }
        named |= !not_ports.named.is_empty() && port.is_some();
    }
    if named { Static::Named } else { Static::Maybe }
}

impl Evaluator {
    /// Builds a chain's index block (its `rules`, `origin` and `tiers` already set); `None` when a
    /// criterion id does not fit an entry word (the chain is then walked in full).
    pub(crate) fn index_chain(&self, chain: &Chain, direction: Direction) -> Option<Vec<u32>> {
        let fits = |c: u32| c == ANY || c < CRITERION_MASK;
        if !chain
            .rules
            .iter()
            .all(|r| fits(r.src_crit) && fits(r.dst_crit))
        {
            return None;
        }
        let rules: Vec<Option<&CRule>> = chain
            .origin
            .iter()
            .zip(&chain.rules)
            .map(|(&(pid, rule), flat)| {
                // Rules that need data the evaluator lacks never match on the indexed path.
                if flat.flags & (FLAG_HEADER | FLAG_UNSUPPORTED) != 0 {
                    return None;
                }
                self.policy(pid)
                    .and_then(|p| p.rules(direction))
                    .and_then(|r| r.get(rule as usize))
            })
            .collect();
        let mut bounds: Vec<u16> = Vec::new();
        for r in rules.iter().flatten() {
            for &(lo, hi) in r.dst_ports.ranges.iter().chain(&r.dst_not_ports.ranges) {
                bounds.push(lo);
                if let Some(next) = hi.checked_add(1) {
                    bounds.push(next);
                }
            }
        }
        bounds.sort_unstable();
        bounds.dedup();
        let classes = &self.chains.classes;
        let ports_per_class: Vec<Vec<Option<u16>>> = classes
            .reps
            .iter()
            .map(|&protocol| {
                if carries_ports(protocol) {
                    (0..=bounds.len())
                        .map(|k| Some(if k == 0 { 0 } else { bounds[k - 1] }))
                        .chain([None])
                        .collect()
                } else {
                    vec![None]
                }
            })
            .collect();
        let mut block: Vec<u32> = vec![bounds.len() as u32];
        block.extend(bounds.iter().map(|&b| u32::from(b)));
        let class_table = block.len();
        block.resize(class_table + classes.len(), 0);
        let mut slot_tables = Vec::with_capacity(classes.len());
        for (class, ports) in ports_per_class.iter().enumerate() {
            block[class_table + class] = block.len() as u32;
            slot_tables.push(block.len());
            block.resize(block.len() + ports.len(), 0);
        }
        // Slots with the same candidates share one view.
        let mut views: HashMap<Vec<(u32, Static)>, u32> = HashMap::new();
        let mut candidates: Vec<(u32, Static)> = Vec::new();
        for (class, ports) in ports_per_class.iter().enumerate() {
            let protocol = classes.reps[class];
            for (slot, &port) in ports.iter().enumerate() {
                candidates.clear();
                for (at, r) in rules.iter().enumerate() {
                    if let Some(r) = r {
                        let s = static_match(r, protocol, port);
                        if s != Static::Never {
                            candidates.push((at as u32, s));
                        }
                    }
                }
                let view = match views.get(&candidates) {
                    Some(&view) => view,
                    None => {
                        let view = block.len() as u32;
                        self.append_view(chain, &candidates, &mut block);
                        views.insert(candidates.clone(), view);
                        view
                    }
                };
                block[slot_tables[class] + slot] = view;
            }
        }
        Some(block)
    }

    /// Appends one view, leaving out what cannot change the verdict.
    fn append_view(&self, chain: &Chain, candidates: &[(u32, Static)], block: &mut Vec<u32>) {
        let both = FLAG_V4 | FLAG_V6;
        let mut tier_words: Vec<u32> = Vec::new();
        let mut entries: Vec<u32> = Vec::new();
        let mut origins: Vec<u32> = Vec::new();
        let mut next = candidates.iter().peekable();
        for &(tier, end) in &chain.tiers {
            let deny_at_end = self
                .tier_info(tier)
                .is_none_or(|t| t.default_action == TierDefaultAction::Deny);
            let before = origins.len();
            // An entry that matches every flow of the view ends the tier (Pass) or the walk.
            let mut closed: Option<Action> = None;
            let mut may_pass = false;
            while let Some(&&(at, s)) = next.peek() {
                if at >= end {
                    break;
                }
                next.next();
                let Some(flat) = chain.rules.get(at as usize) else {
                    continue;
                };
                let action = match flat.action {
                    // Log changes no verdict.
                    Action::Log => continue,
                    Action::Allow => ACTION_ALLOW,
                    Action::Deny => ACTION_DENY,
                    Action::Pass => ACTION_PASS,
                };
                if closed.is_some() {
                    continue;
                }
                let named = s == Static::Named;
                let flags = u32::from(flat.flags & both) | if named { ENTRY_NAMED } else { 0 };
                let criterion = |c: u32| if c == ANY { ALWAYS } else { c };
                entries.extend([
                    criterion(flat.src_crit) | flags << TOP_SHIFT,
                    criterion(flat.dst_crit) | action << TOP_SHIFT,
                ]);
                origins.push(at);
                may_pass |= flat.action == Action::Pass;
                if !named
                    && flat.src_crit == ANY
                    && flat.dst_crit == ANY
                    && flat.flags & both == both
                {
                    closed = Some(flat.action);
                }
            }
            if origins.len() == before && !deny_at_end {
                // Nothing to test and the tier passes: as if it were not there.
                continue;
            }
            tier_words.extend([
                origins.len() as u32,
                (tier as u32) << 1 | u32::from(deny_at_end),
            ]);
            // Later tiers are reached only through a Pass (or a tier that passes by default).
            let decides = matches!(closed, Some(Action::Allow | Action::Deny));
            if !may_pass && (decides || deny_at_end) {
                break;
            }
        }
        let named = entries
            .chunks_exact(2)
            .any(|e| (e[0] >> TOP_SHIFT) & ENTRY_NAMED != 0);
        block.push((tier_words.len() / 2) as u32 | if named { VIEW_NAMED } else { 0 });
        block.extend(tier_words);
        block.extend(entries);
        block.extend(origins);
    }
}
