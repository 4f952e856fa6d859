//! The Fleet export of the built-in sample design: validated by `../shared/tools/validate-export`
//! (schemas of Fleet and Calico, cross-file rules), in both API flavours and for what every environment
//! really deploys; read back into the same policies; byte-identical when exported twice; and kept as
//! golden files (insta snapshots).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use netpol_core::design;
use netpol_core::export::{self, DesignExportOptions, FileTree};
use netpol_core::model::{ApiFlavour, CalicoPolicy, Labels, ResourceSet};
use netpol_core::yaml;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn options(flavour: ApiFlavour) -> DesignExportOptions {
    DesignExportOptions {
        flavour,
        ..DesignExportOptions::default()
    }
}

fn sample_tree(flavour: ApiFlavour) -> FileTree {
    export::export_design(&design::sample(), &options(flavour)).expect("the sample exports")
}

/// Writes a tree below a fresh temporary directory.
fn write_tree(tree: &FileTree, name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("netpol-export-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, bytes) in tree.iter() {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().expect("files have a parent")).expect("create dir");
        std::fs::write(&file, bytes).expect("write file");
    }
    dir
}

/// Runs the shared validator on a directory; panics with its output when it finds problems.
fn validate(dir: &Path) {
    let (ok, report) = run_validator(dir);
    assert!(
        ok && report.trim_end().ends_with(" 0 problems"),
        "validate-export {} found problems:\n{report}",
        dir.display()
    );
}

/// Runs the shared validator on the objects deployed to one cluster (no `fleet.yaml`, no GitRepo):
/// every object must pass; the only problems allowed are the two that say it is not a repository.
fn validate_deployed(dir: &Path) {
    let (_, report) = run_validator(dir);
    let not_a_repository = [
        "(export):-: no fleet.cattle.io/v1alpha1 GitRepo manifest",
        "(export):-: no fleet.yaml anywhere",
    ];
    let problems: Vec<&str> = report
        .lines()
        .filter(|l| l.contains(": ") && !l.ends_with(" problems"))
        .filter(|l| !not_a_repository.iter().any(|p| l.starts_with(p)))
        .collect();
    assert!(
        problems.is_empty() && report.contains(" documents, "),
        "validate-export {} found problems in the deployed objects:\n{report}",
        dir.display()
    );
}

/// The validator's exit status and its report (stdout, then stderr).
fn run_validator(dir: &Path) -> (bool, String) {
    let python = repo_root().join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `make setup` (or `python3 -m venv .venv && .venv/bin/pip install jsonschema pyyaml`) \
         to install the validator's Python packages",
        python.display()
    );
    let validator = repo_root().join("../shared/tools/validate-export");
    assert!(
        validator.exists(),
        "{} is missing: the shared tools must sit beside the repository",
        validator.display()
    );
    let output = Command::new(&python)
        .arg(&validator)
        .arg(dir)
        .output()
        .expect("run the validator");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), report)
}

/// The objects Fleet deploys to a cluster with `labels`: plain resource files (no `fleet.yaml`, which
/// the validator would check as bundles of a repository this is not).
fn deployed_tree(tree: &FileTree, labels: &Labels) -> FileTree {
    export::deployed_files(tree, labels).expect("the export deploys")
}

fn environments() -> Vec<(String, Labels)> {
    design::sample()
        .environments
        .iter()
        .map(|e| (e.name.clone(), e.cluster_selector.clone()))
        .collect()
}

