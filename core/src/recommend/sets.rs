//! Outside addresses and domains as network sets: observed addresses aggregated into blocks (exact
//! ones only with addresses used alike), and the sets' names.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;

use crate::flows::NetworkScope;
use crate::model::{Labels, Protocol};

use super::groups::End;
use super::{RecommendOptions, cidr};

/// One use of an outside address by an allowed flow (see `outside_blocks`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Usage {
    /// The other end, as `end_key` names it.
    pub(super) peer: String,
    /// The outside address is the destination.
    pub(super) outbound: bool,
    pub(super) protocol: Protocol,
    pub(super) port: Option<u16>,
}

/// An outside set being inferred.
#[derive(Debug, Clone, Default)]
pub(super) struct SetInfo {
    pub(super) nets: BTreeSet<IpNet>,
    pub(super) addresses: BTreeSet<IpAddr>,
    pub(super) domains: BTreeSet<String>,
    pub(super) labels: Labels,
}

pub(super) fn is_dns_label_name(name: &str) -> bool {
    crate::model::vocabulary::names::is_dns_subdomain(name)
}

pub(super) fn domain_set_name(domain: &str) -> String {
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
pub(super) fn outside_blocks(
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
pub(super) fn end_key(end: Option<&End>) -> String {
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

pub(super) fn block_name(block: &IpNet) -> String {
    let addr: String = block
        .addr()
        .to_string()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("net-{}-{}", addr.trim_matches('-'), block.prefix_len())
}
