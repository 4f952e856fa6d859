//! Coverage on listed estates (issue 18): a controller's Pods fold into one entry, and the namespace
//! matrix says allowed, denied, partly or undecidable for each pair of namespaces.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

mod coverage_estate;

use coverage_estate::{ING, WORKLOADS, calico, knp, set};
use netpol_core::coverage::coverage;
use netpol_core::model::CalicoVersion;

/// Pods listed one by one fold into their controller (same namespace, service account and labels but
/// the per-pod ones, same answer), or into one entry named after it when it is not listed.
#[test]
fn a_controllers_pods_fold_into_one_entry() {
    let pod = |name: &str, labels: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: shop, labels: {{{labels}}}}}\nspec: {{containers: [{{name: c, image: c}}]}}\n---\n"
        )
    };
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: c, image: c}]}\n---\n";
    let pods = [
        pod("api-5d8f7c9b6-x2k4q", "app: api, pod-template-hash: 5d8f7c9b6"),
        pod("api-5d8f7c9b6-q7z9w", "app: api, pod-template-hash: 5d8f7c9b6"),
        pod(
            "cache-0",
            "app: cache, statefulset.kubernetes.io/pod-name: cache-0, controller-revision-hash: cache-7b9c",
        ),
        pod(
            "cache-1",
            "app: cache, statefulset.kubernetes.io/pod-name: cache-1, controller-revision-hash: cache-7b9c",
        ),
        pod("stray", "app: api, debug: 'true'"),
    ]
    .concat();
    let policy = knp(ING, "  ingress: [{}]\n");
    let text = format!("{policy}---\n{deployment}{pods}{WORKLOADS}");
    let c = coverage(&set(&text, CalicoVersion::V3_32));
    let entries: Vec<(&str, Vec<&str>)> = c
        .workloads
        .iter()
        .map(|e| {
            (
                e.workload.as_str(),
                e.pods.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (
                "shop/api",
                vec!["shop/api-5d8f7c9b6-x2k4q", "shop/api-5d8f7c9b6-q7z9w"]
            ),
            ("shop/cache", vec!["shop/cache-0", "shop/cache-1"]),
            ("shop/stray", vec![]),
            ("shop/web", vec![]),
            ("shop/db", vec![]),
            ("other/client", vec![]),
        ],
        "{c:#?}"
    );
    assert_eq!(c.summary.workloads, 6);
    // Near miss: a policy that tells the StatefulSet's pods apart keeps them apart.
    let one = "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: first, namespace: shop}\nspec:\n  selector: statefulset.kubernetes.io/pod-name == 'cache-0'\n  types: [Ingress]\n---\n";
    let c = coverage(&set(&format!("{one}{text}"), CalicoVersion::V3_32));
    let names: Vec<&str> = c.workloads.iter().map(|e| e.workload.as_str()).collect();
    assert!(
        names.contains(&"shop/cache-0") && names.contains(&"shop/cache-1"),
        "{names:?}"
    );
}

/// The namespace matrix counts every (source workload, destination workload, destination container
/// port) of a pair of namespaces: `shop/web` listens on 22 and 8080, `shop/db` and `other/client` on
/// nothing (so no cell has them as destinations).
#[test]
fn the_namespace_matrix_says_allowed_denied_partly_or_undecidable() {
    use netpol_core::coverage::{Reach, namespace_matrix};
    let reach = |text: &str| {
        let m = namespace_matrix(&set(
            &format!("{text}---\n{WORKLOADS}"),
            CalicoVersion::V3_32,
        ))
        .unwrap();
        assert_eq!(m.namespaces, ["other", "shop"]);
        m.cells
            .iter()
            .map(|c| (c.from.clone(), c.to.clone(), c.reach, c.probes, c.allowed))
            .collect::<Vec<_>>()
    };
    let own = |s: &str| s.to_owned();
    // Near miss of every restriction: no policy, everything allowed.
    assert_eq!(
        reach(""),
        [
            (own("other"), own("shop"), Reach::Allowed, 2, 2),
            (own("shop"), own("shop"), Reach::Allowed, 2, 2),
        ]
    );
    // Only the namespace's own pods, on 8080: `shop/db` reaches half of `shop/web`'s ports.
    let same_namespace = knp(
        ING,
        "  ingress: [{from: [{podSelector: {}}], ports: [{port: 8080}]}]\n",
    );
    assert_eq!(
        reach(&same_namespace),
        [
            (own("other"), own("shop"), Reach::Denied, 2, 0),
            (own("shop"), own("shop"), Reach::Partly, 2, 1),
        ]
    );
    // By address: `other/client` has no IP, so whether it is in 192.168.0.0/24 (a part of Calico's
    // default pool) is not known.
    let by_address = calico(
        ING,
        "  ingress: [{action: Allow, source: {nets: [192.168.0.0/24]}}]\n",
    );
    let cells = reach(&by_address);
    assert_eq!(cells[0].2, Reach::Undecidable, "{cells:?}");
}
