//! Impact preview: "if I ship this design, what breaks?" Observed flows (`crate::flows`) are replayed
//! against two policy sets — `before` (what is deployed) and `after` (the design) — with the evaluator
//! (`crate::eval`).
//!
//! For each distinct flow: the verdict before and after (enforced and staged), what decided each side,
//! and the change: **broken** (allowed before, denied after), **widened** (denied before, allowed after),
//! unchanged allow / deny, or **unmatched** (an end that cannot be mapped to the design, with the reason:
//! such flows are counted and listed, never dropped). Per-rule and per-policy hit counts of the design,
//! rules no observed flow hits (unused), and for a denied flow the narrowest allow rule that would let it
//! through ([`Impact::suggest`]).
//!
//! **API boundary**: compile once with [`Impact::new`], then [`Impact::run`] for each flow set (the app
//! re-runs it as the user edits; the CLI once). The JSON of [`ImpactReport`] is the `netpol impact`
//! contract of `cli.md`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::eval::{CompileError, Evaluator, Explanation, Flow, FlowVerdict, Verdict};
use crate::flows::{AggregatedFlow, FlowSet, Observed};
use crate::model::{Protocol, ResourceSet};

mod figures;
mod foreign;
mod hits;
mod policy_ref;
mod render;
mod resolve;
mod suggest;
mod table;

pub use figures::{ImpactFigures, PairChanges};
pub use foreign::{ForeignNamespace, ForeignNamespaces};
pub use hits::{PolicyHits, RuleHits};
pub use policy_ref::{policy_key_of, policy_of};
pub use render::{render_markdown, render_table};
pub use suggest::{SuggestOptions, Suggestion, suggestions_outcome};
pub use table::FlowQuery;

use hits::HitCounter;
pub(crate) use resolve::VOLATILE_LABELS;
use resolve::{Resolved, Resolver};

/// How a flow's verdict changes from before to after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Allowed before, denied after: the design breaks observed traffic.
    Broken,
    /// Denied before, allowed after.
    Widened,
    UnchangedAllow,
    UnchangedDeny,
    /// An end could not be mapped to the before or after resources.
    Unmatched,
    /// The before or after verdict depends on a fact the flow log does not give (a pod IP, container
    /// ports): counted apart, never as allowed or denied.
    Undecidable,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Broken => "broken",
            Change::Widened => "widened",
            Change::UnchangedAllow => "unchanged_allow",
            Change::UnchangedDeny => "unchanged_deny",
            Change::Unmatched => "unmatched",
            Change::Undecidable => "undecidable",
        }
    }
}

/// Counts of distinct flows by change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactSummary {
    pub broken: u64,
    pub widened: u64,
    pub unchanged_allow: u64,
    pub unchanged_deny: u64,
    pub unmatched: u64,
    /// Flows observed as denied (or partly denied) that the design would allow.
    pub observed_denied_allowed_after: u64,
    /// Flows whose observed verdict differs from what `before` gives: `before` may not be what ran.
    pub observed_differs_from_before: u64,
    /// Connections (flow-log counts) of the broken flows.
    pub broken_connections: u64,
    /// Flows whose before or after verdict depends on a fact the flow log does not give.
    #[serde(default)]
    pub undecidable: u64,
}

/// One distinct flow, before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowImpact {
    /// Index of the flow in the [`FlowSet`].
    #[serde(skip)]
    pub index: usize,
    pub src: String,
    pub dst: String,
    pub protocol: Protocol,
    pub port: Option<u16>,
    pub count: u64,
    pub observed: Observed,
    pub before: Option<Verdict>,
    pub after: Option<Verdict>,
    /// Verdicts with staged policies enforced too; `None` when no staged policy selects either end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_staged: Option<Verdict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_staged: Option<Verdict>,
    pub change: Change,
    /// `{"egress": decided_by, "ingress": decided_by}` as `netpol eval` writes them. Shared by every
    /// row evaluated the same way: a JSON map per row was most of a large report's memory.
    pub before_decided_by: Arc<Value>,
    pub after_decided_by: Arc<Value>,
    /// Why an end could not be mapped (then `before`/`after` may be null).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unmatched: Option<String>,
    /// What an undecidable verdict depends on (`after: the pod IP of shop/api`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
    /// The same for the verdicts with staged policies enforced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staged_missing: Option<String>,
    /// How an end the flow log left vague was evaluated (`pub`/`pvt` networks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Full walks (`--explain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_trace: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_trace: Option<Value>,
}

