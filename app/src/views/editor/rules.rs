//! The rules of one direction of a Calico policy: each rule a line that says all it matches (core's
//! `board::rule_summary`), opening onto every field Calico has for it. Rules are added, removed and
//! moved as undoable edits.

use leptos::prelude::*;
use netpol_core::board::rule_summary;
use netpol_core::model::{Action, CalicoPolicy, PolicyType, Rule};
use netpol_core::yaml::fields;

use super::field::{FormState, apply, field};
use super::peer::peer_fields;
use crate::state::use_studio;

/// The rules of `policy` in `direction`.
pub fn rules_mut(policy: &mut CalicoPolicy, direction: PolicyType) -> &mut Vec<Rule> {
    if direction == PolicyType::Ingress {
        &mut policy.spec.ingress
    } else {
        &mut policy.spec.egress
    }
}

/// `ingress` / `egress`, as edit names and ids say it.
pub fn word(direction: PolicyType) -> &'static str {
    if direction == PolicyType::Ingress {
        "ingress"
    } else {
        "egress"
    }
}

/// "Ingress" / "Egress", as labels say it.
pub fn title(direction: PolicyType) -> &'static str {
    if direction == PolicyType::Ingress {
        "Ingress"
    } else {
        "Egress"
    }
}

/// Changes rule `i` of `direction` (when it is still there).
pub fn on_rule(
    direction: PolicyType,
    i: usize,
    change: impl Fn(&mut Rule),
) -> impl Fn(&mut CalicoPolicy) {
    move |p| {
        if let Some(rule) = rules_mut(p, direction).get_mut(i) {
            change(rule);
        }
    }
}

const ACTIONS: [Action; 4] = [Action::Allow, Action::Deny, Action::Log, Action::Pass];

/// The rules of one direction.
#[component]
pub fn RulesEditor(form: FormState, direction: PolicyType, rules: Vec<Rule>) -> impl IntoView {
    let studio = use_studio();
    let index = form.index;
    let count = rules.len();
    let (error, set_error) = signal(None::<String>);
    let add = move |_| {
        let what = format!("add {} rule", word(direction));
        let outcome = apply(studio, index, &what, |p| {
            rules_mut(p, direction).push(Rule::new(Action::Allow))
        });
        if outcome.is_ok() {
            form.open_rules.update(|open| {
                open.insert((direction, count));
            });
        }
        set_error.set(outcome.err());
    };
    view! {
        <fieldset class="rules">
            <legend>{format!("{} rules", title(direction))}</legend>
            {(count == 0).then(|| view! {
                <p class="muted">{format!("No {} rule.", word(direction))}</p>
            })}
            <ol class="rule-list">
                {rules
                    .into_iter()
                    .enumerate()
                    .map(|(i, rule)| view! { <RuleRow form=form direction=direction i=i count=count rule=rule set_error=set_error/> })
                    .collect_view()}
            </ol>
            <p class="error" role="alert">{move || error.get()}</p>
            <button type="button" on:click=add>
                {format!("Add {} rule", word(direction))}
            </button>
        </fieldset>
    }
}

/// One rule: its summary line with the action and the move/remove buttons, and, when open, every field.
#[component]
fn RuleRow(
    form: FormState,
    direction: PolicyType,
    i: usize,
    count: usize,
    rule: Rule,
    set_error: WriteSignal<Option<String>>,
) -> impl IntoView {
    let studio = use_studio();
    let index = form.index;
    let name = format!("{} rule {}", title(direction), i + 1);
    let open = Signal::derive(move || form.open_rules.with(|o| o.contains(&(direction, i))));
    let toggle = move |_| {
        form.open_rules.update(|o| {
            if !o.remove(&(direction, i)) {
                o.insert((direction, i));
            }
        })
    };
    let swap = move |j: usize| {
        let what = format!(
            "move {} rule {} {}",
            word(direction),
            i + 1,
            if j < i { "up" } else { "down" }
        );
        let outcome = apply(studio, index, &what, |p| {
            let rules = rules_mut(p, direction);
            if i < rules.len() && j < rules.len() {
                rules.swap(i, j);
            }
        });
        if outcome.is_ok() {
            form.reindex(direction, |k| {
                Some(if k == i {
                    j
                } else if k == j {
                    i
                } else {
                    k
                })
            });
        }
        set_error.set(outcome.err());
    };
    let remove = move |_| {
        let what = format!("remove {} rule {}", word(direction), i + 1);
        let outcome = apply(studio, index, &what, |p| {
            let rules = rules_mut(p, direction);
            if i < rules.len() {
                rules.remove(i);
            }
        });
        if outcome.is_ok() {
            form.reindex(direction, |k| match k.cmp(&i) {
                std::cmp::Ordering::Less => Some(k),
                std::cmp::Ordering::Equal => None,
                std::cmp::Ordering::Greater => Some(k - 1),
            });
        }
        set_error.set(outcome.err());
    };
    let (action_error, set_action_error) = signal(None::<String>);
    let summary = rule_summary(&rule);
    let fields_id = format!("rule-{index}-{}-{i}", word(direction));
    let current = rule.action;
    view! {
        <li class="rule" class:open=open data-rule=format!("{}-{}", word(direction), i + 1)>
            <div class="rule-head">
                <span class="rule-number" aria-hidden="true">{i + 1}</span>
                <button
                    type="button"
                    class="rule-toggle"
                    aria-expanded=move || open.get().to_string()
                    aria-controls=fields_id.clone()
                    aria-label=format!("{name}: {summary}")
                    title=summary.clone()
                    on:click=toggle
                >
                    <span class="rule-summary">{summary.clone()}</span>
                </button>
                <select
                    class="rule-action"
                    aria-label=format!("{name} action")
                    on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        let Some(action) = ACTIONS.into_iter().find(|a| a.as_str() == chosen) else { return };
                        let outcome = apply(studio, index, &format!("set the action of {} rule {}", word(direction), i + 1), on_rule(direction, i, move |r| r.action = action));
                        set_action_error.set(outcome.err());
                    }
                >
                    {ACTIONS
                        .into_iter()
                        .map(|a| view! { <option value=a.as_str() selected=a == current prop:selected=a == current>{a.as_str()}</option> })
                        .collect_view()}
                </select>
                <span class="rule-tools">
                    <button type="button" aria-label=format!("Move {name} up") title="Move up" disabled={i == 0} on:click=move |_| swap(i.saturating_sub(1))>"↑"</button>
                    <button type="button" aria-label=format!("Move {name} down") title="Move down" disabled={i + 1 >= count} on:click=move |_| swap(i + 1)>"↓"</button>
                    <button type="button" aria-label=format!("Remove {name}") title="Remove" on:click=remove>"✕"</button>
                </span>
            </div>
            <p class="error field-error">{move || action_error.get()}</p>
            <div class="rule-fields" id=fields_id>
                {move || open.get().then(|| rule_fields(form, direction, i, rule.clone()))}
            </div>
        </li>
    }
}

