//! Literals that belong in network sets: `inline-cidrs` (a long CIDR list in a rule) and
//! `inline-domains` (domains in a rule). A network set names the list once, carries labels that
//! selectors and flow logs show, and can be updated without touching every policy.

use serde_json::json;

use crate::model::{CalicoPolicy, EntityRule, KubernetesPeer, KubernetesPolicy, PolicyType};

use super::context::{Context, direction_key, display_policy, finding, policy_ref, rules};
use super::{Change, ChangeOp, Finding, RuleRef, SuggestedFix, ids};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for k in &ctx.set.kubernetes_policies {
        inline_ip_blocks(ctx, k, out);
    }
    for p in &ctx.set.policies {
        for direction in [PolicyType::Ingress, PolicyType::Egress] {
            for (index, rule) in rules(p, direction).iter().enumerate() {
                let rule_ref = RuleRef { direction, index };
                for (side, entity) in [("source", &rule.source), ("destination", &rule.destination)]
                {
                    inline_cidrs(ctx, p, rule_ref, side, entity, out);
                    inline_domains(p, rule_ref, side, entity, out);
                }
            }
        }
    }
}

/// A name for the network set a fix creates: `<policy>-<side>-<rule>`.
fn set_name(p: &CalicoPolicy, rule: RuleRef, side: &str) -> String {
    format!(
        "{}-{}-{}{}",
        p.metadata.name,
        side,
        direction_key(rule.direction),
        rule.index
    )
}

fn inline_cidrs(
    ctx: &Context<'_>,
    p: &CalicoPolicy,
    rule: RuleRef,
    side: &str,
    entity: &EntityRule,
    out: &mut Vec<Finding>,
) {
    let limit = ctx.config.max_inline_cidrs;
    for (field, nets) in [("nets", &entity.nets), ("notNets", &entity.not_nets)] {
        if nets.len() <= limit {
            continue;
        }
        let name = set_name(p, rule, side);
        let global = p.metadata.namespace.is_none();
        let kind = if global {
            "GlobalNetworkSet"
        } else {
            "NetworkSet"
        };
        let mut metadata = json!({"name": name, "labels": {"netpol.dev/network-set": name}});
        if let Some(ns) = &p.metadata.namespace {
            metadata["namespace"] = json!(ns);
        }
        let set = json!({"apiVersion": "projectcalico.org/v3", "kind": kind, "metadata": metadata, "spec": {"nets": nets}});
        let selector_field = if field == "nets" {
            "selector"
        } else {
            "notSelector"
        };
        let selector = format!("netpol.dev/network-set == '{name}'");
        let base = format!(
            "/spec/{}/{}/{side}",
            direction_key(rule.direction),
            rule.index
        );
        // An NP rule selector is scoped to the policy's namespace, where the NetworkSet lives; a GNP
        // rule selector reaches GlobalNetworkSets. Either way the selector alone is enough.
        let changes = vec![
            Change {
                resource: super::ResourceRef {
                    kind: kind.to_owned(),
                    namespace: p.metadata.namespace.clone(),
                    name: name.clone(),
                },
                op: ChangeOp::Set,
                path: String::new(),
                value: Some(set),
            },
            Change {
                resource: policy_ref(p),
                op: ChangeOp::Remove,
                path: format!("{base}/{field}"),
                value: None,
            },
            Change {
                resource: policy_ref(p),
                op: ChangeOp::Set,
                path: format!("{base}/{selector_field}"),
                value: Some(json!(selector)),
            },
        ];
        out.push(finding(
            ids::INLINE_CIDRS,
            policy_ref(p),
            Some(rule),
            format!("{rule} of `{}` lists {} CIDRs in `{side}.{field}`", display_policy(p), nets.len()),
            SuggestedFix::with_changes(
                format!("move them into a {kind} `{name}` with a label, and select it with `{side}.{selector_field}: {selector}`"),
                changes,
            ),
        ));
    }
}

/// A Kubernetes rule with more `ipBlock` peers than the limit. Calico converts each peer into a rule
/// of its own, so the Calico view of the policy never shows the list: it is counted here, on the
/// object the author wrote. A NetworkPolicy cannot select a network set, so the fix is in words.
fn inline_ip_blocks(ctx: &Context<'_>, k: &KubernetesPolicy, out: &mut Vec<Finding>) {
    let limit = ctx.config.max_inline_cidrs;
    let ingress = k
        .spec
        .ingress
        .iter()
        .map(|r| (PolicyType::Ingress, "from", &r.from));
    let egress = k
        .spec
        .egress
        .iter()
        .map(|r| (PolicyType::Egress, "to", &r.to));
    let mut index = [0usize; 2];
    for (direction, side, peers) in ingress.chain(egress) {
        let slot = usize::from(direction == PolicyType::Egress);
        let rule = RuleRef {
            direction,
            index: index[slot],
        };
        index[slot] += 1;
        let blocks = peers
            .iter()
            .filter(|p: &&KubernetesPeer| p.ip_block.is_some())
            .count();
        if blocks <= limit {
            continue;
        }
        let namespace = k.metadata.namespace.as_deref().unwrap_or("default");
        out.push(finding(
            ids::INLINE_CIDRS,
            super::ResourceRef {
                kind: if k.staged { "StagedKubernetesNetworkPolicy" } else { "NetworkPolicy" }.to_owned(),
                namespace: Some(namespace.to_owned()),
                name: k.metadata.name.clone(),
            },
            Some(rule),
            format!("{rule} of `{namespace}/{}` lists {blocks} `ipBlock` peers in `{side}`", k.metadata.name),
            SuggestedFix::text(format!(
                "move the blocks into a Calico NetworkSet in `{namespace}` with a label, and allow it from a Calico NetworkPolicy that selects the set (a Kubernetes NetworkPolicy cannot select network sets)"
            )),
        ));
    }
}

fn inline_domains(
    p: &CalicoPolicy,
    rule: RuleRef,
    side: &str,
    entity: &EntityRule,
    out: &mut Vec<Finding>,
) {
    if entity.domains.is_empty() {
        return;
    }
    let name = set_name(p, rule, side);
    out.push(finding(
        ids::INLINE_DOMAINS,
        policy_ref(p),
        Some(rule),
        format!("{rule} of `{}` lists domains in `{side}.domains` ({})", display_policy(p), entity.domains.join(", ")),
        SuggestedFix::text(format!(
            "move them into a network set `{name}` (`allowedEgressDomains`) with a label and select it from the rule"
        )),
    ));
}
