//! The finite world selectors are evaluated against: the design's endpoints with the labels Calico
//! gives them (`calico-semantics.md` §3), per-namespace probe pods, and the parsed selectors of every
//! policy, each parsed once.

use std::collections::{BTreeSet, HashMap};

use ipnet::IpNet;

use crate::model::{CalicoPolicy, Labels, ResourceSet, Rule, Workload};
use crate::selector::{LabelLookup, Selector};

use super::index::LabelIndex;
use super::space::Bits;

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
    /// The index of the workload among the design's endpoints; `None` for a probe.
    pub index: Option<usize>,
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

/// What an endpoint inherits from its namespace: the labels namespace selectors see, and the same
/// labels as the endpoint carries them (`pcns.`-prefixed). Built once per namespace, not per pod.
struct Inherited {
    ns_labels: Labels,
    prefixed: Labels,
}

impl Inherited {
    fn new(set: &ResourceSet, namespace: &str) -> Inherited {
        let ns_labels = namespace_labels(set, namespace);
        let prefixed = ns_labels
            .iter()
            .map(|(k, v)| (format!("pcns.{k}"), v.clone()))
            .collect();
        Inherited {
            ns_labels,
            prefixed,
        }
    }
}

/// The endpoint of a pod with `own` labels in `namespace` running as `service_account`.
pub fn endpoint(
    set: &ResourceSet,
    namespace: &str,
    name: String,
    own: &Labels,
    service_account: &str,
) -> Endpoint {
    endpoint_in(
        &Inherited::new(set, namespace),
        namespace,
        name,
        own,
        service_account,
    )
}

fn endpoint_in(
    inherited: &Inherited,
    namespace: &str,
    name: String,
    own: &Labels,
    service_account: &str,
) -> Endpoint {
    let mut sa_labels = Labels::new();
    sa_labels.insert(NAME_LABEL.to_owned(), service_account.to_owned());
    let mut labels = inherited.prefixed.clone();
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
        ns_labels: inherited.ns_labels.clone(),
        sa_labels,
        index: None,
    }
}

/// The endpoint of a workload.
fn workload_endpoint_in(inherited: &Inherited, w: &Workload) -> Endpoint {
    let namespace = w.metadata.namespace.as_deref().unwrap_or("default");
    let sa = w.service_account.as_deref().unwrap_or("default");
    endpoint_in(
        inherited,
        namespace,
        format!("{namespace}/{}", w.metadata.name),
        &w.metadata.labels,
        sa,
    )
}

/// The endpoints of every workload of the set, in order, with their indices.
pub fn workload_endpoints(set: &ResourceSet) -> Vec<Endpoint> {
    let mut inherited: HashMap<&str, Inherited> = HashMap::new();
    set.workloads
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let namespace = w.metadata.namespace.as_deref().unwrap_or("default");
            let inherited = inherited
                .entry(namespace)
                .or_insert_with(|| Inherited::new(set, namespace));
            Endpoint {
                index: Some(i),
                ..workload_endpoint_in(inherited, w)
            }
        })
        .collect()
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

/// A network set as rule selectors see it.
pub struct SetEntity {
    /// Own labels, plus `projectcalico.org/namespace` and `pcns.*` for a namespaced set.
    pub labels: Labels,
    pub namespace: Option<String>,
    /// Labels of its namespace (empty for a global set).
    pub ns_labels: Labels,
    pub nets: Vec<IpNet>,
}

/// The network sets of a resource set.
pub fn set_entities(set: &ResourceSet) -> Vec<SetEntity> {
    set.network_sets
        .iter()
        .map(|s| {
            let mut labels = s.metadata.labels.clone();
            let ns_labels = s
                .metadata
                .namespace
                .as_deref()
                .map(|ns| namespace_labels(set, ns))
                .unwrap_or_default();
            if let Some(ns) = &s.metadata.namespace {
                labels.extend(
                    ns_labels
                        .iter()
                        .map(|(k, v)| (format!("pcns.{k}"), v.clone())),
                );
                labels.insert(NAMESPACE_LABEL.to_owned(), ns.clone());
            }
            let nets = s
                .spec
                .nets
                .iter()
                .filter_map(|n| crate::model::vocabulary::addresses::parse_net(n).ok())
                .collect();
            SetEntity {
                labels,
                namespace: s.metadata.namespace.clone(),
                ns_labels,
                nets,
            }
        })
        .collect()
}

/// Every entity selectors can match — the endpoints, then the network sets — indexed by label.
pub struct Entities {
    /// Endpoints come first: entity `i < endpoints` is endpoint `i`.
    pub endpoints: usize,
    pub count: usize,
    pub own: LabelIndex,
    pub ns: LabelIndex,
    pub sa: LabelIndex,
    /// Entities in a namespace.
    pub namespaced: Bits,
    pub by_namespace: HashMap<String, Bits>,
}

