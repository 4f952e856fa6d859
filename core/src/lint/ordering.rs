//! Ordering lints: `same-order-conflict` (a tie broken by name) and `broad-allow-ahead` (a broad allow
//! evaluated before more specific policies for the same endpoints).

use std::collections::BTreeSet;

use serde_json::json;

use crate::model::{Action, CalicoPolicy, EntityRule, PolicyType, Rule};

use super::context::{Context, cmp_order, display_policy, finding, policy_ref, rules};
use super::space::Bits;
use super::symbolic;
use super::universe::{Endpoint, probe};
use super::{Change, ChangeOp, Finding, RuleRef, SuggestedFix, ids};
use crate::model::vocabulary::addresses::parse_net;
use crate::selector::logic::Sat;

/// The endpoints each policy applies to, among those two policies are compared on: the workloads
/// (the context's bits, computed once per run) followed by a probe pod per known namespace.
fn applied_with_probes(ctx: &Context<'_>, enforced: &[&CalicoPolicy]) -> Vec<Bits> {
    let probes: Vec<Endpoint> = ctx.namespaces.iter().map(|n| probe(ctx.set, n)).collect();
    let workloads = ctx.endpoints.len();
    enforced
        .iter()
        .map(|p| {
            let mut bits = ctx.applied_to(p).truncated(workloads + probes.len());
            for (k, e) in probes.iter().enumerate() {
                if ctx.applies(p, e) {
                    bits.insert(workloads + k);
                }
            }
            bits
        })
        .collect()
}

fn actions(p: &CalicoPolicy, direction: PolicyType) -> BTreeSet<Action> {
    rules(p, direction)
        .iter()
        .map(|r| r.action)
        .filter(|a| *a != Action::Log)
        .collect()
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let enforced: Vec<&CalicoPolicy> = ctx
        .policies_in_order()
        .filter(|p| !p.kind.is_staged())
        .collect();
    let applied = applied_with_probes(ctx, &enforced);
    // Without listed workloads, every possible workload (`symbolic`): a mistake certain for any
    // workload is reported although no workload is written down.
    let symbolic = ctx.endpoints.is_empty();
    let common = |a: usize, b: usize| {
        if symbolic {
            return symbolic::overlap(ctx, enforced[a], enforced[b]).is_some_and(|s| s.is_yes());
        }
        applied[a].intersects(&applied[b])
    };
    // `b` is at least as specific as `a`: it selects some endpoints, all of them selected by `a`.
    let narrower = |a: usize, b: usize| {
        if symbolic {
            return symbolic::narrower(ctx, enforced[a], enforced[b]);
        }
        common(a, b) && applied[b].is_subset(&applied[a])
    };
    same_order(ctx, &enforced, &common, symbolic, out);
    broad_allow(&enforced, &narrower, symbolic, out);
}

/// How a message says which endpoints a claim is about.
fn scope_note(symbolic: bool) -> &'static str {
    if symbolic {
        " (certain for every possible workload; the input lists none)"
    } else {
        ""
    }
}

fn same_order(
    ctx: &Context<'_>,
    enforced: &[&CalicoPolicy],
    common: &dyn Fn(usize, usize) -> bool,
    symbolic: bool,
    out: &mut Vec<Finding>,
) {
    for (i, a) in enforced.iter().enumerate() {
        let Some(order) = a.spec.order else { continue };
        for (j, b) in enforced.iter().enumerate().skip(i + 1) {
            if b.tier() != a.tier() || b.spec.order != Some(order) {
                continue;
            }
            let clash = [PolicyType::Ingress, PolicyType::Egress]
                .into_iter()
                .find(|&d| {
                    let (x, y) = (actions(a, d), actions(b, d));
                    a.spec.effective_types().contains(&d)
                        && b.spec.effective_types().contains(&d)
                        && !x.is_empty()
                        && !y.is_empty()
                        && x != y
                });
            let Some(direction) = clash else { continue };
            if !common(i, j) {
                continue;
            }
            let scope = match symbolic::overlap(ctx, a, b) {
                Some(Sat::Yes(w)) if symbolic => format!(
                    " (the input lists no workload, but {} would be selected by both)",
                    symbolic::describe(&w)
                ),
                _ => String::new(),
            };
            // Keep today's outcome: move the later one (by name) between this order and the next.
            let next = ctx
                .set
                .policies
                .iter()
                .filter(|p| p.tier() == a.tier())
                .filter_map(|p| p.spec.order)
                .filter(|o| *o > order)
                .min_by(|x, y| cmp_order(Some(*x), Some(*y)));
            let suggested =
                next.map_or(order + 1.0, |n| f64::min((order + n) / 2.0, order + 100.0));
            out.push(finding(
                ids::SAME_ORDER_CONFLICT,
                policy_ref(b),
                None,
                format!(
                    "`{}` and `{}` both have order {order} in tier `{}`, select common endpoints{} and act differently on {}: `{}` goes first only because its name sorts first",
                    display_policy(a),
                    display_policy(b),
                    a.tier(),
                    scope,
                    super::context::direction_key(direction),
                    display_policy(a),
                ),
                SuggestedFix::with_changes(
                    format!("give them distinct orders, e.g. `order: {suggested}` for `{}` (keeps today's outcome)", display_policy(b)),
                    vec![Change { resource: policy_ref(b), op: ChangeOp::Set, path: "/spec/order".to_owned(), value: Some(json!(suggested)) }],
                ),
            ));
        }
    }
}

