//! Synthetic estates for benchmarks and property tests: namespaces, workloads with IPs and named
//! ports, network sets, tiers and a mix of every policy kind and rule feature, plus random flows.
//! Deterministic for a seed; no dependency on a random-number crate.

use serde_json::{Value, json};

use super::{EndpointId, Evaluator, Flow};
use crate::model::{Protocol, ResourceSet};

/// A small deterministic random-number generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The size and shape of a synthetic estate.
#[derive(Debug, Clone, Copy)]
pub struct EstateConfig {
    pub seed: u64,
    pub namespaces: usize,
    pub workloads: usize,
    /// Policies of every kind, spread across the five tiers.
    pub policies: usize,
    /// Distinct `app` label values.
    pub apps: usize,
    /// Percentage of policies that are staged.
    pub staged_percent: u64,
}

impl Default for EstateConfig {
    /// The benchmark estate: 500 policies across 5 tiers, 2 000 workloads in 50 namespaces.
    fn default() -> EstateConfig {
        EstateConfig {
            seed: 1,
            namespaces: 50,
            workloads: 2000,
            policies: 500,
            apps: 40,
            staged_percent: 5,
        }
    }
}

impl EstateConfig {
    /// The scale estate of issue 22: 200 namespaces, 10 000 pods and 2 000 policies.
    pub fn scale() -> EstateConfig {
        EstateConfig {
            seed: 22,
            namespaces: 200,
            workloads: 10_000,
            policies: 2_000,
            apps: 160,
            staged_percent: 5,
        }
    }
}

/// The five tiers of an estate, in order: three ordered tiers (two with `defaultAction: Pass`), the
/// built-in `default`, and one without an order (last, `Pass`).
pub const TIERS: [(&str, Option<f64>, &str); 5] = [
    ("security", Some(100.0), "Pass"),
    ("platform", Some(200.0), "Pass"),
    ("team", Some(500.0), "Deny"),
    ("default", None, "Deny"),
    ("baseline", None, "Pass"),
];

const ROLES: [&str; 4] = ["frontend", "backend", "db", "cache"];
const PORTS: [(u16, &str, &str); 5] = [
    (8080, "http", "TCP"),
    (9090, "metrics", "TCP"),
    (5432, "postgres", "TCP"),
    (53, "dns", "UDP"),
    (50051, "grpc", "TCP"),
];

/// A synthetic estate as resources.
pub fn estate(config: &EstateConfig) -> ResourceSet {
    let mut rng = Rng::new(config.seed);
    let mut v = json!({"tiers": [], "policies": [], "kubernetes_policies": [], "network_sets": [], "namespaces": [], "workloads": []});
    let push = |v: &mut Value, group: &str, item: Value| {
        if let Some(list) = v.get_mut(group).and_then(Value::as_array_mut) {
            list.push(item);
        }
    };
    for (name, order, action) in TIERS {
        if name != "default" {
            push(
                &mut v,
                "tiers",
                json!({"metadata": {"name": name}, "spec": {"order": order, "defaultAction": action}}),
            );
        }
    }
    let namespaces = config.namespaces.max(1);
    for n in 0..namespaces {
        let labels = json!({"team": format!("team-{}", n % 8), "env": if n % 3 == 0 { "prod" } else { "staging" }});
        push(
            &mut v,
            "namespaces",
            json!({"metadata": {"name": format!("ns-{n}"), "labels": labels}}),
        );
    }
    for w in 0..config.workloads {
        let ns = rng.below(namespaces);
        let app = rng.below(config.apps.max(1));
        let role = *rng.pick(&ROLES);
        let ports: Vec<Value> = PORTS
            .iter()
            .filter(|_| rng.chance(40))
            .map(|(port, name, proto)| json!({"name": name, "port": port, "protocol": proto}))
            .collect();
        let ip = format!("10.{}.{}.{}", ns % 250, (w / 250) % 250, w % 250 + 1);
        let mut labels = json!({"app": format!("app-{app}"), "role": role, "version": if rng.chance(50) { "v1" } else { "v2" }});
        if rng.chance(5)
            && let Some(obj) = labels.as_object_mut()
        {
            obj.insert("canary".into(), json!("true"));
        }
        push(
            &mut v,
            "workloads",
            json!({"kind": "Pod", "metadata": {"name": format!("w-{w}"), "namespace": format!("ns-{ns}"),
                   "labels": labels},
                   "serviceAccount": format!("sa-{}", app % 5), "ip": ip, "ports": ports}),
        );
    }
    push(
        &mut v,
        "network_sets",
        json!({"metadata": {"name": "dns-servers", "labels": {"role": "dns"}}, "spec": {"nets": ["1.1.1.0/24", "8.8.8.0/24"]}}),
    );
    push(
        &mut v,
        "network_sets",
        json!({"metadata": {"name": "blocklist", "labels": {"role": "blocked"}}, "spec": {"nets": ["198.51.100.0/24"]}}),
    );
    push(
        &mut v,
        "network_sets",
        json!({"metadata": {"name": "partners", "namespace": "ns-0", "labels": {"role": "partner"}}, "spec": {"nets": ["203.0.113.0/24"]}}),
    );
    let vocab = Vocab {
        namespaces,
        apps: config.apps.max(1),
    };
    for p in 0..config.policies {
        let staged = rng.chance(config.staged_percent);
        let (group, policy) = random_policy(&mut rng, &vocab, p, staged);
        push(&mut v, group, policy);
    }
    serde_json::from_value(v).unwrap_or_default()
}

