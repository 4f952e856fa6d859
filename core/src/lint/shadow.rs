//! `shadowed-rule`: a rule that can never match, because for every flow it would match, something
//! evaluated earlier (`calico-semantics.md` §6) already decided — an `Allow`/`Deny` of an earlier
//! tier, the end-of-tier deny of an earlier tier, or an `Allow`/`Deny`/`Pass` earlier in its own tier.
//!
//! Computed exactly over the design's finite flow space ([`super::match_space`]): the rule's region
//! minus every earlier deciding region must be empty. Uncertain matches make earlier rules decide less
//! and the rule under test match more, so a reported rule is certainly shadowed for the design's
//! endpoints. Without workloads there are no endpoints to reason over; then (and also with them) a rule
//! that one earlier rule covers for every possible endpoint is found symbolically ([`super::symbolic`]).

use serde_json::Value;

use crate::model::{Action, CalicoPolicy, PolicyType, TierDefaultAction};

use super::context::{Context, direction_key, display_policy, finding, policy_ref, rules};
use super::match_space::{CompiledRule, Space};
use super::space::{Bits, Region};
use super::symbolic;
use super::{Change, ChangeOp, Finding, RuleRef, SuggestedFix, ids};

/// A policy compiled into the flow space.
struct CompiledPolicy<'a> {
    policy: &'a CalicoPolicy,
    /// The endpoints it applies to.
    applied: Bits,
    /// `[ingress, egress]`: compiled rules, or `None` when the policy does not apply to the direction.
    rules: [Option<Vec<CompiledRule>>; 2],
}

fn slot(direction: PolicyType) -> usize {
    match direction {
        PolicyType::Ingress => 0,
        PolicyType::Egress => 1,
    }
}

pub fn check(ctx: &Context<'_>, space: &Space<'_>, out: &mut Vec<Finding>) {
    finite_pass(ctx, space, out);
    symbolic_pass(ctx, out);
}

fn finite_pass(ctx: &Context<'_>, space: &Space<'_>, out: &mut Vec<Finding>) {
    if ctx.endpoints.is_empty() {
        return;
    }
    let compiled: Vec<CompiledPolicy<'_>> = ctx
        .policies_in_order()
        .map(|p| {
            let applied = ctx.applied_to(p);
            let types = p.spec.effective_types();
            let compile = |d: PolicyType| {
                types.contains(&d).then(|| {
                    rules(p, d)
                        .iter()
                        .map(|r| {
                            // A policy that applies to no endpoint matches nothing: skip the work.
                            if applied.is_empty() {
                                CompiledRule {
                                    may: Region::default(),
                                    must: Region::default(),
                                }
                            } else {
                                space.compile(p, d, r, &applied)
                            }
                        })
                        .collect()
                })
            };
            let rules = [compile(PolicyType::Ingress), compile(PolicyType::Egress)];
            CompiledPolicy {
                policy: p,
                applied,
                rules,
            }
        })
        .collect();
    // The enforced view for enforced policies; staged ones are judged as if enforced (§7).
    let enforced: Vec<&CompiledPolicy<'_>> = compiled
        .iter()
        .filter(|c| !c.policy.kind.is_staged())
        .collect();
    let everything: Vec<&CompiledPolicy<'_>> = compiled.iter().collect();
    for (view, staged_targets) in [(&enforced, false), (&everything, true)] {
        let runs = [PolicyType::Ingress, PolicyType::Egress].map(|d| tier_runs(ctx, view, d));
        let before =
            [PolicyType::Ingress, PolicyType::Egress].map(|d| applied_before(ctx, view, d));
        for (pos, target) in view.iter().enumerate() {
            if target.policy.kind.is_staged() != staged_targets {
                continue;
            }
            for direction in [PolicyType::Ingress, PolicyType::Egress] {
                let Some(target_rules) = &target.rules[slot(direction)] else {
                    continue;
                };
                let earlier = Earlier {
                    ctx,
                    view,
                    runs: &runs[slot(direction)],
                    applied_before: &before[slot(direction)][pos],
                    pos,
                    direction,
                };
                for (index, rule) in target_rules.iter().enumerate() {
                    if let Some(deciders) = earlier.shadowing(index, &rule.may) {
                        let names: Vec<String> = deciders.iter().map(Decider::name).collect();
                        report(target.policy, direction, index, &names, out);
                    }
                }
            }
        }
    }
}

