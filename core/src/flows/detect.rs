//! Format detection from the first bytes (`../shared/flows/README.md`, "Detecting the format").

use serde_json::{Map, Value};

use super::csv::CsvHeader;
use super::{FlowFormat, ImportError, hubble};

/// How much of the input detection may look at before deciding.
pub(crate) const DETECT_BYTES: usize = 64 * 1024;

/// The parser for one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RecordFormat {
    Calico,
    CalicoEsHit,
    Whisker,
    WhiskerSse,
    GoldmaneEmitter,
    GoldmaneStream,
    Hubble,
    HubbleBare,
    Csv(CsvHeader),
}

impl RecordFormat {
    pub fn format(&self) -> FlowFormat {
        match self {
            RecordFormat::Calico | RecordFormat::CalicoEsHit => FlowFormat::Calico,
            RecordFormat::Whisker | RecordFormat::WhiskerSse => FlowFormat::Whisker,
            RecordFormat::GoldmaneEmitter | RecordFormat::GoldmaneStream => {
                FlowFormat::GoldmaneEmitter
            }
            RecordFormat::Hubble | RecordFormat::HubbleBare => FlowFormat::Hubble,
            RecordFormat::Csv(_) => FlowFormat::Csv,
        }
    }
}

/// How the input is cut into records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// One record per line (JSON lines, SSE, CSV after its header line).
    Lines {
        format: RecordFormat,
        skip_first_line: bool,
    },
    /// JSON records found by structure; the format is read from the first record.
    Structured,
}

/// Decides from `head` (the start of the decompressed input). `complete` says the input ends there.
/// `Ok(None)`: not enough bytes yet.
pub(crate) fn detect(head: &[u8], complete: bool) -> Result<Option<Plan>, ImportError> {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(ImportError::Encoding { encoding: "UTF-16" });
    }
    let text = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return if complete || text.len() >= DETECT_BYTES {
            Err(ImportError::UnknownFormat {
                detail: "the file is empty".into(),
            })
        } else {
            Ok(None)
        };
    };
    let text = &text[start..];
    // Whether the text looks like UTF-16 is decided on a full sample, not on however few bytes the
    // first chunk held: the verdict must not depend on where the input was cut.
    if text.len() < UTF16_SAMPLE_BYTES && !complete && head.len() < DETECT_BYTES {
        return Ok(None);
    }
    if looks_like_utf16(text) {
        return Err(ImportError::Encoding { encoding: "UTF-16" });
    }
    let first_line_end = memchr::memchr(b'\n', text);
    if first_line_end.is_none() && !complete && head.len() < DETECT_BYTES {
        return Ok(None);
    }
    let first_line = trim_line(&text[..first_line_end.unwrap_or(text.len())]);
    match text[0] {
        b'[' => Ok(Some(Plan::Structured)),
        b'{' => detect_json(
            text,
            first_line,
            first_line_end.is_some() || complete,
            !complete && head.len() < DETECT_BYTES,
        ),
        _ if first_line.starts_with(b"data:") => Ok(Some(Plan::Lines {
            format: RecordFormat::WhiskerSse,
            skip_first_line: false,
        })),
        _ => match CsvHeader::parse(first_line) {
            Some(header) => Ok(Some(Plan::Lines {
                format: RecordFormat::Csv(header),
                skip_first_line: true,
            })),
            None => Err(ImportError::UnknownFormat {
                detail: describe(first_line),
            }),
        },
    }
}

