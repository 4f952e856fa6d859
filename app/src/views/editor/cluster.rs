//! The ClusterNetworkPolicy editor: a form beside the live YAML of one cluster-wide policy
//! (`#/editor/cnp/<index>`). The YAML pane works as the Calico editor's does. Every form edit makes a
//! candidate policy that core checks (`yaml::check_cluster_policy`, the checks and messages of
//! `netpol validate`): a clean candidate becomes one undoable edit, a refused one shows core's
//! messages and leaves the design as it was. Selectors are typed in selector syntax and turned into
//! Kubernetes label selectors by core (`Selector::parse_label_selector`); ports in Calico's port
//! syntax (`443`, `8000:8080`, a name). AdminNetworkPolicies and BaselineAdminNetworkPolicies are
//! edited as YAML only (the import panel migrates them).

use std::str::FromStr;

use leptos::prelude::*;
use netpol_core::model::{
    ClusterAction, ClusterEgressRule, ClusterIngressRule, ClusterPeer, ClusterPolicy,
    ClusterPolicyKind, ClusterProtocol, ClusterTier, DestinationPort, LabelSelector,
    NamespacedPods, Port, PortRange, ProtocolPort, Resource,
};
use netpol_core::selector::Selector;
use netpol_core::yaml::{self, Diagnostic, ExportOptions};

use crate::state::{Studio, use_studio};

use super::typing::{TooLarge, Typing, on_input, problems_view};
use super::{FILE, parse_one};

/// The YAML of one cluster policy, as the editor shows it (and as core checks it).
fn policy_yaml(policy: &ClusterPolicy) -> String {
    yaml::export_resource(
        &Resource::ClusterPolicy(policy.clone()),
        &ExportOptions::default(),
    )
}

/// The one cluster policy `text` holds, or every problem with it.
fn parse_policy(text: &str) -> Result<ClusterPolicy, Vec<Diagnostic>> {
    parse_one(
        text,
        |r| match r {
            Resource::ClusterPolicy(policy) => Some(policy),
            _ => None,
        },
        "ClusterNetworkPolicy (or AdminNetworkPolicy, BaselineAdminNetworkPolicy)",
    )
}

/// The form and YAML pane for `design.cluster_policies[index]`.
#[component]
pub fn ClusterPolicyEditor(index: usize) -> impl IntoView {
    let studio = use_studio();
    let policy =
        Memo::new(move |_| studio.with(|design| design.cluster_policies.get(index).cloned()));
    let (text, set_text) = signal(
        policy
            .get_untracked()
            .as_ref()
            .map(policy_yaml)
            .unwrap_or_default(),
    );
    let (problems, set_problems) = signal(Vec::<Diagnostic>::new());
    // Core's messages about the last form edit, which was therefore not applied.
    let refused = RwSignal::new(Vec::<Diagnostic>::new());
    let typing = Typing::new();

    // As in the Calico editor: the YAML follows the design unless it already says this policy.
    Effect::new(move |_| {
        let Some(current) = policy.get() else { return };
        let typed = parse_policy(&text.get_untracked()).ok();
        if typed.as_ref() != Some(&current) {
            set_text.set(policy_yaml(&current));
            set_problems.set(Vec::new());
        }
    });

    let on_yaml = {
        let typing = typing.clone();
        move |ev| {
            on_input(
                &typing,
                &ev,
                (text, set_text),
                move |typed| match parse_policy(&typed) {
                    Ok(parsed) => {
                        set_problems.try_set(Vec::new());
                        refused.try_set(Vec::new());
                        studio.edit(
                            format!("edit the YAML of {}", parsed.metadata.name),
                            |design| {
                                if let Some(slot) = design.cluster_policies.get_mut(index) {
                                    *slot = parsed;
                                }
                            },
                        );
                    }
                    Err(diagnostics) => {
                        set_problems.try_set(diagnostics);
                    }
                },
            )
        }
    };

    let edit = Editing {
        studio,
        index,
        refused,
    };
    view! {
        <div class="editor">
            <div class="editor-form">
                {move || policy.get().map(|p| {
                    if p.kind == ClusterPolicyKind::ClusterNetworkPolicy {
                        view! { <ClusterForm policy=p edit=edit/> }.into_any()
                    } else {
                        view! {
                            <p class="muted">
                                {format!("{} is edited as YAML; the import panel migrates it to a ClusterNetworkPolicy.", p.kind.as_str())}
                            </p>
                        }
                            .into_any()
                    }
                })}
                <ul class="problems form-problems" role="alert" aria-label="Form problems">
                    {move || problems_view(refused.get())}
                </ul>
            </div>
            <div class="editor-yaml">
                <label for="policy-yaml">"YAML"</label>
                <textarea
                    id="policy-yaml"
                    aria-label="Policy YAML"
                    spellcheck="false"
                    aria-invalid=move || (!problems.get().is_empty()).to_string()
                    prop:value=text
                    on:input=on_yaml
                    on:paste={
                        let typing = typing.clone();
                        move |ev| typing.paste(&ev)
                    }
                    on:blur={
                        let typing = typing.clone();
                        move |_| typing.flush()
                    }
                ></textarea>
                <TooLarge typing=typing/>
                <ul class="problems" aria-live="polite">
                    {move || problems_view(problems.get())}
                </ul>
            </div>
        </div>
    }
}

