//! The Policy editor view.

use leptos::prelude::*;

/// A form and the live YAML of one policy.
#[component]
pub fn EditorView() -> impl IntoView {
    view! {
        <section class="view-editor">
            <h2>"Policy editor"</h2>
            <p class="placeholder">"A form and the live YAML of one policy."</p>
        </section>
    }
}
