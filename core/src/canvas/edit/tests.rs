//! Editing and removing drawn flows on the built-in sample: both sides change together, and what a
//! removal leaves behind is tidied.

use super::*;
use crate::canvas::{Canvas, WORLD_ID};
use crate::design::sample;
use crate::model::CalicoPolicyKind;

const GATEWAY: &str = "workload/storefront/api-gateway";
const ORDERS_DB: &str = "workload/orders/orders-db";
const CHECKOUT: &str = "workload/checkout/checkout-api";
const SANDBOX: &str = "namespace/sandbox";
const DNS: &str = "workload/kube-system/coredns";

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

fn key(from: &str, to: &str, protocol: Protocol, ports: &[u16]) -> FlowKey {
    FlowKey {
        from: from.to_owned(),
        to: to.to_owned(),
        protocol,
        ports: ports.iter().map(|&p| Port::Number(p)).collect(),
    }
}

fn change(protocol: Protocol, ports: &[u16], tier: &str) -> FlowChange {
    FlowChange {
        protocol,
        ports: ports.iter().map(|&p| Port::Number(p)).collect(),
        tier: tier.to_owned(),
    }
}

/// Every rule of `design` that is a rule of `key`, as (policy name, direction).
fn rules_of(design: &Design, key: &FlowKey) -> Vec<(String, PolicyType)> {
    holders(design, key)
        .into_iter()
        .map(|(i, d)| (design.policies[i].metadata.name.clone(), d))
        .collect()
}

#[test]
fn editing_the_service_rewrites_both_rules_where_they_are() {
    let mut design = sample();
    let drawn = add_flow(
        &mut design,
        &request(GATEWAY, ORDERS_DB, Protocol::Tcp, &[5432], "application"),
    )
    .expect("drawn");
    let (e, i) = (
        drawn.egress.expect("egress"),
        drawn.ingress.expect("ingress"),
    );
    let at = |d: &Design| {
        (
            d.policies[e]
                .spec
                .egress
                .iter()
                .position(|r| r.protocol.is_some() && r.metadata.is_some()),
            d.policies[i]
                .spec
                .ingress
                .iter()
                .position(|r| r.metadata.is_some()),
        )
    };
    let positions = at(&design);
    let count = design.policies.len();

    let old = key(GATEWAY, ORDERS_DB, Protocol::Tcp, &[5432]);
    let outcome = update_flow(
        &mut design,
        &old,
        &change(Protocol::Tcp, &[5433, 5434], "application"),
    )
    .expect("edited");
    assert_eq!(outcome, drawn, "the same policies hold the rules");
    assert_eq!(design.policies.len(), count);
    assert!(
        rules_of(&design, &old).is_empty(),
        "no rule of the old service is left"
    );
    let new = key(GATEWAY, ORDERS_DB, Protocol::Tcp, &[5433, 5434]);
    assert_eq!(
        rules_of(&design, &new),
        [
            ("api-gateway".to_owned(), PolicyType::Egress),
            ("orders-db".to_owned(), PolicyType::Ingress)
        ]
    );
    assert_eq!(at(&design), positions, "edited in place");
    let canvas = Canvas::of(&design);
    assert_eq!(canvas.edges.len(), 1);
    assert_eq!(canvas.edges[0].service(), "TCP 5433, 5434");
    assert_eq!(canvas.edges[0].tiers, ["application"]);
    assert_eq!(canvas.edges[0].key(), new);
}

#[test]
fn an_edit_that_meets_an_equal_drawn_flow_merges_with_it() {
    let mut design = sample();
    for port in [5432, 5433] {
        add_flow(
            &mut design,
            &request(GATEWAY, ORDERS_DB, Protocol::Tcp, &[port], "application"),
        )
        .expect("drawn");
    }
    let old = key(GATEWAY, ORDERS_DB, Protocol::Tcp, &[5432]);
    update_flow(
        &mut design,
        &old,
        &change(Protocol::Tcp, &[5433], "application"),
    )
    .expect("edited");
    let new = key(GATEWAY, ORDERS_DB, Protocol::Tcp, &[5433]);
    assert_eq!(
        rules_of(&design, &new).len(),
        2,
        "one rule per side, not two"
    );
    let rules: usize = design
        .policies
        .iter()
        .map(|p| {
            p.spec
                .egress
                .iter()
                .chain(&p.spec.ingress)
                .filter(|r| new.matches(r))
                .count()
        })
        .sum();
    assert_eq!(rules, 2);
}

