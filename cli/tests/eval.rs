//! `netpol eval`, `netpol explain` and `netpol connectivity` against the contract in `cli.md`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn netpol(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_netpol"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("netpol runs");
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(stdin.unwrap_or("").as_bytes())
            .expect("stdin is writable");
    }
    child.wait_with_output().expect("netpol finishes")
}

const RESOURCES: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    team: a
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  containers:
    - name: web
      image: web
      ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: shop
  labels:
    app: db
spec:
  containers:
    - name: db
      image: postgres
      ports:
        - name: pg
          containerPort: 5432
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: db
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: web
      ports:
        - port: pg
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: security
spec:
  order: 100
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: pass-all
spec:
  tier: security
  selector: all()
  types: [Ingress]
  ingress:
    - action: Log
    - action: Pass
---
apiVersion: projectcalico.org/v3
kind: StagedGlobalNetworkPolicy
metadata:
  name: lock-web
spec:
  selector: app == 'web'
  types: [Ingress]
"#;

/// A directory holding the test resources, unique per test.
fn resources(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("netpol-eval-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("resources.yaml"), RESOURCES).expect("write resources");
    dir
}

fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

#[test]
fn eval_prints_one_verdict_line_per_flow() {
    let dir = resources("eval");
    let flows = [
        r#"{"src": {"ref": "shop/web"}, "dst": {"ref": "shop/db"}, "protocol": "TCP", "port": 5432}"#,
        r#"{"src": {"ref": "shop/web"}, "dst": {"ref": "shop/db"}, "protocol": "TCP", "port": 5433}"#,
        r#"{"src": {"ip": "203.0.113.7"}, "dst": {"ref": "shop/web"}, "protocol": "TCP", "port": 8080}"#,
        r#"{"src": {"namespace": "shop", "labels": {"app": "web"}}, "dst": {"ref": "shop/db"}, "protocol": 6, "port": 5432}"#,
    ]
    .join("\n");
    let out = netpol(
        &["eval", "--resources", dir.to_str().expect("utf-8")],
        Some(&flows),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = lines(&out);
    assert_eq!(got.len(), 4);
    assert_eq!(got[0]["verdict"], "allow");
    assert_eq!(got[0]["staged"], Value::Null);
    assert_eq!(
        got[0]["egress"],
        json!({"verdict": "allow", "decided_by": {"kind": "profile"}})
    );
    assert_eq!(
        got[0]["ingress"]["decided_by"],
        json!({"kind": "rule", "tier": "default", "policy": "knp.default.db", "namespace": "shop", "rule": 0, "action": "Allow"})
    );
    assert_eq!(got[1]["verdict"], "deny");
    assert_eq!(
        got[1]["ingress"]["decided_by"],
        json!({"kind": "end-of-tier", "tier": "default"})
    );
    assert_eq!(got[2]["verdict"], "allow");
    assert_eq!(
        got[2]["staged"], "deny",
        "the staged policy would close web"
    );
    assert_eq!(got[2]["egress"]["decided_by"], json!({"kind": "none"}));
    assert_eq!(
        got[3]["verdict"], "allow",
        "an inline workload with the same labels"
    );
}

#[test]
fn eval_explain_adds_a_trace_per_side() {
    let dir = resources("explain-json");
    let flow = r#"{"src": {"ref": "shop/web"}, "dst": {"ref": "shop/db"}, "protocol": "TCP", "port": 5432}"#;
    let out = netpol(
        &[
            "eval",
            "--resources",
            dir.to_str().expect("utf-8"),
            "--explain",
        ],
        Some(flow),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = lines(&out);
    let trace = &got[0]["ingress"]["trace"];
    assert_eq!(trace[0]["tier"], "security");
    assert_eq!(trace[0]["outcome"], "pass");
    assert_eq!(trace[0]["policies"][0]["logged"], json!([0]));
    assert_eq!(trace[1]["tier"], "default");
    assert_eq!(
        trace[1]["policies"][0]["match"],
        json!({"rule": 0, "action": "Allow"})
    );
    assert_eq!(got[0]["egress"]["trace"], json!([]));
}

#[test]
fn eval_reports_bad_lines_and_unreadable_resources() {
    let dir = resources("bad");
    let out = netpol(
        &["eval", "--resources", dir.to_str().expect("utf-8")],
        Some(
            "{\"src\": {\"ref\": \"shop/nope\"}, \"dst\": {\"ip\": \"1.1.1.1\"}, \"protocol\": \"TCP\"}\n",
        ),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("<stdin>:1:1: error:"));
    assert!(lines(&out)[0]["error"].is_string());
    let out = netpol(&["eval", "--resources", "/nonexistent/netpol"], Some(""));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn explain_prints_each_side_tier_by_tier() {
    let dir = resources("explain-text");
    let out = netpol(
        &[
            "explain",
            "--resources",
            dir.to_str().expect("utf-8"),
            "--from",
            "shop/web",
            "--to",
            "shop/db",
            "--protocol",
            "TCP",
            "--port",
            "5433",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("verdict: deny"), "{text}");
    assert!(text.contains("tier security"), "{text}");
    assert!(text.contains("passed to the next tier"), "{text}");
    assert!(
        text.contains("shop/knp.default.db: no rule matched"),
        "{text}"
    );
    assert!(text.contains("end of tier: deny"), "{text}");
    let out = netpol(
        &[
            "explain",
            "--resources",
            dir.to_str().expect("utf-8"),
            "--from",
            "shop/nope",
            "--to",
            "shop/db",
            "--protocol",
            "TCP",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn connectivity_prints_the_normalized_form() {
    let dir = resources("connectivity");
    let probes = dir.join("probes.json");
    std::fs::write(
        &probes,
        r#"{"external_ips": ["203.0.113.10"], "extra_ports": []}"#,
    )
    .expect("probes");
    let out = netpol(
        &[
            "connectivity",
            "--resources",
            dir.join("resources.yaml").to_str().expect("utf-8"),
            "--probes",
            probes.to_str().expect("utf-8"),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).expect("JSON array");
    let got = got.as_array().expect("array");
    assert!(
        got.contains(&json!({"src": "shop/web", "dst": "shop/db", "proto": "TCP", "port": 5432, "state": "allow"}))
    );
    assert!(
        !got.iter()
            .any(|c| c["src"] == "203.0.113.10" && c["dst"] == "shop/db"),
        "db admits web only"
    );
    assert!(got.contains(
        &json!({"src": "203.0.113.10", "dst": "shop/web", "proto": "TCP", "port": 8080, "state": "allow"})
    ));
    let out = netpol(
        &[
            "connectivity",
            "--resources",
            dir.join("resources.yaml").to_str().expect("utf-8"),
            "--format",
            "csv",
        ],
        None,
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("src,dst,proto,port\nshop/db,shop/web,TCP,8080\n")
    );
}

/// `cli.md`, "Verdicts may be undecidable": a named port against an inline workload without
/// `ports`, and the same workload with its ports given.
#[test]
fn eval_says_undecidable_and_names_the_missing_fact() {
    let dir = resources("undecidable");
    let file = dir.join("named-port.yaml");
    std::fs::write(
        &file,
        "apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: allow-metrics, namespace: shop}
spec:
  selector: app == 'api'
  types: [Ingress]
  ingress:
  - action: Allow
    protocol: TCP
    destination: {ports: [metrics]}
",
    )
    .expect("write");
    let input = [
        r#"{"src": {"ip": "203.0.113.7"}, "dst": {"namespace": "shop", "labels": {"app": "api"}}, "protocol": "TCP", "port": 9090}"#,
        r#"{"src": {"ip": "203.0.113.7"}, "dst": {"namespace": "shop", "labels": {"app": "api"}, "ports": []}, "protocol": "TCP", "port": 9090}"#,
    ]
    .join("\n");
    let out = netpol(
        &["eval", "--resources", file.to_str().expect("utf-8")],
        Some(&input),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines[0]["verdict"], "undecidable");
    assert_eq!(lines[0]["ingress"]["verdict"], "undecidable");
    assert_eq!(
        lines[0]["ingress"]["missing"],
        "the container ports of the workload {app=api} in shop (named port `metrics`)"
    );
    assert_eq!(lines[0]["egress"]["verdict"], "allow");
    assert!(lines[0]["egress"].get("missing").is_none());
    // Ports given, without the name: the rule does not match, as in Calico.
    assert_eq!(lines[1]["verdict"], "deny");
    assert!(lines[1].get("missing").is_none());
}