/// Every field of rule `i` but its action.
fn rule_fields(form: FormState, direction: PolicyType, i: usize, rule: Rule) -> impl IntoView {
    let at = Some((direction, i));
    let name = format!("{} rule {}", title(direction), i + 1);
    let icmp_text = |icmp: Option<netpol_core::model::IcmpFields>| {
        let icmp = icmp.unwrap_or(netpol_core::model::IcmpFields {
            icmp_type: None,
            code: None,
        });
        (
            icmp.icmp_type.map(|t| t.to_string()).unwrap_or_default(),
            icmp.code.map(|c| c.to_string()).unwrap_or_default(),
        )
    };
    let (icmp_type, icmp_code) = icmp_text(rule.icmp);
    let (not_icmp_type, not_icmp_code) = icmp_text(rule.not_icmp);
    let (methods, paths) = fields::http_texts(rule.http.as_ref());
    let icmp_pair = |key: &'static str,
                     label: &'static str,
                     type_text: String,
                     code_text: String| {
        let other = code_text.clone();
        let other_type = type_text.clone();
        let set = move |r: &mut Rule, icmp| {
            if key == "icmp" {
                r.icmp = icmp
            } else {
                r.not_icmp = icmp
            }
        };
        view! {
            <div class="field-row">
                {field(form, at, format!("{key}.type"), label, format!("{name} {key} type"), type_text, "0-254",
                    move |t| fields::icmp(t, &other, key), on_rule_value(direction, i, set))}
                {field(form, at, format!("{key}.code"), "code", format!("{name} {key} code"), code_text, "0-255",
                    move |c| fields::icmp(&other_type, c, key), on_rule_value(direction, i, set))}
            </div>
        }
    };
    view! {
        <div class="field-row">
            {field(form, at, "protocol", "Protocol", format!("{name} protocol"), rule.protocol.map(|p| p.to_string()).unwrap_or_default(), "any",
                |t| fields::protocol(t, "protocol"), on_rule_value(direction, i, |r: &mut Rule, v| r.protocol = v))}
            {field(form, at, "notProtocol", "Not protocol", format!("{name} not protocol"), rule.not_protocol.map(|p| p.to_string()).unwrap_or_default(), "none",
                |t| fields::protocol(t, "notProtocol"), on_rule_value(direction, i, |r: &mut Rule, v| r.not_protocol = v))}
            {field(form, at, "ipVersion", "IP version", format!("{name} IP version"), rule.ip_version.map(|v| v.to_string()).unwrap_or_default(), "4 or 6",
                fields::ip_version, on_rule_value(direction, i, |r: &mut Rule, v| r.ip_version = v))}
        </div>
        {icmp_pair("icmp", "ICMP type", icmp_type, icmp_code)}
        {icmp_pair("notICMP", "Not ICMP type", not_icmp_type, not_icmp_code)}
        {(direction == PolicyType::Ingress).then(|| {
            let (m, p) = (methods.clone(), paths.clone());
            view! {
                <div class="field-row" title="HTTP matches: ingress Allow rules only, enforced with application layer policy">
                    {field(form, at, "http.methods", "HTTP methods", format!("{name} HTTP methods"), methods, "GET, POST",
                        move |t| fields::http(t, &p), on_rule_value(direction, i, |r: &mut Rule, v| r.http = v))}
                    {field(form, at, "http.paths", "HTTP paths", format!("{name} HTTP paths"), paths, "/healthz, prefix:/api/",
                        move |t| fields::http(&m, t), on_rule_value(direction, i, |r: &mut Rule, v| r.http = v))}
                </div>
            }
        })}
        {peer_fields(form, direction, i, true, rule.source.clone())}
        {peer_fields(form, direction, i, false, rule.destination.clone())}
    }
}

/// Writes a field's value into rule `i` of `direction` (when it is still there).
pub fn on_rule_value<T>(
    direction: PolicyType,
    i: usize,
    set: impl Fn(&mut Rule, T),
) -> impl Fn(&mut CalicoPolicy, T) {
    move |p, value| {
        if let Some(rule) = rules_mut(p, direction).get_mut(i) {
            set(rule, value);
        }
    }
}
