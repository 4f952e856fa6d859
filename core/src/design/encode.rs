//! Writing a design document as YAML.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{API_VERSION, Design, DesignNamespace, Environment, LabelKey, Position};
use crate::model::{ApiFlavour, Resource};
use crate::yaml::{WireDoc, wire};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct File<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata<'a>,
    spec: Spec<'a>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    taxonomy: &'a [LabelKey],
    environments: &'a [Environment],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pod_cidrs: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    calico_version: Option<crate::model::CalicoVersion>,
    namespaces: &'a [DesignNamespace],
    tiers: Vec<WireDoc<'a>>,
    policies: Vec<WireDoc<'a>>,
    network_sets: Vec<WireDoc<'a>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    layout: &'a BTreeMap<String, Position>,
    #[serde(skip_serializing_if = "super::LintConfig::is_default")]
    lint: &'a super::LintConfig,
}

fn wires(rs: &[Resource]) -> Vec<WireDoc<'_>> {
    rs.iter().map(|r| wire(r, ApiFlavour::V3)).collect()
}

/// The design as a YAML document (policies in their `projectcalico.org/v3` wire form).
pub(super) fn to_yaml(design: &Design) -> String {
    with_file(design, |file| match crate::yaml::to_yaml(file) {
        Ok(text) => text,
        Err(e) => format!("# design export failed: {e}\n"),
    })
}

/// The design as a pretty-printed JSON document.
pub(super) fn to_json(design: &Design) -> String {
    with_file(design, |file| {
        let mut text = serde_json::to_string_pretty(file).unwrap_or_default();
        text.push('\n');
        text
    })
}

fn with_file(design: &Design, write: impl FnOnce(&File<'_>) -> String) -> String {
    let tiers: Vec<Resource> = design.tiers.iter().cloned().map(Resource::Tier).collect();
    let policies: Vec<Resource> = design
        .policies
        .iter()
        .cloned()
        .map(Resource::CalicoPolicy)
        .chain(
            design
                .kubernetes_policies
                .iter()
                .cloned()
                .map(Resource::KubernetesPolicy),
        )
        .chain(
            design
                .cluster_policies
                .iter()
                .cloned()
                .map(Resource::ClusterPolicy),
        )
        .collect();
    let sets: Vec<Resource> = design
        .network_sets
        .iter()
        .cloned()
        .map(Resource::NetworkSet)
        .collect();

    let file = File {
        api_version: API_VERSION,
        kind: "Design",
        metadata: Metadata { name: &design.name },
        spec: Spec {
            description: design.description.as_deref(),
            taxonomy: &design.taxonomy,
            environments: &design.environments,
            pod_cidrs: &design.pod_cidrs,
            calico_version: design.calico_version,
            namespaces: &design.namespaces,
            tiers: wires(&tiers),
            policies: wires(&policies),
            network_sets: wires(&sets),
            layout: &design.layout,
            lint: &design.lint,
        },
    };
    write(&file)
}
