//! Walking one side of a flow through its tiers (`calico-semantics.md` §6), shared by the fast path
//! (a recorder that records nothing, compiled away) and by explanations.

use super::chain::{
    ACTION_ALLOW, ACTION_PASS, Chain, ENTRY_NAMED, FLAG_HEADER, FLAG_SLOW, FLAG_UNSUPPORTED,
    FLAG_V4, FLAG_V6, NO_BLOCK, decode_entry, view_of, view_tiers,
};
use super::compiled::{Evaluator, bit, has_bit};
use super::matching::{Family, dst_ports_match, protocol_matches};
use super::rows::RowQuery;
use super::{
    DecidedBy, Direction, Flow, FlowVerdict, PolicyId, SideVerdict, Sides, TierId, Verdict,
};
use crate::model::{Action, TierDefaultAction};

/// Receives the steps of a walk. The default methods do nothing.
pub(crate) trait Recorder {
    /// False for [`Quiet`]: the walk then uses the header-free arrays.
    const RECORDS: bool = true;
    fn tier(&mut self, _tier: usize) {}
    fn policy(&mut self, _policy: PolicyId) {}
    fn rule(&mut self, _index: u32, _action: Action) {}
    fn tier_end(&mut self, _passed: bool, _default_action: TierDefaultAction) {}
}

/// Records nothing.
pub(crate) struct Quiet;

impl Recorder for Quiet {
    const RECORDS: bool = false;
}

/// The per-flow facts rules are tested against.
struct FlowCx<'a> {
    src: u32,
    dst: u32,
    /// Label sets of the ends (outside ends have none: an id past the last).
    src_ls: u32,
    dst_ls: u32,
    src_bits: &'a [u64],
    dst_bits: &'a [u64],
    protocol: u8,
    port: Option<u16>,
    family: usize,
    /// The protocol's class and whether it carries ports (see `chain::index`).
    class: usize,
    carries: bool,
    /// A world where the destination's container ports are not given: the named port assumed to be
    /// the flow's port (`worlds`). `None`: the destination's own ports decide.
    assumed_port: Option<&'a str>,
    /// The world where rules needing data the evaluator lacks (`domains`, `services`) match
    /// whenever the rest of them does (`worlds`): only the flat walk visits such rules.
    rules_need_data_match: bool,
}

impl Evaluator {
    /// The verdict of a flow: enforced, and with staged policies when one selects either end. A
    /// verdict that depends on a fact the input does not give (a workload's pod IP or container
    /// ports) is marked in [`FlowVerdict::undecidable`]; its `verdict` is then the answer for the
    /// pod range as a whole and no named port, which is only one of the possible answers.
    pub fn evaluate(&self, flow: &Flow) -> FlowVerdict {
        let base = self.evaluate_with(flow, &mut Quiet, &mut Quiet);
        if self.is_uncertain(flow) {
            self.evaluate_worlds(flow, base)
        } else {
            base
        }
    }

    /// Whether an end of the flow has a missing fact (then [`Evaluator::evaluate`] looks at worlds).
    pub(crate) fn is_uncertain(&self, flow: &Flow) -> bool {
        let uncertain =
            |id: super::EndpointId| self.hot.get(id.0 as usize).is_some_and(|h| h.uncertain);
        uncertain(flow.src) || uncertain(flow.dst) || !self.world_cuts.unsupported.is_empty()
    }

    /// Only the enforced verdict: the fastest path (the ingress side is skipped when egress denies).
    pub fn allows(&self, flow: &Flow) -> bool {
        if self.is_uncertain(flow) {
            // As `evaluate` answers: an undecidable flow gives the pod range's answer.
            return self.evaluate(flow).verdict() == Verdict::Allow;
        }
        let Some(cx) = self.flow_cx(flow) else {
            return false;
        };
        self.side_allows(&cx, cx.src_ls, Direction::Egress)
            && self.side_allows(&cx, cx.dst_ls, Direction::Ingress)
    }

    pub(crate) fn evaluate_with<R: Recorder>(
        &self,
        flow: &Flow,
        egress: &mut R,
        ingress: &mut R,
    ) -> FlowVerdict {
        self.evaluate_assuming(flow, None, egress, ingress)
    }

    /// [`Evaluator::evaluate_with`] in the world where the destination owns the named port
    /// `assumed_port` for the flow's protocol and port (`None`: only its own ports).
    pub(crate) fn evaluate_assuming<R: Recorder>(
        &self,
        flow: &Flow,
        assumed_port: Option<&str>,
        egress: &mut R,
        ingress: &mut R,
    ) -> FlowVerdict {
        self.evaluate_in_world(flow, assumed_port, false, egress, ingress)
    }

