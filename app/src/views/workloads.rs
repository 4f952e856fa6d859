//! The Namespaces & workloads view: a card per namespace and per workload group, with labels picked
//! from the taxonomy (free labels allowed and flagged), service accounts and named container ports.
//! Names and labels are checked as the user types with core's validators (`netpol_core::design`,
//! `netpol_core::labels`); every change is one Studio edit, so undo, redo and autosave cover it.

mod labels;
mod ports;

use leptos::prelude::*;
use netpol_core::design::{self, Design, DesignNamespace, WorkloadGroup};
use netpol_core::model::WorkloadKind;

use crate::count::count;
use crate::state::use_studio;
use labels::{LabelEditor, LabelTarget, TaxonomyLabels};
use ports::{PortsEditor, ServiceAccountField};

/// The workload kinds offered, most common first.
const KINDS: [WorkloadKind; 7] = [
    WorkloadKind::Deployment,
    WorkloadKind::StatefulSet,
    WorkloadKind::DaemonSet,
    WorkloadKind::Job,
    WorkloadKind::CronJob,
    WorkloadKind::ReplicaSet,
    WorkloadKind::Pod,
];

fn kind_named(name: &str) -> Option<WorkloadKind> {
    KINDS.into_iter().find(|k| k.as_str() == name)
}

/// The workload group `name` of `namespace`, for an edit.
fn group_mut<'d>(
    design: &'d mut Design,
    namespace: &str,
    name: &str,
) -> Option<&'d mut WorkloadGroup> {
    design
        .namespaces
        .iter_mut()
        .find(|n| n.name == namespace)?
        .workloads
        .iter_mut()
        .find(|w| w.name == name)
}

/// The problem with `text` as typed (`None` while empty or when `check` accepts it).
fn typed_error<E: std::fmt::Display>(
    text: &str,
    check: impl FnOnce(&str) -> Result<(), E>,
) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    check(text).err().map(|err| err.to_string())
}

/// The Namespaces & workloads view.
#[component]
pub fn WorkloadsView() -> impl IntoView {
    let studio = use_studio();
    let (name, set_name) = signal(String::new());
    let name_error = move || {
        let name = name.get();
        studio.with(|d| typed_error(&name, |n| design::check_new_namespace(d, n)))
    };
    let add = move || {
        let new = name.get_untracked().trim().to_owned();
        if new.is_empty() || name_error().is_some() {
            return;
        }
        studio.edit(format!("add namespace {new}"), |d| {
            let _ = design::add_namespace(d, &new);
        });
        set_name.set(String::new());
    };
    let totals = move || {
        studio.with(|d| {
            let groups: usize = d.namespaces.iter().map(|n| n.workloads.len()).sum();
            format!(
                "{} · {}",
                count(d.namespaces.len(), "namespace"),
                count(groups, "workload group")
            )
        })
    };
    view! {
        <section class="workloads-view">
            <header class="view-header">
                <h1>"Namespaces & workloads"</h1>
                <span class="muted">{totals}</span>
            </header>
            <form
                class="add-namespace card"
                on:submit=move |ev| {
                    ev.prevent_default();
                    add();
                }
            >
                <label>
                    "Namespace"
                    <input
                        aria-label="New namespace name"
                        class="code"
                        placeholder="shop"
                        prop:value=name
                        aria-invalid=move || name_error().is_some().to_string()
                        on:input=move |ev| set_name.set(event_target_value(&ev))
                    />
                </label>
                <button
                    type="submit"
                    class="primary"
                    disabled=move || name.get().trim().is_empty() || name_error().is_some()
                >
                    "Add namespace"
                </button>
                <p class="error field-error" role="alert">{name_error}</p>
            </form>
            <TaxonomyLabels/>
            <div class="namespaces" role="list" aria-label="Namespaces">
                {move || {
                    studio
                        .with(|d| d.namespaces.clone())
                        .into_iter()
                        .map(|ns| view! { <NamespaceCard ns=ns/> })
                        .collect_view()
                }}
            </div>
        </section>
    }
}

