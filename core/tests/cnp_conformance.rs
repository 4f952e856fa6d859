//! The network-policy-api conformance scenarios (kubernetes-sigs/network-policy-api `conformance/tests/`
//! on `main` for ClusterNetworkPolicy, `release-0.1` for AdminNetworkPolicy / BaselineAdminNetworkPolicy)
//! as tables: the suite's estate (four houses, two pods each), each scenario's policy, then its steps
//! in order — probes (client pod → server pod, protocol, port, reachable or not) and the edits the
//! suite makes between them (swapping two rules, rewriting a rule's ports as a named port).
//!
//! Transcribed: the Admin and Baseline tier TCP/UDP/SCTP ingress and egress scenarios, the named-port
//! scenarios, the priority field, the Admin + NetworkPolicy + Baseline integration and the inline CIDR
//! peers (20 scenarios). Not yet: `standard-gress-rules-combined` (Admin and Baseline).
//!
//! Every scenario runs twice: as a ClusterNetworkPolicy under Calico 3.32, and rewritten as the
//! AdminNetworkPolicy (or BaselineAdminNetworkPolicy) the v1alpha1 suite uses, under Calico 3.31. The
//! node-peer scenarios (`…EgressNodePeers`) need node IPs and host-network pods, which an estate of
//! workloads does not have: they are not transcribed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::eval::Evaluator;
use netpol_core::model::{
    AdminPort, AdminPortNumber, CalicoVersion, ClusterAction, ClusterEgressRule, ClusterPolicy,
    ClusterPolicyKind, ClusterProtocol, ClusterTier, Protocol, ResourceSet,
};
use serde_json::{Value, json};

/// `(house, pod name prefix)` of the suite's StatefulSets (`conformance/base/manifests.yaml`).
const HOUSES: [(&str, &str); 4] = [
    ("gryffindor", "harry-potter"),
    ("slytherin", "draco-malfoy"),
    ("hufflepuff", "cedric-diggory"),
    ("ravenclaw", "luna-lovegood"),
];

fn namespace(house: &str) -> String {
    format!("network-policy-conformance-{house}")
}

/// Two pods per house, each serving TCP 80 (`web`), 8080, UDP 53 (`dns`), 5353 and SCTP 9003, 9005.
fn estate() -> ResourceSet {
    let mut v = json!({"namespaces": [], "workloads": []});
    for (h, (house, prefix)) in HOUSES.iter().enumerate() {
        v["namespaces"].as_array_mut().expect("list").push(json!({
            "metadata": {"name": namespace(house), "labels": {"conformance-house": house}}
        }));
        for i in 0..2 {
            v["workloads"].as_array_mut().expect("list").push(json!({
                "kind": "Pod",
                "metadata": {"name": format!("{prefix}-{i}"), "namespace": namespace(house),
                             "labels": {"conformance-house": house}},
                "ip": format!("10.244.{h}.{}", i + 10),
                "ports": [
                    {"name": "web", "port": 80, "protocol": "TCP"},
                    {"port": 8080, "protocol": "TCP"},
                    {"name": "dns", "port": 53, "protocol": "UDP"},
                    {"port": 5353, "protocol": "UDP"},
                    {"port": 9003, "protocol": "SCTP"},
                    {"port": 9005, "protocol": "SCTP"},
                ],
            }));
        }
    }
    serde_json::from_value(v).expect("estate")
}

/// The full name of the pod `prefix-i` (`ns/name`).
fn pod(name: &str) -> String {
    let prefix = name.rsplit_once('-').map_or(name, |(p, _)| p);
    let house = HOUSES
        .iter()
        .find(|(_, p)| *p == prefix)
        .map(|(h, _)| *h)
        .unwrap_or_else(|| panic!("no house for pod {name}"));
    format!("{}/{name}", namespace(house))
}

fn house_selector(house: &str) -> Value {
    json!({"matchLabels": {"kubernetes.io/metadata.name": namespace(house)}})
}

/// One rule: action, peer house, and an optional `(protocol, port)`.
struct RuleSpec<'a> {
    name: String,
    action: &'a str,
    house: &'a str,
    port: Option<(&'a str, u16)>,
}

fn rule<'a>(action: &'a str, house: &'a str, port: Option<(&'a str, u16)>) -> RuleSpec<'a> {
    let what = port.map_or("everything".to_owned(), |(_, n)| format!("at-port-{n}"));
    RuleSpec {
        name: format!("{}-{house}-{what}", action.to_ascii_lowercase()),
        action,
        house,
        port,
    }
}

/// A ClusterNetworkPolicy of `tier` whose subject is a house's namespace, with rules in one direction.
fn cnp(
    name: &str,
    tier: &str,
    priority: u32,
    subject: &str,
    egress: bool,
    rules: &[RuleSpec<'_>],
) -> ClusterPolicy {
    let rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            let mut v = json!({"name": r.name, "action": r.action});
            v[if egress { "to" } else { "from" }] =
                json!([{"namespaces": house_selector(r.house)}]);
            if let Some((protocol, port)) = r.port {
                v["protocols"] = json!([{ protocol: {"destinationPort": {"number": port}} }]);
            }
            v
        })
        .collect();
    let mut spec = json!({"tier": tier, "priority": priority,
                          "subject": {"namespaces": house_selector(subject)}});
    spec[if egress { "egress" } else { "ingress" }] = Value::Array(rules);
    serde_json::from_value(
        json!({"kind": "ClusterNetworkPolicy", "metadata": {"name": name}, "spec": spec}),
    )
    .expect("policy")
}

