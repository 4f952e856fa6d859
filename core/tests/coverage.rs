//! Coverage and exposure (issue 18): every state and exposure kind fires on its trigger and stays
//! quiet on its near miss, on a Kubernetes NetworkPolicy and on a Calico NetworkPolicy, with the
//! workloads listed and without (label classes). Then the policy kinds and orders that change the
//! answer: tiers, Pass, staged policies, ClusterNetworkPolicy by Calico release.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::coverage::{Coverage, Entry, ExposureKind, State, Subjects, coverage};
use netpol_core::model::CalicoVersion;

mod coverage_estate;

use coverage_estate::{EGR, ING, WORKLOADS, calico, knp, report, set, web};

/// What a case checks on `shop/web`.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Ingress(State),
    Egress(State),
    Exposure(ExposureKind),
}

fn holds(entry: &Entry, expect: Expect) -> bool {
    match expect {
        Expect::Ingress(s) => entry.ingress == s,
        Expect::Egress(s) => entry.egress == s,
        Expect::Exposure(k) => entry
            .exposures
            .iter()
            .any(|e| e.kind == k && e.missing.is_none()),
    }
}

/// One state or exposure: its trigger and near miss, each as a Kubernetes and a Calico policy
/// (`types`, `rules`).
struct Case {
    expect: Expect,
    knp: [(&'static str, &'static str); 2],
    calico: [(&'static str, &'static str); 2],
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            expect: Expect::Ingress(State::Uncovered),
            knp: [(EGR, "  egress: [{}]\n"), (ING, "  ingress: [{}]\n")],
            calico: [
                (EGR, "  egress: [{action: Allow}]\n"),
                (ING, "  ingress: [{action: Allow}]\n"),
            ],
        },
        Case {
            expect: Expect::Egress(State::Uncovered),
            knp: [(ING, "  ingress: [{}]\n"), (EGR, "  egress: [{}]\n")],
            calico: [
                (ING, "  ingress: [{action: Allow}]\n"),
                (EGR, "  egress: [{action: Allow}]\n"),
            ],
        },
        Case {
            expect: Expect::Ingress(State::Open),
            knp: [
                (ING, "  ingress: [{}]\n"),
                (ING, "  ingress: [{from: [{podSelector: {}}]}]\n"),
            ],
            calico: [
                (ING, "  ingress: [{action: Allow}]\n"),
                (
                    ING,
                    "  ingress: [{action: Allow, source: {selector: all()}}]\n",
                ),
            ],
        },
        Case {
            expect: Expect::Ingress(State::Isolated),
            knp: [(ING, ""), (ING, "  ingress: [{}]\n")],
            calico: [
                (ING, "  ingress: [{action: Deny}, {action: Allow}]\n"),
                (ING, "  ingress: [{action: Allow}, {action: Deny}]\n"),
            ],
        },
        Case {
            expect: Expect::Exposure(ExposureKind::World),
            knp: [
                (
                    ING,
                    "  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 443}]}]\n",
                ),
                (
                    ING,
                    "  ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24}}], ports: [{port: 443}]}]\n",
                ),
            ],
            calico: [
                (
                    ING,
                    "  ingress: [{action: Allow, protocol: TCP, source: {nets: [0.0.0.0/0]}, destination: {ports: [443]}}]\n",
                ),
                (
                    ING,
                    "  ingress: [{action: Allow, protocol: TCP, source: {nets: [203.0.113.0/24]}, destination: {ports: [443]}}]\n",
                ),
            ],
        },
        Case {
            expect: Expect::Exposure(ExposureKind::AllNamespaces),
            knp: [
                (
                    ING,
                    "  ingress: [{from: [{namespaceSelector: {}}], ports: [{port: 8080}]}]\n",
                ),
                (
                    ING,
                    "  ingress: [{from: [{namespaceSelector: {matchLabels: {team: ops}}}], ports: [{port: 8080}]}]\n",
                ),
            ],
            calico: [
                (
                    ING,
                    "  ingress: [{action: Allow, protocol: TCP, source: {namespaceSelector: all()}, destination: {ports: [8080]}}]\n",
                ),
                (
                    ING,
                    "  ingress: [{action: Allow, protocol: TCP, source: {namespaceSelector: team == 'ops'}, destination: {ports: [8080]}}]\n",
                ),
            ],
        },
        Case {
            expect: Expect::Exposure(ExposureKind::Metadata),
            knp: [
                (
                    EGR,
                    "  egress: [{to: [{ipBlock: {cidr: 169.254.0.0/16}}]}]\n",
                ),
                (
                    EGR,
                    "  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}]\n",
                ),
            ],
            calico: [
                (
                    EGR,
                    "  egress: [{action: Allow, destination: {nets: [169.254.169.254/32]}}]\n",
                ),
                (
                    EGR,
                    "  egress: [{action: Allow, destination: {nets: [0.0.0.0/0], notNets: [169.254.0.0/16]}}]\n",
                ),
            ],
        },
        Case {
            expect: Expect::Exposure(ExposureKind::AllPorts),
            knp: [
                (ING, "  ingress: [{from: [{podSelector: {}}]}]\n"),
                (
                    ING,
                    "  ingress: [{from: [{podSelector: {}}], ports: [{port: 8080}]}]\n",
                ),
            ],
            calico: [
                (
                    ING,
                    "  ingress: [{action: Allow, protocol: TCP, source: {selector: all()}}]\n",
                ),
                (
                    ING,
                    "  ingress: [{action: Allow, protocol: TCP, source: {selector: all()}, destination: {ports: [8080]}}]\n",
                ),
            ],
        },
        Case {
            expect: Expect::Exposure(ExposureKind::WideRange),
            knp: [
                (
                    ING,
                    "  ingress: [{from: [{podSelector: {}}], ports: [{port: 1000, endPort: 1999}]}]\n",
                ),
                (
                    ING,
                    "  ingress: [{from: [{podSelector: {}}], ports: [{port: 1000, endPort: 1998}]}]\n",
                ),
            ],
            calico: [
                (
                    ING,
                    "  ingress: [{action: Allow, protocol: TCP, source: {selector: all()}, destination: {ports: ['1000:1999']}}]\n",
                ),
                (
                    ING,
                    "  ingress: [{action: Allow, protocol: TCP, source: {selector: all()}, destination: {ports: ['1000:1998']}}]\n",
                ),
            ],
        },
        Case {
            expect: Expect::Exposure(ExposureKind::SensitivePort),
            knp: [
                (
                    ING,
                    "  ingress: [{from: [{namespaceSelector: {matchLabels: {team: ops}}}], ports: [{port: 22}]}]\n",
                ),
                (
                    ING,
                    "  ingress: [{from: [{podSelector: {}}], ports: [{port: 22}]}]\n",
                ),
            ],
            calico: [
                (
                    ING,
                    "  ingress: [{action: Allow, protocol: TCP, source: {namespaceSelector: team == 'ops'}, destination: {ports: [22]}}]\n",
                ),
                (
                    ING,
                    "  ingress: [{action: Allow, protocol: TCP, source: {selector: all()}, destination: {ports: [22]}}]\n",
                ),
            ],
        },
    ]
}

