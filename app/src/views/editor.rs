//! The policy editor: a form beside the live YAML of one Calico policy. Both edit the same policy in
//! the design. The YAML is parsed by `netpol_core::yaml` as the user types; while it does not parse,
//! the errors show at their line and column and the text stays as typed (the design keeps the last
//! good version).

use leptos::prelude::*;
use netpol_core::model::{
    Action, CalicoPolicy, CalicoPolicyKind, PolicyType, Port, Protocol, Resource, Rule,
};
use netpol_core::selector::Selector;
use netpol_core::yaml::{self, Diagnostic, ExportOptions};

use crate::routes::use_fragment;

mod cluster;
mod typing;
use crate::state::{Studio, use_studio};
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

/// Which policy the editor holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selected {
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
            </header>
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
            <div class="editor-form">
                {move || policy.get().map(|p| view! { <PolicyForm policy=p index=index/> })}
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

/// Applies `change` to `design.policies[index]` as one undoable edit.
fn edit_policy(studio: Studio, index: usize, change: impl FnOnce(&mut CalicoPolicy)) {
    let name = studio.with_untracked(|design| {
        design
            .policies
            .get(index)
            .map_or_else(String::new, |p| p.metadata.name.clone())
    });
    studio.edit(format!("edit policy {name}"), |design| {
        if let Some(slot) = design.policies.get_mut(index) {
            change(slot);
        }
    });
}

/// The selector's syntax error, if any (an empty selector is `all()`).
fn selector_error(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return None;
    }
    Selector::parse(text).err().map(|err| {
        let span = err.span();
        format!("column {}: {}", span.start + 1, err.message())
    })
}

const KINDS: [CalicoPolicyKind; 4] = [
    CalicoPolicyKind::GlobalNetworkPolicy,
    CalicoPolicyKind::NetworkPolicy,
    CalicoPolicyKind::StagedGlobalNetworkPolicy,
    CalicoPolicyKind::StagedNetworkPolicy,
];

