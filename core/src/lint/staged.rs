//! `staged-denies-allowed-flows`: with observed flows loaded, a staged policy that would deny flows the
//! enforced policies allow today (`calico-semantics.md` §7). Each such flow is replayed with the
//! evaluator (through [`crate::impact`]); the staged walk that denies it names the staged policy — the
//! one whose `Deny` rule matched, or the staged policies of a tier whose end-of-tier deny applied.

use std::collections::BTreeMap;

use crate::eval::{SideTrace, TierOutcome, Verdict};
use crate::flows::FlowSet;
use crate::impact::{Impact, ImpactOptions};
use crate::model::{Action, ResourceSet};

use super::context::finding;
use super::{Finding, LintConfig, ResourceRef, SuggestedFix, finish, ids};

/// A staged policy by `(kind, namespace, name)`.
type PolicyKey = (String, Option<String>, String);

/// Per staged policy: distinct flows, connections, and up to three examples.
type Blame = (u64, u64, Vec<String>);

/// The staged policies responsible for a staged side's deny: `(kind, namespace, name)`.
fn culprits(side: &SideTrace) -> Vec<PolicyKey> {
    let name = |p: &crate::eval::PolicyStep| {
        let bare = p.policy.strip_prefix("staged:").unwrap_or(&p.policy);
        let kind = match p.kind {
            "StagedKubernetesNetworkPolicy" => "StagedKubernetesNetworkPolicy".to_owned(),
            other => other.to_owned(),
        };
        let bare = bare
            .strip_prefix("knp.default.")
            .filter(|_| kind == "StagedKubernetesNetworkPolicy")
            .unwrap_or(bare);
        (kind, p.namespace.clone(), bare.to_owned())
    };
    let is_staged = |p: &&crate::eval::PolicyStep| p.kind.starts_with("Staged");
    for tier in &side.tiers {
        match tier.outcome {
            TierOutcome::Decided => {
                let deny = tier
                    .policies
                    .iter()
                    .find(|p| p.matched.as_ref().is_some_and(|m| m.action == Action::Deny));
                return deny.filter(is_staged).map(name).into_iter().collect();
            }
            TierOutcome::EndOfTier => {
                return tier.policies.iter().filter(is_staged).map(name).collect();
            }
            TierOutcome::Pass | TierOutcome::DefaultPass => {}
        }
    }
    Vec::new()
}

/// Lints observed flows against the staged policies of `resources`.
pub fn lint_flows(resources: &ResourceSet, flows: &FlowSet, config: &LintConfig) -> Vec<Finding> {
    if !config.is_enabled(ids::STAGED_DENIES_ALLOWED_FLOWS)
        || !resources.policies.iter().any(|p| p.kind.is_staged())
            && !resources.kubernetes_policies.iter().any(|k| k.staged)
    {
        return Vec::new();
    }
    let mut impact = Impact::new(resources, resources);
    let report = impact.run(flows, ImpactOptions::default());
    // (kind, namespace, name) -> (distinct flows, connections, examples)
    let mut by_policy: BTreeMap<PolicyKey, Blame> = BTreeMap::new();
    for f in &report.flows {
        // A flow whose verdict depends on a fact the log does not give is not counted on a guess.
        if f.missing.is_some()
            || f.staged_missing.is_some()
            || f.after != Some(Verdict::Allow)
            || f.after_staged != Some(Verdict::Deny)
        {
            continue;
        }
        let (_, after) = impact.explain(flows, f.index);
        let Some(sides) = after.and_then(|e| e.staged_sides) else {
            continue;
        };
        let mut blamed: Vec<PolicyKey> = sides
            .iter()
            .filter(|s| s.verdict == Verdict::Deny)
            .flat_map(culprits)
            .collect();
        blamed.sort();
        blamed.dedup();
        let port = f.port.map(|p| format!("/{p}")).unwrap_or_default();
        let example = format!("{} → {} {}{port}", f.src, f.dst, f.protocol);
        for key in blamed {
            let entry = by_policy.entry(key).or_default();
            entry.0 += 1;
            entry.1 += f.count;
            if entry.2.len() < 3 {
                entry.2.push(example.clone());
            }
        }
    }
    let findings = by_policy
        .into_iter()
        .map(|((kind, namespace, name), (distinct, connections, examples))| {
            let shown = match &namespace {
                Some(ns) => format!("{ns}/{name}"),
                None => name.clone(),
            };
            finding(
                ids::STAGED_DENIES_ALLOWED_FLOWS,
                ResourceRef { kind, namespace, name },
                None,
                format!(
                    "staged policy `{shown}` would deny {distinct} observed flow(s) ({connections} connection(s)) that are allowed today, e.g. {}",
                    examples.join(", ")
                ),
                SuggestedFix::text(
                    "allow these flows before enforcing it (`netpol impact` suggests the narrowest rules), or confirm they should stop",
                ),
            )
        })
        .collect();
    finish(config, findings)
}
