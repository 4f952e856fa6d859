//! `netpol-core`: every piece of Calico policy semantics Netpol Studio knows, in one place.
//!
//! The app (in the browser, through a web worker) and the `netpol` CLI both call into this crate; neither
//! re-implements a rule of Calico. The crate has no web or OS dependencies and builds for native and
//! `wasm32-unknown-unknown`.

#![forbid(unsafe_code)]

pub mod board;
pub mod canvas;
pub mod coverage;
pub mod design;
pub mod diagram;
pub mod diff;
pub mod eval;
pub mod export;
pub mod flows;
pub mod impact;
pub mod labels;
pub mod lint;
pub mod model;
pub mod recommend;
pub mod selector;
pub mod yaml;
