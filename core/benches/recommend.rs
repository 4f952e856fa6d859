//! Start from traffic over a large file: 1 M Calico flow-log lines (`../shared/tools/gen-flows
//! --format calico --count 1000000`, the synthetic estate of 50 namespaces × 4 workloads) → a
//! recommended design. Target: import + recommend < 3 s native. The proof (impact replay and the
//! widened enumeration) is timed apart.
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

use criterion::{Criterion, criterion_group, criterion_main};
use netpol_core::flows::{FlowSet, ImportOptions, import_reader};
use netpol_core::recommend::{RecommendOptions, prove, recommend};

fn bench_file() -> Option<String> {
    match std::env::var("NETPOL_BENCH_FLOWS") {
        Ok(path) if !path.is_empty() => Some(path),
        _ => {
            eprintln!(
                "recommend benchmarks skipped: set NETPOL_BENCH_FLOWS to a flow log (`make bench` generates one with \
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

fn benches(c: &mut Criterion) {
    let Some(path) = bench_file() else { return };
    let options = RecommendOptions::default();

    // One timed pass, printed for the record.
    let started = Instant::now();
    let set = import(&path);
    let imported = started.elapsed();
    let rec = recommend(&set, None, &options);
    let recommended = started.elapsed();
    let proof = prove(&rec, &set);
    let proved = started.elapsed();
    eprintln!(
        "{} records -> {} distinct flows: import+aggregate {:?}, +recommend {:?} ({} groups, {} policies, {} network sets), \
         +proof {:?} ({} broken, {} widened, {} unexplained, {} unmatched)",
        set.summary().records,
        set.flows().len(),
        imported,
        recommended,
        rec.groups,
        rec.policies_written,
        rec.network_sets_written,
        proved,
        proof.broken.len(),
        proof.widened.len(),
        proof.widened_unexplained,
        proof.unmatched.len()
    );

    let mut group = c.benchmark_group("recommend");
    group.sample_size(10);
    group.bench_function("import_and_recommend_1m_lines", |b| {
        b.iter(|| recommend(&import(black_box(&path)), None, &options).policies_written)
    });
    group.bench_function("recommend", |b| {
        b.iter(|| recommend(black_box(&set), None, &options).policies_written)
    });
    group.bench_function("prove", |b| {
        b.iter(|| prove(black_box(&rec), &set).broken.len())
    });
    group.finish();
}

criterion_group!(recommend_benches, benches);
criterion_main!(recommend_benches);
