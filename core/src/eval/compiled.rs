//! The compiled evaluator: policies compiled once; per distinct effective label set the applicable
//! policies precomputed per direction and mode (enforced / with staged), grouped by tier in Calico's
//! order; per endpoint one bit per distinct peer criterion of any rule. A flow is then a walk over
//! short arrays with bit tests and port-range checks. Editing a policy recompiles only what it touches.

use std::collections::HashMap;

use ipnet::IpNet;

use super::chain::NO_BLOCK;
use super::endpoint::{
    Entity, SetEntity, addresses, effective_labels, peer_entities, set_entities,
};
use super::matching::{Family, identity_matches};
use super::normalize::{
    CompileError, L4, NormEntity, NormPolicy, NormRule, PeerSelector, PolicyKey, PortList,
    normalize_all, normalize_calico, normalize_kubernetes,
};
use super::order::{TierInfo, Tiers, policy_cmp, tier_cmp};
use super::worlds::{EndpointWorlds, WorldCuts};
use super::{Direction, Endpoint, WorkloadEndpoint};
use crate::model::{
    Action, CalicoPolicy, ContainerPort, KubernetesPolicy, Labels, ResourceSet, Tier,
};

/// An endpoint interned in an [`Evaluator`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EndpointId(pub(crate) u32);

/// A policy compiled into an [`Evaluator`]; stable across edits of other policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PolicyId(pub(crate) u32);

/// A tier of an [`Evaluator`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TierId(pub(crate) u32);

/// "No criterion": the bit test always passes.
pub(crate) const ANY: u32 = u32::MAX;

/// The criterion every endpoint meets (interned first), for tables that test a bit unconditionally.
pub(crate) const ALWAYS: u32 = 0;

