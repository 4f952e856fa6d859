//! SARIF 2.1.0 output (`--format sarif` of `lint` and `coverage`, `cli.md`): one run, `tool.driver.rules` for every
//! rule the command knows, one result per finding with its file, line and column, so code scanning
//! (GitHub and others) shows each finding inline in a pull request.
//!
//! Only the part of SARIF the contract needs is written; `cli/tests/lint.rs` and `cli/tests/coverage.rs` check the output against
//! `../shared/schemas/sarif-schema-2.1.0.json`.

use std::path::Path;

use serde_json::{Value, json};

/// A rule of `tool.driver.rules`.
pub struct Rule<'a> {
    pub id: &'a str,
    /// One line: what the rule catches.
    pub summary: &'a str,
    /// `error`, `warning` or `note`.
    pub level: &'static str,
    /// The page of the Netpol Studio repository that documents it (`docs/lints.md`), under a
    /// heading named by the id.
    pub doc: &'a str,
}

/// One result.
pub struct Finding<'a> {
    pub rule_id: &'a str,
    /// `error`, `warning` or `note`.
    pub level: &'static str,
    pub message: String,
    /// The file as the command was given it; written relative to the working directory.
    pub file: &'a str,
    /// 1-based.
    pub line: u32,
    /// 1-based.
    pub column: u32,
    /// What the finding is about (`GlobalNetworkPolicy default.allow-dns`), as a logical location.
    pub logical: Option<String>,
}

/// The SARIF log.
pub fn log(rules: &[Rule<'_>], findings: &[Finding<'_>]) -> Value {
    let cwd = std::env::current_dir().ok();
    let driver_rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": rule_name(r.id),
                "shortDescription": {"text": r.summary},
                "defaultConfiguration": {"level": r.level},
                "help": {"text": format!("{} ({}#{} in the Netpol Studio repository)", r.summary, r.doc, r.id)},
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut location = json!({
                "physicalLocation": {
                    "artifactLocation": {"uri": uri(f.file, cwd.as_deref())},
                    "region": {"startLine": f.line.max(1), "startColumn": f.column.max(1)},
                }
            });
            if let Some(name) = &f.logical {
                location["logicalLocations"] = json!([{"fullyQualifiedName": name}]);
            }
            let mut result = json!({
                "ruleId": f.rule_id,
                "level": f.level,
                "message": {"text": f.message},
                "locations": [location],
            });
            if let Some(index) = rules.iter().position(|r| r.id == f.rule_id) {
                result["ruleIndex"] = json!(index);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "netpol",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": driver_rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// `shadowed-rule` → `ShadowedRule` (SARIF's `name` is an identifier-like word).
fn rule_name(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(c) => c.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// The file as a URI reference relative to the working directory: `lint/x.yaml` as is, an absolute
/// path under the working directory made relative, any other absolute path as a `file://` URI. Every
/// byte outside RFC 3986's unreserved set (and `/`) is percent-encoded.
pub fn uri(file: &str, cwd: Option<&Path>) -> String {
    let path = Path::new(file);
    if path.is_absolute() {
        if let Some(rel) = cwd.and_then(|c| path.strip_prefix(c).ok()) {
            return encode(&rel.to_string_lossy().replace('\\', "/"));
        }
        return format!("file://{}", encode(&file.replace('\\', "/")));
    }
    let relative = file.strip_prefix("./").unwrap_or(file);
    encode(&relative.replace('\\', "/"))
}

fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_to_the_working_directory_and_encoded() {
        let cwd = Path::new("/repo");
        assert_eq!(uri("lint/a b.yaml", Some(cwd)), "lint/a%20b.yaml");
        assert_eq!(uri("./x.yaml", Some(cwd)), "x.yaml");
        assert_eq!(uri("/repo/p/x.yaml", Some(cwd)), "p/x.yaml");
        assert_eq!(uri("/other/x.yaml", Some(cwd)), "file:///other/x.yaml");
        assert_eq!(uri("<stdin>", Some(cwd)), "%3Cstdin%3E");
        assert_eq!(rule_name("shadowed-rule"), "ShadowedRule");
    }
}
