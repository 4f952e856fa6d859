//! Applying a finding's machine-applicable fix ([`SuggestedFix::changes`](super::SuggestedFix)) to a
//! design: each object the changes touch is taken in its wire form (what `netpol export` writes, as JSON),
//! the operations are applied to it, and the result is read back through the importer — the same
//! parsing and validation as a pasted file — before it takes the object's place. A fix that does not
//! fit the design (the object is gone, a path is wrong, the result is not valid) is an error value and
//! the design is left as it was.

use std::fmt;

use serde_json::Value;

use super::{Change, ChangeOp, ResourceRef};
use crate::design::{self, Design};
use crate::model::Resource;
use crate::yaml::{Diagnostic, ExportOptions, export_resource, first_document_json};

/// Why a fix could not be applied.
#[derive(Debug, Clone, PartialEq)]
pub enum FixError {
    /// The fix has no changes: it is carried out by hand.
    NotMachineApplicable,
    /// A change edits an object the design does not have (only setting a whole object creates one).
    Missing(ResourceRef),
    /// A change's path does not fit the object.
    Path {
        resource: ResourceRef,
        path: String,
        reason: String,
    },
    /// The edited object is not valid: the importer's errors.
    Invalid {
        resource: ResourceRef,
        errors: Vec<Diagnostic>,
    },
    /// The edited object would be of another kind or namespace, or would take the name of another
    /// object of the design.
    Identity {
        resource: ResourceRef,
        reason: String,
    },
}

impl fmt::Display for FixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FixError::NotMachineApplicable => f.write_str("this fix has no edits to apply"),
            FixError::Missing(r) => write!(f, "the {} is not in the design", describe(r)),
            FixError::Path {
                resource,
                path,
                reason,
            } => write!(
                f,
                "the {} has no `{path}` to edit: {reason}",
                describe(resource)
            ),
            FixError::Invalid { resource, errors } => {
                let said: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
                write!(
                    f,
                    "the {} would not be valid: {}",
                    describe(resource),
                    said.join("; ")
                )
            }
            FixError::Identity { resource, reason } => {
                write!(
                    f,
                    "the {} cannot be changed so: {reason}",
                    describe(resource)
                )
            }
        }
    }
}

impl std::error::Error for FixError {}

/// `GlobalNetworkPolicy `default-deny`` or `NetworkPolicy `shop/allow-dns``.
fn describe(r: &ResourceRef) -> String {
    match &r.namespace {
        Some(ns) => format!("{} `{ns}/{}`", r.kind, r.name),
        None => format!("{} `{}`", r.kind, r.name),
    }
}

/// The design with `changes` applied, or why they cannot be: every change or none.
pub fn apply_fix(design: &Design, changes: &[Change]) -> Result<Design, FixError> {
    if changes.is_empty() {
        return Err(FixError::NotMachineApplicable);
    }
    // One object at a time, in the order the fix first names them (a network set before the rule
    // that selects it), each with all of its changes.
    let mut targets: Vec<&ResourceRef> = Vec::new();
    for change in changes {
        if !targets.contains(&&change.resource) {
            targets.push(&change.resource);
        }
    }
    let mut fixed = design.clone();
    for target in targets {
        let existing = find(&fixed, target);
        let mut wire = match &existing {
            Some(r) => wire_form(target, r)?,
            None => Value::Null,
        };
        for change in changes.iter().filter(|c| &c.resource == target) {
            apply_change(&mut wire, change).map_err(|reason| {
                if wire.is_null() {
                    FixError::Missing(target.clone())
                } else {
                    FixError::Path {
                        resource: target.clone(),
                        path: change.path.clone(),
                        reason,
                    }
                }
            })?;
        }
        let edited = read_back(target, &wire)?;
        place(&mut fixed, existing.map(|_| target), edited)?;
    }
    Ok(fixed)
}

/// An object's wire form as JSON: the YAML the export writes, read by the importer's own parser
/// (the page already holds both; a second serializer into JSON values would add to its size).
fn wire_form(target: &ResourceRef, resource: &Resource) -> Result<Value, FixError> {
    let text = export_resource(resource, &ExportOptions::default());
    first_document_json(&text).map_err(|reason| FixError::Identity {
        resource: target.clone(),
        reason: format!("its YAML does not read back ({reason})"),
    })
}

