//! The Flow canvas: the design's namespaces, workload groups, network sets, DNS and the world as an
//! SVG graph in layers (`netpol_core::canvas`), with pan (drag the background), zoom (wheel or
//! buttons), flows drawn by dragging from one node to another or with the form, and every drawn flow
//! coloured by the verdict the whole design gives it. Clicking an edge (or "Explain" in the table)
//! shows the evaluator's trace. Drawing goes through `netpol_core::canvas::add_flow` as one undoable
//! edit; no verdict is decided here. A flow may instead be written as a cluster guardrail, a
//! ClusterNetworkPolicy rule (`canvas::add_guardrail`), when the design's Calico release enforces
//! them (`canvas::guardrail_unavailable` says why not otherwise).

mod flow_table;

use std::str::FromStr;
use std::sync::Arc;

use leptos::prelude::*;
use netpol_core::board;
use netpol_core::canvas::{
    Canvas, FlowRequest, GuardrailRequest, Node, add_flow, add_guardrail, guardrail_unavailable,
};
use netpol_core::design::Position;
use netpol_core::model::{ClusterAction, ClusterTier, Protocol};

use crate::state::{Studio, use_studio};
use flow_table::{FlowTable, PROTOCOLS, parse_ports};

/// Node box size on the canvas.
const NODE_W: f64 = 190.0;
const NODE_H: f64 = 40.0;
/// The grip at the left of a node, by which it is moved (with the pointer, or the arrow keys when it
/// has the focus).
const GRIP_W: f64 = 16.0;
/// The gap between the grip and the node's label.
const LABEL_GAP: f64 = 6.0;
/// Where the canvas puts node `id` (the origin when it is gone).
fn position_of(canvas: &Shared, id: &str) -> Position {
    canvas
        .0
        .node(id)
        .map_or(Position::default(), |n| n.position)
}

/// How far an arrow key moves a node (Shift: the big step).
const KEY_STEP: f64 = 10.0;
const KEY_STEP_BIG: f64 = 50.0;
const ZOOM_MIN: f64 = 0.2;
const ZOOM_MAX: f64 = 3.0;

/// The computed canvas, shared by pointer (the evaluator inside is not comparable).
#[derive(Clone)]
struct Shared(Arc<Canvas>);

