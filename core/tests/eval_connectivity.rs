//! Cluster connectivity in the normalized form of `connectivity.md`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::eval::connectivity::{Connection, Probes, connectivity, to_csv, to_json};
use netpol_core::model::ResourceSet;
use serde_json::json;

fn conn(src: &str, dst: &str, proto: &str, port: Option<u16>) -> Connection {
    Connection {
        src: src.into(),
        dst: dst.into(),
        proto: proto.into(),
        port,
        state: Default::default(),
    }
}

#[test]
fn allowed_flows_are_listed_sorted_with_probes() {
    let rs: ResourceSet = serde_json::from_value(json!({
        "workloads": [
            {"kind": "Pod", "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}}, "ports": [{"port": 8080}]},
            {"kind": "Pod", "metadata": {"name": "db", "namespace": "shop", "labels": {"app": "db"}}, "ports": [{"name": "pg", "port": 5432}]}
        ],
        "kubernetes_policies": [{"metadata": {"name": "db", "namespace": "shop"}, "spec": {"podSelector": {"matchLabels": {"app": "db"}},
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": "pg"}]}]}}]
    }))
    .expect("resources");
    let probes = Probes::from_json(
        r#"{"probes": {"external_ips": ["203.0.113.10"], "extra_ports": [["ICMP", null]]}}"#,
    )
    .expect("probes");
    let got = connectivity(&rs, &probes).expect("connectivity");
    let want = vec![
        conn("203.0.113.10", "shop/web", "ICMP", None),
        conn("203.0.113.10", "shop/web", "TCP", Some(8080)),
        conn("shop/db", "203.0.113.10", "ICMP", None),
        conn("shop/db", "203.0.113.10", "TCP", Some(5432)),
        conn("shop/db", "203.0.113.10", "TCP", Some(8080)),
        conn("shop/db", "shop/web", "ICMP", None),
        conn("shop/db", "shop/web", "TCP", Some(8080)),
        conn("shop/web", "203.0.113.10", "ICMP", None),
        conn("shop/web", "203.0.113.10", "TCP", Some(5432)),
        conn("shop/web", "203.0.113.10", "TCP", Some(8080)),
        conn("shop/web", "shop/db", "TCP", Some(5432)),
        conn("shop/web", "shop/web", "ICMP", None),
    ];
    let got_without_self: Vec<Connection> =
        got.iter().filter(|c| c.src != c.dst).cloned().collect();
    let want_without_self: Vec<Connection> = want.into_iter().filter(|c| c.src != c.dst).collect();
    assert_eq!(got_without_self, want_without_self);
    assert_eq!(
        got.len(),
        got_without_self.len(),
        "pairs are of distinct endpoints"
    );
    assert!(to_json(&got).starts_with(
        "[\n{\"src\":\"203.0.113.10\",\"dst\":\"shop/web\",\"proto\":\"ICMP\",\"port\":null,\"state\":\"allow\"},\n"
    ));
    assert!(to_csv(&got).contains("shop/web,shop/db,TCP,5432\n"));
}
