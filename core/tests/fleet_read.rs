//! Reading a Fleet repository back (`export::read`): per environment as Fleet deploys it, and as a
//! design whose export is the repository again, byte for byte. On the sample's export, on random
//! designs, and on repositories changed by hand (an overlay patch, a Helm bundle, a non-policy file).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::BTreeSet;

use netpol_core::design::{self, Design};
use netpol_core::export::{self, DesignExportOptions, FileTree, read};
use netpol_core::lint::{self, LintConfig};
use netpol_core::model::{Resource, ResourceSet};

fn sample_tree() -> FileTree {
    export::export_design(&design::sample(), &DesignExportOptions::default()).unwrap()
}

/// Objects of a set, written out, sorted (order-free comparison).
fn texts(set: &ResourceSet) -> Vec<String> {
    // A policy without a tier is in the default tier, which the export writes out.
    let mut out: Vec<String> = set
        .resources()
        .map(|mut r| {
            if let Resource::CalicoPolicy(p) = &mut r {
                p.spec.tier.get_or_insert_with(|| "default".to_owned());
            }
            format!("{r:?}")
        })
        .collect();
    out.sort();
    out
}

fn errors(input: &design::Input) -> Vec<String> {
    input
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.render())
        .collect()
}

#[test]
fn each_environment_of_the_sample_export_reads_as_the_design_deploys_it() {
    let design = design::sample();
    let options = DesignExportOptions::default();
    let expected = export::design_to_input(&design, &options);
    let repo = read::read("repo/", sample_tree());
    assert_eq!(
        repo.environment_names(),
        design
            .environments
            .iter()
            .map(|e| e.name.clone())
            .collect::<Vec<_>>()
    );
    assert!(repo.studio_design.is_some());
    for (env, set) in &expected.environments {
        let input = repo.input(repo.environment(&env.name).unwrap());
        assert_eq!(errors(&input), Vec::<String>::new(), "{}", env.name);
        let (got, want) = (texts(&input.resource_set()), texts(set));
        let missing: Vec<&String> = want.iter().filter(|t| !got.contains(t)).collect();
        let extra: Vec<&String> = got.iter().filter(|t| !want.contains(t)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "environment {}: missing {missing:#?}, extra {extra:#?}",
            env.name
        );
        // Linting the repository's environment is linting the design's environment.
        let config = LintConfig::default();
        let got: BTreeSet<String> = lint::lint_resources(&input.resource_set(), &config)
            .iter()
            .map(|f| format!("{}: {}", f.id, f.message))
            .collect();
        let want: BTreeSet<String> = lint::lint_resources(set, &config)
            .iter()
            .map(|f| format!("{}: {}", f.id, f.message))
            .collect();
        assert_eq!(got, want, "lint of {}", env.name);
        // No file is read twice as two objects: 11 objects deploy as 11.
        let files: Vec<&str> = input.resources().map(|r| r.file.as_str()).collect();
        let distinct: BTreeSet<&str> = files.iter().copied().collect();
        assert_eq!(files.len(), distinct.len(), "{files:?}");
        assert!(files.iter().all(|f| f.starts_with("repo/bundles/")));
    }
}

#[test]
fn the_sample_export_reads_back_as_the_design_and_exports_byte_for_byte() {
    let tree = sample_tree();
    let repo = read::read("", tree.clone());
    let (design, options, notes) = repo.to_design();
    assert!(notes.is_empty(), "{notes:?}");
    let again = export::export_design(&design, &options).unwrap();
    assert_eq!(
        again.paths().collect::<Vec<_>>(),
        tree.paths().collect::<Vec<_>>()
    );
    for (path, bytes) in tree.iter() {
        assert_eq!(
            again.get_str(path),
            std::str::from_utf8(bytes).ok(),
            "{path}"
        );
    }
    // The design is the sample's: estate, layout, environments, and the same objects.
    let sample = design::sample();
    assert_eq!(design.namespaces, sample.namespaces);
    assert_eq!(design.layout, sample.layout);
    assert_eq!(design.environments, sample.environments);
    let sorted = |d: &Design| texts(&design::to_resources(d));
    assert_eq!(sorted(&design), sorted(&sample));
}

#[test]
fn a_zipped_repository_reads_as_the_folder_even_inside_a_top_folder() {
    let tree = sample_tree();
    let zip = export::to_zip(&tree).unwrap();
    let unzipped = netpol_core::export::unzip(&zip).unwrap();
    assert_eq!(unzipped, tree);
    let mut nested = FileTree::new();
    for (path, bytes) in tree.iter() {
        nested.insert(format!("network-policies/{path}"), bytes);
    }
    let repo = read::read("x.zip/", nested);
    assert_eq!(repo.root, "x.zip/network-policies/");
    let (design, options, _) = repo.to_design();
    assert_eq!(export::export_design(&design, &options).unwrap(), tree);
    assert!(netpol_core::export::unzip(b"not a zip").is_err());
}

