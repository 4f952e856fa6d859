//! YAML import: documents, kinds, names, diagnostics and limits.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::model::{ApiFlavour, CalicoPolicyKind, Resource, WorkloadKind};
use netpol_core::yaml::{self, ExportOptions, Limits, Severity};

fn messages(r: &yaml::ImportResult) -> Vec<String> {
    r.diagnostics
        .iter()
        .map(|d| format!("{}:{}: {}: {}", d.line, d.column, d.severity, d.message))
        .collect()
}

const TWO_POLICIES: &str = "\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: platform.allow-dns
spec:
  tier: platform
  order: 100
  egress:
  - action: Allow
    protocol: UDP
    destination:
      ports: [53]
---
apiVersion: crd.projectcalico.org/v1
kind: NetworkPolicy
metadata:
  name: default.web
  namespace: shop
spec:
  tier: default
  selector: app == 'web'
";

#[test]
fn reads_multi_document_files_and_makes_names_bare() {
    let r = yaml::import("p.yaml", TWO_POLICIES);
    assert_eq!(messages(&r), Vec::<String>::new());
    assert_eq!(r.resources.len(), 2);
    let Resource::CalicoPolicy(dns) = &r.resources[0].resource else {
        panic!("not a policy")
    };
    assert_eq!(
        (dns.kind, dns.metadata.name.as_str(), dns.tier()),
        (
            CalicoPolicyKind::GlobalNetworkPolicy,
            "allow-dns",
            "platform"
        )
    );
    assert_eq!((r.resources[0].line, r.resources[0].column), (1, 1));
    let Resource::CalicoPolicy(web) = &r.resources[1].resource else {
        panic!("not a policy")
    };
    assert_eq!(
        web.metadata.name, "web",
        "crd v1 `default.` prefix is removed"
    );
    assert_eq!(r.resources[1].line, 14);
}

#[test]
fn prefixed_and_plain_names_are_one_identity() {
    let plain = TWO_POLICIES.replace("name: platform.allow-dns", "name: allow-dns");
    let a = yaml::import("a.yaml", TWO_POLICIES).resource_set();
    let b = yaml::import("b.yaml", &plain).resource_set();
    assert_eq!(a, b);
}

#[test]
fn a_bad_document_does_not_hide_the_good_ones_and_all_errors_are_reported() {
    let text = "\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: broken
spec:
  order: high
  ingress:
  - action: Allw
    destination:
      ports: [80, 'a:b']
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: x
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
";
    let r = yaml::import("bad.yaml", text);
    assert_eq!(r.resources.len(), 1, "{:?}", messages(&r));
    assert!(matches!(r.resources[0].resource, Resource::Namespace(_)));
    let m = messages(&r);
    assert!(
        m[0].starts_with("6:10: error: invalid `spec.order`"),
        "{m:?}"
    );
    assert!(
        m[1].starts_with("8:13: error: invalid `spec.ingress[0].action`: unknown variant `Allw`"),
        "{m:?}"
    );
    // Calico's validator refuses a numeric port without a protocol (`yaml/parity.rs`, row C2).
    assert!(
        m[2].starts_with(
            "10:15: error: `spec.ingress[0].destination.ports[0]`: rules with a numeric port"
        ),
        "{m:?}"
    );
    assert!(
        m[3].starts_with("10:19: error: invalid `spec.ingress[0].destination.ports[1]`"),
        "{m:?}"
    );
    assert!(
        m[4].starts_with("14:11: error: invalid YAML: unclosed bracket"),
        "{m:?}"
    );
    assert_eq!(r.error_count(), 5);
    let rendered = r.diagnostics[0].render();
    assert_eq!(
        rendered,
        "bad.yaml:6:10: error: invalid `spec.order`: invalid type: string \"high\", expected a number\n  order: high\n         ^"
    );
}

