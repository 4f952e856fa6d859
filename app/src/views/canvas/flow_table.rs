//! The drawn flows as a table, editable with the keyboard alone: each row's protocol, ports and tier
//! are form controls (a change is one undoable edit through `netpol_core::canvas::update_flow`, which
//! rewrites the egress and ingress rules together), and Delete (the key on a row, or the button)
//! removes the flow through `remove_flow`. Focus stays on the edited control across the re-render.

use std::str::FromStr;

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use netpol_core::canvas::{Edge, FlowChange, FlowKey, remove_flow, update_flow};
use netpol_core::model::{Port, Protocol};

use super::Shared;
use crate::count::count;
use crate::state::{Studio, use_studio};
use crate::views::focus_later;

/// The protocols a flow can be drawn for.
pub const PROTOCOLS: [&str; 4] = ["TCP", "UDP", "SCTP", "ICMP"];

/// `8443, 9000:9100` (commas or spaces) as ports.
pub fn parse_ports(text: &str) -> Result<Vec<Port>, String> {
    text.split([',', ' '])
        .filter(|p| !p.trim().is_empty())
        .map(|p| Port::from_str(p.trim()).map_err(|err| err.to_string()))
        .collect()
}

fn ports_text(ports: &[Port]) -> String {
    ports
        .iter()
        .map(Port::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The table's status line: what the last edit did, or why it was refused.
type Message = RwSignal<Option<Result<String, String>>>;

/// Applies `change` to the flow `key`; on success focuses `field` of the flow's new row.
fn edit(
    studio: Studio,
    canvas: Memo<Shared>,
    message: Message,
    key: &FlowKey,
    change: FlowChange,
    field: &str,
) {
    let mut outcome = None;
    let name = format!("change flow {} → {}", key.from, key.to);
    studio.edit(name, |design| {
        outcome = Some(update_flow(design, key, &change))
    });
    match outcome {
        Some(Ok(_)) => {
            let index = canvas.get_untracked().0.edges.iter().position(|e| {
                e.from == key.from
                    && e.to == key.to
                    && e.protocol == change.protocol
                    && e.ports == change.ports
            });
            message.set(Some(Ok(
                "Flow updated: both of its rules were rewritten.".to_owned()
            )));
            if let Some(index) = index {
                focus_later(format!(
                    ".flow-table tr[data-flow=\"{index}\"] [data-field=\"{field}\"]"
                ));
            }
        }
        Some(Err(err)) => message.set(Some(Err(err.to_string()))),
        None => {}
    }
}

/// Removes the flow `key` (row `index`) and moves focus to the row that takes its place.
fn delete(
    studio: Studio,
    canvas: Memo<Shared>,
    message: Message,
    selected: RwSignal<Option<usize>>,
    key: &FlowKey,
    index: usize,
) {
    let mut outcome = None;
    let name = format!("delete flow {} → {}", key.from, key.to);
    studio.edit(name, |design| outcome = Some(remove_flow(design, key)));
    match outcome {
        Some(Ok(removed)) => {
            let mut text = format!("Flow removed ({}).", count(removed.rules, "rule"));
            for name in &removed.removed_policies {
                text.push_str(&format!(
                    " Removed the policy {name}, which had no rule left."
                ));
            }
            for (name, direction) in &removed.narrowed {
                text.push_str(&format!(
                    " {name} no longer applies to {direction:?} (no rule left)."
                ));
            }
            selected.set(None);
            message.set(Some(Ok(text)));
            let left = canvas.get_untracked().0.edges.len();
            if left == 0 {
                focus_later(".flow-table-section h3".to_owned());
            } else {
                let row = index.min(left - 1);
                focus_later(format!(
                    ".flow-table tr[data-flow=\"{row}\"] [data-field=\"delete\"]"
                ));
            }
        }
        Some(Err(err)) => message.set(Some(Err(err.to_string()))),
        None => {}
    }
}

/// One row of the table.
fn row(
    index: usize,
    edge: &Edge,
    names: (String, String),
    tiers: Vec<String>,
    canvas: Memo<Shared>,
    selected: RwSignal<Option<usize>>,
    message: Message,
) -> impl IntoView {
    let studio = use_studio();
    let (src, dst) = names;
    let flow = format!("{src} to {dst}");
    let key = edge.key();
    let tier = edge.tiers.first().cloned().unwrap_or_default();
    let (protocol, ports) = (edge.protocol, edge.ports.clone());
    let (k1, k2, k3, k4, k5) = (key.clone(), key.clone(), key.clone(), key.clone(), key);
    let (tier1, tier2) = (tier.clone(), tier.clone());
    let ports1 = ports.clone();
    let commit_ports = move |text: String, key: &FlowKey| match parse_ports(&text) {
        Ok(parsed) if parsed == key.ports => {}
        Ok(parsed) => edit(
            studio,
            canvas,
            message,
            key,
            FlowChange {
                protocol,
                ports: parsed,
                tier: tier2.clone(),
            },
            "ports",
        ),
        Err(err) => message.set(Some(Err(err))),
    };
    let commit_ports_enter = commit_ports.clone();
    let tier_options = tiers
        .into_iter()
        .map(|t| {
            let selected = t == tier;
            view! { <option value=t.clone() selected=selected>{t.clone()}</option> }
        })
        .collect_view();
    view! {
        <tr
            data-flow=index
            class:selected=move || selected.get() == Some(index)
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                // Delete removes the flow, except while typing in the ports field.
                let typing = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                    .is_some();
                if ev.key() == "Delete" && !typing {
                    ev.prevent_default();
                    delete(studio, canvas, message, selected, &k4, index);
                }
            }
        >
            <th scope="row">{src.clone()}</th>
            <td>{dst.clone()}</td>
            <td>
                <select
                    data-field="protocol"
                    aria-label=format!("Protocol of {flow}")
                    on:change=move |ev| {
                        let Ok(chosen) = Protocol::from_str(&event_target_value(&ev)) else { return };
                        // A protocol without ports takes none.
                        let ports = if chosen.has_ports() { ports1.clone() } else { Vec::new() };
                        edit(studio, canvas, message, &k1, FlowChange { protocol: chosen, ports, tier: tier1.clone() }, "protocol");
                    }
                >
                    {PROTOCOLS
                        .iter()
                        .map(|p| view! { <option value=*p selected=protocol.to_string() == *p>{*p}</option> })
                        .collect_view()}
                </select>
            </td>
            <td>
                <input
                    data-field="ports"
                    class="flow-ports"
                    aria-label=format!("Ports of {flow}")
                    aria-describedby="flow-table-help"
                    placeholder="every port"
                    value=ports_text(&ports)
                    disabled=!protocol.has_ports()
                    on:change=move |ev| commit_ports(event_target_value(&ev), &k2)
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            commit_ports_enter(event_target_value(&ev), &k3);
                        }
                    }
                />
            </td>
            <td>
                <select
                    data-field="tier"
                    aria-label=format!("Tier of {flow}")
                    on:change={
                        let key = k5.clone();
                        let ports = ports.clone();
                        move |ev| {
                            let change = FlowChange { protocol, ports: ports.clone(), tier: event_target_value(&ev) };
                            edit(studio, canvas, message, &key, change, "tier");
                        }
                    }
                >
                    {tier_options}
                </select>
                {(edge.tiers.len() > 1).then(|| view! { <span class="muted">{format!(" (rules in {})", edge.tiers.join(", "))}</span> })}
                {edge.staged.then(|| view! { <span class="badge staged">"staged"</span> })}
            </td>
            <td>
                <span class=format!("badge verdict {}", edge.verdict.as_str())>{edge.verdict.describe()}</span>
            </td>
            <td class="flow-actions">
                <button data-field="explain" aria-label=format!("Explain {flow}") on:click=move |_| selected.set(Some(index))>
                    "Explain"
                </button>
                <button
                    data-field="delete"
                    class="flow-delete"
                    aria-label=format!("Delete flow {flow}")
                    on:click=move |_| delete(studio, canvas, message, selected, &k5, index)
                >
                    "Delete"
                </button>
            </td>
        </tr>
    }
}

