//! Calico OSS Goldmane flows (`../shared/flows/README.md` §2): the Whisker API's JSON (enum names,
//! labels as one `" | "`-joined string, RFC 3339 times) and the Goldmane emitter's NDJSON (Go
//! `encoding/json`: enums as numbers, zero values omitted, labels as arrays, Unix seconds).

use std::borrow::Cow;

use serde::Deserialize;

use super::labels::split_whisker;
use super::raw::{
    NumOrStr, RawAction, RawEndpoint, RawRecord, RawTrace, RecordError, Str, port, present,
    protocol,
};
use super::{EndpointKind, HitAction, NetworkScope, PolicyHit, PolicyRef, Reporter};

#[derive(Deserialize)]
struct WhiskerItem<'a> {
    #[serde(borrow, default)]
    start_time: Option<NumOrStr<'a>>,
    #[serde(borrow, default)]
    end_time: Option<NumOrStr<'a>>,
    #[serde(borrow)]
    action: Option<Str<'a>>,
    #[serde(borrow, default)]
    source_name: Option<Str<'a>>,
    #[serde(borrow, default)]
    source_namespace: Option<Str<'a>>,
    #[serde(borrow, default)]
    source_labels: Option<Str<'a>>,
    #[serde(borrow, default)]
    dest_name: Option<Str<'a>>,
    #[serde(borrow, default)]
    dest_namespace: Option<Str<'a>>,
    #[serde(borrow, default)]
    dest_labels: Option<Str<'a>>,
    #[serde(borrow)]
    protocol: Option<Str<'a>>,
    #[serde(default)]
    dest_port: Option<i64>,
    #[serde(borrow)]
    reporter: Option<Str<'a>>,
    #[serde(borrow, default)]
    policies: Option<WhiskerPolicies<'a>>,
}

#[derive(Deserialize)]
struct WhiskerPolicies<'a> {
    #[serde(borrow, default)]
    enforced: Option<Vec<Hit<'a>>>,
    #[serde(borrow, default)]
    pending: Option<Vec<Hit<'a>>>,
}

/// A `PolicyHit` in either encoding (`kind` and `action` as names or numbers).
#[derive(Deserialize)]
struct Hit<'a> {
    #[serde(borrow, default)]
    kind: Option<NumOrStr<'a>>,
    #[serde(borrow, default)]
    name: Option<Str<'a>>,
    #[serde(borrow, default)]
    namespace: Option<Str<'a>>,
    #[serde(borrow, default)]
    tier: Option<Str<'a>>,
    #[serde(borrow, default)]
    action: Option<NumOrStr<'a>>,
    #[serde(default)]
    policy_index: Option<i64>,
    #[serde(default)]
    rule_index: Option<i64>,
    #[serde(borrow, default)]
    trigger: Option<Box<Hit<'a>>>,
}

#[derive(Deserialize)]
struct EmitterFlow<'a> {
    #[serde(borrow, rename = "Key")]
    key: EmitterKey<'a>,
    #[serde(borrow, default)]
    start_time: Option<NumOrStr<'a>>,
    #[serde(borrow, default)]
    end_time: Option<NumOrStr<'a>>,
    #[serde(borrow, default)]
    source_labels: Option<Vec<Str<'a>>>,
    #[serde(borrow, default)]
    dest_labels: Option<Vec<Str<'a>>>,
    #[serde(default)]
    num_connections_started: Option<u64>,
}

#[derive(Deserialize)]
struct EmitterKey<'a> {
    #[serde(borrow, default)]
    source_name: Option<Str<'a>>,
    #[serde(borrow, default)]
    source_namespace: Option<Str<'a>>,
    #[serde(default)]
    source_type: Option<i64>,
    #[serde(borrow, default)]
    dest_name: Option<Str<'a>>,
    #[serde(borrow, default)]
    dest_namespace: Option<Str<'a>>,
    #[serde(default)]
    dest_type: Option<i64>,
    #[serde(default)]
    dest_port: Option<i64>,
    #[serde(borrow, default)]
    proto: Option<Str<'a>>,
    #[serde(default)]
    reporter: Option<i64>,
    #[serde(default)]
    action: Option<i64>,
    #[serde(borrow, default)]
    policies: Option<EmitterPolicies<'a>>,
}

#[derive(Deserialize)]
struct EmitterPolicies<'a> {
    #[serde(borrow, default)]
    enforced_policies: Option<Vec<Hit<'a>>>,
    #[serde(borrow, default)]
    pending_policies: Option<Vec<Hit<'a>>>,
}

#[derive(Deserialize)]
struct StreamWrapper<'a> {
    #[serde(borrow)]
    flow: EmitterFlow<'a>,
}

