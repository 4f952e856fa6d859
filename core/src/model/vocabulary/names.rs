//! Policy names across Calico versions (`calico-semantics.md` §2).
//!
//! Up to Calico 3.31 a policy in a non-default tier had to be called `<tier>.<name>`, and the stored
//! `crd.projectcalico.org/v1` object is always tier-prefixed, `default.` included. From 3.32 names are
//! free. The model keeps the bare name; these functions convert at the edges.

use crate::model::DEFAULT_TIER;

/// The bare name of a policy read with `name` in `tier`: a `<tier>.` prefix that matches the tier is
/// removed (so `platform.allow-dns` in tier `platform` and `allow-dns` are one policy); any other name
/// is kept as written.
pub fn bare_policy_name<'a>(name: &'a str, tier: &str) -> &'a str {
    match name
        .strip_prefix(tier)
        .and_then(|rest| rest.strip_prefix('.'))
    {
        Some(rest) if !rest.is_empty() => rest,
        _ => name,
    }
}

/// The tier-prefixed name Calico up to 3.31 shows and `crd.projectcalico.org/v1` stores.
/// `include_default` adds `default.` for default-tier policies (crd v1 backend names do).
pub fn prefixed_policy_name(bare: &str, tier: &str, include_default: bool) -> String {
    if tier == DEFAULT_TIER && !include_default {
        bare.to_owned()
    } else {
        format!("{tier}.{bare}")
    }
}

/// The name Calico gives a Kubernetes NetworkPolicy in the default tier.
pub fn kubernetes_policy_name(name: &str) -> String {
    format!("knp.default.{name}")
}

/// A DNS-1123 label (`k8s.io/apimachinery` `IsDNS1123Label`): at most 63 lowercase letters, digits
/// and `-`, starting and ending with a letter or digit. What Kubernetes requires of namespace names.
pub fn is_dns_label(name: &str) -> bool {
    name.len() <= 63 && is_dns_label_shaped(name)
}

/// A DNS-1123 subdomain (`IsDNS1123Subdomain`): at most 253 characters of dot-separated labels, each
/// shaped as a DNS label (the subdomain check does not bound each part's length). What Kubernetes and
/// Calico require of object names (tier-prefixed policy names such as `platform.allow-dns` are
/// subdomains too) and of label key prefixes.
pub fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_dns_label_shaped)
}

/// The shape of a DNS-1123 label without its length bound (the regular expression alone, as Fleet's
/// `dnsLabelRegex` tests bundle names before it shortens them).
pub fn is_dns_label_shaped(part: &str) -> bool {
    let bytes = part.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// A label key (`k8s.io/apimachinery` `IsQualifiedName`): an optional DNS-subdomain prefix and `/`, then a name of at most 63
/// characters: alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
pub fn qualified_name(key: &str) -> Result<(), &'static str> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix
        && (p.is_empty() || !is_dns_subdomain(p))
    {
        return Err("the prefix before `/` must be a DNS subdomain");
    }
    if name.is_empty() || name.len() > 63 || !label_shaped(name) {
        return Err(
            "the name must be 1-63 characters: letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit",
        );
    }
    Ok(())
}

/// A label value (`IsValidLabelValue`): empty, or at most 63 characters shaped as a label name.
pub fn label_value(value: &str) -> Result<(), &'static str> {
    if value.is_empty() || (value.len() <= 63 && label_shaped(value)) {
        Ok(())
    } else {
        Err(
            "at most 63 characters: letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit",
        )
    }
}

fn label_shaped(text: &str) -> bool {
    let b = text.as_bytes();
    b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tier_prefixes_are_removed_only_when_they_match() {
        assert_eq!(
            bare_policy_name("platform.allow-dns", "platform"),
            "allow-dns"
        );
        assert_eq!(
            bare_policy_name("default.allow-dns", "default"),
            "allow-dns"
        );
        assert_eq!(bare_policy_name("allow-dns", "platform"), "allow-dns");
        assert_eq!(
            bare_policy_name("security.allow-dns", "platform"),
            "security.allow-dns"
        );
        assert_eq!(bare_policy_name("platform.", "platform"), "platform.");
        assert_eq!(bare_policy_name("platformx.a", "platform"), "platformx.a");
    }

    #[test]
    fn prefixed_names_follow_the_flavour() {
        assert_eq!(
            prefixed_policy_name("allow-dns", "security", false),
            "security.allow-dns"
        );
        assert_eq!(
            prefixed_policy_name("allow-dns", "default", false),
            "allow-dns"
        );
        assert_eq!(
            prefixed_policy_name("allow-dns", "default", true),
            "default.allow-dns"
        );
        assert_eq!(kubernetes_policy_name("web"), "knp.default.web");
    }

    #[test]
    fn dns_names_follow_kubernetes() {
        assert!(is_dns_label("kube-system"));
        assert!(!is_dns_label("Kube"));
        assert!(!is_dns_label("-a"));
        assert!(!is_dns_label(""));
        assert!(!is_dns_label(&"a".repeat(64)));
        assert!(is_dns_subdomain("platform.allow-dns"));
        assert!(is_dns_subdomain(&format!("{}.b", "a".repeat(64))));
        assert!(!is_dns_subdomain("a..b"));
        assert!(!is_dns_subdomain(&"a".repeat(254)));
    }

    #[test]
    fn label_keys_and_values_follow_apimachinery() {
        assert!(qualified_name("app").is_ok());
        assert!(qualified_name("app.kubernetes.io/name").is_ok());
        assert!(qualified_name("Under_score.x").is_ok());
        assert!(qualified_name("/name").is_err());
        assert!(qualified_name("a b").is_err());
        assert!(qualified_name("Prefix/name").is_err());
        assert!(label_value("").is_ok());
        assert!(label_value("v1.2_b-c").is_ok());
        assert!(label_value("-x").is_err());
        assert!(label_value(&"a".repeat(64)).is_err());
    }
}
