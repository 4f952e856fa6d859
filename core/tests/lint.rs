//! Lint behaviour beyond a trigger and its near miss (those are fixture files: `lint_fixtures.rs`):
//! fixes, locations, configuration, shadowing over the design's endpoints, the sample and the
//! baseline lint clean.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::lint::{ChangeOp, Finding, LINTS, LintConfig, ids, lint_resources};
use netpol_core::model::ResourceSet;
use serde_json::{Value, json};

/// A resource set from its JSON form (`tiers`, `policies`, … as in `ResourceSet`).
fn set(value: Value) -> ResourceSet {
    serde_json::from_value(value).expect("test resource set")
}

fn policy(kind: &str, name: &str, namespace: Option<&str>, spec: Value) -> Value {
    let mut metadata = json!({"name": name});
    if let Some(ns) = namespace {
        metadata["namespace"] = json!(ns);
    }
    json!({"kind": kind, "metadata": metadata, "spec": spec})
}

fn gnp(name: &str, spec: Value) -> Value {
    policy("GlobalNetworkPolicy", name, None, spec)
}

fn np(name: &str, namespace: &str, spec: Value) -> Value {
    policy("NetworkPolicy", name, Some(namespace), spec)
}

fn tier(name: &str, order: Option<f64>, default_action: Option<&str>) -> Value {
    let mut spec = json!({});
    if let Some(o) = order {
        spec["order"] = json!(o);
    }
    if let Some(a) = default_action {
        spec["defaultAction"] = json!(a);
    }
    json!({"metadata": {"name": name}, "spec": spec})
}

fn dns_rules() -> Value {
    json!([
        {"action": "Allow", "protocol": "UDP", "destination": {"selector": "k8s-app == 'kube-dns'", "ports": [53]}},
        {"action": "Allow", "protocol": "TCP", "destination": {"selector": "k8s-app == 'kube-dns'", "ports": [53]}},
    ])
}

/// A sound baseline: security tier, DNS allowed first, a global default deny excluding the system
/// namespaces in the default tier.
fn baseline(mut extra_policies: Vec<Value>, extra_tiers: Vec<Value>) -> Value {
    let mut policies = vec![
        gnp(
            "allow-dns",
            json!({"tier": "security", "order": 100.0, "types": ["Egress"], "egress": dns_rules()}),
        ),
        gnp(
            "pass-rest",
            json!({"tier": "security", "order": 2000.0, "types": ["Ingress", "Egress"],
            "ingress": [{"action": "Pass"}], "egress": [{"action": "Pass"}]}),
        ),
        gnp(
            "default-deny",
            json!({"order": 1000.0, "types": ["Ingress", "Egress"],
            "selector": "projectcalico.org/namespace not in {'calico-apiserver', 'calico-system', 'cattle-system', 'kube-node-lease', 'kube-public', 'kube-system', 'tigera-operator'}"}),
        ),
    ];
    policies.append(&mut extra_policies);
    let mut tiers = vec![tier("security", Some(100.0), None)];
    tiers.extend(extra_tiers);
    json!({"tiers": tiers, "policies": policies})
}

fn findings(value: Value) -> Vec<Finding> {
    lint_resources(&set(value), &LintConfig::default())
}

fn fired(findings: &[Finding], id: &str) -> bool {
    findings.iter().any(|f| f.id == id)
}

