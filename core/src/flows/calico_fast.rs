//! A fast path for Felix's flat JSON documents: walks the top-level object once, reads the ~20 fields
//! the importer needs and skips the other ~40 without building anything. Anything unusual (escapes in
//! a field it reads, floats, unexpected types, any syntax problem) makes it give up, and the serde
//! path parses the line — and reports the error when there is one. Same result, several times faster
//! on the common line.

use std::borrow::Cow;

use super::calico::{Doc, LabelList, Policies};
use super::raw::{NumOrStr, Str};
use super::text_cache::TextCache;

struct Cursor<'a, 'c> {
    /// The line, checked to be UTF-8 once: slicing it at ASCII quotes needs no further check.
    s: &'a str,
    b: &'a [u8],
    i: usize,
    /// Label and policy objects seen on earlier lines.
    texts: &'c mut TextCache,
}

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
const QUOTES: u64 = u64::from_ne_bytes([b'"'; 8]);
const BACKSLASHES: u64 = u64::from_ne_bytes([b'\\'; 8]);

/// The high bit of each zero byte of `v`. A byte just above a zero byte may be flagged too (the
/// subtraction borrows), but the lowest flag is always exact, and only the lowest is ever used.
#[inline]
fn zero_bytes(v: u64) -> u64 {
    v.wrapping_sub(ONES) & !v & HIGHS
}

/// The first byte of `b` for which `hits` flags its word, eight bytes at a time. Strings and label
/// lists here are short: word arithmetic beats both a byte loop and a vectorised search's setup,
/// natively and in wasm alike.
#[inline]
fn find_by_word(b: &[u8], hits: impl Fn(u64) -> u64, is_hit: impl Fn(u8) -> bool) -> Option<usize> {
    let mut words = b.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let found = hits(u64::from_le_bytes(word.try_into().unwrap_or_default()));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&c| is_hit(c))
        .map(|p| at + p)
}

/// Where the next `"` or `\\` is.
#[inline]
fn quote_or_escape(b: &[u8]) -> Option<usize> {
    find_by_word(
        b,
        |w| zero_bytes(w ^ QUOTES) | zero_bytes(w ^ BACKSLASHES),
        |c| c == b'"' || c == b'\\',
    )
}

/// What a field callback tells the object walk.
#[derive(PartialEq, Eq)]
enum Step {
    Next,
    /// Everything needed is read: stop walking.
    Done,
}

