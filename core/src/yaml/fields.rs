//! One field of a Calico policy, as an editor's text box holds it, read into the model's value with
//! the importer's own checks and messages (the form and `netpol validate` never disagree).
//!
//! Lists are written comma-separated (`10.0.0.0/8, 192.168.1.0/24`), maps one `key=value` per line.
//! An empty box is the field left out. Checks that need the whole rule (ports need a protocol, ICMP
//! needs ICMP, IP families agree) are [`super::check_calico_policy`]'s: the editor runs it on the
//! policy the field would make.

use std::collections::BTreeMap;

use super::validate::{SelectorField, selector_problem};
use crate::model::vocabulary::addresses::parse_net;
use crate::model::vocabulary::names::{is_dns_subdomain, label_value, qualified_name};
use crate::model::{IcmpFields, Port, Protocol};

/// Where a selector is written: a rule's `namespaceSelector` may be `global()`, nothing else may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectorPlace {
    /// A policy's `selector`, a rule's `selector` / `notSelector`, a service-account selector.
    Endpoint,
    /// A rule's `source` / `destination` `namespaceSelector`.
    RuleNamespace,
}

/// The comma-separated entries of `text`, trimmed, empty ones dropped.
fn entries(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// A selector field (`name` is how the message names it): `None` when the box is empty.
pub fn selector(text: &str, name: &str, place: SelectorPlace) -> Result<Option<String>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let field = match place {
        SelectorPlace::Endpoint => SelectorField::Plain,
        SelectorPlace::RuleNamespace => SelectorField::RuleNamespace,
    };
    match selector_problem(text, name, field) {
        None => Ok(Some(text.to_owned())),
        Some((Some(offset), message)) => Err(format!(
            "{message} (column {})",
            text[..offset.min(text.len())].chars().count() + 1
        )),
        Some((None, message)) => Err(message),
    }
}

/// `nets` / `notNets`: CIDRs or single addresses, as written.
pub fn nets(text: &str, name: &str) -> Result<Vec<String>, String> {
    entries(text)
        .map(|net| match parse_net(net) {
            Ok(_) => Ok(net.to_owned()),
            Err(_) => Err(format!(
                "invalid `{name}`: `{net}` is not a CIDR (like `10.0.0.0/8`) or an IP address"
            )),
        })
        .collect()
}

/// `ports` / `notPorts`: numbers, ranges `lo:hi` and named ports.
pub fn ports(text: &str, name: &str) -> Result<Vec<Port>, String> {
    entries(text)
        .map(|entry| {
            let port = entry
                .parse::<Port>()
                .map_err(|e| format!("invalid `{name}`: {e}"))?;
            let zero = match port {
                Port::Number(n) => n == 0,
                Port::Range(lo, _) => lo == 0,
                Port::Named(_) => false,
            };
            if zero {
                return Err(format!("`{name}` has 0: Calico's ports are 1-65535"));
            }
            Ok(port)
        })
        .collect()
}

/// `protocol` / `notProtocol`: a name Calico knows or a number 1-255; `None` when empty.
pub fn protocol(text: &str, name: &str) -> Result<Option<Protocol>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<Protocol>().map(Some).map_err(|_| {
        format!("`{name}` `{text}` is not a protocol: TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1-255")
    })
}

/// `ipVersion`: 4 or 6; `None` when empty.
pub fn ip_version(text: &str) -> Result<Option<u8>, String> {
    match text.trim() {
        "" => Ok(None),
        "4" => Ok(Some(4)),
        "6" => Ok(Some(6)),
        other => Err(format!("`ipVersion` `{other}` must be 4 or 6")),
    }
}

