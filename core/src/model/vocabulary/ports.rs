//! Protocols and ports as Calico writes them: `int | string` fields with a small grammar of their own
//! (`api/pkg/lib/numorstring/{protocol,port}.go`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::{deserialize_int_or_string, serialize_display};

/// The protocols whose ports rules can match (TCP, UDP, SCTP), by number: Felix renders port matches
/// only for these (`rules.go` `protocolsWithPorts`), and Calico's validator refuses ports on others.
pub const PORT_PROTOCOLS: [u8; 3] = [6, 17, 132];

/// Whether protocol `number` carries ports that rules can match.
pub fn carries_ports(number: u8) -> bool {
    PORT_PROTOCOLS.contains(&number)
}

/// An IP protocol, by name or by number, as written. Names and numbers are equivalent for matching
/// (`UDP` ≡ `17`): compare with [`Protocol::number`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
    Icmp,
    IcmpV6,
    Sctp,
    UdpLite,
    /// A protocol given as a number, 1–255.
    Number(u8),
}

impl Protocol {
    /// The IANA protocol number.
    pub fn number(self) -> u8 {
        match self {
            Protocol::Tcp => 6,
            Protocol::Udp => 17,
            Protocol::Icmp => 1,
            Protocol::IcmpV6 => 58,
            Protocol::Sctp => 132,
            Protocol::UdpLite => 136,
            Protocol::Number(n) => n,
        }
    }

    /// The named protocol for a number, or `Number(n)` when Calico has no name for it.
    pub fn from_number(n: u8) -> Protocol {
        match n {
            6 => Protocol::Tcp,
            17 => Protocol::Udp,
            1 => Protocol::Icmp,
            58 => Protocol::IcmpV6,
            132 => Protocol::Sctp,
            136 => Protocol::UdpLite,
            n => Protocol::Number(n),
        }
    }

    /// The protocol with a name when it has one (`Number(6)` → `Tcp`).
    pub fn canonical(self) -> Protocol {
        Protocol::from_number(self.number())
    }

    /// TCP, UDP and SCTP carry ports that rules can match.
    pub fn has_ports(self) -> bool {
        carries_ports(self.number())
    }

    /// Parses a protocol name case-insensitively (flow logs write `tcp`) or a number.
    pub fn parse_lenient(text: &str) -> Result<Protocol, ProtocolParseError> {
        let lower = text.trim().to_ascii_lowercase();
        let canonical = match lower.as_str() {
            "tcp" => "TCP",
            "udp" => "UDP",
            "icmp" => "ICMP",
            "icmpv6" | "icmp6" => "ICMPv6",
            "sctp" => "SCTP",
            "udplite" => "UDPLite",
            _ => text.trim(),
        };
        canonical.parse()
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protocol::Tcp => f.write_str("TCP"),
            Protocol::Udp => f.write_str("UDP"),
            Protocol::Icmp => f.write_str("ICMP"),
            Protocol::IcmpV6 => f.write_str("ICMPv6"),
            Protocol::Sctp => f.write_str("SCTP"),
            Protocol::UdpLite => f.write_str("UDPLite"),
            Protocol::Number(n) => write!(f, "{n}"),
        }
    }
}

/// A protocol that is neither a Calico protocol name nor a number 1–255.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{text}` is not a protocol: expected TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1-255"
)]
pub struct ProtocolParseError {
    text: String,
}

impl FromStr for Protocol {
    type Err = ProtocolParseError;

    /// Calico's names are case-sensitive in `projectcalico.org/v3`; a decimal number is accepted too.
    fn from_str(text: &str) -> Result<Protocol, ProtocolParseError> {
        match text {
            "TCP" => Ok(Protocol::Tcp),
            "UDP" => Ok(Protocol::Udp),
            "ICMP" => Ok(Protocol::Icmp),
            "ICMPv6" => Ok(Protocol::IcmpV6),
            "SCTP" => Ok(Protocol::Sctp),
            "UDPLite" => Ok(Protocol::UdpLite),
            _ => match text.parse::<u8>() {
                Ok(n) if n > 0 => Ok(Protocol::Number(n)),
                _ => Err(ProtocolParseError {
                    text: text.to_owned(),
                }),
            },
        }
    }
}

impl Serialize for Protocol {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Protocol::Number(n) => s.serialize_u8(*n),
            named => serialize_display(named, s),
        }
    }
}

impl<'de> Deserialize<'de> for Protocol {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Protocol, D::Error> {
        deserialize_int_or_string(
            d,
            |n| match u8::try_from(n) {
                Ok(n) if n > 0 => Ok(Protocol::Number(n)),
                _ => Err(ProtocolParseError {
                    text: n.to_string(),
                }),
            },
            str::parse,
        )
    }
}

/// One entry of `ports` / `notPorts`: a number, an inclusive range, or a named port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Port {
    Number(u16),
    /// `"lo:hi"`, inclusive, lo ≤ hi.
    Range(u16, u16),
    /// A container port name, resolved against the endpoint that has the packet's IP.
    Named(String),
}

