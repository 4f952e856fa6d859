//! The flow table's rows, filtered and sorted in the worker: the page only ever receives the window it
//! shows, so a table of 100 000 flows costs the page as much as one of 50.

use netpol_core::impact::{FlowImpact, ImpactReport};

use super::protocol::{FlowRow, TableQuery};

/// The order of the last query, kept so that scrolling does not filter and sort again.
#[derive(Default)]
pub struct TableCache {
    last: Option<(TableQuery, Vec<usize>)>,
}

impl TableCache {
    /// The total number of rows `query` selects, and the rows `offset..offset + limit` of them.
    pub fn window(
        &mut self,
        report: &ImpactReport,
        namespaces: &[(String, String)],
        query: &TableQuery,
        offset: usize,
        limit: usize,
    ) -> (usize, Vec<FlowRow>) {
        let fresh = !matches!(&self.last, Some((last, _)) if last == query);
        if fresh {
            self.last = Some((query.clone(), select(report, namespaces, query)));
        }
        let Some((_, order)) = &self.last else {
            return (0, Vec::new());
        };
        let rows = order
            .iter()
            .skip(offset)
            .take(limit)
            .map(|&i| row(&report.flows[i]))
            .collect();
        (order.len(), rows)
    }
}

/// Positions in `report.flows` of the rows `query` selects, in its order.
fn select(
    report: &ImpactReport,
    namespaces: &[(String, String)],
    query: &TableQuery,
) -> Vec<usize> {
    let namespace = query.namespace.trim();
    let mut order: Vec<usize> = report
        .flows
        .iter()
        .enumerate()
        .filter(|(_, flow)| {
            let (src, dst) = &namespaces[flow.index];
            (namespace.is_empty() || src.contains(namespace) || dst.contains(namespace))
                && query.port.is_none_or(|port| flow.port == Some(port))
                && (query.change.is_empty() || flow.change.as_str() == query.change)
        })
        .map(|(i, _)| i)
        .collect();
    // Stable: equal counts keep the report's order, so the table does not shuffle between runs.
    if query.descending {
        order.sort_by(|&a, &b| report.flows[b].count.cmp(&report.flows[a].count));
    } else {
        order.sort_by(|&a, &b| report.flows[a].count.cmp(&report.flows[b].count));
    }
    order
}

fn row(flow: &FlowImpact) -> FlowRow {
    FlowRow {
        index: flow.index,
        src: flow.src.clone(),
        dst: flow.dst.clone(),
        protocol: flow.protocol.to_string(),
        port: flow.port,
        count: flow.count,
        observed: flow.observed.as_str().to_owned(),
        before: flow.before.map(|v| v.as_str().to_owned()),
        after: flow.after.map(|v| v.as_str().to_owned()),
        change: flow.change.as_str().to_owned(),
        unmatched: flow.unmatched.clone(),
    }
}
