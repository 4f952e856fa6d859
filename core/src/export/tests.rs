//! Structure tests of the exporter with a stand-in renderer (the real YAML is tested in
//! `core/tests/export_*.rs`).

use std::collections::BTreeMap;

use super::*;
use crate::model::{CalicoPolicy, CalicoPolicyKind, NetworkSet, ObjectMeta, PolicySpec, Tier};

fn render(r: &Resource, _: ApiFlavour, _: bool) -> String {
    let meta = r.metadata();
    format!(
        "kind: {}\nname: {}\nnote: {}\n",
        r.kind(),
        meta.name,
        meta.annotations.get("v").cloned().unwrap_or_default()
    )
}

fn policy(
    kind: CalicoPolicyKind,
    name: &str,
    namespace: Option<&str>,
    tier: &str,
    note: &str,
) -> CalicoPolicy {
    let mut metadata = ObjectMeta::named(name, namespace);
    metadata.annotations.insert("v".into(), note.into());
    CalicoPolicy {
        kind,
        metadata,
        spec: PolicySpec {
            tier: Some(tier.into()),
            ..PolicySpec::default()
        },
    }
}

fn env_set(env: &str) -> ResourceSet {
    let mut set = ResourceSet::default();
    set.tiers.push(Tier::new("security", Some(100.0)));
    set.policies.push(policy(
        CalicoPolicyKind::GlobalNetworkPolicy,
        "default-deny",
        None,
        "security",
        "same",
    ));
    set.policies.push(policy(
        CalicoPolicyKind::GlobalNetworkPolicy,
        "egress-corp",
        None,
        "security",
        env,
    ));
    set.policies.push(policy(
        CalicoPolicyKind::NetworkPolicy,
        "api",
        Some("checkout"),
        "security",
        "same",
    ));
    if env == "dev" {
        set.policies.push(policy(
            CalicoPolicyKind::NetworkPolicy,
            "debug",
            Some("checkout"),
            "security",
            "dev",
        ));
    }
    set.network_sets.push(NetworkSet {
        metadata: ObjectMeta::named("corp", None),
        spec: Default::default(),
    });
    set
}

fn input() -> ExportInput {
    let env = |name: &str| {
        (
            Environment {
                name: name.into(),
                cluster_labels: [("env".into(), name.into())].into(),
            },
            env_set(name),
        )
    };
    ExportInput {
        settings: FleetSettings::default(),
        flavour: ApiFlavour::CrdV1,
        comments: false,
        environments: vec![env("dev"), env("prod")],
        fallback: ResourceSet::default(),
        teams: BTreeMap::new(),
        studio_design: None,
    }
}

#[test]
fn the_tree_has_three_layers_and_overlays() {
    let tree = export_with(&input(), &render).unwrap();
    let paths: Vec<&str> = tree.paths().collect();
    assert_eq!(
        paths,
        [
            "README.md",
            "bundles/applications/checkout/checkout/networkpolicy-security.api.yaml",
            "bundles/applications/checkout/fleet.yaml",
            "bundles/applications/checkout/overlays/dev/checkout/networkpolicy-security.debug.yaml",
            "bundles/infrastructure/fleet.yaml",
            "bundles/infrastructure/globalnetworkpolicy-security.default-deny.yaml",
            "bundles/infrastructure/globalnetworkpolicy-security.egress-corp.yaml",
            "bundles/infrastructure/globalnetworkset-corp.yaml",
            "bundles/infrastructure/overlays/dev/globalnetworkpolicy-security.egress-corp.yaml",
            "bundles/tiers/fleet.yaml",
            "bundles/tiers/tier-security.yaml",
            "gitrepo.yaml",
        ]
    );
    assert_eq!(
        tree.get_str("bundles/tiers/fleet.yaml").unwrap(),
        "labels:\n  netpol.studio/layer: tiers\n"
    );
    assert_eq!(
        tree.get_str("bundles/infrastructure/fleet.yaml").unwrap(),
        "labels:\n  netpol.studio/layer: infrastructure\ndependsOn:\n- name: network-policies-bundles-tiers\n\
         targetCustomizations:\n- name: dev\n  clusterSelector:\n    matchLabels:\n      env: dev\n  yaml:\n    overlays:\n    - dev\n"
    );
    let app = tree
        .get_str("bundles/applications/checkout/fleet.yaml")
        .unwrap();
    assert!(!app.contains("defaultNamespace"), "{app}");
    assert!(
        app.contains("dependsOn:\n- name: network-policies-bundles-infrastructure\n"),
        "{app}"
    );
}

