//! The impact's answers as every shell shows them: the figures of a report, the changes per namespace
//! pair, why ends were unmatched, and their wording. Computed and worded here once, so that the CLI's
//! table, the pull-request summary and the app's Impact and Export views cannot tell two stories.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Change, FlowImpact, ImpactReport, ImpactSummary, UnusedRule};
use crate::flows::FlowSet;

/// How many broken or widened flows the figures describe by name.
const EXAMPLES: usize = 10;

/// What a namespace pair is called when an end is outside the cluster (no namespace).
const OUTSIDE: &str = "(outside)";

/// Impact figures from replaying observed flows against the old and new versions: what the
/// pull-request summary shows (`impact` in `netpol diff --format json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactFigures {
    /// Observed flows allowed before and denied after.
    pub broken: usize,
    /// Observed flows denied before and allowed after.
    pub widened: usize,
    pub unchanged_allow: usize,
    pub unchanged_deny: usize,
    /// A few broken or widened flows, described, for the reviewer.
    pub examples: Vec<String>,
    /// Rules of the new version that no observed flow hit, described.
    pub unused_rules: Vec<String>,
}

impl From<&ImpactReport> for ImpactFigures {
    fn from(report: &ImpactReport) -> ImpactFigures {
        let examples = report
            .flows
            .iter()
            .filter(|f| matches!(f.change, Change::Broken | Change::Widened))
            .take(EXAMPLES)
            .map(FlowImpact::describe)
            .collect();
        let count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        ImpactFigures {
            broken: count(report.summary.broken),
            widened: count(report.summary.widened),
            unchanged_allow: count(report.summary.unchanged_allow),
            unchanged_deny: count(report.summary.unchanged_deny),
            examples,
            unused_rules: report.unused.iter().map(UnusedRule::describe).collect(),
        }
    }
}

impl ImpactSummary {
    /// Flows whose verdict does not change, allowed or denied.
    pub fn unchanged(&self) -> u64 {
        self.unchanged_allow + self.unchanged_deny
    }

    /// `2 broken, 1 widened, 10 unchanged allow, 4 unchanged deny, 0 unmatched` (and `, 3
    /// undecidable` when a verdict depends on a fact the flow log does not give).
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} broken, {} widened, {} unchanged allow, {} unchanged deny, {} unmatched",
            self.broken, self.widened, self.unchanged_allow, self.unchanged_deny, self.unmatched
        );
        if self.undecidable > 0 {
            line.push_str(&format!(", {} undecidable", self.undecidable));
        }
        line
    }

    /// The unchanged flows split by verdict: `10 allowed, 4 denied`.
    pub fn unchanged_line(&self) -> String {
        format!(
            "{} allowed, {} denied",
            self.unchanged_allow, self.unchanged_deny
        )
    }

    /// The connections of the broken flows: `1 connection`, `12 connections`.
    pub fn broken_connections_line(&self) -> String {
        connections(self.broken_connections)
    }
}

/// Broken and widened flows between one pair of namespaces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairChanges {
    /// The source's namespace, `(outside)` for an end outside the cluster.
    pub src: String,
    pub dst: String,
    pub broken: u64,
    pub widened: u64,
}

impl PairChanges {
    /// Broken and widened flows together.
    pub fn changed(&self) -> u64 {
        self.broken + self.widened
    }

    /// `checkout → payments`.
    pub fn label(&self) -> String {
        format!("{} → {}", self.src, self.dst)
    }

    /// `3 broken, 1 widened`.
    pub fn line(&self) -> String {
        format!("{} broken, {} widened", self.broken, self.widened)
    }
}

impl ImpactReport {
    /// Broken and widened flows per (source namespace, destination namespace), most changes first
    /// (pairs with as many changes in namespace order). `flows` is the set the report was run on.
    pub fn by_namespace_pair(&self, flows: &FlowSet) -> Vec<PairChanges> {
        let mut pairs: BTreeMap<(&str, &str), PairChanges> = BTreeMap::new();
        for flow in &self.flows {
            if !matches!(flow.change, Change::Broken | Change::Widened) {
                continue;
            }
            let Some(observed) = flows.flows().get(flow.index) else {
                continue;
            };
            let namespace = |id| {
                flows
                    .endpoint(id)
                    .namespace
                    .as_deref()
                    .filter(|ns| !ns.is_empty())
                    .unwrap_or(OUTSIDE)
            };
            let (src, dst) = (namespace(observed.src), namespace(observed.dst));
            let pair = pairs.entry((src, dst)).or_insert_with(|| PairChanges {
                src: src.to_owned(),
                dst: dst.to_owned(),
                ..PairChanges::default()
            });
            if flow.change == Change::Broken {
                pair.broken += 1;
            } else {
                pair.widened += 1;
            }
        }
        let mut pairs: Vec<PairChanges> = pairs.into_values().collect();
        // Stable: equal totals keep the namespace order.
        pairs.sort_by_key(|p| std::cmp::Reverse(p.changed()));
        pairs
    }

    /// Why ends could not be mapped, with how many flows each reason covers, most frequent first.
    pub fn unmatched_reasons(&self) -> Vec<(String, u64)> {
        let mut reasons: BTreeMap<&str, u64> = BTreeMap::new();
        for reason in self.flows.iter().filter_map(|f| f.unmatched.as_deref()) {
            *reasons.entry(reason).or_default() += 1;
        }
        let mut reasons: Vec<(String, u64)> = reasons
            .into_iter()
            .map(|(reason, flows)| (reason.to_owned(), flows))
            .collect();
        reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
        reasons
    }
}

impl FlowImpact {
    /// `broken: `a` → `b` TCP/5432 (3 connections)`.
    pub fn describe(&self) -> String {
        let port = self.port.map(|p| format!("/{p}")).unwrap_or_default();
        format!(
            "{}: `{}` → `{}` {}{port} ({})",
            self.change.as_str(),
            self.src,
            self.dst,
            self.protocol,
            connections(self.count)
        )
    }
}

impl UnusedRule {
    /// `payments-db/application.postgres-ingress` ingress rule 1, the namespace left out for a
    /// global policy.
    pub fn describe(&self) -> String {
        let ns = self
            .namespace
            .as_deref()
            .map(|n| format!("{n}/"))
            .unwrap_or_default();
        format!(
            "`{ns}{}.{}` {} rule {}",
            self.tier,
            self.policy,
            self.direction.as_str(),
            self.rule
        )
    }
}

fn connections(n: u64) -> String {
    if n == 1 {
        "1 connection".to_owned()
    } else {
        format!("{n} connections")
    }
}
