use super::*;
use crate::design::load;

const DESIGN: &str = r#"
apiVersion: studio.netpol.dev/v1alpha1
kind: Design
metadata:
  name: rename
spec:
  taxonomy:
  - key: tier
    values: [frontend, backend, data]
    scope: security
  - key: team
    scope: application
  namespaces:
  - name: shop
    labels:
      tier: backend
    workloads:
    - name: api
      kind: Deployment
      labels:
        tier: backend
        team: payments
    - name: web
      kind: Deployment
      labels:
        tier: frontend
  policies:
  - apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: backend-in
    spec:
      order: 10
      selector: tier == "backend" && team == "payments"
      namespaceSelector: tier in {"backend", "data"}
      types: [Ingress, Egress]
      ingress:
      - action: Allow
        source:
          selector: tier == 'frontend' || pcns.tier == "backend"
          notSelector: tier != "backend"
          namespaceSelector: tier not in {"backend"}
      egress:
      - action: Allow
        destination:
          selector: tier contains "backend"
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: k8s-backend
      namespace: shop
    spec:
      podSelector:
        matchLabels: {tier: backend}
      ingress:
      - from:
        - podSelector:
            matchExpressions:
            - {key: tier, operator: In, values: [backend, frontend]}
          namespaceSelector:
            matchExpressions:
            - {key: tier, operator: Exists}
  networkSets:
  - apiVersion: projectcalico.org/v3
    kind: GlobalNetworkSet
    metadata:
      name: partners
      labels: {tier: backend}
    spec:
      nets: [198.51.100.0/24]
"#;

/// Calico's canonical text of a selector, as a rename writes it.
fn canon(text: &str) -> Option<String> {
    Selector::parse(text).ok().map(|s| s.canonical())
}

