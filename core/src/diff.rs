//! What changed between two resource sets, object by object and rule by rule: the body of a
//! pull-request summary ([`summary`]).
//!
//! Objects are matched by kind, namespace and (bare) name. Within a matched policy, the ingress and
//! egress rules are aligned by a longest common subsequence, so inserting a rule shows as one added
//! rule rather than as every later rule "changed"; unmatched rules between two aligned ones are paired
//! up as changed rules. Every other field is compared as data and reported by its path.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::model::{PolicyType, Resource, ResourceSet};

mod describe;
pub mod flows;
pub mod summary;

pub use describe::{describe_kubernetes_rule, describe_rule};

/// Which object a change is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ObjectKey {
    /// The `kind:` (`GlobalNetworkPolicy`, `Tier`, …).
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The bare name (no tier prefix).
    pub name: String,
    /// The tier of a Calico policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

impl ObjectKey {
    /// `namespace/tier.name`, as a reviewer reads it.
    pub fn display_name(&self) -> String {
        let name = match &self.tier {
            Some(tier) => format!("{tier}.{}", self.name),
            None => self.name.clone(),
        };
        match &self.namespace {
            Some(ns) => format!("{ns}/{name}"),
            None => name,
        }
    }
}

/// A field outside the rules whose value changed (`null` for absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Dotted path, e.g. `spec.order`.
    pub path: String,
    pub before: Value,
    pub after: Value,
}

/// One rule edit of a policy; indexes are positions in the old and new rule lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "edit", rename_all = "lowercase")]
pub enum RuleEdit {
    Added {
        direction: PolicyType,
        index: usize,
        rule: String,
    },
    Removed {
        direction: PolicyType,
        index: usize,
        rule: String,
    },
    Changed {
        direction: PolicyType,
        old_index: usize,
        new_index: usize,
        before: String,
        after: String,
    },
}

/// What happened to one object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum ObjectChange {
    Added {
        object: ObjectKey,
        order: Option<f64>,
        rules: Vec<(PolicyType, String)>,
    },
    Removed {
        object: ObjectKey,
        order: Option<f64>,
        rules: Vec<(PolicyType, String)>,
    },
    Changed {
        object: ObjectKey,
        fields: Vec<FieldChange>,
        rules: Vec<RuleEdit>,
    },
}

impl ObjectChange {
    /// The object this change is about.
    pub fn object(&self) -> &ObjectKey {
        match self {
            ObjectChange::Added { object, .. }
            | ObjectChange::Removed { object, .. }
            | ObjectChange::Changed { object, .. } => object,
        }
    }
}

/// Every change between two sets, sorted by object.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SetDiff {
    pub changes: Vec<ObjectChange>,
}

impl SetDiff {
    /// No change at all.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// `(added, removed, changed)` object counts.
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |f: fn(&ObjectChange) -> bool| self.changes.iter().filter(|c| f(c)).count();
        (
            count(|c| matches!(c, ObjectChange::Added { .. })),
            count(|c| matches!(c, ObjectChange::Removed { .. })),
            count(|c| matches!(c, ObjectChange::Changed { .. })),
        )
    }
}

/// An object reduced to what the diff compares: its fields without rules, and its rules described.
struct Flat {
    order: Option<f64>,
    fields: Value,
    rules: Vec<(PolicyType, Vec<String>)>,
}

fn key_of(resource: &Resource) -> ObjectKey {
    let meta = resource.metadata();
    let tier = match resource {
        Resource::CalicoPolicy(p) => Some(p.tier().to_owned()),
        _ => None,
    };
    ObjectKey {
        kind: resource.kind().to_owned(),
        namespace: meta.namespace.clone(),
        name: meta.name.clone(),
        tier,
    }
}

fn flatten(resource: &Resource) -> Flat {
    let mut fields = serde_json::to_value(resource).unwrap_or(Value::Null);
    if let Some(map) = fields.as_object_mut() {
        map.remove("resource");
        map.remove("kind");
        if let Some(spec) = map.get_mut("spec").and_then(Value::as_object_mut) {
            spec.remove("ingress");
            spec.remove("egress");
        }
    }
    let (order, rules) = match resource {
        Resource::CalicoPolicy(p) => (
            p.spec.order,
            vec![
                (
                    PolicyType::Ingress,
                    p.spec.ingress.iter().map(describe_rule).collect(),
                ),
                (
                    PolicyType::Egress,
                    p.spec.egress.iter().map(describe_rule).collect(),
                ),
            ],
        ),
        Resource::KubernetesPolicy(p) => (
            None,
            vec![
                (
                    PolicyType::Ingress,
                    p.spec
                        .ingress
                        .iter()
                        .map(|r| describe_kubernetes_rule(&r.from, &r.ports, "from"))
                        .collect(),
                ),
                (
                    PolicyType::Egress,
                    p.spec
                        .egress
                        .iter()
                        .map(|r| describe_kubernetes_rule(&r.to, &r.ports, "to"))
                        .collect(),
                ),
            ],
        ),
        _ => (None, Vec::new()),
    };
    Flat {
        order,
        fields,
        rules,
    }
}

