//! What Fleet deploys from a repository onto one cluster: a small re-implementation of the parts of
//! Fleet the exporter relies on and a reader of repositories meets, so tests can check that every
//! environment really renders and [`super::read`] can evaluate a repository per environment.
//!
//! Followed from rancher/fleet: the GitRepo `targets` decide whether the cluster gets the repository
//! (`internal/cmd/controller/target/matcher`); each directory with a `fleet.yaml` under a GitRepo path
//! is a bundle, and a path with none below it is one bundle of its manifests
//! (`internal/cmd/cli/apply`); `overrideTargets` replace the GitRepo's targets for a bundle; the first
//! `targetCustomizations` entry whose `clusterSelector` matches picks the overlays; in an overlay,
//! `overlays/<name>/<path>` replaces `<path>` and `<dir>/<name>_patch.<ext>` is merged into
//! `<dir>/<name>.<ext>` — a JSON merge patch for a mapping (wrangler's `patch.Apply` for objects
//! without a built-in strategic schema, which is every Calico kind), a JSON patch for a list
//! (`internal/helmdeployer/render/patch/patch.go`); only `.yaml`, `.yml` and `.json` files outside
//! `overlays/` are manifests. A bundle waits for the bundles its `dependsOn` names (by name or by
//! label selector): the deployment lists bundles in that order.

use std::collections::{BTreeMap, BTreeSet};

use super::file_tree::FileTree;
use super::fleet::{ClusterSelector, FleetYaml, GitRepo, GitTarget, bundle_name};
use crate::model::Labels;

/// Why an export cannot be deployed as Fleet would.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeployError {
    #[error("the export has no `gitrepo.yaml`")]
    NoGitRepo,
    #[error("`{path}` is not a valid Fleet file: {message}")]
    Invalid { path: String, message: String },
    #[error("`{path}`: {message}")]
    Overlay { path: String, message: String },
    #[error(
        "bundle `{dir}` depends on `{dependency}`, which is not deployed to this cluster: Fleet would never deploy it"
    )]
    Dependency { dir: String, dependency: String },
}

/// How a bundle is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BundleSource {
    /// Plain manifests (what the exporter writes).
    Plain,
    /// A Helm chart: templates are rendered by Helm, which this reader does not do.
    Helm,
    /// Built by kustomize, which this reader does not run.
    Kustomize,
}

/// A bundle of a repository, as its `fleet.yaml` (or its absence) declares it.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// Directory relative to the repository root (`.` for the root).
    pub dir: String,
    /// Fleet's name for it.
    pub name: String,
    pub fleet: FleetYaml,
    pub source: BundleSource,
}

/// One manifest file a cluster gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployedFile {
    /// Path inside the bundle (`checkout/networkpolicy-x.yaml`).
    pub rel: String,
    /// The repository file it was read from: the base file, or the overlay file replacing it, or the
    /// patch applied to it.
    pub source: String,
    pub bytes: Vec<u8>,
}

/// One bundle deployed on the cluster.
#[derive(Debug, Clone)]
pub struct DeployedBundle {
    pub dir: String,
    pub name: String,
    /// The overlays applied (from the first matching customization).
    pub overlays: Vec<String>,
    /// Names of the bundles it waits for.
    pub depends_on: Vec<String>,
    pub files: Vec<DeployedFile>,
}

/// A problem met while deploying: the repository path it is about, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployProblem {
    pub path: String,
    /// An error: Fleet would fail this bundle or never deploy it; else a warning (something this
    /// reader does not evaluate, said so).
    pub error: bool,
    pub message: String,
}

/// What a cluster with given labels gets: bundles in dependency order (a bundle after those it
/// depends on), and the problems met.
#[derive(Debug, Clone, Default)]
pub struct Deployment {
    pub bundles: Vec<DeployedBundle>,
    pub problems: Vec<DeployProblem>,
}

