//! Cilium Hubble flows (`../shared/flows/README.md` §3): `hubble observe -o json` / exporter lines
//! `{"flow":{…},"node_name":…}` and legacy bare `Flow` objects, protojson with proto field names.
//!
//! Only verdict-bearing events are records: policy verdicts (event type 5) and drops (1) that are not
//! replies. Trace events and replies repeat a verdict already seen and are counted as ignored; drops
//! for reasons other than policy are ignored too. The same streams carry lines that are no flow at
//! all (`lost_events`, `agent_event`, `debug_event`, `node_status`): events, counted apart.

use std::net::IpAddr;

use serde::Deserialize;

use super::labels::{HubbleLabel, hubble_label};
use super::raw::{NumOrStr, Parsed, RawAction, RawEndpoint, RawRecord, RecordError, Str, present};
use super::{EndpointKind, Reporter};
use crate::model::Protocol;

#[derive(Deserialize)]
struct Wrapper<'a> {
    #[serde(borrow)]
    flow: Flow<'a>,
}

#[derive(Deserialize)]
struct Flow<'a> {
    #[serde(borrow, default)]
    time: Option<NumOrStr<'a>>,
    #[serde(borrow)]
    verdict: Option<Str<'a>>,
    #[serde(borrow, default)]
    drop_reason_desc: Option<Str<'a>>,
    #[serde(borrow, default, rename = "IP")]
    ip: Option<Ip<'a>>,
    #[serde(default)]
    l4: Option<L4>,
    #[serde(borrow, default)]
    source: Option<HubbleEndpoint<'a>>,
    #[serde(borrow, default)]
    destination: Option<HubbleEndpoint<'a>>,
    #[serde(borrow, default)]
    traffic_direction: Option<Str<'a>>,
    #[serde(default)]
    event_type: Option<EventType>,
    #[serde(default)]
    is_reply: Option<bool>,
    #[serde(borrow, default)]
    destination_names: Option<Vec<Str<'a>>>,
}

#[derive(Deserialize)]
struct Ip<'a> {
    #[serde(borrow, default)]
    source: Option<Str<'a>>,
    #[serde(borrow, default)]
    destination: Option<Str<'a>>,
}

#[derive(Deserialize)]
#[allow(clippy::upper_case_acronyms)]
struct L4 {
    #[serde(default, rename = "TCP")]
    tcp: Option<Ports>,
    #[serde(default, rename = "UDP")]
    udp: Option<Ports>,
    #[serde(default, rename = "SCTP")]
    sctp: Option<Ports>,
    #[serde(default, rename = "ICMPv4")]
    icmp4: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "ICMPv6")]
    icmp6: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Ports {
    #[serde(default)]
    destination_port: Option<i64>,
}

#[derive(Deserialize)]
struct EventType {
    #[serde(default, rename = "type")]
    kind: Option<i64>,
}

#[derive(Deserialize)]
struct HubbleEndpoint<'a> {
    #[serde(borrow, default)]
    namespace: Option<Str<'a>>,
    #[serde(borrow, default)]
    labels: Option<Vec<Str<'a>>>,
    #[serde(borrow, default)]
    pod_name: Option<Str<'a>>,
    #[serde(borrow, default)]
    workloads: Option<Vec<Workload<'a>>>,
}

#[derive(Deserialize)]
struct Workload<'a> {
    #[serde(borrow, default)]
    name: Option<Str<'a>>,
}

/// The fields of a `GetFlowsResponse` that hold something else than a flow.
const EVENT_KEYS: [&str; 4] = ["lost_events", "agent_event", "debug_event", "node_status"];

/// A `GetFlowsResponse` line seen only for which of its fields are there.
#[derive(Deserialize)]
struct ResponseFields {
    #[serde(default)]
    flow: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    lost_events: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    agent_event: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    debug_event: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    node_status: Option<serde::de::IgnoredAny>,
}

/// Whether the line is one of Hubble's event lines (no `flow`, one of [`EVENT_KEYS`]). Asked only of
/// lines that are no flow, so it costs nothing on the common line.
fn is_event(bytes: &[u8]) -> bool {
    serde_json::from_slice::<ResponseFields>(bytes).is_ok_and(|r| {
        r.flow.is_none()
            && (r.lost_events.is_some()
                || r.agent_event.is_some()
                || r.debug_event.is_some()
                || r.node_status.is_some())
    })
}

/// [`is_event`] of an object already parsed (format detection).
pub(crate) fn is_event_object(map: &serde_json::Map<String, serde_json::Value>) -> bool {
    !map.contains_key("flow") && EVENT_KEYS.iter().any(|k| map.contains_key(*k))
}

/// One `GetFlowsResponse` line: a flow, an event line, or (from an old CLI) a bare flow.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<'_>, RecordError> {
    match serde_json::from_slice::<Wrapper<'_>>(bytes) {
        Ok(wrapper) => Ok(record(wrapper.flow)?),
        // A line that is no wrapped flow is read again only now: the common line pays nothing.
        Err(e) => parse_bare(bytes).map_err(|_| RecordError::json(e)),
    }
}