/// A name field that renames on commit (Enter or leaving the field), checked as the user types.
#[component]
fn NameField(
    current: String,
    label: String,
    check: Callback<String, Option<String>>,
    rename: Callback<String>,
) -> impl IntoView {
    let (draft, set_draft) = signal(current.clone());
    let error = move || {
        let text = draft.get();
        (text.trim() != current).then(|| check.run(text)).flatten()
    };
    let invalid = error.clone();
    view! {
        <input
            class="name-field code"
            title=move || draft.get()
            aria-label=label
            prop:value=draft
            aria-invalid=move || invalid().is_some().to_string()
            on:input=move |ev| set_draft.set(event_target_value(&ev))
            on:change=move |ev| {
                let text = event_target_value(&ev).trim().to_owned();
                if check.run(text.clone()).is_none() {
                    rename.run(text);
                }
            }
        />
        <p class="error field-error name-error" role="alert">{error}</p>
    }
}

/// One namespace: its name, labels and workload groups.
#[component]
fn NamespaceCard(ns: DesignNamespace) -> impl IntoView {
    let studio = use_studio();
    let name = ns.name.clone();
    let check = {
        let name = name.clone();
        Callback::new(move |text: String| {
            let text = text.trim().to_owned();
            (text != name)
                .then(|| {
                    studio.with_untracked(|d| {
                        typed_error(&text, |t| design::check_new_namespace(d, t))
                    })
                })
                .flatten()
                .or_else(|| {
                    text.is_empty()
                        .then(|| "a namespace needs a name".to_owned())
                })
        })
    };
    let rename = {
        let from = name.clone();
        Callback::new(move |to: String| {
            studio.edit(format!("rename namespace {from} to {to}"), |d| {
                let _ = design::rename_namespace(d, &from, &to);
            })
        })
    };
    let remove = {
        let name = name.clone();
        move |_| {
            studio.edit(format!("delete namespace {name}"), |d| {
                let _ = design::remove_namespace(d, &name);
            })
        }
    };
    let groups = ns.workloads.len();
    view! {
        <article class="card ns-card" role="listitem" data-namespace=name.clone()>
            <header class="ns-header">
                <span class="kind-badge namespace">"Namespace"</span>
                <NameField
                    current=name.clone()
                    label=format!("Name of namespace {name}")
                    check=check
                    rename=rename
                />
                <span class="muted count">
                    {format!("{groups} workload group{}", if groups == 1 { "" } else { "s" })}
                </span>
                <button class="remove" aria-label=format!("Delete namespace {name}") on:click=remove>
                    "Delete"
                </button>
            </header>
            <LabelEditor target=LabelTarget::Namespace(name.clone()) labels=ns.labels.clone()/>
            <div class="workload-grid" role="list" aria-label=format!("Workload groups of {name}")>
                {ns
                    .workloads
                    .iter()
                    .map(|w| view! { <WorkloadCard namespace=name.clone() group=w.clone()/> })
                    .collect_view()}
            </div>
            <AddWorkloadForm namespace=name.clone()/>
        </article>
    }
}

