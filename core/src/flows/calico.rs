//! Calico Enterprise / Calico Cloud flow logs: Felix's JSON documents (`../shared/flows/README.md` §1),
//! one per line, or as `_source` of Elasticsearch hits.

use std::net::IpAddr;

use serde::Deserialize;

use super::raw::{
    NumOrStr, RawAction, RawEndpoint, RawRecord, RawTrace, RecordError, Str, port, present,
    protocol,
};
use super::{EndpointKind, NetworkScope, Reporter};

#[derive(Deserialize, Default)]
pub(crate) struct Doc<'a> {
    #[serde(borrow, default)]
    pub(crate) start_time: Option<NumOrStr<'a>>,
    #[serde(borrow, default)]
    pub(crate) end_time: Option<NumOrStr<'a>>,
    #[serde(borrow, default)]
    pub(crate) source_type: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) source_namespace: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) source_name: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) source_name_aggr: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) source_ip: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) source_labels: Option<LabelList<'a>>,
    #[serde(borrow, default)]
    pub(crate) dest_type: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) dest_namespace: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) dest_name: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) dest_name_aggr: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) dest_ip: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) dest_labels: Option<LabelList<'a>>,
    #[serde(borrow, default)]
    pub(crate) dest_domains: Option<Vec<Str<'a>>>,
    #[serde(default)]
    pub(crate) dest_port: Option<i64>,
    #[serde(borrow)]
    pub(crate) proto: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) action: Option<Str<'a>>,
    #[serde(borrow)]
    pub(crate) reporter: Option<Str<'a>>,
    /// A `policies` object that cannot be read spoils the trace, not the record.
    #[serde(borrow, default, deserialize_with = "policies_or_unreadable")]
    pub(crate) policies: Option<Policies<'a>>,
    #[serde(default)]
    pub(crate) num_flows: Option<u64>,
}

#[derive(Deserialize)]
pub(crate) struct LabelList<'a> {
    #[serde(borrow, default)]
    pub(crate) labels: Option<Vec<Str<'a>>>,
    /// The object as the line wrote it, `labels` unread (fast path only): the aggregator's cheap
    /// identity, read by [`super::calico_fast::label_list`] when the endpoint is new.
    #[serde(skip)]
    pub(crate) text: Option<&'a str>,
}

#[derive(Deserialize)]
pub(crate) struct Policies<'a> {
    #[serde(borrow, default)]
    pub(crate) all_policies: Option<Vec<Str<'a>>>,
    #[serde(borrow, default)]
    pub(crate) enforced_policies: Option<Vec<Str<'a>>>,
    #[serde(borrow, default)]
    pub(crate) pending_policies: Option<Vec<Str<'a>>>,
    /// The object as the line wrote it, lists unread (fast path only).
    #[serde(skip)]
    pub(crate) text: Option<&'a str>,
    /// Why the object could not be read (then the lists are empty).
    #[serde(skip)]
    pub(crate) unreadable: Option<String>,
}

impl Policies<'_> {
    /// No list read yet.
    pub(crate) fn empty() -> Self {
        Policies {
            all_policies: None,
            enforced_policies: None,
            pending_policies: None,
            text: None,
            unreadable: None,
        }
    }
}

/// `policies` as JSON of any shape: read when it is the object Felix writes, kept as unreadable (with
/// the reason) otherwise. Only the serde path comes here (the fast path keeps the object's text), so
/// the detour through a `Value` costs nothing on the common line.
fn policies_or_unreadable<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Policies<'de>>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.map(|value| {
        Policies::deserialize(value).unwrap_or_else(|e| Policies {
            unreadable: Some(format!("`policies`: {e}")),
            ..Policies::empty()
        })
    }))
}

#[derive(Deserialize)]
struct EsHit<'a> {
    #[serde(borrow, rename = "_source")]
    source: Doc<'a>,
}

/// Parses one Felix document.
pub(crate) fn parse<'a>(
    bytes: &'a [u8],
    texts: &mut super::text_cache::TextCache,
) -> Result<RawRecord<'a>, RecordError> {
    if let Some(doc) = super::calico_fast::parse(bytes, texts) {
        return Ok(record(doc)?);
    }
    let doc: Doc<'_> = serde_json::from_slice(bytes).map_err(RecordError::json)?;
    Ok(record(doc)?)
}

/// Parses one Elasticsearch hit (`{"_source": {…}}`).
pub(crate) fn parse_es_hit(bytes: &[u8]) -> Result<RawRecord<'_>, RecordError> {
    let hit: EsHit<'_> = serde_json::from_slice(bytes).map_err(RecordError::json)?;
    Ok(record(hit.source)?)
}

