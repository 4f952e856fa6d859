//! Workloads without a known IP are pods somewhere in the cluster's pod range (its Calico IP pools, or
//! Calico's default pool `192.168.0.0/16`), as every real pod is (`calico-semantics.md` §5.2: identity
//! matching is IP-set membership; `nets` / `notNets` test the pod's IP). Every case is also checked
//! against the reference evaluator.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::design;
use netpol_core::eval::reference::{RefDecided, Reference};
use netpol_core::eval::{DecidedBy, Endpoint, Evaluator, Flow, Verdict, WorkloadEndpoint};
use netpol_core::model::{Action, Protocol, ResourceSet};
use serde_json::{Value, json};

const PRIVATE: [&str; 3] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

fn pool(cidr: &str, disabled: bool) -> Value {
    json!({"metadata": {"name": format!("pool-{}", cidr.replace(['/', '.', ':'], "-"))},
           "spec": {"cidr": cidr, "disabled": disabled}})
}

/// `shop/web` (with an IP) sends to `shop/db` (IP `db_ip`, or none); web's egress policy has rule 0
/// `Deny` to `destination` and rule 1 `Allow` everything. Also a network set `pods` labelled
/// `role: pods` over 10.244.0.0/16.
fn estate(destination: Value, pools: Value, db_ip: Option<&str>) -> ResourceSet {
    let mut db = json!({"kind": "Pod", "metadata": {"name": "db", "namespace": "shop", "labels": {"app": "db"}}});
    if let Some(ip) = db_ip {
        db["ip"] = json!(ip);
    }
    serde_json::from_value(json!({
        "workloads": [
            {"kind": "Pod", "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}}, "ip": "10.244.0.5"},
            db,
        ],
        "network_sets": [{"metadata": {"name": "pods", "labels": {"role": "pods"}}, "spec": {"nets": ["10.244.0.0/16"]}}],
        "policies": [{"kind": "GlobalNetworkPolicy", "metadata": {"name": "web-egress"}, "spec": {
            "selector": "app == 'web'", "types": ["Egress"],
            "egress": [{"action": "Deny", "destination": destination}, {"action": "Allow"}]}}],
        "ip_pools": pools,
    }))
    .expect("test resources deserialize")
}

fn workload(rs: &ResourceSet, name: &str) -> Endpoint {
    let all = WorkloadEndpoint::all_from(rs).expect("workloads");
    Endpoint::Workload(
        all.into_iter()
            .find(|w| w.display_name() == name)
            .expect("workload exists"),
    )
}

/// Whether web's rule 0 decides web → db (TCP 5432), by both evaluators.
fn rule0_matches(rs: &ResourceSet) -> bool {
    let mut ev = Evaluator::new(rs).expect("compiles");
    let (src, dst) = (workload(rs, "shop/web"), workload(rs, "shop/db"));
    let flow = Flow {
        src: ev.intern(&src),
        dst: ev.intern(&dst),
        protocol: Protocol::Tcp,
        port: Some(5432),
    };
    let compiled = match ev.evaluate(&flow).enforced.egress.decided_by {
        DecidedBy::Rule { rule, .. } => rule == 0,
        other => panic!("a rule decides: {other:?}"),
    };
    let reference = Reference::new(rs).evaluate(&src, &dst, Protocol::Tcp, Some(5432));
    let by_reference = matches!(reference.egress.1, RefDecided::Rule { rule: 0, .. });
    assert_eq!(compiled, by_reference, "compiled and reference agree");
    compiled
}

#[test]
fn pods_without_an_ip_are_in_the_pod_range() {
    let none = json!([]);
    let cases: Vec<(&str, Value, Value, Option<&str>, bool)> = vec![
        (
            "the internet minus private space does not hold a pod (default pool)",
            json!({"nets": ["0.0.0.0/0"], "notNets": PRIVATE}),
            none.clone(),
            None,
            false,
        ),
        (
            "nor with a pool in 10.0.0.0/8",
            json!({"nets": ["0.0.0.0/0"], "notNets": PRIVATE}),
            json!([pool("10.244.0.0/16", false)]),
            None,
            false,
        ),
        (
            "0.0.0.0/0 alone holds every pod",
            json!({"nets": ["0.0.0.0/0"]}),
            none.clone(),
            None,
            true,
        ),
        (
            "10.0.0.0/8 holds a pod of pool 10.244.0.0/16",
            json!({"nets": ["10.0.0.0/8"]}),
            json!([pool("10.244.0.0/16", false)]),
            None,
            true,
        ),
        (
            "10.0.0.0/8 does not hold a pod of the default pool",
            json!({"nets": ["10.0.0.0/8"]}),
            none.clone(),
            None,
            false,
        ),
        (
            "192.168.0.0/16 holds a pod of the default pool",
            json!({"nets": ["192.168.0.0/16"]}),
            none.clone(),
            None,
            true,
        ),
        (
            "notNets 10.0.0.0/8 excludes a pod of pool 10.244.0.0/16",
            json!({"notNets": ["10.0.0.0/8"]}),
            json!([pool("10.244.0.0/16", false)]),
            None,
            false,
        ),
        (
            "notNets 10.0.0.0/8 does not exclude a pod of the default pool",
            json!({"notNets": ["10.0.0.0/8"]}),
            none.clone(),
            None,
            true,
        ),
        (
            "a disabled pool is not where pods are when an enabled one exists",
            json!({"nets": ["10.244.0.0/16"]}),
            json!([pool("10.99.0.0/16", true), pool("10.244.0.0/16", false)]),
            None,
            true,
        ),
        (
            "two pools: a net holding one of them only may miss the pod",
            json!({"nets": ["10.244.0.0/16"]}),
            json!([pool("10.244.0.0/16", false), pool("10.245.0.0/16", false)]),
            None,
            false,
        ),
        (
            "two pools: nets holding both hold the pod",
            json!({"nets": ["10.244.0.0/16", "10.245.0.0/16"]}),
            json!([pool("10.244.0.0/16", false), pool("10.245.0.0/16", false)]),
            None,
            true,
        ),
        (
            "two pools: notNets touching either may exclude the pod",
            json!({"nets": ["0.0.0.0/0"], "notNets": ["10.245.0.0/16"]}),
            json!([pool("10.244.0.0/16", false), pool("10.245.0.0/16", false)]),
            None,
            false,
        ),
        (
            "a network set over the whole pool owns the pod's IP (IP-set membership)",
            json!({"selector": "role == 'pods'"}),
            json!([pool("10.244.0.0/16", false)]),
            None,
            true,
        ),
        (
            "a network set elsewhere does not",
            json!({"selector": "role == 'pods'"}),
            none.clone(),
            None,
            false,
        ),
        (
            "a pod with an IP keeps its exact IP: 10.0.0.0/8 holds 10.1.2.3 whatever the pool",
            json!({"nets": ["10.0.0.0/8"]}),
            none.clone(),
            Some("10.1.2.3"),
            true,
        ),
        (
            "a pod with a public IP is in the internet minus private space",
            json!({"nets": ["0.0.0.0/0"], "notNets": PRIVATE}),
            none.clone(),
            Some("203.0.113.9"),
            true,
        ),
        (
            "a pod with an IP outside every pool is not excluded by the pool's notNets",
            json!({"notNets": ["10.244.0.0/16"]}),
            json!([pool("10.244.0.0/16", false)]),
            Some("10.1.2.3"),
            true,
        ),
    ];
    for (what, destination, pools, ip, expected) in cases {
        let rs = estate(destination, pools, ip);
        assert_eq!(rule0_matches(&rs), expected, "{what}");
    }
}

#[test]
fn ingress_sources_without_an_ip_are_in_the_pod_range_too() {
    let rs: ResourceSet = serde_json::from_value(json!({
        "workloads": [
            {"kind": "Pod", "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}}},
            {"kind": "Pod", "metadata": {"name": "db", "namespace": "shop", "labels": {"app": "db"}}},
        ],
        "policies": [{"kind": "GlobalNetworkPolicy", "metadata": {"name": "db-ingress"}, "spec": {
            "selector": "app == 'db'", "types": ["Ingress"],
            "ingress": [{"action": "Allow", "source": {"nets": ["10.42.0.0/16"]}}]}}],
        "ip_pools": [pool("10.42.0.0/16", false)],
    }))
    .expect("test resources deserialize");
    let ev = Evaluator::new(&rs).expect("compiles");
    let flow = Flow {
        src: ev.workload("shop/web").expect("web"),
        dst: ev.workload("shop/db").expect("db"),
        protocol: Protocol::Tcp,
        port: Some(5432),
    };
    assert_eq!(ev.evaluate(&flow).verdict(), Verdict::Allow);
    let mut default_pool = rs.clone();
    default_pool.ip_pools.clear();
    let ev = Evaluator::new(&default_pool).expect("compiles");
    let flow = Flow {
        src: ev.workload("shop/web").expect("web"),
        dst: ev.workload("shop/db").expect("db"),
        ..flow
    };
    assert_eq!(
        ev.evaluate(&flow).verdict(),
        Verdict::Deny,
        "with the default pool the pod is in 192.168.0.0/16, outside the rule's nets"
    );
}

/// The sample design's `pci-egress` (security tier) denies PCI workloads the internet — `0.0.0.0/0`
/// minus private space — and passes the rest on. Designed workloads have no IP: they are pods in the
/// design's pod range (or the default pool), so in-cluster flows pass to the tiers that own them, as
/// the sample intends.
#[test]
fn the_sample_designs_pci_egress_leaves_in_cluster_flows_to_the_later_tiers() {
    let sample = design::sample();
    assert_eq!(design::effective_pod_cidrs(&sample), ["10.42.0.0/16"]);
    let mut default_pool = sample.clone();
    default_pool.pod_cidrs.clear();
    for d in [sample, default_pool] {
        sample_verdicts(&d);
    }
}

fn sample_verdicts(d: &design::Design) {
    let rs = design::to_resources(d);
    let mut ev = Evaluator::new(&rs).expect("the sample compiles");
    let reference = Reference::new(&rs);
    let mut verdict = |src: &str, dst: &str, protocol: Protocol, port: u16| {
        let src_id = ev.workload(src).expect("src");
        let dst_id = match dst.parse() {
            Ok(ip) => ev.intern(&Endpoint::outside(ip)),
            Err(_) => ev.workload(dst).expect("dst"),
        };
        let flow = Flow {
            src: src_id,
            dst: dst_id,
            protocol,
            port: Some(port),
        };
        let v = ev.evaluate(&flow);
        let (s, d) = (
            ev.endpoint(src_id).expect("src").clone(),
            ev.endpoint(dst_id).expect("dst").clone(),
        );
        assert_eq!(
            reference.evaluate(&s, &d, protocol, Some(port)).verdict,
            v.verdict(),
            "reference agrees on {src} -> {dst}"
        );
        let egress = match v.enforced.egress.decided_by {
            DecidedBy::Rule {
                policy,
                rule,
                action,
            } => Some((
                ev.policy_key(policy).expect("key").display_name(),
                rule,
                action,
            )),
            _ => None,
        };
        (v.verdict(), egress)
    };
    let dns = verdict(
        "checkout/checkout-api",
        "kube-system/coredns",
        Protocol::Udp,
        53,
    );
    assert_eq!(
        dns,
        (
            Verdict::Allow,
            Some(("allow-dns".to_owned(), 0, Action::Allow))
        )
    );
    let dns_tcp = verdict(
        "checkout/payment-service",
        "kube-system/coredns",
        Protocol::Tcp,
        53,
    );
    assert_eq!(
        dns_tcp,
        (
            Verdict::Allow,
            Some(("allow-dns".to_owned(), 1, Action::Allow))
        )
    );
    let payment = verdict(
        "checkout/checkout-api",
        "checkout/payment-service",
        Protocol::Tcp,
        8443,
    );
    assert_eq!(payment.0, Verdict::Allow, "{payment:?}");
    let orders = verdict(
        "checkout/checkout-api",
        "orders/orders-db",
        Protocol::Tcp,
        5432,
    );
    assert_eq!(orders.0, Verdict::Allow, "{orders:?}");
    // The internet is still denied to PCI workloads by rule 1.
    let internet = verdict(
        "checkout/payment-service",
        "93.184.216.34",
        Protocol::Tcp,
        443,
    );
    assert_eq!(
        internet,
        (
            Verdict::Deny,
            Some(("pci-egress".to_owned(), 1, Action::Deny))
        )
    );
}

/// The app's sample flow log records what the sample estate's cluster did; most of its rows are
/// aggregated (no pod IP). Replayed against the sample design, every verdict matches what was observed,
/// except the one flow the sample tells of as a dependency the design forgot (checkout calling a
/// currency-rates API on the internet, which pci-egress denies).
#[test]
fn the_sample_flows_get_the_verdicts_their_cluster_gave_them() {
    use netpol_core::flows::{ImportOptions, Observed, import_bytes};
    use netpol_core::impact::{ImpactOptions, impact};
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../public/samples/sample-design-flows.jsonl.gz"
    ))
    .expect("the app's sample flows");
    let flows = import_bytes(&bytes, ImportOptions::default()).expect("imports");
    let rs = design::to_resources(&design::sample());
    let report = impact(&rs, &rs, &flows, ImpactOptions::default());
    let mut disagreeing: Vec<String> = report
        .flows
        .iter()
        .filter(|f| {
            let observed = match f.observed {
                Observed::Allow => Some(Verdict::Allow),
                Observed::Deny => Some(Verdict::Deny),
                Observed::Mixed => None,
            };
            observed.is_some() && f.after != observed
        })
        .map(|f| format!("{} -> {} {:?}", f.src, f.dst, f.port))
        .collect();
    disagreeing.sort();
    disagreeing.dedup();
    assert_eq!(
        disagreeing,
        ["checkout/checkout-api-7f6d8c5b4-* -> public network Some(443)"]
    );
    let dns: Vec<_> = report
        .flows
        .iter()
        .filter(|f| f.src.starts_with("checkout/") && f.dst.starts_with("kube-system/coredns"))
        .collect();
    assert!(dns.len() >= 4, "checkout's pods ask DNS over UDP and TCP");
    assert!(dns.iter().all(|f| f.after == Some(Verdict::Allow)));
}