/// A rule ready for the hot loop.
#[derive(Debug, Clone)]
pub(crate) struct CRule {
    pub action: Action,
    pub l4: L4,
    /// Rendered for IPv4 / IPv6 (Felix drops rules per IP version).
    pub renders: [bool; 2],
    /// Never matches: source ports the flow lacks.
    pub never: bool,
    /// Needs data the evaluator does not have (`domains`, `services`): matches only in the world
    /// where such rules do (`worlds`).
    pub unsupported: bool,
    pub src_crit: u32,
    pub dst_crit: u32,
    pub dst_ports: PortList,
    pub dst_not_ports: PortList,
    /// Named ports must be owned by a destination workload matching this criterion (its positive selector).
    pub dst_named_crit: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct CPolicy {
    pub norm: NormPolicy,
    pub tier: usize,
    pub ingress: Option<Box<[CRule]>>,
    pub egress: Option<Box<[CRule]>>,
}

impl CPolicy {
    pub fn rules(&self, direction: Direction) -> Option<&[CRule]> {
        match direction {
            Direction::Ingress => self.ingress.as_deref(),
            Direction::Egress => self.egress.as_deref(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct LabelSet {
    pub labels: Labels,
    /// Every applicable policy (staged too), in evaluation order.
    pub applicable: Vec<PolicyId>,
    /// Chain ids indexed by [mode][direction]: mode 0 enforced, 1 with staged; direction 0 ingress, 1 egress.
    pub chains: [[u32; 2]; 2],
    /// A staged policy selects this label set, per direction.
    pub staged_selects: [bool; 2],
}

/// What a criterion tests.
#[derive(Debug, Clone)]
enum Criterion {
    /// Every endpoint: [`ALWAYS`].
    Always,
    /// The identity part of an entity rule against every IP-set member owning the endpoint's address.
    Identity(NormEntity),
    /// A positive selector against the workload itself (owner of named ports).
    SelfPositive(PeerSelector),
}

#[derive(Debug, Clone)]
pub(crate) struct EndpointData {
    pub endpoint: Endpoint,
    pub label_set: Option<u32>,
    /// Where its address is (`endpoint::addresses`): computed once, here, so that the pod range costs
    /// the flow walk nothing.
    pub addresses: Vec<IpNet>,
    pub entity: Option<Entity>,
    pub named_ports: Vec<ContainerPort>,
    /// A twin standing for one of the endpoint's possible pod IPs (`worlds`): never listed.
    pub hidden: bool,
}

/// What the fast path needs of an endpoint, kept apart from [`EndpointData`] so that it stays in cache.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HotEndpoint {
    /// `u32::MAX` for an outside endpoint (no label set, no policy side).
    pub label_set: u32,
    /// The family of its address, when it has one.
    pub family: Option<Family>,
    /// A fact that can change a verdict is missing (`worlds`): its pod IP or container ports.
    pub uncertain: bool,
}

/// A compiled policy set. See the module documentation.
#[derive(Debug, Clone)]
pub struct Evaluator {
    pub(crate) tiers: Tiers,
    pub(crate) policies: Vec<Option<CPolicy>>,
    policy_ids: HashMap<PolicyKey, PolicyId>,
    rank: Vec<u32>,
    criteria: Vec<Criterion>,
    criterion_ids: HashMap<String, u32>,
    pub(crate) sets: Vec<SetEntity>,
    /// The cluster's pod range ([`crate::model::pod_range`]): where a workload without an IP is.
    pub(crate) pod_range: Vec<IpNet>,
    pub(crate) label_sets: Vec<LabelSet>,
    /// Parallel to `label_sets`: the index blocks of its chains (`LabelSet::chains`), apart so that
    /// the fast path's first lookup stays in cache.
    pub(crate) blocks: Vec<[[u32; 2]; 2]>,
    pub(crate) chains: super::chain::Chains,
    label_set_ids: HashMap<Labels, u32>,
    pub(crate) endpoints: Vec<EndpointData>,
    /// Parallel to `endpoints`.
    pub(crate) hot: Vec<HotEndpoint>,
    endpoint_ids: HashMap<Endpoint, EndpointId>,
    /// The first endpoint of each (label set or `u32::MAX`, addresses): see [`Evaluator::intern`].
    bits_twins: HashMap<(u32, Vec<IpNet>), EndpointId>,
    by_name: HashMap<String, EndpointId>,
    /// Words of criterion bits per endpoint.
    stride: usize,
    pub(crate) bits: Vec<u64>,
    /// The possible worlds of each endpoint with a missing fact (`worlds`).
    pub(crate) worlds: HashMap<EndpointId, EndpointWorlds>,
    /// The CIDRs and named ports the worlds were built from.
    pub(crate) world_cuts: WorldCuts,
    /// Each side's verdicts for every peer at once, built as flows ask for them (`rows`), when
    /// `rows_on`: they pay for flows that meet the same ends again and again (connectivity walks
    /// every pair), and cost more than the walk for scattered flows (a larger working set).
    pub(crate) rows: super::rows::Rows,
    pub(crate) rows_on: bool,
}

impl Evaluator {
    /// Compiles every policy and workload of the resources. Policies that do not compile are left out
    /// and returned beside the evaluator.
    pub fn build(resources: &ResourceSet) -> (Evaluator, Vec<CompileError>) {
        let (mut ev, errors) = Evaluator::build_policies(resources);
        // A workload with an unparseable IP is left out (validation reports it); the others stay.
        for w in &resources.workloads {
            let ns = w
                .metadata
                .namespace
                .as_deref()
                .and_then(|ns| resources.namespace(ns));
            if let Ok(w) = WorkloadEndpoint::from_workload(w, ns) {
                ev.intern(&Endpoint::Workload(w));
            }
        }
        (ev, errors)
    }

    /// Compiles the policies (and tiers, network sets) of the resources but interns no workload: for
    /// callers that bring their own endpoints, such as the impact preview, which meets only the
    /// endpoints the flow logs name. Verdicts are the same as [`Evaluator::build`]'s for any endpoint
    /// interned later; [`Evaluator::workload`] finds only workloads interned since.
    pub fn build_policies(resources: &ResourceSet) -> (Evaluator, Vec<CompileError>) {
        let (norms, errors) = normalize_all(resources);
        let mut ev = Evaluator {
            tiers: Tiers::new(&resources.tiers),
            policies: Vec::new(),
            policy_ids: HashMap::new(),
            rank: Vec::new(),
            criteria: Vec::new(),
            criterion_ids: HashMap::new(),
            sets: set_entities(resources),
            pod_range: crate::model::pod_range(&resources.ip_pools),
            label_sets: Vec::new(),
            blocks: Vec::new(),
            chains: super::chain::Chains::default(),
            label_set_ids: HashMap::new(),
            endpoints: Vec::new(),
            hot: Vec::new(),
            endpoint_ids: HashMap::new(),
            bits_twins: HashMap::new(),
            by_name: HashMap::new(),
            stride: 1,
            bits: Vec::new(),
            worlds: HashMap::new(),
            world_cuts: WorldCuts::default(),
            rows: super::rows::Rows::default(),
            rows_on: false,
        };
        ev.criterion(String::new(), Criterion::Always);
        for norm in norms {
            let id = PolicyId(ev.policies.len() as u32);
            ev.policy_ids.insert(norm.key.clone(), id);
            let compiled = ev.compile_policy(norm);
            ev.policies.push(Some(compiled));
        }
        ev.rerank();
        ev.world_cuts = ev.current_world_cuts();
        (ev, errors)
    }

    /// Like [`Evaluator::build`], but every compile error fails the whole build.
    pub fn new(resources: &ResourceSet) -> Result<Evaluator, Vec<CompileError>> {
        let (ev, errors) = Evaluator::build(resources);
        if errors.is_empty() {
            Ok(ev)
        } else {
            Err(errors)
        }
    }

    /// Interns an endpoint (label set, criterion bits) and returns its id; equal endpoints share an id.
    pub fn intern(&mut self, endpoint: &Endpoint) -> EndpointId {
        if let Some(&id) = self.endpoint_ids.get(endpoint) {
            return id;
        }
        let id = self.push_endpoint(endpoint, false);
        if let Endpoint::Workload(w) = endpoint
            && w.name.is_some()
        {
            self.by_name.entry(w.display_name()).or_insert(id);
        }
        self.endpoint_ids.insert(endpoint.clone(), id);
        if let Endpoint::Workload(w) = endpoint
            && (w.ip.is_none() || !w.ports_known)
        {
            self.build_worlds(id, w);
        }
        id
    }

    /// Adds an endpoint's data, bits and hot entry (`hidden`: a world twin, not listed or named).
    pub(crate) fn push_endpoint(&mut self, endpoint: &Endpoint, hidden: bool) -> EndpointId {
        let (label_set, entity, named_ports) = match endpoint {
            Endpoint::Workload(w) => {
                let labels = effective_labels(w);
                let ls = self.intern_label_set(labels.clone());
                (
                    Some(ls),
                    Some(Entity {
                        labels,
                        namespaced: true,
                    }),
                    w.ports.clone(),
                )
            }
            Endpoint::Outside(_) => (None, None, Vec::new()),
        };
        let data = EndpointData {
            endpoint: endpoint.clone(),
            label_set,
            addresses: addresses(endpoint, &self.pod_range),
            entity,
            named_ports,
            hidden,
        };
        let id = EndpointId(self.endpoints.len() as u32);
        // Criterion bits depend only on the label set and the addresses: pods of one workload that
        // differ only by name share them (the impact preview meets thousands of such pods).
        let twin_key = (data.label_set.unwrap_or(u32::MAX), data.addresses.clone());
        match self.bits_twins.get(&twin_key) {
            Some(&twin) => {
                let start = twin.0 as usize * self.stride;
                self.bits.extend_from_within(start..start + self.stride);
            }
            None => {
                self.bits.extend(std::iter::repeat_n(0, self.stride));
                let peers = peer_entities(data.entity.as_ref(), &data.addresses, &self.sets);
                let row = &mut self.bits[id.0 as usize * self.stride..];
                for (c, criterion) in self.criteria.iter().enumerate() {
                    if criterion_holds(criterion, &data, &peers) {
                        set_bit(row, c as u32);
                    }
                }
                self.bits_twins.insert(twin_key, id);
            }
        }
        self.hot.push(HotEndpoint {
            label_set: data.label_set.unwrap_or(u32::MAX),
            family: data.addresses.first().map(Family::of_net),
            uncertain: false,
        });
        self.endpoints.push(data);
        id
    }

    /// A workload of the resources by `namespace/name`.
    pub fn workload(&self, namespaced_name: &str) -> Option<EndpointId> {
        self.by_name.get(namespaced_name).copied()
    }

    /// The endpoint behind an id.
    pub fn endpoint(&self, id: EndpointId) -> Option<&Endpoint> {
        self.endpoints.get(id.0 as usize).map(|e| &e.endpoint)
    }

    /// Every interned endpoint, in interning order.
    pub fn endpoint_ids(&self) -> impl Iterator<Item = EndpointId> + '_ {
        self.endpoints
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.hidden)
            .map(|(i, _)| EndpointId(i as u32))
    }

    /// Sizes of the compiled form: label sets, distinct peer criteria, and the mean number of flat
    /// entries (policy headers and rules) per enforced chain.
    pub fn stats(&self) -> String {
        let chains: Vec<usize> = self
            .label_sets
            .iter()
            .flat_map(|ls| ls.chains[0].iter().map(|&c| self.chains.get(c).rules.len()))
            .collect();
        let mean = if chains.is_empty() {
            0.0
        } else {
            chains.iter().sum::<usize>() as f64 / chains.len() as f64
        };
        format!(
            "{} label sets, {} distinct chains ({} KiB of index), {} criteria, {} endpoints, {mean:.1} entries per chain",
            self.label_sets.len(),
            self.chains.len(),
            self.chains.index_bytes() / 1024,
            self.criteria.len(),
            self.endpoints.len()
        )
    }

    /// Number of distinct effective label sets interned.
    pub fn label_set_count(&self) -> usize {
        self.label_sets.len()
    }

    /// The key of a policy.
    pub fn policy_key(&self, id: PolicyId) -> Option<&PolicyKey> {
        self.policy(id).map(|p| &p.norm.key)
    }

    /// The policy's tier name.
    pub fn policy_tier(&self, id: PolicyId) -> Option<&str> {
        self.policy(id)
            .and_then(|p| self.tiers.get(p.tier))
            .map(|t| t.name.as_str())
    }

    /// The name of a tier.
    pub fn tier_name(&self, id: TierId) -> Option<&str> {
        self.tiers.get(id.0 as usize).map(|t| t.name.as_str())
    }

    /// The id of a compiled policy.
    pub fn policy_id(&self, key: &PolicyKey) -> Option<PolicyId> {
        self.policy_ids.get(key).copied()
    }

    /// Every compiled policy.
    pub fn policy_ids(&self) -> impl Iterator<Item = PolicyId> + '_ {
        self.policies
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_some())
            .map(|(i, _)| PolicyId(i as u32))
    }

