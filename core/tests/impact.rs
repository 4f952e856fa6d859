//! Impact preview over the sample flow logs and a small design of the sample estate.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::flows::{FlowSet, ImportOptions, import_bytes};
use netpol_core::impact::{
    Change, Impact, ImpactFigures, ImpactOptions, SuggestOptions, impact, render_markdown,
    render_table,
};
use netpol_core::model::ResourceSet;
use serde_json::{Value, json};

fn sample(name: &str) -> FlowSet {
    let bytes = std::fs::read(format!(
        "{}/tests/data/flows/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    import_bytes(&bytes, ImportOptions::default()).unwrap()
}

fn workload(kind: &str, ns: &str, name: &str, labels: Value) -> Value {
    json!({"kind": kind, "metadata": {"name": name, "namespace": ns, "labels": labels}})
}

/// The sample estate's namespaces, workloads and the psp-egress set, with no policy.
fn estate() -> Value {
    let ns = |name: &str, env: &str| json!({"metadata": {"name": name, "labels": {"security.company.io/environment": env}}});
    json!({
        "tiers": [
            {"metadata": {"name": "security"}, "spec": {"order": 100}},
            {"metadata": {"name": "platform"}, "spec": {"order": 200}},
            {"metadata": {"name": "application"}, "spec": {"order": 400}}
        ],
        "namespaces": [ns("checkout-web", "prod"), ns("payments-api", "prod"), ns("payments-db", "prod"), ns("sandbox-dev", "dev"), ns("kube-system", "prod")],
        "workloads": [
            workload("Deployment", "checkout-web", "checkout-web", json!({"app.kubernetes.io/name": "checkout-web", "security.company.io/tier": "frontend", "security.company.io/environment": "prod"})),
            workload("Deployment", "payments-api", "payments-api", json!({"app.kubernetes.io/name": "payments-api", "security.company.io/tier": "backend", "security.company.io/environment": "prod"})),
            workload("StatefulSet", "payments-db", "payments-postgres", json!({"app.kubernetes.io/name": "postgres", "security.company.io/tier": "database", "security.company.io/environment": "prod"})),
            workload("Deployment", "sandbox-dev", "debug-shell", json!({"app.kubernetes.io/name": "debug-shell", "security.company.io/environment": "dev"})),
            workload("Deployment", "kube-system", "coredns", json!({"k8s-app": "kube-dns"}))
        ],
        "network_sets": [
            {"metadata": {"name": "psp-egress", "labels": {"egress": "psp"}}, "spec": {"nets": ["203.0.113.10/32"]}}
        ]
    })
}

/// The design: the database accepts only payments-api on 5432 (plus an unused rule), and a staged
/// cross-environment deny.
fn design() -> Value {
    let mut d = estate();
    d["policies"] = json!([
        {"kind": "NetworkPolicy", "metadata": {"name": "postgres-ingress", "namespace": "payments-db"},
         "spec": {"tier": "application", "order": 10, "selector": "app.kubernetes.io/name == 'postgres'", "types": ["Ingress"],
                  "ingress": [
                      {"action": "Allow", "protocol": "TCP", "source": {"selector": "app.kubernetes.io/name == 'payments-api'", "namespaceSelector": "all()"}, "destination": {"ports": [5432]}},
                      {"action": "Allow", "protocol": "TCP", "source": {"selector": "app.kubernetes.io/name == 'nothing-like-this'", "namespaceSelector": "all()"}, "destination": {"ports": [9999]}}
                  ]}},
        {"kind": "StagedGlobalNetworkPolicy", "metadata": {"name": "deny-cross-env-v2"},
         "spec": {"tier": "security", "order": 1, "selector": "all()", "types": ["Ingress"],
                  "ingress": [{"action": "Deny", "source": {"namespaceSelector": "security.company.io/environment == 'dev'"}}]}}
    ]);
    d
}

fn set(v: Value) -> ResourceSet {
    serde_json::from_value(v).unwrap()
}

fn find<'a>(
    report: &'a netpol_core::impact::ImpactReport,
    src: &str,
    dst: &str,
    port: u16,
) -> &'a netpol_core::impact::FlowImpact {
    report
        .flows
        .iter()
        .find(|f| f.src.starts_with(src) && f.dst.starts_with(dst) && f.port == Some(port))
        .unwrap_or_else(|| panic!("no flow {src} -> {dst}:{port}"))
}

