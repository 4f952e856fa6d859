//! The finite world selectors are evaluated against: the design's endpoints with the labels Calico
//! gives them (`calico-semantics.md` §3), per-namespace probe pods, and the parsed selectors of every
//! policy, each parsed once.

use std::collections::{BTreeSet, HashMap};

use crate::model::{CalicoPolicy, Labels, ResourceSet, Rule, Workload};
use crate::selector::{LabelLookup, Selector};

pub const NAMESPACE_LABEL: &str = "projectcalico.org/namespace";
pub const ORCHESTRATOR_LABEL: &str = "projectcalico.org/orchestrator";
pub const SERVICE_ACCOUNT_LABEL: &str = "projectcalico.org/serviceaccount";
pub const NAME_LABEL: &str = "projectcalico.org/name";
pub const K8S_NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// A workload endpoint as selectors see it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub namespace: String,
    /// `namespace/name`; empty for a probe.
    pub name: String,
    /// Effective labels: own labels, Calico's `projectcalico.org/*` labels, inherited `pcns.*`/`pcsa.*`.
    pub labels: Labels,
    /// Labels of the namespace, with `projectcalico.org/name` and `kubernetes.io/metadata.name`.
    pub ns_labels: Labels,
    /// Labels of the service account (`projectcalico.org/name`).
    pub sa_labels: Labels,
}

impl LabelLookup for Endpoint {
    fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key).map(String::as_str)
    }
}

/// Labels of a namespace as namespace selectors see them.
pub fn namespace_labels(set: &ResourceSet, namespace: &str) -> Labels {
    let mut labels = set
        .namespace(namespace)
        .map(|n| n.metadata.labels.clone())
        .unwrap_or_default();
    labels.insert(NAME_LABEL.to_owned(), namespace.to_owned());
    labels
        .entry(K8S_NAMESPACE_NAME_LABEL.to_owned())
        .or_insert_with(|| namespace.to_owned());
    labels
}

/// The endpoint of a pod with `own` labels in `namespace` running as `service_account`.
pub fn endpoint(
    set: &ResourceSet,
    namespace: &str,
    name: String,
    own: &Labels,
    service_account: &str,
) -> Endpoint {
    let ns_labels = namespace_labels(set, namespace);
    let mut sa_labels = Labels::new();
    sa_labels.insert(NAME_LABEL.to_owned(), service_account.to_owned());
    let mut labels: Labels = ns_labels
        .iter()
        .map(|(k, v)| (format!("pcns.{k}"), v.clone()))
        .collect();
    labels.extend(
        sa_labels
            .iter()
            .map(|(k, v)| (format!("pcsa.{k}"), v.clone())),
    );
    labels.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
    labels.insert(NAMESPACE_LABEL.to_owned(), namespace.to_owned());
    labels.insert(ORCHESTRATOR_LABEL.to_owned(), "k8s".to_owned());
    if service_account.len() < 63 {
        labels.insert(SERVICE_ACCOUNT_LABEL.to_owned(), service_account.to_owned());
    }
    Endpoint {
        namespace: namespace.to_owned(),
        name,
        labels,
        ns_labels,
        sa_labels,
    }
}

/// The endpoint of a workload.
pub fn workload_endpoint(set: &ResourceSet, w: &Workload) -> Endpoint {
    let namespace = w.metadata.namespace.as_deref().unwrap_or("default");
    let sa = w.service_account.as_deref().unwrap_or("default");
    endpoint(
        set,
        namespace,
        format!("{namespace}/{}", w.metadata.name),
        &w.metadata.labels,
        sa,
    )
}

/// A pod with no labels of its own in `namespace`: what a namespace-wide policy must select.
pub fn probe(set: &ResourceSet, namespace: &str) -> Endpoint {
    endpoint(set, namespace, String::new(), &Labels::new(), "default")
}

/// Every selector of the resource set, parsed once. Text that does not parse maps to `None`
/// (the validator reports it; lints skip what depends on it).
#[derive(Default)]
pub struct Selectors {
    parsed: HashMap<String, Option<Selector>>,
}

impl Selectors {
    pub fn new(set: &ResourceSet) -> Selectors {
        let mut s = Selectors::default();
        for p in &set.policies {
            for text in [
                &p.spec.selector,
                &p.spec.namespace_selector,
                &p.spec.service_account_selector,
            ]
            .into_iter()
            .flatten()
            {
                s.add(text);
            }
            for rule in p.spec.ingress.iter().chain(&p.spec.egress) {
                for text in rule_selectors(rule) {
                    s.add(text);
                }
            }
        }
        s
    }

    fn add(&mut self, text: &str) {
        if !self.parsed.contains_key(text) {
            self.parsed
                .insert(text.to_owned(), Selector::parse(text).ok());
        }
    }

    /// The parsed selector for `text`; `Some(all())` for an absent field, `None` if it does not parse.
    pub fn get(&self, text: Option<&String>) -> Option<Selector> {
        match text {
            None => Some(Selector::all()),
            Some(t) => match self.parsed.get(t.as_str()) {
                Some(parsed) => parsed.clone(),
                None => Selector::parse(t).ok(),
            },
        }
    }

    /// Like [`Selectors::get`], by reference, for hot loops; `None` for absent fields too.
    pub fn lookup(&self, text: &str) -> Option<&Selector> {
        self.parsed.get(text).and_then(Option::as_ref)
    }
}

/// The selector texts of a rule (both sides).
pub fn rule_selectors(rule: &Rule) -> impl Iterator<Item = &String> {
    [&rule.source, &rule.destination].into_iter().flat_map(|e| {
        [&e.selector, &e.not_selector, &e.namespace_selector]
            .into_iter()
            .flatten()
            .chain(
                e.service_accounts
                    .as_ref()
                    .and_then(|sa| sa.selector.as_ref()),
            )
    })
}

/// Whether `p` applies to `e` (`calico-semantics.md` §4), ignoring `types`. `None` when a selector of
/// the policy does not parse.
pub fn applies(selectors: &Selectors, p: &CalicoPolicy, e: &Endpoint) -> Option<bool> {
    if p.kind.is_namespaced() && p.metadata.namespace.as_deref() != Some(e.namespace.as_str()) {
        return Some(false);
    }
    let matches = |text: &Option<String>, labels: &Labels, own: bool| -> Option<bool> {
        match text {
            None => Some(true),
            Some(t) if t.trim().is_empty() => Some(true),
            Some(t) => {
                let s = selectors.lookup(t)?;
                Some(if own { s.matches(e) } else { s.matches(labels) })
            }
        }
    };
    let own = matches(&p.spec.selector, &e.labels, true)?;
    let ns = if p.kind.is_namespaced() {
        true
    } else {
        matches(&p.spec.namespace_selector, &e.ns_labels, false)?
    };
    let sa = matches(&p.spec.service_account_selector, &e.sa_labels, false)?;
    Some(own && ns && sa)
}

/// Every namespace the resource set mentions: declared, holding workloads or namespaced policies.
pub fn known_namespaces(set: &ResourceSet) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = set
        .namespaces
        .iter()
        .map(|n| n.metadata.name.clone())
        .collect();
    out.extend(
        set.workloads
            .iter()
            .filter_map(|w| w.metadata.namespace.clone()),
    );
    out.extend(
        set.policies
            .iter()
            .filter_map(|p| p.metadata.namespace.clone()),
    );
    out.extend(
        set.kubernetes_policies
            .iter()
            .filter_map(|p| p.metadata.namespace.clone()),
    );
    out
}