impl Entities {
    pub fn new(endpoints: &[Endpoint], sets: &[SetEntity]) -> Entities {
        let count = endpoints.len() + sets.len();
        let no_labels = Labels::new();
        let own = LabelIndex::new(
            endpoints
                .iter()
                .map(|e| &e.labels)
                .chain(sets.iter().map(|s| &s.labels)),
            count,
        );
        let ns = LabelIndex::new(
            endpoints
                .iter()
                .map(|e| &e.ns_labels)
                .chain(sets.iter().map(|s| &s.ns_labels)),
            count,
        );
        let sa = LabelIndex::new(
            endpoints
                .iter()
                .map(|e| &e.sa_labels)
                .chain(sets.iter().map(|_| &no_labels)),
            count,
        );
        let mut namespaced = Bits::empty(count);
        let mut by_namespace: HashMap<String, Bits> = HashMap::new();
        let namespaces = endpoints
            .iter()
            .map(|e| Some(&e.namespace))
            .chain(sets.iter().map(|s| s.namespace.as_ref()));
        for (i, ns) in namespaces.enumerate() {
            if let Some(ns) = ns {
                namespaced.insert(i);
                by_namespace
                    .entry(ns.clone())
                    .or_insert_with(|| Bits::empty(count))
                    .insert(i);
            }
        }
        Entities {
            endpoints: endpoints.len(),
            count,
            own,
            ns,
            sa,
            namespaced,
            by_namespace,
        }
    }

    /// The entities in namespace `ns`.
    pub fn in_namespace(&self, ns: &str) -> Bits {
        self.by_namespace
            .get(ns)
            .cloned()
            .unwrap_or_else(|| Bits::empty(self.count))
    }

    /// The endpoints a policy applies to (`calico-semantics.md` §4); none when a selector of the policy
    /// does not parse.
    pub fn applied(&self, selectors: &Selectors, p: &CalicoPolicy) -> Bits {
        let eval = |text: &Option<String>,
                    index: &LabelIndex,
                    namespaced: Option<&Bits>|
         -> Option<Bits> {
            match text {
                None => Some(Bits::full(self.count)),
                Some(t) if t.trim().is_empty() => Some(Bits::full(self.count)),
                Some(t) => selectors
                    .lookup(t)
                    .map(|s| index.eval(s.expr(), namespaced)),
            }
        };
        let mut bits = match eval(&p.spec.selector, &self.own, None) {
            Some(b) => b,
            None => return Bits::empty(self.endpoints),
        };
        if p.kind.is_namespaced() {
            bits =
                bits.and(&self.in_namespace(p.metadata.namespace.as_deref().unwrap_or_default()));
        } else {
            match eval(&p.spec.namespace_selector, &self.ns, Some(&self.namespaced)) {
                Some(b) => bits = bits.and(&b),
                None => return Bits::empty(self.endpoints),
            }
        }
        match eval(&p.spec.service_account_selector, &self.sa, None) {
            Some(b) => bits = bits.and(&b),
            None => return Bits::empty(self.endpoints),
        }
        bits.truncated(self.endpoints)
    }

    /// The entities matching the positive selector of an entity rule (`GetEntityRuleSelector`), or
    /// `None` when a selector does not parse. `scoped_ns` is a NetworkPolicy's namespace.
    pub fn positive(
        &self,
        selectors: &Selectors,
        e: &crate::model::EntityRule,
        scoped_ns: Option<&str>,
    ) -> Option<Bits> {
        let mut id = Bits::full(self.count);
        if let Some(sa) = &e.service_accounts {
            if !sa.names.is_empty() {
                let names = sa.names.iter().fold(Bits::empty(self.count), |acc, n| {
                    acc.or(&self.sa.value(NAME_LABEL, n))
                });
                id = id.and(&names);
            }
            if let Some(text) = &sa.selector {
                id = id.and(&self.sa.eval(selectors.lookup(text)?.expr(), None));
            }
            // Network sets have no service account.
            id = id.and(&self.endpoint_bits());
        }
        if let Some(text) = &e.selector {
            id = id.and(&self.own.eval(selectors.lookup(text)?.expr(), None));
        }
        let ns = match (&e.namespace_selector, scoped_ns) {
            (Some(text), _) => Some(
                self.ns
                    .eval(selectors.lookup(text)?.expr(), Some(&self.namespaced)),
            ),
            (None, Some(ns)) => Some(self.in_namespace(ns)),
            (None, None) => None,
        };
        let any_selector_field = e.selector.is_some()
            || e.service_accounts.is_some()
            || e.not_selector.is_some()
            || e.namespace_selector.is_some();
        Some(match ns {
            Some(ns) if any_selector_field => ns.and(&id),
            _ => id,
        })
    }

    /// The entities matching a plain selector (`notSelector`), or `None` when it does not parse.
    pub fn matching(&self, selectors: &Selectors, text: &str) -> Option<Bits> {
        selectors
            .lookup(text)
            .map(|s| self.own.eval(s.expr(), None))
    }

    fn endpoint_bits(&self) -> Bits {
        let mut b = Bits::empty(self.count);
        b.insert_range(0..self.endpoints);
        b
    }
}
