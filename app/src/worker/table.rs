//! The flow table's rows, selected by core (`ImpactReport::select`) in the worker: the page only ever
//! receives the window it shows, so a table of 100 000 flows costs the page as much as one of 50.

use netpol_core::flows::FlowSet;
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
        flows: &FlowSet,
        query: &TableQuery,
        offset: usize,
        limit: usize,
    ) -> (usize, Vec<FlowRow>) {
        let fresh = !matches!(&self.last, Some((last, _)) if last == query);
        if fresh {
            self.last = Some((query.clone(), report.select(flows, query)));
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
        missing: flow.missing.clone(),
    }
}

#[cfg(test)]
mod tests {
    use netpol_core::design;
    use netpol_core::flows::{ImportOptions, import_bytes};
    use netpol_core::impact::{ImpactOptions, impact};

    use super::*;

    /// The sample flows shipped with the site, replayed against the sample design.
    fn sample() -> (ImpactReport, FlowSet) {
        let bytes = include_bytes!("../../../public/samples/sample-design-flows.jsonl.gz");
        let flows = import_bytes(bytes, ImportOptions::default()).expect("the sample imports");
        let resources = design::to_resources(&design::sample());
        let report = impact(&resources, &resources, &flows, ImpactOptions::default());
        (report, flows)
    }

    #[test]
    fn filters_select_and_order_sorts_by_count() {
        let (report, flows) = sample();
        let mut cache = TableCache::default();
        let all = TableQuery {
            descending: true,
            ..TableQuery::default()
        };
        let (total, rows) = cache.window(&report, &flows, &all, 0, usize::MAX);
        assert_eq!(total, report.flows.len());
        assert!(rows.windows(2).all(|w| w[0].count >= w[1].count));

        let ascending = TableQuery {
            descending: false,
            ..all.clone()
        };
        let (_, rows) = cache.window(&report, &flows, &ascending, 0, usize::MAX);
        assert!(rows.windows(2).all(|w| w[0].count <= w[1].count));

        let dns = TableQuery {
            port: Some(53),
            ..all.clone()
        };
        let (n, rows) = cache.window(&report, &flows, &dns, 0, usize::MAX);
        assert!(n > 0 && rows.iter().all(|r| r.port == Some(53)));

        let checkout = TableQuery {
            namespace: "checkout".to_owned(),
            ..all.clone()
        };
        let (_, rows) = cache.window(&report, &flows, &checkout, 0, usize::MAX);
        assert!(!rows.is_empty());
        assert!(
            rows.iter()
                .all(|r| r.src.contains("checkout") || r.dst.contains("checkout"))
        );

        // The sample matches the sample design: every end resolves, and it tells both sides.
        assert_eq!(report.summary.unmatched, 0);
        assert!(report.summary.unchanged_allow > 0 && report.summary.unchanged_deny > 0);
        assert!(!report.unused.is_empty(), "some rules see no traffic");

        let unmatched = TableQuery {
            change: "unmatched".to_owned(),
            ..all.clone()
        };
        let (n, rows) = cache.window(&report, &flows, &unmatched, 0, usize::MAX);
        assert_eq!(n as u64, report.summary.unmatched);
        assert!(
            rows.iter()
                .all(|r| r.change == "unmatched" && r.unmatched.is_some())
        );
    }

    #[test]
    fn windows_are_slices_of_the_order() {
        let (report, flows) = sample();
        let mut cache = TableCache::default();
        let query = TableQuery::default();
        let (total, all) = cache.window(&report, &flows, &query, 0, usize::MAX);
        let (same_total, window) = cache.window(&report, &flows, &query, 5, 7);
        assert_eq!(total, same_total);
        assert_eq!(window, all[5..12]);
        let (_, past_end) = cache.window(&report, &flows, &query, total + 3, 10);
        assert!(past_end.is_empty());
    }
}
