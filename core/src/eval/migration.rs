//! The AdminNetworkPolicy → ClusterNetworkPolicy migration with its proof (`cli.md`, `netpol
//! migrate-anp`): the rewrite of `model::anp_migration`, then every flow between the workloads
//! evaluated under Calico 3.31 with the old objects and under Calico 3.32 with the new ones.
//!
//! The one change a faithful rewrite makes is known in advance: Calico 3.29–3.31 does not convert an
//! AdminNetworkPolicy `namedPort`, so such a rule matched every port there, while Calico 3.32
//! resolves a `destinationNamedPort`. A verdict change decided by such a rule is reported as that.

use super::equivalence::{CompareError, Comparison, VerdictChange, compare};
use crate::model::anp_migration::{MigratedPolicy, Migration, MigrationNote};
use crate::model::{CalicoVersion, ClusterPolicy, ResourceSet, anp_migration};

/// The migration of a resource set and its proof.
#[derive(Debug, Clone, PartialEq)]
pub struct MigrationProof {
    pub migration: Migration,
    /// Whether the workloads compared were made up from the policies' selectors because the input
    /// listed none (`anp_migration::probe_workloads`).
    pub probes_synthesized: bool,
    pub comparison: Comparison,
    /// Per change (same index as `comparison.changes`): why it was expected, when it was.
    pub explained: Vec<Option<String>>,
}

impl MigrationProof {
    /// Changes with no known reason.
    pub fn unexplained(&self) -> impl Iterator<Item = &VerdictChange> {
        self.comparison
            .changes
            .iter()
            .zip(&self.explained)
            .filter(|(_, why)| why.is_none())
            .map(|(change, _)| change)
    }
}

/// Migrates the AdminNetworkPolicies and the BaselineAdminNetworkPolicy of `resources` and compares
/// the verdicts: before = `resources` as Calico 3.31 sees them, after = the v1alpha1 objects replaced
/// by the ClusterNetworkPolicies, as Calico 3.32 sees them. Without workloads in `resources`, the
/// comparison runs on probe workloads made from the policies' selectors.
pub fn migrate_and_prove(resources: &ResourceSet) -> Result<MigrationProof, CompareError> {
    let migration = anp_migration::migrate_admin_policies(&resources.cluster_policies);
    let mut before = resources.clone();
    before.calico_version = Some(CalicoVersion::V3_31);
    let mut after = resources.clone();
    after.calico_version = Some(CalicoVersion::V3_32);
    after.cluster_policies.retain(|p| !p.kind.is_v1alpha1());
    after
        .cluster_policies
        .extend(migration.policies.iter().map(|m| m.policy.clone()));
    let probes_synthesized = resources.workloads.is_empty();
    if probes_synthesized {
        let all: Vec<ClusterPolicy> = before
            .cluster_policies
            .iter()
            .chain(
                migration
                    .policies
                    .iter()
                    .map(|m: &MigratedPolicy| &m.policy),
            )
            .cloned()
            .collect();
        let (namespaces, workloads) = anp_migration::probe_workloads(&all);
        for set in [&mut before, &mut after] {
            set.namespaces.extend(namespaces.iter().cloned());
            set.workloads.extend(workloads.iter().cloned());
        }
    }
    let comparison = compare(&before, &after)?;
    // (policy as the verdicts name it, rule name, port) of every rule whose named port narrows.
    let narrowing: Vec<(String, &str, &str)> = migration
        .notes
        .iter()
        .filter_map(|note| match note {
            MigrationNote::NamedPortNarrows { source, rule, port } => {
                let policy = resources
                    .cluster_policies
                    .iter()
                    .find(|p| format!("{}/{}", p.kind.as_str(), p.metadata.name) == *source)?;
                Some((policy.calico_name(), rule.as_str(), port.as_str()))
            }
            _ => None,
        })
        .collect();
    let explained = comparison
        .changes
        .iter()
        .map(|change| {
            change.before_rules.iter().find_map(|(policy, rule)| {
                let rule = rule.as_deref()?;
                let (_, _, port) = narrowing
                    .iter()
                    .find(|(p, r, _)| p == policy && *r == rule)?;
                Some(format!(
                    "expected: Calico 3.31 does not convert named port `{port}` of rule \"{rule}\" (it matched every port); Calico 3.32 resolves it"
                ))
            })
        })
        .collect();
    Ok(MigrationProof {
        migration,
        probes_synthesized,
        comparison,
        explained,
    })
}
