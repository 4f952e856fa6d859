//! A fast path for Felix's flat JSON documents: walks the top-level object once, reads the ~20 fields
//! the importer needs and skips the other ~40 without building anything. Anything unusual (escapes in
//! a field it reads, floats, unexpected types, any syntax problem) makes it give up, and the serde
//! path parses the line — and reports the error when there is one. Same result, several times faster
//! on the common line.

use std::borrow::Cow;

use super::calico::{Doc, LabelList, Policies};
use super::raw::{NumOrStr, Str};

struct Cursor<'a> {
    /// The line, checked to be UTF-8 once: slicing it at ASCII quotes needs no further check.
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

/// Where the next `"` or `\\` is: strings here are short, a plain loop beats a vectorised search.
#[inline]
fn quote_or_escape(b: &[u8]) -> Option<usize> {
    let head = &b[..b.len().min(16)];
    if let Some(p) = head.iter().position(|&c| c == b'"' || c == b'\\') {
        return Some(p);
    }
    memchr::memchr2(b'"', b'\\', b.get(16..)?).map(|p| p + 16)
}

/// What a field callback tells the object walk.
#[derive(PartialEq, Eq)]
enum Step {
    Next,
    /// Everything needed is read: stop walking.
    Done,
}

impl<'a> Cursor<'a> {
    #[inline]
    fn ws(&mut self) {
        while let Some(c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    #[inline]
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// A string without escapes, borrowed.
    #[inline]
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let len = quote_or_escape(&self.b[start..])?;
        if self.b[start + len] != b'"' {
            return None;
        }
        self.i = start + len + 1;
        self.s.get(start..start + len)
    }

    #[inline]
    fn null(&mut self) -> bool {
        if self.peek() == Some(b'n') && self.b[self.i..].starts_with(b"null") {
            self.i += 4;
            true
        } else {
            false
        }
    }

    fn opt_string(&mut self) -> Option<Option<Str<'a>>> {
        if self.null() {
            return Some(None);
        }
        Some(Some(Str(Cow::Borrowed(self.string()?))))
    }

    fn int(&mut self) -> Option<i64> {
        self.ws();
        let start = self.i;
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        if matches!(self.b.get(self.i), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        self.s.get(start..self.i)?.parse().ok()
    }

    fn opt_int(&mut self) -> Option<Option<i64>> {
        if self.null() {
            Some(None)
        } else {
            Some(Some(self.int()?))
        }
    }

    fn strings(&mut self) -> Option<Vec<Str<'a>>> {
        self.eat(b'[')?;
        let mut out = Vec::new();
        if self.eat(b']').is_some() {
            return Some(out);
        }
        loop {
            out.push(Str(Cow::Borrowed(self.string()?)));
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(out);
                }
                _ => return None,
            }
        }
    }

    fn opt_strings(&mut self) -> Option<Option<Vec<Str<'a>>>> {
        if self.null() {
            Some(None)
        } else {
            Some(Some(self.strings()?))
        }
    }

    /// `{"labels": [...]}` or null.
    fn labels(&mut self) -> Option<Option<LabelList<'a>>> {
        if self.null() {
            return Some(None);
        }
        let mut labels = None;
        self.object(|c, key| {
            if key == "labels" {
                labels = c.opt_strings()?;
            } else {
                c.skip()?;
            }
            Some(Step::Next)
        })?;
        Some(Some(LabelList { labels }))
    }

    fn policies(&mut self) -> Option<Option<Policies<'a>>> {
        if self.null() {
            return Some(None);
        }
        let mut p = Policies {
            all_policies: None,
            enforced_policies: None,
            pending_policies: None,
        };
        self.object(|c, key| {
            match key {
                "all_policies" => p.all_policies = c.opt_strings()?,
                "enforced_policies" => p.enforced_policies = c.opt_strings()?,
                "pending_policies" => p.pending_policies = c.opt_strings()?,
                _ => c.skip()?,
            }
            Some(Step::Next)
        })?;
        Some(Some(p))
    }

    /// Calls `field` for each key of an object, positioned at its value.
    fn object(
        &mut self,
        mut field: impl FnMut(&mut Cursor<'a>, &'a str) -> Option<Step>,
    ) -> Option<Step> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(Step::Next);
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            if field(self, key)? == Step::Done {
                return Some(Step::Done);
            }
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(Step::Next);
                }
                _ => return None,
            }
        }
    }

    /// Skips one value of any kind.
    fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => {
                self.i += 1;
                loop {
                    let n = quote_or_escape(&self.b[self.i..])?;
                    if self.b[self.i + n] == b'\\' {
                        self.i += n + 2;
                    } else {
                        self.i += n + 1;
                        return Some(());
                    }
                }
            }
            b'{' | b'[' => {
                let mut depth = 0usize;
                while let Some(&c) = self.b.get(self.i) {
                    self.i += 1;
                    match c {
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(());
                            }
                        }
                        b'"' => {
                            self.i -= 1;
                            self.skip()?;
                        }
                        _ => {}
                    }
                }
                None
            }
            _ => {
                let start = self.i;
                while self.b.get(self.i).is_some_and(|c| {
                    !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')
                }) {
                    self.i += 1;
                }
                (self.i > start).then_some(())
            }
        }
    }
}

