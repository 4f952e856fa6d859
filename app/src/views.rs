//! One module per view; [`render`] picks the one the route names.

mod board;
mod canvas;
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
        Route::Export => export::ExportView().into_any(),
    }
}
