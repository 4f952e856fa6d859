//! Import: YAML pasted or dropped into the design. `netpol_core::yaml` reads it (every supported kind,
//! multi-document, `kubectl get -o yaml` lists); a file with any error changes nothing, and the report
//! lists each error at its line and column.

use leptos::prelude::*;
use netpol_core::design::{Design, DesignNamespace, WorkloadGroup};
use netpol_core::model::Resource;
use netpol_core::yaml::{self, Diagnostic};

use crate::count::count;
use crate::state::use_studio;

/// What an import did (or why it did nothing).
#[derive(Debug, Clone, PartialEq)]
pub enum ImportReport {
    /// Nothing changed: these are the errors.
    Rejected(Vec<Diagnostic>),
    /// The resources were merged: one line per kind, e.g. "2 GlobalNetworkPolicy added".
    Merged {
        added: usize,
        replaced: usize,
        warnings: Vec<Diagnostic>,
    },
    /// The text was a design document; it replaced the design.
    ReplacedDesign(String),
}

/// Adds `resource` to the design, replacing an object of the same kind, namespace and name. Returns
/// whether it replaced one.
fn merge(design: &mut Design, resource: Resource) -> bool {
    fn upsert<T>(list: &mut Vec<T>, item: T, same: impl Fn(&T) -> bool) -> bool {
        match list.iter_mut().find(|x| same(x)) {
            Some(slot) => {
                *slot = item;
                true
            }
            None => {
                list.push(item);
                false
            }
        }
    }
    match resource {
        Resource::CalicoPolicy(p) => {
            let (kind, ns, name) = (
                p.kind,
                p.metadata.namespace.clone(),
                p.metadata.name.clone(),
            );
            upsert(&mut design.policies, p, |x| {
                x.kind == kind && x.metadata.namespace == ns && x.metadata.name == name
            })
        }
        Resource::KubernetesPolicy(p) => {
            let (staged, ns, name) = (
                p.staged,
                p.metadata.namespace.clone(),
                p.metadata.name.clone(),
            );
            upsert(&mut design.kubernetes_policies, p, |x| {
                x.staged == staged && x.metadata.namespace == ns && x.metadata.name == name
            })
        }
        Resource::Tier(t) => {
            let name = t.metadata.name.clone();
            upsert(&mut design.tiers, t, |x| x.metadata.name == name)
        }
        Resource::NetworkSet(s) => {
            let (ns, name) = (s.metadata.namespace.clone(), s.metadata.name.clone());
            upsert(&mut design.network_sets, s, |x| {
                x.metadata.namespace == ns && x.metadata.name == name
            })
        }
        Resource::Namespace(n) => {
            let name = n.metadata.name.clone();
            match design.namespaces.iter_mut().find(|x| x.name == name) {
                Some(existing) => {
                    existing.labels = n.metadata.labels;
                    true
                }
                None => {
                    design.namespaces.push(DesignNamespace {
                        name,
                        labels: n.metadata.labels,
                        ..DesignNamespace::default()
                    });
                    false
                }
            }
        }
        Resource::Workload(w) => {
            let ns_name = w
                .metadata
                .namespace
                .clone()
                .unwrap_or_else(|| "default".to_owned());
            let ns = match design.namespaces.iter().position(|x| x.name == ns_name) {
                Some(i) => i,
                None => {
                    design.namespaces.push(DesignNamespace {
                        name: ns_name,
                        ..DesignNamespace::default()
                    });
                    design.namespaces.len() - 1
                }
            };
            let group = WorkloadGroup {
                name: w.metadata.name.clone(),
                kind: w.kind,
                labels: w.metadata.labels,
                service_account: w.service_account,
                ports: w.ports,
            };
            let name = group.name.clone();
            upsert(&mut design.namespaces[ns].workloads, group, |x| {
                x.name == name
            })
        }
        Resource::ClusterPolicy(p) => {
            let name = p.metadata.name.clone();
            let kind = p.kind;
            upsert(&mut design.cluster_policies, p, |x| {
                x.kind == kind && x.metadata.name == name
            })
        }
        // An IP pool adds its CIDR to the design's pod range (a design keeps CIDRs, not pools).
        Resource::IpPool(p) => {
            let cidr = p.spec.cidr.trim().to_owned();
            upsert(&mut design.pod_cidrs, cidr.clone(), |x| *x == cidr)
        }
    }
}

/// Imports `text` (named `file` in the report) into the design as one undoable edit.
pub fn import_text(design: &mut Design, file: &str, text: &str) -> ImportReport {
    let result = yaml::import(file, text);
    if result.error_count() > 0 {
        return ImportReport::Rejected(
            result
                .diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect(),
        );
    }
    let warnings: Vec<Diagnostic> = result
        .diagnostics
        .into_iter()
        .filter(|d| !d.is_error())
        .collect();
    // The importer lists a design document's own resources beside the design: the text is one design
    // document when those are all it holds.
    if let [only] = result.designs.as_slice()
        && result.resources.len() == netpol_core::design::to_resources(only).resources().count()
    {
        *design = only.clone();
        return ImportReport::ReplacedDesign(only.name.clone());
    }
    let mut next = design.clone();
    let (mut added, mut replaced) = (0, 0);
    for imported in result.resources {
        if merge(&mut next, imported.resource) {
            replaced += 1;
        } else {
            added += 1;
        }
    }
    *design = next;
    ImportReport::Merged {
        added,
        replaced,
        warnings,
    }
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
