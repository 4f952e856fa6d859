//! `netpol recommend`: the contract of `cli.md` over the shared flow-log samples — a design document
//! and its resources, the proof in text, Markdown and JSON, and the exit codes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn netpol() -> Command {
    Command::new(env!("CARGO_BIN_EXE_netpol"))
}

fn flows(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/data/flows")
        .join(name)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "netpol-cli-recommend-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn recommend(flow_file: &str, out: &PathBuf, extra: &[&str]) -> Output {
    netpol()
        .arg("recommend")
        .arg("--flows")
        .arg(flows(flow_file))
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn writes_the_design_and_resources_and_proves_them() {
    let out = scratch("text");
    let run = recommend("flows.csv", &out, &[]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = String::from_utf8(run.stdout).unwrap();
    assert!(
        text.contains("observed: 22 distinct flows (18 allowed, 4 denied)"),
        "{text}"
    );
    assert!(text.contains("broken after: 0"), "{text}");
    assert!(text.contains("widened: "), "{text}");
    assert!(text.contains("policies written: "), "{text}");
    // The design reads back, lints clean, and the resources replay the flows with nothing broken.
    let lint = netpol()
        .args(["lint"])
        .arg(out.join("design.yaml"))
        .output()
        .unwrap();
    assert_eq!(
        lint.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );
    let impact = netpol()
        .arg("impact")
        .arg("--before")
        .arg(out.join("resources"))
        .arg("--after")
        .arg(out.join("design.yaml"))
        .arg("--flows")
        .arg(flows("flows.csv"))
        .args(["--fail-on", "broken"])
        .output()
        .unwrap();
    assert_eq!(
        impact.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&impact.stdout)
    );
    let files: Vec<String> = std::fs::read_dir(out.join("resources"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.iter().any(|f| f.contains("polic")), "{files:?}");
}

#[test]
fn the_same_flows_write_the_same_files() {
    let a = scratch("same-a");
    let b = scratch("same-b");
    recommend("hubble-flows.jsonl", &a, &[]);
    recommend("hubble-flows.jsonl", &b, &[]);
    assert_eq!(
        std::fs::read(a.join("design.yaml")).unwrap(),
        std::fs::read(b.join("design.yaml")).unwrap()
    );
}

#[test]
fn json_and_markdown() {
    let out = scratch("json");
    let run = recommend(
        "calico-enterprise-flows.jsonl",
        &out,
        &["--format", "json", "--staged", "--merge-ports-after", "1"],
    );
    assert_eq!(run.status.code(), Some(0));
    let proof: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(proof["broken"].as_array().unwrap().len(), 0);
    assert_eq!(proof["observed"], 24);
    assert_eq!(proof["staged"], true);
    assert_eq!(proof["widened_enumerated"], true);
    assert_eq!(proof["widened_unexplained"], 0);
    assert!(
        proof["widenings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["kind"] == "port-range")
    );
    let design = std::fs::read_to_string(out.join("design.yaml")).unwrap();
    assert!(design.contains("kind: StagedNetworkPolicy"));
    let md = recommend(
        "goldmane-flows.json",
        &scratch("md"),
        &["--format", "markdown"],
    );
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(
        md.starts_with("## Recommended design: proof against the observed flows"),
        "{md}"
    );
    assert!(md.contains("| Broken after | **0** |"), "{md}");
}

#[test]
fn a_scope_and_a_starting_design() {
    let base = scratch("base");
    netpol()
        .arg("sample")
        .arg("--out")
        .arg(&base)
        .output()
        .unwrap();
    let out = scratch("scoped");
    let run = recommend(
        "flows.csv",
        &out,
        &[
            "--namespace",
            "payments-api",
            "--calico-version",
            "3.31",
            "--design",
            base.join("design.yaml").to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("broken after: 0"), "{stdout}");
    assert!(stdout.contains("(0 unexplained)"), "{stdout}");
    let design = std::fs::read_to_string(out.join("design.yaml")).unwrap();
    assert!(design.contains("name: rancher-calico-zero-trust"));
    assert!(
        design.contains("calicoVersion: '3.31'") || design.contains("calicoVersion: \"3.31\""),
        "{design}"
    );
}

#[test]
fn unreadable_input_exits_2() {
    let out = scratch("bad");
    let run = netpol()
        .args(["recommend", "--flows", "/nonexistent/flows.jsonl", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let bad = scratch("bad-design");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("d.yaml"), "kind: Design\nspec: [").unwrap();
    let run = recommend(
        "flows.csv",
        &out,
        &["--design", bad.join("d.yaml").to_str().unwrap()],
    );
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("d.yaml:"), "{stderr}");
}

/// The recommended design exports to a Fleet repository that `../shared/tools/validate-export`
/// accepts (skipped, saying so, where the project's Python virtualenv is not set up).
#[test]
fn the_recommended_design_exports_to_a_valid_fleet_repository() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join(".venv/bin/python");
    let validator = root.join("../shared/tools/validate-export");
    if !python.exists() || !validator.exists() {
        eprintln!("skipped: no .venv (make setup) or no ../shared/tools/validate-export");
        return;
    }
    for name in [
        "calico-enterprise-flows.jsonl",
        "hubble-flows.jsonl",
        "flows.csv",
    ] {
        let out = scratch(&format!("fleet-{name}"));
        let run = recommend(name, &out, &[]);
        assert_eq!(run.status.code(), Some(0));
        let repo = out.join("fleet");
        let export = netpol()
            .arg("export")
            .arg(out.join("design.yaml"))
            .arg("--out")
            .arg(&repo)
            .output()
            .unwrap();
        assert_eq!(
            export.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&export.stderr)
        );
        let check = Command::new(&python)
            .arg(&validator)
            .arg(&repo)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{name}: {}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
    }
}
