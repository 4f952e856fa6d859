//! Drawing a flow on the canvas as a cluster guardrail (a ClusterNetworkPolicy rule in `kube-admin`
//! or `kube-baseline`) instead of Calico policy rules: what is written, the verdict the evaluator
//! then gives the edge, how the edge names the policy, and when a guardrail cannot be drawn.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::board::{self, PolicyRef};
use netpol_core::canvas::{
    self, Canvas, DrawError, EdgeVerdict, GuardrailRequest, WORLD_ID, add_guardrail,
    guardrail_unavailable, remove_flow,
};
use netpol_core::design::{Design, sample};
use netpol_core::model::{CalicoVersion, ClusterAction, ClusterTier, Port, Protocol, Resource};
use netpol_core::yaml;

const GATEWAY: &str = "workload/storefront/api-gateway";
const ORDERS_DB: &str = "workload/orders/orders-db";
const LOAD_GEN: &str = "workload/sandbox/load-generator";
const CHECKOUT: &str = "workload/checkout/checkout-api";

fn request(from: &str, to: &str, ports: &[u16], action: ClusterAction) -> GuardrailRequest {
    GuardrailRequest {
        from: from.to_owned(),
        to: to.to_owned(),
        protocol: Protocol::Tcp,
        ports: ports.iter().map(|&p| Port::Number(p)).collect(),
        tier: ClusterTier::Admin,
        action,
    }
}

fn edge<'a>(canvas: &'a Canvas, from: &str, to: &str) -> (usize, &'a canvas::Edge) {
    canvas
        .edges
        .iter()
        .enumerate()
        .find(|(_, e)| e.from == from && e.to == to)
        .expect("the edge is drawn")
}

fn design_332() -> Design {
    let mut design = sample();
    design.calico_version = Some(CalicoVersion::V3_32);
    design
}

#[test]
fn a_deny_guardrail_is_one_cnp_on_the_destination_and_the_edge_names_it() {
    let mut design = design_332();
    let before = design.policies.clone();
    let outcome = add_guardrail(
        &mut design,
        &request(GATEWAY, CHECKOUT, &[8080], ClusterAction::Deny),
    )
    .expect("drawn");
    assert_eq!(design.policies, before, "no Calico policy is touched");
    assert_eq!(outcome.policies.len(), 1);
    assert_eq!(outcome.rule, "deny-api-gateway-to-checkout-api");
    let cnp = &design.cluster_policies[outcome.policies[0]];
    assert_eq!(cnp.metadata.name, "api-gateway-to-checkout-api");
    assert_eq!(cnp.spec.tier, Some(ClusterTier::Admin));
    assert!(cnp.spec.subject.pods.is_some());
    assert_eq!(cnp.spec.ingress.len(), 1);
    assert!(cnp.spec.egress.is_empty());

    // The CRD's checks accept what was drawn.
    let problems = yaml::check_cluster_policy("cnp.yaml", cnp);
    assert!(problems.is_empty(), "{problems:?}");

    let canvas = Canvas::of(&design);
    let (i, e) = edge(&canvas, GATEWAY, CHECKOUT);
    assert_eq!(e.verdict, EdgeVerdict::Denied);
    assert_eq!(e.tiers, ["kube-admin"]);
    assert_eq!(
        e.guardrails,
        ["kube-admin → api-gateway-to-checkout-api → rule \"deny-api-gateway-to-checkout-api\""]
    );
    let trace = canvas.explain(i)[0].to_text();
    assert!(trace.contains("tier kube-admin"), "{trace}");
    assert!(
        trace.contains("api-gateway-to-checkout-api: rule 0 \"deny-api-gateway-to-checkout-api\""),
        "{trace}"
    );

    // The board's kube-admin tier holds it.
    let columns = board::columns(&design);
    let admin = columns
        .iter()
        .find(|c| c.name == "kube-admin")
        .expect("kube-admin column");
    assert!(
        admin
            .cards
            .iter()
            .any(|c| c.policy == PolicyRef::Cluster(outcome.policies[0]))
    );
}

