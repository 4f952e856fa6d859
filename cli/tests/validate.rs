//! `netpol validate` and `netpol sample` against the contract in `../shared/spec/cli.md`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn netpol_in(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_netpol"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("netpol runs");
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(stdin.as_bytes()).expect("stdin is writable");
    }
    child.wait_with_output().expect("netpol finishes")
}

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_valid_file_passes() {
    let out = netpol_in(fixtures(), &["validate", "validate/good.yaml"], "");
    assert_eq!(
        text(&out.stdout),
        "1 files, 2 resources, 0 errors, 0 warnings\n"
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn every_problem_of_a_directory_is_reported_with_file_line_and_caret() {
    let out = netpol_in(fixtures(), &["validate", "validate"], "");
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("validate_directory_text", text(&out.stdout));
}

#[test]
fn json_format_lists_diagnostics_and_objects() {
    let out = netpol_in(
        fixtures(),
        &["validate", "--format", "json", "validate"],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("validate_directory_json", text(&out.stdout));
}

#[test]
fn standard_input_is_read_for_a_dash() {
    let out = netpol_in(
        fixtures(),
        &["validate", "-"],
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
    );
    assert_eq!(
        text(&out.stdout),
        "1 files, 1 resources, 0 errors, 0 warnings\n"
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn binary_input_is_an_error_not_a_crash() {
    let out = netpol_in(fixtures(), &["validate", "-"], "\u{0}\u{1}\u{2}binary");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).starts_with("<stdin>: error: file is binary"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn an_unreadable_path_exits_2_with_a_message_on_stderr() {
    let out = netpol_in(fixtures(), &["validate", "validate/missing.yaml"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot read validate/missing.yaml"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn the_sample_is_written_and_validates_cleanly() {
    let dir = std::env::temp_dir().join(format!("netpol-sample-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = netpol_in(
        fixtures(),
        &["sample", "--out", &dir.display().to_string()],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let design = std::fs::read_to_string(dir.join("design.yaml")).unwrap_or_default();
    assert!(design.contains("kind: Design"));
    let mut names: Vec<String> = std::fs::read_dir(dir.join("resources"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    assert_eq!(
        names,
        [
            "00-tiers.yaml",
            "05-ip-pools.yaml",
            "10-namespaces.yaml",
            "20-network-sets.yaml",
            "30-policies.yaml",
            "50-workloads.yaml"
        ]
    );
    let resources = netpol_in(&dir, &["validate", "resources"], "");
    assert_eq!(
        text(&resources.stdout),
        "6 files, 34 resources, 0 errors, 0 warnings\n"
    );
    let design_only = netpol_in(&dir, &["validate", "design.yaml"], "");
    assert_eq!(
        text(&design_only.stdout),
        "1 files, 34 resources, 0 errors, 0 warnings\n"
    );
    let policies =
        std::fs::read_to_string(dir.join("resources/30-policies.yaml")).unwrap_or_default();
    insta::assert_snapshot!("sample_policies", policies);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn what_the_api_server_rejects_is_rejected_with_its_position_even_across_files() {
    let dir = std::env::temp_dir().join(format!("netpol-validate-parity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n  - ports:\n    - {port: http, endPort: 8080}\n";
    let valid = policy
        .replace("{port: http, endPort: 8080}", "{port: 8080}")
        .replace("name: web", "name: api");
    std::fs::write(dir.join("a.yaml"), format!("{policy}---\n{valid}")).unwrap();
    std::fs::write(dir.join("b.yaml"), &valid).unwrap();
    let out = netpol_in(&dir, &["validate", "a.yaml", "b.yaml"], "");
    let report = text(&out.stdout);
    assert!(
        report.contains("a.yaml:8:29: error: `spec.ingress[0].ports[0].endPort` may not be given with a named `port`"),
        "{report}"
    );
    assert!(
        report.contains(
            "b.yaml:1:1: error: NetworkPolicy `shop/api` is defined twice (first at a.yaml:10:1)"
        ),
        "{report}"
    );
    assert_eq!(out.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The ClusterNetworkPolicy variant: written, valid, lint-clean, and its guardrails in their own file.
#[test]
fn the_cluster_network_policy_sample_is_written_and_validates_cleanly() {
    let dir = std::env::temp_dir().join(format!("netpol-sample-cnp-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = netpol_in(
        fixtures(),
        &[
            "sample",
            "--cluster-network-policy",
            "--out",
            &dir.display().to_string(),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let resources = netpol_in(&dir, &["validate", "resources"], "");
    assert_eq!(
        text(&resources.stdout),
        "7 files, 35 resources, 0 errors, 0 warnings\n"
    );
    let lint = netpol_in(&dir, &["lint", "design.yaml", "--deny", "warnings"], "");
    assert_eq!(lint.status.code(), Some(0), "{}", text(&lint.stdout));
    let cluster = std::fs::read_to_string(dir.join("resources/45-cluster-network-policies.yaml"))
        .unwrap_or_default();
    assert_eq!(
        cluster.matches("kind: ClusterNetworkPolicy").count(),
        4,
        "{cluster}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
