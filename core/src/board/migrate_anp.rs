//! The AdminNetworkPolicy → ClusterNetworkPolicy migration of a whole design, as the import panel
//! offers it: `eval::migration` rewrites and proves, this puts the result in the design's cluster tiers (the
//! v1alpha1 objects replaced by the ClusterNetworkPolicies, and a design that targeted Calico
//! 3.29–3.31 now targeting 3.32, the release that enforces what it holds) and words the proof.

use crate::design::{Design, to_resources};
use crate::eval::equivalence::CompareError;
use crate::eval::migration::{MigrationProof, migrate_and_prove};
use crate::model::{CalicoVersion, ClusterPolicyKind};

/// A migrated design and the proof of its verdicts.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignMigration {
    pub design: Design,
    pub proof: MigrationProof,
}

/// Whether the design holds an AdminNetworkPolicy or a BaselineAdminNetworkPolicy to migrate.
pub fn has_admin_policies(design: &Design) -> bool {
    design.cluster_policies.iter().any(|p| p.kind.is_v1alpha1())
}

/// Rewrites the design's AdminNetworkPolicies and BaselineAdminNetworkPolicy as
/// ClusterNetworkPolicies and proves the verdicts on the design's workloads (probe workloads made
/// from the policies' selectors when it lists none). The policies keep their place: the migrated
/// ones come where the first v1alpha1 object was.
pub fn migrate_admin_policies(design: &Design) -> Result<DesignMigration, CompareError> {
    let proof = migrate_and_prove(&to_resources(design))?;
    let mut migrated = design.clone();
    let at = migrated
        .cluster_policies
        .iter()
        .position(|p| p.kind.is_v1alpha1())
        .unwrap_or(migrated.cluster_policies.len());
    migrated.cluster_policies.retain(|p| !p.kind.is_v1alpha1());
    let at = at.min(migrated.cluster_policies.len());
    migrated.cluster_policies.splice(
        at..at,
        proof.migration.policies.iter().map(|m| m.policy.clone()),
    );
    if migrated
        .calico_version
        .is_some_and(|v| !v.enforces(ClusterPolicyKind::ClusterNetworkPolicy))
    {
        migrated.calico_version = Some(CalicoVersion::V3_32);
    }
    Ok(DesignMigration {
        design: migrated,
        proof,
    })
}

impl DesignMigration {
    /// The proof for people: what was written, each flow count, each change and why it was expected,
    /// and the migration's notes.
    pub fn summary(&self) -> Vec<String> {
        let proof = &self.proof;
        let before = |kind| {
            proof
                .migration
                .policies
                .iter()
                .filter(|m| m.source.starts_with(ClusterPolicyKind::as_str(kind)))
                .map(|m| m.source.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        };
        let c = &proof.comparison;
        let expected = proof.explained.iter().filter(|w| w.is_some()).count();
        let unexplained = c.changes.len() - expected;
        let on = if proof.probes_synthesized {
            format!(
                "{} probe workloads made from the policies' selectors (the design lists none)",
                c.workloads
            )
        } else {
            format!("{} workloads", c.workloads)
        };
        let mut lines = vec![
            format!(
                "{} AdminNetworkPolicy and {} BaselineAdminNetworkPolicy objects became {} ClusterNetworkPolicies",
                before(ClusterPolicyKind::AdminNetworkPolicy),
                before(ClusterPolicyKind::BaselineAdminNetworkPolicy),
                proof.migration.policies.len()
            ),
            format!(
                "equivalent: {} of {} flows between {on} keep their verdict (Calico 3.31 with the old objects vs 3.32 with the new)",
                c.flows - c.changes.len(),
                c.flows
            ),
        ];
        if expected > 0 {
            lines.push(format!(
                "{expected} change as documented: Calico 3.31 does not convert an AdminNetworkPolicy named port (the rule matched every port there); Calico 3.32 resolves it"
            ));
        }
        if unexplained > 0 {
            lines.push(format!("{unexplained} change with no known reason"));
        }
        for (change, why) in c.changes.iter().zip(&proof.explained) {
            let port = change.port.map(|p| format!(" {p}")).unwrap_or_default();
            let why = why.as_deref().unwrap_or("unexpected");
            lines.push(format!(
                "{} → {} {}{port}: {} → {} ({why})",
                change.src, change.dst, change.protocol, change.before, change.after
            ));
        }
        lines.extend(proof.migration.notes.iter().map(ToString::to_string));
        lines
    }
}
