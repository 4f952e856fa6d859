//! Finds the records inside JSON that is not one document per line, without building a DOM:
//! pretty-printed documents one after another, a top-level array of documents, the Whisker list
//! response (`{"total":…,"items":[…]}`) and an Elasticsearch response (`{"hits":{"hits":[…]}}`).
//!
//! It tracks only strings and nesting; each record's bytes are collected (up to the line limit) and
//! handed out for the format's parser.

/// What the scanner hands out.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Item<'a> {
    /// A complete record object and the line and (byte) column it starts at.
    Record {
        line: u64,
        column: u64,
        bytes: &'a [u8],
    },
    /// A record longer than the limit (its bytes were dropped).
    TooLong { line: u64, len: usize },
    /// Something that is not JSON structure where a record was expected, and where.
    Junk {
        line: u64,
        column: u64,
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Records,
    Other,
}

#[derive(Debug)]
enum Frame {
    Object { key: Key, expect_key: bool },
    Array { records: bool },
}

/// A record being collected.
#[derive(Debug)]
struct Capture {
    buf: Vec<u8>,
    depth: u32,
    in_string: bool,
    escape: bool,
    line: u64,
    column: u64,
    overflow: Option<usize>,
    /// A top-level object may turn out to be a wrapper (`items`, `hits`): byte range of the last
    /// string closed directly inside it, and whether a wrapper key was just followed by `:`.
    top_level: bool,
    last_string: Option<(usize, usize)>,
    wrapper_key: bool,
}

/// Chunk-fed record scanner.
#[derive(Debug)]
pub(crate) struct JsonScanner {
    max: usize,
    line: u64,
    /// Bytes of the current line read so far: the 1-based column of the last byte read.
    column: u64,
    stack: Vec<Frame>,
    capture: Option<Capture>,
    in_string: bool,
    escape: bool,
    string: Vec<u8>,
    junk_line: Option<u64>,
}

const WRAPPER_KEYS: [&[u8]; 2] = [b"items", b"hits"];

impl JsonScanner {
    pub fn new(max_record_bytes: usize) -> JsonScanner {
        JsonScanner {
            max: max_record_bytes.max(1),
            line: 1,
            column: 0,
            stack: Vec::new(),
            capture: None,
            in_string: false,
            escape: false,
            string: Vec::new(),
            junk_line: None,
        }
    }