/// Where a form edit goes: the policy, and where core's refusal is shown.
#[derive(Clone, Copy)]
struct Editing {
    studio: Studio,
    index: usize,
    refused: RwSignal<Vec<Diagnostic>>,
}

impl Editing {
    /// Applies `change` to a copy of the policy; when core finds no error in it, the copy replaces
    /// the policy as one undoable edit, else core's messages are shown and the design is unchanged.
    fn apply(self, change: impl FnOnce(&mut ClusterPolicy)) {
        let Some(mut candidate) = self
            .studio
            .with_untracked(|design| design.cluster_policies.get(self.index).cloned())
        else {
            return;
        };
        change(&mut candidate);
        let errors: Vec<Diagnostic> = yaml::check_cluster_policy(FILE, &candidate)
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect();
        if errors.is_empty() {
            self.refused.set(Vec::new());
            let name = format!("edit cluster policy {}", candidate.metadata.name);
            self.studio.edit(name, |design| {
                if let Some(slot) = design.cluster_policies.get_mut(self.index) {
                    *slot = candidate;
                }
            });
        } else {
            self.refused.set(errors);
        }
    }
}

/// A label selector in selector syntax (`{}` is `all()`).
fn selector_text(ls: &LabelSelector) -> String {
    Selector::from_label_selector(ls)
        .map(|s| s.to_string())
        .unwrap_or_default()
}

/// A selector input bound to a label selector: core parses it; a syntax error shows beside the field
/// and is not applied.
#[component]
fn SelectorField(
    label: String,
    value: LabelSelector,
    on_set: Callback<LabelSelector>,
    #[prop(optional)] optional: bool,
    #[prop(optional)] absent: bool,
) -> impl IntoView {
    let shown = if absent {
        String::new()
    } else {
        selector_text(&value)
    };
    let error = RwSignal::new(None::<String>);
    let placeholder = if optional { "every namespace" } else { "all()" };
    view! {
        <label class="wide">
            {label.clone()}
            <input
                class="code"
                aria-label=label
                placeholder=placeholder
                prop:value=shown
                aria-invalid=move || error.get().is_some().to_string()
                on:change=move |ev| match Selector::parse_label_selector(&event_target_value(&ev)) {
                    Ok(ls) => {
                        error.set(None);
                        on_set.run(ls);
                    }
                    Err(err) => error.set(Some(err.message().to_owned())),
                }
            />
            <span class="error field-error">{move || error.get()}</span>
        </label>
    }
}

