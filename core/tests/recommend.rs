//! `recommend` on every sample of `../shared/flows/` (copied to `tests/data/flows/`), on
//! `gen-flows --estate example --cover` output in four formats and on a small synthetic estate
//! (`tests/data/recommend/`, see its README): the recommendation breaks no observed allowed flow,
//! every flow it allows beyond what was observed is explained by a listed widening, the design lints
//! clean, and the same input gives the same design byte for byte. Then each option.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::design;
use netpol_core::flows::{FlowSet, ImportOptions, import_bytes};
use netpol_core::lint;
use netpol_core::model::{CalicoPolicyKind, CalicoVersion, Port};
use netpol_core::recommend::{
    self, CrossNamespace, Proof, RecommendOptions, Recommendation, Widening,
};

/// Every input, and the observed allowed flows the impact engine cannot evaluate in it (documented:
/// Calico's and Goldmane's allowed records aggregate the node `worker-1` and the network set
/// `psp-egress` to names without addresses, so neither can be placed by address).
const INPUTS: [(&str, usize); 12] = [
    ("flows/calico-enterprise-flows.jsonl", 2),
    ("flows/calico-enterprise-flows.jsonl.gz", 2),
    ("flows/calico-felix-3.32-flows.jsonl", 2),
    ("flows/goldmane-flows.json", 2),
    ("flows/goldmane-emitter-flows.jsonl", 2),
    ("flows/hubble-flows.jsonl", 0),
    ("flows/flows.csv", 0),
    ("recommend/example-calico.jsonl.gz", 2),
    ("recommend/example-hubble.jsonl.gz", 0),
    ("recommend/example-csv.csv.gz", 0),
    ("recommend/example-goldmane-emitter.jsonl.gz", 2),
    ("recommend/synthetic-12ns.csv.gz", 0),
];

fn flows(name: &str) -> FlowSet {
    let bytes = std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    import_bytes(&bytes, ImportOptions::default()).unwrap()
}

fn run(set: &FlowSet, options: &RecommendOptions) -> (Recommendation, Proof) {
    let rec = recommend::recommend(set, None, options);
    let proof = recommend::prove(&rec, set);
    (rec, proof)
}

fn assert_holds(name: &str, proof: &Proof) {
    assert!(
        proof.broken.is_empty(),
        "{name}: broken flows\n{}",
        recommend::render_text(proof)
    );
    assert!(proof.widened_enumerated, "{name}: widened not enumerated");
    assert_eq!(
        proof.widened_unexplained,
        0,
        "{name}: unexplained widened flows\n{:#?}",
        proof
            .widened
            .iter()
            .filter(|w| w.because.is_none())
            .collect::<Vec<_>>()
    );
    assert!(
        proof.compile_errors.is_empty(),
        "{name}: {:?}",
        proof.compile_errors
    );
}

#[test]
fn every_sample_breaks_nothing_and_lints_clean() {
    for (name, unmatched) in INPUTS {
        let set = flows(name);
        let (rec, proof) = run(&set, &RecommendOptions::default());
        assert_holds(name, &proof);
        assert!(
            proof.allowed_observed_denied.is_empty(),
            "{name}: allows what was observed denied\n{}",
            recommend::render_text(&proof)
        );
        assert_eq!(proof.unmatched.len(), unmatched, "{name}: unmatched");
        assert!(
            proof.observed_allowed > 0 && proof.policies_written > 0,
            "{name}"
        );
        let findings = lint::lint_design(&rec.design, &rec.design.lint);
        assert!(findings.is_empty(), "{name}: lint findings {findings:#?}");
    }
}

#[test]
fn the_example_estate_figures() {
    let set = flows("flows/flows.csv");
    let (rec, proof) = run(&set, &RecommendOptions::default());
    insta::assert_snapshot!("example_csv_proof", recommend::render_text(&proof));
    insta::assert_snapshot!("example_csv_design", design::save(&rec.design));
    let set = flows("flows/calico-enterprise-flows.jsonl");
    let (_, proof) = run(&set, &RecommendOptions::default());
    insta::assert_snapshot!("example_calico_proof", recommend::render_markdown(&proof));
    // The one connection Calico saw allowed at the source and denied at the destination (debug-shell
    // to payments-postgres) is taken as denied, and stays denied.
    assert_eq!(proof.source_only_allows, 1);
}

#[test]
fn the_same_flows_give_the_same_design_byte_for_byte() {
    for (name, _) in INPUTS {
        let set = flows(name);
        let a =
            design::save(&recommend::recommend(&set, None, &RecommendOptions::default()).design);
        let b = design::save(
            &recommend::recommend(&flows(name), None, &RecommendOptions::default()).design,
        );
        assert_eq!(a, b, "{name}");
    }
    // Gzipped or not, the same records give the same design.
    let plain = flows("flows/calico-enterprise-flows.jsonl");
    let gz = flows("flows/calico-enterprise-flows.jsonl.gz");
    let options = RecommendOptions::default();
    assert_eq!(
        design::save(&recommend::recommend(&plain, None, &options).design),
        design::save(&recommend::recommend(&gz, None, &options).design)
    );
}

