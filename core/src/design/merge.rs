//! Bringing read input into a design: the Import panel's "paste YAML into my design".
//!
//! A lone design document replaces the design; anything else is merged object by object, an object
//! replacing the one of the same kind, namespace and name. Objects are placed where
//! [`from_resources`](super::from_resources) places them (namespaces with their labels, workloads as
//! groups of their namespace, IP pools as the pod range), so importing resources into an empty design
//! and making a design from them agree.

use super::input::Input;
use super::{Design, DesignNamespace, WorkloadGroup, pool_cidrs};
use crate::model::{IpPool, Resource, Workload};
use crate::yaml::Diagnostic;

/// What an import did to the design (or why it did nothing).
#[derive(Debug, Clone, PartialEq)]
pub enum ImportOutcome {
    /// Nothing changed: these are the errors.
    Rejected(Vec<Diagnostic>),
    /// The resources were merged.
    Merged {
        added: usize,
        replaced: usize,
        warnings: Vec<Diagnostic>,
    },
    /// The input was one design document; it replaced the design (its name).
    ReplacedDesign(String),
}

/// Applies read input to `design`: nothing when it has errors, the design itself when it is one
/// design document, otherwise every object merged (see [`merge`]).
pub fn apply_import(design: &mut Design, input: Input) -> ImportOutcome {
    if input.error_count() > 0 {
        return ImportOutcome::Rejected(
            input
                .diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect(),
        );
    }
    if let Some(only) = input.single_design() {
        *design = only.clone();
        return ImportOutcome::ReplacedDesign(only.name.clone());
    }
    let resources = input.resource_set().resources().collect::<Vec<_>>();
    let (added, replaced) = merge(design, resources);
    ImportOutcome::Merged {
        added,
        replaced,
        warnings: input.diagnostics,
    }
}

/// Adds each resource to the design, replacing an object of the same kind, namespace and name.
/// Returns how many were added and how many replaced one.
pub fn merge(design: &mut Design, resources: impl IntoIterator<Item = Resource>) -> (usize, usize) {
    let (mut added, mut replaced) = (0, 0);
    let mut count = |was_there: bool| {
        if was_there {
            replaced += 1;
        } else {
            added += 1;
        }
    };
    let mut pools: Vec<IpPool> = Vec::new();
    for resource in resources {
        match resource {
            Resource::IpPool(pool) => pools.push(pool),
            other => count(merge_one(design, other)),
        }
    }
    // The pools are the pod range together: a disabled pool counts only when every pool is.
    for cidr in pool_cidrs(&pools) {
        count(upsert(&mut design.pod_cidrs, cidr.clone(), |x| *x == cidr));
    }
    (added, replaced)
}

/// The namespace `name` of the design, added (without labels) when missing.
pub(crate) fn namespace_entry<'a>(
    namespaces: &'a mut Vec<DesignNamespace>,
    name: &str,
) -> &'a mut DesignNamespace {
    let index = match namespaces.iter().position(|n| n.name == name) {
        Some(i) => i,
        None => {
            namespaces.push(DesignNamespace {
                name: name.to_owned(),
                ..DesignNamespace::default()
            });
            namespaces.len() - 1
        }
    };
    &mut namespaces[index]
}

/// The workload group a workload stands for.
pub(crate) fn workload_group(w: &Workload) -> WorkloadGroup {
    WorkloadGroup {
        name: w.metadata.name.clone(),
        kind: w.kind,
        labels: w.metadata.labels.clone(),
        service_account: w.service_account.clone(),
        ports: w.ports.clone(),
    }
}

/// Places one resource; whether it replaced an object. (`merge` places IP pools itself.)
fn merge_one(design: &mut Design, resource: Resource) -> bool {
    match resource {
        Resource::CalicoPolicy(p) => {
            let key = (
                p.kind,
                p.metadata.namespace.clone(),
                p.metadata.name.clone(),
            );
            upsert(&mut design.policies, p, |x| {
                (
                    x.kind,
                    x.metadata.namespace.clone(),
                    x.metadata.name.clone(),
                ) == key
            })
        }
        Resource::KubernetesPolicy(p) => {
            let key = (
                p.staged,
                p.metadata.namespace.clone(),
                p.metadata.name.clone(),
            );
            upsert(&mut design.kubernetes_policies, p, |x| {
                (
                    x.staged,
                    x.metadata.namespace.clone(),
                    x.metadata.name.clone(),
                ) == key
            })
        }
        Resource::ClusterPolicy(p) => {
            let key = (p.kind, p.metadata.name.clone());
            upsert(&mut design.cluster_policies, p, |x| {
                (x.kind, x.metadata.name.clone()) == key
            })
        }
        Resource::Tier(t) => {
            let name = t.metadata.name.clone();
            upsert(&mut design.tiers, t, |x| x.metadata.name == name)
        }
        Resource::NetworkSet(s) => {
            let key = (s.metadata.namespace.clone(), s.metadata.name.clone());
            upsert(&mut design.network_sets, s, |x| {
                (x.metadata.namespace.clone(), x.metadata.name.clone()) == key
            })
        }
        Resource::Namespace(n) => {
            let existed = design.namespaces.iter().any(|x| x.name == n.metadata.name);
            namespace_entry(&mut design.namespaces, &n.metadata.name).labels = n.metadata.labels;
            existed
        }
        Resource::Workload(w) => {
            let ns = w.metadata.namespace.as_deref().unwrap_or("default");
            let group = workload_group(&w);
            let name = group.name.clone();
            upsert(
                &mut namespace_entry(&mut design.namespaces, ns).workloads,
                group,
                |x| x.name == name,
            )
        }
        // A lone pool, as `merge` places pools (only together they say which are disabled).
        Resource::IpPool(p) => merge(design, [Resource::IpPool(p)]).1 > 0,
    }
}

/// Replaces the first item `same` finds, or appends; whether it replaced one.
fn upsert<T>(list: &mut Vec<T>, item: T, same: impl Fn(&T) -> bool) -> bool {
    match list.iter_mut().find(|x| same(x)) {
        Some(slot) => {
            *slot = item;
            true
        }
        None => {
            list.push(item);
            false
        }
    }
}