/// The form half of the editor.
#[component]
fn ClusterForm(policy: ClusterPolicy, edit: Editing) -> impl IntoView {
    let tier = policy.spec.tier;
    let priority = policy
        .spec
        .priority
        .map(|p| p.to_string())
        .unwrap_or_default();
    let subject = policy.spec.subject.clone();
    let pods_subject = subject.pods.is_some();
    let ingress: Vec<Rule> = policy.spec.ingress.iter().map(Rule::of_ingress).collect();
    let egress: Vec<Rule> = policy.spec.egress.iter().map(Rule::of_egress).collect();
    view! {
        <form class="policy-form cluster-form" aria-label="ClusterNetworkPolicy" on:submit=|ev| ev.prevent_default()>
            <label>
                "Name"
                <input
                    aria-label="Policy name"
                    prop:value=policy.metadata.name.clone()
                    on:change=move |ev| {
                        let name = event_target_value(&ev);
                        edit.apply(|p| p.metadata.name = name.trim().to_owned());
                    }
                />
            </label>
            <label>
                "Tier"
                <select
                    aria-label="Tier"
                    on:change=move |ev| {
                        let tier = match event_target_value(&ev).as_str() {
                            "Admin" => Some(ClusterTier::Admin),
                            "Baseline" => Some(ClusterTier::Baseline),
                            _ => None,
                        };
                        edit.apply(|p| p.spec.tier = tier);
                    }
                >
                    <option value="Admin" selected=tier == Some(ClusterTier::Admin) prop:selected=tier == Some(ClusterTier::Admin)>
                        "Admin (kube-admin)"
                    </option>
                    <option value="Baseline" selected=tier == Some(ClusterTier::Baseline) prop:selected=tier == Some(ClusterTier::Baseline)>
                        "Baseline (kube-baseline)"
                    </option>
                </select>
            </label>
            <label>
                "Priority"
                <input
                    aria-label="Priority"
                    type="number"
                    min="0"
                    max="1000"
                    step="1"
                    prop:value=priority
                    on:change=move |ev| {
                        // Not a whole number: no priority, which core reports as missing.
                        let priority = event_target_value(&ev).trim().parse::<u32>().ok();
                        edit.apply(|p| p.spec.priority = priority);
                    }
                />
            </label>
            <fieldset class="subject">
                <legend>"Subject"</legend>
                <label>
                    "Subject kind"
                    <select
                        aria-label="Subject kind"
                        on:change=move |ev| {
                            let pods = event_target_value(&ev) == "pods";
                            edit.apply(|p| {
                                let subject = &mut p.spec.subject;
                                if pods {
                                    subject.pods = Some(NamespacedPods {
                                        namespace_selector: subject.namespaces.take(),
                                        ..NamespacedPods::default()
                                    });
                                } else {
                                    subject.namespaces = Some(
                                        subject
                                            .pods
                                            .take()
                                            .and_then(|pods| pods.namespace_selector)
                                            .unwrap_or_default(),
                                    );
                                }
                            });
                        }
                    >
                        <option value="namespaces" selected=!pods_subject prop:selected=!pods_subject>"Namespaces"</option>
                        <option value="pods" selected=pods_subject prop:selected=pods_subject>"Pods"</option>
                    </select>
                </label>
                {match subject.pods.clone() {
                    Some(pods) => view! {
                        <SelectorField
                            label="Subject namespace selector".to_owned()
                            absent=pods.namespace_selector.is_none()
                            optional=true
                            value=pods.namespace_selector.clone().unwrap_or_default()
                            on_set=Callback::new(move |ls| edit.apply(|p| {
                                if let Some(pods) = p.spec.subject.pods.as_mut() {
                                    pods.namespace_selector = Some(ls);
                                }
                            }))
                        />
                        <SelectorField
                            label="Subject pod selector".to_owned()
                            value=pods.pod_selector.clone()
                            on_set=Callback::new(move |ls| edit.apply(|p| {
                                if let Some(pods) = p.spec.subject.pods.as_mut() {
                                    pods.pod_selector = ls;
                                }
                            }))
                        />
                    }
                        .into_any(),
                    None => view! {
                        <SelectorField
                            label="Subject namespaces".to_owned()
                            value=subject.namespaces.clone().unwrap_or_default()
                            on_set=Callback::new(move |ls| edit.apply(|p| p.spec.subject.namespaces = Some(ls)))
                        />
                    }
                        .into_any(),
                }}
            </fieldset>
            <RulesForm edit=edit egress=false rules=ingress/>
            <RulesForm edit=edit egress=true rules=egress/>
        </form>
    }
}