#[test]
fn the_design_breaks_what_it_should_and_keeps_the_rest() {
    let flows = sample("calico-enterprise-flows.jsonl");
    let report = impact(
        &set(estate()),
        &set(design()),
        &flows,
        ImpactOptions::default(),
    );
    let s = &report.summary;
    assert_eq!(report.flows.len(), flows.flows().len());
    assert_eq!(
        s.broken + s.widened + s.unchanged_allow + s.unchanged_deny + s.unmatched,
        report.flows.len() as u64
    );

    let kept = find(&report, "payments-api/", "payments-db/", 5432);
    assert_eq!(
        (kept.before, kept.after, kept.change),
        (
            Some(Verdict::Allow),
            Some(Verdict::Allow),
            Change::UnchangedAllow
        )
    );
    assert_eq!(
        kept.after_decided_by["ingress"]["policy"],
        "postgres-ingress"
    );
    assert_eq!(kept.after_decided_by["ingress"]["rule"], 0);

    let broken = find(&report, "checkout-web/", "payments-db/", 5432);
    assert_eq!(broken.change, Change::Broken);
    assert_eq!(broken.after_decided_by["ingress"]["kind"], "end-of-tier");
    assert_eq!(broken.after_decided_by["ingress"]["tier"], "application");
    assert!(
        s.broken >= 2,
        "checkout-web and debug-shell to the database"
    );
    assert_eq!(
        s.observed_denied_allowed_after,
        report
            .flows
            .iter()
            .filter(|f| f.observed != Observed::Allow && f.after == Some(Verdict::Allow))
            .count() as u64
    );
    assert!(
        s.observed_differs_from_before > 0,
        "the policy-less before set allows what Calico denied"
    );

    let dns = find(&report, "checkout-web/", "kube-system/", 53);
    assert_eq!(dns.change, Change::UnchangedAllow);

    // The staged cross-environment deny shows beside the enforced verdict.
    let dev = find(&report, "sandbox-dev/", "checkout-web/", 8080);
    assert_eq!(
        (dev.after, dev.after_staged),
        (Some(Verdict::Allow), Some(Verdict::Deny))
    );
    assert_eq!(dev.before_staged, None);
}

use netpol_core::eval::Verdict;
use netpol_core::flows::Observed;

#[test]
fn unresolvable_ends_are_unmatched_with_a_reason() {
    let flows = sample("calico-enterprise-flows.jsonl");
    let report = impact(
        &set(estate()),
        &set(design()),
        &flows,
        ImpactOptions::default(),
    );
    let unmatched: Vec<_> = report
        .flows
        .iter()
        .filter(|f| f.change == Change::Unmatched)
        .collect();
    assert_eq!(report.summary.unmatched, unmatched.len() as u64);
    assert_eq!(report.import.unmatched, report.summary.unmatched);
    // Calico's `pub` (an internet address aggregated away) is the outside world, with a note.
    let internet = report
        .flows
        .iter()
        .find(|f| f.src == "public network")
        .expect("the internet client's records are aggregated to `pub`");
    assert_ne!(internet.change, Change::Unmatched, "{internet:#?}");
    assert!(
        internet
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("source: public network") && n.contains("192.0.2.1")),
        "{internet:#?}"
    );
    assert!(unmatched.iter().any(|f| {
        f.unmatched
            .as_deref()
            .is_some_and(|r| r.contains("worker-1"))
    }));
    // The named network set and a plain address resolve.
    let psp = find(&report, "payments-api/", "psp-egress", 443);
    assert_eq!(psp.change, Change::UnchangedAllow);
    let exfil = find(&report, "payments-api/", "198.51.100.66", 443);
    assert_eq!(exfil.after, Some(Verdict::Allow));
    assert_eq!(exfil.observed, Observed::Deny);
}