impl PartialEq for Shared {
    fn eq(&self, other: &Shared) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// What a pointer drag is doing.
#[derive(Clone, Debug)]
enum Drag {
    /// Panning: the pointer and the pan offset when it started.
    Pan { x: f64, y: f64, pan: (f64, f64) },
    /// Drawing a flow from a node.
    Connect { from: String },
    /// Moving a node (by its grip, or with Shift): the pointer and the node's position when it
    /// started.
    Move {
        id: String,
        x: f64,
        y: f64,
        origin: Position,
    },
}

/// The canvas view.
#[component]
pub fn CanvasView() -> impl IntoView {
    let studio = use_studio();
    let canvas = Memo::new(move |_| Shared(Arc::new(studio.with(Canvas::of))));
    let tiers = Memo::new(move |_| {
        studio.with(|design| {
            board::columns(design)
                .into_iter()
                .filter(|c| c.valid)
                .map(|c| c.name)
                .collect::<Vec<_>>()
        })
    });
    let pan = RwSignal::new((0.0_f64, 0.0_f64));
    let zoom = RwSignal::new(1.0_f64);
    let drag = RwSignal::new(None::<Drag>);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let protocol = RwSignal::new("TCP".to_owned());
    let ports = RwSignal::new(String::new());
    let tier = RwSignal::new(String::new());
    let staged = RwSignal::new(false);
    // Write the flow as a ClusterNetworkPolicy rule (tier Admin or Baseline, Accept or Deny).
    let as_guardrail = RwSignal::new(false);
    let cluster_tier = RwSignal::new(ClusterTier::Admin);
    let cluster_action = RwSignal::new(ClusterAction::Deny);
    let unavailable = Memo::new(move |_| studio.with(guardrail_unavailable));
    Effect::new(move |_| {
        if unavailable.get().is_some() {
            as_guardrail.set(false);
        }
    });
    let message = RwSignal::new(None::<Result<String, String>>);
    let selected = RwSignal::new(None::<usize>);
    // Where the node being moved is now; written to the design's layout when it is let go.
    let moving = RwSignal::new(None::<(String, Position)>);

    // The tier defaults to `application` when the design has it, else the first tier.
    Effect::new(move |_| {
        let names = tiers.get();
        if !names.contains(&tier.get_untracked()) {
            let pick = names
                .iter()
                .find(|n| n.as_str() == "application")
                .or_else(|| names.first())
                .cloned()
                .unwrap_or_else(|| "default".to_owned());
            tier.set(pick);
        }
    });

    let add = move || {
        let parsed = parse_ports(&ports.get_untracked());
        let protocol = Protocol::from_str(&protocol.get_untracked()).map_err(|err| err.to_string());
        let request = match (parsed, protocol) {
            (Ok(ports), Ok(protocol)) => FlowRequest {
                from: from.get_untracked(),
                to: to.get_untracked(),
                protocol,
                ports,
                tier: tier.get_untracked(),
                staged: staged.get_untracked(),
            },
            (Err(err), _) | (_, Err(err)) => {
                message.set(Some(Err(err)));
                return;
            }
        };
        if request.from.is_empty() || request.to.is_empty() {
            message.set(Some(Err(
                "pick a source and a destination (or drag from one node to another)".to_owned(),
            )));
            return;
        }
        if as_guardrail.get_untracked() {
            let guardrail = GuardrailRequest {
                from: request.from,
                to: request.to,
                protocol: request.protocol,
                ports: request.ports,
                tier: cluster_tier.get_untracked(),
                action: cluster_action.get_untracked(),
            };
            let mut outcome = None;
            let name = format!("add guardrail {} → {}", guardrail.from, guardrail.to);
            studio.edit(name, |design| {
                outcome = Some(add_guardrail(design, &guardrail))
            });
            match outcome {
                Some(Ok(_)) => {
                    let canvas = canvas.get_untracked().0;
                    let index = canvas.edges.iter().position(|e| {
                        e.from == guardrail.from
                            && e.to == guardrail.to
                            && e.protocol == guardrail.protocol
                            && e.ports == guardrail.ports
                    });
                    let named = index
                        .and_then(|i| canvas.edges.get(i))
                        .map(|e| e.guardrails.join("; "))
                        .unwrap_or_default();
                    message.set(Some(Ok(format!("Cluster guardrail written: {named}."))));
                    selected.set(index);
                }
                Some(Err(err)) => message.set(Some(Err(err.to_string()))),
                None => {}
            }
            return;
        }
        let mut outcome = None;
        studio.edit(
            format!("add flow {} → {}", request.from, request.to),
            |design| {
                outcome = Some(add_flow(design, &request).map(|o| {
                    let name = |i: Option<usize>| {
                        i.and_then(|i| design.policies.get(i)).map(|p| {
                            format!(
                                "{}/{}",
                                p.metadata.namespace.clone().unwrap_or_default(),
                                p.metadata.name
                            )
                        })
                    };
                    let mut parts = Vec::new();
                    if let Some(n) = name(o.egress) {
                        parts.push(format!("egress rule in {n}"));
                    }
                    if let Some(n) = name(o.ingress) {
                        parts.push(format!("ingress rule in {n}"));
                    }
                    format!("Flow allowed: {}.", parts.join(", "))
                }));
            },
        );
        match outcome {
            Some(Ok(text)) => {
                message.set(Some(Ok(text)));
                let index = canvas.get_untracked().0.edges.iter().position(|e| {
                    e.from == request.from && e.to == request.to && e.protocol == request.protocol
                });
                selected.set(index);
            }
            Some(Err(err)) => message.set(Some(Err(err.to_string()))),
            None => {}
        }
    };

    let node_options = move || {
        canvas
            .get()
            .0
            .nodes
            .iter()
            .map(|n| {
                let text = format!("{} ({})", n.label, n.kind.as_str());
                view! { <option value=n.id.clone()>{text}</option> }
            })
            .collect_view()
    };

    view! {
        <section class="canvas-view">
            <header class="view-header">
                <h1>"Flow canvas"</h1>
                <div class="canvas-zoom" role="group" aria-label="Zoom">
                    <button aria-label="Zoom out" on:click=move |_| zoom.update(|z| *z = (*z / 1.25).max(ZOOM_MIN))>"−"</button>
                    <span class="muted zoom-level">{move || format!("{:.0}%", zoom.get() * 100.0)}</span>
                    <button aria-label="Zoom in" on:click=move |_| zoom.update(|z| *z = (*z * 1.25).min(ZOOM_MAX))>"+"</button>
                    <button on:click=move |_| { zoom.set(1.0); pan.set((0.0, 0.0)); }>"Reset view"</button>
                </div>
            </header>
            <p class="muted canvas-help">
                "Drag from one node to another to draw an allowed flow, then pick the protocol, ports and tier and press Add flow. Drag the background to pan; wheel or buttons to zoom. Click an edge for the evaluator's explanation."
            </p>
            <div class="canvas-layout">
                <div class="canvas-frame">
                    <svg
                        class="flow-canvas"
                        role="group"
                        aria-label="Flow canvas"
                        class:panning=move || matches!(drag.get(), Some(Drag::Pan { .. }))
                        class:connecting=move || matches!(drag.get(), Some(Drag::Connect { .. }))
                        on:pointerdown=move |ev: leptos::ev::PointerEvent| {
                            if ev.button() == 0 && !on_node_or_edge(&ev) {
                                drag.set(Some(Drag::Pan {
                                    x: f64::from(ev.client_x()),
                                    y: f64::from(ev.client_y()),
                                    pan: pan.get_untracked(),
                                }));
                            }
                        }
                        on:pointermove=move |ev: leptos::ev::PointerEvent| {
                            let (px, py) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
                            match drag.get_untracked() {
                                Some(Drag::Pan { x, y, pan: start }) => {
                                    pan.set((start.0 + px - x, start.1 + py - y));
                                }
                                Some(Drag::Move { id, x, y, origin }) => {
                                    let z = zoom.get_untracked();
                                    let at = Position {
                                        x: (origin.x + (px - x) / z).round(),
                                        y: (origin.y + (py - y) / z).round(),
                                    };
                                    moving.set(Some((id, at)));
                                }
                                _ => {}
                            }
                        }
                        on:pointerup=move |_| {
                            if let (Some(Drag::Move { origin, .. }), Some((id, at))) =
                                (drag.get_untracked(), moving.get_untracked())
                                && at != origin
                            {
                                place_node(studio, id, at);
                            }
                            moving.set(None);
                            drag.set(None);
                        }
                        on:pointerleave=move |_| {
                            moving.set(None);
                            drag.set(None);
                        }
                        on:wheel=move |ev: leptos::ev::WheelEvent| {
                            let factor = if ev.delta_y() < 0.0 { 1.1 } else { 1.0 / 1.1 };
                            zoom.update(|z| *z = (*z * factor).clamp(ZOOM_MIN, ZOOM_MAX));
                        }
                    >
                        <defs>
                            <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                                <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head"></path>
                            </marker>
                        </defs>
                        <g class="viewport" transform=move || {
                            let (x, y) = pan.get();
                            format!("translate({x} {y}) scale({})", zoom.get())
                        }>
                            <g class="edges">{move || edges_view(canvas.get(), selected, moving.get())}</g>
                            <g class="nodes">
                                // Keyed: a node moved (by its grip or the keyboard) keeps its element,
                                // and so its focus; only its position follows the design.
                                <For
                                    each=move || canvas.get().0.nodes.clone()
                                    key=|node| (node.id.clone(), node.label.clone(), node.kind)
                                    children=move |node| node_view(node, canvas, studio, drag, moving, from, to)
                                />
                            </g>
                        </g>
                    </svg>
                </div>
                <aside class="canvas-side">
                    <form
                        class="flow-form card"
                        aria-label="Draw a flow"
                        on:submit=move |ev| {
                            ev.prevent_default();
                            add();
                        }
                    >
                        <h3>"Allow a flow"</h3>
                        <label>
                            "Source"
                            <select aria-label="Source" prop:value=move || from.get() on:change=move |ev| from.set(event_target_value(&ev))>
                                <option value="">"— pick a node —"</option>
                                {node_options}
                            </select>
                        </label>
                        <label>
                            "Destination"
                            <select aria-label="Destination" prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev))>
                                <option value="">"— pick a node —"</option>
                                {node_options}
                            </select>
                        </label>
                        <div class="form-row">
                            <label>
                                "Protocol"
                                <select aria-label="Protocol" prop:value=move || protocol.get() on:change=move |ev| protocol.set(event_target_value(&ev))>
                                    {PROTOCOLS.iter().map(|p| view! { <option value=*p>{*p}</option> }).collect_view()}
                                </select>
                            </label>
                            <label>
                                "Ports"
                                <input aria-label="Ports" placeholder="8443, 9000:9100" prop:value=move || ports.get() on:input=move |ev| ports.set(event_target_value(&ev))/>
                            </label>
                        </div>
                        <fieldset class="write-as">
                            <legend>"Write it as"</legend>
                            <label class="check">
                                <input
                                    type="radio"
                                    name="write-as"
                                    prop:checked=move || !as_guardrail.get()
                                    on:change=move |_| as_guardrail.set(false)
                                />
                                " Calico policy"
                            </label>
                            <label class="check">
                                <input
                                    type="radio"
                                    name="write-as"
                                    aria-describedby="guardrail-why"
                                    prop:checked=move || as_guardrail.get()
                                    prop:disabled=move || unavailable.get().is_some()
                                    on:change=move |_| as_guardrail.set(true)
                                />
                                " Cluster guardrail (ClusterNetworkPolicy)"
                            </label>
                            <p id="guardrail-why" class="muted">{move || unavailable.get()}</p>
                        </fieldset>
                        <Show
                            when=move || as_guardrail.get()
                            fallback=move || view! {
                                <label>
                                    "Tier"
                                    <select aria-label="Tier" prop:value=move || tier.get() on:change=move |ev| tier.set(event_target_value(&ev))>
                                        {move || tiers.get().into_iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                                    </select>
                                </label>
                                <label class="check">
                                    <input type="checkbox" aria-label="Staged" prop:checked=move || staged.get() on:change=move |ev| staged.set(event_target_checked(&ev))/>
                                    " Write staged policies"
                                </label>
                            }
                        >
                            <label>
                                "Cluster tier"
                                <select
                                    aria-label="Cluster tier"
                                    on:change=move |ev| cluster_tier.set(if event_target_value(&ev) == "Baseline" { ClusterTier::Baseline } else { ClusterTier::Admin })
                                >
                                    <option value="Admin" prop:selected=move || cluster_tier.get() == ClusterTier::Admin>"Admin guardrail (kube-admin)"</option>
                                    <option value="Baseline" prop:selected=move || cluster_tier.get() == ClusterTier::Baseline>"Baseline default (kube-baseline)"</option>
                                </select>
                            </label>
                            <label>
                                "Action"
                                <select
                                    aria-label="Guardrail action"
                                    on:change=move |ev| cluster_action.set(if event_target_value(&ev) == "Accept" { ClusterAction::Accept } else { ClusterAction::Deny })
                                >
                                    <option value="Deny" prop:selected=move || cluster_action.get() == ClusterAction::Deny>"Deny"</option>
                                    <option value="Accept" prop:selected=move || cluster_action.get() == ClusterAction::Accept>"Accept"</option>
                                </select>
                            </label>
                        </Show>
                        <button type="submit">"Add flow"</button>
                        {move || message.get().map(|m| match m {
                            Ok(text) => view! { <p class="flow-message ok" role="status">{text}</p> }.into_any(),
                            Err(text) => view! { <p class="flow-message error" role="alert">{text}</p> }.into_any(),
                        })}
                    </form>
                    <Explanation canvas=canvas selected=selected/>
                </aside>
            </div>
            <FlowTable canvas=canvas selected=selected tiers=tiers/>
        </section>
    }
}

