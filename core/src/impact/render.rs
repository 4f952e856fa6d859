//! The report for people: a terminal table and Markdown for a pull-request comment.

use std::fmt::Write as _;

use serde_json::Value;

use super::{Change, FlowImpact, ImpactReport, ImportFigures};

/// The order flows are listed in: what needs attention first.
fn rank(change: Change) -> u8 {
    match change {
        Change::Broken => 0,
        Change::Widened => 1,
        Change::Unmatched => 2,
        Change::Undecidable => 2,
        Change::UnchangedDeny => 3,
        Change::UnchangedAllow => 4,
    }
}

fn sorted(report: &ImpactReport) -> Vec<&FlowImpact> {
    let mut flows: Vec<&FlowImpact> = report.flows.iter().collect();
    flows.sort_by(|a, b| {
        rank(a.change)
            .cmp(&rank(b.change))
            .then(b.count.cmp(&a.count))
    });
    flows
}

fn port(f: &FlowImpact) -> String {
    match f.port {
        Some(p) => format!("{}/{p}", f.protocol),
        None => f.protocol.to_string(),
    }
}

fn verdict(v: Option<crate::eval::Verdict>) -> &'static str {
    v.map_or("-", |v| v.as_str())
}

/// One side's `decided_by` in words.
fn decided(side: &Value) -> String {
    let get = |k: &str| side.get(k).and_then(Value::as_str).unwrap_or_default();
    match get("kind") {
        "rule" => {
            let ns = side
                .get("namespace")
                .and_then(Value::as_str)
                .map(|n| format!("{n}/"))
                .unwrap_or_default();
            let rule = side.get("rule").and_then(Value::as_u64).unwrap_or_default();
            format!(
                "{} {}{} rule {rule} ({})",
                get("tier"),
                ns,
                get("policy"),
                get("action")
            )
        }
        "end-of-tier" => format!("end of tier {}", get("tier")),
        "profile" => "profile (no policy)".to_owned(),
        "none" => "outside".to_owned(),
        other => other.to_owned(),
    }
}

/// What decided the after verdict: the denying side(s), or both sides when allowed.
fn reason(f: &FlowImpact) -> String {
    if let Some(why) = &f.unmatched {
        return why.clone();
    }
    if let Some(missing) = &f.missing {
        return format!("undecidable, depends on what the log does not give — {missing}");
    }
    let d = &f.after_decided_by;
    let (eg, ing) = (&d["egress"], &d["ingress"]);
    let denies = |s: &Value| {
        matches!(s["kind"].as_str(), Some("end-of-tier")) || s["action"].as_str() == Some("Deny")
    };
    match (denies(eg), denies(ing)) {
        (true, false) => format!("egress: {}", decided(eg)),
        (false, true) => format!("ingress: {}", decided(ing)),
        (true, true) => format!("egress: {}; ingress: {}", decided(eg), decided(ing)),
        (false, false) => format!("egress: {}; ingress: {}", decided(eg), decided(ing)),
    }
}

/// The import figures only some files have: Hubble event lines, records with an unreadable trace.
fn beside_skipped(i: &ImportFigures) -> String {
    let mut out = String::new();
    if i.events > 0 {
        out += &format!(", {} events", i.events);
    }
    if i.unread_traces > 0 {
        out += &format!(", {} with an unreadable trace", i.unread_traces);
    }
    if !i.damaged.is_empty() {
        let files = if i.damaged.len() == 1 {
            "file"
        } else {
            "files"
        };
        out += &format!(
            ", {} {files} cut short (read up to the break)",
            i.damaged.len()
        );
    }
    out
}

