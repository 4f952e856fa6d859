//! The service account and the named container ports of a workload group (what rules' named ports and
//! service-account selectors refer to), checked with core's name validators as the user types.

use leptos::prelude::*;
use netpol_core::design;
use netpol_core::model::{ContainerPort, Protocol};

use super::{group_mut, typed_error};
use crate::state::{Studio, use_studio};

/// The protocols a container port can carry.
const PROTOCOLS: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

fn parse_port(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(format!(
            "the port `{}` must be a number from 1 to 65535",
            text.trim()
        )),
    }
}

fn port_error(text: &str) -> Option<String> {
    typed_error(text, |t| parse_port(t).map(|_| ()))
}

/// The problem with `text` as the name of port `index` (`None`: a new port) among `ports`.
fn name_error(
    ports: StoredValue<Vec<ContainerPort>>,
    index: Option<usize>,
    text: &str,
) -> Option<String> {
    ports.with_value(|ports| typed_error(text, |t| design::check_port_name_in(ports, index, t)))
}

fn protocol_named(text: &str) -> Protocol {
    text.parse().unwrap_or_default()
}

/// The workload group's service account (empty: Kubernetes' `default`).
#[component]
pub fn ServiceAccountField(namespace: String, group: String, current: String) -> impl IntoView {
    let studio = use_studio();
    let id = format!("{namespace}/{group}");
    let (draft, set_draft) = signal(current);
    let error = move || typed_error(&draft.get(), design::check_service_account);
    let commit = move |ev| {
        let text = event_target_value(&ev).trim().to_owned();
        if typed_error(&text, design::check_service_account).is_some() {
            return;
        }
        studio.edit(
            format!("set the service account of {namespace}/{group}"),
            |d| {
                if let Some(g) = group_mut(d, &namespace, &group) {
                    g.service_account = (!text.is_empty()).then_some(text);
                }
            },
        )
    };
    view! {
        <label class="field service-account">
            <span>"Service account"</span>
            <input
                class="code"
                aria-label=format!("Service account of {id}")
                placeholder="default"
                prop:value=draft
                aria-invalid=move || error().is_some().to_string()
                on:input=move |ev| set_draft.set(event_target_value(&ev))
                on:change=commit
            />
        </label>
        <p class="error field-error" role="alert">{error}</p>
    }
}

/// The container ports: a row per port (name, number, protocol) and a row that adds one.
#[component]
pub fn PortsEditor(namespace: String, group: String, ports: Vec<ContainerPort>) -> impl IntoView {
    let id = format!("{namespace}/{group}");
    let siblings = StoredValue::new(ports.clone());
    let rows = ports
        .into_iter()
        .enumerate()
        .map(|(index, port)| {
            view! {
                <PortRow namespace=namespace.clone() group=group.clone() index=index port=port siblings=siblings/>
            }
        })
        .collect_view();
    view! {
        <table class="ports" aria-label=format!("Container ports of {id}")>
            <thead>
                <tr>
                    <th>"Port name"</th>
                    <th>"Port"</th>
                    <th>"Protocol"</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                {rows}
                <NewPortRow namespace=namespace.clone() group=group.clone() siblings=siblings/>
            </tbody>
        </table>
    }
}

/// Applies `change` to port `index` of the group as one edit.
fn edit_port(
    studio: Studio,
    namespace: &str,
    group: &str,
    index: usize,
    change: impl FnOnce(&mut Vec<ContainerPort>, usize),
) {
    studio.edit(format!("edit a port of {namespace}/{group}"), |d| {
        if let Some(g) = group_mut(d, namespace, group)
            && index < g.ports.len()
        {
            change(&mut g.ports, index);
        }
    });
}