#[test]
fn unknown_fields_are_warnings_and_survive_export() {
    let text = "\
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  selector: app == 'web'
  futureField: {a: 1}
  ingress:
  - action: Allow
    newRuleField: true
";
    let r = yaml::import("u.yaml", text);
    assert_eq!(
        messages(&r),
        [
            "8:3: warning: unknown field `spec.futureField`: kept as written",
            "11:5: warning: unknown field `spec.ingress[0].newRuleField`: kept as written"
        ]
    );
    let out = yaml::export(&r.resource_set(), &ExportOptions::default());
    assert!(
        out.contains("futureField:") && out.contains("newRuleField: true"),
        "{out}"
    );
    assert_eq!(
        yaml::import("again.yaml", &out).resource_set(),
        r.resource_set()
    );
}

#[test]
fn kubectl_lists_are_read_and_server_fields_kept_aside() {
    let text = "\
apiVersion: v1
kind: List
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: deny-all
    namespace: shop
    resourceVersion: \"123\"
    uid: 0b6d6f9e-1
    creationTimestamp: \"2024-01-01T00:00:00Z\"
    managedFields:
    - manager: kubectl
    annotations:
      kubectl.kubernetes.io/last-applied-configuration: '{}'
  spec:
    podSelector: {}
    policyTypes: [Ingress, Egress]
  status: {}
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-1
    namespace: shop
    labels: {app: web}
  spec:
    serviceAccountName: web
    containers:
    - name: web
      image: nginx
      ports:
      - {name: http, containerPort: 8080}
  status:
    podIP: 10.42.0.7
metadata:
  resourceVersion: \"\"
";
    let r = yaml::import("list.yaml", text);
    assert_eq!(messages(&r), Vec::<String>::new());
    assert_eq!(r.resources.len(), 2);
    let aside = &r.resources[0].extra_kept_aside;
    for key in [
        "metadata.resourceVersion",
        "metadata.uid",
        "metadata.managedFields",
        "status",
    ] {
        assert!(aside.contains_key(key), "{key} not kept aside: {aside:?}");
    }
    let Resource::KubernetesPolicy(k) = &r.resources[0].resource else {
        panic!()
    };
    assert!(k.metadata.annotations.is_empty() && k.metadata.extra.is_empty());
    let Resource::Workload(w) = &r.resources[1].resource else {
        panic!()
    };
    assert_eq!(w.kind, WorkloadKind::Pod);
    assert_eq!(w.ip.as_deref(), Some("10.42.0.7"));
    assert_eq!(w.service_account.as_deref(), Some("web"));
    assert_eq!(w.ports[0].name.as_deref(), Some("http"));
    assert_eq!(w.ports[0].port, 8080);
    let out = yaml::export(&r.resource_set(), &ExportOptions::default());
    assert!(
        !out.contains("resourceVersion") && !out.contains("managedFields"),
        "{out}"
    );
}

#[test]
fn deployments_give_pod_template_labels_and_named_ports() {
    let text = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop, labels: {team: x}}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api, tier: backend}}
    spec:
      initContainers:
      - name: init
        ports: [{containerPort: 9000, name: init-port, protocol: UDP}]
      containers:
      - name: api
        ports: [{containerPort: 8443, name: https}]
";
    let r = yaml::import("d.yaml", text);
    assert_eq!(messages(&r), Vec::<String>::new());
    let Resource::Workload(w) = &r.resources[0].resource else {
        panic!()
    };
    assert_eq!(w.kind, WorkloadKind::Deployment);
    assert_eq!(
        w.metadata.labels.get("tier").map(String::as_str),
        Some("backend")
    );
    assert!(!w.metadata.labels.contains_key("team"));
    assert_eq!(w.ports.len(), 2);
    let again = yaml::import(
        "again.yaml",
        &yaml::export(&r.resource_set(), &ExportOptions::default()),
    );
    assert_eq!(again.resource_set(), r.resource_set());
}

#[test]
fn other_kinds_are_skipped_with_a_warning_and_wrong_versions_are_errors() {
    let text = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: networking.k8s.io/v1beta1
kind: NetworkPolicy
metadata: {name: old, namespace: x}
---
kind: Tier
metadata: {name: t}
---
just a string
";
    let r = yaml::import("k.yaml", text);
    let m = messages(&r);
    assert!(m[0].starts_with("2:7: warning: kind `ConfigMap`"), "{m:?}");
    assert!(
        m[1].starts_with("5:13: error: unsupported apiVersion `networking.k8s.io/v1beta1`"),
        "{m:?}"
    );
    assert!(
        m[2].starts_with("9:1: error: missing `apiVersion`"),
        "{m:?}"
    );
    assert!(
        m[3].starts_with("12:1: error: expected a Kubernetes or Calico object"),
        "{m:?}"
    );
}