#[test]
fn changing_the_tier_moves_both_rules_and_removing_tidies_up() {
    let original = sample();
    let mut design = original.clone();
    add_flow(
        &mut design,
        &request(GATEWAY, ORDERS_DB, Protocol::Tcp, &[5432], "application"),
    )
    .expect("drawn");
    let old = key(GATEWAY, ORDERS_DB, Protocol::Tcp, &[5432]);
    let outcome = update_flow(
        &mut design,
        &old,
        &change(Protocol::Tcp, &[5432], "platform"),
    )
    .expect("moved");
    let e = &design.policies[outcome.egress.expect("egress")];
    let i = &design.policies[outcome.ingress.expect("ingress")];
    assert_eq!((e.tier(), i.tier()), ("platform", "platform"));
    assert_eq!(Canvas::of(&design).edges[0].tiers, ["platform"]);
    // The application policies are as they were before the flow was drawn.
    for name in ["api-gateway", "orders-db"] {
        let find = |d: &Design| {
            d.policies
                .iter()
                .find(|p| p.metadata.name == name && p.tier() == "application")
                .cloned()
        };
        assert_eq!(find(&design), find(&original), "{name}");
    }

    // Removing it takes both rules and the two platform policies the move created.
    let removed = remove_flow(&mut design, &old).expect("removed");
    assert_eq!(removed.rules, 2);
    assert_eq!(removed.removed_policies.len(), 2, "{removed:?}");
    assert_eq!(design, original, "as if the flow had never been drawn");
}

#[test]
fn removing_a_flow_from_existing_policies_restores_them() {
    let original = sample();
    let mut design = original.clone();
    add_flow(
        &mut design,
        &request(GATEWAY, ORDERS_DB, Protocol::Tcp, &[5432], "application"),
    )
    .expect("drawn");
    let removed = remove_flow(
        &mut design,
        &key(GATEWAY, ORDERS_DB, Protocol::Tcp, &[5432]),
    )
    .expect("removed");
    assert_eq!(removed.rules, 2);
    assert!(removed.removed_policies.is_empty(), "{removed:?}");
    assert_eq!(design, original);
    assert!(Canvas::of(&design).edges.is_empty());
}

#[test]
fn a_policy_keeping_rules_one_way_stops_applying_the_other_way() {
    // sandbox → DNS, then DNS → the world: the coredns policy gets ingress, then egress.
    let mut design = sample();
    add_flow(
        &mut design,
        &request(SANDBOX, DNS, Protocol::Udp, &[53], "default"),
    )
    .expect("drawn");
    let one = design.clone();
    add_flow(
        &mut design,
        &request(DNS, WORLD_ID, Protocol::Udp, &[53], "default"),
    )
    .expect("drawn");
    let coredns = design
        .policies
        .iter()
        .position(|p| p.metadata.name == "coredns")
        .expect("policy");
    assert_eq!(
        design.policies[coredns].spec.types,
        [PolicyType::Ingress, PolicyType::Egress]
    );
    let removed =
        remove_flow(&mut design, &key(DNS, WORLD_ID, Protocol::Udp, &[53])).expect("removed");
    assert_eq!(removed.rules, 1, "the world has no policy side");
    assert_eq!(
        removed.narrowed,
        [("kube-system/coredns".to_owned(), PolicyType::Egress)]
    );
    assert_eq!(design, one);
}

#[test]
fn a_staged_flow_stays_staged_in_its_new_tier() {
    let mut design = sample();
    let mut req = request(GATEWAY, CHECKOUT, Protocol::Tcp, &[8080], "application");
    req.staged = true;
    add_flow(&mut design, &req).expect("drawn");
    let old = key(GATEWAY, CHECKOUT, Protocol::Tcp, &[8080]);
    let outcome = update_flow(
        &mut design,
        &old,
        &change(Protocol::Tcp, &[8080], "platform"),
    )
    .expect("moved");
    for side in [outcome.egress, outcome.ingress] {
        let policy = &design.policies[side.expect("side")];
        assert_eq!(policy.kind, CalicoPolicyKind::StagedNetworkPolicy);
        assert_eq!(policy.tier(), "platform");
    }
    assert!(Canvas::of(&design).edges[0].staged);
}

#[test]
fn bad_edits_are_refused_and_change_nothing() {
    let mut design = sample();
    add_flow(
        &mut design,
        &request(GATEWAY, ORDERS_DB, Protocol::Tcp, &[5432], "application"),
    )
    .expect("drawn");
    let before = design.clone();
    let drawn = key(GATEWAY, ORDERS_DB, Protocol::Tcp, &[5432]);
    let missing = key(GATEWAY, ORDERS_DB, Protocol::Udp, &[5432]);
    assert_eq!(
        update_flow(
            &mut design,
            &drawn,
            &change(Protocol::Icmp, &[1], "application")
        ),
        Err(DrawError::PortsWithoutPorts("ICMP".to_owned()))
    );
    assert_eq!(
        update_flow(&mut design, &drawn, &change(Protocol::Tcp, &[1], "nope")),
        Err(DrawError::UnknownTier("nope".to_owned()))
    );
    assert!(matches!(
        update_flow(
            &mut design,
            &missing,
            &change(Protocol::Tcp, &[1], "application")
        ),
        Err(DrawError::UnknownFlow(_))
    ));
    assert!(matches!(
        remove_flow(&mut design, &missing),
        Err(DrawError::UnknownFlow(_))
    ));
    assert_eq!(design, before);
}
