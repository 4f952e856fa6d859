//! "Suggest": the narrowest Allow rule that lets a denied flow through, one per denying side, as a
//! Calico `NetworkPolicy` in the chosen tier. The endpoint selector uses the taxonomy's
//! security-scoped label keys when given (stable identity, not deployment detail), else the endpoint's
//! labels without per-pod ones; the peer is a selector (namespace-scoped when it lives elsewhere) or the
//! address; the port and protocol are the flow's.

use serde::Serialize;

use super::resolve::{Resolver, VOLATILE_LABELS};
use crate::eval::{Direction, Endpoint, Evaluator, Flow, Verdict, WorkloadEndpoint};
use crate::flows::FlowSet;
use crate::model::{
    Action, CalicoPolicy, CalicoPolicyKind, EntityRule, Labels, ObjectMeta, PolicySpec, PolicyType,
    Port, Rule,
};

/// What to suggest into.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestOptions {
    /// The tier of the suggested policies.
    pub tier: String,
    /// The policies' `order` (none: last in the tier).
    pub order: Option<f64>,
    /// The taxonomy's security-scoped label keys (from the design); `None` or empty: all stable labels.
    pub security_keys: Option<Vec<String>>,
}

impl Default for SuggestOptions {
    fn default() -> SuggestOptions {
        SuggestOptions {
            tier: crate::model::DEFAULT_TIER.to_owned(),
            order: None,
            security_keys: None,
        }
    }
}

impl SuggestOptions {
    /// Suggestions into `tier`, last in it, selecting endpoints by the security-scoped label keys
    /// of the taxonomies of `designs` (the design being edited; none for plain resources).
    pub fn for_designs<'a>(
        tier: &str,
        designs: impl IntoIterator<Item = &'a crate::design::Design>,
    ) -> SuggestOptions {
        let security_keys: Vec<String> = designs
            .into_iter()
            .flat_map(|design| design.taxonomy.iter())
            .filter(|key| key.scope == crate::design::LabelScope::Security)
            .map(|key| key.key.clone())
            .collect();
        SuggestOptions {
            tier: tier.to_owned(),
            order: None,
            security_keys: (!security_keys.is_empty()).then_some(security_keys),
        }
    }
}

/// One suggested policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The side the policy opens.
    pub direction: Direction,
    pub policy: CalicoPolicy,
    /// Added to the design, the side this policy is for allows the flow (a Deny in an earlier tier,
    /// for instance, would still win).
    pub lets_through: bool,
}

impl Suggestion {
    /// Said beside a policy that, added, would still not let its side through.
    pub fn note(&self) -> Option<&'static str> {
        (!self.lets_through).then_some("an earlier tier still denies")
    }
}

/// What the suggestions for one flow mean, for people: `None` when adding them lets it through.
pub fn suggestions_outcome(suggestions: &[Suggestion]) -> Option<&'static str> {
    if suggestions.is_empty() {
        Some("the design already allows this flow")
    } else if suggestions.iter().any(|s| !s.lets_through) {
        Some("added, but a deny in an earlier tier still wins for this flow")
    } else {
        None
    }
}

pub(crate) fn suggest(
    ev: &mut Evaluator,
    resolver: &Resolver,
    flows: &FlowSet,
    index: usize,
    options: &SuggestOptions,
) -> Result<Vec<Suggestion>, String> {
    let flow = flows
        .flows()
        .get(index)
        .ok_or_else(|| format!("there is no flow {index}"))?;
    let src = resolver.resolve(flows.endpoint(flow.src))?;
    let dst = resolver.resolve(flows.endpoint(flow.dst))?;
    let f = Flow {
        src: ev.intern(src.endpoint()),
        dst: ev.intern(dst.endpoint()),
        protocol: flow.protocol,
        port: flow.port,
    };
    let verdict = ev.evaluate(&f).enforced;
    let mut out = Vec::new();
    let sides = [
        (
            Direction::Egress,
            verdict.egress.verdict,
            src.endpoint(),
            dst.endpoint(),
        ),
        (
            Direction::Ingress,
            verdict.ingress.verdict,
            dst.endpoint(),
            src.endpoint(),
        ),
    ];
    for (direction, side_verdict, own, peer) in sides {
        let Endpoint::Workload(own) = own else {
            continue;
        };
        if side_verdict == Verdict::Allow {
            continue;
        }
        let policy = allow_policy(direction, own, peer, flow.protocol, flow.port, options);
        let mut trial = ev.clone();
        let lets_through = trial.update_calico_policy(&policy).is_ok() && {
            let after = trial.evaluate(&f).enforced;
            let side = if direction == Direction::Egress {
                after.egress
            } else {
                after.ingress
            };
            side.verdict == Verdict::Allow
        };
        out.push(Suggestion {
            direction,
            policy,
            lets_through,
        });
    }
    Ok(out)
}

