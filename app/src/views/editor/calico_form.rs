//! The form half of the Calico policy editor: the policy's metadata and scope, then its rules.

use leptos::prelude::*;
use netpol_core::model::{CalicoPolicy, CalicoPolicyKind, PolicyType};
use netpol_core::yaml::fields::{self, SelectorPlace};

use super::field::{FormState, Spec, apply, checked_field, field};
use super::rules::RulesEditor;
use crate::state::use_studio;

const KINDS: [CalicoPolicyKind; 4] = [
    CalicoPolicyKind::GlobalNetworkPolicy,
    CalicoPolicyKind::NetworkPolicy,
    CalicoPolicyKind::StagedGlobalNetworkPolicy,
    CalicoPolicyKind::StagedNetworkPolicy,
];

/// The kind `kind` becomes with "Staged" set to `staged`.
fn staged_kind(kind: CalicoPolicyKind, staged: bool) -> CalicoPolicyKind {
    match (kind.is_namespaced(), staged) {
        (true, true) => CalicoPolicyKind::StagedNetworkPolicy,
        (true, false) => CalicoPolicyKind::NetworkPolicy,
        (false, true) => CalicoPolicyKind::StagedGlobalNetworkPolicy,
        (false, false) => CalicoPolicyKind::GlobalNetworkPolicy,
    }
}

/// A multi-line `key=value` field (labels, annotations).
fn map_field(
    form: FormState,
    name: &'static str,
    label: &'static str,
    value: String,
    read: fn(&str) -> Result<std::collections::BTreeMap<String, String>, String>,
    write: fn(&mut CalicoPolicy, std::collections::BTreeMap<String, String>),
) -> impl IntoView {
    checked_field(
        form,
        Spec {
            key: (None, name.to_owned()),
            label,
            aria: format!("Policy {}", label.to_lowercase()),
            value,
            placeholder: "key=value, one per line",
            multiline: true,
            read: std::rc::Rc::new(read),
            write: std::rc::Rc::new(write),
        },
    )
}

