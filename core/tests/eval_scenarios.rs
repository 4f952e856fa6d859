//! Scenario tests of the evaluator, one per rule of Calico's semantics (`calico-semantics.md` §4–§8).
//! Every scenario also checks that the reference evaluator gives the same answer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::eval::reference::{RefDecided, Reference};
use netpol_core::eval::{
    DecidedBy, Endpoint, Evaluator, Flow, FlowVerdict, Verdict, WorkloadEndpoint,
};
use netpol_core::model::{Action, Protocol, ResourceSet};
use serde_json::{Value, json};

fn resources(v: Value) -> ResourceSet {
    serde_json::from_value(v).expect("test resources deserialize")
}

fn pod(ns: &str, name: &str, labels: Value, ip: &str) -> Value {
    json!({"kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": labels}, "ip": ip,
           "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}, {"name": "dns", "port": 53, "protocol": "UDP"}]})
}

fn gnp(name: &str, spec: Value) -> Value {
    json!({"kind": "GlobalNetworkPolicy", "metadata": {"name": name}, "spec": spec})
}

fn np(ns: &str, name: &str, spec: Value) -> Value {
    json!({"kind": "NetworkPolicy", "metadata": {"name": name, "namespace": ns}, "spec": spec})
}

fn endpoint(rs: &ResourceSet, name: &str) -> Endpoint {
    if let Ok(ip) = name.parse() {
        return Endpoint::outside(ip);
    }
    let all = WorkloadEndpoint::all_from(rs).expect("workloads");
    Endpoint::Workload(
        all.into_iter()
            .find(|w| w.display_name() == name)
            .expect("workload exists"),
    )
}

/// Evaluates with both evaluators, checks they agree, and returns the compiled verdict.
fn eval(
    rs: &ResourceSet,
    src: &str,
    dst: &str,
    protocol: Protocol,
    port: Option<u16>,
) -> (Evaluator, FlowVerdict) {
    let mut ev = Evaluator::new(rs).expect("compiles");
    let (s, d) = (endpoint(rs, src), endpoint(rs, dst));
    let flow = Flow {
        src: ev.intern(&s),
        dst: ev.intern(&d),
        protocol,
        port,
    };
    let v = ev.evaluate(&flow);
    let r = Reference::new(rs).evaluate(&s, &d, protocol, port);
    assert_eq!(v.enforced.verdict, r.verdict, "reference verdict");
    assert_eq!(
        v.staged.map(|s| s.verdict),
        r.staged,
        "reference staged verdict"
    );
    assert_eq!(
        RefDecided::of_compiled(&ev, &v.enforced.egress.decided_by),
        r.egress.1,
        "reference egress"
    );
    assert_eq!(
        RefDecided::of_compiled(&ev, &v.enforced.ingress.decided_by),
        r.ingress.1,
        "reference ingress"
    );
    (ev, v)
}

/// (policy display name, rule index, action) of a rule decision.
fn rule_of(ev: &Evaluator, d: &DecidedBy) -> Option<(String, u32, Action)> {
    match *d {
        DecidedBy::Rule {
            policy,
            rule,
            action,
        } => Some((ev.policy_key(policy)?.display_name(), rule, action)),
        _ => None,
    }
}

fn two_pods(policies: Value, extra: Value) -> ResourceSet {
    let mut v = json!({
        "workloads": [pod("shop", "web", json!({"app": "web"}), "10.0.0.1"), pod("shop", "db", json!({"app": "db"}), "10.0.0.2"),
                      pod("other", "web", json!({"app": "web"}), "10.0.1.1")],
        "policies": policies,
    });
    if let (Some(obj), Some(extra)) = (v.as_object_mut(), extra.as_object()) {
        for (k, val) in extra {
            obj.insert(k.clone(), val.clone());
        }
    }
    resources(v)
}

const TCP: Protocol = Protocol::Tcp;

#[test]
fn no_policy_means_the_profile_allows() {
    let rs = two_pods(json!([]), json!({}));
    let (_, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(5432));
    assert_eq!(v.verdict(), Verdict::Allow);
    assert_eq!(v.enforced.egress.decided_by, DecidedBy::Profile);
    assert_eq!(v.enforced.ingress.decided_by, DecidedBy::Profile);
    assert_eq!(v.staged, None);
    let (_, v) = eval(&rs, "203.0.113.7", "shop/db", TCP, Some(5432));
    assert_eq!(
        v.enforced.egress.decided_by,
        DecidedBy::None,
        "an outside source has no policy side"
    );
}

#[test]
fn both_egress_and_ingress_must_allow() {
    let egress_allow = np(
        "shop",
        "web-out",
        json!({"selector": "app == 'web'", "egress": [{"action": "Allow"}]}),
    );
    let ingress_closed = np(
        "shop",
        "db-in",
        json!({"selector": "app == 'db'", "types": ["Ingress"]}),
    );
    let rs = two_pods(json!([egress_allow, ingress_closed]), json!({}));
    let (ev, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(5432));
    assert_eq!(v.enforced.egress.verdict, Verdict::Allow);
    assert_eq!(
        rule_of(&ev, &v.enforced.egress.decided_by),
        Some(("web-out".into(), 0, Action::Allow))
    );
    assert_eq!(v.enforced.ingress.verdict, Verdict::Deny);
    assert!(matches!(
        v.enforced.ingress.decided_by,
        DecidedBy::EndOfTier { .. }
    ));
    assert_eq!(v.verdict(), Verdict::Deny);
}

#[test]
fn end_of_tier_denies_only_endpoints_a_policy_selected() {
    let tier = json!({"metadata": {"name": "security"}, "spec": {"order": 100}});
    let p = gnp(
        "db-only",
        json!({"tier": "security", "selector": "app == 'db'", "ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": [5432]}}]}),
    );
    let rs = two_pods(json!([p]), json!({"tiers": [tier]}));
    let (_, v) = eval(&rs, "shop/db", "shop/web", TCP, Some(8080));
    assert_eq!(
        v.verdict(),
        Verdict::Allow,
        "web is not selected: the security tier is skipped"
    );
    let (ev, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(8080));
    assert_eq!(v.verdict(), Verdict::Deny);
    match v.enforced.ingress.decided_by {
        DecidedBy::EndOfTier { tier } => assert_eq!(ev.tier_name(tier), Some("security")),
        other => panic!("expected end of tier, got {other:?}"),
    }
    let (_, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(5432));
    assert_eq!(v.verdict(), Verdict::Allow);
}

