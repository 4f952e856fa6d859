//! The read side of the export: a Fleet repository (a folder tree or a zip, handed over as a
//! [`FileTree`]: core reads no files) read back as Fleet would deploy it, per environment, and as a
//! design.
//!
//! - **Environments** are the GitRepo's `targets` that select by cluster labels (in their order, the
//!   promotion order of a Studio export), then every `targetCustomizations` selector no target has
//!   already named. A repository with neither is one environment of every cluster.
//! - **Per environment**, [`super::deploy`] renders what a cluster with the environment's labels gets
//!   (GitRepo paths and targets, `overrideTargets`, the first matching customization's overlays,
//!   whole-file replacements and `_patch` merge patches, `dependsOn` order), and each file is read
//!   through [`design::import_bytes`], located at the repository file it came from.
//! - **The design**: a Studio export carries `studio/design.json`, the design without what the bundles
//!   hold (namespaces and workload groups, taxonomy, environments' address ranges, canvas layout, lint
//!   settings; Fleet never deploys it). The bundles are the truth for every object: tiers, policies
//!   and network sets come from them (each in the version of the last environment that deploys it), so
//!   a hand edit shows up. Exporting that design again gives the same repository byte for byte when
//!   nothing was edited by hand; what a design cannot hold (one object in two versions) is said.

use std::collections::BTreeMap;

use super::deploy::{Deployment, deploy};
use super::file_tree::{FileTree, strip_single_top_folder};
use super::fleet::GitRepo;
use super::layout::{BundleKind, place};
use super::{DesignExportOptions, Environment, FleetSettings, GUARDRAIL_NAME, design_to_input};
use crate::design::{self, Design, DesignNamespace, Document, Input};
use crate::model::{ApiFlavour, Labels, Resource, ResourceSet};
use crate::yaml::{Diagnostic, Severity};

/// Where a Studio export keeps the design's estate, layout and settings (outside every GitRepo path).
pub const STUDIO_DESIGN_PATH: &str = "studio/design.json";

/// A Fleet repository, read.
#[derive(Debug, Clone)]
pub struct Repository {
    /// Prefix of every file name in diagnostics (`repo/`, `export.zip/`).
    pub root: String,
    pub tree: FileTree,
    /// The GitRepo manifest and the file holding it.
    pub gitrepo: Option<(String, GitRepo)>,
    /// The environments, in promotion order.
    pub environments: Vec<Environment>,
    /// `studio/design.json`, when the repository has a readable one.
    pub studio_design: Option<Design>,
    /// Problems with the repository as a whole (its GitRepo, its Studio design file, files Fleet
    /// never deploys).
    pub diagnostics: Vec<Diagnostic>,
}

/// Whether a tree is a Fleet repository: it holds a `fleet.yaml` somewhere, or a GitRepo manifest.
pub fn is_repository(tree: &FileTree) -> bool {
    tree.paths()
        .any(|p| p == "fleet.yaml" || p.ends_with("/fleet.yaml"))
}

fn diagnostic(severity: Severity, file: String, message: impl Into<String>) -> Diagnostic {
    Diagnostic::file_level(severity, &file, message)
}

