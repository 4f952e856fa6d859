//! Fleet's own files: `fleet.yaml` of a bundle and the `GitRepo` that points Fleet at the export.
//!
//! Field names and nesting follow rancher/fleet `pkg/apis/fleet.cattle.io/v1alpha1` (`FleetYAML`,
//! `BundleSpec`, `GitRepoSpec`). Fleet validates `fleet.yaml` strictly (unknown keys are errors), so
//! these structs carry only keys that exist upstream, and every optional key is skipped when unset.

use std::collections::BTreeMap;

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use crate::model::Labels;
use crate::model::names::is_dns_label_shaped;

/// The longest bundle name Fleet keeps (Helm's release-name limit, `MaxHelmReleaseNameLen`).
const MAX_BUNDLE_NAME_LEN: usize = 53;

/// A `metav1.LabelSelector`. The exporter writes `matchLabels` only (environments are chosen by exact
/// labels); a hand-written repository may add `matchExpressions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSelector {
    /// Empty means "every cluster" (`clusterSelector: {}`), as Fleet documents.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: Labels,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<SelectorRequirement>,
}

/// One `matchExpressions[]` entry of a `metav1.LabelSelector`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectorRequirement {
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

impl ClusterSelector {
    /// A selector of exact labels.
    pub fn labels(match_labels: Labels) -> ClusterSelector {
        ClusterSelector {
            match_labels,
            match_expressions: Vec::new(),
        }
    }

    /// Whether a cluster with `labels` is selected (apimachinery's `LabelSelectorAsSelector`); an
    /// unknown operator selects nothing.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|e| {
                let value = labels.get(&e.key);
                match e.operator.as_str() {
                    "In" => value.is_some_and(|v| e.values.contains(v)),
                    "NotIn" => !value.is_some_and(|v| e.values.contains(v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    _ => false,
                }
            })
    }
}

/// `dependsOn[]`: a bundle that must be ready first, by name (what the exporter writes) or by the
/// labels of its `fleet.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleRef {
    /// The Fleet bundle name (see [`bundle_name`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<ClusterSelector>,
}

/// `targetCustomizations[].yaml`: overlays for plain-YAML bundles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YamlOptions {
    /// Directory names under `overlays/`; a file there replaces the bundle's file of the same path,
    /// a `NAME_patch.yaml` is merged into `NAME.yaml`.
    pub overlays: Vec<String>,
}

/// One `targetCustomizations[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetCustomization {
    pub name: String,
    /// Customizations written by the exporter always select by labels; `None` when read from a
    /// `fleet.yaml` that selects by cluster name or group instead (never matched by [`super::deploy`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_selector: Option<ClusterSelector>,
    /// Read only: a customization of one named cluster or cluster group (not evaluated: environments
    /// are cluster labels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_group_selector: Option<ClusterSelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yaml: Option<YamlOptions>,
}

/// The `fleet.yaml` of one bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetYaml {
    /// Bundle labels (usable in other bundles' `dependsOn.selector`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: Labels,
    /// Namespace for namespaced objects written without one. Never `namespace:`, which would fail
    /// bundles holding cluster-scoped objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_namespace: Option<String>,
    /// Keep the objects on the clusters when the bundle is deleted (a deny baseline must not vanish).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_resources: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<BundleRef>,
    /// First match wins, so environments never overlap here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_customizations: Vec<TargetCustomization>,
    /// Replaces the GitRepo's `targets` for this bundle: a team whose namespaces exist in some
    /// environments only is deployed to those only. Empty: the GitRepo's targets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub override_targets: Vec<GitTarget>,
    /// Read only: the bundle is a Helm chart (`helm.chart`, or a `Chart.yaml` beside `fleet.yaml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm: Option<serde_json::Value>,
    /// Read only: the bundle is built by kustomize.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kustomize: Option<serde_json::Value>,
}

/// `metadata` of the GitRepo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitRepoMeta {
    pub name: String,
    #[serde(default)]
    pub namespace: String,
}

/// `spec.correctDrift`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectDrift {
    pub enabled: bool,
}

/// `spec.targets[]`: which clusters receive the repository at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitTarget {
    #[serde(default)]
    pub name: String,
    /// Always written by the exporter (`{}` for every cluster); `None` when read from a target that
    /// names a cluster or a group instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_selector: Option<ClusterSelector>,
    /// Read only: a target of one named cluster or cluster group (not evaluated: environments are
    /// cluster labels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_group_selector: Option<ClusterSelector>,
}

impl GitTarget {
    /// A target of the clusters with these labels (every cluster when empty).
    pub fn labels(name: impl Into<String>, match_labels: Labels) -> GitTarget {
        GitTarget {
            name: name.into(),
            cluster_selector: Some(ClusterSelector::labels(match_labels)),
            cluster_name: None,
            cluster_group: None,
            cluster_group_selector: None,
        }
    }
}

impl TargetCustomization {
    /// A customization of the clusters with these labels, applying one overlay.
    pub fn overlay(name: impl Into<String>, match_labels: Labels, overlay: String) -> Self {
        TargetCustomization {
            name: name.into(),
            cluster_selector: Some(ClusterSelector::labels(match_labels)),
            cluster_name: None,
            cluster_group: None,
            cluster_group_selector: None,
            yaml: Some(YamlOptions {
                overlays: vec![overlay],
            }),
        }
    }
}

