//! Endpoints as Calico's selectors see them: a workload with its effective labels (own labels plus the
//! labels inherited from its namespace and service-account profiles, `calico-semantics.md` §3), or an
//! address outside the cluster.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::model::vocabulary::addresses::parse_net;
use crate::model::{ContainerPort, Labels, Namespace, NetworkSet, ResourceSet, Workload};

/// The service account Kubernetes gives a pod that names none.
pub const DEFAULT_SERVICE_ACCOUNT: &str = "default";

pub(crate) const LABEL_NAMESPACE: &str = "projectcalico.org/namespace";
pub(crate) const LABEL_ORCHESTRATOR: &str = "projectcalico.org/orchestrator";
pub(crate) const LABEL_SERVICE_ACCOUNT: &str = "projectcalico.org/serviceaccount";
pub(crate) const LABEL_NAME: &str = "projectcalico.org/name";
pub(crate) const NAMESPACE_PREFIX: &str = "pcns.";
pub(crate) const SERVICE_ACCOUNT_PREFIX: &str = "pcsa.";
/// The label Kubernetes puts on every Namespace (immutable since 1.21).
pub(crate) const LABEL_K8S_NAMESPACE_NAME: &str = "kubernetes.io/metadata.name";

/// One end of a flow.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// A pod or workload: it has a policy side of its own.
    Workload(WorkloadEndpoint),
    /// An address or block outside the cluster (or a host / network-set member): matched by `nets`,
    /// `notNets` and by the labels of the network sets that contain it; no policy side of its own.
    /// A block stands for all its addresses: it is inside a CIDR only when wholly contained.
    Outside(IpNet),
}

impl Endpoint {
    /// An outside address.
    pub fn outside(ip: IpAddr) -> Endpoint {
        Endpoint::Outside(IpNet::from(ip))
    }

    /// The workload, if this is one.
    pub fn as_workload(&self) -> Option<&WorkloadEndpoint> {
        match self {
            Endpoint::Workload(w) => Some(w),
            Endpoint::Outside(_) => None,
        }
    }

    /// The address or block, when known (not for a workload without an IP, which the evaluator
    /// places in the cluster's pod range).
    pub fn net(&self) -> Option<IpNet> {
        match self {
            Endpoint::Workload(w) => w.ip.map(IpNet::from),
            Endpoint::Outside(net) => Some(*net),
        }
    }
}

/// A pod or workload as policy sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct WorkloadEndpoint {
    pub namespace: String,
    /// `namespace/name` display name part, when the endpoint comes from the resources.
    pub name: Option<String>,
    /// The pod's own labels.
    pub labels: Labels,
    /// Labels of its Namespace (`kubernetes.io/metadata.name` is added when missing, as Kubernetes does).
    pub namespace_labels: Labels,
    /// `None` means Kubernetes' `default` service account.
    pub service_account: Option<String>,
    pub service_account_labels: Labels,
    /// The pod IP, when known. A workload without one is somewhere in the cluster's pod range (its IP
    /// pools, [`crate::model::pod_range`]): it matches `nets` that contain the whole range and is
    /// excluded by `notNets` that share any address with it.
    pub ip: Option<IpAddr>,
    /// Container ports (named ones resolve named rule ports).
    pub ports: Vec<ContainerPort>,
    /// `ports` lists every container port. When not (a flow log's endpoint, an inline endpoint
    /// without `ports`), a named rule port may or may not be the flow's port: such verdicts are
    /// undecidable (`worlds`).
    pub ports_known: bool,
}

impl WorkloadEndpoint {
    /// The service account name in effect.
    pub fn service_account(&self) -> &str {
        self.service_account
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or(DEFAULT_SERVICE_ACCOUNT)
    }

    /// The workload of the resources, with the labels of its Namespace when the resources declare it.
    pub fn from_workload(
        workload: &Workload,
        namespace: Option<&Namespace>,
    ) -> Result<WorkloadEndpoint, EndpointError> {
        let ns = workload
            .metadata
            .namespace
            .clone()
            .unwrap_or_else(|| "default".to_owned());
        let ip = match workload.ip.as_deref().filter(|ip| !ip.is_empty()) {
            Some(text) => Some(
                text.parse::<IpAddr>()
                    .map_err(|_| EndpointError::BadIp(text.to_owned()))?,
            ),
            None => None,
        };
        Ok(WorkloadEndpoint {
            namespace: ns,
            name: Some(workload.metadata.name.clone()),
            labels: workload.metadata.labels.clone(),
            namespace_labels: namespace
                .map(|n| n.metadata.labels.clone())
                .unwrap_or_default(),
            service_account: workload.service_account.clone(),
            service_account_labels: Labels::new(),
            ip,
            ports: workload.ports.clone(),
            // A pod or controller of the resources lists its containers, with their ports.
            ports_known: true,
        })
    }

    /// Every workload of the resources, in order.
    pub fn all_from(resources: &ResourceSet) -> Result<Vec<WorkloadEndpoint>, EndpointError> {
        resources
            .workloads
            .iter()
            .map(|w| {
                WorkloadEndpoint::from_workload(
                    w,
                    w.metadata
                        .namespace
                        .as_deref()
                        .and_then(|ns| resources.namespace(ns)),
                )
            })
            .collect()
    }

