//! What the targeted Calico release ignores among what was read, as warnings: nothing is ever ignored
//! silently (`cli.md` "Calico version"). An object of a kind Netpol Studio does not read is reported by
//! the importer itself; this adds, for resources and design documents alike, the cluster-wide Kubernetes policies the chosen release does not
//! enforce (ClusterNetworkPolicy before 3.32, AdminNetworkPolicy and BaselineAdminNetworkPolicy from
//! 3.32 on).

use super::input::Input;
use crate::model::{CalicoVersion, Resource};
use crate::yaml::{Diagnostic, IGNORED_KIND, Severity};

impl Input {
    /// The release to evaluate as: `flag` when given, else the `spec.calicoVersion` of the first
    /// design document that has one, else [`CalicoVersion::default`].
    pub fn calico_version(&self, flag: Option<CalicoVersion>) -> CalicoVersion {
        flag.or_else(|| self.designs().find_map(|d| d.design.calico_version))
            .unwrap_or_default()
    }

    /// The resources, grouped, as `version` sees them.
    pub fn resource_set_for(&self, version: CalicoVersion) -> crate::model::ResourceSet {
        let mut set = self.resource_set();
        set.calico_version = Some(version);
        set
    }

    /// One warning per object that `version` does not enforce, at the object, plus the importer's
    /// warnings about objects of kinds Netpol Studio does not read: what every command that evaluates,
    /// lints or exports must say.
    pub fn not_enforced(&self, version: CalicoVersion) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = self
            .diagnostics
            .iter()
            .filter(|d| d.message.ends_with(IGNORED_KIND))
            .cloned()
            .collect();
        for imported in &self.located_resources() {
            let Resource::ClusterPolicy(policy) = &imported.resource else {
                continue;
            };
            if version.enforces(policy.kind) {
                continue;
            }
            let instead = if policy.kind.is_v1alpha1() {
                "3.29–3.31 enforce it; migrate it to a ClusterNetworkPolicy"
            } else {
                "3.32 and later enforce it"
            };
            out.push(Diagnostic {
                severity: Severity::Warning,
                file: imported.file.clone(),
                line: imported.line,
                column: imported.column,
                message: format!(
                    "{} {} is not enforced by Calico {version}: ignored ({instead})",
                    policy.kind.as_str(),
                    policy.metadata.name
                ),
                line_text: String::new(),
            });
        }
        out.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        out
    }
}
