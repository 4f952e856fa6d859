//! `no-cross-environment-guardrail` (designs only): the design defines two or more environments, but
//! some environment is named by no enforced `Deny` rule — neither through the environment label of
//! the taxonomy (the key whose allowed values are the environment names) in a rule's selectors, nor
//! through a rule CIDR overlapping the environment's CIDRs.

use serde_json::json;

use crate::design::Design;
use crate::model::{Action, EntityRule, PolicyType};
use crate::selector::Selector;

use super::context::{Context, finding, rules};
use super::{Change, ChangeOp, Finding, ResourceRef, SuggestedFix, ids};
use crate::model::vocabulary::addresses::parse_net;

/// The taxonomy key that carries the environment: its values include every environment name.
fn environment_key(design: &Design) -> Option<&str> {
    design
        .taxonomy
        .iter()
        .find(|k| {
            !k.values.is_empty()
                && design
                    .environments
                    .iter()
                    .all(|e| k.values.contains(&e.name))
        })
        .map(|k| k.key.as_str())
}

/// Whether an entity rule names environment `env`: by its label, or by a CIDR inside the
/// environment's (a deny of `0.0.0.0/0` is about the internet, not about one environment).
fn names_environment(
    ctx: &Context<'_>,
    e: &EntityRule,
    key: Option<&str>,
    env: &str,
    cidrs: &[ipnet::IpNet],
) -> bool {
    let by_label = key.is_some_and(|key| {
        [&e.selector, &e.namespace_selector]
            .into_iter()
            .flatten()
            .any(|text| {
                // Selectors of converted cluster policies are not among the parsed ones.
                let parsed;
                let selector = match ctx.selectors.lookup(text) {
                    Some(s) => Some(s),
                    None => {
                        parsed = Selector::parse(text).ok();
                        parsed.as_ref()
                    }
                };
                selector.is_some_and(|s| {
                    s.label_values().iter().any(|(k, v)| {
                        (k == key || k.strip_prefix("pcns.") == Some(key)) && v == env
                    })
                })
            })
    });
    let by_net = e
        .nets
        .iter()
        .filter_map(|n| parse_net(n).ok())
        .any(|n| cidrs.iter().any(|c| c.contains(&n)));
    by_label || by_net
}

pub fn check(ctx: &Context<'_>, design: &Design, out: &mut Vec<Finding>) {
    if design.environments.len() < 2 {
        return;
    }
    let key = environment_key(design);
    // ClusterNetworkPolicy guardrails count as much as Calico ones.
    let converted = ctx.converted_cluster_policies();
    let unguarded: Vec<&str> = design
        .environments
        .iter()
        .filter(|env| {
            let cidrs: Vec<ipnet::IpNet> =
                env.cidrs.iter().filter_map(|c| parse_net(c).ok()).collect();
            !ctx.set
                .policies
                .iter()
                .filter(|p| !p.kind.is_staged())
                .chain(&converted)
                .any(|p| {
                    [PolicyType::Ingress, PolicyType::Egress]
                        .into_iter()
                        .any(|d| {
                            rules(p, d).iter().any(|r| {
                                r.action == Action::Deny
                                    && [&r.source, &r.destination]
                                        .into_iter()
                                        .any(|e| names_environment(ctx, e, key, &env.name, &cidrs))
                            })
                        })
                })
        })
        .map(|env| env.name.as_str())
        .collect();
    if unguarded.is_empty() {
        return;
    }
    let names: Vec<&str> = design
        .environments
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    let tier = ctx.tiers.first().map_or("default", |t| t.name.as_str());
    let rule = |env: &str, others: Vec<&str>| match key {
        Some(key) => json!({
            "action": "Deny",
            "source": {"namespaceSelector": format!("{key} == '{env}'")},
            "destination": {"namespaceSelector": format!("{key} in {{{}}}", others.iter().map(|o| format!("'{o}'")).collect::<Vec<_>>().join(", "))},
        }),
        None => {
            let nets = |names: &[&str]| -> Vec<String> {
                design
                    .environments
                    .iter()
                    .filter(|e| names.contains(&e.name.as_str()))
                    .flat_map(|e| e.cidrs.clone())
                    .collect()
            };
            json!({"action": "Deny", "source": {"nets": nets(&[env])}, "destination": {"nets": nets(&others)}})
        }
    };
    let deny: Vec<serde_json::Value> = names
        .iter()
        .map(|env| rule(env, names.iter().copied().filter(|o| o != env).collect()))
        .chain([json!({"action": "Pass"})])
        .collect();
    let mut spec = json!({"tier": tier, "order": 200.0, "types": ["Ingress", "Egress"], "ingress": deny, "egress": deny});
    if let Some(key) = key {
        spec["namespaceSelector"] = json!(format!("has({key})"));
    }
    let policy = json!({"apiVersion": "projectcalico.org/v3", "kind": "GlobalNetworkPolicy", "metadata": {"name": "deny-cross-environment"}, "spec": spec});
    let resource = ResourceRef {
        kind: "GlobalNetworkPolicy".to_owned(),
        namespace: None,
        name: "deny-cross-environment".to_owned(),
    };
    let list = unguarded
        .iter()
        .map(|e| format!("`{e}`"))
        .collect::<Vec<_>>()
        .join(", ");
    out.push(finding(
        ids::NO_CROSS_ENVIRONMENT_GUARDRAIL,
        resource.clone(),
        None,
        format!("the design defines environments {} but no enforced deny names {list}: traffic between environments is not blocked", names.join(", ")),
        SuggestedFix::with_changes(
            format!("add a GlobalNetworkPolicy in an early tier (`{tier}`) that denies traffic between environments and passes the rest"),
            vec![Change { resource, op: ChangeOp::Set, path: String::new(), value: Some(policy) }],
        ),
    ));
}
