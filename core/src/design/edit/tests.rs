use super::*;
use crate::design::sample;
use crate::model::WorkloadKind;

#[test]
fn names_follow_kubernetes_syntax() {
    assert_eq!(check_namespace_name("shop-1"), Ok(()));
    for bad in ["", "Shop", "-shop", "shop-", "a.b", &"x".repeat(64)] {
        assert!(check_namespace_name(bad).is_err(), "{bad}");
    }
    assert_eq!(check_workload_name("api.v2"), Ok(()));
    assert_eq!(check_service_account("api-gateway"), Ok(()));
    for bad in ["", "API", "a..b", "a_b", ".a"] {
        assert!(check_workload_name(bad).is_err(), "{bad}");
    }
    for ok in ["http", "dns-tcp", "h2c", "a"] {
        assert_eq!(check_port_name(ok), Ok(()), "{ok}");
    }
    for bad in [
        "",
        "8080",
        "HTTP",
        "-http",
        "http-",
        "a--b",
        "metrics-exporter",
        "a_b",
    ] {
        assert!(check_port_name(bad).is_err(), "{bad}");
    }
}

#[test]
fn renaming_a_namespace_carries_its_label_selectors_policies_and_layout() {
    let mut d = sample();
    d.policies
        .iter_mut()
        .filter(|p| p.metadata.namespace.as_deref() == Some("checkout"))
        .flat_map(|p| p.spec.ingress.iter_mut())
        .take(1)
        .for_each(|rule| {
            rule.metadata = Some(crate::model::RuleMetadata {
                annotations: [(
                    FLOW_ANNOTATION.to_owned(),
                    "workload/storefront/api-gateway -> workload/checkout/checkout-api".to_owned(),
                )]
                .into(),
            });
        });
    let uses_before = d
        .policies
        .iter()
        .filter(|p| {
            p.spec.ingress.iter().any(|r| {
                r.source.namespace_selector.as_deref()
                    == Some(r#"kubernetes.io/metadata.name == "checkout""#)
            })
        })
        .count();
    assert!(uses_before > 0);

    let changed = rename_namespace(&mut d, "checkout", "payments");
    assert!(matches!(changed, Ok(n) if n >= uses_before), "{changed:?}");
    assert!(d.namespaces.iter().all(|n| n.name != "checkout"));
    let ns = d.namespaces.iter().find(|n| n.name == "payments");
    assert_eq!(ns.map(|n| n.labels[NAME_LABEL].as_str()), Some("payments"));
    assert!(
        d.policies
            .iter()
            .all(|p| p.metadata.namespace.as_deref() != Some("checkout"))
    );
    let text = crate::design::save(&d);
    assert!(!text.contains(r#"== "checkout""#), "{text}");
    assert!(text.contains(r#"kubernetes.io/metadata.name == "payments""#));
    assert!(d.layout.contains_key("namespace/payments"));
    assert!(d.layout.contains_key("workload/payments/checkout-api"));
    assert!(!d.layout.keys().any(|k| k.contains("/checkout/")));
    assert!(text.contains("workload/storefront/api-gateway -> workload/payments/checkout-api"));
    // The other namespaces' selectors that only resemble it are untouched.
    assert!(text.contains("checkout-staging"));
}

#[test]
fn refused_namespace_edits_change_nothing() {
    let before = sample();
    let mut d = before.clone();
    assert!(matches!(
        rename_namespace(&mut d, "checkout", "orders"),
        Err(NameError::DuplicateNamespace(_))
    ));
    assert!(matches!(
        rename_namespace(&mut d, "checkout", "Bad"),
        Err(NameError::BadNamespace(_))
    ));
    assert!(matches!(
        rename_namespace(&mut d, "nowhere", "elsewhere"),
        Err(NameError::NoNamespace(_))
    ));
    assert!(matches!(
        remove_namespace(&mut d, "nowhere"),
        Err(NameError::NoNamespace(_))
    ));
    assert_eq!(d, before);
}

#[test]
fn removing_a_namespace_drops_its_groups_and_positions() {
    let mut d = sample();
    assert_eq!(remove_namespace(&mut d, "checkout"), Ok(()));
    assert!(d.namespaces.iter().all(|n| n.name != "checkout"));
    assert!(!d.layout.contains_key("namespace/checkout"));
    assert!(!d.layout.contains_key("workload/checkout/checkout-api"));
    assert!(
        d.layout
            .contains_key("workload/checkout-staging/checkout-api")
    );
}

#[test]
fn workload_groups_rename_and_remove_with_their_position() {
    let mut d = sample();
    assert_eq!(
        rename_workload_group(&mut d, "checkout", "checkout-api", "cart"),
        Ok(())
    );
    assert!(d.layout.contains_key("workload/checkout/cart"));
    assert!(!d.layout.contains_key("workload/checkout/checkout-api"));
    // The namesake in another namespace is another group.
    assert!(
        d.layout
            .contains_key("workload/checkout-staging/checkout-api")
    );
    assert!(matches!(
        rename_workload_group(&mut d, "checkout", "cart", "payment-service"),
        Err(NameError::DuplicateWorkload { .. })
    ));
    assert!(matches!(
        rename_workload_group(&mut d, "checkout", "ghost", "spirit"),
        Err(NameError::NoWorkload { .. })
    ));
    assert_eq!(remove_workload_group(&mut d, "checkout", "cart"), Ok(()));
    let names: Vec<&str> = d
        .namespaces
        .iter()
        .filter(|n| n.name == "checkout")
        .flat_map(|n| n.workloads.iter().map(|w| w.name.as_str()))
        .collect();
    assert_eq!(names, ["payment-service"]);
    assert!(!d.layout.contains_key("workload/checkout/cart"));
}

#[test]
fn added_namespaces_carry_the_name_label_and_refuse_duplicates() {
    let mut d = Design::default();
    assert_eq!(add_namespace(&mut d, "shop"), Ok(()));
    assert_eq!(d.namespaces[0].labels[NAME_LABEL], "shop");
    assert_eq!(
        add_namespace(&mut d, "shop"),
        Err(NameError::DuplicateNamespace("shop".to_owned()))
    );
    assert!(matches!(
        add_namespace(&mut d, "Shop"),
        Err(NameError::BadNamespace(_))
    ));
    assert_eq!(
        add_workload_group(&mut d, "shop", "web", WorkloadKind::Deployment),
        Ok(())
    );
    assert!(matches!(
        add_workload_group(&mut d, "shop", "web", WorkloadKind::StatefulSet),
        Err(NameError::DuplicateWorkload { .. })
    ));
    assert!(matches!(
        add_workload_group(&mut d, "nowhere", "web", WorkloadKind::Pod),
        Err(NameError::NoNamespace(_))
    ));
    assert_eq!(check_new_workload_group(&d, "shop", "db"), Ok(()));
    assert_eq!(d.namespaces[0].workloads.len(), 1);
    assert_eq!(d.namespaces[0].workloads[0].kind, WorkloadKind::Deployment);
}

#[test]
fn port_names_are_unique_within_a_group() {
    let port = |name: Option<&str>, port| crate::model::ContainerPort {
        name: name.map(str::to_owned),
        port,
        protocol: crate::model::Protocol::Tcp,
    };
    let ports = [
        port(Some("http"), 80),
        port(None, 9090),
        port(Some("metrics"), 9153),
    ];
    assert_eq!(check_port_name_in(&ports, None, "https"), Ok(()));
    assert_eq!(check_port_name_in(&ports, None, ""), Ok(()));
    assert_eq!(
        check_port_name_in(&ports, None, "http"),
        Err(NameError::DuplicatePortName("http".to_owned()))
    );
    // A port keeps its own name; another port cannot take it.
    assert_eq!(check_port_name_in(&ports, Some(0), "http"), Ok(()));
    assert!(check_port_name_in(&ports, Some(1), "metrics").is_err());
    assert!(matches!(
        check_port_name_in(&ports, Some(1), "Metrics"),
        Err(NameError::BadPortName(_))
    ));
}