/// The v1alpha1 policy the `release-0.1` suite uses for the same scenario: Admin → AdminNetworkPolicy,
/// Baseline → the BaselineAdminNetworkPolicy `default`; `Accept` → `Allow`; `protocols` → `ports`.
fn as_v1alpha1(policy: &ClusterPolicy) -> ClusterPolicy {
    let mut p = policy.clone();
    let baseline = p.spec.tier == Some(ClusterTier::Baseline);
    p.kind = if baseline {
        ClusterPolicyKind::BaselineAdminNetworkPolicy
    } else {
        ClusterPolicyKind::AdminNetworkPolicy
    };
    if baseline {
        p.metadata.name = "default".to_owned();
        p.spec.priority = None;
    }
    p.spec.tier = None;
    let action = |a: ClusterAction| {
        if a == ClusterAction::Accept {
            ClusterAction::Allow
        } else {
            a
        }
    };
    let port = |c: &ClusterProtocol| -> AdminPort {
        if let Some(name) = &c.destination_named_port {
            return AdminPort {
                named_port: Some(name.clone()),
                ..AdminPort::default()
            };
        }
        let (protocol, field) = [
            (Protocol::Tcp, &c.tcp),
            (Protocol::Udp, &c.udp),
            (Protocol::Sctp, &c.sctp),
        ]
        .into_iter()
        .find(|(_, f)| f.is_some())
        .expect("one protocol");
        let number = field
            .as_ref()
            .and_then(|f| f.destination_port.as_ref())
            .and_then(|d| d.number);
        AdminPort {
            port_number: Some(AdminPortNumber {
                protocol: Some(protocol),
                port: number.expect("a number"),
            }),
            ..AdminPort::default()
        }
    };
    for r in &mut p.spec.ingress {
        r.action = action(r.action);
        r.ports = r.protocols.drain(..).map(|c| port(&c)).collect();
    }
    for r in &mut p.spec.egress {
        r.action = action(r.action);
        r.ports = r.protocols.drain(..).map(|c| port(&c)).collect();
    }
    p
}