/// `icmp` / `notICMP` from its type and code boxes: type 0-254, code 0-255, a code needs a type;
/// `None` when both are empty.
pub fn icmp(type_text: &str, code_text: &str, name: &str) -> Result<Option<IcmpFields>, String> {
    let number = |text: &str, field: &str, max: u8| -> Result<Option<u8>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<u16>() {
            Ok(n) if n <= u16::from(max) => Ok(Some(n as u8)),
            _ => Err(format!("`{name}.{field}` must be 0-{max}")),
        }
    };
    let icmp_type = number(type_text, "type", 254)?;
    let code = number(code_text, "code", 255)?;
    match (icmp_type, code) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(format!("`{name}.code` is given without a `type`")),
        (icmp_type, code) => Ok(Some(IcmpFields { icmp_type, code })),
    }
}

/// A policy's `order`: a finite number; `None` (evaluated last) when empty.
pub fn order(text: &str) -> Result<Option<f64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(order) if order.is_finite() => Ok(Some(order)),
        _ => Err(format!("`order` `{text}` is not a number")),
    }
}

/// A policy's `metadata.name` (bare, without a tier prefix): a DNS subdomain with no `.`, as Calico
/// accepts it once the tier prefix is added.
pub fn policy_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() {
        return Err("`metadata.name` is empty: a policy needs a name".to_owned());
    }
    if !is_dns_subdomain(name) {
        return Err(format!(
            "`metadata.name` is `{}`: names must be lowercase letters, digits, `-` (and `.` between parts), starting and ending with a letter or digit",
            name.escape_debug()
        ));
    }
    if name.contains('.') {
        return Err(format!(
            "`metadata.name` `{name}` has a `.`: Calico allows a `.` only after the tier prefix it adds itself"
        ));
    }
    Ok(name.to_owned())
}

/// A namespace name (`metadata.namespace`).
pub fn namespace(text: &str) -> Result<String, String> {
    let name = text.trim();
    if crate::model::vocabulary::names::is_dns_label(name) {
        Ok(name.to_owned())
    } else {
        Err(format!(
            "`metadata.namespace` `{}` is not a namespace name: 1-63 lowercase letters, digits and `-`, starting and ending with a letter or digit",
            name.escape_debug()
        ))
    }
}

/// Service account names (`serviceAccounts.names`).
pub fn names(text: &str, name: &str) -> Result<Vec<String>, String> {
    entries(text)
        .map(|entry| {
            if is_dns_subdomain(entry) {
                Ok(entry.to_owned())
            } else {
                Err(format!("`{name}` `{entry}` is not a service account name: lowercase letters, digits, `-` and `.`"))
            }
        })
        .collect()
}

/// The `key=value` lines of `text`, each key checked by `check_key`.
fn key_values(
    text: &str,
    name: &str,
    check: impl Fn(&str, &str) -> Result<(), String>,
) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!("`{name}`: `{line}` is not `key=value`"));
        };
        let (key, value) = (key.trim(), value.trim());
        check(key, value)?;
        if map.insert(key.to_owned(), value.to_owned()).is_some() {
            return Err(format!("`{name}` gives `{key}` twice"));
        }
    }
    Ok(map)
}

/// `metadata.labels`, one `key=value` per line: Kubernetes label keys and values.
pub fn labels(text: &str) -> Result<BTreeMap<String, String>, String> {
    key_values(text, "metadata.labels", |key, value| {
        qualified_name(key).map_err(|why| format!("label key `{key}`: {why}"))?;
        label_value(value).map_err(|why| format!("label `{key}` value `{value}`: {why}"))
    })
}

/// `metadata.annotations`, one `key=value` per line: keys are Kubernetes qualified names, values free.
pub fn annotations(text: &str) -> Result<BTreeMap<String, String>, String> {
    key_values(text, "metadata.annotations", |key, _| {
        qualified_name(key).map_err(|why| format!("annotation key `{key}`: {why}"))
    })
}

