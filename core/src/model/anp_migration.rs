//! Rewriting AdminNetworkPolicy and BaselineAdminNetworkPolicy (`v1alpha1`, enforced by Calico
//! 3.29–3.31) as ClusterNetworkPolicy (`v1alpha2`, enforced by Calico 3.32), as
//! `cluster-network-policy.md` §4 lists it: `Allow` → `Accept`, `ports` → `protocols`, an
//! AdminNetworkPolicy → `tier: Admin` with its priority, the BaselineAdminNetworkPolicy → `tier:
//! Baseline`, and the v1alpha1 limits (100 rules, peers) brought down to v1alpha2's 25.
//!
//! Splitting keeps the verdicts: a rule whose peers or protocols exceed 25 becomes consecutive rules
//! with the same action over the parts (a flow matches one of them exactly when it matched the
//! original), and a policy with more than 25 rules in a direction becomes consecutive policies of the
//! same priority, named `<name>-1`, `<name>-2`, … so that Calico's name tie-break keeps them in order.
//! Whether the verdicts really are kept is not taken on trust: `eval::equivalence` proves it flow by
//! flow.

use std::collections::BTreeSet;
use std::fmt;

use super::{
    AdminPort, ClusterAction, ClusterEgressRule, ClusterIngressRule, ClusterPeer, ClusterPolicy,
    ClusterPolicyKind, ClusterPolicySpec, ClusterProtocol, ClusterTier, ContainerPort,
    DestinationPort, LabelSelector, LabelSelectorOperator, Labels, Namespace, NamespacedPods,
    ObjectMeta, PortRange, Protocol, ProtocolPort, Workload, WorkloadKind,
};

/// The most rules per direction, peers per rule, protocols per rule and networks per peer a
/// ClusterNetworkPolicy may have (the v1alpha2 CRD's `maxItems`).
pub const CNP_MAX_ITEMS: usize = 25;

/// The priority given to the BaselineAdminNetworkPolicy, which has none: Calico 3.29–3.31 ordered it
/// at 1,000, the last place a ClusterNetworkPolicy can take.
pub const BASELINE_PRIORITY: u32 = 1000;

/// The result of [`migrate_admin_policies`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Migration {
    /// The ClusterNetworkPolicies written, in input order (the parts of a split policy together).
    pub policies: Vec<MigratedPolicy>,
    /// What the reader of the migration should know, in input order.
    pub notes: Vec<MigrationNote>,
}

/// One ClusterNetworkPolicy and the object it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct MigratedPolicy {
    /// `AdminNetworkPolicy/<name>` or `BaselineAdminNetworkPolicy/<name>`.
    pub source: String,
    pub policy: ClusterPolicy,
}

/// Something the migration changed beyond the plain rewrite, or could not do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationNote {
    /// A rule with more than 25 peers or protocols became `parts` rules.
    RuleSplit {
        source: String,
        rule: String,
        parts: usize,
    },
    /// A policy with more than 25 rules in a direction became `parts` policies.
    PolicySplit { source: String, names: Vec<String> },
    /// The name was taken (by a ClusterNetworkPolicy of the input or another migrated object).
    Renamed { source: String, name: String },
    /// A `namedPort`, which Calico 3.29–3.31 does not convert (the rule matched every port there),
    /// becomes a `destinationNamedPort`, which Calico 3.32 resolves: the rule narrows.
    NamedPortNarrows {
        source: String,
        rule: String,
        port: String,
    },
    /// The BaselineAdminNetworkPolicy has no priority: it takes [`BASELINE_PRIORITY`].
    BaselinePriority { source: String },
    /// A port entry with a protocol a ClusterNetworkPolicy cannot name: the policy is not migrated.
    Unconvertible { source: String, reason: String },
}

