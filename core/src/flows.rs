//! Flow-log import: what a cluster really did, read from the files users upload, normalised to one row
//! type and aggregated into distinct flows for the impact preview (`crate::impact`).
//!
//! # Formats
//!
//! The format is detected from the first bytes, never from the file name (`../shared/flows/README.md`):
//!
//! | format | recognised by |
//! |---|---|
//! | gzip of any of the below | magic bytes `1f 8b` (inflated as it streams, multi-member files too) |
//! | Calico Enterprise / Calico Cloud flow logs (Felix JSON lines) | an object with `reporter` and `source_name_aggr` or `source_type`; policy strings in both the tiered (`tier\|tier.name\|…`, Enterprise and Calico < 3.32) and the kind (`gnp:name`, 3.32+) dialects |
//! | the same wrapped in an Elasticsearch response, or Linseed's list response | `hits.hits[]._source`; `{"total_hits":…,"items":[…]}` |
//! | Calico OSS Whisker API list (`GET /flows`) | an object with `items` (and `total`) |
//! | Whisker server-sent events | lines starting `data: {` |
//! | Goldmane emitter NDJSON (and `goldmane/cmd/stream` output) | an object with `Key` (or `flow.Key`) |
//! | Cilium Hubble (`hubble observe -o json`, exporter files, legacy bare flows) | an object with `flow` holding `verdict`, or a bare object with `verdict` and `l4`; its event lines (`lost_events`, `agent_event`, `debug_event`, `node_status`) too |
//! | CSV with a header | the header below |
//!
//! JSON may come as one document per line, as pretty-printed documents one after another, or as a
//! JSON array of documents. Only one record is held in memory at a time.
//!
//! # CSV columns
//!
//! ```text
//! src_namespace,src_name,src_labels,dst_namespace,dst_name,dst_labels,dst_ip,proto,dst_port,action,count
//! ```
//!
//! - `src_namespace`, `dst_namespace`: the namespace; empty for an end outside the cluster.
//! - `src_name`, `dst_name`: the workload (or aggregated `prefix-*`) name; for an outside end a DNS name
//!   or an IP (an IP in `src_name` is used as the source address).
//! - `src_labels`, `dst_labels`: `key=value` pairs joined by `;` (split on the first `=`), may be empty.
//! - `dst_ip`: IP or CIDR of the destination; needed when `dst_namespace` is empty.
//! - `proto`: `TCP`, `UDP`, `SCTP`, `ICMP`, `ICMPv6` or a number, any case.
//! - `dst_port`: 1–65535, empty for protocols without ports.
//! - `action`: `allow` or `deny`, as observed.
//! - `count`: a positive integer, 1 when empty.
//!
//! RFC 4180 quoting, UTF-8, an optional BOM; extra trailing columns are ignored.
//!
//! # Distinct flows
//!
//! A distinct flow is one row of the impact table: every record with the same two ends, protocol and
//! destination port, over the whole file. The records of both reporters of one connection, of every
//! time window and of both observed actions merge into it (its counts say who saw what:
//! [`AggregatedFlow::observed`]). An end is what the log says about it, no coarser: namespace, the
//! workload (or aggregated `prefix-*`) name and labels, and for Calico records that name a single pod
//! (Felix's aggregation level 1, the default for denied flows) that pod and its IP; network sets by
//! name, outside ends by address or `pub`/`pvt`. Hubble reports every packet with its pod, so its ends
//! are aggregated to the workload. Rows of pods of one workload resolve to the same design endpoint,
//! and the impact preview evaluates them once.
//!
//! # Errors
//!
//! A malformed record is reported with its line number and skipped ([`LineError`]); the import goes on.
//! A record is malformed only when its verdict, its ends, its protocol or its port cannot be read: a
//! policy trace that cannot be read (wholly or one policy string of it) is kept with its unreadable
//! steps of kind [`KIND_UNKNOWN`], and the record is reported as a warning
//! ([`ImportSummary::warnings`]). Hubble's event lines (`lost_events`, `agent_event`, …) are neither
//! records nor errors: they are counted apart ([`ImportSummary::events`]).
//! Only a file that is not a flow log at all (an unknown format, UTF-16, a broken gzip stream) fails the
//! import ([`ImportError`]). A line longer than [`ImportOptions::max_line_bytes`] is an error for that
//! line only, and memory stays bounded by that limit.
//!
//! # Streaming
//!
//! [`FlowImporter`] is push-based: feed it byte chunks as they arrive (a web worker reading a `File` in
//! slices) and call [`FlowImporter::finish`]. [`import_reader`] drives it from any [`std::io::Read`];
//! where threads are available it reads the bulk of an uncompressed line-based file in blocks on one
//! worker per core, with the same result as one thread.

