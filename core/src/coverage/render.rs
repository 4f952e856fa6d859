//! The report for people: the summary line, a plain-text table and Markdown, worded once for every
//! shell.

use super::{Coverage, Entry, Exposure, Subjects};

/// `workload`/`workloads`, or `label class`/`label classes`.
fn noun(subjects: Subjects, n: usize) -> &'static str {
    match (subjects, n == 1) {
        (Subjects::Workloads, true) => "workload",
        (Subjects::Workloads, false) => "workloads",
        (Subjects::LabelClasses, true) => "label class",
        (Subjects::LabelClasses, false) => "label classes",
    }
}

/// The verb for a count: `1 has`, `2 have`.
fn verb(n: usize, one: &'static str, many: &'static str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(super) fn summary_line(c: &Coverage) -> String {
    let s = &c.summary;
    let mut line = format!(
        "{} of {} {} no ingress policy; {} no egress policy; {} exposures; {} the world on any port",
        s.ingress_uncovered,
        s.workloads,
        format_args!(
            "{} {}",
            noun(c.subjects, s.workloads),
            if s.ingress_uncovered == 1 {
                "has"
            } else {
                "have"
            }
        ),
        verb(s.egress_uncovered, "has", "have"),
        verb(s.exposed, "has", "have"),
        verb(s.world_any_port, "reaches", "reach"),
    );
    if s.undecidable > 0 {
        line.push_str(&format!(
            "; {} may have exposures (a fact is missing)",
            s.undecidable
        ));
    }
    if c.subjects == Subjects::LabelClasses {
        line.push_str(" (label classes: the input lists no workloads, so each class is a set of labels a policy selects)");
    }
    line
}

/// `world ingress TCP/443 by tier default, shop/knp.default.web rule 0`.
pub(super) fn exposure_text(e: &Exposure) -> String {
    let by = &e.decided_by;
    let policy = match &by.namespace {
        Some(ns) => format!("{ns}/{}", by.policy),
        None => by.policy.clone(),
    };
    let mut text = format!(
        "{} {} {} by tier {}, {policy} rule {}",
        e.kind.as_str(),
        e.direction.as_str(),
        e.ports,
        by.tier,
        by.rule
    );
    if let Some(missing) = &e.missing {
        text.push_str(&format!(" (undecidable: {missing})"));
    }
    text
}

fn exposures_text(entry: &Entry) -> Vec<String> {
    entry.exposures.iter().map(exposure_text).collect()
}

pub(super) fn table(c: &Coverage) -> String {
    let header = match c.subjects {
        Subjects::Workloads => "WORKLOAD",
        Subjects::LabelClasses => "LABEL CLASS",
    };
    let width = c
        .workloads
        .iter()
        .map(|e| e.workload.chars().count())
        .chain([header.len()])
        .max()
        .unwrap_or(0);
    let mut out = format!("{header:width$}  INGRESS    EGRESS     EXPOSURES\n");
    for entry in &c.workloads {
        let exposures = exposures_text(entry);
        let first = exposures.first().map_or("-", String::as_str);
        out.push_str(&format!(
            "{:width$}  {:9}  {:9}  {first}\n",
            entry.workload,
            entry.ingress.as_str(),
            entry.egress.as_str(),
        ));
        for more in exposures.iter().skip(1) {
            out.push_str(&format!("{:width$}  {:9}  {:9}  {more}\n", "", "", ""));
        }
    }
    for note in &c.not_enforced {
        out.push_str(&format!("note: {note}\n"));
    }
    out.push_str(&summary_line(c));
    out.push('\n');
    out
}

/// A table cell: pipes escaped, no line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

pub(super) fn markdown(c: &Coverage) -> String {
    let header = match c.subjects {
        Subjects::Workloads => "Workload",
        Subjects::LabelClasses => "Label class",
    };
    let mut out = format!(
        "## Coverage and exposure\n\n**{}**\n\n| {header} | Ingress | Egress | Exposures |\n|---|---|---|---|\n",
        summary_line(c)
    );
    for entry in &c.workloads {
        let exposures = exposures_text(entry);
        let exposures = if exposures.is_empty() {
            "—".to_owned()
        } else {
            exposures
                .iter()
                .map(|e| format!("`{}`", cell(e)))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {exposures} |\n",
            cell(&entry.workload),
            entry.ingress.as_str(),
            entry.egress.as_str(),
        ));
    }
    if !c.not_enforced.is_empty() {
        out.push('\n');
        for note in &c.not_enforced {
            out.push_str(&format!("- {}\n", cell(note)));
        }
    }
    out
}
