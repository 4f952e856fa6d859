//! New, Duplicate and Delete for the policy the editor holds (core's `board::policies`), each one
//! undoable edit named for the toast; the editor then opens the policy made, or the one that took
//! the deleted one's place.

use leptos::prelude::*;
use netpol_core::board::{self, PolicyRef};

use crate::state::{Studio, use_studio};

use super::Selected;

/// The editor's address of a policy of the design.
pub fn editor_hash(policy: PolicyRef) -> Option<String> {
    match policy {
        PolicyRef::Calico(i) => Some(format!("/editor/{i}")),
        PolicyRef::Cluster(i) => Some(format!("/editor/cnp/{i}")),
        PolicyRef::Kubernetes(_) => None,
    }
}

/// Opens `policy` in the editor.
pub fn open_in_editor(policy: PolicyRef) {
    if let Some(hash) = editor_hash(policy) {
        let _ = window().location().set_hash(&hash);
    }
}

fn as_ref(selected: Selected) -> PolicyRef {
    match selected {
        Selected::Calico(i) => PolicyRef::Calico(i),
        Selected::Cluster(i) => PolicyRef::Cluster(i),
    }
}

/// The name the toast gives `policy`.
fn policy_name(studio: Studio, policy: PolicyRef) -> String {
    studio.with_untracked(|design| match policy {
        PolicyRef::Calico(i) => design
            .policies
            .get(i)
            .map(|p| p.metadata.name.clone())
            .unwrap_or_default(),
        PolicyRef::Cluster(i) => design
            .cluster_policies
            .get(i)
            .map(|p| p.metadata.name.clone())
            .unwrap_or_default(),
        PolicyRef::Kubernetes(i) => design
            .kubernetes_policies
            .get(i)
            .map(|p| p.metadata.name.clone())
            .unwrap_or_default(),
    })
}

/// Adds a new policy to `tier` as one edit, opens it, and returns the edit's name.
pub fn new_policy_in(studio: Studio, tier: &str) -> String {
    let edit = format!("new policy in tier {tier}");
    let mut made = None;
    studio.edit(edit.clone(), |design| {
        made = Some(board::new_policy(design, tier));
    });
    if let Some(made) = made {
        open_in_editor(made);
    }
    edit
}

/// The editor's New / Duplicate / Delete buttons.
#[component]
pub fn PolicyActions(selected: Memo<Option<Selected>>) -> impl IntoView {
    let studio = use_studio();
    // What the last action did, with the name of its edit: shown while that is the last edit (an
    // undo or any later edit hides it).
    let (notice, set_notice) = signal(None::<(String, String)>);
    let new_calico = move |_| {
        let tier = match selected.get_untracked() {
            Some(Selected::Calico(i)) => studio.with_untracked(|d| {
                d.policies
                    .get(i)
                    .map(|p| p.tier().to_owned())
                    .unwrap_or_else(|| "default".to_owned())
            }),
            _ => "default".to_owned(),
        };
        let edit = new_policy_in(studio, &tier);
        set_notice.set(Some((
            edit,
            format!("New policy in tier {tier}: it starts staged (it changes no verdict until you clear Staged)"),
        )));
    };
    let new_cluster = move |_| {
        let mut made = None;
        studio.edit("new ClusterNetworkPolicy", |design| {
            made = Some(board::new_cluster_policy(design));
        });
        if let Some(made) = made {
            open_in_editor(made);
        }
    };
    let duplicate = move |_| {
        let Some(current) = selected.get_untracked().map(as_ref) else {
            return;
        };
        let name = policy_name(studio, current);
        let edit = format!("duplicate policy {name}");
        let mut made = None;
        studio.edit(edit.clone(), |design| {
            made = board::duplicate_policy(design, current);
        });
        if let Some(made) = made {
            set_notice.set(Some((
                edit,
                format!("Duplicated {name} as {}", policy_name(studio, made)),
            )));
            open_in_editor(made);
        }
    };
    let delete = move |_| {
        let Some(current) = selected.get_untracked().map(as_ref) else {
            return;
        };
        let name = policy_name(studio, current);
        let edit = format!("delete policy {name}");
        let mut deleted = false;
        studio.edit(edit.clone(), |design| {
            deleted = board::delete_policy(design, current);
        });
        if deleted {
            set_notice.set(Some((
                edit,
                format!("Deleted policy {name} (Undo brings it back)"),
            )));
            // The policy after it takes its place; after the last one, the one before.
            let left = studio.with_untracked(|d| match current {
                PolicyRef::Cluster(_) => d.cluster_policies.len(),
                _ => d.policies.len(),
            });
            let at = match current {
                PolicyRef::Calico(i) | PolicyRef::Cluster(i) | PolicyRef::Kubernetes(i) => {
                    i.min(left.saturating_sub(1))
                }
            };
            let next = match current {
                PolicyRef::Cluster(_) if left > 0 => Some(PolicyRef::Cluster(at)),
                _ if left > 0 => Some(PolicyRef::Calico(at)),
                _ => None,
            };
            match next {
                Some(next) => open_in_editor(next),
                None => {
                    let _ = window().location().set_hash("/editor");
                }
            }
        }
    };
    let none = move || selected.get().is_none();
    view! {
        <div class="policy-actions" role="group" aria-label="Policy actions">
            <button type="button" on:click=new_calico>"New policy"</button>
            <button type="button" on:click=new_cluster title="A ClusterNetworkPolicy (Kubernetes, cluster-wide)">"New cluster policy"</button>
            <button type="button" on:click=duplicate disabled=none>"Duplicate"</button>
            <button type="button" class="danger" on:click=delete disabled=none>"Delete"</button>
        </div>
        <p class="notice policy-notice" role="status">
            {move || {
                let last = studio.next_undo();
                notice.get().filter(|(edit, _)| last.as_deref() == Some(edit)).map(|(_, text)| text)
            }}
        </p>
    }
}
