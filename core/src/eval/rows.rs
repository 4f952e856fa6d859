//! Decision rows: one side's enforced verdict for every peer at once.
//!
//! For an endpoint's own side (the egress of a source, the ingress of a destination), one view of its
//! chain (`chain::index`) and a flow's protocol and port, what remains to decide depends only on the
//! peer. So the view's entries are evaluated over all endpoints together, one bit per endpoint: each
//! criterion has a row of the endpoints that meet it, and each entry takes the peers it matches out
//! of the undecided ones. The answer is a row holding, per peer, an allow bit and the number of what
//! decided (a rule, a tier's end, the profile) in a few bit planes, interleaved word by word so that a
//! peer's answer is one cache line. A flow then costs a hash lookup and a few bit tests per side
//! instead of a walk (`Evaluator::allows`, `Evaluator::evaluate`). Rows are built on first use and
//! dropped when an edit or a new endpoint makes them stale; past their memory budget they are
//! dropped, and the second time no more are built (the walk answers) until they are stale.
//!
//! Semantics are the indexed walk's (`walk::walk_index`), entry by entry: the same own-side test, the
//! flow's address family as `walk::flow_cx` picks it (the source's, else the destination's), named
//! ports checked on the destination for the exact protocol and port (rows of views that name ports
//! are keyed by them; other views answer alike for every port of their slot), Pass
//! carrying a peer to the next tier, and a tier's end denying or passing what it left undecided.

mod named;

use std::sync::Mutex;

use rustc_hash::FxHashMap;

use super::chain::{
    ACTION_ALLOW, ACTION_PASS, ENTRY_NAMED, FLAG_V4, FLAG_V6, VIEW_NAMED, decode_entry, view_of,
    view_tiers,
};
use super::compiled::{EndpointId, Evaluator, has_bit};
use super::matching::Family;
use super::{DecidedBy, Direction, PolicyId, SideVerdict, TierId, Verdict};
use crate::model::Action;

/// Words of rows kept at most (64 MiB).
const BUDGET_WORDS: usize = 8 << 20;

/// Bit planes per row at most (allow bit included): a peer's words then share a cache line, and a
/// view with more outcomes than the planes can number is walked.
const MAX_PLANES: usize = 8;

/// The rows of an evaluator. Built lazily behind `&self`, hence the lock: an evaluator must stay
/// `Sync` (the app's canvas keeps one in a `Memo`), so a cell would not do; a free lock costs an
/// atomic swap. A clone starts empty.
#[derive(Debug, Default)]
pub(crate) struct Rows(Mutex<Cache>);

impl Clone for Rows {
    fn clone(&self) -> Rows {
        Rows::default()
    }
}

impl Rows {
    /// Forgets every row (after an edit of policies or tiers).
    pub fn clear(&mut self) {
        match self.0.get_mut() {
            Ok(cache) => *cache = Cache::default(),
            Err(poisoned) => *poisoned.into_inner() = Cache::default(),
        }
    }
}

/// Where a row is: its first word, its planes per word, its first outcome ([`ALLOW_ONLY`]: the row
/// has its allow plane only, its view having more outcomes than planes can number).
#[derive(Debug, Clone, Copy)]
struct RowAt {
    start: u32,
    planes: u32,
    outcomes: u32,
}

#[derive(Debug, Default)]
struct Cache {
    /// The endpoints and criterion words the bitsets below were made for; others make them stale.
    peers: usize,
    stride: usize,
    /// Words per plane.
    words: usize,
    /// Per criterion, the endpoints that meet it (`words` words each, criterion after criterion).
    holders: Vec<u64>,
    /// Endpoints with an IPv6 address, and endpoints with an address at all.
    v6: Vec<u64>,
    addressed: Vec<u64>,
    /// Every endpoint (the bits past the last are zero), and the workloads among them.
    all: Vec<u64>,
    workloads: Vec<u64>,
    /// Owners of named container ports, made as rows ask (`named`).
    owners: named::Owners,
    /// (own endpoint, view, protocol and port or none) → its row.
    index: FxHashMap<(u32, u32, u32), RowAt>,
    /// (own endpoint, mode and direction, protocol and port) → its row: what a flow looks up first,
    /// so that a flow met before skips finding its view.
    by_flow: FxHashMap<(u32, u32, u32), RowAt>,
    rows: Vec<u64>,
    outcomes: Vec<SideVerdict>,
    /// Times the budget was reached since the rows were last stale; at two no row is built.
    overflows: u8,
}

