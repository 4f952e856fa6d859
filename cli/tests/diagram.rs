//! `netpol diagram` (`cli.md`): the sample design as SVG, Mermaid and DOT, the same picture from the
//! design, its resource files and one environment of its Fleet export; `--out` writes the bytes
//! standard output would get; the same input gives the same bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn netpol(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_netpol"));
    for arg in args {
        command.arg(arg);
    }
    command.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh directory holding `netpol sample --out`: `design.yaml` and `resources/`.
fn sample(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("netpol-cli-diagram-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = netpol(&[&"sample", &"--out", &dir]);
    assert!(o.status.success(), "{}", stderr(&o));
    dir
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

#[test]
fn the_sample_design_in_each_format() {
    let dir = sample("formats");
    let design = dir.join("design.yaml");
    let svg = ok(netpol(&[&"diagram", &design]));
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert!(svg.contains("coredns") && svg.contains("the world"));
    assert_eq!(svg, ok(netpol(&[&"diagram", &design, &"--format", &"svg"])));

    let mermaid = ok(netpol(&[&"diagram", &design, &"--format", &"mermaid"]));
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    assert!(mermaid.contains("subgraph") && mermaid.contains("-->|\"TCP 5432\"|"));

    let dot = ok(netpol(&[&"diagram", &design, &"--format", &"dot"]));
    assert!(dot.starts_with("digraph netpol {"), "{dot}");
    assert!(dot.contains("subgraph \"cluster_0\""));
    assert!(dot.trim_end().ends_with('}'));
}

#[test]
fn the_design_and_its_resource_files_draw_the_same_picture() {
    let dir = sample("same");
    let from_design = ok(netpol(&[
        &"diagram",
        &dir.join("design.yaml"),
        &"--format",
        &"mermaid",
    ]));
    let from_files = ok(netpol(&[
        &"diagram",
        &dir.join("resources"),
        &"--format",
        &"mermaid",
    ]));
    assert_eq!(from_design, from_files);
}

#[test]
fn out_writes_what_stdout_gets_and_runs_repeat_byte_for_byte() {
    let dir = sample("out");
    let design = dir.join("design.yaml");
    let file = dir.join("picture.svg");
    let o = netpol(&[&"diagram", &design, &"--out", &file]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written, ok(netpol(&[&"diagram", &design])));
    assert_eq!(written, ok(netpol(&[&"diagram", &design])));
}

#[test]
fn a_fleet_repository_is_drawn_per_environment() {
    let dir = sample("fleet");
    let repo = dir.join("repo");
    let o = netpol(&[&"export", &dir.join("design.yaml"), &"--out", &repo]);
    assert!(o.status.success(), "{}", stderr(&o));
    let prod = ok(netpol(&[
        &"diagram",
        &repo,
        &"--env",
        &"prod",
        &"--format",
        &"mermaid",
    ]));
    assert!(prod.starts_with("flowchart LR\n"));
    // Several environments and none chosen: a usage error that names them.
    let o = netpol(&[&"diagram", &repo]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--env"), "{}", stderr(&o));
}

#[test]
fn unreadable_input_is_a_usage_error() {
    let o = netpol(&[&"diagram", &Path::new("/nonexistent/netpol-diagram.yaml")]);
    assert_eq!(o.status.code(), Some(2));
}
