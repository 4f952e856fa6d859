//! Properties of any flow-log import: every line (or JSON item) is one record or one Hubble event
//! line, the flows hold exactly the records the report accepts (no row, count or verdict comes from a
//! skipped record), and how the input is cut into chunks changes nothing. Inputs are the samples'
//! records, broken the ways real files are, as JSON lines or as one JSON array.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::flows::{FlowImporter, FlowSet, ImportOptions, import_bytes};
use proptest::prelude::*;

fn sample_lines(name: &str) -> Vec<String> {
    let path = format!("{}/tests/data/flows/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines().map(str::to_owned).collect()
}

const EVENT: &str = r#"{"lost_events": {"source": "OBSERVER_EVENTS_QUEUE", "num_events_lost": "1"}, "node_name": "kind/kind-worker", "time": "2026-11-20T10:00:00Z"}"#;

/// One record, changed in a way real files are broken (or not); always one JSON-ish item.
fn mutated(record: &str, mutation: u8) -> String {
    match mutation {
        0 => record.replacen("|allow|0", "|allow|zero", 1),
        1 => record.replace("|allow|0\"", "|allow\""),
        2 => record.replacen("\"action\":\"allow\"", "\"action\":\"perhaps\"", 1),
        3 => record.replacen("\"verdict\":\"FORWARDED\"", "\"verdict\":7", 1),
        // A trailing comma, and a document cut short.
        4 => format!("{},}}", &record[..record.len() - 1]),
        5 => record[..record.len() / 2].to_owned(),
        6 => EVENT.to_owned(),
        7 => "{\"not\": \"a flow\"}".to_owned(),
        _ => record.to_owned(),
    }
}

fn feed(bytes: &[u8], chunk: usize) -> Option<FlowSet> {
    let mut importer = FlowImporter::new(ImportOptions::default());
    for piece in bytes.chunks(chunk) {
        importer.feed(piece).ok()?;
    }
    importer.finish().ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_item_is_a_record_or_an_event_and_flows_hold_the_accepted_records(
        hubble in any::<bool>(),
        array in any::<bool>(),
        picks in proptest::collection::vec((0usize..40, 0u8..12), 1..60),
        chunk in 1usize..5000,
    ) {
        let name = if hubble { "hubble-flows.jsonl" } else { "calico-felix-3.32-flows.jsonl" };
        let records = sample_lines(name);
        // A first line cut short opens a document that may go on (pretty-printed JSON): only the
        // lines after it can tell, and when they are broken too nothing can. Cut lines come later.
        let items: Vec<String> = picks
            .iter()
            .enumerate()
            .map(|(at, &(i, m))| {
                let m = if at == 0 && m == 5 { 8 } else { m };
                mutated(&records[i % records.len()], m)
            })
            .collect();
        // A record cut short spoils the array it is in: only whole items go into one.
        let items: Vec<String> = if array {
            items.into_iter().filter(|i| serde_json::from_str::<serde_json::Value>(i).is_ok()).collect()
        } else {
            items
        };
        prop_assume!(!items.is_empty());
        let text = if array {
            format!("[\n{}\n]\n", items.join(",\n"))
        } else {
            items.join("\n") + "\n"
        };
        let whole = import_bytes(text.as_bytes(), ImportOptions::default());
        let chunked = feed(text.as_bytes(), chunk);
        // A file whose first items say nothing of a format is refused, however it is cut.
        let Ok(set) = whole else {
            prop_assert!(chunked.is_none());
            return Ok(());
        };
        let s = set.summary();
        prop_assert_eq!(s.records + s.events, items.len() as u64, "{:?}", s.errors);
        let merged: u64 = set.flows().iter().map(|f| f.records).sum();
        prop_assert_eq!(merged, s.records - s.skipped - s.ignored);
        prop_assert!(set.flows().iter().all(|f| f.records > 0 && f.count() > 0));
        prop_assert!(s.warnings.len() as u64 <= s.unread_traces);
        let chunked = chunked.expect("the same input in chunks");
        prop_assert_eq!(chunked.summary(), s);
        prop_assert_eq!(chunked.flows(), set.flows());
    }
}
