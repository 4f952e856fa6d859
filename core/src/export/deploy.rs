//! What Fleet deploys from an export onto one cluster: a small re-implementation of the parts of
//! Fleet the exporter relies on, so tests can check that every environment really renders.
//!
//! Followed from rancher/fleet: the GitRepo `targets` decide whether the cluster gets the repository
//! (`internal/cmd/controller/target/matcher`); each directory with a `fleet.yaml` under a GitRepo path
//! is a bundle; the first `targetCustomizations` entry whose `clusterSelector` matches picks the
//! overlays; `overlays/<name>/<path>` replaces `<path>` (`internal/helmdeployer/render/patch`); only
//! `.yaml`, `.yml` and `.json` files outside `overlays/` are manifests.

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
    #[error("`{path}`: overlay patches (`_patch` files) are not supported here")]
    Patch { path: String },
    #[error(
        "bundle `{dir}` depends on `{dependency}`, which is not deployed to this cluster: Fleet would never deploy it"
    )]
    Dependency { dir: String, dependency: String },
}

/// Directories holding a `fleet.yaml`, in path order.
pub(crate) fn bundle_dirs(tree: &FileTree) -> Vec<String> {
    tree.paths()
        .filter_map(|p| p.strip_suffix("/fleet.yaml"))
        .map(str::to_owned)
        .collect()
}

fn matches(selector: &ClusterSelector, labels: &Labels) -> bool {
    selector
        .match_labels
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
}

fn is_manifest(path: &str) -> bool {
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// The manifest files Fleet applies to a cluster with `cluster_labels`, keyed by
/// `<bundle dir>/<path in bundle>` (overlays already applied). Empty when no GitRepo target
/// selects the cluster.
pub fn deployed_files(tree: &FileTree, cluster_labels: &Labels) -> Result<FileTree, DeployError> {
    let text = tree.get_str("gitrepo.yaml").ok_or(DeployError::NoGitRepo)?;
    let gitrepo: GitRepo = serde_saphyr::from_str(text).map_err(|e| DeployError::Invalid {
        path: "gitrepo.yaml".into(),
        message: e.to_string(),
    })?;
    let mut out = FileTree::new();
    // Bundles deployed on this cluster, and the (bundle, dependency) pairs they wait on.
    let mut deployed = std::collections::BTreeSet::new();
    let mut depends: Vec<(String, String)> = Vec::new();
    let selects = |targets: &[GitTarget]| {
        targets
            .iter()
            .any(|t| matches(&t.cluster_selector, cluster_labels))
    };
    let in_paths = |dir: &str| {
        gitrepo.spec.paths.iter().any(|p| {
            let p = p.trim_matches('/');
            dir == p || dir.starts_with(&format!("{p}/"))
        })
    };
    for dir in bundle_dirs(tree).into_iter().filter(|d| in_paths(d)) {
        let path = format!("{dir}/fleet.yaml");
        let fleet: FleetYaml = serde_saphyr::from_str(tree.get_str(&path).unwrap_or_default())
            .map_err(|e| DeployError::Invalid {
                path: path.clone(),
                message: e.to_string(),
            })?;
        // `overrideTargets` replaces the GitRepo's targets for this bundle.
        let targets = if fleet.override_targets.is_empty() {
            &gitrepo.spec.targets
        } else {
            &fleet.override_targets
        };
        if !selects(targets) {
            continue;
        }
        deployed.insert(bundle_name(&gitrepo.metadata.name, &dir));
        depends.extend(
            fleet
                .depends_on
                .iter()
                .map(|d| (dir.clone(), d.name.clone())),
        );
        let overlays: Vec<String> = fleet
            .target_customizations
            .iter()
            .find(|t| {
                t.cluster_selector
                    .as_ref()
                    .is_some_and(|s| matches(s, cluster_labels))
            })
            .and_then(|t| t.yaml.as_ref())
            .map(|y| y.overlays.clone())
            .unwrap_or_default();
        let prefix = format!("{dir}/");
        let mut files = FileTree::new();
        for (path, bytes) in tree.iter() {
            let Some(rel) = path.strip_prefix(&prefix) else {
                continue;
            };
            // Files of a nested bundle belong to that bundle.
            if bundle_dirs(tree)
                .iter()
                .any(|d| d != &dir && d.starts_with(&prefix) && path.starts_with(&format!("{d}/")))
            {
                continue;
            }
            if rel == "fleet.yaml" || rel.starts_with("overlays/") || !is_manifest(rel) {
                continue;
            }
            files.insert(rel, bytes);
        }
        for overlay in &overlays {
            let overlay_prefix = format!("{prefix}overlays/{overlay}/");
            for (path, bytes) in tree.iter() {
                let Some(rel) = path.strip_prefix(&overlay_prefix) else {
                    continue;
                };
                if rel.contains("_patch.") {
                    return Err(DeployError::Patch {
                        path: path.to_owned(),
                    });
                }
                files.insert(rel, bytes);
            }
        }
        for (rel, bytes) in files.iter() {
            out.insert(format!("{dir}/{rel}"), bytes);
        }
    }
    // Fleet holds a bundle back on a cluster where a bundle it depends on has no deployment.
    if let Some((dir, dependency)) = depends.into_iter().find(|(_, d)| !deployed.contains(d)) {
        return Err(DeployError::Dependency { dir, dependency });
    }
    Ok(out)
}
