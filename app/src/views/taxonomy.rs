//! The label taxonomy: the label keys the design uses, with description, allowed values, scope and
//! colour, and how many namespaces and workload groups carry each. Keys and values are checked against
//! Kubernetes label syntax (`netpol_core::labels`) as the user types.

use leptos::prelude::*;
use netpol_core::design::{self, LabelKey, LabelScope, label_usage};
use netpol_core::labels;

use crate::state::use_studio;

const SCOPES: [(LabelScope, &str); 3] = [
    (LabelScope::Security, "security"),
    (LabelScope::Application, "application"),
    (LabelScope::Kubernetes, "kubernetes"),
];

fn scope_named(name: &str) -> Option<LabelScope> {
    SCOPES.iter().find(|(_, n)| *n == name).map(|(s, _)| *s)
}

fn scope_name(scope: LabelScope) -> &'static str {
    SCOPES
        .iter()
        .find(|(s, _)| *s == scope)
        .map_or("application", |(_, name)| name)
}

/// The taxonomy view.
#[component]
pub fn TaxonomyView() -> impl IntoView {
    let studio = use_studio();
    let (key, set_key) = signal(String::new());
    let (scope, set_scope) = signal(LabelScope::Application);
    let (description, set_description) = signal(String::new());
    // What the last value rename changed; here rather than in the card, which a rename re-creates.
    let notice = RwSignal::new(None::<String>);
    let key_error = move || {
        let key = key.get();
        if key.is_empty() {
            return None;
        }
        if let Err(err) = labels::check_key(key.trim()) {
            return Some(err.to_string());
        }
        studio
            .with(|d| d.taxonomy.iter().any(|k| k.key == key.trim()))
            .then(|| format!("the key `{}` is already in the taxonomy", key.trim()))
    };
    let add_key = move || {
        let name = key.get_untracked().trim().to_owned();
        if name.is_empty() || key_error().is_some() {
            return;
        }
        let description = description.get_untracked().trim().to_owned();
        let scope = scope.get_untracked();
        studio.edit(format!("add label key {name}"), |design| {
            design.taxonomy.push(LabelKey {
                key: name,
                description: (!description.is_empty()).then_some(description),
                values: Vec::new(),
                scope,
                colour: None,
            });
        });
        set_key.set(String::new());
        set_description.set(String::new());
        // Each key starts from the usual scope: keeping the last choice silently gave the next keys
        // the scope of the previous one.
        set_scope.set(LabelScope::Application);
    };
    view! {
        <section class="taxonomy-view">
            <header class="view-header">
                <h1>"Label taxonomy"</h1>
                <p class="notice" role="status">{move || notice.get()}</p>
            </header>
            <form
                class="add-key card"
                on:submit=move |ev| {
                    ev.prevent_default();
                    add_key();
                }
            >
                <label>
                    "Label key"
                    <input
                        aria-label="New label key"
                        class="code"
                        placeholder="team or example.com/team"
                        prop:value=key
                        aria-invalid=move || key_error().is_some().to_string()
                        on:input=move |ev| set_key.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Scope"
                    <select
                        aria-label="Scope"
                        on:change=move |ev| {
                            if let Some(s) = scope_named(&event_target_value(&ev)) {
                                set_scope.set(s);
                            }
                        }
                    >
                        {SCOPES
                            .iter()
                            .map(|(s, n)| {
                                let s = *s;
                                view! {
                                    <option value=*n selected=s == LabelScope::Application prop:selected=move || scope.get() == s>
                                        {*n}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label class="grow">
                    "Description"
                    <input
                        aria-label="Description"
                        prop:value=description
                        on:input=move |ev| set_description.set(event_target_value(&ev))
                    />
                </label>
                <button
                    type="submit"
                    class="primary"
                    disabled=move || key.get().trim().is_empty() || key_error().is_some()
                >
                    "Add key"
                </button>
                <p class="error field-error" role="alert">{key_error}</p>
            </form>
            <div class="taxonomy" role="list" aria-label="Label keys">
                {move || {
                    studio
                        .with(|d| d.taxonomy.clone())
                        .into_iter()
                        .enumerate()
                        .map(|(index, entry)| view! { <KeyCard index=index entry=entry notice=notice/> })
                        .collect_view()
                }}
            </div>
        </section>
    }
}

/// One label key: its values (with usage counts) and a field to add a value.
#[component]
fn KeyCard(index: usize, entry: LabelKey, notice: RwSignal<Option<String>>) -> impl IntoView {
    let studio = use_studio();
    let (value, set_value) = signal(String::new());
    let values = entry.values.clone();
    let value_error = {
        let values = values.clone();
        move || {
            let v = value.get();
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            if let Err(err) = labels::check_value(v) {
                return Some(err.to_string());
            }
            values
                .iter()
                .any(|x| x == v)
                .then(|| format!("`{v}` is already allowed"))
        }
    };
    let add_value = {
        let value_error = value_error.clone();
        move || {
            let v = value.get_untracked().trim().to_owned();
            if v.is_empty() || value_error().is_some() {
                return;
            }
            studio.edit(format!("add value {v}"), |design| {
                if let Some(k) = design.taxonomy.get_mut(index) {
                    k.values.push(v);
                }
            });
            set_value.set(String::new());
        }
    };
    let key = entry.key.clone();
    let key_usage = {
        let key = key.clone();
        move || studio.with(|d| label_usage(d, &key, None))
    };
    let invalid = value_error.clone();
    let disabled = value_error.clone();
    view! {
        <article class="card key-card" role="listitem" data-key=key.clone()>
            <header class="key-header">
                <code class="key-name" title=key.clone()>{key.clone()}</code>
                <ScopeSelect index=index key=key.clone() scope=entry.scope/>
                <span class="muted usage">{move || format!("used by {}", key_usage())}</span>
                <button
                    class="remove"
                    aria-label=format!("Remove key {key}")
                    on:click={
                        let removed = format!("remove label key {key}");
                        move |_| {
                        studio.edit(removed.clone(), |design| {
                            if index < design.taxonomy.len() {
                                design.taxonomy.remove(index);
                            }
                        });
                        }
                    }
                >
                    "✕"
                </button>
            </header>
            {entry.description.clone().map(|d| view! { <p class="muted">{d}</p> })}
            <ul class="values">
                {if values.is_empty() {
                    view! { <li class="muted">"any value"</li> }.into_any()
                } else {
                    values
                        .iter()
                        .map(|v| {
                            view! { <ValueChip key=key.clone() value=v.clone() siblings=values.clone() notice=notice/> }
                        })
                        .collect_view()
                        .into_any()
                }}
            </ul>
            <form
                class="inline-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    add_value();
                }
            >
                <input
                    aria-label=format!("New value for {}", entry.key)
                    placeholder="value"
                    prop:value=value
                    aria-invalid=move || invalid().is_some().to_string()
                    on:input=move |ev| set_value.set(event_target_value(&ev))
                />
                <button type="submit" disabled=move || value.get().trim().is_empty() || disabled().is_some()>
                    "Add value"
                </button>
            </form>
            <p class="error field-error">{value_error}</p>
        </article>
    }
}

/// A key's scope, editable in place (one undoable edit).
#[component]
fn ScopeSelect(index: usize, key: String, scope: LabelScope) -> impl IntoView {
    let studio = use_studio();
    let label = format!("Scope of {key}");
    let change = move |ev| {
        let Some(chosen) = scope_named(&event_target_value(&ev)) else {
            return;
        };
        studio.edit(
            format!("set the scope of {key} to {}", scope_name(chosen)),
            |design| {
                if let Some(k) = design.taxonomy.get_mut(index) {
                    k.scope = chosen;
                }
            },
        );
    };
    view! {
        <select class=format!("badge scope-select scope-{}", scope_name(scope)) aria-label=label on:change=change>
            {SCOPES
                .iter()
                .map(|(s, n)| {
                    let chosen = *s == scope;
                    view! { <option value=*n selected=chosen prop:selected=chosen>{*n}</option> }
                })
                .collect_view()}
        </select>
    }
}

/// One allowed value: its usage count, and renaming it everywhere the design uses it
/// (`netpol_core::design::rename_label_value`, one undoable edit).
#[component]
fn ValueChip(
    key: String,
    value: String,
    siblings: Vec<String>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let studio = use_studio();
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(value.clone());
    let failure = RwSignal::new(None::<String>);
    let count = {
        let (key, value) = (key.clone(), value.clone());
        move || studio.with(|d| label_usage(d, &key, Some(&value)))
    };
    let error = {
        let value = value.clone();
        move || {
            let to = draft.get();
            let to = to.trim();
            if to == value || to.is_empty() {
                return None;
            }
            if let Err(err) = labels::check_value(to) {
                return Some(err.to_string());
            }
            siblings
                .iter()
                .any(|s| s == to)
                .then(|| format!("`{to}` is already allowed"))
        }
    };
    let rename = {
        let (key, value, error) = (key.clone(), value.clone(), error.clone());
        move || {
            let to = draft.get_untracked().trim().to_owned();
            if to.is_empty() || to == value || error().is_some() {
                return;
            }
            let mut outcome = None;
            let name = format!("rename {key}={value} to {to}");
            studio.edit(name, |d| {
                outcome = Some(design::rename_label_value(d, &key, &value, &to))
            });
            match outcome {
                Some(Ok(count)) => {
                    let mut parts = vec![
                        crate::count::count(count.selectors, "selector"),
                        crate::count::count(count.labels, "label"),
                    ];
                    let mut message = String::new();
                    if count.environment {
                        parts.push(format!("environment {value}"));
                        if count.annotations > 0 {
                            parts.push(crate::count::count(
                                count.annotations,
                                "environment annotation",
                            ));
                        }
                        // The clusters keep their labels: say which ones the environment still selects.
                        let clusters = studio.with_untracked(|d| {
                            d.environments
                                .iter()
                                .find(|e| e.name == to)
                                .map(|e| {
                                    e.cluster_selector
                                        .iter()
                                        .map(|(k, v)| format!("{k}={v}"))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                })
                                .unwrap_or_default()
                        });
                        message = if clusters.is_empty() {
                            format!(". The Fleet environment is now {to}")
                        } else {
                            format!(
                                ". The Fleet environment is now {to}; its clusters are still the ones labelled {clusters}"
                            )
                        };
                    }
                    notice.set(Some(format!(
                        "Renamed {value} → {to} ({key}): {} changed ({}){message}",
                        crate::count::count(count.places(), "place"),
                        parts.join(", "),
                    )));
                }
                Some(Err(err)) => failure.set(Some(err.to_string())),
                None => {}
            }
        }
    };
    let (attr, shown) = (value.clone(), value.clone());
    let (invalid, disabled, shown_error) = (error.clone(), error.clone(), error.clone());
    let field_label = format!("New name for value {value} of {key}");
    view! {
        <li class="value-chip" class:editing=move || editing.get() data-value=attr>
            <Show
                when=move || editing.get()
                fallback={
                    let (shown, key, value) = (shown.clone(), key.clone(), value.clone());
                    move || {
                        view! {
                            {shown.clone()}
                            <span class="count">{count.clone()}</span>
                            <button
                                class="chip-edit"
                                title="Rename this value everywhere the design uses it"
                                aria-label=format!("Rename value {value} of {key}")
                                on:click=move |_| editing.set(true)
                            >
                                "✎"
                            </button>
                        }
                    }
                }
            >
                <form
                    class="value-rename"
                    on:submit={
                        let rename = rename.clone();
                        move |ev| {
                            ev.prevent_default();
                            rename();
                        }
                    }
                >
                    <input
                        class="code"
                        aria-label=field_label.clone()
                        prop:value=draft
                        aria-invalid={
                            let invalid = invalid.clone();
                            move || invalid().is_some().to_string()
                        }
                        on:input=move |ev| draft.set(event_target_value(&ev))
                    />
                    <button
                        type="submit"
                        class="primary"
                        disabled={
                            let disabled = disabled.clone();
                            move || draft.get().trim().is_empty() || disabled().is_some()
                        }
                    >
                        "Rename"
                    </button>
                    <button type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                </form>
            </Show>
            {move || {
                shown_error()
                    .or_else(|| failure.get())
                    .map(|e| view! { <span class="error chip-error" role="alert">{e}</span> })
            }}
        </li>
    }
}