    /// Feeds a chunk; `sink` gets every record the chunk completes.
    pub fn push(&mut self, chunk: &[u8], sink: &mut dyn FnMut(Item<'_>)) {
        let mut i = 0;
        while i < chunk.len() {
            if self.capture.is_some() {
                i = self.push_capture(chunk, i, sink);
            } else {
                self.outside(chunk[i], sink);
                i += 1;
            }
        }
    }

    /// Ends the input: an unfinished record is reported.
    pub fn finish(&mut self, sink: &mut dyn FnMut(Item<'_>)) {
        if let Some(capture) = self.capture.take() {
            sink(Item::Junk {
                line: capture.line,
                column: capture.column,
                reason: "the input ends inside this record (truncated file?)".into(),
            });
        } else if !self.stack.is_empty() {
            sink(Item::Junk {
                line: self.line,
                column: self.column.max(1),
                reason: "the input ends inside a JSON array or object (truncated file?)".into(),
            });
        }
    }

    /// Collects record bytes from `chunk[start..]`; returns where the record ended (or the chunk end).
    fn push_capture(
        &mut self,
        chunk: &[u8],
        start: usize,
        sink: &mut dyn FnMut(Item<'_>),
    ) -> usize {
        let Some(c) = self.capture.as_mut() else {
            return chunk.len();
        };
        let mut i = start;
        while i < chunk.len() {
            let b = chunk[i];
            if b == b'\n' {
                self.line += 1;
                self.column = 0;
            } else {
                self.column += 1;
            }
            if c.in_string {
                if c.escape {
                    c.escape = false;
                } else if b == b'\\' {
                    c.escape = true;
                } else if b == b'"' {
                    c.in_string = false;
                    if c.top_level && c.depth == 1 && c.overflow.is_none() {
                        let end = c.buf.len() + (i - start);
                        let open = c.last_string.map_or(0, |(s, _)| s);
                        c.last_string = Some((open, end));
                    }
                }
                i += 1;
                continue;
            }
            match b {
                b'"' => {
                    c.in_string = true;
                    if c.top_level && c.depth == 1 {
                        c.last_string = Some((c.buf.len() + (i - start) + 1, 0));
                        c.wrapper_key = false;
                    }
                }
                b':' if c.top_level && c.depth == 1 && c.overflow.is_none() => {
                    c.wrapper_key = c.last_string.is_some_and(|(s, e)| {
                        e >= s
                            && e - s <= 5
                            && WRAPPER_KEYS
                                .contains(&virtual_slice(&c.buf, &chunk[start..i], s, e).as_slice())
                    });
                }
                b'[' | b'{' if c.wrapper_key && c.depth == 1 => {
                    // The top-level object is a wrapper: forget it and scan its records instead.
                    self.capture = None;
                    self.stack.push(Frame::Object {
                        key: Key::Records,
                        expect_key: false,
                    });
                    self.structure(b, sink); // `b` is counted already
                    return i + 1;
                }
                b'{' | b'[' => {
                    c.depth += 1;
                    c.wrapper_key = false;
                }
                b'}' | b']' => {
                    c.depth -= 1;
                    if c.depth == 0 {
                        let tail = &chunk[start..=i];
                        let Some(mut done) = self.capture.take() else {
                            return i + 1;
                        };
                        append(&mut done, tail, self.max);
                        match done.overflow {
                            Some(len) => sink(Item::TooLong {
                                line: done.line,
                                len,
                            }),
                            None => sink(Item::Record {
                                line: done.line,
                                column: done.column,
                                bytes: &done.buf,
                            }),
                        }
                        return i + 1;
                    }
                }
                b' ' | b'\t' | b'\r' | b'\n' => {}
                _ => c.wrapper_key = false,
            }
            i += 1;
        }
        let tail = &chunk[start..];
        append(c, tail, self.max);
        chunk.len()
    }

    /// One byte outside any record.
    fn outside(&mut self, b: u8, sink: &mut dyn FnMut(Item<'_>)) {
        if b == b'\n' {
            self.line += 1;
            self.column = 0;
            self.junk_line = None;
        } else {
            self.column += 1;
        }
        self.structure(b, sink);
    }

    /// What one byte outside any record (already counted in `line` and `column`) does.
    fn structure(&mut self, b: u8, sink: &mut dyn FnMut(Item<'_>)) {
        if self.junk_line.is_some() {
            return;
        }
        if self.in_string {
            if self.escape {
                self.escape = false;
            } else if b == b'\\' {
                self.escape = true;
            } else if b == b'"' {
                self.in_string = false;
                if let Some(Frame::Object {
                    key,
                    expect_key: true,
                }) = self.stack.last_mut()
                {
                    *key = if WRAPPER_KEYS.contains(&self.string.as_slice()) {
                        Key::Records
                    } else {
                        Key::Other
                    };
                }
            } else if self.string.len() < 16 {
                self.string.push(b);
            }
            return;
        }
        let in_records = match self.stack.last() {
            None => true,
            Some(Frame::Array { records }) => *records,
            Some(Frame::Object { .. }) => false,
        };
        match b {
            b'{' if in_records => {
                self.capture = Some(Capture {
                    buf: vec![b'{'],
                    depth: 1,
                    in_string: false,
                    escape: false,
                    line: self.line,
                    column: self.column,
                    overflow: None,
                    top_level: self.stack.is_empty(),
                    last_string: None,
                    wrapper_key: false,
                });
            }
            b'{' => self.stack.push(Frame::Object {
                key: Key::Other,
                expect_key: true,
            }),
            b'[' => {
                let records = match self.stack.last() {
                    None => true,
                    Some(Frame::Object { key, .. }) => *key == Key::Records,
                    Some(Frame::Array { .. }) => false,
                };
                self.stack.push(Frame::Array { records });
            }
            b'}' | b']' if self.stack.pop().is_none() => {
                self.junk(sink, format!("unexpected `{}`", b as char));
            }
            b'}' | b']' => {}
            b'"' => {
                self.in_string = true;
                self.string.clear();
            }
            b':' => {
                if let Some(Frame::Object { expect_key, .. }) = self.stack.last_mut() {
                    *expect_key = false;
                }
            }
            b',' => {
                if let Some(Frame::Object { expect_key, .. }) = self.stack.last_mut() {
                    *expect_key = true;
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ if self.stack.is_empty() => {
                let shown = if b.is_ascii_graphic() {
                    format!("`{}`", b as char)
                } else {
                    format!("byte 0x{b:02x}")
                };
                self.junk(sink, format!("{shown} where a JSON record should start"));
            }
            _ => {} // a scalar value of a wrapper field
        }
    }

    fn junk(&mut self, sink: &mut dyn FnMut(Item<'_>), reason: String) {
        sink(Item::Junk {
            line: self.line,
            column: self.column,
            reason,
        });
        // Skip the rest of the line: one message per bad line is enough.
        self.junk_line = Some(self.line);
    }
}

/// Bytes `s..e` of `buf` followed by `tail` (a key may straddle the two).
fn virtual_slice(buf: &[u8], tail: &[u8], s: usize, e: usize) -> Vec<u8> {
    buf.iter()
        .chain(tail)
        .skip(s)
        .take(e - s)
        .copied()
        .collect()
}

fn append(c: &mut Capture, bytes: &[u8], max: usize) {
    if let Some(len) = &mut c.overflow {
        *len += bytes.len();
    } else if c.buf.len() + bytes.len() > max {
        c.overflow = Some(c.buf.len() + bytes.len());
        c.buf = Vec::new();
    } else {
        c.buf.extend_from_slice(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(chunks: &[&str], max: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut scanner = JsonScanner::new(max);
        let mut sink = |item: Item<'_>| match item {
            Item::Record {
                line,
                column: 1,
                bytes,
            } => out.push(format!("{line}:{}", String::from_utf8_lossy(bytes))),
            Item::Record {
                line,
                column,
                bytes,
            } => out.push(format!(
                "{line}:{column}:{}",
                String::from_utf8_lossy(bytes)
            )),
            Item::TooLong { line, len } => out.push(format!("{line}:too long {len}")),
            Item::Junk { line, reason, .. } => out.push(format!("{line}:junk {reason}")),
        };
        for chunk in chunks {
            scanner.push(chunk.as_bytes(), &mut sink);
        }
        scanner.finish(&mut sink);
        out
    }

    #[test]
    fn records_of_every_wrapping_are_found() {
        assert_eq!(
            scan(&["[{\"a\":1},\n {\"b\":\"}\"}]"], 100),
            ["1:2:{\"a\":1}", "2:2:{\"b\":\"}\"}"]
        );
        assert_eq!(
            scan(&["{\n \"a\": {\"x\": 1}\n}\n{\"b\":2}"], 100),
            ["1:{\n \"a\": {\"x\": 1}\n}", "4:{\"b\":2}"]
        );
        assert_eq!(
            scan(
                &["{\"total\":{\"totalPages\":1},\"items\":[\n{\"a\":[1]},\n{\"b\":2}\n]}"],
                100
            ),
            ["2:{\"a\":[1]}", "3:{\"b\":2}"]
        );
        assert_eq!(
            scan(
                &["{\"took\":1,\"hits\":{\"total\":2,\"hits\":[{\"_source\":{\"a\":1}}]}}"],
                100
            ),
            ["1:37:{\"_source\":{\"a\":1}}"]
        );
    }

    #[test]
    fn chunk_boundaries_do_not_matter() {
        let text = "{\"total\":{\"totalPages\":1},\"items\":[{\"a\":\"x\\\"}\"},{\"b\":2}]}";
        let whole = scan(&[text], 100);
        for cut in 1..text.len() {
            assert_eq!(
                scan(&[&text[..cut], &text[cut..]], 100),
                whole,
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn junk_overlong_and_truncated_records_are_reported() {
        assert_eq!(
            scan(&["x\n{\"a\":1}"], 100),
            ["1:junk `x` where a JSON record should start", "2:{\"a\":1}"]
        );
        assert_eq!(
            scan(&["{\"a\":\"0123456789\"}{\"b\":1}"], 10),
            ["1:too long 18", "1:19:{\"b\":1}"]
        );
        assert_eq!(
            scan(&["[{\"a\":1},{\"b\""], 100),
            [
                "1:2:{\"a\":1}",
                "1:junk the input ends inside this record (truncated file?)"
            ]
        );
    }
}
