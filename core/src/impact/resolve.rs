//! Flow-log endpoints → endpoints of a design (`eval::Endpoint`): a workload of the resources when
//! the flow names its group, else the namespace and labels the flow carries; a network set by name or
//! domain; an address. Calico's `pub`/`pvt` (an outside address aggregated away) is the outside world:
//! the design's network set for it, else a stand-in address in no network set, with a note.
//! What cannot be resolved gets a reason and is reported, never dropped.

use std::collections::HashMap;

use ipnet::IpNet;

use crate::eval::{Endpoint, WorkloadEndpoint};
use crate::flows::{self, EndpointKind, NetworkScope};
use crate::model::vocabulary::addresses::parse_net;
use crate::model::{Labels, NetworkSet, ResourceSet, Workload};

/// How an endpoint was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// A workload of the resources, found by its group name.
    Workload(Endpoint),
    /// The namespace and labels of the flow log (no workload of that name in the resources).
    Labels(Endpoint),
    /// A network set of the resources (name, domain) standing for the address.
    NetworkSet(Endpoint),
    /// The address of the flow log.
    Address(Endpoint),
    /// An address aggregated away to `pub` / `pvt`, evaluated as a stand-in address; the note says
    /// which and why.
    Scope { endpoint: Endpoint, note: String },
}

impl Resolved {
    pub fn endpoint(&self) -> &Endpoint {
        match self {
            Resolved::Workload(e)
            | Resolved::Labels(e)
            | Resolved::NetworkSet(e)
            | Resolved::Address(e) => e,
            Resolved::Scope { endpoint, .. } => endpoint,
        }
    }

    /// What the reader should know about how the end was evaluated.
    pub fn note(&self) -> Option<&str> {
        match self {
            Resolved::Scope { note, .. } => Some(note),
            _ => None,
        }
    }
}

/// Stand-ins for an aggregated-away public address, tried in order: the first that no network set of
/// the design contains. (Felix writes `pub` only when the address matched no network set.)
const PUBLIC_STAND_INS: [&str; 5] = [
    "192.0.2.1",
    "198.51.100.1",
    "203.0.113.1",
    "100.100.100.100",
    "1.1.1.1",
];

/// Stand-ins for an aggregated-away private (RFC 1918) address, likewise.
const PRIVATE_STAND_INS: [&str; 3] = ["10.255.255.254", "172.31.255.254", "192.168.255.254"];

/// Index of the resources an endpoint can resolve to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Resolver {
    workloads: HashMap<(String, String), Workload>,
    namespace_labels: HashMap<String, Labels>,
    sets: Vec<NetworkSet>,
}

/// Labels a controller adds per pod or per revision: never part of a workload's identity.
pub(crate) const VOLATILE_LABELS: [&str; 4] = crate::model::VOLATILE_POD_LABELS;

impl Resolver {
    pub fn new(resources: &ResourceSet) -> Resolver {
        Resolver {
            workloads: resources
                .workloads
                .iter()
                .map(|w| {
                    (
                        (
                            w.metadata
                                .namespace
                                .clone()
                                .unwrap_or_else(|| "default".into()),
                            w.metadata.name.clone(),
                        ),
                        w.clone(),
                    )
                })
                .collect(),
            namespace_labels: resources
                .namespaces
                .iter()
                .map(|n| (n.metadata.name.clone(), n.metadata.labels.clone()))
                .collect(),
            sets: resources.network_sets.clone(),
        }
    }

    /// The design endpoint for a flow-log endpoint, or why there is none.
    pub fn resolve(&self, ep: &flows::Endpoint) -> Result<Resolved, String> {
        match ep.kind {
            EndpointKind::Workload => self.workload(ep),
            EndpointKind::NetworkSet => self.network_set(ep).or_else(|why| self.address(ep).map_err(|_| why)),
            EndpointKind::Network => self.address(ep).or_else(|why| self.by_domain(ep).ok_or(why)),
            EndpointKind::Host => self.address(ep).map_err(|_| {
                format!("host endpoint `{}` has no address in the flow log (host endpoints are not evaluated)", ep.display_name())
            }),
            EndpointKind::Unknown => {
                if ep.namespace.is_some() {
                    return self.workload(ep);
                }
                self.network_set(ep)
                    .or_else(|_| self.address(ep))
                    .map_err(|_| format!("`{}` is neither a workload, a network set of the design nor an address", ep.display_name()))
            }
        }
    }