    /// `namespace/name` (or the namespace alone for an unnamed endpoint).
    pub fn display_name(&self) -> String {
        match &self.name {
            Some(name) => format!("{}/{}", self.namespace, name),
            None => self.namespace.clone(),
        }
    }
}

/// A workload that cannot be an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("`{0}` is not an IP address")]
    BadIp(String),
}

/// The labels Calico's selectors see on a workload (`calico-semantics.md` §3): own labels, overwritten by
/// the namespace, orchestrator and service-account labels; then `pcns.*` from the namespace profile
/// and `pcsa.*` from the service-account profile, which never override a label already present.
pub fn effective_labels(w: &WorkloadEndpoint) -> Labels {
    let mut labels = w.labels.clone();
    labels.insert(LABEL_NAMESPACE.to_owned(), w.namespace.clone());
    labels.insert(LABEL_ORCHESTRATOR.to_owned(), "k8s".to_owned());
    let sa = w.service_account();
    if sa.len() < 63 {
        labels.insert(LABEL_SERVICE_ACCOUNT.to_owned(), sa.to_owned());
    }
    for (k, v) in namespace_profile_labels(&w.namespace, &w.namespace_labels) {
        labels.entry(k).or_insert(v);
    }
    let mut sa_labels = w.service_account_labels.clone();
    sa_labels.insert(LABEL_NAME.to_owned(), sa.to_owned());
    for (k, v) in sa_labels {
        labels
            .entry(format!("{SERVICE_ACCOUNT_PREFIX}{k}"))
            .or_insert(v);
    }
    labels
}

/// `pcns.<k>` for each namespace label plus `pcns.projectcalico.org/name` (and the Kubernetes
/// `kubernetes.io/metadata.name` label every Namespace has).
fn namespace_profile_labels(namespace: &str, ns_labels: &Labels) -> Labels {
    let mut ns = ns_labels.clone();
    ns.entry(LABEL_K8S_NAMESPACE_NAME.to_owned())
        .or_insert_with(|| namespace.to_owned());
    ns.insert(LABEL_NAME.to_owned(), namespace.to_owned());
    ns.into_iter()
        .map(|(k, v)| (format!("{NAMESPACE_PREFIX}{k}"), v))
        .collect()
}

/// Something that owns an IP in Calico's IP sets: a workload or a network set (§5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entity {
    pub labels: Labels,
    pub namespaced: bool,
}

/// A network set with its effective labels and parsed nets.
#[derive(Debug, Clone)]
pub(crate) struct SetEntity {
    pub entity: Entity,
    pub nets: Vec<IpNet>,
}

/// Network sets with their effective labels: a NetworkSet carries its namespace label and the `pcns.*`
/// labels of its namespace (not the orchestrator label); a GlobalNetworkSet only its own labels.
/// Unparseable nets are skipped here (validation reports them).
pub(crate) fn set_entities(resources: &ResourceSet) -> Vec<SetEntity> {
    resources
        .network_sets
        .iter()
        .map(|s| set_entity(s, resources))
        .collect()
}

fn set_entity(set: &NetworkSet, resources: &ResourceSet) -> SetEntity {
    let mut labels = set.metadata.labels.clone();
    let namespaced = set.metadata.namespace.is_some();
    if let Some(ns) = &set.metadata.namespace {
        labels.insert(LABEL_NAMESPACE.to_owned(), ns.clone());
        let ns_labels = resources
            .namespace(ns)
            .map(|n| n.metadata.labels.clone())
            .unwrap_or_default();
        for (k, v) in namespace_profile_labels(ns, &ns_labels) {
            labels.entry(k).or_insert(v);
        }
    }
    let nets = set
        .spec
        .nets
        .iter()
        .filter_map(|n| parse_net(n).ok())
        .collect();
    SetEntity {
        entity: Entity { labels, namespaced },
        nets,
    }
}

/// Where an endpoint's address may be, as blocks it is somewhere in: its own address or block, or —
/// for a workload whose IP is not known — the cluster's pod range (`pod_range`, never empty). A rule's
/// `nets` match only when every block is inside them and its `notNets` exclude when any block
/// shares an address with them, so an unknown address is matched the way every one of its possible
/// values would be, exactly so with one pool.
pub(crate) fn addresses(endpoint: &Endpoint, pod_range: &[IpNet]) -> Vec<IpNet> {
    match endpoint.net() {
        Some(net) => vec![net],
        None => pod_range.to_vec(),
    }
}

/// The IP-set members that own an address somewhere in `addresses`: the workload itself (if any) and
/// every network set that contains the whole of every block.
pub(crate) fn peer_entities<'a>(
    own: Option<&'a Entity>,
    addresses: &[IpNet],
    sets: &'a [SetEntity],
) -> Vec<&'a Entity> {
    let mut out: Vec<&Entity> = own.into_iter().collect();
    if !addresses.is_empty() {
        for set in sets {
            if addresses
                .iter()
                .all(|a| set.nets.iter().any(|n| n.contains(a)))
            {
                out.push(&set.entity);
            }
        }
    }
    out
}
