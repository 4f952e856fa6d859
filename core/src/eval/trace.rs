//! Explanations: for each side, every tier visited and every policy that selected the endpoint, with
//! the rule that matched (or none), how the tier ended and what decided. JSON (the `eval --explain`
//! and `eval` output shapes of `cli.md`) and human text.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Value, json};

use super::walk::Recorder;
use super::{
    DecidedBy, Direction, Endpoint, Evaluator, Flow, FlowVerdict, PolicyId, SideVerdict, Sides,
    Verdict,
};
use crate::model::{Action, TierDefaultAction};

/// How a tier visited by a walk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TierOutcome {
    /// An Allow or Deny rule decided.
    Decided,
    /// A Pass rule sent evaluation to the next tier.
    Pass,
    /// No rule decided and the tier's default action is Deny.
    EndOfTier,
    /// No rule decided and the tier's default action is Pass.
    DefaultPass,
}

/// The rule of a policy that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleStep {
    pub rule: u32,
    pub action: Action,
    /// The name of the rule it was converted from (ClusterNetworkPolicy and the v1alpha1 kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One policy that selected the endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyStep {
    /// The name as Calico shows it.
    pub policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub kind: &'static str,
    /// Log rules that matched (evaluation continued after them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logged: Vec<u32>,
    /// The deciding rule (Allow, Deny or Pass); `None` = no rule matched (JSON: `"no-match"`).
    #[serde(rename = "match", serialize_with = "match_or_no_match")]
    pub matched: Option<RuleStep>,
}

fn match_or_no_match<S: serde::Serializer>(
    matched: &Option<RuleStep>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match matched {
        Some(step) => step.serialize(s),
        None => s.serialize_str("no-match"),
    }
}

/// One tier visited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierStep {
    pub tier: String,
    pub policies: Vec<PolicyStep>,
    pub outcome: TierOutcome,
}

/// One side of a flow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SideTrace {
    pub direction: Direction,
    /// `namespace/name`, or the address.
    pub endpoint: String,
    pub verdict: Verdict,
    /// The verdict depends on this fact, which the input does not give: it is undecidable, and
    /// `verdict` is only the answer for the pod range as a whole and no named port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
    pub decided_by: Value,
    pub tiers: Vec<TierStep>,
}

/// A flow's verdicts with the walks that produced them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub verdict: Verdict,
    pub staged: Option<Verdict>,
    /// The enforced verdict depends on this missing fact (see [`SideTrace::missing`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
    /// The staged verdict depends on this missing fact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staged_missing: Option<String>,
    pub egress: SideTrace,
    pub ingress: SideTrace,
    /// The walks with staged policies included, when one selects either end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staged_sides: Option<[SideTrace; 2]>,
}

/// A policy visited: id, Log rules hit, deciding rule.
type PolicyVisit = (PolicyId, Vec<u32>, Option<RuleStep>);

#[derive(Default)]
struct TraceRecorder {
    tiers: Vec<(usize, Vec<PolicyVisit>, Option<TierOutcome>)>,
}

impl Recorder for TraceRecorder {
    fn tier(&mut self, tier: usize) {
        self.tiers.push((tier, Vec::new(), None));
    }

    fn policy(&mut self, policy: PolicyId) {
        if let Some(t) = self.tiers.last_mut() {
            t.1.push((policy, Vec::new(), None));
        }
    }

    fn rule(&mut self, index: u32, action: Action) {
        let Some(t) = self.tiers.last_mut() else {
            return;
        };
        let Some(p) = t.1.last_mut() else { return };
        if action == Action::Log {
            p.1.push(index);
        } else {
            p.2 = Some(RuleStep {
                rule: index,
                action,
                name: None,
            });
            t.2 = Some(if action == Action::Pass {
                TierOutcome::Pass
            } else {
                TierOutcome::Decided
            });
        }
    }

    fn tier_end(&mut self, passed: bool, default_action: TierDefaultAction) {
        if let Some(t) = self.tiers.last_mut()
            && !passed
        {
            t.2 = Some(match default_action {
                TierDefaultAction::Deny => TierOutcome::EndOfTier,
                TierDefaultAction::Pass => TierOutcome::DefaultPass,
            });
        }
    }
}

