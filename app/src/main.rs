//! Netpol Studio's browser front end. It renders and edits the design; every semantic question goes to
//! `netpol-core`.

use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The application shell.
#[component]
fn App() -> impl IntoView {
    view! {
        <header class="topbar"><h1>"Netpol Studio"</h1></header>
        <main id="app-main"><p>"Design zero-trust Calico network policy."</p></main>
    }
}
