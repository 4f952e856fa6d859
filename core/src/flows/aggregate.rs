//! Aggregation: records → distinct flows. Endpoints and policy traces are interned (each distinct one
//! stored once, found again by hash without allocating), flows are keyed by (source, destination,
//! protocol, port).

use std::borrow::Cow;
use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};
use serde::Serialize;

use super::labels::split_label;
use super::policy_string::{parse_or_unreadable, unreadable_hit};
use super::raw::{RawAction, RawEndpoint, RawRecord, RawTrace, Str};
use super::{Endpoint, ImportSummary, LineError, Observed, PolicyHit, Reporter};
use super::{calico_fast, text_cache};
use crate::model::{Labels, Protocol};

/// Index of an [`Endpoint`] in a [`FlowSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct EndpointId(pub u32);

/// Index of a policy trace in a [`FlowSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TraceId(pub u32);

/// Connection counts of one flow, by who reported them and what they saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReporterCounts {
    pub src_allow: u64,
    pub src_deny: u64,
    pub dst_allow: u64,
    pub dst_deny: u64,
    /// Records without a reporter (CSV).
    pub other_allow: u64,
    pub other_deny: u64,
}

/// One distinct flow: every record with the same ends, protocol and port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AggregatedFlow {
    pub src: EndpointId,
    pub dst: EndpointId,
    pub protocol: Protocol,
    pub port: Option<u16>,
    /// Records merged into this flow.
    pub records: u64,
    pub counts: ReporterCounts,
    /// Unix seconds.
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// The enforced policy trace first seen from the source side (egress) and the destination side.
    pub trace_src: Option<TraceId>,
    pub trace_dst: Option<TraceId>,
    /// The pending (staged-included) traces, likewise.
    pub pending_src: Option<TraceId>,
    pub pending_dst: Option<TraceId>,
}

impl AggregatedFlow {
    /// Connections: the source and destination both report a connection, so the larger side counts,
    /// plus records of unknown side.
    pub fn count(&self) -> u64 {
        let c = &self.counts;
        (c.src_allow + c.src_deny).max(c.dst_allow + c.dst_deny) + c.other_allow + c.other_deny
    }

