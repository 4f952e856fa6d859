//! The pull-request summary: what changed, the lints of the new version, and — when flow logs were
//! given — the impact on observed traffic. Markdown for people, JSON (`serde`) for tools.

use std::fmt::Write;

use serde::Serialize;

use super::flows::{FlowComparison, compare_flows, flows_markdown};
use super::{FieldChange, ObjectChange, RuleEdit, SetDiff, diff_sets};
use crate::design::{Design, Environment, to_resources};
use crate::lint::{Finding, LintConfig, Severity, lint_design, lint_resources};
use crate::model::{PolicyType, ResourceSet};

/// A lint finding of the new version, and whether the old version had it too.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LintEntry {
    pub finding: Finding,
    /// Not found in the old version: introduced by this change.
    pub new: bool,
}

pub use crate::impact::ImpactFigures;

/// Everything a pull request needs to show about a policy change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrSummary {
    pub diff: SetDiff,
    /// Changes of the design's environments (cluster labels, CIDRs, exceptions): they change what the
    /// export deploys where. Empty when resources rather than designs were compared.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<EnvironmentChange>,
    pub lints: Vec<LintEntry>,
    /// `None` when no flows were given.
    pub impact: Option<ImpactFigures>,
    /// The connections between workloads the change turns, as `netpol connectivity` lists them,
    /// drawn and tabled by namespace pair (or why they were not compared).
    pub flows: FlowComparison,
    /// What the old side is, in words ("an open cluster …"), said under the heading so that a reader
    /// of the pull request knows what "added" is relative to; `None` says nothing (the command line
    /// names both sides itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compared_with: Option<String>,
}

/// Compares `old` and `new`, lints both (plain-resource lints), and attaches the impact figures when
/// there are any.
pub fn pr_summary(
    old: &ResourceSet,
    new: &ResourceSet,
    config: &LintConfig,
    impact: Option<ImpactFigures>,
) -> PrSummary {
    pr_summary_with_findings(
        old,
        new,
        &lint_resources(old, config),
        lint_resources(new, config),
        impact,
    )
}

/// The same with lint findings computed by the caller (e.g. `lint_design` for design documents):
/// `before` are the old version's, used only to tell which findings of `after` are new.
pub fn pr_summary_with_findings(
    old: &ResourceSet,
    new: &ResourceSet,
    before: &[Finding],
    after: Vec<Finding>,
    impact: Option<ImpactFigures>,
) -> PrSummary {
    let same = |a: &Finding, b: &Finding| {
        a.id == b.id
            && a.location.resource == b.location.resource
            && a.location.rule == b.location.rule
            && a.message == b.message
    };
    let lints = after
        .into_iter()
        .map(|finding| {
            let new = !before.iter().any(|b| same(b, &finding));
            LintEntry { finding, new }
        })
        .collect();
    PrSummary {
        diff: diff_sets(old, new),
        environments: Vec::new(),
        lints,
        impact,
        flows: compare_flows(old, new),
        compared_with: None,
    }
}

/// What happened to one environment of a design.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvironmentChange {
    pub name: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    /// For `changed`: the fields that differ (`cidrs`, `exceptions`, `clusterSelector`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

/// Compares two designs: their resources, their environments, their lints (each design's own lint
/// configuration, with the taxonomy and environment lints), and the impact figures when given.
pub fn pr_summary_designs(old: &Design, new: &Design, impact: Option<ImpactFigures>) -> PrSummary {
    let before = lint_design(old, &old.lint);
    let after = lint_design(new, &new.lint);
    let mut summary = pr_summary_with_findings(
        &to_resources(old),
        &to_resources(new),
        &before,
        after,
        impact,
    );
    summary.environments = diff_environments(&old.environments, &new.environments);
    summary
}

fn diff_environments(old: &[Environment], new: &[Environment]) -> Vec<EnvironmentChange> {
    let mut out = Vec::new();
    for o in old {
        match new.iter().find(|n| n.name == o.name) {
            None => out.push(EnvironmentChange {
                name: o.name.clone(),
                change: "removed",
                fields: Vec::new(),
            }),
            Some(n) if n != o => {
                let mut fields = Vec::new();
                let as_json = |e: &Environment| serde_json::to_value(e).unwrap_or_default();
                super::diff_values("", &as_json(o), &as_json(n), &mut fields);
                out.push(EnvironmentChange {
                    name: o.name.clone(),
                    change: "changed",
                    fields,
                });
            }
            Some(_) => {}
        }
    }
    for n in new.iter().filter(|n| !old.iter().any(|o| o.name == n.name)) {
        out.push(EnvironmentChange {
            name: n.name.clone(),
            change: "added",
            fields: Vec::new(),
        });
    }
    out
}

fn direction(d: PolicyType) -> &'static str {
    match d {
        PolicyType::Ingress => "ingress",
        PolicyType::Egress => "egress",
    }
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "(unset)".to_owned(),
        serde_json::Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

fn order_text(order: Option<f64>) -> String {
    order.map_or("unset".to_owned(), |o| o.to_string())
}

impl PrSummary {
    /// The summary, saying what its old side is (see [`PrSummary::compared_with`]).
    pub fn compared_with(mut self, base: impl Into<String>) -> PrSummary {
        self.compared_with = Some(base.into());
        self
    }