#[test]
fn rules_are_counted_and_unused_ones_listed() {
    let flows = sample("calico-enterprise-flows.jsonl");
    let report = impact(
        &set(estate()),
        &set(design()),
        &flows,
        ImpactOptions::default(),
    );
    let rule0 = report
        .rules
        .iter()
        .find(|r| r.policy == "postgres-ingress" && r.rule == 0)
        .unwrap();
    let kept = find(&report, "payments-api/", "payments-db/", 5432);
    assert_eq!((rule0.hits, rule0.flows), (kept.count, 1));
    assert!(
        report
            .unused
            .iter()
            .any(|u| u.policy == "postgres-ingress" && u.rule == 1)
    );
    assert!(
        !report
            .unused
            .iter()
            .any(|u| u.policy == "postgres-ingress" && u.rule == 0)
    );
    let staged = report
        .rules
        .iter()
        .find(|r| r.policy == "staged:deny-cross-env-v2")
        .unwrap();
    assert!(
        staged.hits > 0,
        "staged policies are counted in their staged walk"
    );
    let policy = report
        .policies
        .iter()
        .find(|p| p.policy == "postgres-ingress")
        .unwrap();
    assert_eq!(policy.hits, rule0.hits);
}

#[test]
fn identical_sets_change_nothing_and_every_format_agrees() {
    for name in [
        "calico-enterprise-flows.jsonl",
        "calico-felix-3.32-flows.jsonl",
        "goldmane-flows.json",
        "goldmane-emitter-flows.jsonl",
        "hubble-flows.jsonl",
        "flows.csv",
    ] {
        let flows = sample(name);
        let report = impact(
            &set(design()),
            &set(design()),
            &flows,
            ImpactOptions::default(),
        );
        let s = &report.summary;
        assert_eq!((s.broken, s.widened), (0, 0), "{name}");
        let broken = impact(
            &set(estate()),
            &set(design()),
            &flows,
            ImpactOptions::default(),
        );
        let f = find(&broken, "checkout-web/", "payments-db/", 5432);
        assert_eq!(f.change, Change::Broken, "{name}");
        assert!(broken.has(Change::Broken) && !report.has(Change::Broken));
    }
}

