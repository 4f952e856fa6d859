//! Namespaces the flow logs name that the resources do not have. Replayed against a design that lacks
//! them, such flows resolve by their labels alone and mostly read "broken" for no reason a reader can
//! see; the shells say how many flows that is and offer to add the namespaces or to leave those flows
//! out ([`Impact::run_where`](super::Impact::run_where) with [`ForeignNamespaces::involves`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::flows::{AggregatedFlow, FlowSet};
use crate::model::{Labels, ResourceSet};

/// A namespace some flows name and the resources do not have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignNamespace {
    pub name: String,
    /// Distinct flows with an end in it.
    pub flows: u64,
    /// The namespace's labels as the flow records carry them (Hubble does; most formats do not:
    /// then empty). When several records disagree, the labels of the first record that has any.
    pub labels: Labels,
}

/// Every namespace the flows name that the resources lack, and how many flows involve any of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignNamespaces {
    /// By name.
    pub namespaces: Vec<ForeignNamespace>,
    /// Distinct flows with at least one end in a foreign namespace (a flow between two of them
    /// counts once).
    pub flows: u64,
}

impl ForeignNamespaces {
    /// The namespaces of `flows` that `resources` does not have.
    pub fn of(flows: &FlowSet, resources: &ResourceSet) -> ForeignNamespaces {
        let known = |name: &str| resources.namespaces.iter().any(|n| n.metadata.name == name);
        let mut found: BTreeMap<&str, ForeignNamespace> = BTreeMap::new();
        let mut involved = 0;
        for flow in flows.flows() {
            let mut any = false;
            let ends = if flow.src == flow.dst {
                vec![flow.src]
            } else {
                vec![flow.src, flow.dst]
            };
            let mut counted: Vec<&str> = Vec::new();
            for id in ends {
                let end = flows.endpoint(id);
                let Some(name) = end.namespace.as_deref() else {
                    continue;
                };
                if known(name) {
                    continue;
                }
                any = true;
                let entry = found.entry(name).or_insert_with(|| ForeignNamespace {
                    name: name.to_owned(),
                    ..ForeignNamespace::default()
                });
                if entry.labels.is_empty() {
                    entry.labels = end.namespace_labels.clone();
                }
                // A flow within one foreign namespace counts once for it.
                if !counted.contains(&name) {
                    counted.push(name);
                    entry.flows += 1;
                }
            }
            if any {
                involved += 1;
            }
        }
        ForeignNamespaces {
            namespaces: found.into_values().collect(),
            flows: involved,
        }
    }

    /// Whether `flow` (of `flows`) has an end in one of these namespaces.
    pub fn involves(&self, flows: &FlowSet, flow: &AggregatedFlow) -> bool {
        [flow.src, flow.dst].into_iter().any(|id| {
            flows
                .endpoint(id)
                .namespace
                .as_deref()
                .is_some_and(|ns| self.namespaces.iter().any(|f| f.name == ns))
        })
    }

    pub fn is_empty(&self) -> bool {
        self.namespaces.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::{ImportOptions, import_bytes};
    use crate::impact::{Impact, ImpactOptions};
    use crate::model::{Namespace, ObjectMeta};

    fn hubble() -> FlowSet {
        let bytes = include_bytes!("../../tests/data/flows/hubble-flows.jsonl");
        import_bytes(bytes, ImportOptions::default()).expect("a flow log")
    }

    fn with_namespaces(names: &[&str]) -> ResourceSet {
        ResourceSet {
            namespaces: names
                .iter()
                .map(|n| Namespace {
                    metadata: ObjectMeta::named(*n, None),
                })
                .collect(),
            ..ResourceSet::default()
        }
    }

    #[test]
    fn an_empty_design_has_none_of_the_namespaces_and_every_namespaced_flow_involves_one() {
        let flows = hubble();
        let foreign = ForeignNamespaces::of(&flows, &ResourceSet::default());
        let names: Vec<&str> = foreign.namespaces.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "checkout-web",
                "istio-system",
                "kube-system",
                "payments-api",
                "payments-db",
                "platform-monitoring",
                "sandbox-dev"
            ]
        );
        let namespaced = flows
            .flows()
            .iter()
            .filter(|f| {
                flows.endpoint(f.src).namespace.is_some()
                    || flows.endpoint(f.dst).namespace.is_some()
            })
            .count() as u64;
        assert_eq!(foreign.flows, namespaced);
        assert!(foreign.flows > 0);
        // Hubble carries namespace labels: they come along.
        let web = &foreign.namespaces[0];
        assert_eq!(
            web.labels
                .get("security.company.io/environment")
                .map(String::as_str),
            Some("prod"),
            "{web:?}"
        );
    }

    #[test]
    fn namespaces_the_design_has_are_not_foreign_and_their_flows_are_not_counted() {
        let flows = hubble();
        let all = ForeignNamespaces::of(&flows, &ResourceSet::default());
        let names: Vec<&str> = all.namespaces.iter().map(|n| n.name.as_str()).collect();
        let foreign = ForeignNamespaces::of(&flows, &with_namespaces(&names));
        assert!(foreign.is_empty());
        assert_eq!(foreign.flows, 0);

        // Every namespace but one: only that one is foreign, with the flows that touch it.
        let others: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| *n != "checkout-web")
            .collect();
        let one = ForeignNamespaces::of(&flows, &with_namespaces(&others));
        let foreign: Vec<&str> = one.namespaces.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(foreign, ["checkout-web"]);
        let touching = flows
            .flows()
            .iter()
            .filter(|f| {
                [f.src, f.dst]
                    .iter()
                    .any(|id| flows.endpoint(*id).namespace.as_deref() == Some("checkout-web"))
            })
            .count() as u64;
        assert!(touching > 0);
        assert_eq!(one.flows, touching);
        assert_eq!(one.namespaces[0].flows, touching);
        assert!(one.flows < all.flows);
    }

    #[test]
    fn a_run_that_leaves_out_the_flows_of_foreign_namespaces_counts_only_the_rest() {
        let flows = hubble();
        let resources = with_namespaces(&["kube-system"]);
        let foreign = ForeignNamespaces::of(&flows, &resources);
        let mut impact = Impact::new(&ResourceSet::default(), &resources);
        let full = impact.run(&flows, ImpactOptions::default());
        let kept = impact.run_where(&flows, ImpactOptions::default(), |f| {
            !foreign.involves(&flows, f)
        });
        let total = |r: &crate::impact::ImpactReport| {
            let s = &r.summary;
            s.broken
                + s.widened
                + s.unchanged_allow
                + s.unchanged_deny
                + s.unmatched
                + s.undecidable
        };
        assert_eq!(total(&full), flows.flows().len() as u64);
        assert_eq!(total(&kept), flows.flows().len() as u64 - foreign.flows);
        assert_eq!(kept.flows.len() as u64, total(&kept));
        assert!(kept.flows.iter().all(|f| {
            let flow = &flows.flows()[f.index];
            !foreign.involves(&flows, flow)
        }));
        // The import figures still describe the whole file.
        assert_eq!(kept.import.distinct, flows.flows().len() as u64);
    }
}