use std::fmt;
use std::io::Read;

use serde::Serialize;

use crate::model::Labels;

mod aggregate;
mod calico;
mod calico_fast;
mod csv;
mod detect;
mod goldmane;
mod hubble;
mod importer;
mod json_scan;
mod labels;
mod lines;
mod parallel;
mod policy_string;
mod raw;
mod text_cache;
mod time;

pub use aggregate::{AggregatedFlow, EndpointId, FlowSet, ReporterCounts, TraceId};
pub use importer::FlowImporter;
pub use policy_string::{KIND_UNKNOWN, RULE_UNKNOWN, parse_calico_policy_string};

/// Default limit on one line (or one JSON record): 16 MiB.
pub const DEFAULT_MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// How many line errors an import keeps (all are counted).
pub const DEFAULT_MAX_REPORTED_ERRORS: usize = 100;

/// Settings of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// A line (or JSON record) longer than this is reported and skipped.
    pub max_line_bytes: usize,
    /// How many [`LineError`]s are kept in the summary; the rest are only counted.
    pub max_reported_errors: usize,
}

impl Default for ImportOptions {
    fn default() -> ImportOptions {
        ImportOptions {
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            max_reported_errors: DEFAULT_MAX_REPORTED_ERRORS,
        }
    }
}

/// The flow-log formats the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlowFormat {
    /// Calico Enterprise / Calico Cloud flow logs (Felix JSON), raw or from Elasticsearch.
    Calico,
    /// Calico OSS Whisker API: `GET /flows` list or its server-sent-event stream.
    Whisker,
    /// Calico OSS Goldmane emitter NDJSON (or its `stream` tool's output).
    GoldmaneEmitter,
    /// Cilium Hubble `hubble observe -o json`.
    Hubble,
    /// CSV with the documented header.
    Csv,
}

impl FlowFormat {
    /// The short name used in reports (`calico`, `whisker`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            FlowFormat::Calico => "calico",
            FlowFormat::Whisker => "whisker",
            FlowFormat::GoldmaneEmitter => "goldmane-emitter",
            FlowFormat::Hubble => "hubble",
            FlowFormat::Csv => "csv",
        }
    }

    /// What every format is called in messages that list the formats tried.
    pub const DESCRIPTIONS: &'static str = "Calico Enterprise/Cloud flow logs (JSON lines or an Elasticsearch response), \
         Calico Whisker flows (JSON list or event stream), Goldmane emitter NDJSON, \
         Hubble `hubble observe -o json`, CSV with the header `src_namespace,src_name,...,count`";
}

impl fmt::Display for FlowFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of thing an end of a flow is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndpointKind {
    /// A pod, or the pods of one workload (`wep`).
    Workload,
    /// A host endpoint (`hep`), e.g. a node.
    Host,
    /// A NetworkSet or GlobalNetworkSet (`ns`).
    NetworkSet,
    /// An address outside every known endpoint (`net`).
    Network,
    /// The record does not say (Whisker without a type, CSV ends without namespace or IP).
    Unknown,
}

/// For an aggregated-away outside address: which side of the RFC 1918 line it was on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NetworkScope {
    /// `pub` / `PUBLIC NETWORK`.
    Public,
    /// `pvt` / `PRIVATE NETWORK`.
    Private,
}

