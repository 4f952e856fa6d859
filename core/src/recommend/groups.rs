//! How the recommender reads the flows' endpoints: each one classified ([`End`]), pods gathered into
//! workload groups (a controller's pods are one group), and the selector each group is chosen by.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use crate::flows::{EndpointKind, NetworkScope};
use crate::impact::VOLATILE_LABELS;
use crate::model::vocabulary::namespaces::is_system_namespace;
use crate::model::{Labels, Protocol, WorkloadKind};

use super::sets::{domain_set_name, is_dns_label_name};
use super::{NAME_KEYS, Node, Widening};

/// How an endpoint of the flows is classified before outside addresses are aggregated.
#[derive(Debug, Clone)]
pub(super) enum End {
    Group(String, String),
    NamedSet(String),
    DomainSet(String),
    Address(IpAddr),
    Scope(NetworkScope),
    Unusable(String),
}

/// A workload group being inferred.
#[derive(Debug, Clone, Default)]
pub(super) struct GroupInfo {
    /// Labels common to every record of the group (volatile ones removed).
    pub(super) labels: Option<Labels>,
    pub(super) kind: Option<WorkloadKind>,
    pub(super) ports: BTreeSet<(Protocol, u16)>,
    /// The starting design has it: keep its labels.
    pub(super) existing: bool,
}

pub(super) fn classify(ep: &crate::flows::Endpoint) -> End {
    let namespaced = ep
        .namespace
        .as_deref()
        .filter(|ns| !ns.is_empty() && *ns != "-");
    match (ep.kind, namespaced) {
        (EndpointKind::Workload, Some(ns)) | (EndpointKind::Unknown, Some(ns)) => {
            End::Group(ns.to_owned(), group_name(ep))
        }
        (EndpointKind::Workload, None) => {
            End::Unusable(format!("workload `{}` has no namespace", ep.display_name()))
        }
        (EndpointKind::NetworkSet, _) => match &ep.name {
            Some(name) if is_dns_label_name(name) => End::NamedSet(name.clone()),
            _ => outside(ep),
        },
        _ => outside(ep),
    }
}

pub(super) fn outside(ep: &crate::flows::Endpoint) -> End {
    if let Some(domain) = ep.domains.iter().min() {
        return End::DomainSet(domain_set_name(domain));
    }
    match (ep.ip, ep.scope) {
        (Some(ip), _) => End::Address(ip),
        (None, Some(scope)) => End::Scope(scope),
        (None, None) => End::Unusable(format!(
            "`{}` has no address in the flow log",
            ep.display_name()
        )),
    }
}

/// The group of a flow-log endpoint: its controller's name (`api-7d9f8b6c5-*` → `api`), else the
/// value of its first name label, else `workload`.
pub(super) fn group_name(ep: &crate::flows::Endpoint) -> String {
    let from_name = ep.name.as_deref().map(|name| {
        let mut name = name.trim_end_matches('*').trim_end_matches('-').to_owned();
        // The ReplicaSet's hash: the label's value when the record has it, else its shape.
        let hash = ep.labels.get("pod-template-hash").cloned();
        if let Some((head, tail)) = name.rsplit_once('-')
            && !head.is_empty()
            && (hash.as_deref() == Some(tail) || looks_like_hash(tail))
        {
            name = head.to_owned();
        }
        name
    });
    let from_label = || NAME_KEYS.iter().find_map(|k| ep.labels.get(*k)).cloned();
    from_name
        .filter(|n| is_dns_label_name(n))
        .or_else(from_label)
        .filter(|n| is_dns_label_name(n))
        .unwrap_or_else(|| "workload".to_owned())
}

/// Kubernetes' pod-template hashes use `bcdfghjklmnpqrstvwxz2456789` (no vowels), 6 to 10 long, and
/// always have a digit in practice; a word of that shape is taken for one.
pub(super) fn looks_like_hash(part: &str) -> bool {
    (6..=10).contains(&part.len())
        && part.chars().any(|c| c.is_ascii_digit())
        && part
            .chars()
            .all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c))
}

pub(super) fn stable_labels(labels: &Labels) -> Labels {
    labels
        .iter()
        .filter(|(k, _)| !VOLATILE_LABELS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

pub(super) fn kind_of(labels: &Labels) -> WorkloadKind {
    if labels.contains_key("statefulset.kubernetes.io/pod-name") {
        WorkloadKind::StatefulSet
    } else if labels.contains_key("pod-template-generation") {
        WorkloadKind::DaemonSet
    } else {
        WorkloadKind::Deployment
    }
}

/// Whether workloads of `ns` get policies: not a system namespace (the baseline leaves those open),
/// and in the scope when there is one.
pub(crate) fn has_policy_side(ns: &str, scope: &[String]) -> bool {
    !is_system_namespace(ns) && (scope.is_empty() || scope.iter().any(|n| n == ns))
}

pub(super) fn is_platform_namespace(ns: &str) -> bool {
    is_system_namespace(ns)
        || ns.ends_with("-system")
        || ns.starts_with("platform-")
        || ns.contains("monitoring")
}

pub(super) fn is_dns_group(groups: &BTreeMap<(String, String), GroupInfo>, node: &Node) -> bool {
    let Node::Group { namespace, name } = node else {
        return false;
    };
    namespace == "kube-system"
        && groups
            .get(&(namespace.clone(), name.clone()))
            .and_then(|g| g.labels.as_ref())
            .and_then(|l| l.get("k8s-app"))
            .is_some_and(|v| v == "kube-dns")
}

pub(super) fn selector_text(pairs: &Labels) -> String {
    if pairs.is_empty() {
        return "all()".to_owned();
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{k} == \"{v}\""))
        .collect::<Vec<_>>()
        .join(" && ")
}

/// Per group, the selector its policies and peers use.
pub(super) fn choose_selectors(
    groups: &BTreeMap<(String, String), GroupInfo>,
    widenings: &mut BTreeSet<Widening>,
) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    let subset = |a: &Labels, b: &Labels| a.iter().all(|(k, v)| b.get(k) == Some(v));
    for ((ns, name), info) in groups {
        let labels = info.labels.clone().unwrap_or_default();
        let others: Vec<(&String, Labels)> = groups
            .iter()
            .filter(|((n, g), _)| n == ns && g != name)
            .map(|((_, g), i)| (g, i.labels.clone().unwrap_or_default()))
            .collect();
        let by_name: Option<Labels> = NAME_KEYS.iter().find_map(|k| {
            labels
                .get(*k)
                .map(|v| Labels::from([((*k).to_owned(), v.clone())]))
        });
        let candidates: Vec<Labels> = by_name.into_iter().chain([labels.clone()]).collect();
        let chosen = candidates
            .iter()
            .find(|c| !others.iter().any(|(_, o)| subset(c, o)))
            .cloned()
            .unwrap_or(labels);
        let text = selector_text(&chosen);
        for (other, o) in &others {
            if subset(&chosen, o) {
                widenings.insert(Widening::SharedSelector {
                    group: format!("{ns}/{name}"),
                    selector: text.clone(),
                    also: format!("{ns}/{other}"),
                });
            }
        }
        out.insert((ns.clone(), name.clone()), text);
    }
    out
}
