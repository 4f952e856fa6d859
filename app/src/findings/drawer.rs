//! The findings drawer, reachable from every view: the status line's lint counts open it (as does
//! Ctrl+Shift+L), a board badge opens it on one policy. Filters by severity and by policy.

use leptos::prelude::*;

use netpol_core::lint::{Finding, Severity};

use super::{FindingsList, SHORTCUT, describe, use_findings};
use crate::count::count;

/// The status line's lint counts, as the button that opens the drawer.
#[component]
pub fn FindingsButton() -> impl IntoView {
    let findings = use_findings();
    let text = move || {
        let (errors, warnings, notes) = findings.counts();
        format!(
            "Lint: {} · {} · {}",
            count(errors, "error"),
            count(warnings, "warning"),
            count(notes, "note")
        )
    };
    view! {
        <button
            class="lint-counts"
            aria-controls="findings-drawer"
            aria-expanded=move || findings.open.get().to_string()
            aria-keyshortcuts=SHORTCUT
            title="Show the findings (Ctrl+Shift+L)"
            on:click=move |_| {
                if findings.open.get_untracked() {
                    findings.close();
                } else {
                    findings.open_for(None);
                }
            }
        >
            {text}
        </button>
    }
}

/// The severity filter's choices: everything, or one severity.
const FILTERS: [(Option<Severity>, &str); 4] = [
    (None, "All"),
    (Some(Severity::Error), "Errors"),
    (Some(Severity::Warning), "Warnings"),
    (Some(Severity::Info), "Notes"),
];

/// The drawer itself, in the page while open.
#[component]
pub fn FindingsDrawer() -> impl IntoView {
    let findings = use_findings();
    let shown = Signal::derive(move || {
        let severity = findings.severity.get();
        let policy = findings.policy.get();
        findings.all.with(|all| {
            all.iter()
                .filter(|f| severity.is_none_or(|s| f.severity == s))
                .filter(|f| policy.as_ref().is_none_or(|p| &f.location.resource == p))
                .cloned()
                .collect::<Vec<Finding>>()
        })
    });
    let filters = move || {
        FILTERS
            .into_iter()
            .map(|(severity, label)| {
                let of_kind = move || {
                    findings.all.with(|all| {
                        all.iter()
                            .filter(|f| severity.is_none_or(|s| f.severity == s))
                            .count()
                    })
                };
                let pressed = move || findings.severity.get() == severity;
                view! {
                    <button
                        class="severity-filter"
                        aria-pressed=move || pressed().to_string()
                        on:click=move |_| findings.severity.set(severity)
                    >
                        {move || format!("{label} ({})", of_kind())}
                    </button>
                }
            })
            .collect_view()
    };
    let policy_filter = move || {
        findings.policy.get().map(|policy| {
            view! {
                <p class="policy-filter">
                    {format!("Only {}. ", describe(&policy))}
                    <button on:click=move |_| findings.policy.set(None)>"Show every policy"</button>
                </p>
            }
        })
    };
    view! {
        <Show when=move || findings.open.get()>
            <aside id="findings-drawer" class="findings-drawer" aria-labelledby="findings-title">
                <header class="drawer-header">
                    <h2 id="findings-title">"Findings"</h2>
                    <button class="drawer-close" aria-label="Close the findings" on:click=move |_| findings.close()>
                        "Close"
                    </button>
                </header>
                <div class="severity-filters" role="group" aria-label="Show findings of">
                    {filters}
                </div>
                {policy_filter}
                <FindingsList findings=shown empty="No findings here."/>
            </aside>
        </Show>
    }
}
