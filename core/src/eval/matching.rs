//! The primitive tests both evaluators share: selectors over effective labels (with Calico's `pcns.`/
//! `pcsa.` prefixing and `all()`/`global()` rewriting), IP-set membership, CIDR, port, protocol and ICMP
//! matches (`calico-semantics.md` §4, §5; Felix `rules/policy.go` for the per-IP-version filtering).

use ipnet::IpNet;

use super::endpoint::{
    Entity, LABEL_NAMESPACE, LABEL_SERVICE_ACCOUNT, NAMESPACE_PREFIX, SERVICE_ACCOUNT_PREFIX,
};
use super::normalize::{Applies, L4, NormEntity, NormRule, NsScope, PeerSelector, PortList};
use crate::model::Labels;
pub(crate) use crate::model::vocabulary::addresses::Family;
use crate::selector::{Expr, LabelLookup, Selector};

/// The family of an endpoint's address, IPv4 when it has none.
#[cfg(feature = "test-util")]
pub(crate) fn family_of(net: Option<IpNet>) -> Family {
    net.as_ref().map_or(Family::V4, Family::of_net)
}

/// The family of a flow: the source's address family, else the destination's, else IPv4. (The
/// compiled evaluator inlines the same rule; only the reference evaluator calls this.)
#[cfg(feature = "test-util")]
pub(crate) fn flow_family(src: &[IpNet], dst: &[IpNet]) -> Family {
    family_of(src.first().or(dst.first()).copied())
}

/// Labels seen through a key prefix (`pcns.`, `pcsa.`): the selector `k == 'v'` tests `pcns.k`.
struct Prefixed<'a> {
    labels: &'a Labels,
    prefix: &'static str,
}

impl LabelLookup for Prefixed<'_> {
    fn label(&self, key: &str) -> Option<&str> {
        let mut full = String::with_capacity(self.prefix.len() + key.len());
        full.push_str(self.prefix);
        full.push_str(key);
        self.labels.get(&full).map(String::as_str)
    }
}

struct Plain<'a>(&'a Labels);

