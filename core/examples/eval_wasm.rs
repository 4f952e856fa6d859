//! The evaluator benchmark as a bare wasm module, timed from Node by `core/benches/wasm/eval.mjs`
//! (`make bench-wasm` style: build with
//! `cargo build --release -p netpol-core --example eval_wasm --target wasm32-unknown-unknown`).
//!
//! `setup(flows)` builds the benchmark estate (500 policies, 5 tiers, 2 000 workloads), compiles it and
//! draws the random flows; `run()` evaluates them all and returns how many were allowed.

#![allow(unsafe_code)] // `no_mangle` exports: the bare wasm module Node calls.

use std::cell::RefCell;

use netpol_core::eval::synthetic::{EstateConfig, Rng, estate, flow_endpoints, random_flows};
use netpol_core::eval::{Evaluator, Flow};

thread_local! {
    static STATE: RefCell<Option<(Evaluator, Vec<Flow>)>> = const { RefCell::new(None) };
}

/// Builds the estate and `count` random flows.
#[unsafe(no_mangle)]
pub extern "C" fn setup(count: u32) -> u32 {
    let rs = estate(&EstateConfig::default());
    let (mut ev, errors) = Evaluator::build(&rs);
    let endpoints = flow_endpoints(&mut ev);
    let flows = random_flows(&mut Rng::new(42), &endpoints, count as usize);
    STATE.with(|s| *s.borrow_mut() = Some((ev, flows)));
    errors.len() as u32
}

/// Evaluates every flow; returns the number allowed.
#[unsafe(no_mangle)]
pub extern "C" fn run() -> u32 {
    STATE.with(|s| {
        s.borrow().as_ref().map_or(0, |(ev, flows)| {
            flows.iter().filter(|f| ev.allows(f)).count() as u32
        })
    })
}