fn is_manifest(path: &str) -> bool {
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// Files a Helm chart bundle holds that are not plain manifests.
fn is_chart_file(rel: &str) -> bool {
    let base = rel.rsplit('/').next().unwrap_or(rel);
    rel.starts_with("templates/")
        || rel.starts_with("charts/")
        || base == "Chart.yaml"
        || base.starts_with("values")
        || base == "kustomization.yaml"
        || base == "kustomization.yml"
}

/// Whether a directory (relative, `.` for the root) is `path` or below it.
fn within(dir: &str, path: &str) -> bool {
    let path = path.trim_matches('/');
    path.is_empty() || path == "." || dir == path || dir.starts_with(&format!("{path}/"))
}

/// The directory of a file path (`.` for a root file).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(dir, _)| dir)
}

/// Whether `path` (a file) lies in directory `dir`.
fn in_dir(path: &str, dir: &str) -> bool {
    dir == "." || path.starts_with(&format!("{dir}/"))
}

/// `path` relative to `dir`.
fn relative<'a>(path: &'a str, dir: &str) -> &'a str {
    if dir == "." {
        path
    } else {
        &path[dir.len() + 1..]
    }
}

/// Directories holding a `fleet.yaml`, in path order (`.` for the root).
pub(crate) fn bundle_dirs(tree: &FileTree) -> Vec<String> {
    tree.paths()
        .filter(|p| *p == "fleet.yaml" || p.ends_with("/fleet.yaml"))
        .map(|p| parent(p).to_owned())
        .collect()
}

/// The bundles of a repository for a GitRepo (or, without one, every bundle): each directory with a
/// `fleet.yaml` under one of its paths, and each path with none below it as one bundle. `fleet.yaml`
/// files Fleet could not read are problems, and their bundles are left out.
pub fn bundles(tree: &FileTree, gitrepo: Option<&GitRepo>) -> (Vec<Bundle>, Vec<DeployProblem>) {
    let repo_name = gitrepo.map_or("", |g| g.metadata.name.as_str());
    let paths: Vec<String> = match gitrepo {
        Some(g) if !g.spec.paths.is_empty() => g.spec.paths.clone(),
        _ => vec![".".to_owned()],
    };
    let dirs = bundle_dirs(tree);
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for path in &paths {
        let path_dir = match path.trim_matches('/') {
            "" => ".".to_owned(),
            p => p.to_owned(),
        };
        let below: Vec<&String> = dirs.iter().filter(|d| within(d, &path_dir)).collect();
        if below.is_empty() {
            let has_files = tree.paths().any(|p| in_dir(p, &path_dir) && is_manifest(p));
            if has_files && seen.insert(path_dir.clone()) {
                out.push(Bundle {
                    name: bundle_name(repo_name, &path_dir),
                    dir: path_dir.clone(),
                    fleet: FleetYaml::default(),
                    source: BundleSource::Plain,
                });
            }
            continue;
        }
        for dir in below {
            if !seen.insert(dir.clone()) {
                continue;
            }
            let file = if dir == "." {
                "fleet.yaml".to_owned()
            } else {
                format!("{dir}/fleet.yaml")
            };
            let text = tree.get_str(&file).unwrap_or_default();
            let fleet: FleetYaml = if text.trim().is_empty() {
                FleetYaml::default()
            } else {
                match from_yaml(text) {
                    Ok(f) => f,
                    Err(e) => {
                        problems.push(DeployProblem {
                            path: file,
                            error: true,
                            message: format!("not a valid fleet.yaml: {e}"),
                        });
                        continue;
                    }
                }
            };
            let chart = if dir == "." {
                "Chart.yaml".to_owned()
            } else {
                format!("{dir}/Chart.yaml")
            };
            let source = if fleet
                .helm
                .as_ref()
                .is_some_and(|h| h.get("chart").is_some())
                || tree.get(&chart).is_some()
            {
                BundleSource::Helm
            } else if fleet.kustomize.is_some()
                || tree
                    .paths()
                    .any(|p| in_dir(p, dir) && relative(p, dir).ends_with("kustomization.yaml"))
            {
                BundleSource::Kustomize
            } else {
                BundleSource::Plain
            };
            out.push(Bundle {
                name: bundle_name(repo_name, dir),
                dir: dir.clone(),
                fleet,
                source,
            });
        }
    }
    (out, problems)
}