impl<'a> Cursor<'a, '_> {
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

    /// An object key without escapes, as bytes: keys are only compared, never kept.
    #[inline]
    fn key(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let rest = &self.b[self.i..];
        let len = quote_or_escape(rest)?;
        if rest[len] != b'"' {
            return None;
        }
        self.i += len + 1;
        Some(&rest[..len])
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

    /// `{"labels": [...]}` or null, as text: the list is read only when the aggregator meets an
    /// endpoint it has not seen ([`label_list`]).
    fn labels(&mut self) -> Option<Option<LabelList<'a>>> {
        if self.null() {
            return Some(None);
        }
        Some(Some(LabelList {
            labels: None,
            text: Some(self.object_text()?),
        }))
    }

    /// Skips an object and returns its text.
    fn object_text(&mut self) -> Option<&'a str> {
        if self.peek()? != b'{' {
            return None;
        }
        let start = self.i;
        match self.texts.known(&self.b[start..]) {
            Some(len) => self.i += len,
            None => {
                self.skip()?;
                self.texts.remember(&self.b[start..self.i]);
            }
        }
        self.s.get(start..self.i)
    }

    /// `{"labels": [...]}`, read.
    fn label_object(&mut self) -> Option<Option<Vec<Str<'a>>>> {
        let mut labels = None;
        self.object(|c, key| {
            if key == b"labels" {
                labels = c.opt_strings()?;
            } else {
                c.skip()?;
            }
            Some(Step::Next)
        })?;
        Some(labels)
    }

    /// The `policies` object as text: its lists are read only for the first record of a flow
    /// ([`policy_lists`]).
    fn policies(&mut self) -> Option<Option<Policies<'a>>> {
        if self.null() {
            return Some(None);
        }
        Some(Some(Policies {
            text: Some(self.object_text()?),
            ..Policies::empty()
        }))
    }

    fn policy_object(&mut self) -> Option<Policies<'a>> {
        let mut p = Policies::empty();
        self.object(|c, key| {
            match key {
                b"all_policies" => p.all_policies = c.opt_strings()?,
                b"enforced_policies" => p.enforced_policies = c.opt_strings()?,
                b"pending_policies" => p.pending_policies = c.opt_strings()?,
                _ => c.skip()?,
            }
            Some(Step::Next)
        })?;
        Some(p)
    }

    /// Calls `field` for each key of an object, positioned at its value.
    fn object(
        &mut self,
        mut field: impl FnMut(&mut Cursor<'a, '_>, &'a [u8]) -> Option<Step>,
    ) -> Option<Step> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(Step::Next);
        }
        loop {
            let key = self.key()?;
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
                // Brackets are counted, not matched: a list read later (labels, policies) is
                // parsed properly then. Between strings there are only a few bytes: a byte loop.
                let mut depth = 0usize;
                while let Some(&c) = self.b.get(self.i) {
                    match c {
                        b'"' => {
                            self.skip()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.checked_sub(1)?;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
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

/// The strings of a label list the fast path kept as text (`{"labels": [...]}`).
pub(crate) fn label_list(text: &str) -> Result<Vec<Str<'_>>, String> {
    let mut c = Cursor {
        s: text,
        b: text.as_bytes(),
        i: 0,
        texts: &mut TextCache::default(),
    };
    match c.label_object() {
        Some(labels) if c.peek().is_none() => Ok(labels.unwrap_or_default()),
        _ => serde_json::from_str::<LabelList<'_>>(text)
            .map(|l| l.labels.unwrap_or_default())
            .map_err(|e| format!("labels `{text}`: {e}")),
    }
}

/// The lists of a `policies` object the fast path kept as text.
pub(crate) fn policy_lists(text: &str) -> Result<Policies<'_>, String> {
    let mut c = Cursor {
        s: text,
        b: text.as_bytes(),
        i: 0,
        texts: &mut TextCache::default(),
    };
    match c.policy_object() {
        Some(p) if c.peek().is_none() => Ok(p),
        _ => serde_json::from_str::<Policies<'_>>(text).map_err(|e| format!("`policies`: {e}")),
    }
}

/// The document, or `None` to let serde parse the line.
pub(crate) fn parse<'a>(line: &'a [u8], texts: &mut TextCache) -> Option<Doc<'a>> {
    let s = std::str::from_utf8(line).ok()?;
    let mut doc = Doc::default();
    let mut c = Cursor {
        s,
        b: line,
        i: 0,
        texts,
    };
    let mut seen = 0u32;
    let step = c.object(|c, key| {
        // Keys are compared as one integer (every key read is at most 16 bytes): a line has ~60 keys,
        // and comparing names byte-wise was the importer's largest cost.
        let bit = match pack(key) {
            K_START_TIME => {
                doc.start_time = c.opt_int()?.map(NumOrStr::Int);
                0
            }
            K_END_TIME => {
                doc.end_time = c.opt_int()?.map(NumOrStr::Int);
                1
            }
            K_SOURCE_TYPE => {
                doc.source_type = c.opt_string()?;
                2
            }
            K_SOURCE_NAMESPACE => {
                doc.source_namespace = c.opt_string()?;
                3
            }
            K_SOURCE_NAME => {
                doc.source_name = c.opt_string()?;
                4
            }
            K_SOURCE_NAME_AGGR => {
                doc.source_name_aggr = c.opt_string()?;
                5
            }
            K_SOURCE_IP => {
                doc.source_ip = c.opt_string()?;
                6
            }
            K_SOURCE_LABELS => {
                doc.source_labels = c.labels()?;
                7
            }
            K_DEST_TYPE => {
                doc.dest_type = c.opt_string()?;
                8
            }
            K_DEST_NAMESPACE => {
                doc.dest_namespace = c.opt_string()?;
                9
            }
            K_DEST_NAME => {
                doc.dest_name = c.opt_string()?;
                10
            }
            K_DEST_NAME_AGGR => {
                doc.dest_name_aggr = c.opt_string()?;
                11
            }
            K_DEST_IP => {
                doc.dest_ip = c.opt_string()?;
                12
            }
            K_DEST_LABELS => {
                doc.dest_labels = c.labels()?;
                13
            }
            K_DEST_DOMAINS => {
                doc.dest_domains = c.opt_strings()?;
                14
            }
            K_DEST_PORT => {
                doc.dest_port = c.opt_int()?;
                15
            }
            K_PROTO => {
                doc.proto = c.opt_string()?;
                16
            }
            K_ACTION => {
                doc.action = c.opt_string()?;
                17
            }
            K_REPORTER => {
                doc.reporter = c.opt_string()?;
                18
            }
            K_POLICIES => {
                doc.policies = c.policies()?;
                19
            }
            K_NUM_FLOWS => {
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
        // the line must still end as an object does, without the trailing comma hand-edited
        // documents have (then serde reports where).
        Step::Done => {
            let body = line.trim_ascii_end().strip_suffix(b"}")?;
            (!body.trim_ascii_end().ends_with(b",")).then_some(doc)
        }
        Step::Next => {
            c.ws();
            (c.i == line.len()).then_some(doc)
        }
    }
}

/// A key of at most 16 bytes as one little-endian integer, zero-padded; 0 for longer keys (no key
/// `parse` reads is longer, and none is empty) and for keys ending in a NUL byte (which the padding
/// would hide; a NUL inside a key already makes it differ from every constant). Built from two
/// overlapping loads rather than a copy into a buffer: this runs for every key of every line.
#[inline]
fn pack(b: &[u8]) -> u128 {
    let n = b.len();
    if n > 16 || b.last().is_none_or(|&c| c == 0) {
        return 0;
    }
    let load = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or_default());
    if n >= 8 {
        let low = load(0);
        // The last eight bytes, shifted down so that byte 8 of the key is the lowest.
        let high = if n == 8 {
            0
        } else {
            load(n - 8) >> (8 * (16 - n))
        };
        u128::from(low) | (u128::from(high) << 64)
    } else {
        b.iter()
            .rev()
            .fold(0u128, |packed, &c| (packed << 8) | u128::from(c))
    }
}

const fn pack_const(key: &str) -> u128 {
    let b = key.as_bytes();
    assert!(!b.is_empty() && b.len() <= 16);
    let mut buf = [0u8; 16];
    let mut i = 0;
    while i < b.len() {
        buf[i] = b[i];
        i += 1;
    }
    u128::from_le_bytes(buf)
}

const K_START_TIME: u128 = pack_const("start_time");
const K_END_TIME: u128 = pack_const("end_time");
const K_SOURCE_TYPE: u128 = pack_const("source_type");
const K_SOURCE_NAMESPACE: u128 = pack_const("source_namespace");
const K_SOURCE_NAME: u128 = pack_const("source_name");
const K_SOURCE_NAME_AGGR: u128 = pack_const("source_name_aggr");
const K_SOURCE_IP: u128 = pack_const("source_ip");
const K_SOURCE_LABELS: u128 = pack_const("source_labels");
const K_DEST_TYPE: u128 = pack_const("dest_type");
const K_DEST_NAMESPACE: u128 = pack_const("dest_namespace");
const K_DEST_NAME: u128 = pack_const("dest_name");
const K_DEST_NAME_AGGR: u128 = pack_const("dest_name_aggr");
const K_DEST_IP: u128 = pack_const("dest_ip");
const K_DEST_LABELS: u128 = pack_const("dest_labels");
const K_DEST_DOMAINS: u128 = pack_const("dest_domains");
const K_DEST_PORT: u128 = pack_const("dest_port");
const K_PROTO: u128 = pack_const("proto");
const K_ACTION: u128 = pack_const("action");
const K_REPORTER: u128 = pack_const("reporter");
const K_POLICIES: u128 = pack_const("policies");
const K_NUM_FLOWS: u128 = pack_const("num_flows");

/// One bit per field `parse` reads.
const ALL_FIELDS: u32 = (1 << 21) - 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_kept_as_text_are_read_later_with_serde_as_the_fallback() {
        let labels =
            |t| label_list(t).map(|l| l.iter().map(|s| s.as_str().to_owned()).collect::<Vec<_>>());
        assert_eq!(
            labels(r#"{"labels":["a=1","b=2"]}"#).unwrap(),
            ["a=1", "b=2"]
        );
        assert_eq!(labels(r#"{"labels":["café=1"]}"#).unwrap(), ["café=1"]);
        assert_eq!(labels(r#"{"labels":null}"#).unwrap(), Vec::<String>::new());
        assert!(labels(r#"{"labels":[1,2]}"#).is_err());
        let p = policy_lists(r#"{"all_policies":["0|t|t.p|allow|0"],"pending_policies":null}"#)
            .unwrap();
        assert_eq!(p.all_policies.map(|l| l.len()), Some(1));
        assert!(p.pending_policies.is_none() && p.enforced_policies.is_none());
        assert!(policy_lists(r#"{"all_policies":"x"}"#).is_err());
    }

    #[test]
    fn a_malformed_label_list_is_an_error_for_its_line() {
        let line = br#"{"proto":"tcp","action":"allow","reporter":"src","source_type":"wep","source_namespace":"a","source_labels":{"labels":[1]},"dest_type":"wep","dest_namespace":"b"}"#;
        let mut text = line.to_vec();
        text.push(b'\n');
        let set = crate::flows::import_bytes(&text, crate::flows::ImportOptions::default());
        let set = set.unwrap();
        assert_eq!(set.summary().skipped, 1, "{:?}", set.summary().errors);
    }

    #[test]
    fn packed_keys_are_the_zero_padded_little_endian_bytes() {
        let padded = |key: &str| {
            let mut buf = [0u8; 16];
            buf[..key.len()].copy_from_slice(key.as_bytes());
            u128::from_le_bytes(buf)
        };
        for n in 1..=16 {
            let key: String = "abcdefghijklmnop"[..n].into();
            assert_eq!(pack(key.as_bytes()), padded(&key), "{key}");
        }
        assert_eq!(pack(b"dest_name_aggr"), K_DEST_NAME_AGGR);
        assert_eq!(pack(b"proto"), K_PROTO);
        assert_ne!(pack(b"proto\0"), K_PROTO);
        assert_ne!(pack(b"pro\0to"), K_PROTO);
        assert_eq!(pack(b"abcdefghijklmnopq"), 0);
        assert_eq!(pack(b""), 0);
    }

    #[test]
    fn quotes_and_escapes_are_found_at_every_offset() {
        for len in 0..40 {
            for at in 0..len {
                for c in [b'"', b'\\'] {
                    let mut text = vec![b'a'; len];
                    text[at] = c;
                    if at + 1 < len {
                        text[at + 1] = b'"'; // a later hit must not win
                    }
                    assert_eq!(quote_or_escape(&text), Some(at), "len {len} at {at}");
                }
            }
            assert_eq!(quote_or_escape(&vec![b'a'; len]), None);
        }
        // Bytes one above and below the targets, and high bytes, are not hits.
        assert_eq!(quote_or_escape(b"!#[]\x80\xff\x00\x01\""), Some(8));
    }

    #[test]
    fn a_cached_object_is_only_taken_where_it_is_the_whole_value() {
        let labels =
            r#"{"labels":["app.kubernetes.io/name=api","security.company.io/tier=backend","x=1"]}"#;
        let policies = r#"{"all_policies":["0|security|security.allow-kube-dns|allow|0"],"pending_policies":null}"#;
        let line = |src: &str, pol: &str| {
            format!(
                r#"{{"proto":"tcp","source_labels":{src},"dest_labels":{src},"policies":{pol},"action":"allow"}}"#
            )
        };
        let lines = [
            line(labels, policies),
            line(labels, policies),
            // Starts like the cached objects but goes on: not them.
            line(
                &labels.replace("]}", r#"],"more":[1]}"#),
                &policies.replace("null}", "[]}"),
            ),
            // A `}` inside a string: the first `}` is not the end.
            line(&labels.replace("x=1", "x=}1"), policies),
            line(&labels.replace("x=1", "x=}1"), policies),
            line(labels, policies),
        ];
        let texts = |doc: &Doc<'_>| {
            (
                doc.source_labels
                    .as_ref()
                    .and_then(|l| l.text)
                    .map(str::to_owned),
                doc.dest_labels
                    .as_ref()
                    .and_then(|l| l.text)
                    .map(str::to_owned),
                doc.policies
                    .as_ref()
                    .and_then(|p| p.text)
                    .map(str::to_owned),
            )
        };
        let mut cache = TextCache::default();
        for line in &lines {
            let cached = parse(line.as_bytes(), &mut cache).map(|d| texts(&d));
            let fresh = parse_fresh(line.as_bytes()).map(|d| texts(&d));
            assert!(fresh.is_some(), "{line}");
            assert_eq!(cached, fresh, "{line}");
        }
        assert!(cache.bytes() > 0, "objects were cached");
    }

    fn parse_fresh(line: &[u8]) -> Option<Doc<'_>> {
        parse(line, &mut TextCache::default())
    }

    #[test]
    fn gives_up_on_what_it_does_not_read_exactly() {
        assert!(parse_fresh(br#"{"proto":"tcp","x":{"a":[1,{"b":"}"}]},"y":"q\"z"}"#).is_some());
        for line in [
            &br#"{"proto":"t\u0063p"}"#[..],
            br#"{"start_time":1.5}"#,
            br#"{"proto":"tcp""#,
            br#"{"proto":"tcp"} x"#,
            br#"{"start_time":1,"end_time":2,"source_type":"wep","source_namespace":"a","source_name":"-","source_name_aggr":"a-*","source_ip":null,"source_labels":null,"dest_type":"wep","dest_namespace":"b","dest_name":"-","dest_name_aggr":"b-*","dest_ip":null,"dest_labels":null,"dest_domains":null,"dest_port":80,"proto":"tcp","action":"allow","reporter":"src","policies":null,"num_flows":1,"host":"n", }"#,
            br#"{"proto":tcp}"#,
            b"{\"proto\":\"\xe9\"}",
        ] {
            assert!(
                parse_fresh(line).is_none(),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
