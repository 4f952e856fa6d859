//! Taxonomy lints (designs only): `unknown-label-key` and `unknown-label-value` in selectors and in the
//! labels of the design's namespaces and workload groups. A design without a taxonomy is not checked.
//! Kubernetes NetworkPolicies are read as Calico converts them (the context's `knp.default.*`
//! policies), so a `podSelector` or `namespaceSelector` with a typo is found like a Calico selector.

use serde_json::json;

use crate::design::{Design, LabelKey};
use crate::model::{CalicoPolicy, Labels, PolicyType};
use crate::selector::Selector;

use super::context::{Context, direction_key, display_policy, finding, policy_ref, rules};
use super::{Change, ChangeOp, Finding, ResourceRef, RuleRef, SuggestedFix, ids};

use crate::design::is_builtin_key as is_builtin;

/// The taxonomy key a selector key names (`pcns.` keys name namespace labels).
fn taxonomy_key(key: &str) -> &str {
    key.strip_prefix("pcns.").unwrap_or(key)
}

/// One selector field of a policy.
struct Field<'p> {
    text: &'p str,
    /// JSON pointer of the field in the policy.
    path: String,
    rule: Option<RuleRef>,
}

fn fields(p: &CalicoPolicy) -> Vec<Field<'_>> {
    let mut out = Vec::new();
    for (name, value) in [
        ("selector", &p.spec.selector),
        ("namespaceSelector", &p.spec.namespace_selector),
    ] {
        if let Some(text) = value {
            out.push(Field {
                text,
                path: format!("/spec/{name}"),
                rule: None,
            });
        }
    }
    for direction in [PolicyType::Ingress, PolicyType::Egress] {
        for (index, rule) in rules(p, direction).iter().enumerate() {
            for (side, e) in [("source", &rule.source), ("destination", &rule.destination)] {
                for (name, value) in [
                    ("selector", &e.selector),
                    ("notSelector", &e.not_selector),
                    ("namespaceSelector", &e.namespace_selector),
                ] {
                    if let Some(text) = value {
                        let path =
                            format!("/spec/{}/{index}/{side}/{name}", direction_key(direction));
                        out.push(Field {
                            text,
                            path,
                            rule: Some(RuleRef { direction, index }),
                        });
                    }
                }
            }
        }
    }
    out
}

/// The allowed value closest to `value` (case-insensitive equal, or at most two edits away).
fn closest<'t>(value: &str, allowed: &'t [String]) -> Option<&'t str> {
    allowed
        .iter()
        .map(|a| {
            (
                if a.eq_ignore_ascii_case(value) {
                    0
                } else {
                    edit_distance(a, value)
                },
                a,
            )
        })
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a.as_str())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

pub fn check(ctx: &Context<'_>, design: &Design, out: &mut Vec<Finding>) {
    if design.taxonomy.is_empty() {
        return;
    }
    let lookup = |key: &str| design.taxonomy.iter().find(|k| k.key == taxonomy_key(key));
    let converted_kubernetes = ctx
        .set
        .policies
        .iter()
        .filter(|p| p.metadata.name.starts_with(super::KNP_PREFIX));
    for p in design.policies.iter().chain(converted_kubernetes) {
        for field in fields(p) {
            let Some(selector) = ctx.selectors.lookup(field.text) else {
                continue;
            };
            selector_keys(p, &field, selector, &lookup, out);
        }
    }
    for ns in &design.namespaces {
        let resource = ResourceRef {
            kind: "Namespace".to_owned(),
            namespace: None,
            name: ns.name.clone(),
        };
        labels(&resource, &ns.labels, &lookup, out);
        for w in &ns.workloads {
            let resource = ResourceRef {
                kind: w.kind.as_str().to_owned(),
                namespace: Some(ns.name.clone()),
                name: w.name.clone(),
            };
            labels(&resource, &w.labels, &lookup, out);
        }
    }
}

fn selector_keys<'t>(
    p: &CalicoPolicy,
    field: &Field<'_>,
    selector: &Selector,
    lookup: &dyn Fn(&str) -> Option<&'t LabelKey>,
    out: &mut Vec<Finding>,
) {
    let where_ = match field.rule {
        Some(rule) => format!("{rule} of `{}`", display_policy(p)),
        None => format!("`{}`", display_policy(p)),
    };
    for key in selector.label_keys() {
        if is_builtin(&key) || lookup(&key).is_some() {
            continue;
        }
        out.push(finding(
            ids::UNKNOWN_LABEL_KEY,
            policy_ref(p),
            field.rule,
            format!("{where_} selects on label key `{key}`, which is not in the taxonomy"),
            SuggestedFix::text(format!(
                "add `{}` to the taxonomy, or use a key the taxonomy defines",
                taxonomy_key(&key)
            )),
        ));
    }
    for (key, value) in selector.label_values() {
        let Some(entry) = lookup(&key) else { continue };
        if entry.values.is_empty() || entry.values.contains(&value) {
            continue;
        }
        let suggestion = closest(&value, &entry.values);
        let changes = suggestion
            .map(|to| {
                let fixed = selector.rename_value(&key, &value, to).canonical();
                vec![Change {
                    resource: policy_ref(p),
                    op: ChangeOp::Set,
                    path: field.path.clone(),
                    value: Some(json!(fixed)),
                }]
            })
            .unwrap_or_default();
        let text = match suggestion {
            Some(to) => format!(
                "did you mean `{to}`? (allowed: {})",
                entry.values.join(", ")
            ),
            None => format!(
                "use one of {}, or add `{value}` to the taxonomy",
                entry.values.join(", ")
            ),
        };
        out.push(finding(
            ids::UNKNOWN_LABEL_VALUE,
            policy_ref(p),
            field.rule,
            format!("{where_} compares `{key}` with `{value}`, which the taxonomy does not allow"),
            SuggestedFix::with_changes(text, changes),
        ));
    }
}

fn labels<'t>(
    resource: &ResourceRef,
    labels: &Labels,
    lookup: &dyn Fn(&str) -> Option<&'t LabelKey>,
    out: &mut Vec<Finding>,
) {
    for (key, value) in labels {
        if is_builtin(key) {
            continue;
        }
        match lookup(key) {
            None => out.push(finding(
                ids::UNKNOWN_LABEL_KEY,
                resource.clone(),
                None,
                format!(
                    "{} `{}` has label `{key}`, which is not in the taxonomy",
                    resource.kind, resource.name
                ),
                SuggestedFix::text(format!("add `{key}` to the taxonomy, or remove the label")),
            )),
            Some(entry) if !entry.values.is_empty() && !entry.values.contains(value) => {
                let hint = closest(value, &entry.values)
                    .map(|to| format!("did you mean `{to}`? "))
                    .unwrap_or_default();
                out.push(finding(
                    ids::UNKNOWN_LABEL_VALUE,
                    resource.clone(),
                    None,
                    format!(
                        "{} `{}` has `{key}: {value}`, which the taxonomy does not allow",
                        resource.kind, resource.name
                    ),
                    SuggestedFix::text(format!("{hint}allowed: {}", entry.values.join(", "))),
                ));
            }
            Some(_) => {}
        }
    }
}