#[test]
fn suggestions_let_denied_flows_through() {
    let flows = sample("calico-enterprise-flows.jsonl");
    let mut imp = Impact::new(&set(estate()), &set(design()));
    let report = imp.run(&flows, ImpactOptions::default());
    let broken = find(&report, "checkout-web/", "payments-db/", 5432);
    let options = SuggestOptions {
        tier: "application".into(),
        order: Some(5.0),
        security_keys: Some(vec!["security.company.io/tier".into()]),
    };
    let suggestions = imp.suggest(&flows, broken.index, &options).unwrap();
    assert_eq!(
        suggestions.len(),
        1,
        "only the ingress side denies: {suggestions:#?}"
    );
    let s = &suggestions[0];
    assert!(s.lets_through);
    let p = &s.policy;
    assert_eq!(
        (p.metadata.namespace.as_deref(), p.spec.tier.as_deref()),
        (Some("payments-db"), Some("application"))
    );
    assert_eq!(
        p.spec.selector.as_deref(),
        Some("security.company.io/tier == \"database\"")
    );
    let rule = &p.spec.ingress[0];
    assert_eq!(
        rule.source.selector.as_deref(),
        Some("security.company.io/tier == \"frontend\"")
    );
    assert_eq!(
        rule.source.namespace_selector.as_deref(),
        Some("projectcalico.org/name == \"checkout-web\"")
    );
    assert_eq!(
        rule.destination.ports,
        [netpol_core::model::Port::Number(5432)]
    );
    // Allowed flows get no suggestion.
    let kept = find(&report, "payments-api/", "payments-db/", 5432);
    assert!(
        imp.suggest(&flows, kept.index, &options)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn explanations_and_renderings() {
    let flows = sample("calico-enterprise-flows.jsonl");
    let mut imp = Impact::new(&set(estate()), &set(design()));
    let report = imp.run(&flows, ImpactOptions { explain: true });
    let broken = find(&report, "checkout-web/", "payments-db/", 5432);
    assert!(
        broken
            .after_trace
            .as_ref()
            .is_some_and(|t| t["ingress"]["trace"].is_array())
    );
    let (before, after) = imp.explain(&flows, broken.index);
    assert_eq!(
        (before.unwrap().verdict, after.unwrap().verdict),
        (Verdict::Allow, Verdict::Deny)
    );
    let table = render_table(&report);
    assert!(
        table.contains("broken") && table.contains("ingress: end of tier application"),
        "{table}"
    );
    let md = render_markdown(&report);
    assert!(
        md.contains("#### Broken flows") && md.contains("`checkout-web/"),
        "{md}"
    );
    let json = serde_json::to_value(&report).unwrap();
    for key in ["import", "summary", "flows", "rules", "unused"] {
        assert!(json.get(key).is_some(), "{key}");
    }
    assert!(json["flows"][0]["protocol"].is_string());
    assert!(json["summary"]["broken"].is_u64());
}

#[test]
fn rows_sharing_an_evaluation_agree_with_their_own_walks() {
    // Denied Calico records name pods: several rows resolve to the same workloads and share one
    // evaluation per side. Each row must still get the verdict and decider of its own walk.
    let flows = sample("calico-enterprise-flows.jsonl");
    let mut imp = Impact::new(&set(estate()), &set(design()));
    let report = imp.run(&flows, ImpactOptions::default());
    let pods = report
        .flows
        .iter()
        .filter(|f| f.dst.starts_with("payments-db/payments-postgres-"))
        .count();
    assert!(pods >= 4, "one row per database pod: {pods}");
    for row in &report.flows {
        let (before, after) = imp.explain(&flows, row.index);
        assert_eq!(before.map(|e| e.verdict), row.before, "{row:?}");
        let after = after.map(|e| (e.verdict, e.egress.decided_by, e.ingress.decided_by));
        assert_eq!(
            after,
            row.after.map(|v| (
                v,
                row.after_decided_by["egress"].clone(),
                row.after_decided_by["ingress"].clone()
            )),
            "{row:?}"
        );
    }
    // Rule hits count rows, not shared evaluations.
    let rule0 = report
        .rules
        .iter()
        .find(|r| r.policy == "postgres-ingress" && r.rule == 0)
        .unwrap();
    let rows: Vec<_> = report
        .flows
        .iter()
        .filter(|f| f.src.starts_with("payments-api/") && f.dst.starts_with("payments-db/"))
        .collect();
    assert_eq!(rule0.flows, rows.len() as u64);
    assert_eq!(rule0.hits, rows.iter().map(|f| f.count).sum::<u64>());
}

#[test]
fn figures_count_and_word_the_report_once() {
    let flows = sample("calico-enterprise-flows.jsonl");
    let report = impact(
        &set(estate()),
        &set(design()),
        &flows,
        ImpactOptions::default(),
    );
    let s = &report.summary;
    let figures = ImpactFigures::from(&report);
    assert_eq!(
        (
            figures.broken as u64,
            figures.widened as u64,
            figures.unchanged_allow as u64,
            figures.unchanged_deny as u64
        ),
        (s.broken, s.widened, s.unchanged_allow, s.unchanged_deny)
    );
    assert_eq!(s.unchanged(), s.unchanged_allow + s.unchanged_deny);
    assert_eq!(
        s.line(),
        format!(
            "{} broken, {} widened, {} unchanged allow, {} unchanged deny, {} unmatched",
            s.broken, s.widened, s.unchanged_allow, s.unchanged_deny, s.unmatched
        )
    );
    assert!(render_table(&report).contains(&format!("summary: {};", s.line())));
    let changed = (s.broken + s.widened) as usize;
    assert_eq!(figures.examples.len(), changed.min(10), "{figures:#?}");
    assert!(
        figures
            .examples
            .iter()
            .all(|e| e.starts_with("broken: `") || e.starts_with("widened: `")),
        "{figures:#?}"
    );
    let broken = find(&report, "checkout-web/", "payments-db/", 5432);
    assert!(
        figures.examples.contains(&broken.describe()),
        "{figures:#?}"
    );
    assert!(
        broken.describe().contains("` TCP/5432 ("),
        "{}",
        broken.describe()
    );
    let mut one = broken.clone();
    one.count = 1;
    assert!(
        one.describe().ends_with("(1 connection)"),
        "{}",
        one.describe()
    );
    one.count = 2;
    assert!(
        one.describe().ends_with("(2 connections)"),
        "{}",
        one.describe()
    );
    assert!(
        figures
            .unused_rules
            .contains(&"`payments-db/application.postgres-ingress` ingress rule 1".to_owned()),
        "{figures:#?}"
    );
    assert_eq!(figures.unused_rules.len(), report.unused.len());
    assert!(render_markdown(&report).contains(&format!("- {}", figures.unused_rules[0])));
}

#[test]
fn changes_are_counted_by_namespace_pair() {
    let flows = sample("calico-enterprise-flows.jsonl");
    let report = impact(
        &set(estate()),
        &set(design()),
        &flows,
        ImpactOptions::default(),
    );
    let pairs = report.by_namespace_pair(&flows);
    assert_eq!(
        pairs.iter().map(|p| p.broken).sum::<u64>(),
        report.summary.broken
    );
    assert_eq!(
        pairs.iter().map(|p| p.widened).sum::<u64>(),
        report.summary.widened
    );
    assert!(
        pairs.windows(2).all(|w| w[0].changed() >= w[1].changed()),
        "{pairs:#?}"
    );
    let to_database = pairs
        .iter()
        .find(|p| p.src == "checkout-web" && p.dst == "payments-db")
        .expect("checkout-web to the database breaks");
    let broken_there = report
        .flows
        .iter()
        .filter(|f| {
            f.change == Change::Broken
                && f.src.starts_with("checkout-web/")
                && f.dst.starts_with("payments-db/")
        })
        .count() as u64;
    assert_eq!(to_database.broken, broken_there);
    assert!(broken_there > 0);
    assert_eq!(to_database.label(), "checkout-web → payments-db");
    assert_eq!(
        to_database.line(),
        format!(
            "{} broken, {} widened",
            to_database.broken, to_database.widened
        )
    );
    // Each pair once; an end outside the cluster is `(outside)`, never an empty name.
    assert!(pairs.iter().all(|p| !p.src.is_empty() && !p.dst.is_empty()));
    let mut keys: Vec<_> = pairs.iter().map(|p| (&p.src, &p.dst)).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), pairs.len());
}