/// The sample's export with the port of `allow-dns`'s first egress rule changed to `port` on prod
/// clusters by a `_patch` overlay (and a customization for prod in the infrastructure bundle).
pub fn with_prod_patch(port: u16) -> FileTree {
    let mut tree = sample_tree();
    let dir = "bundles/infrastructure";
    let fleet_path = format!("{dir}/fleet.yaml");
    let mut fleet: export::fleet::FleetYaml =
        serde_saphyr::from_str(tree.get_str(&fleet_path).unwrap()).unwrap();
    fleet
        .target_customizations
        .push(export::fleet::TargetCustomization::overlay(
            "prod",
            [("env".to_owned(), "prod".to_owned())].into(),
            "prod".to_owned(),
        ));
    tree.insert(fleet_path, serde_saphyr::to_string(&fleet).unwrap());
    let base = tree
        .get_str(&format!(
            "{dir}/globalnetworkpolicy-platform.allow-dns.yaml"
        ))
        .unwrap()
        .to_owned();
    let value: serde_json::Value = serde_saphyr::from_str(&base).unwrap();
    let mut egress = value["spec"]["egress"].clone();
    egress[0]["destination"]["ports"] = serde_json::json!([port]);
    tree.insert(
        format!("{dir}/overlays/prod/globalnetworkpolicy-platform.allow-dns_patch.yaml"),
        format!("spec:\n  egress: {egress}\n"),
    );
    tree
}

fn dns_ports(set: &ResourceSet) -> String {
    let p = set
        .policies
        .iter()
        .find(|p| p.metadata.name == "allow-dns")
        .unwrap();
    format!("{:?}", p.spec.egress[0].destination.ports)
}

#[test]
fn a_hand_edit_in_an_overlay_patch_changes_that_environment_only_and_shows_in_the_design() {
    let tree = with_prod_patch(5353);
    let repo = read::read("", tree);
    let prod = repo.input(repo.environment("prod").unwrap());
    assert_eq!(errors(&prod), Vec::<String>::new());
    assert!(dns_ports(&prod.resource_set()).contains("5353"));
    let located = prod
        .resources()
        .find(
            |r| matches!(&r.resource, Resource::CalicoPolicy(p) if p.metadata.name == "allow-dns"),
        )
        .unwrap();
    assert!(
        located.file.ends_with("allow-dns_patch.yaml"),
        "{}",
        located.file
    );
    let dev = repo.input(repo.environment("dev").unwrap());
    assert!(!dns_ports(&dev.resource_set()).contains("5353"));
    // The design keeps the last environment's (prod's) version, and says dev and staging differ.
    let (design, _, notes) = repo.to_design();
    assert!(dns_ports(&design::to_resources(&design)).contains("5353"));
    let noted: Vec<String> = notes.iter().map(|d| d.render()).collect();
    assert!(
        noted
            .iter()
            .any(|n| n.contains("allow-dns") && n.contains("`dev`")),
        "{noted:#?}"
    );
}

#[test]
fn a_helm_bundle_and_a_non_policy_file_are_said_and_the_rest_is_read() {
    let mut tree = sample_tree();
    tree.insert(
        "bundles/infrastructure/configmap-notes.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n  namespace: default\ndata:\n  a: b\n",
    );
    tree.insert("docs/notes.yaml", "title: not deployed\n");
    tree.insert(
        "bundles/applications/monitoring/fleet.yaml",
        "helm:\n  releaseName: mon\n",
    );
    tree.insert(
        "bundles/applications/monitoring/Chart.yaml",
        "apiVersion: v2\nname: mon\nversion: 1.0.0\n",
    );
    tree.insert(
        "bundles/applications/monitoring/templates/policy.yaml",
        "apiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata:\n  name: {{ .Values.name }}\n",
    );
    tree.insert("bundles/applications/monitoring/values.yaml", "name: x\n");
    tree.insert(
        "bundles/applications/monitoring/plain.yaml",
        "apiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata:\n  name: application.scrape\n  namespace: monitoring\nspec:\n  tier: application\n  selector: all()\n  ingress:\n  - action: Allow\n",
    );
    let repo = read::read("r/", tree);
    let prod = repo.input(repo.environment("prod").unwrap());
    assert_eq!(errors(&prod), Vec::<String>::new());
    let rendered: Vec<String> = prod.diagnostics.iter().map(|d| d.render()).collect();
    let said = |needle: &str| rendered.iter().any(|r| r.contains(needle));
    assert!(said("is a Helm chart"), "{rendered:#?}");
    assert!(said("r/docs/notes.yaml"), "{rendered:#?}");
    assert!(said("ConfigMap"), "{rendered:#?}");
    let set = prod.resource_set();
    assert!(set.policies.iter().any(|p| p.metadata.name == "scrape"));
    // The templates were not read as resources.
    assert!(!prod.resources().any(|r| r.file.contains("templates/")));
}

