//! Splits a byte stream fed in chunks into lines, without copying complete lines that lie inside one
//! chunk, and with a bound on the length of one line: a longer line is reported, never buffered.

/// What the splitter hands out.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// A line without its `\n` / `\r\n`, with its 1-based number.
    Text { number: u64, bytes: &'a [u8] },
    /// A line longer than the limit; its bytes were dropped.
    TooLong { number: u64, len: usize },
}

/// Chunk-fed line splitter.
#[derive(Debug)]
pub(crate) struct LineSplitter {
    /// The start of a line that continues in the next chunk.
    carry: Vec<u8>,
    /// Length of the current line when it went over the limit (its bytes are dropped).
    overflow: Option<usize>,
    /// Lines completed so far.
    lines: u64,
    max: usize,
}

impl LineSplitter {
    pub fn new(max_line_bytes: usize) -> LineSplitter {
        LineSplitter {
            carry: Vec::new(),
            overflow: None,
            lines: 0,
            max: max_line_bytes.max(1),
        }
    }

    /// Feeds a chunk; `sink` gets every line the chunk completes.
    pub fn push(&mut self, chunk: &[u8], sink: &mut dyn FnMut(Line<'_>)) {
        let mut rest = chunk;
        if !self.carry.is_empty() || self.overflow.is_some() {
            match memchr::memchr(b'\n', rest) {
                None => {
                    self.append(rest);
                    return;
                }
                Some(i) => {
                    self.append(&rest[..i]);
                    self.emit_carry(sink);
                    rest = &rest[i + 1..];
                }
            }
        }
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', rest) {
            self.lines += 1;
            let bytes = trim_cr(&rest[start..end]);
            if bytes.len() > self.max {
                sink(Line::TooLong {
                    number: self.lines,
                    len: bytes.len(),
                });
            } else {
                sink(Line::Text {
                    number: self.lines,
                    bytes,
                });
            }
            start = end + 1;
        }
        self.append(&rest[start..]);
    }

    /// Lines handed out so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Whether no over-long line is being skipped.
    pub fn at_clean_point(&self) -> bool {
        self.overflow.is_none()
    }

    /// The start of the unfinished line, and the number of lines handed out so far.
    pub fn take_carry(&mut self) -> (Vec<u8>, u64) {
        (std::mem::take(&mut self.carry), self.lines)
    }

    /// Ends the input: a last line without a final newline is handed out.
    pub fn finish(&mut self, sink: &mut dyn FnMut(Line<'_>)) {
        if !self.carry.is_empty() || self.overflow.is_some() {
            self.emit_carry(sink);
        }
    }

    fn append(&mut self, bytes: &[u8]) {
        if let Some(len) = &mut self.overflow {
            *len += bytes.len();
        } else if self.carry.len() + bytes.len() > self.max {
            self.overflow = Some(self.carry.len() + bytes.len());
            // INVARIANT: memory stays bounded by the limit, so an overlong line frees its buffer.
            self.carry = Vec::new();
        } else {
            self.carry.extend_from_slice(bytes);
        }
    }

    fn emit_carry(&mut self, sink: &mut dyn FnMut(Line<'_>)) {
        self.lines += 1;
        match self.overflow.take() {
            Some(len) => sink(Line::TooLong {
                number: self.lines,
                len,
            }),
            None => sink(Line::Text {
                number: self.lines,
                bytes: trim_cr(&self.carry),
            }),
        }
        self.carry.clear();
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&[u8]], max: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut splitter = LineSplitter::new(max);
        let mut sink = |line: Line<'_>| match line {
            Line::Text { number, bytes } => {
                out.push(format!("{number}:{}", String::from_utf8_lossy(bytes)))
            }
            Line::TooLong { number, len } => out.push(format!("{number}:too long {len}")),
        };
        for chunk in chunks {
            splitter.push(chunk, &mut sink);
        }
        splitter.finish(&mut sink);
        out
    }

    #[test]
    fn lines_across_chunks_are_joined() {
        assert_eq!(
            split(&[b"ab\ncd", b"ef\r\ngh"], 100),
            ["1:ab", "2:cdef", "3:gh"]
        );
        assert_eq!(split(&[b"a", b"b", b"\n", b"\n"], 100), ["1:ab", "2:"]);
        assert_eq!(split(&[b""], 100), Vec::<String>::new());
    }

    #[test]
    fn overlong_lines_are_reported_and_dropped() {
        assert_eq!(split(&[b"1234567\nok\n"], 5), ["1:too long 7", "2:ok"]);
        assert_eq!(
            split(&[b"123", b"456", b"789\nok"], 5),
            ["1:too long 9", "2:ok"]
        );
        assert_eq!(split(&[b"123", b"456"], 5), ["1:too long 6"]);
    }
}