/// One bare `Flow` object (old CLIs).
pub(crate) fn parse_bare(bytes: &[u8]) -> Result<Parsed<'_>, RecordError> {
    let parsed = serde_json::from_slice::<Flow<'_>>(bytes)
        .map_err(RecordError::json)
        .and_then(|flow| Ok(record(flow)?));
    match parsed {
        Err(_) if is_event(bytes) => Ok(Parsed::Event),
        parsed => parsed,
    }
}

fn record(flow: Flow<'_>) -> Result<Parsed<'_>, String> {
    if flow.is_reply == Some(true)
        || !matches!(
            flow.event_type.as_ref().and_then(|e| e.kind),
            None | Some(1) | Some(5)
        )
    {
        return Ok(Parsed::Ignored);
    }
    let action = match flow.verdict.as_ref().ok_or("missing `verdict`")?.as_str() {
        "FORWARDED" | "AUDIT" | "REDIRECTED" | "TRANSLATED" => RawAction::Allow,
        "DROPPED" => match flow.drop_reason_desc.as_ref().map(Str::as_str) {
            Some("POLICY_DENIED" | "POLICY_DENY") | None => RawAction::Deny,
            Some(_) => return Ok(Parsed::Ignored),
        },
        _ => return Ok(Parsed::Ignored),
    };
    let reporter = match flow.traffic_direction.as_ref().map(Str::as_str) {
        Some("EGRESS") => Reporter::Src,
        Some("INGRESS") => Reporter::Dst,
        _ => Reporter::Unknown,
    };
    let l4 = flow.l4.ok_or("missing `l4`")?;
    let (protocol, ports) = if let Some(p) = l4.tcp {
        (Protocol::Tcp, Some(p))
    } else if let Some(p) = l4.udp {
        (Protocol::Udp, Some(p))
    } else if let Some(p) = l4.sctp {
        (Protocol::Sctp, Some(p))
    } else if l4.icmp4.is_some() {
        (Protocol::Icmp, None)
    } else if l4.icmp6.is_some() {
        (Protocol::IcmpV6, None)
    } else {
        return Err("`l4` has no TCP, UDP, SCTP or ICMP part".into());
    };
    let port = super::raw::port(ports.and_then(|p| p.destination_port))?;
    let (src_ip, dst_ip) = match flow.ip {
        Some(ip) => (parse_ip(ip.source)?, parse_ip(ip.destination)?),
        None => (None, None),
    };
    let src = endpoint(flow.source, src_ip, None);
    let dst = endpoint(flow.destination, dst_ip, flow.destination_names);
    let time = flow.time.as_ref().and_then(NumOrStr::as_unix_seconds);
    Ok(Parsed::Record(RawRecord {
        src,
        dst,
        protocol,
        port,
        action,
        reporter,
        count: 1,
        start: time,
        end: time,
        enforced: None,
        pending: None,
    }))
}

fn parse_ip(text: Option<Str<'_>>) -> Result<Option<IpAddr>, String> {
    match present(text) {
        Some(t) => t
            .parse()
            .map(Some)
            .map_err(|_| format!("`{t}` is not an IP address")),
        None => Ok(None),
    }
}

fn endpoint<'a>(
    ep: Option<HubbleEndpoint<'a>>,
    ip: Option<IpAddr>,
    names: Option<Vec<Str<'a>>>,
) -> RawEndpoint<'a> {
    let Some(ep) = ep else {
        let mut out = RawEndpoint::new(EndpointKind::Network);
        out.ip = ip;
        return out;
    };
    let mut out = RawEndpoint::new(EndpointKind::Workload);
    let mut world = false;
    let mut host = false;
    for label in ep.labels.unwrap_or_default() {
        match hubble_label(label.0) {
            HubbleLabel::Pod(l) => out.labels.push(l),
            HubbleLabel::Namespace(l) => out.namespace_labels.push(l),
            HubbleLabel::World => world = true,
            HubbleLabel::Host => host = true,
            HubbleLabel::Ignored => {}
        }
    }
    out.namespace = present(ep.namespace);
    if world {
        out.kind = EndpointKind::Network;
        out.ip = ip;
        out.domains = names.unwrap_or_default().into_iter().map(|n| n.0).collect();
        out.labels.clear();
    } else if host {
        out.kind = EndpointKind::Host;
        out.ip = ip;
    } else if out.namespace.is_none() {
        out.kind = EndpointKind::Unknown;
        out.ip = ip;
    } else {
        let workload = ep
            .workloads
            .and_then(|w| w.into_iter().next())
            .and_then(|w| present(w.name));
        out.name = workload.or_else(|| present(ep.pod_name));
    }
    out
}
