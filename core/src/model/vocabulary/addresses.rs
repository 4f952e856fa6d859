//! IP addresses and CIDRs as Calico reads them.
//!
//! Calico's `nets`, `notNets`, network-set `nets` and IP-pool `cidr` accept a CIDR or a bare address
//! (a one-address block), and match on the network with host bits masked
//! (`libcalico-go/lib/net/ipnet.go` `ParseCIDROrIP` + `Network()`); Kubernetes' `ipBlock.cidr` accepts
//! only a CIDR (`pkg/apis/networking/validation` `ValidateCIDR`).

use std::net::IpAddr;

use ipnet::IpNet;

/// An IP family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    /// The family of a block.
    pub fn of_net(net: &IpNet) -> Family {
        match net {
            IpNet::V4(_) => Family::V4,
            IpNet::V6(_) => Family::V6,
        }
    }

    /// The family of an address.
    pub fn of_addr(addr: &IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        }
    }

    /// Whether `net` is of this family.
    pub fn has(self, net: &IpNet) -> bool {
        Family::of_net(net) == self
    }
}

/// A CIDR or a single address (`/32`, `/128`), host bits masked as Calico does. The error quotes the
/// input.
pub fn parse_net(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    text.parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| format!("`{text}` is not a CIDR or an IP address"))
}

/// Whether `text` is a CIDR with a prefix length (what Kubernetes' `ipBlock.cidr` requires).
pub fn is_cidr(text: &str) -> bool {
    text.parse::<IpNet>().is_ok()
}

/// `(family, first, last)` of a block as integers (IPv4 in the low 32 bits).
pub fn net_range(net: &IpNet) -> (Family, u128, u128) {
    match net {
        IpNet::V4(n) => (
            Family::V4,
            u32::from(n.network()).into(),
            u32::from(n.broadcast()).into(),
        ),
        IpNet::V6(n) => (
            Family::V6,
            u128::from(n.network()),
            u128::from(n.broadcast()),
        ),
    }
}

/// `(family, value)` of an address as an integer (IPv4 in the low 32 bits).
pub fn addr_value(ip: IpAddr) -> (Family, u128) {
    match ip {
        IpAddr::V4(a) => (Family::V4, u32::from(a).into()),
        IpAddr::V6(a) => (Family::V6, u128::from(a)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_and_bare_addresses_parse_with_host_bits_masked() {
        assert_eq!(
            parse_net("10.1.2.3/8").map(|n| n.to_string()),
            Ok("10.0.0.0/8".to_owned())
        );
        assert_eq!(
            parse_net(" 10.1.2.3 ").map(|n| n.to_string()),
            Ok("10.1.2.3/32".to_owned())
        );
        assert_eq!(
            parse_net("fd00::1").map(|n| n.to_string()),
            Ok("fd00::1/128".to_owned())
        );
        assert_eq!(
            parse_net("10.0.0.0/33"),
            Err("`10.0.0.0/33` is not a CIDR or an IP address".to_owned())
        );
        assert!(parse_net("").is_err());
    }

    #[test]
    fn kubernetes_cidrs_need_a_prefix_length() {
        assert!(is_cidr("10.0.0.0/8"));
        assert!(!is_cidr("10.0.0.1"));
        assert!(!is_cidr("10.0.0.0/40"));
    }

    #[test]
    fn ranges_cover_the_block() {
        let net: IpNet = "10.0.0.0/30".parse().unwrap();
        assert_eq!(net_range(&net), (Family::V4, 0x0a00_0000, 0x0a00_0003));
        assert_eq!(addr_value("::1".parse().unwrap()), (Family::V6, 1));
    }
}