impl Evaluator {
    /// The verdicts of a flow with the full walk of each side.
    pub fn explain(&self, flow: &Flow) -> Explanation {
        let (mut eg, mut ing) = (TraceRecorder::default(), TraceRecorder::default());
        // The walk that gives `evaluate`'s answer (a world's, when a missing pod IP made the flow's
        // own walk no possible answer), labelled with the flow's own ends.
        let walked = self.decisive_flow(flow);
        let verdict = self.evaluate_with(&walked, &mut eg, &mut ing);
        let (mut seg, mut sing) = (TraceRecorder::default(), TraceRecorder::default());
        let staged = self.staged_with(&walked, &mut seg, &mut sing);
        let src = self.endpoint_label(flow.src);
        let dst = self.endpoint_label(flow.dst);
        let undecidable = self.evaluate(flow).undecidable;
        let missing = |m: super::Missing| m.any().then(|| self.describe_missing(flow, m));
        let side =
            |rec: TraceRecorder, direction, endpoint: &str, v: &SideVerdict, m: super::Missing| {
                SideTrace {
                    direction,
                    endpoint: endpoint.to_owned(),
                    verdict: v.verdict,
                    missing: missing(m),
                    decided_by: self.side_decided_by_json(&v.decided_by, direction),
                    tiers: self.tier_steps(rec, direction),
                }
            };
        let (u, us) = (undecidable.enforced, undecidable.staged);
        Explanation {
            verdict: verdict.enforced.verdict,
            staged: verdict.staged.map(|s| s.verdict),
            missing: missing(u.verdict),
            staged_missing: verdict.staged.and_then(|_| missing(us.verdict)),
            egress: side(
                eg,
                Direction::Egress,
                &src,
                &verdict.enforced.egress,
                u.egress,
            ),
            ingress: side(
                ing,
                Direction::Ingress,
                &dst,
                &verdict.enforced.ingress,
                u.ingress,
            ),
            staged_sides: staged.map(|s: Sides| {
                [
                    side(seg, Direction::Egress, &src, &s.egress, us.egress),
                    side(sing, Direction::Ingress, &dst, &s.ingress, us.ingress),
                ]
            }),
        }
    }

    fn tier_steps(&self, rec: TraceRecorder, direction: Direction) -> Vec<TierStep> {
        rec.tiers
            .into_iter()
            .map(|(tier, policies, outcome)| TierStep {
                tier: self
                    .tier_info(tier)
                    .map(|t| t.name.clone())
                    .unwrap_or_default(),
                policies: policies
                    .into_iter()
                    .map(|(pid, logged, matched)| {
                        let key = self.policy_key(pid);
                        let matched = matched.map(|m| RuleStep {
                            name: self.rule_name(pid, direction, m.rule).map(str::to_owned),
                            ..m
                        });
                        PolicyStep {
                            policy: key.map(|k| k.display_name()).unwrap_or_default(),
                            namespace: key.and_then(|k| k.namespace.clone()),
                            kind: key.map_or("", |k| k.kind.as_str()),
                            logged,
                            matched,
                        }
                    })
                    .collect(),
                outcome: outcome.unwrap_or(TierOutcome::Decided),
            })
            .collect()
    }

    /// `namespace/name` of a workload, or the address of an outside endpoint.
    pub fn endpoint_label(&self, id: super::EndpointId) -> String {
        match self.endpoint(id) {
            Some(Endpoint::Workload(w)) => w.display_name(),
            Some(Endpoint::Outside(net)) if net.prefix_len() == net.max_prefix_len() => {
                net.addr().to_string()
            }
            Some(Endpoint::Outside(net)) => net.to_string(),
            None => String::new(),
        }
    }

    /// `decided_by` of one side as `cli.md` writes it, with the source rule's `rule_name` for rules
    /// converted from a ClusterNetworkPolicy (or an AdminNetworkPolicy) rule that has a name.
    pub fn side_decided_by_json(&self, d: &DecidedBy, direction: Direction) -> Value {
        let mut v = self.decided_by_json(d);
        if let DecidedBy::Rule { policy, rule, .. } = d
            && let Some(name) = self.rule_name(*policy, direction, *rule)
            && let Some(obj) = v.as_object_mut()
        {
            obj.insert("rule_name".into(), json!(name));
        }
        v
    }