/// A maximal run of consecutive policies of one tier in a view, as the walk before a rule's own
/// tier needs it for one direction: computed once per view, not once per rule under test.
struct TierRun<'a> {
    tier: &'a str,
    start: usize,
    /// The run's policies that have rules in the direction (indices into the view).
    members: Vec<usize>,
    /// The endpoints some member applies to, and the rest.
    applicable: Bits,
    outside: Bits,
}

fn tier_runs<'a>(
    ctx: &Context<'_>,
    view: &[&CompiledPolicy<'a>],
    direction: PolicyType,
) -> Vec<TierRun<'a>> {
    let d = slot(direction);
    let mut runs: Vec<TierRun<'a>> = Vec::new();
    for (i, c) in view.iter().enumerate() {
        let tier = c.policy.tier();
        if runs.last().is_none_or(|r| r.tier != tier) {
            runs.push(TierRun {
                tier,
                start: i,
                members: Vec::new(),
                applicable: Bits::empty(ctx.endpoints.len()),
                outside: Bits::empty(0),
            });
        }
        if let Some(run) = runs.last_mut()
            && c.rules[d].is_some()
        {
            run.members.push(i);
            run.applicable = run.applicable.or(&c.applied);
        }
    }
    let full = Bits::full(ctx.endpoints.len());
    for run in &mut runs {
        run.outside = full.minus(&run.applicable);
    }
    runs
}

/// Per position of a view: the endpoints some earlier policy with rules in the direction applies to.
/// Only those policies (and their tiers' ends) can decide a flow of an endpoint before the rules
/// of the policy at that position.
fn applied_before(
    ctx: &Context<'_>,
    view: &[&CompiledPolicy<'_>],
    direction: PolicyType,
) -> Vec<Bits> {
    let d = slot(direction);
    let mut union = Bits::empty(ctx.endpoints.len());
    view.iter()
        .map(|c| {
            let before = union.clone();
            if c.rules[d].is_some() {
                union = union.or(&c.applied);
            }
            before
        })
        .collect()
}

/// Something evaluated before a rule that decides some of its flows. Named only when a finding is
/// reported: most rules under test are not shadowed, and their deciders are never shown.
enum Decider<'a> {
    Rule(&'a CalicoPolicy, PolicyType, usize, Action),
    EndOfTier(&'a str),
}

impl Decider<'_> {
    fn name(&self) -> String {
        match *self {
            Decider::Rule(p, direction, index, action) => rule_name(p, direction, index, action),
            Decider::EndOfTier(tier) => format!("the end of tier `{tier}` (Deny)"),
        }
    }
}

/// What is evaluated before the rules of `view[pos]` in one direction.
struct Earlier<'v, 'a> {
    ctx: &'v Context<'v>,
    view: &'v [&'v CompiledPolicy<'a>],
    runs: &'v [TierRun<'a>],
    /// See [`applied_before`].
    applied_before: &'v Bits,
    pos: usize,
    direction: PolicyType,
}