impl fmt::Display for MigrationNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MigrationNote::RuleSplit {
                source,
                rule,
                parts,
            } => write!(
                f,
                "{source}: rule \"{rule}\" has more than {CNP_MAX_ITEMS} peers or protocols: split into {parts} rules"
            ),
            MigrationNote::PolicySplit { source, names } => write!(
                f,
                "{source}: more than {CNP_MAX_ITEMS} rules in a direction: split into {}",
                names.join(", ")
            ),
            MigrationNote::Renamed { source, name } => {
                write!(f, "{source}: the name is taken: written as {name}")
            }
            MigrationNote::NamedPortNarrows { source, rule, port } => write!(
                f,
                "{source}: rule \"{rule}\": named port `{port}` matched every port under Calico 3.29–3.31; as a destinationNamedPort Calico 3.32 matches only that port"
            ),
            MigrationNote::BaselinePriority { source } => write!(
                f,
                "{source}: a BaselineAdminNetworkPolicy has no priority: written with priority {BASELINE_PRIORITY}, the order Calico 3.31 gave it"
            ),
            MigrationNote::Unconvertible { source, reason } => {
                write!(f, "{source}: not migrated: {reason}")
            }
        }
    }
}

/// Rewrites every AdminNetworkPolicy and BaselineAdminNetworkPolicy of `policies` as
/// ClusterNetworkPolicies. ClusterNetworkPolicies already present are left alone (their names are
/// not reused).
pub fn migrate_admin_policies(policies: &[ClusterPolicy]) -> Migration {
    let mut taken: BTreeSet<String> = policies
        .iter()
        .filter(|p| p.kind == ClusterPolicyKind::ClusterNetworkPolicy)
        .map(|p| p.metadata.name.clone())
        .collect();
    let mut migration = Migration::default();
    for policy in policies.iter().filter(|p| p.kind.is_v1alpha1()) {
        let source = format!("{}/{}", policy.kind.as_str(), policy.metadata.name);
        match migrate_one(policy, &source, &mut migration.notes) {
            Ok(parts) => {
                let names = unique_names(&policy.metadata.name, parts.len(), &mut taken);
                if parts.len() > 1 {
                    migration.notes.push(MigrationNote::PolicySplit {
                        source: source.clone(),
                        names: names.clone(),
                    });
                } else if names.first() != Some(&policy.metadata.name) {
                    migration.notes.push(MigrationNote::Renamed {
                        source: source.clone(),
                        name: names.join(", "),
                    });
                }
                for (mut part, name) in parts.into_iter().zip(names) {
                    part.metadata.name = name;
                    migration.policies.push(MigratedPolicy {
                        source: source.clone(),
                        policy: part,
                    });
                }
            }
            Err(reason) => migration
                .notes
                .push(MigrationNote::Unconvertible { source, reason }),
        }
    }
    migration
}

/// Names for the `parts` policies of `name`: the name itself for one part, `<name>-1` … otherwise
/// (zero-padded, so that the name order Calico uses for equal priorities is the part order); a
/// `-migrated` suffix when taken.
fn unique_names(name: &str, parts: usize, taken: &mut BTreeSet<String>) -> Vec<String> {
    let candidates = |base: &str| -> Vec<String> {
        if parts <= 1 {
            return vec![base.to_owned()];
        }
        let width = parts.to_string().len();
        (1..=parts).map(|i| format!("{base}-{i:0width$}")).collect()
    };
    let mut base = name.to_owned();
    let mut attempt = 0;
    loop {
        let names = candidates(&base);
        if names.iter().all(|n| !taken.contains(n)) {
            taken.extend(names.iter().cloned());
            return names;
        }
        attempt += 1;
        base = if attempt == 1 {
            format!("{name}-migrated")
        } else {
            format!("{name}-migrated-{attempt}")
        };
    }
}

