//! Which Calico release a design or a command targets (`cli.md` "Calico version"): it decides which
//! cluster-wide Kubernetes kinds are enforced, and how (`cluster-network-policy.md` §3, §4).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ClusterPolicyKind;

/// A Calico minor release the engine knows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CalicoVersion {
    V3_29,
    V3_30,
    V3_31,
    /// The default: ClusterNetworkPolicy in `kube-admin` / `kube-baseline`.
    #[default]
    V3_32,
}

impl CalicoVersion {
    /// Every known version, oldest first.
    pub const ALL: [CalicoVersion; 4] = [
        CalicoVersion::V3_29,
        CalicoVersion::V3_30,
        CalicoVersion::V3_31,
        CalicoVersion::V3_32,
    ];

    /// `3.29` … `3.32`.
    pub fn as_str(self) -> &'static str {
        match self {
            CalicoVersion::V3_29 => "3.29",
            CalicoVersion::V3_30 => "3.30",
            CalicoVersion::V3_31 => "3.31",
            CalicoVersion::V3_32 => "3.32",
        }
    }

    /// Whether this release enforces the kind: ClusterNetworkPolicy from 3.32, AdminNetworkPolicy and
    /// BaselineAdminNetworkPolicy in 3.29–3.31 (3.32 no longer watches them).
    pub fn enforces(self, kind: ClusterPolicyKind) -> bool {
        match kind {
            ClusterPolicyKind::ClusterNetworkPolicy => self >= CalicoVersion::V3_32,
            ClusterPolicyKind::AdminNetworkPolicy
            | ClusterPolicyKind::BaselineAdminNetworkPolicy => self <= CalicoVersion::V3_31,
        }
    }
}

impl fmt::Display for CalicoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A version that is not one of [`CalicoVersion::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a Calico version Netpol Studio knows: expected 3.29, 3.30, 3.31 or 3.32")]
pub struct CalicoVersionParseError(String);

impl FromStr for CalicoVersion {
    type Err = CalicoVersionParseError;

    /// `3.31`, `v3.31` or a patch release such as `3.31.2`.
    fn from_str(text: &str) -> Result<CalicoVersion, CalicoVersionParseError> {
        let trimmed = text.trim();
        let bare = trimmed.strip_prefix('v').unwrap_or(trimmed);
        let parts: Vec<&str> = bare.split('.').collect();
        let minor = match parts[..] {
            ["3", minor] => minor,
            ["3", minor, patch] if patch.parse::<u32>().is_ok() => minor,
            _ => return Err(CalicoVersionParseError(text.to_owned())),
        };
        CalicoVersion::ALL
            .into_iter()
            .find(|v| v.as_str().strip_prefix("3.") == Some(minor))
            .ok_or_else(|| CalicoVersionParseError(text.to_owned()))
    }
}

impl Serialize for CalicoVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CalicoVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CalicoVersion, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_with_or_without_v_and_patch() {
        assert_eq!("3.31".parse(), Ok(CalicoVersion::V3_31));
        assert_eq!("v3.32.1".parse(), Ok(CalicoVersion::V3_32));
        assert_eq!("3.29.0".parse(), Ok(CalicoVersion::V3_29));
        for bad in ["3.28", "4.0", "3", "3.31.x", "", "3.31.1.1"] {
            assert!(bad.parse::<CalicoVersion>().is_err(), "{bad}");
        }
    }

    #[test]
    fn each_version_enforces_its_kinds() {
        use ClusterPolicyKind::*;
        let table = [
            (CalicoVersion::V3_29, [false, true, true]),
            (CalicoVersion::V3_30, [false, true, true]),
            (CalicoVersion::V3_31, [false, true, true]),
            (CalicoVersion::V3_32, [true, false, false]),
        ];
        for (version, expected) in table {
            let got = [
                ClusterNetworkPolicy,
                AdminNetworkPolicy,
                BaselineAdminNetworkPolicy,
            ]
            .map(|k| version.enforces(k));
            assert_eq!(got, expected, "{version}");
        }
    }
}