/// Whether a pointer event started on a node or an edge (which handle it) rather than the background.
fn on_node_or_edge(ev: &leptos::ev::PointerEvent) -> bool {
    use leptos::wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("[data-node], .edge").ok().flatten())
        .is_some()
}

/// Stores a node's position in the design's layout: one undoable edit (a drop, or one arrow key).
fn place_node(studio: Studio, id: String, at: Position) {
    studio.edit(format!("move node {id}"), |design| {
        design.layout.insert(id, at);
    });
}

/// How far an arrow key moves a node, or `None` for any other key.
fn arrow_step(ev: &leptos::ev::KeyboardEvent) -> Option<(f64, f64)> {
    let step = if ev.shift_key() {
        KEY_STEP_BIG
    } else {
        KEY_STEP
    };
    match ev.key().as_str() {
        "ArrowLeft" => Some((-step, 0.0)),
        "ArrowRight" => Some((step, 0.0)),
        "ArrowUp" => Some((0.0, -step)),
        "ArrowDown" => Some((0.0, step)),
        _ => None,
    }
}

/// A node box; dragging from it starts a flow, releasing on another sets both ends. Dragging its grip
/// (or the node with Shift held) moves it; so do the arrow keys when the grip has the focus (Shift
/// for a bigger step), each press one undoable edit.
fn node_view(
    node: Node,
    canvas: Memo<Shared>,
    studio: Studio,
    drag: RwSignal<Option<Drag>>,
    moving: RwSignal<Option<(String, Position)>>,
    from: RwSignal<String>,
    to: RwSignal<String>,
) -> impl IntoView {
    let (down_id, up_id, sel_id) = (node.id.clone(), node.id.clone(), node.id.clone());
    // Where the design puts the node now (the element outlives a move): tracked for the transform,
    // untracked in the event handlers.
    let placed = {
        let id = node.id.clone();
        move || canvas.with(|c| position_of(c, &id))
    };
    let placed_now = {
        let id = node.id.clone();
        move || canvas.with_untracked(|c| position_of(c, &id))
    };
    let move_id = node.id.clone();
    let transform = move || {
        let at = moving.with(|m| match m {
            Some((id, at)) if *id == move_id => Some(*at),
            _ => None,
        });
        let at = at.unwrap_or_else(&placed);
        format!("translate({} {})", at.x, at.y)
    };
    let key_id = node.id.clone();
    let (placed_on_down, placed_on_key) = (placed_now.clone(), placed_now);
    let grip_label = format!("Move {} (arrow keys; Shift for a bigger step)", node.label);
    let class = format!("node {}", node.kind.as_str());
    let title = format!("{} — drag to another node to allow a flow", node.label);
    view! {
        <g
            class=class
            class:selected=move || from.get() == sel_id || to.get() == sel_id
            transform=transform
            data-node=node.id.clone()
            on:pointerdown=move |ev: leptos::ev::PointerEvent| {
                ev.stop_propagation();
                ev.prevent_default();
                if ev.button() != 0 {
                    return;
                }
                let on_grip = {
                    use leptos::wasm_bindgen::JsCast;
                    ev.target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .is_some_and(|el| el.closest("[data-grip]").ok().flatten().is_some())
                };
                drag.set(Some(if on_grip || ev.shift_key() {
                    Drag::Move {
                        id: down_id.clone(),
                        x: f64::from(ev.client_x()),
                        y: f64::from(ev.client_y()),
                        origin: placed_on_down(),
                    }
                } else {
                    Drag::Connect { from: down_id.clone() }
                }));
            }
            on:pointerup=move |_| {
                if let Some(Drag::Connect { from: start }) = drag.get_untracked()
                    && start != up_id
                {
                    from.set(start);
                    to.set(up_id.clone());
                }
            }
        >
            <title>{title}</title>
            <rect width=NODE_W height=NODE_H rx="7"></rect>
            <g
                class="grip"
                data-grip=""
                tabindex="0"
                role="button"
                aria-label=grip_label
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    let Some((dx, dy)) = arrow_step(&ev) else {
                        return;
                    };
                    ev.prevent_default();
                    let now = placed_on_key();
                    let at = Position {
                        x: now.x + dx,
                        y: now.y + dy,
                    };
                    place_node(studio, key_id.clone(), at);
                }
            >
                <title>"Drag to move this node (or Shift+drag the node; or focus it and use the arrow keys)"</title>
                <rect width=GRIP_W height=NODE_H rx="7"></rect>
                <text class="grip-dots" x=GRIP_W / 2.0 y="25">"⋮⋮"</text>
            </g>
            <text x=GRIP_W + LABEL_GAP y="25">{node.label.clone()}</text>
        </g>
    }
}

