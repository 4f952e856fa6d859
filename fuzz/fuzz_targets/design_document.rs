//! Fuzzes the design document reader (YAML and JSON): any bytes must give a design or diagnostics
//! inside the input, never a panic, a hang, a stack overflow or an out-of-memory; and a design that
//! loads must survive design → document → design unchanged through both writers (`save` and
//! `save_json`), with the document itself a fixed point (saving the design read back writes the same
//! text).
#![no_main]

use libfuzzer_sys::fuzz_target;
use netpol_core::design::{self, Design};
use netpol_core::yaml::Limits;

/// Loads a document the Studio wrote; it must load.
fn reload(what: &str, document: &str) -> Design {
    match design::load_file(what, document) {
        Ok(design) => design,
        Err(err) => panic!("the {what} document of a design that loads does not load: {err}\n{document}"),
    }
}

fuzz_target!(|data: &[u8]| {
    // Small limits so that the fuzzer explores the limit paths too, and each run stays fast.
    let limits = Limits { max_file_bytes: 64 * 1024, max_documents: 16, max_alias_expansion: 10_000, ..Limits::default() };
    let input = design::import_bytes_with_limits("fuzz.yaml", data, &limits);
    let lines = 1 + data
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
        .count();
    for d in &input.diagnostics {
        assert!(d.line <= lines, "diagnostic line {} beyond the {lines} lines of the input: {}", d.line, d.message);
        assert!(!d.message.is_empty());
    }
    if input.error_count() > 0 || input.designs().count() != 1 {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loaded = match design::load_file("fuzz.yaml", text) {
        Ok(design) => design,
        Err(err) => panic!("import_bytes found one design and no error, load_file refuses it: {err}"),
    };
    let yaml = design::save(&loaded);
    let from_yaml = reload("YAML", &yaml);
    assert_eq!(from_yaml, loaded, "design → YAML → design changed the design\n{yaml}");
    assert_eq!(design::save(&from_yaml), yaml, "the YAML document is not a fixed point");
    let json = design::save_json(&loaded);
    let from_json = reload("JSON", &json);
    assert_eq!(from_json, loaded, "design → JSON → design changed the design\n{json}");
    assert_eq!(design::save_json(&from_json), json, "the JSON document is not a fixed point");
    // What every command derives from a design must not panic either.
    let _ = design::to_resources(&loaded);
});
