//! `--calico-version` and "never silent": every command that evaluates, lints or validates warns about
//! each object it does not enforce — a kind Netpol Studio does not read (an unknown CRD), a
//! ClusterNetworkPolicy before Calico 3.32, an AdminNetworkPolicy from 3.32 on — and the verdicts
//! follow the chosen release.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn netpol(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_netpol"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("netpol runs");
    if let Some(mut pipe) = child.stdin.take() {
        // A usage error exits before reading: a closed pipe is then the expected outcome.
        let _ = pipe.write_all(stdin.as_bytes());
    }
    child.wait_with_output().expect("netpol finishes")
}

const ESTATE: &str = r#"apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {env: dev}}
---
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: dev, labels: {app: client}}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: prod, labels: {app: api}}
status: {podIP: 10.0.0.2}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: deny-cross-env}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {env: prod}}}
  ingress:
  - name: from-dev
    action: Deny
    from: [{namespaces: {matchLabels: {env: dev}}}]
---
apiVersion: example.com/v1
kind: FirewallRule
metadata: {name: mystery}
spec: {deny: everything}
"#;

fn write_estate(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("netpol-cli-version-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("estate.yaml");
    std::fs::write(&file, ESTATE).expect("write");
    file
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const FLOW: &str =
    r#"{"src": {"ref": "dev/client"}, "dst": {"ref": "prod/api"}, "protocol": "TCP", "port": 80}"#;

/// Each command's arguments for an estate file, and whether its warnings go to stdout (validate
/// prints its problems there) rather than stderr.
fn commands(file: &Path) -> Vec<(Vec<String>, bool)> {
    let f = file.display().to_string();
    let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    vec![
        (args(&["eval", "--resources", &f]), false),
        (
            args(&[
                "explain",
                "--resources",
                &f,
                "--from",
                "dev/client",
                "--to",
                "prod/api",
                "--protocol",
                "TCP",
                "--port",
                "80",
            ]),
            false,
        ),
        (args(&["connectivity", "--resources", &f]), false),
        (args(&["lint", &f]), false),
        (args(&["validate", &f]), true),
    ]
}

#[test]
fn every_evaluating_command_warns_about_an_unknown_crd() {
    let file = write_estate("unknown");
    for (args, on_stdout) in commands(&file) {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = netpol(&refs, FLOW);
        let text = if on_stdout {
            stdout(&out)
        } else {
            stderr(&out)
        };
        assert!(
            text.contains(&format!("{}:32:7: warning: kind `FirewallRule` (`example.com/v1`) is not used by Netpol Studio: skipped", file.display())),
            "{args:?}:\n{text}"
        );
        assert!(
            !text.contains("deny-cross-env is not enforced"),
            "{args:?}: 3.32 enforces CNPs\n{text}"
        );
    }
}

#[test]
fn a_clusternetworkpolicy_denies_on_3_32_and_is_ignored_with_a_warning_on_3_31() {
    let file = write_estate("cnp");
    let f = file.display().to_string();
    let out = netpol(&["eval", "--resources", &f], FLOW);
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    assert_eq!(v["verdict"], "deny", "{v}");
    assert_eq!(v["ingress"]["decided_by"]["policy"], "kcnp:deny-cross-env");
    assert_eq!(v["ingress"]["decided_by"]["tier"], "kube-admin");
    assert_eq!(v["ingress"]["decided_by"]["rule_name"], "from-dev");

    for args in [
        vec!["eval", "--calico-version", "3.31", "--resources", &f],
        vec!["lint", "--calico-version", "3.31", &f],
    ] {
        let out = netpol(&args, FLOW);
        assert!(
            stderr(&out).contains(&format!("{f}:19:1: warning: ClusterNetworkPolicy deny-cross-env is not enforced by Calico 3.31")),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = netpol(
        &["eval", "--calico-version", "3.31", "--resources", &f],
        FLOW,
    );
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    assert_eq!(v["verdict"], "allow", "3.31 does not enforce it: {v}");

    let out = netpol(
        &[
            "validate",
            "--calico-version",
            "3.31",
            "--format",
            "json",
            &f,
        ],
        "",
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let messages: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m
                .starts_with("ClusterNetworkPolicy deny-cross-env is not enforced by Calico 3.31")),
        "{messages:?}"
    );
    assert_eq!(
        report["warnings"], 2,
        "the unknown kind and the ignored CNP"
    );

    let out = netpol(
        &["eval", "--calico-version", "2.0", "--resources", &f],
        FLOW,
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown version is a usage error"
    );
}

#[test]
fn an_admin_network_policy_is_enforced_on_3_31_only() {
    let anp = ESTATE
        .replace(
            "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy",
            "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy",
        )
        .replace("  tier: Admin\n", "");
    let dir = std::env::temp_dir().join(format!("netpol-cli-version-{}-anp", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("estate.yaml");
    std::fs::write(&file, anp).expect("write");
    let f = file.display().to_string();
    let out = netpol(
        &["eval", "--calico-version", "3.31", "--resources", &f],
        FLOW,
    );
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    assert_eq!(v["verdict"], "deny", "{v}");
    assert_eq!(
        v["ingress"]["decided_by"]["policy"],
        "kanp.adminnetworkpolicy.deny-cross-env"
    );
    assert_eq!(v["ingress"]["decided_by"]["tier"], "adminnetworkpolicy");
    let out = netpol(&["eval", "--resources", &f], FLOW);
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    assert_eq!(v["verdict"], "allow", "{v}");
    assert!(
        stderr(&out)
            .contains("warning: AdminNetworkPolicy deny-cross-env is not enforced by Calico 3.32"),
        "{}",
        stderr(&out)
    );
}