#[test]
fn the_baseline_is_clean() {
    let found = findings(baseline(vec![], vec![]));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn tier_order_tie() {
    // The implicit default tier has order 1,000,000.
    let hit = findings(baseline(
        vec![],
        vec![tier("late", Some(1_000_000.0), None)],
    ));
    assert!(fired(&hit, ids::TIER_ORDER_TIE), "{hit:#?}");
}

#[test]
fn pass_in_last_tier() {
    // Pass in an earlier tier is the normal hand-over.
    let pass_early = findings(baseline(vec![], vec![]));
    assert!(!fired(&pass_early, ids::PASS_IN_LAST_TIER));
}

#[test]
fn tier_prefix_mismatch() {
    // Kubernetes-derived names are formatted by Calico, not tier-prefixed.
    let knp = findings(baseline(
        vec![np(
            "knp.default.web",
            "shop",
            json!({"order": 1000.0, "ingress": [{"action": "Allow"}]}),
        )],
        vec![],
    ));
    assert!(!fired(&knp, ids::TIER_PREFIX_MISMATCH));
}

#[test]
fn name_order_mismatch() {
    let hit = findings(baseline(
        vec![gnp(
            "100-x",
            json!({"tier": "security", "ingress": [{"action": "Allow"}]}),
        )],
        vec![],
    ));
    let f = hit
        .iter()
        .find(|f| f.id == ids::NAME_ORDER_MISMATCH)
        .expect("fires without an order");
    assert_eq!(f.fix.changes[0].path, "/spec/order");
    assert_eq!(f.fix.changes[0].value, Some(json!(100.0)));
}

#[test]
fn dns_udp_only() {
    let udp_only = json!([{"action": "Allow", "protocol": "UDP", "destination": {"ports": [53]}}]);
    let mut hit = baseline(vec![], vec![]);
    hit["policies"][0]["spec"]["egress"] = udp_only;
    let found = findings(hit);
    let f = found
        .iter()
        .find(|f| f.id == ids::DNS_UDP_ONLY)
        .expect("fires");
    assert_eq!(f.fix.changes[0].op, ChangeOp::Add);
    assert_eq!(
        f.fix.changes[0]
            .value
            .as_ref()
            .and_then(|v| v.get("protocol")),
        Some(&json!("TCP"))
    );
    // A port range that includes 53 on UDP counts as a DNS allow too.
    let mut range = baseline(vec![], vec![]);
    range["policies"][0]["spec"]["egress"] =
        json!([{"action": "Allow", "protocol": "UDP", "destination": {"ports": ["1:1024"]}}]);
    assert!(fired(&findings(range), ids::DNS_UDP_ONLY));
}

#[test]
fn every_lint_id_is_kebab_case_and_unique() {
    let mut seen = std::collections::BTreeSet::new();
    for lint in LINTS {
        assert!(
            lint.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{}",
            lint.id
        );
        assert!(seen.insert(lint.id), "duplicate {}", lint.id);
    }
}

#[test]
fn lints_can_be_turned_off() {
    let hit = set(baseline(vec![], vec![tier("platform", Some(100.0), None)]));
    assert!(fired(
        &lint_resources(&hit, &LintConfig::default()),
        ids::TIER_ORDER_TIE
    ));
    let config = LintConfig::default().allow(ids::TIER_ORDER_TIE);
    assert!(!fired(&lint_resources(&hit, &config), ids::TIER_ORDER_TIE));
}

fn workload(name: &str, namespace: &str, labels: Value) -> Value {
    json!({"kind": "Deployment", "metadata": {"name": name, "namespace": namespace, "labels": labels}})
}

fn without_policy(mut value: Value, name: &str) -> Value {
    if let Some(list) = value["policies"].as_array_mut() {
        list.retain(|p| p["metadata"]["name"] != json!(name));
    }
    value
}

#[test]
fn no_global_default_deny() {
    // A deny scoped to one environment's namespaces is not global.
    let mut scoped = without_policy(baseline(vec![], vec![]), "default-deny");
    scoped["policies"].as_array_mut().unwrap().push(gnp("deny-prod", json!({"order": 1000.0, "types": ["Ingress", "Egress"], "namespaceSelector": "env == 'prod'"})));
    scoped["namespaces"] = json!([{"metadata": {"name": "shop", "labels": {"env": "prod"}}}, {"metadata": {"name": "lab", "labels": {"env": "dev"}}}]);
    assert!(fired(
        &findings(scoped.clone()),
        ids::NO_GLOBAL_DEFAULT_DENY
    ));
    scoped["namespaces"][1]["metadata"]["labels"]["env"] = json!("prod");
    assert!(!fired(&findings(scoped), ids::NO_GLOBAL_DEFAULT_DENY));
}

#[test]
fn default_deny_selects_system_namespaces() {
    let mut hit = baseline(vec![], vec![]);
    hit["policies"][2]["spec"]["selector"] = json!("all()");
    let found = findings(hit);
    let f = found
        .iter()
        .find(|f| f.id == ids::DEFAULT_DENY_SYSTEM_NAMESPACES)
        .unwrap();
    let fixed = f.fix.changes[0].value.clone().unwrap();
    assert!(fixed.as_str().unwrap().contains("not in"), "{fixed}");
    // Excluding only some of them is not enough.
    let mut partial = baseline(vec![], vec![]);
    partial["policies"][2]["spec"]["selector"] =
        json!("projectcalico.org/namespace != 'kube-system'");
    assert!(fired(
        &findings(partial),
        ids::DEFAULT_DENY_SYSTEM_NAMESPACES
    ));
}

#[test]
fn ingress_only_default_deny() {
    let mut hit = baseline(vec![], vec![]);
    hit["policies"][2]["spec"]["types"] = json!(["Ingress"]);
    let mut miss = hit.clone();
    miss["policies"].as_array_mut().unwrap().push(gnp(
        "deny-egress",
        json!({"order": 1001.0, "types": ["Egress"]}),
    ));
}

#[test]
fn namespace_without_default_deny() {
    let mut hit = baseline(vec![], vec![]);
    hit["policies"][2]["spec"]["selector"] = json!(
        "projectcalico.org/namespace not in {'calico-apiserver', 'calico-system', 'cattle-system', 'kube-node-lease', 'kube-public', 'kube-system', 'tigera-operator', 'shop'}"
    );
    hit["workloads"] = json!([
        workload("web", "shop", json!({"app": "web"})),
        workload("api", "bank", json!({"app": "api"}))
    ]);
    let mut miss = baseline(vec![], vec![]);
    miss["workloads"] = hit["workloads"].clone();
    let found = findings(hit);
    let hits: Vec<_> = found
        .iter()
        .filter(|f| f.id == ids::NAMESPACE_WITHOUT_DENY)
        .collect();
    assert_eq!(hits.len(), 1, "only `shop` is open: {hits:#?}");
    assert_eq!(hits[0].location.resource.name, "shop");
    // A Kubernetes policy selecting the pod covers it (implicit default-tier deny).
    let mut knp = baseline(vec![], vec![]);
    knp["policies"][2]["spec"]["selector"] = found_selector_excluding_shop();
    knp["workloads"] = json!([workload("web", "shop", json!({"app": "web"}))]);
    knp["kubernetes_policies"] = json!([{"metadata": {"name": "web", "namespace": "shop"}, "spec": {"podSelector": {"matchLabels": {"app": "web"}}}}]);
    assert!(!fired(&findings(knp), ids::NAMESPACE_WITHOUT_DENY));
}

fn found_selector_excluding_shop() -> Value {
    json!(
        "projectcalico.org/namespace not in {'calico-apiserver', 'calico-system', 'cattle-system', 'kube-node-lease', 'kube-public', 'kube-system', 'tigera-operator', 'shop'}"
    )
}

#[test]
fn default_deny_without_dns_sees_namespace_scoped_denies() {
    let mut hit = baseline(vec![], vec![]);
    hit["policies"][0]["spec"]["tier"] = json!("default");
    hit["policies"][0]["spec"]["order"] = json!(5000.0);
    assert!(fired(&findings(hit), ids::DEFAULT_DENY_WITHOUT_DNS));
}

/// Workloads of a small shop: web and api in `shop` (with named ports), db in `data`.
fn shop_workloads() -> Value {
    json!([
        {"kind": "Deployment", "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web", "env": "prod"}},
         "ip": "192.168.1.10", "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]},
        {"kind": "Deployment", "metadata": {"name": "api", "namespace": "shop", "labels": {"app": "api", "env": "prod"}},
         "ip": "192.168.1.11", "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]},
        {"kind": "Deployment", "metadata": {"name": "db", "namespace": "data", "labels": {"app": "db", "env": "dev"}},
         "ip": "192.168.1.12"},
    ])
}

fn shop(policies: Vec<Value>, tiers: Vec<Value>) -> Value {
    let mut value = baseline(policies, tiers);
    value["workloads"] = shop_workloads();
    value
}

fn shadowed(value: Value) -> Vec<String> {
    findings(value)
        .into_iter()
        .filter(|f| f.id == ids::SHADOWED_RULE)
        .map(|f| {
            format!(
                "{}:{}",
                f.location.resource.name,
                f.location.rule.map_or(usize::MAX, |r| r.index)
            )
        })
        .collect()
}

#[test]
fn shadowed_rule_after_a_catch_all_in_the_same_policy() {
    let p = |first: Value| {
        gnp(
            "web-in",
            json!({"tier": "security", "order": 10.0, "selector": "app == 'web'",
        "ingress": [first, {"action": "Allow", "protocol": "TCP", "destination": {"ports": [8080]}}]}),
        )
    };
    assert_eq!(
        shadowed(shop(vec![p(json!({"action": "Deny"}))], vec![])),
        vec!["web-in:1"]
    );
    assert!(
        shadowed(shop(
            vec![p(json!({"action": "Deny", "protocol": "UDP"}))],
            vec![]
        ))
        .is_empty()
    );
    // Log never decides.
    assert!(shadowed(shop(vec![p(json!({"action": "Log"}))], vec![])).is_empty());
}

#[test]
fn shadowed_rule_across_policies_and_port_ranges() {
    let earlier = gnp(
        "a-low-ports",
        json!({"tier": "security", "order": 10.0, "selector": "app == 'web'",
        "ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": ["1:1000"]}},
                    {"action": "Deny", "protocol": "TCP", "destination": {"ports": ["1001:65535"]}}]}),
    );
    let later = |protocol: &str| {
        gnp(
            "b-https",
            json!({"tier": "security", "order": 20.0, "selector": "app == 'web'",
        "ingress": [{"action": "Allow", "protocol": protocol, "destination": {"ports": [443, 8443]}}]}),
        )
    };
    assert_eq!(
        shadowed(shop(vec![earlier.clone(), later("TCP")], vec![])),
        vec!["b-https:0"]
    );
    assert!(shadowed(shop(vec![earlier, later("UDP")], vec![])).is_empty());
}

