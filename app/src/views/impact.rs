//! The Impact view.

use leptos::prelude::*;

/// Replay flow logs against the design and see what would change.
#[component]
pub fn ImpactView() -> impl IntoView {
    view! {
        <section class="view-impact">
            <h2>"Impact"</h2>
            <p class="placeholder">"Replay flow logs against the design and see what would change."</p>
        </section>
    }
}