const ALLOW_ONLY: u32 = u32::MAX;

/// A flow's protocol and port as one key word (bit 16 set: no port).
fn protocol_port(protocol: u8, port: Option<u16>) -> u32 {
    u32::from(protocol) << 17 | port.map_or(1 << 16, u32::from)
}

/// Key word for a view that names no port: every flow of its slot is answered alike.
const ANY_PORT: u32 = u32::MAX;

/// Which side a row answers for, and what the flow brings to it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowQuery {
    /// The own end (source for egress, destination for ingress) and the peer.
    pub own: u32,
    pub peer: u32,
    /// The own end's chain's index block, and the flow's protocol class (see `chain::index`).
    pub block: u32,
    pub class: usize,
    pub carries: bool,
    /// 0 enforced, 1 with staged policies.
    pub mode: usize,
    pub direction: Direction,
    pub protocol: u8,
    pub port: Option<u16>,
}

impl Evaluator {
    /// Whether the side allows, from its row (built on first use). `None` when no row can be had:
    /// the caller walks instead.
    pub(crate) fn row_allows(&self, q: &RowQuery) -> Option<bool> {
        self.with_row(q, |cache, at, w, bit| {
            let word = cache.rows.get(at.start as usize + w * at.planes as usize)?;
            Some(word & bit != 0)
        })
    }

    /// The side's verdict and what decided it, from its row (see [`Evaluator::row_allows`]).
    pub(crate) fn row_side(&self, q: &RowQuery) -> Option<SideVerdict> {
        self.with_row(q, |cache, at, w, bit| {
            if at.outcomes == ALLOW_ONLY {
                return None;
            }
            let first = at.start as usize + w * at.planes as usize;
            let words = cache.rows.get(first + 1..first + at.planes as usize)?;
            let number = words
                .iter()
                .enumerate()
                .fold(0usize, |n, (j, word)| n | usize::from(word & bit != 0) << j);
            cache.outcomes.get(at.outcomes as usize + number).copied()
        })
    }

    fn with_row<T>(
        &self,
        q: &RowQuery,
        read: impl FnOnce(&Cache, RowAt, usize, u64) -> Option<T>,
    ) -> Option<T> {
        // Another thread building a row: walk rather than wait.
        let mut cache = self.rows.0.try_lock().ok()?;
        if cache.peers != self.endpoints.len() || cache.stride != self.stride() {
            self.reset_rows(&mut cache);
        }
        let side = (q.mode * 2 + usize::from(q.direction == Direction::Egress)) as u32;
        let flow_key = (q.own, side, protocol_port(q.protocol, q.port));
        let at = match cache.by_flow.get(&flow_key) {
            Some(&at) => at,
            None => {
                let arena = &self.chains.arena;
                let view = view_of(arena, q.block as usize, q.class, q.carries, q.port)?;
                let port = if arena.get(view)? & VIEW_NAMED != 0 {
                    protocol_port(q.protocol, q.port)
                } else {
                    ANY_PORT
                };
                let key = (q.own, u32::try_from(view).ok()?, port);
                let at = match cache.index.get(&key) {
                    Some(&at) => at,
                    None => {
                        let at = self.build_row(&mut cache, q, view)?;
                        cache.index.insert(key, at);
                        at
                    }
                };
                cache.by_flow.insert(flow_key, at);
                at
            }
        };
        read(&cache, at, q.peer as usize >> 6, 1 << (q.peer & 63))
    }

    /// Makes the per-criterion and per-family rows for the current endpoints, and drops every row.
    fn reset_rows(&self, cache: &mut Cache) {
        let peers = self.endpoints.len();
        let stride = self.stride();
        let words = peers.div_ceil(64);
        let mut fresh = Cache {
            peers,
            stride,
            words,
            holders: vec![0; stride * 64 * words],
            v6: vec![0; words],
            addressed: vec![0; words],
            all: vec![0; words],
            workloads: vec![0; words],
            ..Cache::default()
        };
        for e in 0..peers {
            let (w, bit) = (e >> 6, 1u64 << (e & 63));
            fresh.all[w] |= bit;
            if self.endpoints.get(e).is_some_and(|d| d.entity.is_some()) {
                fresh.workloads[w] |= bit;
            }
            match self.hot.get(e).and_then(|h| h.family) {
                Some(Family::V6) => {
                    fresh.v6[w] |= bit;
                    fresh.addressed[w] |= bit;
                }
                Some(Family::V4) => fresh.addressed[w] |= bit,
                None => {}
            }
            for (i, &word) in self.endpoint_bits(EndpointId(e as u32)).iter().enumerate() {
                let mut rest = word;
                while rest != 0 {
                    let c = i * 64 + rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    if let Some(slot) = fresh.holders.get_mut(c * words + w) {
                        *slot |= bit;
                    }
                }
            }
        }
        *cache = fresh;
    }