#[test]
fn shadowed_rule_reasons_over_the_designs_endpoints_not_text() {
    // Every labelled peer is dev or prod, so `has(env)` adds nothing after denying both.
    let deny = gnp(
        "a-deny-envs",
        json!({"tier": "security", "order": 10.0, "selector": "app == 'db'",
        "ingress": [{"action": "Deny", "source": {"selector": "env == 'dev'"}},
                    {"action": "Deny", "source": {"selector": "env == 'prod'"}}]}),
    );
    let allow = gnp(
        "b-allow-env",
        json!({"tier": "security", "order": 20.0, "selector": "app == 'db'",
        "ingress": [{"action": "Allow", "source": {"selector": "has(env)"}}]}),
    );
    assert_eq!(
        shadowed(shop(vec![deny.clone(), allow.clone()], vec![])),
        vec!["b-allow-env:0"]
    );
    let mut staging = shop(vec![deny, allow], vec![]);
    staging["workloads"].as_array_mut().unwrap().push(workload(
        "batch",
        "data",
        json!({"env": "staging"}),
    ));
    assert!(shadowed(staging).is_empty());
}

#[test]
fn shadowed_rule_by_an_earlier_tiers_end_of_tier_deny() {
    let guard = |last: Option<Value>| {
        let mut ingress = vec![json!({"action": "Allow", "source": {"selector": "app == 'api'"}})];
        ingress.extend(last);
        gnp(
            "db-guard",
            json!({"tier": "security", "order": 10.0, "selector": "app == 'db'", "ingress": ingress}),
        )
    };
    let app = gnp(
        "db-from-web",
        json!({"tier": "apps", "order": 10.0, "selector": "app == 'db'",
        "ingress": [{"action": "Allow", "source": {"selector": "app == 'web'"}}]}),
    );
    let tiers = || vec![tier("apps", Some(500.0), None)];
    // pass-rest in the baseline passes everything in `security`; remove it to let the tier end in Deny.
    let hit = without_policy(shop(vec![guard(None), app.clone()], tiers()), "pass-rest");
    assert_eq!(shadowed(hit), vec!["db-from-web:0"]);
    let miss = without_policy(
        shop(vec![guard(Some(json!({"action": "Pass"}))), app], tiers()),
        "pass-rest",
    );
    assert!(shadowed(miss).is_empty());
}

