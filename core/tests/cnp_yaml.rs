//! Import of ClusterNetworkPolicy (v1alpha2) and AdminNetworkPolicy / BaselineAdminNetworkPolicy
//! (v1alpha1): every rejection of the CRDs' schemas and CEL rules (kubernetes-sigs/network-policy-api
//! `config/crd/experimental/policy.networking.k8s.io_clusternetworkpolicies.yaml`, and the v1alpha1
//! CRDs of branch `release-0.1`), each as a rejected case with its line:column and an accepted twin.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::model::{ClusterAction, ClusterPolicyKind, ClusterTier, Resource};
use netpol_core::yaml;

/// `(line:column, message)` of every error.
fn errors(text: &str) -> Vec<(String, String)> {
    yaml::import("cnp.yaml", text)
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (format!("{}:{}", d.line, d.column), d.message.clone()))
        .collect()
}

const CNP_HEAD: &str = "apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: deny-cross-env
spec:
";

const ANP_HEAD: &str = "apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata:
  name: guard
spec:
";

/// One row: a spec body (after the head), whether it is accepted, and when not the position and a
/// part of the message.
struct Case {
    what: &'static str,
    head: &'static str,
    spec: &'static str,
    rejected_at: Option<(&'static str, &'static str)>,
}

fn check(cases: &[Case]) {
    let mut failures = Vec::new();
    for case in cases {
        let text = format!("{}{}", case.head, case.spec);
        let found = errors(&text);
        match case.rejected_at {
            None if !found.is_empty() => {
                failures.push(format!("{}: expected accepted, got {found:?}", case.what))
            }
            Some((at, words)) if !found.iter().any(|(p, m)| p == at && m.contains(words)) => {
                failures.push(format!(
                    "{}: expected an error at {at} containing {words:?}, got {found:?}",
                    case.what
                ))
            }
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const SUBJECT: &str = "  tier: Admin\n  priority: 10\n  subject:\n    namespaces: {}\n";

#[test]
fn clusternetworkpolicy_crd_rules() {
    let cases = [
        Case {
            what: "minimal",
            head: CNP_HEAD,
            spec: SUBJECT,
            rejected_at: None,
        },
        Case {
            what: "two subject fields (subject: maxProperties 1)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 10\n  subject:\n    namespaces: {}\n    pods: {podSelector: {}}\n",
            rejected_at: Some(("9:5", "exactly one of namespaces, pods")),
        },
        Case {
            what: "no subject field (subject: minProperties 1)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 10\n  subject: {}\n",
            rejected_at: Some(("8:12", "found none")),
        },
        Case {
            what: "pods subject without podSelector (required)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 10\n  subject:\n    pods: {namespaceSelector: {}}\n",
            rejected_at: Some(("9:11", "missing `spec.subject.pods.podSelector`")),
        },
        Case {
            what: "pods subject without namespaceSelector (optional in v1alpha2)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 10\n  subject:\n    pods: {podSelector: {}}\n",
            rejected_at: None,
        },
        Case {
            what: "priority above 1000 (maximum)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1001\n  subject: {namespaces: {}}\n",
            rejected_at: Some(("7:13", "`1001` is not between 0 and 1000")),
        },
        Case {
            what: "negative priority (minimum)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: -1\n  subject: {namespaces: {}}\n",
            rejected_at: Some(("7:13", "not between 0 and 1000")),
        },
        Case {
            what: "priority 0 and 1000 (bounds)",
            head: CNP_HEAD,
            spec: "  tier: Baseline\n  priority: 1000\n  subject: {namespaces: {}}\n",
            rejected_at: None,
        },
        Case {
            what: "missing priority (required)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  subject: {namespaces: {}}\n",
            rejected_at: Some(("6:3", "missing `spec.priority`")),
        },
        Case {
            what: "bad tier (enum)",
            head: CNP_HEAD,
            spec: "  tier: Developer\n  priority: 1\n  subject: {namespaces: {}}\n",
            rejected_at: Some(("6:9", "invalid `spec.tier`")),
        },
        Case {
            what: "missing tier (required)",
            head: CNP_HEAD,
            spec: "  priority: 1\n  subject: {namespaces: {}}\n",
            rejected_at: Some(("6:3", "missing `spec.tier`")),
        },
        Case {
            what: "Allow is a v1alpha1 action (enum Accept, Deny, Pass)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - action: Allow\n    from: [{namespaces: {}}]\n",
            rejected_at: Some(("10:13", "`Allow` is not an action of ClusterNetworkPolicy")),
        },
        Case {
            what: "a rule with no peers (from: minItems 1)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n    from: []\n",
            rejected_at: Some(("11:11", "is empty")),
        },
        Case {
            what: "a rule without from (required)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n",
            rejected_at: Some(("10:5", "missing `spec.ingress[0].from`")),
        },
        Case {
            what: "a rule name of 101 characters (maxLength 100)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n    action: Deny\n    from: [{namespaces: {}}]\n",
            rejected_at: Some(("10:11", "more than the limit of 100")),
        },
        Case {
            what: "a peer with two fields (peer: maxProperties 1)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  egress:\n  - action: Deny\n    to:\n    - namespaces: {}\n      networks: [10.0.0.0/8]\n",
            rejected_at: Some((
                "12:7",
                "exactly one of namespaces, pods, networks, nodes, domainNames",
            )),
        },
        Case {
            what: "networks in an ingress peer (ingress peers: namespaces | pods)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n    from:\n    - networks: [10.0.0.0/8]\n",
            rejected_at: Some(("12:17", "not allowed in an ingress peer")),
        },
        Case {
            what: "networks entry that is not a CIDR (isCIDR)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  egress:\n  - action: Deny\n    to:\n    - networks: [10.0.0.7]\n",
            rejected_at: Some(("12:18", "`10.0.0.7` is not a CIDR")),
        },
        Case {
            what: "egress to networks, nodes and domainNames",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  egress:\n  - action: Accept\n    to:\n    - networks: [10.0.0.0/8, 'fd00::/8']\n    - nodes: {matchLabels: {role: infra}}\n    - domainNames: ['*.example.com']\n",
            rejected_at: None,
        },
        Case {
            what: "a bad domain name (pattern)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  egress:\n  - action: Accept\n    to:\n    - domainNames: [localhost]\n",
            rejected_at: Some(("12:21", "`localhost` is not a domain name")),
        },
        Case {
            what: "named port with a networks peer (CEL)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  egress:\n  - action: Accept\n    to:\n    - networks: [10.0.0.0/8]\n    protocols:\n    - destinationNamedPort: http\n",
            rejected_at: Some(("14:29", "named port cannot be combined")),
        },
        Case {
            what: "named port with a domainNames peer (CEL)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  egress:\n  - action: Accept\n    to:\n    - domainNames: [a.example.com]\n    protocols:\n    - destinationNamedPort: https\n",
            rejected_at: Some(("14:29", "named port cannot be combined")),
        },
        Case {
            what: "named port with a pods peer",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  egress:\n  - action: Accept\n    to:\n    - pods: {podSelector: {}}\n    protocols:\n    - destinationNamedPort: http\n",
            rejected_at: None,
        },
        Case {
            what: "range with start = end (CEL start < end)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n    protocols:\n    - tcp: {destinationPort: {range: {start: 80, end: 80}}}\n",
            rejected_at: Some(("13:38", "start port 80 must be less than end port 80")),
        },
        Case {
            what: "range with start < end",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n    protocols:\n    - tcp: {destinationPort: {range: {start: 80, end: 81}}}\n",
            rejected_at: None,
        },
        Case {
            what: "a protocol entry with two fields (maxProperties 1)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n    protocols:\n    - tcp: {destinationPort: {number: 80}}\n      udp: {destinationPort: {number: 53}}\n",
            rejected_at: Some((
                "13:7",
                "exactly one of tcp, udp, sctp, destinationNamedPort",
            )),
        },
        Case {
            what: "destinationPort with number and range (maxProperties 1)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n    protocols:\n    - udp: {destinationPort: {number: 53, range: {start: 1, end: 2}}}\n",
            rejected_at: Some(("13:30", "exactly one of number, range")),
        },
        Case {
            what: "tcp without destinationPort (tcp: minProperties 1)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n    protocols:\n    - tcp: {}\n",
            rejected_at: Some((
                "13:12",
                "missing `spec.ingress[0].protocols[0].tcp.destinationPort`",
            )),
        },
        Case {
            what: "port 0 (minimum 1)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n    protocols:\n    - sctp: {destinationPort: {number: 0}}\n",
            rejected_at: Some(("13:40", "expected a port number 1 to 65535")),
        },
        Case {
            what: "empty protocols (minItems 1)",
            head: CNP_HEAD,
            spec: "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n    protocols: []\n",
            rejected_at: Some(("12:16", "is empty")),
        },
        Case {
            what: "a namespace on a cluster-scoped object is only a warning",
            head: "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: x\n  namespace: shop\nspec:\n",
            spec: SUBJECT,
            rejected_at: None,
        },
        Case {
            what: "wrong apiVersion",
            head: "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: ClusterNetworkPolicy\nmetadata:\n  name: x\nspec:\n",
            spec: SUBJECT,
            rejected_at: Some(("1:13", "expected `policy.networking.k8s.io/v1alpha2`")),
        },
    ];
    check(&cases);
}

/// `n` copies of `item`, as YAML flow list items.
fn many(item: &str, n: usize) -> String {
    vec![item; n].join(", ")
}

#[test]
fn list_limits_are_25_in_a_clusternetworkpolicy_and_100_in_v1alpha1() {
    let rules = |head: &str, action: &str, n: usize| {
        format!(
            "{head}  priority: 1\n  subject: {{namespaces: {{}}}}\n  ingress: [{}]\n",
            many(
                &format!("{{action: {action}, from: [{{namespaces: {{}}}}]}}"),
                n
            )
        )
    };
    let cnp = |n| rules(&format!("{CNP_HEAD}  tier: Admin\n"), "Deny", n);
    let anp = |n| rules(ANP_HEAD, "Deny", n);
    assert_eq!(errors(&cnp(25)), []);
    assert_eq!(
        errors(&cnp(26)),
        [(
            "9:12".to_owned(),
            "`spec.ingress` has 26 rules, more than the limit of 25".to_owned()
        )]
    );
    assert_eq!(errors(&anp(100)), []);
    assert_eq!(errors(&anp(101)).len(), 1);
    let peers = |n| {
        format!(
            "{CNP_HEAD}  tier: Admin\n  priority: 1\n  subject: {{namespaces: {{}}}}\n  egress:\n  - action: Deny\n    to: [{}]\n",
            many("{namespaces: {}}", n)
        )
    };
    assert_eq!(errors(&peers(25)), []);
    assert_eq!(
        errors(&peers(26)),
        [(
            "11:9".to_owned(),
            "`spec.egress[0].to` has 26 peers, more than the limit of 25".to_owned()
        )]
    );
    let networks = |n: usize| {
        let list: Vec<String> = (0..n).map(|i| format!("10.{i}.0.0/16")).collect();
        format!(
            "{CNP_HEAD}  tier: Admin\n  priority: 1\n  subject: {{namespaces: {{}}}}\n  egress:\n  - action: Deny\n    to: [{{networks: [{}]}}]\n",
            list.join(", ")
        )
    };
    assert_eq!(errors(&networks(25)), []);
    assert_eq!(errors(&networks(26)).len(), 1);
    let protocols = |n| {
        format!(
            "{CNP_HEAD}  tier: Admin\n  priority: 1\n  subject: {{namespaces: {{}}}}\n  ingress:\n  - action: Deny\n    from: [{{namespaces: {{}}}}]\n    protocols: [{}]\n",
            many("{tcp: {destinationPort: {number: 80}}}", n)
        )
    };
    assert_eq!(errors(&protocols(25)), []);
    assert_eq!(errors(&protocols(26)).len(), 1);
}

#[test]
fn v1alpha1_crd_rules() {
    const BANP_HEAD: &str = "apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata:
  name: default
spec:
";
    let cases = [
        Case {
            what: "ANP minimal",
            head: ANP_HEAD,
            spec: "  priority: 3\n  subject: {namespaces: {}}\n",
            rejected_at: None,
        },
        Case {
            what: "ANP pods subject without namespaceSelector (required in v1alpha1)",
            head: ANP_HEAD,
            spec: "  priority: 3\n  subject:\n    pods: {podSelector: {}}\n",
            rejected_at: Some(("8:11", "missing `spec.subject.pods.namespaceSelector`")),
        },
        Case {
            what: "ANP tier is not a v1alpha1 field (kept as unknown, with a warning)",
            head: ANP_HEAD,
            spec: "  priority: 3\n  tier: Admin\n  subject: {namespaces: {}}\n",
            rejected_at: None,
        },
        Case {
            what: "ANP Accept is a v1alpha2 action",
            head: ANP_HEAD,
            spec: "  priority: 3\n  subject: {namespaces: {}}\n  egress:\n  - action: Accept\n    to: [{namespaces: {}}]\n",
            rejected_at: Some(("9:13", "`Accept` is not an action of AdminNetworkPolicy")),
        },
        Case {
            what: "ANP ports: portNumber, portRange and namedPort",
            head: ANP_HEAD,
            spec: "  priority: 3\n  subject: {namespaces: {}}\n  egress:\n  - action: Allow\n    to: [{pods: {namespaceSelector: {}, podSelector: {}}}]\n    ports:\n    - portNumber: {port: 53, protocol: UDP}\n    - portRange: {start: 8000, end: 9000}\n    - namedPort: http\n",
            rejected_at: None,
        },
        Case {
            what: "ANP port entry with two fields (maxProperties 1)",
            head: ANP_HEAD,
            spec: "  priority: 3\n  subject: {namespaces: {}}\n  egress:\n  - action: Allow\n    to: [{namespaces: {}}]\n    ports:\n    - portNumber: {port: 53}\n      namedPort: dns\n",
            rejected_at: Some(("12:7", "exactly one of portNumber, portRange, namedPort")),
        },
        Case {
            what: "ANP portRange start >= end",
            head: ANP_HEAD,
            spec: "  priority: 3\n  subject: {namespaces: {}}\n  egress:\n  - action: Allow\n    to: [{namespaces: {}}]\n    ports:\n    - portRange: {start: 9000, end: 8000}\n",
            rejected_at: Some(("12:18", "start port 9000 must be less than end port 8000")),
        },
        Case {
            what: "ANP named port with a nodes peer (CEL)",
            head: ANP_HEAD,
            spec: "  priority: 3\n  subject: {namespaces: {}}\n  egress:\n  - action: Deny\n    to: [{nodes: {}}]\n    ports:\n    - namedPort: ssh\n",
            rejected_at: Some(("12:18", "named port cannot be combined")),
        },
        Case {
            what: "ANP missing priority",
            head: ANP_HEAD,
            spec: "  subject: {namespaces: {}}\n",
            rejected_at: Some(("6:3", "missing `spec.priority`")),
        },
        Case {
            what: "ANP protocols is a v1alpha2 field (kept as unknown, with a warning)",
            head: ANP_HEAD,
            spec: "  priority: 3\n  subject: {namespaces: {}}\n",
            rejected_at: None,
        },
        Case {
            what: "BANP named default",
            head: BANP_HEAD,
            spec: "  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n",
            rejected_at: None,
        },
        Case {
            what: "BANP not named default (CEL)",
            head: "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata:\n  name: baseline\nspec:\n",
            spec: "  subject: {namespaces: {}}\n",
            rejected_at: Some(("4:9", "must be named `default`")),
        },
        Case {
            what: "BANP Pass is not a baseline action (enum Allow, Deny)",
            head: BANP_HEAD,
            spec: "  subject: {namespaces: {}}\n  ingress:\n  - action: Pass\n    from: [{namespaces: {}}]\n",
            rejected_at: Some((
                "8:13",
                "`Pass` is not an action of BaselineAdminNetworkPolicy",
            )),
        },
        Case {
            what: "BANP domainNames peer (not in the BANP CRD)",
            head: BANP_HEAD,
            spec: "  subject: {namespaces: {}}\n  egress:\n  - action: Deny\n    to: [{domainNames: [a.example.com]}]\n",
            rejected_at: Some(("9:24", "not allowed in an egress peer")),
        },
    ];
    check(&cases);
}

#[test]
fn a_clusternetworkpolicy_reads_into_the_model() {
    let text = format!(
        "{CNP_HEAD}  tier: Baseline\n  priority: 7\n  subject:\n    pods: {{podSelector: {{matchLabels: {{app: web}}}}}}\n  egress:\n  - name: dns\n    action: Accept\n    to: [{{namespaces: {{matchLabels: {{kubernetes.io/metadata.name: kube-system}}}}}}]\n    protocols:\n    - udp: {{destinationPort: {{number: 53}}}}\n    - destinationNamedPort: dns-tcp\n"
    );
    let r = yaml::import("cnp.yaml", &text);
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let Some(Resource::ClusterPolicy(p)) = r.resources.first().map(|r| &r.resource) else {
        panic!("not read: {:?}", r.resources)
    };
    assert_eq!(p.kind, ClusterPolicyKind::ClusterNetworkPolicy);
    assert_eq!(p.spec.tier, Some(ClusterTier::Baseline));
    assert_eq!(p.spec.priority, Some(7));
    let rule = &p.spec.egress[0];
    assert_eq!(
        (rule.name.as_deref(), rule.action, rule.protocols.len()),
        (Some("dns"), ClusterAction::Accept, 2)
    );
    assert_eq!(
        rule.protocols[1].destination_named_port.as_deref(),
        Some("dns-tcp")
    );
}

#[test]
fn a_design_names_its_calico_version() {
    use netpol_core::design;
    use netpol_core::model::CalicoVersion;
    let with = |v: &str| {
        format!(
            "apiVersion: studio.netpol.dev/v1alpha1\nkind: Design\nmetadata: {{name: d}}\nspec:\n  calicoVersion: {v}\n"
        )
    };
    assert_eq!(
        design::load(&with("'3.31'")).map(|d| d.calico_version),
        Ok(Some(CalicoVersion::V3_31))
    );
    // Unquoted, YAML reads 3.30 as the number 3.3.
    assert_eq!(
        design::load(&with("3.30")).map(|d| d.calico_version),
        Ok(Some(CalicoVersion::V3_30))
    );
    let bad = design::load(&with("'3.28'")).expect_err("unknown version");
    assert!(
        bad.to_string().contains(
            "design.yaml:5:18: error: invalid `spec.calicoVersion`: `3.28` is not a Calico version"
        ),
        "{bad}"
    );
    let mut d = design::baseline();
    d.calico_version = Some(CalicoVersion::V3_29);
    let back = design::load(&design::save(&d)).expect("reads back");
    assert_eq!(back.calico_version, Some(CalicoVersion::V3_29));
    assert_eq!(
        design::to_resources(&back).calico_version,
        Some(CalicoVersion::V3_29)
    );
    let imported = design::import("d.yaml", &design::save(&d));
    assert_eq!(imported.calico_version(None), CalicoVersion::V3_29);
    assert_eq!(
        imported.calico_version(Some(CalicoVersion::V3_32)),
        CalicoVersion::V3_32
    );
}

#[test]
fn a_model_policy_is_checked_with_the_importer_s_messages() {
    let text = format!(
        "{CNP_HEAD}  tier: Admin\n  priority: 10\n  subject:\n    namespaces: {{}}\n  ingress:\n  - name: from-dev\n    action: Deny\n    from:\n    - namespaces: {{}}\n"
    );
    let imported = yaml::import("cnp.yaml", &text);
    let Resource::ClusterPolicy(mut policy) = imported.resources[0].resource.clone() else {
        panic!("a cluster policy")
    };
    assert!(yaml::check_cluster_policy("cnp.yaml", &policy).is_empty());
    policy.spec.priority = Some(1001);
    policy.spec.ingress[0].from.clear();
    let problems: Vec<String> = yaml::check_cluster_policy("cnp.yaml", &policy)
        .into_iter()
        .map(|d| d.message)
        .collect();
    let expected: Vec<String> = errors(
        &text
            .replace("priority: 10", "priority: 1001")
            .replace("    from:\n    - namespaces: {}\n", "    from: []\n"),
    )
    .into_iter()
    .map(|(_, m)| m)
    .collect();
    assert!(
        problems
            .iter()
            .any(|m| m.contains("`1001` is not between 0 and 1000")),
        "{problems:?}"
    );
    assert_eq!(problems, expected);
}