/// One end of an observed flow, as the flow log describes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Endpoint {
    pub kind: EndpointKind,
    /// `None` for ends that are not namespaced.
    pub namespace: Option<String>,
    /// The workload (controller or aggregated `prefix-*`) name, host name, network-set name, or
    /// for an outside end a DNS name; `None` when aggregated away.
    pub name: Option<String>,
    /// The one pod the record names, when the flow log did not aggregate pods away (Calico keeps pod
    /// names and IPs of denied flows: aggregation level 1); `name` is then still the pod's group.
    pub pod: Option<String>,
    /// The endpoint's own labels (for aggregated records, those common to every pod).
    pub labels: Labels,
    /// Namespace labels, when the format carries them (Hubble).
    pub namespace_labels: Labels,
    /// The address, for ends identified by address (network sets, outside networks, hosts).
    pub ip: Option<std::net::IpAddr>,
    /// `pub` / `pvt` when the address was aggregated away.
    pub scope: Option<NetworkScope>,
    /// DNS names seen for the address (Calico `dest_domains`, Hubble `destination_names`).
    pub domains: Vec<String>,
}

impl Endpoint {
    /// A short human name: `namespace/name`, the IP, the scope, or `?`.
    pub fn display_name(&self) -> String {
        let name = self
            .pod
            .as_deref()
            .or(self.name.as_deref())
            .map(str::to_owned)
            .or_else(|| self.ip.map(|ip| ip.to_string()));
        match (&self.namespace, name) {
            (Some(ns), Some(name)) => format!("{ns}/{name}"),
            (Some(ns), None) => format!("{ns}/*"),
            (None, Some(name)) => name,
            (None, None) => match self.scope {
                Some(NetworkScope::Public) => "public network".to_owned(),
                Some(NetworkScope::Private) => "private network".to_owned(),
                None => "?".to_owned(),
            },
        }
    }
}

/// The observed verdict of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Observed {
    Allow,
    Deny,
    /// Some records of this flow were allowed and some denied (the policy changed in the window, or
    /// different pods of an aggregated workload were treated differently).
    Mixed,
}

impl Observed {
    /// `allow`, `deny` or `mixed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Observed::Allow => "allow",
            Observed::Deny => "deny",
            Observed::Mixed => "mixed",
        }
    }
}

/// Which side wrote a record: the source (egress processing) or the destination (ingress).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reporter {
    Src,
    Dst,
    /// The format does not say (CSV) or the record is forwarded traffic.
    Unknown,
}

/// A policy as a flow log names it, normalised across the dialects.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PolicyRef {
    /// `gnp`, `np`, `knp`, `kcnp` (ClusterNetworkPolicy), `kanp` / `kbanp` (AdminNetworkPolicy /
    /// BaselineAdminNetworkPolicy, Calico 3.29–3.31), `profile`, `eot` (end of tier with no policy), or
    /// `unknown`.
    pub kind: &'static str,
    pub tier: String,
    pub namespace: Option<String>,
    /// The bare name: no tier prefix, no `knp.default.`, no `staged:`.
    pub name: String,
    pub staged: bool,
}

/// The action of one [`PolicyHit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HitAction {
    Allow,
    Deny,
    Pass,
    Unknown,
}

/// One step of the policy trace a flow log carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PolicyHit {
    /// Order of traversal, from 0.
    pub index: u32,
    pub policy: PolicyRef,
    pub action: HitAction,
    /// Rule index within the policy for the reporter's direction; `-1` end of tier, `-2` unknown.
    pub rule: i32,
}

/// A record that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    /// 1-based line of the (decompressed) input: where the JSON parser failed, else where the
    /// record starts.
    pub line: u64,
    /// 1-based byte column on that line, likewise (1 for a line-based record as a whole).
    pub column: u64,
    pub reason: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}:{}: {}", self.line, self.column, self.reason)
    }
}