fn allow_policy(
    direction: Direction,
    own: &WorkloadEndpoint,
    peer: &Endpoint,
    protocol: crate::model::Protocol,
    port: Option<u16>,
    options: &SuggestOptions,
) -> CalicoPolicy {
    let mut rule = Rule::new(Action::Allow);
    rule.protocol = Some(protocol);
    let mut peer_rule = EntityRule::default();
    match peer {
        Endpoint::Workload(w) => {
            peer_rule.selector = Some(selector(&w.labels, options));
            if w.namespace != own.namespace {
                peer_rule.namespace_selector =
                    Some(format!("projectcalico.org/name == \"{}\"", w.namespace));
            }
        }
        Endpoint::Outside(net) => peer_rule.nets = vec![net.to_string()],
    }
    let ports = match port {
        Some(p) if protocol.has_ports() => vec![Port::Number(p)],
        _ => Vec::new(),
    };
    let peer_name = match peer {
        Endpoint::Workload(w) => w.name.clone().unwrap_or_else(|| w.namespace.clone()),
        Endpoint::Outside(net) => net.addr().to_string(),
    };
    let own_name = own.name.clone().unwrap_or_else(|| own.namespace.clone());
    let (types, name) = match direction {
        Direction::Egress => {
            rule.destination = EntityRule { ports, ..peer_rule };
            (
                vec![PolicyType::Egress],
                format!("allow-{own_name}-to-{peer_name}"),
            )
        }
        Direction::Ingress => {
            rule.source = peer_rule;
            rule.destination.ports = ports;
            (
                vec![PolicyType::Ingress],
                format!("allow-{peer_name}-to-{own_name}"),
            )
        }
    };
    let name = dns_label(&format!(
        "{name}-{}-{}",
        protocol.to_string().to_ascii_lowercase(),
        port.map_or("any".into(), |p| p.to_string())
    ));
    let (ingress, egress) = match direction {
        Direction::Egress => (Vec::new(), vec![rule]),
        Direction::Ingress => (vec![rule], Vec::new()),
    };
    CalicoPolicy {
        kind: CalicoPolicyKind::NetworkPolicy,
        metadata: ObjectMeta::named(name, Some(&own.namespace)),
        spec: PolicySpec {
            tier: Some(options.tier.clone()),
            order: options.order,
            selector: Some(selector(&own.labels, options)),
            types,
            ingress,
            egress,
            ..PolicySpec::default()
        },
    }
}

/// `k == "v" && …` over the security-scoped keys present, else over every stable label; `all()` when
/// the endpoint has no label (the policy's namespace then scopes it).
fn selector(labels: &Labels, options: &SuggestOptions) -> String {
    let stable = |k: &str| !VOLATILE_LABELS.contains(&k);
    let scoped: Vec<(&String, &String)> = match options.security_keys.as_deref() {
        Some(keys) if !keys.is_empty() => labels
            .iter()
            .filter(|(k, _)| keys.iter().any(|s| s == *k))
            .collect(),
        _ => Vec::new(),
    };
    let chosen = if scoped.is_empty() {
        labels.iter().filter(|(k, _)| stable(k)).collect()
    } else {
        scoped
    };
    if chosen.is_empty() {
        return "all()".to_owned();
    }
    chosen
        .iter()
        .map(|(k, v)| {
            if v.contains('"') {
                format!("{k} == '{v}'")
            } else {
                format!("{k} == \"{v}\"")
            }
        })
        .collect::<Vec<_>>()
        .join(" && ")
}

/// A Kubernetes name: lower-case alphanumerics and `-`, at most 63 characters.
fn dns_label(text: &str) -> String {
    let mut out: String = text
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out.truncate(63);
    out.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_prefer_security_keys_and_drop_per_pod_labels() {
        let labels: Labels = [
            ("app", "web"),
            ("pod-template-hash", "abc"),
            ("security.company.io/tier", "frontend"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let all = SuggestOptions::default();
        assert_eq!(
            selector(&labels, &all),
            "app == \"web\" && security.company.io/tier == \"frontend\""
        );
        let scoped = SuggestOptions {
            security_keys: Some(vec!["security.company.io/tier".into()]),
            ..SuggestOptions::default()
        };
        assert_eq!(
            selector(&labels, &scoped),
            "security.company.io/tier == \"frontend\""
        );
        let missing = SuggestOptions {
            security_keys: Some(vec!["other".into()]),
            ..SuggestOptions::default()
        };
        assert_eq!(selector(&labels, &missing), selector(&labels, &all));
        assert_eq!(selector(&Labels::new(), &all), "all()");
        assert_eq!(
            dns_label("allow-A_b--to-10.0.0.1-tcp-443"),
            "allow-a-b-to-10-0-0-1-tcp-443"
        );
    }
}
