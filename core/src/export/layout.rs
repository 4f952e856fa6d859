//! Which bundle and file each object goes to, and which environments need an overlay for it.
//!
//! Fleet's overlays for plain-YAML bundles work per file: `overlays/<env>/<path>` replaces `<path>`
//! (rancher/fleet `internal/helmdeployer/render/patch`). A `_patch` file would only patch the first
//! document of a multi-document file, so the exporter writes **one object per file** and overlays
//! whole files. The base file of an object holds its version in the last environment of the promotion
//! path (production); an environment whose version differs, or that alone has the object, gets the
//! complete object in its overlay.

use std::collections::BTreeMap;

use crate::model::{Resource, ResourceSet};

/// The three layers of the export, in deployment order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum BundleKind {
    /// `Tier` objects: must exist before any policy in them is accepted.
    Tiers,
    /// Cluster-wide baseline: global policies and global network sets.
    Infrastructure,
    /// Namespaced policies and network sets of one team (or namespace).
    Application(String),
}

impl BundleKind {
    /// The bundle's directory below the bundles root.
    pub fn dir(&self) -> String {
        match self {
            BundleKind::Tiers => "tiers".to_owned(),
            BundleKind::Infrastructure => "infrastructure".to_owned(),
            BundleKind::Application(team) => format!("applications/{team}"),
        }
    }
}

/// Where one object lives in the export.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Placement {
    pub bundle: BundleKind,
    /// Path inside the bundle directory.
    pub file: String,
}

/// The bundle and file of a resource; `None` for what the export does not ship (namespaces and
/// workloads belong to the applications, IP pools to the cluster's set-up, not to the policy
/// repository).
pub fn place(resource: &Resource, teams: &BTreeMap<String, String>) -> Option<Placement> {
    let meta = resource.metadata();
    let kind = match resource {
        // Kubernetes and Calico both have a `NetworkPolicy`: keep their files apart.
        Resource::KubernetesPolicy(_) => format!("k8s-{}", resource.kind().to_ascii_lowercase()),
        _ => resource.kind().to_ascii_lowercase(),
    };
    let file_name = |name: &str| format!("{kind}-{}.yaml", file_safe(name));
    let (bundle, file) = match resource {
        Resource::Namespace(_) | Resource::Workload(_) | Resource::IpPool(_) => return None,
        Resource::Tier(t) => (BundleKind::Tiers, file_name(&t.metadata.name)),
        Resource::CalicoPolicy(p) if !p.kind.is_namespaced() => (
            BundleKind::Infrastructure,
            file_name(&format!("{}.{}", p.tier(), p.metadata.name)),
        ),
        // Cluster-scoped Kubernetes policies: the same file in both API flavours.
        Resource::ClusterPolicy(p) => (BundleKind::Infrastructure, file_name(&p.metadata.name)),
        Resource::NetworkSet(s) if s.is_global() => {
            (BundleKind::Infrastructure, file_name(&s.metadata.name))
        }
        _ => {
            let namespace = meta.namespace.clone().unwrap_or_default();
            let team = teams
                .get(&namespace)
                .cloned()
                .unwrap_or_else(|| namespace.clone());
            let name = match resource {
                Resource::CalicoPolicy(p) => format!("{}.{}", p.tier(), p.metadata.name),
                _ => meta.name.clone(),
            };
            (
                BundleKind::Application(file_safe(&team)),
                format!("{}/{}", file_safe(&namespace), file_name(&name)),
            )
        }
    };
    Some(Placement { bundle, file })
}

/// A name made safe for a path segment and a Fleet bundle name: lower case `[a-z0-9.-]`, other
/// characters turned into `-`.
pub fn file_safe(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = cleaned.trim_matches(|c| c == '-' || c == '.');
    if trimmed.is_empty() {
        "unnamed".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// One object file of a bundle: its base text (absent when some environment of the bundle lacks the
/// object) and the environments whose overlay replaces it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectFile {
    pub base: Option<String>,
    /// Environment name → the object as that environment deploys it.
    pub overlays: BTreeMap<String, String>,
}

/// What one bundle holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BundleLayout {
    /// The environments the bundle deploys to, when not all of them (a team whose namespaces exist in
    /// production only): the bundle's `overrideTargets`.
    pub environments: Option<Vec<String>>,
    /// Path in the bundle → the object file.
    pub files: BTreeMap<String, ObjectFile>,
}