/// A rule of the design no observed flow hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusedRule {
    pub tier: String,
    pub policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub direction: crate::eval::Direction,
    pub rule: u32,
}

/// The import figures carried into the report (`import` in the JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportFigures {
    /// Flow records read, valid or not (`records - skipped - ignored` made the flows).
    pub records: u64,
    /// Records whose verdict, ends, protocol or port could not be read.
    pub skipped: u64,
    /// Lines that are not flow records (Hubble's event lines): not counted in `records`.
    pub events: u64,
    /// Records kept although their policy trace could not be read.
    pub unread_traces: u64,
    pub distinct: u64,
    /// Distinct flows with an end that could not be mapped.
    pub unmatched: u64,
    /// The format (comma-separated when files differ).
    pub format: String,
    /// Files whose gzip stream broke, each with where: their records before the break were read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub damaged: Vec<String>,
}

/// Everything `netpol impact` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImpactReport {
    pub import: ImportFigures,
    pub summary: ImpactSummary,
    pub flows: Vec<FlowImpact>,
    /// Every rule of the design (`after`) with its hits.
    pub rules: Vec<RuleHits>,
    pub unused: Vec<UnusedRule>,
    pub policies: Vec<PolicyHits>,
    /// Policies of either set that did not compile (left out of the evaluation).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub compile_errors: Vec<String>,
}

impl ImpactReport {
    /// Whether the report has what `--fail-on` asks about.
    pub fn has(&self, change: Change) -> bool {
        match change {
            Change::Broken => self.summary.broken > 0,
            Change::Widened => self.summary.widened > 0,
            Change::UnchangedAllow => self.summary.unchanged_allow > 0,
            Change::UnchangedDeny => self.summary.unchanged_deny > 0,
            Change::Unmatched => self.summary.unmatched > 0,
            Change::Undecidable => self.summary.undecidable > 0,
        }
    }
}

/// Options of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImpactOptions {
    /// Add the full walk of each side to every flow.
    pub explain: bool,
}

/// One policy set, compiled, with its resolver.
struct Side {
    ev: Evaluator,
    resolver: Resolver,
}

impl Side {
    fn new(resources: &ResourceSet) -> (Side, Vec<CompileError>) {
        // Only the endpoints the flows name are interned (by `map_endpoints`), not every workload.
        let (ev, errors) = Evaluator::build_policies(resources);
        (
            Side {
                ev,
                resolver: Resolver::new(resources),
            },
            errors,
        )
    }

    /// The evaluator endpoints of every flow-set endpoint (or why not).
    fn map_endpoints(
        &mut self,
        flows: &FlowSet,
    ) -> Vec<Result<(crate::eval::EndpointId, Resolved), String>> {
        flows
            .endpoints()
            .iter()
            .map(|ep| {
                let resolved = self.resolver.resolve(ep)?;
                Ok((self.ev.intern(resolved.endpoint()), resolved))
            })
            .collect()
    }
}

/// One evaluation of a (source, destination, protocol, port) key of one side, shared by every row
/// that maps to it.
struct Evaluated {
    flow: Flow,
    verdict: FlowVerdict,
    /// `{"egress": decided_by, "ingress": decided_by}` as `netpol eval` writes them.
    decided_by: Arc<Value>,
    /// Connections and rows (distinct flows) that map to this key: the weights of its rule hits.
    connections: u64,
    rows: u64,
}