/// The label vocabulary random policies draw from.
#[derive(Debug, Clone, Copy)]
pub struct Vocab {
    pub namespaces: usize,
    pub apps: usize,
}

fn app_selector(rng: &mut Rng, vocab: &Vocab) -> String {
    match rng.below(6) {
        0 => format!("app == 'app-{}'", rng.below(vocab.apps)),
        1 => format!(
            "app in {{'app-{}', 'app-{}'}}",
            rng.below(vocab.apps),
            rng.below(vocab.apps)
        ),
        2 => format!("role == '{}'", rng.pick(&ROLES)),
        3 => format!("app == 'app-{}' && version != 'v1'", rng.below(vocab.apps)),
        4 => "has(canary)".to_owned(),
        _ => format!(
            "role == '{}' || app == 'app-{}'",
            rng.pick(&ROLES),
            rng.below(vocab.apps)
        ),
    }
}

fn ns_selector(rng: &mut Rng, vocab: &Vocab) -> String {
    match rng.below(5) {
        0 => "all()".to_owned(),
        1 => "global()".to_owned(),
        2 => format!("team == 'team-{}'", rng.below(8)),
        3 => "env == 'prod'".to_owned(),
        _ => format!(
            "projectcalico.org/name == 'ns-{}'",
            rng.below(vocab.namespaces)
        ),
    }
}

fn random_entity(rng: &mut Rng, vocab: &Vocab, destination: bool) -> Value {
    let mut e = serde_json::Map::new();
    match rng.below(9) {
        0 | 1 => {
            e.insert("selector".into(), json!(app_selector(rng, vocab)));
        }
        2 => {
            e.insert("selector".into(), json!(app_selector(rng, vocab)));
            e.insert("namespaceSelector".into(), json!(ns_selector(rng, vocab)));
        }
        3 => {
            e.insert("namespaceSelector".into(), json!(ns_selector(rng, vocab)));
        }
        4 => {
            e.insert(
                "nets".into(),
                json!([*rng.pick(&[
                    "0.0.0.0/0",
                    "10.0.0.0/8",
                    "1.1.1.0/24",
                    "203.0.113.0/24",
                    "10.1.0.0/16"
                ])]),
            );
            if rng.chance(50) {
                e.insert(
                    "notNets".into(),
                    json!([*rng.pick(&["10.0.0.0/8", "198.51.100.0/24", "10.2.0.0/16"])]),
                );
            }
        }
        5 => {
            e.insert("notSelector".into(), json!(app_selector(rng, vocab)));
        }
        6 => {
            e.insert(
                "selector".into(),
                json!(*rng.pick(&[
                    "role == 'dns'",
                    "role == 'blocked'",
                    "role == 'partner'",
                    "all()"
                ])),
            );
            if rng.chance(50) {
                e.insert("namespaceSelector".into(), json!("global()"));
            }
        }
        7 => {
            e.insert(
                "serviceAccounts".into(),
                json!({"names": [format!("sa-{}", rng.below(5))]}),
            );
        }
        _ => {}
    }
    if destination && rng.chance(60) {
        let ports: Vec<Value> = (0..1 + rng.below(2))
            .map(|_| match rng.below(4) {
                0 => json!(rng.pick(&PORTS).1),
                1 => json!(format!(
                    "{}:{}",
                    8000 + rng.below(100),
                    8100 + rng.below(100)
                )),
                _ => json!(rng.pick(&PORTS).0),
            })
            .collect();
        e.insert(
            if rng.chance(85) { "ports" } else { "notPorts" }.into(),
            json!(ports),
        );
    }
    Value::Object(e)
}

fn random_rule(rng: &mut Rng, vocab: &Vocab) -> Value {
    let action = *rng.pick(&["Allow", "Allow", "Allow", "Deny", "Pass", "Log"]);
    let mut r = serde_json::Map::new();
    r.insert("action".into(), json!(action));
    let destination = random_entity(rng, vocab, true);
    let needs_protocol =
        destination.get("ports").is_some() || destination.get("notPorts").is_some();
    if needs_protocol || rng.chance(50) {
        r.insert(
            "protocol".into(),
            json!(*rng.pick(&["TCP", "TCP", "UDP", "SCTP"])),
        );
    } else if rng.chance(10) {
        r.insert("protocol".into(), json!("ICMP"));
    } else if rng.chance(5) {
        r.insert("notProtocol".into(), json!("UDP"));
    }
    if rng.chance(5) {
        r.insert("ipVersion".into(), json!(*rng.pick(&[4, 6])));
    }
    if rng.chance(50) {
        r.insert("source".into(), random_entity(rng, vocab, false));
    }
    r.insert("destination".into(), destination);
    Value::Object(r)
}

