//! One checked field of the Calico policy form. What is typed is read by core (`yaml::fields`) and
//! the policy it would make is checked by core (`yaml::check_calico_policy`, the checks of `netpol
//! validate`) on every keystroke; the message shows under the field. Leaving the field applies a
//! value that checks as one undoable edit; one that does not leaves the design as it was and the
//! text as typed, kept aside (`Drafts`) so a re-render of the form does not lose it either.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use leptos::prelude::*;
use netpol_core::model::{CalicoPolicy, PolicyType};
use netpol_core::yaml;

use crate::state::{Studio, use_studio};

use super::FILE;

/// Which rule a field belongs to (`None`: the policy's own fields).
pub type RuleAt = Option<(PolicyType, usize)>;

/// A field of the form: the rule it belongs to and its name within it (`destination.nets`).
pub type FieldKey = (RuleAt, String);

/// The form's state that outlives a re-render (each applied edit re-renders it): texts typed that do
/// not check, and which rules are open.
#[derive(Clone, Copy)]
pub struct FormState {
    pub index: usize,
    pub drafts: RwSignal<HashMap<FieldKey, String>>,
    pub open_rules: RwSignal<HashSet<(PolicyType, usize)>>,
}

impl FormState {
    pub fn new(index: usize) -> FormState {
        FormState {
            index,
            drafts: RwSignal::new(HashMap::new()),
            open_rules: RwSignal::new(HashSet::new()),
        }
    }

    /// After rules of `direction` moved or went: where rule `i` is now (`None`: gone), for the open
    /// rules and the drafts alike.
    pub fn reindex(&self, direction: PolicyType, to: impl Fn(usize) -> Option<usize>) {
        let map = |at: RuleAt| match at {
            Some((d, i)) if d == direction => to(i).map(|j| Some((d, j))),
            other => Some(other),
        };
        self.open_rules.update(|open| {
            *open = open
                .drain()
                .filter_map(|(d, i)| map(Some((d, i))).flatten())
                .collect();
        });
        self.drafts.update(|drafts| {
            *drafts = drafts
                .drain()
                .filter_map(|((at, name), text)| map(at).map(|at| ((at, name), text)))
                .collect();
        });
    }
}

/// The policy `index` would be after `change`, and core's errors about it (none: it can be applied).
fn candidate_errors(
    studio: Studio,
    index: usize,
    change: impl FnOnce(&mut CalicoPolicy),
) -> Option<String> {
    let mut candidate = studio.with_untracked(|design| design.policies.get(index).cloned())?;
    change(&mut candidate);
    let errors: Vec<String> = yaml::check_calico_policy(FILE, &candidate)
        .into_iter()
        .filter(yaml::Diagnostic::is_error)
        .map(|d| d.message)
        .collect();
    (!errors.is_empty()).then(|| errors.join("; "))
}

/// Applies `change` to `design.policies[index]` as one undoable edit named "<what> in policy
/// <name>" (`what` like "remove egress rule 2"), unless core refuses the result: then its message.
pub fn apply(
    studio: Studio,
    index: usize,
    what: &str,
    change: impl Fn(&mut CalicoPolicy),
) -> Result<(), String> {
    if let Some(errors) = candidate_errors(studio, index, &change) {
        return Err(errors);
    }
    let name = studio.with_untracked(|design| {
        design
            .policies
            .get(index)
            .map_or_else(String::new, |p| p.metadata.name.clone())
    });
    studio.edit(format!("{what} in policy {name}"), |design| {
        if let Some(slot) = design.policies.get_mut(index) {
            change(slot);
        }
    });
    Ok(())
}

/// Core's reader of a field's text.
pub type Read<T> = Rc<dyn Fn(&str) -> Result<T, String>>;

/// Puts a field's value into the policy.
pub type Write<T> = Rc<dyn Fn(&mut CalicoPolicy, T)>;

/// What a field reads its text into, and how that value goes into the policy.
pub struct Spec<T> {
    /// The field's place (drafts and the element ids are keyed by it).
    pub key: FieldKey,
    /// The visible label.
    pub label: &'static str,
    /// The accessible name ("Egress rule 2 destination nets").
    pub aria: String,
    /// The model's value as text.
    pub value: String,
    pub placeholder: &'static str,
    /// One `key=value` per line rather than one line.
    pub multiline: bool,
    /// Core's reader of the text.
    pub read: Read<T>,
    /// Puts the read value into the policy.
    pub write: Write<T>,
}