#[test]
fn every_state_and_exposure_fires_on_its_trigger_and_not_on_its_near_miss() {
    let mut checked = 0;
    for case in cases() {
        let inputs = [
            ("Kubernetes", case.knp.map(|(t, r)| knp(t, r))),
            ("Calico", case.calico.map(|(t, r)| calico(t, r))),
        ];
        for (flavour, [trigger, near_miss]) in &inputs {
            for with_workloads in [true, false] {
                let fired = report(trigger, with_workloads);
                assert!(
                    holds(web(&fired), case.expect),
                    "{:?} should fire on the {flavour} trigger (workloads: {with_workloads}):\n{trigger}\n{:#?}",
                    case.expect,
                    web(&fired)
                );
                let quiet = report(near_miss, with_workloads);
                assert!(
                    !holds(web(&quiet), case.expect),
                    "{:?} should not fire on the {flavour} near miss (workloads: {with_workloads}):\n{near_miss}\n{:#?}",
                    case.expect,
                    web(&quiet)
                );
                checked += 2;
            }
        }
    }
    assert_eq!(checked, 10 * 2 * 2 * 2);
}

#[test]
fn an_exposure_names_the_rule_as_verdicts_name_it() {
    let text = knp(
        ING,
        "  ingress:\n  - from: [{podSelector: {matchLabels: {app: db}}}]\n    ports: [{port: 5432}]\n  - from: [{ipBlock: {cidr: 0.0.0.0/0}}]\n",
    );
    let c = report(&text, true);
    let world: Vec<_> = web(&c)
        .exposures
        .iter()
        .filter(|e| e.kind == ExposureKind::World)
        .collect();
    assert_eq!(world.len(), 1, "{c:#?}");
    let by = &world[0].decided_by;
    assert_eq!(
        (
            by.tier.as_str(),
            by.policy.as_str(),
            by.namespace.as_deref(),
            by.rule
        ),
        ("default", "knp.default.web", Some("shop"), 1)
    );
    assert_eq!(&*world[0].ports, "any/all");
    assert!(web(&c).reaches_world_on_any_port());
    assert_eq!(c.summary.world_any_port, 1);
}

