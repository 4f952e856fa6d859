//! Reading a large flow log on several threads. Once an importer has read the start of an uncompressed
//! line-based file (the format is known, a CSV header is behind it), the rest is cut into blocks of
//! whole lines. Worker threads aggregate blocks into sets of their own, and the sets merge back in
//! input order: the same flows in the same order, counts, errors and line numbers as one thread gives.
//!
//! Where threads cannot start (wasm in a browser worker), and for gzip or multi-line JSON documents,
//! [`super::import_reader`] reads on one thread instead.

use std::io::Read;
use std::sync::{Mutex, mpsc};

use super::detect::RecordFormat;
use super::importer::{LineParts, import_block, too_long_block};
use super::text_cache::TextCache;
use super::{FlowSet, ImportError, ImportOptions};

/// Bytes per block: large enough that a block's own endpoint interning is a small part of its work,
/// small enough that the blocks in flight stay a few tens of MB.
pub(crate) const BLOCK_BYTES: usize = 8 << 20;

/// How many worker threads to use: one per core, at most four (reading the file is then the limit).
/// 1 means "read on this thread".
pub(crate) fn worker_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// What the reading thread hands to the workers.
enum Piece {
    /// Whole lines in `buf[..len]` (the last one may lack its newline at the end of the file). The
    /// buffer goes back to the reading thread to be filled again.
    Lines { buf: Vec<u8>, len: usize },
    /// One line longer than the line limit, dropped as it was read: its length.
    TooLong(usize),
}

/// One worker's aggregation, and the number of lines of each block it took.
#[derive(Default)]
struct BlockWorker {
    set: FlowSet,
    texts: TextCache,
    lines: Vec<(u64, u64)>,
}

impl BlockWorker {
    /// Aggregates one piece; returns its buffer for reuse.
    fn take(
        &mut self,
        block: u64,
        piece: Piece,
        format: &RecordFormat,
        options: ImportOptions,
    ) -> Option<Vec<u8>> {
        let (lines, buf) = match piece {
            Piece::Lines { buf, len } => (
                import_block(
                    &mut self.set,
                    &mut self.texts,
                    format,
                    options,
                    block,
                    &buf[..len],
                ),
                Some(buf),
            ),
            Piece::TooLong(len) => {
                too_long_block(&mut self.set, options, block, len);
                (1, None)
            }
        };
        self.lines.push((block, lines));
        buf
    }
}