#[test]
fn the_design_reads_back_as_written() {
    let set = flows("recommend/synthetic-12ns.csv.gz");
    let rec = recommend::recommend(&set, None, &RecommendOptions::default());
    let text = design::save(&rec.design);
    let back = design::load(&text).unwrap();
    assert_eq!(design::save(&back), text);
}

#[test]
fn selectors_are_labels_never_addresses() {
    for (name, _) in INPUTS {
        let set = flows(name);
        let rec = recommend::recommend(&set, None, &RecommendOptions::default());
        for p in &rec.design.policies {
            for rule in p.spec.ingress.iter().chain(&p.spec.egress) {
                assert!(
                    rule.source.nets.is_empty() && rule.destination.nets.is_empty(),
                    "{name}: {}",
                    p.metadata.name
                );
            }
            let selector = p.spec.selector.as_deref().unwrap_or("");
            assert!(
                !selector.contains("pod-template-hash"),
                "{name}: {selector}"
            );
        }
        for ns in &rec.design.namespaces {
            for w in &ns.workloads {
                assert!(
                    !w.labels.contains_key("pod-template-hash"),
                    "{name}: {}",
                    w.name
                );
                assert!(
                    !w.labels.contains_key("statefulset.kubernetes.io/pod-name"),
                    "{name}: {}",
                    w.name
                );
            }
        }
    }
}

#[test]
fn taxonomy_prefers_the_kubernetes_name_label() {
    let set = flows("flows/flows.csv");
    let rec = recommend::recommend(&set, None, &RecommendOptions::default());
    let policy = rec
        .design
        .policies
        .iter()
        .find(|p| p.metadata.namespace.as_deref() == Some("payments-api"))
        .unwrap();
    assert_eq!(
        policy.spec.selector.as_deref(),
        Some("app.kubernetes.io/name == \"payments-api\"")
    );
    let key = rec
        .design
        .taxonomy
        .iter()
        .find(|k| k.key == "app.kubernetes.io/name")
        .unwrap();
    assert_eq!(key.scope, design::LabelScope::Application);
    // The baseline is the design's own, not a second one.
    let denies = rec
        .design
        .policies
        .iter()
        .filter(|p| p.spec.ingress.is_empty() && p.spec.egress.is_empty())
        .count();
    assert_eq!(denies, 1);
}

#[test]
fn merging_ports_into_a_range_is_listed_and_explains_what_it_allows() {
    let set = flows("flows/flows.csv");
    let options = RecommendOptions {
        merge_ports_after: Some(1),
        ..RecommendOptions::default()
    };
    let (rec, proof) = run(&set, &options);
    assert_holds("merge", &proof);
    let ranges = rec
        .widenings
        .iter()
        .filter(|w| matches!(w, Widening::PortRange { .. }))
        .count();
    assert!(ranges > 0);
    assert!(rec.design.policies.iter().any(|p| {
        p.spec
            .ingress
            .iter()
            .any(|r| matches!(r.destination.ports.as_slice(), [Port::Range(_, _)]))
    }));
    assert!(
        proof
            .widened
            .iter()
            .any(|w| w.because.as_deref().is_some_and(|b| b.contains(" ports ")))
    );
}

#[test]
fn namespace_peers_are_listed_and_explain_what_they_allow() {
    let set = flows("recommend/synthetic-12ns.csv.gz");
    let options = RecommendOptions {
        cross_namespace: CrossNamespace::Namespace,
        ..RecommendOptions::default()
    };
    let (rec, proof) = run(&set, &options);
    assert_holds("namespace", &proof);
    assert!(
        rec.widenings
            .iter()
            .any(|w| matches!(w, Widening::NamespacePeer { .. }))
    );
    // The egress side stays exact, so only a source without egress policy (a system namespace)
    // could use the broader ingress rule: the widened flows are those of the default or more.
    let default = run(&set, &RecommendOptions::default()).1;
    assert!(proof.widened.len() >= default.widened.len());
    assert!(rec.design.policies.iter().any(|p| {
        p.spec
            .ingress
            .iter()
            .any(|r| r.source.selector.is_none() && r.source.namespace_selector.is_some())
    }));
}

#[test]
fn broader_address_blocks_are_listed() {
    let set = flows("flows/hubble-flows.jsonl");
    let options = RecommendOptions {
        v4_prefix: 24,
        ..RecommendOptions::default()
    };
    let (rec, proof) = run(&set, &options);
    assert_holds("blocks", &proof);
    assert!(
        rec.widenings
            .iter()
            .any(|w| matches!(w, Widening::AddressBlock { addresses: 256, .. }))
    );
    assert!(
        rec.design
            .network_sets
            .iter()
            .any(|s| s.spec.nets.iter().any(|n| n.ends_with("/24")))
    );
}