#[test]
fn unmatched_reasons_are_counted_most_frequent_first() {
    let flows = sample("calico-enterprise-flows.jsonl");
    let report = impact(
        &set(estate()),
        &set(design()),
        &flows,
        ImpactOptions::default(),
    );
    let reasons = report.unmatched_reasons();
    assert_eq!(
        reasons.iter().map(|(_, n)| n).sum::<u64>(),
        report.summary.unmatched
    );
    assert!(reasons.windows(2).all(|w| w[0].1 >= w[1].1), "{reasons:#?}");
    assert!(
        reasons.iter().any(|(r, _)| r.contains("worker-1")),
        "{reasons:#?}"
    );
}

#[test]
fn suggest_all_gives_each_policy_once_for_the_broken_flows() {
    let flows = sample("calico-enterprise-flows.jsonl");
    let mut imp = Impact::new(&set(estate()), &set(design()));
    let report = imp.run(&flows, ImpactOptions::default());
    let sample_design = netpol_core::design::sample();
    let options = SuggestOptions::for_designs("application", [&sample_design]);
    assert!(
        options
            .security_keys
            .as_ref()
            .is_some_and(|keys| keys.iter().any(|k| k == "security.company.io/tier")),
        "{options:?}"
    );
    assert_eq!(
        SuggestOptions::for_designs("application", []).security_keys,
        None
    );
    let all = imp.suggest_all(&flows, &report, &options);
    for (i, s) in all.iter().enumerate() {
        assert!(
            !all[..i].iter().any(|o| o.policy == s.policy),
            "twice: {s:#?}"
        );
    }
    let broken = find(&report, "checkout-web/", "payments-db/", 5432);
    for s in imp.suggest(&flows, broken.index, &options).unwrap() {
        assert!(all.contains(&s), "{s:#?}");
    }
}

#[test]
fn suggestion_outcomes_are_worded_once() {
    use netpol_core::impact::{Suggestion, suggestions_outcome};
    assert_eq!(
        suggestions_outcome(&[]),
        Some("the design already allows this flow")
    );
    let policy = netpol_core::design::sample().policies[0].clone();
    let opening = |lets_through| Suggestion {
        direction: netpol_core::eval::Direction::Ingress,
        policy: policy.clone(),
        lets_through,
    };
    assert_eq!(suggestions_outcome(&[opening(true)]), None);
    assert_eq!(opening(true).note(), None);
    assert_eq!(
        suggestions_outcome(&[opening(true), opening(false)]),
        Some("added, but a deny in an earlier tier still wins for this flow")
    );
    assert_eq!(opening(false).note(), Some("an earlier tier still denies"));
}

