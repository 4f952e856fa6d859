//! Flow-log import on every sample of `../shared/flows/` (copied to `tests/data/flows/`) and on
//! hand-made broken inputs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::io::Write;

use netpol_core::flows::{
    EndpointKind, FlowFormat, FlowImporter, FlowSet, ImportError, ImportOptions, NetworkScope,
    Observed, import_bytes, import_reader,
};
use netpol_core::model::Protocol;

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/data/flows/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn import(bytes: &[u8]) -> FlowSet {
    import_bytes(bytes, ImportOptions::default()).unwrap()
}

/// `src -> dst proto/port observed` for every flow, sorted: a format-independent view of a set.
fn view(set: &FlowSet) -> Vec<String> {
    let mut out: Vec<String> = set
        .flows()
        .iter()
        .map(|f| {
            let ns = |id| {
                set.endpoint(id)
                    .namespace
                    .clone()
                    .unwrap_or_else(|| "-".into())
            };
            format!(
                "{} -> {} {}/{:?} {}",
                ns(f.src),
                ns(f.dst),
                f.protocol,
                f.port,
                f.observed().as_str()
            )
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

const DENIED: [&str; 4] = [
    "payments-api -> - TCP/Some(443) deny",
    "sandbox-dev -> payments-db TCP/Some(5432) deny",
    "sandbox-dev -> payments-api TCP/Some(15006) deny",
    "checkout-web -> payments-db TCP/Some(5432) deny",
];

#[test]
fn every_sample_imports_with_its_format_and_counts() {
    let cases = [
        ("calico-enterprise-flows.jsonl", FlowFormat::Calico, 60, 0),
        (
            "calico-enterprise-flows.jsonl.gz",
            FlowFormat::Calico,
            60,
            0,
        ),
        ("calico-felix-3.32-flows.jsonl", FlowFormat::Calico, 40, 0),
        ("goldmane-flows.json", FlowFormat::Whisker, 40, 0),
        (
            "goldmane-emitter-flows.jsonl",
            FlowFormat::GoldmaneEmitter,
            40,
            0,
        ),
        ("hubble-flows.jsonl", FlowFormat::Hubble, 48, 5),
        ("flows.csv", FlowFormat::Csv, 40, 0),
    ];
    for (name, format, records, ignored) in cases {
        let set = import(&sample(name));
        let s = set.summary();
        assert_eq!(s.formats, [format], "{name}");
        assert_eq!(
            (s.records, s.skipped, s.ignored),
            (records, 0, ignored),
            "{name}: {:?}",
            s.errors
        );
        assert_eq!(s.distinct, set.flows().len() as u64, "{name}");
        assert!(s.distinct >= 20, "{name}: {} distinct", s.distinct);
        let view = view(&set);
        for denied in DENIED {
            assert!(
                view.iter().any(|v| v == denied),
                "{name}: no `{denied}` in {view:#?}"
            );
        }
        assert!(
            view.iter()
                .any(|v| v == "checkout-web -> kube-system UDP/Some(53) allow"),
            "{name}"
        );
    }
}

#[test]
fn every_format_sees_the_same_connections() {
    let reference = view(&import(&sample("calico-enterprise-flows.jsonl")));
    let namespaced = |v: &Vec<String>| {
        v.iter()
            .filter(|l| !l.contains("- ") && !l.starts_with("- "))
            .cloned()
            .collect::<Vec<_>>()
    };
    for name in [
        "calico-felix-3.32-flows.jsonl",
        "goldmane-flows.json",
        "goldmane-emitter-flows.jsonl",
        "hubble-flows.jsonl",
        "flows.csv",
    ] {
        let other = view(&import(&sample(name)));
        for line in namespaced(&other) {
            assert!(
                reference.contains(&line),
                "{name}: `{line}` is not in the Calico sample"
            );
        }
    }
}

#[test]
fn gzip_and_plain_give_the_same_flows() {
    let plain = import(&sample("calico-enterprise-flows.jsonl"));
    let gz = import(&sample("calico-enterprise-flows.jsonl.gz"));
    assert_eq!(plain.flows(), gz.flows());
    assert_eq!(plain.endpoints(), gz.endpoints());
}

#[test]
fn chunk_sizes_do_not_change_the_result() {
    for name in [
        "calico-enterprise-flows.jsonl.gz",
        "goldmane-flows.json",
        "flows.csv",
        "hubble-flows.jsonl",
    ] {
        let bytes = sample(name);
        let whole = import(&bytes);
        for size in [1, 2, 7, 4093] {
            let mut importer = FlowImporter::new(ImportOptions::default());
            for chunk in bytes.chunks(size) {
                importer.feed(chunk).unwrap();
            }
            let set = importer.finish().unwrap();
            assert_eq!(set.flows(), whole.flows(), "{name} in chunks of {size}");
        }
    }
}

#[test]
fn progress_counts_input_bytes() {
    let bytes = sample("calico-enterprise-flows.jsonl.gz");
    let mut seen = Vec::new();
    import_reader(
        &bytes[..],
        FlowSet::default(),
        ImportOptions::default(),
        |n| seen.push(n),
    )
    .unwrap();
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(seen.last().copied(), Some(bytes.len() as u64));
}

#[test]
fn files_merge_into_one_set() {
    let first = import(&sample("calico-enterprise-flows.jsonl"));
    let distinct = first.flows().len();
    let merged = import_reader(
        &sample("calico-enterprise-flows.jsonl.gz")[..],
        first,
        ImportOptions::default(),
        |_| {},
    )
    .unwrap();
    assert_eq!(
        merged.flows().len(),
        distinct,
        "the same records add counts, not flows"
    );
    assert_eq!(merged.summary().records, 120);
    assert_eq!(
        merged.summary().formats,
        [FlowFormat::Calico, FlowFormat::Calico]
    );
    assert_eq!(
        merged.flows()[0].records,
        2 * import(&sample("calico-enterprise-flows.jsonl")).flows()[0].records
    );
}

#[test]
fn both_policy_dialects_give_the_same_traces() {
    let tiered = import(&sample("calico-enterprise-flows.jsonl"));
    let kind = import(&sample("calico-felix-3.32-flows.jsonl"));
    let traces = |set: &FlowSet| {
        let mut all: Vec<String> = set
            .flows()
            .iter()
            .flat_map(|f| [f.trace_src, f.trace_dst, f.pending_src, f.pending_dst])
            .flatten()
            .map(|t| format!("{:?}", set.trace(t)))
            .collect();
        all.sort();
        all.dedup();
        all
    };
    let (a, b) = (traces(&tiered), traces(&kind));
    for t in &b {
        assert!(
            a.contains(t),
            "kind-style trace {t} not found in the tiered sample"
        );
    }
    assert!(
        b.iter().any(|t| t.contains("staged: true")),
        "the staged deny-cross-env-v2 appears in a pending trace"
    );
}

#[test]
fn outside_ends_keep_addresses_scopes_and_domains() {
    let set = import(&sample("calico-enterprise-flows.jsonl"));
    let exfil = set
        .endpoints()
        .iter()
        .find(|e| e.ip == Some("198.51.100.66".parse().unwrap()))
        .unwrap();
    assert_eq!(exfil.kind, EndpointKind::Network);
    let psp = set
        .endpoints()
        .iter()
        .find(|e| e.kind == EndpointKind::NetworkSet)
        .unwrap();
    assert_eq!(psp.name.as_deref(), Some("psp-egress"));
    let whisker = import(&sample("goldmane-flows.json"));
    assert!(
        whisker
            .endpoints()
            .iter()
            .any(|e| e.scope == Some(NetworkScope::Public))
    );
    let hubble = import(&sample("hubble-flows.jsonl"));
    let world = hubble
        .endpoints()
        .iter()
        .find(|e| e.domains.iter().any(|d| d == "exfil.attacker.example.net"))
        .unwrap();
    assert_eq!(
        (world.kind, world.ip),
        (
            EndpointKind::Network,
            Some("198.51.100.66".parse().unwrap())
        )
    );
    let api = hubble
        .endpoints()
        .iter()
        .find(|e| e.name.as_deref() == Some("payments-api"))
        .unwrap();
    assert_eq!(
        api.labels
            .get("security.company.io/tier")
            .map(String::as_str),
        Some("backend")
    );
    assert!(
        !api.labels
            .keys()
            .any(|k| k.starts_with("io.cilium") || k.starts_with("k8s:"))
    );
}

#[test]
fn counts_do_not_double_count_both_reporters() {
    let set = import(&sample("calico-enterprise-flows.jsonl"));
    for flow in set.flows() {
        let c = flow.counts;
        assert_eq!(
            flow.count(),
            (c.src_allow + c.src_deny).max(c.dst_allow + c.dst_deny) + c.other_allow + c.other_deny
        );
        assert!(flow.first_seen <= flow.last_seen);
        assert!(flow.first_seen.is_some());
    }
    let dns = set
        .flows()
        .iter()
        .find(|f| f.port == Some(53) && f.protocol == Protocol::Udp)
        .unwrap();
    assert_eq!(dns.observed(), Observed::Allow);
}

// ---- other wrappings of the same records ----

#[test]
fn a_json_array_elasticsearch_response_and_pretty_printing_are_read() {
    let lines = String::from_utf8(sample("calico-enterprise-flows.jsonl")).unwrap();
    let docs: Vec<&str> = lines.lines().collect();
    let reference = import(lines.as_bytes());
    let array = format!("[\n{}\n]\n", docs.join(",\n"));
    let es = format!(
        "{{\"took\":3,\"hits\":{{\"total\":{{\"value\":60}},\"hits\":[{}]}}}}",
        docs.iter()
            .map(|d| format!("{{\"_index\":\"flows\",\"_source\":{d}}}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let pretty: String = docs
        .iter()
        .map(|d| {
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(d).unwrap())
                .unwrap()
                + "\n"
        })
        .collect();
    for (what, text) in [("array", array), ("es", es), ("pretty", pretty)] {
        let set = import(text.as_bytes());
        assert_eq!(
            set.summary().records,
            60,
            "{what}: {:?}",
            set.summary().errors
        );
        assert_eq!(set.flows(), reference.flows(), "{what}");
    }
}

#[test]
fn whisker_event_streams_and_goldmane_stream_output_are_read() {
    let list: serde_json::Value = serde_json::from_slice(&sample("goldmane-flows.json")).unwrap();
    let items = list["items"].as_array().unwrap();
    let sse: String = items.iter().map(|i| format!("data: {i}\n\n")).collect();
    let set = import(sse.as_bytes());
    assert_eq!(
        (set.summary().records, set.summary().formats.clone()),
        (40, vec![FlowFormat::Whisker])
    );
    assert_eq!(view(&set), view(&import(&sample("goldmane-flows.json"))));

    let emitter = String::from_utf8(sample("goldmane-emitter-flows.jsonl")).unwrap();
    let stream: String = emitter
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let flow: serde_json::Value = serde_json::from_str(l).unwrap();
            serde_json::to_string_pretty(&serde_json::json!({"id": i, "flow": flow})).unwrap()
                + "\n"
        })
        .collect();
    let set = import(stream.as_bytes());
    assert_eq!(set.summary().records, 40, "{:?}", set.summary().errors);
    assert_eq!(view(&set), view(&import(emitter.as_bytes())));
}

// ---- broken inputs ----

/// A gzip stream cut short is read up to the cut and says so (`flows_salvage.rs` has more); one cut
/// before anything decodes is an error.
#[test]
fn a_truncated_gzip_is_read_up_to_the_cut() {
    let gz = sample("calico-enterprise-flows.jsonl.gz");
    let err = import_bytes(&gz[..10], ImportOptions::default()).unwrap_err();
    assert!(matches!(err, ImportError::Gzip { .. }), "{err}");
    assert!(err.to_string().contains("corrupt or truncated"), "{err}");
    for cut in [gz.len() / 2, gz.len() - 4] {
        let set = import_bytes(&gz[..cut], ImportOptions::default())
            .unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        let damaged = &set.summary().damaged;
        assert_eq!(damaged.len(), 1, "cut at {cut}");
        // Cut inside the 8-byte trailer, the data is whole but its checksum cannot be checked.
        assert!(
            damaged[0].contains("ends early") || damaged[0].contains("fails its checksum"),
            "{damaged:?}"
        );
    }
    let mut corrupt = gz.clone();
    corrupt[100] ^= 0xff;
    match import_bytes(&corrupt, ImportOptions::default()) {
        Ok(set) => assert_eq!(set.summary().damaged.len(), 1),
        // Damage this early garbles the first line: not readable as a flow log at all.
        Err(err) => assert!(
            matches!(
                err,
                ImportError::Gzip { .. } | ImportError::UnknownFormat { .. }
            ),
            "{err}"
        ),
    }
}

#[test]
fn binary_junk_and_unknown_json_name_the_formats_tried() {
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80)
        .collect();
    for input in [
        &junk[..],
        b"hello world\n",
        b"{\"kind\":\"Pod\",\"metadata\":{}}\n",
        b"a,b,c\n1,2,3\n",
        b"",
        b"  \n\n",
    ] {
        let err = import_bytes(input, ImportOptions::default()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, ImportError::UnknownFormat { .. }), "{msg}");
        for format in ["Calico Enterprise", "Whisker", "Goldmane", "Hubble", "CSV"] {
            assert!(msg.contains(format), "{msg}");
        }
    }
    let err = import_bytes(&junk, ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("binary data"), "{err}");
}

#[test]
fn utf16_is_refused_and_latin1_lines_are_reported() {
    let text = "src_namespace,src_name,src_labels,dst_namespace,dst_name,dst_labels,dst_ip,proto,dst_port,action,count\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let err = import_bytes(&utf16, ImportOptions::default()).unwrap_err();
    assert!(
        matches!(err, ImportError::Encoding { encoding: "UTF-16" }),
        "{err}"
    );
    let no_bom: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert!(matches!(
        import_bytes(&no_bom, ImportOptions::default()),
        Err(ImportError::Encoding { .. })
    ));

    let mut latin1 = sample("flows.csv");
    latin1.extend_from_slice(b"caf\xe9,web,,b,db,,,TCP,80,allow,1\n");
    let set = import(&latin1);
    assert_eq!((set.summary().records, set.summary().skipped), (41, 1));
    assert_eq!(set.summary().errors[0].line, 42);
    assert!(
        set.summary().errors[0].reason.contains("UTF-8"),
        "{:?}",
        set.summary().errors
    );

    let mut calico = sample("calico-felix-3.32-flows.jsonl");
    let first_line_end = calico.iter().position(|&b| b == b'\n').unwrap();
    let mut bad = calico[..first_line_end].to_vec();
    let at = bad.windows(12).position(|w| w == b"checkout-web").unwrap();
    bad[at + 1] = 0xe9;
    calico.extend_from_slice(&bad);
    let set = import(&calico);
    assert_eq!(
        (set.summary().skipped, set.summary().errors[0].line),
        (1, 41),
        "{:?}",
        set.summary().errors
    );
}

#[test]
fn malformed_and_overlong_lines_are_skipped_with_their_line_numbers() {
    let good = String::from_utf8(sample("calico-felix-3.32-flows.jsonl")).unwrap();
    let mut lines: Vec<String> = good.lines().map(str::to_owned).collect();
    lines.insert(3, "{\"start_time\": 1, \"reporter\": \"src\"".into()); // line 4: cut short
    lines.insert(6, "not json at all".into()); // line 7
    lines.insert(8, format!("{{\"pad\":\"{}\"}}", "x".repeat(5000))); // line 9: over the limit below
    lines.insert(
        10,
        lines[0].replace("\"proto\":\"udp\"", "\"proto\":\"bogus\""),
    ); // line 11
    let text = lines.join("\n");
    let options = ImportOptions {
        max_line_bytes: 4096,
        ..ImportOptions::default()
    };
    let set = import_bytes(text.as_bytes(), options).unwrap();
    let s = set.summary();
    assert_eq!((s.records, s.skipped), (44, 4), "{:?}", s.errors);
    let at: Vec<u64> = s.errors.iter().map(|e| e.line).collect();
    assert_eq!(at, [4, 7, 9, 11]);
    assert!(
        s.errors[2].reason.contains("over the limit of 4096 bytes"),
        "{}",
        s.errors[2]
    );
    assert!(s.errors[3].reason.contains("bogus"), "{}", s.errors[3]);
}

#[test]
fn an_overlong_line_uses_bounded_memory_and_error_counts_are_capped() {
    // 64 MiB of one line, fed in chunks, with a 1 MiB limit: reported, never buffered.
    let options = ImportOptions {
        max_line_bytes: 1 << 20,
        max_reported_errors: 2,
    };
    let mut importer = FlowImporter::new(options);
    let first = sample("flows.csv");
    importer.feed(&first).unwrap();
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..64 {
        importer.feed(&chunk).unwrap();
    }
    importer.feed(b"\nbad\nbad\nbad\n").unwrap();
    let set = importer.finish().unwrap();
    let s = set.summary();
    assert_eq!((s.skipped, s.errors.len()), (4, 2));
    assert!(
        s.errors[0].reason.contains("over the limit"),
        "{}",
        s.errors[0]
    );
}

#[test]
fn a_bom_and_blank_lines_before_the_csv_header_are_allowed() {
    let mut text = b"\xEF\xBB\xBF\n\n".to_vec();
    text.extend_from_slice(&sample("flows.csv"));
    let set = import(&text);
    assert_eq!(
        (set.summary().records, set.summary().skipped),
        (40, 0),
        "{:?}",
        set.summary().errors
    );
}

#[test]
fn gzip_of_any_format_is_detected_by_magic() {
    for name in ["flows.csv", "hubble-flows.jsonl", "goldmane-flows.json"] {
        let plain = sample(name);
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&plain).unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(import(&gz).flows(), import(&plain).flows(), "{name}");
    }
}