/// Rules one earlier rule covers for every possible endpoint ([`super::symbolic`]): reported when the
/// finite analysis did not (it needs listed workloads), and marked as certain when it did.
fn symbolic_pass(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let policies: Vec<&CalicoPolicy> = ctx
        .policies_in_order()
        .filter(|p| !p.kind.is_staged())
        .collect();
    let applies: Vec<Option<crate::selector::Selector>> =
        policies.iter().map(|p| symbolic::applies(ctx, p)).collect();
    let normalized: Vec<Option<crate::selector::logic::Normalized>> = applies
        .iter()
        .map(|s| s.as_ref().map(crate::selector::Selector::normalized))
        .collect();
    let selectable: Vec<bool> = applies
        .iter()
        .map(|s| s.as_ref().is_some_and(|s| s.satisfiable().is_yes()))
        .collect();
    for (bpos, b) in policies.iter().enumerate() {
        if !selectable[bpos] {
            continue;
        }
        let Some(b_applies) = &normalized[bpos] else {
            continue;
        };
        // Earlier policies that apply to every endpoint `b` applies to (computed once per `b`).
        let mut covering: Option<Vec<usize>> = None;
        for direction in [PolicyType::Ingress, PolicyType::Egress] {
            if !b.spec.effective_types().contains(&direction) {
                continue;
            }
            for (index, later) in rules(b, direction).iter().enumerate() {
                if later.action == Action::Log {
                    continue;
                }
                let own = rules(b, direction)[..index]
                    .iter()
                    .enumerate()
                    .find(|(_, r)| {
                        symbolic::decides(r.action, true)
                            && symbolic::rule_covers(ctx, b, r, b, later, direction)
                    });
                let mut cover = own.map(|(i, r)| (*b, i, r.action));
                if cover.is_none() {
                    let earlier = covering.get_or_insert_with(|| {
                        let b_listed = ctx.applied_to(b);
                        (0..bpos)
                            .filter(|&a| {
                                let pa = policies[a];
                                // Cheap refutations first: another namespace, or a listed workload
                                // `b` applies to and `a` does not.
                                let other_namespace = pa.kind.is_namespaced()
                                    && (!b.kind.is_namespaced()
                                        || pa.metadata.namespace != b.metadata.namespace);
                                !other_namespace
                                    && ctx
                                        .applied_ref(pa)
                                        .map_or(b_listed.is_empty(), |a| b_listed.is_subset(a))
                                    && normalized[a]
                                        .as_ref()
                                        .is_some_and(|a| b_applies.implies(a) == Some(true))
                            })
                            .collect()
                    });
                    cover = earlier.iter().find_map(|&a| {
                        let a = policies[a];
                        if !a.spec.effective_types().contains(&direction) {
                            return None;
                        }
                        let same_tier = a.tier() == b.tier();
                        rules(a, direction).iter().enumerate().find_map(|(i, r)| {
                            (symbolic::decides(r.action, same_tier)
                                && symbolic::rule_covers(ctx, a, r, b, later, direction))
                            .then_some((a, i, r.action))
                        })
                    });
                }
                let Some((a, i, action)) = cover else {
                    continue;
                };
                let rule = RuleRef { direction, index };
                let reported = out.iter_mut().find(|f| {
                    f.id == ids::SHADOWED_RULE
                        && f.location.resource == policy_ref(b)
                        && f.location.rule == Some(rule)
                });
                let name = rule_name(a, direction, i, action);
                match reported {
                    Some(f) if f.message.contains(&name) => f
                        .message
                        .push_str("; certain for every possible workload, not only the listed ones"),
                    Some(f) => f.message.push_str(&format!(
                        "; certain for every possible workload, not only the listed ones ({name} covers it alone)"
                    )),
                    None => {
                        report(b, direction, index, &[name], out);
                        if let Some(f) = out.last_mut() {
                            f.message.push_str(", for every possible workload");
                        }
                    }
                }
            }
        }
    }
}

/// What decides a flow before the rule under test.
fn rule_name(p: &CalicoPolicy, direction: PolicyType, index: usize, action: Action) -> String {
    let rule = RuleRef { direction, index };
    format!("{rule} of `{}` ({action})", display_policy(p))
}