/// One random policy: a Calico policy (`policies`) or a Kubernetes one (`kubernetes_policies`).
/// Returns the ResourceSet group it belongs to and its JSON.
pub fn random_policy(
    rng: &mut Rng,
    vocab: &Vocab,
    index: usize,
    staged: bool,
) -> (&'static str, Value) {
    let ns = format!("ns-{}", rng.below(vocab.namespaces));
    if rng.chance(20) {
        let peer = match rng.below(4) {
            0 => {
                json!({"podSelector": {"matchLabels": {"app": format!("app-{}", rng.below(vocab.apps))}}})
            }
            1 => {
                json!({"namespaceSelector": {"matchLabels": {"team": format!("team-{}", rng.below(8))}}})
            }
            2 => json!({"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.3.0.0/16"]}}),
            _ => {
                json!({"podSelector": {"matchExpressions": [{"key": "role", "operator": "In", "values": ["frontend", "backend"]}]}, "namespaceSelector": {}})
            }
        };
        let port = match rng.below(3) {
            0 => json!([{"port": rng.pick(&PORTS).1}]),
            1 => {
                json!([{"protocol": "TCP", "port": 8000, "endPort": 8100}, {"protocol": "UDP", "port": 53}])
            }
            _ => json!([]),
        };
        let mut spec = json!({"podSelector": {"matchLabels": {"app": format!("app-{}", rng.below(vocab.apps))}},
                              "ingress": [{"from": [peer.clone()], "ports": port}]});
        if rng.chance(30)
            && let Some(obj) = spec.as_object_mut()
        {
            obj.insert("egress".into(), json!([{"to": [peer]}]));
        }
        return (
            "kubernetes_policies",
            json!({"metadata": {"name": format!("knp-{index}"), "namespace": ns}, "spec": spec, "staged": staged}),
        );
    }
    let global = rng.chance(30);
    let tier = TIERS[rng.below(TIERS.len())].0;
    let kind = match (global, staged) {
        (true, false) => "GlobalNetworkPolicy",
        (true, true) => "StagedGlobalNetworkPolicy",
        (false, false) => "NetworkPolicy",
        (false, true) => "StagedNetworkPolicy",
    };
    let mut spec = serde_json::Map::new();
    spec.insert("tier".into(), json!(tier));
    if rng.chance(85) {
        spec.insert("order".into(), json!((rng.below(20) * 50) as f64));
    }
    spec.insert(
        "selector".into(),
        json!(if rng.chance(15) {
            "all()".to_owned()
        } else {
            app_selector(rng, vocab)
        }),
    );
    if global && rng.chance(30) {
        spec.insert(
            "namespaceSelector".into(),
            json!(format!("team == 'team-{}'", rng.below(8))),
        );
    }
    let ingress: Vec<Value> = (0..rng.below(4)).map(|_| random_rule(rng, vocab)).collect();
    let egress: Vec<Value> = (0..rng.below(3)).map(|_| random_rule(rng, vocab)).collect();
    spec.insert("ingress".into(), json!(ingress));
    spec.insert("egress".into(), json!(egress));
    if rng.chance(20) {
        spec.insert("types".into(), json!(["Ingress", "Egress"]));
    }
    let mut metadata = json!({"name": format!("p-{index}")});
    if !global && let Some(obj) = metadata.as_object_mut() {
        obj.insert("namespace".into(), json!(ns));
    }
    (
        "policies",
        json!({"kind": kind, "metadata": metadata, "spec": spec}),
    )
}

/// Outside addresses that hit the estate's network sets and CIDRs.
pub const OUTSIDE_ADDRESSES: [&str; 6] = [
    "1.1.1.1",
    "8.8.8.8",
    "198.51.100.7",
    "203.0.113.9",
    "93.184.216.34",
    "10.3.0.9",
];

/// `count` random flows among `endpoints` (TCP mostly, some UDP, SCTP and ICMP; ports from the
/// estate's container ports and a few others).
pub fn random_flows(rng: &mut Rng, endpoints: &[EndpointId], count: usize) -> Vec<Flow> {
    if endpoints.is_empty() {
        return Vec::new();
    }
    (0..count)
        .map(|_| {
            let (protocol, port) = match rng.below(20) {
                0 => (Protocol::Icmp, None),
                1 => (Protocol::Sctp, Some(9)),
                2..=4 => (Protocol::Udp, Some(*rng.pick(&[53, 5353, 8080]))),
                _ => (
                    Protocol::Tcp,
                    Some(*rng.pick(&[8080, 9090, 5432, 50051, 443, 8050, 22])),
                ),
            };
            Flow {
                src: *rng.pick(endpoints),
                dst: *rng.pick(endpoints),
                protocol,
                port,
            }
        })
        .collect()
}

/// Interns the outside addresses and returns every endpoint id of the evaluator (workloads and those).
pub fn flow_endpoints(evaluator: &mut Evaluator) -> Vec<EndpointId> {
    for ip in OUTSIDE_ADDRESSES {
        if let Ok(ip) = ip.parse() {
            evaluator.intern(&super::Endpoint::outside(ip));
        }
    }
    evaluator.endpoint_ids().collect()
}
