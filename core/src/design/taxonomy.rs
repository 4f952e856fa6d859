//! The taxonomy applied to a design: whether a label is one the taxonomy defines, and renaming an
//! allowed value everywhere the design uses it (selectors and labels) in one edit.

use thiserror::Error;

mod environment;

pub use environment::is_environment_key;

use super::Design;
use crate::labels::{self, LabelSyntaxError};
use crate::model::{LabelSelector, LabelSelectorOperator, Labels};
use crate::selector::Selector;

/// Keys Kubernetes and Calico set themselves: a design never needs them in its taxonomy.
pub fn is_builtin_key(key: &str) -> bool {
    key.starts_with("projectcalico.org/")
        || key.starts_with("pcsa.")
        || key == "kubernetes.io/metadata.name"
}

/// How a label of a namespace or workload group stands against the design's taxonomy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelStatus {
    /// The taxonomy defines the key and allows the value (or any value).
    Allowed,
    /// Kubernetes or Calico sets the key itself ([`is_builtin_key`]) and the taxonomy does not list it.
    Builtin,
    /// The key is not in the taxonomy: a free label.
    FreeKey,
    /// The taxonomy defines the key but not this value.
    ValueNotAllowed,
}

impl LabelStatus {
    /// Whether the label is outside the taxonomy (a free key or a value it does not allow).
    pub fn is_outside_taxonomy(self) -> bool {
        matches!(self, LabelStatus::FreeKey | LabelStatus::ValueNotAllowed)
    }
}

/// How `key: value` stands against the design's taxonomy.
pub fn label_status(design: &Design, key: &str, value: &str) -> LabelStatus {
    match design.taxonomy.iter().find(|k| k.key == key) {
        Some(entry) if entry.values.is_empty() || entry.values.iter().any(|v| v == value) => {
            LabelStatus::Allowed
        }
        Some(_) => LabelStatus::ValueNotAllowed,
        None if is_builtin_key(key) => LabelStatus::Builtin,
        None => LabelStatus::FreeKey,
    }
}

/// How many namespaces, workload groups and network sets of the design carry `key` (with `value`, when
/// given): the taxonomy's usage count, and the label side of what a [`rename_label_value`] would change.
pub fn label_usage(design: &Design, key: &str, value: Option<&str>) -> usize {
    let carries = |labels: &Labels| {
        labels
            .get(key)
            .is_some_and(|v| value.is_none_or(|want| v == want))
    };
    let namespaces_and_groups: usize = design
        .namespaces
        .iter()
        .map(|ns| {
            usize::from(carries(&ns.labels))
                + ns.workloads.iter().filter(|w| carries(&w.labels)).count()
        })
        .sum();
    let network_sets = design
        .network_sets
        .iter()
        .filter(|s| carries(&s.metadata.labels))
        .count();
    namespaces_and_groups + network_sets
}

/// How many places a [`rename_label_value`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ValueRename {
    /// Selector fields rewritten (Calico policy and rule selectors, Kubernetes label selectors).
    pub selectors: usize,
    /// Namespaces, workload groups and network sets whose label changed.
    pub labels: usize,
    /// The value was an environment's name under an environment key, and the environment was renamed
    /// with it (so its namespaces keep their environment in the Fleet export).
    pub environment: bool,
    /// Objects whose `studio.netpol.dev/environments` list named the renamed environment.
    pub annotations: usize,
}

impl ValueRename {
    /// Selectors, labels, the environment and annotations together.
    pub fn places(&self) -> usize {
        self.selectors + self.labels + usize::from(self.environment) + self.annotations
    }
}

/// Why a taxonomy value cannot be renamed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RenameError {
    #[error("the label key `{0}` is not in the taxonomy")]
    UnknownKey(String),
    #[error("`{value}` is not an allowed value of `{key}`")]
    UnknownValue { key: String, value: String },
    #[error("`{value}` is already an allowed value of `{key}`")]
    AlreadyAllowed { key: String, value: String },
    #[error("an environment is already called `{0}`")]
    EnvironmentExists(String),
    #[error(transparent)]
    BadValue(#[from] LabelSyntaxError),
}

