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