#[test]
fn an_accept_guardrail_takes_both_sides_and_allows_the_flow() {
    let mut design = design_332();
    let canvas = Canvas::of(&design);
    assert!(
        canvas
            .edges
            .iter()
            .all(|e| e.from != GATEWAY || e.to != ORDERS_DB),
        "not drawn yet"
    );
    let outcome = add_guardrail(
        &mut design,
        &request(GATEWAY, ORDERS_DB, &[5432], ClusterAction::Accept),
    )
    .expect("drawn");
    let names: Vec<&str> = outcome
        .policies
        .iter()
        .map(|&i| design.cluster_policies[i].metadata.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "api-gateway-to-orders-db-egress",
            "api-gateway-to-orders-db-ingress"
        ]
    );
    let canvas = Canvas::of(&design);
    let (_, e) = edge(&canvas, GATEWAY, ORDERS_DB);
    assert_eq!(e.verdict, EdgeVerdict::Allowed);
    assert_eq!(e.guardrails.len(), 2);

    // Removing the edge removes both policies.
    let removed = remove_flow(&mut design, &e.key()).expect("removed");
    assert_eq!(removed.rules, 2);
    assert_eq!(design.cluster_policies, design_332().cluster_policies);
}

#[test]
fn the_next_guardrail_of_a_tier_comes_after_the_last_and_names_do_not_collide() {
    let mut design = design_332();
    let first = add_guardrail(
        &mut design,
        &request(LOAD_GEN, ORDERS_DB, &[5432], ClusterAction::Deny),
    )
    .expect("drawn");
    let second = add_guardrail(
        &mut design,
        &request(LOAD_GEN, ORDERS_DB, &[5433], ClusterAction::Deny),
    )
    .expect("drawn");
    let (a, b) = (
        &design.cluster_policies[first.policies[0]],
        &design.cluster_policies[second.policies[0]],
    );
    assert_eq!(b.metadata.name, "load-generator-to-orders-db-2");
    assert!(a.spec.priority < b.spec.priority);
}

#[test]
fn a_guardrail_survives_export_and_import() {
    let mut design = design_332();
    let outcome = add_guardrail(
        &mut design,
        &request(LOAD_GEN, WORLD_ID, &[], ClusterAction::Deny),
    )
    .expect("drawn to the world: an egress rule on the source");
    let cnp = design.cluster_policies[outcome.policies[0]].clone();
    assert_eq!(cnp.spec.egress[0].to[0].networks, ["0.0.0.0/0"]);
    let text = yaml::export_resource(
        &Resource::ClusterPolicy(cnp.clone()),
        &yaml::ExportOptions::default(),
    );
    let back = yaml::import("cnp.yaml", &text);
    assert_eq!(back.error_count(), 0, "{:?}", back.diagnostics);
    assert_eq!(back.resource_set().cluster_policies, [cnp]);
    let canvas = Canvas::of(&design);
    let (_, e) = edge(&canvas, LOAD_GEN, WORLD_ID);
    assert!(e.ports.is_empty(), "every port reads back as no ports");
    assert_eq!(e.verdict, EdgeVerdict::Denied);
}

#[test]
fn guardrails_need_calico_3_32_and_what_a_cnp_can_say() {
    let mut design = design_332();
    design.calico_version = Some(CalicoVersion::V3_31);
    let why = guardrail_unavailable(&design).expect("3.31 does not enforce CNP");
    assert!(why.contains("Calico 3.31"), "{why}");
    let unchanged = design.clone();
    let err = add_guardrail(
        &mut design,
        &request(LOAD_GEN, ORDERS_DB, &[5432], ClusterAction::Deny),
    )
    .unwrap_err();
    assert!(matches!(err, DrawError::GuardrailNotEnforced(_)));
    assert_eq!(design, unchanged);

    let mut design = design_332();
    assert_eq!(guardrail_unavailable(&design), None);
    let from_world = add_guardrail(
        &mut design,
        &request(WORLD_ID, GATEWAY, &[443], ClusterAction::Accept),
    );
    assert!(matches!(
        from_world,
        Err(DrawError::GuardrailFromOutside(_))
    ));
    let mut icmp = request(LOAD_GEN, ORDERS_DB, &[], ClusterAction::Deny);
    icmp.protocol = Protocol::Icmp;
    assert!(matches!(
        add_guardrail(&mut design, &icmp),
        Err(DrawError::GuardrailProtocol(_))
    ));
    assert_eq!(design, design_332());
}