#[test]
fn calico_rows_are_what_the_log_names_pods_included() {
    // Felix keeps pod names and IPs of denied flows (aggregation level 1) and aggregates allowed
    // ones by workload prefix (level 2): a denied row is per pod, an allowed one per workload.
    let set = import(&sample("calico-enterprise-flows.jsonl"));
    let pod = set
        .endpoints()
        .iter()
        .find(|e| e.pod.as_deref() == Some("payments-postgres-0"))
        .expect("the denied records name the database pod");
    assert_eq!(pod.name.as_deref(), Some("payments-postgres-*"));
    assert!(pod.ip.is_some());
    assert_eq!(
        pod.display_name(),
        "payments-db/payments-postgres-0",
        "a row shows the pod"
    );
    assert!(
        !pod.labels
            .contains_key("statefulset.kubernetes.io/pod-name"),
        "per-pod labels are not part of the identity"
    );
    let group = set
        .endpoints()
        .iter()
        .find(|e| e.name.as_deref() == Some("payments-postgres-*") && e.pod.is_none())
        .expect("allowed records name the workload only");
    assert_eq!(group.ip, None);
    // The two reporters of one connection are one row: no flow is keyed by reporter or action.
    let mut keys: Vec<_> = set
        .flows()
        .iter()
        .map(|f| (f.src, f.dst, f.protocol, f.port))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), set.flows().len());
    assert_eq!(set.summary().distinct, set.flows().len() as u64);
}

