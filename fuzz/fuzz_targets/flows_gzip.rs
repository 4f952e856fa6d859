//! Fuzzes the flow importer's gzip path: the fuzzer's log is compressed, then left intact, cut
//! short, corrupted, split into several gzip members or followed by garbage. An intact stream (one
//! member or several) must import exactly as the plain log does; a broken one must never panic, is
//! read up to the break (`ImportSummary::damaged`) or fails with a gzip error when nothing decoded
//! before it; and in every case the chunk sizes the file is fed in change neither the outcome nor
//! the flows.
//!
//! Input layout: `[mode, at, chunk, log…]`: `mode` picks the damage and the compression level, `at`
//! where the damage goes (a fraction of the compressed length), `chunk + 1` the chunk size.
#![no_main]

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use libfuzzer_sys::fuzz_target;
use netpol_core::flows::{FlowImporter, FlowSet, ImportOptions, ImportSummary, import_bytes};

const OPTIONS: ImportOptions = ImportOptions { max_line_bytes: 4096, max_reported_errors: 8 };

fn gzip(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::new(level));
    encoder.write_all(bytes).expect("writing into a Vec");
    encoder.finish().expect("writing into a Vec")
}

fn feed_in_chunks(bytes: &[u8], size: usize) -> Result<FlowSet, String> {
    let mut importer = FlowImporter::new(OPTIONS);
    for chunk in bytes.chunks(size) {
        importer.feed(chunk).map_err(|e| e.to_string())?;
    }
    importer.finish().map_err(|e| e.to_string())
}

/// The summary without what depends on the compressed bytes (their count, the break's wording).
fn comparable(summary: &ImportSummary) -> ImportSummary {
    ImportSummary { bytes: 0, damaged: Vec::new(), ..summary.clone() }
}

fn same_flows(what: &str, a: &FlowSet, b: &FlowSet) {
    assert_eq!(comparable(a.summary()), comparable(b.summary()), "{what}: summaries differ");
    assert_eq!(a.summary().damaged.len(), b.summary().damaged.len(), "{what}: one import is damaged, the other not");
    assert_eq!(a.flows(), b.flows(), "{what}: flows differ");
    assert_eq!(a.endpoints(), b.endpoints(), "{what}: endpoints differ");
}

fuzz_target!(|data: &[u8]| {
    let [mode, at, chunk, log @ ..] = data else {
        return;
    };
    let level = u32::from(mode >> 4) % 10;
    let compressed = gzip(log, level);
    let at = usize::from(*at) * compressed.len() / 256;
    let (file, intact) = match mode % 5 {
        0 => (compressed, true),
        1 => (compressed[..at].to_vec(), false),
        2 => {
            let mut file = compressed;
            file[at] ^= chunk | 1;
            (file, false)
        }
        3 => {
            let split = at.min(log.len());
            let mut file = gzip(&log[..split], level);
            file.extend(gzip(&log[split..], level));
            (file, true)
        }
        _ => {
            let mut file = compressed;
            file.extend_from_slice(&data[..usize::from(*chunk % 16).min(data.len())]);
            (file, false)
        }
    };
    let whole = import_bytes(&file, OPTIONS).map_err(|e| e.to_string());
    let chunked = feed_in_chunks(&file, usize::from(*chunk) + 1);
    match (&whole, &chunked) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.summary(), b.summary(), "chunked: summaries differ");
            same_flows("chunked", a, b);
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "chunked: errors differ"),
        (a, b) => panic!("chunked: one import failed, the other did not: {:?} / {:?}", a.as_ref().err(), b.as_ref().err()),
    }
    // A log that is itself gzip would be unwrapped twice; one that is empty fails either way.
    if intact && !log.starts_with(&[0x1f, 0x8b]) {
        let plain = import_bytes(log, OPTIONS).map_err(|e| e.to_string());
        match (&plain, &whole) {
            (Ok(plain), Ok(unzipped)) => {
                assert!(unzipped.summary().damaged.is_empty(), "an intact stream is damaged: {:?}", unzipped.summary().damaged);
                same_flows("gzip vs plain", plain, unzipped);
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "gzip vs plain: errors differ"),
            (a, b) => panic!("gzip vs plain: one import failed, the other did not: {:?} / {:?}", a.as_ref().err(), b.as_ref().err()),
        }
    }
});