#[test]
fn shadowed_rule_with_cidrs_and_named_ports() {
    let deny_net = |cidr: &str| {
        gnp(
            "a-deny-net",
            json!({"tier": "security", "order": 10.0, "selector": "app == 'web'",
        "egress": [{"action": "Deny", "destination": {"nets": [cidr]}}]}),
        )
    };
    let allow_net = gnp(
        "b-allow-net",
        json!({"tier": "security", "order": 20.0, "selector": "app == 'web'",
        "egress": [{"action": "Allow", "destination": {"nets": ["10.1.0.0/16"]}}]}),
    );
    assert_eq!(
        shadowed(shop(
            vec![deny_net("10.0.0.0/8"), allow_net.clone()],
            vec![]
        )),
        vec!["b-allow-net:0"]
    );
    assert!(shadowed(shop(vec![deny_net("10.2.0.0/16"), allow_net], vec![])).is_empty());

    // `http` is 8080/TCP on both shop pods: allowing 8080 first leaves nothing for the named port.
    let by_number = gnp(
        "a-8080",
        json!({"tier": "security", "order": 10.0, "selector": "projectcalico.org/namespace == 'shop'",
        "ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": [8080]}}]}),
    );
    let by_name = gnp(
        "b-http",
        json!({"tier": "security", "order": 20.0, "selector": "projectcalico.org/namespace == 'shop'",
        "ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": ["http"]}}]}),
    );
    assert_eq!(
        shadowed(shop(vec![by_number.clone(), by_name.clone()], vec![])),
        vec!["b-http:0"]
    );
    let mut moved = shop(vec![by_number, by_name], vec![]);
    moved["workloads"][1]["ports"][0]["port"] = json!(9090);
    assert!(shadowed(moved).is_empty());
}