    /// One side's `decided_by` for people: `rule 0 "from-dev" (Deny) of kcnp:deny-cross-env in tier
    /// kube-admin`, `end of tier default`, `profile`, `outside the cluster`.
    pub fn describe_side(&self, d: &DecidedBy, direction: Direction) -> String {
        describe(&self.side_decided_by_json(d, direction))
    }

    /// `decided_by` as `cli.md` writes it.
    pub fn decided_by_json(&self, d: &DecidedBy) -> Value {
        match d {
            DecidedBy::Rule {
                policy,
                rule,
                action,
            } => {
                let key = self.policy_key(*policy);
                let mut v = json!({
                    "kind": "rule",
                    "tier": self.policy_tier(*policy).unwrap_or_default(),
                    "policy": key.map(|k| k.display_name()).unwrap_or_default(),
                    "rule": rule,
                    "action": action.as_str(),
                });
                if let (Some(ns), Some(obj)) =
                    (key.and_then(|k| k.namespace.as_ref()), v.as_object_mut())
                {
                    obj.insert("namespace".into(), json!(ns));
                }
                v
            }
            DecidedBy::EndOfTier { tier } => {
                json!({"kind": "end-of-tier", "tier": self.tier_name(*tier).unwrap_or_default()})
            }
            DecidedBy::Profile => json!({"kind": "profile"}),
            DecidedBy::None => json!({"kind": "none"}),
        }
    }

    /// One output line of `netpol eval`: verdict, staged verdict, and each side's `decided_by`. A
    /// verdict that depends on a missing fact reads `undecidable`, with `missing` naming the fact.
    pub fn verdict_json(&self, flow: &Flow, v: &FlowVerdict) -> Value {
        let u = v.undecidable;
        let missing = |m: super::Missing| m.any().then(|| self.describe_missing(flow, m));
        let side = |s: &SideVerdict, direction, m: super::Missing| {
            let mut side = json!({
                "verdict": verdict_word(s.verdict, m),
                "decided_by": self.side_decided_by_json(&s.decided_by, direction),
            });
            if let (Some(text), Some(obj)) = (missing(m), side.as_object_mut()) {
                obj.insert("missing".into(), Value::String(text));
            }
            side
        };
        let mut line = json!({
            "verdict": verdict_word(v.enforced.verdict, u.enforced.verdict),
            "staged": v.staged.map(|s| verdict_word(s.verdict, u.staged.verdict)),
            "egress": side(&v.enforced.egress, Direction::Egress, u.enforced.egress),
            "ingress": side(&v.enforced.ingress, Direction::Ingress, u.enforced.ingress),
        });
        if let (Some(text), Some(obj)) = (missing(u.enforced.verdict), line.as_object_mut()) {
            obj.insert("missing".into(), Value::String(text));
        }
        line
    }
}

/// `allow`, `deny`, or `undecidable` when the verdict depends on a missing fact.
fn verdict_word(verdict: Verdict, missing: super::Missing) -> &'static str {
    if missing.any() {
        "undecidable"
    } else {
        verdict.as_str()
    }
}

/// `allow`, `deny`, or `undecidable` for a verdict an explanation marks as depending on `missing`.
fn explained_word(verdict: Verdict, missing: &Option<String>) -> &'static str {
    if missing.is_some() {
        "undecidable"
    } else {
        verdict.as_str()
    }
}

impl Explanation {
    /// `netpol eval --explain`: the verdict line with a `trace` per side.
    pub fn to_json(&self) -> Value {
        let side = |s: &SideTrace| {
            let mut v = json!({"verdict": explained_word(s.verdict, &s.missing), "decided_by": s.decided_by, "trace": s.tiers});
            if let (Some(text), Some(obj)) = (&s.missing, v.as_object_mut()) {
                obj.insert("missing".into(), Value::String(text.clone()));
            }
            v
        };
        let mut v = json!({
            "verdict": explained_word(self.verdict, &self.missing),
            "staged": self.staged.map(|s| explained_word(s, &self.staged_missing)),
            "egress": side(&self.egress),
            "ingress": side(&self.ingress),
        });
        if let (Some(text), Some(obj)) = (&self.missing, v.as_object_mut()) {
            obj.insert("missing".into(), Value::String(text.clone()));
        }
        if let (Some([eg, ing]), Some(obj)) = (&self.staged_sides, v.as_object_mut()) {
            obj.insert(
                "staged_trace".into(),
                json!({"egress": side(eg), "ingress": side(ing)}),
            );
        }
        v
    }