    /// The summary as Markdown, ready to paste into a pull request.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let (added, removed, changed) = self.diff.counts();
        let _ = writeln!(out, "## Network policy changes\n");
        if let Some(base) = &self.compared_with {
            let _ = writeln!(out, "_Compared with {base}._\n");
        }
        if self.diff.is_empty() {
            let _ = writeln!(out, "No policy, tier or network set changed.\n");
        } else {
            let _ = writeln!(
                out,
                "**{added} added, {removed} removed, {changed} changed.**\n"
            );
        }
        for change in &self.diff.changes {
            let object = change.object();
            let title = format!("`{}` `{}`", object.kind, object.display_name());
            match change {
                ObjectChange::Added { order, rules, .. }
                | ObjectChange::Removed { order, rules, .. } => {
                    let verb = if matches!(change, ObjectChange::Added { .. }) {
                        "Added"
                    } else {
                        "Removed"
                    };
                    let order = if object.tier.is_some() {
                        format!(" (order {})", order_text(*order))
                    } else {
                        String::new()
                    };
                    let _ = writeln!(out, "### {verb}: {title}{order}\n");
                    for (index_in_direction, (d, rule)) in numbered(rules) {
                        let _ =
                            writeln!(out, "- {} rule {index_in_direction}: {rule}", direction(d));
                    }
                }
                ObjectChange::Changed { fields, rules, .. } => {
                    let _ = writeln!(out, "### Changed: {title}\n");
                    for FieldChange {
                        path,
                        before,
                        after,
                    } in fields
                    {
                        let _ = writeln!(
                            out,
                            "- `{path}`: {} → {}",
                            value_text(before),
                            value_text(after)
                        );
                    }
                    for edit in rules {
                        let line = match edit {
                            RuleEdit::Added {
                                direction: d,
                                index,
                                rule,
                            } => format!("{} rule {index} added: {rule}", direction(*d)),
                            RuleEdit::Removed {
                                direction: d,
                                index,
                                rule,
                            } => {
                                format!("{} rule {index} removed: {rule}", direction(*d))
                            }
                            RuleEdit::Changed {
                                direction: d,
                                old_index,
                                new_index,
                                before,
                                after,
                            } => {
                                let at = if old_index == new_index {
                                    format!("{old_index}")
                                } else {
                                    format!("{old_index} (now {new_index})")
                                };
                                format!("{} rule {at} changed: {before} → {after}", direction(*d))
                            }
                        };
                        let _ = writeln!(out, "- {line}");
                    }
                }
            }
            let _ = writeln!(out);
        }
        if !self.environments.is_empty() {
            let _ = writeln!(out, "## Environments\n");
            for env in &self.environments {
                let _ = writeln!(out, "- `{}` {}", env.name, env.change);
                for FieldChange {
                    path,
                    before,
                    after,
                } in &env.fields
                {
                    let _ = writeln!(
                        out,
                        "  - `{path}`: {} → {}",
                        value_text(before),
                        value_text(after)
                    );
                }
            }
            let _ = writeln!(out);
        }
        flows_markdown(&self.flows, &mut out);
        self.lints_markdown(&mut out);
        self.impact_markdown(&mut out);
        out
    }

    fn lints_markdown(&self, out: &mut String) {
        let count = |s: Severity| {
            self.lints
                .iter()
                .filter(|l| l.finding.severity == s)
                .count()
        };
        let fresh = self.lints.iter().filter(|l| l.new).count();
        let _ = writeln!(out, "## Lints\n");
        if self.lints.is_empty() {
            let _ = writeln!(out, "No findings.\n");
            return;
        }
        let _ = writeln!(
            out,
            "{} errors, {} warnings, {} notes; {fresh} introduced by this change.\n",
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info)
        );
        let _ = writeln!(out, "| | Severity | Lint | Where | Message |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for LintEntry { finding, new } in &self.lints {
            let r = &finding.location.resource;
            let name = match &r.namespace {
                Some(ns) => format!("{ns}/{}", r.name),
                None => r.name.clone(),
            };
            let rule = finding
                .location
                .rule
                .map(|rr| format!(" {rr}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | `{}` | {} `{name}`{rule} | {} |",
                if *new { "new" } else { "" },
                finding.severity,
                finding.id,
                r.kind,
                finding.message.replace('|', "\\|")
            );
        }
        let _ = writeln!(out);
    }

    fn impact_markdown(&self, out: &mut String) {
        let _ = writeln!(out, "## Impact on observed flows\n");
        let Some(impact) = &self.impact else {
            let _ = writeln!(
                out,
                "No flow logs were given (`netpol diff --flows FILE…` adds this section)."
            );
            return;
        };
        let _ = writeln!(
            out,
            "| Broken | Widened | Unchanged allow | Unchanged deny | Unused rules |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |\n",
            impact.broken,
            impact.widened,
            impact.unchanged_allow,
            impact.unchanged_deny,
            impact.unused_rules.len()
        );
        for example in &impact.examples {
            let _ = writeln!(out, "- {example}");
        }
        if !impact.unused_rules.is_empty() {
            let _ = writeln!(
                out,
                "\nRules no observed flow hit: {}.",
                impact.unused_rules.join(", ")
            );
        }
    }
}

/// Rules listed with their index within their direction.
fn numbered(rules: &[(PolicyType, String)]) -> Vec<(usize, (PolicyType, &str))> {
    let (mut ingress, mut egress) = (0, 0);
    rules
        .iter()
        .map(|(d, r)| {
            let counter = if *d == PolicyType::Ingress {
                &mut ingress
            } else {
                &mut egress
            };
            let index = *counter;
            *counter += 1;
            (index, (*d, r.as_str()))
        })
        .collect()
}