/// The evaluations of one side during a run, by key.
#[derive(Default)]
struct SideCache {
    slots: rustc_hash::FxHashMap<Flow, usize>,
    entries: Vec<Evaluated>,
}

impl SideCache {
    /// The slot of the flow's evaluation, evaluating it the first time its key is seen; or why an
    /// end does not map to the side's resources.
    fn evaluate(
        &mut self,
        side: &Side,
        ids: &[Result<(crate::eval::EndpointId, Resolved), String>],
        flow: &AggregatedFlow,
    ) -> Result<usize, String> {
        let end = |id: crate::flows::EndpointId| {
            ids[id.0 as usize]
                .as_ref()
                .map(|(id, _)| *id)
                .map_err(Clone::clone)
        };
        let key = Flow {
            src: end(flow.src)?,
            dst: end(flow.dst)?,
            protocol: flow.protocol,
            port: flow.port,
        };
        let next = self.entries.len();
        let slot = *self.slots.entry(key).or_insert(next);
        if slot == next {
            let verdict = side.ev.evaluate(&key);
            self.entries.push(Evaluated {
                flow: key,
                verdict,
                decided_by: Arc::new(serde_json::json!({
                    "egress": side.ev.side_decided_by_json(&verdict.enforced.egress.decided_by, crate::eval::Direction::Egress),
                    "ingress": side.ev.side_decided_by_json(&verdict.enforced.ingress.decided_by, crate::eval::Direction::Ingress),
                })),
                connections: 0,
                rows: 0,
            });
        }
        Ok(slot)
    }

    /// Adds one row of `connections` to a key's weights.
    fn weigh(&mut self, slot: usize, connections: u64) {
        let e = &mut self.entries[slot];
        e.connections += connections;
        e.rows += 1;
    }
}

/// Before and after, compiled. See the module documentation.
pub struct Impact {
    before: Side,
    after: Side,
    errors: Vec<String>,
}

impl Impact {
    /// Compiles both policy sets. Policies that do not compile are left out and reported.
    pub fn new(before: &ResourceSet, after: &ResourceSet) -> Impact {
        let (before, be) = Side::new(before);
        let (after, ae) = Side::new(after);
        let errors = be
            .iter()
            .map(|e| format!("before: {e}"))
            .chain(ae.iter().map(|e| format!("after: {e}")))
            .collect();
        Impact {
            before,
            after,
            errors,
        }
    }

    /// Replays every distinct flow of `flows` against both sets. Rows whose ends resolve to the same
    /// design endpoints (the pods of one workload, say) share one evaluation per side: the walk, its
    /// `decided_by` and the rule hits are computed once per (source, destination, protocol, port).
    pub fn run(&mut self, flows: &FlowSet, options: ImpactOptions) -> ImpactReport {
        self.run_where(flows, options, |_| true)
    }

