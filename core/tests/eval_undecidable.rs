//! Verdicts that depend on a fact the input does not give (`cli.md`, "Verdicts may be undecidable"):
//! a table of `netpol eval` lines against one set of resources, each with the verdict the contract
//! prints and, when undecidable, the fact it names. Decided cases sit beside each undecidable one: a
//! fact that is missing but cannot change the answer leaves the verdict decided.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::eval::connectivity::{ConnectionState, Probes, connectivity};
use netpol_core::eval::flow_input::parse_flow_line;
use netpol_core::eval::{Evaluator, Verdict};
use netpol_core::model::ResourceSet;
use serde_json::{Value, json};

fn resources() -> ResourceSet {
    serde_json::from_value(json!({
        "ip_pools": [{"metadata": {"name": "pods"}, "spec": {"cidr": "10.42.0.0/16"}}],
        "tiers": [{"metadata": {"name": "security"}, "spec": {"order": 100}}],
        "policies": [
            // Ingress to api only on its named port `metrics`.
            {"kind": "NetworkPolicy", "metadata": {"name": "allow-metrics", "namespace": "shop"},
             "spec": {"selector": "app == 'api'", "types": ["Ingress"],
                      "ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": ["metrics"]}}]}},
            // batch may leave only from its /24 of the pod range.
            {"kind": "GlobalNetworkPolicy", "metadata": {"name": "egress-nets"},
             "spec": {"selector": "app == 'batch'", "types": ["Egress"],
                      "egress": [{"action": "Allow", "source": {"nets": ["10.42.7.0/24"]}}]}},
            // cron: the same /24 allow, then an allow for everything: the IP cannot change the answer.
            {"kind": "GlobalNetworkPolicy", "metadata": {"name": "cron-egress"},
             "spec": {"selector": "app == 'cron'", "types": ["Egress"],
                      "egress": [{"action": "Allow", "source": {"nets": ["10.42.7.0/24"]}},
                                 {"action": "Allow"}]}},
            // db admits the whole pod range (no cut) and denies one subnet first.
            {"kind": "NetworkPolicy", "metadata": {"name": "db-ingress", "namespace": "shop"},
             "spec": {"selector": "app == 'db'", "types": ["Ingress"],
                      "ingress": [{"action": "Deny", "source": {"nets": ["10.42.9.0/24"]}},
                                  {"action": "Allow", "source": {"nets": ["10.0.0.0/8"]}}]}},
            // quarantined pods are denied everything in an earlier tier: nothing later matters.
            {"kind": "GlobalNetworkPolicy", "metadata": {"name": "quarantine"},
             "spec": {"tier": "security", "order": 1, "selector": "quarantined == 'true'", "types": ["Ingress"],
                      "ingress": [{"action": "Deny"}]}},
            // cache admits everything but one subnet of the pod range.
            {"kind": "NetworkPolicy", "metadata": {"name": "cache-ingress", "namespace": "shop"},
             "spec": {"selector": "app == 'cache'", "types": ["Ingress"],
                      "ingress": [{"action": "Allow", "source": {"notNets": ["10.42.5.0/24"]}}]}},
            // agent may reach one subnet of the pod range only.
            {"kind": "GlobalNetworkPolicy", "metadata": {"name": "agent-egress"},
             "spec": {"selector": "app == 'agent'", "types": ["Egress"],
                      "egress": [{"action": "Allow", "destination": {"nets": ["10.42.20.0/24"]}}]}},
            // admin denies everything but its named UI port, then allows.
            {"kind": "NetworkPolicy", "metadata": {"name": "admin-ingress", "namespace": "shop"},
             "spec": {"selector": "app == 'admin'", "types": ["Ingress"],
                      "ingress": [{"action": "Deny", "protocol": "TCP", "destination": {"notPorts": ["admin-ui"]}},
                                  {"action": "Allow"}]}},
            // fetcher may reach one domain (Calico Enterprise's DNS policy).
            {"kind": "GlobalNetworkPolicy", "metadata": {"name": "fetcher-egress"},
             "spec": {"selector": "app == 'fetcher'", "types": ["Egress"],
                      "egress": [{"action": "Allow", "protocol": "TCP", "destination": {"domains": ["api.example.com"]}}]}},
            // A staged policy with a named port: only the staged verdict can be undecidable.
            {"kind": "StagedNetworkPolicy", "metadata": {"name": "staged-web", "namespace": "shop"},
             "spec": {"selector": "app == 'web'", "types": ["Ingress"],
                      "ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": ["http"]}}]}}
        ],
        // A Kubernetes policy with a named port, converted as Calico does.
        "kubernetes_policies": [{"metadata": {"name": "grafana", "namespace": "ops"},
            "spec": {"podSelector": {"matchLabels": {"app": "grafana"}},
                     "ingress": [{"ports": [{"port": "web"}]}]}}]
    }))
    .expect("resources")
}