/// The edges, as curves from the right of the source to the left of the destination (following a
/// node being moved).
fn edges_view(
    canvas: Shared,
    selected: RwSignal<Option<usize>>,
    moving: Option<(String, Position)>,
) -> impl IntoView {
    let canvas = canvas.0;
    let position = |id: &str| match &moving {
        Some((moved, at)) if moved == id => Some(*at),
        _ => canvas.node(id).map(|n| n.position),
    };
    canvas
        .edges
        .iter()
        .enumerate()
        .filter_map(|(i, edge)| {
            let a = position(&edge.from)?;
            let b = position(&edge.to)?;
            let (x1, y1) = (a.x + NODE_W, a.y + NODE_H / 2.0);
            let (x2, y2) = (b.x, b.y + NODE_H / 2.0);
            let bend = ((x2 - x1).abs() / 2.0).max(60.0);
            let d = format!(
                "M {x1} {y1} C {} {y1}, {} {y2}, {x2} {y2}",
                x1 + bend,
                x2 - bend
            );
            let verdict = edge.verdict;
            let mut title = format!(
                "{} → {} {}: {}",
                edge.from,
                edge.to,
                edge.service(),
                verdict.describe()
            );
            for guardrail in &edge.guardrails {
                title.push_str(&format!("\n{guardrail}"));
            }
            let label = format!("{} → {}", edge.service(), verdict.as_str());
            Some(view! {
                <g
                    class=format!("edge {}", verdict.as_str())
                    class:selected=move || selected.get() == Some(i)
                    data-from=edge.from.clone()
                    data-to=edge.to.clone()
                    data-verdict=verdict.as_str()
                    data-guardrail=(!edge.guardrails.is_empty()).then(|| edge.guardrails.join("; "))
                    on:pointerdown=move |ev: leptos::ev::PointerEvent| ev.stop_propagation()
                    on:click=move |_| selected.set(Some(i))
                >
                    <title>{title}</title>
                    <path class="edge-hit" d=d.clone()></path>
                    <path class="edge-line" d=d marker-end="url(#arrow)"></path>
                    <text x=(x1 + x2) / 2.0 y=(y1 + y2) / 2.0 - 6.0 class="edge-label">{label}</text>
                </g>
            })
        })
        .collect_view()
}

