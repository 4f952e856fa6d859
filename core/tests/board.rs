//! The policy board: evaluation order of tiers and policies, and reorder edits that keep orders
//! strictly increasing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::board::{self, BoardError, PolicyRef};
use netpol_core::design::Design;
use netpol_core::model::{
    CalicoPolicy, CalicoPolicyKind, KubernetesPolicy, ObjectMeta, PolicySpec, Tier,
    TierDefaultAction,
};

fn gnp(name: &str, tier: &str, order: Option<f64>) -> CalicoPolicy {
    CalicoPolicy {
        kind: CalicoPolicyKind::GlobalNetworkPolicy,
        metadata: ObjectMeta::named(name, None),
        spec: PolicySpec {
            tier: Some(tier.to_owned()),
            order,
            ..PolicySpec::default()
        },
    }
}

fn knp(name: &str) -> KubernetesPolicy {
    KubernetesPolicy {
        metadata: ObjectMeta::named(name, Some("shop")),
        spec: Default::default(),
        staged: false,
    }
}

fn design() -> Design {
    Design {
        name: "t".to_owned(),
        tiers: vec![
            Tier::new("platform", Some(200.0)),
            Tier::new("security", Some(100.0)),
            Tier::new("app", None),
        ],
        policies: vec![
            gnp("b", "security", Some(10.0)),
            gnp("a", "security", Some(10.0)),
            gnp("late", "security", None),
            gnp("early", "security", Some(5.0)),
            gnp("d1", "default", Some(2000.0)),
            gnp("d0", "default", Some(500.0)),
            gnp("stray", "ghost", Some(1.0)),
        ],
        kubernetes_policies: vec![knp("web")],
        ..Design::default()
    }
}

fn tier_names(design: &Design) -> Vec<String> {
    board::columns(design).into_iter().map(|c| c.name).collect()
}

fn card_names(design: &Design, tier: &str) -> Vec<String> {
    board::columns(design)
        .into_iter()
        .find(|c| c.name == tier)
        .map(|c| c.cards.into_iter().map(|card| card.display_name).collect())
        .unwrap_or_default()
}

#[test]
fn tiers_sort_by_order_nil_last_and_undeclared_after_everything() {
    // default is built in at 1,000,000; `app` has no order (after every ordered tier); `ghost` is
    // only named by a policy, so Felix sorts it after every valid tier.
    assert_eq!(
        tier_names(&design()),
        ["security", "platform", "default", "app", "ghost"]
    );
    let columns = board::columns(&design());
    assert!(
        columns
            .iter()
            .find(|c| c.name == "default")
            .is_some_and(|c| c.fixed && c.valid)
    );
    assert!(
        columns
            .iter()
            .find(|c| c.name == "ghost")
            .is_some_and(|c| !c.valid)
    );
}

#[test]
fn policies_sort_by_order_then_name_with_kubernetes_policies_at_1000() {
    assert_eq!(
        card_names(&design(), "security"),
        ["early", "a", "b", "late"]
    );
    assert_eq!(
        card_names(&design(), "default"),
        ["d0", "knp.default.web", "d1"]
    );
}

#[test]
fn moving_a_tier_reassigns_increasing_orders_around_the_built_in_ones() {
    let mut d = design();
    assert_eq!(board::move_tier(&mut d, "platform", -1), Ok(true));
    assert_eq!(
        tier_names(&d),
        ["platform", "security", "default", "app", "ghost"]
    );
    // Moving `app` before `default` gives it an order below 1,000,000.
    assert_eq!(board::move_tier(&mut d, "app", -1), Ok(true));
    assert_eq!(
        tier_names(&d),
        ["platform", "security", "app", "default", "ghost"]
    );
    let orders: Vec<f64> = board::columns(&d)
        .iter()
        .filter(|c| c.valid)
        .filter_map(|c| c.order)
        .collect();
    assert_eq!(orders.len(), 4);
    assert!(orders.windows(2).all(|w| w[0] < w[1]), "{orders:?}");
    // At the edge nothing moves; built-in tiers do not move.
    assert_eq!(board::move_tier(&mut d, "platform", -1), Ok(false));
    assert_eq!(
        board::move_tier(&mut d, "default", 1),
        Err(BoardError::BuiltInTier("default".to_owned()))
    );
    assert_eq!(
        board::move_tier(&mut d, "nope", 1),
        Err(BoardError::UnknownTier("nope".to_owned()))
    );
}

