//! Calico `IPPool`s: read from YAML (both API groups), kept in the resource set and in a design's
//! `podCidrs`, written back by the YAML export, and left out of the Fleet export (cluster set-up, not
//! policy).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::design;
use netpol_core::export::{self, DesignExportOptions};
use netpol_core::model::{ApiFlavour, IpPool, Resource};
use netpol_core::yaml::{self, ExportOptions};

const POOLS: &str = "\
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: default-ipv4-ippool
spec:
  cidr: 10.244.0.0/16
  blockSize: 26
  ipipMode: Always
  natOutgoing: true
  nodeSelector: all()
---
apiVersion: crd.projectcalico.org/v1
kind: IPPool
metadata:
  name: retired
spec:
  cidr: 10.99.0.0/16
  disabled: true
";

#[test]
fn ip_pools_are_read_with_their_routing_fields_kept_quietly() {
    let result = yaml::import("pools.yaml", POOLS);
    assert_eq!(result.diagnostics, Vec::new());
    let set = result.resource_set();
    let cidrs: Vec<(&str, bool)> = set
        .ip_pools
        .iter()
        .map(|p| (p.spec.cidr.as_str(), p.spec.disabled))
        .collect();
    assert_eq!(cidrs, [("10.244.0.0/16", false), ("10.99.0.0/16", true)]);
    assert!(set.ip_pools[0].spec.extra.contains_key("ipipMode"));
    // Written back as read.
    let text = yaml::export(
        &set.ip_pools
            .iter()
            .cloned()
            .map(Resource::IpPool)
            .collect::<Vec<_>>(),
        &ExportOptions {
            flavour: ApiFlavour::V3,
            comments: false,
        },
    );
    assert!(text.contains("kind: IPPool\n"), "{text}");
    assert!(text.contains("ipipMode: Always"), "{text}");
    assert!(text.contains("disabled: true"), "{text}");
    let again = yaml::import("again.yaml", &text).resource_set();
    assert_eq!(again.ip_pools, set.ip_pools);
}

#[test]
fn a_bad_pool_is_reported_at_its_line_and_column() {
    let text = "\
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: broken
spec:
  cidr: 10.244.0.0/33
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: empty
spec:
  natOutgoing: true
";
    let result = yaml::import("pools.yaml", text);
    let errors: Vec<String> = result
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.render())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].contains("pools.yaml:6:9") && errors[0].contains("`10.244.0.0/33`"),
        "{errors:?}"
    );
    assert!(
        errors[1].contains("pools.yaml:13:3") && errors[1].contains("spec.cidr"),
        "{errors:?}"
    );
}

#[test]
fn a_design_keeps_its_pod_cidrs() {
    let mut d = design::baseline();
    assert!(
        d.pod_cidrs.is_empty(),
        "saved designs without the field load unchanged"
    );
    assert_eq!(design::effective_pod_cidrs(&d), ["192.168.0.0/16"]);
    d.pod_cidrs = vec!["10.244.0.0/16".into(), "fd00:10::/64".into()];
    let text = design::save(&d);
    assert!(
        text.contains("podCidrs:\n  - 10.244.0.0/16\n  - fd00:10::/64\n"),
        "{text}"
    );
    let loaded = design::load(&text).expect("loads");
    assert_eq!(loaded.pod_cidrs, d.pod_cidrs);
    assert_eq!(
        design::load(&design::save_json(&d)).expect("json loads"),
        loaded
    );
    // One pool per CIDR; the evaluator takes the IPv4 ones of a dual-stack range.
    let set = design::to_resources(&loaded);
    assert_eq!(set.ip_pools.len(), 2);
    assert_eq!(design::effective_pod_cidrs(&loaded), ["10.244.0.0/16"]);
    // Back from resources: the enabled pools.
    let mut with_disabled = set.clone();
    let mut retired = IpPool::new("retired", "10.99.0.0/16");
    retired.spec.disabled = true;
    with_disabled.ip_pools.push(retired);
    assert_eq!(
        design::from_resources(&with_disabled).pod_cidrs,
        d.pod_cidrs
    );
}

#[test]
fn a_bad_pod_cidr_in_a_design_is_reported_where_it_is() {
    let text = design::save(&design::baseline()).replacen(
        "spec:\n",
        "spec:\n  podCidrs:\n  - 10.244.0.0/16\n  - 10.300.0.0/16\n",
        1,
    );
    let err = design::load(&text).expect_err("a bad CIDR fails the load");
    let rendered = err.to_string();
    assert!(
        rendered.contains("design.yaml:")
            && rendered.contains("spec.podCidrs[1]")
            && rendered.contains("`10.300.0.0/16`"),
        "{rendered}"
    );
    let line = text
        .lines()
        .position(|l| l.contains("10.300.0.0/16"))
        .expect("the line")
        + 1;
    assert!(
        rendered.contains(&format!("design.yaml:{line}:")),
        "{rendered}"
    );
    assert_eq!(
        design::check_pod_cidr(" 10.244.1.0/16"),
        Ok("10.244.0.0/16".to_owned())
    );
    assert!(design::check_pod_cidr("10.244.0.0").is_ok());
    assert!(design::check_pod_cidr("pods").is_err());
    assert_eq!(
        design::parse_pod_cidrs(" 10.244.1.0/16,fd00:10::/64  10.244.0.0/16, "),
        Ok(vec!["10.244.0.0/16".to_owned(), "fd00:10::/64".to_owned()])
    );
    assert_eq!(design::parse_pod_cidrs(""), Ok(Vec::new()));
    assert!(
        design::parse_pod_cidrs("10.244.0.0/16, 10.1.0.0/40")
            .unwrap_err()
            .contains("`10.1.0.0/40`")
    );
}

#[test]
fn the_fleet_export_ships_no_ip_pool() {
    let mut d = design::sample();
    d.pod_cidrs = vec!["10.244.0.0/16".into()];
    let tree = export::export_design(&d, &DesignExportOptions::default()).expect("exports");
    let plain =
        export::export_design(&design::sample(), &DesignExportOptions::default()).expect("exports");
    // The design itself (`studio/design.json`, which Fleet never deploys) records the pod CIDRs;
    // nothing Fleet deploys changes.
    let deployed = |t: &export::FileTree| -> Vec<(String, Vec<u8>)> {
        t.iter()
            .filter(|(path, _)| *path != "studio/design.json")
            .map(|(path, bytes)| (path.to_owned(), bytes.to_vec()))
            .collect()
    };
    assert_eq!(
        deployed(&tree),
        deployed(&plain),
        "pod CIDRs change no deployed file"
    );
    assert_ne!(
        tree.get("studio/design.json"),
        plain.get("studio/design.json")
    );
}