fn design() -> Design {
    match load(DESIGN) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn renaming_a_value_rewrites_every_selector_and_label_that_uses_it() {
    let mut d = design();
    let count = rename_label_value(&mut d, "tier", "backend", "services");
    assert_eq!(
        count,
        Ok(ValueRename {
            selectors: 7,
            labels: 3,
            ..ValueRename::default()
        })
    );
    assert_eq!(count.map(|c| c.places()), Ok(10));
    assert_eq!(d.taxonomy[0].values, ["frontend", "services", "data"]);

    let gnp = &d.policies[0].spec;
    // Policy selector: the other key of the same name-value pair is left alone.
    assert_eq!(
        gnp.selector,
        canon(r#"tier == "services" && team == "payments""#)
    );
    // `in {…}` sets stay sorted.
    assert_eq!(
        gnp.namespace_selector,
        canon(r#"tier in {"data", "services"}"#)
    );
    let source = &gnp.ingress[0].source;
    assert_eq!(
        source.selector,
        canon(r#"tier == "frontend" || pcns.tier == "services""#)
    );
    assert_eq!(
        source.not_selector.as_deref(),
        Some(r#"tier != "services""#)
    );
    assert_eq!(
        source.namespace_selector,
        canon(r#"tier not in {"services"}"#)
    );
    // A substring pattern is not a value: unchanged, text as written.
    assert_eq!(
        gnp.egress[0].destination.selector.as_deref(),
        Some(r#"tier contains "backend""#)
    );

    let knp = &d.kubernetes_policies[0].spec;
    assert_eq!(knp.pod_selector.match_labels["tier"], "services");
    let peer = &knp.ingress[0].from[0];
    let values = peer
        .pod_selector
        .as_ref()
        .map(|s| s.match_expressions[0].values.clone());
    assert_eq!(
        values,
        Some(vec!["services".to_owned(), "frontend".to_owned()])
    );

    let shop = &d.namespaces[0];
    assert_eq!(shop.labels["tier"], "services");
    assert_eq!(shop.workloads[0].labels["tier"], "services");
    assert_eq!(shop.workloads[0].labels["team"], "payments");
    assert_eq!(shop.workloads[1].labels["tier"], "frontend");
    assert_eq!(d.network_sets[0].metadata.labels["tier"], "services");
}

#[test]
fn a_selector_that_does_not_use_the_value_keeps_its_text() {
    let mut d = design();
    d.policies[0].spec.selector = Some("tier=='frontend'".to_owned());
    let count = rename_label_value(&mut d, "tier", "data", "storage");
    assert_eq!(
        count,
        Ok(ValueRename {
            selectors: 1,
            ..ValueRename::default()
        })
    );
    assert_eq!(
        d.policies[0].spec.selector.as_deref(),
        Some("tier=='frontend'")
    );
    assert_eq!(
        d.policies[0].spec.namespace_selector,
        canon(r#"tier in {"backend", "storage"}"#)
    );
}

#[test]
fn refused_renames_change_nothing() {
    let before = design();
    let mut d = before.clone();
    assert_eq!(
        rename_label_value(&mut d, "tier", "backend", "Bad value"),
        Err(RenameError::BadValue(LabelSyntaxError::BadValue(
            "Bad value".to_owned()
        )))
    );
    assert!(matches!(
        rename_label_value(&mut d, "tier", "backend", "frontend"),
        Err(RenameError::AlreadyAllowed { .. })
    ));
    assert!(matches!(
        rename_label_value(&mut d, "tier", "cache", "memory"),
        Err(RenameError::UnknownValue { .. })
    ));
    assert!(matches!(
        rename_label_value(&mut d, "zone", "a", "b"),
        Err(RenameError::UnknownKey(_))
    ));
    assert_eq!(d, before);
    assert_eq!(
        rename_label_value(&mut d, "tier", "backend", "backend"),
        Ok(ValueRename::default())
    );
    assert_eq!(d, before);
}

#[test]
fn label_status_follows_the_taxonomy() {
    let d = design();
    assert_eq!(label_status(&d, "tier", "data"), LabelStatus::Allowed);
    assert_eq!(label_status(&d, "team", "anything"), LabelStatus::Allowed);
    assert_eq!(
        label_status(&d, "tier", "cache"),
        LabelStatus::ValueNotAllowed
    );
    assert_eq!(label_status(&d, "owner", "me"), LabelStatus::FreeKey);
    assert_eq!(
        label_status(&d, "kubernetes.io/metadata.name", "shop"),
        LabelStatus::Builtin
    );
    assert!(LabelStatus::FreeKey.is_outside_taxonomy());
    assert!(LabelStatus::ValueNotAllowed.is_outside_taxonomy());
    assert!(!LabelStatus::Builtin.is_outside_taxonomy());
}

#[test]
fn usage_counts_namespaces_workload_groups_and_network_sets() {
    let d = design();
    // shop (namespace), api (workload group) and the partners network set carry tier=backend.
    assert_eq!(label_usage(&d, "tier", Some("backend")), 3);
    assert_eq!(label_usage(&d, "tier", Some("frontend")), 1);
    assert_eq!(label_usage(&d, "tier", None), 4);
    assert_eq!(label_usage(&d, "tier", Some("data")), 0);
    assert_eq!(label_usage(&d, "team", None), 1);
    // The usage of a value is what a rename of it changes on the label side.
    let mut renamed = d.clone();
    let labels = rename_label_value(&mut renamed, "tier", "backend", "services").map(|c| c.labels);
    assert_eq!(labels, Ok(label_usage(&d, "tier", Some("backend"))));
}

const ENVIRONMENTS: &str = r#"
apiVersion: studio.netpol.dev/v1alpha1
kind: Design
metadata:
  name: environments
spec:
  taxonomy:
  - key: security.company.io/environment
    values: [dev, staging, prod]
    scope: security
  - key: stage
    values: [dev, staging]
    scope: application
  environments:
  - name: dev
    clusterSelector: {env: dev}
  - name: staging
    clusterSelector: {env: staging}
  - name: prod
    clusterSelector: {env: prod}
  namespaces:
  - name: shop-staging
    labels:
      security.company.io/environment: staging
  policies:
  - apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: relaxed
      annotations:
        studio.netpol.dev/environments: dev, staging
    spec:
      selector: all()
  - apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: prod-only
      annotations:
        studio.netpol.dev/environments: prod
    spec:
      selector: all()
"#;

fn environments_design() -> Design {
    match load(ENVIRONMENTS) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn renaming_an_environment_value_renames_the_environment_and_its_annotations() {
    let mut d = environments_design();
    let count = rename_label_value(
        &mut d,
        "security.company.io/environment",
        "staging",
        "preprod",
    );
    assert_eq!(
        count,
        Ok(ValueRename {
            labels: 1,
            environment: true,
            annotations: 1,
            ..ValueRename::default()
        })
    );
    let names: Vec<&str> = d.environments.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["dev", "preprod", "prod"]);
    // The clusters keep their own labels: the environment still selects them.
    assert_eq!(d.environments[1].cluster_selector["env"], "staging");
    let annotation = |i: usize| {
        d.policies[i]
            .metadata
            .annotations
            .get(crate::model::vocabulary::annotations::ENVIRONMENTS_ANNOTATION)
            .cloned()
    };
    assert_eq!(annotation(0).as_deref(), Some("dev, preprod"));
    assert_eq!(annotation(1).as_deref(), Some("prod"));
}

#[test]
fn a_value_of_a_key_that_is_not_an_environment_key_leaves_environments_alone() {
    let mut d = environments_design();
    let count = rename_label_value(&mut d, "stage", "staging", "preprod");
    assert_eq!(count, Ok(ValueRename::default()));
    assert_eq!(d.environments[1].name, "staging");
}

#[test]
fn an_environment_rename_onto_another_environment_is_refused() {
    let mut d = environments_design();
    // `qa` is no allowed value, but an environment is already called so.
    d.environments[0].name = "qa".to_owned();
    let before = d.clone();
    assert_eq!(
        rename_label_value(&mut d, "security.company.io/environment", "staging", "qa"),
        Err(RenameError::EnvironmentExists("qa".to_owned()))
    );
    assert_eq!(d, before);
}