/// One Whisker `FlowResponse`.
pub(crate) fn parse_whisker(bytes: &[u8]) -> Result<RawRecord<'_>, RecordError> {
    let item: WhiskerItem<'_> = serde_json::from_slice(bytes).map_err(RecordError::json)?;
    Ok(whisker_record(item)?)
}

fn whisker_record(item: WhiskerItem<'_>) -> Result<RawRecord<'_>, String> {
    let action = match item.action.ok_or("missing `action`")?.as_str() {
        "Allow" | "allow" => RawAction::Allow,
        "Deny" | "deny" => RawAction::Deny,
        other => return Err(format!("`action` is `{other}`, expected `Allow` or `Deny`")),
    };
    let reporter = match item.reporter.as_ref().map(Str::as_str) {
        Some("Src" | "src") => Reporter::Src,
        Some("Dst" | "dst") => Reporter::Dst,
        _ => Reporter::Unknown,
    };
    let (enforced, pending) = match item.policies {
        Some(p) => (p.enforced.map(hits), p.pending.map(hits)),
        None => (None, None),
    };
    Ok(RawRecord {
        src: whisker_endpoint(item.source_namespace, item.source_name, item.source_labels),
        dst: whisker_endpoint(item.dest_namespace, item.dest_name, item.dest_labels),
        protocol: protocol(item.protocol.ok_or("missing `protocol`")?.as_str())?,
        port: port(item.dest_port)?,
        action,
        reporter,
        count: 1,
        start: item.start_time.as_ref().and_then(NumOrStr::as_unix_seconds),
        end: item.end_time.as_ref().and_then(NumOrStr::as_unix_seconds),
        enforced,
        pending,
    })
}

/// One Whisker server-sent event line (`data: {…}`); other lines of the stream are not records.
pub(crate) fn parse_whisker_sse(line: &[u8]) -> Result<Option<RawRecord<'_>>, RecordError> {
    const DATA: &[u8] = b"data:";
    match line.strip_prefix(DATA) {
        Some(json) => parse_whisker(json)
            .map(Some)
            .map_err(|e| e.shifted(DATA.len() as u64)),
        None => Ok(None),
    }
}

/// One Goldmane emitter flow (`{"Key":{…},…}`).
pub(crate) fn parse_emitter(bytes: &[u8]) -> Result<RawRecord<'_>, RecordError> {
    let flow: EmitterFlow<'_> = serde_json::from_slice(bytes).map_err(RecordError::json)?;
    Ok(emitter_record(flow)?)
}

/// One `goldmane/cmd/stream` record (`{"id":…,"flow":{"Key":…}}`).
pub(crate) fn parse_stream(bytes: &[u8]) -> Result<RawRecord<'_>, RecordError> {
    let wrapper: StreamWrapper<'_> = serde_json::from_slice(bytes).map_err(RecordError::json)?;
    Ok(emitter_record(wrapper.flow)?)
}

fn emitter_record(flow: EmitterFlow<'_>) -> Result<RawRecord<'_>, String> {
    let key = flow.key;
    let action = match key.action {
        Some(1) => RawAction::Allow,
        Some(2) => RawAction::Deny,
        other => {
            return Err(format!(
                "`action` is {}, expected 1 (Allow) or 2 (Deny)",
                other.unwrap_or(0)
            ));
        }
    };
    let reporter = match key.reporter {
        Some(1) => Reporter::Src,
        Some(2) => Reporter::Dst,
        _ => Reporter::Unknown,
    };
    let (enforced, pending) = match key.policies {
        Some(p) => (p.enforced_policies.map(hits), p.pending_policies.map(hits)),
        None => (None, None),
    };
    Ok(RawRecord {
        src: emitter_endpoint(
            key.source_type,
            key.source_namespace,
            key.source_name,
            flow.source_labels,
        ),
        dst: emitter_endpoint(
            key.dest_type,
            key.dest_namespace,
            key.dest_name,
            flow.dest_labels,
        ),
        protocol: protocol(key.proto.ok_or("missing `proto`")?.as_str())?,
        port: port(key.dest_port)?,
        action,
        reporter,
        count: flow.num_connections_started.unwrap_or(0).max(1),
        start: flow.start_time.as_ref().and_then(NumOrStr::as_unix_seconds),
        end: flow.end_time.as_ref().and_then(NumOrStr::as_unix_seconds),
        enforced,
        pending,
    })
}

fn whisker_endpoint<'a>(
    namespace: Option<Str<'a>>,
    name: Option<Str<'a>>,
    labels: Option<Str<'a>>,
) -> RawEndpoint<'a> {
    let namespace = present(namespace);
    let name = present(name);
    let scope = match name.as_deref() {
        Some("PUBLIC NETWORK" | "pub") => Some(NetworkScope::Public),
        Some("PRIVATE NETWORK" | "pvt") => Some(NetworkScope::Private),
        _ => None,
    };
    let kind = if scope.is_some() {
        EndpointKind::Network
    } else if namespace.is_some() || name.as_deref().is_some_and(|n| n.ends_with('*')) {
        EndpointKind::Workload
    } else {
        // A host or a global network set: the flow does not say which.
        EndpointKind::Unknown
    };
    let mut ep = RawEndpoint::new(kind);
    ep.scope = scope;
    if scope.is_none() {
        ep.name = name;
    }
    ep.namespace = namespace;
    ep.labels = labels.map(|l| split_whisker(l.0)).unwrap_or_default();
    ep
}

