//! Structural edits of a design's namespaces and workload groups: the names Kubernetes accepts, and
//! renames and removals that carry along everything that names the object (the namespace's
//! `kubernetes.io/metadata.name` label and the selectors testing it, namespaced policies and network
//! sets, canvas positions, drawn-flow annotations).

use thiserror::Error;

use super::{Design, DesignNamespace, WorkloadGroup};
use crate::model::names::{is_dns_label, is_dns_subdomain};
use crate::model::vocabulary::annotations::FLOW_ANNOTATION;
use crate::model::{ContainerPort, WorkloadKind};

/// The label Kubernetes sets on every namespace to its name.
const NAME_LABEL: &str = "kubernetes.io/metadata.name";
/// Longest container port name (`IANA_SVC_NAME`).
const MAX_PORT_NAME_LEN: usize = 15;

/// Why a name or an edit of the namespaces and workload groups is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NameError {
    #[error(
        "the namespace name `{0}` must be 1-63 lowercase letters, digits and `-`, starting and ending with a letter or digit"
    )]
    BadNamespace(String),
    #[error(
        "the name `{0}` must be lowercase letters, digits, `-` and `.`, each part starting and ending with a letter or digit"
    )]
    BadName(String),
    #[error(
        "the port name `{0}` must be 1-15 lowercase letters, digits and `-`, with at least one letter, no `--`, and not start or end with `-`"
    )]
    BadPortName(String),
    #[error("the workload group already has a port named `{0}`")]
    DuplicatePortName(String),
    #[error("there is already a namespace `{0}`")]
    DuplicateNamespace(String),
    #[error("there is already a workload group `{name}` in `{namespace}`")]
    DuplicateWorkload { namespace: String, name: String },
    #[error("there is no namespace `{0}`")]
    NoNamespace(String),
    #[error("there is no workload group `{name}` in `{namespace}`")]
    NoWorkload { namespace: String, name: String },
}

/// Checks a namespace name (a DNS-1123 label, as Kubernetes requires).
pub fn check_namespace_name(name: &str) -> Result<(), NameError> {
    if is_dns_label(name) {
        Ok(())
    } else {
        Err(NameError::BadNamespace(name.to_owned()))
    }
}

/// Checks a workload group name (a DNS-1123 subdomain, like a Deployment's name).
pub fn check_workload_name(name: &str) -> Result<(), NameError> {
    if is_dns_subdomain(name) {
        Ok(())
    } else {
        Err(NameError::BadName(name.to_owned()))
    }
}

/// Checks a service account name (a DNS-1123 subdomain).
pub fn check_service_account(name: &str) -> Result<(), NameError> {
    check_workload_name(name)
}

/// Checks a container port name (`IANA_SVC_NAME`): what a rule's named port refers to.
pub fn check_port_name(name: &str) -> Result<(), NameError> {
    let bytes = name.as_bytes();
    let valid = (1..=MAX_PORT_NAME_LEN).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes.iter().any(u8::is_ascii_lowercase)
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-')
        && !name.contains("--");
    if valid {
        Ok(())
    } else {
        Err(NameError::BadPortName(name.to_owned()))
    }
}

/// Checks the name of a namespace about to be added or renamed to: valid and not already used.
pub fn check_new_namespace(design: &Design, name: &str) -> Result<(), NameError> {
    check_namespace_name(name)?;
    if design.namespaces.iter().any(|n| n.name == name) {
        return Err(NameError::DuplicateNamespace(name.to_owned()));
    }
    Ok(())
}

/// Checks the name of a workload group about to be added to `namespace` or renamed to: valid and not
/// already used in that namespace.
pub fn check_new_workload_group(
    design: &Design,
    namespace: &str,
    name: &str,
) -> Result<(), NameError> {
    check_workload_name(name)?;
    let ns = design
        .namespaces
        .iter()
        .find(|n| n.name == namespace)
        .ok_or_else(|| NameError::NoNamespace(namespace.to_owned()))?;
    if ns.workloads.iter().any(|w| w.name == name) {
        return Err(NameError::DuplicateWorkload {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        });
    }
    Ok(())
}

/// Adds an empty namespace `name`, labelled `kubernetes.io/metadata.name: <name>` as Kubernetes labels
/// every namespace (so selectors on the name see it).
pub fn add_namespace(design: &mut Design, name: &str) -> Result<(), NameError> {
    check_new_namespace(design, name)?;
    design.namespaces.push(DesignNamespace {
        name: name.to_owned(),
        labels: [(NAME_LABEL.to_owned(), name.to_owned())].into(),
        workloads: Vec::new(),
    });
    Ok(())
}

/// Adds a workload group `name` of `kind`, without labels or ports, to `namespace`.
pub fn add_workload_group(
    design: &mut Design,
    namespace: &str,
    name: &str,
    kind: WorkloadKind,
) -> Result<(), NameError> {
    check_new_workload_group(design, namespace, name)?;
    workloads_of(design, namespace)?.push(WorkloadGroup {
        name: name.to_owned(),
        kind,
        labels: Default::default(),
        service_account: None,
        ports: Vec::new(),
    });
    Ok(())
}

/// Checks the name of port `index` of `ports` (or of a new port, when `index` is `None`): valid, and
/// not the name of another port of the group (Kubernetes refuses two ports of a pod with one name, and
/// a rule's named port would be ambiguous). An unnamed port is always fine.
pub fn check_port_name_in(
    ports: &[ContainerPort],
    index: Option<usize>,
    name: &str,
) -> Result<(), NameError> {
    if name.is_empty() {
        return Ok(());
    }
    check_port_name(name)?;
    let taken = ports
        .iter()
        .enumerate()
        .any(|(i, p)| Some(i) != index && p.name.as_deref() == Some(name));
    if taken {
        return Err(NameError::DuplicatePortName(name.to_owned()));
    }
    Ok(())
}