/// The document, or `None` to let serde parse the line.
pub(crate) fn parse(line: &[u8]) -> Option<Doc<'_>> {
    let s = std::str::from_utf8(line).ok()?;
    let mut doc = Doc::default();
    let mut c = Cursor { s, b: line, i: 0 };
    let mut seen = 0u32;
    let step = c.object(|c, key| {
        // Most keys are skipped: rule them out by their first letter before comparing names.
        if !matches!(
            key.as_bytes().first(),
            Some(b's' | b'd' | b'e' | b'p' | b'a' | b'r' | b'n')
        ) {
            c.skip()?;
            return Some(Step::Next);
        }
        let bit = match key {
            "start_time" => {
                doc.start_time = c.opt_int()?.map(NumOrStr::Int);
                0
            }
            "end_time" => {
                doc.end_time = c.opt_int()?.map(NumOrStr::Int);
                1
            }
            "source_type" => {
                doc.source_type = c.opt_string()?;
                2
            }
            "source_namespace" => {
                doc.source_namespace = c.opt_string()?;
                3
            }
            "source_name" => {
                doc.source_name = c.opt_string()?;
                4
            }
            "source_name_aggr" => {
                doc.source_name_aggr = c.opt_string()?;
                5
            }
            "source_ip" => {
                doc.source_ip = c.opt_string()?;
                6
            }
            "source_labels" => {
                doc.source_labels = c.labels()?;
                7
            }
            "dest_type" => {
                doc.dest_type = c.opt_string()?;
                8
            }
            "dest_namespace" => {
                doc.dest_namespace = c.opt_string()?;
                9
            }
            "dest_name" => {
                doc.dest_name = c.opt_string()?;
                10
            }
            "dest_name_aggr" => {
                doc.dest_name_aggr = c.opt_string()?;
                11
            }
            "dest_ip" => {
                doc.dest_ip = c.opt_string()?;
                12
            }
            "dest_labels" => {
                doc.dest_labels = c.labels()?;
                13
            }
            "dest_domains" => {
                doc.dest_domains = c.opt_strings()?;
                14
            }
            "dest_port" => {
                doc.dest_port = c.opt_int()?;
                15
            }
            "proto" => {
                doc.proto = c.opt_string()?;
                16
            }
            "action" => {
                doc.action = c.opt_string()?;
                17
            }
            "reporter" => {
                doc.reporter = c.opt_string()?;
                18
            }
            "policies" => {
                doc.policies = c.policies()?;
                19
            }
            "num_flows" => {
                doc.num_flows = c.opt_int()?.map(|n| u64::try_from(n).ok()).unwrap_or(None);
                20
            }
            _ => {
                c.skip()?;
                return Some(Step::Next);
            }
        };
        if seen & (1 << bit) != 0 {
            return None; // a repeated field: let serde report it
        }
        seen |= 1 << bit;
        Some(if seen == ALL_FIELDS {
            Step::Done
        } else {
            Step::Next
        })
    })?;
    match step {
        // The fields after the last one needed (counters, TCP stats, process data) are not read;
        // the line must still end as an object does.
        Step::Done => line.trim_ascii_end().ends_with(b"}").then_some(doc),
        Step::Next => {
            c.ws();
            (c.i == line.len()).then_some(doc)
        }
    }
}

/// One bit per field `parse` reads.
const ALL_FIELDS: u32 = (1 << 21) - 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gives_up_on_what_it_does_not_read_exactly() {
        assert!(parse(br#"{"proto":"tcp","x":{"a":[1,{"b":"}"}]},"y":"q\"z"}"#).is_some());
        for line in [
            &br#"{"proto":"t\u0063p"}"#[..],
            br#"{"start_time":1.5}"#,
            br#"{"proto":"tcp""#,
            br#"{"proto":"tcp"} x"#,
            br#"{"proto":tcp}"#,
            b"{\"proto\":\"\xe9\"}",
        ] {
            assert!(parse(line).is_none(), "{}", String::from_utf8_lossy(line));
        }
    }
}