    /// [`Evaluator::evaluate_assuming`], and with `rules_need_data_match` the rules that need data
    /// the evaluator lacks match whenever the rest of them does.
    pub(crate) fn evaluate_in_world<R: Recorder>(
        &self,
        flow: &Flow,
        assumed_port: Option<&str>,
        rules_need_data_match: bool,
        egress: &mut R,
        ingress: &mut R,
    ) -> FlowVerdict {
        let Some(mut cx) = self.flow_cx(flow) else {
            let deny = SideVerdict {
                verdict: Verdict::Deny,
                decided_by: DecidedBy::None,
            };
            return FlowVerdict {
                enforced: Sides {
                    verdict: Verdict::Deny,
                    egress: deny,
                    ingress: deny,
                },
                staged: None,
                undecidable: super::Undecidable::default(),
            };
        };
        cx.assumed_port = assumed_port;
        cx.rules_need_data_match = rules_need_data_match;
        let enforced = self.sides(&cx, 0, egress, ingress);
        let staged = self
            .staged_applies(&cx)
            .then(|| self.sides(&cx, 1, &mut Quiet, &mut Quiet));
        FlowVerdict {
            enforced,
            staged,
            undecidable: super::Undecidable::default(),
        }
    }

    /// The staged-mode sides with a recorder (for explanations).
    pub(crate) fn staged_with<R: Recorder>(
        &self,
        flow: &Flow,
        egress: &mut R,
        ingress: &mut R,
    ) -> Option<Sides> {
        let cx = self.flow_cx(flow)?;
        self.staged_applies(&cx)
            .then(|| self.sides(&cx, 1, egress, ingress))
    }