/// The form half of the editor.
#[component]
fn PolicyForm(policy: CalicoPolicy, index: usize) -> impl IntoView {
    let studio = use_studio();
    let tiers: Vec<String> = studio.with_untracked(|design| {
        netpol_core::board::columns(design)
            .into_iter()
            .map(|c| c.name)
            .collect()
    });
    let tier = policy.tier().to_owned();
    let selector = policy.spec.selector.clone().unwrap_or_default();
    let (selector_text, set_selector_text) = signal(selector.clone());
    let types = policy.spec.effective_types();
    let staged = policy.kind.is_staged();
    let order = policy.spec.order.map(|o| o.to_string()).unwrap_or_default();
    let ingress = policy.spec.ingress.clone();
    let egress = policy.spec.egress.clone();
    view! {
        <form class="policy-form" on:submit=|ev| ev.prevent_default()>
            <label>
                "Name"
                <input
                    aria-label="Policy name"
                    prop:value=policy.metadata.name.clone()
                    on:change=move |ev| {
                        let name = event_target_value(&ev);
                        edit_policy(studio, index, |p| p.metadata.name = name);
                    }
                />
            </label>
            <label>
                "Kind"
                <select
                    aria-label="Kind"
                    on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        if let Some(kind) = KINDS.into_iter().find(|k| k.as_str() == chosen) {
                            edit_policy(studio, index, |p| {
                                if kind.is_namespaced() && p.metadata.namespace.is_none() {
                                    p.metadata.namespace = Some("default".to_owned());
                                }
                                if !kind.is_namespaced() {
                                    p.metadata.namespace = None;
                                }
                                p.kind = kind;
                            });
                        }
                    }
                >
                    {KINDS
                        .into_iter()
                        .map(|k| view! { <option value=k.as_str() selected=k == policy.kind prop:selected=k == policy.kind>{k.as_str()}</option> })
                        .collect_view()}
                </select>
            </label>
            {policy.kind.is_namespaced().then(|| {
                view! {
                    <label>
                        "Namespace"
                        <input
                            aria-label="Namespace"
                            prop:value=policy.metadata.namespace.clone().unwrap_or_default()
                            on:change=move |ev| {
                                let ns = event_target_value(&ev);
                                edit_policy(studio, index, |p| p.metadata.namespace = Some(ns));
                            }
                        />
                    </label>
                }
            })}
            <label>
                "Tier"
                <select
                    aria-label="Tier"
                    on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        edit_policy(studio, index, |p| p.spec.tier = Some(chosen));
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
            <label>
                "Order"
                <input
                    aria-label="Order"
                    inputmode="decimal"
                    prop:value=order
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        let order = text.trim().parse::<f64>().ok().filter(|o| o.is_finite());
                        edit_policy(studio, index, |p| p.spec.order = order);
                    }
                />
            </label>
            <label class="wide">
                "Selector"
                <input
                    aria-label="Selector"
                    class="code"
                    prop:value=selector
                    aria-invalid=move || selector_error(&selector_text.get()).is_some().to_string()
                    on:input=move |ev| set_selector_text.set(event_target_value(&ev))
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        if selector_error(&text).is_none() {
                            edit_policy(studio, index, |p| {
                                p.spec.selector = (!text.trim().is_empty()).then(|| text.trim().to_owned());
                            });
                        }
                    }
                />
                <span class="error field-error">{move || selector_error(&selector_text.get())}</span>
            </label>
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
                                        edit_policy(studio, index, |p| {
                                            let mut types = p.spec.effective_types();
                                            types.retain(|x| *x != t);
                                            if checked {
                                                types.push(t);
                                            }
                                            types.sort();
                                            p.spec.types = types;
                                        });
                                    }
                                />
                                {label}
                            </label>
                        }
                    })
                    .collect_view()}
                <label class="check">
                    <input
                        type="checkbox"
                        aria-label="Staged"
                        prop:checked=staged
                        on:change=move |ev| {
                            let checked = event_target_checked(&ev);
                            edit_policy(studio, index, |p| {
                                p.kind = match (p.kind.is_namespaced(), checked) {
                                    (true, true) => CalicoPolicyKind::StagedNetworkPolicy,
                                    (true, false) => CalicoPolicyKind::NetworkPolicy,
                                    (false, true) => CalicoPolicyKind::StagedGlobalNetworkPolicy,
                                    (false, false) => CalicoPolicyKind::GlobalNetworkPolicy,
                                };
                            });
                        }
                    />
                    "Staged"
                </label>
            </fieldset>
            <RulesEditor index=index direction=PolicyType::Ingress rules=ingress/>
            <RulesEditor index=index direction=PolicyType::Egress rules=egress/>
        </form>
    }
}

/// The rules of `policy` in `direction`.
fn rules_mut(policy: &mut CalicoPolicy, direction: PolicyType) -> &mut Vec<Rule> {
    if direction == PolicyType::Ingress {
        &mut policy.spec.ingress
    } else {
        &mut policy.spec.egress
    }
}

