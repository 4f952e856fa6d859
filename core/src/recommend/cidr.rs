//! CIDR aggregation for outside addresses: every address widened to a prefix (the breadth knob), then
//! blocks merged with their sibling into the parent block (two halves cover exactly their parent, so
//! that merge never widens) and blocks inside another dropped. The result is the narrowest set of
//! prefixes, each at most as broad as the knob allows, covering every address.

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::IpNet;

/// The narrowest prefixes covering `addresses`, each address first widened to `/v4_prefix` (IPv4) or
/// `/v6_prefix` (IPv6). Sorted (IPv4 first, then by address and length).
pub(crate) fn aggregate(addresses: &BTreeSet<IpAddr>, v4_prefix: u8, v6_prefix: u8) -> Vec<IpNet> {
    let mut blocks: BTreeSet<IpNet> = addresses
        .iter()
        .filter_map(|ip| {
            let prefix = match ip {
                IpAddr::V4(_) => v4_prefix.min(32),
                IpAddr::V6(_) => v6_prefix.min(128),
            };
            IpNet::new(*ip, prefix).ok().map(|n| n.trunc())
        })
        .collect();
    loop {
        let before = blocks.len();
        blocks = merge_once(&blocks);
        if blocks.len() == before {
            break;
        }
    }
    blocks.into_iter().collect()
}

/// One pass: drops blocks contained in another, and replaces every pair of siblings by their parent.
fn merge_once(blocks: &BTreeSet<IpNet>) -> BTreeSet<IpNet> {
    let kept: Vec<IpNet> = blocks
        .iter()
        .filter(|b| !blocks.iter().any(|o| o != *b && o.contains(*b)))
        .copied()
        .collect();
    let set: BTreeSet<IpNet> = kept.iter().copied().collect();
    let mut out = BTreeSet::new();
    let mut merged = BTreeSet::new();
    for b in &kept {
        if merged.contains(b) {
            continue;
        }
        let sibling = b.supernet().and_then(|parent| {
            parent
                .subnets(b.prefix_len())
                .ok()?
                .find(|s| s != b)
                .map(|s| (parent, s))
        });
        match sibling {
            Some((parent, s)) if set.contains(&s) => {
                merged.insert(s);
                merged.insert(*b);
                out.insert(parent);
            }
            _ => {
                out.insert(*b);
            }
        }
    }
    out
}

/// How many addresses a block holds, saturating (an IPv6 block can hold more than `u128::MAX`).
pub(crate) fn size(block: &IpNet) -> u128 {
    let bits = u32::from(block.max_prefix_len() - block.prefix_len());
    1u128.checked_shl(bits).unwrap_or(u128::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ips(list: &[&str]) -> BTreeSet<IpAddr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    fn text(blocks: &[IpNet]) -> Vec<String> {
        blocks.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn exact_addresses_merge_only_into_blocks_they_fill() {
        let got = aggregate(
            &ips(&["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.5"]),
            32,
            128,
        );
        assert_eq!(text(&got), ["10.0.0.0/30", "10.0.0.5/32"]);
    }

    #[test]
    fn the_knob_widens_each_address_then_merges() {
        let got = aggregate(&ips(&["10.0.0.7", "10.0.1.9", "192.0.2.1"]), 24, 128);
        assert_eq!(text(&got), ["10.0.0.0/23", "192.0.2.0/24"]);
        assert_eq!(size(&got[0]), 512);
    }

    #[test]
    fn v6_is_aggregated_apart() {
        let got = aggregate(&ips(&["2001:db8::1", "10.1.1.1"]), 32, 64);
        assert_eq!(text(&got), ["10.1.1.1/32", "2001:db8::/64"]);
    }
}