    /// [`Impact::run`] over the flows `keep` accepts only: the others are left out of the rows, the
    /// summary and the rule hits (a shell hiding the flows of namespaces the design lacks). The
    /// import figures still describe every flow read.
    pub fn run_where(
        &mut self,
        flows: &FlowSet,
        options: ImpactOptions,
        keep: impl Fn(&AggregatedFlow) -> bool,
    ) -> ImpactReport {
        let before_ids = self.before.map_endpoints(flows);
        let after_ids = self.after.map_endpoints(flows);
        let mut before_cache = SideCache::default();
        let mut after_cache = SideCache::default();
        let mut summary = ImpactSummary::default();
        let mut out = Vec::with_capacity(flows.flows().len());
        for (index, flow) in flows.flows().iter().enumerate() {
            if !keep(flow) {
                continue;
            }
            let count = flow.count();
            let before = before_cache.evaluate(&self.before, &before_ids, flow);
            let after = after_cache.evaluate(&self.after, &after_ids, flow);
            if let Ok(slot) = &after {
                after_cache.weigh(*slot, count);
            }
            let unmatched = match (&before, &after) {
                (Err(e), _) => Some(format!("before: {e}")),
                (_, Err(e)) => Some(format!("after: {e}")),
                _ => None,
            };
            let before = before.map(|slot| &before_cache.entries[slot]);
            let after = after.map(|slot| &after_cache.entries[slot]);
            let verdict =
                |r: &Result<&Evaluated, String>| r.as_ref().ok().map(|e| e.verdict.verdict());
            let staged = |r: &Result<&Evaluated, String>| {
                r.as_ref()
                    .ok()
                    .and_then(|e| e.verdict.staged)
                    .map(|s| s.verdict)
            };
            let (bv, av) = (verdict(&before), verdict(&after));
            let missing_of = |staged: bool| {
                let one = |label: &str, side: &Side, r: &Result<&Evaluated, String>| {
                    let e = r.as_ref().ok()?;
                    let u = &e.verdict.undecidable;
                    let m = if staged {
                        u.staged.verdict
                    } else {
                        u.enforced.verdict
                    };
                    m.any()
                        .then(|| format!("{label}: {}", side.ev.describe_missing(&e.flow, m)))
                };
                [
                    one("before", &self.before, &before),
                    one("after", &self.after, &after),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<String>>()
            };
            let missing = missing_of(false);
            let staged_missing = missing_of(true);
            let change = match (bv, av) {
                _ if !missing.is_empty() => Change::Undecidable,
                (Some(Verdict::Allow), Some(Verdict::Deny)) => Change::Broken,
                (Some(Verdict::Deny), Some(Verdict::Allow)) => Change::Widened,
                (Some(Verdict::Allow), Some(Verdict::Allow)) => Change::UnchangedAllow,
                (Some(Verdict::Deny), Some(Verdict::Deny)) => Change::UnchangedDeny,
                _ => Change::Unmatched,
            };
            match change {
                Change::Broken => {
                    summary.broken += 1;
                    summary.broken_connections += count;
                }
                Change::Widened => summary.widened += 1,
                Change::UnchangedAllow => summary.unchanged_allow += 1,
                Change::UnchangedDeny => summary.unchanged_deny += 1,
                Change::Unmatched => summary.unmatched += 1,
                Change::Undecidable => summary.undecidable += 1,
            }
            let observed = flow.observed();
            if observed != Observed::Allow && av == Some(Verdict::Allow) {
                summary.observed_denied_allowed_after += 1;
            }
            let observed_verdict = match observed {
                Observed::Allow => Some(Verdict::Allow),
                Observed::Deny => Some(Verdict::Deny),
                Observed::Mixed => None,
            };
            if observed_verdict.is_some() && bv.is_some() && observed_verdict != bv {
                summary.observed_differs_from_before += 1;
            }
            let decided = |r: &Result<&Evaluated, String>| match r {
                Ok(e) => Arc::clone(&e.decided_by),
                Err(_) => Arc::new(Value::Null),
            };
            let trace = |side: &Side, r: &Result<&Evaluated, String>| match r {
                Ok(e) if options.explain => Some(side.ev.explain(&e.flow).to_json()),
                _ => None,
            };
            let note = [("source", flow.src), ("destination", flow.dst)]
                .into_iter()
                .filter_map(|(end, id)| {
                    let resolved = after_ids[id.0 as usize].as_ref().ok()?;
                    resolved.1.note().map(|n| format!("{end}: {n}"))
                })
                .collect::<Vec<_>>();
            out.push(FlowImpact {
                index,
                src: flows.endpoint(flow.src).display_name(),
                dst: flows.endpoint(flow.dst).display_name(),
                protocol: flow.protocol,
                port: flow.port,
                count,
                observed,
                before: bv,
                after: av,
                before_staged: staged(&before),
                after_staged: staged(&after),
                change,
                before_decided_by: decided(&before),
                after_decided_by: decided(&after),
                unmatched,
                missing: (!missing.is_empty()).then(|| missing.join("; ")),
                staged_missing: (!staged_missing.is_empty()).then(|| staged_missing.join("; ")),
                note: (!note.is_empty()).then(|| note.join("; ")),
                before_trace: trace(&self.before, &before),
                after_trace: trace(&self.after, &after),
            });
        }
        let mut hits = HitCounter::default();
        for e in &after_cache.entries {
            hits.count(&self.after.ev, &e.flow, e.connections, e.rows);
        }
        let (rules, policies) = hits.report(&self.after.ev);
        let unused = rules
            .iter()
            .filter(|r| r.hits == 0)
            .map(|r| UnusedRule {
                tier: r.tier.clone(),
                policy: r.policy.clone(),
                namespace: r.namespace.clone(),
                direction: r.direction,
                rule: r.rule,
            })
            .collect();
        let s = flows.summary();
        let mut formats: Vec<&str> = s.formats.iter().map(|f| f.as_str()).collect();
        formats.dedup();
        ImpactReport {
            import: ImportFigures {
                records: s.records,
                skipped: s.skipped,
                events: s.events,
                unread_traces: s.unread_traces,
                distinct: flows.flows().len() as u64,
                unmatched: summary.unmatched,
                format: formats.join(","),
                damaged: s.damaged.clone(),
            },
            summary,
            flows: out,
            rules,
            unused,
            policies,
            compile_errors: self.errors.clone(),
        }
    }

    /// Both walks of one flow of the set (`None` for a side where an end is unmatched).
    pub fn explain(
        &mut self,
        flows: &FlowSet,
        index: usize,
    ) -> (Option<Explanation>, Option<Explanation>) {
        let Some(flow) = flows.flows().get(index) else {
            return (None, None);
        };
        let one = |side: &mut Side| {
            let src = side.resolver.resolve(flows.endpoint(flow.src)).ok()?;
            let dst = side.resolver.resolve(flows.endpoint(flow.dst)).ok()?;
            let f = Flow {
                src: side.ev.intern(src.endpoint()),
                dst: side.ev.intern(dst.endpoint()),
                protocol: flow.protocol,
                port: flow.port,
            };
            Some(side.ev.explain(&f))
        };
        (one(&mut self.before), one(&mut self.after))
    }

    /// For a flow the design denies: the narrowest allow rule, one per denying side, in
    /// `options.tier`. Each suggestion says whether, added to the design, it lets the flow through.
    pub fn suggest(
        &mut self,
        flows: &FlowSet,
        index: usize,
        options: &SuggestOptions,
    ) -> Result<Vec<Suggestion>, String> {
        suggest::suggest(
            &mut self.after.ev,
            &self.after.resolver,
            flows,
            index,
            options,
        )
    }

    /// The suggestions for every broken flow of `report` (a run over `flows`), each distinct policy
    /// once: flows of the same workloads that differ only in details give the same policy.
    pub fn suggest_all(
        &mut self,
        flows: &FlowSet,
        report: &ImpactReport,
        options: &SuggestOptions,
    ) -> Vec<Suggestion> {
        let mut all: Vec<Suggestion> = Vec::new();
        for flow in report.flows.iter().filter(|f| f.change == Change::Broken) {
            let Ok(suggestions) = self.suggest(flows, flow.index, options) else {
                continue;
            };
            for suggestion in suggestions {
                if !all.iter().any(|known| known.policy == suggestion.policy) {
                    all.push(suggestion);
                }
            }
        }
        all
    }
}

/// Compiles both sets and runs once: the CLI's path.
pub fn impact(
    before: &ResourceSet,
    after: &ResourceSet,
    flows: &FlowSet,
    options: ImpactOptions,
) -> ImpactReport {
    Impact::new(before, after).run(flows, options)
}
