//! One module per view; [`render`] picks the one the route names.

mod board;
mod canvas;
mod coverage;
mod editor;
mod export;
mod impact;
mod taxonomy;
mod workloads;

use leptos::prelude::*;

use crate::routes::Route;

/// The view for `route`.
pub fn render(route: Route) -> AnyView {
    match route {
        Route::Taxonomy => taxonomy::TaxonomyView().into_any(),
        Route::Workloads => workloads::WorkloadsView().into_any(),
        Route::Board => board::BoardView().into_any(),
        Route::Canvas => canvas::CanvasView().into_any(),
        Route::Editor => editor::EditorView().into_any(),
        Route::Impact => impact::ImpactView().into_any(),
        Route::Coverage => coverage::CoverageView().into_any(),
        Route::Export => export::ExportView().into_any(),
    }
}

/// Focuses the first element matching `selector` once the view has re-rendered (after an edit that
/// rebuilds the element the keyboard was on).
pub(crate) fn focus_later(selector: String) {
    use leptos::wasm_bindgen::JsCast;
    request_animation_frame(move || {
        let element = document()
            .query_selector(&selector)
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(element) = element {
            let _ = element.focus();
        }
    });
}
