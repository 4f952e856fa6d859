//! netpol-core on wasm32: the same engine the browser runs, exercised in Node through wasm-bindgen-test
//! (`make test-wasm`). Natively this file compiles to an empty test binary; the semantics are tested
//! natively by the unit tests next to each module.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::model::names::{bare_policy_name, prefixed_policy_name};
use netpol_core::model::{CalicoPolicy, Port, Protocol, ResourceSet};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn ports_parse_numbers_ranges_and_names() {
    assert_eq!("443".parse::<Port>(), Ok(Port::Number(443)));
    assert_eq!("8000:8080".parse::<Port>(), Ok(Port::Range(8000, 8080)));
    assert_eq!(
        "http-alt".parse::<Port>(),
        Ok(Port::Named("http-alt".to_owned()))
    );
    assert!("9000:80".parse::<Port>().is_err());
    assert!("70000".parse::<Port>().is_err());
    assert!(Port::Range(8000, 8080).contains(8080));
    assert!(!Port::Range(8000, 8080).contains(7999));
}

#[wasm_bindgen_test]
fn protocols_accept_names_and_numbers() {
    assert_eq!("TCP".parse::<Protocol>().map(Protocol::number), Ok(6));
    assert_eq!("17".parse::<Protocol>().map(Protocol::number), Ok(17));
    assert!(Protocol::from_number(6).has_ports());
}

#[wasm_bindgen_test]
fn policy_names_follow_the_tier_prefix_rules() {
    assert_eq!(
        bare_policy_name("platform.allow-dns", "platform"),
        "allow-dns"
    );
    assert_eq!(
        bare_policy_name("security.allow-dns", "platform"),
        "security.allow-dns"
    );
    assert_eq!(
        prefixed_policy_name("allow-dns", "default", true),
        "default.allow-dns"
    );
}

#[wasm_bindgen_test]
fn a_policy_round_trips_through_json() {
    let json = r#"{
        "kind": "GlobalNetworkPolicy",
        "metadata": {"name": "allow-dns"},
        "spec": {
            "tier": "platform",
            "order": 100,
            "selector": "all()",
            "types": ["Egress"],
            "egress": [{"action": "Allow", "protocol": "UDP", "destination": {"ports": [53]}}]
        }
    }"#;
    let policy: CalicoPolicy = serde_json::from_str(json).expect("the policy parses");
    assert_eq!(policy.tier(), "platform");
    assert_eq!(
        policy.spec.egress[0].destination.ports,
        vec![Port::Number(53)]
    );
    let again: CalicoPolicy =
        serde_json::from_str(&serde_json::to_string(&policy).expect("serialises"))
            .expect("re-parses");
    assert_eq!(again, policy);
    let set: ResourceSet = [netpol_core::model::Resource::CalicoPolicy(policy)]
        .into_iter()
        .collect();
    assert_eq!(set.policies.len(), 1);
}

#[wasm_bindgen_test]
fn the_sample_design_exports_to_the_same_zip_twice() {
    use netpol_core::export::{DesignExportOptions, export_design, to_zip};
    let design = netpol_core::design::sample();
    let tree = export_design(&design, &DesignExportOptions::default()).expect("the sample exports");
    assert!(tree.get("gitrepo.yaml").is_some());
    assert!(tree.get("bundles/tiers/fleet.yaml").is_some());
    let first = to_zip(&tree).expect("zip");
    let second = to_zip(&export_design(&design, &DesignExportOptions::default()).expect("exports"))
        .expect("zip");
    assert_eq!(first, second);
    assert_eq!(&first[..4], b"PK\x03\x04");
}

#[wasm_bindgen_test]
fn selectors_parse_match_and_report_spans() {
    use netpol_core::selector::Selector;
    let selector = Selector::parse("app == 'web' && has(tier)").expect("parses");
    let mut labels = std::collections::BTreeMap::new();
    labels.insert("app".to_owned(), "web".to_owned());
    assert!(!selector.matches(&labels));
    labels.insert("tier".to_owned(), "frontend".to_owned());
    assert!(selector.matches(&labels));
    let err = Selector::parse("app == ").expect_err("incomplete");
    assert!(err.span().start <= 7, "span {:?}", err.span());
}

#[wasm_bindgen_test]
fn yaml_errors_carry_line_and_column() {
    let text = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: x\nspec:\n  order: [not, a, number]\n";
    let result = netpol_core::yaml::import("bad.yaml", text);
    assert!(result.error_count() > 0);
    let first = result
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an error");
    assert_eq!(first.line, 6);
    assert!(first.column > 0);
}

#[wasm_bindgen_test]
fn the_sample_design_loads_and_round_trips() {
    let design = netpol_core::design::sample();
    assert!(!design.policies.is_empty());
    let again = netpol_core::design::load(&netpol_core::design::save(&design)).expect("reloads");
    assert_eq!(again, design);
}

#[wasm_bindgen_test]
fn designed_workloads_are_pods_in_the_design_pod_range() {
    use netpol_core::design;
    use netpol_core::eval::{Evaluator, Flow, Verdict};
    let mut d = design::sample();
    let verdict = |d: &design::Design| {
        let ev = Evaluator::new(&design::to_resources(d)).expect("the sample compiles");
        let flow = Flow {
            src: ev.workload("checkout/checkout-api").expect("checkout"),
            dst: ev.workload("kube-system/coredns").expect("dns"),
            protocol: Protocol::Udp,
            port: Some(53),
        };
        ev.evaluate(&flow).verdict()
    };
    assert_eq!(verdict(&d), Verdict::Allow);
    // Pods in carrier-grade NAT space are not in pci-egress's private notNets.
    d.pod_cidrs = design::parse_pod_cidrs("100.64.0.0/10").expect("a CIDR");
    assert_eq!(verdict(&d), Verdict::Deny);
}