fn record(doc: Doc<'_>) -> Result<RawRecord<'_>, String> {
    let proto = doc.proto.ok_or("missing `proto`")?;
    let action = match doc.action.ok_or("missing `action`")?.as_str() {
        "allow" | "Allow" => RawAction::Allow,
        "deny" | "Deny" => RawAction::Deny,
        other => return Err(format!("`action` is `{other}`, expected `allow` or `deny`")),
    };
    let reporter = match doc.reporter.ok_or("missing `reporter`")?.as_str() {
        "src" => Reporter::Src,
        "dst" => Reporter::Dst,
        _ => Reporter::Unknown,
    };
    let src = endpoint(
        doc.source_type,
        doc.source_namespace,
        doc.source_name,
        doc.source_name_aggr,
        doc.source_ip,
        doc.source_labels,
        None,
    )?;
    let dst = endpoint(
        doc.dest_type,
        doc.dest_namespace,
        doc.dest_name,
        doc.dest_name_aggr,
        doc.dest_ip,
        doc.dest_labels,
        doc.dest_domains,
    )?;
    let (enforced, pending) = match doc.policies {
        Some(Policies {
            unreadable: Some(reason),
            ..
        }) => (
            Some(RawTrace::Unreadable(reason.clone())),
            Some(RawTrace::Unreadable(reason)),
        ),
        Some(Policies {
            text: Some(text), ..
        }) => (
            Some(RawTrace::CalicoText {
                text,
                pending: false,
            }),
            Some(RawTrace::CalicoText {
                text,
                pending: true,
            }),
        ),
        Some(p) => (
            p.enforced_policies.or(p.all_policies).map(trace),
            p.pending_policies.map(trace),
        ),
        None => (None, None),
    };
    Ok(RawRecord {
        src,
        dst,
        protocol: protocol(proto.as_str())?,
        port: port(doc.dest_port)?,
        action,
        reporter,
        count: doc.num_flows.unwrap_or(1).max(1),
        start: doc.start_time.as_ref().and_then(NumOrStr::as_unix_seconds),
        end: doc.end_time.as_ref().and_then(NumOrStr::as_unix_seconds),
        enforced,
        pending,
    })
}

/// Policy strings come out of a Go map: the aggregator orders them by index when it first sees them.
fn trace(strings: Vec<Str<'_>>) -> RawTrace<'_> {
    RawTrace::Strings(strings)
}

fn endpoint<'a>(
    kind: Option<Str<'a>>,
    namespace: Option<Str<'a>>,
    name: Option<Str<'a>>,
    name_aggr: Option<Str<'a>>,
    ip: Option<Str<'a>>,
    labels: Option<LabelList<'a>>,
    domains: Option<Vec<Str<'a>>>,
) -> Result<RawEndpoint<'a>, String> {
    let kind = match kind.as_ref().map(Str::as_str) {
        Some("wep") => EndpointKind::Workload,
        Some("hep") => EndpointKind::Host,
        Some("ns") => EndpointKind::NetworkSet,
        Some("net") => EndpointKind::Network,
        _ => EndpointKind::Unknown,
    };
    let mut ep = RawEndpoint::new(kind);
    ep.namespace = present(namespace);
    let name = present(name);
    let aggr = present(name_aggr);
    let ip = match present(ip) {
        Some(text) => Some(
            text.parse::<IpAddr>()
                .map_err(|_| format!("`{text}` is not an IP address"))?,
        ),
        None => None,
    };
    match kind {
        // A workload is named by its group (the `*` name). When Felix kept the pod (aggregation level
        // 1, the default for denied flows) the record is about that pod and its IP: one row per pod,
        // as the flow log tells it, each resolved to the same workload of the design.
        EndpointKind::Workload => {
            ep.pod = match (&aggr, &name) {
                (Some(a), Some(n)) if a != n => name.clone(),
                _ => None,
            };
            ep.ip = ip;
            ep.name = aggr.or(name);
        }
        EndpointKind::Network => {
            ep.ip = ip;
            ep.scope = match aggr.as_deref() {
                Some("pub") => Some(NetworkScope::Public),
                Some("pvt") => Some(NetworkScope::Private),
                _ => None,
            };
            ep.domains = domains
                .unwrap_or_default()
                .into_iter()
                .map(|d| d.0)
                .collect();
        }
        _ => {
            ep.name = aggr.or(name);
            ep.ip = ip;
            ep.domains = domains
                .unwrap_or_default()
                .into_iter()
                .map(|d| d.0)
                .collect();
        }
    }
    ep.labels_text = labels.as_ref().and_then(|l| l.text);
    ep.labels_unread = ep.labels_text.is_some();
    ep.labels = labels
        .and_then(|l| l.labels)
        .unwrap_or_default()
        .into_iter()
        .map(|l| l.0)
        .collect();
    Ok(ep)
}