#[test]
fn more_broken_files_give_clear_errors() {
    // UTF-16 big-endian, with and without a BOM, plain or gzipped: refused as an encoding.
    let line = String::from_utf8(sample("calico-felix-3.32-flows.jsonl")).unwrap();
    let line = line.lines().next().unwrap().to_owned() + "\n";
    let mut be = vec![0xFE, 0xFF];
    be.extend(line.encode_utf16().flat_map(u16::to_be_bytes));
    let no_bom: Vec<u8> = line.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&be).unwrap();
    let gz = enc.finish().unwrap();
    for (what, bytes) in [("be", &be), ("be without BOM", &no_bom), ("gzipped", &gz)] {
        let err = import_bytes(bytes, ImportOptions::default()).unwrap_err();
        assert!(
            matches!(err, ImportError::Encoding { encoding: "UTF-16" }),
            "{what}: {err}"
        );
        assert!(err.to_string().contains("UTF-8"), "{what}: {err}");
    }

    // A JSON array of Calico documents on one line is read; an array of non-records is reported
    // record by record, never a panic.
    let text = String::from_utf8(sample("calico-felix-3.32-flows.jsonl")).unwrap();
    let docs: Vec<&str> = text.lines().collect();
    let one_line = format!("[{}]", docs.join(","));
    let set = import(one_line.as_bytes());
    assert_eq!((set.summary().records, set.summary().skipped), (40, 0));
    match import_bytes(b"[1, \"x\", null]", ImportOptions::default()) {
        Ok(set) => assert_eq!(set.summary().skipped, set.summary().records),
        Err(err) => assert!(err.to_string().contains("not a flow log"), "{err}"),
    }

    // The default line limit is 16 MiB: a longer record is reported and skipped.
    assert_eq!(ImportOptions::default().max_line_bytes, 16 * 1024 * 1024);
    let mut big = sample("flows.csv");
    big.extend(std::iter::repeat_n(b'x', 16 * 1024 * 1024 + 1));
    big.extend_from_slice(b"\n");
    let set = import(&big);
    assert_eq!((set.summary().records, set.summary().skipped), (41, 1));
    assert!(
        set.summary().errors[0].reason.contains("16777216"),
        "{:?}",
        set.summary().errors
    );

    // A gzip stream with garbage after a complete member, and an empty gzip member.
    // Every record of the member is read; the garbage is the break.
    let mut trailing = sample("calico-enterprise-flows.jsonl.gz");
    trailing.extend_from_slice(b"garbage after the member");
    let set = import_bytes(&trailing, ImportOptions::default()).expect("salvaged");
    assert_eq!(set.summary().records, 60);
    assert_eq!(set.summary().damaged.len(), 1, "{:?}", set.summary());
    let empty = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast())
        .finish()
        .unwrap();
    assert!(matches!(
        import_bytes(&empty, ImportOptions::default()),
        Err(ImportError::UnknownFormat { .. })
    ));
}