#[test]
fn same_order_conflict() {
    let allow = |order: f64| {
        gnp(
            "a-allow-web",
            json!({"tier": "security", "order": order, "selector": "app == 'web'",
        "ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": [8080]}}]}),
        )
    };
    let deny = |selector: &str| {
        gnp(
            "b-deny-web",
            json!({"tier": "security", "order": 10.0, "selector": selector,
        "ingress": [{"action": "Deny", "protocol": "TCP"}]}),
        )
    };
    // Same order, but no endpoint in common.
    assert!(!fired(
        &findings(shop(vec![allow(10.0), deny("app == 'db'")], vec![])),
        ids::SAME_ORDER_CONFLICT
    ));
    let found = findings(shop(vec![allow(10.0), deny("env == 'prod'")], vec![]));
    let f = found
        .iter()
        .find(|f| f.id == ids::SAME_ORDER_CONFLICT)
        .unwrap();
    assert_eq!(f.location.resource.name, "b-deny-web");
    assert_eq!(
        f.fix.changes[0].value,
        Some(json!(55.0)),
        "midway to allow-dns at 100"
    );
}

#[test]
fn broad_allow_ahead() {
    let broad = |source: Value| {
        gnp(
            "a-open",
            json!({"tier": "security", "order": 5.0, "selector": "projectcalico.org/namespace == 'shop'",
        "ingress": [{"action": "Allow", "source": source}]}),
        )
    };
    let specific = gnp(
        "b-web",
        json!({"tier": "security", "order": 20.0, "selector": "app == 'web'",
        "ingress": [{"action": "Allow", "source": {"selector": "app == 'api'"}}]}),
    );
    assert!(fired(
        &findings(shop(
            vec![broad(json!({"selector": "all()"})), specific.clone()],
            vec![]
        )),
        ids::BROAD_ALLOW_AHEAD
    ));
    assert!(fired(
        &findings(shop(
            vec![broad(json!({"nets": ["0.0.0.0/0"]})), specific.clone()],
            vec![]
        )),
        ids::BROAD_ALLOW_AHEAD
    ));
    // Broad, but nothing after it selects the same pods.
    let db_only = gnp(
        "b-db",
        json!({"tier": "security", "order": 20.0, "selector": "app == 'db'", "ingress": [{"action": "Allow"}]}),
    );
    assert!(!fired(
        &findings(shop(vec![broad(json!({})), db_only], vec![])),
        ids::BROAD_ALLOW_AHEAD
    ));
}