/// The parts of a rule the form edits, the same for both directions.
#[derive(Clone)]
struct Rule {
    name: String,
    action: ClusterAction,
    peers: Vec<ClusterPeer>,
    protocols: Vec<ClusterProtocol>,
}

impl Rule {
    fn of_ingress(rule: &ClusterIngressRule) -> Rule {
        Rule {
            name: rule.name.clone().unwrap_or_default(),
            action: rule.action,
            peers: rule.from.clone(),
            protocols: rule.protocols.clone(),
        }
    }

    fn of_egress(rule: &ClusterEgressRule) -> Rule {
        Rule {
            name: rule.name.clone().unwrap_or_default(),
            action: rule.action,
            peers: rule.to.clone(),
            protocols: rule.protocols.clone(),
        }
    }
}

/// A rule's parts, in place in the policy, for a form edit.
struct RuleMut<'a> {
    name: &'a mut Option<String>,
    action: &'a mut ClusterAction,
    peers: &'a mut Vec<ClusterPeer>,
    protocols: &'a mut Vec<ClusterProtocol>,
}

/// Applies `change` to rule `i` of one direction.
fn edit_rule(edit: Editing, egress: bool, i: usize, change: impl FnOnce(RuleMut<'_>)) {
    edit.apply(|p| {
        if egress {
            if let Some(r) = p.spec.egress.get_mut(i) {
                change(RuleMut {
                    name: &mut r.name,
                    action: &mut r.action,
                    peers: &mut r.to,
                    protocols: &mut r.protocols,
                });
            }
        } else if let Some(r) = p.spec.ingress.get_mut(i) {
            change(RuleMut {
                name: &mut r.name,
                action: &mut r.action,
                peers: &mut r.from,
                protocols: &mut r.protocols,
            });
        }
    });
}

const ACTIONS: [ClusterAction; 3] = [
    ClusterAction::Accept,
    ClusterAction::Deny,
    ClusterAction::Pass,
];

/// The peer kinds of a direction, as (value, label).
fn peer_kinds(egress: bool) -> &'static [(&'static str, &'static str)] {
    if egress {
        &[
            ("namespaces", "Namespaces"),
            ("pods", "Pods"),
            ("networks", "Networks"),
            ("domainNames", "Domain names"),
            ("nodes", "Nodes"),
        ]
    } else {
        &[("namespaces", "Namespaces"), ("pods", "Pods")]
    }
}

/// The kind of a peer: its first field set.
fn peer_kind(peer: &ClusterPeer) -> &'static str {
    if peer.pods.is_some() {
        "pods"
    } else if !peer.networks.is_empty() {
        "networks"
    } else if !peer.domain_names.is_empty() {
        "domainNames"
    } else if peer.nodes.is_some() {
        "nodes"
    } else {
        "namespaces"
    }
}

/// A new peer of `kind`, with the kind's field set to a value core accepts (the widest one), so the
/// switch applies and the field to edit appears.
fn new_peer(kind: &str) -> ClusterPeer {
    let mut peer = ClusterPeer::default();
    match kind {
        "pods" => peer.pods = Some(NamespacedPods::default()),
        "networks" => peer.networks = vec!["0.0.0.0/0".to_owned()],
        "domainNames" => peer.domain_names = vec!["*.example.com".to_owned()],
        "nodes" => peer.nodes = Some(LabelSelector::default()),
        _ => peer.namespaces = Some(LabelSelector::default()),
    }
    peer
}

