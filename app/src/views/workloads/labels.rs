//! The labels of a namespace or workload group: chips coloured by their taxonomy key, a warning on
//! labels outside the taxonomy, and a form that picks a key and an allowed value from the taxonomy (or
//! takes a free label, checked against Kubernetes label syntax as the user types).

use leptos::prelude::*;
use netpol_core::design::{self, Design, LabelStatus};
use netpol_core::labels;
use netpol_core::model::Labels;

use crate::state::use_studio;

/// The key-select option that switches to a free label (never a label key: keys start with a letter or
/// digit).
const FREE: &str = "__free__";

/// Whose labels are edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelTarget {
    Namespace(String),
    Workload { namespace: String, name: String },
}

impl LabelTarget {
    /// The namespace, or `namespace/group`, as the undo history names it.
    fn name(&self) -> String {
        match self {
            LabelTarget::Namespace(name) => name.clone(),
            LabelTarget::Workload { namespace, name } => format!("{namespace}/{name}"),
        }
    }

    fn labels_mut<'d>(&self, design: &'d mut Design) -> Option<&'d mut Labels> {
        match self {
            LabelTarget::Namespace(name) => design
                .namespaces
                .iter_mut()
                .find(|n| n.name == *name)
                .map(|n| &mut n.labels),
            LabelTarget::Workload { namespace, name } => {
                super::group_mut(design, namespace, name).map(|w| &mut w.labels)
            }
        }
    }

    /// How the target is named in accessible labels: `shop` or `shop/web`.
    fn id(&self) -> String {
        match self {
            LabelTarget::Namespace(name) => name.clone(),
            LabelTarget::Workload { namespace, name } => format!("{namespace}/{name}"),
        }
    }
}

/// The warning shown on a label outside the taxonomy.
fn warning(status: LabelStatus) -> Option<&'static str> {
    match status {
        LabelStatus::FreeKey => Some("not in the taxonomy"),
        LabelStatus::ValueNotAllowed => Some("value not in the taxonomy"),
        LabelStatus::Allowed | LabelStatus::Builtin => None,
    }
}