#[test]
fn pass_hands_over_to_the_next_tier() {
    let tier = json!({"metadata": {"name": "security"}, "spec": {"order": 100}});
    let pass = gnp(
        "pass-all",
        json!({"tier": "security", "selector": "all()", "ingress": [{"action": "Pass"}]}),
    );
    let knp = json!({"metadata": {"name": "db", "namespace": "shop"}, "spec": {"podSelector": {"matchLabels": {"app": "db"}},
        "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}]}});
    let rs = two_pods(
        json!([pass]),
        json!({"tiers": [tier], "kubernetes_policies": [knp]}),
    );
    let (ev, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(5432));
    assert_eq!(v.verdict(), Verdict::Allow);
    assert_eq!(
        rule_of(&ev, &v.enforced.ingress.decided_by),
        Some(("knp.default.db".into(), 0, Action::Allow))
    );
    let (_, v) = eval(&rs, "other/web", "shop/db", TCP, Some(5432));
    assert_eq!(
        v.verdict(),
        Verdict::Deny,
        "the KNP peer is namespaced: other/web is not in it"
    );
    let (_, v) = eval(&rs, "shop/db", "shop/web", TCP, Some(8080));
    assert_eq!(
        v.verdict(),
        Verdict::Allow,
        "Pass then no default-tier policy: profile allows"
    );
}

#[test]
fn tier_default_action_pass_continues() {
    let tier =
        json!({"metadata": {"name": "security"}, "spec": {"order": 100, "defaultAction": "Pass"}});
    let p = gnp(
        "db-5432",
        json!({"tier": "security", "selector": "app == 'db'", "ingress": [{"action": "Deny", "protocol": "TCP", "destination": {"ports": [22]}}]}),
    );
    let rs = two_pods(json!([p]), json!({"tiers": [tier]}));
    let (_, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(5432));
    assert_eq!(v.verdict(), Verdict::Allow);
    assert_eq!(v.enforced.ingress.decided_by, DecidedBy::Profile);
    let (_, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(22));
    assert_eq!(v.verdict(), Verdict::Deny);
}

#[test]
fn equal_orders_break_ties_by_name_then_namespace_then_kind() {
    let deny = gnp(
        "a-deny",
        json!({"order": 10, "selector": "app == 'db'", "ingress": [{"action": "Deny"}]}),
    );
    let allow = gnp(
        "b-allow",
        json!({"order": 10, "selector": "app == 'db'", "ingress": [{"action": "Allow"}]}),
    );
    let rs = two_pods(json!([allow.clone(), deny]), json!({}));
    let (ev, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(1));
    assert_eq!(
        rule_of(&ev, &v.enforced.ingress.decided_by),
        Some(("a-deny".into(), 0, Action::Deny))
    );
    let deny_later = gnp(
        "c-deny",
        json!({"order": 10, "selector": "app == 'db'", "ingress": [{"action": "Deny"}]}),
    );
    let rs = two_pods(json!([deny_later, allow]), json!({}));
    let (_, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(1));
    assert_eq!(v.verdict(), Verdict::Allow);
    // Same name and namespace, order 1000: "db/shop/KubernetesNetworkPolicy" < "db/shop/NetworkPolicy".
    let calico = np(
        "shop",
        "db",
        json!({"order": 1000, "selector": "app == 'db'", "ingress": [{"action": "Deny"}]}),
    );
    let knp = json!({"metadata": {"name": "db", "namespace": "shop"}, "spec": {"podSelector": {}, "ingress": [{}]}});
    let rs = two_pods(json!([calico]), json!({"kubernetes_policies": [knp]}));
    let (ev, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(1));
    assert_eq!(
        rule_of(&ev, &v.enforced.ingress.decided_by),
        Some(("knp.default.db".into(), 0, Action::Allow))
    );
}

#[test]
fn a_policy_without_order_comes_last() {
    let unordered = gnp(
        "a-unordered",
        json!({"selector": "app == 'db'", "ingress": [{"action": "Deny"}]}),
    );
    let ordered = gnp(
        "z-ordered",
        json!({"order": 5000, "selector": "app == 'db'", "ingress": [{"action": "Allow"}]}),
    );
    let rs = two_pods(json!([unordered, ordered]), json!({}));
    let (ev, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(1));
    assert_eq!(
        rule_of(&ev, &v.enforced.ingress.decided_by),
        Some(("z-ordered".into(), 0, Action::Allow))
    );
}

#[test]
fn log_records_and_continues() {
    let p = gnp(
        "log-then-deny",
        json!({"selector": "app == 'db'", "ingress": [{"action": "Log"}, {"action": "Deny", "protocol": "TCP"}]}),
    );
    let rs = two_pods(json!([p]), json!({}));
    let (ev, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(1));
    assert_eq!(
        rule_of(&ev, &v.enforced.ingress.decided_by),
        Some(("log-then-deny".into(), 1, Action::Deny))
    );
    let trace = ev.explain(&Flow {
        src: ev.workload("shop/web").expect("web"),
        dst: ev.workload("shop/db").expect("db"),
        protocol: TCP,
        port: Some(1),
    });
    assert_eq!(trace.ingress.tiers[0].policies[0].logged, vec![0]);
    let (_, v) = eval(&rs, "shop/web", "shop/db", Protocol::Udp, Some(1));
    assert!(
        matches!(v.enforced.ingress.decided_by, DecidedBy::EndOfTier { .. }),
        "Log alone does not decide"
    );
}

#[test]
fn staged_policies_give_a_second_verdict_only() {
    let staged = json!({"kind": "StagedGlobalNetworkPolicy", "metadata": {"name": "deny-db"},
        "spec": {"selector": "app == 'db'", "ingress": [{"action": "Deny"}]}});
    let rs = two_pods(json!([staged]), json!({}));
    let (_, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(5432));
    assert_eq!(v.verdict(), Verdict::Allow);
    assert_eq!(v.staged.map(|s| s.verdict), Some(Verdict::Deny));
    let (_, v) = eval(&rs, "shop/db", "shop/web", TCP, Some(8080));
    assert_eq!(v.staged, None, "no staged policy selects either end");
    let deleted = json!({"kind": "StagedGlobalNetworkPolicy", "metadata": {"name": "deny-db"},
        "spec": {"stagedAction": "Delete", "selector": "app == 'db'", "ingress": [{"action": "Deny"}]}});
    let rs = two_pods(json!([deleted]), json!({}));
    let (_, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(5432));
    assert_eq!(v.staged, None, "stagedAction Delete has no effect in OSS");
}

#[test]
fn kubernetes_policies_sit_in_the_default_tier_at_order_1000() {
    let knp = json!({"metadata": {"name": "db", "namespace": "shop"}, "spec": {"podSelector": {"matchLabels": {"app": "db"}}, "ingress": [{}]}});
    let before = np(
        "shop",
        "deny-first",
        json!({"order": 500, "selector": "app == 'db'", "ingress": [{"action": "Deny"}]}),
    );
    let rs = two_pods(
        json!([before]),
        json!({"kubernetes_policies": [knp.clone()]}),
    );
    let (ev, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(1));
    assert_eq!(
        rule_of(&ev, &v.enforced.ingress.decided_by),
        Some(("deny-first".into(), 0, Action::Deny))
    );
    let after = np(
        "shop",
        "deny-after",
        json!({"order": 1500, "selector": "app == 'db'", "ingress": [{"action": "Deny"}]}),
    );
    let rs = two_pods(json!([after]), json!({"kubernetes_policies": [knp]}));
    let (ev, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(1));
    assert_eq!(
        rule_of(&ev, &v.enforced.ingress.decided_by),
        Some(("knp.default.db".into(), 0, Action::Allow))
    );
    assert_eq!(
        ev.policy_tier(ev.policy_ids().next().expect("one")),
        Some("default")
    );
}

#[test]
fn a_kubernetes_policy_with_egress_rules_defaults_to_both_types() {
    let knp = json!({"metadata": {"name": "web", "namespace": "shop"}, "spec": {"podSelector": {"matchLabels": {"app": "web"}},
        "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}], "ports": [{"port": 5432}]}]}});
    let rs = two_pods(json!([]), json!({"kubernetes_policies": [knp]}));
    let (_, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(5432));
    assert_eq!(v.verdict(), Verdict::Allow);
    let (_, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(5433));
    assert_eq!(v.verdict(), Verdict::Deny);
    let (_, v) = eval(&rs, "shop/db", "shop/web", TCP, Some(8080));
    assert_eq!(
        v.verdict(),
        Verdict::Deny,
        "ingress is isolated too: policyTypes defaults to [Ingress, Egress]"
    );
}

#[test]
fn named_ports_resolve_against_the_destination() {
    let knp = json!({"metadata": {"name": "db", "namespace": "shop"}, "spec": {"podSelector": {"matchLabels": {"app": "db"}},
        "ingress": [{"ports": [{"port": "http"}]}]}});
    let rs = two_pods(json!([]), json!({"kubernetes_policies": [knp]}));
    let (_, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(8080));
    assert_eq!(v.verdict(), Verdict::Allow);
    let (_, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(9090));
    assert_eq!(v.verdict(), Verdict::Deny);
    let (_, v) = eval(&rs, "shop/web", "shop/db", Protocol::Udp, Some(8080));
    assert_eq!(v.verdict(), Verdict::Deny, "the named port is TCP");
    let egress = gnp(
        "to-dns-name",
        json!({"selector": "app == 'web'", "egress": [{"action": "Allow", "protocol": "UDP", "destination": {"ports": ["dns"]}}]}),
    );
    let rs = two_pods(json!([egress]), json!({}));
    let (_, v) = eval(&rs, "shop/web", "shop/db", Protocol::Udp, Some(53));
    assert_eq!(v.verdict(), Verdict::Allow);
    let (_, v) = eval(&rs, "shop/web", "8.8.8.8", Protocol::Udp, Some(53));
    assert_eq!(
        v.verdict(),
        Verdict::Deny,
        "outside addresses have no named ports"
    );
}

#[test]
fn not_nets_exclude_blocks() {
    let p = gnp(
        "egress-internet",
        json!({"selector": "app == 'web'", "egress": [{"action": "Allow", "destination": {"nets": ["0.0.0.0/0"], "notNets": ["10.0.0.0/8"]}}]}),
    );
    let rs = two_pods(json!([p]), json!({}));
    let (_, v) = eval(&rs, "shop/web", "8.8.8.8", TCP, Some(443));
    assert_eq!(v.verdict(), Verdict::Allow);
    let (_, v) = eval(&rs, "shop/web", "10.1.2.3", TCP, Some(443));
    assert_eq!(v.verdict(), Verdict::Deny);
    let (_, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(443));
    assert_eq!(
        v.verdict(),
        Verdict::Deny,
        "the pod IP 10.0.0.2 is in notNets"
    );
}

#[test]
fn rule_selectors_of_namespaced_policies_stay_in_their_namespace() {
    let scoped = np(
        "shop",
        "db-from-web",
        json!({"selector": "app == 'db'", "ingress": [{"action": "Allow", "source": {"selector": "app == 'web'"}}]}),
    );
    let rs = two_pods(json!([scoped]), json!({}));
    assert_eq!(
        eval(&rs, "shop/web", "shop/db", TCP, Some(1)).1.verdict(),
        Verdict::Allow
    );
    assert_eq!(
        eval(&rs, "other/web", "shop/db", TCP, Some(1)).1.verdict(),
        Verdict::Deny
    );
    let any_ns = np(
        "shop",
        "db-from-web",
        json!({"selector": "app == 'db'", "ingress": [{"action": "Allow", "source": {"selector": "app == 'web'", "namespaceSelector": "all()"}}]}),
    );
    let rs = two_pods(json!([any_ns]), json!({}));
    assert_eq!(
        eval(&rs, "other/web", "shop/db", TCP, Some(1)).1.verdict(),
        Verdict::Allow
    );
    let by_label = np(
        "shop",
        "db-from-web",
        json!({"selector": "app == 'db'", "ingress": [{"action": "Allow", "source": {"namespaceSelector": "kubernetes.io/metadata.name == 'other'"}}]}),
    );
    let rs = two_pods(json!([by_label]), json!({}));
    assert_eq!(
        eval(&rs, "other/web", "shop/db", TCP, Some(1)).1.verdict(),
        Verdict::Allow
    );
    assert_eq!(
        eval(&rs, "shop/web", "shop/db", TCP, Some(1)).1.verdict(),
        Verdict::Deny
    );
}

#[test]
fn only_an_omitted_selector_matches_the_internet() {
    let all = gnp(
        "from-all",
        json!({"selector": "app == 'db'", "ingress": [{"action": "Allow", "source": {"selector": "all()"}}]}),
    );
    let rs = two_pods(json!([all]), json!({}));
    assert_eq!(
        eval(&rs, "203.0.113.9", "shop/db", TCP, Some(1))
            .1
            .verdict(),
        Verdict::Deny
    );
    assert_eq!(
        eval(&rs, "shop/web", "shop/db", TCP, Some(1)).1.verdict(),
        Verdict::Allow
    );
    let not_sel = gnp(
        "not-web",
        json!({"selector": "app == 'db'", "ingress": [{"action": "Allow", "source": {"notSelector": "app == 'web'"}}]}),
    );
    let rs = two_pods(json!([not_sel]), json!({}));
    assert_eq!(
        eval(&rs, "203.0.113.9", "shop/db", TCP, Some(1))
            .1
            .verdict(),
        Verdict::Allow,
        "notSelector includes the internet"
    );
    assert_eq!(
        eval(&rs, "shop/web", "shop/db", TCP, Some(1)).1.verdict(),
        Verdict::Deny
    );
}

#[test]
fn network_sets_label_the_addresses_they_contain() {
    let set = json!({"metadata": {"name": "dns-servers", "labels": {"role": "dns"}}, "spec": {"nets": ["1.1.1.0/24"]}});
    let global = np(
        "shop",
        "to-dns",
        json!({"selector": "app == 'web'", "egress": [{"action": "Allow", "destination": {"selector": "role == 'dns'", "namespaceSelector": "global()"}}]}),
    );
    let rs = two_pods(json!([global]), json!({"network_sets": [set.clone()]}));
    assert_eq!(
        eval(&rs, "shop/web", "1.1.1.1", Protocol::Udp, Some(53))
            .1
            .verdict(),
        Verdict::Allow
    );
    assert_eq!(
        eval(&rs, "shop/web", "1.1.2.1", Protocol::Udp, Some(53))
            .1
            .verdict(),
        Verdict::Deny
    );
    let scoped = np(
        "shop",
        "to-dns",
        json!({"selector": "app == 'web'", "egress": [{"action": "Allow", "destination": {"selector": "role == 'dns'"}}]}),
    );
    let rs = two_pods(json!([scoped]), json!({"network_sets": [set.clone()]}));
    assert_eq!(
        eval(&rs, "shop/web", "1.1.1.1", Protocol::Udp, Some(53))
            .1
            .verdict(),
        Verdict::Deny,
        "a GlobalNetworkSet needs global()"
    );
    let from_gnp = gnp(
        "to-dns",
        json!({"selector": "app == 'web'", "egress": [{"action": "Allow", "destination": {"selector": "role == 'dns'"}}]}),
    );
    let rs = two_pods(json!([from_gnp]), json!({"network_sets": [set]}));
    assert_eq!(
        eval(&rs, "shop/web", "1.1.1.1", Protocol::Udp, Some(53))
            .1
            .verdict(),
        Verdict::Allow
    );
}

#[test]
fn service_accounts_match_by_name_and_labels() {
    let mut rs = two_pods(
        json!([np(
            "shop",
            "db-from-sa",
            json!({"selector": "app == 'db'", "ingress": [{"action": "Allow", "source": {"serviceAccounts": {"names": ["api"]}}}]})
        )]),
        json!({}),
    );
    rs.workloads[0].service_account = Some("api".into());
    assert_eq!(
        eval(&rs, "shop/web", "shop/db", TCP, Some(1)).1.verdict(),
        Verdict::Allow
    );
    rs.workloads[0].service_account = None;
    assert_eq!(
        eval(&rs, "shop/web", "shop/db", TCP, Some(1)).1.verdict(),
        Verdict::Deny
    );
    let by_name = np(
        "shop",
        "db-from-sa",
        json!({"selector": "app == 'db'", "ingress": [{"action": "Allow", "source": {"serviceAccounts": {"selector": "projectcalico.org/name == 'default'"}}}]}),
    );
    rs.policies = vec![serde_json::from_value(by_name).expect("policy")];
    assert_eq!(
        eval(&rs, "shop/web", "shop/db", TCP, Some(1)).1.verdict(),
        Verdict::Allow
    );
}

#[test]
fn types_default_from_the_rules() {
    let egress_only = gnp(
        "web-egress",
        json!({"selector": "app == 'web'", "egress": [{"action": "Deny", "protocol": "UDP"}]}),
    );
    let rs = two_pods(json!([egress_only]), json!({}));
    assert_eq!(
        eval(&rs, "shop/db", "shop/web", TCP, Some(1)).1.verdict(),
        Verdict::Allow,
        "ingress not affected"
    );
    assert_eq!(
        eval(&rs, "shop/web", "shop/db", TCP, Some(1)).1.verdict(),
        Verdict::Deny,
        "egress end of tier"
    );
    let empty = gnp("empty", json!({"selector": "app == 'web'"}));
    let rs = two_pods(json!([empty]), json!({}));
    assert_eq!(
        eval(&rs, "shop/db", "shop/web", TCP, Some(1)).1.verdict(),
        Verdict::Deny,
        "no rules at all: [Ingress]"
    );
    assert_eq!(
        eval(&rs, "shop/web", "shop/db", TCP, Some(1)).1.verdict(),
        Verdict::Allow
    );
}

#[test]
fn protocols_ip_versions_and_icmp() {
    let p = gnp(
        "udp-by-number",
        json!({"selector": "app == 'db'", "ingress": [
        {"action": "Deny", "ipVersion": 6},
        {"action": "Allow", "protocol": 17},
        {"action": "Allow", "protocol": "ICMP", "icmp": {"type": 8}},
        {"action": "Allow", "notProtocol": "TCP", "protocol": "SCTP"}]}),
    );
    let rs = two_pods(json!([p]), json!({}));
    assert_eq!(
        eval(&rs, "shop/web", "shop/db", Protocol::Udp, Some(53))
            .1
            .verdict(),
        Verdict::Allow
    );
    assert_eq!(
        eval(&rs, "shop/web", "shop/db", Protocol::Icmp, None)
            .1
            .verdict(),
        Verdict::Allow
    );
    assert_eq!(
        eval(&rs, "shop/web", "shop/db", Protocol::Sctp, Some(9))
            .1
            .verdict(),
        Verdict::Allow
    );
    assert_eq!(
        eval(&rs, "shop/web", "shop/db", TCP, Some(1)).1.verdict(),
        Verdict::Deny
    );
}

#[test]
fn policies_in_an_undeclared_tier_come_after_every_declared_one() {
    let ghost = gnp(
        "ghost-allow",
        json!({"tier": "ghost", "selector": "app == 'db'", "ingress": [{"action": "Allow"}]}),
    );
    let deny = gnp(
        "deny",
        json!({"selector": "app == 'db'", "ingress": [{"action": "Deny"}]}),
    );
    let rs = two_pods(json!([ghost, deny]), json!({}));
    let (ev, v) = eval(&rs, "shop/web", "shop/db", TCP, Some(1));
    assert_eq!(
        rule_of(&ev, &v.enforced.ingress.decided_by),
        Some(("deny".into(), 0, Action::Deny))
    );
}

#[test]
fn explanations_list_every_tier_and_policy() {
    let tier = json!({"metadata": {"name": "security"}, "spec": {"order": 100}});
    let pass = gnp(
        "pass-all",
        json!({"tier": "security", "selector": "all()", "ingress": [{"action": "Pass"}]}),
    );
    let deny = np(
        "shop",
        "db-closed",
        json!({"selector": "app == 'db'", "ingress": [{"action": "Allow", "protocol": "UDP"}]}),
    );
    let rs = two_pods(json!([pass, deny]), json!({"tiers": [tier]}));
    let (ev, _) = eval(&rs, "shop/web", "shop/db", TCP, Some(1));
    let flow = Flow {
        src: ev.workload("shop/web").expect("web"),
        dst: ev.workload("shop/db").expect("db"),
        protocol: TCP,
        port: Some(1),
    };
    let e = ev.explain(&flow);
    assert_eq!(e.verdict, Verdict::Deny);
    let tiers: Vec<&str> = e.ingress.tiers.iter().map(|t| t.tier.as_str()).collect();
    assert_eq!(tiers, ["security", "default"]);
    assert_eq!(e.ingress.tiers[1].policies[0].matched, None);
    let json = e.to_json();
    assert_eq!(
        json["ingress"]["decided_by"],
        json!({"kind": "end-of-tier", "tier": "default"})
    );
    assert_eq!(json["ingress"]["trace"][0]["outcome"], json!("pass"));
    assert_eq!(
        json["ingress"]["trace"][1]["policies"][0]["match"],
        json!("no-match")
    );
    assert_eq!(json["ingress"]["trace"][1]["outcome"], json!("end-of-tier"));
    assert!(e.to_text().contains("end of tier: deny"), "{}", e.to_text());
    let line = ev.verdict_json(&flow, &ev.evaluate(&flow));
    assert_eq!(line["verdict"], json!("deny"));
    assert_eq!(line["staged"], Value::Null);
    assert_eq!(line["egress"]["decided_by"], json!({"kind": "profile"}));
}