/// A comma-separated list.
fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The rules of one direction.
#[component]
fn RulesForm(edit: Editing, egress: bool, rules: Vec<Rule>) -> impl IntoView {
    let title = if egress { "Egress" } else { "Ingress" };
    let add = move |_| {
        edit.apply(|p| {
            let name = Some(format!(
                "{}-{}",
                title.to_lowercase(),
                if egress {
                    p.spec.egress.len()
                } else {
                    p.spec.ingress.len()
                } + 1
            ));
            let peer = vec![new_peer("namespaces")];
            if egress {
                p.spec.egress.push(ClusterEgressRule {
                    name,
                    action: ClusterAction::Deny,
                    to: peer,
                    protocols: Vec::new(),
                    ports: Vec::new(),
                    extra: Default::default(),
                });
            } else {
                p.spec.ingress.push(ClusterIngressRule {
                    name,
                    action: ClusterAction::Deny,
                    from: peer,
                    protocols: Vec::new(),
                    ports: Vec::new(),
                    extra: Default::default(),
                });
            }
        });
    };
    view! {
        <fieldset class="rules cluster-rules">
            <legend>{format!("{title} rules")}</legend>
            {rules
                .into_iter()
                .enumerate()
                .map(|(i, rule)| view! { <RuleForm edit=edit egress=egress i=i rule=rule/> })
                .collect_view()}
            <button type="button" on:click=add>{format!("Add {} rule", title.to_lowercase())}</button>
        </fieldset>
    }
}