    /// The number of rules a policy has in a direction (0 when it does not apply to it).
    pub fn rule_count(&self, id: PolicyId, direction: Direction) -> usize {
        self.policy(id)
            .and_then(|p| p.rules(direction))
            .map_or(0, <[CRule]>::len)
    }

    /// Whether a rule has an `http` match, enforced only by application-layer policy (its L4 part is
    /// what the evaluator checks).
    pub fn rule_needs_alp(&self, id: PolicyId, direction: Direction, rule: usize) -> bool {
        self.policy(id)
            .and_then(|p| p.norm.rules(direction))
            .and_then(|r| r.get(rule))
            .is_some_and(|r| r.needs_alp)
    }

    /// Why a rule can never match in this evaluator (`domains` without DNS data, `services`), if so.
    pub fn rule_unsupported(
        &self,
        id: PolicyId,
        direction: Direction,
        rule: usize,
    ) -> Option<&'static str> {
        self.policy(id)
            .and_then(|p| p.norm.rules(direction))
            .and_then(|r| r.get(rule))
            .and_then(|r| r.unsupported)
    }

    /// The name of the source rule a Calico rule was converted from (cluster-wide Kubernetes
    /// policies name their rules).
    pub fn rule_name(&self, id: PolicyId, direction: Direction, rule: u32) -> Option<&str> {
        self.policy(id)?
            .norm
            .rules(direction)?
            .get(rule as usize)?
            .name
            .as_deref()
    }

    pub(crate) fn policy(&self, id: PolicyId) -> Option<&CPolicy> {
        self.policies.get(id.0 as usize).and_then(Option::as_ref)
    }

    pub(crate) fn tier_info(&self, tier: usize) -> Option<&TierInfo> {
        self.tiers.get(tier)
    }

    /// Answers `allows` and `evaluate` from decision rows (`rows`: one side's verdict for every peer
    /// at once) rather than by walking: faster when flows meet the same ends many times, as when
    /// every pair of endpoints is asked (connectivity); slower for scattered flows. Same verdicts.
    pub fn use_decision_rows(&mut self, on: bool) {
        self.rows_on = on;
    }

    /// Words of criterion bits per endpoint.
    pub(crate) fn stride(&self) -> usize {
        self.stride
    }

    pub(crate) fn endpoint_bits(&self, id: EndpointId) -> &[u64] {
        let start = id.0 as usize * self.stride;
        self.bits.get(start..start + self.stride).unwrap_or(&[])
    }

    /// Adds or replaces a Calico policy, recompiling only the label sets it selects or selected.
    pub fn update_calico_policy(&mut self, policy: &CalicoPolicy) -> Result<(), Vec<CompileError>> {
        let key = PolicyKey::of_calico(policy);
        let norm = normalize_calico(policy)?;
        self.apply_update(key, norm);
        Ok(())
    }

    /// Adds or replaces a Kubernetes policy (converted as Calico does).
    pub fn update_kubernetes_policy(
        &mut self,
        policy: &KubernetesPolicy,
    ) -> Result<(), Vec<CompileError>> {
        let key = PolicyKey::of_kubernetes(policy);
        let norm = normalize_kubernetes(policy)?;
        self.apply_update(key, norm);
        Ok(())
    }

    /// Removes a policy; returns whether it was present.
    pub fn remove_policy(&mut self, key: &PolicyKey) -> bool {
        let Some(id) = self.policy_ids.remove(key) else {
            return false;
        };
        self.rows.clear();
        self.chains.forget_policy(id);
        for ls in 0..self.label_sets.len() {
            if self.label_sets[ls].applicable.contains(&id) {
                self.label_sets[ls].applicable.retain(|p| *p != id);
                self.rebuild_chains(ls);
            }
        }
        if let Some(slot) = self.policies.get_mut(id.0 as usize) {
            *slot = None;
        }
        if self.chains.mostly_dead() {
            self.rebuild_all_chains();
        }
        self.refresh_worlds();
        true
    }

    /// Replaces the tiers (orders, default actions) and re-sorts every label set.
    pub fn update_tiers(&mut self, tiers: &[Tier]) {
        self.rows.clear();
        let mut fresh = Tiers::new(tiers);
        for p in self.policies.iter_mut().flatten() {
            p.tier = fresh.id(&p.norm.tier);
        }
        self.tiers = fresh;
        self.rerank();
        for ls in 0..self.label_sets.len() {
            self.sort_applicable(ls);
        }
        self.rebuild_all_chains();
    }

    /// Builds every chain again: after a change that affects them all, or to drop forgotten ones.
    fn rebuild_all_chains(&mut self) {
        self.chains.clear();
        for ls in 0..self.label_sets.len() {
            self.rebuild_chains(ls);
        }
    }

    fn apply_update(&mut self, key: PolicyKey, norm: Option<NormPolicy>) {
        self.rows.clear();
        let Some(norm) = norm else {
            self.remove_policy(&key);
            return;
        };
        let classes = self.chains.classes.clone();
        let compiled = self.compile_policy(norm);
        let id = match self.policy_ids.get(&key) {
            Some(&id) => id,
            None => {
                let id = PolicyId(self.policies.len() as u32);
                self.policies.push(None);
                self.policy_ids.insert(key, id);
                id
            }
        };
        self.policies[id.0 as usize] = Some(compiled);
        self.chains.forget_policy(id);
        self.rerank();
        for ls in 0..self.label_sets.len() {
            let was = self.label_sets[ls].applicable.contains(&id);
            let now = self
                .policy(id)
                .is_some_and(|p| p.norm.applies.matches(&self.label_sets[ls].labels));
            if !was && !now {
                continue;
            }
            self.label_sets[ls].applicable.retain(|p| *p != id);
            if now {
                self.label_sets[ls].applicable.push(id);
            }
            self.sort_applicable(ls);
            self.rebuild_chains(ls);
        }
        // A protocol no rule named before makes every index stale.
        if self.chains.classes != classes || self.chains.mostly_dead() {
            self.rebuild_all_chains();
        }
        self.refresh_worlds();
    }

    fn compile_policy(&mut self, norm: NormPolicy) -> CPolicy {
        let tier = self.tiers.id(&norm.tier);
        let ingress = norm
            .ingress
            .as_ref()
            .map(|rules| rules.iter().map(|r| self.compile_rule(r)).collect());
        let egress = norm
            .egress
            .as_ref()
            .map(|rules| rules.iter().map(|r| self.compile_rule(r)).collect());
        CPolicy {
            norm,
            tier,
            ingress,
            egress,
        }
    }

    fn compile_rule(&mut self, rule: &NormRule) -> CRule {
        let src_crit = self.identity_criterion(&rule.src);
        let dst_crit = self.identity_criterion(&rule.dst);
        let needs_named = !rule.dst.ports.named.is_empty() || !rule.dst.not_ports.named.is_empty();
        let dst_named_crit = match (&rule.dst.positive, needs_named) {
            (Some(p), true) => self.criterion(
                format!("self:{}", rule.dst.identity_key()),
                Criterion::SelfPositive(p.clone()),
            ),
            _ => ANY,
        };
        for protocol in [rule.l4.protocol, rule.l4.not_protocol]
            .into_iter()
            .flatten()
        {
            self.chains.classes.note(protocol);
        }
        CRule {
            action: rule.action,
            l4: rule.l4,
            renders: [
                super::matching::rule_renders_for(rule, Family::V4),
                super::matching::rule_renders_for(rule, Family::V6),
            ],
            never: !super::matching::src_ports_match(&rule.src),
            unsupported: rule.unsupported.is_some(),
            src_crit,
            dst_crit,
            dst_ports: rule.dst.ports.clone(),
            dst_not_ports: rule.dst.not_ports.clone(),
            dst_named_crit,
        }
    }

    fn identity_criterion(&mut self, er: &NormEntity) -> u32 {
        if er.identity_is_empty() {
            return ANY;
        }
        let identity = NormEntity {
            ports: PortList::default(),
            not_ports: PortList::default(),
            ..er.clone()
        };
        self.criterion(
            format!("id:{}", er.identity_key()),
            Criterion::Identity(identity),
        )
    }

    /// Interns a criterion and computes its bit for every endpoint.
    fn criterion(&mut self, key: String, criterion: Criterion) -> u32 {
        if let Some(&id) = self.criterion_ids.get(&key) {
            return id;
        }
        let id = self.criteria.len() as u32;
        if self.criteria.len() >= self.stride * 64 {
            self.grow_stride();
        }
        for e in 0..self.endpoints.len() {
            let data = &self.endpoints[e];
            let peers = peer_entities(data.entity.as_ref(), &data.addresses, &self.sets);
            if criterion_holds(&criterion, data, &peers) {
                set_bit(&mut self.bits[e * self.stride..], id);
            }
        }
        self.criteria.push(criterion);
        self.criterion_ids.insert(key, id);
        id
    }

    fn grow_stride(&mut self) {
        let new_stride = self.stride * 2;
        let mut bits = vec![0u64; self.endpoints.len() * new_stride];
        for e in 0..self.endpoints.len() {
            bits[e * new_stride..e * new_stride + self.stride]
                .copy_from_slice(&self.bits[e * self.stride..(e + 1) * self.stride]);
        }
        self.bits = bits;
        self.stride = new_stride;
    }

    fn intern_label_set(&mut self, labels: Labels) -> u32 {
        if let Some(&id) = self.label_set_ids.get(&labels) {
            return id;
        }
        let applicable = self
            .policy_ids()
            .filter(|&p| {
                self.policy(p)
                    .is_some_and(|p| p.norm.applies.matches(&labels))
            })
            .collect();
        let id = self.label_sets.len() as u32;
        self.label_sets.push(LabelSet {
            labels: labels.clone(),
            applicable,
            chains: [[0; 2]; 2],
            staged_selects: [false; 2],
        });
        self.label_set_ids.insert(labels, id);
        self.blocks.push([[NO_BLOCK; 2]; 2]);
        self.sort_applicable(id as usize);
        self.rebuild_chains(id as usize);
        id
    }

    /// Ranks every policy in global evaluation order: tier (TierLess), then order and tie key (PolKVLess).
    fn rerank(&mut self) {
        let mut ids: Vec<usize> = (0..self.policies.len())
            .filter(|&i| self.policies[i].is_some())
            .collect();
        let keyed: Vec<Option<(usize, String)>> = self
            .policies
            .iter()
            .map(|p| p.as_ref().map(|p| (p.tier, p.norm.key.tie_key())))
            .collect();
        ids.sort_by(|&a, &b| {
            let (Some(pa), Some(pb)) = (&self.policies[a], &self.policies[b]) else {
                return std::cmp::Ordering::Equal;
            };
            let (ta, tb) = (self.tiers.get(pa.tier), self.tiers.get(pb.tier));
            let tiers = match (ta, tb) {
                (Some(ta), Some(tb)) => tier_cmp(ta, tb),
                _ => std::cmp::Ordering::Equal,
            };
            let ka = keyed[a].as_ref().map_or("", |k| k.1.as_str());
            let kb = keyed[b].as_ref().map_or("", |k| k.1.as_str());
            tiers.then_with(|| policy_cmp((pa.norm.order, ka), (pb.norm.order, kb)))
        });
        self.rank = vec![u32::MAX; self.policies.len()];
        for (rank, id) in ids.into_iter().enumerate() {
            self.rank[id] = rank as u32;
        }
    }

    fn sort_applicable(&mut self, ls: usize) {
        let rank = &self.rank;
        self.label_sets[ls]
            .applicable
            .sort_by_key(|p| rank.get(p.0 as usize).copied().unwrap_or(u32::MAX));
    }
}