#[test]
fn each_environment_deploys_exactly_its_own_objects() {
    let input = input();
    let tree = export_with(&input, &render).unwrap();
    for (env, set) in &input.environments {
        let deployed = deployed_files(&tree, &env.cluster_labels).unwrap();
        let mut got: Vec<String> = deployed
            .iter()
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .collect();
        let mut want: Vec<String> = set
            .resources()
            .map(|r| render(&r, input.flavour, false))
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "environment {}", env.name);
    }
    let unlabelled = deployed_files(&tree, &Labels::new()).unwrap();
    assert!(
        unlabelled.is_empty(),
        "a cluster of no environment gets nothing"
    );
}

#[test]
fn gitrepo_targets_the_environments() {
    let tree = export_with(&input(), &render).unwrap();
    assert_eq!(
        tree.get_str("gitrepo.yaml").unwrap(),
        "apiVersion: fleet.cattle.io/v1alpha1\nkind: GitRepo\nmetadata:\n  name: network-policies\n  namespace: fleet-default\n\
         spec:\n  repo: https://git.example.com/platform/network-policies\n  branch: main\n  paths:\n  - bundles/tiers\n\
         \x20 - bundles/infrastructure\n  - bundles/applications\n  pollingInterval: 60s\n  correctDrift:\n    enabled: true\n\
         \x20 keepResources: true\n  targets:\n  - name: dev\n    clusterSelector:\n      matchLabels:\n        env: dev\n\
         \x20 - name: prod\n    clusterSelector:\n      matchLabels:\n        env: prod\n"
    );
}

#[test]
fn without_environments_every_cluster_gets_the_fallback() {
    let mut input = input();
    input.environments.clear();
    input.fallback = env_set("prod");
    let tree = export_with(&input, &render).unwrap();
    assert!(!tree.paths().any(|p| p.contains("/overlays/")));
    let deployed = deployed_files(&tree, &Labels::new()).unwrap();
    assert_eq!(deployed.len(), input.fallback.resources().count());
}

#[test]
fn empty_layers_are_skipped_and_dependencies_skip_over_them() {
    let mut input = input();
    for (_, set) in &mut input.environments {
        set.tiers.clear();
        set.policies.retain(|p| p.kind.is_namespaced());
        set.network_sets.clear();
    }
    let tree = export_with(&input, &render).unwrap();
    assert!(tree.get("bundles/tiers/fleet.yaml").is_none());
    assert!(tree.get("bundles/infrastructure/fleet.yaml").is_none());
    let app = tree
        .get_str("bundles/applications/checkout/fleet.yaml")
        .unwrap();
    assert!(!app.contains("dependsOn"), "{app}");
    assert!(
        !tree
            .get_str("gitrepo.yaml")
            .unwrap()
            .contains("bundles/tiers")
    );
}

#[test]
fn teams_group_namespaces_and_colliding_names_are_refused() {
    let mut input = input();
    input.teams.insert("checkout".into(), "Payments".into());
    let tree = export_with(&input, &render).unwrap();
    assert!(
        tree.get("bundles/applications/payments/fleet.yaml")
            .is_some()
    );
    input.environments[1].0.name = "DEV".into();
    assert!(matches!(
        export_with(&input, &render),
        Err(ExportError::Collision { .. })
    ));
}

#[test]
fn the_readme_names_bundles_and_promotion_path() {
    let tree = export_with(&input(), &render).unwrap();
    let readme = tree.get_str("README.md").unwrap();
    assert!(
        readme.contains("`network-policies-bundles-infrastructure`"),
        "{readme}"
    );
    assert!(readme.contains("`dev` → `prod`"), "{readme}");
    assert!(readme.contains("`env=prod`"), "{readme}");
}