/// A plain-text table for the terminal.
pub fn render_table(report: &ImpactReport) -> String {
    let mut out = String::new();
    let i = &report.import;
    let s = &report.summary;
    let _ = writeln!(
        out,
        "import: {} ({} records, {} skipped{}, {} distinct flows, {} unmatched)",
        i.format,
        i.records,
        i.skipped,
        beside_skipped(i),
        i.distinct,
        i.unmatched
    );
    let _ = writeln!(
        out,
        "summary: {}; {} observed-denied flows allowed after",
        s.line(),
        s.observed_denied_allowed_after
    );
    let rows: Vec<[String; 8]> = sorted(report)
        .into_iter()
        .map(|f| {
            [
                f.change.as_str().to_owned(),
                f.count.to_string(),
                f.observed.as_str().to_owned(),
                verdict(f.before).to_owned(),
                verdict(f.after).to_owned(),
                port(f),
                format!("{} -> {}", f.src, f.dst),
                reason(f),
            ]
        })
        .collect();
    let header = [
        "CHANGE",
        "COUNT",
        "OBSERVED",
        "BEFORE",
        "AFTER",
        "PORT",
        "FLOW",
        "DECIDED (AFTER)",
    ]
    .map(str::to_owned);
    let mut widths = header.clone().map(|h| h.len());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    out.push('\n');
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                if c == 7 {
                    cell.clone()
                } else {
                    format!("{cell:<w$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    let _ = writeln!(
        out,
        "\n{} of {} rules of the design are hit by no observed flow",
        report.unused.len(),
        report.rules.len()
    );
    for e in &report.compile_errors {
        let _ = writeln!(out, "warning: {e}");
    }
    out
}

/// Markdown for a pull-request comment: the summary, then the flows that change.
pub fn render_markdown(report: &ImpactReport) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let i = &report.import;
    let _ = writeln!(out, "### Impact on observed traffic\n");
    let _ = writeln!(out, "| change | flows |\n|---|---:|");
    let _ = writeln!(
        out,
        "| :x: broken (allowed before, denied after) | {} |",
        s.broken
    );
    let _ = writeln!(
        out,
        "| :warning: widened (denied before, allowed after) | {} |",
        s.widened
    );
    let _ = writeln!(out, "| unchanged allow | {} |", s.unchanged_allow);
    let _ = writeln!(out, "| unchanged deny | {} |", s.unchanged_deny);
    let _ = writeln!(
        out,
        "| unmatched (end not in the design) | {} |",
        s.unmatched
    );
    if s.undecidable > 0 {
        let _ = writeln!(
            out,
            "| undecidable (depends on a fact the flow log does not give) | {} |",
            s.undecidable
        );
    }
    let _ = writeln!(
        out,
        "\n{} records ({}), {} skipped{}, {} distinct flows; {} observed-denied flows would be allowed.",
        i.records,
        i.format,
        i.skipped,
        beside_skipped(i),
        i.distinct,
        s.observed_denied_allowed_after
    );
    for (title, change) in [
        ("Broken flows", Change::Broken),
        ("Widened flows", Change::Widened),
        ("Unmatched flows", Change::Unmatched),
        ("Undecidable flows", Change::Undecidable),
    ] {
        let flows: Vec<&FlowImpact> = sorted(report)
            .into_iter()
            .filter(|f| f.change == change)
            .collect();
        if flows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n#### {title} ({})\n", flows.len());
        let _ = writeln!(
            out,
            "| source | destination | port | connections | observed | decided by (after) |\n|---|---|---|---:|---|---|"
        );
        for f in flows.iter().take(50) {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} | {} | {} | {} |",
                f.src,
                f.dst,
                port(f),
                f.count,
                f.observed.as_str(),
                reason(f).replace('|', "\\|")
            );
        }
        if flows.len() > 50 {
            let _ = writeln!(out, "\n…and {} more.", flows.len() - 50);
        }
    }
    if !report.unused.is_empty() {
        let _ = writeln!(
            out,
            "\n<details><summary>{} rules hit by no observed flow</summary>\n",
            report.unused.len()
        );
        for u in report.unused.iter().take(200) {
            let _ = writeln!(out, "- {}", u.describe());
        }
        let _ = writeln!(out, "\n</details>");
    }
    out
}
