//! Linting a 500-policy estate (issue 9: under 100 ms native), and its coverage report (issue 18:
//! lint + coverage under 100 ms native). The estate is the evaluator's synthetic one: 500 policies
//! over 5 tiers, 2 000 workloads with IPs and named ports in 50 namespaces.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use netpol_core::coverage::{coverage, lint_and_coverage};
use netpol_core::design;
use netpol_core::eval::synthetic::{EstateConfig, estate};
use netpol_core::lint::{LintConfig, lint_design, lint_resources};

fn lint_estate(c: &mut Criterion) {
    let resources = estate(&EstateConfig::default());
    let config = LintConfig::default();
    c.bench_function("lint_resources/500 policies, 2000 workloads", |b| {
        b.iter(|| lint_resources(black_box(&resources), &config))
    });
    c.bench_function("coverage/500 policies, 2000 workloads", |b| {
        b.iter(|| coverage(black_box(&resources)))
    });
    c.bench_function("lint + coverage/500 policies, 2000 workloads", |b| {
        b.iter(|| {
            (
                lint_resources(black_box(&resources), &config),
                coverage(black_box(&resources)),
            )
        })
    });
    // What a shell showing both calls: one normalized view and one context for both.
    c.bench_function("lint_and_coverage/500 policies, 2000 workloads", |b| {
        b.iter(|| lint_and_coverage(black_box(&resources), &config))
    });
    // Without workloads: the report is per label class (the policies' subjects).
    let policies_only = netpol_core::model::ResourceSet {
        workloads: Vec::new(),
        ..resources.clone()
    };
    c.bench_function("coverage/500 policies, label classes", |b| {
        b.iter(|| coverage(black_box(&policies_only)))
    });
    // A design-sized estate: 500 policies over 200 workload groups (no IPs), as the app lints it.
    let small = estate(&EstateConfig {
        workloads: 200,
        ..EstateConfig::default()
    });
    let mut d = design::from_resources(&small);
    d.taxonomy.clear();
    c.bench_function("lint_design/500 policies, 200 workload groups", |b| {
        b.iter(|| lint_design(black_box(&d), &config))
    });
    let sample = design::sample();
    c.bench_function("lint_design/sample", |b| {
        b.iter(|| lint_design(black_box(&sample), &config))
    });
}

criterion_group!(benches, lint_estate);
criterion_main!(benches);