/// The object `r` names. `NetworkPolicy` is both a Calico and a Kubernetes kind; fixes edit Calico's
/// fields (findings on Kubernetes policies carry words only), so the Calico one is taken first.
fn find(design: &Design, r: &ResourceRef) -> Option<Resource> {
    let set = design::to_resources(design);
    let mut matching = set.resources().filter(|x| &reference(x) == r);
    let first = matching.next()?;
    if matches!(first, Resource::KubernetesPolicy(_)) {
        return Some(matching.next().unwrap_or(first));
    }
    Some(first)
}

fn reference(resource: &Resource) -> ResourceRef {
    let meta = resource.metadata();
    ResourceRef {
        kind: resource.kind().to_owned(),
        namespace: meta.namespace.clone(),
        name: meta.name.clone(),
    }
}

/// The edited wire form read as an imported file would be: one object, no errors.
fn read_back(target: &ResourceRef, wire: &Value) -> Result<Resource, FixError> {
    let text = serde_json::to_string(wire).map_err(|e| FixError::Identity {
        resource: target.clone(),
        reason: e.to_string(),
    })?;
    let input = design::import(&format!("{} (fixed).json", target.name), &text);
    if input.error_count() > 0 {
        return Err(FixError::Invalid {
            resource: target.clone(),
            errors: input
                .diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect(),
        });
    }
    let mut objects = input.resource_set().resources().collect::<Vec<_>>();
    match (objects.pop(), objects.is_empty()) {
        (Some(only), true) => Ok(only),
        _ => Err(FixError::Identity {
            resource: target.clone(),
            reason: "the fix does not make exactly one object".to_owned(),
        }),
    }
}

/// Puts the edited object where `old` was (a rename keeps its place), or adds it.
fn place(design: &mut Design, old: Option<&ResourceRef>, edited: Resource) -> Result<(), FixError> {
    let new = reference(&edited);
    let target = old.unwrap_or(&new);
    if new.kind != target.kind || new.namespace != target.namespace {
        return Err(FixError::Identity {
            resource: target.clone(),
            reason: format!("it would become the {}", describe(&new)),
        });
    }
    if Some(&new) != old && old.is_some() && find(design, &new).is_some() {
        return Err(FixError::Identity {
            resource: target.clone(),
            reason: format!("the design already has a {}", describe(&new)),
        });
    }
    let is_old = |r: &ResourceRef| Some(r) == old;
    match edited {
        Resource::CalicoPolicy(p) => swap(&mut design.policies, p, |x| {
            is_old(&reference(&Resource::CalicoPolicy(x.clone())))
        }),
        Resource::Tier(t) => swap(&mut design.tiers, t, |x| {
            old.is_some_and(|o| o.kind == "Tier" && o.name == x.metadata.name)
        }),
        Resource::NetworkSet(s) => swap(&mut design.network_sets, s, |x| {
            is_old(&reference(&Resource::NetworkSet(x.clone())))
        }),
        Resource::ClusterPolicy(p) => swap(&mut design.cluster_policies, p, |x| {
            is_old(&reference(&Resource::ClusterPolicy(x.clone())))
        }),
        Resource::KubernetesPolicy(p) => swap(&mut design.kubernetes_policies, p, |x| {
            is_old(&reference(&Resource::KubernetesPolicy(x.clone())))
        }),
        other => {
            design::merge(design, [other]);
        }
    }
    Ok(())
}

/// Replaces the item `is_old` finds with `item` (or adds it): an object of the same kind and name is
/// replaced too, as an import replaces it.
fn swap<T>(list: &mut Vec<T>, item: T, is_old: impl Fn(&T) -> bool) {
    match list.iter().position(is_old) {
        Some(i) => list[i] = item,
        None => list.push(item),
    }
}

