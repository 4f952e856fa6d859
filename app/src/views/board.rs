//! The policy board: tiers as columns in evaluation order, policies as cards in order within each
//! tier. Reordering (buttons, Alt+arrow keys, or drag and drop: a tier by its handle, a policy card
//! within its tier or into another) goes through `netpol_core::board`, which reassigns order numbers
//! with gaps.

mod drag;

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use netpol_core::board::{self, PolicyCard, PolicyRef, TierColumn};
use netpol_core::model::TierDefaultAction;

use crate::announce::use_announcer;
use crate::count::{count, counted};
use crate::state::{Studio, use_studio};
use crate::views::focus_later;
use drag::{BoardDrag, Dragged, DropAt, in_later_half};

/// A card's title: `namespace/name` for a namespaced policy, else its name.
fn card_title(card: &PolicyCard) -> String {
    match &card.namespace {
        Some(ns) => format!("{ns}/{}", card.display_name),
        None => card.display_name.clone(),
    }
}

/// The undo history's name for moving `policy` ("move policy checkout/allow-dns").
fn move_name(studio: Studio, policy: PolicyRef) -> String {
    let title = studio.with_untracked(|design| {
        board::columns(design)
            .iter()
            .flat_map(|column| &column.cards)
            .find(|card| card.policy == policy)
            .map(card_title)
    });
    format!("move policy {}", title.unwrap_or_default())
}

/// Says where `policy` is after a move: "Moved X to position N in tier T" (the board shows it only by
/// the card's place).
fn announce_policy_place(studio: Studio, policy: PolicyRef) {
    let place = studio.with_untracked(|design| {
        board::columns(design).iter().find_map(|column| {
            let at = column.cards.iter().position(|card| card.policy == policy)?;
            Some((card_title(&column.cards[at]), at + 1, column.name.clone()))
        })
    });
    if let Some((title, position, tier)) = place {
        use_announcer().say(format!(
            "Moved {title} to position {position} in tier {tier}"
        ));
    }
}

/// Says where tier `name` is after a move: "Moved tier T to position N".
fn announce_tier_place(studio: Studio, name: &str) {
    let position = studio.with_untracked(|design| {
        board::columns(design)
            .iter()
            .position(|column| column.name == name)
    });
    if let Some(at) = position {
        use_announcer().say(format!("Moved tier {name} to position {}", at + 1));
    }
}

/// The board view.
#[component]
pub fn BoardView() -> impl IntoView {
    let studio = use_studio();
    let columns = Memo::new(move |_| studio.with(board::columns));
    let (new_tier, set_new_tier) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let drag = BoardDrag::new(set_error);
    provide_context(drag);
    provide_context(columns);
    let add_tier = move || {
        let name = new_tier.get_untracked().trim().to_owned();
        let mut outcome = Ok(());
        studio.edit(format!("add tier {name}"), |design| {
            outcome = board::add_tier(design, &name)
        });
        match outcome {
            Ok(()) => {
                set_new_tier.set(String::new());
                set_error.set(None);
            }
            Err(err) => set_error.set(Some(err.to_string())),
        }
    };
    // Whether tiers lie right of the visible part of the board (it scrolls sideways): then a cue
    // says so, since the clipped column alone does not show that there is more.
    let board_ref = NodeRef::<leptos::html::Div>::new();
    let more_right = RwSignal::new(false);
    let measure = move || {
        if let Some(board) = board_ref.get_untracked() {
            let end = board.scroll_left() + board.client_width();
            more_right.set(end < board.scroll_width() - 1);
        }
    };
    let show_last_tiers = move || {
        if let Some(board) = board_ref.get_untracked() {
            board.set_scroll_left(board.scroll_width());
        }
    };
    // After each render of the columns, and whenever the window changes size.
    Effect::new(move |_| {
        columns.track();
        request_animation_frame(measure);
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());
    view! {
        <section class="board-view">
            <header class="view-header">
                <h1>"Policy board"</h1>
                <form
                    class="inline-form"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        add_tier();
                    }
                >
                    <input
                        aria-label="New tier name"
                        placeholder="new-tier"
                        prop:value=new_tier
                        aria-invalid=move || {
                            let name = new_tier.get();
                            (!name.is_empty() && !board::is_valid_tier_name(name.trim()))
                                .to_string()
                        }
                        on:input=move |ev| set_new_tier.set(event_target_value(&ev))
                    />
                    <button type="submit">"Add tier"</button>
                </form>
                <Show when=move || more_right.get()>
                    <button class="board-scroll-cue" on:click=move |_| show_last_tiers()>
                        {move || format!("{} tiers · more to the right →", columns.with(Vec::len))}
                    </button>
                </Show>
            </header>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get()}</p>
            </Show>
            <div
                class="board"
                class:more-right=more_right
                role="list"
                aria-label="Tiers in evaluation order"
                node_ref=board_ref
                on:scroll=move |_| measure()
            >
                {move || {
                    columns
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(position, column)| {
                            view! { <TierColumnView column=column position=position set_error=set_error/> }
                        })
                        .collect_view()
                }}
            </div>
        </section>
    }
}