    fn workload(&self, ep: &flows::Endpoint) -> Result<Resolved, String> {
        let Some(namespace) = ep.namespace.as_deref() else {
            return Err(format!("workload `{}` has no namespace", ep.display_name()));
        };
        if let Some(w) = ep
            .name
            .as_deref()
            .and_then(|name| self.find_workload(namespace, name))
        {
            let ns = self
                .namespace_labels
                .get(namespace)
                .map(|labels| crate::model::Namespace {
                    metadata: crate::model::ObjectMeta {
                        labels: labels.clone(),
                        ..crate::model::ObjectMeta::named(namespace, None)
                    },
                });
            if let Ok(mut endpoint) = WorkloadEndpoint::from_workload(w, ns.as_ref()) {
                // The pod the record names has its own address: `nets` rules match it.
                endpoint.ip = ep.ip.or(endpoint.ip);
                return Ok(Resolved::Workload(Endpoint::Workload(endpoint)));
            }
        }
        let mut labels = ep.labels.clone();
        for key in VOLATILE_LABELS {
            labels.remove(key);
        }
        let namespace_labels = match self.namespace_labels.get(namespace) {
            Some(labels) => labels.clone(),
            None => ep.namespace_labels.clone(),
        };
        Ok(Resolved::Labels(Endpoint::Workload(WorkloadEndpoint {
            namespace: namespace.to_owned(),
            name: ep.name.as_deref().map(group_name),
            labels,
            namespace_labels,
            ip: ep.ip,
            ..WorkloadEndpoint::default()
        })))
    }

    /// A workload named like the flow's group: `api-7d9f8b6c5-*` is Deployment `api` (ReplicaSet hash
    /// removed), `db-*` is StatefulSet `db`.
    fn find_workload(&self, namespace: &str, name: &str) -> Option<&Workload> {
        let mut candidate = group_name(name);
        for _ in 0..3 {
            if let Some(w) = self
                .workloads
                .get(&(namespace.to_owned(), candidate.clone()))
            {
                return Some(w);
            }
            match candidate.rsplit_once('-') {
                Some((head, _)) if !head.is_empty() => candidate = head.to_owned(),
                _ => break,
            }
        }
        None
    }

    fn network_set(&self, ep: &flows::Endpoint) -> Result<Resolved, String> {
        let name = ep
            .name
            .as_deref()
            .ok_or_else(|| format!("network set `{}` has no name", ep.display_name()))?;
        let set = self
            .sets
            .iter()
            .find(|s| {
                s.metadata.name == name
                    && s.metadata.namespace.as_deref() == ep.namespace.as_deref()
            })
            .or_else(|| self.sets.iter().find(|s| s.metadata.name == name))
            .ok_or_else(|| format!("network set `{name}` is not in the resources"))?;
        set_endpoint(set).ok_or_else(|| format!("network set `{name}` has no nets"))
    }

    fn by_domain(&self, ep: &flows::Endpoint) -> Option<Resolved> {
        self.sets
            .iter()
            .find(|s| {
                s.spec
                    .allowed_egress_domains
                    .iter()
                    .any(|pattern| ep.domains.iter().any(|d| domain_matches(pattern, d)))
            })
            .and_then(set_endpoint)
    }

    fn address(&self, ep: &flows::Endpoint) -> Result<Resolved, String> {
        match (ep.ip, ep.scope) {
            (Some(ip), _) => Ok(Resolved::Address(Endpoint::outside(ip))),
            (None, Some(scope)) => self.by_domain(ep).map_or_else(|| self.scope(scope, ep), Ok),
            (None, None) => Err(format!(
                "`{}` has no address in the flow log",
                ep.display_name()
            )),
        }
    }
}

