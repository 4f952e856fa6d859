//! Share links: the whole design, as its JSON document, deflated and base64url-encoded into the URL
//! fragment (`#share=…`). A fragment never reaches a server. Opening such a link offers to load the
//! design; the current one is only replaced when the user says so (and Undo brings it back).

use leptos::prelude::*;
use netpol_core::design::Design;
use netpol_core::design::share::{open_share_payload, share_payload};

use crate::analysis::use_analysis;
use crate::count::{count, counted};
use crate::download::copy_text;
use crate::state::use_studio;

/// The fragment prefix of a share link.
const PREFIX: &str = "#share=";

/// The design a fragment payload holds, or why it cannot be opened (core checks the payload's size
/// before decoding it and reads the design as an imported file).
pub fn decode(payload: &str) -> Result<Design, String> {
    open_share_payload(payload).map_err(|e| e.to_string())
}

/// The share link of `design` for this page.
fn link(design: &Design) -> Option<String> {
    let location = web_sys::window()?.location();
    let href = location.href().ok()?;
    let base = href.split('#').next().unwrap_or(&href).to_owned();
    Some(format!("{base}{PREFIX}{}", share_payload(design)))
}

/// The payload of the page's fragment, when it is a share link.
fn fragment_payload() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.strip_prefix(PREFIX).map(str::to_owned)
}

/// Leaves the share fragment, so that a reload does not offer the design again.
fn clear_fragment() {
    if let Some(window) = web_sys::window()
        && let Ok(history) = window.history()
    {
        let _ = history.replace_state_with_url(
            &leptos::wasm_bindgen::JsValue::NULL,
            "",
            Some("#/board"),
        );
        // `replaceState` fires no `hashchange`: tell the router.
        if let Ok(event) = web_sys::HashChangeEvent::new("hashchange") {
            let _ = window.dispatch_event(&event);
        }
    }
}

/// "Copy share link": the link, copied and shown.
#[component]
pub fn SharePanel() -> impl IntoView {
    let studio = use_studio();
    let shared = RwSignal::new(None::<String>);
    view! {
        <div class="share">
            <p>"The link holds the whole design, compressed, after the #: it is never sent to a server."</p>
            <button
                class="primary"
                on:click=move |_| {
                    let url = studio.with(link);
                    if let Some(url) = &url {
                        copy_text(url);
                    }
                    shared.set(url);
                }
            >
                "Copy share link"
            </button>
            {move || {
                shared
                    .get()
                    .map(|url| {
                        let size = url.len();
                        view! {
                            <input class="share-link" readonly aria-label="Share link" prop:value=url/>
                            <small>{format!("{}, copied", count(size, "character"))}</small>
                        }
                    })
            }}
        </div>
    }
}

/// When the page was opened from a share link: the offer to load the shared design.
#[component]
pub fn ShareOffer() -> impl IntoView {
    let studio = use_studio();
    let analysis = use_analysis();
    let offer = RwSignal::new(fragment_payload().map(|payload| decode(&payload)));
    let dismiss = move || {
        offer.set(None);
        clear_fragment();
    };
    move || {
        offer.get().map(|shared| match shared {
            Ok(design) => {
                let summary = format!(
                    "A shared design “{}” ({}) was opened from a link.",
                    design.name,
                    counted(
                        design.policies.len()
                            + design.kubernetes_policies.len()
                            + design.cluster_policies.len(),
                        "policy",
                        "policies"
                    )
                );
                let load = design.clone();
                view! {
                    <div class="share-offer" role="dialog" aria-label="Shared design">
                        <span>{summary}</span>
                        <button
                            class="primary"
                            on:click=move |_| {
                                studio.replace("open the shared design", load.clone());
                                analysis.baseline.set(load.clone());
                                dismiss();
                            }
                        >
                            "Load shared design"
                        </button>
                        <button on:click=move |_| dismiss()>"Keep my design"</button>
                        <small>"Loading it replaces the current design; Undo brings it back."</small>
                    </div>
                }
                .into_any()
            }
            Err(message) => view! {
                <div class="share-offer" role="alert">
                    <span>{format!("The shared design could not be read: {message}")}</span>
                    <button on:click=move |_| dismiss()>"Dismiss"</button>
                </div>
            }
            .into_any(),
        })
    }
}
