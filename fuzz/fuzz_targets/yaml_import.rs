//! Fuzzes the YAML importer: it must never panic, hang or blow up on any bytes; every diagnostic must
//! point inside the input; and whatever imports without errors must survive export → import unchanged
//! (set `NETPOL_FUZZ_NO_ROUNDTRIP=1` to check only the first two).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use netpol_core::yaml::{self, ExportOptions};

fn round_trip_enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("NETPOL_FUZZ_NO_ROUNDTRIP").is_none())
}

fuzz_target!(|data: &[u8]| {
    let result = yaml::import_bytes("fuzz.yaml", data);
    let lines = data.split(|&b| b == b'\n').count();
    for d in &result.diagnostics {
        assert!(d.line <= lines + 1, "diagnostic line {} past the end ({lines} lines): {}", d.line, d.message);
        assert!(!d.message.is_empty());
    }
    if !round_trip_enabled() || result.error_count() > 0 || result.resources.is_empty() {
        return;
    }
    let set = result.resource_set();
    let text = yaml::export(&set, &ExportOptions::default());
    let again = yaml::import("again.yaml", &text);
    let errors: Vec<&str> = again
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.as_str())
        .collect();
    assert!(errors.is_empty(), "export of an error-free import does not import again: {errors:?}\n{text}");
    let before = serde_json::to_string(&set).unwrap_or_default();
    let after = serde_json::to_string(&again.resource_set()).unwrap_or_default();
    assert_eq!(before, after, "import → export → import changed the resources\n{text}");
});