/// (flow line, verdict, staged verdict, the missing fact's words or "" when decided).
const CASES: &[(&str, &str, Option<&str>, &str)] = &[
    // 1. Named port, destination ports not given: depends on them.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "web"}, "ip": "10.42.1.1"}, "dst": {"namespace": "shop", "labels": {"app": "api"}}, "protocol": "TCP", "port": 9090}"#,
        "undecidable",
        None,
        "the container ports of the workload {app=api} in shop (named port `metrics`)",
    ),
    // 2. Ports given without the name: decided, the rule does not match (as in Calico).
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "web"}, "ip": "10.42.1.1"}, "dst": {"namespace": "shop", "labels": {"app": "api"}, "ports": [{"name": "http", "port": 8080}]}, "protocol": "TCP", "port": 9090}"#,
        "deny",
        None,
        "",
    ),
    // 3. Ports given with the name on the flow's port: allowed.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "web"}, "ip": "10.42.1.1"}, "dst": {"namespace": "shop", "labels": {"app": "api"}, "ports": [{"name": "metrics", "port": 9090}]}, "protocol": "TCP", "port": 9090}"#,
        "allow",
        None,
        "",
    ),
    // 4. Ports not given, but the flow is UDP and the rule TCP: no named port can make it match.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "web"}, "ip": "10.42.1.1"}, "dst": {"namespace": "shop", "labels": {"app": "api"}}, "protocol": "UDP", "port": 9090}"#,
        "deny",
        None,
        "",
    ),
    // 5. Source nets inside the pod range, pod IP not given: depends on it.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "batch"}}, "dst": {"ip": "203.0.113.7"}, "protocol": "TCP", "port": 443}"#,
        "undecidable",
        None,
        "the pod IP of the workload {app=batch} in shop",
    ),
    // 6. The same with the IP given inside the /24: allowed.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "batch"}, "ip": "10.42.7.9"}, "dst": {"ip": "203.0.113.7"}, "protocol": "TCP", "port": 443}"#,
        "allow",
        None,
        "",
    ),
    // 7. ... and outside it: denied.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "batch"}, "ip": "10.42.8.9"}, "dst": {"ip": "203.0.113.7"}, "protocol": "TCP", "port": 443}"#,
        "deny",
        None,
        "",
    ),
    // 8. IP not given but every IP gives the same answer (a later allow-all): decided.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "cron"}}, "dst": {"ip": "203.0.113.7"}, "protocol": "TCP", "port": 443}"#,
        "allow",
        None,
        "",
    ),
    // 9. A deny for one subnet of the pod range before an allow of all of it: the source's IP decides.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "web"}}, "dst": {"namespace": "shop", "labels": {"app": "db"}, "ip": "10.42.3.3"}, "protocol": "TCP", "port": 5432}"#,
        "undecidable",
        None,
        "the pod IP of the workload {app=web} in shop",
    ),
    // 10. An earlier tier's deny wins whatever the ports and IPs are: decided.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "web"}}, "dst": {"namespace": "shop", "labels": {"app": "api", "quarantined": "true"}}, "protocol": "TCP", "port": 9090}"#,
        "deny",
        None,
        "",
    ),
    // 11. Only the staged policy has a named port: the enforced verdict is decided, the staged one
    // is not.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "batch"}, "ip": "10.42.7.1"}, "dst": {"namespace": "shop", "labels": {"app": "web"}, "ip": "10.42.2.2"}, "protocol": "TCP", "port": 8080}"#,
        "allow",
        Some("undecidable"),
        "",
    ),
    // 12. Both ends miss facts; the destination's ports decide (the source's IP cannot matter: web
    // has no egress policy).
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "web"}}, "dst": {"namespace": "shop", "labels": {"app": "api"}}, "protocol": "TCP", "port": 9090}"#,
        "undecidable",
        None,
        "the container ports of the workload {app=api} in shop (named port `metrics`)",
    ),
    // 14. notNets inside the pod range, the source's IP not given.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "web"}}, "dst": {"namespace": "shop", "labels": {"app": "cache"}, "ip": "10.42.3.4"}, "protocol": "TCP", "port": 6379}"#,
        "undecidable",
        None,
        "the pod IP of the workload {app=web} in shop",
    ),
    // 15. Destination nets inside the pod range, the destination's IP not given.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "agent"}, "ip": "10.42.1.2"}, "dst": {"namespace": "shop", "labels": {"app": "web"}}, "protocol": "TCP", "port": 8080}"#,
        "undecidable",
        // web is also selected by the staged policy: the staged verdict depends on it too.
        Some("undecidable"),
        "the pod IP of the workload {app=web} in shop",
    ),
    // 16. A Kubernetes NetworkPolicy's named port, the destination's ports not given.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "web"}, "ip": "10.42.1.1"}, "dst": {"namespace": "ops", "labels": {"app": "grafana"}}, "protocol": "TCP", "port": 3000}"#,
        "undecidable",
        None,
        "the container ports of the workload {app=grafana} in ops (named port `web`)",
    ),
    // 17. A named port in notPorts: whether the Deny applies depends on the ports.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "web"}, "ip": "10.42.1.1"}, "dst": {"namespace": "shop", "labels": {"app": "admin"}}, "protocol": "TCP", "port": 8443}"#,
        "undecidable",
        None,
        "the container ports of the workload {app=admin} in shop (named port `admin-ui`)",
    ),
    // 18. Two facts: the source's IP decides egress, the destination's ports decide ingress.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "batch"}}, "dst": {"namespace": "shop", "labels": {"app": "api"}}, "protocol": "TCP", "port": 9090}"#,
        "undecidable",
        None,
        "the pod IP of the workload {app=batch} in shop; the container ports of the workload {app=api} in shop (named port `metrics`)",
    ),
    // 19. Two IPs missing, only the destination's matters.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "agent"}}, "dst": {"namespace": "ops", "labels": {"app": "x"}}, "protocol": "UDP", "port": 53}"#,
        "undecidable",
        None,
        "the pod IP of the workload {app=x} in ops",
    ),
    // 20. A `domains` rule: whether the address is the domain's is not known here.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "fetcher"}, "ip": "10.42.1.3"}, "dst": {"ip": "203.0.113.7"}, "protocol": "TCP", "port": 443}"#,
        "undecidable",
        None,
        "`domains` are enforced by Calico Enterprise only",
    ),
    // 21. ... but a UDP flow cannot match the TCP rule, whatever the domain: decided.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "fetcher"}, "ip": "10.42.1.3"}, "dst": {"ip": "203.0.113.7"}, "protocol": "UDP", "port": 443}"#,
        "deny",
        None,
        "",
    ),
    // 13. ICMP carries no port: a named port cannot match.
    (
        r#"{"src": {"namespace": "shop", "labels": {"app": "web"}, "ip": "10.42.1.1"}, "dst": {"namespace": "shop", "labels": {"app": "api"}}, "protocol": "ICMP"}"#,
        "deny",
        None,
        "",
    ),
];

