//! Start from traffic: a least-privilege design written from observed flows.
//!
//! From a [`FlowSet`] (any format the flow import reads) and an optional starting design,
//! [`recommend`] infers the namespaces and workload groups of the flows' endpoints, proposes a
//! taxonomy from the labels that tell the groups apart, keeps the design's default-deny and DNS
//! baseline (the empty design's, [`crate::design::baseline`], when there is no starting design), and
//! writes for every observed allowed flow the narrowest allow rules: per destination group one
//! ingress rule per (source group or namespace, protocol, port set), and the matching egress rule on
//! the source. Peers are label selectors, never pod addresses; outside addresses become network sets
//! (aggregated to the narrowest covering prefixes, as broad as [`RecommendOptions::v4_prefix`]
//! allows). Every place where an option or the flow log made the design broader than what was
//! observed is a [`Widening`], listed.
//!
//! [`prove`] replays the same flows against the recommendation with the impact engine: observed
//! allowed flows the design denies (must be none), and the flows between known groups it allows
//! although nobody observed them, each with the widening that explains it.
//!
//! **API boundary**: the result depends on the flows and the options only — maps are ordered, names
//! are derived from the flows — so the same input gives the same design, byte for byte.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::board::ORDER_GAP;
use crate::design::{self, Design, DesignNamespace, LabelKey, LabelScope, WorkloadGroup};
use crate::flows::{EndpointKind, FlowSet, NetworkScope, Observed};
use crate::impact::VOLATILE_LABELS;
use crate::model::vocabulary::annotations::{DOMAINS_ANNOTATION, FLOW_ANNOTATION};
use crate::model::vocabulary::namespaces::is_system_namespace;
use crate::model::{
    Action, CalicoPolicy, CalicoPolicyKind, CalicoVersion, ContainerPort, EntityRule, Labels,
    NetworkSet, NetworkSetSpec, ObjectMeta, PolicySpec, PolicyType, Port, Protocol, Rule,
    RuleMetadata, Tier, TierDefaultAction, WorkloadKind,
};

mod cidr;
mod proof;

pub use proof::{Proof, ProofFigures, ProofFlow, WidenedFlow, prove, render_markdown, render_text};

/// The label every recommended network set carries, with its name: rules select the set by it.
pub const NETWORK_SET_LABEL: &str = "studio.netpol.dev/network-set";

/// Label keys that name an application, in order of preference: a group is selected by the first
/// one it has (Kubernetes' recommended label, then the older conventions).
pub const NAME_KEYS: [&str; 3] = ["app.kubernetes.io/name", "app", "k8s-app"];

/// The label Kubernetes puts on every namespace.
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The tiers recommended rules go to (the baseline's).
pub const PLATFORM_TIER: &str = "platform";
pub const APPLICATION_TIER: &str = "application";

/// How an ingress rule names a source in another namespace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrossNamespace {
    /// `namespaceSelector` + `selector`: the source group only.
    #[default]
    Workload,
    /// `namespaceSelector` alone: every workload of the source's namespace (a widening, listed).
    Namespace,
}

/// What to recommend.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecommendOptions {
    /// The design's name when there is no starting design.
    pub name: String,
    /// The namespaces to cover (policies and the default deny); empty means every namespace.
    pub namespaces: Vec<String>,
    /// Write the allow policies and the default deny as staged policies.
    pub staged: bool,
    /// A rule with more than this many ports gets one range from the lowest to the highest.
    pub merge_ports_after: Option<usize>,
    pub cross_namespace: CrossNamespace,
    /// Outside IPv4 addresses are widened to this prefix length before aggregation (32: exact).
    pub v4_prefix: u8,
    /// Likewise for IPv6 (128: exact).
    pub v6_prefix: u8,
    /// Write the domains the flow log saw as the network sets' `allowedEgressDomains` (Calico
    /// Enterprise); otherwise they are only noted in the `studio.netpol.dev/domains` annotation.
    pub egress_domains: bool,
    /// The Calico release the design targets; `None` keeps the starting design's.
    pub calico_version: Option<CalicoVersion>,
    /// A group talking with this many other application namespaces or more is a platform service:
    /// its rules go to the `platform` tier (as do those of groups in system namespaces and in
    /// namespaces named `*-system`, `platform-*` or `*monitoring*`).
    pub platform_fanout: usize,
}

impl Default for RecommendOptions {
    fn default() -> RecommendOptions {
        RecommendOptions {
            name: "recommended".to_owned(),
            namespaces: Vec::new(),
            staged: false,
            merge_ports_after: None,
            cross_namespace: CrossNamespace::Workload,
            v4_prefix: 32,
            v6_prefix: 128,
            egress_domains: false,
            calico_version: None,
            platform_fanout: 5,
        }
    }
}

