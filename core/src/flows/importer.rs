//! The push-based importer: bytes in (in any chunk sizes), distinct flows out.

use std::io::Write;

use flate2::write::MultiGzDecoder;

use super::detect::{DETECT_BYTES, Plan, RecordFormat, detect, key_skeleton, object_format};
use super::json_scan::{Item, JsonScanner};
use super::lines::{Line, LineSplitter};
use super::raw::{Parsed, RawRecord, RecordError};
use super::text_cache::TextCache;
use super::{FlowFormat, FlowSet, ImportError, ImportOptions, LineError, calico, goldmane, hubble};

/// Imports one flow-log file fed in chunks. Create it, [`feed`](FlowImporter::feed) every chunk, then
/// [`finish`](FlowImporter::finish). Usable from a web worker: it never blocks and holds one record
/// (plus one chunk) at a time.
pub struct FlowImporter {
    options: ImportOptions,
    set: FlowSet,
    bytes: u64,
    magic: Vec<u8>,
    gzip: Option<Box<MultiGzDecoder<Vec<u8>>>>,
    /// Compressed bytes not yet handed to the decoder: the decoder gets the stream in pieces of
    /// [`GZIP_PIECE_BYTES`] cut at fixed offsets, whatever the chunks were (see [`FlowImporter::decode`]).
    gzip_pending: Vec<u8>,
    /// Compressed bytes handed to the decoder so far.
    gzip_fed: u64,
    /// Decompressed bytes produced so far (gzip only).
    decoded: u64,
    /// The gzip stream broke (corrupt, or cut short as by a log rotated mid-write): what it decoded
    /// before the break is imported, the rest of the input is not read.
    broken: bool,
    stage: Stage,
    texts: TextCache,
    /// Formats the set knew before this file: the file has records of its own once it has one more.
    formats_before: usize,
}

/// The compressed bytes the gzip decoder gets at a time. What a broken stream salvages depends on the
/// pieces the decoder was given (the output of the call that meets the break is lost), so they are
/// cut at fixed offsets of the stream rather than where the caller's chunks end: the same file gives
/// the same flows however it is fed. Small, so that little is lost before a break.
const GZIP_PIECE_BYTES: usize = 16 * 1024;

/// How a gzip stream broke.
#[derive(Clone, Copy)]
enum Break {
    /// The input ended inside the stream (a log rotated mid-write).
    EndsEarly,
    /// The compressed data cannot be decoded past some point.
    Corrupt,
    /// Everything decoded, but the stream's CRC does not match.
    Checksum,
}

enum Stage {
    /// Collecting the first bytes (at most [`DETECT_BYTES`], or up to the first line).
    Detecting(Vec<u8>),
    Lines {
        format: RecordFormat,
        splitter: LineSplitter,
        skip_first_line: bool,
    },
    Structured {
        format: Option<RecordFormat>,
        scanner: JsonScanner,
    },
}

/// What to do with one record's bytes.
struct Sink<'s> {
    set: &'s mut FlowSet,
    texts: &'s mut TextCache,
    options: ImportOptions,
    /// The block of the input these lines come from (0 but in a parallel import): the high half of
    /// record positions and of error lines until they are renumbered.
    block: u64,
}

