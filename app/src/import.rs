//! Import: YAML pasted or dropped into the design. Core's one reader (`design::import`) reads it (every
//! supported kind, multi-document, `kubectl get -o yaml` lists, design documents) and
//! `design::apply_import` places it; a file with any error changes nothing, and the report lists each
//! error at its line and column.

use leptos::prelude::*;
use netpol_core::design::{self, Design};

use crate::count::count;
use crate::state::use_studio;

/// What an import did (or why it did nothing): core's answer, shown as it is.
pub use netpol_core::design::ImportOutcome as ImportReport;

/// Imports `text` (named `file` in the report) into the design as one undoable edit.
pub fn import_text(design: &mut Design, file: &str, text: &str) -> ImportReport {
    design::apply_import(design, design::import(file, text))
}

/// The import panel: paste or drop YAML, then Import.
#[component]
pub fn ImportPanel(on_close: Callback<()>) -> impl IntoView {
    let studio = use_studio();
    let (text, set_text) = signal(String::new());
    let (report, set_report) = signal(None::<ImportReport>);
    let run = move || {
        let pasted = text.get_untracked();
        let mut outcome = None;
        studio.edit(|design| outcome = Some(import_text(design, "pasted.yaml", &pasted)));
        set_report.set(outcome);
    };
    view! {
        <section class="panel import-panel" aria-label="Import">
            <h2>"Import YAML"</h2>
            <p class="muted">
                "Paste Calico or Kubernetes YAML (several documents, or "
                <code>"kubectl get -o yaml"</code>
                " output) or a design document. A file with errors changes nothing."
            </p>
            <textarea
                aria-label="YAML to import"
                class="code"
                rows="10"
                spellcheck="false"
                prop:value=text
                on:input=move |ev| set_text.set(event_target_value(&ev))
            ></textarea>
            <div class="panel-actions">
                <button class="primary" on:click=move |_| run()>"Import"</button>
                <button on:click=move |_| on_close.run(())>"Close"</button>
            </div>
            {move || report.get().map(|report| match report {
                ImportReport::Rejected(errors) => view! {
                    <div class="import-report rejected" role="alert">
                        <p class="error">{format!("Nothing imported: {}.", count(errors.len(), "error"))}</p>
                        <ul>
                            {errors.into_iter().map(|d| {
                                let at = if d.line > 0 { format!("{}:{}:{}", d.file, d.line, d.column) } else { d.file.clone() };
                                view! { <li><code>{at}</code>" "{d.message}</li> }
                            }).collect_view()}
                        </ul>
                    </div>
                }.into_any(),
                ImportReport::Merged { added, replaced, warnings } => view! {
                    <div class="import-report merged" role="status">
                        <p>{format!("Imported: {added} added, {replaced} replaced, {}.", count(warnings.len(), "warning"))}</p>
                        <ul>
                            {warnings.into_iter().map(|d| view! { <li class="muted">{format!("{}:{}:{} {}", d.file, d.line, d.column, d.message)}</li> }).collect_view()}
                        </ul>
                    </div>
                }.into_any(),
                ImportReport::ReplacedDesign(name) => view! {
                    <div class="import-report merged" role="status"><p>{format!("Opened the design “{name}”.")}</p></div>
                }.into_any(),
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netpol_core::design::{SAMPLE_YAML, sample};

    #[test]
    fn a_design_document_replaces_the_design() {
        let mut design = Design::default();
        let report = import_text(&mut design, "sample.yaml", SAMPLE_YAML);
        assert!(
            matches!(report, ImportReport::ReplacedDesign(_)),
            "{report:?}"
        );
        assert_eq!(design, sample());
    }

    #[test]
    fn a_design_document_with_other_resources_is_merged() {
        let text = format!(
            "{SAMPLE_YAML}\n---\napiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: extra\nspec:\n  order: 5\n"
        );
        let mut design = Design::default();
        let report = import_text(&mut design, "mixed.yaml", &text);
        assert!(matches!(report, ImportReport::Merged { .. }), "{report:?}");
        assert!(design.tiers.iter().any(|t| t.metadata.name == "extra"));
    }
}