/// One v1alpha1 policy as ClusterNetworkPolicies (one, or several parts), unnamed parts named later.
fn migrate_one(
    policy: &ClusterPolicy,
    source: &str,
    notes: &mut Vec<MigrationNote>,
) -> Result<Vec<ClusterPolicy>, String> {
    let (tier, priority) = match policy.kind {
        ClusterPolicyKind::BaselineAdminNetworkPolicy => {
            notes.push(MigrationNote::BaselinePriority {
                source: source.to_owned(),
            });
            (ClusterTier::Baseline, BASELINE_PRIORITY)
        }
        _ => (ClusterTier::Admin, policy.spec.priority.unwrap_or_default()),
    };
    let ingress = migrate_rules(
        &policy.spec.ingress,
        "ingress",
        |rule| (rule.name.as_deref(), &rule.from[..], &rule.ports[..]),
        |rule, name, from, protocols| ClusterIngressRule {
            name,
            action: accept(rule.action),
            from,
            protocols,
            ports: Vec::new(),
            extra: rule.extra.clone(),
        },
        source,
        notes,
    )?;
    let egress = migrate_rules(
        &policy.spec.egress,
        "egress",
        |rule| (rule.name.as_deref(), &rule.to[..], &rule.ports[..]),
        |rule, name, to, protocols| ClusterEgressRule {
            name,
            action: accept(rule.action),
            to,
            protocols,
            ports: Vec::new(),
            extra: rule.extra.clone(),
        },
        source,
        notes,
    )?;
    let ingress_chunks = chunks(ingress);
    let egress_chunks = chunks(egress);
    let parts = ingress_chunks.len().max(egress_chunks.len()).max(1);
    let mut ingress_chunks = ingress_chunks.into_iter();
    let mut egress_chunks = egress_chunks.into_iter();
    let out = (0..parts)
        .map(|_| ClusterPolicy {
            kind: ClusterPolicyKind::ClusterNetworkPolicy,
            metadata: ObjectMeta {
                name: String::new(),
                namespace: None,
                labels: policy.metadata.labels.clone(),
                annotations: policy.metadata.annotations.clone(),
                extra: Default::default(),
            },
            spec: ClusterPolicySpec {
                tier: Some(tier),
                priority: Some(priority),
                subject: policy.spec.subject.clone(),
                ingress: ingress_chunks.next().unwrap_or_default(),
                egress: egress_chunks.next().unwrap_or_default(),
                extra: policy.spec.extra.clone(),
            },
        })
        .collect();
    Ok(out)
}

/// One direction's v1alpha1 rules as ClusterNetworkPolicy rules: `ports` become `protocols`, and a
/// rule whose peers and protocols exceed the 25-item limits is split into parts (each part said in
/// `notes`). `parts_of` reads a rule's name, peers and ports; `build` makes one part.
fn migrate_rules<R, O>(
    rules: &[R],
    direction: &str,
    parts_of: impl Fn(&R) -> (Option<&str>, &[ClusterPeer], &[AdminPort]),
    build: impl Fn(&R, Option<String>, Vec<ClusterPeer>, Vec<ClusterProtocol>) -> O,
    source: &str,
    notes: &mut Vec<MigrationNote>,
) -> Result<Vec<O>, String> {
    let mut out = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        let (rule_name, peers, ports) = parts_of(rule);
        let name = rule_label(rule_name, direction, index);
        let protocols = protocols(ports, source, &name, notes)?;
        let pieces = split_rule(peers, &protocols);
        if pieces.len() > 1 {
            notes.push(MigrationNote::RuleSplit {
                source: source.to_owned(),
                rule: name.clone(),
                parts: pieces.len(),
            });
        }
        let count = pieces.len();
        for (part, (peers, protocols)) in pieces.into_iter().enumerate() {
            out.push(build(
                rule,
                part_name(rule_name, part, count),
                peers,
                protocols,
            ));
        }
    }
    Ok(out)
}

/// `Allow` is `Accept` in v1alpha2; the other actions keep their names.
fn accept(action: ClusterAction) -> ClusterAction {
    match action {
        ClusterAction::Allow => ClusterAction::Accept,
        other => other,
    }
}

/// How a rule is named in notes: its name, else its direction and index.
fn rule_label(name: Option<&str>, direction: &str, index: usize) -> String {
    name.map(str::to_owned)
        .unwrap_or_else(|| format!("{direction} rule {index}"))
}

