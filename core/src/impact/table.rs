//! The rows a flow table shows: a filter and an order over a report's flows. Both shells page through
//! the answer (the app's worker sends only the window in view); the selection itself is decided here.

use serde::{Deserialize, Serialize};

use super::ImpactReport;
use crate::flows::{AggregatedFlow, EndpointId, FlowSet};

/// Which flows a table shows, in which order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowQuery {
    /// A substring of either end's namespace (empty: any).
    pub namespace: String,
    /// The destination port (none: any).
    pub port: Option<u16>,
    /// A [`super::Change`] as `as_str` writes it (`broken`, `undecidable`, …), or empty for any.
    pub change: String,
    /// Most connections first (else fewest first).
    pub descending: bool,
}

impl ImpactReport {
    /// Positions in `self.flows` (a run over `flows`) of the rows `query` selects, in its order.
    /// Stable: equal counts keep the report's order, so a table does not shuffle between runs.
    pub fn select(&self, flows: &FlowSet, query: &FlowQuery) -> Vec<usize> {
        let namespace = query.namespace.trim();
        let mut order: Vec<usize> = self
            .flows
            .iter()
            .enumerate()
            .filter(|(_, flow)| {
                let in_namespace = |end: fn(&AggregatedFlow) -> EndpointId| {
                    flows.flows().get(flow.index).is_some_and(|observed| {
                        let ns = flows.endpoint(end(observed)).namespace.as_deref();
                        ns.unwrap_or_default().contains(namespace)
                    })
                };
                (namespace.is_empty() || in_namespace(|f| f.src) || in_namespace(|f| f.dst))
                    && query.port.is_none_or(|port| flow.port == Some(port))
                    && (query.change.is_empty() || flow.change.as_str() == query.change)
            })
            .map(|(i, _)| i)
            .collect();
        let count = |i: usize| self.flows.get(i).map_or(0, |f| f.count);
        if query.descending {
            order.sort_by_key(|&i| std::cmp::Reverse(count(i)));
        } else {
            order.sort_by_key(|&i| count(i));
        }
        order
    }
}