/// The evaluator's explanation of the selected edge.
#[component]
fn Explanation(canvas: Memo<Shared>, selected: RwSignal<Option<usize>>) -> impl IntoView {
    view! {
        <section class="flow-explanation card" aria-label="Explanation">
            <h3>"Explanation"</h3>
            {move || {
                let canvas = canvas.get().0;
                match selected.get().and_then(|i| canvas.edges.get(i).map(|e| (i, e))) {
                    None => view! { <p class="muted">"Click an edge to see which rules decide it."</p> }.into_any(),
                    Some((i, edge)) => {
                        let heading = format!(
                            "{} → {} ({}): {}",
                            edge.from,
                            edge.to,
                            edge.service(),
                            edge.verdict.describe()
                        );
                        let traces = canvas
                            .explain(i)
                            .into_iter()
                            .map(|e| view! { <pre class="trace">{e.to_text()}</pre> })
                            .collect_view();
                        let guardrails = (!edge.guardrails.is_empty()).then(|| view! {
                            <ul class="guardrails" aria-label="Cluster guardrails">
                                {edge.guardrails.iter().map(|g| view! { <li>{g.clone()}</li> }).collect_view()}
                            </ul>
                        });
                        view! {
                            <p class=format!("verdict {}", edge.verdict.as_str())>{heading}</p>
                            {guardrails}
                            {traces}
                        }
                            .into_any()
                    }
                }
            }}
        </section>
    }
}
