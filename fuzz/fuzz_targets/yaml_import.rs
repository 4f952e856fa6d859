//! Fuzzes the YAML importer: any bytes must give diagnostics, never a panic, a hang, a stack overflow or
//! an out-of-memory; diagnostics must point inside the input; and whatever imports must survive
//! export → import unchanged, in both API flavours (set `NETPOL_FUZZ_NO_ROUNDTRIP=1` to check only the
//! first two).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use netpol_core::model::{ApiFlavour, Resource};
use netpol_core::yaml::{self, ExportOptions, Limits};

fn round_trip_enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("NETPOL_FUZZ_NO_ROUNDTRIP").is_none())
}

fuzz_target!(|data: &[u8]| {
    // Small limits so that the fuzzer explores the limit paths too, and each run stays fast.
    let limits = Limits { max_file_bytes: 64 * 1024, max_documents: 64, max_alias_expansion: 10_000, ..Limits::default() };
    let result = yaml::import_bytes_with_limits("fuzz.yaml", data, &limits);
    // YAML line breaks are `\r\n`, `\r` and `\n`: a lone CR starts a new line too.
    let lines = 1 + data
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
        .count();
    for d in &result.diagnostics {
        assert!(d.line <= lines, "diagnostic line {} beyond the {lines} lines of the input: {}", d.line, d.message);
        assert!(!d.message.is_empty());
    }
    let resources: Vec<Resource> = result.resources.iter().map(|r| r.resource.clone()).collect();
    if !round_trip_enabled() || resources.is_empty() {
        return;
    }
    let text = yaml::export(&resources, &ExportOptions::default());
    let again = yaml::import("exported.yaml", &text);
    let errors: Vec<String> = again.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.render()).collect();
    assert!(errors.is_empty(), "export of imported resources does not import: {errors:?}\n{text}");
    let back: Vec<Resource> = again.resources.into_iter().map(|r| r.resource).collect();
    assert_eq!(back, resources, "v3 round trip changed the resources\n{text}");
    let crd = yaml::export(&resources, &ExportOptions { flavour: ApiFlavour::CrdV1, comments: true });
    let crd_again = yaml::import("crd.yaml", &crd);
    assert_eq!(crd_again.resources.len(), resources.len(), "crd v1 round trip lost resources\n{crd}");
});
