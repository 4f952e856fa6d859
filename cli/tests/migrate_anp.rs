//! `netpol migrate-anp` (`cli.md`): one ClusterNetworkPolicy file per migrated policy, the
//! equivalence check on stdout, exit 0 when no verdict changes and 1 when one does.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn netpol(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_netpol"))
        .args(args)
        .output()
        .expect("netpol runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("netpol-migrate-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

const ESTATE: &str = "apiVersion: v1
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
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: prod, labels: {app: api}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}, {containerPort: 9090}]}]}
";

fn anp(port: &str) -> String {
    format!(
        "apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {{name: deny-cross-env}}
spec:
  priority: 10
  subject: {{namespaces: {{matchLabels: {{env: prod}}}}}}
  ingress:
  - name: from-dev
    action: Deny
    from: [{{namespaces: {{matchLabels: {{env: dev}}}}}}]
    ports: [{port}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {{name: default}}
spec:
  subject: {{namespaces: {{}}}}
  egress:
  - name: allow-all
    action: Allow
    to: [{{namespaces: {{}}}}]
"
    )
}

#[test]
fn a_faithful_migration_exits_0_and_writes_one_file_per_policy() {
    let dir = scratch("ok");
    std::fs::write(dir.join("estate.yaml"), ESTATE).unwrap();
    std::fs::write(dir.join("anp.yaml"), anp("{portNumber: {port: 9090}}")).unwrap();
    let out = dir.join("out");
    let o = netpol(&[
        "migrate-anp",
        dir.join("anp.yaml").to_str().unwrap(),
        "--workloads",
        dir.join("estate.yaml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains("into 2 ClusterNetworkPolicies"), "{stdout}");
    assert!(stdout.contains("between 2 workloads"), "{stdout}");
    assert!(stdout.contains(": 0 verdicts change"), "{stdout}");
    let cnp = std::fs::read_to_string(out.join("deny-cross-env.yaml")).unwrap();
    assert!(cnp.contains("kind: ClusterNetworkPolicy"), "{cnp}");
    assert!(cnp.contains("tier: Admin"), "{cnp}");
    assert!(cnp.contains("number: 9090"), "{cnp}");
    let banp = std::fs::read_to_string(out.join("default.yaml")).unwrap();
    assert!(
        banp.contains("tier: Baseline") && banp.contains("action: Accept"),
        "{banp}"
    );
    // The written files read back as ClusterNetworkPolicies, without a warning.
    let v = netpol(&["validate", out.to_str().unwrap()]);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    assert!(String::from_utf8_lossy(&v.stderr).is_empty());
}

#[test]
fn a_named_port_changes_verdicts_and_exits_1_with_the_reason() {
    let dir = scratch("named");
    std::fs::write(
        dir.join("all.yaml"),
        format!("{ESTATE}---\n{}", anp("{namedPort: http}")),
    )
    .unwrap();
    let out = dir.join("out");
    let o = netpol(&[
        "migrate-anp",
        dir.join("all.yaml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "note: AdminNetworkPolicy/deny-cross-env: rule \"from-dev\": named port `http`"
        ),
        "{stdout}"
    );
    // dev/client → prod/api on 9090: denied by the 3.31 rule (every port), allowed after.
    assert!(
        stdout.contains("change: dev/client → prod/api TCP 9090: deny → allow"),
        "{stdout}"
    );
    assert!(
        stdout.contains("expected: Calico 3.31 does not convert named port `http`"),
        "{stdout}"
    );
    assert!(!stdout.contains("TCP 8080: deny → allow"), "{stdout}");
}

#[test]
fn without_admin_policies_there_is_nothing_to_migrate() {
    let dir = scratch("none");
    std::fs::write(dir.join("estate.yaml"), ESTATE).unwrap();
    let o = netpol(&[
        "migrate-anp",
        dir.join("estate.yaml").to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing to migrate"));
}