fn namespace_id(namespace: &str) -> String {
    format!("namespace/{namespace}")
}

fn workload_id(namespace: &str, name: &str) -> String {
    format!("workload/{namespace}/{name}")
}

/// Renames canvas node ids in the layout and in the drawn-flow annotations of rules.
fn rename_nodes(design: &mut Design, rename: impl Fn(&str) -> Option<String>) {
    design.layout = std::mem::take(&mut design.layout)
        .into_iter()
        .map(|(id, position)| (rename(&id).unwrap_or(id), position))
        .collect();
    let rules = design
        .policies
        .iter_mut()
        .flat_map(|p| p.spec.ingress.iter_mut().chain(p.spec.egress.iter_mut()));
    for rule in rules {
        let Some(flow) = rule
            .metadata
            .as_mut()
            .and_then(|m| m.annotations.get_mut(FLOW_ANNOTATION))
        else {
            continue;
        };
        if let Some((from, to)) = flow.split_once(" -> ") {
            let from = rename(from).unwrap_or_else(|| from.to_owned());
            let to = rename(to).unwrap_or_else(|| to.to_owned());
            *flow = format!("{from} -> {to}");
        }
    }
}

/// Renames namespace `from` to `to`, with everything that names it: its `kubernetes.io/metadata.name`
/// label and every selector testing that label for `from`, the namespaced policies and network sets
/// in it, its canvas positions and drawn-flow annotations. Returns how many selectors changed.
pub fn rename_namespace(design: &mut Design, from: &str, to: &str) -> Result<usize, NameError> {
    check_namespace_name(to)?;
    if from == to {
        return Ok(0);
    }
    check_new_namespace(design, to)?;
    let ns = design
        .namespaces
        .iter_mut()
        .find(|n| n.name == from)
        .ok_or_else(|| NameError::NoNamespace(from.to_owned()))?;
    ns.name = to.to_owned();
    if let Some(value) = ns.labels.get_mut(NAME_LABEL)
        && value == from
    {
        *value = to.to_owned();
    }
    let selectors = super::taxonomy::rename_in_selectors(design, NAME_LABEL, from, to);
    let namespaces = design
        .policies
        .iter_mut()
        .map(|p| &mut p.metadata.namespace)
        .chain(
            design
                .kubernetes_policies
                .iter_mut()
                .map(|p| &mut p.metadata.namespace),
        )
        .chain(
            design
                .network_sets
                .iter_mut()
                .map(|s| &mut s.metadata.namespace),
        );
    for namespace in namespaces.flatten() {
        if namespace == from {
            *namespace = to.to_owned();
        }
    }
    let (old_ns, old_prefix) = (namespace_id(from), format!("workload/{from}/"));
    rename_nodes(design, |id| {
        if id == old_ns {
            Some(namespace_id(to))
        } else {
            id.strip_prefix(&old_prefix).map(|w| workload_id(to, w))
        }
    });
    Ok(selectors)
}

/// Removes namespace `name`, its workload groups and their canvas positions. Policies and network sets
/// in it stay: they are the user's to delete, and the lints point at them.
pub fn remove_namespace(design: &mut Design, name: &str) -> Result<(), NameError> {
    let index = design
        .namespaces
        .iter()
        .position(|n| n.name == name)
        .ok_or_else(|| NameError::NoNamespace(name.to_owned()))?;
    design.namespaces.remove(index);
    let prefix = format!("workload/{name}/");
    let ns_id = namespace_id(name);
    design
        .layout
        .retain(|id, _| *id != ns_id && !id.starts_with(&prefix));
    Ok(())
}

fn workloads_of<'d>(
    design: &'d mut Design,
    namespace: &str,
) -> Result<&'d mut Vec<WorkloadGroup>, NameError> {
    design
        .namespaces
        .iter_mut()
        .find(|n| n.name == namespace)
        .map(|n| &mut n.workloads)
        .ok_or_else(|| NameError::NoNamespace(namespace.to_owned()))
}

/// Renames workload group `from` of `namespace` to `to`, with its canvas position and drawn-flow
/// annotations. (Policies select it by labels, not by name.)
pub fn rename_workload_group(
    design: &mut Design,
    namespace: &str,
    from: &str,
    to: &str,
) -> Result<(), NameError> {
    check_workload_name(to)?;
    if from == to {
        return Ok(());
    }
    check_new_workload_group(design, namespace, to)?;
    let workloads = workloads_of(design, namespace)?;
    let group = workloads
        .iter_mut()
        .find(|w| w.name == from)
        .ok_or_else(|| NameError::NoWorkload {
            namespace: namespace.to_owned(),
            name: from.to_owned(),
        })?;
    group.name = to.to_owned();
    let (old, new) = (workload_id(namespace, from), workload_id(namespace, to));
    rename_nodes(design, |id| (id == old).then(|| new.clone()));
    Ok(())
}

/// Removes workload group `name` of `namespace` and its canvas position.
pub fn remove_workload_group(
    design: &mut Design,
    namespace: &str,
    name: &str,
) -> Result<(), NameError> {
    let workloads = workloads_of(design, namespace)?;
    let index = workloads
        .iter()
        .position(|w| w.name == name)
        .ok_or_else(|| NameError::NoWorkload {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        })?;
    workloads.remove(index);
    design.layout.remove(&workload_id(namespace, name));
    Ok(())
}

#[cfg(test)]
mod tests;
