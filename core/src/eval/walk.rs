//! Walking one side of a flow through its tiers (`calico-semantics.md` §6), shared by the fast path
//! (a recorder that records nothing, compiled away) and by explanations.

use super::chain::{Chain, FLAG_HEADER, FLAG_SLOW, FLAG_V4, FLAG_V6};
use super::compiled::{EndpointData, Evaluator, bit};
use super::matching::{Family, dst_ports_match, flow_family, protocol_matches};
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
    src: &'a EndpointData,
    dst: &'a EndpointData,
    src_bits: &'a [u64],
    dst_bits: &'a [u64],
    protocol: u8,
    port: Option<u16>,
    family: usize,
}

impl Evaluator {
    /// The verdict of a flow: enforced, and with staged policies when one selects either end.
    pub fn evaluate(&self, flow: &Flow) -> FlowVerdict {
        self.evaluate_with(flow, &mut Quiet, &mut Quiet)
    }

    /// Only the enforced verdict: the fastest path.
    pub fn allows(&self, flow: &Flow) -> bool {
        let Some(cx) = self.flow_cx(flow) else {
            return false;
        };
        self.sides(&cx, 0, &mut Quiet, &mut Quiet).verdict == Verdict::Allow
    }

    pub(crate) fn evaluate_with<R: Recorder>(
        &self,
        flow: &Flow,
        egress: &mut R,
        ingress: &mut R,
    ) -> FlowVerdict {
        let Some(cx) = self.flow_cx(flow) else {
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
            };
        };
        let enforced = self.sides(&cx, 0, egress, ingress);
        let staged = self
            .staged_applies(&cx)
            .then(|| self.sides(&cx, 1, &mut Quiet, &mut Quiet));
        FlowVerdict { enforced, staged }
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
        let src = self.endpoints.get(flow.src.0 as usize)?;
        let dst = self.endpoints.get(flow.dst.0 as usize)?;
        let family = match flow_family(src.net, dst.net) {
            Family::V4 => 0,
            Family::V6 => 1,
        };
        Some(FlowCx {
            src,
            dst,
            src_bits: self.endpoint_bits(flow.src),
            dst_bits: self.endpoint_bits(flow.dst),
            protocol: flow.protocol.number(),
            port: flow.port,
            family,
        })
    }

    fn staged_applies(&self, cx: &FlowCx<'_>) -> bool {
        let selects = |e: &EndpointData, d: usize| {
            e.label_set
                .and_then(|ls| self.label_sets.get(ls as usize))
                .is_some_and(|ls| ls.staged_selects[d])
        };
        selects(cx.src, 1) || selects(cx.dst, 0)
    }

    fn sides<R: Recorder>(
        &self,
        cx: &FlowCx<'_>,
        mode: usize,
        egress_rec: &mut R,
        ingress_rec: &mut R,
    ) -> Sides {
        let egress = self.side(cx, cx.src, Direction::Egress, mode, egress_rec);
        // Both sides must allow; the ingress side is still evaluated so that both are reported.
        let ingress = self.side(cx, cx.dst, Direction::Ingress, mode, ingress_rec);
        Sides {
            verdict: egress.verdict.and(ingress.verdict),
            egress,
            ingress,
        }
    }

    fn side<R: Recorder>(
        &self,
        cx: &FlowCx<'_>,
        own: &EndpointData,
        direction: Direction,
        mode: usize,
        rec: &mut R,
    ) -> SideVerdict {
        let Some(ls) = own
            .label_set
            .and_then(|ls| self.label_sets.get(ls as usize))
        else {
            return SideVerdict::OUTSIDE;
        };
        let d = match direction {
            Direction::Ingress => 0,
            Direction::Egress => 1,
        };
        self.walk_chain(cx, self.chains.get(ls.chains[mode][d]), direction, rec)
    }

    fn walk_chain<R: Recorder>(
        &self,
        cx: &FlowCx<'_>,
        chain: &Chain,
        direction: Direction,
        rec: &mut R,
    ) -> SideVerdict {
        let family_flag = if cx.family == 0 { FLAG_V4 } else { FLAG_V6 };
        let (tiers, rules, origin) = if R::RECORDS {
            (&chain.tiers[..], &chain.rules[..], &chain.origin[..])
        } else {
            (
                &chain.fast_tiers[..],
                &chain.fast[..],
                &chain.fast_origin[..],
            )
        };
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
                if R::RECORDS && r.flags & FLAG_HEADER != 0 {
                    rec.policy(at().0);
                    continue;
                }
                if r.flags & family_flag == 0
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
        let named = |name: &str| {
            cx.dst.entity.is_some()
                && bit(cx.dst_bits, rule.dst_named_crit)
                && cx.dst.named_ports.iter().any(|p| {
                    p.name.as_deref() == Some(name)
                        && p.protocol.number() == cx.protocol
                        && Some(p.port) == cx.port
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