#[test]
fn workloads_no_policy_selects_are_uncovered_and_counted() {
    let c = report(&knp(ING, "  ingress: [{}]\n"), true);
    assert_eq!(c.subjects, Subjects::Workloads);
    let states: Vec<(&str, State, State)> = c
        .workloads
        .iter()
        .map(|e| (e.workload.as_str(), e.ingress, e.egress))
        .collect();
    assert_eq!(
        states,
        [
            ("shop/web", State::Open, State::Uncovered),
            ("shop/db", State::Uncovered, State::Uncovered),
            ("other/client", State::Uncovered, State::Uncovered),
        ]
    );
    assert_eq!(
        (
            c.summary.workloads,
            c.summary.ingress_uncovered,
            c.summary.egress_uncovered
        ),
        (3, 2, 3)
    );
    assert_eq!(
        c.summary_line(),
        "2 of 3 workloads have no ingress policy; 3 have no egress policy; 1 has exposures; 1 reaches the world on any port"
    );
}

#[test]
fn without_workloads_the_classes_are_the_policy_selectors_and_the_rest() {
    let text = format!(
        "{}---\n{}",
        knp(ING, ""),
        "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: db}\nspec:\n  selector: app == 'db'\n  types: [Egress]\n  egress: [{action: Allow}]\n"
    );
    let c = report(&text, false);
    assert_eq!(c.subjects, Subjects::LabelClasses);
    let names: Vec<(&str, State, State)> = c
        .workloads
        .iter()
        .map(|e| (e.workload.as_str(), e.ingress, e.egress))
        .collect();
    assert_eq!(
        names,
        [
            (
                "label class (app == \"web\" && projectcalico.org/namespace == \"shop\")",
                State::Isolated,
                State::Uncovered
            ),
            ("label class app == \"db\"", State::Uncovered, State::Open),
            (
                "workloads matching no policy selector",
                State::Uncovered,
                State::Uncovered
            ),
        ],
        "{c:#?}"
    );
    assert!(
        c.summary_line().contains("label classes"),
        "{}",
        c.summary_line()
    );
}

#[test]
fn a_policy_selecting_every_workload_leaves_no_unselected_class() {
    let everything = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: deny-all}\nspec:\n  selector: all()\n  types: [Ingress, Egress]\n";
    let c = report(everything, false);
    assert_eq!(c.workloads.len(), 1, "{c:#?}");
    assert_eq!(
        (c.workloads[0].ingress, c.workloads[0].egress),
        (State::Isolated, State::Isolated)
    );
    // Near miss: every namespace but one.
    let almost = everything.replace("all()", "projectcalico.org/namespace != 'kube-system'");
    let c = report(&almost, false);
    assert_eq!(
        c.workloads.last().map(|e| e.workload.as_str()),
        Some("workloads matching no policy selector")
    );
}

