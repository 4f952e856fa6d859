//! Every lint as fixture files: `lint_fixtures/<lint-id>/trigger*.yaml` must raise the lint and
//! `near-miss*.yaml` must not. The findings of each lint's first trigger are one insta snapshot, so a
//! change in wording, location or fix shows up in review. The files are plain Calico/Kubernetes YAML
//! or one design document: run `netpol lint core/tests/lint_fixtures/<lint-id>/trigger.yaml` to see a
//! lint for yourself. A file whose first line says `(calico-version: X)` is read as that release; a
//! `flows.csv` beside the files is replayed through `lint::lint_flows`.
//!
//! Every lint of the registry ([`LINTS`]) has a directory, and the directory's `why.md` with the
//! trigger and near miss make up its section of `docs/lints.md`, which this test generates: the page
//! cannot drift from the registry or from what the lints do (`UPDATE_LINT_DOCS=1` rewrites it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

#[path = "support/fixture_resources.rs"]
mod fixture_resources;
use fixture_resources::fixture_resources;

use std::path::{Path, PathBuf};

use netpol_core::design;
use netpol_core::lint::{Finding, LINTS, LintConfig, lint_design, lint_flows, lint_resources};

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
    let config = LintConfig::default();
    if let Some(design) = input.single_design() {
        return lint_design(design, &config);
    }
    let set = fixture_resources(&input, &text);
    let mut found = lint_resources(&set, &config);
    let flows = path.with_file_name("flows.csv");
    if flows.exists() {
        let bytes = std::fs::read(&flows).expect("read flows.csv");
        let flows = netpol_core::flows::import_bytes(&bytes, Default::default()).expect("flows");
        found.extend(lint_flows(&set, &flows, &config));
    }
    found
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
    // Every wrong fixture at once: a change to a lint often moves several.
    let mut wrong = Vec::new();
    for lint in LINTS {
        assert!(
            dirs.iter().any(|d| d.ends_with(lint.id)),
            "`{}` has no fixture directory lint_fixtures/{}",
            lint.id,
            lint.id
        );
    }
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
            if of_id.is_empty() {
                wrong.push(format!("`{id}` should fire on {}", trigger.display()));
            }
            if i == 0 {
                insta::assert_yaml_snapshot!(id.clone(), of_id);
            }
        }
        for near_miss in &near_misses {
            let of_id: Vec<Finding> = lint_file(near_miss)
                .into_iter()
                .filter(|f| f.id == id)
                .collect();
            if !of_id.is_empty() {
                let said: Vec<&str> = of_id.iter().map(|f| f.message.as_str()).collect();
                wrong.push(format!(
                    "`{id}` should not fire on {}: {said:#?}",
                    near_miss.display()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `docs/lints.md`: every lint in registry order with what it catches, why it matters, what `netpol`
/// says on the bad example (the trigger) and the good one (the near miss, as a change of the bad).
fn lint_docs() -> String {
    let mut out = String::from(
        "# Lints\n\n\
         <!-- Generated by `cargo test -p netpol-core --test lint_fixtures` from the lint registry \
         (`core/src/lint.rs`) and `core/tests/lint_fixtures/`; `UPDATE_LINT_DOCS=1` rewrites it. \
         Do not edit by hand. -->\n\n\
         `netpol lint` reports these findings (`netpol lint --list` prints the table). Turn one off with \
         `--allow ID` or in a design's `spec.lint.allow`. Every bad example below is a test fixture \
         that raises its lint, and every good one a fixture that does not: run \
         `netpol lint core/tests/lint_fixtures/ID/trigger.yaml` to see a lint for yourself.\n\n\
         | Lint | Severity | What it catches |\n|---|---|---|\n",
    );
    for lint in LINTS {
        out.push_str(&format!(
            "| [`{}`](#{}) | {} | {} |\n",
            lint.id,
            lint.id,
            lint.severity,
            lint.summary.replace('|', "\\|")
        ));
    }
    for lint in LINTS {
        let dir = fixtures().join(lint.id);
        let why = std::fs::read_to_string(dir.join("why.md"))
            .unwrap_or_else(|_| panic!("lint_fixtures/{}/why.md is missing", lint.id));
        let trigger_path = dir.join("trigger.yaml");
        let bad = std::fs::read_to_string(&trigger_path).expect("trigger.yaml");
        let good = std::fs::read_to_string(dir.join("near-miss.yaml")).expect("near-miss.yaml");
        let said: Vec<String> = lint_file(&trigger_path)
            .into_iter()
            .filter(|f| f.id == lint.id)
            .map(|f| {
                format!(
                    "{}[{}]: {}\n  = fix: {}",
                    f.severity, f.id, f.message, f.fix.text
                )
            })
            .collect();
        out.push_str(&format!(
            "\n## {}\n\n**{}.** {}.\n\n**Why.** {}\n",
            lint.id,
            lint.severity,
            capitalise(lint.summary),
            why.trim()
        ));
        let flows = dir.join("flows.csv");
        if flows.exists() {
            let text = std::fs::read_to_string(&flows).expect("flows.csv");
            out.push_str(&format!(
                "\nWith these observed flows (`flows.csv`, given as `--flows`):\n\n```csv\n{}```\n",
                text
            ));
        }
        out.push_str(&format!(
            "\n**Bad** (`core/tests/lint_fixtures/{id}/trigger.yaml`); `netpol lint` says:\n\n```text\n{}\n```\n\n{}",
            said.join("\n"),
            fenced("yaml", &bad, "the bad example"),
            id = lint.id
        ));
        let diff = similar::TextDiff::from_lines(&bad, &good)
            .unified_diff()
            .context_radius(3)
            .header("trigger.yaml", "near-miss.yaml")
            .to_string();
        out.push_str(&format!(
            "\n**Good** (`core/tests/lint_fixtures/{}/near-miss.yaml`), as a change of the bad example; \
             the lint stays quiet:\n\n{}",
            lint.id,
            fenced("diff", &diff, "the change")
        ));
    }
    out
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A code block; folded away when it is long.
fn fenced(language: &str, text: &str, what: &str) -> String {
    let block = format!("```{language}\n{}\n```\n", text.trim_end());
    if text.lines().count() > 40 {
        format!(
            "<details><summary>{what} ({} lines)</summary>\n\n{block}\n</details>\n",
            text.lines().count()
        )
    } else {
        block
    }
}

#[test]
fn the_lint_docs_page_is_generated_from_the_registry_and_the_fixtures() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/lints.md");
    let want = lint_docs();
    if std::env::var_os("UPDATE_LINT_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/lints.md is out of date with the lint registry or the fixtures: run \
         `UPDATE_LINT_DOCS=1 cargo test -p netpol-core --test lint_fixtures` and commit it"
    );
}

/// What a fixture is written in: the policy kinds it holds and whether it lists workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    kubernetes: bool,
    workloads: bool,
}

fn shape(path: &Path) -> Shape {
    let text = std::fs::read_to_string(path).expect("read a fixture");
    let input = design::import("fixture.yaml", &text);
    let set = match input.single_design() {
        Some(d) => design::to_resources(d),
        None => input.resource_set(),
    };
    Shape {
        kubernetes: !set.kubernetes_policies.is_empty(),
        workloads: !set.workloads.is_empty(),
    }
}

/// Lints whose input cannot be a Kubernetes NetworkPolicy, and why: the issue asks for a trigger and
/// a near miss on a Kubernetes input for every other lint.
const NOT_ABOUT_KUBERNETES_POLICIES: &[(&str, &str)] = &[
    (
        "default-deny-selects-system-namespaces",
        "only a global policy selects pods of other namespaces; a NetworkPolicy in a system namespace is that namespace's own",
    ),
    (
        "inline-domains",
        "a Kubernetes NetworkPolicy has no domain peers",
    ),
    (
        "name-order-mismatch",
        "a converted NetworkPolicy's name and order are Calico's conversion, not the author's",
    ),
    (
        "tier-prefix-mismatch",
        "a converted NetworkPolicy's name is Calico's conversion, not the author's",
    ),
    (
        "pass-in-last-tier",
        "a Kubernetes NetworkPolicy has no Pass action",
    ),
    (
        "tier-not-found",
        "about Tier objects: a Kubernetes NetworkPolicy always runs in tier `default`",
    ),
    (
        "tier-order-tie",
        "about Tier objects: a Kubernetes NetworkPolicy always runs in tier `default`",
    ),
    (
        "tier-before-kube-admin",
        "about Tier objects: a Kubernetes NetworkPolicy always runs in tier `default`",
    ),
    (
        "no-cross-environment-guardrail",
        "a guardrail between environments spans namespaces: a global policy, never a namespaced one",
    ),
    (
        "cluster-policy-priority-tie",
        "about ClusterNetworkPolicy objects",
    ),
    (
        "cluster-policy-unenforced-peer",
        "about ClusterNetworkPolicy objects",
    ),
    (
        "cluster-policy-networks-match-pods",
        "about ClusterNetworkPolicy objects",
    ),
    (
        "admin-policy-named-port",
        "about AdminNetworkPolicy objects",
    ),
];

/// Lints that never read workloads, and why: every other lint has a trigger and a near miss with
/// listed workloads and without.
const NOT_ABOUT_WORKLOADS: &[(&str, &str)] = &[
    ("inline-domains", "reads the rule's literals only"),
    ("name-order-mismatch", "reads policy names and orders only"),
    ("tier-prefix-mismatch", "reads policy names and tiers only"),
    ("pass-in-last-tier", "reads tiers and rule actions only"),
    (
        "tier-not-found",
        "reads tiers and policies' tier names only",
    ),
    ("tier-order-tie", "reads tiers only"),
    ("tier-before-kube-admin", "reads tiers only"),
    (
        "no-cross-environment-guardrail",
        "reads the design's environments and global policies only",
    ),
    (
        "cluster-policy-priority-tie",
        "reads cluster policies' priorities and subjects only",
    ),
    (
        "cluster-policy-unenforced-peer",
        "reads cluster policies' peers and the Calico release only",
    ),
    (
        "cluster-policy-networks-match-pods",
        "reads cluster policies' networks and the pod range only",
    ),
    (
        "admin-policy-named-port",
        "reads AdminNetworkPolicy ports and the Calico release only",
    ),
];

#[test]
fn every_lint_is_tried_on_kubernetes_and_calico_input_with_and_without_workloads() {
    let mut missing = Vec::new();
    for lint in LINTS {
        let dir = fixtures().join(lint.id);
        let kinds: &[bool] = if NOT_ABOUT_KUBERNETES_POLICIES
            .iter()
            .any(|(id, _)| *id == lint.id)
        {
            &[false]
        } else {
            &[false, true]
        };
        let listed: &[bool] = if NOT_ABOUT_WORKLOADS.iter().any(|(id, _)| *id == lint.id) {
            &[false]
        } else {
            &[false, true]
        };
        for stem in ["trigger", "near-miss"] {
            let shapes: Vec<Shape> = files(&dir, stem).iter().map(|p| shape(p)).collect();
            for &kubernetes in kinds {
                for &workloads in listed {
                    // A Calico-only shape is any fixture without Kubernetes policies.
                    if !shapes
                        .iter()
                        .any(|s| s.kubernetes == kubernetes && s.workloads == workloads)
                    {
                        missing.push(format!(
                            "{}: {stem} {} {}",
                            lint.id,
                            if kubernetes { "kubernetes" } else { "calico" },
                            if workloads {
                                "with workloads"
                            } else {
                                "without workloads"
                            }
                        ));
                    }
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fixtures missing:\n{}",
        missing.join("\n")
    );
}