    fn flow_cx(&self, flow: &Flow) -> Option<FlowCx<'_>> {
        let src = self.hot.get(flow.src.0 as usize)?;
        let dst = self.hot.get(flow.dst.0 as usize)?;
        // The source's address family, else the destination's, else IPv4 (`matching::flow_family`).
        let v6 = match src.family {
            Some(family) => family == Family::V6,
            None => dst.family == Some(Family::V6),
        };
        let protocol = flow.protocol.number();
        let class = self.chains.classes.class(protocol);
        Some(FlowCx {
            class,
            carries: self.chains.classes.carries_ports(class),
            src: flow.src.0,
            dst: flow.dst.0,
            src_ls: src.label_set,
            dst_ls: dst.label_set,
            src_bits: self.endpoint_bits(flow.src),
            dst_bits: self.endpoint_bits(flow.dst),
            protocol,
            port: flow.port,
            family: usize::from(v6),
            assumed_port: None,
            rules_need_data_match: false,
        })
    }

    fn staged_applies(&self, cx: &FlowCx<'_>) -> bool {
        let selects = |ls: u32, d: usize| {
            self.label_sets
                .get(ls as usize)
                .is_some_and(|ls| ls.staged_selects[d])
        };
        selects(cx.src_ls, 1) || selects(cx.dst_ls, 0)
    }

    fn sides<R: Recorder>(
        &self,
        cx: &FlowCx<'_>,
        mode: usize,
        egress_rec: &mut R,
        ingress_rec: &mut R,
    ) -> Sides {
        let egress = self.side(cx, cx.src_ls, Direction::Egress, mode, egress_rec);
        // Both sides must allow; the ingress side is still evaluated so that both are reported.
        let ingress = self.side(cx, cx.dst_ls, Direction::Ingress, mode, ingress_rec);
        Sides {
            verdict: egress.verdict.and(ingress.verdict),
            egress,
            ingress,
        }
    }

    fn side<R: Recorder>(
        &self,
        cx: &FlowCx<'_>,
        own_ls: u32,
        direction: Direction,
        mode: usize,
        rec: &mut R,
    ) -> SideVerdict {
        let Some(ls) = self.label_sets.get(own_ls as usize) else {
            return SideVerdict::OUTSIDE;
        };
        let d = match direction {
            Direction::Ingress => 0,
            Direction::Egress => 1,
        };
        let chain = ls.chains[mode][d];
        if !R::RECORDS && !cx.rules_need_data_match {
            let block = self
                .blocks
                .get(own_ls as usize)
                .map_or(NO_BLOCK, |b| b[mode][d]);
            if block != NO_BLOCK {
                let row = if self.rows_on && cx.assumed_port.is_none() {
                    self.row_side(&self.row_query(cx, block, mode, direction))
                } else {
                    None
                };
                if let Some(side) = row {
                    return side;
                }
                return self.walk_index::<true>(cx, (own_ls, mode), block, direction);
            }
        }
        self.walk_chain(cx, self.chains.get(chain), direction, rec)
    }

    /// What the decision row of a side's verdict is found by (`rows`).
    fn row_query(
        &self,
        cx: &FlowCx<'_>,
        block: u32,
        mode: usize,
        direction: Direction,
    ) -> RowQuery {
        let (own, peer) = match direction {
            Direction::Egress => (cx.src, cx.dst),
            Direction::Ingress => (cx.dst, cx.src),
        };
        RowQuery {
            own,
            peer,
            block,
            class: cx.class,
            carries: cx.carries,
            mode,
            direction,
            protocol: cx.protocol,
            port: cx.port,
        }
    }

    /// Whether one side allows (enforced), without finding which rule decided: from the own end's
    /// decision row for the flow's view when there is one (`rows`), else by walking the view.
    fn side_allows(&self, cx: &FlowCx<'_>, own_ls: u32, direction: Direction) -> bool {
        let d = match direction {
            Direction::Ingress => 0,
            Direction::Egress => 1,
        };
        let Some(block) = self.blocks.get(own_ls as usize).map(|b| b[0][d]) else {
            return true;
        };
        let verdict = if block == NO_BLOCK {
            self.side(cx, own_ls, direction, 0, &mut Quiet).verdict
        } else {
            let row = if self.rows_on {
                self.row_allows(&self.row_query(cx, block, 0, direction))
            } else {
                None
            };
            if let Some(allowed) = row {
                return allowed;
            }
            self.walk_index::<false>(cx, (own_ls, 0), block, direction)
                .verdict
        };
        verdict == Verdict::Allow
    }

    fn walk_chain<R: Recorder>(
        &self,
        cx: &FlowCx<'_>,
        chain: &Chain,
        direction: Direction,
        rec: &mut R,
    ) -> SideVerdict {
        let family_flag = if cx.family == 0 { FLAG_V4 } else { FLAG_V6 };
        let (tiers, rules, origin) = (&chain.tiers[..], &chain.rules[..], &chain.origin[..]);
        let mut start = 0usize;
        for &(tier, end) in tiers {
            rec.tier(tier);
            let segment = rules.get(start..end as usize).unwrap_or(&[]);
            let first = start;
            start = end as usize;
            let mut passed = false;
            for (offset, r) in segment.iter().enumerate() {
                let at = || {
                    origin
                        .get(first + offset)
                        .copied()
                        .unwrap_or((PolicyId(u32::MAX), 0))
                };
                if r.flags & FLAG_HEADER != 0 {
                    rec.policy(at().0);
                    continue;
                }
                if r.flags & family_flag == 0
                    || (r.flags & FLAG_UNSUPPORTED != 0 && !cx.rules_need_data_match)
                    || (r.protocol != 0 && r.protocol != cx.protocol)
                    || r.not_protocol == cx.protocol
                    || !bit(cx.src_bits, r.src_crit)
                    || !bit(cx.dst_bits, r.dst_crit)
                {
                    continue;
                }
                let (policy, rule) = at();
                if r.flags & FLAG_SLOW != 0 && !self.slow_rule_matches(policy, rule, direction, cx)
                {
                    continue;
                }
                rec.rule(rule, r.action);
                let decided = |verdict| SideVerdict {
                    verdict,
                    decided_by: DecidedBy::Rule {
                        policy,
                        rule,
                        action: r.action,
                    },
                };
                match r.action {
                    Action::Log => {}
                    Action::Allow => return decided(Verdict::Allow),
                    Action::Deny => return decided(Verdict::Deny),
                    Action::Pass => {
                        passed = true;
                        break;
                    }
                }
            }
            let default_action = self
                .tier_info(tier)
                .map_or(TierDefaultAction::Deny, |t| t.default_action);
            rec.tier_end(passed, default_action);
            if !passed && default_action == TierDefaultAction::Deny {
                return SideVerdict {
                    verdict: Verdict::Deny,
                    decided_by: DecidedBy::EndOfTier {
                        tier: TierId(tier as u32),
                    },
                };
            }
        }
        SideVerdict {
            verdict: Verdict::Allow,
            decided_by: DecidedBy::Profile,
        }
    }

    /// The walk that records nothing, over the chain's view for the flow's protocol and port
    /// (`chain::index`). `WHY`: find the deciding rule (else `decided_by` is `DecidedBy::None`).
    fn walk_index<const WHY: bool>(
        &self,
        cx: &FlowCx<'_>,
        (ls, mode): (u32, usize),
        block: u32,
        direction: Direction,
    ) -> SideVerdict {
        // The chain itself is needed only for named ports and to report the deciding rule.
        let chain = || {
            let d = usize::from(direction == Direction::Egress);
            self.label_sets
                .get(ls as usize)
                .map_or(u32::MAX, |ls| ls.chains[mode][d])
        };
        let arena = &self.chains.arena[..];
        let family_flag = u32::from(if cx.family == 0 { FLAG_V4 } else { FLAG_V6 });
        let Some(view) = view_of(arena, block as usize, cx.class, cx.carries, cx.port) else {
            return SideVerdict::OUTSIDE;
        };
        let tiers = view_tiers(arena.get(view).copied().unwrap_or(0));
        let tier_words = arena.get(view + 1..view + 1 + 2 * tiers).unwrap_or(&[]);
        let first = view + 1 + 2 * tiers;
        // The origin words follow the entries (two words each).
        let origins =
            first + 2 * tier_words.get(2 * tiers.max(1) - 2).copied().unwrap_or(0) as usize;
        let mut start = 0usize;
        for tier in tier_words.chunks_exact(2) {
            let end = tier[0] as usize;
            let entries = arena.get(first + 2 * start..first + 2 * end).unwrap_or(&[]);
            let mut passed = false;
            for (i, e) in entries.chunks_exact(2).enumerate() {
                let (src_crit, dst_crit, flags, action) = decode_entry(e);
                if flags & family_flag == 0
                    || !has_bit(cx.src_bits, src_crit)
                    || !has_bit(cx.dst_bits, dst_crit)
                {
                    continue;
                }
                let at = || arena.get(origins + start + i).copied().unwrap_or(u32::MAX);
                if flags & ENTRY_NAMED != 0
                    && !self.named_rule_matches(chain(), at(), direction, cx)
                {
                    continue;
                }
                if action == ACTION_PASS {
                    passed = true;
                    break;
                }
                let (verdict, action) = if action == ACTION_ALLOW {
                    (Verdict::Allow, Action::Allow)
                } else {
                    (Verdict::Deny, Action::Deny)
                };
                let decided_by = if WHY {
                    let (policy, rule) = self
                        .chains
                        .get(chain())
                        .origin
                        .get(at() as usize)
                        .copied()
                        .unwrap_or((PolicyId(u32::MAX), 0));
                    DecidedBy::Rule {
                        policy,
                        rule,
                        action,
                    }
                } else {
                    DecidedBy::None
                };
                return SideVerdict {
                    verdict,
                    decided_by,
                };
            }
            start = end;
            if !passed && tier[1] & 1 == 1 {
                return SideVerdict {
                    verdict: Verdict::Deny,
                    decided_by: DecidedBy::EndOfTier {
                        tier: TierId(tier[1] >> 1),
                    },
                };
            }
        }
        SideVerdict {
            verdict: Verdict::Allow,
            decided_by: DecidedBy::Profile,
        }
    }

    /// The full check of a chain entry whose rule names ports, for a flow to `dst` (for decision
    /// rows: the source plays no part in it).
    pub(crate) fn named_entry_holds(
        &self,
        chain: u32,
        at: u32,
        direction: Direction,
        dst: u32,
        protocol: u8,
        port: Option<u16>,
    ) -> bool {
        let cx = FlowCx {
            src: u32::MAX,
            dst,
            src_ls: u32::MAX,
            dst_ls: u32::MAX,
            src_bits: &[],
            dst_bits: self.endpoint_bits(super::EndpointId(dst)),
            protocol,
            port,
            family: 0,
            class: 0,
            carries: false,
            assumed_port: None,
            rules_need_data_match: false,
        };
        self.named_rule_matches(chain, at, direction, &cx)
    }

    /// The full check of a chain entry whose rule names ports.
    fn named_rule_matches(
        &self,
        chain: u32,
        at: u32,
        direction: Direction,
        cx: &FlowCx<'_>,
    ) -> bool {
        self.chains
            .get(chain)
            .origin
            .get(at as usize)
            .is_some_and(|&(policy, rule)| self.slow_rule_matches(policy, rule, direction, cx))
    }

    /// ICMP and port criteria of a rule (the rest was checked from its flat entry).
    fn slow_rule_matches(
        &self,
        policy: PolicyId,
        rule: u32,
        direction: Direction,
        cx: &FlowCx<'_>,
    ) -> bool {
        let Some(rule) = self
            .policy(policy)
            .and_then(|p| p.rules(direction))
            .and_then(|r| r.get(rule as usize))
        else {
            return false;
        };
        if !protocol_matches(&rule.l4, cx.protocol) {
            return false;
        }
        let dst = self.endpoints.get(cx.dst as usize);
        let named = |name: &str| {
            dst.is_some_and(|d| {
                d.entity.is_some()
                    && bit(cx.dst_bits, rule.dst_named_crit)
                    && (cx.assumed_port == Some(name)
                        || d.named_ports.iter().any(|p| {
                            p.name.as_deref() == Some(name)
                                && p.protocol.number() == cx.protocol
                                && Some(p.port) == cx.port
                        }))
            })
        };
        dst_ports_match(
            &rule.dst_ports,
            &rule.dst_not_ports,
            cx.protocol,
            cx.port,
            &named,
        )
    }
}
