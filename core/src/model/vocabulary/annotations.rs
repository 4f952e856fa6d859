//! The `studio.netpol.dev/*` annotation keys the Studio writes on the objects it exports, so that a
//! repository read back restores what the Studio knew (drawn flows, environments, why a generated
//! object exists).

/// The `apiVersion` group of the Studio's own documents and annotations.
pub const GROUP: &str = "studio.netpol.dev";

/// On a rule: the id of the flow drawn on the canvas that wrote it (`canvas::add_flow`).
pub const FLOW_ANNOTATION: &str = "studio.netpol.dev/flow";

/// On an object: the environments it is deployed to, comma-separated (the Fleet export's overlays).
pub const ENVIRONMENTS_ANNOTATION: &str = "studio.netpol.dev/environments";

/// On a generated object: why the Studio wrote it.
pub const PURPOSE_ANNOTATION: &str = "studio.netpol.dev/purpose";

/// On a recommended network set: the DNS names the flow log saw for its addresses, comma-separated
/// (`recommend` writes them as Calico Enterprise's `allowedEgressDomains` only when asked: open-source
/// Calico has no such field).
pub const DOMAINS_ANNOTATION: &str = "studio.netpol.dev/domains";