/// The form half of the editor.
#[component]
pub fn PolicyForm(policy: CalicoPolicy, form: FormState) -> impl IntoView {
    let studio = use_studio();
    let index = form.index;
    let tiers: Vec<String> = studio.with_untracked(|design| {
        netpol_core::board::columns(design)
            .into_iter()
            .map(|c| c.name)
            .collect()
    });
    let tier = policy.tier().to_owned();
    let types = policy.spec.effective_types();
    let kind = policy.kind;
    let (error, set_error) = signal(None::<String>);
    let set = move |what: &str, change: Box<dyn Fn(&mut CalicoPolicy)>| {
        set_error.set(apply(studio, index, what, change).err());
    };
    // A checkbox for an optional flag: unset when cleared, as Calico defaults it.
    let flag = move |label: &'static str,
                     what: &'static str,
                     value: Option<bool>,
                     write: fn(&mut CalicoPolicy, Option<bool>)| {
        let on = value == Some(true);
        view! {
            <label class="check">
                <input
                    type="checkbox"
                    aria-label=label
                    prop:checked=on
                    on:change=move |ev| {
                        let checked = event_target_checked(&ev);
                        set(&format!("set {what}"), Box::new(move |p| write(p, checked.then_some(true))));
                        // Refused (core's message shows): the box shows the design's value again.
                        if error.with_untracked(Option::is_some) {
                            event_target::<web_sys::HtmlInputElement>(&ev).set_checked(!checked);
                        }
                    }
                />
                {label}
            </label>
        }
    };
    let ingress = policy.spec.ingress.clone();
    let egress = policy.spec.egress.clone();
    let global = !kind.is_namespaced();
    view! {
        <form class="policy-form" aria-label="Calico policy" on:submit=|ev| ev.prevent_default()>
            {field(form, None, "name", "Name", "Policy name".to_owned(), policy.metadata.name.clone(), "allow-web",
                fields::policy_name, |p: &mut CalicoPolicy, name| p.metadata.name = name)}
            <label class="field">
                <span class="field-label">"Kind"</span>
                <select
                    aria-label="Kind"
                    on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        if let Some(kind) = KINDS.into_iter().find(|k| k.as_str() == chosen) {
                            set("set the kind", Box::new(move |p| {
                                if kind.is_namespaced() && p.metadata.namespace.is_none() {
                                    p.metadata.namespace = Some("default".to_owned());
                                }
                                if !kind.is_namespaced() {
                                    p.metadata.namespace = None;
                                } else {
                                    p.spec.namespace_selector = None;
                                }
                                p.kind = kind;
                            }));
                        }
                    }
                >
                    {KINDS
                        .into_iter()
                        .map(|k| view! { <option value=k.as_str() selected=k == kind prop:selected=k == kind>{k.as_str()}</option> })
                        .collect_view()}
                </select>
            </label>
            {kind.is_namespaced().then(|| field(form, None, "namespace", "Namespace", "Namespace".to_owned(),
                policy.metadata.namespace.clone().unwrap_or_default(), "shop",
                fields::namespace, |p: &mut CalicoPolicy, ns| p.metadata.namespace = Some(ns)))}
            <label class="field">
                <span class="field-label">"Tier"</span>
                <select
                    aria-label="Tier"
                    on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        set("set the tier", Box::new(move |p| p.spec.tier = Some(chosen.clone())));
                    }
                >
                    {tiers
                        .into_iter()
                        .map(|t| {
                            let selected = t == tier;
                            view! { <option value=t.clone() selected=selected prop:selected=selected>{t.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            {field(form, None, "order", "Order", "Order".to_owned(), policy.spec.order.map(|o| o.to_string()).unwrap_or_default(), "last",
                fields::order, |p: &mut CalicoPolicy, order| p.spec.order = order)}
            <div class="wide">
                {field(form, None, "selector", "Selector", "Selector".to_owned(), policy.spec.selector.clone().unwrap_or_default(), "all()",
                    |t| fields::selector(t, "selector", SelectorPlace::Endpoint), |p: &mut CalicoPolicy, s| p.spec.selector = s)}
            </div>
            {global.then(|| view! {
                <div class="wide">
                    {field(form, None, "namespaceSelector", "Namespace selector", "Policy namespace selector".to_owned(), policy.spec.namespace_selector.clone().unwrap_or_default(), "every namespace",
                        |t| fields::selector(t, "namespaceSelector", SelectorPlace::Endpoint), |p: &mut CalicoPolicy, s| p.spec.namespace_selector = s)}
                </div>
            })}
            <div class="wide">
                {field(form, None, "serviceAccountSelector", "Service account selector", "Policy service account selector".to_owned(), policy.spec.service_account_selector.clone().unwrap_or_default(), "any service account",
                    |t| fields::selector(t, "serviceAccountSelector", SelectorPlace::Endpoint), |p: &mut CalicoPolicy, s| p.spec.service_account_selector = s)}
            </div>
            <fieldset class="types">
                <legend>"Applies to"</legend>
                {[PolicyType::Ingress, PolicyType::Egress]
                    .into_iter()
                    .map(|t| {
                        let on = types.contains(&t);
                        let label = if t == PolicyType::Ingress { "Ingress" } else { "Egress" };
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    prop:checked=on
                                    on:change=move |ev| {
                                        let checked = event_target_checked(&ev);
                                        set("set the types", Box::new(move |p| {
                                            let mut types = p.spec.effective_types();
                                            types.retain(|x| *x != t);
                                            if checked {
                                                types.push(t);
                                            }
                                            types.sort();
                                            p.spec.types = types;
                                        }));
                                    }
                                />
                                {label}
                            </label>
                        }
                    })
                    .collect_view()}
                <label class="check" title="A staged policy is never enforced: it shows what it would do">
                    <input
                        type="checkbox"
                        aria-label="Staged"
                        prop:checked=kind.is_staged()
                        on:change=move |ev| {
                            let checked = event_target_checked(&ev);
                            set("set staged", Box::new(move |p| p.kind = staged_kind(p.kind, checked)));
                        }
                    />
                    "Staged"
                </label>
            </fieldset>
            {global.then(|| view! {
                <fieldset class="types" title="Host endpoint options of global policies">
                    <legend>"Host endpoints"</legend>
                    {flag("Do not track", "doNotTrack", policy.spec.do_not_track, |p, on| p.spec.do_not_track = on)}
                    {flag("Pre-DNAT", "preDNAT", policy.spec.pre_dnat, |p, on| p.spec.pre_dnat = on)}
                    {flag("Apply on forward", "applyOnForward", policy.spec.apply_on_forward, |p, on| p.spec.apply_on_forward = on)}
                </fieldset>
            })}
            <p class="error wide" role="alert">{move || error.get()}</p>
            <fieldset class="metadata">
                <legend>"Labels and annotations"</legend>
                {map_field(form, "labels", "Labels", fields::map_text(&policy.metadata.labels), fields::labels, |p, labels| p.metadata.labels = labels)}
                {map_field(form, "annotations", "Annotations", fields::map_text(&policy.metadata.annotations), fields::annotations, |p, annotations| p.metadata.annotations = annotations)}
            </fieldset>
            <RulesEditor form=form direction=PolicyType::Ingress rules=ingress/>
            <RulesEditor form=form direction=PolicyType::Egress rules=egress/>
        </form>
    }
}
