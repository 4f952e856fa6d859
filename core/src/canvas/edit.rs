//! Editing and removing a drawn flow. A flow is its rules: every rule annotated with
//! [`FLOW_ANNOTATION`] `"<from> -> <to>"` with the flow's protocol and destination ports, the egress
//! rule on the source's side and the ingress rule on the destination's. An edit changes them together;
//! a removal takes them out together and tidies what they leave behind.

use super::draw::{DrawError, DrawOutcome, FlowRequest, add_flow, tier_exists};
use super::{FLOW_ANNOTATION, FlowKey};
use crate::design::Design;
use crate::model::{PolicyType, Port, Protocol, Rule};

/// What an edit of a drawn flow changes: its service and the tier of its rules.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowChange {
    pub protocol: Protocol,
    /// Destination ports; empty for every port (and for protocols without ports).
    pub ports: Vec<Port>,
    pub tier: String,
}

/// What a removal did beyond taking the rules out, for the user to read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoveOutcome {
    /// How many rules were removed (two for a flow between two workloads).
    pub rules: usize,
    /// `namespace/name` of each policy removed because no rule was left in it.
    pub removed_policies: Vec<String>,
    /// Policies that keep rules in one direction and no longer apply to the other, which only the
    /// removed flow gave rules (an explicit `types` entry with no rules would deny that direction).
    pub narrowed: Vec<(String, PolicyType)>,
}

impl FlowKey {
    /// Whether `rule` is one of this flow's rules.
    fn matches(&self, rule: &Rule) -> bool {
        let Some(mark) = rule
            .metadata
            .as_ref()
            .and_then(|m| m.annotations.get(FLOW_ANNOTATION))
        else {
            return false;
        };
        let Some((from, to)) = mark.split_once(" -> ") else {
            return false;
        };
        from.trim() == self.from
            && to.trim() == self.to
            && rule.protocol == Some(self.protocol)
            && rule.destination.ports == self.ports
    }

    fn describe(&self) -> String {
        let ports: Vec<String> = self.ports.iter().map(Port::to_string).collect();
        let service = if ports.is_empty() {
            self.protocol.to_string()
        } else {
            format!("{} {}", self.protocol, ports.join(", "))
        };
        format!("`{} -> {}` ({service})", self.from, self.to)
    }
}

fn policy_name(design: &Design, index: usize) -> String {
    design
        .policies
        .get(index)
        .map(|p| match &p.metadata.namespace {
            Some(ns) => format!("{ns}/{}", p.metadata.name),
            None => p.metadata.name.clone(),
        })
        .unwrap_or_default()
}

/// Indices of the policies holding rules of `key`, with the directions they hold them in.
fn holders(design: &Design, key: &FlowKey) -> Vec<(usize, PolicyType)> {
    let mut out = Vec::new();
    for (i, policy) in design.policies.iter().enumerate() {
        if policy.spec.egress.iter().any(|r| key.matches(r)) {
            out.push((i, PolicyType::Egress));
        }
        if policy.spec.ingress.iter().any(|r| key.matches(r)) {
            out.push((i, PolicyType::Ingress));
        }
    }
    out
}

/// Removes the drawn flow `key`: its egress and ingress rules go together (and the
/// ClusterNetworkPolicies it was drawn as, whole). A policy left with no
/// rules at all is removed; a policy left with rules in one direction only stops applying to the
/// other when its `types` name it. On error (no such flow) the design is unchanged.
pub fn remove_flow(design: &mut Design, key: &FlowKey) -> Result<RemoveOutcome, DrawError> {
    let touched = holders(design, key);
    let guardrails = super::guardrail::remove_guardrails(design, key);
    if touched.is_empty() && guardrails == 0 {
        return Err(DrawError::UnknownFlow(key.describe()));
    }
    let mut outcome = RemoveOutcome {
        rules: guardrails,
        ..RemoveOutcome::default()
    };
    let mut emptied: Vec<usize> = Vec::new();
    for &(index, direction) in &touched {
        let name = policy_name(design, index);
        let Some(policy) = design.policies.get_mut(index) else {
            continue;
        };
        let spec = &mut policy.spec;
        let rules = match direction {
            PolicyType::Ingress => &mut spec.ingress,
            PolicyType::Egress => &mut spec.egress,
        };
        let before = rules.len();
        rules.retain(|r| !key.matches(r));
        outcome.rules += before - rules.len();
        if !rules.is_empty() {
            continue;
        }
        if spec.ingress.is_empty() && spec.egress.is_empty() {
            if !emptied.contains(&index) {
                emptied.push(index);
            }
        } else if spec.types.contains(&direction) {
            spec.types.retain(|t| *t != direction);
            outcome.narrowed.push((name, direction));
        }
    }
    emptied.sort_unstable();
    outcome.removed_policies = emptied.iter().map(|&i| policy_name(design, i)).collect();
    for &index in emptied.iter().rev() {
        design.policies.remove(index);
    }
    Ok(outcome)
}

/// Changes the protocol, ports or tier of the drawn flow `key`. In the same tier the rules are
/// rewritten where they are (an edited rule equal to one already beside it is dropped); a change of
/// tier removes them as [`remove_flow`] does and draws the flow again in the new tier (staged when
/// its policies were). On error the design is unchanged.
pub fn update_flow(
    design: &mut Design,
    key: &FlowKey,
    change: &FlowChange,
) -> Result<DrawOutcome, DrawError> {
    if !change.ports.is_empty() && !change.protocol.has_ports() {
        return Err(DrawError::PortsWithoutPorts(change.protocol.to_string()));
    }
    if !tier_exists(design, &change.tier) {
        return Err(DrawError::UnknownTier(change.tier.clone()));
    }
    let touched = holders(design, key);
    if touched.is_empty() {
        return Err(DrawError::UnknownFlow(key.describe()));
    }
    let in_place = touched
        .iter()
        .all(|&(i, _)| design.policies[i].tier() == change.tier);
    if !in_place {
        let staged = touched
            .iter()
            .any(|&(i, _)| design.policies[i].kind.is_staged());
        let mut next = design.clone();
        remove_flow(&mut next, key)?;
        let outcome = add_flow(
            &mut next,
            &FlowRequest {
                from: key.from.clone(),
                to: key.to.clone(),
                protocol: change.protocol,
                ports: change.ports.clone(),
                tier: change.tier.clone(),
                staged,
            },
        )?;
        *design = next;
        return Ok(outcome);
    }
    let mut outcome = DrawOutcome::default();
    for &(index, direction) in &touched {
        let Some(policy) = design.policies.get_mut(index) else {
            continue;
        };
        let rules = match direction {
            PolicyType::Ingress => {
                outcome.ingress = Some(index);
                &mut policy.spec.ingress
            }
            PolicyType::Egress => {
                outcome.egress = Some(index);
                &mut policy.spec.egress
            }
        };
        let mut edited: Vec<Rule> = Vec::new();
        for rule in rules.iter_mut().filter(|r| key.matches(r)) {
            rule.protocol = Some(change.protocol);
            rule.destination.ports = change.ports.clone();
            edited.push(rule.clone());
        }
        // An edited rule may now equal another rule of the list: keep the first of them.
        let mut kept: Vec<Rule> = Vec::with_capacity(rules.len());
        for rule in rules.drain(..) {
            if edited.contains(&rule) && kept.contains(&rule) {
                continue;
            }
            kept.push(rule);
        }
        *rules = kept;
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests;