/// A peer criterion that admits everything: no criterion, `selector: all()` alone, or `0.0.0.0/0`/`::/0`.
fn broad_peer(e: &EntityRule) -> bool {
    let only_selector_all = e
        .selector
        .as_deref()
        .is_some_and(|s| matches!(s.trim(), "" | "all()"))
        && EntityRule {
            selector: None,
            ..e.clone()
        }
        .is_empty();
    let everything = !e.nets.is_empty()
        && e.nets
            .iter()
            .filter_map(|n| parse_net(n).ok())
            .any(|n| n.prefix_len() == 0)
        && EntityRule {
            nets: Vec::new(),
            ..e.clone()
        }
        .is_empty();
    e.is_empty() || only_selector_all || everything
}

/// An `Allow` with no protocol, port or peer restriction.
fn broad_allow_rule(rule: &Rule, direction: PolicyType) -> bool {
    let (peer, local) = match direction {
        PolicyType::Ingress => (&rule.source, &rule.destination),
        PolicyType::Egress => (&rule.destination, &rule.source),
    };
    rule.action == Action::Allow
        && rule.protocol.is_none()
        && rule.not_protocol.is_none()
        && rule.http.is_none()
        && rule.icmp.is_none()
        && local.is_empty()
        && broad_peer(peer)
}

fn broad_allow(
    enforced: &[&CalicoPolicy],
    narrower: &dyn Fn(usize, usize) -> bool,
    symbolic: bool,
    out: &mut Vec<Finding>,
) {
    for (i, a) in enforced.iter().enumerate() {
        for direction in [PolicyType::Ingress, PolicyType::Egress] {
            if !a.spec.effective_types().contains(&direction) {
                continue;
            }
            let Some(index) = rules(a, direction)
                .iter()
                .position(|r| broad_allow_rule(r, direction))
            else {
                continue;
            };
            let later: Vec<&CalicoPolicy> = enforced
                .iter()
                .enumerate()
                .skip(i + 1)
                .filter(|(j, b)| {
                    b.spec.effective_types().contains(&direction)
                        && !rules(b, direction).is_empty()
                        && narrower(i, *j)
                })
                .map(|(_, b)| *b)
                .collect();
            if later.is_empty() {
                continue;
            }
            let names: Vec<String> = later
                .iter()
                .take(3)
                .map(|b| format!("`{}`", display_policy(b)))
                .collect();
            let more = if later.len() > 3 {
                format!(" and {} more", later.len() - 3)
            } else {
                String::new()
            };
            let rule = RuleRef { direction, index };
            let same_tier = later.iter().all(|b| b.tier() == a.tier());
            let last_order = later
                .iter()
                .filter_map(|b| b.spec.order)
                .fold(f64::MIN, f64::max);
            let changes = if same_tier && last_order > f64::MIN {
                vec![Change {
                    resource: policy_ref(a),
                    op: ChangeOp::Set,
                    path: "/spec/order".to_owned(),
                    value: Some(json!(last_order + 10.0)),
                }]
            } else {
                Vec::new()
            };
            out.push(finding(
                ids::BROAD_ALLOW_AHEAD,
                policy_ref(a),
                Some(rule),
                format!(
                    "{rule} of `{}` allows all {} traffic ahead of {}{more}, which select the same endpoints{} and never see it",
                    display_policy(a),
                    super::context::direction_key(direction),
                    names.join(", "),
                    scope_note(symbolic)
                ),
                SuggestedFix::with_changes("narrow the rule, order the policy after the specific ones, or use `Pass`", changes),
            ));
        }
    }
}
