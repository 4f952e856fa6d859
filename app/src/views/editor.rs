//! The policy editor: a form beside the live YAML of one Calico policy. Both edit the same policy in
//! the design. The YAML is parsed by `netpol_core::yaml` as the user types; while it does not parse,
//! the errors show at their line and column and the text stays as typed (the design keeps the last
//! good version). The form (`calico_form`, `rules`, `peer`) has every field Calico has for a policy
//! and its rules, each checked by core as typed (`field`); `policy_actions` makes, copies and deletes
//! policies.

use leptos::prelude::*;
use netpol_core::model::{CalicoPolicy, Resource};
use netpol_core::yaml::{self, Diagnostic, ExportOptions};

use crate::findings::PolicyFindings;
use crate::routes::use_fragment;

mod calico_form;
mod cluster;
mod field;
mod peer;
pub mod policy_actions;
mod rules;
mod typing;
use crate::state::use_studio;
use calico_form::PolicyForm;
use field::FormState;
use policy_actions::PolicyActions;
use typing::{TooLarge, Typing, on_input, problems_view};

/// The YAML of one policy, as the editor shows it.
fn policy_yaml(policy: &CalicoPolicy) -> String {
    yaml::export_resource(
        &Resource::CalicoPolicy(policy.clone()),
        &ExportOptions::default(),
    )
}

/// The file name the editor's YAML is checked as (diagnostics say `policy.yaml:LINE:COL`).
const FILE: &str = "policy.yaml";

/// The one resource `text` holds that `pick` keeps, or every problem with it (`what` says what the
/// editor holds when there is not exactly one).
fn parse_one<T>(
    text: &str,
    pick: impl Fn(Resource) -> Option<T>,
    what: &str,
) -> Result<T, Vec<Diagnostic>> {
    let result = yaml::import(FILE, text);
    if result.error_count() > 0 {
        return Err(result
            .diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect());
    }
    let mut picked = result
        .resources
        .into_iter()
        .filter_map(|r| pick(r.resource));
    match (picked.next(), picked.next()) {
        (Some(one), None) => Ok(one),
        _ => Err(vec![Diagnostic::file_level(
            yaml::Severity::Error,
            FILE,
            format!("the editor holds exactly one {what}"),
        )]),
    }
}

/// The one Calico policy `text` holds, or every problem with it.
fn parse_policy(text: &str) -> Result<CalicoPolicy, Vec<Diagnostic>> {
    parse_one(
        text,
        |r| match r {
            Resource::CalicoPolicy(policy) => Some(policy),
            _ => None,
        },
        "Calico policy (GlobalNetworkPolicy, NetworkPolicy or a staged kind)",
    )
}

/// Each applied edit renders the form anew, so the field Tab was moving to is a new element: when
/// the focus got lost on the way, it is put on the field of the same name.
fn keep_focus(ev: leptos::ev::FocusEvent) {
    use leptos::wasm_bindgen::JsCast;
    let Some(label) = ev
        .related_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.get_attribute("aria-label"))
    else {
        return;
    };
    request_animation_frame(move || {
        let document = document();
        let lost = document.active_element().is_none_or(|el| {
            !el.is_connected() || document.body().is_some_and(|b| b.is_same_node(Some(&el)))
        });
        if !lost {
            return;
        }
        // The label as a CSS string: backslashes and quotes escaped.
        let quoted = label.replace('\\', "\\\\").replace('"', "\\\"");
        let same = document
            .query_selector(&format!(".editor-form [aria-label=\"{quoted}\"]"))
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(field) = same {
            let _ = field.focus();
        }
    });
}

/// Which policy the editor holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Selected {
    /// `design.policies[i]` (`#/editor/<i>`).
    Calico(usize),
    /// `design.cluster_policies[i]` (`#/editor/cnp/<i>`).
    Cluster(usize),
}

impl Selected {
    /// The fragment's path after `editor/`, and the chooser's option value.
    fn value(self) -> String {
        match self {
            Selected::Calico(i) => i.to_string(),
            Selected::Cluster(i) => format!("cnp/{i}"),
        }
    }
}