    /// The observed verdict. A source-side allow is not the last word when the destination reported
    /// too: the connection can still be denied on ingress.
    pub fn observed(&self) -> Observed {
        let c = &self.counts;
        let denied = c.src_deny + c.dst_deny + c.other_deny > 0;
        let dst_reported = c.dst_allow + c.dst_deny > 0;
        let allowed = c.dst_allow + c.other_allow > 0 || (c.src_allow > 0 && !dst_reported);
        match (allowed, denied) {
            (true, true) => Observed::Mixed,
            (false, true) => Observed::Deny,
            _ => Observed::Allow,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FlowKey {
    src: u32,
    dst: u32,
    protocol: u8,
    port: Option<u16>,
}

/// Distinct flows of one or more imports, with their endpoints and traces.
#[derive(Debug, Clone, Default)]
pub struct FlowSet {
    endpoints: Vec<Endpoint>,
    traces: Vec<Vec<PolicyHit>>,
    flows: Vec<AggregatedFlow>,
    pub(crate) summary: ImportSummary,
    endpoint_index: FxHashMap<u64, Vec<u32>>,
    /// Endpoints by their label list's text (and other fields), checked before `endpoint_index`.
    text_index: FxHashMap<u64, Vec<(Box<str>, u32)>>,
    trace_index: FxHashMap<u64, Vec<u32>>,
    trace_keys: Vec<String>,
    /// Parallel to `traces`: why a trace could not be read (wholly or in part).
    trace_problems: Vec<Option<Box<str>>>,
    flow_index: FxHashMap<FlowKey, u32>,
    /// Where the record being added is in the input: `file << 48 | block << 32 | line in the block`
    /// (see `super::parallel`).
    pub(crate) position: u64,
    /// Parallel to `flows`: where each flow's first record and trace records are, so that flows
    /// aggregated in separate blocks merge back as if read in one go.
    positions: Vec<FlowPositions>,
}

/// Input positions (see `FlowSet::position`) of a flow's first record and of the records its four
/// traces come from (`trace_src`, `trace_dst`, `pending_src`, `pending_dst`; `u64::MAX`: none).
#[derive(Debug, Clone, Copy)]
struct FlowPositions {
    first: u64,
    traces: [u64; 4],
}

impl FlowSet {
    /// The distinct flows, in order of first appearance.
    pub fn flows(&self) -> &[AggregatedFlow] {
        &self.flows
    }

    /// Every distinct endpoint.
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// The endpoint of an id from this set.
    pub fn endpoint(&self, id: EndpointId) -> &Endpoint {
        &self.endpoints[id.0 as usize]
    }

    /// The policy trace of an id from this set, sorted by traversal index.
    pub fn trace(&self, id: TraceId) -> &[PolicyHit] {
        &self.traces[id.0 as usize]
    }

    /// Counts and errors of the imports that built this set.
    pub fn summary(&self) -> &ImportSummary {
        &self.summary
    }

    /// Adds one record. Everything that can fail (reading an end's labels) happens before the set
    /// changes: a record that is refused leaves no flow, count or endpoint behind.
    pub(crate) fn add(&mut self, rec: &RawRecord<'_>) -> Result<(), String> {
        let src = self.read_endpoint(&rec.src)?;
        let dst = self.read_endpoint(&rec.dst)?;
        // INVARIANT: nothing below fails.
        let src = self.intern_read(src);
        let dst = self.intern_read(dst);
        let index = self.flow_slot(src, dst, rec.protocol, rec.port, self.position);
        let slot_free = {
            let flow = &self.flows[index];
            match rec.reporter {
                Reporter::Src => (flow.trace_src.is_none(), flow.pending_src.is_none()),
                Reporter::Dst => (flow.trace_dst.is_none(), flow.pending_dst.is_none()),
                Reporter::Unknown => (false, false),
            }
        };
        let enforced = match (&rec.enforced, slot_free.0) {
            (Some(t), true) => self.intern_trace(t),
            _ => None,
        };
        let pending = match (&rec.pending, slot_free.1) {
            (Some(t), true) => self.intern_trace(t),
            _ => None,
        };
        let flow = &mut self.flows[index];
        flow.records += 1;
        let c = &mut flow.counts;
        let counter = match (rec.reporter, rec.action) {
            (Reporter::Src, RawAction::Allow) => &mut c.src_allow,
            (Reporter::Src, RawAction::Deny) => &mut c.src_deny,
            (Reporter::Dst, RawAction::Allow) => &mut c.dst_allow,
            (Reporter::Dst, RawAction::Deny) => &mut c.dst_deny,
            (Reporter::Unknown, RawAction::Allow) => &mut c.other_allow,
            (Reporter::Unknown, RawAction::Deny) => &mut c.other_deny,
        };
        *counter = counter.saturating_add(rec.count);
        if let Some(start) = rec.start.or(rec.end) {
            flow.first_seen = Some(flow.first_seen.map_or(start, |f| f.min(start)));
        }
        if let Some(end) = rec.end.or(rec.start) {
            flow.last_seen = Some(flow.last_seen.map_or(end, |l| l.max(end)));
        }
        // A trace is only interned for a free slot (above): any trace here fills its slot.
        let slots = match rec.reporter {
            Reporter::Src => [&mut flow.trace_src, &mut flow.pending_src],
            Reporter::Dst => [&mut flow.trace_dst, &mut flow.pending_dst],
            Reporter::Unknown => return Ok(()),
        };
        let first_slot = if rec.reporter == Reporter::Src { 0 } else { 1 };
        for (k, (slot, trace)) in slots.into_iter().zip([enforced, pending]).enumerate() {
            if let Some(trace) = trace {
                *slot = Some(TraceId(trace));
                self.positions[index].traces[first_slot + 2 * k] = self.position;
            }
        }
        Ok(())
    }

    #[cfg(test)]
    fn intern_endpoint(&mut self, raw: &RawEndpoint<'_>) -> Result<u32, String> {
        let read = self.read_endpoint(raw)?;
        Ok(self.intern_read(read))
    }

    /// Finds an end already interned, or reads what interning it needs (its label list, when the
    /// parser kept it as text): the only step of interning that can fail.
    fn read_endpoint<'r, 'a>(
        &self,
        raw: &'r RawEndpoint<'a>,
    ) -> Result<ReadEndpoint<'r, 'a>, String> {
        let Some(text) = raw.labels_text else {
            return Ok(ReadEndpoint::ByValue(Cow::Borrowed(raw)));
        };
        // Records repeat their endpoints byte for byte: the label list's text finds the endpoint
        // without splitting, hashing and comparing labels one by one.
        let hash = hash_parts(raw, text_cache::fingerprint(text.as_bytes()), 0);
        if let Some(id) = self.find_by_text(hash, text, raw) {
            return Ok(ReadEndpoint::Known(id));
        }
        let raw = if raw.labels_unread {
            let labels = calico_fast::label_list(text)?;
            let mut read = raw.clone();
            read.labels = labels.into_iter().map(|Str(l)| l).collect();
            read.labels_unread = false;
            Cow::Owned(read)
        } else {
            Cow::Borrowed(raw)
        };
        Ok(ReadEndpoint::ByText { hash, text, raw })
    }

    fn find_by_text(&self, hash: u64, text: &str, raw: &RawEndpoint<'_>) -> Option<u32> {
        let entries = self.text_index.get(&hash)?;
        entries
            .iter()
            .find(|(t, id)| {
                text_cache::same_bytes(t.as_bytes(), text.as_bytes())
                    && same_identity(raw, &self.endpoints[*id as usize])
            })
            .map(|&(_, id)| id)
    }

    fn intern_read(&mut self, read: ReadEndpoint<'_, '_>) -> u32 {
        match read {
            ReadEndpoint::Known(id) => id,
            ReadEndpoint::ByValue(raw) => self.intern_by_value(&raw),
            ReadEndpoint::ByText { hash, text, raw } => {
                // The other end of the same record may have just added it.
                if let Some(id) = self.find_by_text(hash, text, &raw) {
                    return id;
                }
                let id = self.intern_by_value(&raw);
                self.text_index
                    .entry(hash)
                    .or_default()
                    .push((text.into(), id));
                id
            }
        }
    }

    fn intern_by_value(&mut self, raw: &RawEndpoint<'_>) -> u32 {
        if raw.labels.iter().any(|l| is_per_pod(l)) {
            // Denied records name single pods: one StatefulSet pod's own label must not split the
            // workload into one flow per pod.
            let mut group = raw.clone();
            group.labels.retain(|l| !is_per_pod(l));
            return self.intern_by_value(&group);
        }
        let hash = endpoint_hash(raw);
        if let Some(ids) = self.endpoint_index.get(&hash)
            && let Some(&id) = ids
                .iter()
                .find(|&&id| same_endpoint(raw, &self.endpoints[id as usize]))
        {
            return id;
        }
        let owned = to_owned(raw);
        // A raw endpoint with repeated labels hashes differently from its stored form: look the
        // stored form up by value under its own hash, and remember the alias.
        let canonical = owned_hash(&owned);
        for bucket in [hash, canonical] {
            if let Some(ids) = self.endpoint_index.get(&bucket)
                && let Some(&id) = ids.iter().find(|&&id| self.endpoints[id as usize] == owned)
            {
                if bucket != hash {
                    self.endpoint_index.entry(hash).or_default().push(id);
                }
                return id;
            }
        }
        let id = self.endpoints.len() as u32;
        self.endpoints.push(owned);
        self.endpoint_index.entry(canonical).or_default().push(id);
        if canonical != hash {
            self.endpoint_index.entry(hash).or_default().push(id);
        }
        id
    }

    /// The trace's id; `None` when an unread Calico `policies` object has no such list. A trace that
    /// cannot be read is still a trace: its unreadable steps are of kind `unknown` (see
    /// [`Self::trace_problems`]).
    fn intern_trace(&mut self, raw: &RawTrace<'_>) -> Option<u32> {
        let key = match raw {
            RawTrace::CalicoText { text, pending } => {
                let p = match calico_fast::policy_lists(text) {
                    Ok(p) => p,
                    Err(reason) => return Some(self.intern_unreadable(reason)),
                };
                let list = if *pending {
                    p.pending_policies
                } else {
                    p.enforced_policies.or(p.all_policies)
                };
                return self.intern_trace(&RawTrace::Strings(list?));
            }
            RawTrace::Unreadable(reason) => return Some(self.intern_unreadable(reason.clone())),
            RawTrace::Strings(strings) => {
                // Entries are a set out of a Go map: order them by their leading index.
                let index = |s: &&str| {
                    s.split('|')
                        .next()
                        .and_then(|i| i.parse::<u32>().ok())
                        .unwrap_or(u32::MAX)
                };
                let mut sorted: Vec<&str> = strings.iter().map(|s| s.as_str()).collect();
                sorted.sort_by_key(index);
                let mut key = String::with_capacity(sorted.iter().map(|s| s.len() + 1).sum());
                for s in sorted {
                    key.push_str(s);
                    key.push('\n');
                }
                key
            }
            RawTrace::Hits(hits) => format!("{hits:?}"),
        };
        if let Some(id) = self.find_trace(&key) {
            return Some(id);
        }
        let (hits, problem) = match raw {
            RawTrace::Strings(_) => {
                let mut problem = None;
                let mut hits: Vec<PolicyHit> = key
                    .lines()
                    .map(|line| {
                        let (hit, reason) = parse_or_unreadable(line);
                        if problem.is_none() {
                            problem = reason;
                        }
                        hit
                    })
                    .collect();
                hits.sort_by_key(|h| h.index);
                (hits, problem)
            }
            RawTrace::Hits(hits) => (hits.clone(), None),
            RawTrace::CalicoText { .. } | RawTrace::Unreadable(_) => return None, // handled above
        };
        Some(self.push_trace(key, hits, problem))
    }

    /// The trace of a `policies` object that could not be read at all: one unknown step. Keyed by
    /// the reason, which no list of policy strings can be (it starts with a NUL).
    fn intern_unreadable(&mut self, reason: String) -> u32 {
        let key = format!("\0{reason}");
        match self.find_trace(&key) {
            Some(id) => id,
            None => self.push_trace(key, vec![unreadable_hit(0, "")], Some(reason)),
        }
    }

    fn find_trace(&self, key: &str) -> Option<u32> {
        let ids = self.trace_index.get(&trace_hash(key))?;
        ids.iter()
            .find(|&&id| self.trace_keys[id as usize] == key)
            .copied()
    }

    fn push_trace(&mut self, key: String, hits: Vec<PolicyHit>, problem: Option<String>) -> u32 {
        let id = self.traces.len() as u32;
        self.trace_index
            .entry(trace_hash(&key))
            .or_default()
            .push(id);
        self.traces.push(hits);
        self.trace_keys.push(key);
        self.trace_problems
            .push(problem.map(String::into_boxed_str));
        id
    }

    /// Reports the records of the file being finished whose policy trace could not be read: one
    /// warning per record that gave a flow its trace (a trace is read once per flow and reporter,
    /// from the first record that carries one), in line order. Derived from the flows rather than
    /// noted as records arrive, so that a threaded import, whose blocks each read the first trace
    /// they meet, reports exactly what one thread does.
    pub(crate) fn note_unread_traces(&mut self, max_reported: usize) {
        let file = self.summary.formats.len() as u64;
        let mut found: Vec<(u64, usize, u32)> = Vec::new();
        for (flow, at) in self.flows.iter().zip(&self.positions) {
            let slots = [
                flow.trace_src,
                flow.trace_dst,
                flow.pending_src,
                flow.pending_dst,
            ];
            for (k, slot) in slots.into_iter().enumerate() {
                if let Some(TraceId(t)) = slot
                    && self.trace_problems[t as usize].is_some()
                    && at.traces[k] >> 48 == file
                {
                    found.push((at.traces[k] & LINE_BITS, k, t));
                }
            }
        }
        found.sort_unstable();
        // Both traces of one record (enforced and pending) may be unreadable: one warning.
        found.dedup_by_key(|&mut (line, _, _)| line);
        let summary = &mut self.summary;
        summary.unread_traces += found.len() as u64;
        let room = max_reported.saturating_sub(summary.warnings.len());
        for (line, _, t) in found.into_iter().take(room) {
            let reason = self.trace_problems[t as usize]
                .as_deref()
                .unwrap_or_default();
            summary.warnings.push(LineError {
                line,
                column: 1,
                reason: format!("the policy trace is kept as unknown: {reason}"),
            });
        }
    }
}

/// The bits of a record position below the file: the line (see `FlowSet::position`).
const LINE_BITS: u64 = (1 << 48) - 1;

fn trace_hash(key: &str) -> u64 {
    let mut h = FxHasher::default();
    key.hash(&mut h);
    h.finish()
}

/// An end of a record ready to intern: already known, or read (labels split) and not yet added.
enum ReadEndpoint<'r, 'a> {
    Known(u32),
    ByValue(Cow<'r, RawEndpoint<'a>>),
    /// To be found again by its label list's text.
    ByText {
        hash: u64,
        text: &'a str,
        raw: Cow<'r, RawEndpoint<'a>>,
    },
}

impl FlowSet {
    /// The flows, in order of first appearance, each with the position of its first record.
    pub(crate) fn flows_by_position(&self) -> impl Iterator<Item = (u64, &AggregatedFlow)> {
        self.positions.iter().map(|p| p.first).zip(&self.flows)
    }

    /// Adds flow `index` of a set aggregated from another part of the input (`from`), as if its
    /// records had been added here: counts add up, first/last seen widen, and each trace is the one
    /// of the earliest record that had it. `offset` turns `from`'s positions into this set's.
    pub(crate) fn merge_flow(&mut self, from: &FlowSet, index: usize, offset: impl Fn(u64) -> u64) {
        let flow = &from.flows[index];
        let at = &from.positions[index];
        let src = self.intern_owned_endpoint(from.endpoint(flow.src));
        let dst = self.intern_owned_endpoint(from.endpoint(flow.dst));
        let mut traces = [None; 4];
        for (k, trace) in [
            flow.trace_src,
            flow.trace_dst,
            flow.pending_src,
            flow.pending_dst,
        ]
        .into_iter()
        .enumerate()
        {
            traces[k] = trace.map(|t| {
                let id = self.intern_owned_trace(from, t);
                (TraceId(id), offset(at.traces[k]))
            });
        }
        let into_index = self.flow_slot(src, dst, flow.protocol, flow.port, offset(at.first));
        let into = &mut self.flows[into_index];
        into.records += flow.records;
        let (a, b) = (&mut into.counts, &flow.counts);
        for (x, y) in [
            (&mut a.src_allow, b.src_allow),
            (&mut a.src_deny, b.src_deny),
            (&mut a.dst_allow, b.dst_allow),
            (&mut a.dst_deny, b.dst_deny),
            (&mut a.other_allow, b.other_allow),
            (&mut a.other_deny, b.other_deny),
        ] {
            *x = x.saturating_add(y);
        }
        into.first_seen = min_some(into.first_seen, flow.first_seen);
        into.last_seen = max_some(into.last_seen, flow.last_seen);
        let positions = &mut self.positions[into_index];
        let slots = [
            &mut into.trace_src,
            &mut into.trace_dst,
            &mut into.pending_src,
            &mut into.pending_dst,
        ];
        for (k, slot) in slots.into_iter().enumerate() {
            if let Some((trace, position)) = traces[k]
                && (slot.is_none() || position < positions.traces[k])
            {
                *slot = Some(trace);
                positions.traces[k] = position;
            }
        }
    }

    /// The index of the flow with these ends, protocol and port; a new flow with no records yet,
    /// first seen at `position`, when there is none.
    fn flow_slot(
        &mut self,
        src: u32,
        dst: u32,
        protocol: Protocol,
        port: Option<u16>,
        position: u64,
    ) -> usize {
        let key = FlowKey {
            src,
            dst,
            protocol: protocol.number(),
            port,
        };
        let next = self.flows.len() as u32;
        let index = *self.flow_index.entry(key).or_insert(next);
        if index == next {
            self.positions.push(FlowPositions {
                first: position,
                traces: [u64::MAX; 4],
            });
            self.flows.push(AggregatedFlow {
                src: EndpointId(src),
                dst: EndpointId(dst),
                protocol: protocol.canonical(),
                port,
                records: 0,
                counts: ReporterCounts::default(),
                first_seen: None,
                last_seen: None,
                trace_src: None,
                trace_dst: None,
                pending_src: None,
                pending_dst: None,
            });
        }
        index as usize
    }

    fn intern_owned_endpoint(&mut self, ep: &Endpoint) -> u32 {
        let item = |(k, v): (&String, &String)| format!("{k}={v}");
        let labels: Vec<String> = ep.labels.iter().map(item).collect();
        let namespace_labels: Vec<String> = ep.namespace_labels.iter().map(item).collect();
        self.intern_by_value(&borrowed(ep, &labels, &namespace_labels))
    }

    fn intern_owned_trace(&mut self, from: &FlowSet, trace: TraceId) -> u32 {
        let at = trace.0 as usize;
        let key = &from.trace_keys[at];
        match self.find_trace(key) {
            Some(id) => id,
            None => self.push_trace(
                key.clone(),
                from.traces[at].clone(),
                from.trace_problems[at].as_deref().map(str::to_owned),
            ),
        }
    }
}

fn min_some(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        _ => a.or(b),
    }
}

fn max_some(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        _ => a.or(b),
    }
}

/// A stored endpoint seen as a raw one (labels as `key=value` items), for interning it elsewhere.
fn borrowed<'a>(
    ep: &'a Endpoint,
    labels: &'a [String],
    namespace_labels: &'a [String],
) -> RawEndpoint<'a> {
    use std::borrow::Cow::Borrowed;
    let mut raw = RawEndpoint::new(ep.kind);
    raw.namespace = ep.namespace.as_deref().map(Borrowed);
    raw.name = ep.name.as_deref().map(Borrowed);
    raw.pod = ep.pod.as_deref().map(Borrowed);
    raw.ip = ep.ip;
    raw.scope = ep.scope;
    raw.domains = ep.domains.iter().map(|d| Borrowed(d.as_str())).collect();
    raw.labels = labels.iter().map(|l| Borrowed(l.as_str())).collect();
    raw.namespace_labels = namespace_labels
        .iter()
        .map(|l| Borrowed(l.as_str()))
        .collect();
    raw
}