/// A flow log names a workload the design does not list (its pods' labels only): the log gives no
/// container ports, so a named-port rule makes the after verdict undecidable — counted apart, with
/// the missing fact, never as broken or unchanged.
#[test]
fn named_ports_of_unlisted_workloads_are_undecidable_and_counted_apart() {
    let text = "src_namespace,src_name,src_labels,dst_namespace,dst_name,dst_labels,dst_ip,proto,dst_port,action,count
shop,web-1,app=web,shop,api-1,app=api,,TCP,9090,allow,4
shop,web-1,app=web,shop,api-1,app=api,,TCP,8080,allow,2
";
    let flows = import_bytes(text.as_bytes(), ImportOptions::default()).unwrap();
    let after = set(json!({
        "policies": [
            {"kind": "NetworkPolicy", "metadata": {"name": "allow-metrics", "namespace": "shop"},
             "spec": {"selector": "app == 'api'", "types": ["Ingress"],
                      "ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": ["metrics", 8080]}}]}}
        ]
    }));
    let report = impact(&set(json!({})), &after, &flows, ImpactOptions::default());
    assert_eq!(report.summary.undecidable, 1, "{:#?}", report.flows);
    let metrics = find(&report, "shop/", "shop/", 9090);
    assert_eq!(metrics.change, Change::Undecidable);
    assert_eq!(
        metrics.missing.as_deref(),
        Some("after: the container ports of shop/api-1 (named port `metrics`)")
    );
    // 8080 is numeric: decided.
    assert_eq!(
        find(&report, "shop/", "shop/", 8080).change,
        Change::UnchangedAllow
    );
    assert_eq!(report.summary.broken, 0);
    assert!(report.summary.line().ends_with(", 1 undecidable"));
    let md = render_markdown(&report);
    assert!(md.contains("#### Undecidable flows (1)"), "{md}");
    assert!(
        md.contains(
            "undecidable, depends on what the log does not give — after: the container ports"
        ),
        "{md}"
    );
}

/// The flow table's selection (both shells page through it): filters by change, port and either end's
/// namespace, ordered by connections, stable for equal counts.
#[test]
fn tables_select_filter_and_order_the_flows() {
    use netpol_core::impact::FlowQuery;
    let flows = sample("calico-enterprise-flows.jsonl");
    let report = impact(
        &set(estate()),
        &set(design()),
        &flows,
        ImpactOptions::default(),
    );
    let all = FlowQuery {
        descending: true,
        ..FlowQuery::default()
    };
    let order = report.select(&flows, &all);
    assert_eq!(order.len(), report.flows.len());
    assert!(
        order
            .windows(2)
            .all(|w| report.flows[w[0]].count >= report.flows[w[1]].count)
    );
    let ascending = report.select(
        &flows,
        &FlowQuery {
            descending: false,
            ..all.clone()
        },
    );
    assert!(
        ascending
            .windows(2)
            .all(|w| report.flows[w[0]].count <= report.flows[w[1]].count)
    );
    let broken = report.select(
        &flows,
        &FlowQuery {
            change: "broken".into(),
            ..all.clone()
        },
    );
    assert_eq!(broken.len() as u64, report.summary.broken);
    assert!(
        broken
            .iter()
            .all(|&i| report.flows[i].change == Change::Broken)
    );
    let postgres = report.select(
        &flows,
        &FlowQuery {
            port: Some(5432),
            ..all.clone()
        },
    );
    assert!(!postgres.is_empty() && postgres.iter().all(|&i| report.flows[i].port == Some(5432)));
    let payments = report.select(
        &flows,
        &FlowQuery {
            namespace: " payments ".into(),
            ..all
        },
    );
    assert!(!payments.is_empty());
    assert!(payments.iter().all(|&i| {
        let f = &report.flows[i];
        f.src.contains("payments") || f.dst.contains("payments")
    }));
}
