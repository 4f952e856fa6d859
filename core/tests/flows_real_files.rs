//! Flow-log import on what real clusters and older releases write (issue 24): policy strings without
//! the rule index, traces that cannot be read, Hubble's event lines, broken JSON documents and the
//! Linseed list response. The inputs are the small hand-written files of `tests/data/flows/` listed in
//! its README.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::flows::{
    FlowFormat, FlowSet, HitAction, ImportOptions, KIND_UNKNOWN, RULE_UNKNOWN, import_bytes,
};

fn sample(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/flows/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn import(bytes: &[u8]) -> FlowSet {
    import_bytes(bytes, ImportOptions::default()).unwrap()
}

/// Every record the report counts as accepted is in exactly one flow, and no flow is empty.
fn assert_counts_add_up(set: &FlowSet) {
    let s = set.summary();
    let merged: u64 = set.flows().iter().map(|f| f.records).sum();
    assert_eq!(
        merged,
        s.records - s.skipped - s.ignored,
        "records {} skipped {} ignored {}",
        s.records,
        s.skipped,
        s.ignored
    );
    assert!(set.flows().iter().all(|f| f.records > 0 && f.count() > 0));
}

#[test]
fn four_part_policy_strings_are_read_as_rule_unknown() {
    let set = import(&sample("calico-enterprise-4-part-policies.jsonl"));
    let s = set.summary();
    assert_eq!(s.formats, [FlowFormat::Calico]);
    assert_eq!(
        (s.records, s.skipped, s.unread_traces),
        (5, 0, 0),
        "{:?}",
        s.errors
    );
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(set.flows().len(), 4);
    assert_counts_add_up(&set);
    let traces: Vec<_> = set
        .flows()
        .iter()
        .flat_map(|f| [f.trace_src, f.trace_dst])
        .flatten()
        .flat_map(|t| set.trace(t).to_vec())
        .collect();
    assert_eq!(traces.len(), 6);
    assert!(traces.iter().all(|h| h.rule == RULE_UNKNOWN));
    // Sorted by index, names read in the tiered dialect.
    let ingress = set.flows()[0].trace_dst.map(|t| set.trace(t)).unwrap();
    assert_eq!(
        ingress
            .iter()
            .map(|h| (h.index, h.policy.name.as_str(), h.action))
            .collect::<Vec<_>>(),
        [
            (0, "allow-internal", HitAction::Pass),
            (1, "payments-api-ingress", HitAction::Allow)
        ]
    );
    let denied: Vec<_> = set
        .flows()
        .iter()
        .filter(|f| f.observed() == netpol_core::flows::Observed::Deny)
        .collect();
    assert_eq!(denied.len(), 2, "the denied records are not lost");
}

#[test]
fn a_bad_trace_keeps_its_record_and_a_bad_end_or_verdict_leaves_no_row() {
    let set = import(&sample("calico-unreadable-traces.jsonl"));
    let s = set.summary();
    assert_eq!((s.records, s.skipped, s.unread_traces), (6, 2, 2));
    assert_eq!(
        s.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
        [4, 5],
        "{:?}",
        s.errors
    );
    assert!(s.errors[0].reason.contains('7'), "{}", s.errors[0]);
    assert!(s.errors[1].reason.contains("maybe"), "{}", s.errors[1]);
    assert_eq!(
        s.warnings.iter().map(|w| w.line).collect::<Vec<_>>(),
        [2, 3],
        "{:?}",
        s.warnings
    );
    assert!(
        s.warnings[0]
            .reason
            .contains("0|security|security.allow-kube-dns"),
        "{}",
        s.warnings[0]
    );
    assert!(
        s.warnings[1].reason.contains("policies"),
        "{}",
        s.warnings[1]
    );
    // Three flows: the good one, DNS (two records, one with an unreadable trace) and the database.
    assert_eq!(set.flows().len(), 3);
    assert_counts_add_up(&set);
    let ns = |id| set.endpoint(id).namespace.clone().unwrap_or_default();
    assert!(
        set.flows()
            .iter()
            .all(|f| ns(f.src) != "sandbox-dev" && ns(f.dst) != "sandbox-dev"),
        "skipped records made no row"
    );
    assert!(
        set.endpoints()
            .iter()
            .all(|e| e.namespace.as_deref() != Some("sandbox-dev")),
        "nor an endpoint"
    );
    let dns = set.flows().iter().find(|f| f.port == Some(53)).unwrap();
    assert_eq!((dns.records, dns.count()), (2, 3));
    let unknown = set.trace(dns.trace_src.unwrap());
    assert_eq!(
        (unknown[0].policy.kind, unknown[0].rule, unknown[0].action),
        (KIND_UNKNOWN, RULE_UNKNOWN, HitAction::Unknown)
    );
    assert_eq!(set.trace(dns.trace_dst.unwrap())[0].rule, 1);
}

#[test]
fn hubble_event_lines_are_counted_apart_wherever_they_are() {
    let text = String::from_utf8(sample("hubble-with-events.jsonl")).unwrap();
    let set = import(text.as_bytes());
    let s = set.summary();
    assert_eq!(s.formats, [FlowFormat::Hubble]);
    assert_eq!(
        (s.records, s.skipped, s.ignored, s.events),
        (4, 0, 1, 5),
        "{:?}",
        s.errors
    );
    assert_eq!(set.flows().len(), 2);
    assert_counts_add_up(&set);

    // The same lines fed in any chunk sizes, as a JSON array, pretty-printed, and with the flows
    // bare (old CLIs): the same figures.
    for size in [1, 5, 333] {
        let mut importer = netpol_core::flows::FlowImporter::new(ImportOptions::default());
        for chunk in text.as_bytes().chunks(size) {
            importer.feed(chunk).unwrap();
        }
        let chunked = importer.finish().unwrap();
        assert_eq!(chunked.summary(), s, "chunks of {size}");
        assert_eq!(chunked.flows(), set.flows());
    }
    let values: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let array = serde_json::to_string(&values).unwrap();
    let pretty: String = values
        .iter()
        .map(|v| serde_json::to_string_pretty(v).unwrap() + "\n")
        .collect();
    let bare: String = values
        .iter()
        .map(|v| v.get("flow").unwrap_or(v).to_string() + "\n")
        .collect();
    for (what, other) in [("array", array), ("pretty", pretty), ("bare", bare)] {
        let other = import(other.as_bytes());
        let o = other.summary();
        assert_eq!(o.formats, [FlowFormat::Hubble], "{what}");
        assert_eq!(
            (o.records, o.skipped, o.ignored, o.events),
            (4, 0, 1, 5),
            "{what}: {:?}",
            o.errors
        );
        assert_eq!(other.flows(), set.flows(), "{what}");
    }

    // A file of events only is Hubble's, with no flow; events between the lines of a large file
    // change nothing but their count, on any number of threads.
    let events: String = text
        .lines()
        .filter(|l| !l.contains("\"flow\""))
        .collect::<Vec<_>>()
        .join("\n");
    let only = import(events.as_bytes());
    assert_eq!(
        (
            only.summary().formats.clone(),
            only.summary().records,
            only.summary().events
        ),
        (vec![FlowFormat::Hubble], 0, 5)
    );
    let big = String::from_utf8(sample("hubble-flows.jsonl")).unwrap();
    let event = text.lines().nth(4).unwrap();
    let mut mixed = String::new();
    for (i, line) in big.lines().enumerate() {
        if i % 7 == 0 {
            mixed.push_str(event);
            mixed.push('\n');
        }
        mixed.push_str(line);
        mixed.push('\n');
    }
    let plain = import(big.as_bytes());
    let read = netpol_core::flows::import_reader(
        mixed.as_bytes(),
        FlowSet::default(),
        ImportOptions::default(),
        |_| {},
    )
    .unwrap();
    assert_eq!(read.flows(), plain.flows());
    assert_eq!(
        read.summary().events,
        big.lines().count().div_ceil(7) as u64
    );
    assert_eq!(
        (read.summary().records, read.summary().skipped),
        (plain.summary().records, 0)
    );
}

#[test]
fn broken_json_names_its_line_column_and_format() {
    let set = import(&sample("calico-trailing-comma.json"));
    let s = set.summary();
    assert_eq!(s.formats, [FlowFormat::Calico]);
    assert_eq!((s.records, s.skipped), (1, 1));
    let e = &s.errors[0];
    assert_eq!((e.line, e.column), (51, 1), "{e}");
    assert!(e.reason.contains("trailing comma"), "{e}");
    assert!(e.reason.contains("calico"), "{e}");
    assert!(set.flows().is_empty());

    // After a good document, inside an array, inside a Linseed response: the same error, placed in
    // the file, and the good records read.
    let broken = String::from_utf8(sample("calico-trailing-comma.json")).unwrap();
    let lines = String::from_utf8(sample("calico-enterprise-4-part-policies.jsonl")).unwrap();
    let good: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    let good = serde_json::to_string_pretty(&good).unwrap();
    let good_lines = good.lines().count() as u64;
    for (what, text, line, column) in [
        (
            "after a document",
            format!("{good}\n{broken}"),
            good_lines + 51,
            1,
        ),
        ("in an array", format!("[{broken}, {good}]"), 51, 1),
        (
            "first in an array",
            format!("[  {}, {good}]", broken.trim_end().replace('\n', " ")),
            1,
            4 + broken.trim_end().len() as u64 - 1,
        ),
        (
            "in a Linseed list",
            format!("{{\"total_hits\": 2, \"items\": [{good},\n{broken}]}}"),
            good_lines + 51,
            1,
        ),
    ] {
        let set = import(text.as_bytes());
        let s = set.summary();
        assert_eq!(s.formats, [FlowFormat::Calico], "{what}");
        assert_eq!((s.records, s.skipped), (2, 1), "{what}: {:?}", s.errors);
        assert_eq!(
            (s.errors[0].line, s.errors[0].column),
            (line, column),
            "{what}: {}",
            s.errors[0]
        );
        assert!(s.errors[0].reason.contains("trailing comma"), "{what}");
        assert_eq!(set.flows().len(), 1, "{what}");
    }

    // JSON lines: a comma missing on line 3 is reported at its column; a file whose only line is
    // broken is still told by its keys.
    let mut rows: Vec<String> = lines.lines().map(str::to_owned).collect();
    rows[2] = rows[2].replacen("\"tcp\",\"action\"", "\"tcp\" \"action\"", 1);
    let column = rows[2].find("\"action\"").unwrap() as u64 + 1;
    let set = import(rows.join("\n").as_bytes());
    let e = &set.summary().errors;
    assert_eq!((e.len(), e[0].line, e[0].column), (1, 3, column), "{e:?}");
    assert!(e[0].reason.contains("not valid JSON"), "{}", e[0]);
    let set = import(rows[2].as_bytes());
    let s = set.summary();
    assert_eq!(
        (s.formats.clone(), s.records, s.skipped, s.errors[0].column),
        (vec![FlowFormat::Calico], 1, 1, column)
    );
}

#[test]
fn a_linseed_list_response_is_read_as_calico_documents() {
    let set = import(&sample("linseed-flow-logs.json"));
    let s = set.summary();
    assert_eq!(s.formats, [FlowFormat::Calico]);
    assert_eq!((s.records, s.skipped), (3, 0), "{:?}", s.errors);
    let lines = String::from_utf8(sample("calico-enterprise-4-part-policies.jsonl")).unwrap();
    let first_three: Vec<&str> = lines.lines().take(3).collect();
    let reference = import(first_three.join("\n").as_bytes());
    assert_eq!(set.flows(), reference.flows());
    assert_counts_add_up(&set);
}

#[test]
fn a_first_line_cut_short_does_not_swallow_the_lines_after_it() {
    // A copy that starts mid-file (or a record cut by hand): the first line ends inside its object,
    // as a pretty-printed document's first line does, but the lines after it are records.
    let text = String::from_utf8(sample("calico-enterprise-4-part-policies.jsonl")).unwrap();
    let first = text.lines().next().unwrap();
    let cut = format!(
        "{}\n{}",
        &first[..first.len() / 2],
        text.split_once('\n').unwrap().1
    );
    for size in [7, 4096] {
        let mut importer = netpol_core::flows::FlowImporter::new(ImportOptions::default());
        for chunk in cut.as_bytes().chunks(size) {
            importer.feed(chunk).unwrap();
        }
        let set = importer.finish().unwrap();
        let s = set.summary();
        assert_eq!(s.formats, [FlowFormat::Calico], "chunks of {size}");
        assert_eq!(
            (s.records, s.skipped),
            (5, 1),
            "chunks of {size}: {:?}",
            s.errors
        );
        assert_eq!(s.errors[0].line, 1);
        assert!(
            s.errors[0].reason.contains("not valid JSON"),
            "{}",
            s.errors[0]
        );
        assert_counts_add_up(&set);
    }
}

#[test]
fn a_file_without_records_after_another_reports_nothing_twice() {
    let first = import(&sample("calico-unreadable-traces.jsonl"));
    let before = first.summary().clone();
    for empty in [&b"[]"[..], b"{\"items\": []}", b"[\n]\n"] {
        let mut importer = netpol_core::flows::FlowImporter::continue_with(
            first.clone(),
            ImportOptions::default(),
        );
        importer.feed(empty).unwrap();
        let set = importer.finish().unwrap();
        let s = set.summary();
        assert_eq!(
            (s.unread_traces, s.warnings.len(), s.records, s.skipped),
            (
                before.unread_traces,
                before.warnings.len(),
                before.records,
                before.skipped
            ),
            "{}",
            String::from_utf8_lossy(empty)
        );
    }
}
