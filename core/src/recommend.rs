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
//! The steps have their own files: `groups` (which group an endpoint is, and its selector),
//! `sets` (outside addresses as network sets), `policies` (the rules as Calico policies) and
//! `taxonomy`; this file holds the types and the pass over the flows that drives them.
//!
//! **API boundary**: the result depends on the flows and the options only — maps are ordered, names
//! are derived from the flows — so the same input gives the same design, byte for byte.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::design::{self, Design, DesignNamespace, WorkloadGroup};
use crate::flows::{FlowSet, NetworkScope, Observed};
use crate::model::vocabulary::annotations::DOMAINS_ANNOTATION;
use crate::model::vocabulary::namespaces::is_system_namespace;
use crate::model::{
    CalicoVersion, ContainerPort, EntityRule, Labels, NetworkSet, NetworkSetSpec, ObjectMeta,
    Protocol, WorkloadKind,
};

mod cidr;
mod groups;
mod policies;
mod proof;
mod sets;
mod taxonomy;

use groups::{
    End, GroupInfo, choose_selectors, classify, has_policy_side, is_dns_group,
    is_platform_namespace, kind_of, stable_labels,
};
use policies::{Sides, ensure_tier, scope_baseline, write_policies};
use sets::{SetInfo, Usage, block_name, end_key, outside_blocks};
use taxonomy::propose_taxonomy;

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

fn uncovered_of(flows: &FlowSet, flow: &crate::flows::AggregatedFlow, reason: String) -> Uncovered {
    Uncovered {
        src: flows.endpoint(flow.src).display_name(),
        dst: flows.endpoint(flow.dst).display_name(),
        protocol: flow.protocol,
        port: flow.port,
        reason,
    }
}
