//! The Flow canvas view.

use leptos::prelude::*;

/// The flows the design allows, drawn between namespaces, workloads and the world.
#[component]
pub fn CanvasView() -> impl IntoView {
    view! {
        <section class="view-canvas">
            <h2>"Flow canvas"</h2>
            <p class="placeholder">"The flows the design allows, drawn between namespaces, workloads and the world."</p>
        </section>
    }
}
