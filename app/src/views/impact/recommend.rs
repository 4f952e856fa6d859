//! "Start from these flows": a least-privilege design written from the loaded flows in the worker
//! (`netpol_core::recommend`), previewed with its proof — observed flows, broken after (0), widened,
//! the policies written, the groups per namespace and the taxonomy — with a choice of namespaces to
//! cover; "Open this design" replaces the design as one undoable step and shows the board.

use std::collections::BTreeSet;

use leptos::prelude::*;
use netpol_core::model::vocabulary::namespaces::is_system_namespace;

use crate::analysis::Analysis;
use crate::count::{count, counted};

/// The button, and the preview of the recommended design.
#[component]
pub fn StartFromFlows(analysis: Analysis) -> impl IntoView {
    let (staged, set_staged) = signal(false);
    // The namespaces the user keeps covered (checked); reset by each new preview.
    let checked = RwSignal::new(BTreeSet::<String>::new());
    Effect::new(move |_| {
        let covered: BTreeSet<String> = analysis.recommended.with(|r| {
            r.iter()
                .flat_map(|r| r.namespaces.iter().filter(|n| n.covered))
                .map(|n| n.name.clone())
                .collect()
        });
        checked.set(covered);
    });
    let start = move |_| analysis.recommend(Vec::new(), staged.get_untracked());
    let apply = move |_| {
        let Some(r) = analysis.recommended.get_untracked() else {
            return;
        };
        let keep = checked.get_untracked();
        let coverable: Vec<String> = r
            .namespaces
            .iter()
            .filter(|n| !is_system_namespace(&n.name))
            .map(|n| n.name.clone())
            .collect();
        // Every namespace kept: no scope at all (the default deny stays cluster-wide).
        let scope = if coverable.iter().all(|n| keep.contains(n)) {
            Vec::new()
        } else {
            coverable.into_iter().filter(|n| keep.contains(n)).collect()
        };
        analysis.recommend(scope, r.staged);
    };
    let preview = move || {
        analysis.recommended.get().map(|r| {
            let f = r.figures.clone();
            let reasons = f
                .widened_by_reason
                .iter()
                .map(|(because, n)| view! { <li>{format!("{}: {because}", count(*n as u64, "flow"))}</li> })
                .collect_view();
            let widenings = f
                .widenings
                .iter()
                .map(|w| view! { <li>{w.clone()}</li> })
                .collect_view();
            let namespaces = r
                .namespaces
                .iter()
                .map(|n| {
                    let name = n.name.clone();
                    let toggle_name = name.clone();
                    let is_checked = name.clone();
                    let label = name.clone();
                    let system = is_system_namespace(&n.name);
                    let detail = format!(
                        " — {}: {}; {}{}",
                        count(n.groups.len() as u64, "workload group"),
                        n.groups.join(", "),
                        counted(n.policies as u64, "policy", "policies"),
                        if system { " (system namespace: left to the baseline)" } else { "" }
                    );
                    view! {
                        <li data-namespace=name>
                            <label>
                                <input
                                    type="checkbox"
                                    disabled=system
                                    prop:checked=move || checked.with(|c| c.contains(&is_checked))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        checked.update(|c| {
                                            if on {
                                                c.insert(toggle_name.clone());
                                            } else {
                                                c.remove(&toggle_name);
                                            }
                                        });
                                    }
                                />
                                {label}
                            </label>
                            {detail}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="recommendation" role="region" aria-label="Recommended design">
                    <dl class="recommend-figures">
                        <dt>"Observed flows"</dt>
                        <dd data-figure="rec-observed">
                            {format!("{} ({} allowed, {} denied)", f.observed, f.observed_allowed, f.observed_denied)}
                        </dd>
                        <dt>"Broken after"</dt>
                        <dd data-figure="rec-broken">{f.broken}</dd>
                        <dt>"Widened"</dt>
                        <dd data-figure="rec-widened" data-count=f.widened>{f.widened_line.clone()}</dd>
                        <dt>"Allowed although observed denied"</dt>
                        <dd data-figure="rec-allowed-denied">{f.allowed_observed_denied}</dd>
                        <dt>"Unmatched"</dt>
                        <dd data-figure="rec-unmatched">{f.unmatched}</dd>
                        <dt>"Policies written"</dt>
                        <dd data-figure="rec-policies" data-count=f.policies_written>
                            {format!(
                                "{} ({}, {})",
                                f.policies_written,
                                count(f.groups as u64, "workload group"),
                                count(f.network_sets_written as u64, "network set")
                            )}
                        </dd>
                        <dt>"Computed in"</dt>
                        <dd>{format!("{:.0} ms", r.ms)}</dd>
                    </dl>
                    {(!f.widened_by_reason.is_empty()).then(|| view! {
                        <details class="widened-reasons">
                            <summary>"Widened flows by reason"</summary>
                            <ul>{reasons}</ul>
                        </details>
                    })}
                    {(!f.widenings.is_empty()).then(|| view! {
                        <details class="widenings">
                            <summary>"Widenings"</summary>
                            <ul>{widenings}</ul>
                        </details>
                    })}
                    <h4>"Namespaces covered"</h4>
                    <ul class="recommend-namespaces">{namespaces}</ul>
                    <p class="hint">{format!("Taxonomy: {}", r.taxonomy.join(", "))}</p>
                    <div class="actions">
                        <button on:click=apply>"Apply the namespace choice"</button>
                        <button class="primary" on:click=move |_| analysis.open_recommended()>
                            "Open this design"
                        </button>
                        <button on:click=move |_| analysis.discard_recommended()>"Discard"</button>
                    </div>
                </div>
            }
        })
    };
    view! {
        <section class="start-from-flows">
            <h3>"Start from these flows"</h3>
            <p class="hint">
                "A new least-privilege design that allows every flow seen allowed and none seen denied: groups and selectors from the flows' labels, the default-deny baseline, one rule per peer and port set. It replaces the current design when you open it; Undo takes it back."
            </p>
            <label>
                <input
                    type="checkbox"
                    prop:checked=staged
                    on:change=move |ev| set_staged.set(event_target_checked(&ev))
                />
                " As staged policies"
            </label>
            <button
                class="primary"
                disabled=move || analysis.recommending.get()
                on:click=start
            >
                "Start from these flows"
            </button>
            {preview}
        </section>
    }
}
