//! The empty design with the default-deny baseline: its shape, and what it allows through the evaluator
//! (DNS to kube-dns, on UDP and TCP 53; nothing else for workloads outside the system namespaces).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use netpol_core::design::{self, DesignNamespace, SYSTEM_NAMESPACES, WorkloadGroup};
use netpol_core::eval::reference::Reference;
use netpol_core::eval::{Endpoint, Evaluator, Flow, Verdict, WorkloadEndpoint};
use netpol_core::model::{ContainerPort, Protocol, ResourceSet, WorkloadKind};

#[test]
fn the_baseline_loads_without_any_diagnostic() {
    let result = design::import("baseline.yaml", design::BASELINE_YAML);
    let rendered: Vec<String> = result.diagnostics.iter().map(|d| d.render()).collect();
    assert!(rendered.is_empty(), "{}", rendered.join("\n"));
    assert!(result.single_design().is_some());
}

#[test]
fn the_baseline_is_a_default_deny_and_a_dns_allow() {
    let d = design::baseline();
    assert_eq!(d.name, "new-design");
    let tiers: Vec<(&str, Option<f64>)> = d
        .tiers
        .iter()
        .map(|t| (t.metadata.name.as_str(), t.spec.order))
        .collect();
    assert_eq!(
        tiers,
        [("platform", Some(100.0)), ("application", Some(500.0))]
    );
    let names: Vec<&str> = d
        .policies
        .iter()
        .map(|p| p.metadata.name.as_str())
        .collect();
    assert_eq!(names, ["allow-dns", "default-deny"]);
    assert!(d.kubernetes_policies.is_empty());

    let deny = &d.policies[1];
    assert_eq!(deny.tier(), "default");
    assert_eq!(deny.spec.order, Some(1000.0));
    assert!(deny.spec.ingress.is_empty() && deny.spec.egress.is_empty());
    assert_eq!(deny.spec.types.len(), 2);
    let excluded = deny.spec.namespace_selector.as_deref().unwrap_or("");
    for system in SYSTEM_NAMESPACES {
        assert!(excluded.contains(&format!("\"{system}\"")), "{system}");
    }
    // The baseline (YAML) and the export's guardrail (code) write one selector from one list.
    assert_eq!(
        excluded,
        netpol_core::model::vocabulary::namespaces::non_system_namespace_selector()
    );

    let dns = &d.policies[0];
    assert_eq!(dns.tier(), "platform");
    assert_eq!(dns.spec.order, Some(100.0));
    let protocols: Vec<String> = dns
        .spec
        .egress
        .iter()
        .filter_map(|r| r.protocol.map(|p| p.to_string()))
        .collect();
    assert_eq!(protocols, ["UDP", "TCP"]);
    // The baseline passes its own lints without an error.
    let findings = netpol_core::lint::lint_design(&d, &d.lint);
    let errors: Vec<_> = findings
        .iter()
        .filter(|f| f.severity == netpol_core::lint::Severity::Error)
        .map(|f| f.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

fn group(name: &str, app: &str, ports: &[(u16, Protocol)]) -> WorkloadGroup {
    WorkloadGroup {
        name: name.to_owned(),
        kind: WorkloadKind::Deployment,
        labels: [("app".to_owned(), app.to_owned())].into(),
        service_account: None,
        ports: ports
            .iter()
            .map(|&(port, protocol)| ContainerPort {
                name: None,
                port,
                protocol,
            })
            .collect(),
    }
}

/// The baseline with an application namespace `shop` (web and db) and a pod in `calico-system`.
fn estate() -> ResourceSet {
    let mut d = design::baseline();
    d.namespaces.push(DesignNamespace {
        name: "shop".to_owned(),
        labels: [("kubernetes.io/metadata.name".to_owned(), "shop".to_owned())].into(),
        workloads: vec![
            group("web", "web", &[(8080, Protocol::Tcp)]),
            group("db", "db", &[(5432, Protocol::Tcp)]),
        ],
    });
    d.namespaces.push(DesignNamespace {
        name: "calico-system".to_owned(),
        labels: [(
            "kubernetes.io/metadata.name".to_owned(),
            "calico-system".to_owned(),
        )]
        .into(),
        workloads: vec![group("typha", "typha", &[(5473, Protocol::Tcp)])],
    });
    design::to_resources(&d)
}

fn endpoint(rs: &ResourceSet, name: &str) -> Endpoint {
    if let Ok(ip) = name.parse() {
        return Endpoint::outside(ip);
    }
    let all = WorkloadEndpoint::all_from(rs).unwrap_or_default();
    match all.into_iter().find(|w| w.display_name() == name) {
        Some(w) => Endpoint::Workload(w),
        None => panic!("no workload {name}"),
    }
}

/// The verdict of both evaluators (they must agree).
fn verdict(rs: &ResourceSet, src: &str, dst: &str, protocol: Protocol, port: u16) -> Verdict {
    let mut ev = match Evaluator::new(rs) {
        Ok(ev) => ev,
        Err(errors) => panic!("{errors:?}"),
    };
    let (s, d) = (endpoint(rs, src), endpoint(rs, dst));
    let flow = Flow {
        src: ev.intern(&s),
        dst: ev.intern(&d),
        protocol,
        port: Some(port),
    };
    let compiled = ev.evaluate(&flow).enforced.verdict;
    let reference = Reference::new(rs).evaluate(&s, &d, protocol, Some(port));
    assert_eq!(compiled, reference.verdict, "{src} -> {dst}");
    compiled
}

#[test]
fn the_baseline_allows_dns_to_kube_system_and_denies_the_rest() {
    let rs = estate();
    let dns = "kube-system/coredns";
    assert_eq!(
        verdict(&rs, "shop/web", dns, Protocol::Udp, 53),
        Verdict::Allow
    );
    assert_eq!(
        verdict(&rs, "shop/web", dns, Protocol::Tcp, 53),
        Verdict::Allow
    );
    // Only port 53 of kube-dns, and nothing else from the application namespace.
    assert_eq!(
        verdict(&rs, "shop/web", dns, Protocol::Tcp, 9153),
        Verdict::Deny
    );
    assert_eq!(
        verdict(&rs, "shop/web", "shop/db", Protocol::Tcp, 5432),
        Verdict::Deny
    );
    assert_eq!(
        verdict(&rs, "shop/db", "shop/web", Protocol::Tcp, 8080),
        Verdict::Deny
    );
    assert_eq!(
        verdict(&rs, "shop/web", "203.0.113.7", Protocol::Tcp, 443),
        Verdict::Deny
    );
    assert_eq!(
        verdict(&rs, "203.0.113.7", "shop/web", Protocol::Tcp, 8080),
        Verdict::Deny
    );
    assert_eq!(
        verdict(&rs, dns, "shop/web", Protocol::Tcp, 8080),
        Verdict::Deny
    );
    // The system namespaces are left out of the default deny: the cluster keeps working.
    assert_eq!(
        verdict(&rs, "calico-system/typha", dns, Protocol::Tcp, 9153),
        Verdict::Allow
    );
    assert_eq!(
        verdict(
            &rs,
            "calico-system/typha",
            "203.0.113.7",
            Protocol::Tcp,
            443
        ),
        Verdict::Allow
    );
}