/// Reads the rest of the input after `parts` on `workers` threads (`block_bytes` per block) and
/// returns every flow, as [`super::FlowImporter::finish`] would.
pub(crate) fn import_rest<R: Read>(
    reader: &mut R,
    parts: LineParts,
    workers: usize,
    block_bytes: usize,
    bytes_read: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<FlowSet, ImportError> {
    let LineParts {
        mut set,
        format,
        options,
        carry,
        lines,
    } = parts;
    let (sender, receiver) = mpsc::sync_channel::<(u64, Piece)>(workers * 2);
    let receiver = Mutex::new(receiver);
    // Buffers come back from the workers: no fresh (page-faulting, zero-filled) memory per block.
    let (recycle, recycled) = mpsc::channel::<Vec<u8>>();
    let (done, read) = std::thread::scope(|scope| {
        let (receiver, format) = (&receiver, &format);
        let mut handles = Vec::new();
        for _ in 0..workers {
            let recycle = recycle.clone();
            let spawned = std::thread::Builder::new()
                .name("netpol-flow-import".into())
                .spawn_scoped(scope, move || work(receiver, &recycle, format, options));
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(_) => break,
            }
        }
        // Without any worker (the system refused threads), this thread does the work.
        let mut inline = BlockWorker::default();
        let mut send = |block: u64, piece: Piece| {
            let piece = if handles.is_empty() {
                piece
            } else {
                match sender.send((block, piece)) {
                    Ok(()) => return,
                    // Every worker has stopped (a panic, re-raised below): keep the data.
                    Err(mpsc::SendError((_, piece))) => piece,
                }
            };
            if let Some(buf) = inline.take(block, piece, format, options) {
                let _ = recycle.send(buf);
            }
        };
        let mut fresh = || {
            recycled
                .try_recv()
                .unwrap_or_else(|_| vec![0; 2 * block_bytes.max(1)])
        };
        let read = cut_blocks(
            reader,
            carry,
            block_bytes.max(1),
            options,
            bytes_read,
            progress,
            &mut send,
            &mut fresh,
        );
        drop(sender);
        let mut done = vec![inline];
        for handle in handles {
            match handle.join() {
                Ok(worker) => done.push(worker),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        (done, read)
    });
    let read_after = read?;
    merge(&mut set, lines, done, options);
    set.note_unread_traces(options.max_reported_errors);
    set.summary.bytes += read_after;
    set.summary.distinct = set.flows().len() as u64;
    Ok(set)
}

/// Reads the input to its end, sending blocks of whole lines (about `block_bytes` each) numbered
/// from 1; returns the bytes read. `fresh` gives an empty buffer (any length; it grows as needed).
#[allow(clippy::too_many_arguments)]
fn cut_blocks<R: Read>(
    reader: &mut R,
    carry: Vec<u8>,
    block_bytes: usize,
    options: ImportOptions,
    mut bytes_read: u64,
    progress: &mut dyn FnMut(u64),
    send: &mut dyn FnMut(u64, Piece),
    fresh: &mut dyn FnMut() -> Vec<u8>,
) -> Result<u64, ImportError> {
    let first = bytes_read;
    let mut block = 1u64;
    let mut buf = fresh();
    let mut filled = carry.len();
    grow(&mut buf, filled + block_bytes);
    buf[..filled].copy_from_slice(&carry);
    // The length so far of an over-long line being dropped.
    let mut dropping: Option<usize> = None;
    // Whether the bytes held end no line: read on even past the block size.
    let mut no_line_end = false;
    loop {
        let mut at_end = false;
        let target = if no_line_end { filled + 1 } else { block_bytes };
        no_line_end = false;
        while filled < target {
            grow(&mut buf, filled + block_bytes);
            let n = read_some(reader, &mut buf[filled..])?;
            if n == 0 {
                at_end = true;
                break;
            }
            filled += n;
            bytes_read += n as u64;
            progress(bytes_read);
        }
        if at_end {
            match dropping {
                Some(len) => send(block, Piece::TooLong(len + filled)),
                None if filled > 0 => send(block, Piece::Lines { buf, len: filled }),
                None => {}
            }
            return Ok(bytes_read - first);
        }
        if let Some(len) = dropping {
            match memchr::memchr(b'\n', &buf[..filled]) {
                Some(end) => {
                    send(block, Piece::TooLong(len + end));
                    block += 1;
                    dropping = None;
                    buf.copy_within(end + 1..filled, 0);
                    filled -= end + 1;
                }
                None => {
                    dropping = Some(len + filled);
                    filled = 0;
                    continue;
                }
            }
        }
        match memchr::memrchr(b'\n', &buf[..filled]) {
            Some(end) => {
                let rest = filled - (end + 1);
                let mut next = fresh();
                grow(&mut next, rest + block_bytes);
                next[..rest].copy_from_slice(&buf[end + 1..filled]);
                let lines = std::mem::replace(&mut buf, next);
                send(
                    block,
                    Piece::Lines {
                        buf: lines,
                        len: end + 1,
                    },
                );
                block += 1;
                filled = rest;
            }
            // No line ends here yet: keep reading, up to the line limit.
            None if filled > options.max_line_bytes => {
                dropping = Some(filled);
                filled = 0;
            }
            None => no_line_end = true,
        }
    }
}

/// Makes `buf` at least `len` bytes long (zero-filling only what is new).
fn grow(buf: &mut Vec<u8>, len: usize) {
    if buf.len() < len {
        buf.resize(len, 0);
    }
}

fn read_some<R: Read>(reader: &mut R, buf: &mut [u8]) -> Result<usize, ImportError> {
    loop {
        match reader.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ImportError::Io(e)),
        }
    }
}

