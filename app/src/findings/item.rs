//! One finding as the drawer, the editor and Export show it: severity, lint id, message, a link to
//! the policy and rule it is about, the fix in words, and "Apply fix" when core carries the edits.

use leptos::prelude::*;

use netpol_core::lint::{Finding, apply_fix};

use super::{describe, editor_href, resource_policy, severity_label, use_findings};
use crate::state::use_studio;

/// How many findings a list shows before it offers more: a design with a systematic mistake can have
/// a thousand, and drawing them all at once would hold the page.
const PAGE: usize = 100;

/// A list of findings; `empty` is what it says when there are none.
#[component]
pub fn FindingsList(
    #[prop(into)] findings: Signal<Vec<Finding>>,
    empty: &'static str,
) -> impl IntoView {
    let limit = RwSignal::new(PAGE);
    let items = move || {
        let limit = limit.get();
        findings.with(|findings| {
            findings
                .iter()
                .take(limit)
                .cloned()
                .map(|finding| view! { <FindingItem finding=finding/> })
                .collect_view()
        })
    };
    let more = move || {
        let left = findings.with(Vec::len).saturating_sub(limit.get());
        (left > 0).then(|| {
            view! {
                <button class="more-findings" on:click=move |_| limit.update(|l| *l += PAGE)>
                    {format!("Show {} more ({left} not shown)", left.min(PAGE))}
                </button>
            }
        })
    };
    view! {
        <Show
            when=move || findings.with(|f| !f.is_empty())
            fallback=move || view! { <p class="findings-empty">{empty}</p> }
        >
            <ul class="findings-list">{items}</ul>
            {more}
        </Show>
    }
}

/// The edit's name in the undo history: "apply the fix for dns-udp-only on allow-dns".
fn fix_edit_name(finding: &Finding) -> String {
    format!(
        "apply the fix for {} on {}",
        finding.id, finding.location.resource.name
    )
}

#[component]
fn FindingItem(finding: Finding) -> impl IntoView {
    let studio = use_studio();
    let findings = use_findings();
    let failed = RwSignal::new(None::<String>);
    let severity = finding.severity;
    let location = finding.location.clone();
    let followed = {
        let location = location.clone();
        move || findings.followed.with(|f| f.as_ref() == Some(&location))
    };
    let target = format!(
        "{}{}",
        describe(&location.resource),
        location
            .rule
            .map(|rule| format!(" · {rule}"))
            .unwrap_or_default()
    );
    // Reactive: an edit elsewhere can move the policy to another index while its findings stay equal.
    let link = move || {
        let href =
            studio.with(|design| resource_policy(design, &location.resource).and_then(editor_href));
        let target = target.clone();
        match href {
            Some(href) => {
                let location = location.clone();
                view! {
                    <a
                        class="finding-target"
                        href=href
                        on:click=move |_| {
                            findings.followed.set(Some(location.clone()));
                            findings.open.set(false);
                        }
                    >
                        {target}
                    </a>
                }
                .into_any()
            }
            None => view! { <span class="finding-target">{target}</span> }.into_any(),
        }
    };
    let apply = (!finding.fix.changes.is_empty()).then(|| {
        let finding = finding.clone();
        let label = format!("Apply fix: {}", finding.fix.text);
        view! {
            <button
                class="apply-fix"
                aria-label=label
                on:click=move |_| {
                    let fixed = studio.with_untracked(|design| apply_fix(design, &finding.fix.changes));
                    match fixed {
                        Ok(fixed) => {
                            failed.set(None);
                            studio.replace(fix_edit_name(&finding), fixed);
                        }
                        Err(why) => failed.set(Some(format!("The fix cannot be applied: {why}."))),
                    }
                }
            >
                "Apply fix"
            </button>
        }
    });
    view! {
        <li
            class=format!("finding {}", severity.as_str())
            class:followed=followed
            data-lint=finding.id
        >
            <div class="finding-head">
                <span class=format!("severity {}", severity.as_str())>{severity_label(severity)}</span>
                <code class="lint-id">{finding.id}</code>
                {link}
            </div>
            <p class="finding-message">{finding.message.clone()}</p>
            <p class="finding-fix"><span class="muted">"Fix: "</span>{finding.fix.text.clone()}</p>
            {apply}
            <p class="fix-error" role="alert">{move || failed.get()}</p>
        </li>
    }
}
