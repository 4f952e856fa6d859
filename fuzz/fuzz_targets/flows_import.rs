//! Fuzzes the flow-log importer on any bytes (every format: the seeds hold Calico JSON lines and
//! Elasticsearch responses, Whisker lists and event streams, Goldmane emitter lines, Hubble, CSV):
//! it must never panic, and how the input is cut into chunks must change nothing — the same flows,
//! endpoints, traces and summary, or the same error, whether it comes in one piece, in the
//! fuzzer's chunk sizes, or through `import_reader` (on threads where there are cores). The flows
//! must hold exactly the records the summary accepts, and every line error points inside the input.
//!
//! Input layout: `[n, size_1, …, size_n, log…]`; the log is fed in chunks of `size_i + 1` bytes,
//! cycling (`n = 0`: one byte at a time).
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use netpol_core::flows::{FlowImporter, FlowSet, ImportOptions, import_bytes, import_reader};

/// Small limits, so that over-long records and the error cap are reached too.
const OPTIONS: ImportOptions = ImportOptions { max_line_bytes: 4096, max_reported_errors: 8 };

/// Splits `data` into the chunk sizes it starts with and the log itself.
fn chunk_sizes(data: &[u8]) -> (Vec<usize>, &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return (vec![1], data);
    };
    let n = usize::from(n % 8).min(rest.len());
    let sizes: Vec<usize> = rest[..n].iter().map(|&b| usize::from(b) + 1).collect();
    let sizes = if sizes.is_empty() { vec![1] } else { sizes };
    (sizes, &rest[n..])
}

fn feed_in_chunks(log: &[u8], sizes: &[usize]) -> Result<FlowSet, String> {
    let mut importer = FlowImporter::new(OPTIONS);
    let mut rest = log;
    for &size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, after) = rest.split_at(size.min(rest.len()));
        importer.feed(chunk).map_err(|e| e.to_string())?;
        rest = after;
    }
    importer.finish().map_err(|e| e.to_string())
}

/// A reader that hands out the log in the fuzzer's chunk sizes, as a socket or a pipe would.
struct ChunkedReader<'a> {
    rest: &'a [u8],
    sizes: &'a [usize],
    next: usize,
}

impl Read for ChunkedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let size = self.sizes[self.next % self.sizes.len()].min(buf.len()).min(self.rest.len());
        self.next += 1;
        let (chunk, after) = self.rest.split_at(size);
        buf[..size].copy_from_slice(chunk);
        self.rest = after;
        Ok(size)
    }
}

fn same(what: &str, a: &Result<FlowSet, String>, b: &Result<FlowSet, String>) {
    match (a, b) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.summary(), b.summary(), "{what}: summaries differ");
            assert_eq!(a.flows(), b.flows(), "{what}: flows differ");
            assert_eq!(a.endpoints(), b.endpoints(), "{what}: endpoints differ");
            for flow in a.flows() {
                for trace in [flow.trace_src, flow.trace_dst, flow.pending_src, flow.pending_dst].into_iter().flatten() {
                    assert_eq!(a.trace(trace), b.trace(trace), "{what}: traces differ");
                }
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "{what}: errors differ"),
        (a, b) => panic!("{what}: one import failed, the other did not: {:?} / {:?}", a.as_ref().err(), b.as_ref().err()),
    }
}

fuzz_target!(|data: &[u8]| {
    let (sizes, log) = chunk_sizes(data);
    let whole = import_bytes(log, OPTIONS).map_err(|e| e.to_string());
    if let Ok(set) = &whole {
        let summary = set.summary();
        let in_flows: u64 = set.flows().iter().map(|f| f.records).sum();
        assert_eq!(summary.records - summary.skipped - summary.ignored, in_flows, "flows hold other records than the accepted ones");
        assert_eq!(summary.distinct, set.flows().len() as u64);
        assert!(summary.errors.len() as u64 <= summary.skipped);
        if !log.starts_with(&[0x1f, 0x8b]) {
            let lines = 1 + log.iter().filter(|&&b| b == b'\n').count() as u64;
            for error in summary.errors.iter().chain(&summary.warnings) {
                assert!(error.line >= 1 && error.line <= lines, "{error} is outside the {lines} lines of the input");
                assert!(error.column >= 1, "{error} has no column");
            }
        }
    }
    same("chunked", &whole, &feed_in_chunks(log, &sizes));
    let reader = ChunkedReader { rest: log, sizes: &sizes, next: 0 };
    same("reader", &whole, &import_reader(reader, FlowSet::default(), OPTIONS, |_| {}).map_err(|e| e.to_string()));
});
