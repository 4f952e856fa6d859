//! YAML import throughput on a generated 10 MB multi-document file of policies, network sets and
//! workloads (the size of a large estate's `kubectl get -o yaml` dump), and export of the result.
//!
//! `cargo bench -p netpol-core --bench yaml`. Throughput is reported in bytes of YAML.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use netpol_core::yaml::{self, ExportOptions};

/// One namespace's worth of objects; `i` makes every name and label distinct.
fn documents(i: usize) -> String {
    format!(
        "\
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: app-{i}
  namespace: team-{i}
  labels:
    security.company.io/environment: prod
  resourceVersion: \"{i}\"
spec:
  tier: application
  order: {order}
  selector: app.kubernetes.io/name == 'app-{i}'
  types: [Ingress, Egress]
  ingress:
  - action: Allow
    protocol: TCP
    source:
      selector: app.kubernetes.io/name == 'gateway' && security.company.io/zone in {{'dmz', 'internal'}}
      namespaceSelector: kubernetes.io/metadata.name == 'storefront'
    destination:
      ports: [8443, '9000:9100', https]
  egress:
  - action: Allow
    protocol: UDP
    destination:
      selector: k8s-app == 'kube-dns'
      namespaceSelector: kubernetes.io/metadata.name == 'kube-system'
      ports: [53]
  - action: Deny
    destination:
      nets: [0.0.0.0/0]
      notNets: [10.0.0.0/8, 172.16.0.0/12]
---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata:
  name: partners-{i}
  namespace: team-{i}
  labels: {{security.company.io/zone: external}}
spec:
  nets: [203.0.113.{octet}/32, 198.51.100.0/24]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: team-{i}
spec:
  selector: {{matchLabels: {{app.kubernetes.io/name: app-{i}}}}}
  template:
    metadata:
      labels: {{app.kubernetes.io/name: app-{i}, security.company.io/tier: backend}}
    spec:
      serviceAccountName: app-{i}
      containers:
      - name: app
        image: registry.example.com/app:{i}
        ports:
        - {{name: https, containerPort: 8443}}
        - {{name: metrics, containerPort: 9090}}
---
",
        order = 100 + i % 900,
        octet = i % 250,
    )
}

/// About `size` bytes of multi-document YAML.
fn generate(size: usize) -> String {
    let mut text = String::with_capacity(size + 4096);
    let mut i = 0;
    while text.len() < size {
        text.push_str(&documents(i));
        i += 1;
    }
    text
}

fn bench(c: &mut Criterion) {
    let text = generate(10 * 1024 * 1024);
    let imported = yaml::import("estate.yaml", &text);
    assert_eq!(
        imported.error_count(),
        0,
        "the generated file must import cleanly"
    );
    let set = imported.resource_set();
    let mut group = c.benchmark_group("yaml");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("import_10mb", |b| {
        b.iter(|| black_box(yaml::import("estate.yaml", black_box(&text))))
    });
    let exported = yaml::export(&set, &ExportOptions::default());
    group.throughput(Throughput::Bytes(exported.len() as u64));
    group.bench_function("export_10mb", |b| {
        b.iter(|| black_box(yaml::export(black_box(&set), &ExportOptions::default())))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