    /// Evaluates the query's view for its own end and every peer, and stores the row.
    fn build_row(&self, cache: &mut Cache, q: &RowQuery, view: usize) -> Option<RowAt> {
        if cache.overflows >= 2 {
            return None;
        }
        let words = cache.words;
        let hot = self.hot.get(q.own as usize)?;
        let own_bits = self.endpoint_bits(EndpointId(q.own));
        let egress = q.direction == Direction::Egress;
        let chain =
            self.label_sets.get(hot.label_set as usize)?.chains[q.mode][usize::from(egress)];
        // The flow's family is the source's, else the destination's: on egress the own end is the
        // source, on ingress the peer is.
        let own_v6 = hot.family == Some(Family::V6);
        let v6: Vec<u64> = (0..words)
            .map(|w| match (egress, hot.family) {
                (true, Some(_)) => cache.all[w] & if own_v6 { u64::MAX } else { 0 },
                (true, None) => cache.v6[w],
                (false, _) => {
                    cache.v6[w]
                        | if own_v6 {
                            cache.all[w] & !cache.addressed[w]
                        } else {
                            0
                        }
                }
            })
            .collect();
        let v4: Vec<u64> = (0..words).map(|w| cache.all[w] & !v6[w]).collect();

        let arena = &self.chains.arena[..];
        let tiers = view_tiers(*arena.get(view)?);
        let tier_words = arena.get(view + 1..view + 1 + 2 * tiers)?;
        let first = view + 1 + 2 * tiers;
        let origins =
            first + 2 * tier_words.get(2 * tiers.max(1) - 2).copied().unwrap_or(0) as usize;
        // Per outcome, the peers it decides (allows first, then denials, in the order met).
        let mut outcomes: Vec<(SideVerdict, Vec<u64>)> = Vec::new();
        let mut record = |outcome: SideVerdict, peers: &[u64]| match outcomes
            .iter_mut()
            .find(|(o, _)| *o == outcome)
        {
            Some((_, bits)) => bits.iter_mut().zip(peers).for_each(|(b, p)| *b |= p),
            None => outcomes.push((outcome, peers.to_vec())),
        };
        let mut live = cache.all.clone();
        let mut pending = vec![0u64; words];
        let mut passed = vec![0u64; words];
        let mut hit = vec![0u64; words];
        let mut start = 0usize;
        for tier in tier_words.chunks_exact(2) {
            let end = tier[0] as usize;
            pending.copy_from_slice(&live);
            passed.fill(0);
            for i in start..end {
                let (src_crit, dst_crit, flags, action) =
                    decode_entry(arena.get(first + 2 * i..first + 2 * i + 2)?);
                let (own_crit, peer_crit) = if egress {
                    (src_crit, dst_crit)
                } else {
                    (dst_crit, src_crit)
                };
                if !has_bit(own_bits, own_crit) {
                    continue;
                }
                // A criterion past the bitsets is met by no endpoint (as `has_bit` says).
                let Some(holders) = cache
                    .holders
                    .get(peer_crit as usize * words..(peer_crit as usize + 1) * words)
                else {
                    continue;
                };
                let (with_v4, with_v6) = (
                    flags & u32::from(FLAG_V4) != 0,
                    flags & u32::from(FLAG_V6) != 0,
                );
                let mut any = 0u64;
                for w in 0..words {
                    let family = if with_v4 { v4[w] } else { 0 } | if with_v6 { v6[w] } else { 0 };
                    hit[w] = pending[w] & holders[w] & family;
                    any |= hit[w];
                }
                if any == 0 {
                    continue;
                }
                let at = *arena.get(origins + i)?;
                if flags & ENTRY_NAMED != 0 {
                    if egress {
                        // The peer is the destination: its container ports decide.
                        let rule = self.chains.get(chain).origin.get(at as usize).and_then(
                            |&(policy, rule)| {
                                self.policy(policy)?.rules(q.direction)?.get(rule as usize)
                            },
                        );
                        let matching = match rule {
                            Some(rule) => self.rule_port_peers(
                                rule,
                                q.protocol,
                                q.port,
                                &mut named::Peers {
                                    words,
                                    holders: &cache.holders,
                                    all: &cache.all,
                                    workloads: &cache.workloads,
                                    owners: &mut cache.owners,
                                },
                            ),
                            None => vec![0; words],
                        };
                        hit.iter_mut().zip(&matching).for_each(|(h, m)| *h &= m);
                    } else if !self.named_entry_holds(
                        chain,
                        at,
                        q.direction,
                        q.own,
                        q.protocol,
                        q.port,
                    ) {
                        continue;
                    }
                }
                for w in 0..words {
                    pending[w] &= !hit[w];
                }
                if action == ACTION_PASS {
                    passed.iter_mut().zip(&hit).for_each(|(p, h)| *p |= h);
                    continue;
                }
                let (policy, rule) = self
                    .chains
                    .get(chain)
                    .origin
                    .get(at as usize)
                    .copied()
                    .unwrap_or((PolicyId(u32::MAX), 0));
                let (verdict, action) = if action == ACTION_ALLOW {
                    (Verdict::Allow, Action::Allow)
                } else {
                    (Verdict::Deny, Action::Deny)
                };
                let decided_by = DecidedBy::Rule {
                    policy,
                    rule,
                    action,
                };
                record(
                    SideVerdict {
                        verdict,
                        decided_by,
                    },
                    &hit,
                );
            }
            start = end;
            // What the tier left undecided: denied at its end, or on to the next tier with what passed.
            if tier[1] & 1 == 1 {
                let end_of_tier = SideVerdict {
                    verdict: Verdict::Deny,
                    decided_by: DecidedBy::EndOfTier {
                        tier: TierId(tier[1] >> 1),
                    },
                };
                record(end_of_tier, &pending);
                live.copy_from_slice(&passed);
            } else {
                for w in 0..words {
                    live[w] = passed[w] | pending[w];
                }
            }
        }
        // No tier decided: the profile allows.
        record(
            SideVerdict {
                verdict: Verdict::Allow,
                decided_by: DecidedBy::Profile,
            },
            &live,
        );
        outcomes.retain(|(_, bits)| bits.iter().any(|&b| b != 0));
        store_row(cache, &outcomes)
    }
}

