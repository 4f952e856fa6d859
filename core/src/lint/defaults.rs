//! Default-deny lints: `no-global-default-deny`, `default-deny-selects-system-namespaces`,
//! `ingress-only-default-deny`, `namespace-without-default-deny`.
//!
//! A *default deny* is a deny-all policy ([`is_deny_all`]) that selects a pod with no labels of its own
//! in some namespace: it covers the namespace, not particular apps. A *global* default deny is an
//! enforced GlobalNetworkPolicy that covers every non-system namespace of the design (or, when the
//! design names no namespace, a fresh unlabelled one).

use std::borrow::Cow;

use serde_json::json;

use crate::model::{Action, CalicoPolicy, PolicyType, TierDefaultAction};
use crate::selector::Selector;

use super::context::{
    Context, display_policy, finding, is_catch_all, is_deny_all, policy_ref, rules,
};
use super::space::Bits;
use super::universe::{Endpoint, probe};
use super::{Change, ChangeOp, Finding, ResourceRef, SuggestedFix, ids};

/// A namespace no design names: a global default deny must cover it.
const FRESH_NAMESPACE: &str = "netpol-fresh-namespace";

/// The namespaces a global policy is probed in: every known non-system namespace, or a fresh one.
fn probe_namespaces(ctx: &Context<'_>) -> Vec<String> {
    let known: Vec<String> = ctx
        .namespaces
        .iter()
        .filter(|n| !ctx.is_system_namespace(n))
        .cloned()
        .collect();
    if known.is_empty() {
        vec![FRESH_NAMESPACE.to_owned()]
    } else {
        known
    }
}

/// The default denies (policy, direction), staged ones included, in evaluation order.
pub fn default_denies<'a>(ctx: &Context<'a>) -> Vec<(&'a CalicoPolicy, PolicyType)> {
    let mut namespaces: Vec<String> = ctx.namespaces.iter().cloned().collect();
    namespaces.extend(ctx.config.system_namespaces.iter().cloned());
    namespaces.push(FRESH_NAMESPACE.to_owned());
    let probes: Vec<Endpoint> = namespaces.iter().map(|n| probe(ctx.set, n)).collect();
    let mut out = Vec::new();
    for p in ctx.policies_in_order() {
        if !probes.iter().any(|e| ctx.applies(p, e)) {
            continue;
        }
        for direction in [PolicyType::Ingress, PolicyType::Egress] {
            if is_deny_all(ctx, p, direction) {
                out.push((p, direction));
            }
        }
    }
    out
}

/// Whether `p` is an enforced global default deny for `direction`.
fn is_global_default_deny(
    ctx: &Context<'_>,
    p: &CalicoPolicy,
    direction: PolicyType,
    probes: &[Endpoint],
) -> bool {
    p.kind == crate::model::CalicoPolicyKind::GlobalNetworkPolicy
        && is_deny_all(ctx, p, direction)
        && probes.iter().all(|e| ctx.applies(p, e))
}

pub fn check(ctx: &Context<'_>, denies: &[(&CalicoPolicy, PolicyType)], out: &mut Vec<Finding>) {
    let cov = workload_coverage(ctx);
    let probes: Vec<Endpoint> = probe_namespaces(ctx)
        .iter()
        .map(|n| probe(ctx.set, n))
        .collect();
    let has_global = ctx.set.policies.iter().any(|p| {
        [PolicyType::Ingress, PolicyType::Egress]
            .into_iter()
            .any(|d| is_global_default_deny(ctx, p, d, &probes))
    });
    if !has_global {
        no_global_default_deny(ctx, out);
    }
    let mut reported = Vec::new();
    for &(p, direction) in denies {
        if p.kind.is_staged() {
            continue;
        }
        if !reported.contains(&std::ptr::from_ref(p)) {
            reported.push(std::ptr::from_ref(p));
            system_namespaces(ctx, p, out);
        }
        if direction == PolicyType::Ingress
            && !p.spec.effective_types().contains(&PolicyType::Egress)
        {
            ingress_only(ctx, &cov, p, out);
        }
    }
    namespaces_without_deny(ctx, &cov, out);
}

fn exclusion_selector(ctx: &Context<'_>) -> String {
    let list: Vec<String> = ctx
        .config
        .system_namespaces
        .iter()
        .map(|n| format!("'{n}'"))
        .collect();
    format!("projectcalico.org/namespace not in {{{}}}", list.join(", "))
}

