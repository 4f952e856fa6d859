//! Findings where the policy is: the editor's list for the open policy, and the count on a board
//! card that opens the drawer on that policy.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

use netpol_core::board::PolicyRef;
use netpol_core::lint::Finding;
use netpol_core::model::PolicyType;

use super::{FindingsList, policy_resource, severity_label, use_findings};
use crate::count::count;
use crate::state::use_studio;

/// The open policy from the editor's selection: `3` is `policies[3]`, `cnp/3` is
/// `cluster_policies[3]` (the editor's own fragment values).
fn selected_policy(selected: &str) -> Option<PolicyRef> {
    match selected.split_once('/') {
        Some(("cnp", i)) => i.parse().ok().map(PolicyRef::Cluster),
        Some(_) => None,
        None => selected.parse().ok().map(PolicyRef::Calico),
    }
}

/// The open policy's findings, above the editor's form. `selected` is the editor's selection as its
/// fragment writes it (`3`, `cnp/3`). A finding followed from the drawer is marked, and the list
/// and the rule it names (`[data-rule="egress-2"]` for rule 1: the form numbers its rows from 1) are scrolled to.
#[component]
pub fn PolicyFindings(#[prop(into)] selected: Signal<Option<String>>) -> impl IntoView {
    let studio = use_studio();
    let findings = use_findings();
    let resource = Memo::new(move |_| {
        let policy = selected.with(|s| s.as_deref().and_then(selected_policy))?;
        studio.with(|design| policy_resource(design, policy))
    });
    let of_policy = Signal::derive(move || {
        let Some(resource) = resource.get() else {
            return Vec::new();
        };
        findings.all.with(|all| {
            all.iter()
                .filter(|f| f.location.resource == resource)
                .cloned()
                .collect::<Vec<Finding>>()
        })
    });
    // Following a link lands here: show the finding and the rule it is about.
    Effect::new(move |_| {
        let Some(followed) = findings.followed.get() else {
            return;
        };
        if resource.get().as_ref() != Some(&followed.resource) {
            return;
        }
        // The form numbers its rows from 1 (`data-rule="egress-1"` is rule 0).
        let rule = followed.rule.map(|r| {
            let direction = match r.direction {
                PolicyType::Ingress => "ingress",
                PolicyType::Egress => "egress",
            };
            format!("{direction}-{}", r.index + 1)
        });
        request_animation_frame(move || scroll_to(rule.as_deref()));
    });
    view! {
        <Show when=move || resource.with(Option::is_some)>
            <section class="policy-findings" aria-labelledby="policy-findings-title">
                <h2 id="policy-findings-title">
                    {move || format!("Findings for this policy ({})", of_policy.with(Vec::len))}
                </h2>
                <FindingsList findings=of_policy empty="No findings for this policy."/>
            </section>
        </Show>
    }
}

/// Scrolls the followed finding into view, and the rule it names when the form marks its rows.
fn scroll_to(rule: Option<&str>) {
    let document = document();
    let rule_row = rule.and_then(|rule| {
        document
            .query_selector(&format!("[data-rule=\"{rule}\"]"))
            .ok()
            .flatten()
    });
    if let Some(row) = &rule_row {
        let _ = row.class_list().add_1("rule-highlight");
    }
    let target = rule_row.or_else(|| {
        document
            .query_selector(".policy-findings .finding.followed")
            .ok()
            .flatten()
    });
    if let Some(element) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        element.scroll_into_view();
    }
}

/// A board card's findings: how many and the worst severity, as a button that opens the drawer on
/// the policy. Nothing when the policy has none.
#[component]
pub fn PolicyBadge(policy: PolicyRef) -> impl IntoView {
    let studio = use_studio();
    let findings = use_findings();
    let resource = Memo::new(move |_| studio.with(|design| policy_resource(design, policy)));
    let summary = Memo::new(move |_| {
        let resource = resource.get()?;
        findings.by_resource.with(|by| by.get(&resource).copied())
    });
    move || {
        summary.get().map(|(n, severity)| {
            // The visible text starts the accessible name, so speech input can say what it sees.
            let text = format!(
                "{} · {}",
                count(n, "finding"),
                severity_label(severity).to_lowercase()
            );
            let label = format!("{text}: show them in the findings drawer");
            view! {
                <button
                    class=format!("badge findings-badge {}", severity.as_str())
                    aria-label=label.clone()
                    title=label
                    on:click=move |_| findings.open_for(resource.get_untracked())
                >
                    {text}
                </button>
            }
        })
    }
}