/// The name of part `part` of `count` of a split rule: the name itself when not split, else
/// `<name>-<n>`, shortened to the CRD's 100 characters.
fn part_name(name: Option<&str>, part: usize, count: usize) -> Option<String> {
    let name = name?;
    if count <= 1 {
        return Some(name.to_owned());
    }
    let suffix = format!("-{}", part + 1);
    let keep = 100usize.saturating_sub(suffix.len());
    let base: String = name.chars().take(keep).collect();
    Some(format!("{base}{suffix}"))
}

/// Splits a direction's rules into groups of at most 25.
fn chunks<T: Clone>(rules: Vec<T>) -> Vec<Vec<T>> {
    rules.chunks(CNP_MAX_ITEMS).map(<[T]>::to_vec).collect()
}

/// The (peers, protocols) of each rule a rule becomes: peers with more than 25 networks are split
/// first, then the peers and the protocols are cut in groups of 25 and crossed.
fn split_rule(
    peers: &[ClusterPeer],
    protocols: &[ClusterProtocol],
) -> Vec<(Vec<ClusterPeer>, Vec<ClusterProtocol>)> {
    let mut flat = Vec::new();
    for peer in peers {
        if peer.networks.len() > CNP_MAX_ITEMS {
            for nets in peer.networks.chunks(CNP_MAX_ITEMS) {
                flat.push(ClusterPeer {
                    networks: nets.to_vec(),
                    ..peer.clone()
                });
            }
        } else {
            flat.push(peer.clone());
        }
    }
    let peer_groups: Vec<Vec<ClusterPeer>> = if flat.is_empty() {
        vec![Vec::new()]
    } else {
        chunks(flat)
    };
    let protocol_groups: Vec<Vec<ClusterProtocol>> = if protocols.is_empty() {
        vec![Vec::new()]
    } else {
        chunks(protocols.to_vec())
    };
    let mut out = Vec::new();
    for peers in &peer_groups {
        for protocols in &protocol_groups {
            out.push((peers.clone(), protocols.clone()));
        }
    }
    out
}

/// v1alpha1 `ports` as v1alpha2 `protocols`.
fn protocols(
    ports: &[AdminPort],
    source: &str,
    rule: &str,
    notes: &mut Vec<MigrationNote>,
) -> Result<Vec<ClusterProtocol>, String> {
    let mut out = Vec::new();
    for port in ports {
        if let Some(number) = &port.port_number {
            out.push(on_protocol(
                number.protocol.unwrap_or(Protocol::Tcp),
                DestinationPort {
                    number: Some(number.port),
                    ..Default::default()
                },
                rule,
            )?);
        } else if let Some(range) = &port.port_range {
            let destination = if range.start < range.end {
                DestinationPort {
                    range: Some(PortRange {
                        start: range.start,
                        end: range.end,
                    }),
                    ..Default::default()
                }
            } else {
                DestinationPort {
                    number: Some(range.start),
                    ..Default::default()
                }
            };
            out.push(on_protocol(
                range.protocol.unwrap_or(Protocol::Tcp),
                destination,
                rule,
            )?);
        } else if let Some(name) = &port.named_port {
            notes.push(MigrationNote::NamedPortNarrows {
                source: source.to_owned(),
                rule: rule.to_owned(),
                port: name.clone(),
            });
            out.push(ClusterProtocol {
                destination_named_port: Some(name.clone()),
                ..Default::default()
            });
        } else {
            return Err(format!(
                "rule \"{rule}\" has a port entry with none of portNumber, portRange, namedPort"
            ));
        }
    }
    Ok(out)
}

/// A `tcp`/`udp`/`sctp` protocol entry.
fn on_protocol(
    protocol: Protocol,
    destination: DestinationPort,
    rule: &str,
) -> Result<ClusterProtocol, String> {
    let port = Some(ProtocolPort {
        destination_port: Some(destination),
        ..Default::default()
    });
    match protocol.number() {
        6 => Ok(ClusterProtocol {
            tcp: port,
            ..Default::default()
        }),
        17 => Ok(ClusterProtocol {
            udp: port,
            ..Default::default()
        }),
        132 => Ok(ClusterProtocol {
            sctp: port,
            ..Default::default()
        }),
        _ => Err(format!(
            "rule \"{rule}\" names protocol {protocol}, which a ClusterNetworkPolicy cannot (TCP, UDP or SCTP only)"
        )),
    }
}

