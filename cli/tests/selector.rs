//! `netpol selector` against the contract in `../shared/spec/cli.md`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

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

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn expr_with_labels_prints_true_or_false() {
    let cases: &[(&str, &str, &str)] = &[
        ("app == 'web'", "app=web", "true\n"),
        ("app == 'web'", "app=db", "false\n"),
        ("env != 'dev'", "", "true\n"),
        ("env not in {'dev', 'test'}", "app=web", "true\n"),
        ("has(env) && env in {'prod'}", "env=prod,app=x", "true\n"),
        ("!has(env)", "env=", "false\n"),
        ("", "", "true\n"),
        ("-x == 'a'", "-x=a", "true\n"),
        ("!all()", "a=b", "false\n"),
    ];
    for (expr, labels, expected) in cases {
        let mut args = vec!["selector"];
        if !labels.is_empty() {
            args.extend(["--labels", *labels]);
        }
        // `--` lets a selector start with `-` (label keys may).
        args.extend(["--", *expr]);
        let out = netpol(&args, None);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{expr}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(stdout(&out), *expected, "{expr} on {labels}");
    }
}

#[test]
fn syntax_error_prints_message_and_exits_2() {
    let out = netpol(&["selector", "a == 'x' && b"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("13..13: expected an operator"), "{err}");
    assert!(err.contains("\n  a == 'x' && b\n               ^"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(netpol(&["selector"], None).status.code(), Some(2));
    assert_eq!(
        netpol(&["selector", "has(a)", "--labels", "novalue"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        netpol(&["selector", "has(a)", "--batch"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        netpol(&["selector", "has(a)", "--canonical"], None)
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn batch_writes_one_line_per_input_line_in_order() {
    let input = concat!(
        r#"{"selector": "app == 'web'", "labels": {"app": "web"}}"#,
        "\n",
        r#"{"selector": "app == 'web'", "labels": {"app": "db"}}"#,
        "\n",
        "\n",
        r#"{"selector": "a == 'x' && (", "labels": {}}"#,
        "\n",
        r#"{"selector": "env != 'dev'"}"#,
        "\n",
    );
    let out = netpol(&["selector", "--batch"], Some(input));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0], serde_json::json!({"match": true}));
    assert_eq!(lines[1], serde_json::json!({"match": false}));
    assert_eq!(lines[2]["span"], serde_json::json!([13, 13]));
    assert!(
        lines[2]["error"]
            .as_str()
            .is_some_and(|e| e.contains("expected a selector term"))
    );
    assert_eq!(lines[3], serde_json::json!({"match": true}));
}

#[test]
fn batch_canonical_adds_the_canonical_form() {
    let input = concat!(
        r#"{"selector": "b in {'z','y','z'} && !(a == 'x')", "labels": {"b": "y"}}"#,
        "\n",
        r#"{"selector": "", "labels": {}}"#,
        "\n",
        r#"{"selector": "a ==", "labels": {}}"#,
        "\n",
    );
    let out = netpol(&["selector", "--batch", "--canonical"], Some(input));
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(
        lines[0],
        serde_json::json!({"match": true, "canonical": "(b in {\"y\", \"z\"} && !a == \"x\")"})
    );
    assert_eq!(
        lines[1],
        serde_json::json!({"match": true, "canonical": "all()"})
    );
    assert!(lines[2].get("canonical").is_none());
    assert_eq!(lines[2]["span"], serde_json::json!([4, 4]));
}

#[test]
fn batch_bad_request_line_is_reported_and_exits_2() {
    let input = concat!(
        "not json\n",
        r#"{"selector": "has(a)", "labels": {"a": "1"}}"#,
        "\n",
    );
    let out = netpol(&["selector", "--batch"], Some(input));
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].contains("line 1: invalid request"), "{}", lines[0]);
    assert_eq!(lines[1], r#"{"match":true}"#);
}
