//! The record type every parser produces: borrowed from the input line, normalised across formats,
//! and handed straight to the aggregator (which copies only what is new).

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use super::{EndpointKind, NetworkScope, PolicyHit, Reporter};
use crate::model::Protocol;

/// One end of a record, borrowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawEndpoint<'a> {
    pub kind: EndpointKind,
    pub namespace: Option<Cow<'a, str>>,
    pub name: Option<Cow<'a, str>>,
    /// The single pod a workload record names (Calico aggregation level 1), beside its group `name`.
    pub pod: Option<Cow<'a, str>>,
    /// `key=value` items (split on the first `=` when stored).
    pub labels: Vec<Cow<'a, str>>,
    /// The labels' JSON text as the record wrote it, when the parser kept it: records that repeat
    /// it byte for byte have the same labels, so the aggregator can skip comparing them one by one.
    pub labels_text: Option<&'a str>,
    /// `labels` is empty because the list is still only `labels_text` (read on first sight).
    pub labels_unread: bool,
    pub namespace_labels: Vec<Cow<'a, str>>,
    pub ip: Option<IpAddr>,
    pub scope: Option<NetworkScope>,
    pub domains: Vec<Cow<'a, str>>,
}

impl<'a> RawEndpoint<'a> {
    /// An end with nothing known but its kind.
    pub fn new(kind: EndpointKind) -> RawEndpoint<'a> {
        RawEndpoint {
            kind,
            namespace: None,
            name: None,
            pod: None,
            labels: Vec::new(),
            labels_text: None,
            labels_unread: false,
            namespace_labels: Vec::new(),
            ip: None,
            scope: None,
            domains: Vec::new(),
        }
    }
}

/// The observed verdict of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawAction {
    Allow,
    Deny,
}

/// A policy trace as the record carries it: Calico's strings (parsed only when first seen) or hits
/// already structured by the format (Goldmane).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawTrace<'a> {
    Strings(Vec<Str<'a>>),
    Hits(Vec<PolicyHit>),
    /// A Calico `policies` object, unread: its enforced (or all) list, or its pending list.
    CalicoText {
        text: &'a str,
        pending: bool,
    },
    /// A `policies` object that could not be read, and why: the record is kept, its trace unknown.
    Unreadable(String),
}

/// One flow-log record, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawRecord<'a> {
    pub src: RawEndpoint<'a>,
    pub dst: RawEndpoint<'a>,
    pub protocol: Protocol,
    pub port: Option<u16>,
    pub action: RawAction,
    pub reporter: Reporter,
    /// Connections (or records) this record stands for.
    pub count: u64,
    /// Unix seconds.
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub enforced: Option<RawTrace<'a>>,
    pub pending: Option<RawTrace<'a>>,
}

/// What the bytes of one record turned out to be.
// It lives on the stack for one record: boxing the record would allocate on every line.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum Parsed<'a> {
    Record(RawRecord<'a>),
    /// A record deliberately left out: a Hubble reply, trace event or drop for another reason than
    /// policy, which repeats or does not bear a verdict.
    Ignored,
    /// Not a flow record at all, and not an error: Hubble's `lost_events`, `agent_event`,
    /// `debug_event` and `node_status` lines.
    Event,
    /// Framing of an event stream (SSE lines other than `data:`): not counted.
    Framing,
}

/// Why a record cannot be read, and where in its bytes when the JSON parser said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordError {
    pub reason: String,
    /// 1-based line and column within the record's bytes.
    pub at: Option<(u64, u64)>,
}

impl RecordError {
    /// A JSON parser's error: its message without the position, which is kept apart (the record's
    /// position in the file is added to it).
    pub fn json(e: serde_json::Error) -> RecordError {
        let text = e.to_string();
        if e.line() == 0 {
            return RecordError {
                reason: text,
                at: None,
            };
        }
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = text.strip_suffix(&suffix).unwrap_or(&text);
        let reason = if e.is_syntax() || e.is_eof() {
            format!("not valid JSON: {message}")
        } else {
            message.to_owned()
        };
        RecordError {
            reason,
            // The parser counts a column 0 when it fails at the start of a line.
            at: Some((e.line() as u64, (e.column() as u64).max(1))),
        }
    }

    /// The same error for bytes that start `columns` bytes into the record (after a prefix).
    pub fn shifted(mut self, columns: u64) -> RecordError {
        if let Some((1, column)) = &mut self.at {
            *column += columns;
        }
        self
    }
}

impl From<String> for RecordError {
    fn from(reason: String) -> RecordError {
        RecordError { reason, at: None }
    }
}

/// A JSON string borrowed from the input when it has no escapes. (`Cow<str>` alone always copies
/// inside `Option` or `Vec`.)
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Str<'a>(pub Cow<'a, str>);

impl<'a> Str<'a> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Str<'a>, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(StrVisitor)
    }
}

/// A number that some producers write as a string (`"1795168800"`), or a timestamp string; kept raw
/// and interpreted by the caller.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NumOrStr<'a> {
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
}

impl<'de: 'a, 'a> Deserialize<'de> for NumOrStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<NumOrStr<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NumOrStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumOrStr<'de>, E> {
                Ok(NumOrStr::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumOrStr<'de>, E> {
                i64::try_from(v)
                    .map(NumOrStr::Int)
                    .map_err(|_| E::custom("number out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumOrStr<'de>, E> {
                Ok(NumOrStr::Float(v))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<NumOrStr<'de>, E> {
                Ok(NumOrStr::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NumOrStr<'de>, E> {
                Ok(NumOrStr::Str(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_any(V)
    }
}

impl NumOrStr<'_> {
    /// As an integer (a numeric string is accepted).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            NumOrStr::Int(i) => Some(*i),
            NumOrStr::Float(f) if f.is_finite() => Some(*f as i64),
            NumOrStr::Float(_) => None,
            NumOrStr::Str(s) => s.trim().parse().ok(),
        }
    }

    /// As Unix seconds: an integer (seconds), or an RFC 3339 string.
    pub fn as_unix_seconds(&self) -> Option<i64> {
        match self {
            NumOrStr::Str(s) => super::time::parse_rfc3339(s).or_else(|| s.trim().parse().ok()),
            other => other.as_i64(),
        }
    }
}

/// `None` for Calico's "not available" markers (`-`, empty).
pub(crate) fn present<'a>(s: Option<Str<'a>>) -> Option<Cow<'a, str>> {
    s.map(|s| s.0).filter(|s| !s.is_empty() && s != "-")
}

/// Protocol from a flow-log name (`tcp`, `icmp6`, `6`).
pub(crate) fn protocol(text: &str) -> Result<Protocol, String> {
    Protocol::parse_lenient(text).map_err(|e| e.to_string())
}

/// A destination port from a JSON integer, checked.
pub(crate) fn port(value: Option<i64>) -> Result<Option<u16>, String> {
    match value {
        None | Some(0) => Ok(None),
        Some(p) => u16::try_from(p)
            .map(Some)
            .map_err(|_| format!("`{p}` is not a port (0-65535)")),
    }
}