#[test]
fn moving_a_policy_gives_distinct_orders_and_keeps_kubernetes_policies_fixed() {
    let mut d = design();
    let late = PolicyRef::Calico(2);
    assert!(board::move_policy(&mut d, late, -3));
    assert_eq!(card_names(&d, "security"), ["late", "early", "a", "b"]);
    let orders: Vec<f64> = board::columns(&d)[0]
        .cards
        .iter()
        .filter_map(|c| c.order)
        .collect();
    assert_eq!(orders.len(), 4, "every policy of the tier now has an order");
    assert!(orders.windows(2).all(|w| w[0] < w[1]), "{orders:?}");

    // In the default tier, moving d1 above the fixed Kubernetes policy (order 1000) puts it below 1000.
    assert!(board::move_policy(&mut d, PolicyRef::Calico(4), -1));
    assert_eq!(card_names(&d, "default"), ["d0", "d1", "knp.default.web"]);
    assert!(d.policies[4].spec.order.is_some_and(|o| o < 1000.0));
    assert!(
        !board::move_policy(&mut d, PolicyRef::Kubernetes(0), -1),
        "Kubernetes policies are fixed"
    );
    assert!(
        !board::move_policy(&mut d, PolicyRef::Calico(3), 10),
        "out of range"
    );
}

#[test]
fn adding_renaming_and_setting_the_default_action() {
    let mut d = design();
    assert_eq!(
        board::add_tier(&mut d, "Bad_Name"),
        Err(BoardError::InvalidTierName("Bad_Name".to_owned()))
    );
    assert_eq!(
        board::add_tier(&mut d, "security"),
        Err(BoardError::DuplicateTier("security".to_owned()))
    );
    assert_eq!(board::add_tier(&mut d, "review"), Ok(()));
    assert_eq!(
        tier_names(&d),
        ["security", "platform", "review", "default", "app", "ghost"]
    );

    assert_eq!(board::rename_tier(&mut d, "security", "guardrails"), Ok(()));
    assert_eq!(card_names(&d, "guardrails"), ["early", "a", "b", "late"]);
    assert!(d.policies.iter().all(|p| p.tier() != "security"));
    assert_eq!(
        board::rename_tier(&mut d, "default", "x"),
        Err(BoardError::BuiltInTier("default".to_owned()))
    );

    assert_eq!(
        board::set_default_action(&mut d, "default", TierDefaultAction::Pass),
        Ok(())
    );
    let default = board::columns(&d).into_iter().find(|c| c.name == "default");
    assert!(default.is_some_and(
        |c| c.default_action == TierDefaultAction::Pass && c.order == Some(1_000_000.0)
    ));
}

#[test]
fn tier_names_are_dns_labels() {
    for ok in ["a", "security", "team-1", "x".repeat(63).as_str()] {
        assert!(board::is_valid_tier_name(ok), "{ok}");
    }
    for bad in ["", "-a", "a-", "A", "a_b", "a.b", "x".repeat(64).as_str()] {
        assert!(!board::is_valid_tier_name(bad), "{bad}");
    }
}

#[test]
fn the_sample_board_has_its_tiers_in_order() {
    let sample = netpol_core::design::sample();
    let names = tier_names(&sample);
    assert_eq!(
        &names[..4],
        ["security", "platform", "security-baseline", "application"]
    );
    assert!(names.contains(&"default".to_owned()));
}

#[test]
fn dropping_a_tier_at_a_place_renumbers_around_the_built_in_ones() {
    let mut d = design();
    // Valid tiers: security, platform, default, app. Drop `app` first.
    assert_eq!(board::move_tier_to(&mut d, "app", 0), Ok(true));
    assert_eq!(
        tier_names(&d),
        ["app", "security", "platform", "default", "ghost"]
    );
    // Past the end means last; the default tier keeps 1,000,000 and `security` goes after it.
    assert_eq!(board::move_tier_to(&mut d, "security", 99), Ok(true));
    assert_eq!(
        tier_names(&d),
        ["app", "platform", "default", "security", "ghost"]
    );
    let columns = board::columns(&d);
    let order = |name: &str| {
        columns
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.order)
    };
    assert_eq!(order("default"), Some(1_000_000.0));
    assert!(order("security").is_some_and(|o| o > 1_000_000.0));
    // Dropping where it already is changes nothing; built-in and unknown tiers are refused.
    assert_eq!(board::move_tier_to(&mut d, "app", 0), Ok(false));
    assert_eq!(
        board::move_tier_to(&mut d, "default", 0),
        Err(BoardError::BuiltInTier("default".to_owned()))
    );
    assert_eq!(
        board::move_tier_to(&mut d, "ghost", 0),
        Err(BoardError::UnknownTier("ghost".to_owned()))
    );
}

