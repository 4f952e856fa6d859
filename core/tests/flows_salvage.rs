#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]
//! A gzip flow log cut short (a log rotated mid-write) or corrupt in the middle: the records before
//! the break are imported, the break is reported where it happened, and a stream that breaks before
//! anything decoded is still an error.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use netpol_core::flows::{FlowImporter, FlowSet, ImportError, ImportOptions};

fn lines() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/flows/calico-enterprise-flows.jsonl"
    );
    std::fs::read(path).expect("the shared sample")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn import_in_chunks(bytes: &[u8], chunk: usize) -> Result<FlowSet, ImportError> {
    let mut importer = FlowImporter::new(ImportOptions::default());
    for piece in bytes.chunks(chunk) {
        importer.feed(piece)?;
    }
    importer.finish()
}

#[test]
fn a_gzip_log_cut_short_imports_the_records_before_the_cut() {
    let plain = lines();
    let total_lines = plain.iter().filter(|&&b| b == b'\n').count() as u64;
    let whole = gzip(&plain);
    let full = import_in_chunks(&whole, 4096).expect("imports");
    assert!(full.summary().damaged.is_empty());
    assert_eq!(full.summary().records, total_lines);
    let mut previous = 0;
    for cut in (whole.len() / 8..whole.len() - 8).step_by(whole.len() / 16) {
        for chunk in [1, 7, 4096] {
            let set = import_in_chunks(&whole[..cut], chunk)
                .unwrap_or_else(|e| panic!("cut at {cut}, chunks of {chunk}: {e}"));
            let s = set.summary();
            assert_eq!(s.damaged.len(), 1, "cut at {cut}");
            assert!(
                s.damaged[0].starts_with("the gzip data ends early after"),
                "{}",
                s.damaged[0]
            );
            // Whole records before the cut; at most the record the cut went through is skipped.
            assert!(s.records <= total_lines && s.skipped <= 1, "{s:?}");
            assert!(
                s.records - s.skipped >= previous,
                "later cuts keep more: {s:?}"
            );
            if chunk == 4096 {
                previous = s.records - s.skipped;
            }
        }
    }
    assert!(previous > 0 && previous < total_lines);
}

#[test]
fn a_gzip_log_corrupt_in_the_middle_keeps_what_came_before() {
    let plain = lines();
    let mut whole = gzip(&plain);
    let middle = whole.len() / 2;
    for b in &mut whole[middle..middle + 64] {
        *b = 0xff;
    }
    let set = import_in_chunks(&whole, 512).expect("salvaged");
    let s = set.summary();
    assert_eq!(s.damaged.len(), 1, "{s:?}");
    // Depending on where the damage falls, inflating stops there, or goes on and the checksum at
    // the end tells.
    assert!(
        s.damaged[0].starts_with("the gzip data is corrupt after")
            || s.damaged[0].starts_with("the gzip data fails its checksum"),
        "{}",
        s.damaged[0]
    );
    assert!(s.records > 0);
}

#[test]
fn a_bad_checksum_keeps_every_record_and_says_so() {
    let plain = lines();
    let mut whole = gzip(&plain);
    let crc = whole.len() - 8;
    whole[crc] ^= 0x55;
    let set = import_in_chunks(&whole, 4096).expect("salvaged");
    let s = set.summary();
    assert_eq!(
        s.records,
        plain.iter().filter(|&&b| b == b'\n').count() as u64
    );
    assert_eq!(s.damaged.len(), 1);
    assert!(
        s.damaged[0].starts_with("the gzip data fails its checksum"),
        "{}",
        s.damaged[0]
    );
}

#[test]
fn a_gzip_stream_broken_before_any_record_is_an_error() {
    let whole = gzip(&lines());
    let e = import_in_chunks(&whole[..12], 4).expect_err("nothing decoded");
    assert!(e.to_string().contains("gzip"), "{e}");
}
