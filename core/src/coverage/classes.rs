//! Coverage without listed workloads: one entry per **label class** — each distinct set of endpoints
//! an enforced policy selects (its subject as one selector over Calico's labels,
//! `lint::symbolic::applies`) — plus the workloads matching no policy selector, when some could.
//!
//! A policy certainly selects a class when the class implies its subject, possibly when they overlap
//! (`selector::logic`). A class is `uncovered` in a direction when some of its workloads could be
//! selected by no policy of that direction; otherwise the walk decides, with only the certain
//! policies deciding for every workload of the class.

use std::collections::BTreeMap;

use crate::eval::Direction;
use crate::lint::context::Context;
use crate::lint::symbolic;
use crate::lint::universe::NAMESPACE_LABEL;
use crate::selector::logic::Sat;
use crate::selector::{Expr, Selector};

use super::order::View;
use super::walk::{Applies, Exposures, walk};
use super::{Entry, State};

/// What the class of workloads no policy selects is called.
pub const UNSELECTED: &str = "workloads matching no policy selector";

/// The entries of a resource set without workloads.
pub(super) fn entries(view: &View<'_>, ctx: &Context<'_>) -> Vec<Entry> {
    let scopes: Vec<Option<Selector>> = view
        .enforced
        .iter()
        .map(|e| symbolic::applies(ctx, view.policy(e)))
        .collect();
    // Distinct classes by canonical text; a namespaced policy's class lies in its namespace.
    let mut classes: BTreeMap<String, (Selector, Option<String>)> = BTreeMap::new();
    for (e, scope) in view.enforced.iter().zip(&scopes) {
        let Some(scope) = scope else { continue };
        if scope.satisfiable().is_no() {
            continue;
        }
        let policy = view.policy(e);
        let namespace = policy.kind.is_namespaced().then(|| {
            policy
                .metadata
                .namespace
                .clone()
                .unwrap_or_else(|| "default".to_owned())
        });
        classes
            .entry(readable(scope))
            .or_insert_with(|| (scope.clone(), namespace));
    }
    let mut exposures = Exposures::new(view, ctx);
    let mut out = Vec::new();
    for (text, (class, namespace)) in &classes {
        let applies: Vec<Applies> = scopes
            .iter()
            .map(|scope| match scope {
                None => Applies::Not,
                Some(s) if class.implies(s) == Some(true) => Applies::Certainly,
                Some(s) if class.overlaps(s).is_no() => Applies::Not,
                Some(_) => Applies::Possibly,
            })
            .collect();
        let mut entry = Entry {
            workload: format!("label class {text}"),
            selector: Some(text.clone()),
            ingress: State::Uncovered,
            egress: State::Uncovered,
            exposures: Vec::new(),
            pods: Vec::new(),
        };
        for direction in [Direction::Ingress, Direction::Egress] {
            let selecting: Vec<&Selector> = view
                .enforced
                .iter()
                .zip(&scopes)
                .zip(&applies)
                .filter(|((e, _), a)| **a != Applies::Not && e.applies_to(direction))
                .filter_map(|((_, s), _)| s.as_ref())
                .collect();
            if some_unselected(Some(class), &selecting) {
                continue;
            }
            // A rule's own side is a selector over the same labels: whether it matches the class is
            // not decided here, so every rule may apply.
            let walked = walk(
                view,
                direction,
                |at| applies.get(at).copied().unwrap_or(Applies::Not),
                |_, _| true,
            );
            exposures.record(&mut entry, &walked, direction, namespace.as_deref(), None);
        }
        out.push(entry);
    }
    let every: Vec<&Selector> = scopes.iter().flatten().collect();
    if some_unselected(None, &every) {
        out.push(Entry {
            workload: UNSELECTED.to_owned(),
            selector: None,
            ingress: State::Uncovered,
            egress: State::Uncovered,
            exposures: Vec::new(),
            pods: Vec::new(),
        });
    }
    out
}

/// The class's selector as people read it: the canonical form with `all()` terms and nested
/// conjunctions flattened away.
fn readable(scope: &Selector) -> String {
    fn flatten(e: &Expr, out: &mut Vec<Expr>) {
        match e {
            Expr::And(operands) => operands.iter().for_each(|o| flatten(o, out)),
            Expr::All => {}
            other => out.push(other.clone()),
        }
    }
    let mut terms = Vec::new();
    flatten(scope.expr(), &mut terms);
    let expr = match terms.len() {
        0 => Expr::All,
        1 => terms.remove(0),
        _ => Expr::And(terms),
    };
    Selector::from_expr(expr).map_or_else(|_| scope.canonical(), |s| s.canonical())
}

/// Whether some workload (of `class`, when given) could be selected by none of `selecting`. An
/// undecided question counts as no: the class is then walked, and its exposures reported.
fn some_unselected(class: Option<&Selector>, selecting: &[&Selector]) -> bool {
    let none_of = Expr::Not(Box::new(Expr::Or(
        selecting.iter().map(|s| s.expr().clone()).collect(),
    )));
    // Every workload endpoint is in a namespace.
    let mut terms = vec![Expr::Has(NAMESPACE_LABEL.to_owned()), none_of];
    if let Some(class) = class {
        terms.push(class.expr().clone());
    }
    let expr = Expr::And(terms);
    if selecting.is_empty() {
        return class.is_none_or(|c| !c.satisfiable().is_no());
    }
    matches!(crate::selector::logic::satisfiable(&expr), Sat::Yes(_))
}