/// A tier that denies everything before the allow: the allow is never reached, so it exposes
/// nothing and the workload is isolated; a tier that passes everything leaves it to the next.
#[test]
fn an_earlier_tier_decides_before_the_allow() {
    let tier = |action: &str| {
        format!(
            "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {{name: security}}\nspec: {{order: 100}}\n---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {{name: security.gate}}\nspec:\n  tier: security\n  selector: all()\n  types: [Ingress]\n  ingress: [{{action: {action}}}]\n---\n"
        )
    };
    let open = knp(ING, "  ingress: [{}]\n");
    let denied = report(&format!("{}{open}", tier("Deny")), true);
    assert_eq!(web(&denied).ingress, State::Isolated);
    assert!(web(&denied).exposures.is_empty(), "{denied:#?}");
    let passed = report(&format!("{}{open}", tier("Pass")), true);
    assert_eq!(web(&passed).ingress, State::Open);
    assert!(
        web(&passed)
            .exposures
            .iter()
            .any(|e| e.kind == ExposureKind::World && e.decided_by.policy == "knp.default.web"),
        "{passed:#?}"
    );
    // A Deny that matches only some traffic shadows nothing for certain: the allow is reported.
    let partial = tier("Deny").replace(
        "[{action: Deny}]",
        "[{action: Deny, source: {nets: [10.0.0.0/8]}}, {action: Pass}]",
    );
    let c = report(&format!("{partial}{open}"), true);
    assert_eq!(web(&c).ingress, State::Isolated);
    assert!(
        web(&c)
            .exposures
            .iter()
            .any(|e| e.kind == ExposureKind::World),
        "{c:#?}"
    );
}

#[test]
fn staged_policies_are_not_enforced_and_said_so() {
    let staged = "apiVersion: projectcalico.org/v3\nkind: StagedNetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: app == 'web'\n  types: [Ingress]\n";
    let c = report(staged, true);
    assert_eq!(web(&c).ingress, State::Uncovered);
    assert_eq!(
        c.not_enforced,
        ["StagedNetworkPolicy shop/web is staged: Calico does not enforce it"]
    );
}

#[test]
fn a_cluster_network_policy_counts_from_calico_3_32() {
    let cnp = "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: world-in}\nspec:\n  tier: Admin\n  priority: 5\n  subject: {namespaces: {matchLabels: {team: shop}}}\n  egress:\n  - action: Accept\n    to: [{networks: [0.0.0.0/0]}]\n";
    let text = format!("{cnp}---\n{WORKLOADS}");
    let enforced = coverage(&set(&text, CalicoVersion::V3_32));
    let web = enforced
        .workloads
        .iter()
        .find(|e| e.workload == "shop/web")
        .unwrap();
    // The Admin tier passes what it does not accept, and nothing after it selects `shop/web`.
    assert_eq!(web.egress, State::Open, "{enforced:#?}");
    let world = web
        .exposures
        .iter()
        .find(|e| e.kind == ExposureKind::World)
        .unwrap();
    assert_eq!(
        (
            world.decided_by.tier.as_str(),
            world.decided_by.policy.as_str()
        ),
        ("kube-admin", "kcnp:world-in")
    );
    let before = coverage(&set(&text, CalicoVersion::V3_31));
    assert!(
        before
            .workloads
            .iter()
            .all(|e| e.egress == State::Uncovered && e.exposures.is_empty()),
        "{before:#?}"
    );
}

#[test]
fn a_global_network_set_of_the_whole_internet_is_the_world() {
    let text = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: internet, labels: {zone: internet}}\nspec: {nets: [0.0.0.0/0]}\n---\n".to_owned()
        + &calico(
            ING,
            "  ingress: [{action: Allow, protocol: TCP, source: {selector: zone == 'internet', namespaceSelector: global()}, destination: {ports: [443]}}]\n",
        );
    let c = report(&text, true);
    let kinds: Vec<ExposureKind> = web(&c).exposures.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&ExposureKind::World), "{c:#?}");
    let near = text.replace("0.0.0.0/0", "203.0.113.0/24");
    let c = report(&near, true);
    assert!(
        web(&c)
            .exposures
            .iter()
            .all(|e| e.kind != ExposureKind::World),
        "{c:#?}"
    );
}