/// One JSON-Patch-like operation on a wire form; `Err` says why the path does not fit.
fn apply_change(wire: &mut Value, change: &Change) -> Result<(), String> {
    let tokens = pointer_tokens(&change.path)?;
    let Some((last, parents)) = tokens.split_last() else {
        return match change.op {
            ChangeOp::Set => {
                *wire = change.value.clone().unwrap_or(Value::Null);
                Ok(())
            }
            ChangeOp::Add | ChangeOp::Remove => {
                Err("a whole object can only be set by a fix".to_owned())
            }
        };
    };
    if wire.is_null() {
        return Err("the object does not exist".to_owned());
    }
    let mut parent = wire;
    for token in parents {
        parent = match parent {
            Value::Object(map) => {
                // `Set` creates what is missing on the way ("creating it").
                if change.op != ChangeOp::Set && !map.contains_key(token) {
                    return Err(format!("`{token}` is missing"));
                }
                map.entry(token.clone())
                    .or_insert_with(|| Value::Object(serde_json::Map::new()))
            }
            Value::Array(items) => {
                let i = index(token, items.len())?;
                &mut items[i]
            }
            _ => {
                return Err(format!(
                    "`{token}` is inside a value that is not a list or a map"
                ));
            }
        };
    }
    let value = || {
        change
            .value
            .clone()
            .ok_or_else(|| "the change has no value".to_owned())
    };
    match (change.op, parent) {
        (ChangeOp::Set | ChangeOp::Add, Value::Object(map)) => {
            map.insert(last.clone(), value()?);
        }
        (ChangeOp::Remove, Value::Object(map)) => {
            map.remove(last)
                .ok_or_else(|| format!("`{last}` is missing"))?;
        }
        (op, Value::Array(items)) => {
            let len = items.len();
            let i = if last == "-" {
                len
            } else {
                last.parse::<usize>()
                    .map_err(|_| format!("`{last}` is not a list index"))?
            };
            match op {
                ChangeOp::Add if i <= len => items.insert(i, value()?),
                ChangeOp::Set if i < len => items[i] = value()?,
                ChangeOp::Set if i == len => items.push(value()?),
                ChangeOp::Remove if i < len => {
                    items.remove(i);
                }
                _ => return Err(format!("index {i} is past the end of a list of {len}")),
            }
        }
        _ => {
            return Err(format!(
                "`{last}` is inside a value that is not a list or a map"
            ));
        }
    }
    Ok(())
}

/// An existing index of a list of `len` items.
fn index(token: &str, len: usize) -> Result<usize, String> {
    match token.parse::<usize>() {
        Ok(i) if i < len => Ok(i),
        Ok(i) => Err(format!("index {i} is past the end of a list of {len}")),
        Err(_) => Err(format!("`{token}` is not a list index")),
    }
}