/// Per bundle: what the export writes.
pub type Layout = BTreeMap<BundleKind, BundleLayout>;

/// Builds the layout from every environment's rendered objects (environment name, in promotion order,
/// → placement → text). With no environment, `fallback` is the one version of every object.
///
/// An application bundle deploys to the environments that have at least one of its objects; tiers and
/// infrastructure deploy to every environment. Among a bundle's environments, an object
/// they all have gets a base file (the version of the last one, normally production) and an overlay
/// file in each environment whose version differs; an object only some of them have gets overlay files
/// only.
pub fn layout(
    environments: &[(String, BTreeMap<Placement, String>)],
    fallback: &BTreeMap<Placement, String>,
) -> Layout {
    let mut out = Layout::new();
    if environments.is_empty() {
        for (placement, text) in fallback {
            let file = ObjectFile {
                base: Some(text.clone()),
                overlays: BTreeMap::new(),
            };
            out.entry(placement.bundle.clone())
                .or_default()
                .files
                .insert(placement.file.clone(), file);
        }
        return out;
    }
    // Bundle → file → the object's text in each environment (by index), if it has it.
    let mut versions: BTreeMap<&BundleKind, BTreeMap<&str, Vec<Option<&String>>>> = BTreeMap::new();
    for (index, (_, objects)) in environments.iter().enumerate() {
        for (placement, text) in objects {
            versions
                .entry(&placement.bundle)
                .or_default()
                .entry(placement.file.as_str())
                .or_insert_with(|| vec![None; environments.len()])[index] = Some(text);
        }
    }
    for (bundle, files) in versions {
        // Tiers and infrastructure deploy everywhere: application bundles depend on them, and Fleet
        // holds a dependent back on every cluster where its dependency has no deployment.
        let present: Vec<usize> = match bundle {
            BundleKind::Application(_) => (0..environments.len())
                .filter(|&i| files.values().any(|v| v[i].is_some()))
                .collect(),
            BundleKind::Tiers | BundleKind::Infrastructure => (0..environments.len()).collect(),
        };
        let mut entry = BundleLayout {
            environments: (present.len() < environments.len())
                .then(|| present.iter().map(|&i| environments[i].0.clone()).collect()),
            files: BTreeMap::new(),
        };
        for (file, texts) in files {
            let in_bundle_envs: Vec<(usize, Option<&String>)> =
                present.iter().map(|&i| (i, texts[i])).collect();
            let base = if in_bundle_envs.iter().all(|(_, t)| t.is_some()) {
                in_bundle_envs.last().and_then(|(_, t)| *t).cloned()
            } else {
                None
            };
            let overlays = in_bundle_envs
                .iter()
                .filter_map(|(i, text)| {
                    let text = (*text)?;
                    (base.as_ref() != Some(text))
                        .then(|| (environments[*i].0.clone(), text.clone()))
                })
                .collect();
            entry
                .files
                .insert(file.to_owned(), ObjectFile { base, overlays });
        }
        out.insert(bundle.clone(), entry);
    }
    out
}

