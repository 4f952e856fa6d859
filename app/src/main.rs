//! The page's wasm module: renders and edits the design (`netpol_app::start_page`).

#![forbid(unsafe_code)]

fn main() {
    netpol_app::start_page();
}