#[test]
fn selector_selects_nothing() {
    let p = |selector: &str, source: &str| {
        gnp(
            "x",
            json!({"tier": "security", "order": 5.0, "selector": selector,
        "ingress": [{"action": "Allow", "source": {"selector": source}}]}),
        )
    };
    let nothing = |value: Value| {
        findings(value)
            .into_iter()
            .filter(|f| f.id == ids::SELECTOR_SELECTS_NOTHING && f.location.resource.name == "x")
            .collect::<Vec<_>>()
    };
    assert_eq!(
        nothing(shop(vec![p("app == 'wbe'", "app == 'api'")], vec![])).len(),
        1
    );
    let rule = nothing(shop(vec![p("app == 'web'", "app == 'apii'")], vec![]));
    assert_eq!(rule.len(), 1);
    assert!(rule[0].location.rule.is_some());
    assert!(nothing(shop(vec![p("app == 'web'", "app == 'api'")], vec![])).is_empty());
    // A NetworkPolicy rule only sees its own namespace: `db` lives in `data`.
    let scoped = |ns_sel: Option<&str>| {
        let mut source = json!({"selector": "app == 'db'"});
        if let Some(s) = ns_sel {
            source["namespaceSelector"] = json!(s);
        }
        np(
            "x",
            "shop",
            json!({"order": 5.0, "selector": "app == 'web'", "ingress": [{"action": "Allow", "source": source}]}),
        )
    };
    assert_eq!(nothing(shop(vec![scoped(None)], vec![])).len(), 1);
    assert!(nothing(shop(vec![scoped(Some("all()"))], vec![])).is_empty());
}

#[test]
fn shadowing_is_never_claimed_when_an_unknown_pod_ip_could_fall_in_the_cidr() {
    let deny_net = gnp(
        "a-deny-net",
        json!({"tier": "security", "order": 10.0, "selector": "app == 'web'",
        "egress": [{"action": "Deny", "destination": {"nets": ["10.0.0.0/8"]}}]}),
    );
    let allow_net = gnp(
        "b-allow-net",
        json!({"tier": "security", "order": 20.0, "selector": "app == 'web'",
        "egress": [{"action": "Allow", "destination": {"nets": ["10.1.0.0/16"]}}]}),
    );
    let mut value = shop(vec![deny_net, allow_net], vec![]);
    for w in value["workloads"].as_array_mut().unwrap() {
        w.as_object_mut().unwrap().remove("ip");
    }
    // 10.1/16 is still inside 10/8 for every address, pod or not: shadowed either way.
    assert_eq!(shadowed(value.clone()), vec!["b-allow-net:0"]);
    // But a pod selector after a CIDR deny is not: the pods' addresses are unknown.
    value["policies"][3]["spec"]["egress"][0]["destination"] = json!({"selector": "app == 'api'"});
    value["policies"][4]["spec"]["egress"][0]["destination"] = json!({"selector": "app == 'api'"});
    value["policies"][4]["spec"]["egress"][0]["action"] = json!("Allow");
    value["policies"][3]["spec"]["egress"][0]["destination"] = json!({"nets": ["10.0.0.0/8"]});
    assert!(shadowed(value).is_empty());
}

#[test]
fn the_sample_design_lints_clean() {
    let design = netpol_core::design::sample();
    assert!(!design.policies.is_empty(), "the sample loads");
    let found = netpol_core::lint::lint_design(&design, &design.lint);
    let shown: Vec<String> = found
        .iter()
        .map(|f| {
            format!(
                "{}[{}] {:?}: {}",
                f.severity, f.id, f.location.rule, f.message
            )
        })
        .collect();
    assert!(found.is_empty(), "{}", shown.join("\n"));
}

fn design_findings(design: &netpol_core::design::Design) -> Vec<Finding> {
    netpol_core::lint::lint_design(design, &LintConfig::default())
}

#[test]
fn no_cross_environment_guardrail() {
    let sample = netpol_core::design::sample();
    assert!(!fired(
        &design_findings(&sample),
        ids::NO_CROSS_ENVIRONMENT_GUARDRAIL
    ));
    let mut without = sample.clone();
    without
        .policies
        .retain(|p| p.metadata.name != "deny-cross-environment");
    let found = design_findings(&without);
    let f = found
        .iter()
        .find(|f| f.id == ids::NO_CROSS_ENVIRONMENT_GUARDRAIL)
        .expect("fires without the guardrail");
    assert_eq!(f.fix.changes[0].resource.name, "deny-cross-environment");
    // One environment only: nothing to guard.
    let mut single = without.clone();
    single.environments.truncate(1);
    assert!(!fired(
        &design_findings(&single),
        ids::NO_CROSS_ENVIRONMENT_GUARDRAIL
    ));
}