/// One tier column.
#[component]
fn TierColumnView(
    column: TierColumn,
    position: usize,
    set_error: WriteSignal<Option<String>>,
) -> impl IntoView {
    let studio = use_studio();
    let name = column.name.clone();
    let fixed = column.fixed;
    let move_tier = {
        let name = name.clone();
        move |delta: isize| {
            let mut outcome = Ok(false);
            studio.edit(format!("move tier {name}"), |design| {
                outcome = board::move_tier(design, &name, delta)
            });
            match outcome {
                Ok(true) => announce_tier_place(studio, &name),
                Ok(false) => {}
                Err(err) => set_error.set(Some(err.to_string())),
            }
        }
    };
    let move_left = move_tier.clone();
    let move_right = move_tier.clone();
    let focus_name = name.clone();
    let keyboard_move = move |delta: isize| {
        move_tier(delta);
        // The board re-renders: keep the keyboard on the moved column.
        focus_later(format!(".tier-column[data-tier=\"{focus_name}\"]"));
    };
    let action_name = name.clone();
    let rename_from = name.clone();
    let order = column
        .order
        .map(|o| format!("order {o}"))
        .unwrap_or_else(|| "no order".to_owned());
    let count = column.cards.len();
    let cards = column.cards.clone();
    let drag = expect_context::<BoardDrag>();
    let columns = expect_context::<Memo<Vec<TierColumn>>>();
    let (before_at, after_at, end_at) = (
        DropAt::Tier {
            target: name.clone(),
            after: false,
        },
        DropAt::Tier {
            target: name.clone(),
            after: true,
        },
        DropAt::Policy {
            tier: name.clone(),
            card: None,
            after: false,
        },
    );
    let (over_name, drag_name, dragging_name) = (name.clone(), name.clone(), name.clone());
    let tier_name = name.clone();
    view! {
        <section
            class="tier-column"
            class:invalid=!column.valid
            class:drop-before=move || drag.shows(&before_at)
            class:drop-after=move || drag.shows(&after_at)
            class:drop-end=move || drag.shows(&end_at)
            class:dragging=move || drag.dragged.with(|d| d.as_ref() == Some(&Dragged::Tier(dragging_name.clone())))
            role="listitem"
            aria-label=format!("Tier {name}")
            data-tier=name.clone()
            tabindex="0"
            on:dragover=move |ev: leptos::ev::DragEvent| {
                let at = match drag.dragged.get_untracked() {
                    Some(Dragged::Tier(_)) => DropAt::Tier {
                        target: over_name.clone(),
                        after: in_later_half(&ev, true),
                    },
                    // Over the column but not over a card: at the end of this tier.
                    Some(Dragged::Policy(_)) if column.valid => DropAt::Policy {
                        tier: over_name.clone(),
                        card: None,
                        after: false,
                    },
                    _ => return,
                };
                drag.over(&ev, at);
            }
            on:drop=move |ev: leptos::ev::DragEvent| {
                columns.with_untracked(|columns| drag.drop(&ev, studio, columns));
            }
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.alt_key() && ev.target() == ev.current_target() {
                    match ev.key().as_str() {
                        "ArrowLeft" => {
                            ev.prevent_default();
                            keyboard_move(-1);
                        }
                        "ArrowRight" => {
                            ev.prevent_default();
                            keyboard_move(1);
                        }
                        _ => {}
                    }
                }
            }
        >
            <header class="tier-header">
                {(!fixed && column.valid).then(|| {
                    let drag_name = drag_name.clone();
                    view! {
                        <span
                            class="drag-handle"
                            draggable="true"
                            title="Drag to reorder the tier (or Alt+← / Alt+→)"
                            aria-hidden="true"
                            on:dragstart=move |ev: leptos::ev::DragEvent| {
                                let column = ev
                                    .target()
                                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                                    .and_then(|el| el.closest(".tier-column").ok().flatten());
                                drag.start(&ev, Dragged::Tier(drag_name.clone()), column);
                            }
                            on:dragend=move |_| drag.end()
                        >
                            "⠿"
                        </span>
                    }
                })}
                <span class="tier-position">{position + 1}</span>
                {if fixed {
                    view! { <h3 class="tier-name" title=name.clone()>{name.clone()}</h3> }.into_any()
                } else {
                    view! {
                        <input
                            class="tier-name"
                            title=name.clone()
                            aria-label=format!("Name of tier {name}")
                            prop:value=name.clone()
                            on:change=move |ev| {
                                let to = event_target_value(&ev).trim().to_owned();
                                let mut outcome = Ok(());
                                studio.edit(format!("rename tier {rename_from} to {to}"), |design| outcome = board::rename_tier(design, &rename_from, &to));
                                set_error.set(outcome.err().map(|err| err.to_string()));
                            }
                        />
                    }
                        .into_any()
                }}
                <span class="tier-order muted">{order}</span>
                <span class="badge">{counted(count, "policy", "policies")}</span>
                {(!column.valid).then(|| view! { <span class="badge error">"undeclared"</span> })}
            </header>
            <div class="tier-tools">
                <label>
                    "Default action "
                    <select
                        aria-label=format!("Default action of tier {name}")
                        on:change=move |ev| {
                            let action = if event_target_value(&ev) == "Pass" {
                                TierDefaultAction::Pass
                            } else {
                                TierDefaultAction::Deny
                            };
                            let mut outcome = Ok(());
                            studio.edit(format!("set the default action of tier {action_name}"), |design| outcome = board::set_default_action(design, &action_name, action));
                            set_error.set(outcome.err().map(|err| err.to_string()));
                        }
                    >
                        <option value="Deny" selected=column.default_action == TierDefaultAction::Deny prop:selected=column.default_action == TierDefaultAction::Deny>"Deny"</option>
                        <option value="Pass" selected=column.default_action == TierDefaultAction::Pass prop:selected=column.default_action == TierDefaultAction::Pass>"Pass"</option>
                    </select>
                </label>
                <Show when=move || !fixed>
                    <span class="tier-move">
                    <button
                        title="Evaluate this tier earlier (Alt+←)"
                        aria-label=format!("Move tier {} earlier", column.name)
                        on:click={
                            let move_left = move_left.clone();
                            move |_| move_left(-1)
                        }
                    >
                        "←"
                    </button>
                    <button
                        title="Evaluate this tier later (Alt+→)"
                        aria-label=format!("Move tier {} later", column.name)
                        on:click={
                            let move_right = move_right.clone();
                            move |_| move_right(1)
                        }
                    >
                        "→"
                    </button>
                    </span>
                </Show>
            </div>
            <ol class="cards">
                {cards.into_iter().map(|card| view! { <Card card=card tier=tier_name.clone() set_error=set_error/> }).collect_view()}
            </ol>
        </section>
    }
}

