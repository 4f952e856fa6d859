//! Properties of `recommend` over random estates and flows (written as the CSV flow format): the
//! recommendation never denies an observed allowed flow, every flow it allows beyond what was
//! observed is explained by a listed widening (or the baseline), and with no widening option it
//! never allows a flow between two application groups that never talked, nor one only seen denied.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::flows::{ImportOptions, import_bytes};
use netpol_core::recommend::{self, CrossNamespace, RecommendOptions};
use proptest::prelude::*;

const NAMESPACES: [&str; 5] = ["shop", "pay", "data", "ops-tools", "edge"];
const GROUPS: [&str; 4] = ["web", "api", "db", "worker"];
const PORTS: [u16; 5] = [80, 443, 5432, 8080, 9090];
const OUTSIDE: [&str; 4] = [
    "203.0.113.10",
    "203.0.113.11",
    "198.51.100.7",
    "192.0.2.200",
];

/// One group: its namespace, name and labels (`;`-joined, as the CSV writes them).
#[derive(Debug, Clone)]
struct Group {
    namespace: &'static str,
    name: &'static str,
    labels: String,
}

fn estate(picks: &[(usize, usize, u8)]) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for &(ns, g, style) in picks {
        let (namespace, name) = (NAMESPACES[ns], GROUPS[g]);
        if out
            .iter()
            .any(|o| o.namespace == namespace && o.name == name)
        {
            continue;
        }
        // Name labels of every convention, plus labels shared across groups.
        let mut labels = match style % 3 {
            0 => format!("app.kubernetes.io/name={name}"),
            1 => format!("app={name}"),
            _ => format!("app.kubernetes.io/name={name};app={name}"),
        };
        labels.push_str(";team=core;pod-template-hash=5f6d7c8b9");
        out.push(Group {
            namespace,
            name,
            labels,
        });
    }
    out.push(Group {
        namespace: "kube-system",
        name: "coredns",
        labels: "k8s-app=kube-dns".to_owned(),
    });
    out
}

/// A CSV flow log: each flow is (source group, destination: group or outside address, protocol,
/// port, allowed).
fn csv(groups: &[Group], flows: &[(usize, usize, bool, usize, bool)]) -> String {
    let mut out = String::from(
        "src_namespace,src_name,src_labels,dst_namespace,dst_name,dst_labels,dst_ip,proto,dst_port,action,count\n",
    );
    for &(s, d, udp, port, allow) in flows {
        let src = &groups[s % groups.len()];
        let proto = if udp { "UDP" } else { "TCP" };
        let action = if allow { "allow" } else { "deny" };
        let port = PORTS[port % PORTS.len()];
        // One destination in five is outside the cluster.
        if d % 5 == 4 {
            let ip = OUTSIDE[d % OUTSIDE.len()];
            out.push_str(&format!(
                "{},{},{},,{ip},,{ip},{proto},{port},{action},1\n",
                src.namespace, src.name, src.labels
            ));
        } else {
            let dst = &groups[d % groups.len()];
            out.push_str(&format!(
                "{},{},{},{},{},{},,{proto},{port},{action},1\n",
                src.namespace, src.name, src.labels, dst.namespace, dst.name, dst.labels
            ));
        }
    }
    // DNS from the first group, as every workload does.
    let first = &groups[0];
    out.push_str(&format!(
        "{},{},{},kube-system,coredns,k8s-app=kube-dns,,UDP,53,allow,1\n",
        first.namespace, first.name, first.labels
    ));
    out
}

fn options(merge: Option<usize>, by_namespace: bool, prefix: u8) -> RecommendOptions {
    RecommendOptions {
        merge_ports_after: merge,
        cross_namespace: if by_namespace {
            CrossNamespace::Namespace
        } else {
            CrossNamespace::Workload
        },
        v4_prefix: prefix,
        ..RecommendOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn never_breaks_and_every_widening_is_listed(
        picks in proptest::collection::vec((0usize..5, 0usize..4, 0u8..3), 1..9),
        flows in proptest::collection::vec((0usize..40, 0usize..40, any::<bool>(), 0usize..5, prop::bool::weighted(0.8)), 1..30),
        merge in proptest::option::of(1usize..3),
        by_namespace in any::<bool>(),
        prefix in prop_oneof![Just(32u8), Just(24u8), Just(16u8)],
    ) {
        let groups = estate(&picks);
        let text = csv(&groups, &flows);
        let set = import_bytes(text.as_bytes(), ImportOptions::default()).unwrap();
        let options = options(merge, by_namespace, prefix);
        let rec = recommend::recommend(&set, None, &options);
        let proof = recommend::prove(&rec, &set);
        prop_assert!(proof.broken.is_empty(), "{}\n{text}", recommend::render_text(&proof));
        prop_assert!(proof.unmatched.is_empty(), "{}", recommend::render_text(&proof));
        prop_assert!(proof.widened_enumerated);
        prop_assert_eq!(
            proof.widened_unexplained, 0,
            "{:#?}\n{}",
            proof.widened.iter().filter(|w| w.because.is_none()).collect::<Vec<_>>(),
            text
        );
        // The same input, the same design.
        let again = recommend::recommend(&set, None, &options);
        prop_assert_eq!(
            netpol_core::design::save(&again.design),
            netpol_core::design::save(&rec.design)
        );
    }

    #[test]
    fn without_options_nothing_unobserved_between_groups_is_allowed(
        picks in proptest::collection::vec((0usize..5, 0usize..4, 0u8..3), 1..9),
        flows in proptest::collection::vec((0usize..40, 0usize..40, any::<bool>(), 0usize..5, prop::bool::weighted(0.8)), 1..30),
    ) {
        let groups = estate(&picks);
        let text = csv(&groups, &flows);
        let set = import_bytes(text.as_bytes(), ImportOptions::default()).unwrap();
        let rec = recommend::recommend(&set, None, &RecommendOptions::default());
        let proof = recommend::prove(&rec, &set);
        prop_assert!(proof.broken.is_empty());
        prop_assert!(rec.widenings.is_empty(), "{:?}", rec.widenings);
        let application = |end: &str| {
            end.split_once('/')
                .is_some_and(|(ns, _)| NAMESPACES.contains(&ns))
        };
        // Denied flows stay denied, but for those between ends the baseline's default deny leaves
        // alone (the system namespaces): nothing there is written.
        for f in &proof.allowed_observed_denied {
            prop_assert!(
                !application(&f.src) && !application(&f.dst),
                "{}\n{text}",
                recommend::render_text(&proof)
            );
        }
        for w in &proof.widened {
            if application(&w.src) && application(&w.dst) {
                prop_assert!(false, "{w:?} widened between two application groups\n{text}");
            }
            if application(&w.src) {
                prop_assert_eq!(
                    w.because.as_deref(),
                    Some("the baseline allows DNS to kube-dns from every workload"),
                    "{:?}", w
                );
            }
        }
    }
}
