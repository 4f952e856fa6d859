//! The design's pod address range (its Calico IP pools' CIDRs): where the evaluator places every
//! workload whose IP is not known (designed workloads, aggregated flow-log rows). Checked by
//! `netpol_core::design::parse_pod_cidrs` as the user types; saved on change when it reads.

use leptos::prelude::*;
use netpol_core::design;

use crate::state::use_studio;

/// The pod CIDRs field, its error as you type, and the range in effect.
#[component]
pub fn PodRange() -> impl IntoView {
    let studio = use_studio();
    let saved = move || studio.with(|d| d.pod_cidrs.join(", "));
    // What is being typed; `None` shows the design's value.
    let draft = RwSignal::new(None::<String>);
    let error = move || {
        draft
            .get()
            .and_then(|text| design::parse_pod_cidrs(&text).err())
    };
    let save = move |text: String| match design::parse_pod_cidrs(&text) {
        Ok(cidrs) => {
            if studio.with_untracked(|d| d.pod_cidrs != cidrs) {
                studio.edit("change the pod range", |d| d.pod_cidrs = cidrs);
            }
            draft.set(None);
        }
        Err(_) => draft.set(Some(text)),
    };
    let in_effect = move || {
        studio.with(|d| {
            let range = design::effective_pod_cidrs(d).join(", ");
            if d.pod_cidrs.is_empty() {
                format!("{range} (Calico's default pool)")
            } else {
                range
            }
        })
    };
    view! {
        <section class="pod-range">
            <h3>"Pod address range"</h3>
            <label>
                "Pod CIDRs (the clusters' IP pools; empty: Calico's default)"
                <input
                    aria-label="Pod CIDRs"
                    placeholder="192.168.0.0/16"
                    prop:value=move || draft.get().unwrap_or_else(saved)
                    on:input=move |ev| draft.set(Some(event_target_value(&ev)))
                    on:change=move |ev| save(event_target_value(&ev))
                />
            </label>
            <p class="field-error error" role="alert">{error}</p>
            <p class="muted">
                "Workloads without a known IP are evaluated as pods in "
                <span data-pod-range="">{in_effect}</span>
            </p>
        </section>
    }
}
