//! The taxonomy a recommendation proposes: the label keys its groups carry, with their values when
//! they are a small vocabulary.

use std::collections::{BTreeMap, BTreeSet};

use crate::design::{Design, LabelKey, LabelScope};

use super::groups::GroupInfo;
use super::{NAME_KEYS, NETWORK_SET_LABEL};

/// Adds every label key the groups carry (a label outside the taxonomy is a lint finding), with its
/// values when they are a small vocabulary, and the network-set label; keeps the design's own keys.
/// Name keys ([`NAME_KEYS`], `app.kubernetes.io/*`) are the application's, `k8s-app` and
/// `kubernetes.io/*` Kubernetes', the rest the security team's.
pub(super) fn propose_taxonomy(
    design: &mut Design,
    groups: &BTreeMap<(String, String), GroupInfo>,
    has_sets: bool,
) {
    let mut values: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for info in groups.values() {
        for (k, v) in info.labels.iter().flatten() {
            values.entry(k.clone()).or_default().insert(v.clone());
        }
    }
    let mut proposed: Vec<LabelKey> = Vec::new();
    for (key, vals) in &values {
        let scope = if key == "k8s-app" || key.starts_with("kubernetes.io/") {
            LabelScope::Kubernetes
        } else if NAME_KEYS.contains(&key.as_str()) || key.starts_with("app.kubernetes.io/") {
            LabelScope::Application
        } else {
            LabelScope::Security
        };
        // A key naming each group is open-ended; a small vocabulary is listed.
        let listed = scope != LabelScope::Application && vals.len() <= 12;
        proposed.push(LabelKey {
            key: key.clone(),
            description: Some("Proposed from the labels of the observed workloads".to_owned()),
            values: if listed {
                vals.iter().cloned().collect()
            } else {
                Vec::new()
            },
            scope,
            colour: None,
        });
    }
    if has_sets {
        proposed.push(LabelKey {
            key: NETWORK_SET_LABEL.to_owned(),
            description: Some("Network set recommended from observed outside addresses".to_owned()),
            values: Vec::new(),
            scope: LabelScope::Security,
            colour: None,
        });
    }
    for key in proposed {
        match design.taxonomy.iter_mut().find(|k| k.key == key.key) {
            Some(existing) => {
                if !existing.values.is_empty() {
                    for v in key.values {
                        if !existing.values.contains(&v) {
                            existing.values.push(v);
                        }
                    }
                }
            }
            None => design.taxonomy.push(key),
        }
    }
}
