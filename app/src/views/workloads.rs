//! The Namespaces & workloads view.

use leptos::prelude::*;

/// Namespaces and workload groups with their labels, service accounts and ports.
#[component]
pub fn WorkloadsView() -> impl IntoView {
    view! {
        <section class="view-workloads">
            <h2>"Namespaces & workloads"</h2>
            <p class="placeholder">"Namespaces and workload groups with their labels, service accounts and ports."</p>
        </section>
    }
}
