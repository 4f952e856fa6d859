//! Netpol Studio's browser front end. It renders and edits the design; every semantic question goes to
//! `netpol-core`.
//!
//! The crate builds two wasm modules from this library: the page (`src/main.rs`, [`start_page`]) and the
//! analysis worker (`src/bin/netpol-worker.rs`, [`start_worker`]). Each binary reaches only its own
//! half, so the linker leaves the flow import, impact and recommendation out of the page's module and
//! the views out of the worker's.
//!
//! Layout: `state` holds the design, its history and its autosave; `routes` maps the URL fragment to a
//! view; `shell` is the frame around the views (top bar, navigation, status line, the undo toast);
//! `findings` the design's lint findings, shared by the status line, the drawer, board, editor and Export;
//! `announce` is the live region that says what a move did; `views/` has one file per view.

#![forbid(unsafe_code)]

mod analysis;
mod announce;
mod count;
mod download;
mod findings;
mod first_visit;
mod import;
mod routes;
mod share;
mod shell;
mod state;
mod views;
mod worker;

use leptos::prelude::*;

/// The page module's entry point: mounts the app.
pub fn start_page() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The worker module's entry point: answers the page's messages (`public/worker.js` starts it).
pub fn start_worker() {
    console_error_panic_hook::set_once();
    worker::run();
}

/// The application: the shell around the view the URL fragment names.
#[component]
fn App() -> impl IntoView {
    let studio = state::Studio::load();
    provide_context(studio);
    provide_context(import::PendingImport(RwSignal::new(None)));
    shell::install_shortcuts(studio);
    analysis::provide();
    findings::provide(studio);
    announce::provide();
    first_visit::provide();
    let route = routes::hash_route();

    view! {
        <div class="app" data-app-ready="">
            <shell::SkipLink/>
            <shell::TopBar/>
            <share::ShareOffer/>
            <div class="workspace">
                <shell::Nav route=route/>
                <main id="app-main" class="view" tabindex="-1">{move || views::render(route.get())}</main>
            </div>
            <shell::StatusLine/>
            <findings::FindingsDrawer/>
            <shell::HistoryToast/>
            <announce::LiveRegion/>
        </div>
    }
}
