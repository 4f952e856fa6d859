//! The first visit: a banner that says the open design is the sample (with "Start a new design" and
//! "Take the tour"), and a short tour of the five steps of a design, one view each.

use leptos::prelude::*;

use crate::routes::Route;
use crate::state::{sample, use_studio};
use crate::views::focus_later;

/// Where the banner's dismissal is remembered.
const BANNER_DISMISSED_KEY: &str = "netpol-studio/sample-banner-dismissed";

/// One step of the tour: the view it opens and what it says there.
struct TourStep {
    route: Route,
    title: &'static str,
    text: &'static str,
}

/// Taxonomy → tiers → flows → impact → export: the order in which a design is made.
const TOUR: [TourStep; 5] = [
    TourStep {
        route: Route::Taxonomy,
        title: "Labels",
        text: "Decide the labels your policies select on: environment, team, application. Namespaces & workloads then gives each namespace and workload group its labels and ports.",
    },
    TourStep {
        route: Route::Board,
        title: "Tiers",
        text: "Tiers are evaluated left to right, and the policies in a tier by their order. A tier ends with Deny or Pass. Drag cards and tiers, or use Alt with the arrow keys; the board scrolls sideways when there are many tiers.",
    },
    TourStep {
        route: Route::Canvas,
        title: "Flows",
        text: "Draw the connections you want: drag from one node to another, pick the protocol and ports, then Add flow. The Studio writes the rules on both sides and says which rule decides each flow.",
    },
    TourStep {
        route: Route::Impact,
        title: "Impact",
        text: "Drop the flow logs of a real cluster (or use the sample flows) to see which connections the design would break or widen before it is deployed.",
    },
    TourStep {
        route: Route::Export,
        title: "Export",
        text: "Download the Fleet GitOps repository, the design file and the PR summary for the reviewers.",
    },
];

/// The tour's state, shared by the banner that starts it and the panel that shows it.
#[derive(Clone, Copy)]
pub struct Tour(RwSignal<Option<usize>>);

impl Tour {
    /// Opens the tour at its first step.
    pub fn start(self) {
        self.show(0);
    }

    fn show(self, step: usize) {
        self.0.set(Some(step));
        let _ = window().location().set_hash(&TOUR[step].route.href());
        focus_later("#tour-title".to_owned());
    }

    fn close(self) {
        self.0.set(None);
        focus_later("#app-main".to_owned());
    }
}

/// Provides the [`Tour`] to the banner and the panel.
pub fn provide() {
    provide_context(Tour(RwSignal::new(None)));
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// "You are looking at a sample design", while the open design is the sample and the banner has not
/// been dismissed in this browser. `on_new_design` opens the New design panel.
#[component]
pub fn SampleBanner(on_new_design: Callback<()>) -> impl IntoView {
    let studio = use_studio();
    let tour = expect_context::<Tour>();
    // The sample's name, read once: a design of that name is the sample, edited or not.
    let sample_name = sample().name;
    let dismissed = RwSignal::new(
        storage()
            .and_then(|s| s.get_item(BANNER_DISMISSED_KEY).ok().flatten())
            .is_some(),
    );
    let dismiss = move |_| {
        dismissed.set(true);
        if let Some(storage) = storage() {
            let _ = storage.set_item(BANNER_DISMISSED_KEY, "1");
        }
    };
    let shown = move || !dismissed.get() && studio.with(|design| design.name == sample_name);
    view! {
        <Show when=shown>
            <section class="sample-banner" aria-label="Sample design">
                <p>
                    <strong>"You are looking at a sample design."</strong>
                    " It shows a zero-trust estate on Rancher and Calico; edit it freely, or start your own."
                </p>
                <button class="primary" on:click=move |_| on_new_design.run(())>"Start a new design"</button>
                <button on:click=move |_| tour.start()>"Take the tour"</button>
                <button class="dismiss" aria-label="Dismiss the sample notice" title="Dismiss" on:click=dismiss>
                    "✕"
                </button>
            </section>
        </Show>
    }
}

/// The tour's panel: the step's view is open behind it; Back, Next (Finish on the last step) and
/// Close, and Escape closes. The focus goes to the step's title, so a screen reader reads it.
#[component]
pub fn TourPanel() -> impl IntoView {
    let tour = expect_context::<Tour>();
    move || {
        let at = tour.0.get()?;
        let step = &TOUR[at];
        let last = at + 1 == TOUR.len();
        Some(view! {
            <section
                class="tour"
                role="dialog"
                aria-labelledby="tour-title"
                aria-describedby="tour-text"
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        ev.prevent_default();
                        tour.close();
                    }
                }
            >
                <p class="muted tour-progress">{format!("Tour · step {} of {}", at + 1, TOUR.len())}</p>
                <h2 id="tour-title" tabindex="-1">{format!("{}. {}", at + 1, step.title)}</h2>
                <p id="tour-text">{step.text}</p>
                <div class="tour-actions">
                    <button disabled=at == 0 on:click=move |_| tour.show(at.saturating_sub(1))>"Back"</button>
                    <button
                        class="primary"
                        on:click=move |_| if last { tour.close() } else { tour.show(at + 1) }
                    >
                        {if last { "Finish" } else { "Next" }}
                    </button>
                    <button on:click=move |_| tour.close()>"Close the tour"</button>
                </div>
            </section>
        })
    }
}