#[component]
fn PortRow(
    namespace: String,
    group: String,
    index: usize,
    port: ContainerPort,
    siblings: StoredValue<Vec<ContainerPort>>,
) -> impl IntoView {
    let studio = use_studio();
    let label = |what: &str| format!("Port {} {what} of {namespace}/{group}", index + 1);
    let (name, set_name) = signal(port.name.clone().unwrap_or_default());
    let (number, set_number) = signal(port.port.to_string());
    let error = move || {
        name_error(siblings, Some(index), &name.get()).or_else(|| port_error(&number.get()))
    };
    let commit_name = {
        let (namespace, group) = (namespace.clone(), group.clone());
        move |ev| {
            let text = event_target_value(&ev).trim().to_owned();
            if name_error(siblings, Some(index), &text).is_none() {
                edit_port(studio, &namespace, &group, index, |ports, i| {
                    ports[i].name = (!text.is_empty()).then_some(text);
                });
            }
        }
    };
    let commit_number = {
        let (namespace, group) = (namespace.clone(), group.clone());
        move |ev| {
            if let Ok(number) = parse_port(&event_target_value(&ev)) {
                edit_port(studio, &namespace, &group, index, |ports, i| {
                    ports[i].port = number
                });
            }
        }
    };
    let commit_protocol = {
        let (namespace, group) = (namespace.clone(), group.clone());
        move |ev| {
            let protocol = protocol_named(&event_target_value(&ev));
            edit_port(studio, &namespace, &group, index, |ports, i| {
                ports[i].protocol = protocol;
            });
        }
    };
    let remove = {
        let (namespace, group) = (namespace.clone(), group.clone());
        move |_| {
            edit_port(studio, &namespace, &group, index, |ports, i| {
                ports.remove(i);
            })
        }
    };
    let (name_invalid, number_invalid) = (
        move || {
            name_error(siblings, Some(index), &name.get())
                .is_some()
                .to_string()
        },
        move || port_error(&number.get()).is_some().to_string(),
    );
    view! {
        <tr class="port-row">
            <td>
                <input
                    class="code"
                    aria-label=label("name")
                    placeholder="unnamed"
                    prop:value=name
                    aria-invalid=name_invalid
                    on:input=move |ev| set_name.set(event_target_value(&ev))
                    on:change=commit_name
                />
            </td>
            <td>
                <input
                    class="code port-number"
                    aria-label=label("number")
                    inputmode="numeric"
                    prop:value=number
                    aria-invalid=number_invalid
                    on:input=move |ev| set_number.set(event_target_value(&ev))
                    on:change=commit_number
                />
            </td>
            <td>
                <select aria-label=label("protocol") on:change=commit_protocol>
                    {PROTOCOLS
                        .map(|p| {
                            let text = p.to_string();
                            view! { <option value=text.clone() selected=p == port.protocol prop:selected=p == port.protocol>{text.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </td>
            <td>
                <button class="remove" aria-label=label("remove") on:click=remove>"✕"</button>
            </td>
        </tr>
        <Show when=move || error().is_some()>
            <tr class="port-error">
                <td colspan="4" class="error field-error" role="alert">{error}</td>
            </tr>
        </Show>
    }
}

#[component]
fn NewPortRow(
    namespace: String,
    group: String,
    siblings: StoredValue<Vec<ContainerPort>>,
) -> impl IntoView {
    let studio = use_studio();
    let id = format!("{namespace}/{group}");
    let (name, set_name) = signal(String::new());
    let (number, set_number) = signal(String::new());
    let (protocol, set_protocol) = signal(Protocol::Tcp);
    let error =
        move || name_error(siblings, None, &name.get()).or_else(|| port_error(&number.get()));
    let ready = move || error().is_none() && !number.get().trim().is_empty();
    // The new-port row is a table row, not a form: Enter in any of its fields adds the port.
    let add = Callback::new(move |()| {
        if !ready() {
            return;
        }
        let Ok(port) = parse_port(&number.get_untracked()) else {
            return;
        };
        let text = name.get_untracked().trim().to_owned();
        let port = ContainerPort {
            name: (!text.is_empty()).then_some(text),
            port,
            protocol: protocol.get_untracked(),
        };
        studio.edit(format!("add a port to {namespace}/{group}"), |d| {
            if let Some(g) = group_mut(d, &namespace, &group) {
                g.ports.push(port);
            }
        });
    });
    let on_enter = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" {
            ev.prevent_default();
            add.run(());
        }
    };
    view! {
        <tr class="port-row new-port">
            <td>
                <input
                    class="code"
                    aria-label=format!("New port name for {id}")
                    placeholder="http"
                    prop:value=name
                    aria-invalid=move || name_error(siblings, None, &name.get()).is_some().to_string()
                    on:input=move |ev| set_name.set(event_target_value(&ev))
                    on:keydown=on_enter
                />
            </td>
            <td>
                <input
                    class="code port-number"
                    aria-label=format!("New port number for {id}")
                    inputmode="numeric"
                    placeholder="8080"
                    prop:value=number
                    aria-invalid=move || port_error(&number.get()).is_some().to_string()
                    on:input=move |ev| set_number.set(event_target_value(&ev))
                    on:keydown=on_enter
                />
            </td>
            <td>
                <select
                    aria-label=format!("New port protocol for {id}")
                    on:change=move |ev| set_protocol.set(protocol_named(&event_target_value(&ev)))
                    on:keydown=on_enter
                >
                    {PROTOCOLS
                        .map(|p| view! { <option value=p.to_string()>{p.to_string()}</option> })
                        .collect_view()}
                </select>
            </td>
            <td>
                <button aria-label=format!("Add port to {id}") disabled=move || !ready() on:click=move |_| add.run(())>
                    "Add"
                </button>
            </td>
        </tr>
        <Show when=move || error().is_some()>
            <tr class="port-error">
                <td colspan="4" class="error field-error" role="alert">{error}</td>
            </tr>
        </Show>
    }
}
