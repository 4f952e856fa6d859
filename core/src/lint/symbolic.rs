//! Lints over *every possible* endpoint, not only the listed workloads: which endpoints a policy
//! applies to and which peers a rule matches, as selectors over label sets (`selector::logic`), so an
//! overlap or a shadowing that is certain for any workload is found even when the input lists none.
//!
//! Calico's own labels are part of the label set: a namespaced policy applies where
//! `projectcalico.org/namespace == "<ns>"`, a namespaceSelector reads the `pcns.`-prefixed namespace
//! labels, a serviceAccountSelector the `pcsa.` ones (`calico-semantics.md` §3). The namespace's name
//! is one fact under three keys (`projectcalico.org/namespace`, `pcns.projectcalico.org/name`,
//! `pcns.kubernetes.io/metadata.name`), so they are read as one key: a policy of namespace `a` never
//! overlaps a namespaceSelector for `b`. Every endpoint is a pod (`projectcalico.org/orchestrator ==
//! "k8s"` holds), which Calico's conversion of Kubernetes selectors tests for.
//!
//! Rule covering is decided for one earlier rule at a time (a rule covered by the union of several is
//! left to the finite analysis of `shadow`), and only for the criteria decided here — protocol,
//! numeric ports and selectors; a rule with nets, service accounts, services, ICMP or HTTP criteria is
//! covered only by a rule without such criteria on that side.

use crate::model::{Action, CalicoPolicy, EntityRule, PolicyType, Port, Rule};
use crate::selector::logic::Sat;
use crate::selector::{Expr, MatchOp, Selector};

use super::context::Context;
use super::space::Ports;
use super::universe::{K8S_NAMESPACE_NAME_LABEL, NAME_LABEL, NAMESPACE_LABEL, ORCHESTRATOR_LABEL};

/// The namespace name under one key.
fn canonical(selector: &Selector) -> Option<Selector> {
    let mut expr = selector.expr().clone();
    let aliases = [
        format!("pcns.{NAME_LABEL}"),
        format!("pcns.{K8S_NAMESPACE_NAME_LABEL}"),
    ];
    expr.walk_mut(&mut |e| {
        // Every workload endpoint is a Kubernetes pod: Calico's converted selectors test for it.
        if matches!(e, Expr::Match { key, op: MatchOp::Eq, value } if key == ORCHESTRATOR_LABEL && value == "k8s")
        {
            *e = Expr::All;
        }
        if let Some(key) = e.key_mut()
            && aliases.iter().any(|a| a == key)
        {
            *key = NAMESPACE_LABEL.to_owned();
        }
    });
    Selector::from_expr(expr).ok()
}

fn parse(ctx: &Context<'_>, text: Option<&String>) -> Option<Selector> {
    match text.map(|t| t.trim()) {
        None | Some("") => Some(Selector::all()),
        Some(t) => ctx.selectors.lookup(t).cloned(),
    }
}

fn in_namespace(ns: &str) -> Selector {
    Selector::from_expr(Expr::Match {
        key: NAMESPACE_LABEL.to_owned(),
        op: MatchOp::Eq,
        value: ns.to_owned(),
    })
    .unwrap_or_else(|_| Selector::all())
}

/// The endpoints `p` applies to, as one selector; `None` when a selector does not parse.
pub fn applies(ctx: &Context<'_>, p: &CalicoPolicy) -> Option<Selector> {
    let own = parse(ctx, p.spec.selector.as_ref())?;
    let scope = if p.kind.is_namespaced() {
        in_namespace(p.metadata.namespace.as_deref().unwrap_or("default"))
    } else {
        parse(ctx, p.spec.namespace_selector.as_ref())?
            .prefixed("pcns.")
            .ok()?
    };
    let sa = parse(ctx, p.spec.service_account_selector.as_ref())?
        .prefixed("pcsa.")
        .ok()?;
    canonical(&own.and(&scope).and(&sa))
}

/// Whether the entity has criteria other than selectors and ports.
fn beyond_selectors(e: &EntityRule) -> bool {
    !e.nets.is_empty()
        || !e.not_nets.is_empty()
        || e.service_accounts.is_some()
        || e.services.is_some()
        || !e.domains.is_empty()
}

/// The peers a rule's entity matches, as a selector; `None` when the entity has criteria beyond
/// selectors (nets, service accounts, …) or uses `global()`.
pub fn peer(ctx: &Context<'_>, p: &CalicoPolicy, e: &EntityRule) -> Option<Selector> {
    if beyond_selectors(e) {
        return None;
    }
    let positive = parse(ctx, e.selector.as_ref())?;
    let scope = match e.namespace_selector.as_deref().map(str::trim) {
        Some(t) if t.contains("global(") => return None,
        Some(t) if !t.is_empty() => parse(ctx, e.namespace_selector.as_ref())?
            .prefixed("pcns.")
            .ok()?,
        _ if (e.selector.is_some() || e.not_selector.is_some()) && p.kind.is_namespaced() => {
            in_namespace(p.metadata.namespace.as_deref().unwrap_or("default"))
        }
        _ => Selector::all(),
    };
    let mut sel = positive.and(&scope);
    if let Some(not) = e.not_selector.as_ref() {
        let not = parse(ctx, Some(not))?;
        sel = Selector::from_expr(Expr::And(vec![
            sel.expr().clone(),
            Expr::Not(Box::new(not.expr().clone())),
        ]))
        .ok()?;
    }
    canonical(&sel)
}

