//! Tier and naming lints: `tier-not-found`, `tier-order-tie`, `pass-in-last-tier`,
//! `tier-prefix-mismatch`, `name-order-mismatch`.

use serde_json::json;

use crate::model::{Action, CalicoPolicy, PolicyType, TierDefaultAction, names};

use super::context::{Context, STATIC_TIERS, display_policy, finding, policy_ref, rules};
use super::{Change, ChangeOp, Finding, ResourceRef, RuleRef, SuggestedFix, ids};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for p in &ctx.set.policies {
        tier_exists(ctx, p, out);
        tier_prefix(ctx, p, out);
        name_order(p, out);
    }
    tier_order_ties(ctx, out);
    pass_in_last_tier(ctx, out);
}

fn tier_ref(name: &str) -> ResourceRef {
    ResourceRef {
        kind: "Tier".to_owned(),
        namespace: None,
        name: name.to_owned(),
    }
}

fn tier_exists(ctx: &Context<'_>, p: &CalicoPolicy, out: &mut Vec<Finding>) {
    let tier = p.tier();
    if ctx.tier_exists(tier) {
        return;
    }
    let last_order = ctx
        .tiers
        .iter()
        .filter_map(|t| t.order)
        .fold(0.0_f64, f64::max);
    let new_tier = json!({
        "apiVersion": "projectcalico.org/v3",
        "kind": "Tier",
        "metadata": {"name": tier},
        "spec": {"order": (last_order / 2.0).round()},
    });
    out.push(finding(
        ids::TIER_NOT_FOUND,
        policy_ref(p),
        None,
        format!("policy `{}` is in tier `{tier}`, which does not exist: Calico rejects it", display_policy(p)),
        SuggestedFix::with_changes(
            format!("create the Tier `{tier}` first (choose its order), or move the policy to an existing tier"),
            vec![Change { resource: tier_ref(tier), op: ChangeOp::Set, path: String::new(), value: Some(new_tier) }],
        ),
    ));
}

/// Name prefixes Calico gives policies it converts; they are not tier prefixes
/// (`libcalico-go/lib/names/policy.go` policyNameIsFormatted).
const FORMATTED_PREFIXES: &[&str] = &[
    "knp.default.",
    "kcnp.kube-admin.",
    "kcnp.kube-baseline.",
    "ossg.",
];

fn tier_prefix(ctx: &Context<'_>, p: &CalicoPolicy, out: &mut Vec<Finding>) {
    let name = p.metadata.name.as_str();
    let tier = p.tier();
    if FORMATTED_PREFIXES.iter().any(|f| name.starts_with(f))
        || names::bare_policy_name(name, tier) != name
    {
        return;
    }
    let Some((prefix, rest)) = name.split_once('.') else {
        return;
    };
    if rest.is_empty() {
        return;
    }
    let looks_like_tier = ctx.tier_exists(prefix) || STATIC_TIERS.contains(&prefix);
    let message = if looks_like_tier {
        format!("policy name `{name}` says tier `{prefix}` but the policy is in tier `{tier}`")
    } else {
        format!(
            "policy name `{name}` has a `{prefix}.` prefix that is not its tier `{tier}`: Calico up to 3.31 rejects it"
        )
    };
    out.push(finding(
        ids::TIER_PREFIX_MISMATCH,
        policy_ref(p),
        None,
        message,
        SuggestedFix::with_changes(
            format!("rename the policy to `{rest}` (shown as `{tier}.{rest}` up to 3.31), or set `spec.tier: {prefix}` if that tier was meant"),
            vec![Change { resource: policy_ref(p), op: ChangeOp::Set, path: "/metadata/name".to_owned(), value: Some(json!(rest)) }],
        ),
    ));
}

/// The order a name like `100-allow-dns` (or `platform.100-allow-dns`) announces.
pub fn order_in_name(name: &str) -> Option<f64> {
    let bare = name.rsplit_once('.').map_or(name, |(_, rest)| rest);
    let digits = bare.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 9 || !matches!(bare.as_bytes().get(digits), Some(b'-' | b'_')) {
        return None;
    }
    bare[..digits].parse::<u32>().ok().map(f64::from)
}