    /// For people: each side, tier by tier, policy by policy.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let staged = self
            .staged
            .map(|s| {
                format!(
                    " (with staged policies: {})",
                    explained_word(s, &self.staged_missing)
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "verdict: {}{staged}",
            explained_word(self.verdict, &self.missing)
        );
        if let Some(missing) = &self.missing {
            let _ = writeln!(out, "depends on {missing}, which the input does not give");
        }
        for side in [&self.egress, &self.ingress] {
            write_side(&mut out, side);
        }
        if let Some(sides) = &self.staged_sides {
            let _ = writeln!(out, "\nwith staged policies:");
            for side in sides {
                write_side(&mut out, side);
            }
        }
        out
    }
}

fn write_side(out: &mut String, side: &SideTrace) {
    let _ = writeln!(
        out,
        "\n{} of {}: {} ({})",
        side.direction.as_str(),
        side.endpoint,
        explained_word(side.verdict, &side.missing),
        describe(&side.decided_by)
    );
    if let Some(missing) = &side.missing {
        let _ = writeln!(
            out,
            "  undecidable: depends on {missing}; with the pod range as a whole and no named port: {} ({})",
            side.verdict,
            describe(&side.decided_by)
        );
    }
    if side.decided_by.get("kind").and_then(Value::as_str) == Some("none") {
        let _ = writeln!(out, "  outside the cluster: no policy of its own");
        return;
    }
    if side.tiers.is_empty() {
        let _ = writeln!(out, "  no policy selects it: the namespace profile allows");
    }
    for tier in &side.tiers {
        let _ = writeln!(out, "  tier {}", tier.tier);
        for p in &tier.policies {
            let name = match &p.namespace {
                Some(ns) => format!("{ns}/{}", p.policy),
                None => p.policy.clone(),
            };
            let logged = if p.logged.is_empty() {
                String::new()
            } else {
                format!(" (logged by rules {:?})", p.logged)
            };
            let rule_name = |m: &RuleStep| {
                m.name
                    .as_ref()
                    .map(|n| format!(" \"{n}\""))
                    .unwrap_or_default()
            };
            match &p.matched {
                Some(m) => {
                    let _ = writeln!(
                        out,
                        "    {name}: rule {}{} {}{logged}",
                        m.rule,
                        rule_name(m),
                        m.action
                    );
                }
                None => {
                    let _ = writeln!(out, "    {name}: no rule matched{logged}");
                }
            }
        }
        let end = match tier.outcome {
            TierOutcome::Decided => None,
            TierOutcome::Pass => Some("passed to the next tier"),
            TierOutcome::EndOfTier => Some("end of tier: deny"),
            TierOutcome::DefaultPass => Some("end of tier: default action Pass"),
        };
        if let Some(end) = end {
            let _ = writeln!(out, "    → {end}");
        }
    }
    if side.decided_by.get("kind").and_then(Value::as_str) == Some("profile")
        && !side.tiers.is_empty()
    {
        let _ = writeln!(out, "  after the last tier: the namespace profile allows");
    }
}

fn describe(d: &Value) -> String {
    let s = |k: &str| {
        d.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match s("kind").as_str() {
        "rule" => format!(
            "rule {}{} ({}) of {} in tier {}",
            d.get("rule").and_then(Value::as_u64).unwrap_or_default(),
            d.get("rule_name")
                .and_then(Value::as_str)
                .map(|n| format!(" \"{n}\""))
                .unwrap_or_default(),
            s("action"),
            s("policy"),
            s("tier")
        ),
        "end-of-tier" => format!("end of tier {}", s("tier")),
        "profile" => "profile".to_owned(),
        _ => "outside the cluster".to_owned(),
    }
}