fn work(
    receiver: &Mutex<mpsc::Receiver<(u64, Piece)>>,
    recycle: &mpsc::Sender<Vec<u8>>,
    format: &RecordFormat,
    options: ImportOptions,
) -> BlockWorker {
    let mut worker = BlockWorker::default();
    loop {
        // The lock is held only to take the next block.
        let next = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => break,
        };
        match next {
            Ok((block, piece)) => {
                if let Some(buf) = worker.take(block, piece, format, options) {
                    // The reading thread may be gone (it stopped on an error): then drop the buffer.
                    let _ = recycle.send(buf);
                }
            }
            Err(mpsc::RecvError) => break,
        }
    }
    worker
}

/// Merges the workers' sets into `set` (which holds the file's first `lines` lines, and flows of files
/// imported before), in order of first appearance, and numbers their error lines from the file start.
fn merge(set: &mut FlowSet, lines: u64, workers: Vec<BlockWorker>, options: ImportOptions) {
    let blocks = workers
        .iter()
        .flat_map(|w| &w.lines)
        .map(|&(block, _)| block as usize + 1)
        .max()
        .unwrap_or(1);
    // The line before each block's first line.
    let mut before = vec![0u64; blocks];
    let mut counts = vec![0u64; blocks];
    counts[0] = lines;
    for &(block, n) in workers.iter().flat_map(|w| &w.lines) {
        counts[block as usize] = n;
    }
    for block in 1..blocks {
        before[block] = before[block - 1] + counts[block - 1];
    }
    // Positions are `file << 48 | block << 32 | line in the block`; errors are the same without the
    // file. Both become the line in the file; positions take this file's number (the workers' sets
    // know no file: theirs is 0).
    let line_of = |position: u64| {
        let block = ((position >> 32) & 0xFFFF) as usize;
        before[block] + (position & 0xFFFF_FFFF)
    };
    let file = (set.summary.formats.len() as u64) << 48;
    let position_of = |position: u64| file | line_of(position);

    let mut flows: Vec<(u64, usize, usize)> = workers
        .iter()
        .enumerate()
        .flat_map(|(w, worker)| {
            worker
                .set
                .flows_by_position()
                .enumerate()
                .map(move |(i, (position, _))| (position, w, i))
        })
        .collect();
    flows.sort_unstable();
    for (_, w, i) in flows {
        set.merge_flow(&workers[w].set, i, position_of);
    }

    let summary = &mut set.summary;
    // The errors so far are of earlier files and of this file's first lines: all before these.
    let first_new = summary.errors.len();
    for worker in &workers {
        let s = &worker.set.summary;
        summary.records += s.records;
        summary.skipped += s.skipped;
        summary.ignored += s.ignored;
        summary.events += s.events;
        summary
            .errors
            .extend(s.errors.iter().map(|e| super::LineError {
                line: line_of(e.line),
                column: e.column,
                reason: e.reason.clone(),
            }));
    }
    summary.errors[first_new..].sort_by_key(|e| e.line);
    summary.errors.truncate(options.max_reported_errors);
}

#[cfg(test)]
mod tests {
    use super::super::{import_bytes, import_reader_on};
    use super::*;

    /// A reader that hands out at most `step` bytes per read, so that small inputs make many blocks.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// Everything an import says, with endpoints and traces by value (ids may differ).
    fn described(set: &FlowSet) -> Vec<String> {
        let s = set.summary();
        let mut out = vec![format!(
            "formats {:?} records {} skipped {} ignored {} events {} unread traces {} distinct {} bytes {}",
            s.formats,
            s.records,
            s.skipped,
            s.ignored,
            s.events,
            s.unread_traces,
            s.distinct,
            s.bytes
        )];
        out.extend(
            s.errors
                .iter()
                .map(|e| format!("error {}:{}: {}", e.line, e.column, e.reason)),
        );
        out.extend(
            s.warnings
                .iter()
                .map(|e| format!("warning {}: {}", e.line, e.reason)),
        );
        let trace = |t: Option<super::super::TraceId>| t.map(|t| format!("{:?}", set.trace(t)));
        out.extend(set.flows().iter().map(|f| {
            format!(
                "{:?} -> {:?} {:?} {:?} records {} {:?} {:?}..{:?} {:?} {:?} {:?} {:?}",
                set.endpoint(f.src),
                set.endpoint(f.dst),
                f.protocol,
                f.port,
                f.records,
                f.counts,
                f.first_seen,
                f.last_seen,
                trace(f.trace_src),
                trace(f.trace_dst),
                trace(f.pending_src),
                trace(f.pending_dst),
            )
        }));
        out
    }