/// Labels Kubernetes sets on one pod only (not on the workload's pod template).
const PER_POD_LABELS: [&str; 3] = [
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "batch.kubernetes.io/job-completion-index",
];

fn is_per_pod(label: &str) -> bool {
    // Most labels rule themselves out by their first letter.
    if !matches!(label.as_bytes().first(), Some(b's' | b'a' | b'b')) {
        return false;
    }
    let (key, _) = split_label(label);
    PER_POD_LABELS.contains(&key)
}

/// Label order is arbitrary in flow logs (Go maps): the hash of a label list does not depend on it.
fn labels_hash<'a>(labels: impl Iterator<Item = &'a str>) -> u64 {
    labels.fold(0u64, |acc, l| {
        let mut h = FxHasher::default();
        l.hash(&mut h);
        acc.wrapping_add(h.finish())
    })
}

fn endpoint_hash(raw: &RawEndpoint<'_>) -> u64 {
    hash_parts(
        raw,
        labels_hash(raw.labels.iter().map(|l| l.as_ref())),
        labels_hash(raw.namespace_labels.iter().map(|l| l.as_ref())),
    )
}

fn hash_parts(raw: &RawEndpoint<'_>, labels: u64, namespace_labels: u64) -> u64 {
    let mut h = FxHasher::default();
    raw.kind.hash(&mut h);
    raw.namespace.as_deref().hash(&mut h);
    raw.name.as_deref().hash(&mut h);
    raw.pod.as_deref().hash(&mut h);
    raw.ip.hash(&mut h);
    raw.scope.hash(&mut h);
    for d in &raw.domains {
        d.as_ref().hash(&mut h);
    }
    labels.hash(&mut h);
    namespace_labels.hash(&mut h);
    h.finish()
}

