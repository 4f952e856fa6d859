//! The Policy board view.

use leptos::prelude::*;

/// Tiers in evaluation order, with their policies in order.
#[component]
pub fn BoardView() -> impl IntoView {
    view! {
        <section class="view-board">
            <h2>"Policy board"</h2>
            <p class="placeholder">"Tiers in evaluation order, with their policies in order."</p>
        </section>
    }
}
