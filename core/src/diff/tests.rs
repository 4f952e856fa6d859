#![allow(clippy::unreachable)]
use super::*;
use crate::model::{
    Action, CalicoPolicy, CalicoPolicyKind, ObjectMeta, PolicySpec, Port, Protocol, Rule, Tier,
};

fn rule(action: Action, port: u16) -> Rule {
    let mut r = Rule::new(action);
    r.protocol = Some(Protocol::Tcp);
    r.destination.ports = vec![Port::Number(port)];
    r
}

fn policy(name: &str, order: f64, ingress: Vec<Rule>) -> CalicoPolicy {
    CalicoPolicy {
        kind: CalicoPolicyKind::NetworkPolicy,
        metadata: ObjectMeta::named(name, Some("shop")),
        spec: PolicySpec {
            tier: Some("app".into()),
            order: Some(order),
            ingress,
            ..PolicySpec::default()
        },
    }
}

fn set(policies: Vec<CalicoPolicy>) -> ResourceSet {
    ResourceSet {
        tiers: vec![Tier::new("app", Some(100.0))],
        policies,
        ..ResourceSet::default()
    }
}

fn rules(ports: &[u16]) -> Vec<String> {
    ports
        .iter()
        .map(|p| describe_rule(&rule(Action::Allow, *p)))
        .collect()
}

#[test]
fn an_inserted_rule_is_one_addition() {
    let edits = diff_rules(
        PolicyType::Ingress,
        &rules(&[80, 443]),
        &rules(&[80, 8080, 443]),
    );
    assert_eq!(
        edits,
        vec![RuleEdit::Added {
            direction: PolicyType::Ingress,
            index: 1,
            rule: "Allow TCP to ports 8080".into()
        }]
    );
}

#[test]
fn a_replaced_rule_is_one_change_and_surplus_is_added_or_removed() {
    let edits = diff_rules(
        PolicyType::Egress,
        &rules(&[80, 443, 22]),
        &rules(&[80, 8443, 22, 53]),
    );
    assert_eq!(
        edits,
        vec![
            RuleEdit::Changed {
                direction: PolicyType::Egress,
                old_index: 1,
                new_index: 1,
                before: "Allow TCP to ports 443".into(),
                after: "Allow TCP to ports 8443".into()
            },
            RuleEdit::Added {
                direction: PolicyType::Egress,
                index: 3,
                rule: "Allow TCP to ports 53".into()
            },
        ]
    );
    let removed = diff_rules(PolicyType::Egress, &rules(&[80, 443]), &rules(&[443]));
    assert_eq!(
        removed,
        vec![RuleEdit::Removed {
            direction: PolicyType::Egress,
            index: 0,
            rule: "Allow TCP to ports 80".into()
        }]
    );
}

#[test]
fn policies_are_added_removed_and_changed() {
    let old = set(vec![
        policy("web", 100.0, vec![rule(Action::Allow, 80)]),
        policy("gone", 100.0, vec![]),
    ]);
    let new = set(vec![
        policy(
            "web",
            200.0,
            vec![rule(Action::Allow, 80), rule(Action::Deny, 22)],
        ),
        policy("new", 50.0, vec![]),
    ]);
    let diff = diff_sets(&old, &new);
    assert_eq!(diff.counts(), (1, 1, 1));
    let changed = diff
        .changes
        .iter()
        .find(|c| matches!(c, ObjectChange::Changed { .. }))
        .unwrap();
    let ObjectChange::Changed {
        object,
        fields,
        rules,
    } = changed
    else {
        unreachable!()
    };
    assert_eq!(object.display_name(), "shop/app.web");
    assert_eq!(
        fields,
        &vec![FieldChange {
            path: "spec.order".into(),
            // Whole-number orders serialise as integers (model::serialize_order).
            before: 100.into(),
            after: 200.into()
        }]
    );
    assert_eq!(
        rules,
        &vec![RuleEdit::Added {
            direction: PolicyType::Ingress,
            index: 1,
            rule: "Deny TCP to ports 22".into()
        }]
    );
}

#[test]
fn identical_sets_have_no_diff_and_tier_moves_are_changes() {
    let a = set(vec![policy("web", 100.0, vec![rule(Action::Allow, 80)])]);
    assert!(diff_sets(&a, &a.clone()).is_empty());
    let mut b = a.clone();
    b.policies[0].spec.tier = Some("security".into());
    let diff = diff_sets(&a, &b);
    assert_eq!(diff.counts(), (0, 0, 1));
}

