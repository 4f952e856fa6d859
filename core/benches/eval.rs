//! Evaluator throughput: 500 policies across 5 tiers, 2 000 workloads, 1 M random flows (target ≥ 5 M
//! decisions per second on one core), and cluster connectivity of 50 namespaces × 1 000 pods × 500
//! policies (target < 2 s) and of issue 22's 200 namespaces × 10 000 pods × 2 000 policies (target
//! < 5 s).

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

/// Issue 22's scale estate (200 namespaces × 10 000 pods × 2 000 policies): connectivity once (target
/// < 5 s native), with the peak memory of the process. Measured once: it is not a criterion loop.
/// Only with `NETPOL_BENCH_SCALE=1`: today it runs for minutes and holds gigabytes (10 GB resident
/// after 6 minutes on the 2-core bench machine), one pair of pods at a time.
fn scale_connectivity(_: &mut Criterion) {
    if std::env::var_os("NETPOL_BENCH_SCALE").is_none() {
        eprintln!(
            "connectivity 200ns_10000pods_2000policies: not run (NETPOL_BENCH_SCALE=1 runs it: minutes, gigabytes)"
        );
        return;
    }
    let rs = estate(&EstateConfig::scale());
    let rss_before = memory_kib("VmRSS:");
    let (cpu, wall) = (cpu_ns(), Instant::now());
    let count = connectivity(&rs, &Probes::default())
        .map(|c| c.len())
        .unwrap_or_default();
    let cpu = cpu_ns()
        .zip(cpu)
        .map(|(b, a)| (b - a) as f64 / 1e9)
        .unwrap_or_default();
    eprintln!(
        "connectivity 200ns_10000pods_2000policies: {count} allowed connections, {:.2} s wall, {cpu:.2} s CPU; \
         memory: {} MiB resident before, {} MiB peak of the process",
        wall.elapsed().as_secs_f64(),
        rss_before.unwrap_or_default() / 1024,
        memory_kib("VmHWM:").unwrap_or_default() / 1024
    );
}

/// A line of /proc/self/status in KiB (Linux).
fn memory_kib(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

criterion_group!(benches, decisions, cluster_connectivity, scale_connectivity);
criterion_main!(benches);
