//! `netpol probe-plan` on the sample design, fed back to `netpol eval`: every expectation holds (exit
//! 0, each line `as_expected`); a wrong expectation is found (exit 1); Markdown and Jobs list the same
//! probes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn netpol(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_netpol"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // `eval` may finish (a usage error) before reading everything: a broken pipe is fine.
    let _ = input.write_all(stdin.unwrap_or_default().as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

/// The sample design, written by `netpol sample` into a fresh directory.
fn sample_design() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("netpol-probe-plan-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = netpol(&["sample", "--out", dir.to_str().unwrap()], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("design.yaml")
}

fn text(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_sample_plan_evaluated_back_has_every_expectation_right() {
    let design = sample_design();
    let plan = netpol(&["probe-plan", path(&design)], None);
    assert!(
        plan.status.success(),
        "{}",
        String::from_utf8_lossy(&plan.stderr)
    );
    let plan = text(&plan);
    let probes: Vec<serde_json::Value> = serde_json::from_str(&plan).unwrap();
    assert!(probes.iter().any(|p| p["expect"] == "allow"));
    assert!(probes.iter().any(|p| p["expect"] == "deny"));

    let eval = netpol(&["eval", "--resources", path(&design)], Some(&plan));
    assert_eq!(
        eval.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&eval.stderr)
    );
    let lines: Vec<serde_json::Value> = text(&eval)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), probes.len());
    for (line, probe) in lines.iter().zip(&probes) {
        assert_eq!(line["as_expected"], true, "{probe} -> {line}");
        assert_eq!(line["verdict"], probe["expect"]);
    }

    // One wrong expectation: said on stderr with its position, exit code 1.
    let mut wrong = probes.clone();
    let flipped = if wrong[0]["expect"] == "allow" {
        "deny"
    } else {
        "allow"
    };
    wrong[0]["expect"] = serde_json::json!(flipped);
    let eval = netpol(
        &["eval", "--resources", path(&design)],
        Some(&serde_json::to_string(&wrong).unwrap()),
    );
    assert_eq!(eval.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&eval.stderr).contains("<stdin>: flow 1: not as expected"),
        "{}",
        String::from_utf8_lossy(&eval.stderr)
    );
    let first: serde_json::Value =
        serde_json::from_str(text(&eval).lines().next().unwrap()).unwrap();
    assert_eq!(first["as_expected"], false);
}

#[test]
fn markdown_and_jobs_cover_the_same_probes() {
    let design = sample_design();
    let probes: Vec<serde_json::Value> =
        serde_json::from_str(&text(&netpol(&["probe-plan", path(&design)], None))).unwrap();
    let markdown = text(&netpol(
        &["probe-plan", path(&design), "--format", "markdown"],
        None,
    ));
    assert_eq!(
        markdown.lines().filter(|l| l.starts_with("| `")).count(),
        probes.len()
    );
    let out = std::env::temp_dir().join(format!("netpol-probe-jobs-{}.yaml", std::process::id()));
    let jobs = netpol(
        &[
            "probe-plan",
            path(&design),
            "--format",
            "k8s",
            "--image",
            "registry.example/tools:1",
            "--out",
            path(&out),
        ],
        None,
    );
    assert!(jobs.status.success());
    let jobs = std::fs::read_to_string(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    assert!(jobs.contains("image: \"registry.example/tools:1\""));
    let tcp = probes.iter().filter(|p| p["protocol"] == "TCP").count();
    assert_eq!(jobs.matches("nc -z -w 3 ").count(), tcp);
}