/// Numeric ports as ranges; `None` when a named port is listed.
fn numeric(ports: &[Port]) -> Option<Ports> {
    let mut ranges = Vec::new();
    for p in ports {
        match p {
            Port::Number(n) => ranges.push((*n, *n)),
            Port::Range(a, b) => ranges.push((*a, *b)),
            Port::Named(_) => return None,
        }
    }
    Some(Ports::from_ranges(ranges))
}

/// Every port `inner` lists is listed by `outer` (no list = every port).
fn ports_within(inner: &[Port], outer: &[Port]) -> bool {
    if outer.is_empty() {
        return true;
    }
    if inner.is_empty() {
        return false;
    }
    match (numeric(inner), numeric(outer)) {
        (Some(i), Some(o)) => i.minus(&o).is_empty(),
        _ => inner.iter().all(|p| outer.contains(p)),
    }
}

/// Every flow `later` matches (on `later_policy`'s endpoints) is matched by `earlier`, for every
/// possible endpoint. Both rules are in `direction`.
pub fn rule_covers(
    ctx: &Context<'_>,
    earlier_policy: &CalicoPolicy,
    earlier: &Rule,
    later_policy: &CalicoPolicy,
    later: &Rule,
    direction: PolicyType,
) -> bool {
    let proto = |r: &Rule| r.protocol.map(|p| p.number());
    let simple = earlier.not_protocol.is_none()
        && earlier.icmp.is_none()
        && earlier.not_icmp.is_none()
        && earlier.http.is_none()
        && earlier
            .ip_version
            .is_none_or(|v| later.ip_version == Some(v))
        && (earlier.protocol.is_none() || proto(earlier) == proto(later));
    if !simple {
        return false;
    }
    let (e_peer, e_local, l_peer, l_local) = match direction {
        PolicyType::Ingress => (
            &earlier.source,
            &earlier.destination,
            &later.source,
            &later.destination,
        ),
        PolicyType::Egress => (
            &earlier.destination,
            &earlier.source,
            &later.destination,
            &later.source,
        ),
    };
    // The local side: the earlier rule may restrict ports only.
    let local_free = EntityRule {
        ports: Vec::new(),
        ..e_local.clone()
    }
    .is_empty();
    if !local_free || !ports_within(&l_local.ports, &e_local.ports) {
        return false;
    }
    // The peer side.
    let peer_ports = e_peer.not_ports.is_empty() && ports_within(&l_peer.ports, &e_peer.ports);
    if !peer_ports {
        return false;
    }
    let e_any = EntityRule {
        ports: Vec::new(),
        ..e_peer.clone()
    }
    .is_empty();
    if e_any {
        return true;
    }
    match (
        peer(ctx, earlier_policy, e_peer),
        peer(ctx, later_policy, l_peer),
    ) {
        (Some(outer), Some(inner)) => inner.implies(&outer) == Some(true),
        _ => false,
    }
}

/// Whether the two policies could apply to one endpoint: the witness labels when certain.
pub fn overlap(ctx: &Context<'_>, a: &CalicoPolicy, b: &CalicoPolicy) -> Option<Sat> {
    Some(applies(ctx, a)?.overlaps(&applies(ctx, b)?))
}

/// Whether every endpoint `narrow` applies to is one `broad` applies to, and there could be one.
pub fn narrower(ctx: &Context<'_>, broad: &CalicoPolicy, narrow: &CalicoPolicy) -> bool {
    match (applies(ctx, broad), applies(ctx, narrow)) {
        (Some(b), Some(n)) => n.satisfiable().is_yes() && n.implies(&b) == Some(true),
        _ => false,
    }
}

/// A witness as people read it: `app=web` in namespace `shop`.
pub fn describe(witness: &std::collections::BTreeMap<String, String>) -> String {
    let ns = witness.get(NAMESPACE_LABEL);
    let own: Vec<String> = witness
        .iter()
        .filter(|(k, _)| {
            k.as_str() != NAMESPACE_LABEL && !k.starts_with("pcns.") && !k.starts_with("pcsa.")
        })
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let labels = if own.is_empty() {
        "any labels".to_owned()
    } else {
        format!("labels {}", own.join(", "))
    };
    match ns {
        Some(ns) => format!("a workload with {labels} in namespace `{ns}`"),
        None => format!("a workload with {labels}"),
    }
}

/// Whether the action ends evaluation for a later rule: Allow/Deny always, Pass within its tier.
pub fn decides(action: Action, same_tier: bool) -> bool {
    matches!(action, Action::Allow | Action::Deny) || (action == Action::Pass && same_tier)
}