/// `spec` of the GitRepo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitRepoSpec {
    /// Fields a hand-written GitRepo may leave out read as empty (Fleet's defaults apply).
    #[serde(default)]
    pub repo: String,
    #[serde(default)]
    pub branch: String,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub polling_interval: String,
    #[serde(default)]
    pub correct_drift: CorrectDrift,
    #[serde(default)]
    pub keep_resources: bool,
    /// Empty means Fleet's default (`clusterGroup: default`); the exporter always writes targets.
    #[serde(default)]
    pub targets: Vec<GitTarget>,
}

/// A `fleet.cattle.io/v1alpha1` `GitRepo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitRepo {
    pub api_version: String,
    pub kind: String,
    pub metadata: GitRepoMeta,
    pub spec: GitRepoSpec,
}

impl GitRepo {
    /// A GitRepo with the fixed `apiVersion` and `kind`.
    pub fn new(metadata: GitRepoMeta, spec: GitRepoSpec) -> GitRepo {
        GitRepo {
            api_version: "fleet.cattle.io/v1alpha1".to_owned(),
            kind: "GitRepo".to_owned(),
            metadata,
            spec,
        }
    }
}

/// Writes a Fleet document as YAML (kubectl style: block lists at the key's indentation).
pub(crate) fn to_yaml<T: Serialize>(value: &T) -> Result<String, serde_saphyr::ser::Error> {
    serde_saphyr::to_string(value)
}

/// The name Fleet gives the bundle in directory `dir` (relative to the repository root) of GitRepo
/// `gitrepo`: rancher/fleet `internal/names.HelmReleaseName(filepath.Join(gitrepo, dir))`. The exporter
/// needs it because `dependsOn` refers to bundles by that name.
pub fn bundle_name(gitrepo: &str, dir: &str) -> String {
    let original = join_clean(gitrepo, dir);
    let mut name = original.replace('/', "-");
    let disallowed = |c: char| !(c.is_ascii_alphanumeric() || c == '-');
    if name != name.to_lowercase() || name.contains(disallowed) {
        // Fleet appends a checksum of the name before cleaning it, so that names differing only in
        // case or punctuation stay distinct.
        name = format!("{name}-{}", md5_hex(&name, 8));
    }
    let mut cleaned = String::with_capacity(name.len());
    for c in name.to_lowercase().chars() {
        let c = if disallowed(c) { '-' } else { c };
        if !(c == '-' && cleaned.ends_with('-')) {
            cleaned.push(c);
        }
    }
    let cleaned = cleaned.trim_matches('-');
    if is_dns_label_shaped(cleaned) {
        limit(cleaned, MAX_BUNDLE_NAME_LEN)
    } else {
        md5_hex(&original, 24)
    }
}

/// Go's `filepath.Join`: joined with `/`, empty and `.` elements dropped.
fn join_clean(a: &str, b: &str) -> String {
    a.split('/')
        .chain(b.split('/'))
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// rancher/fleet `names.Limit`: longer names are cut and end in `-` plus 5 hex digits of their md5.
fn limit(s: &str, count: usize) -> String {
    if s.len() <= count {
        return s.to_owned();
    }
    let keep = count - 6;
    let separator = if s.as_bytes()[keep - 1] == b'-' {
        ""
    } else {
        "-"
    };
    format!("{}{separator}{}", &s[..keep], md5_hex(s, 5))
}

fn md5_hex(s: &str, len: usize) -> String {
    let digest = Md5::digest(s.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex[..len].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_names_follow_fleet() {
        // Expected values computed with the validator's Python port of HelmReleaseName.
        let cases = [
            (
                "network-policies",
                "bundles/infrastructure",
                "network-policies-bundles-infrastructure",
            ),
            (
                "network-policies",
                "bundles/tiers",
                "network-policies-bundles-tiers",
            ),
            ("network-policies", ".", "network-policies"),
            ("np", "bundles/Apps", "np-bundles-apps-f03fe5b6"),
            ("np", "bundles/a_b", "np-bundles-a-b-70506c45"),
            (
                "network-policies",
                "bundles/applications/payments-and-checkout-team",
                "network-policies-bundles-applications-payments-db1f4",
            ),
        ];
        for (repo, dir, expected) in cases {
            assert_eq!(bundle_name(repo, dir), expected, "{repo} {dir}");
        }
    }

    #[test]
    fn fleet_yaml_skips_unset_keys_and_uses_camel_case() {
        let fleet = FleetYaml {
            depends_on: vec![BundleRef {
                name: "a-b".into(),
                selector: None,
            }],
            target_customizations: vec![TargetCustomization::overlay(
                "prod",
                [("env".into(), "prod".into())].into(),
                "prod".into(),
            )],
            ..FleetYaml::default()
        };
        let text = to_yaml(&fleet).unwrap();
        assert_eq!(
            text,
            "dependsOn:\n- name: a-b\ntargetCustomizations:\n- name: prod\n  clusterSelector:\n    matchLabels:\n      env: prod\n  yaml:\n    overlays:\n    - prod\n"
        );
    }

    #[test]
    fn an_empty_cluster_selector_is_written_as_braces() {
        let target = GitTarget::labels("all", Labels::new());
        assert_eq!(
            to_yaml(&target).unwrap(),
            "name: all\nclusterSelector: {}\n"
        );
    }
}
