//! One subject, one direction: the enforced policies that select it, walked tier by tier as Felix
//! does, for its state and the allow rules evaluation can reach.
//!
//! The walk is certain only where a rule matches every packet (`lint::context::is_catch_all`) of a
//! policy certain to select the subject: such a rule ends the walk (Allow, Deny) or the tier (Pass).
//! Every other rule may or may not match, so an Allow is reported as reachable and a Deny or Pass
//! makes the subject `isolated` rather than `open`: never a guess in the subject's favour.

use std::collections::HashMap;

use crate::eval::Direction;
use crate::lint::context::{Context, is_catch_all, rules};
use crate::lint::space::Bits;
use crate::model::{Action, ContainerPort, EntityRule, PolicyType, TierDefaultAction};

use super::order::View;
use super::{Entry, Exposure, State, exposure};

/// Whether a policy selects the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Applies {
    Certainly,
    /// Some of the subject's workloads (a label class only).
    Possibly,
    Not,
}

/// What the walk found.
pub(super) struct Walked {
    /// Some enforced policy (possibly) selects the subject in that direction.
    pub selected: bool,
    /// `Open` or `Isolated` (meaningful when selected).
    pub state: State,
    /// The allow rules evaluation can reach: (position in `View::enforced`, rule index).
    pub reachable: Vec<(usize, usize)>,
}

/// The policy direction of a verdict's direction.
pub(super) fn policy_type(direction: Direction) -> PolicyType {
    match direction {
        Direction::Ingress => PolicyType::Ingress,
        Direction::Egress => PolicyType::Egress,
    }
}

/// How a tier, or the whole walk, ended.
enum Outcome {
    /// Every packet allowed.
    Allowed,
    /// Every packet the walk got this far with denied.
    Denied,
    /// On to the next tier.
    Next,
}

/// Walks the enforced policies that (may) select the subject in `direction`. `local(at, rule)` is
/// false when the rule's own side (the destination of an ingress rule, the source of an egress rule)
/// certainly does not match the subject: such a rule matches none of its packets.
pub(super) fn walk(
    view: &View<'_>,
    direction: Direction,
    applies: impl Fn(usize) -> Applies,
    local: impl Fn(usize, usize) -> bool,
) -> Walked {
    let policy_type = policy_type(direction);
    let mut walked = Walked {
        selected: false,
        state: State::Isolated,
        reachable: Vec::new(),
    };
    // Some packet may have been denied (or passed on to a tier that may deny it) on the way.
    let mut restricted = false;
    let mut position = 0;
    let enforced = &view.enforced;
    while position < enforced.len() {
        let tier = enforced[position].tier;
        let end = enforced[position..]
            .iter()
            .position(|e| e.tier != tier)
            .map_or(enforced.len(), |n| position + n);
        let mut outcome = None;
        let mut certainly_selected = false;
        let mut tier_selected = false;
        'tier: for (at, e) in enforced.iter().enumerate().take(end).skip(position) {
            if !e.applies_to(direction) {
                continue;
            }
            let applies = applies(at);
            if applies == Applies::Not {
                continue;
            }
            let policy = view.policy(e);
            walked.selected = true;
            tier_selected = true;
            let certain = applies == Applies::Certainly;
            certainly_selected |= certain;
            for (index, rule) in rules(policy, policy_type).iter().enumerate() {
                if !local(at, index) {
                    continue;
                }
                let every_packet = certain && is_catch_all(rule);
                match rule.action {
                    Action::Allow => {
                        walked.reachable.push((at, index));
                        if every_packet {
                            outcome = Some(Outcome::Allowed);
                            break 'tier;
                        }
                    }
                    Action::Deny => {
                        restricted = true;
                        if every_packet {
                            outcome = Some(Outcome::Denied);
                            break 'tier;
                        }
                    }
                    Action::Pass => {
                        if every_packet {
                            outcome = Some(Outcome::Next);
                            break 'tier;
                        }
                        restricted = true;
                    }
                    Action::Log => {}
                }
            }
        }
        let outcome = match outcome {
            Some(o) => o,
            // Endpoints a tier's policies select and no rule decides get the tier's default action;
            // those that only some of its policies may select may skip the tier.
            None if certainly_selected => match tier_default(view, position) {
                TierDefaultAction::Deny => Outcome::Denied,
                TierDefaultAction::Pass => Outcome::Next,
            },
            None => {
                restricted |= tier_selected;
                Outcome::Next
            }
        };
        match outcome {
            Outcome::Allowed => {
                walked.state = if restricted {
                    State::Isolated
                } else {
                    State::Open
                };
                return walked;
            }
            Outcome::Denied => {
                walked.state = State::Isolated;
                return walked;
            }
            Outcome::Next => {}
        }
        position = end;
    }
    // Past every tier: the profile allows.
    walked.state = if restricted {
        State::Isolated
    } else {
        State::Open
    };
    walked
}

fn tier_default(view: &View<'_>, position: usize) -> TierDefaultAction {
    view.enforced
        .get(position)
        .map_or(TierDefaultAction::Deny, |e| e.tier_default)
}

/// The exposures of the reachable rules, each rule's analysis done once per subject namespace (and
/// per resolution of its named ports).
pub(super) struct Exposures<'v, 'c, 'n> {
    view: &'v View<'v>,
    ctx: &'c Context<'v>,
    cache: HashMap<RuleFor<'n>, Vec<Exposure>>,
}

/// A rule (position in `View::enforced`, index, direction) for a subject in a namespace whose ports
/// resolve its named ports so.
type RuleFor<'n> = (usize, usize, Direction, Option<&'n str>, exposure::Resolved);

