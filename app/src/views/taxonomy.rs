//! The Label taxonomy view.

use leptos::prelude::*;

/// Label keys, their allowed values, scope and colour.
#[component]
pub fn TaxonomyView() -> impl IntoView {
    view! {
        <section class="view-taxonomy">
            <h2>"Label taxonomy"</h2>
            <p class="placeholder">"Label keys, their allowed values, scope and colour."</p>
        </section>
    }
}