#[test]
fn the_sample_export_passes_the_validator_in_both_flavours() {
    for flavour in [ApiFlavour::CrdV1, ApiFlavour::V3] {
        let tree = sample_tree(flavour);
        let dir = write_tree(&tree, &format!("{flavour:?}"));
        validate(&dir);
        for (env, labels) in environments() {
            let deployed = deployed_tree(&tree, &labels);
            assert!(
                deployed.iter().any(|(p, _)| p.contains("/tiers/")),
                "{env} gets the tiers"
            );
            validate_deployed(&write_tree(&deployed, &format!("{flavour:?}-{env}")));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Normalises what an export writes explicitly and an import reads back as written.
fn normalised(mut policies: Vec<CalicoPolicy>) -> Vec<CalicoPolicy> {
    for p in &mut policies {
        p.spec.types = p.spec.effective_types();
        p.spec.tier = Some(p.tier().to_owned());
    }
    policies.sort_by(|a, b| {
        (a.kind, &a.metadata.namespace, &a.metadata.name).cmp(&(
            b.kind,
            &b.metadata.namespace,
            &b.metadata.name,
        ))
    });
    policies
}

fn import_tree(tree: &FileTree) -> ResourceSet {
    let mut set = ResourceSet::default();
    for (path, bytes) in tree.iter() {
        if path.ends_with("fleet.yaml") || path == "gitrepo.yaml" || !path.ends_with(".yaml") {
            continue;
        }
        let result = yaml::import_bytes(path, bytes);
        assert_eq!(result.error_count(), 0, "{path}: {:?}", result.diagnostics);
        for r in result.resource_set().resources() {
            set.push(r);
        }
    }
    set
}

#[test]
fn importing_what_each_environment_deploys_gives_back_its_policies() {
    let sample = design::sample();
    for flavour in [ApiFlavour::CrdV1, ApiFlavour::V3] {
        let input = export::design_to_input(&sample, &options(flavour));
        let tree = sample_tree(flavour);
        for (env, expected) in &input.environments {
            let got =
                import_tree(&export::deployed_files(&tree, &env.cluster_labels).expect("deploys"));
            assert_eq!(
                normalised(got.policies.clone()),
                normalised(expected.policies.clone()),
                "{} ({flavour:?})",
                env.name
            );
            let by_name = |mut v: Vec<serde_json::Value>| {
                v.sort_by_key(|x| x.to_string());
                v
            };
            let json = |items: Vec<serde_json::Value>| by_name(items);
            assert_eq!(
                json(
                    got.tiers
                        .iter()
                        .map(|t| serde_json::to_value(t).unwrap())
                        .collect()
                ),
                json(
                    expected
                        .tiers
                        .iter()
                        .map(|t| serde_json::to_value(t).unwrap())
                        .collect()
                ),
                "{}",
                env.name
            );
            assert_eq!(
                json(
                    got.network_sets
                        .iter()
                        .map(|t| serde_json::to_value(t).unwrap())
                        .collect()
                ),
                json(
                    expected
                        .network_sets
                        .iter()
                        .map(|t| serde_json::to_value(t).unwrap())
                        .collect()
                ),
                "{}",
                env.name
            );
            assert_eq!(
                json(
                    got.kubernetes_policies
                        .iter()
                        .map(|t| serde_json::to_value(t).unwrap())
                        .collect()
                ),
                json(
                    expected
                        .kubernetes_policies
                        .iter()
                        .map(|t| serde_json::to_value(t).unwrap())
                        .collect()
                ),
                "{}",
                env.name
            );
            assert!(!got.policies.is_empty(), "{} deploys policies", env.name);
        }
    }
}

#[test]
fn every_policy_of_the_design_reaches_some_environment() {
    let sample = design::sample();
    let tree = sample_tree(ApiFlavour::CrdV1);
    let mut deployed = ResourceSet::default();
    for (_, labels) in environments() {
        for r in import_tree(&export::deployed_files(&tree, &labels).expect("deploys")).resources()
        {
            deployed.push(r);
        }
    }
    for p in &sample.policies {
        assert!(
            deployed
                .policies
                .iter()
                .any(|d| d.metadata.name == p.metadata.name
                    && d.metadata.namespace == p.metadata.namespace),
            "policy {} is deployed nowhere",
            p.metadata.name
        );
    }
}

#[test]
fn exporting_twice_gives_identical_zip_bytes() {
    for flavour in [ApiFlavour::CrdV1, ApiFlavour::V3] {
        let first = export::to_zip(&sample_tree(flavour)).expect("zip");
        let second = export::to_zip(&sample_tree(flavour)).expect("zip");
        assert_eq!(first, second);
    }
}

#[test]
fn the_sample_export_matches_the_golden_files() {
    for flavour in [ApiFlavour::CrdV1, ApiFlavour::V3] {
        let tree = sample_tree(flavour);
        let mut listing = String::new();
        for (path, bytes) in tree.iter() {
            listing.push_str(&format!("=== {path}\n{}", String::from_utf8_lossy(bytes)));
            if !listing.ends_with('\n') {
                listing.push('\n');
            }
        }
        let name = match flavour {
            ApiFlavour::CrdV1 => "sample_export_crd_v1",
            ApiFlavour::V3 => "sample_export_v3",
        };
        insta::assert_snapshot!(name, listing);
    }
}

#[test]
fn the_validator_harness_reports_the_planted_mistakes() {
    // The harness must be able to fail: the shared fixture with planted mistakes does not pass.
    let python = repo_root().join(".venv/bin/python");
    let bad = repo_root().join("../shared/tools/fixtures/bad-export");
    if !python.exists() || !bad.exists() {
        validate(&bad); // fails with the message that says what is missing
    }
    let output = Command::new(&python)
        .arg(repo_root().join("../shared/tools/validate-export"))
        .arg(&bad)
        .output()
        .expect("run the validator");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// The namespaces whose policies a cluster with `labels` gets from `tree`.
fn deployed_namespaces(tree: &FileTree, labels: &Labels) -> Vec<String> {
    let deployed = import_tree(&export::deployed_files(tree, labels).expect("deploys"));
    let mut namespaces: Vec<String> = deployed
        .policies
        .iter()
        .filter_map(|p| p.metadata.namespace.clone())
        .chain(
            deployed
                .kubernetes_policies
                .iter()
                .filter_map(|p| p.metadata.namespace.clone()),
        )
        .collect();
    namespaces.sort();
    namespaces.dedup();
    namespaces
}

#[test]
fn renaming_an_environment_value_keeps_namespaces_in_their_environment() {
    // The sample with a policy in the staging-only namespace too.
    let mut sample = design::sample();
    let mut staging_policy = sample
        .policies
        .iter()
        .find(|p| p.metadata.namespace.as_deref() == Some("checkout"))
        .expect("the sample has a policy in checkout")
        .clone();
    staging_policy.metadata.namespace = Some("checkout-staging".to_owned());
    sample.policies.push(staging_policy);
    let before = export::export_design(&sample, &options(ApiFlavour::CrdV1)).expect("exports");
    let mut renamed = sample.clone();
    let count = design::rename_label_value(
        &mut renamed,
        "security.company.io/environment",
        "staging",
        "preprod",
    )
    .expect("the rename applies");
    assert!(count.environment, "{count:?}");
    let after =
        export::export_design(&renamed, &options(ApiFlavour::CrdV1)).expect("the design exports");

    // Every cluster (labelled as before: the clusters' labels do not change) gets the policies of the
    // same namespaces, and checkout-staging's only on the staging clusters.
    for (env, labels) in environments() {
        let was = deployed_namespaces(&before, &labels);
        assert_eq!(deployed_namespaces(&after, &labels), was, "{env}");
        assert_eq!(
            was.contains(&"checkout-staging".to_owned()),
            env == "staging",
            "{env}: {was:?}"
        );
    }
    // The Fleet target of the environment carries the new name.
    let fleet_yamls: String = after
        .iter()
        .filter(|(path, _)| path.ends_with("fleet.yaml"))
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    assert!(fleet_yamls.contains("name: preprod"), "{fleet_yamls}");
    assert!(!fleet_yamls.contains("name: staging"), "{fleet_yamls}");
    validate(&write_tree(&after, "renamed-environment"));
}

/// The ClusterNetworkPolicy variant of the sample: its ClusterNetworkPolicies go to the infrastructure
/// bundle (cluster-scoped: no namespace), the same in both API flavours, and the validator (which
/// knows the v1alpha2 schema) finds no problem.
#[test]
fn the_cluster_network_policy_sample_exports_valid_in_both_flavours() {
    let variant = design::sample_cluster_network_policy();
    let mut cnp_files = Vec::new();
    for flavour in [ApiFlavour::CrdV1, ApiFlavour::V3] {
        let tree = export::export_design(&variant, &options(flavour)).expect("exports");
        let with_cnp: Vec<(String, String)> = tree
            .iter()
            .filter_map(|(path, bytes)| {
                let text = String::from_utf8_lossy(bytes).into_owned();
                text.contains("kind: ClusterNetworkPolicy")
                    .then(|| (path.to_string(), text))
            })
            .collect();
        assert!(!with_cnp.is_empty());
        for (path, text) in &with_cnp {
            assert!(path.contains("infrastructure"), "{path}");
            assert!(
                text.contains("apiVersion: policy.networking.k8s.io/v1alpha2"),
                "{path}"
            );
        }
        let count: usize = with_cnp
            .iter()
            .map(|(_, t)| t.matches("kind: ClusterNetworkPolicy").count())
            .sum();
        assert_eq!(count, 4);
        cnp_files.push(with_cnp);
        validate(&write_tree(&tree, &format!("cnp-{flavour:?}")));
    }
    assert_eq!(
        cnp_files[0], cnp_files[1],
        "one API group: both flavours write the same files"
    );
}