#[test]
fn dropping_a_policy_in_another_tier_sets_its_tier_and_numbers_that_tier() {
    let mut d = design();
    let early = PolicyRef::Calico(3);
    // Into the default tier, between d0 (500) and the Kubernetes policy (fixed at 1000).
    assert_eq!(board::move_policy_to(&mut d, early, "default", 1), Ok(true));
    assert_eq!(card_names(&d, "security"), ["a", "b", "late"]);
    assert_eq!(
        card_names(&d, "default"),
        ["d0", "early", "knp.default.web", "d1"]
    );
    assert_eq!(
        d.policies[3].spec.tier, None,
        "the default tier is not written"
    );
    let orders: Vec<f64> = board::columns(&d)
        .into_iter()
        .find(|c| c.name == "default")
        .map(|c| c.cards.iter().filter_map(|c| c.order).collect())
        .unwrap_or_default();
    assert_eq!(orders.len(), 4);
    assert!(orders.windows(2).all(|w| w[0] < w[1]), "{orders:?}");
    assert!(orders.contains(&1000.0), "the Kubernetes policy keeps 1000");

    // Back to the end of security.
    assert_eq!(
        board::move_policy_to(&mut d, early, "security", 9),
        Ok(true)
    );
    assert_eq!(card_names(&d, "security"), ["a", "b", "late", "early"]);
    assert_eq!(d.policies[3].spec.tier.as_deref(), Some("security"));
    // Within its tier, to where it is: nothing changes.
    assert_eq!(
        board::move_policy_to(&mut d, early, "security", 3),
        Ok(false)
    );
    // Not into an undeclared tier; Kubernetes policies do not move.
    assert_eq!(
        board::move_policy_to(&mut d, early, "ghost", 0),
        Err(BoardError::UnknownTier("ghost".to_owned()))
    );
    assert_eq!(
        board::move_policy_to(&mut d, PolicyRef::Kubernetes(0), "security", 0),
        Ok(false)
    );
}

#[test]
fn a_policy_cannot_join_a_tier_that_has_one_of_the_same_name() {
    let mut d = design();
    d.policies.push(gnp("a", "platform", Some(1.0)));
    let before = d.clone();
    assert_eq!(
        board::move_policy_to(&mut d, PolicyRef::Calico(1), "platform", 0),
        Err(BoardError::DuplicatePolicy {
            name: "a".to_owned(),
            tier: "platform".to_owned()
        })
    );
    assert_eq!(d, before);
}

mod drops {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any sequence of drops leaves each tier's policies strictly increasing in order and in
        /// the sequence the drop asked for.
        #[test]
        fn drops_keep_orders_strictly_increasing(
            drops in proptest::collection::vec((0usize..7, 0usize..3, 0usize..8), 1..12)
        ) {
            let tiers = ["security", "platform", "default"];
            let mut d = design();
            for (policy, tier, place) in drops {
                let moving = PolicyRef::Calico(policy);
                if d.policies[policy].tier() == "ghost" {
                    continue;
                }
                let tier = tiers[tier];
                let mut want: Vec<PolicyRef> = board::columns(&d)
                    .into_iter()
                    .find(|c| c.name == tier)
                    .map(|c| c.cards.iter().map(|c| c.policy).filter(|p| *p != moving).collect())
                    .unwrap_or_default();
                let at = place.min(want.len());
                want.insert(at, moving);
                let moved = board::move_policy_to(&mut d, moving, tier, place);
                prop_assert!(moved.is_ok(), "{moved:?}");
                let column = board::columns(&d).into_iter().find(|c| c.name == tier);
                let column = column.expect("the tier is on the board");
                let got: Vec<PolicyRef> = column.cards.iter().map(|c| c.policy).collect();
                // Nothing is fixed in the way here: a drop either moves or finds it already there.
                prop_assert_eq!(&got, &want);
                let orders: Vec<f64> = column.cards.iter().filter_map(|c| c.order).collect();
                if moved == Ok(true) {
                    prop_assert_eq!(orders.len(), column.cards.len());
                    prop_assert!(orders.windows(2).all(|w| w[0] < w[1]), "{:?}", orders);
                }
            }
        }
    }
}