/// Renames the allowed value `from` of taxonomy key `key` to `to`, and with it every use of
/// `key == from` in the design: the selectors of Calico policies and of their rules (`selector`,
/// `notSelector`, `namespaceSelector`, including `in {…}` sets and `pcns.`-prefixed namespace keys),
/// the label selectors of Kubernetes policies, and the labels of namespaces, workload groups and network
/// sets. Substring operators (`contains`, `starts with`) hold patterns and are left alone, as are
/// selectors that do not parse. When `key` is an environment key and `from` names an environment, the
/// environment is renamed too, with the `studio.netpol.dev/environments` lists that name it (its
/// cluster selector stays). On error the design is unchanged.
pub fn rename_label_value(
    design: &mut Design,
    key: &str,
    from: &str,
    to: &str,
) -> Result<ValueRename, RenameError> {
    labels::check_value(to)?;
    let key_index = design
        .taxonomy
        .iter()
        .position(|k| k.key == key)
        .ok_or_else(|| RenameError::UnknownKey(key.to_owned()))?;
    let entry = &design.taxonomy[key_index];
    if from == to {
        return Ok(ValueRename::default());
    }
    if entry.values.iter().any(|v| v == to) {
        return Err(RenameError::AlreadyAllowed {
            key: key.to_owned(),
            value: to.to_owned(),
        });
    }
    let Some(value_index) = entry.values.iter().position(|v| v == from) else {
        return Err(RenameError::UnknownValue {
            key: key.to_owned(),
            value: from.to_owned(),
        });
    };
    let environment = environment::renamed_environment(design, key, from, to)?;
    design.taxonomy[key_index].values[value_index] = to.to_owned();

    let mut count = ValueRename {
        selectors: rename_in_selectors(design, key, from, to),
        environment: environment.is_some(),
        annotations: environment.map_or(0, |index| {
            environment::rename_environment(design, index, from, to)
        }),
        ..ValueRename::default()
    };
    let rename = Rename { key, from, to };
    let label_maps = design
        .namespaces
        .iter_mut()
        .flat_map(|ns| {
            std::iter::once(&mut ns.labels).chain(ns.workloads.iter_mut().map(|w| &mut w.labels))
        })
        .chain(
            design
                .network_sets
                .iter_mut()
                .map(|s| &mut s.metadata.labels),
        );
    for labels in label_maps {
        count.labels += usize::from(rename.labels(labels));
    }
    Ok(count)
}

/// Renames value `from` of label `key` to `to` in every selector of the design's policies; returns how
/// many selector fields changed.
pub(super) fn rename_in_selectors(design: &mut Design, key: &str, from: &str, to: &str) -> usize {
    let rename = Rename { key, from, to };
    let mut changed = 0;
    for policy in &mut design.policies {
        let spec = &mut policy.spec;
        let mut fields = vec![&mut spec.selector, &mut spec.namespace_selector];
        for rule in spec.ingress.iter_mut().chain(spec.egress.iter_mut()) {
            for side in [&mut rule.source, &mut rule.destination] {
                fields.extend([
                    &mut side.selector,
                    &mut side.not_selector,
                    &mut side.namespace_selector,
                ]);
            }
        }
        for text in fields.into_iter().flatten() {
            changed += usize::from(rename.selector_text(text));
        }
    }
    for policy in &mut design.kubernetes_policies {
        let spec = &mut policy.spec;
        let mut selectors = vec![&mut spec.pod_selector];
        let peers = spec
            .ingress
            .iter_mut()
            .flat_map(|r| r.from.iter_mut())
            .chain(spec.egress.iter_mut().flat_map(|r| r.to.iter_mut()));
        for peer in peers {
            selectors.extend(peer.pod_selector.as_mut());
            selectors.extend(peer.namespace_selector.as_mut());
        }
        for selector in selectors {
            changed += usize::from(rename.label_selector(selector));
        }
    }
    changed
}

/// One value rename, applied to each kind of place that can hold the value.
struct Rename<'a> {
    key: &'a str,
    from: &'a str,
    to: &'a str,
}

impl Rename<'_> {
    /// Rewrites a Calico selector field in canonical form when the rename changes it.
    fn selector_text(&self, text: &mut String) -> bool {
        let Ok(selector) = Selector::parse(text) else {
            return false;
        };
        // A pod selector reaches namespace labels through `pcns.<key>`.
        let renamed = selector
            .rename_value(self.key, self.from, self.to)
            .rename_value(&format!("pcns.{}", self.key), self.from, self.to);
        if renamed == selector {
            return false;
        }
        *text = renamed.canonical();
        true
    }

    fn label_selector(&self, selector: &mut LabelSelector) -> bool {
        let mut changed = self.labels(&mut selector.match_labels);
        for requirement in &mut selector.match_expressions {
            let holds_values = matches!(
                requirement.operator,
                LabelSelectorOperator::In | LabelSelectorOperator::NotIn
            );
            if requirement.key != self.key || !holds_values {
                continue;
            }
            for value in requirement.values.iter_mut().filter(|v| *v == self.from) {
                *value = self.to.to_owned();
                changed = true;
            }
        }
        changed
    }

    fn labels(&self, labels: &mut Labels) -> bool {
        match labels.get_mut(self.key) {
            Some(value) if value == self.from => {
                *value = self.to.to_owned();
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests;