impl Resolver {
    /// `pub` / `pvt`: a network set of the design that stands for all such addresses (one containing
    /// `0.0.0.0/0`, or for private ones every RFC 1918 block), else a stand-in address that no network
    /// set contains — which is what Felix's `pub`/`pvt` means.
    fn scope(&self, scope: NetworkScope, ep: &flows::Endpoint) -> Result<Resolved, String> {
        let (what, blocks, stand_ins): (&str, &[&str], &[&str]) = match scope {
            NetworkScope::Public => ("public", &["0.0.0.0/0"], &PUBLIC_STAND_INS),
            NetworkScope::Private => (
                "private",
                &["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
                &PRIVATE_STAND_INS,
            ),
        };
        let blocks: Vec<IpNet> = blocks.iter().filter_map(|b| b.parse().ok()).collect();
        let nets = |set: &NetworkSet| -> Vec<IpNet> {
            set.spec
                .nets
                .iter()
                .filter_map(|n| parse_net(n).ok())
                .collect()
        };
        // The narrowest set that covers them all (`rfc1918` rather than `internet` for private ones).
        let covering = self
            .sets
            .iter()
            .filter_map(|set| {
                let nets = nets(set);
                let widest = blocks
                    .iter()
                    .map(|b| {
                        nets.iter()
                            .filter(|n| n.contains(b))
                            .map(IpNet::prefix_len)
                            .max()
                    })
                    .collect::<Option<Vec<u8>>>()?;
                Some((widest.into_iter().min().unwrap_or(0), set))
            })
            .max_by_key(|(prefix, _)| *prefix)
            .map(|(_, set)| set);
        if let (Some(set), Some(&block)) = (covering, blocks.first()) {
            return Ok(Resolved::Scope {
                endpoint: Endpoint::Outside(block),
                note: format!(
                    "{what} network: evaluated as {block}, in network set `{}`",
                    set.metadata.name
                ),
            });
        }
        let domains = if ep.domains.is_empty() {
            String::new()
        } else {
            format!(", domains {} in no network set", ep.domains.join(", "))
        };
        stand_ins
            .iter()
            .filter_map(|a| a.parse::<std::net::IpAddr>().ok())
            .find(|ip| {
                !self
                    .sets
                    .iter()
                    .any(|set| nets(set).iter().any(|n| n.contains(ip)))
            })
            .map(|ip| Resolved::Scope {
                endpoint: Endpoint::outside(ip),
                note: format!(
                    "{what} network (address aggregated away by the flow log{domains}): evaluated as {ip}, \
                     an address in no network set of the design"
                ),
            })
            .ok_or_else(|| {
                format!(
                    "the {what} address was aggregated away by the flow log and every stand-in address is \
                     in a network set of the design"
                )
            })
    }
}

/// The group of an aggregated pod name: `api-7d9f8b6c5-*` → `api-7d9f8b6c5`.
fn group_name(name: &str) -> String {
    name.trim_end_matches('*').trim_end_matches('-').to_owned()
}

fn set_endpoint(set: &NetworkSet) -> Option<Resolved> {
    let net = set.spec.nets.iter().find_map(|n| parse_net(n).ok())?;
    Some(Resolved::NetworkSet(Endpoint::Outside(net)))
}

/// `*.example.com` matches one or more labels before `example.com`; otherwise an exact match.
fn domain_matches(pattern: &str, domain: &str) -> bool {
    let domain = domain.trim_end_matches('.');
    match pattern.strip_prefix("*.") {
        Some(suffix) => {
            domain.len() > suffix.len() + 1
                && domain.ends_with(suffix)
                && domain[..domain.len() - suffix.len()].ends_with('.')
        }
        None => pattern.eq_ignore_ascii_case(domain),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scoped(scope: NetworkScope, domains: &[&str]) -> flows::Endpoint {
        flows::Endpoint {
            kind: EndpointKind::Network,
            namespace: None,
            name: None,
            pod: None,
            labels: Labels::default(),
            namespace_labels: Labels::default(),
            ip: None,
            scope: Some(scope),
            domains: domains.iter().map(|d| d.to_string()).collect(),
        }
    }

    fn with_sets(sets: serde_json::Value) -> Resolver {
        let rs: ResourceSet =
            serde_json::from_value(serde_json::json!({ "network_sets": sets })).unwrap();
        Resolver::new(&rs)
    }

    fn outside(r: &Resolved) -> String {
        r.endpoint()
            .net()
            .map(|n| n.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn public_and_private_networks_are_the_outside_world() {
        let none = with_sets(serde_json::json!([]));
        let public = none.resolve(&scoped(NetworkScope::Public, &[])).unwrap();
        assert_eq!(outside(&public), "192.0.2.1/32");
        assert!(public.note().unwrap().contains("no network set"));
        let private = none.resolve(&scoped(NetworkScope::Private, &[])).unwrap();
        assert_eq!(outside(&private), "10.255.255.254/32");

        // Felix writes `pub` only for addresses in no network set: the stand-in avoids them.
        let sets = with_sets(serde_json::json!([
            {"metadata": {"name": "docs"}, "spec": {"nets": ["192.0.2.0/24"]}},
            {"metadata": {"name": "psp"}, "spec": {"nets": ["203.0.113.10/32"], "allowedEgressDomains": ["*.psp.example.com"]}}
        ]));
        let public = sets.resolve(&scoped(NetworkScope::Public, &[])).unwrap();
        assert_eq!(outside(&public), "198.51.100.1/32");
        // A domain the design knows names its set.
        let psp = sets
            .resolve(&scoped(NetworkScope::Public, &["api.psp.example.com"]))
            .unwrap();
        assert_eq!(outside(&psp), "203.0.113.10/32");
        assert_eq!(psp.note(), None);

        // A set that stands for the whole internet (or every private block) is used as such.
        let world = with_sets(serde_json::json!([
            {"metadata": {"name": "internet"}, "spec": {"nets": ["0.0.0.0/0"]}},
            {"metadata": {"name": "rfc1918"}, "spec": {"nets": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]}}
        ]));
        let public = world.resolve(&scoped(NetworkScope::Public, &[])).unwrap();
        assert_eq!(outside(&public), "0.0.0.0/0");
        assert!(public.note().unwrap().contains("`internet`"));
        let private = world.resolve(&scoped(NetworkScope::Private, &[])).unwrap();
        assert_eq!(outside(&private), "10.0.0.0/8");
        assert!(private.note().unwrap().contains("`rfc1918`"));
    }

    #[test]
    fn group_names_and_domains() {
        assert_eq!(group_name("api-7d9f8b6c5-*"), "api-7d9f8b6c5");
        assert_eq!(group_name("db"), "db");
        assert!(domain_matches("*.example.com", "a.b.example.com"));
        assert!(!domain_matches("*.example.com", "example.com"));
        assert!(domain_matches(
            "api.psp.example.com",
            "api.psp.example.com."
        ));
        assert!(!domain_matches("api.psp.example.com", "x.psp.example.com"));
    }
}