mod random {
    use super::*;
    use netpol_core::design::{DesignNamespace, WorkloadGroup};
    use netpol_core::model::vocabulary::annotations::ENVIRONMENTS_ANNOTATION;
    use netpol_core::model::{
        Action, ApiFlavour, CalicoPolicy, CalicoPolicyKind, EntityRule, NetworkSet, NetworkSetSpec,
        ObjectMeta, PolicySpec, PolicyType, Port, Rule, Tier, WorkloadKind,
    };
    use proptest::prelude::*;

    const ENVS: [&str; 3] = ["dev", "staging", "prod"];
    const NAMESPACES: [&str; 4] = ["shop", "pay", "ops", "lab"];

    /// One policy: kind (0 global, 1 namespaced, 2 staged namespaced), namespace index, port,
    /// the environments it is restricted to (bit set; 0 = not restricted), tier index.
    type PolicyParts = (u8, usize, u16, u8, usize);

    fn policy(
        i: usize,
        (kind, ns, port, envs, tier): PolicyParts,
        env_count: usize,
    ) -> CalicoPolicy {
        let (kind, namespace) = match kind {
            0 => (CalicoPolicyKind::GlobalNetworkPolicy, None),
            1 => (CalicoPolicyKind::NetworkPolicy, Some(NAMESPACES[ns])),
            _ => (CalicoPolicyKind::StagedNetworkPolicy, Some(NAMESPACES[ns])),
        };
        let mut metadata = ObjectMeta::named(format!("p{i}"), namespace);
        let restricted: Vec<&str> = (0..env_count)
            .filter(|e| envs & (1 << e) != 0)
            .map(|e| ENVS[e])
            .collect();
        if !restricted.is_empty() {
            metadata
                .annotations
                .insert(ENVIRONMENTS_ANNOTATION.to_owned(), restricted.join(","));
        }
        let mut rule = Rule::new(Action::Allow);
        rule.protocol = Some(netpol_core::model::Protocol::Tcp);
        rule.destination = EntityRule {
            ports: vec![Port::Number(port)],
            selector: Some("app == 'web'".to_owned()),
            ..EntityRule::default()
        };
        CalicoPolicy {
            kind,
            metadata,
            spec: PolicySpec {
                tier: Some(["security", "application"][tier].to_owned()),
                order: Some(100.0 + i as f64),
                selector: Some("all()".to_owned()),
                types: vec![PolicyType::Ingress],
                ingress: vec![rule],
                ..PolicySpec::default()
            },
        }
    }