#[test]
fn eval_lines_say_undecidable_and_name_the_missing_fact() {
    let rs = resources();
    let (mut ev, errors) = Evaluator::build(&rs);
    assert!(errors.is_empty(), "{errors:?}");
    let mut undecidable = 0;
    let mut staged_undecidable = 0;
    for (i, (line, verdict, staged, missing)) in CASES.iter().enumerate() {
        let flow = parse_flow_line(&mut ev, &rs, line).expect("flow line");
        let out = ev.verdict_json(&flow, &ev.evaluate(&flow));
        let case = format!("case {}: {line}\n{out}", i + 1);
        assert_eq!(out["verdict"], json!(verdict), "{case}");
        assert_eq!(out["staged"], json!(staged), "{case}");
        if *staged == Some("undecidable") {
            staged_undecidable += 1;
        }
        if missing.is_empty() {
            assert!(out.get("missing").is_none(), "{case}");
        } else {
            undecidable += 1;
            assert_eq!(out["missing"], json!(missing), "{case}");
            // The side that depends on it says so too.
            let sides: Vec<&Value> = ["egress", "ingress"]
                .iter()
                .map(|s| &out[s])
                .filter(|s| s["verdict"] == "undecidable")
                .collect();
            assert!(!sides.is_empty(), "{case}");
            assert!(sides.iter().all(|s| s["missing"].is_string()), "{case}");
        }
    }
    assert!(undecidable + staged_undecidable >= 10);
}

