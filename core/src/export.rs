//! Fleet-ready GitOps export: from resources per environment to a repository that Rancher Fleet
//! deploys without hand edits (`../shared/spec/fleet-export.md`).
//!
//! Layout of the export:
//! ```text
//! README.md                        what each bundle holds, dependency order, promotion path
//! gitrepo.yaml                     the fleet.cattle.io/v1alpha1 GitRepo (paths, branch, polling, drift)
//! bundles/tiers/                   Tier objects                               (deployed first)
//! bundles/infrastructure/          global baseline and network sets            dependsOn tiers
//! bundles/applications/<team>/     namespaced policies of one team             dependsOn infrastructure
//! bundles/*/overlays/<env>/        complete objects replacing the base file in environment <env>
//! ```
//! **Architecture Invariant**: the output depends on the input only — sorted paths, one object per file,
//! stable key order, fixed zip timestamps — so the same design always gives byte-identical trees.

use std::collections::BTreeMap;

use crate::model::{ApiFlavour, Labels, Resource, ResourceSet};

mod ci;
mod deploy;
mod design_to_input;
mod file_tree;
pub mod fleet;
mod layout;
pub mod read;
mod readme;

pub use ci::ci_recipe;
pub use deploy::{DeployError, deployed_files};
pub use design_to_input::{
    DesignExportOptions, ENVIRONMENTS_ANNOTATION, GUARDRAIL_NAME, design_to_input,
};
pub use file_tree::{FileTree, ZipError, to_zip, unzip};
pub use layout::{BundleKind, file_safe};
pub use read::{Repository, STUDIO_DESIGN_PATH, is_repository};

use fleet::{
    BundleRef, CorrectDrift, FleetYaml, GitRepo, GitRepoMeta, GitRepoSpec, GitTarget,
    TargetCustomization, bundle_name,
};
use layout::{Layout, Placement, layout, placed};

/// The `GitRepo` and repository settings of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetSettings {
    /// `metadata.name` of the GitRepo; also the prefix of every bundle name.
    pub gitrepo_name: String,
    /// Namespace of the GitRepo (`fleet-default` targets Rancher's downstream clusters).
    pub gitrepo_namespace: String,
    /// URL of the Git repository the export is pushed to.
    pub repo_url: String,
    pub branch: String,
    /// How often Fleet polls Git; short for security-critical policy.
    pub polling_interval: String,
    /// Fleet restores objects changed by hand on a cluster.
    pub correct_drift: bool,
    /// Keep the policies on the clusters when a bundle is deleted (a deny baseline must not vanish).
    pub keep_resources: bool,
    /// The directory holding the bundles.
    pub bundles_root: String,
}

impl Default for FleetSettings {
    fn default() -> FleetSettings {
        FleetSettings {
            gitrepo_name: "network-policies".to_owned(),
            gitrepo_namespace: "fleet-default".to_owned(),
            repo_url: "https://git.example.com/platform/network-policies".to_owned(),
            branch: "main".to_owned(),
            polling_interval: "60s".to_owned(),
            correct_drift: true,
            keep_resources: true,
            bundles_root: "bundles".to_owned(),
        }
    }
}

/// A deployment environment: its name and the labels its clusters carry in Fleet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub name: String,
    /// `clusterSelector.matchLabels` of the environment's clusters (e.g. `env: prod`).
    pub cluster_labels: Labels,
}

/// Everything the exporter needs, independent of how a design is written down.
#[derive(Debug, Clone)]
pub struct ExportInput {
    pub settings: FleetSettings,
    /// `crd.projectcalico.org/v1` is the usual choice: it works without the Calico API server.
    pub flavour: ApiFlavour,
    /// A `# Kind name` comment above each object.
    pub comments: bool,
    /// Every environment with the complete set of resources it deploys, in promotion order
    /// (dev → staging → prod). The last one is the base of every bundle.
    pub environments: Vec<(Environment, ResourceSet)>,
    /// The resources for every cluster when there is no environment.
    pub fallback: ResourceSet,
    /// Namespace → team: namespaced policies of a team share one application bundle. A namespace
    /// not listed is its own team.
    pub teams: BTreeMap<String, String>,
    /// The design document (JSON) written to [`STUDIO_DESIGN_PATH`]: what the bundles cannot hold
    /// (namespaces, workload groups, taxonomy, address ranges, canvas layout), for reading the
    /// repository back as a design. Fleet never deploys it (it lies outside every GitRepo path).
    pub studio_design: Option<String>,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// A Fleet file could not be written.
    #[error("cannot write `{path}`: {message}")]
    Fleet { path: String, message: String },
    /// Two environments or teams map to the same directory.
    #[error("{what} `{first}` and `{second}` would share the directory `{dir}`; rename one")]
    Collision {
        what: &'static str,
        first: String,
        second: String,
        dir: String,
    },
    /// Every cluster of one environment is also selected by another: Fleet would apply the first
    /// matching customization, so one of them could never get its own version.
    #[error(
        "environments `{first}` and `{second}` select overlapping clusters (every cluster with the labels of \
         `{second}` also has those of `{first}`); give each environment a cluster label of its own"
    )]
    OverlappingEnvironments { first: String, second: String },
}

