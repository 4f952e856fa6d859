//! Evaluator throughput: 500 policies across 5 tiers, 2 000 workloads, 1 M random flows (target ≥ 5 M
//! decisions per second on one core), and cluster connectivity of 50 namespaces × 1 000 pods × 500
//! policies (target < 2 s).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use netpol_core::eval::Evaluator;
use netpol_core::eval::connectivity::{Probes, connectivity};
use netpol_core::eval::synthetic::{EstateConfig, Rng, estate, flow_endpoints, random_flows};

fn decisions(c: &mut Criterion) {
    let rs = estate(&EstateConfig::default());
    let started = Instant::now();
    let (mut ev, errors) = Evaluator::build(&rs);
    eprintln!(
        "compile: {:?} ({} label sets, {} compile errors)",
        started.elapsed(),
        ev.label_set_count(),
        errors.len()
    );
    let endpoints = flow_endpoints(&mut ev);
    let flows = random_flows(&mut Rng::new(42), &endpoints, 1_000_000);
    let allowed = flows.iter().filter(|f| ev.allows(f)).count();
    eprintln!("{allowed} of {} flows allowed; {}", flows.len(), ev.stats());
    report_rate("allows", 3, flows.len(), || {
        flows.iter().filter(|f| ev.allows(black_box(f))).count()
    });
    report_rate("evaluate (with staged)", 2, flows.len(), || {
        flows
            .iter()
            .filter(|f| {
                ev.evaluate(black_box(f)).enforced.verdict == netpol_core::eval::Verdict::Allow
            })
            .count()
    });
    let mut group = c.benchmark_group("eval");
    group.sample_size(10);
    group.throughput(Throughput::Elements(flows.len() as u64));
    group.bench_function("allows_1M_flows", |b| {
        b.iter(|| flows.iter().filter(|f| ev.allows(black_box(f))).count())
    });
    group.bench_function("evaluate_1M_flows_with_staged", |b| {
        b.iter(|| {
            flows
                .iter()
                .filter(|f| {
                    ev.evaluate(black_box(f)).enforced.verdict == netpol_core::eval::Verdict::Allow
                })
                .count()
        })
    });
    group.finish();
}

/// Runs `count_allowed` over `flows` flows `runs` times and prints decisions per second of wall time
/// and of this thread's CPU time (the machine may be shared, so CPU time is the steadier figure).
fn report_rate(label: &str, runs: usize, flows: usize, mut count_allowed: impl FnMut() -> usize) {
    for _ in 0..runs {
        let (cpu, wall) = (cpu_ns(), Instant::now());
        let allowed = count_allowed();
        let wall = wall.elapsed().as_secs_f64();
        let cpu = cpu_ns().zip(cpu).map(|(b, a)| (b - a) as f64 / 1e9);
        let per_cpu = cpu
            .map(|c| format!("{:.2} M/s of CPU time", flows as f64 / c / 1e6))
            .unwrap_or_default();
        eprintln!(
            "{label}: {allowed}; {:.2} M/s wall, {per_cpu}",
            flows as f64 / wall / 1e6
        );
    }
}

/// CPU time of this thread (Linux), in nanoseconds.
fn cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn cluster_connectivity(c: &mut Criterion) {
    let rs = estate(&EstateConfig {
        workloads: 1000,
        ..EstateConfig::default()
    });
    let (cpu, wall) = (cpu_ns(), Instant::now());
    let count = connectivity(&rs, &Probes::default())
        .map(|c| c.len())
        .unwrap_or_default();
    let cpu = cpu_ns()
        .zip(cpu)
        .map(|(b, a)| (b - a) as f64 / 1e9)
        .unwrap_or_default();
    eprintln!(
        "connectivity: {count} allowed connections, {:.2} s wall, {cpu:.2} s CPU",
        wall.elapsed().as_secs_f64()
    );
    let mut group = c.benchmark_group("connectivity");
    group.sample_size(10);
    group.bench_function("50ns_1000pods_500policies", |b| {
        b.iter(|| connectivity(black_box(&rs), &Probes::default()).map(|c| c.len()))
    });
    group.finish();
}

criterion_group!(benches, decisions, cluster_connectivity);
criterion_main!(benches);
