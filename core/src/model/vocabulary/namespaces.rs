//! The namespaces the cluster itself runs in, which a cluster-wide default deny or guardrail must
//! leave alone so that the cluster keeps working.
//!
//! One list, used by the baseline's default deny, the Fleet export's cross-environment guardrail and
//! the `default-deny-selects-system-namespaces` lint (before, the lint and the guardrail knew 4 of
//! these 7 and the baseline all 7, so a design passed the lint with a guardrail that cut off
//! `kube-public`). Sources:
//! - Kubernetes creates `kube-system`, `kube-public` and `kube-node-lease` in every cluster
//!   (kubernetes.io, "Namespaces": "Initial namespaces").
//! - The Tigera operator installs Calico into `tigera-operator`, `calico-system` and, with the Calico
//!   API server, `calico-apiserver`; Calico's own "default deny" how-to excludes `kube-system`,
//!   `calico-system`, `calico-apiserver` and `tigera-operator` from its global default deny.
//! - Rancher runs its cluster agent in `cattle-system` (Rancher docs, "Rancher agents").

/// The system namespaces, sorted.
pub const SYSTEM_NAMESPACES: [&str; 7] = [
    "calico-apiserver",
    "calico-system",
    "cattle-system",
    "kube-node-lease",
    "kube-public",
    "kube-system",
    "tigera-operator",
];

/// Whether `name` is one of the [`SYSTEM_NAMESPACES`].
pub fn is_system_namespace(name: &str) -> bool {
    SYSTEM_NAMESPACES.contains(&name)
}

/// A Calico selector that selects every namespace but the system ones, as the baseline and the
/// guardrail write it: `kubernetes.io/metadata.name not in {"calico-apiserver", …}`.
pub fn non_system_namespace_selector() -> String {
    let quoted: Vec<String> = SYSTEM_NAMESPACES
        .iter()
        .map(|ns| format!("\"{ns}\""))
        .collect();
    format!(
        "kubernetes.io/metadata.name not in {{{}}}",
        quoted.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_the_selector_names_every_entry() {
        assert!(SYSTEM_NAMESPACES.windows(2).all(|w| w[0] < w[1]));
        let selector = non_system_namespace_selector();
        for ns in SYSTEM_NAMESPACES {
            assert!(selector.contains(&format!("\"{ns}\"")), "{selector}");
        }
        assert!(crate::selector::Selector::parse(&selector).is_ok());
    }
}