#[test]
fn explanations_say_what_the_verdict_depends_on() {
    let rs = resources();
    let (mut ev, _) = Evaluator::build(&rs);
    let flow = parse_flow_line(&mut ev, &rs, CASES[0].0).expect("flow line");
    let e = ev.explain(&flow);
    assert!(e.missing.is_some());
    assert!(e.ingress.missing.is_some() && e.egress.missing.is_none());
    let text = e.to_text();
    assert!(text.starts_with("verdict: undecidable\n"), "{text}");
    assert!(text.contains("depends on the container ports"), "{text}");
    assert_eq!(e.to_json()["ingress"]["verdict"], json!("undecidable"));
}

/// Editing the policies rebuilds the worlds: a cut added later makes a verdict undecidable, and
/// removing it decides it again.
#[test]
fn edits_rebuild_the_worlds() {
    let mut rs = resources();
    rs.policies.retain(|p| p.metadata.name != "egress-nets");
    let (mut ev, _) = Evaluator::build(&rs);
    let flow = parse_flow_line(&mut ev, &rs, CASES[4].0).expect("flow line");
    assert!(!ev.evaluate(&flow).undecidable.any());
    let full = resources();
    let nets = full
        .policies
        .iter()
        .find(|p| p.metadata.name == "egress-nets")
        .unwrap();
    ev.update_calico_policy(nets).unwrap();
    let v = ev.evaluate(&flow);
    assert!(v.undecidable.enforced.verdict.src_ip, "{v:?}");
    assert_eq!(v.verdict(), Verdict::Deny, "the pod range as a whole");
}

#[test]
fn connectivity_lists_undecidable_connections_apart() {
    let rs: ResourceSet = serde_json::from_value(json!({
        "ip_pools": [{"metadata": {"name": "pods"}, "spec": {"cidr": "10.42.0.0/16"}}],
        "workloads": [
            {"kind": "Pod", "metadata": {"name": "batch", "namespace": "shop", "labels": {"app": "batch"}}},
            {"kind": "Pod", "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}}, "ip": "10.42.1.1",
             "ports": [{"port": 8080}]}
        ],
        "policies": [
            {"kind": "GlobalNetworkPolicy", "metadata": {"name": "egress-nets"},
             "spec": {"selector": "app == 'batch'", "types": ["Egress"],
                      "egress": [{"action": "Allow", "source": {"nets": ["10.42.7.0/24"]}}]}}
        ]
    }))
    .unwrap();
    let got = connectivity(&rs, &Probes::default()).unwrap();
    let batch_to_web: Vec<_> = got
        .iter()
        .filter(|c| c.src == "shop/batch" && c.dst == "shop/web")
        .collect();
    assert_eq!(batch_to_web.len(), 1, "{got:?}");
    assert_eq!(batch_to_web[0].state, ConnectionState::Undecidable);
    assert!(
        got.iter()
            .filter(|c| c.src != "shop/batch")
            .all(|c| c.state == ConnectionState::Allow)
    );
}

/// `staged-denies-allowed-flows` counts only flows whose verdicts are decided: a staged named-port
/// rule against a workload the log names but the resources do not list is not blamed on a guess,
/// while the same flow to a listed workload (ports known, no such port) is.
#[test]
fn the_staged_lint_does_not_count_undecidable_flows() {
    use netpol_core::flows::{ImportOptions, import_bytes};
    use netpol_core::lint::{LintConfig, lint_flows};
    let flows = "src_namespace,src_name,src_labels,dst_namespace,dst_name,dst_labels,dst_ip,proto,dst_port,action,count
shop,web-1,app=web,shop,api-1,app=api,,TCP,9090,allow,3
";
    let flows = import_bytes(flows.as_bytes(), ImportOptions::default()).unwrap();
    let staged = json!({"kind": "StagedNetworkPolicy", "metadata": {"name": "metrics-only", "namespace": "shop"},
        "spec": {"selector": "app == 'api'", "types": ["Ingress"],
                 "ingress": [{"action": "Allow", "protocol": "TCP", "destination": {"ports": ["metrics"]}}]}});
    let unlisted: ResourceSet =
        serde_json::from_value(json!({"policies": [staged.clone()]})).unwrap();
    assert!(lint_flows(&unlisted, &flows, &LintConfig::default()).is_empty());
    let listed: ResourceSet = serde_json::from_value(json!({
        "policies": [staged],
        "workloads": [{"kind": "Deployment", "metadata": {"name": "api-1", "namespace": "shop", "labels": {"app": "api"}},
                       "ports": [{"name": "http", "port": 8080}]}]
    }))
    .unwrap();
    let findings = lint_flows(&listed, &flows, &LintConfig::default());
    assert_eq!(findings.len(), 1, "{findings:#?}");
}
