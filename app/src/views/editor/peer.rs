//! The source or destination of a Calico rule: every peer field Calico has, each checked by core.

use leptos::prelude::*;
use netpol_core::model::{EntityRule, PolicyType, Rule, ServiceAccountMatch};
use netpol_core::yaml::fields::{self, SelectorPlace};

use super::field::{FormState, field};
use super::rules::{on_rule_value, title};

/// The side of a rule a field writes: `source` or `destination`.
fn side_mut(rule: &mut Rule, source: bool) -> &mut EntityRule {
    if source {
        &mut rule.source
    } else {
        &mut rule.destination
    }
}

/// Sets the service-account match, dropping it when it has neither names nor a selector.
fn set_service_accounts(entity: &mut EntityRule, change: impl FnOnce(&mut ServiceAccountMatch)) {
    let mut accounts = entity.service_accounts.take().unwrap_or_default();
    change(&mut accounts);
    if !accounts.names.is_empty() || accounts.selector.is_some() {
        entity.service_accounts = Some(accounts);
    }
}

/// The fieldset of one side of rule `i` of `direction`.
pub fn peer_fields(
    form: FormState,
    direction: PolicyType,
    i: usize,
    source: bool,
    entity: EntityRule,
) -> impl IntoView {
    let at = Some((direction, i));
    let side = if source { "source" } else { "destination" };
    let name = format!("{} rule {} {side}", title(direction), i + 1);
    let key = |field: &str| format!("{side}.{field}");
    let aria = |field: &str| format!("{name} {field}");
    let write = move |set: fn(&mut EntityRule, String)| {
        on_rule_value(direction, i, move |r: &mut Rule, v: Option<String>| {
            set(side_mut(r, source), v.unwrap_or_default())
        })
    };
    let accounts = entity.service_accounts.clone().unwrap_or_default();
    let empty_means = if source {
        "Empty: any source"
    } else {
        "Empty: any destination"
    };
    view! {
        <fieldset class="peer">
            <legend>{if source { "Source" } else { "Destination" }} <span class="muted">{format!(" · {empty_means}")}</span></legend>
            <div class="field-row">
                {field(form, at, key("selector"), "Selector", aria("selector"), entity.selector.clone().unwrap_or_default(), "app == \"web\"",
                    move |t| fields::selector(t, &format!("{side}.selector"), SelectorPlace::Endpoint),
                    write(|e, v| e.selector = (!v.is_empty()).then_some(v)))}
                {field(form, at, key("notSelector"), "Not selector", aria("not selector"), entity.not_selector.clone().unwrap_or_default(), "",
                    move |t| fields::selector(t, &format!("{side}.notSelector"), SelectorPlace::Endpoint),
                    write(|e, v| e.not_selector = (!v.is_empty()).then_some(v)))}
            </div>
            <div class="field-row">
                {field(form, at, key("namespaceSelector"), "Namespace selector", aria("namespace selector"), entity.namespace_selector.clone().unwrap_or_default(), "kubernetes.io/metadata.name == \"shop\" or global()",
                    move |t| fields::selector(t, &format!("{side}.namespaceSelector"), SelectorPlace::RuleNamespace),
                    write(|e, v| e.namespace_selector = (!v.is_empty()).then_some(v)))}
            </div>
            <div class="field-row">
                {field(form, at, key("serviceAccounts.names"), "Service accounts", aria("service account names"), fields::list_text(&accounts.names), "api, worker",
                    move |t| fields::names(t, &format!("{side}.serviceAccounts.names")),
                    on_rule_value(direction, i, move |r: &mut Rule, names: Vec<String>| set_service_accounts(side_mut(r, source), |a| a.names = names)))}
                {field(form, at, key("serviceAccounts.selector"), "Service account selector", aria("service account selector"), accounts.selector.clone().unwrap_or_default(), "",
                    move |t| fields::selector(t, &format!("{side}.serviceAccounts.selector"), SelectorPlace::Endpoint),
                    on_rule_value(direction, i, move |r: &mut Rule, selector: Option<String>| set_service_accounts(side_mut(r, source), |a| a.selector = selector)))}
            </div>
            <div class="field-row">
                {field(form, at, key("nets"), "Nets", aria("nets"), fields::list_text(&entity.nets), "10.0.0.0/8, 192.0.2.1",
                    move |t| fields::nets(t, &format!("{side}.nets")),
                    on_rule_value(direction, i, move |r: &mut Rule, nets| side_mut(r, source).nets = nets))}
                {field(form, at, key("notNets"), "Not nets", aria("not nets"), fields::list_text(&entity.not_nets), "",
                    move |t| fields::nets(t, &format!("{side}.notNets")),
                    on_rule_value(direction, i, move |r: &mut Rule, nets| side_mut(r, source).not_nets = nets))}
            </div>
            <div class="field-row">
                {field(form, at, key("ports"), "Ports", aria("ports"), fields::list_text(&entity.ports), "443, 8000:8080, http",
                    move |t| fields::ports(t, &format!("{side}.ports")),
                    on_rule_value(direction, i, move |r: &mut Rule, ports| side_mut(r, source).ports = ports))}
                {field(form, at, key("notPorts"), "Not ports", aria("not ports"), fields::list_text(&entity.not_ports), "",
                    move |t| fields::ports(t, &format!("{side}.notPorts")),
                    on_rule_value(direction, i, move |r: &mut Rule, ports| side_mut(r, source).not_ports = ports))}
            </div>
        </fieldset>
    }
}