/// `text` with its first letter in lower case ("edit Egress rule 2 nets" → "edit egress rule 2 nets").
fn lowercase_first(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) if chars.clone().all(|c| !c.is_uppercase()) => {
                    first.to_lowercase().chain(chars).collect()
                }
                _ => word.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A DOM id for a field's message, from its key.
fn message_id(index: usize, key: &FieldKey) -> String {
    let rule = match key.0 {
        Some((PolicyType::Ingress, i)) => format!("ingress-{i}-"),
        Some((PolicyType::Egress, i)) => format!("egress-{i}-"),
        None => String::new(),
    };
    format!("field-{index}-{rule}{}", key.1.replace('.', "-"))
}

/// A labelled, checked text field (see the module documentation).
pub fn checked_field<T: Clone + 'static>(form: FormState, spec: Spec<T>) -> impl IntoView {
    let studio = use_studio();
    let Spec {
        key,
        label,
        aria,
        value,
        placeholder,
        multiline,
        read,
        write,
    } = spec;
    let index = form.index;
    let draft = form.drafts.with_untracked(|d| d.get(&key).cloned());
    let text = RwSignal::new(draft.clone().unwrap_or(value));
    let check = {
        let (read, write) = (read.clone(), write.clone());
        move |typed: &str| -> Option<String> {
            match read(typed) {
                Err(message) => Some(message),
                Ok(value) => candidate_errors(studio, index, |p| write(p, value)),
            }
        }
    };
    let error = RwSignal::new(draft.as_deref().and_then(&check));
    let on_input = {
        let key = key.clone();
        let check = check.clone();
        move |typed: String| {
            let problem = check(&typed);
            form.drafts.update(|drafts| {
                if problem.is_some() {
                    drafts.insert(key.clone(), typed.clone());
                } else {
                    drafts.remove(&key);
                }
            });
            error.set(problem);
            text.set(typed);
        }
    };
    let what = lowercase_first(&format!("edit {aria}"));
    let on_change = move |typed: String| {
        let Ok(value) = read(&typed) else { return };
        let write = write.clone();
        if let Err(message) = apply(studio, index, &what, move |p| write(p, value.clone())) {
            error.set(Some(message));
        }
    };
    let described = message_id(index, &key);
    let input = if multiline {
        let (on_input, on_change) = (on_input.clone(), on_change.clone());
        view! {
            <textarea
                class="code"
                rows="2"
                aria-label=aria.clone()
                placeholder=placeholder
                spellcheck="false"
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=described.clone()
                prop:value=move || text.get()
                on:input=move |ev| on_input(event_target_value(&ev))
                on:change=move |ev| on_change(event_target_value(&ev))
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                class="code"
                aria-label=aria.clone()
                placeholder=placeholder
                spellcheck="false"
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=described.clone()
                prop:value=move || text.get()
                on:input=move |ev| on_input(event_target_value(&ev))
                on:change=move |ev| on_change(event_target_value(&ev))
            />
        }
        .into_any()
    };
    view! {
        <label class="field">
            <span class="field-label">{label}</span>
            {input}
            <span class="error field-error" id=described>{move || error.get()}</span>
        </label>
    }
}

/// A field whose text is read by `read` and written by `write` (shorthand for [`Spec`]).
#[allow(clippy::too_many_arguments)]
pub fn field<T: Clone + 'static>(
    form: FormState,
    at: RuleAt,
    name: impl Into<String>,
    label: &'static str,
    aria: String,
    value: String,
    placeholder: &'static str,
    read: impl Fn(&str) -> Result<T, String> + 'static,
    write: impl Fn(&mut CalicoPolicy, T) + 'static,
) -> impl IntoView {
    checked_field(
        form,
        Spec {
            key: (at, name.into()),
            label,
            aria,
            value,
            placeholder,
            multiline: false,
            read: Rc::new(read),
            write: Rc::new(write),
        },
    )
}
