//! Calico's vocabulary, written once: the small grammars every layer above `model` speaks.
//!
//! Addresses (CIDRs and their families), protocols and ports, object and label-part names, the system
//! namespaces a cluster-wide rule must leave alone, and the `studio.netpol.dev/*` annotation keys. Each
//! is a fact about Calico or Kubernetes (cited in its module) or about the Studio's own file format;
//! writing them once keeps the importer, the evaluator, the lints and the export from disagreeing.

pub mod addresses;
pub mod annotations;
pub mod names;
pub mod namespaces;
pub mod ports;
