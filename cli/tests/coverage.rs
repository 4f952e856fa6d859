//! `netpol coverage` against the contract in `../shared/spec/cli.md`: every format, `--fail-on`,
//! the exit codes, `--calico-version`, and the SARIF log validated against the SARIF 2.1.0 schema.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::path::Path;
use std::process::{Command, Output};

mod support;
use support::assert_valid_sarif;

fn netpol(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_netpol"))
        .current_dir(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/coverage"
        )))
        .args(args)
        .output()
        .expect("netpol runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = netpol(args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            stdout(&out),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// `(workload, ingress, egress)` of a JSON report.
fn states(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["workload"].as_str().unwrap().to_owned(),
                w["ingress"].as_str().unwrap().to_owned(),
                w["egress"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn row(w: &str, i: &str, e: &str) -> (String, String, String) {
    (w.to_owned(), i.to_owned(), e.to_owned())
}

#[test]
fn json_has_the_contract_shape_for_kubernetes_policies() {
    let report = json(&["coverage", "knp.yaml", "workloads.yaml", "--format", "json"]);
    assert_eq!(report["subjects"], "workloads");
    assert_eq!(
        report["summary"],
        serde_json::json!({"workloads": 3, "ingress_uncovered": 1, "egress_uncovered": 2,
            "ingress_open": 0, "egress_open": 0, "exposed": 2, "world_any_port": 0})
    );
    assert_eq!(
        states(&report),
        [
            row("shop/web", "isolated", "isolated"),
            row("shop/db", "isolated", "uncovered"),
            row("ops/toolbox", "uncovered", "uncovered"),
        ]
    );
    let web = &report["workloads"][0]["exposures"][0];
    assert_eq!(
        *web,
        serde_json::json!({"kind": "world", "direction": "ingress", "ports": "TCP/8443",
            "decided_by": {"tier": "default", "policy": "knp.default.web", "namespace": "shop", "rule": 0}})
    );
    let db: Vec<&str> = report["workloads"][1]["exposures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(db, ["sensitive-port"]);
}

#[test]
fn json_reads_calico_tiers_and_their_rules() {
    let report = json(&[
        "coverage",
        "calico.yaml",
        "workloads.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(
        states(&report),
        [
            row("shop/web", "uncovered", "isolated"),
            row("shop/db", "uncovered", "isolated"),
            // DNS, then Pass: nothing after selects `ops/toolbox`, so its profile allows the rest.
            row("ops/toolbox", "uncovered", "open"),
        ]
    );
    let kinds: Vec<(&str, &str, u64)> = report["workloads"][0]["exposures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap(),
                e["decided_by"]["policy"].as_str().unwrap(),
                e["decided_by"]["rule"].as_u64().unwrap(),
            )
        })
        .collect();
    // Rule 0 reaches the metadata address on every port; rule 1 every address on high TCP ports.
    // The DNS policy comes after the Deny: never reached, never reported.
    assert_eq!(
        kinds,
        [
            ("world", "shop-egress", 1),
            ("all-namespaces", "shop-egress", 1),
            ("metadata", "shop-egress", 0),
            ("metadata", "shop-egress", 1),
            ("all-ports", "shop-egress", 0),
            ("wide-range", "shop-egress", 1),
        ]
    );
}

#[test]
fn table_and_markdown_end_with_the_summary_line() {
    let line = "1 of 3 workloads has no ingress policy; 2 have no egress policy; 2 have exposures; 0 reach the world on any port";
    let table = netpol(&["coverage", "knp.yaml", "workloads.yaml"]);
    assert_eq!(table.status.code(), Some(0));
    let text = stdout(&table);
    assert!(text.starts_with("WORKLOAD"), "{text}");
    assert!(text.ends_with(&format!("{line}\n")), "{text}");
    let markdown = stdout(&netpol(&[
        "coverage",
        "knp.yaml",
        "workloads.yaml",
        "--format",
        "markdown",
    ]));
    assert!(markdown.contains(&format!("**{line}**")), "{markdown}");
    assert!(
        markdown.contains("| `shop/web` | isolated | isolated | `world ingress TCP/8443 by tier default, shop/knp.default.web rule 0` |"),
        "{markdown}"
    );
}

#[test]
fn without_workloads_the_report_is_per_label_class() {
    let report = json(&["coverage", "knp.yaml", "--format", "json"]);
    assert_eq!(report["subjects"], "label-classes");
    let names: Vec<(String, String, String)> = states(&report);
    assert_eq!(
        names.last(),
        Some(&row(
            "workloads matching no policy selector",
            "uncovered",
            "uncovered"
        ))
    );
    let table = stdout(&netpol(&["coverage", "knp.yaml"]));
    assert!(table.starts_with("LABEL CLASS"), "{table}");
    assert!(table.contains("(label classes: "), "{table}");
}

#[test]
fn fail_on_uncovered_and_exposed_exit_1_only_when_they_hold() {
    let fail = |args: &[&str]| netpol(args).status.code();
    assert_eq!(
        fail(&[
            "coverage",
            "knp.yaml",
            "workloads.yaml",
            "--fail-on",
            "uncovered"
        ]),
        Some(1)
    );
    assert_eq!(
        fail(&[
            "coverage",
            "knp.yaml",
            "workloads.yaml",
            "--fail-on",
            "exposed"
        ]),
        Some(1)
    );
    assert_eq!(
        fail(&[
            "coverage",
            "covered.yaml",
            "workloads.yaml",
            "--fail-on",
            "uncovered,exposed"
        ]),
        Some(0)
    );
    assert_eq!(
        fail(&["coverage", "covered.yaml", "workloads.yaml"]),
        Some(0)
    );
    assert_eq!(fail(&["coverage", "knp.yaml", "workloads.yaml"]), Some(0));
    assert_eq!(fail(&["coverage", "missing.yaml"]), Some(2));
    assert_eq!(
        fail(&["coverage", "knp.yaml", "--fail-on", "nothing"]),
        Some(2)
    );
}

#[test]
fn cluster_network_policies_follow_the_calico_version() {
    let dir = std::env::temp_dir().join(format!("netpol-coverage-cnp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cnp = dir.join("cnp.yaml");
    std::fs::write(
        &cnp,
        "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: deny-in}\nspec:\n  tier: Baseline\n  priority: 5\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n",
    )
    .unwrap();
    let cnp = cnp.to_str().unwrap();
    let now = json(&["coverage", cnp, "workloads.yaml", "--format", "json"]);
    assert_eq!(now["summary"]["ingress_uncovered"], 0, "{now}");
    let out = netpol(&[
        "coverage",
        cnp,
        "workloads.yaml",
        "--format",
        "json",
        "--calico-version",
        "3.31",
    ]);
    let before: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(before["summary"]["ingress_uncovered"], 3, "{before}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not enforced by Calico 3.31"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sarif_validates_against_the_schema_and_places_every_result() {
    let out = netpol(&[
        "coverage",
        "knp.yaml",
        "workloads.yaml",
        "--format",
        "sarif",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_valid_sarif(&out.stdout);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &log["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "uncovered",
            "world",
            "all-namespaces",
            "metadata",
            "all-ports",
            "wide-range",
            "sensitive-port"
        ]
    );
    let results: Vec<(String, String, u64)> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let place = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                place["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                place["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    let at = |id: &str, file: &str, line: u64| (id.to_owned(), file.to_owned(), line);
    assert_eq!(
        results,
        [
            at("world", "knp.yaml", 3),
            at("uncovered", "workloads.yaml", 18),
            at("sensitive-port", "knp.yaml", 16),
            at("uncovered", "workloads.yaml", 27),
            at("uncovered", "workloads.yaml", 27),
        ]
    );
    // Label classes validate too; the unselected class points at the first file.
    let classes = netpol(&["coverage", "knp.yaml", "--format", "sarif"]);
    assert_valid_sarif(&classes.stdout);
}
