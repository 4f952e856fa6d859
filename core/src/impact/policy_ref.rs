//! From a policy as a flow log names it ([`PolicyRef`], either dialect) to the policy of an evaluator:
//! what an observed trace step refers to in the resources. `kcnp` is a ClusterNetworkPolicy, `kanp` /
//! `kbanp` an AdminNetworkPolicy / the BaselineAdminNetworkPolicy (`cluster-network-policy.md` §3, §4).

use crate::eval::{Evaluator, PolicyId, PolicyKey, PolicyKind};
use crate::flows::PolicyRef;

/// The key a flow log's policy stands for; `None` for profiles, ends of tier and unknown kinds.
pub fn policy_key_of(policy: &PolicyRef) -> Option<PolicyKey> {
    let kind = match (policy.kind, policy.staged) {
        ("gnp", false) => PolicyKind::GlobalNetworkPolicy,
        ("gnp", true) => PolicyKind::StagedGlobalNetworkPolicy,
        ("np", false) => PolicyKind::NetworkPolicy,
        ("np", true) => PolicyKind::StagedNetworkPolicy,
        ("knp", false) => PolicyKind::KubernetesNetworkPolicy,
        ("knp", true) => PolicyKind::StagedKubernetesNetworkPolicy,
        ("kcnp", _) => PolicyKind::KubernetesClusterNetworkPolicy,
        ("kanp", _) => PolicyKind::KubernetesAdminNetworkPolicy,
        ("kbanp", _) => PolicyKind::KubernetesBaselineAdminNetworkPolicy,
        _ => return None,
    };
    let namespaced = matches!(
        kind,
        PolicyKind::NetworkPolicy
            | PolicyKind::StagedNetworkPolicy
            | PolicyKind::KubernetesNetworkPolicy
            | PolicyKind::StagedKubernetesNetworkPolicy
    );
    Some(PolicyKey {
        kind,
        namespace: if namespaced {
            policy.namespace.clone()
        } else {
            None
        },
        name: policy.name.clone(),
    })
}

/// The evaluator's policy a flow log's policy names, when the resources hold it.
pub fn policy_of(ev: &Evaluator, policy: &PolicyRef) -> Option<PolicyId> {
    ev.policy_id(&policy_key_of(policy)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::parse_calico_policy_string;
    use crate::model::{CalicoVersion, ResourceSet};

    fn resources(version: CalicoVersion) -> ResourceSet {
        let cluster = |kind: &str, name: &str, extra: serde_json::Value| {
            let mut spec = serde_json::json!({"subject": {"namespaces": {}},
                "ingress": [{"name": "r", "action": "Deny", "from": [{"namespaces": {}}]}]});
            if let (Some(spec), Some(extra)) = (spec.as_object_mut(), extra.as_object()) {
                spec.extend(extra.clone());
            }
            serde_json::json!({"kind": kind, "metadata": {"name": name}, "spec": spec})
        };
        let mut set: ResourceSet = serde_json::from_value(serde_json::json!({
            "policies": [{"kind": "GlobalNetworkPolicy", "metadata": {"name": "guard"},
                          "spec": {"tier": "kube-admin", "order": 5}}],
            "cluster_policies": [
                cluster("ClusterNetworkPolicy", "guard", serde_json::json!({"tier": "Admin", "priority": 5})),
                cluster("ClusterNetworkPolicy", "floor", serde_json::json!({"tier": "Baseline", "priority": 1})),
                cluster("AdminNetworkPolicy", "guard", serde_json::json!({"priority": 5})),
                cluster("BaselineAdminNetworkPolicy", "default", serde_json::json!({})),
            ],
        }))
        .unwrap_or_default();
        set.calico_version = Some(version);
        set
    }

    fn resolved(ev: &Evaluator, text: &str) -> Option<String> {
        let hit = parse_calico_policy_string(text).ok()?;
        let id = policy_of(ev, &hit.policy)?;
        ev.policy_key(id)
            .map(|k| format!("{:?} {}", k.kind, k.display_name()))
    }

    #[test]
    fn flow_log_names_resolve_to_the_cluster_policies_of_their_release() {
        let ev =
            Evaluator::new(&resources(CalicoVersion::V3_32)).unwrap_or_else(|e| panic!("{e:?}"));
        let cnp = Some("KubernetesClusterNetworkPolicy kcnp:guard".to_owned());
        assert_eq!(resolved(&ev, "0|kube-admin|kcnp:guard|deny|0"), cnp);
        assert_eq!(
            resolved(&ev, "0|kube-admin|kcnp.kube-admin.guard|deny|0"),
            cnp
        );
        assert_eq!(
            resolved(&ev, "0|kube-baseline|kcnp:floor|deny|0"),
            Some("KubernetesClusterNetworkPolicy kcnp:floor".to_owned())
        );
        assert_eq!(
            resolved(&ev, "0|kube-admin|gnp:guard|allow|0"),
            Some("GlobalNetworkPolicy guard".to_owned()),
            "a GlobalNetworkPolicy of the same name stays apart"
        );
        assert_eq!(
            resolved(
                &ev,
                "0|adminnetworkpolicy|kanp.adminnetworkpolicy.guard|deny|0"
            ),
            None,
            "3.32 ignores ANPs"
        );

        let ev =
            Evaluator::new(&resources(CalicoVersion::V3_31)).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            resolved(
                &ev,
                "0|adminnetworkpolicy|kanp.adminnetworkpolicy.guard|deny|0"
            ),
            Some("KubernetesAdminNetworkPolicy kanp.adminnetworkpolicy.guard".to_owned())
        );
        assert_eq!(
            resolved(
                &ev,
                "0|baselineadminnetworkpolicy|kbanp.baselineadminnetworkpolicy.default|deny|0"
            ),
            Some(
                "KubernetesBaselineAdminNetworkPolicy kbanp.baselineadminnetworkpolicy.default"
                    .to_owned()
            )
        );
        assert_eq!(
            resolved(&ev, "0|kube-admin|kcnp:guard|deny|0"),
            None,
            "3.31 ignores CNPs"
        );
    }
}
