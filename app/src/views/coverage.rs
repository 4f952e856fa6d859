//! The Coverage view: what protects each workload of the design and which allow rules expose it
//! (core's `coverage::coverage`), and the namespace × namespace matrix (`coverage::namespace_matrix`).
//! Both are computed in the analysis worker (`Request::Coverage`, through `Analysis::request_coverage`),
//! again on every change of the design; the page only lays out core's answer.

use leptos::prelude::*;
use netpol_core::coverage::{Coverage, Entry, NamespaceMatrix, Reach, State};
use netpol_core::eval::Direction;

use crate::analysis::use_analysis;
use crate::download::copy_text;
use crate::state::use_studio;
use crate::worker::protocol::CoverageAnswer;

/// The Coverage view.
#[component]
pub fn CoverageView() -> impl IntoView {
    let studio = use_studio();
    let analysis = use_analysis();
    let answer = analysis.coverage;
    Effect::new(move |_| {
        let design = studio.with(Clone::clone);
        analysis.request_coverage(design);
    });
    view! {
        <section class="view-coverage" aria-label="Coverage">
            <h1>"Coverage"</h1>
            <p class="lead">
                "What protects each workload, which allow rules expose it, and which namespaces reach which."
            </p>
            {move || match answer.get() {
                None => view! { <p class="coverage-pending" role="status">"Computing…"</p> }.into_any(),
                Some(a) => report(a).into_any(),
            }}
        </section>
    }
}

fn report(a: CoverageAnswer) -> impl IntoView {
    let line = a.coverage.summary_line();
    let copied = line.clone();
    view! {
        <div class="coverage-report" data-ms=format!("{:.0}", a.ms)>
            <p class="coverage-summary">
                <span data-summary="">{line}</span>
                " "
                <button on:click=move |_| copy_text(&copied)>"Copy"</button>
            </p>
            {matrix(a.matrix)}
            {uncovered(&a.coverage)}
            {exposures(&a.coverage)}
        </div>
    }
}

/// A cell's text mark: the matrix never says anything by colour only.
fn mark(reach: Reach) -> &'static str {
    match reach {
        Reach::Allowed => "✓",
        Reach::Denied => "✕",
        Reach::Partly => "◐",
        Reach::Undecidable => "?",
    }
}

fn matrix(m: Result<NamespaceMatrix, String>) -> AnyView {
    let m = match m {
        Ok(m) => m,
        Err(e) => return view! { <p class="import-error" role="alert">{e}</p> }.into_any(),
    };
    let header: Vec<_> = m
        .namespaces
        .iter()
        .map(|ns| view! { <th scope="col">{ns.clone()}</th> })
        .collect();
    let rows: Vec<_> = m
        .namespaces
        .iter()
        .map(|from| {
            let cells: Vec<_> = m
                .namespaces
                .iter()
                .map(|to| match m.cell(from, to) {
                    Some(c) => {
                        let title = format!(
                            "{from} → {to}: {} ({} of {} connections allowed, {} undecidable)",
                            c.reach.as_str(),
                            c.allowed,
                            c.probes,
                            c.undecidable
                        );
                        view! {
                            <td class=format!("reach reach-{}", c.reach.as_str()) data-from=from.clone()
                                data-to=to.clone() data-reach=c.reach.as_str() title=title>
                                <span aria-hidden="true">{mark(c.reach)}</span>" "{c.reach.as_str()}
                            </td>
                        }
                        .into_any()
                    }
                    None => view! {
                        <td class="reach reach-none" data-from=from.clone() data-to=to.clone()
                            data-reach="none" title="no container port to probe">"—"</td>
                    }
                    .into_any(),
                })
                .collect();
            view! { <tr><th scope="row">{from.clone()}</th>{cells}</tr> }
        })
        .collect();
    view! {
        <h3 id="coverage-matrix-title">"Namespace × namespace"</h3>
        <div class="coverage-matrix-wrap" tabindex="0" role="region" aria-labelledby="coverage-matrix-title">
            <table class="coverage-matrix">
                <caption>
                    "Rows: source namespace; columns: destination namespace, on the destinations' container ports. ✓ allowed, ✕ denied, ◐ partly, ? undecidable, — nothing to probe."
                </caption>
                <thead><tr><td></td>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn subject_noun(c: &Coverage) -> &'static str {
    match c.subjects {
        netpol_core::coverage::Subjects::Workloads => "workload",
        netpol_core::coverage::Subjects::LabelClasses => "label class",
    }
}

fn uncovered(c: &Coverage) -> impl IntoView + use<> {
    let items: Vec<_> = c
        .workloads
        .iter()
        .filter(|e| e.ingress == State::Uncovered || e.egress == State::Uncovered)
        .map(|e| {
            let directions: Vec<&str> = [Direction::Ingress, Direction::Egress]
                .into_iter()
                .filter(|d| e.state(*d) == State::Uncovered)
                .map(Direction::as_str)
                .collect();
            view! {
                <li data-workload=e.workload.clone()>
                    <code>{e.workload.clone()}</code>": no policy for "{directions.join(" and ")}
                    {folded(e)}
                </li>
            }
        })
        .collect();
    let count = items.len();
    view! {
        <h3>{format!("Uncovered ({count})")}</h3>
        {if items.is_empty() {
            view! { <p>{format!("Every {} is selected in both directions.", subject_noun(c))}</p> }.into_any()
        } else {
            view! { <ul class="coverage-uncovered">{items}</ul> }.into_any()
        }}
    }
}

/// " (3 pods)" for an entry Pods folded into.
fn folded(e: &Entry) -> Option<String> {
    (!e.pods.is_empty()).then(|| format!(" ({} pods)", e.pods.len()))
}

fn exposures(c: &Coverage) -> impl IntoView + use<> {
    let rows: Vec<_> = c
        .workloads
        .iter()
        .flat_map(|e| e.exposures.iter().map(move |x| (e, x)))
        .map(|(e, x)| {
            let by = &x.decided_by;
            let policy = match &by.namespace {
                Some(ns) => format!("{ns}/{}", by.policy),
                None => by.policy.clone(),
            };
            view! {
                <tr data-workload=e.workload.clone() data-kind=x.kind.as_str()>
                    <td><code>{e.workload.clone()}</code></td>
                    <td>{x.kind.as_str()}{x.missing.as_ref().map(|_| " (undecidable)")}</td>
                    <td>{x.direction.as_str()}</td>
                    <td>{x.ports.to_string()}</td>
                    <td data-decided-by="">{format!("tier {}, {policy} rule {}", by.tier, by.rule)}</td>
                </tr>
            }
        })
        .collect();
    let count = rows.len();
    view! {
        <h3 id="coverage-exposures-title">{format!("Exposures ({count})")}</h3>
        <div class="coverage-exposures-wrap" tabindex="0" role="region" aria-labelledby="coverage-exposures-title">
            <table class="coverage-exposures">
                <thead>
                    <tr>
                        <th scope="col">{if subject_noun(c) == "workload" { "Workload" } else { "Label class" }}</th>
                        <th scope="col">"Exposure"</th>
                        <th scope="col">"Direction"</th>
                        <th scope="col">"Ports"</th>
                        <th scope="col">"Decided by"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