/// Namespaces and pods to compare verdicts on when the input lists none: for every subject and peer
/// of `policies`, one namespace and one pod carrying the labels its selectors ask for (each
/// `matchLabels` entry, the first value of an `In`, any value for `Exists`), plus an unlabelled
/// namespace and pod that no selector asks for. Every pod declares every named port the policies
/// use, so that named ports resolve.
pub fn probe_workloads(policies: &[ClusterPolicy]) -> (Vec<Namespace>, Vec<Workload>) {
    let mut shapes: BTreeSet<(Labels, Labels)> = BTreeSet::new();
    shapes.insert((Labels::new(), Labels::new()));
    let mut named_ports: BTreeSet<String> = BTreeSet::new();
    for policy in policies {
        let subject = &policy.spec.subject;
        if let Some(ns) = &subject.namespaces {
            shapes.insert((labels_for(ns), Labels::new()));
        }
        if let Some(pods) = &subject.pods {
            shapes.insert(pod_shape(pods));
        }
        let peers = policy
            .spec
            .ingress
            .iter()
            .flat_map(|r| &r.from)
            .chain(policy.spec.egress.iter().flat_map(|r| &r.to));
        for peer in peers {
            if let Some(ns) = &peer.namespaces {
                shapes.insert((labels_for(ns), Labels::new()));
            }
            if let Some(pods) = &peer.pods {
                shapes.insert(pod_shape(pods));
            }
        }
        let ports = policy
            .spec
            .ingress
            .iter()
            .flat_map(|r| &r.ports)
            .chain(policy.spec.egress.iter().flat_map(|r| &r.ports))
            .filter_map(|p| p.named_port.clone());
        let named = policy
            .spec
            .ingress
            .iter()
            .flat_map(|r| &r.protocols)
            .chain(policy.spec.egress.iter().flat_map(|r| &r.protocols))
            .filter_map(|p| p.destination_named_port.clone());
        named_ports.extend(ports.chain(named));
    }
    let container_ports: Vec<ContainerPort> = named_ports
        .into_iter()
        .zip(30_000u16..)
        .map(|(name, port)| ContainerPort {
            name: Some(name),
            port,
            protocol: Protocol::Tcp,
        })
        .collect();
    let mut namespaces = Vec::new();
    let mut workloads = Vec::new();
    for (index, (ns_labels, pod_labels)) in shapes.into_iter().enumerate() {
        let namespace = format!("probe-{index}");
        namespaces.push(Namespace {
            metadata: ObjectMeta {
                name: namespace.clone(),
                labels: ns_labels,
                ..Default::default()
            },
        });
        workloads.push(Workload {
            kind: WorkloadKind::Pod,
            metadata: ObjectMeta {
                name: "pod".to_owned(),
                namespace: Some(namespace),
                labels: pod_labels,
                ..Default::default()
            },
            service_account: None,
            ip: None,
            ports: container_ports.clone(),
        });
    }
    (namespaces, workloads)
}

fn pod_shape(pods: &NamespacedPods) -> (Labels, Labels) {
    let ns = pods
        .namespace_selector
        .as_ref()
        .map(labels_for)
        .unwrap_or_default();
    (ns, labels_for(&pods.pod_selector))
}

/// Labels that a selector asks for (a label set it selects, when it selects any without `NotIn` /
/// `DoesNotExist` conflicts).
fn labels_for(selector: &LabelSelector) -> Labels {
    let mut labels = selector.match_labels.clone();
    for requirement in &selector.match_expressions {
        match requirement.operator {
            LabelSelectorOperator::In => {
                if let Some(value) = requirement.values.first() {
                    labels
                        .entry(requirement.key.clone())
                        .or_insert_with(|| value.clone());
                }
            }
            LabelSelectorOperator::Exists => {
                labels
                    .entry(requirement.key.clone())
                    .or_insert_with(|| "probe".to_owned());
            }
            LabelSelectorOperator::NotIn | LabelSelectorOperator::DoesNotExist => {}
        }
    }
    labels
}