impl<'a> Earlier<'_, 'a> {
    /// If every flow of `region` (rule `index` of `view[pos]`) is decided earlier, the deciders.
    fn shadowing(&self, index: usize, region: &Region) -> Option<Vec<Decider<'a>>> {
        if region.is_empty() {
            return None;
        }
        // The first rule of a policy: a flow of an endpoint no earlier policy applies to reaches it
        // undecided (the common case, settled without the walk).
        if index == 0
            && region
                .boxes
                .iter()
                .any(|b| !b.local.is_subset(self.applied_before))
        {
            return None;
        }
        let (view, pos, direction) = (self.view, self.pos, self.direction);
        let d = slot(direction);
        let target = view[pos].policy;
        let target_tier = target.tier();
        let mut alive = region.clone();
        let mut deciders = Vec::new();
        let mut i = 0;
        // Earlier tiers: Allow/Deny and end-of-tier Deny decide; Pass hands flows on.
        for run in self.runs {
            if run.start >= pos || run.tier == target_tier {
                break;
            }
            i = run.start;
            if run.members.is_empty() {
                continue;
            }
            let mut active = alive.restrict_local(&run.applicable);
            let mut next = alive.restrict_local(&run.outside);
            for c in run.members.iter().map(|&m| view[m]) {
                let compiled = c.rules[d].as_deref().unwrap_or_default();
                for (k, (rule, cr)) in rules(c.policy, direction).iter().zip(compiled).enumerate() {
                    match rule.action {
                        Action::Log => {}
                        Action::Pass => {
                            next.boxes.extend(active.and(&cr.may).boxes);
                            if !active.subtract(&cr.may) {
                                return None;
                            }
                        }
                        Action::Allow | Action::Deny => {
                            if active.intersects(&cr.must) {
                                deciders.push(Decider::Rule(c.policy, direction, k, rule.action));
                                if !active.subtract(&cr.must) {
                                    return None;
                                }
                            }
                        }
                    }
                }
            }
            if self.ctx.tier_default_action(run.tier) == TierDefaultAction::Deny {
                if !active.is_empty() {
                    deciders.push(Decider::EndOfTier(run.tier));
                }
            } else {
                next.boxes.extend(active.boxes);
            }
            alive = next;
            if alive.is_empty() {
                return Some(deciders);
            }
        }
        // The target's tier (from its first policy): every earlier Allow, Deny or Pass decides.
        while i < pos && view[i].policy.tier() != target_tier {
            i += 1;
        }
        let earlier_rules = view[i..=pos].iter().flat_map(|c| {
            let compiled = c.rules[d].as_deref().unwrap_or_default();
            let limit = if std::ptr::eq(c.policy, target) {
                index
            } else {
                compiled.len()
            };
            rules(c.policy, direction)
                .iter()
                .zip(compiled)
                .take(limit)
                .enumerate()
                .map(move |(k, r)| (c.policy, k, r))
        });
        for (p, k, (rule, cr)) in earlier_rules {
            if rule.action == Action::Log || !alive.intersects(&cr.must) {
                continue;
            }
            deciders.push(Decider::Rule(p, direction, k, rule.action));
            if !alive.subtract(&cr.must) {
                return None;
            }
            if alive.is_empty() {
                return Some(deciders);
            }
        }
        alive.is_empty().then_some(deciders)
    }
}

fn report(
    p: &CalicoPolicy,
    direction: PolicyType,
    index: usize,
    deciders: &[String],
    out: &mut Vec<Finding>,
) {
    let rule = RuleRef { direction, index };
    let shown: Vec<&str> = deciders.iter().take(3).map(String::as_str).collect();
    let more = if deciders.len() > 3 {
        format!(" and {} more", deciders.len() - 3)
    } else {
        String::new()
    };
    let staged = if p.kind.is_staged() {
        " (once enforced)"
    } else {
        ""
    };
    out.push(finding(
        ids::SHADOWED_RULE,
        policy_ref(p),
        Some(rule),
        format!(
            "{rule} of `{}` can never match{staged}: {}{more} already {} every flow it would match",
            display_policy(p),
            shown.join(", "),
            if deciders.len() == 1 {
                "decides"
            } else {
                "decide"
            }
        ),
        SuggestedFix::with_changes(
            "remove the rule, or move it (or its policy) ahead of what decides its flows",
            vec![Change {
                resource: policy_ref(p),
                op: ChangeOp::Remove,
                path: format!("/spec/{}/{index}", direction_key(direction)),
                value: None::<Value>,
            }],
        ),
    ));
}