/// Counts of one import (one file, or several merged).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// The formats seen (one per file imported).
    pub formats: Vec<FlowFormat>,
    /// Records read (valid or not; not counting blank lines and [`ImportSummary::events`]).
    /// `records - skipped - ignored` records made the flows: the sum of their
    /// [`AggregatedFlow::records`].
    pub records: u64,
    /// Records skipped because they were malformed: their verdict, ends, protocol or port could not
    /// be read (see `errors`).
    pub skipped: u64,
    /// Records deliberately left out (Hubble reply packets and trace events, which repeat a verdict).
    pub ignored: u64,
    /// Lines that are not flow records at all: Hubble's `lost_events`, `agent_event`, `debug_event`
    /// and `node_status` lines. Neither records nor errors.
    pub events: u64,
    /// Records kept although their policy trace could not be read: the trace's unreadable steps are
    /// of kind [`KIND_UNKNOWN`] (see `warnings`).
    pub unread_traces: u64,
    /// Distinct flows after aggregation.
    pub distinct: u64,
    /// Bytes read from the input (compressed bytes for gzip).
    pub bytes: u64,
    /// The first [`ImportOptions::max_reported_errors`] malformed records.
    pub errors: Vec<LineError>,
    /// The first [`ImportOptions::max_reported_errors`] records kept with an unreadable trace.
    pub warnings: Vec<LineError>,
    /// One message per file whose gzip stream broke (corrupt, or cut short by a log rotated
    /// mid-write): its records before the break were imported, the rest could not be read.
    pub damaged: Vec<String>,
}

/// Why a whole import failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The first bytes match none of the formats.
    #[error("not a flow log: {detail}; tried {}", FlowFormat::DESCRIPTIONS)]
    UnknownFormat { detail: String },
    /// The input is text in another encoding than UTF-8.
    #[error(
        "the file is {encoding}; flow logs must be UTF-8 (convert it, e.g. `iconv -f {encoding} -t UTF-8`)"
    )]
    Encoding { encoding: &'static str },
    /// The gzip stream is corrupt or ends early.
    #[error("the gzip data is corrupt or truncated: {detail}")]
    Gzip { detail: String },
    /// The input could not be read.
    #[error("cannot read the flow log: {0}")]
    Io(#[from] std::io::Error),
}

/// Imports one flow log from a reader: detects gzip and the format, parses every record, and aggregates
/// into `into` (pass [`FlowSet::default`] for a fresh set, or the result of a previous file to merge).
/// `progress` is called with the number of input bytes read so far, once per chunk.
pub fn import_reader<R: Read>(
    reader: R,
    into: FlowSet,
    options: ImportOptions,
    progress: impl FnMut(u64),
) -> Result<FlowSet, ImportError> {
    import_reader_on(
        reader,
        into,
        options,
        progress,
        parallel::worker_count(),
        parallel::BLOCK_BYTES,
    )
}

/// [`import_reader`] with `workers` threads for the bulk of a line-based file (1: this thread only).
fn import_reader_on<R: Read>(
    mut reader: R,
    into: FlowSet,
    options: ImportOptions,
    mut progress: impl FnMut(u64),
    workers: usize,
    block_bytes: usize,
) -> Result<FlowSet, ImportError> {
    let mut importer = FlowImporter::continue_with(into, options);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ImportError::Io(e)),
        };
        importer.feed(&buf[..n])?;
        progress(importer.bytes_read());
        if workers > 1 {
            // Once the format is known and the file turns out to be plain lines, the rest goes to
            // the workers.
            let read = importer.bytes_read();
            match importer.into_line_parts() {
                Ok(parts) => {
                    return parallel::import_rest(
                        &mut reader,
                        parts,
                        workers,
                        block_bytes,
                        read,
                        &mut progress,
                    );
                }
                Err(back) => importer = *back,
            }
        }
    }
    importer.finish()
}

/// Imports a flow log held in memory (tests, small uploads).
pub fn import_bytes(bytes: &[u8], options: ImportOptions) -> Result<FlowSet, ImportError> {
    let mut importer = FlowImporter::new(options);
    importer.feed(bytes)?;
    importer.finish()
}

#[cfg(test)]
mod tests;
