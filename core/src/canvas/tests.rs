//! Canvas tests on the built-in sample: layout, drawing flows, and edge verdicts from the evaluator.

use super::*;
use crate::design::sample;
use crate::model::{Action, CalicoPolicyKind, PolicyType, Rule};

fn request(from: &str, to: &str, protocol: Protocol, ports: &[u16], tier: &str) -> FlowRequest {
    FlowRequest {
        from: from.to_owned(),
        to: to.to_owned(),
        protocol,
        ports: ports.iter().map(|&p| Port::Number(p)).collect(),
        tier: tier.to_owned(),
        staged: false,
    }
}

const GATEWAY: &str = "workload/storefront/api-gateway";
const ORDERS_DB: &str = "workload/orders/orders-db";
const LOAD_GEN: &str = "workload/sandbox/load-generator";

#[test]
fn the_sample_has_every_kind_of_node_at_its_stored_position() {
    let design = sample();
    let nodes = nodes(&design);
    let kind = |id: &str| nodes.iter().find(|n| n.id == id).map(|n| n.kind);
    assert_eq!(kind(WORLD_ID), Some(NodeKind::World));
    assert_eq!(kind("workload/kube-system/coredns"), Some(NodeKind::Dns));
    assert_eq!(kind("namespace/checkout"), Some(NodeKind::Namespace));
    assert_eq!(kind(GATEWAY), Some(NodeKind::Workload));
    assert_eq!(
        kind("networkset/payment-processors"),
        Some(NodeKind::NetworkSet)
    );
    for node in &nodes {
        if let Some(stored) = design.layout.get(&node.id) {
            assert_eq!(node.position, *stored, "{}", node.id);
        }
    }
}

#[test]
fn without_stored_positions_layers_follow_the_taxonomy_tiers() {
    let mut design = sample();
    design.layout.clear();
    let nodes = nodes(&design);
    let x = |id: &str| nodes.iter().find(|n| n.id == id).map(|n| n.position.x);
    let (front, back, data) = (
        x(GATEWAY),
        x("workload/checkout/checkout-api"),
        x(ORDERS_DB),
    );
    assert!(x(WORLD_ID) < front, "the world is left of the frontend");
    assert!(front < back && back < data, "{front:?} {back:?} {data:?}");
    assert!(data < x("networkset/payment-processors"));
    // No two nodes share a position, and the layout is deterministic.
    for (i, a) in nodes.iter().enumerate() {
        for b in &nodes[i + 1..] {
            assert_ne!(a.position, b.position, "{} and {}", a.id, b.id);
        }
    }
    assert_eq!(nodes, super::nodes(&design));
}

#[test]
fn drawing_a_flow_writes_egress_and_ingress_and_the_edge_becomes_allowed() {
    let mut design = sample();
    let before = design.policies.len();
    let req = request(GATEWAY, ORDERS_DB, Protocol::Tcp, &[5432], "application");
    let outcome = add_flow(&mut design, &req).expect("drawn");
    // Both ends already have an application policy selecting exactly them: those are updated.
    assert_eq!(design.policies.len(), before);
    let egress = &design.policies[outcome.egress.expect("egress side")];
    assert_eq!(egress.metadata.name, "api-gateway");
    let rule = egress.spec.egress.last().expect("rule");
    assert_eq!(rule.action, Action::Allow);
    assert_eq!(rule.protocol, Some(Protocol::Tcp));
    assert_eq!(
        rule.destination.selector.as_deref(),
        Some("app.kubernetes.io/name == \"orders-db\"")
    );
    assert_eq!(
        rule.destination.namespace_selector.as_deref(),
        Some("kubernetes.io/metadata.name == \"orders\"")
    );
    assert_eq!(rule.destination.ports, vec![Port::Number(5432)]);
    let ingress = &design.policies[outcome.ingress.expect("ingress side")];
    assert_eq!(ingress.metadata.name, "orders-db");
    let rule = ingress.spec.ingress.last().expect("rule");
    assert_eq!(
        rule.source.selector.as_deref(),
        Some("app.kubernetes.io/name == \"api-gateway\"")
    );
    assert_eq!(
        rule.source.namespace_selector.as_deref(),
        Some("kubernetes.io/metadata.name == \"storefront\"")
    );
    let canvas = Canvas::of(&design);
    let edge = canvas
        .edges
        .iter()
        .find(|e| e.from == GATEWAY && e.to == ORDERS_DB)
        .expect("edge");
    assert_eq!(edge.verdict, EdgeVerdict::Allowed);
    assert_eq!(edge.service(), "TCP 5432");
    let explanation = canvas.explain(0);
    assert_eq!(explanation.len(), 1);
    assert_eq!(explanation[0].verdict, Verdict::Allow);
}

