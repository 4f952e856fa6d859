//! The plain CSV format (columns documented in the module docs of `flows`). A record is one line: a
//! quoted field may hold commas and `""`, not a line break.

use std::borrow::Cow;
use std::net::IpAddr;

use super::labels::split_csv;
use super::raw::{RawAction, RawEndpoint, RawRecord, protocol};
use super::{EndpointKind, Reporter};

/// The columns, in the documented order.
pub(crate) const COLUMNS: [&str; 11] = [
    "src_namespace",
    "src_name",
    "src_labels",
    "dst_namespace",
    "dst_name",
    "dst_labels",
    "dst_ip",
    "proto",
    "dst_port",
    "action",
    "count",
];

/// Where each documented column is in this file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CsvHeader {
    index: [usize; 11],
}

impl CsvHeader {
    /// Reads a header line (BOM already removed). `None` when it is not this format's header: every
    /// documented column must be present, case-insensitively.
    pub fn parse(line: &[u8]) -> Option<CsvHeader> {
        let text = std::str::from_utf8(line).ok()?;
        let fields = split_fields(text).ok()?;
        let mut index = [0usize; 11];
        for (slot, name) in index.iter_mut().zip(COLUMNS) {
            *slot = fields
                .iter()
                .position(|f| f.trim().eq_ignore_ascii_case(name))?;
        }
        Some(CsvHeader { index })
    }

    /// Parses one data row.
    pub fn parse_row<'a>(&self, line: &'a [u8]) -> Result<RawRecord<'a>, String> {
        let text = std::str::from_utf8(line).map_err(|e| format!("not UTF-8 text ({e})"))?;
        let fields = split_fields(text)?;
        let get = |column: usize| -> Result<Cow<'a, str>, String> {
            fields
                .get(self.index[column])
                .map(|f| match f {
                    Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
                    Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
                })
                .ok_or_else(|| {
                    format!(
                        "{} columns, expected at least {}",
                        fields.len(),
                        self.index.iter().max().map_or(0, |m| m + 1)
                    )
                })
        };
        let src_ns = get(0)?;
        let src_name = get(1)?;
        let dst_ns = get(3)?;
        let dst_name = get(4)?;
        let dst_ip = get(6)?;
        let proto = protocol(&get(7)?).map_err(|e| format!("`proto`: {e}"))?;
        let port = match get(8)?.as_ref() {
            "" => None,
            p => match p.parse::<u16>() {
                Ok(0) | Err(_) => return Err(format!("`dst_port` `{p}` is not a port 1-65535")),
                Ok(p) => Some(p),
            },
        };
        let action = match get(9)?.to_ascii_lowercase().as_str() {
            "allow" | "allowed" | "accept" => RawAction::Allow,
            "deny" | "denied" | "drop" | "reject" => RawAction::Deny,
            other => return Err(format!("`action` is `{other}`, expected `allow` or `deny`")),
        };
        let count = match get(10)?.as_ref() {
            "" => 1,
            c => match c.parse::<u64>() {
                Ok(0) | Err(_) => return Err(format!("`count` `{c}` is not a positive integer")),
                Ok(c) => c,
            },
        };
        let src_ip = src_name.parse::<IpAddr>().ok();
        let dst_addr = match dst_ip.as_ref() {
            "" => None,
            text => Some(
                parse_ip_or_cidr(text)
                    .ok_or_else(|| format!("`dst_ip` `{text}` is not an IP address or CIDR"))?,
            ),
        };
        let src = endpoint(src_ns, src_name, get(2)?, src_ip);
        let dst = endpoint(dst_ns, dst_name, get(5)?, dst_addr);
        Ok(RawRecord {
            src,
            dst,
            protocol: proto,
            port,
            action,
            reporter: Reporter::Unknown,
            count,
            start: None,
            end: None,
            enforced: None,
            pending: None,
        })
    }
}

