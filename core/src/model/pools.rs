//! Calico `IPPool`s: the cluster's pod address range. Policy never names a pool, but every pod's IP
//! comes from one, so a pod whose IP is not known (a designed workload, a flow-log row Calico
//! aggregated) is still somewhere in them: private space in practice, which rules such as
//! `nets: [0.0.0.0/0]` + RFC 1918 `notNets` rely on.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::vocabulary::addresses::parse_net;
use super::{Extra, ObjectMeta};

/// The pool calico-node creates when none exists and `CALICO_IPV4POOL_CIDR` is not set:
/// `DEFAULT_IPV4_POOL_CIDR = "192.168.0.0/16"` (named `default-ipv4-ippool`) in projectcalico/calico
/// `node/pkg/lifecycle/startup/startup.go`.
pub const DEFAULT_IPV4_POOL_CIDR: &str = "192.168.0.0/16";

/// The name calico-node gives its default IPv4 pool.
pub const DEFAULT_IPV4_POOL_NAME: &str = "default-ipv4-ippool";

/// A Calico `IPPool` (`projectcalico.org/v3`, cluster-scoped): the fields that say where pod IPs come
/// from. Routing fields (`ipipMode`, `vxlanMode`, `natOutgoing`, `blockSize`, …) are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpPool {
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: IpPoolSpec,
}

/// The spec of an [`IpPool`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpPoolSpec {
    pub cidr: String,
    /// No new addresses are allocated from a disabled pool; pods keep the ones they have.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    #[serde(flatten)]
    pub extra: Extra,
}

impl IpPool {
    /// A pool of `cidr` named `name`.
    pub fn new(name: impl Into<String>, cidr: impl Into<String>) -> IpPool {
        IpPool {
            metadata: ObjectMeta::named(name, None),
            spec: IpPoolSpec {
                cidr: cidr.into(),
                ..IpPoolSpec::default()
            },
        }
    }
}

/// Reads a pool CIDR as Calico's validator accepts it (`spec.cidr`: a CIDR, host bits masked; a bare
/// address is a one-address pool). The message quotes the input.
pub fn parse_pool_cidr(text: &str) -> Result<IpNet, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("a pod CIDR is empty: write a block such as `10.244.0.0/16`".to_owned());
    }
    parse_net(trimmed).map_err(|_| format!("`{trimmed}` is not a CIDR such as `10.244.0.0/16`"))
}

/// Where pod IPs come from, given the cluster's pools: the enabled pools (all of them when every pool
/// is disabled: pods keep their addresses), of one family — IPv4 when any pool is IPv4, since a
/// dual-stack pod's flows are taken as IPv4 like every flow whose ends have no IPv6 address — and
/// Calico's default IPv4 pool when no pool is given. Unreadable CIDRs are skipped (validation reports
/// them). Never empty.
pub fn pod_range(pools: &[IpPool]) -> Vec<IpNet> {
    let parsed = |enabled_only: bool| -> Vec<IpNet> {
        pools
            .iter()
            .filter(|p| !enabled_only || !p.spec.disabled)
            .filter_map(|p| parse_pool_cidr(&p.spec.cidr).ok())
            .collect()
    };
    let mut nets = parsed(true);
    if nets.is_empty() {
        nets = parsed(false);
    }
    if nets.iter().any(|n| matches!(n, IpNet::V4(_))) {
        nets.retain(|n| matches!(n, IpNet::V4(_)));
    }
    nets.sort();
    nets.dedup();
    if nets.is_empty() {
        // INVARIANT: the constant parses.
        nets.extend(DEFAULT_IPV4_POOL_CIDR.parse::<IpNet>().ok());
    }
    nets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(cidr: &str, disabled: bool) -> IpPool {
        let mut p = IpPool::new("p", cidr);
        p.spec.disabled = disabled;
        p
    }

    fn range(pools: &[IpPool]) -> Vec<String> {
        pod_range(pools).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn no_pool_is_calicos_default_pool() {
        assert_eq!(range(&[]), ["192.168.0.0/16"]);
    }

    #[test]
    fn enabled_pools_of_one_family() {
        assert_eq!(
            range(&[pool("10.244.0.0/16", false), pool("10.99.0.0/16", true)]),
            ["10.244.0.0/16"]
        );
        // Every pool disabled: the pods still have addresses from them.
        assert_eq!(range(&[pool("10.99.0.0/16", true)]), ["10.99.0.0/16"]);
        assert_eq!(
            range(&[pool("fd00:10::/64", false), pool("10.244.0.1/16", false)]),
            ["10.244.0.0/16"]
        );
        assert_eq!(range(&[pool("fd00:10::/64", false)]), ["fd00:10::/64"]);
        assert_eq!(range(&[pool("nonsense", false)]), ["192.168.0.0/16"]);
    }

    #[test]
    fn pool_cidrs_are_checked() {
        assert_eq!(
            parse_pool_cidr(" 10.244.3.4/16").map(|n| n.to_string()),
            Ok("10.244.0.0/16".to_owned())
        );
        assert!(
            parse_pool_cidr("10.244.0.0/33")
                .unwrap_err()
                .contains("`10.244.0.0/33`")
        );
        assert!(parse_pool_cidr("").is_err());
    }
}