fn no_global_default_deny(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let tier = ctx
        .tiers
        .iter()
        .rev()
        .find(|t| t.default_action == TierDefaultAction::Deny)
        .map_or("default", |t| t.name.as_str());
    let policy = json!({
        "apiVersion": "projectcalico.org/v3",
        "kind": "StagedGlobalNetworkPolicy",
        "metadata": {"name": "default-deny"},
        "spec": {"tier": tier, "order": 1000.0, "selector": exclusion_selector(ctx), "types": ["Ingress", "Egress"]},
    });
    let resource = ResourceRef {
        kind: "GlobalNetworkPolicy".to_owned(),
        namespace: None,
        name: "default-deny".to_owned(),
    };
    out.push(finding(
        ids::NO_GLOBAL_DEFAULT_DENY,
        resource.clone(),
        None,
        "no enforced global default deny: a workload that no policy selects accepts and sends any traffic".to_owned(),
        SuggestedFix::with_changes(
            format!("add a GlobalNetworkPolicy `default-deny` in tier `{tier}` with no rules, types Ingress and Egress, excluding the system namespaces; stage it first, check the impact, then enforce it"),
            vec![Change {
                resource: ResourceRef { kind: "StagedGlobalNetworkPolicy".to_owned(), ..resource },
                op: ChangeOp::Set,
                path: String::new(),
                value: Some(policy),
            }],
        ),
    ));
}

fn system_namespaces(ctx: &Context<'_>, p: &CalicoPolicy, out: &mut Vec<Finding>) {
    if p.kind.is_namespaced() {
        return;
    }
    let hit: Vec<&String> = ctx
        .config
        .system_namespaces
        .iter()
        .filter(|n| ctx.applies(p, &probe(ctx.set, n)))
        .collect();
    if hit.is_empty() {
        return;
    }
    let names = hit
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let hosts = if p.spec.namespace_selector.is_none() {
        " (and, with no namespaceSelector, host endpoints)"
    } else {
        ""
    };
    let current = ctx
        .selectors
        .get(p.spec.selector.as_ref())
        .unwrap_or_else(Selector::all);
    let fixed = Selector::parse(&exclusion_selector(ctx))
        .map(|ex| current.and(&ex).canonical())
        .unwrap_or_default();
    out.push(finding(
        ids::DEFAULT_DENY_SYSTEM_NAMESPACES,
        policy_ref(p),
        None,
        format!("default deny `{}` also selects the system namespaces {names}{hosts}: it can break the cluster", display_policy(p)),
        SuggestedFix::with_changes(
            format!("exclude them: `selector: {fixed}`; stage the change first"),
            vec![Change { resource: policy_ref(p), op: ChangeOp::Set, path: "/spec/selector".to_owned(), value: Some(json!(fixed)) }],
        ),
    ));
}

/// Whether an enforced policy denies `e` by default in `direction`: a tier ending in Deny whose
/// policies select it without a catch-all `Allow` or `Pass` for it, a deny-all policy selecting it, or a
/// Kubernetes policy selecting it (the default tier's implicit deny).
fn covered(ctx: &Context<'_>, cov: &[Bits; 2], e: &Endpoint, direction: PolicyType) -> bool {
    if let Some(i) = e.index {
        return cov[usize::from(direction == PolicyType::Egress)].contains(i);
    }
    let applying = |p: &&CalicoPolicy| {
        !p.kind.is_staged() && p.spec.effective_types().contains(&direction) && ctx.applies(p, e)
    };
    let calico = ctx.tiers.iter().any(|tier| {
        let mut selected = ctx
            .set
            .policies
            .iter()
            .filter(|p| p.tier() == tier.name)
            .filter(applying)
            .peekable();
        if selected.peek().is_none() {
            return false;
        }
        let selected: Vec<&CalicoPolicy> = selected.collect();
        let opens = selected.iter().any(|p| {
            rules(p, direction)
                .iter()
                .any(|r| matches!(r.action, Action::Allow | Action::Pass) && is_catch_all(r))
        });
        selected.iter().any(|p| is_deny_all(ctx, p, direction))
            || (!opens && tier.default_action == TierDefaultAction::Deny)
    });
    calico
        || ctx.set.kubernetes_policies.iter().any(|k| {
            let types = if k.spec.policy_types.is_empty() {
                let mut t = vec![PolicyType::Ingress];
                if !k.spec.egress.is_empty() {
                    t.push(PolicyType::Egress);
                }
                t
            } else {
                k.spec.policy_types.clone()
            };
            !k.staged
                && types.contains(&direction)
                && k.metadata.namespace.as_deref().unwrap_or("default") == e.namespace
                && Selector::from_label_selector(&k.spec.pod_selector).is_ok_and(|s| s.matches(e))
        })
}

fn kubernetes_types(k: &crate::model::KubernetesPolicy) -> Vec<PolicyType> {
    if k.spec.policy_types.is_empty() {
        let mut t = vec![PolicyType::Ingress];
        if !k.spec.egress.is_empty() {
            t.push(PolicyType::Egress);
        }
        t
    } else {
        k.spec.policy_types.clone()
    }
}