/// A step of a scenario.
enum Step {
    /// `client → server` over `protocol`/`port` is reachable (`true`) or not.
    Probe(&'static str, &'static str, &'static str, u16, bool),
    /// Swap rules `i` and `j` of the first policy's direction.
    Swap(usize, usize),
    /// Rewrite rule `i`'s ports (first policy) as the named port.
    Named(usize, &'static str),
    /// Set the action of rule `i` of policy `p` (`in` / `eg`).
    Action(usize, bool, usize, ClusterAction),
    /// Set the priority of policy `p`.
    Priority(usize, u32),
    /// Delete the Kubernetes NetworkPolicies.
    DropNetworkPolicies,
    /// Replace a house's namespace labels with `conformance-house: value`.
    Relabel(&'static str, &'static str),
    /// Put first in policy `p` an egress Accept to the `/32` of each pod.
    AcceptPodIps(usize, Vec<&'static str>),
}

fn action(text: &str) -> ClusterAction {
    match text {
        "Accept" => ClusterAction::Accept,
        "Deny" => ClusterAction::Deny,
        "Pass" => ClusterAction::Pass,
        other => panic!("`{other}` is not an action"),
    }
}

/// Parses the steps: `server S; C proto port yes|no; swap i j; named i NAME; action p in|eg i A;
/// priority p N; drop-np; relabel HOUSE VALUE; accept-ips p POD…`.
fn steps(text: &'static str) -> Vec<Step> {
    let mut server = "";
    let mut out = Vec::new();
    let n = |w: &str| -> usize { w.parse().expect("a number") };
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let words: Vec<&'static str> = part.split_whitespace().collect();
        match words[..] {
            ["server", s] => server = s,
            ["swap", i, j] => out.push(Step::Swap(n(i), n(j))),
            ["named", i, name] => out.push(Step::Named(n(i), name)),
            ["action", p, dir, i, a] => out.push(Step::Action(n(p), dir == "eg", n(i), action(a))),
            ["priority", p, v] => out.push(Step::Priority(n(p), n(v) as u32)),
            ["drop-np"] => out.push(Step::DropNetworkPolicies),
            ["relabel", house, value] => out.push(Step::Relabel(house, value)),
            ["accept-ips", p, ref pods @ ..] => out.push(Step::AcceptPodIps(n(p), pods.to_vec())),
            [client, protocol, port, expect] => out.push(Step::Probe(
                client,
                server,
                protocol,
                port.parse().expect("port"),
                match expect {
                    "yes" => true,
                    "no" => false,
                    other => panic!("`{other}` is not yes or no"),
                },
            )),
            _ => panic!("cannot read step `{part}`"),
        }
    }
    out
}

struct Scenario {
    name: &'static str,
    policies: Vec<ClusterPolicy>,
    /// Kubernetes NetworkPolicies beside them (YAML).
    network_policies: &'static str,
    egress: bool,
    steps: Vec<Step>,
}

/// The address of a suite pod (as [`estate`] gives it).
fn pod_ip(name: &str) -> String {
    let (prefix, index) = name.rsplit_once('-').expect("prefix-index");
    let h = HOUSES
        .iter()
        .position(|(_, p)| *p == prefix)
        .expect("house");
    format!("10.244.{h}.{}", index.parse::<u32>().expect("index") + 10)
}

/// Runs a scenario under `version`; returns the number of probes and the failed ones.
fn run(s: &Scenario, version: CalicoVersion, v1alpha1: bool) -> (usize, Vec<String>) {
    let mut policies: Vec<ClusterPolicy> = if v1alpha1 {
        s.policies.iter().map(as_v1alpha1).collect()
    } else {
        s.policies.clone()
    };
    let mut network_policies = netpol_core::design::import("np.yaml", s.network_policies)
        .resource_set()
        .kubernetes_policies;
    let mut relabelled: Vec<(&str, &str)> = Vec::new();
    let mut probes = 0;
    let mut failures = Vec::new();
    for step in &s.steps {
        match step {
            Step::Swap(i, j) if s.egress => policies[0].spec.egress.swap(*i, *j),
            Step::Swap(i, j) => policies[0].spec.ingress.swap(*i, *j),
            Step::Named(i, name) => {
                let named = ClusterProtocol {
                    destination_named_port: Some((*name).to_owned()),
                    ..ClusterProtocol::default()
                };
                let admin = AdminPort {
                    named_port: Some((*name).to_owned()),
                    ..AdminPort::default()
                };
                let policy = &mut policies[0];
                let (protocols, ports) = if s.egress {
                    let r = &mut policy.spec.egress[*i];
                    (&mut r.protocols, &mut r.ports)
                } else {
                    let r = &mut policy.spec.ingress[*i];
                    (&mut r.protocols, &mut r.ports)
                };
                if v1alpha1 {
                    *ports = vec![admin];
                } else {
                    *protocols = vec![named];
                }
            }
            Step::Action(p, egress, i, a) => {
                let a = if v1alpha1 && *a == ClusterAction::Accept {
                    ClusterAction::Allow
                } else {
                    *a
                };
                if *egress {
                    policies[*p].spec.egress[*i].action = a;
                } else {
                    policies[*p].spec.ingress[*i].action = a;
                }
            }
            Step::Priority(p, v) => policies[*p].spec.priority = Some(*v),
            Step::DropNetworkPolicies => network_policies.clear(),
            Step::Relabel(house, value) => relabelled.push((house, value)),
            Step::AcceptPodIps(p, pods) => {
                let networks: Vec<String> = pods
                    .iter()
                    .map(|pod| format!("{}/32", pod_ip(pod)))
                    .collect();
                let rule: ClusterEgressRule = serde_json::from_value(json!({
                    "name": "allow-egress-to-specific-podIPs",
                    "action": if v1alpha1 { "Allow" } else { "Accept" },
                    "to": [{"networks": networks}],
                }))
                .expect("rule");
                policies[*p].spec.egress.insert(0, rule);
            }
            Step::Probe(client, server, protocol, port, expected) => {
                probes += 1;
                let mut rs = estate();
                for (house, value) in &relabelled {
                    if let Some(ns) = rs
                        .namespaces
                        .iter_mut()
                        .find(|n| n.metadata.name == namespace(house))
                    {
                        ns.metadata.labels =
                            [("conformance-house".to_owned(), (*value).to_owned())].into();
                    }
                }
                rs.cluster_policies = policies.clone();
                rs.kubernetes_policies = network_policies.clone();
                rs.calico_version = Some(version);
                let mut ev = Evaluator::new(&rs).expect("compiles");
                let (src, dst) = (pod(client), pod(server));
                let flow = format!(
                    r#"{{"src": {{"ref": "{src}"}}, "dst": {{"ref": "{dst}"}}, "protocol": "{}", "port": {port}}}"#,
                    protocol.to_ascii_uppercase()
                );
                let flow = netpol_core::eval::flow_input::parse_flow_line(&mut ev, &rs, &flow)
                    .expect("flow");
                let allowed = ev.allows(&flow);
                if allowed != *expected {
                    failures.push(format!(
                        "{} ({version}): {client} → {server} {protocol}/{port}: expected {}, got {}",
                        s.name,
                        if *expected { "allow" } else { "deny" },
                        if allowed { "allow" } else { "deny" },
                    ));
                }
            }
        }
    }
    (probes, failures)
}

/// Policies written as ClusterNetworkPolicy YAML.
fn read_policies(text: &str) -> Vec<ClusterPolicy> {
    let input = netpol_core::design::import("cnp.yaml", text);
    assert_eq!(input.error_count(), 0, "{:?}", input.diagnostics);
    input.resource_set().cluster_policies
}

/// The Admin-tier single-protocol scenarios (`standard-{ingress,egress}-{tcp,udp,sctp}-rules`): accept,
/// deny and pass everything from a first house; deny and pass a second house at a port; accept a third
/// house at a port and deny it the rest.
#[allow(clippy::too_many_arguments)]
fn admin_family(
    name: &'static str,
    priority: u32,
    subject: &str,
    egress: bool,
    protocol: &str,
    first: &str,
    port_s: u16,
    third: &str,
    port_h: u16,
    script: &'static str,
) -> Scenario {
    let rules = [
        rule("Accept", first, None),
        rule("Deny", first, None),
        rule("Pass", first, None),
        rule("Deny", "slytherin", Some((protocol, port_s))),
        rule("Pass", "slytherin", Some((protocol, port_s))),
        rule("Accept", third, Some((protocol, port_h))),
        rule("Deny", third, None),
    ];
    Scenario {
        name,
        policies: vec![cnp(name, "Admin", priority, subject, egress, &rules)],
        network_policies: "",
        egress,
        steps: steps(script),
    }
}

/// The Baseline-tier single-protocol scenarios: as the Admin ones without the Pass rules.
#[allow(clippy::too_many_arguments)]
fn baseline_family(
    name: &'static str,
    subject: &str,
    egress: bool,
    protocol: &str,
    first: &str,
    port_s: u16,
    third: &str,
    port_h: u16,
    script: &'static str,
) -> Scenario {
    let rules = [
        rule("Accept", first, None),
        rule("Deny", first, None),
        rule("Deny", "slytherin", Some((protocol, port_s))),
        rule("Accept", third, Some((protocol, port_h))),
        rule("Deny", third, None),
    ];
    Scenario {
        name,
        policies: vec![cnp("default", "Baseline", 10, subject, egress, &rules)],
        network_policies: "",
        egress,
        steps: steps(script),
    }
}

fn scenarios() -> Vec<Scenario> {
    vec![
        admin_family("CNPAdminTierIngressTCP", 3, "gryffindor", false, "tcp", "ravenclaw", 80, "hufflepuff", 80,
            "server harry-potter-0; luna-lovegood-0 tcp 80 yes; luna-lovegood-1 tcp 8080 yes;
             server harry-potter-1; cedric-diggory-0 tcp 80 yes; cedric-diggory-1 tcp 8080 no;
             swap 0 1; luna-lovegood-0 tcp 80 no; luna-lovegood-1 tcp 8080 no;
             server harry-potter-0; draco-malfoy-0 tcp 80 no; draco-malfoy-1 tcp 8080 yes;
             swap 0 2; luna-lovegood-0 tcp 80 yes; luna-lovegood-1 tcp 8080 yes;
             swap 3 4; draco-malfoy-0 tcp 80 yes; draco-malfoy-1 tcp 8080 yes"),
        admin_family("CNPAdminTierIngressUDP", 4, "hufflepuff", false, "udp", "ravenclaw", 5353, "gryffindor", 53,
            "server cedric-diggory-0; luna-lovegood-0 udp 53 yes; luna-lovegood-1 udp 5353 yes;
             server cedric-diggory-1; harry-potter-0 udp 53 yes; harry-potter-1 udp 5353 no;
             swap 0 1; luna-lovegood-0 udp 53 no; luna-lovegood-1 udp 5353 no;
             server cedric-diggory-0; draco-malfoy-0 udp 5353 no; draco-malfoy-1 udp 53 yes;
             server cedric-diggory-1; swap 0 2; luna-lovegood-0 udp 5353 yes; luna-lovegood-1 udp 53 yes;
             server cedric-diggory-0; swap 3 4; draco-malfoy-0 udp 5353 yes; draco-malfoy-1 udp 53 yes"),
        admin_family("CNPAdminTierIngressSCTP", 5, "ravenclaw", false, "sctp", "gryffindor", 9003, "hufflepuff", 9003,
            "server luna-lovegood-0; harry-potter-0 sctp 9003 yes; harry-potter-1 sctp 9005 yes;
             server luna-lovegood-1; cedric-diggory-0 sctp 9003 yes; cedric-diggory-1 sctp 9005 no;
             swap 0 1; harry-potter-0 sctp 9003 no; harry-potter-1 sctp 9005 no;
             server luna-lovegood-0; draco-malfoy-0 sctp 9003 no; draco-malfoy-1 sctp 9005 yes;
             server luna-lovegood-1; swap 0 2; harry-potter-0 sctp 9003 yes; harry-potter-1 sctp 9005 yes;
             server luna-lovegood-0; swap 3 4; draco-malfoy-0 sctp 9003 yes; draco-malfoy-1 sctp 9005 yes"),
        admin_family("CNPAdminTierEgressTCP", 6, "gryffindor", true, "tcp", "ravenclaw", 80, "hufflepuff", 8080,
            "server luna-lovegood-0; harry-potter-0 tcp 80 yes; harry-potter-1 tcp 8080 yes;
             server cedric-diggory-1; harry-potter-0 tcp 8080 yes; harry-potter-1 tcp 80 no;
             server luna-lovegood-1; swap 0 1; harry-potter-0 tcp 80 no; harry-potter-1 tcp 8080 no;
             server draco-malfoy-0; harry-potter-0 tcp 80 no; harry-potter-1 tcp 8080 yes;
             server luna-lovegood-0; swap 0 2; harry-potter-0 tcp 80 yes; harry-potter-1 tcp 8080 yes;
             server draco-malfoy-0; swap 3 4; harry-potter-0 tcp 80 yes; harry-potter-1 tcp 8080 yes"),
        admin_family("CNPAdminTierEgressUDP", 7, "hufflepuff", true, "udp", "ravenclaw", 5353, "gryffindor", 53,
            "server luna-lovegood-0; cedric-diggory-0 udp 53 yes; cedric-diggory-1 udp 5353 yes;
             server harry-potter-1; cedric-diggory-0 udp 53 yes; cedric-diggory-1 udp 5353 no;
             server luna-lovegood-1; swap 0 1; cedric-diggory-0 udp 53 no; cedric-diggory-1 udp 5353 no;
             server draco-malfoy-0; cedric-diggory-0 udp 5353 no; cedric-diggory-1 udp 53 yes;
             server luna-lovegood-1; swap 0 2; cedric-diggory-0 udp 5353 yes; cedric-diggory-1 udp 53 yes;
             server draco-malfoy-0; swap 3 4; cedric-diggory-0 udp 5353 yes; cedric-diggory-1 udp 53 yes"),
        admin_family("CNPAdminTierEgressSCTP", 8, "ravenclaw", true, "sctp", "gryffindor", 9003, "hufflepuff", 9003,
            "server harry-potter-0; luna-lovegood-0 sctp 9003 yes; luna-lovegood-1 sctp 9005 yes;
             server cedric-diggory-1; luna-lovegood-0 sctp 9003 yes; luna-lovegood-1 sctp 9005 no;
             server harry-potter-1; swap 0 1; luna-lovegood-0 sctp 9003 no; luna-lovegood-1 sctp 9005 no;
             server draco-malfoy-0; luna-lovegood-0 sctp 9003 no; luna-lovegood-1 sctp 9005 yes;
             server harry-potter-1; swap 0 2; luna-lovegood-0 sctp 9003 yes; luna-lovegood-1 sctp 9005 yes;
             server draco-malfoy-0; swap 3 4; luna-lovegood-0 sctp 9003 yes; luna-lovegood-1 sctp 9005 yes"),
        admin_family("CNPAdminTierIngressNamedPort", 4, "hufflepuff", false, "udp", "ravenclaw", 5353, "gryffindor", 53,
            "server cedric-diggory-1; named 5 dns; harry-potter-0 udp 53 yes; harry-potter-1 udp 5353 no"),
        admin_family("CNPAdminTierEgressNamedPort", 6, "gryffindor", true, "tcp", "ravenclaw", 80, "hufflepuff", 8080,
            "server cedric-diggory-1; named 5 web; harry-potter-0 tcp 80 yes; harry-potter-1 tcp 8080 no"),
        baseline_family("CNPBaselineTierIngressTCP", "gryffindor", false, "tcp", "ravenclaw", 80, "hufflepuff", 80,
            "server harry-potter-0; luna-lovegood-0 tcp 80 yes; luna-lovegood-1 tcp 8080 yes;
             server harry-potter-1; cedric-diggory-0 tcp 80 yes; cedric-diggory-1 tcp 8080 no;
             swap 0 1; luna-lovegood-0 tcp 80 no; luna-lovegood-1 tcp 8080 no;
             server harry-potter-0; draco-malfoy-0 tcp 80 no; draco-malfoy-1 tcp 8080 yes"),
        baseline_family("CNPBaselineTierIngressUDP", "hufflepuff", false, "udp", "ravenclaw", 5353, "gryffindor", 53,
            "server cedric-diggory-0; luna-lovegood-0 udp 53 yes; luna-lovegood-1 udp 5353 yes;
             server cedric-diggory-1; harry-potter-0 udp 53 yes; harry-potter-1 udp 5353 no;
             swap 0 1; luna-lovegood-0 udp 53 no; luna-lovegood-1 udp 5353 no;
             server cedric-diggory-0; draco-malfoy-0 udp 5353 no; draco-malfoy-1 udp 53 yes"),
        baseline_family("CNPBaselineTierIngressSCTP", "ravenclaw", false, "sctp", "gryffindor", 9003, "hufflepuff", 9003,
            "server luna-lovegood-0; harry-potter-0 sctp 9003 yes; harry-potter-1 sctp 9005 yes;
             server luna-lovegood-1; cedric-diggory-0 sctp 9003 yes; cedric-diggory-1 sctp 9005 no;
             swap 0 1; harry-potter-0 sctp 9003 no; harry-potter-1 sctp 9005 no;
             server luna-lovegood-0; draco-malfoy-0 sctp 9003 no; draco-malfoy-1 sctp 9005 yes"),
        baseline_family("CNPBaselineTierEgressTCP", "gryffindor", true, "tcp", "ravenclaw", 80, "hufflepuff", 8080,
            "server luna-lovegood-0; harry-potter-0 tcp 80 yes; harry-potter-1 tcp 8080 yes;
             server cedric-diggory-1; harry-potter-0 tcp 8080 yes; harry-potter-1 tcp 80 no;
             server luna-lovegood-1; swap 0 1; harry-potter-0 tcp 80 no; harry-potter-1 tcp 8080 no;
             server draco-malfoy-0; harry-potter-0 tcp 80 no; harry-potter-1 tcp 8080 yes"),
        baseline_family("CNPBaselineTierEgressUDP", "hufflepuff", true, "udp", "ravenclaw", 5353, "gryffindor", 53,
            "server luna-lovegood-0; cedric-diggory-0 udp 53 yes; cedric-diggory-1 udp 5353 yes;
             server harry-potter-1; cedric-diggory-0 udp 53 yes; cedric-diggory-1 udp 5353 no;
             server luna-lovegood-1; swap 0 1; cedric-diggory-0 udp 53 no; cedric-diggory-1 udp 5353 no;
             server draco-malfoy-0; cedric-diggory-0 udp 5353 no; cedric-diggory-1 udp 53 yes"),
        baseline_family("CNPBaselineTierEgressSCTP", "ravenclaw", true, "sctp", "gryffindor", 9003, "hufflepuff", 9003,
            "server harry-potter-0; luna-lovegood-0 sctp 9003 yes; luna-lovegood-1 sctp 9005 yes;
             server cedric-diggory-1; luna-lovegood-0 sctp 9003 yes; luna-lovegood-1 sctp 9005 no;
             server harry-potter-1; swap 0 1; luna-lovegood-0 sctp 9003 no; luna-lovegood-1 sctp 9005 no;
             server draco-malfoy-0; luna-lovegood-0 sctp 9003 no; luna-lovegood-1 sctp 9005 yes"),
        baseline_family("CNPBaselineTierIngressNamedPort", "gryffindor", false, "tcp", "ravenclaw", 80, "hufflepuff", 80,
            "server harry-potter-1; named 3 web; cedric-diggory-0 tcp 80 yes; cedric-diggory-1 tcp 8080 no"),
        baseline_family("CNPBaselineTierEgressNamedPort", "hufflepuff", true, "udp", "ravenclaw", 5353, "gryffindor", 53,
            "server harry-potter-1; named 3 dns; cedric-diggory-0 udp 53 yes; cedric-diggory-1 udp 5353 no"),
        Scenario {
            name: "CNPAdminTierPriorityField",
            policies: read_policies(PRIORITY),
            network_policies: "",
            egress: false,
            steps: steps(
                "server harry-potter-0; draco-malfoy-0 tcp 80 no; draco-malfoy-1 tcp 8080 no;
                 server draco-malfoy-0; harry-potter-0 tcp 80 no; harry-potter-1 tcp 8080 no;
                 priority 1 40;
                 server harry-potter-0; draco-malfoy-0 tcp 80 yes; draco-malfoy-1 tcp 8080 yes;
                 server draco-malfoy-0; harry-potter-0 tcp 80 yes; harry-potter-1 tcp 8080 yes",
            ),
        },
        Scenario {
            name: "CNPAdminTierBaselineTierNetworkPolicyIntegration",
            policies: read_policies(INTEGRATION),
            network_policies: INTEGRATION_NP,
            egress: false,
            steps: steps(
                "server harry-potter-0; draco-malfoy-0 tcp 80 no; draco-malfoy-1 tcp 8080 no;
                 server draco-malfoy-0; harry-potter-0 tcp 80 no; harry-potter-1 tcp 8080 no;
                 action 0 in 0 Pass;
                 server harry-potter-0; draco-malfoy-0 tcp 80 yes; draco-malfoy-1 tcp 8080 yes;
                 action 0 eg 0 Pass;
                 server draco-malfoy-0; harry-potter-0 tcp 80 yes; harry-potter-1 tcp 8080 yes;
                 drop-np;
                 server harry-potter-0; draco-malfoy-0 tcp 80 no; draco-malfoy-1 tcp 8080 no;
                 server draco-malfoy-0; harry-potter-0 tcp 80 no; harry-potter-1 tcp 8080 no",
            ),
        },
        inline_cidr("CNPAdminTierEgressInlineCIDRPeers", "Admin", "inline-cidr-as-peers-example", 85,
            "{pods: {namespaceSelector: {matchLabels: {conformance-house: gryffindor}}, podSelector: {matchLabels: {conformance-house: gryffindor}}}}"),
        inline_cidr("CNPBaselineTierEgressInlineCIDRPeers", "Baseline", "default", 10,
            "{namespaces: {matchLabels: {kubernetes.io/metadata.name: network-policy-conformance-gryffindor}}}"),
    ]
}

/// `standard-priority-field.yaml`: a Deny at priority 50, a Pass at 60 (raised to 40 by the test),
/// and a baseline Accept, between gryffindor and slytherin both ways.
const PRIORITY: &str = "
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: priority-50-example}
spec:
  tier: Admin
  priority: 50
  subject: {pods: {namespaceSelector: {matchLabels: {conformance-house: gryffindor}}, podSelector: {matchLabels: {conformance-house: gryffindor}}}}
  ingress: [{name: deny-all-ingress-from-slytherin, action: Deny, from: [{pods: {namespaceSelector: {matchLabels: {conformance-house: slytherin}}, podSelector: {matchLabels: {conformance-house: slytherin}}}}]}]
  egress: [{name: deny-all-egress-to-slytherin, action: Deny, to: [{pods: {namespaceSelector: {matchLabels: {conformance-house: slytherin}}, podSelector: {matchLabels: {conformance-house: slytherin}}}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: old-priority-60-new-priority-40-example}
spec:
  tier: Admin
  priority: 60
  subject: {pods: {namespaceSelector: {matchLabels: {conformance-house: gryffindor}}, podSelector: {matchLabels: {conformance-house: gryffindor}}}}
  ingress: [{name: pass-all-ingress-from-slytherin, action: Pass, from: [{pods: {namespaceSelector: {matchLabels: {conformance-house: slytherin}}, podSelector: {matchLabels: {conformance-house: slytherin}}}}]}]
  egress: [{name: pass-all-egress-to-slytherin, action: Pass, to: [{pods: {namespaceSelector: {matchLabels: {conformance-house: slytherin}}, podSelector: {matchLabels: {conformance-house: slytherin}}}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: default}
spec:
  tier: Baseline
  priority: 10
  subject: {pods: {namespaceSelector: {matchLabels: {conformance-house: gryffindor}}, podSelector: {matchLabels: {conformance-house: gryffindor}}}}
  ingress: [{name: allow-all-ingress-from-slytherin, action: Accept, from: [{pods: {namespaceSelector: {matchLabels: {conformance-house: slytherin}}, podSelector: {matchLabels: {conformance-house: slytherin}}}}]}]
  egress: [{name: allow-all-egress-to-slytherin, action: Accept, to: [{pods: {namespaceSelector: {matchLabels: {conformance-house: slytherin}}, podSelector: {matchLabels: {conformance-house: slytherin}}}}]}]
";

/// `standard-anp-np-banp.yaml`: an Admin deny, a NetworkPolicy allow and a Baseline deny between
/// gryffindor and slytherin, both ways.
const INTEGRATION: &str = "
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: pass-example}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {conformance-house: gryffindor}}}
  ingress: [{name: deny-all-ingress-from-slytherin, action: Deny, from: [{namespaces: {matchLabels: {conformance-house: slytherin}}}]}]
  egress: [{name: deny-all-egress-to-slytherin, action: Deny, to: [{namespaces: {matchLabels: {conformance-house: slytherin}}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: default}
spec:
  tier: Baseline
  priority: 10
  subject: {namespaces: {matchLabels: {conformance-house: gryffindor}}}
  ingress: [{name: deny-all-ingress-from-slytherin, action: Deny, from: [{namespaces: {matchLabels: {conformance-house: slytherin}}}]}]
  egress: [{name: deny-all-egress-to-slytherin, action: Deny, to: [{namespaces: {matchLabels: {conformance-house: slytherin}}}]}]
";

const INTEGRATION_NP: &str = "
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-gress-from-to-slytherin-to-gryffindor, namespace: network-policy-conformance-gryffindor}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {conformance-house: slytherin}}}]}]
  egress: [{to: [{namespaceSelector: {matchLabels: {conformance-house: slytherin}}}]}]
";

/// `standard-egress-inline-cidr-rules.yaml` (both tiers): gryffindor may reach slytherin's pods and
/// nothing else (`networks: [0.0.0.0/0, ::/0]` denied); the suite then relabels slytherin's namespace
/// and puts first an Accept to two pods' addresses.
fn inline_cidr(
    name: &'static str,
    tier: &str,
    policy: &str,
    priority: u32,
    subject: &str,
) -> Scenario {
    let text = format!(
        "apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {{name: {policy}}}
spec:
  tier: {tier}
  priority: {priority}
  subject: {subject}
  egress:
  - {{name: allow-egress-to-slytherin, action: Accept, to: [{{pods: {{namespaceSelector: {{matchLabels: {{conformance-house: slytherin}}}}, podSelector: {{matchLabels: {{conformance-house: slytherin}}}}}}}}]}}
  - {{name: deny-egress-to-internet, action: Deny, to: [{{networks: [0.0.0.0/0, '::/0']}}]}}
"
    );
    Scenario {
        name,
        policies: read_policies(&text),
        network_policies: "",
        egress: true,
        steps: steps(
            "server luna-lovegood-0; harry-potter-1 tcp 80 no; harry-potter-1 udp 53 no; harry-potter-1 sctp 9003 no;
             server cedric-diggory-0; harry-potter-1 tcp 80 no; harry-potter-1 udp 53 no; harry-potter-1 sctp 9003 no;
             server draco-malfoy-0; harry-potter-1 tcp 80 yes; harry-potter-1 udp 53 yes; harry-potter-1 sctp 9003 yes;
             relabel slytherin denied-namespace-label;
             harry-potter-1 tcp 80 no; harry-potter-1 udp 53 no; harry-potter-1 sctp 9003 no;
             relabel slytherin slytherin;
             harry-potter-1 tcp 80 yes; harry-potter-1 udp 53 yes; harry-potter-1 sctp 9003 yes;
             accept-ips 0 luna-lovegood-0 cedric-diggory-0;
             server luna-lovegood-0; harry-potter-1 tcp 80 yes; harry-potter-1 udp 53 yes; harry-potter-1 sctp 9003 yes;
             server cedric-diggory-0; harry-potter-1 tcp 80 yes; harry-potter-1 udp 53 yes; harry-potter-1 sctp 9003 yes;
             server luna-lovegood-1; harry-potter-1 tcp 80 no; harry-potter-1 udp 53 no; harry-potter-1 sctp 9003 no;
             server cedric-diggory-1; harry-potter-1 tcp 80 no; harry-potter-1 udp 53 no; harry-potter-1 sctp 9003 no",
        ),
    }
}

#[test]
fn clusternetworkpolicy_conformance_on_calico_3_32() {
    let mut probes = 0;
    let mut failures = Vec::new();
    let all = scenarios();
    for s in &all {
        let (n, f) = run(s, CalicoVersion::V3_32, false);
        probes += n;
        failures.extend(f);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // 20 scenarios, 202 probes: the count fails loudly if a table loses rows.
    assert_eq!((all.len(), probes), (20, 202));
}

/// The v1alpha1 suite on Calico 3.31. Calico 3.29–3.31 does not convert `namedPort` (the rule then
/// matches every port, `cluster-network-policy.md` §4), so the four named-port probes that expect a
/// denial on the other port fail there as they do on a real 3.31 cluster: they are listed, not hidden.
#[test]
fn admin_network_policy_conformance_on_calico_3_31() {
    let mut probes = 0;
    let mut failures = Vec::new();
    for s in &scenarios() {
        let (n, f) = run(s, CalicoVersion::V3_31, true);
        probes += n;
        failures.extend(f);
    }
    assert_eq!(
        failures,
        [
            "CNPAdminTierIngressNamedPort (3.31): harry-potter-1 → cedric-diggory-1 udp/5353: expected deny, got allow",
            "CNPAdminTierEgressNamedPort (3.31): harry-potter-1 → cedric-diggory-1 tcp/8080: expected deny, got allow",
            "CNPBaselineTierIngressNamedPort (3.31): cedric-diggory-1 → harry-potter-1 tcp/8080: expected deny, got allow",
            "CNPBaselineTierEgressNamedPort (3.31): cedric-diggory-1 → harry-potter-1 udp/5353: expected deny, got allow",
        ]
    );
    assert_eq!(probes, 202);
}

/// A ClusterNetworkPolicy is not enforced by 3.31, nor an AdminNetworkPolicy by 3.32: the estate is
/// then open, and every probe is allowed.
#[test]
fn each_version_ignores_the_other_generation() {
    for (v1alpha1, version) in [(false, CalicoVersion::V3_31), (true, CalicoVersion::V3_32)] {
        for s in &scenarios() {
            let (_, failures) = run(s, version, v1alpha1);
            let denied_expected = s
                .steps
                .iter()
                .filter(|st| matches!(st, Step::Probe(.., false)))
                .count();
            assert_eq!(failures.len(), denied_expected, "{} {version}", s.name);
        }
    }
}

/// `netpol migrate-anp` on every scenario's starting state: the v1alpha1 objects rewritten as
/// ClusterNetworkPolicies give back the scenario's own ClusterNetworkPolicies (Baseline ones at the
/// priority 3.31 gave the BaselineAdminNetworkPolicy), and every flow between the suite's pods on every
/// probed port keeps its verdict from Calico 3.31 (old) to 3.32 (new).
#[test]
fn migrating_the_v1alpha1_suite_keeps_every_verdict() {
    use netpol_core::eval::migration::migrate_and_prove;
    let mut flows = 0;
    for s in &scenarios() {
        let mut resources = estate();
        resources.kubernetes_policies = netpol_core::design::import("np.yaml", s.network_policies)
            .resource_set()
            .kubernetes_policies;
        resources.cluster_policies = s.policies.iter().map(as_v1alpha1).collect();
        let proof = migrate_and_prove(&resources).expect("compiles");
        let written: Vec<&ClusterPolicy> =
            proof.migration.policies.iter().map(|m| &m.policy).collect();
        assert_eq!(written.len(), s.policies.len(), "{}", s.name);
        for (got, want) in written.iter().zip(&s.policies) {
            let mut want = want.clone();
            if want.spec.tier == Some(ClusterTier::Baseline) {
                want.metadata.name = "default".to_owned();
                want.spec.priority = Some(netpol_core::model::anp_migration::BASELINE_PRIORITY);
            }
            assert_eq!(**got, want, "{}", s.name);
        }
        assert!(!proof.probes_synthesized);
        assert_eq!(proof.comparison.workloads, 8, "{}", s.name);
        assert!(
            proof.comparison.changes.is_empty(),
            "{}: {:#?}",
            s.name,
            proof.comparison.changes
        );
        flows += proof.comparison.flows;
    }
    // 8 pods, 56 ordered pairs; every pod declares 6 ports, the policies add none beyond them, plus
    // ICMP and one unnamed port for each of TCP, UDP, SCTP: 10 probes a pair, in 20 scenarios.
    assert_eq!(flows, 20 * 56 * 10);
}

/// A named port is the one change the migration makes: Calico 3.31 does not convert an
/// AdminNetworkPolicy `namedPort` (the rule matched every port), 3.32 resolves it. The proof reports
/// each changed flow and says why.
#[test]
fn migrating_a_named_port_reports_the_narrowing() {
    use netpol_core::eval::migration::migrate_and_prove;
    let s = scenarios()
        .into_iter()
        .find(|s| s.name == "CNPAdminTierIngressNamedPort")
        .expect("scenario");
    let mut resources = estate();
    let mut anp = as_v1alpha1(&s.policies[0]);
    for r in &mut anp.spec.ingress {
        r.ports = vec![AdminPort {
            named_port: Some("dns".to_owned()),
            ..AdminPort::default()
        }];
    }
    resources.cluster_policies = vec![anp];
    let proof = migrate_and_prove(&resources).expect("compiles");
    assert!(!proof.comparison.changes.is_empty());
    assert_eq!(
        proof.unexplained().count(),
        0,
        "{:#?}",
        proof.comparison.changes
    );
    assert!(
        proof
            .comparison
            .changes
            .iter()
            .all(|c| c.protocol != "UDP" || c.port != Some(53)),
        "the named port itself keeps its verdict"
    );
    assert!(
        proof
            .explained
            .iter()
            .flatten()
            .all(|why| why.contains("named port `dns`"))
    );
}