    fn sample(name: &str) -> Vec<u8> {
        let path = format!("{}/../../shared/flows/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// A Calico file with what a parallel import must number and order exactly: malformed lines,
    /// blank and CRLF lines, over-long lines (alone in their block or inside one), repeats of early
    /// flows far down the file, and no final newline.
    fn awkward_calico() -> Vec<u8> {
        let good = sample("calico-enterprise-flows.jsonl");
        let lines: Vec<&[u8]> = good
            .split(|&c| c == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        let mut out = Vec::new();
        for round in 0..6 {
            for (i, line) in lines.iter().enumerate() {
                out.extend_from_slice(line);
                out.extend_from_slice(if i % 7 == 3 { b"\r\n" } else { b"\n" });
                match (round + i) % 11 {
                    0 => out.extend_from_slice(b"{\"proto\":\"tcp\", broken\n"),
                    4 => out.extend_from_slice(b"\n  \n"),
                    8 => {
                        out.extend_from_slice(&vec![b'x'; 3000]);
                        out.push(b'\n');
                    }
                    _ => {}
                }
            }
        }
        out.extend_from_slice(lines[2]);
        out
    }

    #[test]
    fn blocks_on_threads_give_what_one_thread_gives() {
        let options = ImportOptions {
            max_line_bytes: 2500,
            max_reported_errors: 7,
        };
        let inputs = [
            ("awkward", awkward_calico(), options),
            (
                "calico",
                sample("calico-enterprise-flows.jsonl"),
                ImportOptions::default(),
            ),
            (
                "calico 3.32",
                sample("calico-felix-3.32-flows.jsonl"),
                ImportOptions::default(),
            ),
            ("csv", sample("flows.csv"), ImportOptions::default()),
            (
                "hubble",
                sample("hubble-flows.jsonl"),
                ImportOptions::default(),
            ),
            (
                "goldmane",
                sample("goldmane-emitter-flows.jsonl"),
                ImportOptions::default(),
            ),
            // Not line-based or compressed: read on one thread whatever is asked.
            (
                "whisker list",
                sample("goldmane-flows.json"),
                ImportOptions::default(),
            ),
            (
                "gzip",
                sample("calico-enterprise-flows.jsonl.gz"),
                ImportOptions::default(),
            ),
        ];
        for (name, bytes, options) in inputs {
            let expected = described(&import_bytes(&bytes, options).expect(name));
            for (workers, step, block) in [
                (2, 700, 1),
                (3, 4096, 2048),
                (2, 1 << 20, 5000),
                (4, 333, 64 << 10),
            ] {
                let reader = Trickle {
                    bytes: &bytes,
                    step,
                };
                let set =
                    import_reader_on(reader, FlowSet::default(), options, |_| {}, workers, block)
                        .expect(name);
                assert_eq!(
                    described(&set),
                    expected,
                    "{name}: {workers} workers, reads of {step}, blocks of {block}"
                );
            }
        }
    }

    /// Three records of one flow: from its source (rule 0 of its policy), from its destination, and
    /// from its source again with another trace (rule 7).
    fn one_flow_three_records() -> (String, String, String) {
        let good = sample("calico-enterprise-flows.jsonl");
        let src = good
            .split(|&c| c == b'\n')
            .find(|l| l.windows(16).any(|w| w == b"\"reporter\":\"src\""))
            .expect("a source-side record");
        let src = String::from_utf8_lossy(src).into_owned();
        let dst = src.replace("\"reporter\":\"src\"", "\"reporter\":\"dst\"");
        let later = src.replace("|allow|0", "|allow|7");
        (src, dst, later)
    }

    #[test]
    fn each_trace_is_the_one_of_the_flows_earliest_record_that_has_it() {
        // One flow: first seen from its destination, then its source reports two different policy
        // traces. Whichever worker takes which block, the source trace is the earlier one.
        let (src, dst, later) = one_flow_three_records();
        assert_ne!(later, src);
        let filler = "\n".repeat(50);
        let text = format!("{dst}\n{filler}{src}\n{filler}{later}\n{filler}{dst}\n");
        let expected = described(
            &import_bytes(text.as_bytes(), ImportOptions::default()).expect("one thread"),
        );
        assert!(
            expected.iter().any(|l| l.contains("rule: 0")),
            "{expected:#?}"
        );
        for block in [1, 60, 200] {
            for _ in 0..3 {
                let reader = Trickle {
                    bytes: text.as_bytes(),
                    step: 64,
                };
                let set = import_reader_on(
                    reader,
                    FlowSet::default(),
                    ImportOptions::default(),
                    |_| {},
                    3,
                    block,
                )
                .expect("threads");
                assert_eq!(described(&set), expected, "blocks of {block}");
            }
        }
    }

    fn lines(text: String) -> Piece {
        let len = text.len();
        Piece::Lines {
            buf: text.into_bytes(),
            len,
        }
    }

    #[test]
    fn merging_keeps_the_earliest_trace_even_from_a_later_copy() {
        // Worker A met the flow first (from its destination) but its source trace later than
        // worker B's: B's trace wins.
        let (src, dst, later) = one_flow_three_records();
        let options = ImportOptions::default();
        let mut a = BlockWorker::default();
        a.take(1, lines(dst), &RecordFormat::Calico, options);
        a.take(3, lines(later), &RecordFormat::Calico, options);
        let mut b = BlockWorker::default();
        b.take(2, lines(src), &RecordFormat::Calico, options);
        let mut set = FlowSet::default();
        merge(&mut set, 0, vec![a, b], options);
        let flow = &set.flows()[0];
        assert_eq!(set.flows().len(), 1);
        assert_eq!(flow.records, 3);
        let rule = |t: Option<super::super::TraceId>| t.map(|t| set.trace(t)[0].rule);
        assert_eq!(
            rule(flow.trace_src),
            Some(0),
            "{:?}",
            set.trace(flow.trace_src.unwrap())
        );
        assert_eq!(rule(flow.pending_src), Some(0));
        assert!(flow.trace_dst.is_some());
    }

    #[test]
    fn a_second_file_continues_the_first_in_order() {
        let (a, b) = (sample("calico-enterprise-flows.jsonl"), awkward_calico());
        let options = ImportOptions::default();
        let one_thread = import_bytes(&a, options).expect("a");
        let mut importer = super::super::FlowImporter::continue_with(one_thread, options);
        importer.feed(&b).expect("b");
        let expected = described(&importer.finish().expect("b"));
        let first = import_reader_on(
            Trickle {
                bytes: &a,
                step: 500,
            },
            FlowSet::default(),
            options,
            |_| {},
            2,
            1000,
        )
        .expect("a");
        let both = import_reader_on(
            Trickle {
                bytes: &b,
                step: 500,
            },
            first,
            options,
            |_| {},
            2,
            1000,
        )
        .expect("b");
        assert_eq!(described(&both), expected);
    }

    #[test]
    fn a_second_file_read_on_threads_keeps_the_first_files_traces() {
        // The workers' sets know no file number: their positions must not pass for earlier than the
        // first file's.
        let (src, dst, later) = one_flow_three_records();
        let options = ImportOptions::default();
        let first = import_bytes(format!("{src}\n").as_bytes(), options).expect("first");
        let second = format!("{dst}\n{}{later}\n", "\n".repeat(300));
        let mut importer = super::super::FlowImporter::continue_with(first.clone(), options);
        importer.feed(second.as_bytes()).expect("second");
        let expected = described(&importer.finish().expect("second"));
        let reader = Trickle {
            bytes: second.as_bytes(),
            step: 64,
        };
        let both = import_reader_on(reader, first, options, |_| {}, 2, 100).expect("threads");
        assert_eq!(described(&both), expected);
        let flow = &both.flows()[0];
        assert_eq!(flow.trace_src.map(|t| both.trace(t)[0].rule), Some(0));
    }

    /// One line of a sample, changed in a way real files are broken (or not).
    fn mutated(line: &str, mutation: u8, at: usize) -> String {
        match mutation {
            // A policy string that cannot be read, or a `policies` object of the wrong shape: the
            // record stays, with a warning when its trace is the one read.
            1 => line.replacen("|allow|0", "|allow|zero", 1),
            2 => line.replacen("\"all_policies\":[", "\"all_policies\":7,\"was\":[", 1),
            // The older form without the rule index.
            3 => line.replace("|allow|0\"", "|allow\""),
            // A verdict or an end that cannot be read: skipped.
            4 => line.replacen("\"action\":\"allow\"", "\"action\":\"maybe\"", 1),
            5 => line.replacen("\"dest_labels\":{\"labels\":[", "\"dest_labels\":{\"labels\":[1,", 1),
            // New flows (a port over 65535 is an error).
            6 => line.replacen("\"dest_port\":", &format!("\"dest_port\":{}", at % 7), 1),
            7 => "{\"lost_events\":{\"source\":\"PERF_EVENT_RING_BUFFER\",\"num_events_lost\":\"3\"}}".into(),
            8 => "not json".into(),
            9 => String::new(),
            _ => line.to_owned(),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(40))]

        /// Whatever a file holds, the flows hold exactly the records the report accepts, and the
        /// threaded import says what one thread says (flows, counts, errors, warnings, events).
        #[test]
        fn flows_hold_the_accepted_records_on_any_number_of_threads(
            hubble in proptest::bool::ANY,
            picks in proptest::collection::vec((0usize..60, 0u8..14), 1..120),
            block in 1usize..3000,
        ) {
            let name = if hubble { "hubble-flows.jsonl" } else { "calico-enterprise-flows.jsonl" };
            let good = String::from_utf8(sample(name)).unwrap_or_default();
            let lines: Vec<&str> = good.lines().collect();
            let text: String = picks
                .iter()
                .enumerate()
                .map(|(at, &(i, m))| mutated(lines[i % lines.len()], m, at) + "\n")
                .collect();
            let options = ImportOptions { max_line_bytes: 1 << 20, max_reported_errors: 5 };
            // The file may start with a line that says nothing of its format: then it is refused
            // alike on any number of threads.
            let one = import_bytes(text.as_bytes(), options).map(|set| described(&set));
            let reader = Trickle { bytes: text.as_bytes(), step: 500 };
            let threads = import_reader_on(reader, FlowSet::default(), options, |_| {}, 3, block);
            let Ok(set) = threads else {
                proptest::prop_assert!(one.is_err());
                return Ok(());
            };
            let s = set.summary();
            let merged: u64 = set.flows().iter().map(|f| f.records).sum();
            proptest::prop_assert_eq!(merged, s.records - s.skipped - s.ignored);
            proptest::prop_assert!(set.flows().iter().all(|f| f.records > 0));
            proptest::prop_assert!(s.warnings.len() as u64 <= s.unread_traces);
            proptest::prop_assert_eq!(described(&set), one.unwrap_or_default());
        }
    }

    #[test]
    fn progress_reaches_the_file_size() {
        let bytes = awkward_calico();
        let mut last = 0;
        let reader = Trickle {
            bytes: &bytes,
            step: 1000,
        };
        import_reader_on(
            reader,
            FlowSet::default(),
            ImportOptions::default(),
            |n| last = n,
            2,
            4096,
        )
        .expect("import");
        assert_eq!(last, bytes.len() as u64);
    }
}
