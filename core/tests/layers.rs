//! The layering of `netpol-core` (ARCHITECTURE.md, "Layers"): a module imports only modules of lower
//! layers, plus the few same-layer edges listed here. A source scan: every `crate::<module>` path in a
//! module's files (comments left out) is an import of that module.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Bottom up. `model` with the selector and label grammars is one layer (selectors are part of the
/// model's vocabulary); `yaml`, `eval` and `flows` stand each on the model alone.
const LAYERS: &[&[&str]] = &[
    &["model", "selector", "labels"],
    &["yaml", "eval", "flows"],
    &["design"],
    &[
        "impact", "lint", "coverage", "export", "canvas", "board", "diagram",
    ],
    &["diff", "recommend"],
];

/// Lower modules a module must not import although they sit in a lower layer: `design` stands on
/// `yaml` alone (ARCHITECTURE.md), so anything that evaluates a design lives above it.
const NOT_BELOW: &[(&str, &[&str])] = &[("design", &["eval", "flows"])];

/// Imports between two modules of one layer that are allowed, each with its reason.
const SAME_LAYER: &[(&str, &str, &str)] = &[
    (
        "canvas",
        "board",
        "the canvas draws tiers in the board's evaluation order",
    ),
    (
        "coverage",
        "lint",
        "coverage reads the lints' normalized view (Kubernetes and cluster policies as Calico converts them) and their selector reasoning",
    ),
    (
        "lint",
        "impact",
        "`staged-denies-allowed-flows` replays flow logs through the impact engine",
    ),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read core/src") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules a source text names through `crate::…` (grouped `crate::{a, b::c}` included).
fn imported_modules(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            out.extend(
                inner
                    .split(',')
                    .map(|p| ident(p.trim()))
                    .filter(|m| !m.is_empty()),
            );
        } else {
            out.insert(ident(rest));
        }
    }
    out
}

#[test]
fn no_core_module_imports_a_module_of_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut violations = Vec::new();
    let mut unknown = BTreeSet::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("below src");
        let first = relative
            .iter()
            .next()
            .and_then(|c| c.to_str())
            .unwrap_or("");
        let module = first.trim_end_matches(".rs");
        if module == "lib" {
            continue;
        }
        let Some(own) = layer_of(module) else {
            unknown.insert(module.to_owned());
            continue;
        };
        let text = std::fs::read_to_string(file).expect("read a source file");
        for target in imported_modules(&text) {
            if target == module {
                continue;
            }
            let Some(theirs) = layer_of(&target) else {
                unknown.insert(target);
                continue;
            };
            let excluded = NOT_BELOW
                .iter()
                .any(|(m, below)| *m == module && below.contains(&target.as_str()));
            let allowed = (theirs < own && !excluded)
                || (theirs == own
                    && (own == 0
                        || SAME_LAYER
                            .iter()
                            .any(|(a, b, _)| (*a, *b) == (module, target.as_str()))));
            if !allowed {
                violations.push(format!(
                    "{} ({module}) imports `{target}`",
                    relative.display()
                ));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "modules missing from LAYERS: {unknown:?}"
    );
    assert!(
        violations.is_empty(),
        "upward imports:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_scan_sees_plain_and_grouped_imports_and_skips_comments() {
    let text = "use crate::model::Resource;\nuse crate::{design::Design, eval};\n// crate::diff is only mentioned\nlet x = crate::lint::run();";
    let found: Vec<String> = imported_modules(text).into_iter().collect();
    assert_eq!(found, ["design", "eval", "lint", "model"]);
}