/// A random estate: per environment, which of a pool of objects it has and in which variant.
fn arbitrary_input() -> impl proptest::strategy::Strategy<Value = ExportInput> {
    use proptest::prelude::*;
    // Pool: (kind, name, namespace). Variants 0 = absent, 1..=2 = two versions of the object.
    let pool: Vec<(CalicoPolicyKind, &'static str, Option<&'static str>)> = vec![
        (CalicoPolicyKind::GlobalNetworkPolicy, "deny", None),
        (CalicoPolicyKind::GlobalNetworkPolicy, "dns", None),
        (CalicoPolicyKind::NetworkPolicy, "web", Some("shop")),
        (CalicoPolicyKind::NetworkPolicy, "db", Some("shop")),
        (CalicoPolicyKind::NetworkPolicy, "api", Some("pay")),
        (CalicoPolicyKind::StagedNetworkPolicy, "try", Some("pay")),
    ];
    let size = pool.len();
    (
        1usize..=3,
        proptest::collection::vec(proptest::collection::vec(0u8..3, size), 3),
        any::<bool>(),
    )
        .prop_map(move |(env_count, variants, with_tier)| {
            let environments = (0..env_count)
                .map(|e| {
                    let name = ["dev", "staging", "prod"][e];
                    let mut set = ResourceSet::default();
                    if with_tier {
                        set.tiers.push(Tier::new("security", Some(100.0)));
                    }
                    for (i, (kind, pname, ns)) in pool.iter().enumerate() {
                        if variants[e][i] > 0 {
                            set.policies.push(policy(
                                *kind,
                                pname,
                                *ns,
                                "security",
                                &variants[e][i].to_string(),
                            ));
                        }
                    }
                    (
                        Environment {
                            name: name.into(),
                            cluster_labels: [("env".into(), name.into())].into(),
                        },
                        set,
                    )
                })
                .collect();
            ExportInput {
                settings: FleetSettings::default(),
                flavour: ApiFlavour::CrdV1,
                comments: false,
                environments,
                fallback: ResourceSet::default(),
                teams: BTreeMap::new(),
                studio_design: None,
            }
        })
}

proptest::proptest! {
    /// Whatever differs between environments, Fleet (as simulated) deploys to each environment's
    /// clusters exactly that environment's objects, and nothing to a cluster of no environment.
    #[test]
    fn every_environment_deploys_exactly_its_objects(input in arbitrary_input()) {
        let tree = export_with(&input, &render).unwrap();
        for (env, set) in &input.environments {
            let deployed = deployed_files(&tree, &env.cluster_labels).unwrap();
            let mut got: Vec<String> = deployed.iter().map(|(_, b)| String::from_utf8_lossy(b).into_owned()).collect();
            let mut want: Vec<String> = set.resources().map(|r| render(&r, input.flavour, false)).collect();
            got.sort();
            want.sort();
            proptest::prop_assert_eq!(got, want, "environment {}", env.name);
        }
        proptest::prop_assert!(deployed_files(&tree, &Labels::new()).unwrap().is_empty());
        // Every fleet.yaml dependency names a bundle of the export.
        let names: Vec<String> = tree.paths().filter_map(|p| p.strip_suffix("/fleet.yaml")).map(|d| fleet::bundle_name("network-policies", d)).collect();
        for (path, bytes) in tree.iter().filter(|(p, _)| p.ends_with("/fleet.yaml")) {
            let fy: fleet::FleetYaml = super::deploy::from_yaml(std::str::from_utf8(bytes).unwrap()).unwrap();
            for dep in &fy.depends_on {
                proptest::prop_assert!(names.contains(&dep.name), "{path}: {} is no bundle", dep.name);
            }
        }
    }
}

#[test]
fn environments_that_select_each_others_clusters_are_refused() {
    let mut input = input();
    input.environments[0].0.cluster_labels.clear();
    let err = export_with(&input, &render).unwrap_err().to_string();
    assert!(
        err.contains("environments `dev` and `prod` select overlapping clusters"),
        "{err}"
    );
    let mut input = super::tests::input();
    input.environments[0].0.cluster_labels = [
        ("env".into(), "prod".into()),
        ("region".into(), "eu".into()),
    ]
    .into();
    let err = export_with(&input, &render).unwrap_err().to_string();
    assert!(err.contains("`prod` and `dev`"), "{err}");
    // Disjoint labels pass, one environment alone may select every cluster.
    let mut input = super::tests::input();
    input.environments.truncate(1);
    input.environments[0].0.cluster_labels.clear();
    assert!(export_with(&input, &render).is_ok());
}