/// The objects a policy repository holds (namespaces, workloads and IP pools are not policy), keyed without
/// the tier: moving a policy to another tier is a change of that policy, shown as `spec.tier`. A Calico
/// policy written without a tier is in the `default` tier, as one that names it (an export writes it
/// out): no change.
fn objects(set: &ResourceSet) -> BTreeMap<ObjectKey, Resource> {
    set.resources()
        .filter(|r| {
            !matches!(
                r,
                Resource::Namespace(_) | Resource::Workload(_) | Resource::IpPool(_)
            )
        })
        .map(|mut r| {
            if let Resource::CalicoPolicy(p) = &mut r
                && p.spec.tier.is_none()
            {
                p.spec.tier = Some(p.tier().to_owned());
            }
            (
                ObjectKey {
                    tier: None,
                    ..key_of(&r)
                },
                r,
            )
        })
        .collect()
}

/// Compares two sets.
pub fn diff_sets(old: &ResourceSet, new: &ResourceSet) -> SetDiff {
    let old_objects = objects(old);
    let new_objects = objects(new);
    let mut changes = Vec::new();
    let listed = |flat: &Flat| -> Vec<(PolicyType, String)> {
        flat.rules
            .iter()
            .flat_map(|(d, rules)| rules.iter().map(move |r| (*d, r.clone())))
            .collect()
    };
    for (key, before) in &old_objects {
        match new_objects.get(key) {
            None => {
                let flat = flatten(before);
                changes.push(ObjectChange::Removed {
                    object: key_of(before),
                    order: flat.order,
                    rules: listed(&flat),
                });
            }
            Some(after) if after != before => {
                let (a, b) = (flatten(before), flatten(after));
                let mut fields = Vec::new();
                diff_values("", &a.fields, &b.fields, &mut fields);
                let mut rules = Vec::new();
                for ((direction, old_rules), (_, new_rules)) in a.rules.iter().zip(&b.rules) {
                    rules.extend(diff_rules(*direction, old_rules, new_rules));
                }
                if !fields.is_empty() || !rules.is_empty() {
                    changes.push(ObjectChange::Changed {
                        object: key_of(after),
                        fields,
                        rules,
                    });
                }
            }
            Some(_) => {}
        }
    }
    for (key, after) in &new_objects {
        if !old_objects.contains_key(key) {
            let flat = flatten(after);
            changes.push(ObjectChange::Added {
                object: key_of(after),
                order: flat.order,
                rules: listed(&flat),
            });
        }
    }
    changes.sort_by(|a, b| a.object().cmp(b.object()));
    SetDiff { changes }
}

/// Differences between two JSON values, by dotted path. Arrays are compared whole.
fn diff_values(path: &str, before: &Value, after: &Value, out: &mut Vec<FieldChange>) {
    if before == after {
        return;
    }
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                diff_values(
                    &child,
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        _ => out.push(FieldChange {
            path: path.to_owned(),
            before: before.clone(),
            after: after.clone(),
        }),
    }
}

/// Aligns two rule lists by their longest common subsequence and reports the edits.
fn diff_rules(direction: PolicyType, old: &[String], new: &[String]) -> Vec<RuleEdit> {
    let (n, m) = (old.len(), new.len());
    // lcs[i][j]: length of the LCS of old[i..] and new[j..].
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut edits = Vec::new();
    let (mut i, mut j) = (0, 0);
    let (mut removed, mut added): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    let flush = |removed: &mut Vec<usize>, added: &mut Vec<usize>, edits: &mut Vec<RuleEdit>| {
        let paired = removed.len().min(added.len());
        for (&o, &a) in removed.iter().zip(added.iter()) {
            edits.push(RuleEdit::Changed {
                direction,
                old_index: o,
                new_index: a,
                before: old[o].clone(),
                after: new[a].clone(),
            });
        }
        for &o in &removed[paired..] {
            edits.push(RuleEdit::Removed {
                direction,
                index: o,
                rule: old[o].clone(),
            });
        }
        for &a in &added[paired..] {
            edits.push(RuleEdit::Added {
                direction,
                index: a,
                rule: new[a].clone(),
            });
        }
        removed.clear();
        added.clear();
    };
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            flush(&mut removed, &mut added, &mut edits);
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            added.push(j);
            j += 1;
        } else {
            removed.push(i);
            i += 1;
        }
    }
    flush(&mut removed, &mut added, &mut edits);
    edits
}

#[cfg(test)]
mod tests;