/// Writes one resource as a YAML document in the chosen flavour, with or without a comment line.
pub(crate) type Render<'a> = dyn Fn(&Resource, ApiFlavour, bool) -> String + 'a;

/// One bundle of the export, for the README and the PR summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleInfo {
    pub kind: BundleKind,
    /// Directory relative to the repository root.
    pub dir: String,
    /// Fleet's name for the bundle.
    pub name: String,
    pub depends_on: Vec<String>,
    /// Files of objects (base or overlay-only), relative to the bundle.
    pub objects: Vec<String>,
    /// Environment → number of files its overlay replaces or adds.
    pub overlays: BTreeMap<String, usize>,
    /// The environments the bundle deploys to when not all (its `overrideTargets`).
    pub environments: Option<Vec<String>>,
}

/// Exports a design document to a Fleet repository (see [`design_to_input`] for what differs between
/// environments).
pub fn export_design(
    design: &crate::design::Design,
    options: &DesignExportOptions,
) -> Result<FileTree, ExportError> {
    export_resources(&design_to_input(design, options))
}

/// Exports resources to a Fleet repository, each object written by [`crate::yaml::export_resource`].
pub fn export_resources(input: &ExportInput) -> Result<FileTree, ExportError> {
    export_with(input, &|resource, flavour, comments| {
        crate::yaml::export_resource(resource, &crate::yaml::ExportOptions { flavour, comments })
    })
}

/// Exports resources with a given object writer (the tests use a stand-in).
pub(crate) fn export_with(
    input: &ExportInput,
    render: &Render<'_>,
) -> Result<FileTree, ExportError> {
    check_directories(input)?;
    let render_set = |set: &ResourceSet| -> BTreeMap<Placement, String> {
        placed(set, &input.teams)
            .map(|(placement, resource)| {
                (placement, render(&resource, input.flavour, input.comments))
            })
            .collect()
    };
    let environments: Vec<(String, BTreeMap<Placement, String>)> = input
        .environments
        .iter()
        .map(|(env, set)| (file_safe(&env.name), render_set(set)))
        .collect();
    let fallback = if input.environments.is_empty() {
        render_set(&input.fallback)
    } else {
        BTreeMap::new()
    };
    let layout = layout(&environments, &fallback);
    let bundles = bundle_infos(&input.settings, &layout);

    let mut tree = FileTree::new();
    for info in &bundles {
        let fleet_yaml = fleet_yaml_for(info, input);
        let path = format!("{}/fleet.yaml", info.dir);
        let text = fleet::to_yaml(&fleet_yaml).map_err(|e| ExportError::Fleet {
            path: path.clone(),
            message: e.to_string(),
        })?;
        tree.insert(path, text);
        for (file, object) in &layout[&info.kind].files {
            if let Some(base) = &object.base {
                tree.insert(format!("{}/{file}", info.dir), base.as_str());
            }
            for (env, text) in &object.overlays {
                tree.insert(format!("{}/overlays/{env}/{file}", info.dir), text.as_str());
            }
        }
    }
    if bundles.is_empty() {
        // Nothing to deploy yet. A GitRepo without paths would make Fleet take the repository root
        // as one bundle and deploy its manifests — the GitRepo itself — to every target: point it at
        // the bundles' directory instead, which holds no manifest until the design has resources.
        tree.insert(
            format!("{}/README.md", input.settings.bundles_root),
            "No bundle yet: the design has no resources to deploy. Fleet deploys nothing from here.\n",
        );
    }
    let gitrepo = gitrepo_for(input, &bundles);
    let text = fleet::to_yaml(&gitrepo).map_err(|e| ExportError::Fleet {
        path: "gitrepo.yaml".into(),
        message: e.to_string(),
    })?;
    tree.insert("gitrepo.yaml", text);
    if let Some(design) = &input.studio_design {
        tree.insert(STUDIO_DESIGN_PATH, design.as_str());
    }
    tree.insert("README.md", readme::readme(input, &bundles));
    Ok(tree)
}

/// Environment and team names become directory names: two that clean up to the same name would
/// silently merge, so they are refused.
fn check_directories(input: &ExportInput) -> Result<(), ExportError> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (env, _) in &input.environments {
        if let Some(first) = seen.insert(file_safe(&env.name), &env.name) {
            return Err(ExportError::Collision {
                what: "environments",
                first: first.to_owned(),
                second: env.name.clone(),
                dir: file_safe(&env.name),
            });
        }
    }
    // An environment whose labels are a subset of another's selects that one's clusters too.
    for (i, (a, _)) in input.environments.iter().enumerate() {
        for (b, _) in input.environments.iter().skip(i + 1) {
            let within = |x: &Environment, y: &Environment| {
                x.cluster_labels
                    .iter()
                    .all(|(k, v)| y.cluster_labels.get(k) == Some(v))
            };
            if within(a, b) || within(b, a) {
                let (first, second) = if within(a, b) { (a, b) } else { (b, a) };
                return Err(ExportError::OverlappingEnvironments {
                    first: first.name.clone(),
                    second: second.name.clone(),
                });
            }
        }
    }
    let mut teams: BTreeMap<String, &str> = BTreeMap::new();
    for team in input.teams.values() {
        if let Some(first) = teams.insert(file_safe(team), team)
            && first != team
        {
            return Err(ExportError::Collision {
                what: "teams",
                first: first.to_owned(),
                second: team.clone(),
                dir: file_safe(team),
            });
        }
    }
    Ok(())
}