/// One rule: name, action, peers, protocols.
#[component]
fn RuleForm(edit: Editing, egress: bool, i: usize, rule: Rule) -> impl IntoView {
    let title = format!(
        "{} rule {}",
        if egress { "Egress" } else { "Ingress" },
        i + 1
    );
    let peer_word = if egress { "to" } else { "from" };
    let action = rule.action;
    view! {
        <fieldset class="cluster-rule">
            <legend>{title.clone()}</legend>
            <div class="form-row">
                <label>
                    "Name"
                    <input
                        aria-label=format!("{title} name")
                        prop:value=rule.name.clone()
                        on:change=move |ev| {
                            let name = event_target_value(&ev).trim().to_owned();
                            edit_rule(edit, egress, i, |r| *r.name = (!name.is_empty()).then_some(name));
                        }
                    />
                </label>
                <label>
                    "Action"
                    <select
                        aria-label=format!("{title} action")
                        on:change=move |ev| {
                            let chosen = event_target_value(&ev);
                            if let Some(a) = ACTIONS.into_iter().find(|a| a.as_str() == chosen) {
                                edit_rule(edit, egress, i, |r| *r.action = a);
                            }
                        }
                    >
                        {ACTIONS
                            .into_iter()
                            .map(|a| view! { <option value=a.as_str() selected=a == action prop:selected=a == action>{a.as_str()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <button
                    type="button"
                    aria-label=format!("Remove {title}")
                    on:click=move |_| edit.apply(|p| {
                        if egress && i < p.spec.egress.len() {
                            p.spec.egress.remove(i);
                        } else if !egress && i < p.spec.ingress.len() {
                            p.spec.ingress.remove(i);
                        }
                    })
                >
                    "Remove rule"
                </button>
            </div>
            <fieldset class="peers">
                <legend>{format!("Peers ({peer_word})")}</legend>
                {rule
                    .peers
                    .iter()
                    .enumerate()
                    .map(|(j, peer)| view! { <PeerForm edit=edit egress=egress i=i j=j peer=peer.clone() title=title.clone()/> })
                    .collect_view()}
                <button
                    type="button"
                    on:click=move |_| edit_rule(edit, egress, i, |r| r.peers.push(new_peer("namespaces")))
                >
                    "Add peer"
                </button>
            </fieldset>
            <fieldset class="protocols">
                <legend>"Protocols and ports (none: all traffic)"</legend>
                {rule
                    .protocols
                    .iter()
                    .enumerate()
                    .map(|(j, entry)| view! { <ProtocolForm edit=edit egress=egress i=i j=j entry=entry.clone() title=title.clone()/> })
                    .collect_view()}
                <button
                    type="button"
                    on:click=move |_| {
                        // A whole entry (core refuses one without a port): TCP 80, to edit.
                        if let Ok(entry) = entry_of("TCP", "80") {
                            edit_rule(edit, egress, i, |r| r.protocols.push(entry));
                        }
                    }
                >
                    "Add port"
                </button>
            </fieldset>
        </fieldset>
    }
}

/// One peer: its kind and its value.
#[component]
fn PeerForm(
    edit: Editing,
    egress: bool,
    i: usize,
    j: usize,
    peer: ClusterPeer,
    title: String,
) -> impl IntoView {
    let kind = peer_kind(&peer);
    let label = format!("{title} peer {}", j + 1);
    let set = move |change: Box<dyn FnOnce(&mut ClusterPeer)>| {
        edit_rule(edit, egress, i, |r| {
            if let Some(p) = r.peers.get_mut(j) {
                change(p);
            }
        });
    };
    let value = match kind {
        "pods" => {
            let pods = peer.pods.clone().unwrap_or_default();
            view! {
                <SelectorField
                    label=format!("{label} namespace selector")
                    absent=pods.namespace_selector.is_none()
                    optional=true
                    value=pods.namespace_selector.clone().unwrap_or_default()
                    on_set=Callback::new(move |ls| set(Box::new(move |p: &mut ClusterPeer| {
                        if let Some(pods) = p.pods.as_mut() {
                            pods.namespace_selector = Some(ls);
                        }
                    })))
                />
                <SelectorField
                    label=format!("{label} pod selector")
                    value=pods.pod_selector.clone()
                    on_set=Callback::new(move |ls| set(Box::new(move |p: &mut ClusterPeer| {
                        if let Some(pods) = p.pods.as_mut() {
                            pods.pod_selector = ls;
                        }
                    })))
                />
            }
                .into_any()
        }
        "networks" | "domainNames" => {
            let (list, what) = if kind == "networks" {
                (peer.networks.join(", "), "CIDRs")
            } else {
                (peer.domain_names.join(", "), "names")
            };
            view! {
                <label class="wide">
                    {format!("{label} {what}")}
                    <input
                        class="code"
                        aria-label=format!("{label} {what}")
                        placeholder="comma-separated"
                        prop:value=list
                        on:change=move |ev| {
                            let items = split_list(&event_target_value(&ev));
                            set(Box::new(move |p: &mut ClusterPeer| {
                                if kind == "networks" {
                                    p.networks = items;
                                } else {
                                    p.domain_names = items;
                                }
                            }));
                        }
                    />
                </label>
            }
                .into_any()
        }
        "nodes" => view! {
            <SelectorField
                label=format!("{label} node selector")
                value=peer.nodes.clone().unwrap_or_default()
                on_set=Callback::new(move |ls| set(Box::new(move |p: &mut ClusterPeer| p.nodes = Some(ls))))
            />
        }
            .into_any(),
        _ => view! {
            <SelectorField
                label=format!("{label} namespaces")
                value=peer.namespaces.clone().unwrap_or_default()
                on_set=Callback::new(move |ls| set(Box::new(move |p: &mut ClusterPeer| p.namespaces = Some(ls))))
            />
        }
            .into_any(),
    };
    view! {
        <div class="peer form-row">
            <label>
                "Peer kind"
                <select
                    aria-label=format!("{label} kind")
                    on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        set(Box::new(move |p: &mut ClusterPeer| *p = new_peer(&chosen)));
                    }
                >
                    {peer_kinds(egress)
                        .iter()
                        .map(|(value, text)| view! { <option value=*value selected=*value == kind prop:selected=*value == kind>{*text}</option> })
                        .collect_view()}
                </select>
            </label>
            {value}
            <button
                type="button"
                aria-label=format!("Remove {label}")
                on:click=move |_| edit_rule(edit, egress, i, |r| {
                    if j < r.peers.len() {
                        r.peers.remove(j);
                    }
                })
            >
                "Remove peer"
            </button>
        </div>
    }
}

/// The protocol of an entry (`TCP`, `UDP`, `SCTP`, or `Named` for a destination named port) and its
/// port in Calico's port syntax.
fn entry_parts(entry: &ClusterProtocol) -> (&'static str, String) {
    let port_text = |p: &Option<ProtocolPort>| {
        let port = p.as_ref()?.destination_port.as_ref()?;
        Some(match (port.number, port.range) {
            (Some(n), _) => n.to_string(),
            (None, Some(r)) => format!("{}:{}", r.start, r.end),
            _ => String::new(),
        })
    };
    if entry.tcp.is_some() {
        ("TCP", port_text(&entry.tcp).unwrap_or_default())
    } else if entry.udp.is_some() {
        ("UDP", port_text(&entry.udp).unwrap_or_default())
    } else if entry.sctp.is_some() {
        ("SCTP", port_text(&entry.sctp).unwrap_or_default())
    } else {
        (
            "Named",
            entry.destination_named_port.clone().unwrap_or_default(),
        )
    }
}

/// The entry for `protocol` and port `text`: a number, a range `start:end` or a name (a name is a
/// destination named port whatever the protocol: the container port's own protocol decides). An
/// empty port leaves `destinationPort` out, which core reports.
fn entry_of(protocol: &str, text: &str) -> Result<ClusterProtocol, String> {
    let text = text.trim();
    let named = |name: &str| ClusterProtocol {
        destination_named_port: Some(name.to_owned()),
        ..ClusterProtocol::default()
    };
    if protocol == "Named" {
        return Ok(named(text));
    }
    let destination_port = if text.is_empty() {
        None
    } else {
        match Port::from_str(text).map_err(|e| e.to_string())? {
            Port::Named(name) => return Ok(named(&name)),
            Port::Number(n) => Some(DestinationPort {
                number: Some(n),
                ..DestinationPort::default()
            }),
            Port::Range(start, end) => Some(DestinationPort {
                range: Some(PortRange { start, end }),
                ..DestinationPort::default()
            }),
        }
    };
    let port = Some(ProtocolPort {
        destination_port,
        ..ProtocolPort::default()
    });
    Ok(match protocol {
        "UDP" => ClusterProtocol {
            udp: port,
            ..ClusterProtocol::default()
        },
        "SCTP" => ClusterProtocol {
            sctp: port,
            ..ClusterProtocol::default()
        },
        _ => ClusterProtocol {
            tcp: port,
            ..ClusterProtocol::default()
        },
    })
}

/// One `protocols` entry.
#[component]
fn ProtocolForm(
    edit: Editing,
    egress: bool,
    i: usize,
    j: usize,
    entry: ClusterProtocol,
    title: String,
) -> impl IntoView {
    let (protocol, port) = entry_parts(&entry);
    let label = format!("{title} port {}", j + 1);
    let chosen = RwSignal::new(protocol.to_owned());
    let text = RwSignal::new(port.clone());
    let error = RwSignal::new(None::<String>);
    let commit = move || match entry_of(&chosen.get_untracked(), &text.get_untracked()) {
        Ok(entry) => {
            error.set(None);
            edit_rule(edit, egress, i, |r| {
                if let Some(slot) = r.protocols.get_mut(j) {
                    *slot = entry;
                }
            });
        }
        Err(why) => error.set(Some(why)),
    };
    view! {
        <div class="protocol form-row">
            <label>
                "Protocol"
                <select
                    aria-label=format!("{label} protocol")
                    on:change=move |ev| {
                        chosen.set(event_target_value(&ev));
                        commit();
                    }
                >
                    {[("TCP", "TCP"), ("UDP", "UDP"), ("SCTP", "SCTP"), ("Named", "Named port")]
                        .into_iter()
                        .map(|(value, text)| view! { <option value=value selected=value == protocol prop:selected=value == protocol>{text}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Port"
                <input
                    class="code"
                    aria-label=format!("{label}")
                    placeholder="443, 8000:8080 or a name"
                    prop:value=port
                    aria-invalid=move || error.get().is_some().to_string()
                    on:change=move |ev| {
                        text.set(event_target_value(&ev));
                        commit();
                    }
                />
                <span class="error field-error">{move || error.get()}</span>
            </label>
            <button
                type="button"
                aria-label=format!("Remove {label}")
                on:click=move |_| edit_rule(edit, egress, i, |r| {
                    if j < r.protocols.len() {
                        r.protocols.remove(j);
                    }
                })
            >
                "Remove port"
            </button>
        </div>
    }
}