/// The hash a stored endpoint has when seen raw without repeated labels.
fn owned_hash(ep: &Endpoint) -> u64 {
    let items = |labels: &Labels| {
        labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
    };
    let (labels, namespace_labels) = (items(&ep.labels), items(&ep.namespace_labels));
    endpoint_hash(&borrowed(ep, &labels, &namespace_labels))
}

fn same_labels(raw: &[std::borrow::Cow<'_, str>], stored: &Labels) -> bool {
    if raw.len() != stored.len() {
        return false;
    }
    // Producers usually write labels sorted, as the stored map iterates: compare in step first,
    // without splitting or searching.
    let is = |item: &str, k: &str, v: &str| {
        item.len() == k.len() + 1 + v.len()
            && item.starts_with(k)
            && item.as_bytes()[k.len()] == b'='
            && item.ends_with(v)
    };
    raw.iter().zip(stored).all(|(item, (k, v))| is(item, k, v))
        || raw.iter().all(|item| {
            let (k, v) = split_label(item);
            stored.get(k).is_some_and(|s| s == v)
        })
}

fn same_endpoint(raw: &RawEndpoint<'_>, ep: &Endpoint) -> bool {
    same_identity(raw, ep) && same_labels(&raw.labels, &ep.labels)
}

/// Everything but the endpoint's own labels is the same.
fn same_identity(raw: &RawEndpoint<'_>, ep: &Endpoint) -> bool {
    raw.kind == ep.kind
        && raw.namespace.as_deref() == ep.namespace.as_deref()
        && raw.name.as_deref() == ep.name.as_deref()
        && raw.pod.as_deref() == ep.pod.as_deref()
        && raw.ip == ep.ip
        && raw.scope == ep.scope
        && raw.domains.len() == ep.domains.len()
        && raw
            .domains
            .iter()
            .zip(&ep.domains)
            .all(|(a, b)| a.as_ref() == b)
        && same_labels(&raw.namespace_labels, &ep.namespace_labels)
}

fn to_labels(items: &[std::borrow::Cow<'_, str>]) -> Labels {
    items
        .iter()
        .map(|item| {
            let (k, v) = split_label(item);
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn to_owned(raw: &RawEndpoint<'_>) -> Endpoint {
    Endpoint {
        kind: raw.kind,
        namespace: raw.namespace.as_deref().map(str::to_owned),
        name: raw.name.as_deref().map(str::to_owned),
        pod: raw.pod.as_deref().map(str::to_owned),
        labels: to_labels(&raw.labels),
        namespace_labels: to_labels(&raw.namespace_labels),
        ip: raw.ip,
        scope: raw.scope,
        domains: raw.domains.iter().map(|d| d.as_ref().to_owned()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::EndpointKind;

    fn ep<'a>(labels: &[&'a str]) -> RawEndpoint<'a> {
        let mut e = RawEndpoint::new(EndpointKind::Workload);
        e.namespace = Some(Cow::Borrowed("ns"));
        e.labels = labels.iter().map(|l| Cow::Borrowed(*l)).collect();
        e
    }

    #[test]
    fn label_order_does_not_split_endpoints() {
        let mut set = FlowSet::default();
        let a = set.intern_endpoint(&ep(&["a=1", "b=2"])).unwrap();
        let b = set.intern_endpoint(&ep(&["b=2", "a=1"])).unwrap();
        let c = set.intern_endpoint(&ep(&["a=1", "b=3"])).unwrap();
        let d = set.intern_endpoint(&ep(&["a=1", "a=1", "b=2"])).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, d, "repeated labels are the same label set");
        assert_eq!(set.endpoints().len(), 2);
        assert_eq!(
            owned_hash(&set.endpoints()[0]),
            endpoint_hash(&ep(&["b=2", "a=1"]))
        );
    }
}