/// Whether a criterion holds for an endpoint whose IP-set members are `peers`
/// ([`peer_entities`] of it).
fn criterion_holds(criterion: &Criterion, e: &EndpointData, peers: &[&Entity]) -> bool {
    match criterion {
        Criterion::Always => true,
        Criterion::Identity(er) => identity_matches(er, peers, &e.addresses),
        Criterion::SelfPositive(p) => e.entity.as_ref().is_some_and(|ent| p.matches(ent)),
    }
}

fn set_bit(bits: &mut [u64], id: u32) {
    if let Some(word) = bits.get_mut((id / 64) as usize) {
        *word |= 1 << (id % 64);
    }
}

/// Whether criterion `id` holds for an endpoint's bits ([`ANY`] always does).
#[inline]
pub(crate) fn bit(bits: &[u64], id: u32) -> bool {
    id == ANY
        || bits
            .get((id / 64) as usize)
            .is_some_and(|w| (w >> (id % 64)) & 1 == 1)
}

/// Whether criterion `id` (a real one, not [`ANY`]) holds for an endpoint's bits.
#[inline]
pub(crate) fn has_bit(bits: &[u64], id: u32) -> bool {
    bits.get((id / 64) as usize)
        .is_some_and(|w| (w >> (id % 64)) & 1 == 1)
}