impl Port {
    /// Whether a numeric port matches this entry (named ports never match by number alone).
    pub fn contains(&self, port: u16) -> bool {
        match *self {
            Port::Number(n) => n == port,
            Port::Range(lo, hi) => lo <= port && port <= hi,
            Port::Named(_) => false,
        }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Port::Number(n) => write!(f, "{n}"),
            Port::Range(lo, hi) => write!(f, "{lo}:{hi}"),
            Port::Named(name) => f.write_str(name),
        }
    }
}

/// A port entry that is not a number 0–65535, a range `lo:hi` or a port name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a port: {reason}")]
pub struct PortParseError {
    text: String,
    reason: &'static str,
}

impl FromStr for Port {
    type Err = PortParseError;

    fn from_str(text: &str) -> Result<Port, PortParseError> {
        let err = |reason| PortParseError {
            text: text.to_owned(),
            reason,
        };
        if let Some((lo, hi)) = text.split_once(':') {
            let lo: u16 = lo
                .parse()
                .map_err(|_| err("the range start is not a number 0-65535"))?;
            let hi: u16 = hi
                .parse()
                .map_err(|_| err("the range end is not a number 0-65535"))?;
            return match lo.cmp(&hi) {
                std::cmp::Ordering::Less => Ok(Port::Range(lo, hi)),
                std::cmp::Ordering::Equal => Ok(Port::Number(lo)),
                std::cmp::Ordering::Greater => Err(err("the range start is above its end")),
            };
        }
        if text.bytes().all(|b| b.is_ascii_digit()) && !text.is_empty() {
            return text
                .parse()
                .map(Port::Number)
                .map_err(|_| err("a port number is 0-65535"));
        }
        let valid_name = !text.is_empty()
            && text.len() <= 128
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if valid_name {
            Ok(Port::Named(text.to_owned()))
        } else {
            Err(err("a port name is 1-128 characters of [A-Za-z0-9_.-]"))
        }
    }
}

impl Serialize for Port {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Port::Number(n) => s.serialize_u16(*n),
            other => serialize_display(other, s),
        }
    }
}

impl<'de> Deserialize<'de> for Port {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Port, D::Error> {
        deserialize_int_or_string(
            d,
            |n| {
                u16::try_from(n)
                    .map(Port::Number)
                    .map_err(|_| PortParseError {
                        text: n.to_string(),
                        reason: "a port number is 0-65535",
                    })
            },
            str::parse,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_names_and_numbers_are_equivalent() {
        let cases = [
            ("TCP", 6),
            ("UDP", 17),
            ("ICMP", 1),
            ("ICMPv6", 58),
            ("SCTP", 132),
            ("UDPLite", 136),
            ("17", 17),
            ("99", 99),
        ];
        for (text, number) in cases {
            let protocol: Protocol = text.parse().unwrap();
            assert_eq!(protocol.number(), number, "{text}");
            assert_eq!(protocol.to_string(), text);
        }
        assert_eq!(Protocol::Number(17).canonical(), Protocol::Udp);
        assert!(
            "tcp".parse::<Protocol>().is_err(),
            "v3 protocol names are case-sensitive"
        );
        assert_eq!(Protocol::parse_lenient("tcp"), Ok(Protocol::Tcp));
        assert!("0".parse::<Protocol>().is_err());
        assert!("256".parse::<Protocol>().is_err());
    }

    #[test]
    fn ports_parse_as_numbers_ranges_and_names() {
        assert_eq!("80".parse(), Ok(Port::Number(80)));
        assert_eq!("1000:2000".parse(), Ok(Port::Range(1000, 2000)));
        assert_eq!("53:53".parse(), Ok(Port::Number(53)));
        assert_eq!(
            "http-metrics".parse(),
            Ok(Port::Named("http-metrics".into()))
        );
        for bad in ["2000:1000", "65536", "a:b", "", "has space", "1:"] {
            assert!(bad.parse::<Port>().is_err(), "{bad}");
        }
        assert!(Port::Range(1000, 2000).contains(1000) && Port::Range(1000, 2000).contains(2000));
        assert!(!Port::Range(1000, 2000).contains(2001));
    }

    #[test]
    fn int_or_string_fields_round_trip_through_json() {
        let ports: Vec<Port> =
            serde_json::from_str(r#"[80, "443", "1000:2000", "https"]"#).unwrap();
        assert_eq!(
            ports,
            vec![
                Port::Number(80),
                Port::Number(443),
                Port::Range(1000, 2000),
                Port::Named("https".into())
            ]
        );
        assert_eq!(
            serde_json::to_string(&ports).unwrap(),
            r#"[80,443,"1000:2000","https"]"#
        );
        let protocols: Vec<Protocol> = serde_json::from_str(r#"["TCP", 17]"#).unwrap();
        assert_eq!(serde_json::to_string(&protocols).unwrap(), r#"["TCP",17]"#);
        assert!(serde_json::from_str::<Protocol>("0").is_err());
    }
}