/// A rule's `http` match from its methods and paths boxes: methods like `GET, POST`; paths `/exact`
/// or `prefix:/api/` (Calico's `paths: [{exact: …}, {prefix: …}]`); `None` when both are empty.
pub fn http(methods_text: &str, paths_text: &str) -> Result<Option<serde_json::Value>, String> {
    let methods: Vec<String> = entries(methods_text)
        .map(|m| {
            if !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase()) {
                Ok(m.to_owned())
            } else {
                Err(format!(
                    "`http.methods` `{m}` is not an HTTP method (upper case, like `GET`)"
                ))
            }
        })
        .collect::<Result<_, _>>()?;
    let paths: Vec<serde_json::Value> = entries(paths_text)
        .map(|p| {
            let (kind, path) = match p.strip_prefix("prefix:") {
                Some(path) => ("prefix", path.trim()),
                None => ("exact", p.strip_prefix("exact:").unwrap_or(p).trim()),
            };
            if path.starts_with('/') {
                Ok(serde_json::json!({ kind: path }))
            } else {
                Err(format!(
                    "`http.paths` `{p}`: a path starts with `/` (write `prefix:/api/` for a prefix)"
                ))
            }
        })
        .collect::<Result<_, _>>()?;
    if methods.is_empty() && paths.is_empty() {
        return Ok(None);
    }
    let mut http = serde_json::Map::new();
    if !methods.is_empty() {
        http.insert("methods".to_owned(), serde_json::json!(methods));
    }
    if !paths.is_empty() {
        http.insert("paths".to_owned(), serde_json::Value::Array(paths));
    }
    Ok(Some(serde_json::Value::Object(http)))
}