/// The rules of one direction: action, protocol, peer selectors and destination ports.
#[component]
fn RulesEditor(index: usize, direction: PolicyType, rules: Vec<Rule>) -> impl IntoView {
    let studio = use_studio();
    let title = if direction == PolicyType::Ingress {
        "Ingress rules"
    } else {
        "Egress rules"
    };
    view! {
        <fieldset class="rules">
            <legend>{title}</legend>
            <table>
                <thead>
                    <tr><th>"Action"</th><th>"Protocol"</th><th>"Source selector"</th><th>"Destination selector"</th><th>"Ports"</th><th></th></tr>
                </thead>
                <tbody>
                    {rules
                        .into_iter()
                        .enumerate()
                        .map(|(i, rule)| {
                            let ports = rule.destination.ports.iter().map(Port::to_string).collect::<Vec<_>>().join(", ");
                            view! {
                                <tr>
                                    <td>
                                        <select
                                            aria-label=format!("{title} {} action", i + 1)
                                            on:change=move |ev| {
                                                let action = match event_target_value(&ev).as_str() {
                                                    "Deny" => Action::Deny,
                                                    "Pass" => Action::Pass,
                                                    "Log" => Action::Log,
                                                    _ => Action::Allow,
                                                };
                                                edit_policy(studio, index, |p| if let Some(r) = rules_mut(p, direction).get_mut(i) { r.action = action });
                                            }
                                        >
                                            {[Action::Allow, Action::Deny, Action::Pass, Action::Log]
                                                .into_iter()
                                                .map(|a| view! { <option value=a.as_str() selected=a == rule.action prop:selected=a == rule.action>{a.as_str()}</option> })
                                                .collect_view()}
                                        </select>
                                    </td>
                                    <td>
                                        <input
                                            aria-label=format!("{title} {} protocol", i + 1)
                                            prop:value=rule.protocol.map(|p| p.to_string()).unwrap_or_default()
                                            on:change=move |ev| {
                                                let text = event_target_value(&ev);
                                                let protocol = text.trim().parse::<Protocol>().ok();
                                                edit_policy(studio, index, |p| if let Some(r) = rules_mut(p, direction).get_mut(i) { r.protocol = protocol });
                                            }
                                        />
                                    </td>
                                    <td>
                                        <input
                                            class="code"
                                            aria-label=format!("{title} {} source selector", i + 1)
                                            prop:value=rule.source.selector.clone().unwrap_or_default()
                                            on:change=move |ev| {
                                                let text = event_target_value(&ev);
                                                if selector_error(&text).is_none() {
                                                    edit_policy(studio, index, |p| if let Some(r) = rules_mut(p, direction).get_mut(i) {
                                                        r.source.selector = (!text.trim().is_empty()).then(|| text.trim().to_owned());
                                                    });
                                                }
                                            }
                                        />
                                    </td>
                                    <td>
                                        <input
                                            class="code"
                                            aria-label=format!("{title} {} destination selector", i + 1)
                                            prop:value=rule.destination.selector.clone().unwrap_or_default()
                                            on:change=move |ev| {
                                                let text = event_target_value(&ev);
                                                if selector_error(&text).is_none() {
                                                    edit_policy(studio, index, |p| if let Some(r) = rules_mut(p, direction).get_mut(i) {
                                                        r.destination.selector = (!text.trim().is_empty()).then(|| text.trim().to_owned());
                                                    });
                                                }
                                            }
                                        />
                                    </td>
                                    <td>
                                        <input
                                            aria-label=format!("{title} {} ports", i + 1)
                                            prop:value=ports
                                            on:change=move |ev| {
                                                let text = event_target_value(&ev);
                                                let parsed: Result<Vec<Port>, _> = text
                                                    .split(',')
                                                    .map(str::trim)
                                                    .filter(|s| !s.is_empty())
                                                    .map(str::parse::<Port>)
                                                    .collect();
                                                if let Ok(ports) = parsed {
                                                    edit_policy(studio, index, |p| if let Some(r) = rules_mut(p, direction).get_mut(i) { r.destination.ports = ports });
                                                }
                                            }
                                        />
                                    </td>
                                    <td>
                                        <button
                                            type="button"
                                            aria-label=format!("Remove {title} {}", i + 1)
                                            on:click=move |_| edit_policy(studio, index, |p| {
                                                let rules = rules_mut(p, direction);
                                                if i < rules.len() {
                                                    rules.remove(i);
                                                }
                                            })
                                        >
                                            "✕"
                                        </button>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <button
                type="button"
                on:click=move |_| edit_policy(studio, index, |p| rules_mut(p, direction).push(Rule::new(Action::Allow)))
            >
                {format!("Add {}", if direction == PolicyType::Ingress { "ingress rule" } else { "egress rule" })}
            </button>
        </fieldset>
    }
}
