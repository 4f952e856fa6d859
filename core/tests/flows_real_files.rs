//! Flow-log import on what real clusters and older releases write (issue 24): policy strings without
//! the rule index, traces that cannot be read, Hubble's event lines, broken JSON documents and the
//! Linseed list response. The inputs are the small hand-written files of `tests/data/flows/` listed in
//! its README.

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
