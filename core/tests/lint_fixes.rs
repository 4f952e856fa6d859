//! Every machine-applicable fix of every lint fixture, applied: `lint::apply_fix` must accept it, the
//! finding must be gone afterwards, and the fix must not bring in findings that were not there
//! (except those listed in `EXPECTED_FOLLOW_UPS`, each with its reason). Fixtures are those of
//! `lint_fixtures.rs`: a design document, or plain resources made into a design as an import makes it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/fixture_resources.rs"]
mod fixture_resources;
use fixture_resources::fixture_resources;

use std::path::{Path, PathBuf};

use netpol_core::design::{self, Design};
use netpol_core::lint::{Finding, LintConfig, apply_fix, lint_design, lint_resources};

/// Findings a fix may bring in, by (fixed lint, new lint), with why that is right.
const EXPECTED_FOLLOW_UPS: &[(&str, &str, &str)] = &[
    (
        "namespace-without-default-deny",
        "default-deny-without-dns",
        "the new default deny covers egress, so DNS needs an allow before it: that lint's own fix adds it",
    ),
    (
        "ingress-only-default-deny",
        "default-deny-without-dns",
        "the deny now covers egress too, so DNS needs an allow before it: that lint's own fix adds it",
    ),
    (
        "default-deny-without-dns",
        "selector-selects-nothing",
        "the allow names kube-dns in kube-system, which a design without the system workloads does not list",
    ),
    (
        "no-cross-environment-guardrail",
        "pass-in-last-tier",
        "the guardrail passes the rest on; when its tier is the last one, the lint rightly says where that goes",
    ),
    (
        "no-cross-environment-guardrail",
        "namespace-without-default-deny",
        "the guardrail is the first deny of a design without one, so the per-namespace coverage lint applies",
    ),
];

/// Lints whose fix, by design, does not end the finding at once, with why.
const FINDING_STAYS: &[(&str, &str)] = &[(
    "no-global-default-deny",
    "the fix stages the default deny (check the impact, then enforce it); the finding is about an enforced one",
)];

/// A fixture as a design, and whether it is linted as a design (taxonomy and environments) or as
/// plain resources (as `netpol lint` lints a YAML file).
fn load(path: &Path) -> (Design, bool) {
    let text = std::fs::read_to_string(path).expect("read a fixture");
    let input = design::import("fixture.yaml", &text);
    if let Some(design) = input.single_design() {
        return (design.clone(), true);
    }
    let set = fixture_resources(&input, &text);
    (design::from_resources(&set), false)
}

fn lint(design: &Design, as_design: bool) -> Vec<Finding> {
    let config = LintConfig::default();
    if as_design {
        lint_design(design, &config)
    } else {
        lint_resources(&design::to_resources(design), &config)
    }
}

fn triggers() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint_fixtures");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root).expect("lint_fixtures") {
        let dir = dir.expect("entry").path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).expect("a lint's fixtures") {
            let file = file.expect("entry").path();
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if name.ends_with(".yaml") {
                out.push(file);
            }
        }
    }
    out.sort();
    out
}

/// What identifies a finding across an edit that leaves its object in place.
fn key(f: &Finding) -> (String, String) {
    (f.id.to_owned(), f.message.clone())
}

#[test]
fn every_fixture_fix_applies_removes_its_finding_and_adds_none() {
    let mut wrong = Vec::new();
    let mut applied = 0;
    for path in triggers() {
        let (design, as_design) = load(&path);
        let before = lint(&design, as_design);
        for finding in before.iter().filter(|f| !f.fix.changes.is_empty()) {
            let at = format!("{} on {}", finding.id, path.display());
            let fixed = match apply_fix(&design, &finding.fix.changes) {
                Ok(fixed) => fixed,
                Err(e) => {
                    wrong.push(format!("{at}: the fix does not apply: {e}"));
                    continue;
                }
            };
            applied += 1;
            let after = lint(&fixed, as_design);
            let stays = FINDING_STAYS.iter().any(|(id, _)| *id == finding.id);
            if !stays && after.iter().any(|f| key(f) == key(finding)) {
                wrong.push(format!(
                    "{at}: still there after the fix: {}",
                    finding.message
                ));
            }
            for new in after
                .iter()
                .filter(|f| !before.iter().any(|b| key(b) == key(f)))
            {
                let expected = EXPECTED_FOLLOW_UPS
                    .iter()
                    .any(|(fixed, follow, _)| *fixed == finding.id && *follow == new.id);
                if !expected {
                    wrong.push(format!(
                        "{at}: the fix brings in {}: {}",
                        new.id, new.message
                    ));
                }
            }
        }
    }
    assert!(applied > 0, "no fixture has a machine-applicable fix");
    assert!(
        wrong.is_empty(),
        "{} fixes applied; wrong:\n{}",
        applied,
        wrong.join("\n")
    );
}
