//! The design document and the built-in sample.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::design::{self, Design, LabelScope};
use netpol_core::model::{ApiFlavour, Resource};
use netpol_core::yaml;

#[test]
fn the_sample_loads_without_any_diagnostic() {
    let result = design::import("sample.yaml", design::SAMPLE_YAML);
    let rendered: Vec<String> = result.diagnostics.iter().map(|d| d.render()).collect();
    assert!(rendered.is_empty(), "{}", rendered.join("\n"));
    assert!(result.single_design().is_some());
}

#[test]
fn the_sample_is_the_rancher_zero_trust_estate() {
    let d = design::sample();
    assert_eq!(d.name, "rancher-calico-zero-trust");
    let tiers: Vec<(&str, Option<f64>)> = d
        .tiers
        .iter()
        .map(|t| (t.metadata.name.as_str(), t.spec.order))
        .collect();
    assert_eq!(
        tiers,
        [
            ("security", Some(100.0)),
            ("platform", Some(200.0)),
            ("security-baseline", Some(300.0)),
            ("application", Some(400.0))
        ]
    );
    let policy = |name: &str| {
        d.policies
            .iter()
            .find(|p| p.metadata.name == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let deny = policy("default-deny");
    assert_eq!(deny.spec.order, Some(1000.0));
    assert_eq!(deny.tier(), "default");
    let ns_sel = deny.spec.namespace_selector.as_deref().unwrap_or("");
    for system in netpol_core::model::vocabulary::namespaces::SYSTEM_NAMESPACES {
        assert!(
            ns_sel.contains(system),
            "default deny must exclude {system}"
        );
    }
    let dns = policy("allow-dns");
    assert_eq!(dns.spec.order, Some(100.0));
    let protocols: Vec<String> = dns
        .spec
        .egress
        .iter()
        .filter_map(|r| r.protocol.map(|p| p.to_string()))
        .collect();
    assert_eq!(protocols, ["UDP", "TCP"]);
    assert_eq!(policy("deny-cross-environment").tier(), "platform");
    assert!(
        policy("pci-egress").spec.egress[0]
            .destination
            .selector
            .as_deref()
            .unwrap_or("")
            .contains("external")
    );
    assert!(
        policy("checkout-api").spec.ingress[0]
            .source
            .selector
            .as_deref()
            .unwrap_or("")
            .contains("api-gateway")
    );
    let istio = policy("allow-istio-mesh");
    let ports: Vec<String> = istio.spec.ingress[0]
        .destination
        .ports
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(ports, ["15006", "15008"]);
    let envs: Vec<&str> = d.environments.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(envs, ["dev", "staging", "prod"]);
    assert!(
        d.network_sets
            .iter()
            .any(|s| s.is_global() && s.metadata.name == "payment-processors")
    );
    for key in [
        "security.company.io/environment",
        "security.company.io/tier",
        "security.company.io/zone",
        "security.company.io/compliance",
        "app.kubernetes.io/name",
    ] {
        assert!(
            d.taxonomy.iter().any(|k| k.key == key),
            "taxonomy lacks {key}"
        );
    }
    assert!(
        d.taxonomy
            .iter()
            .filter(|k| k.key.starts_with("security."))
            .all(|k| k.scope == LabelScope::Security)
    );
}

/// Every label used on a namespace, workload or network set is in the taxonomy, with an allowed value.
#[test]
fn the_sample_uses_only_labels_of_its_taxonomy() {
    let d = design::sample();
    let set = design::to_resources(&d);
    let maps = set
        .namespaces
        .iter()
        .map(|n| &n.metadata.labels)
        .chain(set.workloads.iter().map(|w| &w.metadata.labels))
        .chain(set.network_sets.iter().map(|s| &s.metadata.labels));
    for labels in maps {
        for (k, v) in labels {
            let key = d
                .taxonomy
                .iter()
                .find(|t| &t.key == k)
                .unwrap_or_else(|| panic!("label {k} not in the taxonomy"));
            assert!(
                key.values.is_empty() || key.values.contains(v),
                "{k}={v} not an allowed value"
            );
        }
    }
}

#[test]
fn save_then_load_gives_the_same_design() {
    let d = design::sample();
    let text = design::save(&d);
    let again = design::load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(again, d);
    assert_eq!(design::save(&again), text, "save is deterministic");
}

#[test]
fn a_design_can_be_written_in_json() {
    let d = design::sample();
    let yaml_text = design::save(&d);
    let value = design::import("d.yaml", &yaml_text);
    assert_eq!(value.error_count(), 0);
    // Re-express the saved document as JSON through serde_json and load that.
    let json = netpol_core::design::save_json(&d);
    assert!(json.trim_start().starts_with('{'));
    assert_eq!(design::load(&json).map_err(|e| e.to_string()), Ok(d));
}

#[test]
fn resources_and_back() {
    let d = design::sample();
    let set = design::to_resources(&d);
    assert_eq!(set.tiers.len(), 4);
    assert_eq!(set.namespaces.len(), d.namespaces.len());
    assert_eq!(
        set.workloads.len(),
        d.namespaces
            .iter()
            .map(|n| n.workloads.len())
            .sum::<usize>()
    );
    let back: Design = design::from_resources(&set);
    assert_eq!(design::to_resources(&back), set);
    assert!(
        back.taxonomy
            .iter()
            .any(|k| k.key == "security.company.io/environment" && k.scope == LabelScope::Security)
    );
    assert!(
        back.taxonomy
            .iter()
            .any(|k| k.key == "kubernetes.io/metadata.name" && k.scope == LabelScope::Kubernetes)
    );
}

#[test]
fn other_design_versions_are_refused_with_a_clear_message() {
    let newer = design::SAMPLE_YAML.replace("studio.netpol.dev/v1alpha1", "studio.netpol.dev/v2");
    let err = design::load(&newer)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("newer than this Netpol Studio reads"), "{err}");
    assert!(err.contains(":13:"), "points at the apiVersion line: {err}");
    let older =
        design::SAMPLE_YAML.replace("studio.netpol.dev/v1alpha1", "studio.netpol.dev/v1alpha0");
    let err = design::load(&older)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("older than"), "{err}");
}