/// The form that adds a workload group to a namespace.
#[component]
fn AddWorkloadForm(namespace: String) -> impl IntoView {
    let studio = use_studio();
    let (name, set_name) = signal(String::new());
    let (kind, set_kind) = signal(WorkloadKind::Deployment);
    let error = {
        let namespace = namespace.clone();
        move || {
            let name = name.get();
            studio.with(|d| {
                typed_error(&name, |n| {
                    design::check_new_workload_group(d, &namespace, n)
                })
            })
        }
    };
    let add = {
        let (namespace, error) = (namespace.clone(), error.clone());
        move || {
            let new = name.get_untracked().trim().to_owned();
            if new.is_empty() || error().is_some() {
                return;
            }
            let kind = kind.get_untracked();
            studio.edit(format!("add workload group {namespace}/{new}"), |d| {
                let _ = design::add_workload_group(d, &namespace, &new, kind);
            });
            set_name.set(String::new());
        }
    };
    let (invalid, disabled) = (error.clone(), error.clone());
    view! {
        <form
            class="inline-form add-workload"
            on:submit=move |ev| {
                ev.prevent_default();
                add();
            }
        >
            <input
                class="code"
                aria-label=format!("New workload group in {namespace}")
                placeholder="workload group"
                prop:value=name
                aria-invalid=move || invalid().is_some().to_string()
                on:input=move |ev| set_name.set(event_target_value(&ev))
            />
            <select
                aria-label=format!("Kind of the new workload group in {namespace}")
                on:change=move |ev| {
                    if let Some(k) = kind_named(&event_target_value(&ev)) {
                        set_kind.set(k);
                    }
                }
            >
                {KINDS.map(|k| view! { <option value=k.as_str()>{k.as_str()}</option> }).collect_view()}
            </select>
            <button type="submit" disabled=move || name.get().trim().is_empty() || disabled().is_some()>
                "Add workload group"
            </button>
        </form>
        <p class="error field-error" role="alert">{error}</p>
    }
}

/// One workload group: name, kind, labels, service account and container ports.
#[component]
fn WorkloadCard(namespace: String, group: WorkloadGroup) -> impl IntoView {
    let studio = use_studio();
    let name = group.name.clone();
    let id = format!("{namespace}/{name}");
    let check = {
        let (namespace, name) = (namespace.clone(), name.clone());
        Callback::new(move |text: String| {
            let text = text.trim().to_owned();
            if text.is_empty() {
                return Some("a workload group needs a name".to_owned());
            }
            (text != name)
                .then(|| {
                    studio.with_untracked(|d| {
                        typed_error(&text, |t| {
                            design::check_new_workload_group(d, &namespace, t)
                        })
                    })
                })
                .flatten()
        })
    };
    let rename = {
        let (namespace, from) = (namespace.clone(), name.clone());
        Callback::new(move |to: String| {
            studio.edit(format!("rename {namespace}/{from} to {to}"), |d| {
                let _ = design::rename_workload_group(d, &namespace, &from, &to);
            })
        })
    };
    let set_kind = {
        let (namespace, name) = (namespace.clone(), name.clone());
        move |ev| {
            let Some(kind) = kind_named(&event_target_value(&ev)) else {
                return;
            };
            studio.edit(format!("change the kind of {namespace}/{name}"), |d| {
                if let Some(g) = group_mut(d, &namespace, &name) {
                    g.kind = kind;
                }
            })
        }
    };
    let remove = {
        let (namespace, name) = (namespace.clone(), name.clone());
        move |_| {
            studio.edit(format!("delete workload group {namespace}/{name}"), |d| {
                let _ = design::remove_workload_group(d, &namespace, &name);
            })
        }
    };
    view! {
        <article class="workload-card" role="listitem" data-workload=id.clone()>
            <header class="workload-header">
                <NameField
                    current=name.clone()
                    label=format!("Name of workload group {id}")
                    check=check
                    rename=rename
                />
                <select aria-label=format!("Kind of {id}") on:change=set_kind>
                    {KINDS
                        .map(|k| {
                            view! { <option value=k.as_str() selected=k == group.kind prop:selected=k == group.kind>{k.as_str()}</option> }
                        })
                        .collect_view()}
                </select>
                <button class="remove" aria-label=format!("Delete workload group {id}") on:click=remove>
                    "✕"
                </button>
            </header>
            <LabelEditor
                target=LabelTarget::Workload {
                    namespace: namespace.clone(),
                    name: name.clone(),
                }
                labels=group.labels.clone()
            />
            <ServiceAccountField
                namespace=namespace.clone()
                group=name.clone()
                current=group.service_account.clone().unwrap_or_default()
            />
            <PortsEditor namespace=namespace.clone() group=name.clone() ports=group.ports.clone()/>
        </article>
    }
}