/// The editor view: the policy the fragment names (`#/editor/<index>`, `#/editor/cnp/<index>`), or
/// a chooser.
#[component]
pub fn EditorView() -> impl IntoView {
    let studio = use_studio();
    let fragment = use_fragment();
    let selected = Memo::new(move |_| {
        let fragment = fragment.get();
        let mut parts = fragment.split('/').skip(1);
        let (calico, cluster) =
            studio.with(|design| (design.policies.len(), design.cluster_policies.len()));
        let named = match (parts.next(), parts.next()) {
            (Some("cnp"), Some(i)) => i
                .parse::<usize>()
                .ok()
                .filter(|i| *i < cluster)
                .map(Selected::Cluster),
            (Some(i), _) => i
                .parse::<usize>()
                .ok()
                .filter(|i| *i < calico)
                .map(Selected::Calico),
            _ => None,
        };
        named
            .or((calico > 0).then_some(Selected::Calico(0)))
            .or((cluster > 0).then_some(Selected::Cluster(0)))
    });
    view! {
        <section class="editor-view">
            <header class="view-header">
                <h1>"Policy editor"</h1>
                <label>
                    "Policy "
                    <select
                        aria-label="Policy"
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            let _ = window().location().set_hash(&format!("/editor/{value}"));
                        }
                    >
                        {move || {
                            studio.with(|design| {
                                let option = move |at: Selected, label: String| {
                                    let on = move || selected.get() == Some(at);
                                    view! { <option value=at.value() selected=on prop:selected=on>{label}</option> }
                                };
                                let calico = design
                                    .policies
                                    .iter()
                                    .enumerate()
                                    .map(|(i, p)| {
                                        let label = match &p.metadata.namespace {
                                            Some(ns) => format!("{} · {ns}/{}", p.tier(), p.metadata.name),
                                            None => format!("{} · {}", p.tier(), p.metadata.name),
                                        };
                                        option(Selected::Calico(i), label)
                                    })
                                    .collect_view();
                                let cluster = design
                                    .cluster_policies
                                    .iter()
                                    .enumerate()
                                    .map(|(i, p)| {
                                        let tier = p.calico_tier().unwrap_or("no tier");
                                        option(Selected::Cluster(i), format!("{tier} · {} {}", p.kind.as_str(), p.metadata.name))
                                    })
                                    .collect_view();
                                view! {
                                    {calico}
                                    {(!design.cluster_policies.is_empty()).then(|| view! {
                                        <optgroup label="Cluster-wide (Kubernetes)">{cluster}</optgroup>
                                    })}
                                }
                            })
                        }}
                    </select>
                </label>
                <PolicyActions selected=selected/>
            </header>
            <PolicyFindings selected=Signal::derive(move || selected.get().map(Selected::value))/>
            {move || match selected.get() {
                Some(Selected::Calico(index)) => view! { <PolicyEditor index=index/> }.into_any(),
                Some(Selected::Cluster(index)) => view! { <cluster::ClusterPolicyEditor index=index/> }.into_any(),
                None => view! { <p class="placeholder">"The design has no policy to edit yet."</p> }.into_any(),
            }}
        </section>
    }
}

/// The form and YAML pane for `design.policies[index]`.
#[component]
fn PolicyEditor(index: usize) -> impl IntoView {
    let studio = use_studio();
    let policy = Memo::new(move |_| studio.with(|design| design.policies.get(index).cloned()));
    let (text, set_text) = signal(
        policy
            .get_untracked()
            .as_ref()
            .map(policy_yaml)
            .unwrap_or_default(),
    );
    let (problems, set_problems) = signal(Vec::<Diagnostic>::new());
    let typing = Typing::new();
    let form = FormState::new(index);

    // When the policy changes from the form (or undo), rewrite the YAML — unless the YAML already says
    // exactly this policy (the change came from typing), so the user's text is never reformatted.
    Effect::new(move |_| {
        let Some(current) = policy.get() else { return };
        let typed = parse_policy(&text.get_untracked()).ok();
        if typed.as_ref() != Some(&current) {
            set_text.set(policy_yaml(&current));
            set_problems.set(Vec::new());
        }
    });

    let on_yaml = {
        let typing = typing.clone();
        move |ev| {
            on_input(
                &typing,
                &ev,
                (text, set_text),
                move |typed| match parse_policy(&typed) {
                    Ok(parsed) => {
                        set_problems.try_set(Vec::new());
                        studio.edit(
                            format!("edit the YAML of {}", parsed.metadata.name),
                            |design| {
                                if let Some(slot) = design.policies.get_mut(index) {
                                    *slot = parsed;
                                }
                            },
                        );
                    }
                    Err(diagnostics) => {
                        set_problems.try_set(diagnostics);
                    }
                },
            )
        }
    };

    view! {
        <div class="editor">
            <div class="editor-form" on:focusout=keep_focus>
                {move || policy.get().map(|p| view! { <PolicyForm policy=p form=form/> })}
            </div>
            <div class="editor-yaml">
                <label for="policy-yaml">"YAML"</label>
                <textarea
                    id="policy-yaml"
                    aria-label="Policy YAML"
                    spellcheck="false"
                    aria-invalid=move || (!problems.get().is_empty()).to_string()
                    prop:value=text
                    on:input=on_yaml
                    on:paste={
                        let typing = typing.clone();
                        move |ev| typing.paste(&ev)
                    }
                    on:blur={
                        let typing = typing.clone();
                        move |_| typing.flush()
                    }
                ></textarea>
                <TooLarge typing=typing/>
                <ul class="problems" aria-live="polite">
                    {move || problems_view(problems.get())}
                </ul>
            </div>
        </div>
    }
}
