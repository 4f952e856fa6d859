//! The analysis worker's wasm module: flow import, impact and recommendation off the page's thread
//! (`netpol_app::start_worker`). `public/worker.js` loads it in a module worker.

#![forbid(unsafe_code)]

fn main() {
    netpol_app::start_worker();
}