fn detect_json(
    text: &[u8],
    first_line: &[u8],
    line_complete: bool,
    more_to_come: bool,
) -> Result<Option<Plan>, ImportError> {
    if !line_complete {
        return Ok(Some(Plan::Structured));
    }
    // A malformed first record should not hide a good file: look at the first few lines. Whether
    // they decide must not depend on where the input was cut: a line the head ends inside waits for
    // the rest of it.
    let mut first_error = None;
    let mut first_broken: Option<&[u8]> = None;
    let mut looked_at = 0;
    // Hubble's event lines (`lost_events`, …) say the file is Hubble's but not which form its flows
    // take: look past them, and decide on them only when nothing else comes.
    let mut saw_event = false;
    // The first line opens a document (it ends inside a JSON value), and the lines after it that
    // are records have this format.
    let mut opens_document = false;
    let mut lines_format = None;
    let mut rest = text;
    while looked_at < 5 && !rest.is_empty() {
        let (line, ends) = match memchr::memchr(b'\n', rest) {
            Some(end) => (&rest[..end], true),
            None => (rest, false),
        };
        rest = &rest[(line.len() + 1).min(rest.len())..];
        let line = trim_line(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        // A line the head ends inside waits for its rest, even when what came of it already reads
        // as JSON (`{"flow":"x"}` may go on `]}…`): the whole line may say otherwise.
        if !ends && more_to_come {
            return Ok(None);
        }
        let parsed = serde_json::from_slice::<Value>(line);
        if let Ok(Value::Object(map)) = &parsed
            && hubble::is_event_object(map)
        {
            saw_event = true;
            continue;
        }
        looked_at += 1;
        match parsed {
            // After a first line that opens a document, a line that is a record means the first
            // line was one cut short; anything else, that the document goes on.
            Ok(Value::Object(map)) if opens_document => match object_format(&map) {
                Some(format) if !map.contains_key("items") && !map.contains_key("hits") => {
                    lines_format.get_or_insert(format);
                }
                _ => return Ok(Some(Plan::Structured)),
            },
            Ok(Value::Object(map)) => {
                if map.contains_key("items") || map.contains_key("hits") {
                    return Ok(Some(Plan::Structured));
                }
                return match object_format(&map) {
                    Some(format) => Ok(Some(Plan::Lines {
                        format,
                        skip_first_line: false,
                    })),
                    None => Err(ImportError::UnknownFormat {
                        detail: describe_keys(&map),
                    }),
                };
            }
            // The first line opens a document that may go on: pretty-printed JSON or a wrapper.
            Err(e) if e.is_eof() && line == first_line => opens_document = true,
            _ if opens_document => return Ok(Some(Plan::Structured)),
            Ok(_) => {}
            Err(e) => {
                first_error.get_or_insert(e);
                first_broken.get_or_insert(line);
            }
        }
    }
    if looked_at < 5 && more_to_come {
        return Ok(None);
    }
    if opens_document {
        let format = lines_format.or(saw_event.then_some(RecordFormat::Hubble));
        return Ok(Some(match format {
            // Records on every line after a first one cut short: JSON lines.
            Some(format) if looked_at > 1 || saw_event => Plan::Lines {
                format,
                skip_first_line: false,
            },
            _ => Plan::Structured,
        }));
    }
    if saw_event {
        return Ok(Some(Plan::Lines {
            format: RecordFormat::Hubble,
            skip_first_line: false,
        }));
    }
    // Only broken lines: when the keys before the break are a format's, the file is of that format
    // and each line's error is reported where the parser failed.
    if let Some(line) = first_broken {
        let keys = key_skeleton(line);
        if keys.contains_key("items") || keys.contains_key("hits") {
            return Ok(Some(Plan::Structured));
        }
        if let Some(format) = object_format(&keys) {
            return Ok(Some(Plan::Lines {
                format,
                skip_first_line: false,
            }));
        }
    }
    let detail = first_error.map_or_else(
        || "no JSON object in the first lines".to_owned(),
        |e| format!("the first line is not JSON ({e})"),
    );
    Err(ImportError::UnknownFormat { detail })
}

/// The record format of one JSON object, by its keys.
pub(crate) fn object_format(map: &Map<String, Value>) -> Option<RecordFormat> {
    let has = |k: &str| map.contains_key(k);
    if let Some(Value::Object(source)) = map.get("_source") {
        return matches!(object_format(source), Some(RecordFormat::Calico))
            .then_some(RecordFormat::CalicoEsHit);
    }
    if has("Key") {
        return Some(RecordFormat::GoldmaneEmitter);
    }
    if let Some(Value::Object(flow)) = map.get("flow") {
        if flow.contains_key("Key") {
            return Some(RecordFormat::GoldmaneStream);
        }
        if flow.contains_key("verdict") || flow.contains_key("l4") || flow.contains_key("IP") {
            return Some(RecordFormat::Hubble);
        }
    }
    if has("reporter") && (has("source_name_aggr") || has("source_type")) {
        return Some(RecordFormat::Calico);
    }
    if has("verdict") && has("l4") {
        return Some(RecordFormat::HubbleBare);
    }
    if has("reporter") && has("protocol") && (has("source_name") || has("dest_name")) {
        return Some(RecordFormat::Whisker);
    }
    None
}

/// The keys of a JSON object the parser gave up on (a trailing comma, a quote missing further on),
/// as far as they can be told: its keys, and the keys of the objects right under them (what
/// [`object_format`] looks at), every other value `null`. Only asked about a broken record.
pub(crate) fn key_skeleton(bytes: &[u8]) -> Map<String, Value> {
    let mut at = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    if bytes.get(at) != Some(&b'{') {
        return Map::new();
    }
    skeleton_object(bytes, &mut at, 2)
}

/// The object at `b[*at] == b'{'`; leaves `at` after it (or at the end).
fn skeleton_object(b: &[u8], at: &mut usize, levels: u8) -> Map<String, Value> {
    let mut map = Map::new();
    *at += 1;
    loop {
        skip_whitespace(b, at);
        match b.get(*at) {
            None => return map,
            Some(b'}') => {
                *at += 1;
                return map;
            }
            Some(b'"') => {
                let key = skeleton_string(b, at);
                skip_whitespace(b, at);
                if b.get(*at) != Some(&b':') {
                    continue; // not a key after all: read on
                }
                *at += 1;
                skip_whitespace(b, at);
                let value = if levels > 1 && b.get(*at) == Some(&b'{') {
                    Value::Object(skeleton_object(b, at, levels - 1))
                } else {
                    skip_value(b, at);
                    Value::Null
                };
                map.insert(key, value);
            }
            // Commas, and whatever broke the document.
            Some(_) => *at += 1,
        }
    }
}

/// The string at `b[*at] == b'"'`, escapes left as written; leaves `at` after it.
fn skeleton_string(b: &[u8], at: &mut usize) -> String {
    let start = *at + 1;
    *at = start;
    while let Some(&c) = b.get(*at) {
        *at += 1;
        match c {
            b'\\' => *at += 1,
            b'"' => return String::from_utf8_lossy(&b[start..*at - 1]).into_owned(),
            _ => {}
        }
    }
    String::from_utf8_lossy(&b[start.min(b.len())..]).into_owned()
}

/// Skips one value (at least one byte, so that a broken document is always read to its end).
fn skip_value(b: &[u8], at: &mut usize) {
    let mut depth = 0usize;
    while let Some(&c) = b.get(*at) {
        match c {
            b'"' => {
                skeleton_string(b, at);
                if depth == 0 {
                    return;
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth == 0 => return,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    *at += 1;
                    return;
                }
            }
            b',' if depth == 0 => return,
            _ => {}
        }
        *at += 1;
    }
}

fn skip_whitespace(b: &[u8], at: &mut usize) {
    while b.get(*at).is_some_and(u8::is_ascii_whitespace) {
        *at += 1;
    }
}

/// How many bytes [`looks_like_utf16`] looks at.
const UTF16_SAMPLE_BYTES: usize = 64;

fn looks_like_utf16(text: &[u8]) -> bool {
    let sample = &text[..text.len().min(UTF16_SAMPLE_BYTES)];
    sample.len() >= 4 && sample.iter().filter(|&&b| b == 0).count() * 3 >= sample.len()
}

fn trim_line(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn describe_keys(map: &Map<String, Value>) -> String {
    let keys: Vec<&str> = map.keys().take(8).map(String::as_str).collect();
    format!(
        "the first record is a JSON object with keys `{}`",
        keys.join("`, `")
    )
}

fn describe(first_line: &[u8]) -> String {
    let shown: Vec<u8> = first_line.iter().take(40).copied().collect();
    match std::str::from_utf8(&shown) {
        Ok(s) if !s.chars().any(|c| c.is_control() && c != '\t') => {
            format!("the first line starts `{s}`")
        }
        _ => {
            let hex: Vec<String> = first_line
                .iter()
                .take(8)
                .map(|b| format!("{b:02x}"))
                .collect();
            format!("binary data (first bytes {})", hex.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> String {
        Value::Object(key_skeleton(text.as_bytes())).to_string()
    }

    #[test]
    fn the_keys_of_a_broken_object_are_told_as_far_as_they_go() {
        assert_eq!(
            keys(r#" {"a": [1, {"x": "}"}], "b": {"c": 1, "d": {"e": 2}}, "f": "g\"h",}"#),
            r#"{"a":null,"b":{"c":null,"d":null},"f":null}"#
        );
        assert_eq!(
            keys(r#"{"reporter":"src","source_type":"wep" "#),
            r#"{"reporter":null,"source_type":null}"#
        );
        assert_eq!(keys(r#"{"a" "b":1, 7, "c"}"#), r#"{"b":null}"#);
        for broken in [
            "",
            "[",
            "{",
            "{\"",
            "{\"a\":",
            "{\"a\":{\"b",
            "}}}{{{",
            "{\"a\":[[[[",
        ] {
            let _ = keys(broken); // read to the end, never stuck, never a panic
        }
        let calico = key_skeleton(br#"{"start_time":1,"reporter":"dst","source_type":"wep","policies":{"all_policies":[],},}"#);
        assert_eq!(object_format(&calico), Some(RecordFormat::Calico));
        let hubble =
            key_skeleton(br#"{"flow":{"verdict":"DROPPED","l4":{"TCP":{}},},"node_name":"n"}"#);
        assert_eq!(object_format(&hubble), Some(RecordFormat::Hubble));
    }
}