/// The label chips and the add-label form of one namespace or workload group.
#[component]
pub fn LabelEditor(target: LabelTarget, labels: Labels) -> impl IntoView {
    let studio = use_studio();
    let id = target.id();
    let chips = labels
        .into_iter()
        .map(|(key, value)| {
            let (status, colour) = studio.with_untracked(|d| {
                let colour = d
                    .taxonomy
                    .iter()
                    .find(|k| k.key == key)
                    .and_then(|k| k.colour.clone());
                (design::label_status(d, &key, &value), colour)
            });
            let remove = {
                let (target, key) = (target.clone(), key.clone());
                move |_| {
                    studio.edit(format!("remove label {key} from {}", target.name()), |d| {
                        if let Some(labels) = target.labels_mut(d) {
                            labels.remove(&key);
                        }
                    })
                }
            };
            let shown_value = if value.is_empty() {
                "\"\"".to_owned()
            } else {
                value.clone()
            };
            view! {
                <li
                    class="label-chip"
                    class:outside=status.is_outside_taxonomy()
                    class:builtin=status == LabelStatus::Builtin
                    data-label=format!("{key}={value}")
                >
                    <span
                        class="swatch"
                        style:background-color=colour.unwrap_or_else(|| "var(--line)".to_owned())
                    ></span>
                    <code class="label-key">{key.clone()}</code>
                    <span class="eq">"="</span>
                    <code class="label-value">{shown_value}</code>
                    {warning(status).map(|w| view! { <span class="label-warning">"⚠ " {w}</span> })}
                    <button
                        class="chip-remove"
                        aria-label=format!("Remove label {key} from {id}")
                        on:click=remove
                    >
                        "✕"
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="label-editor">
            <ul class="labels" aria-label=format!("Labels of {}", target.id())>{chips}</ul>
            <AddLabelForm target=target/>
        </div>
    }
}

/// Picks a taxonomy key and one of its allowed values, or takes a free label.
#[component]
fn AddLabelForm(target: LabelTarget) -> impl IntoView {
    let studio = use_studio();
    let id = target.id();
    let choice = RwSignal::new(String::new());
    let free_key = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    // The allowed values of the chosen taxonomy key (empty: any value, typed).
    let allowed = move || {
        let key = choice.get();
        studio.with(|d| {
            d.taxonomy
                .iter()
                .find(|k| k.key == key)
                .map(|k| k.values.clone())
                .unwrap_or_default()
        })
    };
    let key = move || {
        let chosen = choice.get();
        if chosen == FREE {
            free_key.get().trim().to_owned()
        } else {
            chosen
        }
    };
    let key_error = move || {
        (choice.get() == FREE)
            .then(|| typed_key_error(&free_key.get()))
            .flatten()
    };
    let value_error = move || {
        labels::check_value(value.get().trim())
            .err()
            .map(|e| e.to_string())
    };
    let status = move || {
        let (key, value) = (key(), value.get());
        (!key.is_empty() && key_error().is_none())
            .then(|| studio.with(|d| design::label_status(d, &key, value.trim())))
    };
    let ready = move || !key().is_empty() && key_error().is_none() && value_error().is_none();
    let add = {
        let target = target.clone();
        move || {
            if !ready() {
                return;
            }
            let (key, value_text) = (key(), value.get_untracked().trim().to_owned());
            let name = format!("add label {key}={value_text} to {}", target.name());
            studio.edit(name, |d| {
                if let Some(labels) = target.labels_mut(d) {
                    labels.insert(key, value_text);
                }
            });
        }
    };
    let on_key = move |ev| {
        let chosen = event_target_value(&ev);
        // A key with allowed values starts on its first value; any other key on an empty field.
        let first = studio.with_untracked(|d| {
            d.taxonomy
                .iter()
                .find(|k| k.key == chosen)
                .and_then(|k| k.values.first().cloned())
        });
        value.set(first.unwrap_or_default());
        choice.set(chosen);
    };
    let key_options = move || {
        studio.with(|d| {
            d.taxonomy
                .iter()
                .map(|k| {
                    let key = k.key.clone();
                    view! { <option value=key.clone() prop:selected=move || choice.get() == key>{k.key.clone()}</option> }
                })
                .collect_view()
        })
    };
    let value_field = {
        let id = id.clone();
        move || {
            let values = allowed();
            if choice.get() != FREE && !values.is_empty() {
                view! {
                    <select
                        aria-label=format!("Label value for {id}")
                        on:change=move |ev| value.set(event_target_value(&ev))
                    >
                        {values
                            .into_iter()
                            .map(|v| {
                                let selected = value.get_untracked() == v;
                                view! { <option value=v.clone() selected=selected prop:selected=selected>{v.clone()}</option> }
                            })
                            .collect_view()}
                    </select>
                }
                .into_any()
            } else {
                view! {
                    <input
                        class="code"
                        aria-label=format!("Label value for {id}")
                        placeholder="value"
                        prop:value=value
                        aria-invalid=move || value_error().is_some().to_string()
                        on:input=move |ev| value.set(event_target_value(&ev))
                    />
                }
                .into_any()
            }
        }
    };
    let free_field = {
        let id = id.clone();
        move || {
            (choice.get() == FREE).then(|| {
                view! {
                    <input
                        class="code"
                        aria-label=format!("Free label key for {id}")
                        placeholder="example.com/key"
                        prop:value=free_key
                        aria-invalid=move || key_error().is_some().to_string()
                        on:input=move |ev| free_key.set(event_target_value(&ev))
                    />
                }
            })
        }
    };
    view! {
        <form
            class="add-label"
            on:submit=move |ev| {
                ev.prevent_default();
                add();
            }
        >
            <select aria-label=format!("Label key for {id}") on:change=on_key>
                <option value="" prop:selected=move || choice.get().is_empty()>"Add a label…"</option>
                {key_options}
                <option value=FREE prop:selected=move || choice.get() == FREE>"Free label (not in the taxonomy)…"</option>
            </select>
            {free_field}
            <Show when=move || !choice.get().is_empty()>
                <span class="eq">"="</span>
                {value_field.clone()}
                <button type="submit" disabled=move || !ready()>"Add label"</button>
            </Show>
        </form>
        <p class="label-hint" class:error=move || key_error().or_else(value_error).is_some()>
            {move || {
                key_error()
                    .or_else(value_error)
                    .or_else(|| status().and_then(warning).map(|w| format!("⚠ this label is {w}: it is allowed, but the lints will flag it")))
            }}
        </p>
    }
}

fn typed_key_error(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    labels::check_key(text).err().map(|e| e.to_string())
}