impl Sink<'_> {
    fn error(&mut self, line: u64, column: u64, reason: String) {
        let summary = &mut self.set.summary;
        summary.records += 1;
        summary.skipped += 1;
        if summary.errors.len() < self.options.max_reported_errors {
            summary.errors.push(LineError {
                line: (self.block << 32) | line,
                column,
                reason,
            });
        }
    }

    /// The error of a record that starts at `line`:`column`, placed where the parser failed.
    fn record_error(&mut self, line: u64, column: u64, error: RecordError) {
        let (line, column) = match error.at {
            Some((1, at)) => (line, column + at - 1),
            Some((below, at)) => (line + below - 1, at),
            None => (line, column),
        };
        self.error(line, column, error.reason);
    }

    fn record(&mut self, line: u64, column: u64, format: &RecordFormat, bytes: &[u8]) {
        // Files imported into one set are counted by their detected formats: later files come after.
        let file = self.set.summary.formats.len() as u64;
        self.set.position = (file << 48) | (self.block << 32) | line;
        fn some<E: Into<RecordError>>(
            r: Result<RawRecord<'_>, E>,
        ) -> Result<Parsed<'_>, RecordError> {
            r.map(Parsed::Record).map_err(Into::into)
        }
        let parsed = match format {
            RecordFormat::Calico => some(calico::parse(bytes, self.texts)),
            RecordFormat::CalicoEsHit => some(calico::parse_es_hit(bytes)),
            RecordFormat::Whisker => some(goldmane::parse_whisker(bytes)),
            RecordFormat::WhiskerSse => goldmane::parse_whisker_sse(bytes)
                .map(|r| r.map_or(Parsed::Framing, Parsed::Record)),
            RecordFormat::GoldmaneEmitter => some(goldmane::parse_emitter(bytes)),
            RecordFormat::GoldmaneStream => some(goldmane::parse_stream(bytes)),
            RecordFormat::Hubble => hubble::parse(bytes),
            RecordFormat::HubbleBare => hubble::parse_bare(bytes),
            RecordFormat::Csv(header) => some(header.parse_row(bytes)),
        };
        let summary = &mut self.set.summary;
        match parsed {
            Ok(Parsed::Record(record)) => match self.set.add(&record) {
                Ok(()) => self.set.summary.records += 1,
                Err(reason) => self.error(line, column, reason),
            },
            Ok(Parsed::Ignored) => {
                summary.records += 1;
                summary.ignored += 1;
            }
            Ok(Parsed::Event) => summary.events += 1,
            Ok(Parsed::Framing) => {}
            Err(error) => self.record_error(line, column, error),
        }
    }

    fn too_long(&mut self, line: u64, len: usize) {
        let limit = self.options.max_line_bytes;
        self.error(
            line,
            1,
            format!("the record is {len} bytes long, over the limit of {limit} bytes"),
        );
    }
}

impl FlowImporter {
    /// A fresh importer.
    pub fn new(options: ImportOptions) -> FlowImporter {
        FlowImporter::continue_with(FlowSet::default(), options)
    }

    /// An importer that adds to flows already imported (several files, one result).
    pub fn continue_with(set: FlowSet, options: ImportOptions) -> FlowImporter {
        FlowImporter {
            options,
            bytes: 0,
            magic: Vec::new(),
            gzip: None,
            gzip_pending: Vec::new(),
            gzip_fed: 0,
            decoded: 0,
            broken: false,
            stage: Stage::Detecting(Vec::new()),
            texts: TextCache::default(),
            formats_before: set.summary.formats.len(),
            set,
        }
    }

    /// Input bytes consumed so far (compressed bytes for gzip): the progress to show.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// Records read so far.
    pub fn records_read(&self) -> u64 {
        self.set.summary.records
    }

