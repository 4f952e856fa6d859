//! `netpol impact` on the flow logs real clusters and older releases write (issue 24,
//! `core/tests/data/flows/README.md`): what the import could not take is said on standard error, and
//! the JSON `import` figures add up (`records` and `skipped` as in `cli.md`, plus `events` and
//! `unread_traces`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

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

fn impact(flow_file: &str) -> (Value, String) {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_netpol"))
        .arg("impact")
        .arg("--before")
        .arg(fixture("estate.yaml"))
        .arg("--after")
        .arg(fixture("estate.yaml"))
        .arg(fixture("design.yaml"))
        .arg("--flows")
        .arg(flows(flow_file))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{flow_file}: {stderr}");
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (v, stderr)
}

/// `(format, records, skipped, events, unread_traces, distinct)` of the JSON `import`.
fn figures(v: &Value) -> (String, u64, u64, u64, u64, u64) {
    let i = &v["import"];
    let n = |key: &str| i[key].as_u64().unwrap_or_else(|| panic!("`{key}` in {i}"));
    (
        i["format"].as_str().unwrap_or_default().to_owned(),
        n("records"),
        n("skipped"),
        n("events"),
        n("unread_traces"),
        n("distinct"),
    )
}

/// No row comes from a record that was skipped: every flow counts connections.
fn assert_rows_are_records(v: &Value) {
    let rows = v["flows"].as_array().unwrap();
    assert_eq!(rows.len() as u64, v["import"]["distinct"].as_u64().unwrap());
    assert!(
        rows.iter().all(|f| f["count"].as_u64() > Some(0)),
        "{rows:#?}"
    );
}

#[test]
fn four_part_policy_strings_are_read() {
    let (v, stderr) = impact("calico-enterprise-4-part-policies.jsonl");
    assert_eq!(figures(&v), ("calico".into(), 5, 0, 0, 0, 4));
    assert!(!stderr.contains("warning"), "{stderr}");
    assert_rows_are_records(&v);
    let denied = v["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["observed"] == "deny")
        .count();
    assert_eq!(denied, 2, "the denied records are in the report");
}

#[test]
fn unreadable_traces_are_warnings_and_bad_records_leave_no_row() {
    let (v, stderr) = impact("calico-unreadable-traces.jsonl");
    assert_eq!(figures(&v), ("calico".into(), 6, 2, 0, 2, 3));
    for expected in [
        "calico-unreadable-traces.jsonl:4:1: warning: ",
        "calico-unreadable-traces.jsonl:5:1: warning: `action` is `maybe`",
        "calico-unreadable-traces.jsonl:2:1: warning: the policy trace is kept as unknown: policy `0|security|security.allow-kube-dns`",
        "calico-unreadable-traces.jsonl:3:1: warning: the policy trace is kept as unknown: `policies`",
    ] {
        assert!(stderr.contains(expected), "`{expected}` in {stderr}");
    }
    assert_rows_are_records(&v);
    let rows = v["flows"].as_array().unwrap();
    assert!(
        rows.iter().all(|f| !f["src"]
            .as_str()
            .unwrap_or_default()
            .starts_with("sandbox-dev")),
        "{rows:#?}"
    );
}

#[test]
fn hubble_event_lines_are_counted_apart() {
    let (v, stderr) = impact("hubble-with-events.jsonl");
    assert_eq!(figures(&v), ("hubble".into(), 4, 0, 5, 0, 2));
    assert!(
        stderr.contains("hubble-with-events.jsonl: note: 5 Hubble event lines"),
        "{stderr}"
    );
    assert!(!stderr.contains("warning"), "{stderr}");
    assert_rows_are_records(&v);
}

#[test]
fn broken_json_is_reported_where_it_breaks() {
    let (v, stderr) = impact("calico-trailing-comma.json");
    assert_eq!(figures(&v), ("calico".into(), 1, 1, 0, 0, 0));
    assert!(
        stderr.contains("calico-trailing-comma.json:51:1: warning: not valid JSON: trailing comma"),
        "{stderr}"
    );
}

#[test]
fn a_linseed_list_response_is_read() {
    let (v, stderr) = impact("linseed-flow-logs.json");
    assert_eq!(figures(&v), ("calico".into(), 3, 0, 0, 0, 2));
    assert!(stderr.is_empty(), "{stderr}");
    assert_rows_are_records(&v);
}

#[test]
fn the_table_shows_events_and_unread_traces() {
    for (file, shown) in [
        (
            "hubble-with-events.jsonl",
            "4 records, 0 skipped, 5 events,",
        ),
        (
            "calico-unreadable-traces.jsonl",
            "6 records, 2 skipped, 2 with an unreadable trace,",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_netpol"))
            .arg("impact")
            .arg("--before")
            .arg(fixture("estate.yaml"))
            .arg("--after")
            .arg(fixture("design.yaml"))
            .arg("--flows")
            .arg(flows(file))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(shown), "{file}: {stdout}");
    }
}

/// A gzip log cut short (rotated mid-write): the records before the cut are evaluated, the record the
/// cut went through is a located warning, the break is a warning and the JSON `import.damaged`; the
/// exit code is that of the records read.
#[test]
fn a_gzip_log_cut_short_is_read_up_to_the_cut() {
    let (v, stderr) = impact("calico-enterprise-flows-truncated.jsonl.gz");
    assert_eq!(
        figures(&v),
        ("calico".to_owned(), 37, 1, 0, 0, 20),
        "{}",
        v["import"]
    );
    let damaged = v["import"]["damaged"].as_array().expect("damaged");
    assert_eq!(damaged.len(), 1);
    assert!(
        damaged[0]
            .as_str()
            .unwrap()
            .starts_with("the gzip data ends early after 3565 compressed bytes"),
        "{damaged:?}"
    );
    assert!(
        stderr
            .contains("calico-enterprise-flows-truncated.jsonl.gz:37:769: warning: not valid JSON"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "calico-enterprise-flows-truncated.jsonl.gz: warning: the gzip data ends early"
        ),
        "{stderr}"
    );
    assert_rows_are_records(&v);
}
