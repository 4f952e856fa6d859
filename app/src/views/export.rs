//! The Export view.

use leptos::prelude::*;

/// A Fleet repository of the design, per environment.
#[component]
pub fn ExportView() -> impl IntoView {
    view! {
        <section class="view-export">
            <h2>"Export"</h2>
            <p class="placeholder">"A Fleet repository of the design, per environment."</p>
        </section>
    }
}