#[test]
fn json_input_is_read_like_yaml() {
    let text = r#"{"apiVersion": "projectcalico.org/v3", "kind": "GlobalNetworkSet",
 "metadata": {"name": "pay", "labels": {"zone": "external"}}, "spec": {"nets": ["203.0.113.0/24"]}}"#;
    let r = yaml::import("s.json", text);
    assert_eq!(messages(&r), Vec::<String>::new());
    let Resource::NetworkSet(s) = &r.resources[0].resource else {
        panic!()
    };
    assert!(s.is_global());
}

#[test]
fn crd_v1_export_prefixes_names_and_writes_tier_and_types() {
    let r = yaml::import("p.yaml", TWO_POLICIES);
    let out = yaml::export(
        &r.resource_set(),
        &ExportOptions {
            flavour: ApiFlavour::CrdV1,
            comments: false,
        },
    );
    assert!(out.contains("name: platform.allow-dns"), "{out}");
    assert!(out.contains("name: default.web"), "{out}");
    assert!(out.contains("apiVersion: crd.projectcalico.org/v1"));
    assert!(out.contains("types:\n  - Ingress"), "{out}");
    let v3 = yaml::export(&r.resource_set(), &ExportOptions::default());
    assert!(
        v3.contains("name: allow-dns") && v3.contains("name: web\n"),
        "{v3}"
    );
    assert!(v3.starts_with("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: allow-dns\nspec:\n  tier: platform\n  order: 100\n"), "{v3}");
    let again = yaml::import("again.yaml", &out).resource_set();
    assert_eq!(
        again
            .policies
            .iter()
            .map(|p| &p.metadata.name)
            .collect::<Vec<_>>(),
        ["allow-dns", "web"]
    );
}

#[test]
fn alias_bombs_are_refused() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let start = std::time::Instant::now();
    let r = yaml::import("bomb.yaml", &text);
    assert!(start.elapsed().as_secs() < 5);
    assert_eq!(r.error_count(), 1);
    assert!(
        r.diagnostics[0].message.contains("alias bomb"),
        "{:?}",
        messages(&r)
    );
}

#[test]
fn deep_nesting_is_refused_without_exhausting_the_stack() {
    for text in [
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect(),
        (0..200)
            .map(|i| format!("{}- \n", " ".repeat(i * 2)))
            .collect(),
    ] {
        let r = yaml::import("deep.yaml", &text);
        assert_eq!(r.error_count(), 1, "{:?}", messages(&r));
        assert!(
            r.diagnostics[0]
                .message
                .contains("nesting deeper than 64 levels"),
            "{:?}",
            messages(&r)
        );
    }
    let ok: String = (0..60).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    assert!(
        !yaml::import("ok.yaml", &ok)
            .diagnostics
            .iter()
            .any(|d| d.message.contains("nesting"))
    );
}

#[test]
fn binary_and_non_utf8_input_is_refused_clearly() {
    let r = yaml::import_bytes("x.bin", b"\x7fELF\x02\x01\x01\x00\x00\x00");
    assert!(
        r.diagnostics[0].message.contains("binary"),
        "{:?}",
        messages(&r)
    );
    let r = yaml::import_bytes("x.gz", b"\x1f\x8b\x08\x00");
    assert!(r.diagnostics[0].message.contains("gzip"));
    let r = yaml::import_bytes("latin1.yaml", b"kind: Namespace\nname: caf\xe9\n");
    assert_eq!(
        messages(&r),
        ["2:10: error: file is not valid UTF-8 text: YAML and JSON input must be UTF-8"]
    );
}