/// The bundles in deployment order, with their Fleet names and dependencies. A layer with nothing in
/// it is left out (Fleet refuses empty bundles), and dependencies skip over it.
fn bundle_infos(settings: &FleetSettings, layout: &Layout) -> Vec<BundleInfo> {
    let mut out: Vec<BundleInfo> = Vec::new();
    let mut previous_layer: Vec<String> = Vec::new();
    let mut infrastructure_or_tiers: Vec<String> = Vec::new();
    for (kind, bundle) in layout {
        let files = &bundle.files;
        let dir = format!("{}/{}", settings.bundles_root, kind.dir());
        let name = bundle_name(&settings.gitrepo_name, &dir);
        let depends_on = match kind {
            BundleKind::Tiers => Vec::new(),
            BundleKind::Infrastructure => previous_layer.clone(),
            BundleKind::Application(_) => infrastructure_or_tiers.clone(),
        };
        if matches!(kind, BundleKind::Tiers | BundleKind::Infrastructure) {
            previous_layer = vec![name.clone()];
            infrastructure_or_tiers = vec![name.clone()];
        }
        let mut overlays = BTreeMap::new();
        for object in files.values() {
            for env in object.overlays.keys() {
                *overlays.entry(env.clone()).or_insert(0) += 1;
            }
        }
        out.push(BundleInfo {
            kind: kind.clone(),
            dir,
            name,
            depends_on,
            objects: files.keys().cloned().collect(),
            overlays,
            environments: bundle.environments.clone(),
        });
    }
    out
}

fn fleet_yaml_for(info: &BundleInfo, input: &ExportInput) -> FleetYaml {
    let layer = match &info.kind {
        BundleKind::Tiers => "tiers",
        BundleKind::Infrastructure => "infrastructure",
        BundleKind::Application(_) => "application",
    };
    let mut labels = Labels::new();
    labels.insert("netpol.studio/layer".to_owned(), layer.to_owned());
    // No `defaultNamespace`: every namespaced object carries its namespace, and Fleet would create the
    // default namespace even on clusters where the team does not run. No `namespace` either: it fails
    // bundles with cluster-scoped objects.
    let target_customizations = input
        .environments
        .iter()
        .map(|(env, _)| (env, file_safe(&env.name)))
        .filter(|(_, dir)| info.overlays.contains_key(dir))
        .map(|(env, dir)| {
            TargetCustomization::overlay(dir.clone(), env.cluster_labels.clone(), dir)
        })
        .collect();
    FleetYaml {
        labels,
        default_namespace: None,
        keep_resources: None,
        override_targets: info
            .environments
            .iter()
            .flatten()
            .filter_map(|dir| {
                input
                    .environments
                    .iter()
                    .find(|(env, _)| &file_safe(&env.name) == dir)
            })
            .map(|(env, _)| GitTarget::labels(file_safe(&env.name), env.cluster_labels.clone()))
            .collect(),
        depends_on: info
            .depends_on
            .iter()
            .map(|name| BundleRef {
                name: name.clone(),
                selector: None,
            })
            .collect(),
        target_customizations,
        helm: None,
        kustomize: None,
    }
}

fn gitrepo_for(input: &ExportInput, bundles: &[BundleInfo]) -> GitRepo {
    let s = &input.settings;
    let mut paths: Vec<String> = Vec::new();
    for info in bundles {
        let path = match info.kind {
            BundleKind::Application(_) => format!("{}/applications", s.bundles_root),
            _ => info.dir.clone(),
        };
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        // Fleet reads no paths as the repository root (see `export_with`).
        paths.push(s.bundles_root.clone());
    }
    let targets = if input.environments.is_empty() {
        vec![GitTarget::labels("all-clusters", Labels::new())]
    } else {
        input
            .environments
            .iter()
            .map(|(env, _)| GitTarget::labels(file_safe(&env.name), env.cluster_labels.clone()))
            .collect()
    };
    GitRepo::new(
        GitRepoMeta {
            name: s.gitrepo_name.clone(),
            namespace: s.gitrepo_namespace.clone(),
        },
        GitRepoSpec {
            repo: s.repo_url.clone(),
            branch: s.branch.clone(),
            paths,
            polling_interval: s.polling_interval.clone(),
            correct_drift: CorrectDrift {
                enabled: s.correct_drift,
            },
            keep_resources: s.keep_resources,
            targets,
        },
    )
}

#[cfg(test)]
mod tests;