/// The methods and paths boxes of a rule's `http` match: the inverse of [`http`].
pub fn http_texts(http: Option<&serde_json::Value>) -> (String, String) {
    let Some(http) = http else {
        return (String::new(), String::new());
    };
    let methods = http
        .get("methods")
        .and_then(|m| m.as_array())
        .map(|m| {
            m.iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let paths = http
        .get("paths")
        .and_then(|p| p.as_array())
        .map(|paths| {
            paths
                .iter()
                .filter_map(|p| {
                    if let Some(exact) = p.get("exact").and_then(|v| v.as_str()) {
                        Some(exact.to_owned())
                    } else {
                        p.get("prefix")
                            .and_then(|v| v.as_str())
                            .map(|prefix| format!("prefix:{prefix}"))
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    (methods, paths)
}

/// A list as its box shows it: comma-separated.
pub fn list_text<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A map as its box shows it: one `key=value` per line.
pub fn map_text(map: &BTreeMap<String, String>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_checked_as_the_importer_checks_them() {
        assert_eq!(
            selector("  app == 'web' ", "selector", SelectorPlace::Endpoint),
            Ok(Some("app == 'web'".to_owned()))
        );
        assert_eq!(selector("", "selector", SelectorPlace::Endpoint), Ok(None));
        let err = selector("app == \"web", "selector", SelectorPlace::Endpoint).unwrap_err();
        assert!(err.starts_with("invalid selector in `selector`"), "{err}");
        assert!(err.contains("(column 8)"), "{err}");
        assert!(selector("global()", "selector", SelectorPlace::Endpoint).is_err());
        assert!(
            selector(
                "global()",
                "namespaceSelector",
                SelectorPlace::RuleNamespace
            )
            .unwrap()
            .is_some()
        );
        assert!(
            selector(
                "global() && a == 'b'",
                "namespaceSelector",
                SelectorPlace::RuleNamespace
            )
            .is_err()
        );
    }

    #[test]
    fn nets_and_ports_are_lists() {
        assert_eq!(
            nets("10.0.0.0/8, 192.168.1.1", "nets"),
            Ok(vec!["10.0.0.0/8".to_owned(), "192.168.1.1".to_owned()])
        );
        assert_eq!(nets(" ", "nets"), Ok(Vec::new()));
        let err = nets("10.0.0.0/33", "nets").unwrap_err();
        assert!(err.contains("`10.0.0.0/33` is not a CIDR"), "{err}");
        assert_eq!(
            ports("80, 8000:8080, http", "ports"),
            Ok(vec![
                Port::Number(80),
                Port::Range(8000, 8080),
                Port::Named("http".to_owned())
            ])
        );
        assert!(ports("99999", "ports").unwrap_err().contains("not a port"));
        assert!(ports("0", "ports").unwrap_err().contains("1-65535"));
        assert!(
            ports("9:3", "ports")
                .unwrap_err()
                .contains("start is above")
        );
    }

    #[test]
    fn protocols_icmp_and_versions() {
        assert_eq!(protocol("TCP", "protocol"), Ok(Some(Protocol::Tcp)));
        assert_eq!(protocol("", "protocol"), Ok(None));
        assert!(protocol("tcpp", "protocol").is_err());
        assert_eq!(ip_version("6"), Ok(Some(6)));
        assert!(ip_version("5").is_err());
        assert_eq!(
            icmp("8", "", "icmp"),
            Ok(Some(IcmpFields {
                icmp_type: Some(8),
                code: None
            }))
        );
        assert_eq!(icmp("", "", "icmp"), Ok(None));
        assert_eq!(
            icmp("255", "", "icmp"),
            Err("`icmp.type` must be 0-254".to_owned())
        );
        assert_eq!(
            icmp("", "3", "notICMP"),
            Err("`notICMP.code` is given without a `type`".to_owned())
        );
        assert!(icmp("3", "256", "icmp").is_err());
    }

    #[test]
    fn metadata_fields() {
        assert_eq!(policy_name(" allow-web "), Ok("allow-web".to_owned()));
        assert!(policy_name("Allow").is_err());
        assert!(policy_name("a.b").is_err());
        assert!(policy_name("").is_err());
        assert!(namespace("shop").is_ok());
        assert!(namespace("shop.x").is_err());
        assert_eq!(order("100.5"), Ok(Some(100.5)));
        assert_eq!(order(""), Ok(None));
        assert!(order("NaN").is_err());
        assert!(order("abc").is_err());
        let labels = labels("app=web\nteam = shop").unwrap();
        assert_eq!(labels.get("team").map(String::as_str), Some("shop"));
        assert!(super::labels("app").is_err());
        assert!(super::labels("app=a b").is_err());
        assert!(super::labels("a=1\na=2").is_err());
        assert!(annotations("note=any text at all").is_ok());
        assert!(annotations("bad key=x").is_err());
        assert_eq!(map_text(&labels), "app=web\nteam=shop");
        assert_eq!(
            names("api, db-reader", "names"),
            Ok(vec!["api".to_owned(), "db-reader".to_owned()])
        );
        assert!(names("Api", "names").is_err());
    }

    #[test]
    fn http_matches_round_trip_through_their_boxes() {
        let http = http("GET, POST", "/healthz, prefix:/api/")
            .unwrap()
            .unwrap();
        assert_eq!(
            http,
            serde_json::json!({"methods": ["GET", "POST"], "paths": [{"exact": "/healthz"}, {"prefix": "/api/"}]})
        );
        assert_eq!(
            http_texts(Some(&http)),
            ("GET, POST".to_owned(), "/healthz, prefix:/api/".to_owned())
        );
        assert_eq!(super::http("", ""), Ok(None));
        assert!(super::http("get", "").is_err());
        assert!(super::http("", "api").is_err());
    }

    #[test]
    fn a_field_is_checked_with_the_rest_of_its_rule() {
        use crate::model::{Action, CalicoPolicy, CalicoPolicyKind, ObjectMeta, PolicySpec, Rule};
        let mut rule = Rule::new(Action::Allow);
        rule.destination.ports = ports("443", "ports").unwrap();
        let mut policy = CalicoPolicy {
            kind: CalicoPolicyKind::GlobalNetworkPolicy,
            metadata: ObjectMeta::named("web", None),
            spec: PolicySpec {
                egress: vec![rule],
                ..PolicySpec::default()
            },
        };
        let errors: Vec<String> = super::super::check_calico_policy("policy.yaml", &policy)
            .into_iter()
            .filter(|d| d.is_error())
            .map(|d| d.message)
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("must set `protocol`"), "{errors:?}");
        policy.spec.egress[0].protocol = protocol("TCP", "protocol").unwrap();
        assert!(
            super::super::check_calico_policy("policy.yaml", &policy)
                .iter()
                .all(|d| !d.is_error())
        );
    }
}