/// [`covered`] for every workload at once: `[ingress, egress]`.
fn workload_coverage(ctx: &Context<'_>) -> [Bits; 2] {
    [PolicyType::Ingress, PolicyType::Egress].map(|direction| {
        let n = ctx.endpoints.len();
        let mut covered = Bits::empty(n);
        for tier in &ctx.tiers {
            let (mut selected, mut opens) = (Bits::empty(n), Bits::empty(n));
            for p in ctx
                .set
                .policies
                .iter()
                .filter(|p| p.tier() == tier.name && !p.kind.is_staged())
            {
                if !p.spec.effective_types().contains(&direction) {
                    continue;
                }
                let applied = ctx.applied_to(p);
                if is_deny_all(ctx, p, direction) {
                    covered = covered.or(&applied);
                }
                let open = rules(p, direction)
                    .iter()
                    .any(|r| matches!(r.action, Action::Allow | Action::Pass) && is_catch_all(r));
                if open {
                    opens = opens.or(&applied);
                }
                selected = selected.or(&applied);
            }
            if tier.default_action == TierDefaultAction::Deny {
                covered = covered.or(&selected.minus(&opens));
            }
        }
        for k in ctx
            .set
            .kubernetes_policies
            .iter()
            .filter(|k| !k.staged && kubernetes_types(k).contains(&direction))
        {
            let Ok(selector) = Selector::from_label_selector(&k.spec.pod_selector) else {
                continue;
            };
            let ns = k.metadata.namespace.as_deref().unwrap_or("default");
            let bits = ctx
                .entities
                .own
                .eval(selector.expr(), None)
                .and(&ctx.entities.in_namespace(ns));
            covered = covered.or(&bits.truncated(n));
        }
        covered
    })
}

/// The endpoints standing for a namespace: its workloads, or a probe pod when it has none.
fn namespace_endpoints<'c>(ctx: &'c Context<'_>, namespace: &str) -> Vec<Cow<'c, Endpoint>> {
    let workloads: Vec<Cow<'c, Endpoint>> = ctx
        .endpoints
        .iter()
        .filter(|e| e.namespace == namespace)
        .map(Cow::Borrowed)
        .collect();
    if workloads.is_empty() {
        vec![Cow::Owned(probe(ctx.set, namespace))]
    } else {
        workloads
    }
}

fn ingress_only(ctx: &Context<'_>, cov: &[Bits; 2], p: &CalicoPolicy, out: &mut Vec<Finding>) {
    let namespaces: Vec<String> = if p.kind.is_namespaced() {
        p.metadata.namespace.iter().cloned().collect()
    } else {
        probe_namespaces(ctx)
    };
    let open = namespaces
        .iter()
        .flat_map(|n| namespace_endpoints(ctx, n))
        .any(|e| ctx.applies(p, &e) && !covered(ctx, cov, &e, PolicyType::Egress));
    if !open {
        return;
    }
    out.push(finding(
        ids::INGRESS_ONLY_DEFAULT_DENY,
        policy_ref(p),
        None,
        format!(
            "default deny `{}` covers ingress only: egress from the pods it selects stays open",
            display_policy(p)
        ),
        SuggestedFix::with_changes(
            "add `Egress` to `types` (and allow DNS before it)",
            vec![Change {
                resource: policy_ref(p),
                op: ChangeOp::Set,
                path: "/spec/types".to_owned(),
                value: Some(json!(["Ingress", "Egress"])),
            }],
        ),
    ));
}

fn namespaces_without_deny(ctx: &Context<'_>, cov: &[Bits; 2], out: &mut Vec<Finding>) {
    for namespace in ctx
        .namespaces
        .iter()
        .filter(|n| !ctx.is_system_namespace(n))
    {
        let open: Vec<Cow<'_, Endpoint>> = namespace_endpoints(ctx, namespace)
            .into_iter()
            .filter(|e| !covered(ctx, cov, e, PolicyType::Ingress))
            .collect();
        if open.is_empty() {
            continue;
        }
        let who = if open.iter().all(|e| e.name.is_empty()) {
            "its pods".to_owned()
        } else {
            let names: Vec<String> = open
                .iter()
                .take(5)
                .map(|e| format!("`{}`", e.name))
                .collect();
            format!(
                "{}{}",
                names.join(", "),
                if open.len() > 5 { ", …" } else { "" }
            )
        };
        let policy = json!({
            "apiVersion": "projectcalico.org/v3",
            "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny", "namespace": namespace},
            "spec": {"selector": "all()", "types": ["Ingress", "Egress"]},
        });
        out.push(finding(
            ids::NAMESPACE_WITHOUT_DENY,
            ResourceRef {
                kind: "Namespace".to_owned(),
                namespace: None,
                name: namespace.clone(),
            },
            None,
            format!("no deny covers {who} in namespace `{namespace}`: ingress to them is open"),
            SuggestedFix::with_changes(
                "cover the namespace with the global default deny, or add a namespace default deny",
                vec![Change {
                    resource: ResourceRef {
                        kind: "NetworkPolicy".to_owned(),
                        namespace: Some(namespace.clone()),
                        name: "default-deny".to_owned(),
                    },
                    op: ChangeOp::Set,
                    path: String::new(),
                    value: Some(policy),
                }],
            ),
        ));
    }
}