/// A place where the recommendation allows more than what was observed, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Widening {
    /// A rule's ports were merged into one range (`merge_ports_after`).
    PortRange {
        from: String,
        to: String,
        protocol: Protocol,
        low: u16,
        high: u16,
        observed: Vec<u16>,
    },
    /// The flow log dropped the port (aggregation level 3): the rule allows every port.
    AllPorts {
        from: String,
        to: String,
        protocol: Protocol,
    },
    /// An ingress rule names the source's whole namespace (`cross_namespace: namespace`).
    NamespacePeer { namespace: String, to: String },
    /// Outside addresses widened to a block (`v4_prefix`/`v6_prefix`).
    AddressBlock {
        set: String,
        block: String,
        addresses: u64,
        observed: usize,
    },
    /// The flow log aggregated the address away (`pub`/`pvt`): the set is every such address.
    AggregatedAway { set: String, nets: Vec<String> },
    /// No label tells this group from another one of its namespace: its selector selects both.
    SharedSelector {
        group: String,
        selector: String,
        also: String,
    },
}

impl Widening {
    /// One line for a reader.
    pub fn describe(&self) -> String {
        match self {
            Widening::PortRange {
                from,
                to,
                protocol,
                low,
                high,
                observed,
            } => {
                let ports: Vec<String> = observed.iter().map(u16::to_string).collect();
                format!(
                    "{from} -> {to}: {protocol} ports {low}-{high} (observed {})",
                    ports.join(", ")
                )
            }
            Widening::AllPorts { from, to, protocol } => {
                format!("{from} -> {to}: every {protocol} port (the flow log has no port)")
            }
            Widening::NamespacePeer { namespace, to } => {
                format!("{to} admits every workload of namespace `{namespace}`")
            }
            Widening::AddressBlock {
                set,
                block,
                addresses,
                observed,
            } => {
                format!("network set `{set}`: {block} ({addresses} addresses, {observed} observed)")
            }
            Widening::AggregatedAway { set, nets } => format!(
                "network set `{set}`: {} (the flow log aggregated the address away)",
                nets.join(", ")
            ),
            Widening::SharedSelector {
                group,
                selector,
                also,
            } => format!("{group}: selector `{selector}` also selects {also}"),
        }
    }
}

/// An observed allowed flow the recommendation could not write a rule for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Uncovered {
    pub src: String,
    pub dst: String,
    pub protocol: Protocol,
    pub port: Option<u16>,
    pub reason: String,
}

/// The recommended design and what it says about itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    pub design: Design,
    pub options: RecommendOptions,
    /// Sorted.
    pub widenings: Vec<Widening>,
    pub uncovered: Vec<Uncovered>,
    /// Observed allowed flows the baseline already allows (DNS to kube-dns).
    pub baseline_flows: usize,
    /// Observed allowed flows between two ends without a policy side (system or out-of-scope
    /// namespaces, the outside): nothing to write.
    pub open_flows: usize,
    pub groups: usize,
    pub policies_written: usize,
    pub network_sets_written: usize,
    /// Per flow-set endpoint: the node it became (`ns/name` for a group, the set's name).
    #[serde(skip)]
    pub(crate) endpoint_nodes: Vec<Option<Node>>,
    /// Per flow of the set: whether the recommendation took it as allowed.
    #[serde(skip)]
    pub(crate) allowed: Vec<bool>,
    /// The starting design, when there was one: what its own policies allow is not a widening.
    #[serde(skip)]
    pub(crate) base: Option<Design>,
}

/// One namespace of a recommendation, as a preview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespacePreview {
    pub name: String,
    /// Its workload groups.
    pub groups: Vec<String>,
    /// Recommended policies written in it.
    pub policies: usize,
    /// Whether the recommendation covers it (policies and the default deny): not a system
    /// namespace, and in the scope when there is one.
    pub covered: bool,
}

impl Recommendation {
    /// The namespaces of the recommended design, by name.
    pub fn preview(&self) -> Vec<NamespacePreview> {
        let mut out: Vec<NamespacePreview> = self
            .design
            .namespaces
            .iter()
            .map(|ns| NamespacePreview {
                name: ns.name.clone(),
                groups: ns.workloads.iter().map(|w| w.name.clone()).collect(),
                policies: self
                    .design
                    .policies
                    .iter()
                    .filter(|p| p.metadata.namespace.as_deref() == Some(ns.name.as_str()))
                    .count(),
                covered: has_policy_side(&ns.name, &self.options.namespaces),
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }
}

/// An end of a recommended rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Node {
    Group { namespace: String, name: String },
    Set(String),
}

impl Node {
    /// `ns/name` or the set's name.
    pub(crate) fn label(&self) -> String {
        match self {
            Node::Group { namespace, name } => format!("{namespace}/{name}"),
            Node::Set(name) => name.clone(),
        }
    }

    /// The canvas node id (`canvas::nodes`).
    fn canvas_id(&self) -> String {
        match self {
            Node::Group { namespace, name } => format!("workload/{namespace}/{name}"),
            Node::Set(name) => format!("networkset/{name}"),
        }
    }

