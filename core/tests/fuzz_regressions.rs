//! Inputs the fuzz targets (`fuzz/`) found, each reduced to the property it broke. A test per
//! finding, named after what must hold; the target that found it is in its comment.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use netpol_core::flows::{FlowImporter, FlowSet, ImportOptions, import_bytes};

fn gzip(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::new(level));
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn import_in_chunks(bytes: &[u8], chunk: usize) -> Result<FlowSet, String> {
    let mut importer = FlowImporter::new(ImportOptions::default());
    for piece in bytes.chunks(chunk) {
        importer.feed(piece).map_err(|e| e.to_string())?;
    }
    importer.finish().map_err(|e| e.to_string())
}

/// The outcome of an import as comparable text: the error, or the summary and the flows.
fn outcome(result: &Result<FlowSet, String>) -> String {
    match result {
        Ok(set) => format!("{:?}\n{:?}", set.summary(), set.flows()),
        Err(e) => format!("error: {e}"),
    }
}

fn assert_chunking_changes_nothing(bytes: &[u8], chunks: impl IntoIterator<Item = usize>) {
    let whole = outcome(&import_bytes(bytes, ImportOptions::default()).map_err(|e| e.to_string()));
    for chunk in chunks {
        assert_eq!(
            outcome(&import_in_chunks(bytes, chunk)),
            whole,
            "fed in chunks of {chunk} bytes"
        );
    }
}

/// `flows_gzip`: a head of NUL bytes looked like UTF-16 in a first chunk of a few bytes, and like
/// binary data once 64 bytes were there, so the error depended on the chunk size.
#[test]
fn whether_a_file_is_utf16_does_not_depend_on_where_it_is_cut() {
    let mut log = vec![0u8; 5];
    log.extend_from_slice(
        br#"rt_time":1795168800,"end_time":1795169100,"action":"allow","source_namespace":"x"}"#,
    );
    let whole = import_bytes(&log, ImportOptions::default()).unwrap_err();
    assert!(
        whole.to_string().starts_with("not a flow log: binary data"),
        "{whole}"
    );
    assert_chunking_changes_nothing(&log, 1..=80);
}

/// `flows_gzip`: a corrupt gzip stream fed a byte at a time decoded a few bytes before the break
/// (then refused them as not a flow log), while the same file in one chunk decoded nothing before
/// it (a gzip error): what a broken stream salvages depended on the chunks.
#[test]
fn a_corrupt_gzip_stream_salvages_the_same_whatever_the_chunks() {
    let log = b"\x95ce_(ena\":eb-\x7ff7c9urc4-*\",\"tisbou";
    let mut file = gzip(log, 8);
    let at = 0x2f * file.len() / 256;
    file[at] ^= 1;
    assert_chunking_changes_nothing(&file, [1, 2, 3, 7, 64]);
}

/// The same on a real log long enough to reach the decoder in several pieces, broken at many places.
#[test]
fn a_long_corrupt_gzip_log_salvages_the_same_whatever_the_chunks() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/flows/calico-enterprise-flows.jsonl"
    );
    let log = std::fs::read(path).unwrap();
    let mut log = log.repeat(4);
    log.truncate(400_000);
    let file = gzip(&log, 1);
    assert!(
        file.len() > 2 * 16 * 1024,
        "several decoder pieces: {}",
        file.len()
    );
    for at in (10..file.len()).step_by(file.len() / 7) {
        let mut broken = file.clone();
        broken[at] ^= 0x55;
        assert_chunking_changes_nothing(&broken, [1, 1000, 4096, 16 * 1024 + 1, 1 << 20]);
    }
}

/// `flows_import`: detection looks at the first few lines, and a line the first chunk ended inside
/// was judged on what had come of it: `{"flow":"x"}` (the start of `{"flow":"x"}, "broken"`) read as
/// a record of no known format, so the file was refused in chunks and read as Hubble in one piece.
#[test]
fn a_line_cut_by_a_chunk_is_not_judged_before_its_end() {
    let log = concat!(
        r#"{"lost_events": {"source": "OBSERVER_EVENTS_QUEUE", "num_events_lost": "1"}, "node_name": "kind/kind-worker", "time": "2026-11-20T10:00:00Z"}"#,
        "\n",
        r#"{"flow":"x"}, "broken""#,
        "\n",
    )
    .as_bytes();
    let whole = import_bytes(log, ImportOptions::default()).unwrap();
    assert_eq!(whole.summary().events, 1, "{:?}", whole.summary());
    assert_eq!(whole.summary().skipped, 1, "{:?}", whole.summary());
    assert_chunking_changes_nothing(log, 1..=log.len());
}