#[test]
fn sample_resource_files_reimport_to_the_same_resources() {
    let d = design::sample();
    for flavour in [ApiFlavour::V3, ApiFlavour::CrdV1] {
        let mut all = Vec::new();
        for (name, text) in design::resource_files(&d, flavour) {
            let r = yaml::import(&name, &text);
            assert_eq!(r.error_count(), 0, "{name}: {:?}", r.diagnostics);
            all.extend(r.resources.into_iter().map(|r| r.resource));
        }
        let set: netpol_core::model::ResourceSet = all.into_iter().collect();
        let expected = design::to_resources(&d);
        assert_eq!(set.policies.len(), expected.policies.len());
        assert_eq!(set.workloads, expected.workloads);
        assert!(set.policies.iter().all(|p| {
            expected
                .policies
                .iter()
                .any(|e| e.metadata.name == p.metadata.name)
        }));
        let _ = Resource::Tier(set.tiers[0].clone());
    }
}

#[test]
fn typos_in_the_design_document_are_errors_at_their_line() {
    let text = design::SAMPLE_YAML.replacen("    colour: '#d9480f'", "    color: '#d9480f'", 1);
    let err = design::load(&text)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("unknown field `color`"), "{err}");
    assert!(
        err.contains("design.yaml:24:5: error: invalid `spec.taxonomy[0]`"),
        "{err}"
    );
}

#[test]
fn against_the_open_cluster_the_sample_design_breaks_some_sample_flows() {
    use netpol_core::flows::{ImportOptions, import_bytes};
    use netpol_core::impact::{ImpactOptions, impact};

    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../public/samples/sample-design-flows.jsonl.gz"
    );
    let bytes = std::fs::read(path).expect("the site's sample flows");
    let flows = import_bytes(&bytes, ImportOptions::default()).expect("the sample flows import");
    let sample = design::sample();
    let open = design::open_cluster(&sample);
    assert!(open.policies.is_empty() && open.kubernetes_policies.is_empty());
    assert_eq!(open.namespaces, sample.namespaces);
    assert_eq!(open.network_sets, sample.network_sets);

    let after = design::to_resources(&sample);
    let report = impact(
        &design::to_resources(&open),
        &after,
        &flows,
        ImpactOptions::default(),
    );
    let s = &report.summary;
    // Nothing is denied on an open cluster: the design can only break flows, never widen them.
    assert!(s.broken > 0, "{s:?}");
    assert_eq!((s.widened, s.unchanged_deny), (0, 0), "{s:?}");
    // Compared with itself the design changes nothing (the default "before" out of the box so far).
    let same = impact(&after, &after, &flows, ImpactOptions::default()).summary;
    assert_eq!(same.broken, 0, "{same:?}");
}