#[test]
fn unknown_label_keys_and_values() {
    let sample = netpol_core::design::sample();
    let mut typo = sample.clone();
    let policy = typo
        .policies
        .iter_mut()
        .find(|p| {
            p.spec
                .selector
                .as_deref()
                .is_some_and(|s| s.contains("app.kubernetes.io/name"))
        })
        .expect("an app policy");
    let original = policy.spec.selector.clone().unwrap();
    policy.spec.selector =
        Some(original.replace("app.kubernetes.io/name", "app.kubernetes.io/nmae"));
    assert!(fired(&design_findings(&typo), ids::UNKNOWN_LABEL_KEY));
    assert!(!fired(&design_findings(&sample), ids::UNKNOWN_LABEL_KEY));

    let mut value = sample.clone();
    let guard = value
        .policies
        .iter_mut()
        .find(|p| p.metadata.name == "deny-cross-environment")
        .unwrap();
    guard.spec.ingress[0].source.namespace_selector =
        Some("security.company.io/environment == \"Dev\"".into());
    let found = design_findings(&value);
    let f = found
        .iter()
        .find(|f| f.id == ids::UNKNOWN_LABEL_VALUE)
        .expect("fires on a value outside the taxonomy");
    assert_eq!(
        f.fix.changes[0].path,
        "/spec/ingress/0/source/namespaceSelector"
    );
    assert!(
        f.fix.changes[0]
            .value
            .as_ref()
            .unwrap()
            .as_str()
            .unwrap()
            .contains("\"dev\""),
        "{:?}",
        f.fix
    );
    // A workload label outside the taxonomy.
    let mut label = sample.clone();
    label.namespaces[4].workloads[0]
        .labels
        .insert("team".into(), "payments".into());
    assert!(fired(&design_findings(&label), ids::UNKNOWN_LABEL_KEY));
}

#[test]
fn lint_config_round_trips_through_the_design_document() {
    let mut design = netpol_core::design::sample();
    design.lint = LintConfig::default().allow(ids::SHADOWED_RULE);
    let text = netpol_core::design::save(&design);
    assert!(text.contains("shadowed-rule"), "{text}");
    let back = netpol_core::design::load(&text).expect("loads");
    assert_eq!(back.lint, design.lint);
    assert!(!netpol_core::design::save(&netpol_core::design::sample()).contains("lint:"));
}

#[test]
fn staged_denies_allowed_flows() {
    let csv = "src_namespace,src_name,src_labels,dst_namespace,dst_name,dst_labels,dst_ip,proto,dst_port,action,count\n\
               shop,web,app=web;env=prod,shop,api,app=api;env=prod,,TCP,8080,allow,7\n";
    let flows =
        netpol_core::flows::import_bytes(csv.as_bytes(), Default::default()).expect("csv flows");
    let staged = |port: u16| {
        policy(
            "StagedGlobalNetworkPolicy",
            "lock-api",
            None,
            json!({"tier": "security", "order": 1.0,
        "selector": "app == 'api'", "types": ["Ingress"], "ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": [port]}}, {"action": "Deny"}]}),
        )
    };
    let run = |port: u16| {
        let mut value = shop(vec![staged(port)], vec![]);
        value = without_policy(value, "default-deny");
        netpol_core::lint::lint_flows(&set(value), &flows, &LintConfig::default())
    };
    let hit = run(9090);
    let f = hit
        .iter()
        .find(|f| f.id == ids::STAGED_DENIES_ALLOWED_FLOWS)
        .unwrap_or_else(|| panic!("fires: {hit:#?}"));
    assert_eq!(f.location.resource.name, "lock-api");
    assert!(f.message.contains("7 connection"), "{}", f.message);
    assert!(
        run(8080).is_empty(),
        "the staged policy allows what runs today"
    );
}
