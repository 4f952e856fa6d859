//! A polite live region for what the page shows only by moving things (a policy card on the board):
//! screen readers read its text after the move.

use leptos::prelude::*;

/// Writes the live region's text; provided as context by [`provide`].
#[derive(Clone, Copy)]
pub struct Announcer(RwSignal<String>);

impl Announcer {
    /// Has screen readers say `text` (politely: after what they are reading).
    pub fn say(&self, text: impl Into<String>) {
        self.0.set(text.into());
    }
}

/// Provides the [`Announcer`] to every component.
pub fn provide() {
    provide_context(Announcer(RwSignal::new(String::new())));
}

/// The [`Announcer`] from context.
pub fn use_announcer() -> Announcer {
    expect_context::<Announcer>()
}

/// The live region itself: in the page from the start (a region added with its text is not read),
/// out of sight.
#[component]
pub fn LiveRegion() -> impl IntoView {
    let text = use_announcer().0;
    view! {
        <div class="visually-hidden" role="status" aria-live="polite" data-announcer="">
            {move || text.get()}
        </div>
    }
}