/// One policy card.
#[component]
fn Card(card: PolicyCard, tier: String, set_error: WriteSignal<Option<String>>) -> impl IntoView {
    let studio = use_studio();
    let drag = expect_context::<BoardDrag>();
    let columns = expect_context::<Memo<Vec<TierColumn>>>();
    let policy = card.policy;
    let (before_at, after_at) = (
        DropAt::Policy {
            tier: tier.clone(),
            card: Some(policy),
            after: false,
        },
        DropAt::Policy {
            tier: tier.clone(),
            card: Some(policy),
            after: true,
        },
    );
    let move_policy = move |delta: isize| {
        let mut moved = false;
        studio.edit(move_name(studio, policy), |design| {
            moved = board::move_policy(design, policy, delta);
        });
        if moved {
            announce_policy_place(studio, policy);
        }
        set_error.set(None);
    };
    // The keyboard keeps the focus on the moved card; Alt+←/→ moves it to the end of the tier before
    // or after (the keyboard's way of dragging it into another tier).
    let focus_title = format!(
        "Policy {}",
        match &card.namespace {
            Some(ns) => format!("{ns}/{}", card.display_name),
            None => card.display_name.clone(),
        }
    );
    let keyboard_move = move |key: &str| {
        let here = columns.with_untracked(|columns| {
            let valid: Vec<&str> = columns
                .iter()
                .filter(|c| c.valid)
                .map(|c| c.name.as_str())
                .collect();
            let at = valid.iter().position(|n| {
                columns
                    .iter()
                    .any(|c| c.name == *n && c.cards.iter().any(|card| card.policy == policy))
            });
            (
                at,
                valid.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>(),
            )
        });
        let target_tier = match key {
            "ArrowUp" => {
                move_policy(-1);
                None
            }
            "ArrowDown" => {
                move_policy(1);
                None
            }
            _ => {
                let (Some(at), valid) = here else { return };
                let next = if key == "ArrowLeft" {
                    at.checked_sub(1)
                } else {
                    Some(at + 1)
                };
                let Some(tier) = next.and_then(|i| valid.get(i)).cloned() else {
                    return;
                };
                let mut outcome = Ok(false);
                studio.edit(move_name(studio, policy), |design| {
                    outcome = board::move_policy_to(design, policy, &tier, usize::MAX)
                });
                if outcome == Ok(true) {
                    announce_policy_place(studio, policy);
                }
                set_error.set(outcome.err().map(|err| err.to_string()));
                Some(tier)
            }
        };
        let column = target_tier
            .map(|t| format!(".tier-column[data-tier=\"{t}\"] "))
            .unwrap_or_default();
        focus_later(format!(
            "{column}.policy-card[aria-label=\"{focus_title}\"]"
        ));
    };
    let title = match &card.namespace {
        Some(ns) => format!("{ns}/{}", card.display_name),
        None => card.display_name.clone(),
    };
    let editor_href = match policy {
        PolicyRef::Calico(i) => format!("#/editor/{i}"),
        PolicyRef::Cluster(i) => format!("#/editor/cnp/{i}"),
        PolicyRef::Kubernetes(_) => "#/editor".to_owned(),
    };
    let order = card
        .order
        .map(|o| o.to_string())
        .unwrap_or_else(|| "—".to_owned());
    let order_title = if matches!(policy, PolicyRef::Cluster(_)) {
        "Priority"
    } else {
        "Order"
    };
    let (title_up, title_down) = (title.clone(), title.clone());
    view! {
        <li
            class="card policy-card"
            class:drop-before=move || drag.shows(&before_at)
            class:drop-after=move || drag.shows(&after_at)
            class:dragging=move || drag.dragged.with(|d| d.as_ref() == Some(&Dragged::Policy(policy)))
            tabindex="0"
            aria-label=format!("Policy {title}")
            aria-keyshortcuts=(!card.fixed).then_some("Alt+ArrowUp Alt+ArrowDown Alt+ArrowLeft Alt+ArrowRight")
            data-policy=card.display_name.clone()
            draggable=(!card.fixed).then_some("true")
            on:dragstart=move |ev: leptos::ev::DragEvent| {
                ev.stop_propagation();
                drag.start(&ev, Dragged::Policy(policy), None);
            }
            on:dragend=move |_| drag.end()
            on:dragover=move |ev: leptos::ev::DragEvent| {
                if matches!(drag.dragged.get_untracked(), Some(Dragged::Policy(_))) {
                    let at = DropAt::Policy {
                        tier: tier.clone(),
                        card: Some(policy),
                        after: in_later_half(&ev, false),
                    };
                    drag.over(&ev, at);
                }
            }
            on:drop=move |ev: leptos::ev::DragEvent| {
                if matches!(drag.dragged.get_untracked(), Some(Dragged::Policy(_))) {
                    columns.with_untracked(|columns| drag.drop(&ev, studio, columns));
                }
            }
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                let key = ev.key();
                if ev.alt_key()
                    && ev.target() == ev.current_target()
                    && matches!(key.as_str(), "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight")
                    && !card.fixed
                {
                    ev.prevent_default();
                    keyboard_move(&key);
                }
            }
        >
            <div class="card-title">
                <a href=editor_href draggable="false">{title.clone()}</a>
                {card.staged.then(|| view! { <span class="badge staged">"staged"</span> })}
                {matches!(policy, PolicyRef::Cluster(_)).then(|| view! { <span class="badge cluster" title="Kubernetes cluster-wide policy: ordered by its priority">"cluster"</span> })}
                <crate::findings::PolicyBadge policy=policy/>
            </div>
            {card.note.clone().map(|note| view! { <div class="card-note warning" role="note">{note}</div> })}
            <div class="card-meta">
                <span class="order" title=order_title>{order}</span>
                <code class="selector">{card.selector.clone()}</code>
            </div>
            <div class="card-meta muted">
                {format!("{} · {}", count(card.ingress_rules, "ingress rule"), count(card.egress_rules, "egress rule"))}
            </div>
            <Show when=move || !card.fixed>
                <div class="card-tools">
                    <button aria-label=format!("Move {} up", title_up) title="Earlier (Alt+↑)" on:click=move |_| move_policy(-1)>
                        "↑"
                    </button>
                    <button aria-label=format!("Move {} down", title_down) title="Later (Alt+↓)" on:click=move |_| move_policy(1)>
                        "↓"
                    </button>
                </div>
            </Show>
        </li>
    }
}
