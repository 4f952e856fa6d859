//! From a design document to the exporter's input: the complete resource set of every environment.
//!
//! What differs between environments, and why:
//! - **Namespaces of one environment.** A namespace labelled with an environment (a label whose key is
//!   `environment`/`env` or ends in `/environment`/`/env`, with an environment's name as value) exists
//!   only on that environment's clusters. Its namespaced policies ship only there: applying a namespaced
//!   object to a cluster without the namespace fails, and would fail the whole bundle.
//! - **Cross-environment guardrail.** From the environments' `cidrs` and `exceptions`, each environment
//!   gets a `GlobalNetworkPolicy` that denies traffic to and from the other environments' address ranges,
//!   except the shared `exceptions` (monitoring and other shared services), and passes everything else on.
//! - **Explicit restriction.** An object annotated `studio.netpol.dev/environments: dev,staging` ships only
//!   to those environments (e.g. rules relaxed for development).

use std::collections::{BTreeMap, BTreeSet};

use super::{Environment, ExportInput, FleetSettings};
use crate::design::{self, Design, is_environment_key};
use crate::model::vocabulary::annotations::PURPOSE_ANNOTATION;
use crate::model::vocabulary::namespaces::non_system_namespace_selector;
use crate::model::{
    Action, ApiFlavour, CalicoPolicy, CalicoPolicyKind, EntityRule, ObjectMeta, PolicySpec,
    PolicyType, Resource, ResourceSet, Rule,
};

/// Annotation restricting an object to some environments (comma-separated names).
pub use crate::model::vocabulary::annotations::ENVIRONMENTS_ANNOTATION;

/// Name of the generated cross-environment guardrail policy.
pub const GUARDRAIL_NAME: &str = "cross-environment-guardrail";

/// Order of the guardrail in its tier: before the design's own policies.
const GUARDRAIL_ORDER: f64 = 10.0;

/// How to export a design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesignExportOptions {
    pub settings: FleetSettings,
    pub flavour: ApiFlavour,
    /// A `# Kind name` comment above each object.
    pub comments: bool,
}

impl Default for DesignExportOptions {
    fn default() -> DesignExportOptions {
        DesignExportOptions {
            settings: FleetSettings::default(),
            flavour: ApiFlavour::CrdV1,
            comments: true,
        }
    }
}

fn is_team_key(key: &str) -> bool {
    key.rsplit('/').next().unwrap_or(key) == "team"
}

/// The environments a namespace of the design belongs to; `None` when it is in every environment.
fn namespace_environments(design: &Design) -> BTreeMap<String, BTreeSet<String>> {
    let names: BTreeSet<&str> = design
        .environments
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    design
        .namespaces
        .iter()
        .filter_map(|ns| {
            let envs: BTreeSet<String> = ns
                .labels
                .iter()
                .filter(|(k, v)| is_environment_key(k) && names.contains(v.as_str()))
                .map(|(_, v)| v.clone())
                .collect();
            (!envs.is_empty()).then(|| (ns.name.clone(), envs))
        })
        .collect()
}

/// Whether a resource ships to `env`.
fn ships_to(
    resource: &Resource,
    env: &str,
    namespace_envs: &BTreeMap<String, BTreeSet<String>>,
) -> bool {
    let meta = resource.metadata();
    if let Some(list) = meta.annotations.get(ENVIRONMENTS_ANNOTATION)
        && !list.split(',').map(str::trim).any(|e| e == env)
    {
        return false;
    }
    match meta
        .namespace
        .as_deref()
        .and_then(|ns| namespace_envs.get(ns))
    {
        Some(envs) => envs.contains(env),
        None => true,
    }
}

/// The guardrail of one environment, or `None` when no other environment has address ranges.
fn guardrail(design: &Design, env: &design::Environment) -> Option<CalicoPolicy> {
    let mut others: Vec<String> = Vec::new();
    for other in design.environments.iter().filter(|o| o.name != env.name) {
        for cidr in &other.cidrs {
            if !others.contains(cidr) && !env.cidrs.contains(cidr) {
                others.push(cidr.clone());
            }
        }
    }
    if others.is_empty() {
        return None;
    }
    let mut shared: Vec<String> = Vec::new();
    for cidr in design.environments.iter().flat_map(|e| &e.exceptions) {
        if !shared.contains(cidr) {
            shared.push(cidr.clone());
        }
    }
    let deny = |side: PolicyType| {
        let mut rule = Rule::new(Action::Deny);
        let entity = EntityRule {
            nets: others.clone(),
            not_nets: shared.clone(),
            ..EntityRule::default()
        };
        match side {
            PolicyType::Ingress => rule.source = entity,
            PolicyType::Egress => rule.destination = entity,
        }
        rule
    };
    // The first tier in evaluation order: guardrails come before every rule of the design.
    let tier = design
        .tiers
        .iter()
        .min_by(|a, b| {
            a.spec
                .order
                .unwrap_or(f64::MAX)
                .total_cmp(&b.spec.order.unwrap_or(f64::MAX))
        })
        .map(|t| t.metadata.name.clone());
    let mut metadata = ObjectMeta::named(GUARDRAIL_NAME, None);
    metadata.annotations.insert(
        PURPOSE_ANNOTATION.to_owned(),
        format!("generated from the design's environments: `{}` clusters exchange no traffic with other environments' ranges, except shared exceptions", env.name),
    );
    Some(CalicoPolicy {
        kind: CalicoPolicyKind::GlobalNetworkPolicy,
        metadata,
        spec: PolicySpec {
            tier,
            order: Some(GUARDRAIL_ORDER),
            selector: Some("all()".to_owned()),
            namespace_selector: Some(non_system_namespace_selector()),
            types: vec![PolicyType::Ingress, PolicyType::Egress],
            // A final Pass: the guardrail only denies, it never decides anything else for its tier.
            ingress: vec![deny(PolicyType::Ingress), Rule::new(Action::Pass)],
            egress: vec![deny(PolicyType::Egress), Rule::new(Action::Pass)],
            ..PolicySpec::default()
        },
    })
}

/// The exporter's input for a design: every environment (in the design's order, which is the promotion
/// order) with the resources it deploys.
pub fn design_to_input(design: &Design, options: &DesignExportOptions) -> ExportInput {
    let all = design::to_resources(design);
    let namespace_envs = namespace_environments(design);
    let environments = design
        .environments
        .iter()
        .map(|env| {
            let mut set: ResourceSet = all
                .resources()
                .filter(|r| ships_to(r, &env.name, &namespace_envs))
                .collect();
            set.policies.extend(guardrail(design, env));
            (
                Environment {
                    name: env.name.clone(),
                    cluster_labels: env.cluster_selector.clone(),
                },
                set,
            )
        })
        .collect();
    let teams = design
        .namespaces
        .iter()
        .filter_map(|ns| {
            ns.labels
                .iter()
                .find(|(k, _)| is_team_key(k))
                .map(|(_, team)| (ns.name.clone(), team.clone()))
        })
        .collect();
    ExportInput {
        settings: options.settings.clone(),
        flavour: options.flavour,
        comments: options.comments,
        environments,
        fallback: all,
        teams,
        studio_design: Some(design::save_json(&super::read::studio_design(design))),
    }
}
