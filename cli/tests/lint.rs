//! `netpol lint` against the contract in `../shared/spec/cli.md`: `FILE:LINE:COL: warning[ID]: message`
//! plus a suggested fix, exit 1 on errors (and on warnings with `--deny warnings`), 2 on usage errors.

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
            "/tests/fixtures"
        )))
        .args(args)
        .output()
        .expect("netpol runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn errors_are_printed_with_their_position_and_fix_and_fail_the_run() {
    let out = netpol(&["lint", "lint/mistakes.yaml"]);
    let text = stdout(&out);
    assert!(text.contains("lint/mistakes.yaml:1:1: error[tier-not-found]: policy `security.100-allow-dns` is in tier `platform`"), "{text}");
    assert!(
        text.contains("lint/mistakes.yaml:16:1: error[default-deny-selects-system-namespaces]"),
        "{text}"
    );
    assert!(text.contains("  = fix: "), "{text}");
    assert!(
        text.ends_with("6 findings: 2 errors, 4 warnings, 0 info\n"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn warnings_fail_only_when_denied() {
    let out = netpol(&["lint", "lint/warnings-only.yaml"]);
    let text = stdout(&out);
    assert!(
        text.contains("lint/warnings-only.yaml:1:1: warning[tier-order-tie]: tiers `platform` and `security` both have order 100"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        netpol(&["lint", "lint/warnings-only.yaml", "--deny", "warnings"])
            .status
            .code(),
        Some(1)
    );
    let allowed = netpol(&[
        "lint",
        "lint/warnings-only.yaml",
        "--deny",
        "warnings",
        "--allow",
        "tier-order-tie",
    ]);
    assert_eq!(allowed.status.code(), Some(0), "{}", stdout(&allowed));
    assert!(stdout(&allowed).ends_with("0 findings: 0 errors, 0 warnings, 0 info\n"));
}

#[test]
fn json_output_carries_findings_and_machine_fixes() {
    let out = netpol(&["lint", "lint/mistakes.yaml", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["errors"], 2);
    let findings = report["findings"].as_array().expect("findings");
    let order = findings
        .iter()
        .find(|f| f["id"] == "name-order-mismatch")
        .expect("name-order-mismatch");
    assert_eq!(order["location"]["line"], 1);
    assert_eq!(order["fix"]["changes"][0]["path"], "/spec/order");
    assert_eq!(order["fix"]["changes"][0]["value"], 100.0);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_sample_design_lints_clean() {
    let dir = std::env::temp_dir().join(format!("netpol-lint-sample-{}", std::process::id()));
    let dir_text = dir.display().to_string();
    assert_eq!(
        netpol(&["sample", "--out", &dir_text]).status.code(),
        Some(0)
    );
    for path in [dir.join("design.yaml"), dir.join("resources")] {
        let out = netpol(&["lint", &path.display().to_string(), "--deny", "warnings"]);
        assert_eq!(stdout(&out), "0 findings: 0 errors, 0 warnings, 0 info\n");
        assert_eq!(out.status.code(), Some(0));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_lint_ids_are_usage_errors() {
    let out = netpol(&["lint", "lint/mistakes.yaml", "--allow", "no-such-lint"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown lint `no-such-lint`"));
    assert_eq!(
        netpol(&["lint", "lint/does-not-exist.yaml"]).status.code(),
        Some(2)
    );
}

#[test]
fn sarif_output_validates_against_the_schema_and_places_every_finding() {
    let out = netpol(&["lint", "lint/mistakes.yaml", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    assert_valid_sarif(&out.stdout);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let list = stdout(&netpol(&["lint", "--list"]));
    assert_eq!(rules.len(), list.lines().count());
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    let tier = results
        .iter()
        .find(|r| r["ruleId"] == "tier-not-found")
        .expect("tier-not-found");
    assert_eq!(tier["level"], "error");
    let place = &tier["locations"][0]["physicalLocation"];
    assert_eq!(place["artifactLocation"]["uri"], "lint/mistakes.yaml");
    assert_eq!(place["region"]["startLine"], 1);
    assert_eq!(place["region"]["startColumn"], 1);
    let index = tier["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "tier-not-found");
    // A clean run is a valid log with no results.
    let clean = netpol(&[
        "lint",
        "lint/warnings-only.yaml",
        "--format",
        "sarif",
        "--allow",
        "tier-order-tie",
    ]);
    assert_valid_sarif(&clean.stdout);
    assert_eq!(clean.status.code(), Some(0));
}

#[test]
fn list_prints_every_lint_without_a_path() {
    let out = netpol(&["lint", "--list"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let first = text.lines().next().unwrap();
    let fields: Vec<&str> = first.split_whitespace().collect();
    assert_eq!(fields[0], "no-global-default-deny");
    assert_eq!(fields[1], "warning");
    assert!(text.contains("tier-not-found"), "{text}");
    let json = netpol(&["lint", "--list", "--format", "json"]);
    let lints: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(lints.as_array().unwrap().len(), text.lines().count());
    assert_eq!(lints[0]["severity"], "warning");
    assert_eq!(netpol(&["lint"]).status.code(), Some(2));
}

#[test]
fn fail_on_picks_the_least_severe_failing_finding() {
    let file = "lint/warnings-only.yaml";
    for (args, code) in [
        (&["--fail-on", "error"][..], 0),
        (&["--fail-on", "warning"][..], 1),
        (&["--fail-on", "note"][..], 1),
        (&["--fail-on", "info"][..], 1),
        (&["--deny", "warnings"][..], 1),
        (&["--fail-on", "note", "--allow", "tier-order-tie"][..], 0),
    ] {
        let mut all = vec!["lint", file];
        all.extend_from_slice(args);
        assert_eq!(netpol(&all).status.code(), Some(code), "{args:?}");
    }
    assert_eq!(
        netpol(&["lint", "lint/mistakes.yaml", "--fail-on", "error"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        netpol(&["lint", file, "--fail-on", "fatal"]).status.code(),
        Some(2)
    );
}
