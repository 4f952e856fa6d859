//! The PR summary's changed flows: the connections `netpol connectivity` lists on one side only, the
//! Mermaid flowchart of them (ids generated, labels quoted: it parses) and the table of namespace
//! pairs whose matrix cell changes, both capped with an "and N more" line.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::BTreeSet;

use netpol_core::design::{Design, sample, to_resources};
use netpol_core::diff::flows::FlowComparison;
use netpol_core::diff::summary::pr_summary_designs;
use netpol_core::eval::connectivity::{Probes, connectivity};
use netpol_core::eval::matrix::{matrix_changes, namespace_matrix};

fn without_policy(design: &Design, name: &str) -> Design {
    let mut new = design.clone();
    let before = new.policies.len();
    new.policies.retain(|p| p.metadata.name != name);
    assert_eq!(new.policies.len() + 1, before, "the sample has {name}");
    new
}

/// The fenced Mermaid block of a Markdown text.
fn mermaid_block(md: &str) -> &str {
    let start = md.find("```mermaid\n").expect("a mermaid block") + "```mermaid\n".len();
    let end = start + md[start..].find("```").expect("closed");
    &md[start..end]
}

/// What a Mermaid flowchart of generated ids and quoted labels must look like to parse: the header,
/// balanced subgraphs, and outside the quotes nothing but ids, shapes and arrows.
fn assert_parses(mermaid: &str) {
    let mut lines = mermaid.lines();
    assert_eq!(lines.next(), Some("flowchart LR"));
    let mut depth = 0;
    for line in lines {
        let line = line.trim();
        if line.starts_with("subgraph ") {
            depth += 1;
        } else if line == "end" {
            depth -= 1;
            assert!(depth >= 0);
        }
        assert_eq!(line.matches('"').count() % 2, 0, "{line}");
        let outside: String = line.split('"').step_by(2).collect();
        assert!(
            outside
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " -.>=|[]{}()/".contains(c)),
            "{line}"
        );
    }
    assert_eq!(depth, 0);
}

#[test]
fn removing_a_policy_shows_the_flows_it_allowed_and_the_cells_it_turns() {
    let old = sample();
    let new = without_policy(&old, "orders-db");
    let summary = pr_summary_designs(&old, &new, None);
    let FlowComparison::Compared(flows) = &summary.flows else {
        panic!("both sides evaluate: {:?}", summary.flows)
    };

    let listed = |d: &Design| -> BTreeSet<_> {
        connectivity(&to_resources(d), &Probes::default())
            .unwrap()
            .into_iter()
            .collect()
    };
    let (before, after) = (listed(&old), listed(&new));
    let removed: BTreeSet<_> = before.difference(&after).cloned().collect();
    let added: BTreeSet<_> = after.difference(&before).cloned().collect();
    assert_eq!(
        flows.removed.iter().cloned().collect::<BTreeSet<_>>(),
        removed
    );
    assert_eq!(flows.added.iter().cloned().collect::<BTreeSet<_>>(), added);
    assert!(!flows.removed.is_empty());
    assert!(flows.removed.iter().all(|c| c.dst.starts_with("orders/")));

    let cells = matrix_changes(
        &namespace_matrix(&to_resources(&old)).unwrap(),
        &namespace_matrix(&to_resources(&new)).unwrap(),
    );
    let pairs: Vec<(&str, &str)> = flows
        .pairs
        .iter()
        .map(|p| (p.from.as_str(), p.to.as_str()))
        .collect();
    let want: Vec<(&str, &str)> = cells
        .iter()
        .map(|p| (p.from.as_str(), p.to.as_str()))
        .collect();
    assert_eq!(pairs, want);

    let md = summary.to_markdown();
    let section = &md[md.find("## Changed flows").unwrap()..md.find("## Lints").unwrap()];
    assert_parses(mermaid_block(section));
    assert!(section.contains("(no longer allowed)"), "{section}");
    assert!(section.contains("| From namespace | To namespace | Before | After |"));
    assert!(section.contains("| `checkout` | `orders` |"), "{section}");
    insta::assert_snapshot!("pr_summary_changed_flows", section);
}

#[test]
fn no_change_says_so() {
    let design = sample();
    let summary = pr_summary_designs(&design, &design, None);
    let FlowComparison::Compared(flows) = &summary.flows else {
        panic!("{:?}", summary.flows)
    };
    assert!(flows.is_empty());
    assert!(
        summary
            .to_markdown()
            .contains("## Changed flows\n\nNo connection between workloads changes.\n")
    );
}

#[test]
fn a_large_change_is_capped_with_and_n_more() {
    let old = sample();
    let mut new = old.clone();
    new.policies.clear();
    new.kubernetes_policies.clear();
    new.cluster_policies.clear();
    let summary = pr_summary_designs(&old, &new, None);
    let FlowComparison::Compared(flows) = &summary.flows else {
        panic!("{:?}", summary.flows)
    };
    let md = summary.to_markdown();
    let block = mermaid_block(&md);
    assert_parses(block);
    let edges = block.lines().filter(|l| l.contains("|\"")).count();
    assert!(edges <= 30, "{edges} edges drawn");
    // Opening the whole sample changes more than a pull request body should draw.
    assert!(flows.edges_left_out > 0 && flows.pairs.len() > 20);
    assert_eq!(edges, 30);
    assert!(
        md.contains(&format!(
            "_And {} more changed workload pairs, not drawn._",
            flows.edges_left_out
        )),
        "{md}"
    );
    let rows = md.lines().filter(|l| l.starts_with("| `")).count();
    assert!(rows <= 20 + summary.lints.len(), "{rows} rows");
    assert!(md.contains(&format!(
        "_And {} more changed namespace pairs._",
        flows.pairs.len() - 20
    )));
    // The summary stays a pull request body: GitHub allows 65,536 characters.
    assert!(md.len() < 65_536, "{} characters", md.len());
}

#[test]
fn an_estate_over_the_limit_is_said_not_compared() {
    let old = to_resources(&sample());
    let mut new = old.clone();
    let template = new.workloads[0].clone();
    for i in 0..600 {
        let mut w = template.clone();
        w.metadata.name = format!("copy-{i}");
        new.workloads.push(w);
    }
    let summary = netpol_core::diff::summary::pr_summary(
        &old,
        &new,
        &netpol_core::lint::LintConfig::default(),
        None,
    );
    assert!(
        matches!(
            summary.flows,
            FlowComparison::TooLarge { limit: 250_000, .. }
        ),
        "{:?}",
        summary.flows
    );
    assert!(
        summary
            .to_markdown()
            .contains("## Changed flows\n\nNot compared: ")
    );
}