#[test]
fn the_edge_verdict_is_the_whole_designs_not_the_drawn_rules() {
    // dev → prod is denied by the platform tier before the application tier is reached.
    let mut design = sample();
    add_flow(
        &mut design,
        &request(LOAD_GEN, ORDERS_DB, Protocol::Tcp, &[5432], "application"),
    )
    .expect("drawn");
    let canvas = Canvas::of(&design);
    assert_eq!(canvas.edges.len(), 1);
    assert_eq!(canvas.edges[0].verdict, EdgeVerdict::Denied);
    let text = canvas.explain(0)[0].to_text();
    assert!(text.contains("deny-cross-environment"), "{text}");
}

#[test]
fn staged_flows_are_allowed_only_when_staged() {
    let mut design = sample();
    let mut req = request(GATEWAY, ORDERS_DB, Protocol::Tcp, &[5432], "application");
    req.staged = true;
    let outcome = add_flow(&mut design, &req).expect("drawn");
    let egress = &design.policies[outcome.egress.expect("egress")];
    assert_eq!(egress.kind, CalicoPolicyKind::StagedNetworkPolicy);
    assert_eq!(egress.spec.types, vec![PolicyType::Egress]);
    assert_eq!(
        egress.spec.order,
        Some(500.0),
        "after the tier's last policy"
    );
    let canvas = Canvas::of(&design);
    assert_eq!(canvas.edges[0].verdict, EdgeVerdict::AllowedWhenStaged);
}

#[test]
fn new_policies_are_created_with_free_names_in_the_chosen_tier() {
    let mut design = sample();
    let before = design.policies.len();
    let outcome = add_flow(
        &mut design,
        &request(
            "namespace/sandbox",
            "workload/kube-system/coredns",
            Protocol::Udp,
            &[53],
            "default",
        ),
    )
    .expect("drawn");
    assert_eq!(design.policies.len(), before + 2);
    let egress = &design.policies[outcome.egress.expect("egress")];
    assert_eq!(egress.metadata.namespace.as_deref(), Some("sandbox"));
    assert_eq!(egress.spec.selector.as_deref(), Some("all()"));
    assert_eq!(egress.spec.tier, None, "the default tier is left implicit");
    let ingress = &design.policies[outcome.ingress.expect("ingress")];
    assert_eq!(ingress.metadata.name, "coredns");
    assert_eq!(
        ingress.spec.selector.as_deref(),
        Some("k8s-app == \"kube-dns\"")
    );
    assert_eq!(ingress.spec.types, vec![PolicyType::Ingress]);
    let rule = &ingress.spec.ingress[0];
    assert_eq!(
        rule.source.namespace_selector.as_deref(),
        Some("kubernetes.io/metadata.name == \"sandbox\"")
    );
    assert_eq!(
        rule.source.selector, None,
        "a namespace peer is its namespace selector"
    );
}

#[test]
fn outside_ends_get_no_policy_and_are_named_by_nets_or_global_selectors() {
    let mut design = sample();
    let outcome = add_flow(
        &mut design,
        &request(WORLD_ID, GATEWAY, Protocol::Tcp, &[8443], "application"),
    )
    .expect("drawn");
    assert_eq!(outcome.egress, None);
    let ingress = &design.policies[outcome.ingress.expect("ingress")];
    let rule = ingress.spec.ingress.last().expect("rule");
    assert_eq!(rule.source.nets, vec![WORLD_NET.to_owned()]);

    let outcome = add_flow(
        &mut design,
        &request(
            "workload/checkout/payment-service",
            "networkset/payment-processors",
            Protocol::Tcp,
            &[443],
            "application",
        ),
    )
    .expect("drawn");
    assert_eq!(outcome.ingress, None);
    let egress = &design.policies[outcome.egress.expect("egress")];
    let rule = egress.spec.egress.last().expect("rule");
    assert_eq!(
        rule.destination.namespace_selector.as_deref(),
        Some("global()")
    );
    let canvas = Canvas::of(&design);
    assert!(
        canvas
            .edges
            .iter()
            .all(|e| e.verdict == EdgeVerdict::Allowed),
        "{:?}",
        canvas.edges
    );
}