/// The GitRepo of a repository: the first YAML file outside `overlays/` holding `kind: GitRepo`.
fn find_gitrepo(
    tree: &FileTree,
    root: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(String, GitRepo)> {
    let mut found: Option<(String, GitRepo)> = None;
    for (path, _) in tree.iter() {
        if !(path.ends_with(".yaml") || path.ends_with(".yml")) || path.contains("overlays/") {
            continue;
        }
        let Some(text) = tree.get_str(path) else {
            continue;
        };
        if !text.lines().any(|l| l.trim() == "kind: GitRepo") {
            continue;
        }
        match super::deploy::from_yaml::<GitRepo>(text) {
            Ok(gitrepo) if found.is_none() => found = Some((path.to_owned(), gitrepo)),
            Ok(gitrepo) => diagnostics.push(diagnostic(
                Severity::Warning,
                format!("{root}{path}"),
                format!(
                    "a second GitRepo (`{}`): only the first one read, in `{}`, is evaluated",
                    gitrepo.metadata.name,
                    found.as_ref().map_or("", |(p, _)| p.as_str())
                ),
            )),
            Err(e) => diagnostics.push(diagnostic(
                Severity::Error,
                format!("{root}{path}"),
                format!("not a readable Fleet GitRepo: {e}"),
            )),
        }
    }
    found
}

/// The environments: label-selecting GitRepo targets, then customization selectors no target named.
fn environments(
    tree: &FileTree,
    gitrepo: Option<&(String, GitRepo)>,
    root: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Environment> {
    let mut out: Vec<Environment> = Vec::new();
    let add = |name: &str, labels: &Labels, out: &mut Vec<Environment>| {
        if out
            .iter()
            .any(|e| &e.cluster_labels == labels || e.name == name)
        {
            return;
        }
        out.push(Environment {
            name: name.to_owned(),
            cluster_labels: labels.clone(),
        });
    };
    if let Some((file, g)) = gitrepo {
        for target in &g.spec.targets {
            match &target.cluster_selector {
                Some(s) if target.cluster_name.is_none() && target.cluster_group.is_none() => {
                    if !s.match_expressions.is_empty() {
                        diagnostics.push(diagnostic(
                            Severity::Warning,
                            format!("{root}{file}"),
                            format!(
                                "target `{}` also selects by matchExpressions: its environment is evaluated with its matchLabels only",
                                target.name
                            ),
                        ));
                    }
                    add(&target.name, &s.match_labels, &mut out);
                }
                _ => diagnostics.push(diagnostic(
                    Severity::Warning,
                    format!("{root}{file}"),
                    format!(
                        "target `{}` selects a cluster or cluster group by name: environments are evaluated by cluster labels, so it is not one",
                        target.name
                    ),
                )),
            }
        }
    }
    let (bundles, _) = super::deploy::bundles(tree, gitrepo.map(|(_, g)| g));
    for bundle in &bundles {
        for t in &bundle.fleet.target_customizations {
            if let Some(s) = &t.cluster_selector
                && !s.match_labels.is_empty()
            {
                add(&t.name, &s.match_labels, &mut out);
            }
        }
    }
    if out.is_empty() {
        out.push(Environment {
            name: "all-clusters".to_owned(),
            cluster_labels: Labels::new(),
        });
    }
    out
}

/// Reads a repository. `root` prefixes file names in diagnostics (`repo/`, or `export.zip/`); a tree
/// whose files all lie in one top folder (a zipped folder) is read from inside it.
pub fn read(root: &str, tree: FileTree) -> Repository {
    let (tree, top) = if is_repository_root(&tree) {
        (tree, String::new())
    } else {
        strip_single_top_folder(tree)
    };
    let root = format!("{root}{top}");
    let mut diagnostics = Vec::new();
    let gitrepo = find_gitrepo(&tree, &root, &mut diagnostics);
    if gitrepo.is_none() {
        diagnostics.push(diagnostic(
            Severity::Warning,
            root.trim_end_matches('/').to_owned(),
            "no Fleet GitRepo manifest: every bundle is read, and every cluster gets every bundle",
        ));
    }
    let environments = environments(&tree, gitrepo.as_ref(), &root, &mut diagnostics);
    let studio_design = tree.get(STUDIO_DESIGN_PATH).and_then(|bytes| {
        let input = design::import_bytes(&format!("{root}{STUDIO_DESIGN_PATH}"), bytes);
        let found = input.single_design().cloned();
        if found.is_none() || input.error_count() > 0 {
            diagnostics.extend(input.diagnostics);
            diagnostics.push(diagnostic(
                Severity::Warning,
                format!("{root}{STUDIO_DESIGN_PATH}"),
                "not a readable Studio design: namespaces, workload groups and layout are not restored",
            ));
            return None;
        }
        found
    });
    // Files Fleet never deploys and that are not Fleet's or the Studio's own: said, not read.
    let (bundles, problems) = super::deploy::bundles(&tree, gitrepo.as_ref().map(|(_, g)| g));
    for p in problems {
        diagnostics.push(diagnostic(
            if p.error {
                Severity::Error
            } else {
                Severity::Warning
            },
            format!("{root}{}", p.path),
            p.message,
        ));
    }
    for path in tree.paths() {
        let manifest = [".yaml", ".yml", ".json"].iter().any(|e| path.ends_with(e));
        // CI files (`.github/`, `.gitlab-ci.yml`) are the repository's own business.
        let hidden = path.split('/').any(|part| part.starts_with('.'));
        let own = hidden
            || path == STUDIO_DESIGN_PATH
            || path.ends_with("fleet.yaml")
            || gitrepo.as_ref().is_some_and(|(p, _)| p == path);
        let in_bundle = bundles
            .iter()
            .any(|b| b.dir == "." || path.starts_with(&format!("{}/", b.dir)));
        if manifest && !own && !in_bundle {
            diagnostics.push(diagnostic(
                Severity::Warning,
                format!("{root}{path}"),
                "lies in no bundle of the GitRepo's paths: Fleet does not deploy it, so it is not read",
            ));
        }
    }
    Repository {
        root,
        tree,
        gitrepo,
        environments,
        studio_design,
        diagnostics,
    }
}

/// Whether the tree's root itself holds the repository (a `fleet.yaml` or a GitRepo at the top, or a
/// `bundles/` folder).
fn is_repository_root(tree: &FileTree) -> bool {
    tree.paths().any(|p| {
        !p.contains('/') && (p == "fleet.yaml" || p.ends_with(".yaml") || p.ends_with(".yml"))
            || p.starts_with("bundles/")
            || p.starts_with("studio/")
    })
}

impl Repository {
    /// The environment names, in promotion order.
    pub fn environment_names(&self) -> Vec<String> {
        self.environments.iter().map(|e| e.name.clone()).collect()
    }

    /// The environment of that name.
    pub fn environment(&self, name: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.name == name)
    }

    /// What a cluster of the environment gets.
    pub fn deployment(&self, env: &Environment) -> Deployment {
        deploy(
            &self.tree,
            self.gitrepo.as_ref().map(|(_, g)| g),
            &env.cluster_labels,
        )
    }

    /// What one environment deploys, as the one input reader reads it: every deployed file located at
    /// the repository file it came from (an overlay's file when replaced, the patch when patched), the
    /// estate of the Studio design (the environment's namespaces and workload groups, pod ranges,
    /// Calico release) as a design document, and every problem of the repository and of rendering it.
    pub fn input(&self, env: &Environment) -> Input {
        let mut input = Input::default();
        input.diagnostics.extend(self.diagnostics.iter().cloned());
        let deployment = self.deployment(env);
        for p in &deployment.problems {
            let d = diagnostic(
                if p.error {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                format!("{}{}", self.root, p.path),
                format!("{} (environment `{}`)", p.message, env.name),
            );
            if !input.diagnostics.contains(&d) {
                input.diagnostics.push(d);
            }
        }
        for bundle in &deployment.bundles {
            for file in &bundle.files {
                let name = format!("{}{}", self.root, file.source);
                input.extend(design::import_bytes(&name, &file.bytes));
            }
        }
        if let Some(design) = &self.studio_design {
            input
                .documents
                .push(Document::Design(design::DesignDocument {
                    design: estate_for(design, &env.name),
                    file: format!("{}{STUDIO_DESIGN_PATH}", self.root),
                    line: 1,
                    column: 1,
                }));
            input
                .files
                .push(format!("{}{STUDIO_DESIGN_PATH}", self.root));
        }
        input
    }

    /// The repository as a design, the options that export it again, and what could not be carried
    /// over (warnings).
    pub fn to_design(&self) -> (Design, DesignExportOptions, Vec<Diagnostic>) {
        let mut notes = Vec::new();
        let options = self.export_options();
        let studio = self.studio_design.clone();
        let mut design = studio.clone().unwrap_or_else(|| Design {
            name: self.gitrepo.as_ref().map_or_else(
                || "fleet-repository".to_owned(),
                |(_, g)| g.metadata.name.clone(),
            ),
            ..Design::default()
        });
        let no_environments = self.environments.len() == 1
            && self.environments[0].cluster_labels.is_empty()
            && studio.as_ref().is_none_or(|d| d.environments.is_empty());
        // Environments: the repository's, with the Studio design's address ranges where names agree.
        let previous = std::mem::take(&mut design.environments);
        if !no_environments {
            design.environments = self
                .environments
                .iter()
                .map(|env| {
                    let mut out = previous
                        .iter()
                        .find(|e| super::file_safe(&e.name) == env.name)
                        .cloned()
                        .unwrap_or_else(|| design::Environment {
                            name: env.name.clone(),
                            ..design::Environment::default()
                        });
                    out.cluster_selector = env.cluster_labels.clone();
                    out
                })
                .collect();
        }
        // Every object in the version of the last environment that deploys it; the generated
        // guardrail is the design's environments, not an object.
        let per_env: Vec<(String, ResourceSet, Input)> = self
            .environments
            .iter()
            .map(|env| {
                let input = self.input(env);
                let set: ResourceSet = input.resources().map(|r| r.resource.clone()).collect();
                (env.name.clone(), set, input)
            })
            .collect();
        let mut chosen: BTreeMap<(String, Option<String>, String), Resource> = BTreeMap::new();
        for (_, set, _) in &per_env {
            for resource in set.resources() {
                if is_guardrail(&resource) {
                    continue;
                }
                let meta = resource.metadata();
                chosen.insert(
                    (
                        resource.kind().to_owned(),
                        meta.namespace.clone(),
                        meta.name.clone(),
                    ),
                    resource,
                );
            }
        }
        if studio.is_none() && !no_environments {
            guardrail_ranges(&mut design, &per_env);
        }
        let objects: ResourceSet = chosen.into_values().collect();
        design.tiers = objects.tiers.clone();
        design.policies = objects.policies.clone();
        design.kubernetes_policies = objects.kubernetes_policies.clone();
        design.cluster_policies = objects.cluster_policies.clone();
        design.network_sets = objects.network_sets.clone();
        if studio.is_none() {
            let imported = design::from_resources(&objects);
            design.taxonomy = imported.taxonomy;
            let env_sets: Vec<(&str, &ResourceSet)> = if no_environments {
                Vec::new()
            } else {
                design
                    .environments
                    .iter()
                    .zip(&per_env)
                    .map(|(e, (_, set, _))| (e.name.as_str(), set))
                    .collect()
            };
            design.namespaces = namespaces_from_bundles(&self.tree, &objects, &env_sets);
        }
        // What the design cannot hold: an environment whose objects differ from what the design
        // gives it.
        let again = design_to_input(&design, &options);
        for (name, set, input) in &per_env {
            let Some((_, expected)) = again
                .environments
                .iter()
                .find(|(e, _)| &super::file_safe(&e.name) == name)
                .or_else(|| again.environments.first().filter(|_| no_environments))
            else {
                continue;
            };
            let expected: BTreeMap<_, _> = placed_objects(if no_environments {
                &again.fallback
            } else {
                expected
            });
            let actual: BTreeMap<_, _> = placed_objects(set);
            for (key, resource) in &actual {
                if expected.get(key) != Some(resource) {
                    let file = input
                        .resources()
                        .find(|r| &r.resource == resource)
                        .map_or_else(|| self.root.clone(), |r| r.file.clone());
                    notes.push(diagnostic(
                        Severity::Warning,
                        file,
                        format!(
                            "{} `{}` differs in environment `{name}` from the version the design keeps (that of the last environment deploying it): a design holds one version of each object",
                            resource.kind(),
                            key.2
                        ),
                    ));
                }
            }
            for (key, resource) in &expected {
                if !actual.contains_key(key) {
                    notes.push(diagnostic(
                        Severity::Warning,
                        self.root.trim_end_matches('/').to_owned(),
                        format!(
                            "{} `{}` is not deployed in environment `{name}`, but the design would deploy it there",
                            resource.kind(),
                            key.2
                        ),
                    ));
                }
            }
        }
        (design, options, notes)
    }

    /// What a design made from the repository takes from where (for an import report): the
    /// environments from the GitRepo, the estate from the Studio design file, and each object from the
    /// file of the last environment that deploys it (the version [`Repository::to_design`] keeps),
    /// as `(what, file)` in that order.
    pub fn sources(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some((path, _)) = &self.gitrepo {
            out.push((
                format!("environments {}", self.environment_names().join(", ")),
                format!("{}{path}", self.root),
            ));
        }
        if self.studio_design.is_some() {
            out.push((
                "namespaces, workload groups, taxonomy, address ranges, canvas layout".to_owned(),
                format!("{}{STUDIO_DESIGN_PATH}", self.root),
            ));
        }
        let mut objects: BTreeMap<(String, Option<String>, String), String> = BTreeMap::new();
        for env in &self.environments {
            for r in self.input(env).resources() {
                if is_guardrail(&r.resource) {
                    continue;
                }
                let meta = r.resource.metadata();
                objects.insert(
                    (
                        r.resource.kind().to_owned(),
                        meta.namespace.clone(),
                        meta.name.clone(),
                    ),
                    r.file.clone(),
                );
            }
        }
        out.extend(objects.into_iter().map(|((kind, ns, name), file)| {
            let what = match ns {
                Some(ns) => format!("{kind} {ns}/{name}"),
                None => format!("{kind} {name}"),
            };
            (what, file)
        }));
        out
    }

    /// The export settings that write this repository again: the GitRepo's, the objects' API
    /// flavour, and whether objects carry a comment line.
    pub fn export_options(&self) -> DesignExportOptions {
        let mut settings = FleetSettings::default();
        if let Some((_, g)) = &self.gitrepo {
            settings.gitrepo_name = g.metadata.name.clone();
            settings.gitrepo_namespace = g.metadata.namespace.clone();
            settings.repo_url = g.spec.repo.clone();
            settings.branch = g.spec.branch.clone();
            settings.polling_interval = g.spec.polling_interval.clone();
            settings.correct_drift = g.spec.correct_drift.enabled;
            settings.keep_resources = g.spec.keep_resources;
            if let Some(root) = g.spec.paths.iter().find_map(|p| {
                ["/tiers", "/infrastructure", "/applications"]
                    .iter()
                    .find_map(|suffix| p.trim_end_matches('/').strip_suffix(suffix))
            }) {
                settings.bundles_root = root.to_owned();
            }
        }
        let manifests = || {
            self.tree
                .iter()
                .filter(|(p, _)| {
                    p.starts_with(&format!("{}/", settings.bundles_root))
                        && !p.ends_with("fleet.yaml")
                })
                .filter_map(|(_, b)| std::str::from_utf8(b).ok())
        };
        let flavour = if manifests().any(|t| t.contains("apiVersion: projectcalico.org/v3")) {
            ApiFlavour::V3
        } else {
            ApiFlavour::CrdV1
        };
        let comments = manifests().next().is_none_or(|t| t.starts_with("# "));
        DesignExportOptions {
            settings,
            flavour,
            comments,
        }
    }
}

/// The generated cross-environment guardrail (by name and its generated purpose annotation).
fn is_guardrail(resource: &Resource) -> bool {
    let meta = resource.metadata();
    matches!(resource, Resource::CalicoPolicy(_))
        && meta.name == GUARDRAIL_NAME
        && meta
            .annotations
            .get(crate::model::vocabulary::annotations::PURPOSE_ANNOTATION)
            .is_some_and(|p| p.starts_with("generated from the design's environments"))
}

/// Objects the export ships, by (bundle, file, name), for comparing environments.
fn placed_objects(set: &ResourceSet) -> BTreeMap<(BundleKind, String, String), Resource> {
    let teams = BTreeMap::new();
    set.resources()
        .filter_map(|r| {
            let p = place(&r, &teams)?;
            let name = r.metadata().name.clone();
            // Teams are not known here: compare application objects by namespace and file only.
            let bundle = match p.bundle {
                BundleKind::Application(_) => BundleKind::Application(String::new()),
                other => other,
            };
            Some(((bundle, p.file, name), r))
        })
        .collect()
}

/// The design's estate for one environment: its namespaces and the workload groups
/// [`design_to_input`] ships there, and its settings; no objects.
fn estate_for(design: &Design, env: &str) -> Design {
    let input = design_to_input(design, &DesignExportOptions::default());
    let shipped: Option<Vec<(String, String)>> = input
        .environments
        .iter()
        .find(|(e, _)| super::file_safe(&e.name) == env)
        .map(|(_, set)| {
            set.workloads
                .iter()
                .map(|w| {
                    (
                        w.metadata.namespace.clone().unwrap_or_default(),
                        w.metadata.name.clone(),
                    )
                })
                .collect()
        });
    let namespaces = design
        .namespaces
        .iter()
        .map(|ns| DesignNamespace {
            workloads: ns
                .workloads
                .iter()
                .filter(|w| {
                    shipped
                        .as_ref()
                        .is_none_or(|s| s.iter().any(|(n, name)| n == &ns.name && name == &w.name))
                })
                .cloned()
                .collect(),
            ..ns.clone()
        })
        .collect();
    Design {
        namespaces,
        ..studio_design(design)
    }
}

/// The design as `studio/design.json` keeps it: without the objects the bundles hold.
pub fn studio_design(design: &Design) -> Design {
    Design {
        tiers: Vec::new(),
        policies: Vec::new(),
        kubernetes_policies: Vec::new(),
        cluster_policies: Vec::new(),
        network_sets: Vec::new(),
        ..design.clone()
    }
}

/// Environments' address ranges from the generated guardrails (a repository without its Studio
/// design): an environment's ranges are the ones the other environments' guardrails deny and its own
/// does not; the ranges every guardrail exempts are the shared exceptions.
fn guardrail_ranges(design: &mut Design, per_env: &[(String, ResourceSet, Input)]) {
    let denied = |set: &ResourceSet| -> Option<(Vec<String>, Vec<String>)> {
        set.policies
            .iter()
            .find(|p| is_guardrail(&Resource::CalicoPolicy((*p).clone())))
            .and_then(|p| p.spec.egress.first())
            .map(|rule| {
                (
                    rule.destination.nets.clone(),
                    rule.destination.not_nets.clone(),
                )
            })
    };
    let guardrails: Vec<Option<(Vec<String>, Vec<String>)>> =
        per_env.iter().map(|(_, set, _)| denied(set)).collect();
    let mut every: Vec<String> = Vec::new();
    let mut exceptions: Vec<String> = Vec::new();
    for (nets, not_nets) in guardrails.iter().flatten() {
        for n in nets {
            if !every.contains(n) {
                every.push(n.clone());
            }
        }
        for n in not_nets {
            if !exceptions.contains(n) {
                exceptions.push(n.clone());
            }
        }
    }
    for (env, guardrail) in design.environments.iter_mut().zip(&guardrails) {
        let own: Vec<String> = match guardrail {
            Some((nets, _)) => every
                .iter()
                .filter(|n| !nets.contains(n))
                .cloned()
                .collect(),
            None => every.clone(),
        };
        if env.cidrs.is_empty() {
            env.cidrs = own;
        }
    }
    if let Some(first) = design.environments.first_mut()
        && first.exceptions.is_empty()
    {
        first.exceptions = exceptions;
    }
}

/// Namespaces of a repository without its Studio design: the namespaces of the objects, each in the
/// team its application bundle is named after (`bundles/applications/<team>/<namespace>/…`), and
/// labelled `environment: E` when its objects deploy to environment `E` only.
fn namespaces_from_bundles(
    tree: &FileTree,
    objects: &ResourceSet,
    environments: &[(&str, &ResourceSet)],
) -> Vec<DesignNamespace> {
    let mut teams: BTreeMap<String, String> = BTreeMap::new();
    for path in tree.paths() {
        let parts: Vec<&str> = path.split('/').collect();
        if let Some(i) = parts.iter().position(|p| *p == "applications")
            && parts.len() > i + 3
            && parts[i + 2] != "overlays"
        {
            teams.insert(parts[i + 2].to_owned(), parts[i + 1].to_owned());
        }
    }
    let mut out: Vec<DesignNamespace> = Vec::new();
    for resource in objects.resources() {
        let Some(ns) = resource.metadata().namespace.clone() else {
            continue;
        };
        if out.iter().any(|n| n.name == ns) {
            continue;
        }
        let mut labels = Labels::new();
        if let Some(team) = teams.get(&ns).filter(|t| **t != ns) {
            labels.insert("team".to_owned(), team.clone());
        }
        let present: Vec<&str> = environments
            .iter()
            .filter(|(_, set)| {
                set.resources()
                    .any(|r| r.metadata().namespace.as_deref() == Some(ns.as_str()))
            })
            .map(|(name, _)| *name)
            .collect();
        if let [only] = present.as_slice()
            && environments.len() > 1
        {
            labels.insert("environment".to_owned(), (*only).to_owned());
        }
        out.push(DesignNamespace {
            name: ns,
            labels,
            workloads: Vec::new(),
        });
    }
    out
}