fn emitter_endpoint<'a>(
    kind: Option<i64>,
    namespace: Option<Str<'a>>,
    name: Option<Str<'a>>,
    labels: Option<Vec<Str<'a>>>,
) -> RawEndpoint<'a> {
    let kind = match kind {
        Some(1) => EndpointKind::Workload,
        Some(2) => EndpointKind::Host,
        Some(3) => EndpointKind::NetworkSet,
        Some(4) => EndpointKind::Network,
        _ => EndpointKind::Unknown,
    };
    let mut ep = whisker_endpoint(namespace, name, None);
    if kind != EndpointKind::Unknown {
        ep.kind = kind;
    }
    ep.labels = labels
        .unwrap_or_default()
        .into_iter()
        .map(|l| l.0)
        .collect();
    ep
}

fn hits(list: Vec<Hit<'_>>) -> RawTrace<'static> {
    let mut out: Vec<PolicyHit> = list.into_iter().map(hit).collect();
    out.sort_by_key(|h| h.index);
    RawTrace::Hits(out)
}

fn hit(h: Hit<'_>) -> PolicyHit {
    let index = h
        .policy_index
        .and_then(|i| u32::try_from(i).ok())
        .unwrap_or(0);
    let rule = h
        .rule_index
        .and_then(|r| i32::try_from(r).ok())
        .unwrap_or(0);
    let action = match h.action.as_ref() {
        Some(NumOrStr::Int(1)) => HitAction::Allow,
        Some(NumOrStr::Int(2)) => HitAction::Deny,
        Some(NumOrStr::Int(3)) => HitAction::Pass,
        Some(NumOrStr::Str(s)) => match s.as_ref() {
            "Allow" => HitAction::Allow,
            "Deny" => HitAction::Deny,
            "Pass" => HitAction::Pass,
            _ => HitAction::Unknown,
        },
        _ => HitAction::Unknown,
    };
    let kind = kind_of(h.kind.as_ref());
    if kind == ("eot", false)
        && let Some(trigger) = h.trigger
    {
        // An end-of-tier hit names the policy that selected the endpoint as its trigger.
        let trigger = hit(*trigger);
        return PolicyHit {
            index,
            policy: trigger.policy,
            action,
            rule: -1,
        };
    }
    let tier = h.tier.map(|t| t.0.into_owned()).unwrap_or_default();
    let namespace = present(h.namespace).map(Cow::into_owned);
    let name = h.name.map(|n| n.0.into_owned()).unwrap_or_default();
    PolicyHit {
        index,
        policy: PolicyRef {
            kind: kind.0,
            tier,
            namespace,
            name,
            staged: kind.1,
        },
        action,
        rule,
    }
}

/// `(kind, staged)` of a Goldmane `PolicyKind`, by name or number (`goldmane/proto/api.proto`).
fn kind_of(kind: Option<&NumOrStr<'_>>) -> (&'static str, bool) {
    let number = match kind {
        Some(NumOrStr::Int(n)) => *n,
        Some(NumOrStr::Str(s)) => match s.as_ref() {
            "CalicoNetworkPolicy" => 1,
            "GlobalNetworkPolicy" => 2,
            "StagedNetworkPolicy" => 3,
            "StagedGlobalNetworkPolicy" => 4,
            "StagedKubernetesNetworkPolicy" => 5,
            "NetworkPolicy" => 6,
            "Profile" => 9,
            "EndOfTier" => 10,
            "ClusterNetworkPolicy" => 11,
            _ => 0,
        },
        _ => 0,
    };
    match number {
        1 => ("np", false),
        2 => ("gnp", false),
        3 => ("np", true),
        4 => ("gnp", true),
        5 => ("knp", true),
        6 => ("knp", false),
        9 => ("profile", false),
        10 => ("eot", false),
        11 => ("kcnp", false),
        _ => ("unknown", false),
    }
}