/// The drawn flows as a table.
#[component]
pub fn FlowTable(
    canvas: Memo<Shared>,
    selected: RwSignal<Option<usize>>,
    tiers: Memo<Vec<String>>,
) -> impl IntoView {
    let message: Message = RwSignal::new(None);
    view! {
        <section class="flow-table-section" aria-labelledby="flow-table-heading">
            <h3 id="flow-table-heading" tabindex="-1">"Drawn flows"</h3>
            <p id="flow-table-help" class="muted">
                "Change a flow's protocol, ports (Enter to apply) or tier in its row: both of its rules change together. Delete on a row, or its Delete button, removes the flow."
            </p>
            {move || message.get().map(|m| match m {
                Ok(text) => view! { <p class="flow-message ok" role="status">{text}</p> }.into_any(),
                Err(text) => view! { <p class="flow-message error" role="alert">{text}</p> }.into_any(),
            })}
            <table class="flow-table">
                <thead>
                    <tr>
                        <th scope="col">"Source"</th>
                        <th scope="col">"Destination"</th>
                        <th scope="col">"Protocol"</th>
                        <th scope="col">"Ports"</th>
                        <th scope="col">"Tier"</th>
                        <th scope="col">"Verdict"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let canvas_now = canvas.get().0;
                        let tier_names = tiers.get();
                        if canvas_now.edges.is_empty() {
                            return view! {
                                <tr>
                                    <td colspan="7" class="muted">"No flow drawn yet."</td>
                                </tr>
                            }
                                .into_any();
                        }
                        let label = |id: &str| {
                            canvas_now.node(id).map(|n| n.label.clone()).unwrap_or_else(|| id.to_owned())
                        };
                        canvas_now
                            .edges
                            .iter()
                            .enumerate()
                            .map(|(i, edge)| {
                                let names = (label(&edge.from), label(&edge.to));
                                row(i, edge, names, tier_names.clone(), canvas, selected, message)
                            })
                            .collect_view()
                            .into_any()
                    }}
                </tbody>
            </table>
        </section>
    }
}
