//! Flow-log endpoints → endpoints of a design (`eval::Endpoint`): a workload of the resources when
//! the flow names its group, else the namespace and labels the flow carries; a network set by name or
//! domain; an address. What cannot be resolved gets a reason and is reported, never dropped.

use std::collections::HashMap;

use ipnet::IpNet;

use crate::eval::{Endpoint, WorkloadEndpoint};
use crate::flows::{self, EndpointKind, NetworkScope};
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
}

impl Resolved {
    pub fn endpoint(&self) -> &Endpoint {
        match self {
            Resolved::Workload(e)
            | Resolved::Labels(e)
            | Resolved::NetworkSet(e)
            | Resolved::Address(e) => e,
        }
    }
}

/// Index of the resources an endpoint can resolve to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Resolver {
    workloads: HashMap<(String, String), Workload>,
    namespace_labels: HashMap<String, Labels>,
    sets: Vec<NetworkSet>,
}

/// Labels a controller adds per pod or per revision: never part of a workload's identity.
pub(crate) const VOLATILE_LABELS: [&str; 4] = [
    "pod-template-hash",
    "controller-revision-hash",
    "statefulset.kubernetes.io/pod-name",
    "pod-template-generation",
];

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
            (None, Some(scope)) => Err(format!(
                "the {} address was aggregated away by the flow log{}",
                if scope == NetworkScope::Public {
                    "public"
                } else {
                    "private"
                },
                if ep.domains.is_empty() {
                    String::new()
                } else {
                    format!(" (domains {})", ep.domains.join(", "))
                }
            )),
            (None, None) => Err(format!(
                "`{}` has no address in the flow log",
                ep.display_name()
            )),
        }
    }
}

/// The group of an aggregated pod name: `api-7d9f8b6c5-*` → `api-7d9f8b6c5`.
fn group_name(name: &str) -> String {
    name.trim_end_matches('*').trim_end_matches('-').to_owned()
}

fn set_endpoint(set: &NetworkSet) -> Option<Resolved> {
    let net = set.spec.nets.iter().find_map(|n| {
        n.parse::<IpNet>()
            .ok()
            .or_else(|| n.parse::<std::net::IpAddr>().ok().map(IpNet::from))
    })?;
    Some(Resolved::NetworkSet(Endpoint::Outside(net.trunc())))
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
