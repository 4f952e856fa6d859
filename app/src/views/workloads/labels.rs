//! The labels of a namespace or workload group: chips coloured by their taxonomy key, a warning on
//! labels outside the taxonomy, and one field that takes `key=value` with the taxonomy's labels as
//! suggestions (a free label is allowed and flagged), checked against Kubernetes label syntax as the
//! user types.

use leptos::prelude::*;
use netpol_core::design::{self, Design, LabelStatus};
use netpol_core::labels;
use netpol_core::model::Labels;

use crate::state::use_studio;

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
                    title=format!("{key}={value}")
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

/// The id of the page's list of `key=value` suggestions from the taxonomy ([`TaxonomyLabels`]).
pub const TAXONOMY_LABELS: &str = "taxonomy-labels";

/// Every `key=value` the taxonomy allows (and `key=` for a key that allows any value), offered by
/// each add-label field as it is typed. Rendered once per view.
#[component]
pub fn TaxonomyLabels() -> impl IntoView {
    let studio = use_studio();
    let options = move || {
        studio.with(|d| {
            d.taxonomy
                .iter()
                .flat_map(|k| {
                    if k.values.is_empty() {
                        vec![format!("{}=", k.key)]
                    } else {
                        k.values.iter().map(|v| format!("{}={v}", k.key)).collect()
                    }
                })
                .map(|label| view! { <option value=label></option> })
                .collect_view()
        })
    };
    view! { <datalist id=TAXONOMY_LABELS>{options}</datalist> }
}

/// One field that takes a label as `key=value`, suggesting the taxonomy's labels as it is typed;
/// Enter adds it. A label outside the taxonomy is allowed and flagged.
#[component]
fn AddLabelForm(target: LabelTarget) -> impl IntoView {
    let studio = use_studio();
    let id = target.id();
    let text = RwSignal::new(String::new());
    let parsed = move || {
        let typed = text.get();
        (!typed.trim().is_empty()).then(|| labels::parse_label(&typed))
    };
    let error = move || match parsed() {
        Some(Err(err)) => Some(err.to_string()),
        _ => None,
    };
    let status = move || match parsed() {
        Some(Ok((key, value))) => Some(studio.with(|d| design::label_status(d, &key, &value))),
        _ => None,
    };
    let add = {
        let target = target.clone();
        move || {
            let Some(Ok((key, value))) = parsed() else {
                return;
            };
            let name = format!("add label {key}={value} to {}", target.name());
            studio.edit(name, |d| {
                if let Some(labels) = target.labels_mut(d) {
                    labels.insert(key, value);
                }
            });
            text.set(String::new());
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
            <input
                class="code"
                aria-label=format!("Add a label to {id}")
                placeholder="key=value"
                list=TAXONOMY_LABELS
                autocomplete="off"
                prop:value=text
                aria-invalid=move || error().is_some().to_string()
                on:input=move |ev| text.set(event_target_value(&ev))
            />
            <button type="submit" disabled=move || !matches!(parsed(), Some(Ok(_)))>"Add label"</button>
        </form>
        <p class="label-hint" class:error=move || error().is_some()>
            {move || {
                error()
                    .or_else(|| status().and_then(warning).map(|w| format!("⚠ this label is {w}: it is allowed, but the lints will flag it")))
            }}
        </p>
    }
}
