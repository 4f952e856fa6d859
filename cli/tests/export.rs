//! `netpol export`: writes the Fleet repository of a design to a directory or a zip.

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
    let dir = std::env::temp_dir().join(format!("netpol-cli-export-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sample_design(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("design.yaml");
    std::fs::write(&path, netpol_core::design::SAMPLE_YAML).unwrap();
    path
}

#[test]
fn exports_to_a_directory_and_removes_stale_bundle_files() {
    let dir = scratch("dir");
    let design = sample_design(&dir);
    let out = dir.join("repo");
    std::fs::create_dir_all(out.join("bundles/applications/gone")).unwrap();
    std::fs::write(
        out.join("bundles/applications/gone/old.yaml"),
        "kind: Stale\n",
    )
    .unwrap();
    std::fs::write(out.join("ci.yaml"), "kept: true\n").unwrap();
    let status = netpol()
        .arg("export")
        .arg(&design)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    assert!(out.join("gitrepo.yaml").exists());
    assert!(out.join("README.md").exists());
    assert!(out.join("bundles/tiers/fleet.yaml").exists());
    assert!(
        !out.join("bundles/applications/gone").exists(),
        "stale bundle files are removed"
    );
    assert!(
        out.join("ci.yaml").exists(),
        "files outside bundles/ are left alone"
    );
    let policy = std::fs::read_to_string(
        out.join("bundles/infrastructure/globalnetworkpolicy-platform.allow-dns.yaml"),
    )
    .unwrap();
    assert!(
        policy.contains("apiVersion: crd.projectcalico.org/v1"),
        "crd-v1 is the default"
    );
    assert!(policy.contains("name: platform.allow-dns"));
}

#[test]
fn exports_the_same_zip_twice_and_honours_the_api_flag() {
    let dir = scratch("zip");
    let design = sample_design(&dir);
    let mut zips = Vec::new();
    for name in ["a.zip", "b.zip"] {
        let out = dir.join(name);
        let status = netpol()
            .args(["export", "--api", "v3", "--out"])
            .arg(&out)
            .arg(&design)
            .status()
            .unwrap();
        assert!(status.success());
        zips.push(std::fs::read(out).unwrap());
    }
    assert_eq!(zips[0], zips[1]);
    assert_eq!(&zips[0][..2], b"PK");
    let text = String::from_utf8_lossy(&zips[0]);
    assert!(text.contains("bundles/tiers/tier-security.yaml"));
}

#[test]
fn an_unreadable_design_exits_2() {
    let dir = scratch("bad");
    let missing = dir.join("missing.yaml");
    let output = netpol()
        .arg("export")
        .arg(&missing)
        .arg("--out")
        .arg(dir.join("o"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.yaml"));
    let broken = dir.join("broken.yaml");
    std::fs::write(
        &broken,
        "apiVersion: studio.netpol.dev/v1alpha1\nkind: Design\nspec: [\n",
    )
    .unwrap();
    let output = netpol()
        .arg("export")
        .arg(&broken)
        .arg("--out")
        .arg(dir.join("o"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("broken.yaml:"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