/// A JSON pointer's reference tokens (RFC 6901: `~1` is `/`, `~0` is `~`); `""` is the whole value.
fn pointer_tokens(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!(
            "`{path}` is not a JSON pointer (it starts with `/`)"
        ));
    };
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use serde_json::json;

    use super::*;

    fn policy_ref(name: &str) -> ResourceRef {
        ResourceRef {
            kind: "GlobalNetworkPolicy".to_owned(),
            namespace: None,
            name: name.to_owned(),
        }
    }

    fn change(op: ChangeOp, path: &str, value: Option<Value>) -> Change {
        Change {
            resource: policy_ref("default-deny"),
            op,
            path: path.to_owned(),
            value,
        }
    }

    fn baseline_policy(design: &Design) -> &crate::model::CalicoPolicy {
        design
            .policies
            .iter()
            .find(|p| p.metadata.name == "default-deny")
            .expect("the baseline's default deny")
    }

    #[test]
    fn pointer_tokens_unescape_and_reject_relative_paths() {
        assert_eq!(pointer_tokens("").unwrap(), Vec::<String>::new());
        assert_eq!(pointer_tokens("/a~1b/c~0d").unwrap(), vec!["a/b", "c~d"]);
        assert!(pointer_tokens("spec/order").is_err());
    }

    #[test]
    fn set_replaces_a_field_and_keeps_the_object_in_place() {
        let design = design::baseline();
        let position = design
            .policies
            .iter()
            .position(|p| p.metadata.name == "default-deny");
        let fixed = apply_fix(
            &design,
            &[change(ChangeOp::Set, "/spec/order", Some(json!(1500.0)))],
        )
        .unwrap();
        assert_eq!(baseline_policy(&fixed).spec.order, Some(1500.0));
        assert_eq!(
            fixed
                .policies
                .iter()
                .position(|p| p.metadata.name == "default-deny"),
            position
        );
        assert_eq!(fixed.policies.len(), design.policies.len());
    }

    #[test]
    fn add_inserts_into_a_list_and_remove_takes_it_out() {
        let design = design::baseline();
        let rule = json!({"action": "Allow", "protocol": "TCP"});
        let added = apply_fix(
            &design,
            &[change(ChangeOp::Add, "/spec/egress/-", Some(rule))],
        );
        // The baseline's deny has no egress list: Add does not create one.
        assert!(matches!(added, Err(FixError::Path { .. })), "{added:?}");
        let set = apply_fix(
            &design,
            &[change(
                ChangeOp::Set,
                "/spec/egress",
                Some(json!([{"action": "Allow", "protocol": "TCP"}])),
            )],
        )
        .unwrap();
        assert_eq!(baseline_policy(&set).spec.egress.len(), 1);
        let removed = apply_fix(&set, &[change(ChangeOp::Remove, "/spec/egress/0", None)]).unwrap();
        assert!(baseline_policy(&removed).spec.egress.is_empty());
    }

    #[test]
    fn an_invalid_result_is_an_error_and_the_design_is_untouched() {
        let design = design::baseline();
        let bad = apply_fix(
            &design,
            &[change(
                ChangeOp::Set,
                "/spec/selector",
                Some(json!("app == ")),
            )],
        );
        let Err(FixError::Invalid { errors, .. }) = bad else {
            panic!("an invalid selector must be refused: {bad:?}");
        };
        assert!(!errors.is_empty());
    }

    #[test]
    fn a_change_to_a_missing_object_or_path_is_an_error() {
        let design = design::baseline();
        let mut missing = change(ChangeOp::Set, "/spec/order", Some(json!(1.0)));
        missing.resource = policy_ref("no-such-policy");
        assert_eq!(
            apply_fix(&design, &[missing]),
            Err(FixError::Missing(policy_ref("no-such-policy")))
        );
        let past_end = apply_fix(
            &design,
            &[change(ChangeOp::Remove, "/spec/ingress/7", None)],
        );
        assert!(
            matches!(past_end, Err(FixError::Path { .. })),
            "{past_end:?}"
        );
        assert_eq!(apply_fix(&design, &[]), Err(FixError::NotMachineApplicable));
    }

    #[test]
    fn a_rename_onto_another_object_is_refused() {
        let design = design::baseline();
        let other = design
            .policies
            .iter()
            .find(|p| p.metadata.name != "default-deny" && p.metadata.namespace.is_none())
            .expect("a second global policy in the baseline")
            .metadata
            .name
            .clone();
        let onto = apply_fix(
            &design,
            &[change(ChangeOp::Set, "/metadata/name", Some(json!(other)))],
        );
        assert!(matches!(onto, Err(FixError::Identity { .. })), "{onto:?}");
    }

    #[test]
    fn setting_a_whole_object_creates_it() {
        let design = design::baseline();
        let tier = json!({"apiVersion": "projectcalico.org/v3", "kind": "Tier", "metadata": {"name": "extra"}, "spec": {"order": 50.0}});
        let fixed = apply_fix(
            &design,
            &[Change {
                resource: ResourceRef {
                    kind: "Tier".to_owned(),
                    namespace: None,
                    name: "extra".to_owned(),
                },
                op: ChangeOp::Set,
                path: String::new(),
                value: Some(tier),
            }],
        )
        .unwrap();
        assert!(fixed.tiers.iter().any(|t| t.metadata.name == "extra"));
        assert_eq!(fixed.tiers.len(), design.tiers.len() + 1);
    }
}