    prop_compose! {
        fn arbitrary_design()(
            env_count in 0usize..=3,
            cidrs in proptest::collection::vec(proptest::option::of(0u8..4), 3),
            exception in any::<bool>(),
            namespaces in proptest::collection::vec((0usize..=3, 0u8..3), 1..=4),
            policies in proptest::collection::vec((0u8..3, 0usize..4, 1u16..9000, 0u8..8, 0usize..2), 1..8),
            with_set in any::<bool>(),
        ) -> Design {
            let environments = (0..env_count)
                .map(|e| design::Environment {
                    name: ENVS[e].to_owned(),
                    cluster_selector: [("env".to_owned(), ENVS[e].to_owned())].into(),
                    cidrs: cidrs[e].map(|c| vec![format!("10.{}.0.0/16", 10 * e as u8 + c)]).unwrap_or_default(),
                    exceptions: if exception && e == 0 { vec!["10.99.0.0/24".to_owned()] } else { Vec::new() },
                    ..design::Environment::default()
                })
                .collect();
            // Namespace: environment label (index into the environments, or none), team.
            let namespaces = NAMESPACES
                .iter()
                .zip(&namespaces)
                .map(|(name, (env, team))| {
                    let mut labels = netpol_core::model::Labels::new();
                    if *env < env_count {
                        labels.insert("env".to_owned(), ENVS[*env].to_owned());
                    }
                    if *team > 0 {
                        labels.insert("team".to_owned(), format!("team-{team}"));
                    }
                    DesignNamespace {
                        name: (*name).to_owned(),
                        labels: labels.clone(),
                        workloads: vec![WorkloadGroup {
                            name: "web".to_owned(),
                            kind: WorkloadKind::Deployment,
                            labels: [("app".to_owned(), "web".to_owned())].into(),
                            service_account: None,
                            ports: Vec::new(),
                        }],
                    }
                })
                .collect();
            let mut network_sets = Vec::new();
            if with_set {
                network_sets.push(NetworkSet {
                    metadata: ObjectMeta::named("partners", None),
                    spec: NetworkSetSpec {
                        nets: vec!["203.0.113.0/24".to_owned()],
                        ..NetworkSetSpec::default()
                    },
                });
            }
            Design {
                name: "random".to_owned(),
                environments,
                namespaces,
                tiers: vec![Tier::new("security", Some(100.0)), Tier::new("application", Some(200.0))],
                policies: policies
                    .into_iter()
                    .enumerate()
                    .map(|(i, parts)| policy(i, parts, env_count))
                    .collect(),
                network_sets,
                ..Design::default()
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// A Studio export reads back as a design whose export is the same repository, byte for
        /// byte, in either API flavour, with nothing said about it.
        #[test]
        fn read_then_export_is_byte_identical(design in arbitrary_design(), v3 in any::<bool>(), comments in any::<bool>()) {
            let options = DesignExportOptions {
                flavour: if v3 { ApiFlavour::V3 } else { ApiFlavour::CrdV1 },
                comments,
                ..DesignExportOptions::default()
            };
            let tree = export::export_design(&design, &options).unwrap();
            let repo = read::read("", tree.clone());
            let (again, again_options, notes) = repo.to_design();
            prop_assert!(notes.is_empty(), "{:?}", notes);
            prop_assert_eq!(&again_options, &options);
            let exported = export::export_design(&again, &again_options).unwrap();
            prop_assert_eq!(exported.paths().collect::<Vec<_>>(), tree.paths().collect::<Vec<_>>());
            for (path, bytes) in tree.iter() {
                prop_assert_eq!(exported.get_str(path), std::str::from_utf8(bytes).ok(), "{}", path);
            }
        }
    }
}

#[test]
fn without_its_studio_design_a_repository_still_reads_back_to_the_same_bundles() {
    let mut tree = FileTree::new();
    for (path, bytes) in sample_tree().iter() {
        if path != read::STUDIO_DESIGN_PATH {
            tree.insert(path, bytes);
        }
    }
    let repo = read::read("", tree.clone());
    assert!(repo.studio_design.is_none());
    let (design, options, notes) = repo.to_design();
    assert!(notes.is_empty(), "{notes:#?}");
    // Address ranges come back from the guardrails, namespaces from the bundles.
    let sample = design::sample();
    for (got, want) in design.environments.iter().zip(&sample.environments) {
        assert_eq!(got.cidrs, want.cidrs, "{}", got.name);
    }
    let again = export::export_design(&design, &options).unwrap();
    for (path, bytes) in tree
        .iter()
        .filter(|(p, _)| p.starts_with("bundles/") || *p == "gitrepo.yaml")
    {
        assert_eq!(
            again.get_str(path),
            std::str::from_utf8(bytes).ok(),
            "{path}"
        );
    }
    assert_eq!(
        again.paths().filter(|p| p.starts_with("bundles/")).count(),
        tree.paths().filter(|p| p.starts_with("bundles/")).count()
    );
}

#[test]
fn the_sources_say_what_came_from_which_file() {
    let repo = read::read("repo.zip/", sample_tree());
    let sources = repo.sources();
    assert_eq!(
        sources[0],
        (
            "environments dev, staging, prod".to_owned(),
            "repo.zip/gitrepo.yaml".to_owned()
        )
    );
    assert_eq!(sources[1].1, "repo.zip/studio/design.json");
    assert!(sources.contains(&(
        "GlobalNetworkPolicy allow-dns".to_owned(),
        "repo.zip/bundles/infrastructure/globalnetworkpolicy-platform.allow-dns.yaml".to_owned()
    )));
    // The guardrail is the design's environments, not an object of it.
    assert!(!sources.iter().any(|(what, _)| what.contains("guardrail")));
    let (design, _, _) = repo.to_design();
    let objects = design::to_resources(&design);
    let count = objects.tiers.len() + objects.policies.len() + objects.network_sets.len();
    assert_eq!(sources.len(), 2 + count);
}