    /// Feeds the next chunk of the file.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
        self.bytes += chunk.len() as u64;
        self.set.summary.bytes += chunk.len() as u64;
        if self.magic.len() < 2 {
            // Gzip is recognised by its first two bytes, which may arrive in separate chunks.
            let need = 2 - self.magic.len();
            self.magic
                .extend_from_slice(&chunk[..need.min(chunk.len())]);
            if self.magic.len() < 2 {
                return Ok(());
            }
            let magic = std::mem::take(&mut self.magic);
            if magic == [0x1f, 0x8b] {
                self.gzip = Some(Box::new(MultiGzDecoder::new(Vec::new())));
            }
            self.decode(&magic)?;
            self.magic = magic;
            return self.decode(&chunk[need.min(chunk.len())..]);
        }
        self.decode(chunk)
    }

    /// Ends the file: returns every flow imported so far (this file and those before it).
    pub fn finish(mut self) -> Result<FlowSet, ImportError> {
        if self.magic.len() < 2 {
            let magic = std::mem::take(&mut self.magic);
            self.decode(&magic)?;
        }
        let pending = std::mem::take(&mut self.gzip_pending);
        self.inflate(&pending)?;
        if let Some(mut gzip) = self.gzip.take()
            && !self.broken
        {
            let ended = gzip.try_finish();
            let rest = std::mem::take(gzip.get_mut());
            self.decoded += rest.len() as u64;
            self.text(&rest)?;
            if let Err(e) = ended {
                let detail = e.to_string();
                let how = if detail.contains("checksum") {
                    Break::Checksum
                } else {
                    Break::EndsEarly
                };
                let at = self.gzip_fed;
                self.salvage(detail, how, at)?;
            }
        }
        if let Stage::Detecting(head) = &mut self.stage {
            let head = std::mem::take(head);
            self.start(&head, true)?;
        }
        self.finish_text()
    }

    fn finish_text(mut self) -> Result<FlowSet, ImportError> {
        self.feed_stage(None)?;
        // A file without a record (an empty array) has no file number of its own: the last one is
        // an earlier file's.
        if self.set.summary.formats.len() > self.formats_before {
            self.set
                .note_unread_traces(self.options.max_reported_errors);
        }
        self.set.summary.distinct = self.set.flows().len() as u64;
        Ok(self.set)
    }

    /// Raw input bytes (gzip or not).
    fn decode(&mut self, bytes: &[u8]) -> Result<(), ImportError> {
        if bytes.is_empty() {
            return Ok(());
        }
        if self.broken {
            return Ok(());
        }
        if self.gzip.is_none() {
            return self.text(bytes);
        }
        // The stream goes to the decoder in whole pieces that end at multiples of
        // `GZIP_PIECE_BYTES`; only the piece a chunk ends inside is copied.
        let mut rest = bytes;
        if !self.gzip_pending.is_empty() {
            let take = (GZIP_PIECE_BYTES - self.gzip_pending.len()).min(rest.len());
            self.gzip_pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.gzip_pending.len() < GZIP_PIECE_BYTES {
                return Ok(());
            }
            let piece = std::mem::take(&mut self.gzip_pending);
            self.inflate(&piece)?;
        }
        let whole = rest.len() - rest.len() % GZIP_PIECE_BYTES;
        for piece in rest[..whole].chunks(GZIP_PIECE_BYTES) {
            self.inflate(piece)?;
        }
        if !self.broken {
            self.gzip_pending.extend_from_slice(&rest[whole..]);
        }
        Ok(())
    }

    /// Compressed bytes, one piece of the stream (see [`GZIP_PIECE_BYTES`]).
    fn inflate(&mut self, piece: &[u8]) -> Result<(), ImportError> {
        let Some(gzip) = &mut self.gzip else {
            return Ok(());
        };
        if piece.is_empty() || self.broken {
            return Ok(());
        }
        let start = self.gzip_fed;
        let written = gzip.write_all(piece);
        self.gzip_fed += piece.len() as u64;
        let out = std::mem::take(gzip.get_mut());
        self.decoded += out.len() as u64;
        self.text(&out)?;
        match written {
            Ok(()) => Ok(()),
            // The break is somewhere in this piece: after its start.
            Err(e) => self.salvage(e.to_string(), Break::Corrupt, start),
        }
    }

    /// The gzip stream broke: the records decoded before the break stay imported and the break is
    /// reported (`ImportSummary::damaged`); a stream that broke before decoding anything is an error.
    /// `at`: how many compressed bytes are known to come before the break.
    fn salvage(&mut self, detail: String, how: Break, at: u64) -> Result<(), ImportError> {
        self.broken = true;
        if self.decoded == 0 {
            return Err(ImportError::Gzip { detail });
        }
        let (bytes, decoded) = (at, self.decoded);
        self.set.summary.damaged.push(match how {
            Break::EndsEarly => format!(
                "the gzip data ends early after {bytes} compressed bytes ({detail}): the {decoded} decompressed bytes before the break were read, the rest is lost"
            ),
            Break::Corrupt => format!(
                "the gzip data is corrupt after {bytes} compressed bytes ({detail}): the {decoded} decompressed bytes before it were read, the rest is lost"
            ),
            Break::Checksum => format!(
                "the gzip data fails its checksum ({detail}): its {decoded} decompressed bytes were read, but some may be damaged (see the skipped lines)"
            ),
        });
        Ok(())
    }

    /// Decompressed bytes.
    fn text(&mut self, bytes: &[u8]) -> Result<(), ImportError> {
        if bytes.is_empty() {
            return Ok(());
        }
        if let Stage::Detecting(head) = &mut self.stage {
            if head.is_empty() && detect(bytes, false)?.is_some() {
                // Decided on this chunk alone: no copy.
                return self.start(bytes, false);
            }
            head.extend_from_slice(bytes);
            let head = std::mem::take(head);
            return match detect(&head, false)? {
                Some(_) => self.start(&head, false),
                None => {
                    self.stage = Stage::Detecting(head);
                    Ok(())
                }
            };
        }
        self.feed_stage(Some(bytes))
    }

    /// Hands decompressed bytes to the current stage (`None`: the input ended, the stage flushes
    /// what it holds). Nothing happens while the format is still being detected.
    fn feed_stage(&mut self, bytes: Option<&[u8]>) -> Result<(), ImportError> {
        let mut failure = None;
        let mut sink = Sink {
            set: &mut self.set,
            texts: &mut self.texts,
            options: self.options,
            block: 0,
        };
        match &mut self.stage {
            Stage::Lines {
                format,
                splitter,
                skip_first_line,
            } => {
                let each: &mut dyn FnMut(Line<'_>) =
                    &mut |line| handle_line(&mut sink, format, skip_first_line, line);
                match bytes {
                    Some(bytes) => splitter.push(bytes, each),
                    None => splitter.finish(each),
                }
            }
            Stage::Structured { format, scanner } => {
                let each: &mut dyn FnMut(Item<'_>) =
                    &mut |item| handle_item(&mut sink, format, &mut failure, item);
                match bytes {
                    Some(bytes) => scanner.push(bytes, each),
                    None => scanner.finish(each),
                }
            }
            Stage::Detecting(_) => {}
        }
        failure.map_or(Ok(()), Err)
    }

    /// Picks the stage for the detected format and replays the bytes collected so far.
    fn start(&mut self, head: &[u8], complete: bool) -> Result<(), ImportError> {
        let Some(plan) = detect(head, complete)? else {
            self.stage = Stage::Detecting(head.to_vec());
            return Ok(());
        };
        let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
        self.stage = match plan {
            Plan::Lines {
                format,
                skip_first_line,
            } => {
                self.set.summary.formats.push(format.format());
                Stage::Lines {
                    format,
                    splitter: LineSplitter::new(self.options.max_line_bytes),
                    skip_first_line,
                }
            }
            Plan::Structured => Stage::Structured {
                format: None,
                scanner: JsonScanner::new(self.options.max_line_bytes),
            },
        };
        self.text(head)
    }
}

/// What a parallel import takes over from an importer that has read the start of a file: see
/// [`FlowImporter::into_line_parts`].
pub(crate) struct LineParts {
    pub set: FlowSet,
    pub format: RecordFormat,
    pub options: ImportOptions,
    /// The start of a line that the next bytes complete.
    pub carry: Vec<u8>,
    /// Lines read so far.
    pub lines: u64,
}

impl FlowImporter {
    /// The state of an importer reading an uncompressed line-based file past its first line (a CSV
    /// header is behind it, no over-long line is being skipped), from which the rest of the file
    /// can be read in blocks of whole lines; otherwise the importer itself, to go on with.
    pub(crate) fn into_line_parts(mut self) -> Result<LineParts, Box<FlowImporter>> {
        let eligible = self.gzip.is_none()
            && matches!(
                &self.stage,
                Stage::Lines { skip_first_line: false, splitter, .. } if splitter.at_clean_point()
            );
        if !eligible {
            return Err(Box::new(self));
        }
        let Stage::Lines {
            format,
            mut splitter,
            ..
        } = std::mem::replace(&mut self.stage, Stage::Detecting(Vec::new()))
        else {
            return Err(Box::new(self)); // not reached: checked above
        };
        let (carry, lines) = splitter.take_carry();
        Ok(LineParts {
            set: self.set,
            format,
            options: self.options,
            carry,
            lines,
        })
    }
}

/// Adds the records of `bytes`, whole lines of block `block` of a file, to `set`; returns how many
/// lines it holds. Record positions and error lines are `(block << 32) | line in the block`.
pub(crate) fn import_block(
    set: &mut FlowSet,
    texts: &mut TextCache,
    format: &RecordFormat,
    options: ImportOptions,
    block: u64,
    bytes: &[u8],
) -> u64 {
    let mut sink = Sink {
        set,
        texts,
        options,
        block,
    };
    let mut splitter = LineSplitter::new(options.max_line_bytes);
    let mut skip_first_line = false;
    let mut handle = |line: Line<'_>| handle_line(&mut sink, format, &mut skip_first_line, line);
    splitter.push(bytes, &mut handle);
    splitter.finish(&mut handle);
    splitter.lines()
}

/// Adds the error for an over-long line that is block `block` by itself.
pub(crate) fn too_long_block(set: &mut FlowSet, options: ImportOptions, block: u64, len: usize) {
    Sink {
        set,
        texts: &mut TextCache::default(),
        options,
        block,
    }
    .too_long(1, len);
}

fn handle_line(
    sink: &mut Sink<'_>,
    format: &RecordFormat,
    skip_first_line: &mut bool,
    line: Line<'_>,
) {
    match line {
        Line::Text { bytes, .. } if bytes.iter().all(u8::is_ascii_whitespace) => {}
        // The CSV header (blank lines before it were skipped above).
        Line::Text { .. } if std::mem::take(skip_first_line) => {}
        Line::Text { number, bytes } => sink.record(number, 1, format, bytes),
        Line::TooLong { number, len } => {
            *skip_first_line = false;
            sink.too_long(number, len);
        }
    }
}

fn handle_item(
    sink: &mut Sink<'_>,
    format: &mut Option<RecordFormat>,
    failure: &mut Option<ImportError>,
    item: Item<'_>,
) {
    if failure.is_some() {
        return;
    }
    match item {
        Item::Record {
            line,
            column,
            bytes,
        } => {
            if format.is_none() {
                // The first record decides the format of every record of the document.
                match serde_json::from_slice::<serde_json::Value>(bytes) {
                    Ok(serde_json::Value::Object(map)) => match object_format(&map) {
                        // Only Hubble writes event lines (its reader takes bare flows too).
                        None if hubble::is_event_object(&map) => {
                            sink.set.summary.formats.push(FlowFormat::Hubble);
                            *format = Some(RecordFormat::Hubble);
                        }
                        Some(f) => {
                            sink.set.summary.formats.push(f.format());
                            *format = Some(f);
                        }
                        None => {
                            let keys: Vec<&str> = map.keys().take(8).map(String::as_str).collect();
                            *failure = Some(ImportError::UnknownFormat {
                                detail: format!(
                                    "the first record (line {line}) is a JSON object with keys `{}`",
                                    keys.join("`, `")
                                ),
                            });
                            return;
                        }
                    },
                    Ok(_) => {
                        sink.error(line, column, "a JSON value that is not an object".into());
                        return;
                    }
                    Err(e) => {
                        // Say where the parser gave up; the keys it got past still tell the format
                        // of the document (and of the records after this one).
                        let mut error = RecordError::json(e);
                        if let Some(f) = object_format(&key_skeleton(bytes)) {
                            let name = f.format();
                            error.reason = format!(
                                "{} (the keys before it are those of a {name} flow record)",
                                error.reason
                            );
                            sink.set.summary.formats.push(name);
                            *format = Some(f);
                        }
                        sink.record_error(line, column, error);
                        return;
                    }
                }
            }
            if let Some(f) = format {
                sink.record(line, column, f, bytes);
            }
        }
        Item::TooLong { line, len } => sink.too_long(line, len),
        Item::Junk {
            line,
            column,
            reason,
        } => sink.error(line, column, reason),
    }
}

// Detection must decide within its window so that memory stays bounded before the first record.
const _: () = assert!(DETECT_BYTES <= super::DEFAULT_MAX_LINE_BYTES);