#[test]
fn drawn_rules_go_before_a_catch_all_and_are_not_duplicated() {
    let mut design = sample();
    // pci-egress-like policy: a trailing Pass in an application policy.
    let i = design
        .policies
        .iter()
        .position(|p| p.metadata.name == "api-gateway")
        .expect("policy");
    design.policies[i].spec.egress.push(Rule::new(Action::Pass));
    let req = request(GATEWAY, ORDERS_DB, Protocol::Tcp, &[5432], "application");
    add_flow(&mut design, &req).expect("drawn");
    let once = design.clone();
    add_flow(&mut design, &req).expect("drawn again");
    assert_eq!(design, once, "drawing the same flow twice changes nothing");
    let egress = &design.policies[i].spec.egress;
    assert_eq!(egress.last().map(|r| r.action), Some(Action::Pass));
    assert_eq!(egress[egress.len() - 2].protocol, Some(Protocol::Tcp));
}

#[test]
fn bad_requests_are_refused_and_change_nothing() {
    let design = sample();
    let cases = [
        (
            request(GATEWAY, GATEWAY, Protocol::Tcp, &[1], "application"),
            DrawError::SameNode,
        ),
        (
            request(GATEWAY, ORDERS_DB, Protocol::Tcp, &[1], "nope"),
            DrawError::UnknownTier("nope".to_owned()),
        ),
        (
            request(GATEWAY, "workload/x/y", Protocol::Tcp, &[1], "application"),
            DrawError::UnknownNode("workload/x/y".to_owned()),
        ),
        (
            request(GATEWAY, ORDERS_DB, Protocol::Icmp, &[1], "application"),
            DrawError::PortsWithoutPorts("ICMP".to_owned()),
        ),
        (
            request(
                WORLD_ID,
                "networkset/payment-processors",
                Protocol::Tcp,
                &[1],
                "default",
            ),
            DrawError::NoPolicySide,
        ),
    ];
    for (req, expected) in cases {
        let mut edited = design.clone();
        assert_eq!(add_flow(&mut edited, &req), Err(expected));
        assert_eq!(edited, design);
    }
}

/// A rule whose source is a subnet of the pod range: the design gives its workloads no IPs, so the
/// edge is undecidable, drawn in its own style, and the explanation names the missing fact.
#[test]
fn an_edge_that_depends_on_a_pod_ip_is_undecidable() {
    let mut design = sample();
    design.pod_cidrs = vec!["10.244.0.0/16".to_owned()];
    let outcome = add_flow(
        &mut design,
        &request(GATEWAY, ORDERS_DB, Protocol::Tcp, &[5432], "application"),
    )
    .expect("drawn");
    let ingress = &mut design.policies[outcome.ingress.expect("ingress side")];
    let rule = ingress.spec.ingress.last_mut().expect("rule");
    rule.source.selector = None;
    rule.source.namespace_selector = None;
    rule.source.nets = vec!["10.244.3.0/24".to_owned()];
    let canvas = Canvas::of(&design);
    let edge = canvas
        .edges
        .iter()
        .find(|e| e.from == GATEWAY && e.to == ORDERS_DB)
        .expect("edge");
    assert_eq!(edge.verdict, EdgeVerdict::Undecidable);
    assert_eq!(edge.verdict.as_str(), "undecidable");
    let text = canvas.explain(0)[0].to_text();
    assert!(text.starts_with("verdict: undecidable"), "{text}");
    assert!(
        text.contains("the pod IP of storefront/api-gateway"),
        "{text}"
    );
}