#[test]
fn reports_render_as_json_table_and_markdown() {
    let text = format!(
        "{}---\n{}",
        knp(
            ING,
            "  ingress:\n  - from: [{ipBlock: {cidr: 0.0.0.0/0}}]\n  - from: [{namespaceSelector: {}}]\n    ports: [{port: 22}, {port: 30000, endPort: 32767}]\n"
        ),
        "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: egress-metadata}\nspec:\n  selector: app == 'db'\n  types: [Egress]\n  egress: [{action: Allow, destination: {nets: [169.254.169.254/32]}}, {action: Deny}]\n"
    );
    let c = report(&text, true);
    insta::assert_yaml_snapshot!("coverage_workloads", c);
    insta::assert_snapshot!("coverage_table", c.render_table());
    insta::assert_snapshot!("coverage_markdown", c.render_markdown());
    let classes = report(&text, false);
    insta::assert_yaml_snapshot!("coverage_classes", classes);
    insta::assert_snapshot!("coverage_classes_table", classes.render_table());
}

/// A rule whose own side (an ingress rule's destination) selects other workloads exposes only them.
#[test]
fn a_rule_exposes_only_the_workloads_its_own_side_matches() {
    let text = |local: &str| {
        format!(
            "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {{name: edge}}\nspec:\n  selector: all()\n  types: [Ingress]\n  ingress:\n  - {{action: Deny, destination: {{selector: app == 'web'}}, source: {{nets: [10.0.0.0/8]}}}}\n  - {{action: Allow, source: {{nets: [0.0.0.0/0]}}, destination: {{selector: {local}}}}}\n  - {{action: Allow}}\n"
        )
    };
    let world = |c: &Coverage, name: &str| {
        c.workloads
            .iter()
            .find(|e| e.workload == name)
            .unwrap()
            .exposures
            .iter()
            .any(|e| e.kind == ExposureKind::World && e.decided_by.rule == 1)
    };
    let c = report(&text("app == 'db'"), true);
    assert!(world(&c, "shop/db"), "{c:#?}");
    assert!(!world(&c, "shop/web"), "{c:#?}");
    // The Deny's destination is `shop/web` only: `shop/db` stays open (rule 2 allows the rest).
    let state = |c: &Coverage, name: &str| {
        c.workloads
            .iter()
            .find(|e| e.workload == name)
            .map(|e| e.ingress)
    };
    assert_eq!(state(&c, "shop/db"), Some(State::Open));
    assert_eq!(state(&c, "shop/web"), Some(State::Isolated));
    let c = report(&text("app == 'web'"), true);
    assert!(world(&c, "shop/web"), "{c:#?}");
    assert!(!world(&c, "shop/db"), "{c:#?}");
}

/// Pods that carry given labels in any namespace are not every namespace: only an unconditional peer is.
#[test]
fn labelled_pods_of_any_namespace_are_not_every_namespace() {
    let labelled = knp(
        ING,
        "  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: prometheus}}}], ports: [{port: 9090}]}]\n",
    );
    let gnp = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: scrape}\nspec:\n  selector: app == 'web'\n  types: [Ingress]\n  ingress: [{action: Allow, protocol: TCP, source: {selector: app == 'prometheus'}, destination: {ports: [9090]}}]\n";
    for text in [labelled.as_str(), gnp] {
        for with_workloads in [true, false] {
            let c = report(text, with_workloads);
            assert!(
                web(&c)
                    .exposures
                    .iter()
                    .all(|e| e.kind != ExposureKind::AllNamespaces),
                "{c:#?}"
            );
        }
    }
    let every = gnp.replace(
        "source: {selector: app == 'prometheus'}",
        "source: {selector: all()}",
    );
    assert!(
        web(&report(&every, true))
            .exposures
            .iter()
            .any(|e| e.kind == ExposureKind::AllNamespaces)
    );
}

