//! Pods listed one by one that belong to one controller fold into one entry.
//!
//! The model keeps no `ownerReferences`, so ownership is read from labels, as Kubernetes writes them:
//! a Pod belongs with a listed controller (or with other Pods) of the same namespace and service
//! account whose labels are the same once the per-pod ones are left out
//! ([`VOLATILE_POD_LABELS`]: `pod-template-hash`, `controller-revision-hash`,
//! `statefulset.kubernetes.io/pod-name`, `pod-template-generation`). It folds only when its answer
//! (states and exposures) is the group's: a policy that tells the Pods apart (a selector on a per-pod
//! label, a named port only some resolve, as during a rollout) keeps them apart. Controllers never fold
//! into each other.

use std::collections::HashMap;

use crate::model::{Labels, VOLATILE_POD_LABELS, Workload, WorkloadKind};

use super::Entry;

/// Folds `entries` (one per workload of `workloads`, in order) into one per controller.
pub(super) fn pods(workloads: &[Workload], entries: Vec<Entry>) -> Vec<Entry> {
    if workloads.len() != entries.len() {
        return entries;
    }
    // Groups in the order of their first member; each remembers its members' positions.
    let mut groups: Vec<Group> = Vec::new();
    let mut by_controller: HashMap<Key<'_>, usize> = HashMap::new();
    let mut by_pods: HashMap<Key<'_>, Vec<usize>> = HashMap::new();
    for (i, w) in workloads.iter().enumerate() {
        if w.kind != WorkloadKind::Pod {
            by_controller.entry(key(w)).or_insert(groups.len());
            groups.push(Group {
                head: i,
                controller: true,
                pods: Vec::new(),
            });
        }
    }
    for (i, w) in workloads.iter().enumerate() {
        if w.kind != WorkloadKind::Pod {
            continue;
        }
        let k = key(w);
        let joined = by_controller
            .get(&k)
            .copied()
            .into_iter()
            .chain(by_pods.get(&k).into_iter().flatten().copied())
            .find(|&g| same_answer(&entries[groups[g].head], &entries[i]));
        match joined {
            Some(g) => groups[g].pods.push(i),
            None => {
                by_pods.entry(k).or_default().push(groups.len());
                groups.push(Group {
                    head: i,
                    controller: false,
                    pods: vec![i],
                });
            }
        }
    }
    groups.sort_by_key(|g| g.pods.iter().copied().chain([g.head]).min());
    let mut entries: Vec<Option<Entry>> = entries.into_iter().map(Some).collect();
    groups
        .into_iter()
        .filter_map(|g| {
            let mut entry = entries.get_mut(g.head)?.take()?;
            if (g.controller && g.pods.is_empty()) || (!g.controller && g.pods.len() == 1) {
                return Some(entry);
            }
            if !g.controller {
                entry.workload =
                    controller_name(workloads, &g.pods).unwrap_or_else(|| entry.workload.clone());
            }
            entry.pods = g.pods.iter().map(|&p| name(&workloads[p])).collect();
            Some(entry)
        })
        .collect()
}

struct Group {
    /// The controller, or the first Pod.
    head: usize,
    controller: bool,
    /// The Pods folded in (the head too when there is no controller).
    pods: Vec<usize>,
}

/// Namespace, service account, and labels but the per-pod ones.
type Key<'w> = (&'w str, &'w str, Vec<(&'w str, &'w str)>);

fn key(w: &Workload) -> Key<'_> {
    (
        w.metadata.namespace.as_deref().unwrap_or("default"),
        w.service_account.as_deref().unwrap_or("default"),
        stable(&w.metadata.labels),
    )
}

fn stable(labels: &Labels) -> Vec<(&str, &str)> {
    labels
        .iter()
        .filter(|(k, _)| !VOLATILE_POD_LABELS.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn same_answer(a: &Entry, b: &Entry) -> bool {
    a.ingress == b.ingress && a.egress == b.egress && a.exposures == b.exposures
}

fn name(w: &Workload) -> String {
    format!(
        "{}/{}",
        w.metadata.namespace.as_deref().unwrap_or("default"),
        w.metadata.name
    )
}

/// `namespace/controller` when every Pod's name tells the same controller: `web-5d8f7c9b6-x2k4q`
/// (its `pod-template-hash` label `5d8f7c9b6`) → `web`, `db-0` (a StatefulSet pod) → `db`,
/// `agent-x2k4q` (a DaemonSet pod, `controller-revision-hash`) → `agent`.
fn controller_name(workloads: &[Workload], pods: &[usize]) -> Option<String> {
    let mut stems = pods.iter().map(|&p| stem(&workloads[p]));
    let first = stems.next()??;
    if stems.all(|s| s.as_deref() == Some(first.as_str())) {
        let w = &workloads[*pods.first()?];
        Some(format!(
            "{}/{first}",
            w.metadata.namespace.as_deref().unwrap_or("default")
        ))
    } else {
        None
    }
}

/// The controller's name a Pod's name and labels give.
fn stem(w: &Workload) -> Option<String> {
    let name = w.metadata.name.as_str();
    let labels = &w.metadata.labels;
    let (head, _suffix) = name.rsplit_once('-')?;
    if let Some(hash) = labels.get("pod-template-hash") {
        let (controller, h) = head.rsplit_once('-')?;
        return (h == hash).then(|| controller.to_owned());
    }
    if labels
        .get("statefulset.kubernetes.io/pod-name")
        .map(String::as_str)
        == Some(name)
    {
        return name
            .rsplit_once('-')
            .filter(|(_, n)| n.chars().all(|c| c.is_ascii_digit()))
            .map(|(controller, _)| controller.to_owned());
    }
    if labels.contains_key("controller-revision-hash")
        || labels.contains_key("pod-template-generation")
    {
        return Some(head.to_owned());
    }
    None
}
