//! A tier's own actions on the board: a new policy in it, and deleting it. A tier that still holds
//! policies is not deleted at once: the column asks whether its policies move to another tier or go
//! with it (core's `board::delete_tier`), and either way it is one undoable edit.

use leptos::prelude::*;
use netpol_core::board::{self, TierPolicies};
use netpol_core::model::{
    ADMIN_NETWORK_POLICY_TIER, BASELINE_ADMIN_NETWORK_POLICY_TIER, KUBE_ADMIN_TIER,
    KUBE_BASELINE_TIER,
};

use crate::count::counted;
use crate::state::use_studio;
use crate::views::editor::policy_actions::new_policy_in;

/// Whether Calico policies can be put in `tier` (the cluster policies' tiers take only those).
pub fn takes_calico_policies(tier: &str) -> bool {
    ![
        KUBE_ADMIN_TIER,
        KUBE_BASELINE_TIER,
        ADMIN_NETWORK_POLICY_TIER,
        BASELINE_ADMIN_NETWORK_POLICY_TIER,
    ]
    .contains(&tier)
}

/// "New policy" and "Delete tier" for the tier `name` (deletable unless built in).
#[component]
pub fn TierActions(
    name: String,
    deletable: bool,
    /// The other tiers its policies could move to, in board order.
    others: Vec<String>,
    set_error: WriteSignal<Option<String>>,
) -> impl IntoView {
    let studio = use_studio();
    let asking = RwSignal::new(false);
    let held = {
        let name = name.clone();
        move || studio.with(|design| board::policies_in_tier(design, &name))
    };
    let delete = {
        let name = name.clone();
        move |then: TierPolicies| {
            let count = studio.with_untracked(|design| board::policies_in_tier(design, &name));
            let edit = match &then {
                TierPolicies::MoveTo(target) => format!(
                    "delete tier {name} (its {} moved to {target})",
                    counted(count, "policy", "policies")
                ),
                TierPolicies::DeleteThem if count > 0 => format!(
                    "delete tier {name} and its {}",
                    counted(count, "policy", "policies")
                ),
                _ => format!("delete tier {name}"),
            };
            let mut outcome = Ok(0);
            studio.edit(edit, |design| {
                outcome = board::delete_tier(design, &name, then)
            });
            match outcome {
                Ok(_) => {
                    asking.set(false);
                    set_error.set(None);
                }
                Err(err) => set_error.set(Some(err.to_string())),
            }
        }
    };
    let ask_or_delete = {
        let delete = delete.clone();
        let held = held.clone();
        move |_| {
            if held() == 0 {
                delete(TierPolicies::Refuse);
            } else {
                asking.set(true);
            }
        }
    };
    let new_name = name.clone();
    let target = RwSignal::new(others.first().cloned().unwrap_or_default());
    let can_move = !others.is_empty();
    view! {
        <span class="tier-actions">
            {takes_calico_policies(&name).then(|| view! {
                <button
                    type="button"
                    aria-label=format!("New policy in tier {name}")
                    on:click=move |_| { new_policy_in(studio, &new_name); }
                >
                    "New policy"
                </button>
            })}
            {deletable.then(|| view! {
                <button type="button" class="danger" aria-label=format!("Delete tier {name}") on:click=ask_or_delete>
                    "Delete tier"
                </button>
            })}
        </span>
        <Show when=move || asking.get()>
            {
                let (move_to, delete_all) = (delete.clone(), delete.clone());
                let held = held.clone();
                let question = format!("Delete tier {name}");
                let others = others.clone();
                let name = name.clone();
                view! {
                    <div class="tier-delete" role="group" aria-label=question>
                        <p>{move || format!("Tier {name} holds {}. What becomes of them?", counted(held(), "policy", "policies"))}</p>
                        {can_move.then(|| view! {
                            <label>
                                "Move them to "
                                <select aria-label="Move its policies to" on:change=move |ev| target.set(event_target_value(&ev))>
                                    {others.iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <button type="button" on:click={
                                let move_to = move_to.clone();
                                move |_| move_to(TierPolicies::MoveTo(target.get_untracked()))
                            }>"Move them and delete the tier"</button>
                        })}
                        <button type="button" class="danger" on:click=move |_| delete_all(TierPolicies::DeleteThem)>
                            "Delete the tier and its policies"
                        </button>
                        <button type="button" on:click=move |_| asking.set(false)>"Cancel"</button>
                    </div>
                }
            }
        </Show>
    }
}