fn target_selects(target: &GitTarget, labels: &Labels) -> Option<bool> {
    target.cluster_selector.as_ref().map(|s| s.matches(labels))
}

/// A JSON merge patch (RFC 7396) of `patch` into `target`.
fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    let serde_json::Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = serde_json::Value::Object(serde_json::Map::new());
    }
    if let serde_json::Value::Object(map) = target {
        for (key, value) in patch {
            if value.is_null() {
                map.remove(key);
            } else {
                merge_patch(
                    map.entry(key.clone()).or_insert(serde_json::Value::Null),
                    value,
                );
            }
        }
    }
}

/// The first YAML document of a text as a JSON value (what Fleet's `convertToJSON` reads).
fn first_document(text: &str) -> Result<serde_json::Value, String> {
    crate::yaml::first_document_json(text)
}

/// A Fleet file (`fleet.yaml`, a GitRepo) read into its type. Through core's YAML parser and
/// `serde_json`: the app's wasm carries no second YAML deserializer.
pub(crate) fn from_yaml<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = match first_document(text)? {
        serde_json::Value::Null => serde_json::Value::Object(serde_json::Map::new()),
        v => v,
    };
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// Applies `patch` (a file's text) to `base` (a file's text): the patched object as JSON text.
fn apply_patch(base: &[u8], patch: &[u8]) -> Result<Vec<u8>, String> {
    let base = std::str::from_utf8(base).map_err(|_| "the base file is not UTF-8".to_owned())?;
    let patch = std::str::from_utf8(patch).map_err(|_| "the patch is not UTF-8".to_owned())?;
    let mut target = first_document(base).map_err(|e| format!("cannot read the base file: {e}"))?;
    let patch = first_document(patch).map_err(|e| format!("cannot read the patch: {e}"))?;
    if patch.is_array() {
        return Err("JSON patches (a list of operations) are not evaluated here; write a merge patch (a mapping) or a whole-file replacement".to_owned());
    }
    merge_patch(&mut target, &patch);
    let mut text = serde_json::to_string(&target).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text.into_bytes())
}

