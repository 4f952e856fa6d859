//! Every lint as fixture files: `lint_fixtures/<lint-id>/trigger*.yaml` must raise the lint and
//! `near-miss*.yaml` must not. The findings of each lint's first trigger are one insta snapshot, so a
//! change in wording, location or fix shows up in review. The files are plain Calico YAML: run
//! `netpol lint core/tests/lint_fixtures/<lint-id>/trigger.yaml` to see a lint for yourself.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::path::{Path, PathBuf};

use netpol_core::design;
use netpol_core::lint::{Finding, LINTS, LintConfig, lint_resources};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint_fixtures")
}

fn lint_file(path: &Path) -> Vec<Finding> {
    let text = std::fs::read_to_string(path).expect("read a fixture");
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("fixture.yaml");
    let input = design::import(name, &text);
    assert_eq!(
        input.error_count(),
        0,
        "{}: {:?}",
        path.display(),
        input.diagnostics
    );
    lint_resources(&input.resource_set(), &LintConfig::default())
}

fn files(dir: &Path, stem: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read a lint's fixture directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(stem) && n.ends_with(".yaml"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_fixture_triggers_its_lint_and_every_near_miss_does_not() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("read lint_fixtures")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 15, "fixtures missing: {dirs:?}");
    for dir in dirs {
        let id = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        assert!(
            LINTS.iter().any(|l| l.id == id),
            "{}: not a lint id",
            dir.display()
        );
        let triggers = files(&dir, "trigger");
        let near_misses = files(&dir, "near-miss");
        assert!(
            !triggers.is_empty() && !near_misses.is_empty(),
            "{id}: needs both kinds"
        );
        for (i, trigger) in triggers.iter().enumerate() {
            let of_id: Vec<Finding> = lint_file(trigger)
                .into_iter()
                .filter(|f| f.id == id)
                .collect();
            assert!(
                !of_id.is_empty(),
                "`{id}` should fire on {}",
                trigger.display()
            );
            if i == 0 {
                insta::assert_yaml_snapshot!(id.clone(), of_id);
            }
        }
        for near_miss in &near_misses {
            let of_id: Vec<Finding> = lint_file(near_miss)
                .into_iter()
                .filter(|f| f.id == id)
                .collect();
            assert!(
                of_id.is_empty(),
                "`{id}` should not fire on {}: {of_id:#?}",
                near_miss.display()
            );
        }
    }
}