#[test]
fn size_and_document_limits_are_enforced() {
    let limits = Limits {
        max_file_bytes: 100,
        ..Limits::default()
    };
    let r = yaml::import_with_limits("big.yaml", &"a: 1\n".repeat(50), &limits);
    assert!(
        r.diagnostics[0]
            .message
            .contains("more than the limit of 100 bytes")
    );
    let limits = Limits {
        max_documents: 3,
        ..Limits::default()
    };
    let r = yaml::import_with_limits("many.yaml", &"a: 1\n---\n".repeat(5), &limits);
    assert_eq!(
        r.diagnostics[0].message,
        "file has 5 documents, more than the limit of 3"
    );
    assert_eq!(r.diagnostics[0].severity, Severity::Error);
}

#[test]
fn selector_errors_point_at_the_offending_character() {
    let text = "\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: p}
spec:
  selector: app == 'web' &&
  namespaceSelector: \"env = 'prod'\"
  ingress:
  - action: Allow
    source:
      namespaceSelector: global()
      selector: global() && app == 'x'
    destination:
      namespaceSelector: global() || all()
      nets: [10.0.0.0/8, 10.0.0.300/32]
";
    let r = yaml::import("s.yaml", text);
    let m = messages(&r);
    assert_eq!(
        r.resources.len(),
        0,
        "an invalid selector makes the resource invalid"
    );
    assert_eq!(m.len(), 5, "{m:?}");
    assert!(
        m[0].starts_with("5:28: error: invalid selector in `spec.selector`"),
        "{m:?}"
    );
    assert!(
        m[1].starts_with("6:27: error: invalid selector in `spec.namespaceSelector`"),
        "{m:?}"
    );
    assert!(
        m[2].starts_with(
            "11:17: error: `global()` is not allowed in `spec.ingress[0].source.selector`"
        ),
        "{m:?}"
    );
    assert!(m[3].starts_with("13:26: error: `global()` in `spec.ingress[0].destination.namespaceSelector` must be the whole selector"), "{m:?}");
    assert!(m[4].starts_with("14:26: error: invalid `spec.ingress[0].destination.nets[1]`: `10.0.0.300/32` is not a CIDR"), "{m:?}");
    let caret = r.diagnostics[0].render();
    assert!(
        caret.ends_with("  selector: app == 'web' &&\n                           ^"),
        "{caret}"
    );
}

#[test]
fn duplicate_keys_are_errors() {
    let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n";
    let r = yaml::import("dup.yaml", text);
    assert_eq!(
        messages(&r),
        ["5:3: error: invalid YAML: duplicate key `name`"]
    );
}

/// Found by fuzzing: a flow-style name spanning lines imported with a line break in it, and the
/// exported comment then leaked the rest of the name out of the comment.
#[test]
fn names_kubernetes_would_refuse_are_errors() {
    let cases = [
        (
            "{apiVersion: v1, kind: Namespace, metadata: {name: \"sho\\np\"}}",
            "sho\\np",
        ),
        (
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Shop\n",
            "Shop",
        ),
        (
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: -shop\n",
            "-shop",
        ),
        (
            "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: web\n  namespace: a.b\n",
            "a.b",
        ),
    ];
    for (text, shown) in cases {
        let r = yaml::import("n.yaml", text);
        assert!(r.resources.is_empty(), "{text:?} was imported");
        let all = messages(&r).join("\n");
        assert!(all.contains(&format!("`{shown}`")), "{text:?}: {all}");
    }
    // Found by fuzzing too: a tier name with spaces and dots made crd v1 names that do not import.
    let bad_tier = "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: allow-dns\n  namespace: shop\nspec:\n  tier: up for zero trust.\n";
    let r = yaml::import("t.yaml", bad_tier);
    assert!(r.resources.is_empty());
    assert!(
        messages(&r)
            .join("\n")
            .contains("`spec.tier` is `up for zero trust.`"),
        "{:?}",
        messages(&r)
    );
    // Near misses: tier-prefixed policy names and dotted object names are fine.
    let good = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: platform.allow-dns-2\nspec:\n  tier: platform\n";
    let r = yaml::import("g.yaml", good);
    assert_eq!(messages(&r), Vec::<String>::new());
    assert_eq!(r.resources.len(), 1);
}