    fn namespace(&self) -> Option<&str> {
        match self {
            Node::Group { namespace, .. } => Some(namespace),
            Node::Set(_) => None,
        }
    }
}

/// How an endpoint of the flows is classified before outside addresses are aggregated.
#[derive(Debug, Clone)]
enum End {
    Group(String, String),
    NamedSet(String),
    DomainSet(String),
    Address(IpAddr),
    Scope(NetworkScope),
    Unusable(String),
}

/// One use of an outside address by an allowed flow (see `outside_blocks`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Usage {
    /// The other end, as `end_key` names it.
    peer: String,
    /// The outside address is the destination.
    outbound: bool,
    protocol: Protocol,
    port: Option<u16>,
}

/// A workload group being inferred.
#[derive(Debug, Clone, Default)]
struct GroupInfo {
    /// Labels common to every record of the group (volatile ones removed).
    labels: Option<Labels>,
    kind: Option<WorkloadKind>,
    ports: BTreeSet<(Protocol, u16)>,
    /// The starting design has it: keep its labels.
    existing: bool,
}

/// An outside set being inferred.
#[derive(Debug, Clone, Default)]
struct SetInfo {
    nets: BTreeSet<IpNet>,
    addresses: BTreeSet<IpAddr>,
    domains: BTreeSet<String>,
    labels: Labels,
}

