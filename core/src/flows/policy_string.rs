//! Calico flow-log policy strings, `<index>|<tier>|<policy>|<action>|<rule>` (older Calico Enterprise
//! releases wrote `<index>|<tier>|<policy>|<action>`, without the rule), in both dialects
//! (`../shared/flows/README.md` §1):
//!
//! - **tiered** (Calico Enterprise, Calico OSS before 3.32): `tier.name` (GlobalNetworkPolicy),
//!   `ns/tier.name` (NetworkPolicy), `ns/knp.default.name` (Kubernetes), `__PROFILE__.kns.ns`
//!   (profiles), with `staged:` before the name, before the tier or before `knp.`;
//! - **kind** (Calico OSS 3.32+): `<kind>:[<ns>/]<name>` with kinds `gnp np knp kcnp sgnp snp sknp pro`
//!   and `eot:` for an end of tier.

use super::{HitAction, PolicyHit, PolicyRef};

const KINDS: &[(&str, &str, bool)] = &[
    ("gnp", "gnp", false),
    ("np", "np", false),
    ("knp", "knp", false),
    ("kcnp", "kcnp", false),
    ("sgnp", "gnp", true),
    ("snp", "np", true),
    ("sknp", "knp", true),
    ("pro", "profile", false),
    ("eot", "eot", false),
];

/// The rule index of a step whose rule the flow log does not say.
pub const RULE_UNKNOWN: i32 = -2;

/// The policy kind of a step that could not be read ([`unreadable_hit`]).
pub const KIND_UNKNOWN: &str = "unknown";

/// Parses one policy string: five parts, or four without the rule index (older Calico Enterprise
/// releases), read as rule unknown ([`RULE_UNKNOWN`]). The error says what is wrong, quoting the
/// string.
pub fn parse_calico_policy_string(text: &str) -> Result<PolicyHit, String> {
    let parts: Vec<&str> = text.split('|').collect();
    let (index, tier, policy, action, rule) = match parts[..] {
        [index, tier, policy, action, rule] => (index, tier, policy, action, Some(rule)),
        [index, tier, policy, action] => (index, tier, policy, action, None),
        _ => {
            return Err(format!(
                "policy `{text}` does not have 4 or 5 `|`-separated parts"
            ));
        }
    };
    let index: u32 = index
        .trim()
        .parse()
        .map_err(|_| format!("policy `{text}`: index `{index}` is not a number"))?;
    let rule: i32 = match rule {
        Some(rule) => rule
            .trim()
            .parse()
            .map_err(|_| format!("policy `{text}`: rule `{rule}` is not a number"))?,
        None => RULE_UNKNOWN,
    };
    let action = match action.trim().to_ascii_lowercase().as_str() {
        "allow" => HitAction::Allow,
        "deny" => HitAction::Deny,
        "pass" => HitAction::Pass,
        _ => HitAction::Unknown,
    };
    let policy = parse_policy_name(tier, policy);
    Ok(PolicyHit {
        index,
        policy,
        action,
        rule,
    })
}

/// A policy string read as far as it goes: when it cannot be read, one step of kind
/// [`KIND_UNKNOWN`] named by the string itself (at its leading index when that is a number, else
/// last), with the reason. The other steps of its trace stay as they are.
pub(crate) fn parse_or_unreadable(text: &str) -> (PolicyHit, Option<String>) {
    match parse_calico_policy_string(text) {
        Ok(hit) => (hit, None),
        Err(reason) => {
            let index = text
                .split('|')
                .next()
                .and_then(|i| i.trim().parse().ok())
                .unwrap_or(u32::MAX);
            (unreadable_hit(index, text), Some(reason))
        }
    }
}

/// The step that stands for a trace, or a part of one, that could not be read.
pub(crate) fn unreadable_hit(index: u32, text: &str) -> PolicyHit {
    PolicyHit {
        index,
        policy: PolicyRef {
            kind: KIND_UNKNOWN,
            tier: String::new(),
            namespace: None,
            name: text.to_owned(),
            staged: false,
        },
        action: HitAction::Unknown,
        rule: RULE_UNKNOWN,
    }
}

fn parse_policy_name(tier: &str, policy: &str) -> PolicyRef {
    if let Some((kind, rest)) = policy.split_once(':')
        && let Some(&(_, kind, staged)) = KINDS.iter().find(|(k, _, _)| *k == kind)
    {
        let (namespace, name) = match rest.split_once('/') {
            Some((ns, name)) if kind != "profile" => (Some(ns.to_owned()), name),
            _ => (None, rest),
        };
        let tier = if kind == "profile" {
            String::new()
        } else {
            tier.to_owned()
        };
        return PolicyRef {
            kind,
            tier,
            namespace,
            name: name.to_owned(),
            staged,
        };
    }
    tiered_policy_name(tier, policy)
}

