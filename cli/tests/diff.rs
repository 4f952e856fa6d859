//! `netpol diff`: the pull-request summary of two designs or resource sets.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::path::PathBuf;
use std::process::Command;

fn netpol() -> Command {
    Command::new(env!("CARGO_BIN_EXE_netpol"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("netpol-cli-diff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The sample design, and a copy whose orders-db policy takes a second ingress rule.
fn designs(dir: &std::path::Path) -> (PathBuf, PathBuf) {
    let old = netpol_core::design::SAMPLE_YAML;
    let marker = "          - 5432\n  # default tier";
    assert!(
        old.contains(marker),
        "the sample still has the orders-db policy before the default tier"
    );
    let extra = "          - 5432\n      - action: Allow\n        protocol: TCP\n        source:\n          selector: app.kubernetes.io/name == \"payment-service\"\n          namespaceSelector: kubernetes.io/metadata.name == \"checkout\"\n        destination:\n          ports:\n          - 5432\n  # default tier";
    let new = old.replace(marker, extra).replace(
        "cidrs: [10.20.0.0/16]",
        "cidrs: [10.20.0.0/16, 10.21.0.0/16]",
    );
    let (a, b) = (dir.join("old.yaml"), dir.join("new.yaml"));
    std::fs::write(&a, old).unwrap();
    std::fs::write(&b, new).unwrap();
    (a, b)
}

#[test]
fn markdown_names_the_added_rule() {
    let dir = scratch("md");
    let (old, new) = designs(&dir);
    let output = netpol().arg("diff").arg(&old).arg(&new).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("**0 added, 0 removed, 1 changed.**"),
        "{text}"
    );
    assert!(
        text.contains("### Changed: `NetworkPolicy` `orders/application.orders-db`"),
        "{text}"
    );
    assert!(text.contains("- ingress rule 1 added: Allow TCP from selector app.kubernetes.io/name == \"payment-service\""), "{text}");
    assert!(text.contains("## Lints"), "{text}");
    assert!(text.contains("- `staging` changed\n  - `cidrs`: `[\"10.20.0.0/16\"]` → `[\"10.20.0.0/16\",\"10.21.0.0/16\"]`"), "{text}");
}

#[test]
fn json_carries_the_diff_and_the_impact_of_flows() {
    let dir = scratch("json");
    let (old, new) = designs(&dir);
    let flows = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/flows/calico-enterprise-flows.jsonl");
    let mut cmd = netpol();
    cmd.arg("diff")
        .arg(&old)
        .arg(&new)
        .args(["--format", "json"]);
    if flows.exists() {
        cmd.arg("--flows").arg(&flows);
    }
    let output = cmd.output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["diff"]["changes"][0]["change"], "changed");
    assert_eq!(json["diff"]["changes"][0]["rules"][0]["edit"], "added");
    if flows.exists() {
        assert!(
            json["impact"]["unchanged_allow"].as_u64().is_some(),
            "{json}"
        );
    } else {
        assert!(json["impact"].is_null());
    }
}

#[test]
fn the_same_version_twice_has_no_change_and_bad_input_exits_2() {
    let dir = scratch("same");
    let (old, _) = designs(&dir);
    let output = netpol().arg("diff").arg(&old).arg(&old).output().unwrap();
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("No policy, tier or network set changed.")
    );
    let output = netpol()
        .arg("diff")
        .arg(&old)
        .arg(dir.join("missing.yaml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let broken = dir.join("broken.yaml");
    std::fs::write(&broken, "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: x}\nspec: {order: high}\n").unwrap();
    let output = netpol()
        .arg("diff")
        .arg(&old)
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("broken.yaml:"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
