//! Flow-log import, aggregation and impact over a large file: 1 M Calico flow-log lines
//! (`../shared/tools/gen-flows --format calico --count 1000000`) against a 500-policy design (the
//! evaluator's synthetic estate). Target: import + aggregate + impact < 2 s native, peak memory
//! < 500 MB (measure with `/usr/bin/time -v`). Natively the import reads on one worker thread per core
//! (`flows::import_reader`): the one-pass line prints wall time and CPU time of all threads. A wider
//! estate (`gen-flows --namespaces 400 --workloads-per-ns 10`: about 30 k distinct flows) shows how
//! aggregation and impact scale with distinct flows: point `NETPOL_BENCH_FLOWS` at it.
//!
//! The file is not in the repository: `make bench` generates it and passes its path in
//! `NETPOL_BENCH_FLOWS`. Without that variable these benchmarks say so and do nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::fs::File;
use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use netpol_core::eval::synthetic::{EstateConfig, estate};
use netpol_core::flows::{FlowSet, ImportOptions, import_reader};
use netpol_core::impact::{Impact, ImpactOptions};

fn bench_file() -> Option<String> {
    match std::env::var("NETPOL_BENCH_FLOWS") {
        Ok(path) if !path.is_empty() => Some(path),
        _ => {
            eprintln!(
                "flows benchmarks skipped: set NETPOL_BENCH_FLOWS to a flow log (`make bench` generates one with \
                 ../shared/tools/gen-flows --format calico --count 1000000)"
            );
            None
        }
    }
}

fn import(path: &str) -> FlowSet {
    let file = File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    import_reader(file, FlowSet::default(), ImportOptions::default(), |_| {})
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn flows(c: &mut Criterion) {
    let Some(path) = bench_file() else { return };
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let design = estate(&EstateConfig::default());
    let before = estate(&EstateConfig {
        seed: 2,
        ..EstateConfig::default()
    });

    // One timed pass of the whole pipeline, printed for the record: wall time, and CPU time (which a
    // busy machine does not inflate).
    let cpu = cpu_seconds();
    let started = Instant::now();
    let set = import(&path);
    let imported = started.elapsed();
    let mut impact = Impact::new(&before, &design);
    let compiled = started.elapsed();
    let report = impact.run(&set, ImpactOptions::default());
    let s = set.summary();
    if let (Some(before), Some(after)) = (cpu, cpu_seconds()) {
        eprintln!(
            "one pass: {:.2} s CPU, peak memory {} MB",
            after - before,
            peak_rss_mb().unwrap_or(0)
        );
    }
    eprintln!(
        "{} records ({} bytes, {} skipped) -> {} distinct flows: import+aggregate {:?}, +compile {:?}, +impact {:?}; \
         {} broken, {} widened, {} unmatched",
        s.records,
        bytes,
        s.skipped,
        s.distinct,
        imported,
        compiled,
        started.elapsed(),
        report.summary.broken,
        report.summary.widened,
        report.summary.unmatched
    );

    let mut group = c.benchmark_group("flows");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("import_aggregate", |b| {
        b.iter(|| import(black_box(&path)).flows().len())
    });
    group.bench_function("import_aggregate_impact_500_policies", |b| {
        b.iter(|| {
            let set = import(black_box(&path));
            Impact::new(&before, &design)
                .run(&set, ImpactOptions::default())
                .summary
                .broken
        })
    });
    group.finish();

    let mut group = c.benchmark_group("impact");
    group.sample_size(10);
    group.throughput(Throughput::Elements(set.flows().len() as u64));
    group.bench_function("compile_and_run_500_policies", |b| {
        b.iter(|| {
            Impact::new(&before, &design)
                .run(black_box(&set), ImpactOptions::default())
                .summary
                .broken
        })
    });
    group.bench_function("run_500_policies", |b| {
        b.iter(|| {
            impact
                .run(black_box(&set), ImpactOptions::default())
                .summary
                .broken
        })
    });
    group.finish();
}

/// User + system CPU seconds of this process so far (Linux `/proc`; `None` elsewhere).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Peak resident memory of this process so far, in MB (Linux `/proc`).
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? / 1024)
}

criterion_group!(benches, flows);
criterion_main!(benches);