/// What Fleet deploys from `tree` onto a cluster with `cluster_labels`, with `gitrepo` pointing at
/// the repository (without one, every bundle is read and every cluster selected).
pub fn deploy(tree: &FileTree, gitrepo: Option<&GitRepo>, cluster_labels: &Labels) -> Deployment {
    let (bundles, mut problems) = bundles(tree, gitrepo);
    let all_dirs: Vec<String> = bundles.iter().map(|b| b.dir.clone()).collect();
    let repo_targets: Vec<GitTarget> = gitrepo.map_or_else(Vec::new, |g| g.spec.targets.clone());
    let mut deployed: Vec<(DeployedBundle, &Bundle)> = Vec::new();
    for bundle in &bundles {
        let dir = &bundle.dir;
        let fleet_file = if dir == "." {
            "fleet.yaml".to_owned()
        } else {
            format!("{dir}/fleet.yaml")
        };
        // `overrideTargets` replaces the GitRepo's targets for this bundle; a GitRepo without
        // targets and a repository read without a GitRepo reach every cluster considered here.
        let targets = if bundle.fleet.override_targets.is_empty() {
            &repo_targets
        } else {
            &bundle.fleet.override_targets
        };
        if !targets.is_empty()
            && !targets
                .iter()
                .any(|t| target_selects(t, cluster_labels) == Some(true))
        {
            continue;
        }
        let customization = bundle.fleet.target_customizations.iter().find(|t| {
            t.cluster_selector
                .as_ref()
                .is_some_and(|s: &ClusterSelector| s.matches(cluster_labels))
        });
        let overlays: Vec<String> = customization
            .and_then(|t| t.yaml.as_ref())
            .map(|y| y.overlays.clone())
            .unwrap_or_default();
        if bundle.source != BundleSource::Plain {
            let what = match bundle.source {
                BundleSource::Helm => "a Helm chart: its templates are not rendered here",
                _ => "built by kustomize, which is not run here",
            };
            problems.push(DeployProblem {
                path: fleet_file.clone(),
                error: false,
                message: format!("bundle `{dir}` is {what}; only its plain manifests are read"),
            });
        }
        // The bundle's own files: not those of a nested bundle.
        let mut files: BTreeMap<String, DeployedFile> = BTreeMap::new();
        let mut overlay_files: Vec<(&str, &str, &[u8])> = Vec::new();
        for (path, bytes) in tree.iter() {
            if !in_dir(path, dir) {
                continue;
            }
            let owner = all_dirs
                .iter()
                .filter(|d| in_dir(path, d))
                .max_by_key(|d| if *d == "." { 0 } else { d.len() });
            if owner != Some(dir) {
                continue;
            }
            let rel = relative(path, dir);
            if let Some(rest) = rel.strip_prefix("overlays/") {
                overlay_files.push((path, rest, bytes));
                continue;
            }
            if rel == "fleet.yaml" || !is_manifest(rel) {
                continue;
            }
            if bundle.source != BundleSource::Plain && is_chart_file(rel) {
                continue;
            }
            files.insert(
                rel.to_owned(),
                DeployedFile {
                    rel: rel.to_owned(),
                    source: path.to_owned(),
                    bytes: bytes.to_vec(),
                },
            );
        }
        for overlay in &overlays {
            let prefix = format!("{overlay}/");
            if !overlay_files
                .iter()
                .any(|(_, rest, _)| rest.starts_with(&prefix))
            {
                problems.push(DeployProblem {
                    path: fleet_file.clone(),
                    error: true,
                    message: format!("overlay `{overlay}` has no directory `overlays/{overlay}/` in bundle `{dir}`"),
                });
            }
            for (path, rest, bytes) in &overlay_files {
                let Some(name) = rest.strip_prefix(&prefix) else {
                    continue;
                };
                let base_name = name.rsplit('/').next().unwrap_or(name);
                if base_name.contains("_patch.") {
                    let target = format!(
                        "{}{}",
                        &name[..name.len() - base_name.len()],
                        base_name.replacen("_patch.", ".", 1)
                    );
                    let Some(base) = files.get(&target) else {
                        problems.push(DeployProblem {
                            path: (*path).to_owned(),
                            error: true,
                            message: format!("the patch has no base file `{target}` to patch (Fleet fails the bundle)"),
                        });
                        continue;
                    };
                    match apply_patch(&base.bytes, bytes) {
                        Ok(patched) => {
                            files.insert(
                                target.clone(),
                                DeployedFile {
                                    rel: target,
                                    source: (*path).to_owned(),
                                    bytes: patched,
                                },
                            );
                        }
                        Err(message) => problems.push(DeployProblem {
                            path: (*path).to_owned(),
                            error: true,
                            message,
                        }),
                    }
                } else if is_manifest(name) {
                    files.insert(
                        name.to_owned(),
                        DeployedFile {
                            rel: name.to_owned(),
                            source: (*path).to_owned(),
                            bytes: bytes.to_vec(),
                        },
                    );
                }
            }
        }
        let depends_on = bundle
            .fleet
            .depends_on
            .iter()
            .flat_map(|d| {
                if !d.name.is_empty() {
                    vec![d.name.clone()]
                } else if let Some(selector) = &d.selector {
                    bundles
                        .iter()
                        .filter(|b| b.dir != *dir && selector.matches(&b.fleet.labels))
                        .map(|b| b.name.clone())
                        .collect()
                } else {
                    Vec::new()
                }
            })
            .collect();
        deployed.push((
            DeployedBundle {
                dir: dir.clone(),
                name: bundle.name.clone(),
                overlays,
                depends_on,
                files: files.into_values().collect(),
            },
            bundle,
        ));
    }
    // Fleet holds a bundle back on a cluster where a bundle it depends on has no deployment.
    let names: BTreeSet<String> = deployed.iter().map(|(b, _)| b.name.clone()).collect();
    for (b, _) in &deployed {
        for dependency in b.depends_on.iter().filter(|d| !names.contains(*d)) {
            problems.push(DeployProblem {
                path: if b.dir == "." {
                    "fleet.yaml".to_owned()
                } else {
                    format!("{}/fleet.yaml", b.dir)
                },
                error: true,
                message: DeployError::Dependency {
                    dir: b.dir.clone(),
                    dependency: dependency.clone(),
                }
                .to_string(),
            });
        }
    }
    // Dependency order: a bundle after every bundle it waits for (path order otherwise; a cycle is
    // a problem and its bundles come last, in path order).
    let mut ordered: Vec<DeployedBundle> = Vec::new();
    let mut pending: Vec<DeployedBundle> = deployed.into_iter().map(|(b, _)| b).collect();
    while !pending.is_empty() {
        let placed: BTreeSet<String> = ordered.iter().map(|b| b.name.clone()).collect();
        let ready = pending.iter().position(|b| {
            b.depends_on
                .iter()
                .all(|d| placed.contains(d) || !names.contains(d))
        });
        match ready {
            Some(i) => ordered.push(pending.remove(i)),
            None => {
                for b in &pending {
                    problems.push(DeployProblem {
                        path: format!("{}/fleet.yaml", b.dir),
                        error: true,
                        message: format!(
                            "bundle `{}` is in a dependsOn cycle: Fleet never deploys it",
                            b.dir
                        ),
                    });
                }
                ordered.append(&mut pending);
            }
        }
    }
    Deployment {
        bundles: ordered,
        problems,
    }
}