impl<'v, 'c, 'n> Exposures<'v, 'c, 'n> {
    pub fn new(view: &'v View<'v>, ctx: &'c Context<'v>) -> Self {
        Exposures {
            view,
            ctx,
            cache: HashMap::new(),
        }
    }

    /// Writes a walk's answer on the entry: its state in `direction` (left `uncovered` when no
    /// policy selects it) and the exposures of the allow rules it reached.
    /// `ports`: the subject's container ports (`None`: not known, for a label class).
    pub fn record(
        &mut self,
        entry: &mut Entry,
        walked: &Walked,
        direction: Direction,
        namespace: Option<&'n str>,
        ports: Option<&[ContainerPort]>,
    ) {
        if !walked.selected {
            return;
        }
        match direction {
            Direction::Ingress => entry.ingress = walked.state,
            Direction::Egress => entry.egress = walked.state,
        }
        entry
            .exposures
            .extend(self.of(walked, direction, namespace, ports));
    }

    /// The exposures of the allow rules a walk reached, for a subject in `namespace` (`None`: any).
    fn of(
        &mut self,
        walked: &Walked,
        direction: Direction,
        namespace: Option<&'n str>,
        ports: Option<&[ContainerPort]>,
    ) -> Vec<Exposure> {
        let mut out = Vec::new();
        for &(at, rule) in &walked.reachable {
            // Named ports resolve on the destination: the subject's only for ingress.
            let resolved = match direction {
                Direction::Ingress => self
                    .view
                    .enforced
                    .get(at)
                    .and_then(|e| rules(self.view.policy(e), PolicyType::Ingress).get(rule))
                    .map_or(Some(Vec::new()), |r| exposure::resolve_named(r, ports)),
                Direction::Egress => Some(Vec::new()),
            };
            let key = (at, rule, direction, namespace, resolved);
            let found = self.cache.entry(key).or_insert_with_key(|key| {
                exposure::of_rule(self.view, self.ctx, at, rule, direction, namespace, &key.4)
            });
            out.extend(found.iter().cloned());
        }
        out
    }
}

/// One entry per listed workload.
pub(super) fn workload_entries<'v>(view: &'v View<'v>, ctx: &Context<'v>) -> Vec<Entry> {
    let mut exposures = Exposures::new(view, ctx);
    let locals = LocalSides::new(view, ctx);
    ctx.endpoints
        .iter()
        .enumerate()
        .map(|(i, endpoint)| {
            let applies = |at: usize| {
                let index = view.enforced[at].index;
                if ctx.applied.get(index).is_some_and(|bits| bits.contains(i)) {
                    Applies::Certainly
                } else {
                    Applies::Not
                }
            };
            let ports = endpoint
                .index
                .and_then(|w| ctx.set.workloads.get(w))
                .map(|w| w.ports.as_slice());
            let mut entry = Entry {
                workload: endpoint.name.clone(),
                selector: None,
                ingress: State::Uncovered,
                egress: State::Uncovered,
                exposures: Vec::new(),
                pods: Vec::new(),
            };
            for direction in [Direction::Ingress, Direction::Egress] {
                let walked = walk(view, direction, applies, |at, rule| {
                    locals.may_match(direction, at, rule, i)
                });
                exposures.record(
                    &mut entry,
                    &walked,
                    direction,
                    Some(&endpoint.namespace),
                    ports,
                );
            }
            entry
        })
        .collect()
}

/// Per enforced policy, direction and rule: the workloads the rule's own side may match (`None`: any).
struct LocalSides {
    ingress: Vec<Vec<Option<Bits>>>,
    egress: Vec<Vec<Option<Bits>>>,
}

impl LocalSides {
    fn new(view: &View<'_>, ctx: &Context<'_>) -> LocalSides {
        let side = |direction: Direction| -> Vec<Vec<Option<Bits>>> {
            view.enforced
                .iter()
                .map(|e| {
                    let policy = view.policy(e);
                    let scoped = policy
                        .kind
                        .is_namespaced()
                        .then(|| policy.metadata.namespace.as_deref().unwrap_or("default"));
                    rules(policy, policy_type(direction))
                        .iter()
                        .map(|r| {
                            let own = match direction {
                                Direction::Ingress => &r.destination,
                                Direction::Egress => &r.source,
                            };
                            local_matches(ctx, own, scoped)
                        })
                        .collect()
                })
                .collect()
        };
        LocalSides {
            ingress: side(Direction::Ingress),
            egress: side(Direction::Egress),
        }
    }

    fn may_match(&self, direction: Direction, at: usize, rule: usize, workload: usize) -> bool {
        let sides = match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        };
        match sides.get(at).and_then(|rules| rules.get(rule)) {
            Some(Some(bits)) => bits.contains(workload),
            _ => true,
        }
    }
}

/// The workloads a rule's own side may match, by its selectors; `None` when it has none, or has
/// criteria decided by addresses (nets: a workload's address may be unknown), or a selector that does
/// not parse.
fn local_matches(ctx: &Context<'_>, own: &EntityRule, scoped: Option<&str>) -> Option<Bits> {
    let by_selectors = own.selector.is_some()
        || own.not_selector.is_some()
        || own.namespace_selector.is_some()
        || own.service_accounts.is_some();
    if !by_selectors || !own.nets.is_empty() || !own.not_nets.is_empty() {
        return None;
    }
    let mut bits = ctx.entities.positive(&ctx.selectors, own, scoped)?;
    if let Some(not) = &own.not_selector {
        bits = bits.minus(&ctx.entities.matching(&ctx.selectors, not)?);
    }
    Some(bits)
}
