//! The frame around the views: the top bar, the navigation, the status line and the keyboard shortcuts.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

use crate::count::{count, counted};
use crate::import::ImportPanel;
use crate::routes::Route;
use crate::state::{Design, SaveState, Studio, environment_names, sample, use_studio};
use netpol_core::design::{baseline, sample_cluster_network_policy};

/// The first Tab stop: takes the keyboard past the top bar and the navigation to the view. It focuses
/// the main element itself instead of following its `#app-main` link, because the URL fragment is
/// the route (`#/board`), which the link would replace.
#[component]
pub fn SkipLink() -> impl IntoView {
    view! {
        <a
            class="skip-link"
            href="#app-main"
            on:click=move |ev| {
                ev.prevent_default();
                crate::views::focus_later("#app-main".to_owned());
            }
        >
            "Skip to the view"
        </a>
    }
}

/// Design name, environment switch, undo/redo, import, export and share.
#[component]
pub fn TopBar() -> impl IntoView {
    let studio = use_studio();
    let (panel, set_panel) = signal(None::<Panel>);
    // Text handed over for import (the editor's "Import instead") opens the Import panel.
    if let Some(pending) = use_context::<crate::import::PendingImport>() {
        Effect::new(move || {
            if pending.0.with(Option::is_some) {
                set_panel.set(Some(Panel::Import));
            }
        });
    }
    let toggle = move |which: Panel| {
        set_panel.update(|open| {
            *open = if *open == Some(which) {
                None
            } else {
                Some(which)
            }
        })
    };
    view! {
        <header class="topbar">
            <span class="brand" aria-hidden="true"></span>
            <input
                class="design-name"
                aria-label="Design name"
                prop:value=move || studio.with(|design| design.name.clone())
                on:change=move |ev| {
                    let name = event_target_value(&ev);
                    studio.edit(format!("rename the design to {name}"), |design| design.name = name);
                }
            />
            // Only for a design that declares environments: for one without, dev/staging/prod would be
            // choices that change nothing.
            <Show when=move || studio.with(|design| !design.environments.is_empty())>
            <label class="env-switch">
                <span>"Environment"</span>
                <select
                    aria-label="Environment"
                    on:change=move |ev| {
                        studio.environment.set(event_target_value(&ev));
                    }
                >
                    {move || {
                        studio
                            .with(environment_names)
                            .into_iter()
                            .map(|env| {
                                let selected = studio.environment.get() == env;
                                view! {
                                    <option value=env.clone() selected=selected prop:selected=selected>
                                        {env.clone()}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            </Show>
            <div class="toolbar" role="toolbar" aria-label="Design">
                <button
                    title=move || match studio.next_undo() {
                        Some(edit) => format!("Undo: {edit} (Ctrl+Z)"),
                        None => "Undo (Ctrl+Z)".to_owned(),
                    }
                    disabled=move || !studio.can_undo()
                    on:click=move |_| studio.undo()
                >
                    "Undo"
                </button>
                <button
                    title=move || match studio.next_redo() {
                        Some(edit) => format!("Redo: {edit} (Ctrl+Shift+Z)"),
                        None => "Redo (Ctrl+Shift+Z)".to_owned(),
                    }
                    disabled=move || !studio.can_redo()
                    on:click=move |_| studio.redo()
                >
                    "Redo"
                </button>
                <button on:click=move |_| toggle(Panel::New)>"New design"</button>
                <button on:click=move |_| toggle(Panel::Import)>"Import"</button>
                <a class="button" href=Route::Export.href()>"Export"</a>
                <button on:click=move |_| toggle(Panel::Share)>"Share"</button>
            </div>
        </header>
        <crate::first_visit::SampleBanner on_new_design=Callback::new(move |()| set_panel.set(Some(Panel::New)))/>
        <crate::first_visit::TourPanel/>
        <Show when=move || panel.get() == Some(Panel::New)>
            <NewDesignPanel on_close=Callback::new(move |()| set_panel.set(None))/>
        </Show>
        <Show when=move || panel.get() == Some(Panel::Import)>
            <ImportPanel on_close=Callback::new(move |()| set_panel.set(None))/>
        </Show>
        <Show when=move || panel.get() == Some(Panel::Share)>
            <section class="panel" aria-label="Share">
                <h2>"Share"</h2>
                <crate::share::SharePanel/>
                <button on:click=move |_| set_panel.set(None)>"Close"</button>
            </section>
        </Show>
    }
}

/// What "New design" starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    Sample,
    SampleClusterNetworkPolicy,
    Baseline,
}

impl Start {
    /// The edit's name in the undo history.
    fn edit_name(self) -> &'static str {
        match self {
            Start::Sample => "start from the sample",
            Start::SampleClusterNetworkPolicy => "start from the sample with ClusterNetworkPolicy",
            Start::Baseline => "start an empty design with the default-deny baseline",
        }
    }

    fn design(self) -> Design {
        match self {
            Start::Sample => sample(),
            Start::SampleClusterNetworkPolicy => sample_cluster_network_policy(),
            Start::Baseline => baseline(),
        }
    }
}

/// Whether the design holds anything a replacement would lose.
fn has_content(design: &Design) -> bool {
    !(design.taxonomy.is_empty()
        && design.namespaces.is_empty()
        && design.tiers.is_empty()
        && design.policies.is_empty()
        && design.kubernetes_policies.is_empty()
        && design.cluster_policies.is_empty()
        && design.network_sets.is_empty())
}

/// "New design": the built-in sample or the empty design with the default-deny baseline. Replacing a
/// design that holds anything asks first; the replacement is one undoable edit.
#[component]
fn NewDesignPanel(on_close: Callback<()>) -> impl IntoView {
    let studio = use_studio();
    let pending = RwSignal::new(None::<Start>);
    let start = move |choice: Start| {
        studio.replace(choice.edit_name(), choice.design());
        pending.set(None);
        on_close.run(());
    };
    let choose = move |choice: Start| {
        if studio.with_untracked(has_content) {
            pending.set(Some(choice));
        } else {
            start(choice);
        }
    };
    let summary = move || {
        studio.with(|d| {
            let policies =
                d.policies.len() + d.kubernetes_policies.len() + d.cluster_policies.len();
            format!(
                "Replace “{}”? Its {} and {} will be replaced. Undo brings them back.",
                d.name,
                count(d.namespaces.len(), "namespace"),
                counted(policies, "policy", "policies"),
            )
        })
    };
    view! {
        <section class="panel new-design" aria-label="New design">
            <h2>"New design"</h2>
            <div class="choices">
                <button class="choice" on:click=move |_| choose(Start::Sample)>
                    <strong>"Start from the sample"</strong>
                    <span class="muted">
                        "A Rancher + Calico zero-trust estate: tiers, a PCI checkout, environments, an Istio mesh."
                    </span>
                </button>
                <button class="choice" on:click=move |_| choose(Start::SampleClusterNetworkPolicy)>
                    <strong>"The sample with ClusterNetworkPolicy (Calico 3.32)"</strong>
                    <span class="muted">
                        "The same estate and verdicts, with DNS and the cross-environment guardrail as Kubernetes ClusterNetworkPolicies in the kube-admin tier."
                    </span>
                </button>
                <button class="choice" on:click=move |_| choose(Start::Baseline)>
                    <strong>"Empty design with the default-deny baseline"</strong>
                    <span class="muted">
                        "A global default deny at order 1000 that leaves the system namespaces out, and DNS to kube-dns allowed on UDP and TCP 53 at order 100."
                    </span>
                </button>
            </div>
            {move || {
                pending
                    .get()
                    .map(|choice| {
                        view! {
                            <div class="confirm" role="alertdialog" aria-label="Replace the design">
                                <p>{summary}</p>
                                <button class="primary danger" on:click=move |_| start(choice)>
                                    "Replace the design"
                                </button>
                                <button on:click=move |_| pending.set(None)>"Keep the current design"</button>
                            </div>
                        }
                    })
            }}
            <div class="panel-actions">
                <button on:click=move |_| on_close.run(())>"Cancel"</button>
            </div>
        </section>
    }
}

/// The panels the top bar opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    New,
    Import,
    Share,
}

/// The navigation between the views.
#[component]
pub fn Nav(route: Memo<Route>) -> impl IntoView {
    view! {
        <nav class="views" aria-label="Views">
            {Route::ALL
                .into_iter()
                .map(|target| {
                    view! {
                        <a
                            href=target.href()
                            class:active=move || route.get() == target
                            aria-current=move || (route.get() == target).then_some("page")
                        >
                            {target.title()}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// Lint counts (the button that opens the findings drawer) and the autosave state.
#[component]
pub fn StatusLine() -> impl IntoView {
    let studio = use_studio();
    let save = move || match studio.save_state.get() {
        SaveState::Saved => "All changes saved in this browser".to_owned(),
        SaveState::Failed(why) => format!("Not saved: {why}"),
    };
    view! {
        <footer class="statusline">
            <crate::findings::FindingsButton/>
            <span
                class="autosave"
                class:failed=move || matches!(studio.save_state.get(), SaveState::Failed(_))
            >
                {save}
            </span>
            {move || {
                studio.unreadable_autosave.get().map(|why| view! {
                    <span class="autosave failed" role="alert">
                        {format!("The design saved in this browser could not be read ({why}); it is kept aside, and the sample is open.")}
                    </span>
                })
            }}
        </footer>
    }
}

/// What the last undo or redo did ("Undid: add tier team-review"), for a few seconds. The element is
/// always in the page, empty when there is nothing to say, so that screen readers announce its text
/// (a live region added together with its text is not announced).
#[component]
pub fn HistoryToast() -> impl IntoView {
    let studio = use_studio();
    Effect::new(move |_| {
        let Some(serial) = studio.history_notice.with(|n| n.as_ref().map(|n| n.serial)) else {
            return;
        };
        set_timeout(
            move || {
                // Only this notice: a later undo's stays its full time.
                if studio
                    .history_notice
                    .with_untracked(|n| n.as_ref().map(|n| n.serial) == Some(serial))
                {
                    studio.history_notice.set(None);
                }
            },
            std::time::Duration::from_secs(6),
        );
    });
    view! {
        <div class="toast" role="status" data-history-toast="">
            {move || studio.history_notice.get().map(|notice| notice.text)}
        </div>
    }
}

/// Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo — except inside text fields, which keep their own undo.
pub fn install_shortcuts(studio: Studio) {
    let _listener = window_event_listener(leptos::ev::keydown, move |ev| {
        if !(ev.ctrl_key() || ev.meta_key()) || in_text_field(&ev) {
            return;
        }
        match (ev.key().to_lowercase().as_str(), ev.shift_key()) {
            ("z", false) => {
                ev.prevent_default();
                studio.undo();
            }
            ("z", true) | ("y", false) => {
                ev.prevent_default();
                studio.redo();
            }
            _ => {}
        }
    });
}

fn in_text_field(ev: &web_sys::KeyboardEvent) -> bool {
    let Some(target) = ev.target() else {
        return false;
    };
    let Ok(element) = target.dyn_into::<web_sys::Element>() else {
        return false;
    };
    matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || element.has_attribute("contenteditable")
}