/// The manifest files Fleet applies to a cluster with `cluster_labels`, keyed by
/// `<bundle dir>/<path in bundle>` (overlays already applied). Empty when no GitRepo target
/// selects the cluster. Strict: the repository's `gitrepo.yaml` must exist and every problem is an
/// error (what the exporter's tests want).
pub fn deployed_files(tree: &FileTree, cluster_labels: &Labels) -> Result<FileTree, DeployError> {
    let text = tree.get_str("gitrepo.yaml").ok_or(DeployError::NoGitRepo)?;
    let gitrepo: GitRepo = from_yaml(text).map_err(|e| DeployError::Invalid {
        path: "gitrepo.yaml".into(),
        message: e,
    })?;
    let deployment = deploy(tree, Some(&gitrepo), cluster_labels);
    if let Some(problem) = deployment.problems.into_iter().next() {
        return Err(DeployError::Overlay {
            path: problem.path,
            message: problem.message,
        });
    }
    let mut out = FileTree::new();
    for bundle in &deployment.bundles {
        for file in &bundle.files {
            out.insert(format!("{}/{}", bundle.dir, file.rel), file.bytes.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_patch_changes_what_it_names_and_keeps_the_rest() {
        let base =
            b"# NetworkPolicy x\napiVersion: v1\nkind: A\nspec:\n  a: 1\n  b: [1, 2]\n  c: x\n";
        let patch = b"spec:\n  b: [3]\n  c: null\n  d: {e: 1}\n";
        let out = String::from_utf8(apply_patch(base, patch).unwrap()).unwrap();
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"apiVersion": "v1", "kind": "A", "spec": {"a": 1, "b": [3], "d": {"e": 1}}})
        );
    }

    #[test]
    fn a_json_patch_is_refused_with_a_reason() {
        let err = apply_patch(b"a: 1\n", b"- op: remove\n  path: /a\n").unwrap_err();
        assert!(err.contains("JSON patches"), "{err}");
    }

    #[test]
    fn selectors_with_expressions_match_as_kubernetes_does() {
        let selector: ClusterSelector = from_yaml(
            "matchLabels: {env: prod}\nmatchExpressions:\n- {key: region, operator: In, values: [eu]}\n",
        )
        .unwrap();
        let labels = |pairs: &[(&str, &str)]| -> Labels {
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect()
        };
        assert!(selector.matches(&labels(&[("env", "prod"), ("region", "eu")])));
        assert!(!selector.matches(&labels(&[("env", "prod"), ("region", "us")])));
        assert!(!selector.matches(&labels(&[("env", "prod")])));
    }
}