/// Two sibling addresses (.10 and .11 make exactly 203.0.113.10/31) used by different sources on
/// different ports stay in separate sets at the exact setting: one /31 set would let `pay/web`
/// reach .10 on 5432, which was seen denied.
#[test]
fn exact_addresses_used_by_different_sources_are_not_merged() {
    let text = "src_namespace,src_name,src_labels,dst_namespace,dst_name,dst_labels,dst_ip,proto,dst_port,action,count
pay,web,app=web,,203.0.113.11,,203.0.113.11,TCP,5432,allow,1
pay,web,app=web,,203.0.113.10,,203.0.113.10,TCP,5432,deny,1
shop,web,app=web,,203.0.113.10,,203.0.113.10,TCP,80,allow,1
shop,api,app=api,,203.0.113.12,,203.0.113.12,TCP,80,allow,1
shop,api,app=api,,203.0.113.13,,203.0.113.13,TCP,80,allow,1
";
    let set = netpol_core::flows::import_bytes(text.as_bytes(), Default::default()).unwrap();
    let (rec, proof) = run(&set, &RecommendOptions::default());
    assert_holds("exact", &proof);
    assert!(
        proof.allowed_observed_denied.is_empty(),
        "{}",
        recommend::render_text(&proof)
    );
    let nets: Vec<&str> = rec
        .design
        .network_sets
        .iter()
        .flat_map(|s| s.spec.nets.iter().map(String::as_str))
        .collect();
    // .12 and .13 are used alike (shop/api, TCP 80): they still aggregate, exactly.
    assert_eq!(
        nets,
        ["203.0.113.10/32", "203.0.113.11/32", "203.0.113.12/31"],
        "{nets:?}"
    );
}

#[test]
fn staged_writes_staged_policies_and_proves_the_staged_verdict() {
    let set = flows("flows/flows.csv");
    let options = RecommendOptions {
        staged: true,
        ..RecommendOptions::default()
    };
    let (rec, proof) = run(&set, &options);
    assert_holds("staged", &proof);
    assert!(proof.staged);
    let written: Vec<_> = rec
        .design
        .policies
        .iter()
        .filter(|p| p.metadata.namespace.is_some())
        .collect();
    assert!(!written.is_empty());
    assert!(
        written
            .iter()
            .all(|p| p.kind == CalicoPolicyKind::StagedNetworkPolicy)
    );
    let deny = rec
        .design
        .policies
        .iter()
        .find(|p| p.metadata.name == "default-deny")
        .unwrap();
    assert_eq!(deny.kind, CalicoPolicyKind::StagedGlobalNetworkPolicy);
}

#[test]
fn a_scope_covers_its_namespaces_only() {
    let set = flows("flows/flows.csv");
    let options = RecommendOptions {
        namespaces: vec!["payments-api".to_owned(), "payments-db".to_owned()],
        calico_version: Some(CalicoVersion::V3_31),
        ..RecommendOptions::default()
    };
    let (rec, proof) = run(&set, &options);
    assert_holds("scope", &proof);
    assert_eq!(rec.design.calico_version, Some(CalicoVersion::V3_31));
    for p in &rec.design.policies {
        if let Some(ns) = &p.metadata.namespace {
            assert!(options.namespaces.contains(ns), "{ns}");
        }
    }
    let deny = rec
        .design
        .policies
        .iter()
        .find(|p| p.metadata.name == "default-deny")
        .unwrap();
    assert_eq!(
        deny.spec.namespace_selector.as_deref(),
        Some("kubernetes.io/metadata.name in {\"payments-api\", \"payments-db\"}")
    );
}

#[test]
fn a_starting_design_keeps_its_groups_and_policies() {
    let set = flows("flows/flows.csv");
    let mut base = design::baseline();
    base.name = "mine".to_owned();
    let (rec, proof) = {
        let rec = recommend::recommend(&set, Some(&base), &RecommendOptions::default());
        let proof = recommend::prove(&rec, &set);
        (rec, proof)
    };
    assert_holds("base", &proof);
    assert_eq!(rec.design.name, "mine");
    for p in &base.policies {
        assert!(rec.design.policies.contains(p));
    }
    // Recommending again from the recommendation adds nothing new but the same rules' policies.
    let again = recommend::recommend(&set, Some(&rec.design), &RecommendOptions::default());
    assert_eq!(again.design.namespaces, rec.design.namespaces);
}

#[test]
fn the_canvas_draws_every_recommended_rule_as_an_allowed_edge() {
    let set = flows("flows/flows.csv");
    let rec = recommend::recommend(&set, None, &RecommendOptions::default());
    let canvas = netpol_core::canvas::Canvas::of(&rec.design);
    let ids: std::collections::BTreeSet<&str> =
        canvas.nodes.iter().map(|n| n.id.as_str()).collect();
    assert!(!canvas.edges.is_empty());
    for e in &canvas.edges {
        assert_eq!(
            e.verdict,
            netpol_core::canvas::EdgeVerdict::Allowed,
            "{} -> {}",
            e.from,
            e.to
        );
        assert!(ids.contains(e.from.as_str()), "{}", e.from);
        assert!(ids.contains(e.to.as_str()), "{}", e.to);
    }
    assert!(
        canvas
            .edges
            .iter()
            .any(|e| e.from == "workload/payments-api/payments-api"
                && e.to == "workload/payments-db/payments-postgres")
    );
}
