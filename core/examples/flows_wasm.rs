//! The flow-import benchmark as a bare wasm module, timed from Node by `core/benches/wasm/flows.mjs`
//! (`make bench-wasm`; build with
//! `cargo build --release -p netpol-core --example flows_wasm --target wasm32-unknown-unknown`).
//!
//! The same streaming path the app's worker takes: Node writes each chunk of the file into the buffer
//! `buffer(len)` returns and calls `feed(len)` ([`FlowImporter::feed`]); `finish()` ends the import,
//! `impact()` compiles the 500-policy estates `setup()` built (before and after) and replays the
//! distinct flows.

#![allow(unsafe_code)] // `no_mangle` exports: the bare wasm module Node calls.

use std::cell::RefCell;

use netpol_core::eval::synthetic::{EstateConfig, estate};
use netpol_core::flows::{FlowImporter, FlowSet, ImportOptions};
use netpol_core::impact::{Impact, ImpactOptions};
use netpol_core::model::ResourceSet;

#[derive(Default)]
struct State {
    buffer: Vec<u8>,
    importer: Option<FlowImporter>,
    flows: Option<FlowSet>,
    estates: Option<(ResourceSet, ResourceSet)>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// A buffer of `len` bytes for the next chunk; returns its address in linear memory.
#[unsafe(no_mangle)]
pub extern "C" fn buffer(len: u32) -> *mut u8 {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.buffer.resize(len as usize, 0);
        s.buffer.as_mut_ptr()
    })
}

/// Starts a new import.
#[unsafe(no_mangle)]
pub extern "C" fn begin() {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.importer = Some(FlowImporter::new(ImportOptions::default()));
        s.flows = None;
    })
}

/// Feeds the first `len` bytes of the buffer; 0 on success, 1 when the import failed.
#[unsafe(no_mangle)]
pub extern "C" fn feed(len: u32) -> u32 {
    STATE.with(|s| {
        let s = &mut *s.borrow_mut();
        let chunk = &s.buffer[..(len as usize).min(s.buffer.len())];
        match s.importer.as_mut().map(|i| i.feed(chunk)) {
            Some(Ok(())) => 0,
            _ => 1,
        }
    })
}

/// Ends the import; returns the number of distinct flows (`u32::MAX` on failure).
#[unsafe(no_mangle)]
pub extern "C" fn finish() -> u32 {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        match s.importer.take().map(FlowImporter::finish) {
            Some(Ok(set)) => {
                let distinct = set.flows().len() as u32;
                s.flows = Some(set);
                distinct
            }
            _ => u32::MAX,
        }
    })
}

/// Records read by the last import.
#[unsafe(no_mangle)]
pub extern "C" fn records() -> f64 {
    STATE.with(|s| {
        s.borrow()
            .flows
            .as_ref()
            .map_or(0.0, |f| f.summary().records as f64)
    })
}

/// Builds the two estates (untimed, as in the native bench): before (seed 2) and after (the default
/// 500-policy estate).
#[unsafe(no_mangle)]
pub extern "C" fn setup() {
    let after = estate(&EstateConfig::default());
    let before = estate(&EstateConfig {
        seed: 2,
        ..EstateConfig::default()
    });
    STATE.with(|s| s.borrow_mut().estates = Some((before, after)));
}

/// Compiles before and after and replays the imported flows; returns the number of broken flows.
#[unsafe(no_mangle)]
pub extern "C" fn impact() -> u32 {
    STATE.with(|s| {
        let s = s.borrow();
        let (Some(flows), Some((before, after))) = (&s.flows, &s.estates) else {
            return u32::MAX;
        };
        Impact::new(before, after)
            .run(flows, ImpactOptions::default())
            .summary
            .broken as u32
    })
}
