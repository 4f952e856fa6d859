//! `netpol impact`: the contract of `cli.md` over the shared flow-log samples and a small estate
//! (`fixtures/impact/estate.yaml`, what is deployed) with a design (`design.yaml`: the database accepts
//! only payments-api on 5432, and a staged cross-environment deny).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn netpol() -> Command {
    Command::new(env!("CARGO_BIN_EXE_netpol"))
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/impact")
        .join(name)
}

fn flows(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/data/flows")
        .join(name)
}

fn impact(flow_file: &PathBuf, extra: &[&str]) -> Output {
    netpol()
        .arg("impact")
        .arg("--before")
        .arg(fixture("estate.yaml"))
        .arg("--after")
        .arg(fixture("estate.yaml"))
        .arg(fixture("design.yaml"))
        .arg("--flows")
        .arg(flow_file)
        .args(extra)
        .output()
        .unwrap()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn json_follows_the_contract() {
    let out = impact(
        &flows("calico-enterprise-flows.jsonl"),
        &["--format", "json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["import"]["format"], "calico");
    assert_eq!(v["import"]["records"], 60);
    assert_eq!(v["import"]["skipped"], 0);
    for key in ["distinct", "unmatched"] {
        assert!(v["import"][key].is_u64(), "{key}");
    }
    for key in ["broken", "widened", "unchanged_allow", "unchanged_deny"] {
        assert!(v["summary"][key].is_u64(), "{key}");
    }
    // Two workload pairs, each denied by two database pods: the flow log names the pods of denied
    // flows, one row per pod.
    assert_eq!(v["summary"]["broken"], 4);
    let flows = v["flows"].as_array().unwrap();
    assert_eq!(
        flows.len() as u64,
        v["import"]["distinct"].as_u64().unwrap()
    );
    for f in flows {
        for key in ["src", "dst", "protocol", "count", "observed", "change"] {
            assert!(!f[key].is_null(), "{key} in {f}");
        }
        // An unmatched flow has no verdicts, but says why.
        let key = if f["change"] == "unmatched" {
            "unmatched"
        } else {
            "after_decided_by"
        };
        assert!(!f[key].is_null(), "{key} in {f}");
    }
    let broken = flows
        .iter()
        .find(|f| {
            f["change"] == "broken" && f["src"].as_str().unwrap().starts_with("checkout-web/")
        })
        .unwrap();
    assert_eq!(
        (broken["protocol"].as_str(), broken["port"].as_u64()),
        (Some("TCP"), Some(5432))
    );
    assert_eq!(
        (broken["before"].as_str(), broken["after"].as_str()),
        (Some("allow"), Some("deny"))
    );
    assert_eq!(broken["after_decided_by"]["ingress"]["kind"], "end-of-tier");
    let rule = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["policy"] == "postgres-ingress")
        .unwrap();
    assert!(
        rule["hits"].as_u64().unwrap() > 0 && rule["tier"] == "application" && rule["rule"] == 0
    );
    assert!(v["unused"].is_array());
}

#[test]
fn fail_on_gates_the_pull_request() {
    let file = flows("calico-enterprise-flows.jsonl.gz");
    assert_eq!(
        impact(&file, &["--fail-on", "broken"]).status.code(),
        Some(1)
    );
    assert_eq!(impact(&file, &["--fail-on", "any"]).status.code(), Some(1));
    assert_eq!(
        impact(&file, &["--fail-on", "widened"]).status.code(),
        Some(0)
    );
    assert_eq!(impact(&file, &[]).status.code(), Some(0));
    let same = netpol()
        .args(["impact", "--fail-on", "any", "--before"])
        .arg(fixture("estate.yaml"))
        .arg("--after")
        .arg(fixture("estate.yaml"))
        .arg("--flows")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );
}

#[test]
fn table_and_markdown_name_the_broken_flows() {
    let out = impact(&flows("hubble-flows.jsonl"), &[]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("summary: 2 broken"), "{table}");
    assert!(
        table.contains("checkout-web/checkout-web -> payments-db/payments-postgres"),
        "{table}"
    );
    let out = impact(&flows("goldmane-flows.json"), &["--format", "markdown"]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("#### Broken flows (2)"), "{md}");
    assert!(
        md.contains("| :x: broken (allowed before, denied after) | 2 |"),
        "{md}"
    );
}

#[test]
fn every_sample_format_gives_the_same_verdicts() {
    for name in [
        "calico-felix-3.32-flows.jsonl",
        "goldmane-emitter-flows.jsonl",
        "flows.csv",
        "goldmane-flows.json",
        "hubble-flows.jsonl",
    ] {
        let v = json(&impact(&flows(name), &["--format", "json"]));
        assert_eq!(v["summary"]["broken"], 2, "{name}");
        assert_eq!(v["summary"]["widened"], 0, "{name}");
    }
}

#[test]
fn suggestions_are_policies_to_apply() {
    let v = json(&impact(
        &flows("calico-enterprise-flows.jsonl"),
        &["--format", "json", "--suggest-tier", "application"],
    ));
    let suggestions = v["suggestions"].as_array().unwrap();
    assert_eq!(
        suggestions.len(),
        2,
        "one per broken workload pair: {suggestions:#?}"
    );
    for s in suggestions {
        assert_eq!(s["lets_through"], true);
        assert_eq!(s["policy"]["apiVersion"], "projectcalico.org/v3");
        assert_eq!(s["policy"]["kind"], "NetworkPolicy");
        assert_eq!(s["policy"]["spec"]["tier"], "application");
    }
}

#[test]
fn flows_from_standard_input_and_broken_lines() {
    let mut text = std::fs::read_to_string(flows("flows.csv")).unwrap();
    text.push_str("a,b,,c,d,,,TCP,notaport,allow,1\n");
    let mut child = netpol()
        .arg("impact")
        .arg("--before")
        .arg(fixture("estate.yaml"))
        .arg("--after")
        .arg(fixture("estate.yaml"))
        .args(["--flows", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("<stdin>:42:1: warning: `dst_port` `notaport`"),
        "{stderr}"
    );
    let v = json(&out);
    assert_eq!(
        (
            v["import"]["records"].as_u64(),
            v["import"]["skipped"].as_u64()
        ),
        (Some(41), Some(1))
    );
}

#[test]
fn unreadable_input_exits_2() {
    let dir = std::env::temp_dir().join(format!("netpol-impact-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junk = dir.join("junk.bin");
    std::fs::write(
        &junk,
        [0x00u8, 0xff, 0x13, 0x37, 0x80, 0x81, 0x82, 0x83].repeat(100),
    )
    .unwrap();
    let out = impact(&junk, &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("junk.bin: error: not a flow log") && stderr.contains("Hubble"),
        "{stderr}"
    );
    let out = impact(&dir.join("missing.jsonl"), &[]);
    assert_eq!(out.status.code(), Some(2));
    let gz = std::fs::read(flows("calico-enterprise-flows.jsonl.gz")).unwrap();
    let cut = dir.join("cut.jsonl.gz");
    std::fs::write(&cut, &gz[..gz.len() / 2]).unwrap();
    // A gzip log cut short is read up to the cut, with a warning (`impact_flow_files.rs`); cut before
    // anything decodes, it cannot be read at all.
    let out = impact(&cut, &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ends early"));
    std::fs::write(&cut, &gz[..10]).unwrap();
    let out = impact(&cut, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("truncated"));
}