/// Writes a least-privilege design for `flows` (see the module documentation).
pub fn recommend(
    flows: &FlowSet,
    base: Option<&Design>,
    options: &RecommendOptions,
) -> Recommendation {
    let mut design = match base {
        Some(d) => d.clone(),
        None => Design {
            name: options.name.clone(),
            description: Some("Least-privilege design recommended from observed flows".to_owned()),
            ..design::baseline()
        },
    };
    if options.calico_version.is_some() {
        design.calico_version = options.calico_version;
    }
    ensure_tier(&mut design, PLATFORM_TIER, 100.0);
    ensure_tier(&mut design, APPLICATION_TIER, 500.0);

    // 1. Every endpoint, classified.
    let ends: Vec<End> = flows.endpoints().iter().map(classify).collect();

    // 2. Groups (from every flow: denied traffic names workloads too) and outside sets (from allowed
    // flows only: a denied address needs no set).
    let mut groups: BTreeMap<(String, String), GroupInfo> = BTreeMap::new();
    for ns in &design.namespaces {
        for w in &ns.workloads {
            groups.insert(
                (ns.name.clone(), w.name.clone()),
                GroupInfo {
                    labels: Some(w.labels.clone()),
                    kind: Some(w.kind),
                    existing: true,
                    ..GroupInfo::default()
                },
            );
        }
    }
    let mut sets: BTreeMap<String, SetInfo> = BTreeMap::new();
    let mut pool: BTreeSet<IpAddr> = BTreeSet::new();
    // How each outside address was used: (the other end, direction, protocol, port) of every allowed
    // flow it took part in. Only addresses used alike may share a network set when the knob asks
    // for exact addresses, or a rule for one source would reach another source's address.
    let mut usage: BTreeMap<IpAddr, BTreeSet<Usage>> = BTreeMap::new();
    let mut scopes: BTreeSet<NetworkScope> = BTreeSet::new();
    for (i, ep) in flows.endpoints().iter().enumerate() {
        if let Some(End::Group(ns, name)) = ends.get(i) {
            let entry = groups.entry((ns.clone(), name.clone())).or_default();
            if !entry.existing {
                let labels = stable_labels(&ep.labels);
                entry.labels = Some(match entry.labels.take() {
                    None => labels,
                    Some(old) => old
                        .into_iter()
                        .filter(|(k, v)| labels.get(k) == Some(v))
                        .collect(),
                });
                entry.kind = entry.kind.or(Some(kind_of(&ep.labels)));
            }
        }
    }
    // (Source-only allows are reconciled with denied records once the ends are nodes, below.)
    for flow in flows
        .flows()
        .iter()
        .filter(|f| f.observed() != Observed::Deny)
    {
        if let (Some(End::Group(ns, name)), Some(port)) = (ends.get(flow.dst.0 as usize), flow.port)
            && let Some(g) = groups.get_mut(&(ns.clone(), name.clone()))
            && !g.existing
        {
            g.ports.insert((flow.protocol, port));
        }
        for id in [flow.src, flow.dst] {
            let ep = flows.endpoint(id);
            match ends.get(id.0 as usize) {
                Some(End::NamedSet(name)) | Some(End::DomainSet(name)) => {
                    let set = sets.entry(name.clone()).or_default();
                    if let Some(ip) = ep.ip {
                        set.addresses.insert(ip);
                    }
                    set.domains.extend(ep.domains.iter().cloned());
                    if set.labels.is_empty() {
                        set.labels = ep.labels.clone();
                    }
                }
                Some(End::Address(ip)) => {
                    pool.insert(*ip);
                    let (peer, outbound) = if id == flow.dst {
                        (flow.src, true)
                    } else {
                        (flow.dst, false)
                    };
                    usage.entry(*ip).or_default().insert(Usage {
                        peer: end_key(ends.get(peer.0 as usize)),
                        outbound,
                        protocol: flow.protocol,
                        port: flow.port,
                    });
                }
                Some(End::Scope(scope)) => {
                    scopes.insert(*scope);
                }
                _ => {}
            }
        }
    }
    let mut widenings: BTreeSet<Widening> = BTreeSet::new();
    for set in sets.values_mut() {
        set.nets = cidr::aggregate(&set.addresses, 32, 128)
            .into_iter()
            .collect();
    }
    let blocks = outside_blocks(&pool, &usage, options);
    let mut block_sets: Vec<(IpNet, String)> = Vec::new();
    for block in &blocks {
        let name = block_name(block);
        let observed = pool.iter().filter(|ip| block.contains(*ip)).count();
        let size = cidr::size(block);
        if size > observed as u128 {
            widenings.insert(Widening::AddressBlock {
                set: name.clone(),
                block: block.to_string(),
                addresses: u64::try_from(size).unwrap_or(u64::MAX),
                observed,
            });
        }
        let set = sets.entry(name.clone()).or_default();
        set.nets.insert(*block);
        block_sets.push((*block, name));
    }
    for scope in &scopes {
        let (name, nets): (&str, &[&str]) = match scope {
            NetworkScope::Public => ("public-network", &["0.0.0.0/0"]),
            NetworkScope::Private => (
                "private-network",
                &["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
            ),
        };
        let set = sets.entry(name.to_owned()).or_default();
        set.nets
            .extend(nets.iter().filter_map(|n| n.parse::<IpNet>().ok()));
        widenings.insert(Widening::AggregatedAway {
            set: name.to_owned(),
            nets: nets.iter().map(|n| (*n).to_owned()).collect(),
        });
    }

    // 3. Each endpoint's node.
    let endpoint_nodes: Vec<Option<Node>> = ends
        .iter()
        .map(|end| match end {
            End::Group(ns, name) => Some(Node::Group {
                namespace: ns.clone(),
                name: name.clone(),
            }),
            End::NamedSet(name) | End::DomainSet(name) => {
                sets.contains_key(name).then(|| Node::Set(name.clone()))
            }
            End::Address(ip) => block_sets
                .iter()
                .find(|(b, _)| b.contains(ip))
                .map(|(_, name)| Node::Set(name.clone())),
            End::Scope(NetworkScope::Public) => Some(Node::Set("public-network".to_owned())),
            End::Scope(NetworkScope::Private) => Some(Node::Set("private-network".to_owned())),
            End::Unusable(_) => None,
        })
        .collect();

    // 3b. Which flows were allowed. A record reported only by the source says the egress side let it
    // out; when a record of the same groups and port was denied (at the destination, with the pod
    // names a denied record keeps), the connection was denied: Calico aggregates allowed and denied
    // records at different levels, so the two land in different flows.
    let node_key = |f: &crate::flows::AggregatedFlow| {
        (
            endpoint_nodes.get(f.src.0 as usize).cloned().flatten(),
            endpoint_nodes.get(f.dst.0 as usize).cloned().flatten(),
            f.protocol,
            f.port,
        )
    };
    let denied_keys: BTreeSet<_> = flows
        .flows()
        .iter()
        .filter(|f| f.observed() != Observed::Allow)
        .map(node_key)
        .filter(|(s, d, _, _)| s.is_some() && d.is_some())
        .collect();
    let allowed: Vec<bool> = flows
        .flows()
        .iter()
        .map(|f| {
            let c = &f.counts;
            match f.observed() {
                Observed::Deny => false,
                Observed::Mixed => true,
                Observed::Allow => {
                    c.dst_allow + c.other_allow > 0 || !denied_keys.contains(&node_key(f))
                }
            }
        })
        .collect();

    // 4. Selectors: the first name key that tells the group apart in its namespace, else every label.
    let selectors = choose_selectors(&groups, &mut widenings);

    // 5. The allowed flows, by (source, destination, protocol).
    let has_side = |node: &Node| {
        node.namespace()
            .is_some_and(|ns| has_policy_side(ns, &options.namespaces))
    };
    let mut uncovered = Vec::new();
    let mut baseline_flows = 0;
    let mut open_flows = 0;
    let mut wanted: BTreeMap<(Node, Node, Protocol), (BTreeSet<u16>, bool)> = BTreeMap::new();
    for (flow, _) in flows.flows().iter().zip(&allowed).filter(|(_, a)| **a) {
        let (src, dst) = (flow.src.0 as usize, flow.dst.0 as usize);
        let nodes = (
            endpoint_nodes.get(src).cloned().flatten(),
            endpoint_nodes.get(dst).cloned().flatten(),
        );
        let (Some(s), Some(d)) = nodes else {
            let reason = [(src, "source"), (dst, "destination")]
                .iter()
                .find_map(|(i, end)| match ends.get(*i) {
                    Some(End::Unusable(why)) => Some(format!("{end}: {why}")),
                    _ => None,
                })
                .unwrap_or_else(|| "an end has no node".to_owned());
            uncovered.push(uncovered_of(flows, flow, reason));
            continue;
        };
        if is_dns_group(&groups, &d)
            && matches!(flow.protocol, Protocol::Udp | Protocol::Tcp)
            && flow.port == Some(53)
            && s.namespace().is_some_and(|ns| !is_system_namespace(ns))
        {
            baseline_flows += 1;
            continue;
        }
        if !has_side(&s) && !has_side(&d) {
            if s.namespace().is_none() && d.namespace().is_none() {
                uncovered.push(uncovered_of(
                    flows,
                    flow,
                    "neither end is in the cluster".to_owned(),
                ));
            } else {
                open_flows += 1;
            }
            continue;
        }
        let entry = wanted.entry((s, d, flow.protocol)).or_default();
        match flow.port {
            Some(p) if flow.protocol.has_ports() => {
                entry.0.insert(p);
            }
            None if flow.protocol.has_ports() => entry.1 = true,
            _ => {}
        }
    }

    // 6. Platform services: system namespaces, platform-looking namespaces, or a wide fan-out to
    // application namespaces.
    let mut reach: BTreeMap<Node, BTreeSet<String>> = BTreeMap::new();
    for (s, d, _) in wanted.keys() {
        if let (Some(a), Some(b)) = (s.namespace(), d.namespace())
            && a != b
            && !is_platform_namespace(a)
            && !is_platform_namespace(b)
        {
            reach.entry(s.clone()).or_default().insert(b.to_owned());
            reach.entry(d.clone()).or_default().insert(a.to_owned());
        }
    }
    let platform = |node: &Node| -> bool {
        node.namespace().is_some_and(is_platform_namespace)
            || reach
                .get(node)
                .is_some_and(|r| r.len() >= options.platform_fanout)
    };

    // 7. Rules, per (namespace, group, tier) and peer.
    let mut policies: BTreeMap<(String, String, String), Sides> = BTreeMap::new();
    let set_selector = |name: &str| format!("{NETWORK_SET_LABEL} == \"{name}\"");
    let peer_of = |node: &Node, home: &str, style: CrossNamespace| -> (String, EntityRule) {
        let mut peer = EntityRule::default();
        match node {
            Node::Group { namespace, name } => {
                let selector = selectors
                    .get(&(namespace.clone(), name.clone()))
                    .cloned()
                    .unwrap_or_else(|| "all()".to_owned());
                if namespace == home {
                    peer.selector = Some(selector);
                } else {
                    peer.namespace_selector =
                        Some(format!("{NAMESPACE_NAME_LABEL} == \"{namespace}\""));
                    if style == CrossNamespace::Workload {
                        peer.selector = Some(selector);
                    }
                }
                let key = match (namespace == home, style) {
                    (false, CrossNamespace::Namespace) => format!("namespace/{namespace}"),
                    _ => node.canvas_id(),
                };
                (key, peer)
            }
            Node::Set(name) => {
                peer.selector = Some(set_selector(name));
                peer.namespace_selector = Some("global()".to_owned());
                (node.canvas_id(), peer)
            }
        }
    };
    for ((s, d, protocol), (ports, all_ports)) in &wanted {
        let tier = if platform(s) || platform(d) {
            PLATFORM_TIER
        } else {
            APPLICATION_TIER
        };
        let annotation = format!("{} -> {}", s.canvas_id(), d.canvas_id());
        if *all_ports {
            widenings.insert(Widening::AllPorts {
                from: s.label(),
                to: d.label(),
                protocol: *protocol,
            });
        }
        if let (true, Node::Group { namespace, name }) = (has_side(s), s) {
            let (key, peer) = peer_of(d, namespace, CrossNamespace::Workload);
            let sides = policies
                .entry((namespace.clone(), name.clone(), tier.to_owned()))
                .or_default();
            sides.egress.add(
                (key, *protocol),
                peer,
                (ports, *all_ports),
                &annotation,
                (s.label(), d.label()),
            );
        }
        if let (true, Node::Group { namespace, name }) = (has_side(d), d) {
            let (key, peer) = peer_of(s, namespace, options.cross_namespace);
            if key.starts_with("namespace/")
                && let Some(src_ns) = s.namespace()
            {
                widenings.insert(Widening::NamespacePeer {
                    namespace: src_ns.to_owned(),
                    to: d.label(),
                });
            }
            let (annotation, from) = if key.starts_with("namespace/") {
                (format!("{key} -> {}", d.canvas_id()), key.clone())
            } else {
                (annotation.clone(), s.label())
            };
            let sides = policies
                .entry((namespace.clone(), name.clone(), tier.to_owned()))
                .or_default();
            sides.ingress.add(
                (key, *protocol),
                peer,
                (ports, *all_ports),
                &annotation,
                (from, d.label()),
            );
        }
    }

    // 8. The design: namespaces and groups, network sets, policies, taxonomy, the baseline's scope.
    for ((ns, name), info) in &groups {
        if info.existing {
            continue;
        }
        let namespace = match design.namespaces.iter().position(|n| &n.name == ns) {
            Some(i) => &mut design.namespaces[i],
            None => {
                design.namespaces.push(DesignNamespace {
                    name: ns.clone(),
                    labels: Labels::from([(NAMESPACE_NAME_LABEL.to_owned(), ns.clone())]),
                    workloads: Vec::new(),
                });
                let last = design.namespaces.len() - 1;
                &mut design.namespaces[last]
            }
        };
        namespace.workloads.push(WorkloadGroup {
            name: name.clone(),
            kind: info.kind.unwrap_or(WorkloadKind::Deployment),
            labels: info.labels.clone().unwrap_or_default(),
            service_account: None,
            ports: info
                .ports
                .iter()
                .map(|(protocol, port)| ContainerPort {
                    name: None,
                    port: *port,
                    protocol: *protocol,
                })
                .collect(),
        });
    }
    let mut network_sets_written = 0;
    for (name, info) in &sets {
        if design.network_sets.iter().any(|s| &s.metadata.name == name) {
            continue;
        }
        let mut labels = info.labels.clone();
        labels.insert(NETWORK_SET_LABEL.to_owned(), name.clone());
        let mut metadata = ObjectMeta::named(name.clone(), None);
        metadata.labels = labels;
        let domains: Vec<String> = info.domains.iter().cloned().collect();
        if !domains.is_empty() && !options.egress_domains {
            metadata
                .annotations
                .insert(DOMAINS_ANNOTATION.to_owned(), domains.join(","));
        }
        design.network_sets.push(NetworkSet {
            metadata,
            spec: NetworkSetSpec {
                nets: info.nets.iter().map(ToString::to_string).collect(),
                allowed_egress_domains: if options.egress_domains {
                    domains
                } else {
                    Vec::new()
                },
                ..NetworkSetSpec::default()
            },
        });
        network_sets_written += 1;
    }
    let policies_written = policies.len();
    write_policies(&mut design, &policies, &selectors, options, &mut widenings);
    propose_taxonomy(&mut design, &groups, !sets.is_empty());
    scope_baseline(&mut design, options);

    Recommendation {
        design,
        options: options.clone(),
        widenings: widenings.into_iter().collect(),
        uncovered,
        baseline_flows,
        open_flows,
        groups: groups.len(),
        policies_written,
        network_sets_written,
        endpoint_nodes,
        allowed,
        base: base.cloned(),
    }
}

/// The rules of one policy, by direction.
#[derive(Debug, Default)]
struct Sides {
    ingress: RuleSet,
    egress: RuleSet,
}

/// Rules by (peer, protocol).
#[derive(Debug, Default)]
struct RuleSet(BTreeMap<(String, Protocol), RuleAcc>);

#[derive(Debug)]
struct RuleAcc {
    peer: EntityRule,
    ports: BTreeSet<u16>,
    all_ports: bool,
    annotation: String,
    /// The rule's ends as the proof names them (`ns/name`, a set, or `namespace/ns`).
    from: String,
    to: String,
}

impl RuleSet {
    fn add(
        &mut self,
        key: (String, Protocol),
        peer: EntityRule,
        (ports, all_ports): (&BTreeSet<u16>, bool),
        annotation: &str,
        (from, to): (String, String),
    ) {
        let acc = self.0.entry(key).or_insert_with(|| RuleAcc {
            peer,
            ports: BTreeSet::new(),
            all_ports: false,
            annotation: annotation.to_owned(),
            from,
            to,
        });
        acc.ports.extend(ports.iter().copied());
        acc.all_ports |= all_ports;
    }
}

fn ensure_tier(design: &mut Design, name: &str, order: f64) {
    if design.tiers.iter().any(|t| t.metadata.name == name) {
        return;
    }
    let mut tier = Tier::new(name, Some(order));
    tier.spec.default_action = Some(TierDefaultAction::Pass);
    design.tiers.push(tier);
}

fn classify(ep: &crate::flows::Endpoint) -> End {
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

fn outside(ep: &crate::flows::Endpoint) -> End {
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
fn group_name(ep: &crate::flows::Endpoint) -> String {
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
fn looks_like_hash(part: &str) -> bool {
    (6..=10).contains(&part.len())
        && part.chars().any(|c| c.is_ascii_digit())
        && part
            .chars()
            .all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c))
}

fn is_dns_label_name(name: &str) -> bool {
    crate::model::vocabulary::names::is_dns_subdomain(name)
}

fn domain_set_name(domain: &str) -> String {
    let name: String = domain
        .trim_end_matches('.')
        .trim_start_matches("*.")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("domain-{}", name.trim_matches('-'))
}

/// The blocks the outside addresses are written as. Where the knob keeps a family exact
/// (`/32`, `/128`), addresses are aggregated only with addresses used alike (the same peers, ports
/// and directions): merging two siblings used by different sources into one block would let each
/// source reach the other's address, a widening nobody asked for. Where the knob widens, the whole
/// family is aggregated together and every block broader than what was observed is listed.
fn outside_blocks(
    pool: &BTreeSet<IpAddr>,
    usage: &BTreeMap<IpAddr, BTreeSet<Usage>>,
    options: &RecommendOptions,
) -> Vec<IpNet> {
    let exact = |ip: &IpAddr| match ip {
        IpAddr::V4(_) => options.v4_prefix >= 32,
        IpAddr::V6(_) => options.v6_prefix >= 128,
    };
    let mut classes: BTreeMap<Option<&BTreeSet<Usage>>, BTreeSet<IpAddr>> = BTreeMap::new();
    for ip in pool {
        let class = if exact(ip) { usage.get(ip) } else { None };
        classes.entry(class).or_default().insert(*ip);
    }
    let mut blocks: Vec<IpNet> = classes
        .values()
        .flat_map(|addresses| cidr::aggregate(addresses, options.v4_prefix, options.v6_prefix))
        .collect();
    blocks.sort();
    blocks
}

/// A stable name for an endpoint's classification, to compare how outside addresses are used.
fn end_key(end: Option<&End>) -> String {
    match end {
        Some(End::Group(ns, name)) => format!("group:{ns}/{name}"),
        Some(End::NamedSet(name)) => format!("set:{name}"),
        Some(End::DomainSet(name)) => format!("domain:{name}"),
        Some(End::Address(ip)) => format!("address:{ip}"),
        Some(End::Scope(NetworkScope::Public)) => "scope:public".to_owned(),
        Some(End::Scope(NetworkScope::Private)) => "scope:private".to_owned(),
        Some(End::Unusable(_)) | None => "unusable".to_owned(),
    }
}

fn block_name(block: &IpNet) -> String {
    let addr: String = block
        .addr()
        .to_string()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("net-{}-{}", addr.trim_matches('-'), block.prefix_len())
}

fn stable_labels(labels: &Labels) -> Labels {
    labels
        .iter()
        .filter(|(k, _)| !VOLATILE_LABELS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn kind_of(labels: &Labels) -> WorkloadKind {
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

fn is_platform_namespace(ns: &str) -> bool {
    is_system_namespace(ns)
        || ns.ends_with("-system")
        || ns.starts_with("platform-")
        || ns.contains("monitoring")
}

fn is_dns_group(groups: &BTreeMap<(String, String), GroupInfo>, node: &Node) -> bool {
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

fn uncovered_of(flows: &FlowSet, flow: &crate::flows::AggregatedFlow, reason: String) -> Uncovered {
    Uncovered {
        src: flows.endpoint(flow.src).display_name(),
        dst: flows.endpoint(flow.dst).display_name(),
        protocol: flow.protocol,
        port: flow.port,
        reason,
    }
}

fn selector_text(pairs: &Labels) -> String {
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
fn choose_selectors(
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

fn write_policies(
    design: &mut Design,
    policies: &BTreeMap<(String, String, String), Sides>,
    selectors: &BTreeMap<(String, String), String>,
    options: &RecommendOptions,
    widenings: &mut BTreeSet<Widening>,
) {
    let mut next_order: BTreeMap<String, f64> = BTreeMap::new();
    for tier in [PLATFORM_TIER, APPLICATION_TIER] {
        let last = design
            .policies
            .iter()
            .filter(|p| p.tier() == tier)
            .filter_map(|p| p.spec.order)
            .fold(0.0_f64, f64::max);
        next_order.insert(tier.to_owned(), last + ORDER_GAP);
    }
    // Platform first, then application; within a tier by namespace and group.
    let mut keys: Vec<&(String, String, String)> = policies.keys().collect();
    keys.sort_by_key(|(ns, group, tier)| (tier != PLATFORM_TIER, ns.clone(), group.clone()));
    for key in keys {
        let (ns, group, tier) = key;
        let Some(sides) = policies.get(key) else {
            continue;
        };
        let base = if tier == PLATFORM_TIER {
            format!("{PLATFORM_TIER}-{group}")
        } else {
            group.clone()
        };
        let name = design.free_policy_name(ns, &base);
        let order = next_order.get(tier).copied().unwrap_or(ORDER_GAP);
        next_order.insert(tier.clone(), order + ORDER_GAP);
        let mut types = Vec::new();
        if !sides.ingress.0.is_empty() {
            types.push(PolicyType::Ingress);
        }
        if !sides.egress.0.is_empty() {
            types.push(PolicyType::Egress);
        }
        design.policies.push(CalicoPolicy {
            kind: if options.staged {
                CalicoPolicyKind::StagedNetworkPolicy
            } else {
                CalicoPolicyKind::NetworkPolicy
            },
            metadata: ObjectMeta::named(name, Some(ns)),
            spec: PolicySpec {
                tier: Some(tier.clone()),
                order: Some(order),
                selector: selectors.get(&(ns.clone(), group.clone())).cloned(),
                types,
                ingress: rules(&sides.ingress, PolicyType::Ingress, options, widenings),
                egress: rules(&sides.egress, PolicyType::Egress, options, widenings),
                ..PolicySpec::default()
            },
        });
    }
}

/// The rules of one direction; ports are merged into a range past `merge_ports_after` (listed).
fn rules(
    set: &RuleSet,
    direction: PolicyType,
    options: &RecommendOptions,
    widenings: &mut BTreeSet<Widening>,
) -> Vec<Rule> {
    set.0
        .iter()
        .map(|((_, protocol), acc)| {
            let mut rule = Rule::new(Action::Allow);
            rule.protocol = Some(*protocol);
            let merge = options
                .merge_ports_after
                .is_some_and(|n| acc.ports.len() > n);
            let ports: Vec<Port> = match (acc.ports.first(), acc.ports.last()) {
                _ if acc.all_ports => Vec::new(),
                (Some(&low), Some(&high)) if merge => {
                    widenings.insert(Widening::PortRange {
                        from: acc.from.clone(),
                        to: acc.to.clone(),
                        protocol: *protocol,
                        low,
                        high,
                        observed: acc.ports.iter().copied().collect(),
                    });
                    vec![Port::Range(low, high)]
                }
                _ => acc.ports.iter().map(|p| Port::Number(*p)).collect(),
            };
            match direction {
                PolicyType::Ingress => {
                    rule.source = acc.peer.clone();
                    rule.destination.ports = ports;
                }
                PolicyType::Egress => {
                    rule.destination = EntityRule {
                        ports,
                        ..acc.peer.clone()
                    };
                }
            }
            rule.metadata = Some(RuleMetadata {
                annotations: BTreeMap::from([(FLOW_ANNOTATION.to_owned(), acc.annotation.clone())]),
            });
            rule
        })
        .collect()
}

/// Adds every label key the groups carry (a label outside the taxonomy is a lint finding), with its
/// values when they are a small vocabulary, and the network-set label; keeps the design's own keys.
/// Name keys ([`NAME_KEYS`], `app.kubernetes.io/*`) are the application's, `k8s-app` and
/// `kubernetes.io/*` Kubernetes', the rest the security team's.
fn propose_taxonomy(
    design: &mut Design,
    groups: &BTreeMap<(String, String), GroupInfo>,
    has_sets: bool,
) {
    let mut values: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for info in groups.values() {
        for (k, v) in info.labels.iter().flatten() {
            values.entry(k.clone()).or_default().insert(v.clone());
        }
    }
    let mut proposed: Vec<LabelKey> = Vec::new();
    for (key, vals) in &values {
        let scope = if key == "k8s-app" || key.starts_with("kubernetes.io/") {
            LabelScope::Kubernetes
        } else if NAME_KEYS.contains(&key.as_str()) || key.starts_with("app.kubernetes.io/") {
            LabelScope::Application
        } else {
            LabelScope::Security
        };
        // A key naming each group is open-ended; a small vocabulary is listed.
        let listed = scope != LabelScope::Application && vals.len() <= 12;
        proposed.push(LabelKey {
            key: key.clone(),
            description: Some("Proposed from the labels of the observed workloads".to_owned()),
            values: if listed {
                vals.iter().cloned().collect()
            } else {
                Vec::new()
            },
            scope,
            colour: None,
        });
    }
    if has_sets {
        proposed.push(LabelKey {
            key: NETWORK_SET_LABEL.to_owned(),
            description: Some("Network set recommended from observed outside addresses".to_owned()),
            values: Vec::new(),
            scope: LabelScope::Security,
            colour: None,
        });
    }
    for key in proposed {
        match design.taxonomy.iter_mut().find(|k| k.key == key.key) {
            Some(existing) => {
                if !existing.values.is_empty() {
                    for v in key.values {
                        if !existing.values.contains(&v) {
                            existing.values.push(v);
                        }
                    }
                }
            }
            None => design.taxonomy.push(key),
        }
    }
}

/// The default deny covers the scope's namespaces only (when a scope is given); staged, it is staged.
fn scope_baseline(design: &mut Design, options: &RecommendOptions) {
    let Some(deny) = design.policies.iter_mut().find(|p| {
        p.metadata.name == "default-deny"
            && matches!(
                p.kind,
                CalicoPolicyKind::GlobalNetworkPolicy | CalicoPolicyKind::StagedGlobalNetworkPolicy
            )
    }) else {
        return;
    };
    if !options.namespaces.is_empty() {
        let quoted: Vec<String> = options
            .namespaces
            .iter()
            .filter(|ns| !is_system_namespace(ns))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|ns| format!("\"{ns}\""))
            .collect();
        deny.spec.namespace_selector = Some(format!(
            "{NAMESPACE_NAME_LABEL} in {{{}}}",
            quoted.join(", ")
        ));
    }
    if options.staged {
        deny.kind = CalicoPolicyKind::StagedGlobalNetworkPolicy;
    }
}
