//! Selector parse and match throughput.
//!
//! `cargo bench -p netpol-core --bench selector`. Parse throughput is reported in bytes of selector text,
//! match throughput in label maps evaluated.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use netpol_core::selector::Selector;

/// Selectors shaped like the ones in the sample estate, from trivial to long.
const SELECTORS: &[&str] = &[
    "all()",
    "app == 'checkout-api'",
    "projectcalico.org/namespace not in {'kube-system', 'cattle-system', 'calico-system'}",
    "app == 'checkout-api' && env in {'prod', 'staging'} && !has(legacy) && pci == 'true'",
    "(tier == 'frontend' || tier == 'api') && environment != 'dev' && team starts with 'pay' \
     && k8s-app not in {'kube-dns', 'coredns'} && !(zone ends with '-test' || has(quarantine))",
];

fn labels() -> BTreeMap<String, String> {
    [
        ("app", "checkout-api"),
        ("env", "prod"),
        ("environment", "prod"),
        ("pci", "true"),
        ("team", "payments"),
        ("tier", "api"),
        ("k8s-app", "checkout"),
        ("zone", "eu-west-1a"),
        ("projectcalico.org/namespace", "checkout"),
        ("projectcalico.org/orchestrator", "k8s"),
        ("pcns.kubernetes.io/metadata.name", "checkout"),
        ("pcns.environment", "prod"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn parse(c: &mut Criterion) {
    let bytes: usize = SELECTORS.iter().map(|s| s.len()).sum();
    let mut group = c.benchmark_group("selector_parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("mixed", |b| {
        b.iter(|| {
            for text in SELECTORS {
                let _ = black_box(Selector::parse(black_box(text)));
            }
        })
    });
    group.finish();
}

fn matching(c: &mut Criterion) {
    let selectors: Vec<Selector> = SELECTORS
        .iter()
        .filter_map(|s| Selector::parse(s).ok())
        .collect();
    let labels = labels();
    let mut group = c.benchmark_group("selector_match");
    group.throughput(Throughput::Elements(selectors.len() as u64));
    group.bench_function("mixed", |b| {
        b.iter(|| {
            let mut hits = 0usize;
            for sel in &selectors {
                hits += usize::from(sel.matches(black_box(&labels)));
            }
            hits
        })
    });
    group.finish();
}

criterion_group!(benches, parse, matching);
criterion_main!(benches);
