//! The estate the coverage tests share: `shop/web`, `shop/db`, `other/client`, and the policies on
//! `shop/web` each case writes (`mod coverage_estate;` in each test crate that uses it).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use netpol_core::coverage::{Coverage, Entry, coverage};
use netpol_core::model::{CalicoVersion, ResourceSet};

/// `shop/web` (the subject of every case; container ports `ssh` 22 and `http` 8080), `shop/db` and
/// `other/client`.
pub const WORKLOADS: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: other, labels: {team: ops}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web, ports: [{name: ssh, containerPort: 22}, {name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: db}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: other}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: client, image: client}]}
";

pub fn set(text: &str, version: CalicoVersion) -> ResourceSet {
    let r = netpol_core::design::import("x.yaml", text);
    assert_eq!(r.error_count(), 0, "{:?}", r.diagnostics);
    r.resource_set_for(version)
}

pub fn report(text: &str, with_workloads: bool) -> Coverage {
    let text = if with_workloads {
        format!("{text}\n---\n{WORKLOADS}")
    } else {
        text.to_owned()
    };
    coverage(&set(&text, CalicoVersion::V3_32))
}

/// `shop/web`, or the label class of the policy selecting `app == "web"`.
pub fn web(c: &Coverage) -> &Entry {
    c.workloads
        .iter()
        .find(|e| {
            e.workload == "shop/web"
                || e.selector
                    .as_deref()
                    .is_some_and(|s| s.contains("app == \"web\""))
        })
        .unwrap_or_else(|| panic!("no entry for shop/web: {c:#?}"))
}

/// A Kubernetes NetworkPolicy on `shop/web`.
pub fn knp(types: &str, rules: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: web, namespace: shop}}\nspec:\n  podSelector: {{matchLabels: {{app: web}}}}\n  policyTypes: {types}\n{rules}"
    )
}

/// A Calico NetworkPolicy on `shop/web`.
/// The policy types of an ingress-only and an egress-only case.
pub const ING: &str = "[Ingress]";
pub const EGR: &str = "[Egress]";

pub fn calico(types: &str, rules: &str) -> String {
    format!(
        "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {{name: web, namespace: shop}}\nspec:\n  selector: app == 'web'\n  types: {types}\n{rules}"
    )
}
