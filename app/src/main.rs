//! Netpol Studio's browser front end. It renders and edits the design; every semantic question goes to
//! `netpol-core`.
//!
//! Layout: `state` holds the design, its history and its autosave; `routes` maps the URL fragment to a
//! view; `shell` is the frame around the views (top bar, navigation, status line); `views/` has one
//! file per view.

#![forbid(unsafe_code)]

mod analysis;
mod count;
mod download;
mod import;
mod routes;
mod share;
mod shell;
mod state;
mod views;
mod worker;

use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    // The same module runs the analysis worker: there it has no window and serves messages instead.
    if web_sys::window().is_none() {
        worker::run();
        return;
    }
    leptos::mount::mount_to_body(App);
}

/// The application: the shell around the view the URL fragment names.
#[component]
fn App() -> impl IntoView {
    let studio = state::Studio::load();
    provide_context(studio);
    shell::install_shortcuts(studio);
    analysis::provide();
    let route = routes::hash_route();

    view! {
        <div class="app" data-app-ready="">
            <shell::TopBar/>
            <share::ShareOffer/>
            <div class="workspace">
                <shell::Nav route=route/>
                <main id="app-main" class="view">{move || views::render(route.get())}</main>
            </div>
            <shell::StatusLine/>
        </div>
    }
}