fn tiered_policy_name(tier: &str, policy: &str) -> PolicyRef {
    if tier == "__PROFILE__" || policy.starts_with("__PROFILE__.") {
        let name = policy.strip_prefix("__PROFILE__.").unwrap_or(policy);
        return PolicyRef {
            kind: "profile",
            tier: String::new(),
            namespace: None,
            name: name.to_owned(),
            staged: false,
        };
    }
    let (namespace, mut name) = match policy.split_once('/') {
        Some((ns, name)) => (Some(ns.to_owned()), name.to_owned()),
        None => (None, policy.to_owned()),
    };
    let staged = name.contains("staged:");
    if staged {
        name = name.replacen("staged:", "", 1);
    }
    let kind = if let Some(bare) = name.strip_prefix("knp.default.") {
        name = bare.to_owned();
        "knp"
    } else if let Some((kind, bare)) = [("kcnp", "kcnp."), ("kanp", "kanp."), ("kbanp", "kbanp.")]
        .into_iter()
        .find_map(|(kind, prefix)| Some((kind, name.strip_prefix(prefix)?)))
    {
        // `<kind>.<tier>.<name>`: ClusterNetworkPolicy (3.32), AdminNetworkPolicy and
        // BaselineAdminNetworkPolicy (3.29–3.31).
        name = bare.split_once('.').map_or(bare, |(_, n)| n).to_owned();
        kind
    } else {
        if let Some(bare) = name.strip_prefix(tier).and_then(|r| r.strip_prefix('.'))
            && !bare.is_empty()
        {
            name = bare.to_owned();
        }
        if namespace.is_some() { "np" } else { "gnp" }
    };
    PolicyRef {
        kind,
        tier: tier.to_owned(),
        namespace,
        name,
        staged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> (&'static str, String, Option<String>, String, bool) {
        let hit = parse_calico_policy_string(text).unwrap();
        let p = hit.policy;
        (p.kind, p.tier, p.namespace, p.name, p.staged)
    }

    #[test]
    fn both_dialects_name_the_same_policies() {
        let ns = |s: &str| Some(s.to_owned());
        let cases = [
            (
                "0|security|security.allow-kube-dns|allow|0",
                "0|security|gnp:allow-kube-dns|allow|0",
                ("gnp", "security", None, "allow-kube-dns", false),
            ),
            (
                "1|application|payments-db/application.postgres-ingress|allow|0",
                "1|application|np:payments-db/postgres-ingress|allow|0",
                (
                    "np",
                    "application",
                    ns("payments-db"),
                    "postgres-ingress",
                    false,
                ),
            ),
            (
                "1|default|platform-monitoring/knp.default.prometheus-egress|allow|1",
                "1|default|knp:platform-monitoring/prometheus-egress|allow|1",
                (
                    "knp",
                    "default",
                    ns("platform-monitoring"),
                    "prometheus-egress",
                    false,
                ),
            ),
            (
                "0|security|security.staged:deny-cross-env-v2|deny|0",
                "0|security|sgnp:deny-cross-env-v2|deny|0",
                ("gnp", "security", None, "deny-cross-env-v2", true),
            ),
            (
                "0|app|ns1/app.staged:web|deny|0",
                "0|app|snp:ns1/web|deny|0",
                ("np", "app", ns("ns1"), "web", true),
            ),
            (
                "0|app|ns1/staged:app.web|deny|0",
                "0|app|snp:ns1/web|deny|0",
                ("np", "app", ns("ns1"), "web", true),
            ),
            (
                "0|default|ns1/staged:knp.default.web|allow|0",
                "0|default|sknp:ns1/web|allow|0",
                ("knp", "default", ns("ns1"), "web", true),
            ),
            (
                "1|__PROFILE__|__PROFILE__.kns.sandbox-dev|allow|0",
                "1|__PROFILE__|pro:kns.sandbox-dev|allow|0",
                ("profile", "", None, "kns.sandbox-dev", false),
            ),
        ];
        for (tiered, kind, (k, tier, namespace, name, staged)) in cases {
            let want = (
                k,
                tier.to_owned(),
                namespace.clone(),
                name.to_owned(),
                staged,
            );
            assert_eq!(policy(tiered), want, "{tiered}");
            assert_eq!(policy(kind), want, "{kind}");
        }
    }

    #[test]
    fn index_action_and_rule_are_read() {
        let hit =
            parse_calico_policy_string("2|application|np:checkout-web/checkout-web-egress|deny|-1")
                .unwrap();
        assert_eq!((hit.index, hit.action, hit.rule), (2, HitAction::Deny, -1));
        assert_eq!(policy("0|default|default.allow-all|allow|0").3, "allow-all");
        assert_eq!(policy("0|t|eot:|deny|-1").0, "eot");
    }

    #[test]
    fn four_parts_are_the_older_form_without_the_rule() {
        // Calico Enterprise before the rule index (Felix fixtures of 2020, the docs until 2025).
        let hit =
            parse_calico_policy_string("0|allow-tigera|allow-tigera.cluster-dns|allow").unwrap();
        assert_eq!(
            (hit.index, hit.action, hit.rule),
            (0, HitAction::Allow, RULE_UNKNOWN)
        );
        assert_eq!(
            (hit.policy.kind, hit.policy.name.as_str()),
            ("gnp", "cluster-dns")
        );
        let hit =
            parse_calico_policy_string("1|default|payments/knp.default.db-ingress|deny").unwrap();
        assert_eq!(
            (hit.policy.kind, hit.policy.namespace.as_deref(), hit.rule),
            ("knp", Some("payments"), RULE_UNKNOWN)
        );
    }

    #[test]
    fn an_unreadable_string_is_one_unknown_step_with_its_reason() {
        let (hit, reason) = parse_or_unreadable("3|a|b|allow|zero");
        assert_eq!(
            (hit.index, hit.policy.kind, hit.policy.name.as_str()),
            (3, KIND_UNKNOWN, "3|a|b|allow|zero")
        );
        assert_eq!((hit.action, hit.rule), (HitAction::Unknown, RULE_UNKNOWN));
        assert!(reason.is_some_and(|r| r.contains("`zero` is not a number")));
        assert_eq!(parse_or_unreadable("x|y").0.index, u32::MAX);
        assert!(parse_or_unreadable("0|a|a.b|deny|1").1.is_none());
    }

    #[test]
    fn malformed_strings_are_errors() {
        for bad in [
            "",
            "0|a|b",
            "x|a|b|allow|0",
            "x|a|b|allow",
            "0|a|b|allow|z",
            "0|a|b|allow|0|extra",
        ] {
            assert!(parse_calico_policy_string(bad).is_err(), "{bad}");
        }
    }
}