/// The resources of a set that the export ships, with their placement.
pub fn placed<'a>(
    resources: &'a ResourceSet,
    teams: &'a BTreeMap<String, String>,
) -> impl Iterator<Item = (Placement, Resource)> + 'a {
    resources
        .resources()
        .filter_map(move |r| place(&r, teams).map(|p| (p, r)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CalicoPolicy, CalicoPolicyKind, NetworkSet, ObjectMeta, PolicySpec, Tier};

    fn policy(kind: CalicoPolicyKind, name: &str, namespace: Option<&str>, tier: &str) -> Resource {
        Resource::CalicoPolicy(CalicoPolicy {
            kind,
            metadata: ObjectMeta::named(name, namespace),
            spec: PolicySpec {
                tier: Some(tier.into()),
                ..PolicySpec::default()
            },
        })
    }

    #[test]
    fn objects_go_to_their_layer() {
        let teams: BTreeMap<String, String> = [("checkout".into(), "payments".into())].into();
        let cases = [
            (
                Resource::Tier(Tier::new("security", Some(100.0))),
                BundleKind::Tiers,
                "tier-security.yaml",
            ),
            (
                policy(
                    CalicoPolicyKind::GlobalNetworkPolicy,
                    "allow-dns",
                    None,
                    "platform",
                ),
                BundleKind::Infrastructure,
                "globalnetworkpolicy-platform.allow-dns.yaml",
            ),
            (
                Resource::NetworkSet(NetworkSet {
                    metadata: ObjectMeta::named("corp", None),
                    spec: Default::default(),
                }),
                BundleKind::Infrastructure,
                "globalnetworkset-corp.yaml",
            ),
            (
                policy(
                    CalicoPolicyKind::NetworkPolicy,
                    "api",
                    Some("checkout"),
                    "application",
                ),
                BundleKind::Application("payments".into()),
                "checkout/networkpolicy-application.api.yaml",
            ),
            (
                policy(
                    CalicoPolicyKind::StagedNetworkPolicy,
                    "web",
                    Some("shop"),
                    "application",
                ),
                BundleKind::Application("shop".into()),
                "shop/stagednetworkpolicy-application.web.yaml",
            ),
        ];
        for (resource, bundle, file) in cases {
            let placement = place(&resource, &teams).unwrap();
            assert_eq!((placement.bundle, placement.file.as_str()), (bundle, file));
        }
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_safe("Team_A"), "team-a");
        assert_eq!(file_safe("--"), "unnamed");
        assert_eq!(file_safe("platform.allow-dns"), "platform.allow-dns");
    }

    fn at(file: &str) -> Placement {
        Placement {
            bundle: BundleKind::Infrastructure,
            file: file.into(),
        }
    }

    #[test]
    fn the_base_is_production_and_overlays_hold_the_differences() {
        let env = |name: &str, objects: &[(&str, &str)]| {
            (
                name.to_owned(),
                objects
                    .iter()
                    .map(|(f, t)| (at(f), (*t).to_owned()))
                    .collect::<BTreeMap<_, _>>(),
            )
        };
        let envs = vec![
            env(
                "dev",
                &[
                    ("same.yaml", "s"),
                    ("cidr.yaml", "dev-cidr"),
                    ("dev-only.yaml", "relaxed"),
                ],
            ),
            env("prod", &[("same.yaml", "s"), ("cidr.yaml", "prod-cidr")]),
        ];
        let out = layout(&envs, &BTreeMap::new());
        let files = &out[&BundleKind::Infrastructure].files;
        assert_eq!(out[&BundleKind::Infrastructure].environments, None);
        assert_eq!(
            files["same.yaml"],
            ObjectFile {
                base: Some("s".into()),
                overlays: BTreeMap::new()
            }
        );
        assert_eq!(files["cidr.yaml"].base.as_deref(), Some("prod-cidr"));
        assert_eq!(
            files["cidr.yaml"].overlays,
            [("dev".to_owned(), "dev-cidr".to_owned())].into()
        );
        assert_eq!(files["dev-only.yaml"].base, None);
        assert_eq!(
            files["dev-only.yaml"].overlays,
            [("dev".to_owned(), "relaxed".to_owned())].into()
        );
    }

    #[test]
    fn an_application_bundle_of_one_environment_targets_it_and_has_base_files() {
        let app = Placement {
            bundle: BundleKind::Application("shop".into()),
            file: "shop/p.yaml".into(),
        };
        let envs = vec![
            (
                "dev".to_owned(),
                [(at("prod-only.yaml"), "i".to_owned())]
                    .into_iter()
                    .collect::<BTreeMap<_, _>>(),
            ),
            (
                "prod".to_owned(),
                [(app, "p".to_owned())]
                    .into_iter()
                    .collect::<BTreeMap<_, _>>(),
            ),
        ];
        let out = layout(&envs, &BTreeMap::new());
        let bundle = &out[&BundleKind::Application("shop".into())];
        assert_eq!(bundle.environments, Some(vec!["prod".to_owned()]));
        assert_eq!(
            bundle.files["shop/p.yaml"],
            ObjectFile {
                base: Some("p".into()),
                overlays: BTreeMap::new()
            }
        );
        // Infrastructure deploys everywhere, so an object of one environment is an overlay there.
        let infra = &out[&BundleKind::Infrastructure];
        assert_eq!(infra.environments, None);
        assert_eq!(infra.files["prod-only.yaml"].base, None);
    }
}
