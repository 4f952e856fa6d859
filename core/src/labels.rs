//! Kubernetes label syntax: what the API server accepts as a label key and value. The Studio checks
//! taxonomy keys and values with it as the user types, before they reach a selector.

use thiserror::Error;

use crate::model::names::is_dns_subdomain;

/// The longest label name and value.
pub const MAX_NAME_LEN: usize = 63;
/// The longest key prefix (a DNS subdomain).
pub const MAX_PREFIX_LEN: usize = 253;

/// Why a label key or value is not valid.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LabelSyntaxError {
    #[error("a label key cannot be empty")]
    EmptyKey,
    #[error(
        "the name part `{0}` must be 1-63 characters of letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"
    )]
    BadName(String),
    #[error(
        "the prefix `{0}` must be a DNS subdomain: lowercase letters, digits, `-` and `.`, at most 253 characters"
    )]
    BadPrefix(String),
    #[error(
        "the value `{0}` must be empty or 1-63 characters of letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"
    )]
    BadValue(String),
    #[error("write the label as `key=value`: `{0}` has no `=`")]
    NoEquals(String),
}

fn is_name(text: &str) -> bool {
    let bytes = text.as_bytes();
    let edge = |b: u8| b.is_ascii_alphanumeric();
    !bytes.is_empty()
        && bytes.len() <= MAX_NAME_LEN
        && edge(bytes[0])
        && edge(bytes[bytes.len() - 1])
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Checks a label key: `name` or `prefix/name`.
pub fn check_key(key: &str) -> Result<(), LabelSyntaxError> {
    if key.is_empty() {
        return Err(LabelSyntaxError::EmptyKey);
    }
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix
        && !is_dns_subdomain(prefix)
    {
        return Err(LabelSyntaxError::BadPrefix(prefix.to_owned()));
    }
    if !is_name(name) {
        return Err(LabelSyntaxError::BadName(name.to_owned()));
    }
    Ok(())
}

/// Checks a label value (the empty value is valid).
pub fn check_value(value: &str) -> Result<(), LabelSyntaxError> {
    if value.is_empty() || is_name(value) {
        Ok(())
    } else {
        Err(LabelSyntaxError::BadValue(value.to_owned()))
    }
}

/// Reads a label typed as `key=value` (spaces around either part ignored; the value may be empty, as
/// Kubernetes allows), checking both parts.
pub fn parse_label(text: &str) -> Result<(String, String), LabelSyntaxError> {
    let text = text.trim();
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| LabelSyntaxError::NoEquals(text.to_owned()))?;
    let (key, value) = (key.trim(), value.trim());
    check_key(key)?;
    check_value(value)?;
    Ok((key.to_owned(), value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_label_is_key_equals_value_with_both_parts_checked() {
        assert_eq!(
            parse_label(" app = api "),
            Ok(("app".to_owned(), "api".to_owned()))
        );
        assert_eq!(
            parse_label("example.com/team=payments"),
            Ok(("example.com/team".to_owned(), "payments".to_owned()))
        );
        assert_eq!(parse_label("tier="), Ok(("tier".to_owned(), String::new())));
        assert_eq!(
            parse_label("app"),
            Err(LabelSyntaxError::NoEquals("app".to_owned()))
        );
        assert_eq!(parse_label("=api"), Err(LabelSyntaxError::EmptyKey));
        assert_eq!(
            parse_label("app=a b"),
            Err(LabelSyntaxError::BadValue("a b".to_owned()))
        );
        // Only the first `=` splits: the rest is the value, which then fails its check.
        assert_eq!(
            parse_label("app=x=y"),
            Err(LabelSyntaxError::BadValue("x=y".to_owned()))
        );
    }

    #[test]
    fn keys_follow_kubernetes_syntax() {
        for ok in [
            "app",
            "app.kubernetes.io/name",
            "k8s-app",
            "a",
            "A_b.c-D",
            "example.com/x",
        ] {
            assert_eq!(check_key(ok), Ok(()), "{ok}");
        }
        assert_eq!(check_key(""), Err(LabelSyntaxError::EmptyKey));
        assert!(matches!(
            check_key("-app"),
            Err(LabelSyntaxError::BadName(_))
        ));
        assert!(matches!(
            check_key("app-"),
            Err(LabelSyntaxError::BadName(_))
        ));
        assert!(matches!(
            check_key("a b"),
            Err(LabelSyntaxError::BadName(_))
        ));
        assert!(matches!(
            check_key(&"x".repeat(64)),
            Err(LabelSyntaxError::BadName(_))
        ));
        assert!(matches!(
            check_key("Example.com/x"),
            Err(LabelSyntaxError::BadPrefix(_))
        ));
        assert!(matches!(
            check_key("/x"),
            Err(LabelSyntaxError::BadPrefix(_))
        ));
        assert!(matches!(
            check_key("a..b/x"),
            Err(LabelSyntaxError::BadPrefix(_))
        ));
        assert!(matches!(
            check_key("example.com/"),
            Err(LabelSyntaxError::BadName(_))
        ));
    }

    #[test]
    fn values_follow_kubernetes_syntax() {
        for ok in ["", "prod", "v1.2.3", "a_b-c", &"x".repeat(63)] {
            assert_eq!(check_value(ok), Ok(()), "{ok}");
        }
        for bad in ["-x", "x-", "a/b", "a b", &"x".repeat(64)] {
            assert!(check_value(bad).is_err(), "{bad}");
        }
    }
}
