//! Per-rule hit counts: every rule that matched and acted (Allow, Deny, Pass or Log) during the walks
//! of the observed flows, weighted by connections; rules never hit are "unused".

use std::collections::HashMap;

use serde::Serialize;

use crate::eval::{Direction, Evaluator, Flow, PolicyId, Recorder};
use crate::model::Action;

/// Records the rules a walk hits.
#[derive(Default)]
pub(crate) struct HitRecorder {
    current: Option<PolicyId>,
    pub hits: Vec<(PolicyId, u32)>,
}

impl Recorder for HitRecorder {
    fn policy(&mut self, policy: PolicyId) {
        self.current = Some(policy);
    }

    fn rule(&mut self, index: u32, _action: Action) {
        if let Some(p) = self.current {
            self.hits.push((p, index));
        }
    }
}

/// One rule of the design and how often observed traffic hit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleHits {
    pub tier: String,
    /// The name as Calico shows it (`knp.default.…`, `staged:…`).
    pub policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub direction: Direction,
    pub rule: u32,
    pub action: &'static str,
    /// Connections (flow-log counts) that hit the rule.
    pub hits: u64,
    /// Distinct flows that hit the rule.
    pub flows: u64,
}

/// A policy of the design and the traffic its rules decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyHits {
    pub tier: String,
    pub policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub hits: u64,
    pub flows: u64,
}

/// Counts for one evaluator.
#[derive(Debug, Default)]
pub(crate) struct HitCounter {
    counts: HashMap<(PolicyId, Direction, u32), (u64, u64)>,
}

impl HitCounter {
    /// Walks one flow (enforced, and staged policies in staged mode) and counts its hits: `weight`
    /// connections over `rows` distinct flows that share this evaluation.
    pub fn count(&mut self, ev: &Evaluator, flow: &Flow, weight: u64, rows: u64) {
        let (mut eg, mut ing) = (HitRecorder::default(), HitRecorder::default());
        let verdict = ev.evaluate_with(flow, &mut eg, &mut ing);
        self.add(eg.hits, Direction::Egress, (weight, rows), |_| true);
        self.add(ing.hits, Direction::Ingress, (weight, rows), |_| true);
        if verdict.staged.is_some() {
            let (mut eg, mut ing) = (HitRecorder::default(), HitRecorder::default());
            ev.staged_with(flow, &mut eg, &mut ing);
            // Enforced policies were counted by the enforced walk already.
            let staged = |p: PolicyId| ev.policy_key(p).is_some_and(|k| k.kind.is_staged());
            self.add(eg.hits, Direction::Egress, (weight, rows), staged);
            self.add(ing.hits, Direction::Ingress, (weight, rows), staged);
        }
    }

    fn add(
        &mut self,
        hits: Vec<(PolicyId, u32)>,
        direction: Direction,
        (weight, rows): (u64, u64),
        keep: impl Fn(PolicyId) -> bool,
    ) {
        let mut seen: Vec<(PolicyId, u32)> = Vec::with_capacity(hits.len());
        for (policy, rule) in hits {
            if !keep(policy) || seen.contains(&(policy, rule)) {
                continue;
            }
            seen.push((policy, rule));
            let entry = self.counts.entry((policy, direction, rule)).or_default();
            entry.0 += weight;
            entry.1 += rows;
        }
    }

    /// Every rule of the evaluator with its counts, in policy order; and the policies.
    pub fn report(&self, ev: &Evaluator) -> (Vec<RuleHits>, Vec<PolicyHits>) {
        let mut rules = Vec::new();
        let mut policies = Vec::new();
        for id in ev.policy_ids() {
            let Some(key) = ev.policy_key(id) else {
                continue;
            };
            let tier = ev.policy_tier(id).unwrap_or_default().to_owned();
            let mut policy = PolicyHits {
                tier: tier.clone(),
                policy: key.display_name(),
                namespace: key.namespace.clone(),
                hits: 0,
                flows: 0,
            };
            for direction in [Direction::Ingress, Direction::Egress] {
                for rule in 0..ev.rule_count(id, direction) as u32 {
                    let (hits, flows) = self
                        .counts
                        .get(&(id, direction, rule))
                        .copied()
                        .unwrap_or_default();
                    policy.hits += hits;
                    policy.flows += flows;
                    rules.push(RuleHits {
                        tier: tier.clone(),
                        policy: key.display_name(),
                        namespace: key.namespace.clone(),
                        direction,
                        rule,
                        action: ev
                            .policy(id)
                            .and_then(|p| p.rules(direction))
                            .and_then(|r| r.get(rule as usize))
                            .map_or("?", |r| r.action.as_str()),
                        hits,
                        flows,
                    });
                }
            }
            policies.push(policy);
        }
        (rules, policies)
    }
}
