//! Fleet export of a large design: the sample plus 300 team namespaces (spread over dev, staging and
//! prod) with 4 policies each — 1 200 namespaced policies in 300 application bundles — to a file tree,
//! then to a zip. `cargo bench -p netpol-core --bench export`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use netpol_core::design::{self, Design, DesignNamespace};
use netpol_core::export::{DesignExportOptions, export_design, to_zip};
use netpol_core::model::{
    Action, CalicoPolicy, CalicoPolicyKind, ObjectMeta, PolicySpec, PolicyType, Port, Protocol,
    Rule,
};

fn large_design() -> Design {
    let mut design = design::sample();
    let envs = ["dev", "staging", "prod"];
    for i in 0..300 {
        let ns = format!("team-{i}");
        let mut namespace = DesignNamespace {
            name: ns.clone(),
            ..DesignNamespace::default()
        };
        namespace
            .labels
            .insert("security.company.io/environment".into(), envs[i % 3].into());
        design.namespaces.push(namespace);
        for p in 0..4 {
            let mut rule = Rule::new(Action::Allow);
            rule.protocol = Some(Protocol::Tcp);
            rule.source.selector = Some(format!("app.kubernetes.io/name == 'client-{p}'"));
            rule.destination.ports = vec![Port::Number(8443), Port::Range(9000, 9100)];
            design.policies.push(CalicoPolicy {
                kind: CalicoPolicyKind::NetworkPolicy,
                metadata: ObjectMeta::named(format!("app-{p}"), Some(&ns)),
                spec: PolicySpec {
                    tier: Some("application".into()),
                    order: Some(100.0 + f64::from(p)),
                    selector: Some(format!("app.kubernetes.io/name == 'app-{p}'")),
                    types: vec![PolicyType::Ingress],
                    ingress: vec![rule],
                    ..PolicySpec::default()
                },
            });
        }
    }
    design
}

fn bench(c: &mut Criterion) {
    let design = large_design();
    let options = DesignExportOptions::default();
    c.bench_function("export_design (1 200 policies, 3 environments)", |b| {
        b.iter(|| export_design(black_box(&design), &options))
    });
    let tree = export_design(&design, &options).expect("the design exports");
    c.bench_function("to_zip (export of 1 200 policies)", |b| {
        b.iter(|| to_zip(black_box(&tree)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