/// Cluster policies from YAML (the importer checks them as the CRDs do).
fn cluster_policies(yaml: &str) -> Vec<netpol_core::model::ClusterPolicy> {
    let input = netpol_core::design::import("cnp.yaml", yaml);
    assert_eq!(input.error_count(), 0, "{:?}", input.diagnostics);
    input.resource_set().cluster_policies
}

const CLUSTER: &str = "
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: late}
spec:
  tier: Admin
  priority: 30
  subject: {pods: {podSelector: {matchLabels: {app: web}}}}
  ingress: [{name: x, action: Deny, from: [{namespaces: {}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: early}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {env: prod}}}
  egress: [{name: y, action: Pass, to: [{namespaces: {}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: floor}
spec:
  tier: Baseline
  priority: 5
  subject: {namespaces: {}}
  ingress: [{name: z, action: Deny, from: [{namespaces: {}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: old}
spec:
  priority: 1
  subject: {namespaces: {}}
  ingress: [{name: w, action: Deny, from: [{namespaces: {}}]}]
";

/// Calico 3.32 puts ClusterNetworkPolicies in `kube-admin` (order 1,000: before `default`) and
/// `kube-baseline` (10,000,000: after it), ordered by priority together with any Calico policy there;
/// an AdminNetworkPolicy is shown in its old tier with what it means that 3.32 ignores it.
#[test]
fn cluster_policies_sit_in_their_tiers_by_priority() {
    let mut d = Design {
        name: "t".to_owned(),
        tiers: vec![Tier::new("security", Some(100.0))],
        policies: vec![gnp("calico-in-admin", "kube-admin", Some(20.0))],
        cluster_policies: cluster_policies(CLUSTER),
        ..Design::default()
    };
    let columns = board::columns(&d);
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "security",
            "adminnetworkpolicy",
            "kube-admin",
            "default",
            "kube-baseline"
        ]
    );
    let admin = columns.iter().find(|c| c.name == "kube-admin").unwrap();
    let cards: Vec<(&str, Option<f64>, bool)> = admin
        .cards
        .iter()
        .map(|c| (c.display_name.as_str(), c.order, c.fixed))
        .collect();
    assert_eq!(
        cards,
        [
            ("kcnp:early", Some(10.0), true),
            ("calico-in-admin", Some(20.0), false),
            ("kcnp:late", Some(30.0), true),
        ]
    );
    assert_eq!(admin.cards[0].selector, "namespaces: env == \"prod\"");
    assert_eq!(admin.cards[2].selector, "pods: all() / app == \"web\"");
    assert!(admin.cards.iter().all(|c| c.note.is_none()));
    let old = &columns[1].cards[0];
    assert_eq!(old.policy, PolicyRef::Cluster(3));
    assert_eq!(
        old.note.as_deref(),
        Some("Not enforced by Calico 3.32: migrate it to a ClusterNetworkPolicy")
    );
    // Moving the Calico policy first renumbers it before the fixed priorities.
    assert!(board::move_policy(&mut d, PolicyRef::Calico(0), -1));
    let admin = board::columns(&d)
        .into_iter()
        .find(|c| c.name == "kube-admin")
        .unwrap();
    assert_eq!(admin.cards[0].display_name, "calico-in-admin");
    assert!(admin.cards[0].order.unwrap() < 10.0);
    // Under Calico 3.31 the ClusterNetworkPolicies are the ones not enforced.
    d.calico_version = Some(netpol_core::model::CalicoVersion::V3_31);
    let columns = board::columns(&d);
    let admin = columns.iter().find(|c| c.name == "kube-admin").unwrap();
    assert!(
        admin
            .cards
            .iter()
            .filter(|c| c.fixed)
            .all(|c| c.note.as_deref()
                == Some("Not enforced by Calico 3.31: Calico 3.32 and later enforce it"))
    );
}
