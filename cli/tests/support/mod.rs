//! Helpers shared by the CLI tests (`mod support;` in each test crate that needs them).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::path::Path;
use std::process::Command;

/// A SARIF log (`lint` or `coverage` with `--format sarif`) against `../shared/schemas/sarif-schema-2.1.0.json`, with the
/// project's Python `jsonschema` (`make setup` installs it in `.venv`).
pub fn assert_valid_sarif(log: &[u8]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `make setup` (or `python3 -m venv .venv && .venv/bin/pip install jsonschema pyyaml`)",
        python.display()
    );
    let schema = root.join("../shared/schemas/sarif-schema-2.1.0.json");
    assert!(schema.exists(), "{} is missing", schema.display());
    let file = std::env::temp_dir().join(format!("netpol-sarif-{}.json", std::process::id()));
    std::fs::write(&file, log).unwrap();
    let script = "import json, sys, jsonschema\n\
        schema = json.load(open(sys.argv[1]))\n\
        log = json.load(open(sys.argv[2]))\n\
        errors = list(jsonschema.Draft4Validator(schema).iter_errors(log))\n\
        for e in errors: print(list(e.absolute_path), e.message)\n\
        sys.exit(1 if errors else 0)\n";
    let out = Command::new(&python)
        .args(["-c", script])
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("run python");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "the SARIF log does not validate:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
