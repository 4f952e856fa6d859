//! `selector-selects-nothing`: a policy that applies to no endpoint of the design, or a rule whose
//! selector matches no workload or network set. When the design lists no workloads, every selector
//! selects nothing of it and that finding would say nothing; then only what selects no *possible*
//! workload is reported — a selector that contradicts itself (or its namespace), decided over every
//! label set ([`crate::selector::logic`]).

use crate::model::{CalicoPolicy, EntityRule, PolicyType};

use super::context::{Context, display_policy, finding, policy_ref, rules};
use super::match_space::Space;
use super::symbolic;
use super::{Finding, RuleRef, SuggestedFix, ids};

pub fn check(ctx: &Context<'_>, space: &Space<'_>, out: &mut Vec<Finding>) {
    if ctx.endpoints.is_empty() {
        for p in &ctx.set.policies {
            contradictory(ctx, p, out);
        }
        return;
    }
    for p in &ctx.set.policies {
        policy_selects_nothing(ctx, p, out);
        for direction in [PolicyType::Ingress, PolicyType::Egress] {
            for (index, rule) in rules(p, direction).iter().enumerate() {
                for (side, e) in [("source", &rule.source), ("destination", &rule.destination)] {
                    rule_selects_nothing(space, p, RuleRef { direction, index }, side, e, out);
                }
            }
        }
    }
}

fn policy_selects_nothing(ctx: &Context<'_>, p: &CalicoPolicy, out: &mut Vec<Finding>) {
    let parses = [
        &p.spec.selector,
        &p.spec.namespace_selector,
        &p.spec.service_account_selector,
    ]
    .into_iter()
    .flatten()
    .all(|t| t.trim().is_empty() || ctx.selectors.lookup(t).is_some());
    if !parses || !ctx.applied_to(p).is_empty() {
        return;
    }
    let scope = match &p.metadata.namespace {
        Some(ns) if p.kind.is_namespaced() => format!(" in namespace `{ns}`"),
        _ => String::new(),
    };
    out.push(finding(
        ids::SELECTOR_SELECTS_NOTHING,
        policy_ref(p),
        None,
        format!("`{}` applies to no workload of the design{scope}", display_policy(p)),
        SuggestedFix::text("check the selector's label keys and values against the workloads, or remove the policy"),
    ));
}

fn rule_selects_nothing(
    space: &Space<'_>,
    p: &CalicoPolicy,
    rule: RuleRef,
    side: &str,
    e: &EntityRule,
    out: &mut Vec<Finding>,
) {
    let has_positive =
        e.selector.is_some() || e.service_accounts.is_some() || e.namespace_selector.is_some();
    if !has_positive || space.selects_any(p, e) != Some(false) {
        return;
    }
    let shown = e
        .selector
        .as_deref()
        .or(e.namespace_selector.as_deref())
        .unwrap_or("serviceAccounts");
    out.push(finding(
        ids::SELECTOR_SELECTS_NOTHING,
        policy_ref(p),
        Some(rule),
        format!("{rule} of `{}`: `{side}` selects no workload or network set of the design (`{shown}`)", display_policy(p)),
        SuggestedFix::text(
            "check the label keys and values; a NetworkPolicy rule only sees its own namespace unless it has a namespaceSelector (`global()` for global sets)",
        ),
    ));
}

/// Without listed workloads: a policy, or a rule's peer, whose selector no label set satisfies.
fn contradictory(ctx: &Context<'_>, p: &CalicoPolicy, out: &mut Vec<Finding>) {
    let unsatisfiable = |s: &crate::selector::Selector| s.satisfiable().is_no();
    if symbolic::applies(ctx, p).is_some_and(|s| unsatisfiable(&s)) {
        out.push(finding(
            ids::SELECTOR_SELECTS_NOTHING,
            policy_ref(p),
            None,
            format!(
                "`{}` applies to no possible workload: its selectors contradict each other{} (the input lists no workload; this holds for any)",
                display_policy(p),
                if p.kind.is_namespaced() { " or its namespace" } else { "" }
            ),
            SuggestedFix::text("fix the selector (two values for one key, or a label both required and excluded), or remove the policy"),
        ));
    }
    for direction in [PolicyType::Ingress, PolicyType::Egress] {
        for (index, rule) in rules(p, direction).iter().enumerate() {
            for (side, e) in [("source", &rule.source), ("destination", &rule.destination)] {
                if e.selector.is_none() && e.namespace_selector.is_none() {
                    continue;
                }
                if !symbolic::peer(ctx, p, e).is_some_and(|s| unsatisfiable(&s)) {
                    continue;
                }
                let rule = RuleRef { direction, index };
                let shown = e
                    .selector
                    .as_deref()
                    .or(e.namespace_selector.as_deref())
                    .unwrap_or_default();
                out.push(finding(
                    ids::SELECTOR_SELECTS_NOTHING,
                    policy_ref(p),
                    Some(rule),
                    format!("{rule} of `{}`: `{side}` selects no possible workload (`{shown}` contradicts itself{}; the input lists no workload, this holds for any)", display_policy(p), if p.kind.is_namespaced() && e.namespace_selector.is_none() { " or the policy's namespace" } else { "" }),
                    SuggestedFix::text("fix the selector: it requires two values for one key, or a label both present and absent"),
                ));
            }
        }
    }
}