impl LabelLookup for Plain<'_> {
    fn label(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

/// Evaluates with `all()` and `global()` given explicit values (the rewriting Calico applies to the
/// printed selector before parsing it again).
fn eval_scoped(expr: &Expr, lookup: &dyn LabelLookup, all: bool, global: bool) -> bool {
    match expr {
        Expr::All => all,
        Expr::Global => global,
        Expr::Not(inner) => !eval_scoped(inner, lookup, all, global),
        Expr::And(operands) => operands.iter().all(|e| eval_scoped(e, lookup, all, global)),
        Expr::Or(operands) => operands.iter().any(|e| eval_scoped(e, lookup, all, global)),
        leaf => leaf.matches(lookup),
    }
}

/// A plain selector over effective labels.
pub(crate) fn plain_matches(selector: &Selector, labels: &Labels) -> bool {
    selector.matches(&Plain(labels))
}

/// A namespaceSelector: keys prefixed `pcns.`, `all()` = has(projectcalico.org/namespace),
/// `global()` = !has(projectcalico.org/namespace).
pub(crate) fn namespace_selector_matches(selector: &Selector, labels: &Labels) -> bool {
    let namespaced = labels.contains_key(LABEL_NAMESPACE);
    eval_scoped(
        selector.expr(),
        &Prefixed {
            labels,
            prefix: NAMESPACE_PREFIX,
        },
        namespaced,
        !namespaced,
    )
}

/// A serviceAccounts selector: keys prefixed `pcsa.`; `all()` stays `all()` in rules, and becomes
/// has(projectcalico.org/serviceaccount) at the top level of a global policy.
fn service_account_selector_matches(selector: &Selector, labels: &Labels, all: bool) -> bool {
    eval_scoped(
        selector.expr(),
        &Prefixed {
            labels,
            prefix: SERVICE_ACCOUNT_PREFIX,
        },
        all,
        true,
    )
}

impl PeerSelector {
    /// Whether one entity (a workload or a network set) matches every part present.
    pub fn matches(&self, e: &Entity) -> bool {
        let labels = &e.labels;
        let ns_ok = match &self.ns {
            None => true,
            Some(NsScope::Namespace(n)) => labels.get(LABEL_NAMESPACE) == Some(n),
            Some(NsScope::Selector(s)) => namespace_selector_matches(s, labels),
        };
        ns_ok
            && (self.sa_names.is_empty()
                || labels
                    .get(LABEL_SERVICE_ACCOUNT)
                    .is_some_and(|sa| self.sa_names.iter().any(|n| n == sa)))
            && self
                .sa_selector
                .as_ref()
                .is_none_or(|s| service_account_selector_matches(s, labels, true))
            && self
                .selector
                .as_ref()
                .is_none_or(|s| plain_matches(s, labels))
            && self.not.as_ref().is_none_or(|s| !plain_matches(s, labels))
    }
}

impl Applies {
    /// Whether the policy applies to a workload with these effective labels (§4).
    pub fn matches(&self, labels: &Labels) -> bool {
        let has_sa = labels.contains_key(LABEL_SERVICE_ACCOUNT);
        let global = self.namespace.is_none();
        let all = if global && self.sa_selector.is_some() {
            has_sa
        } else {
            true
        };
        self.namespace
            .as_ref()
            .is_none_or(|n| labels.get(LABEL_NAMESPACE) == Some(n))
            && self
                .selector
                .as_ref()
                .is_none_or(|s| eval_scoped(s.expr(), &Plain(labels), all, true))
            && self
                .ns_selector
                .as_ref()
                .is_none_or(|s| namespace_selector_matches(s, labels))
            && self
                .sa_selector
                .as_ref()
                .is_none_or(|s| service_account_selector_matches(s, labels, !global || has_sa))
    }
}

/// Whether an address somewhere in `addresses` (blocks, see `endpoint::addresses`) is surely inside
/// one of `nets`: every block is contained in one of them.
pub(crate) fn net_in_any(addresses: &[IpNet], nets: &[IpNet]) -> bool {
    !addresses.is_empty() && addresses.iter().all(|a| nets.iter().any(|n| n.contains(a)))
}

/// Whether an address somewhere in `addresses` may be inside one of `nets`: a block shares an address
/// with one of them.
fn net_overlaps_any(addresses: &[IpNet], nets: &[IpNet]) -> bool {
    addresses
        .iter()
        .any(|a| nets.iter().any(|n| n.contains(a) || a.contains(n)))
}

/// The identity part of an entity rule (selectors and CIDRs) for a peer owned by `entities`, whose
/// address is somewhere in `addresses`.
pub(crate) fn identity_matches(er: &NormEntity, entities: &[&Entity], addresses: &[IpNet]) -> bool {
    er.positive
        .as_ref()
        .is_none_or(|p| entities.iter().any(|e| p.matches(e)))
        && er
            .negative
            .as_ref()
            .is_none_or(|n| !entities.iter().any(|e| plain_matches(n, &e.labels)))
        && (er.nets.is_empty() || net_in_any(addresses, &er.nets))
        && (er.not_nets.is_empty() || !net_overlaps_any(addresses, &er.not_nets))
}

/// Felix renders a rule per IP version: a rule for the other version, one whose `nets`/`notNets` have
/// no CIDR of this version, or one with a catch-all `notNets`, is not rendered at all.
pub(crate) fn rule_renders_for(rule: &NormRule, family: Family) -> bool {
    let version_ok = match rule.ip_version {
        Some(4) => family == Family::V4,
        Some(6) => family == Family::V6,
        _ => true,
    };
    let nets_ok = |nets: &[IpNet]| nets.is_empty() || nets.iter().any(|n| family.has(n));
    let not_nets_ok = |nets: &[IpNet]| {
        nets.is_empty()
            || (nets.iter().any(|n| family.has(n))
                && !nets.iter().any(|n| family.has(n) && n.prefix_len() == 0))
    };
    version_ok
        && nets_ok(&rule.src.nets)
        && nets_ok(&rule.dst.nets)
        && not_nets_ok(&rule.src.not_nets)
        && not_nets_ok(&rule.dst.not_nets)
}

/// The ICMP type and code a flow is taken to carry: an echo request.
pub(crate) fn echo_request(protocol: u8) -> (u8, u8) {
    if protocol == 58 { (128, 0) } else { (8, 0) }
}

/// `protocol`, `notProtocol`, `icmp`, `notICMP`.
pub(crate) fn protocol_matches(rule: &L4, protocol: u8) -> bool {
    if rule.protocol.is_some_and(|p| p != protocol) || rule.not_protocol == Some(protocol) {
        return false;
    }
    let is_icmp = protocol == 1 || protocol == 58;
    let icmp_hit = |(t, c): (u8, Option<u8>)| {
        let (ft, fc) = echo_request(protocol);
        is_icmp && t == ft && c.is_none_or(|c| c == fc)
    };
    rule.icmp.is_none_or(icmp_hit) && !rule.not_icmp.is_some_and(icmp_hit)
}

/// Destination `ports`/`notPorts`; `named(name)` tells whether the destination owns a port of that
/// name with the flow's protocol and port (and matches the rule's positive selector).
pub(crate) fn dst_ports_match(
    ports: &PortList,
    not_ports: &PortList,
    protocol: u8,
    port: Option<u16>,
    named: &dyn Fn(&str) -> bool,
) -> bool {
    let carries_ports = crate::model::carries_ports(protocol);
    let hit = |list: &PortList| match port {
        Some(p) if carries_ports => list.contains_number(p) || list.named.iter().any(|n| named(n)),
        _ => false,
    };
    (ports.is_empty() || hit(ports)) && (not_ports.is_empty() || !hit(not_ports))
}

/// Source `ports`: flows carry no source port, so `ports` never match and `notPorts` always do.
pub(crate) fn src_ports_match(er: &NormEntity) -> bool {
    er.ports.is_empty()
}