/// `lint_and_coverage` shares one normalized view and one lint context: its answers are the two
/// calls' answers, on a random estate and on one whose release enforces a ClusterNetworkPolicy (where
/// coverage builds its own context).
#[test]
fn lint_and_coverage_answer_as_the_two_calls() {
    use netpol_core::coverage::lint_and_coverage;
    use netpol_core::eval::synthetic::{EstateConfig, estate};
    use netpol_core::lint::{LintConfig, lint_resources};
    let config = LintConfig::default();
    let cnp = "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: world-in}\nspec:\n  tier: Admin\n  priority: 5\n  subject: {namespaces: {matchLabels: {team: shop}}}\n  egress:\n  - action: Accept\n    to: [{networks: [0.0.0.0/0]}]\n";
    let mut inputs = vec![set(&format!("{cnp}---\n{WORKLOADS}"), CalicoVersion::V3_32)];
    for seed in 1..4 {
        inputs.push(estate(&EstateConfig {
            seed,
            workloads: 300,
            policies: 120,
            ..EstateConfig::default()
        }));
    }
    for resources in &inputs {
        let (findings, report) = lint_and_coverage(resources, &config);
        assert_eq!(findings, lint_resources(resources, &config));
        assert_eq!(report, coverage(resources));
    }
}

/// A rule naming a port by name: resolved on the workload's container ports (`ssh` is 22 on
/// `shop/web`), so a sensitive port is found by name too; a name the workload lacks matches none of its
/// packets. Without workloads the ports are not known: the exposure is undecidable, and said so.
#[test]
fn a_named_port_resolves_on_the_container_ports_or_is_undecidable() {
    let flavours = [
        knp(
            ING,
            "  ingress: [{from: [{namespaceSelector: {matchLabels: {team: ops}}}], ports: [{port: PORT}]}]\n",
        ),
        calico(
            ING,
            "  ingress: [{action: Allow, protocol: TCP, source: {namespaceSelector: team == 'ops'}, destination: {ports: [PORT]}}]\n",
        ),
    ];
    let sensitive = |c: &Coverage| -> Vec<(String, Option<String>)> {
        web(c)
            .exposures
            .iter()
            .filter(|e| e.kind == ExposureKind::SensitivePort)
            .map(|e| (e.ports.to_string(), e.missing.as_deref().map(str::to_owned)))
            .collect()
    };
    for text in &flavours {
        // Trigger: `ssh` is port 22 of `shop/web`.
        let c = report(&text.replace("PORT", "ssh"), true);
        assert_eq!(
            sensitive(&c),
            [("TCP/22".to_owned(), None)],
            "{text}\n{c:#?}"
        );
        assert_eq!((c.summary.exposed, c.summary.undecidable), (1, 0));
        // Near miss: `http` is 8080.
        let c = report(&text.replace("PORT", "http"), true);
        assert_eq!(sensitive(&c), [], "{text}\n{c:#?}");
        // Without workloads `ssh` may be any port: undecidable, not counted as exposed.
        let c = report(&text.replace("PORT", "ssh"), false);
        assert_eq!(
            sensitive(&c),
            [(
                "TCP/ssh".to_owned(),
                Some("the container ports of its workloads (named port ssh)".to_owned())
            )],
            "{text}\n{c:#?}"
        );
        assert_eq!((c.summary.exposed, c.summary.undecidable), (0, 1));
        assert!(
            c.summary_line()
                .contains("; 1 may have exposures (a fact is missing)"),
            "{}",
            c.summary_line()
        );
        // Near miss without workloads: a number that is not sensitive is decided.
        let c = report(&text.replace("PORT", "8080"), false);
        assert_eq!(sensitive(&c), [], "{text}\n{c:#?}");
        assert_eq!(c.summary.undecidable, 0);
    }
    // A name `shop/web` does not have: the rule matches none of its packets, so no world either.
    let world = calico(
        ING,
        "  ingress: [{action: Allow, protocol: TCP, source: {nets: [0.0.0.0/0]}, destination: {ports: [NAME]}}]\n",
    );
    let kinds = |c: &Coverage| web(c).exposures.iter().map(|e| e.kind).collect::<Vec<_>>();
    assert_eq!(
        kinds(&report(&world.replace("NAME", "metrics"), true)),
        [],
        "a port name the workload lacks"
    );
    assert_eq!(
        kinds(&report(&world.replace("NAME", "http"), true)),
        [ExposureKind::World]
    );
}
