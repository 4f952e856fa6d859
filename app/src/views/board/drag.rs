//! Drag and drop on the policy board, with HTML5 drag events: what is being dragged, where it would
//! land (the drop indicator), and the drop itself as one `netpol_core::board` edit, the same
//! renumbering the buttons and Alt+arrow keys use.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use netpol_core::board::{self, BoardError, PolicyRef, TierColumn};

use crate::state::Studio;

/// What is being dragged.
#[derive(Debug, Clone, PartialEq)]
pub enum Dragged {
    Tier(String),
    Policy(PolicyRef),
}

/// Where the dragged thing would land.
#[derive(Debug, Clone, PartialEq)]
pub enum DropAt {
    /// Beside the tier column `target`: before it, or after it.
    Tier { target: String, after: bool },
    /// In `tier`, beside the card `card` (before it, or after it), or at the end when `card` is
    /// `None`.
    Policy {
        tier: String,
        card: Option<PolicyRef>,
        after: bool,
    },
}

/// The board's drag state, shared by its columns and cards through context.
#[derive(Clone, Copy)]
pub struct BoardDrag {
    pub dragged: RwSignal<Option<Dragged>>,
    pub drop_at: RwSignal<Option<DropAt>>,
    /// The board's error line, for a refused drop.
    set_error: WriteSignal<Option<String>>,
}

impl BoardDrag {
    pub fn new(set_error: WriteSignal<Option<String>>) -> BoardDrag {
        BoardDrag {
            dragged: RwSignal::new(None),
            drop_at: RwSignal::new(None),
            set_error,
        }
    }

    /// Starts dragging `what`; `image` is the element the pointer carries (the whole column when
    /// dragging a tier by its handle).
    pub fn start(
        &self,
        ev: &leptos::ev::DragEvent,
        what: Dragged,
        image: Option<web_sys::Element>,
    ) {
        if let Some(transfer) = ev.data_transfer() {
            transfer.set_effect_allowed("move");
            let text = match &what {
                Dragged::Tier(name) => format!("tier {name}"),
                Dragged::Policy(_) => "policy".to_owned(),
            };
            let _ = transfer.set_data("text/plain", &text);
            if let Some(image) = image {
                transfer.set_drag_image(&image, 20, 20);
            }
        }
        self.dragged.set(Some(what));
    }

    /// Ends the drag, dropped or not.
    pub fn end(&self) {
        self.dragged.set(None);
        self.drop_at.set(None);
    }

    /// The pointer is over a place where the dragged thing may land: accept the drop there.
    pub fn over(&self, ev: &leptos::ev::DragEvent, at: DropAt) {
        ev.prevent_default();
        ev.stop_propagation();
        if let Some(transfer) = ev.data_transfer() {
            transfer.set_drop_effect("move");
        }
        if self.drop_at.get_untracked().as_ref() != Some(&at) {
            self.drop_at.set(Some(at));
        }
    }

    /// Whether the indicator shows `at`.
    pub fn shows(&self, at: &DropAt) -> bool {
        self.drop_at.with(|shown| shown.as_ref() == Some(at))
    }

    /// Drops what is dragged where the indicator is, as one undoable edit of the design.
    pub fn drop(&self, ev: &leptos::ev::DragEvent, studio: Studio, columns: &[TierColumn]) {
        ev.prevent_default();
        ev.stop_propagation();
        let (dragged, at) = (self.dragged.get_untracked(), self.drop_at.get_untracked());
        self.end();
        let (Some(dragged), Some(at)) = (dragged, at) else {
            return;
        };
        let mut outcome: Result<bool, BoardError> = Ok(false);
        match (dragged, at) {
            (Dragged::Tier(name), DropAt::Tier { target, after }) => {
                if name == target {
                    return;
                }
                let others: Vec<&str> = columns
                    .iter()
                    .filter(|c| c.valid && c.name != name)
                    .map(|c| c.name.as_str())
                    .collect();
                let place = others
                    .iter()
                    .position(|n| *n == target)
                    .map_or(others.len(), |i| i + usize::from(after));
                studio.edit(format!("move tier {name}"), |design| {
                    outcome = board::move_tier_to(design, &name, place);
                });
                if outcome == Ok(true) {
                    super::announce_tier_place(studio, &name);
                }
            }
            (Dragged::Policy(policy), DropAt::Policy { tier, card, after }) => {
                if card == Some(policy) {
                    return;
                }
                let others: Vec<PolicyRef> = columns
                    .iter()
                    .find(|c| c.name == tier)
                    .map(|c| {
                        c.cards
                            .iter()
                            .map(|c| c.policy)
                            .filter(|p| *p != policy)
                            .collect()
                    })
                    .unwrap_or_default();
                let place = card
                    .and_then(|card| others.iter().position(|p| *p == card))
                    .map_or(others.len(), |i| i + usize::from(after));
                studio.edit(super::move_name(studio, policy), |design| {
                    outcome = board::move_policy_to(design, policy, &tier, place);
                });
                if outcome == Ok(true) {
                    super::announce_policy_place(studio, policy);
                }
            }
            _ => {}
        }
        self.set_error.set(outcome.err().map(|err| err.to_string()));
    }
}

/// Whether the pointer is in the later half of the element handling `ev` (the right half when
/// `horizontal`, else the lower half).
pub fn in_later_half(ev: &leptos::ev::DragEvent, horizontal: bool) -> bool {
    let Some(element) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let rect = element.get_bounding_client_rect();
    if horizontal {
        f64::from(ev.client_x()) > rect.left() + rect.width() / 2.0
    } else {
        f64::from(ev.client_y()) > rect.top() + rect.height() / 2.0
    }
}