/// Writes a row: per word, the allow plane, then the outcome number's bits, one plane each.
fn store_row(cache: &mut Cache, outcomes: &[(SideVerdict, Vec<u64>)]) -> Option<RowAt> {
    let mut number_planes =
        usize::BITS as usize - outcomes.len().saturating_sub(1).leading_zeros() as usize;
    let allow_only = 1 + number_planes > MAX_PLANES;
    if allow_only {
        number_planes = 0;
    }
    let planes = 1 + number_planes;
    let words = cache.words;
    if cache.rows.len() + words * planes > BUDGET_WORDS {
        cache.index.clear();
        cache.by_flow.clear();
        cache.rows.clear();
        cache.outcomes.clear();
        cache.overflows += 1;
        if cache.overflows >= 2 {
            return None;
        }
    }
    let at = RowAt {
        start: u32::try_from(cache.rows.len()).ok()?,
        planes: planes as u32,
        outcomes: if allow_only {
            ALLOW_ONLY
        } else {
            u32::try_from(cache.outcomes.len()).ok()?
        },
    };
    let base = cache.rows.len();
    cache.rows.resize(base + words * planes, 0);
    for (n, (outcome, bits)) in outcomes.iter().enumerate() {
        for (w, &b) in bits.iter().enumerate() {
            let word = base + w * planes;
            if outcome.verdict == Verdict::Allow {
                cache.rows[word] |= b;
            }
            for j in 0..number_planes {
                if n >> j & 1 == 1 {
                    cache.rows[word + 1 + j] |= b;
                }
            }
        }
        if !allow_only {
            cache.outcomes.push(*outcome);
        }
    }
    Some(at)
}