fn name_order(p: &CalicoPolicy, out: &mut Vec<Finding>) {
    let Some(named) = order_in_name(&p.metadata.name) else {
        return;
    };
    if p.spec.order == Some(named) {
        return;
    }
    let actual = p.spec.order.map_or_else(
        || "no order (evaluated last)".to_owned(),
        |o| format!("order {o}"),
    );
    out.push(finding(
        ids::NAME_ORDER_MISMATCH,
        policy_ref(p),
        None,
        format!(
            "policy name `{}` says order {named} but the policy has {actual}",
            display_policy(p)
        ),
        SuggestedFix::with_changes(
            format!("set `spec.order: {named}`, or rename the policy to match its order"),
            vec![Change {
                resource: policy_ref(p),
                op: ChangeOp::Set,
                path: "/spec/order".to_owned(),
                value: Some(json!(named)),
            }],
        ),
    ));
}

fn tier_order_ties(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (i, pair) in ctx.tiers.windows(2).enumerate() {
        let (first, second) = (&pair[0], &pair[1]);
        if first.order != second.order {
            continue;
        }
        let next_distinct = ctx.tiers[i + 1..]
            .iter()
            .find_map(|t| t.order.filter(|o| Some(*o) != second.order));
        let suggested = match (second.order, next_distinct) {
            (Some(o), Some(next)) => f64::min((o + next) / 2.0, o + 100.0),
            (Some(o), None) => o + 100.0,
            (None, _) => {
                ctx.tiers
                    .iter()
                    .filter_map(|t| t.order)
                    .fold(0.0_f64, f64::max)
                    + 100.0
            }
        };
        let order = second
            .order
            .map_or_else(|| "no order".to_owned(), |o| format!("order {o}"));
        out.push(finding(
            ids::TIER_ORDER_TIE,
            tier_ref(&second.name),
            None,
            format!(
                "tiers `{}` and `{}` both have {order}: `{}` goes first only because its name sorts first",
                first.name, second.name, first.name
            ),
            SuggestedFix::with_changes(
                format!("give the tiers distinct orders, e.g. `spec.order: {suggested}` for `{}`", second.name),
                vec![Change {
                    resource: tier_ref(&second.name),
                    op: ChangeOp::Set,
                    path: "/spec/order".to_owned(),
                    value: Some(json!(suggested)),
                }],
            ),
        ));
    }
}

fn pass_in_last_tier(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let enforced = || ctx.set.policies.iter().filter(|p| !p.kind.is_staged());
    let default_has_kubernetes_policies = ctx.set.kubernetes_policies.iter().any(|k| !k.staged);
    let last = ctx.tiers.iter().rev().find(|t| {
        enforced().any(|p| p.tier() == t.name)
            || (t.name == crate::model::DEFAULT_TIER && default_has_kubernetes_policies)
    });
    let Some(last) = last else { return };
    let why =
        "there is no later tier, so the endpoint's profile decides, and a pod's profile allows";
    if last.declared && last.default_action == TierDefaultAction::Pass {
        out.push(finding(
            ids::PASS_IN_LAST_TIER,
            tier_ref(&last.name),
            None,
            format!(
                "tier `{}` is the last tier and its default action is `Pass`: {why}",
                last.name
            ),
            SuggestedFix::with_changes(
                "set `defaultAction: Deny` (the default), or add a later tier that decides",
                vec![Change {
                    resource: tier_ref(&last.name),
                    op: ChangeOp::Set,
                    path: "/spec/defaultAction".to_owned(),
                    value: Some(json!("Deny")),
                }],
            ),
        ));
    }
    for p in enforced().filter(|p| p.tier() == last.name) {
        for direction in [PolicyType::Ingress, PolicyType::Egress] {
            for (index, rule) in rules(p, direction).iter().enumerate() {
                if rule.action != Action::Pass {
                    continue;
                }
                let rule_ref = RuleRef { direction, index };
                out.push(finding(
                    ids::PASS_IN_LAST_TIER,
                    policy_ref(p),
                    Some(rule_ref),
                    format!(
                        "{rule_ref} of `{}` passes in `{}`, the last tier: {why}",
                        display_policy(p),
                        last.name
                    ),
                    SuggestedFix::with_changes(
                        "say what is meant: `Allow` (what `Pass` does here) or `Deny`",
                        vec![Change {
                            resource: policy_ref(p),
                            op: ChangeOp::Set,
                            path: format!(
                                "/spec/{}/{index}/action",
                                super::context::direction_key(direction)
                            ),
                            value: Some(json!("Allow")),
                        }],
                    ),
                ));
            }
        }
    }
}