fn parse_ip_or_cidr(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<ipnet::IpNet>().ok().map(|n| n.network()))
}

fn endpoint<'a>(
    namespace: Cow<'a, str>,
    name: Cow<'a, str>,
    labels: Cow<'a, str>,
    ip: Option<IpAddr>,
) -> RawEndpoint<'a> {
    let kind = if !namespace.is_empty() {
        EndpointKind::Workload
    } else if ip.is_some() {
        EndpointKind::Network
    } else {
        EndpointKind::Unknown
    };
    let mut ep = RawEndpoint::new(kind);
    let name_is_ip = name.parse::<IpAddr>().is_ok();
    ep.namespace = (!namespace.is_empty()).then_some(namespace);
    let hide_name = name.is_empty() || (kind == EndpointKind::Network && name_is_ip);
    ep.name = (!hide_name).then_some(name);
    ep.labels = match labels {
        Cow::Borrowed(l) => split_csv(l),
        Cow::Owned(l) => split_csv(&l)
            .into_iter()
            .map(|c| Cow::Owned(c.into_owned()))
            .collect(),
    };
    if kind != EndpointKind::Workload {
        ep.ip = ip;
    }
    ep
}

/// RFC 4180 fields of one line.
pub(crate) fn split_fields(line: &str) -> Result<Vec<Cow<'_, str>>, String> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next() {
                    None => return Err("a quoted field is not closed on this line".into()),
                    Some((i, '"')) => {
                        if quoted[i + 1..].starts_with('"') {
                            value.push('"');
                            chars.next();
                        } else {
                            break i + 1;
                        }
                    }
                    Some((_, c)) => value.push(c),
                }
            };
            fields.push(Cow::Owned(value));
            rest = &quoted[end..];
            match rest.strip_prefix(',') {
                Some(r) => rest = r,
                None if rest.trim().is_empty() => return Ok(fields),
                None => return Err("text after a closing quote".into()),
            }
        } else {
            match rest.find(',') {
                Some(i) => {
                    fields.push(Cow::Borrowed(&rest[..i]));
                    rest = &rest[i + 1..];
                }
                None => {
                    fields.push(Cow::Borrowed(rest));
                    return Ok(fields);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_follow_rfc_4180() {
        assert_eq!(
            split_fields("a,,\"b,c\",\"d\"\"e\"").unwrap(),
            ["a", "", "b,c", "d\"e"]
        );
        assert_eq!(split_fields("").unwrap(), [""]);
        assert!(split_fields("\"open").is_err());
        assert!(split_fields("\"a\"b,c").is_err());
    }

    #[test]
    fn header_is_found_in_any_case_and_order() {
        let header = CsvHeader::parse(COLUMNS.join(",").to_uppercase().as_bytes()).unwrap();
        assert_eq!(header.index, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert!(CsvHeader::parse(b"src_namespace,src_name").is_none());
    }

    #[test]
    fn rows_are_validated() {
        let header = CsvHeader::parse(COLUMNS.join(",").as_bytes()).unwrap();
        let ok = header
            .parse_row(b"a,web,app=web,,,,203.0.113.7,tcp,443,allow,")
            .unwrap();
        assert_eq!(
            (ok.port, ok.count, ok.dst.kind),
            (Some(443), 1, EndpointKind::Network)
        );
        for (row, reason) in [
            ("a,web,,b,db,,,tcp,70000,allow,1", "dst_port"),
            ("a,web,,b,db,,,tcp,5432,maybe,1", "action"),
            ("a,web,,b,db,,,foo,5432,allow,1", "proto"),
            ("a,web,,b,db,,,tcp,5432,allow,0", "count"),
            ("a,web,,b,db,,nope,tcp,5432,allow,1", "dst_ip"),
            ("a,web", "columns"),
        ] {
            let err = header.parse_row(row.as_bytes()).unwrap_err();
            assert!(err.contains(reason), "{row}: {err}");
        }
    }
}