#[test]
fn the_markdown_summary_shows_rules_lints_and_the_impact_hook() {
    let old = set(vec![policy("web", 100.0, vec![rule(Action::Allow, 80)])]);
    let new = set(vec![policy("web", 100.0, vec![rule(Action::Allow, 443)])]);
    let summary = summary::pr_summary(&old, &new, &crate::lint::LintConfig::default(), None);
    let md = summary.to_markdown();
    assert!(md.contains("**0 added, 0 removed, 1 changed.**"), "{md}");
    assert!(
        md.contains("- ingress rule 0 changed: Allow TCP to ports 80 → Allow TCP to ports 443"),
        "{md}"
    );
    assert!(md.contains("## Lints"), "{md}");
    assert!(md.contains("No flow logs were given"), "{md}");
    let with_flows = summary::pr_summary(
        &old,
        &new,
        &crate::lint::LintConfig::default(),
        Some(summary::ImpactFigures {
            broken: 3,
            widened: 1,
            ..Default::default()
        }),
    );
    assert!(with_flows.to_markdown().contains("| 3 | 1 | 0 | 0 | 0 |"));
    let json = serde_json::to_value(&with_flows).unwrap();
    assert_eq!(json["impact"]["broken"], 3);
    assert_eq!(json["diff"]["changes"][0]["change"], "changed");
    // Unless told, the summary does not say what its old side is; told, it says so under the heading.
    assert!(!md.contains("Compared with"), "{md}");
    let told = with_flows.compared_with("an open cluster (no policy)");
    let md = told.to_markdown();
    assert!(
        md.starts_with(
            "## Network policy changes\n\n_Compared with an open cluster (no policy)._\n"
        ),
        "{md}"
    );
    assert_eq!(
        serde_json::to_value(&told).unwrap()["compared_with"],
        "an open cluster (no policy)"
    );
}

proptest::proptest! {
    /// Every old rule is kept, changed or removed exactly once, and every new rule kept, changed or
    /// added exactly once; the kept ones are a longest common subsequence (no edit for equal lists).
    #[test]
    fn rule_edits_account_for_every_rule(old in proptest::collection::vec(0u8..4, 0..8), new in proptest::collection::vec(0u8..4, 0..8)) {
        let text = |v: &[u8]| v.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let (old, new) = (text(&old), text(&new));
        let edits = diff_rules(PolicyType::Ingress, &old, &new);
        let mut old_seen = vec![false; old.len()];
        let mut new_seen = vec![false; new.len()];
        for e in &edits {
            match e {
                RuleEdit::Added { index, rule, .. } => { proptest::prop_assert_eq!(&new[*index], rule); new_seen[*index] = true; }
                RuleEdit::Removed { index, rule, .. } => { proptest::prop_assert_eq!(&old[*index], rule); old_seen[*index] = true; }
                RuleEdit::Changed { old_index, new_index, .. } => { old_seen[*old_index] = true; new_seen[*new_index] = true; }
            }
        }
        let kept_old: Vec<&String> = old.iter().zip(&old_seen).filter(|(_, s)| !**s).map(|(r, _)| r).collect();
        let kept_new: Vec<&String> = new.iter().zip(&new_seen).filter(|(_, s)| !**s).map(|(r, _)| r).collect();
        proptest::prop_assert_eq!(&kept_old, &kept_new);
        if old == new { proptest::prop_assert!(edits.is_empty()); }
    }
}

#[test]
fn design_summaries_report_environment_changes() {
    let old = crate::design::sample();
    let mut new = old.clone();
    new.environments[2].exceptions.push("10.30.251.0/24".into());
    new.environments.remove(0);
    let summary = summary::pr_summary_designs(&old, &new, None);
    assert!(summary.diff.is_empty());
    let changes: Vec<(&str, &str)> = summary
        .environments
        .iter()
        .map(|e| (e.name.as_str(), e.change))
        .collect();
    assert_eq!(changes, [("dev", "removed"), ("prod", "changed")]);
    assert_eq!(summary.environments[1].fields[0].path, "exceptions");
    let md = summary.to_markdown();
    assert!(
        md.contains("## Environments\n\n- `dev` removed\n- `prod` changed\n  - `exceptions`:"),
        "{md}"
    );
}
