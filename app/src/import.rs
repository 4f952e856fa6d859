//! Import: YAML pasted or dropped into the design. Core's one reader (`design::import`) reads it (every
//! supported kind, multi-document, `kubectl get -o yaml` lists, design documents) and
//! `design::apply_import` places it; a file with any error changes nothing, and the report lists each
//! error at its line and column.
//!
//! A Fleet repository (the zip the Export view downloads, or its folder, chosen or dropped) opens as a
//! design: core reads it (`export::read`: per environment as Fleet deploys it, and as a design), and the
//! report lists what came from which file. A repository with errors changes nothing.
//!
//! While the design holds AdminNetworkPolicies, the panel offers their migration to
//! ClusterNetworkPolicy (`import/migrate.rs`).

use leptos::prelude::*;
use leptos::wasm_bindgen::{JsCast, JsValue};
use netpol_core::design::{self, Design};
use netpol_core::export::{self, FileTree};
use netpol_core::yaml::Diagnostic;

use crate::count::count;
use crate::state::use_studio;

mod migrate;

/// What an import did (or why it did nothing): core's answer, shown as it is.
pub use netpol_core::design::ImportOutcome as ImportReport;

/// Imports `text` (named `file` in the report) into the design as one undoable edit.
pub fn import_text(design: &mut Design, file: &str, text: &str) -> ImportReport {
    design::apply_import(design, design::import(file, text))
}

/// What opening a Fleet repository did.
#[derive(Debug, Clone, PartialEq)]
pub enum RepositoryReport {
    /// The design was replaced by the repository's.
    Opened {
        name: String,
        /// `(what, file)`: where each part of the design came from.
        sources: Vec<(String, String)>,
        /// What could not be read or carried over.
        warnings: Vec<Diagnostic>,
    },
    /// Nothing changed: the files are not a repository, or it has errors.
    Rejected {
        reason: String,
        errors: Vec<Diagnostic>,
    },
}

/// Opens the repository `tree` (named `name` in the report) as the design: replaced when the
/// repository reads without errors in every environment, untouched otherwise.
pub fn open_repository(design: &mut Design, name: &str, tree: FileTree) -> RepositoryReport {
    if !export::is_repository(&tree) {
        return RepositoryReport::Rejected {
            reason: format!("{name} holds no fleet.yaml: it is not a Fleet repository"),
            errors: Vec::new(),
        };
    }
    let repo = export::read::read(&format!("{name}/"), tree);
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut warnings: Vec<Diagnostic> = Vec::new();
    for env in &repo.environments {
        for d in repo.input(env).diagnostics {
            let list = if d.is_error() {
                &mut errors
            } else {
                &mut warnings
            };
            if !list.contains(&d) {
                list.push(d);
            }
        }
    }
    if !errors.is_empty() {
        return RepositoryReport::Rejected {
            reason: format!("{name} has errors"),
            errors,
        };
    }
    let (opened, _, notes) = repo.to_design();
    warnings.extend(notes);
    let sources = repo.sources();
    *design = opened;
    RepositoryReport::Opened {
        name: name.to_owned(),
        sources,
        warnings,
    }
}

/// The bytes of a file chosen or dropped in the page.
async fn bytes_of(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| format!("cannot read {}", file.name()))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The repository's name and files: one `.zip`, or the files of a folder (each at its
/// `webkitRelativePath`, which starts with the folder's name).
async fn tree_of(files: Vec<web_sys::File>) -> Result<(String, FileTree), String> {
    if let [file] = files.as_slice()
        && file.name().to_ascii_lowercase().ends_with(".zip")
    {
        let name = file.name();
        let tree = export::unzip(&bytes_of(file).await?).map_err(|e| format!("{name}: {e}"))?;
        let stem = name[..name.len() - 4].to_owned();
        return Ok((stem, tree));
    }
    let mut tree = FileTree::new();
    let mut name = String::new();
    for file in &files {
        let relative = js_sys::Reflect::get(file, &"webkitRelativePath".into())
            .ok()
            .and_then(|v| v.as_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| file.name());
        if name.is_empty() {
            name = relative.split('/').next().unwrap_or_default().to_owned();
        }
        if relative.split('/').any(|part| part == ".git") {
            continue;
        }
        tree.insert(relative, bytes_of(file).await?);
    }
    Ok((name, tree))
}

/// A promise of `target.method(resolve, reject)`: the File and Directory Entries API answers through
/// callbacks.
fn callback_promise(target: &JsValue, method: &'static str) -> js_sys::Promise {
    let target = target.clone();
    js_sys::Promise::new(&mut move |resolve, reject| {
        let function = js_sys::Reflect::get(&target, &method.into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        match function {
            Some(f) => {
                let _ = f.call2(&target, &resolve, &reject);
            }
            None => {
                let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(method));
            }
        }
    })
}

/// The folder a drop holds, if one folder was dropped: its entry (taken while the drop event lasts).
fn dropped_folder(transfer: &web_sys::DataTransfer) -> Option<JsValue> {
    let items = js_sys::Reflect::get(transfer, &"items".into()).ok()?;
    let length = js_sys::Reflect::get(&items, &"length".into())
        .ok()?
        .as_f64()?;
    if length != 1.0 {
        return None;
    }
    let item = js_sys::Reflect::get(&items, &0.into()).ok()?;
    let get_entry = js_sys::Reflect::get(&item, &"webkitGetAsEntry".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let entry = get_entry.call0(&item).ok()?;
    let is_directory = js_sys::Reflect::get(&entry, &"isDirectory".into()).ok()?;
    is_directory.as_bool().unwrap_or(false).then_some(entry)
}

/// Every file below a dropped folder, at its path (which starts with the folder's name).
async fn tree_of_folder(folder: JsValue) -> Result<(String, FileTree), String> {
    let fail = |what: &str| format!("cannot read the dropped folder ({what})");
    let text = |value: &JsValue, key: &str| {
        js_sys::Reflect::get(value, &key.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let name = text(&folder, "name");
    let mut tree = FileTree::new();
    let mut pending = vec![folder];
    while let Some(entry) = pending.pop() {
        let path = text(&entry, "fullPath").trim_start_matches('/').to_owned();
        if path.split('/').any(|part| part == ".git") {
            continue;
        }
        let directory = js_sys::Reflect::get(&entry, &"isDirectory".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if directory {
            let create = js_sys::Reflect::get(&entry, &"createReader".into())
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
                .ok_or_else(|| fail("no directory reader"))?;
            let reader = create
                .call0(&entry)
                .map_err(|_| fail("no directory reader"))?;
            // `readEntries` answers in batches until an empty one.
            loop {
                let batch =
                    wasm_bindgen_futures::JsFuture::from(callback_promise(&reader, "readEntries"))
                        .await
                        .map_err(|_| fail(&path))?;
                let batch = js_sys::Array::from(&batch);
                if batch.length() == 0 {
                    break;
                }
                pending.extend(batch.iter());
            }
        } else {
            let file = wasm_bindgen_futures::JsFuture::from(callback_promise(&entry, "file"))
                .await
                .map_err(|_| fail(&path))?
                .dyn_into::<web_sys::File>()
                .map_err(|_| fail(&path))?;
            tree.insert(path, bytes_of(&file).await?);
        }
    }
    Ok((name, tree))
}

/// Text handed to the Import panel from elsewhere (the editor's "Import instead" for a paste too large
/// for one policy): the top bar opens the panel, which takes the text.
#[derive(Clone, Copy)]
pub struct PendingImport(pub RwSignal<Option<String>>);

/// The import panel: paste or drop YAML, then Import; or open a Fleet repository.
#[component]
pub fn ImportPanel(on_close: Callback<()>) -> impl IntoView {
    let studio = use_studio();
    let (text, set_text) = signal(String::new());
    // Text handed over now or while the panel is open: imported by the Import button, and shown as
    // its size only (a megabyte in a textarea freezes the tab's layout).
    let handed = RwSignal::new(None::<String>);
    if let Some(pending) = use_context::<PendingImport>() {
        Effect::new(move || {
            if pending.0.with(Option::is_some)
                && let Some(text) = pending.0.try_update(Option::take).flatten()
            {
                handed.set(Some(text));
            }
        });
    }
    let (report, set_report) = signal(None::<ImportReport>);
    let (repo_report, set_repo_report) = signal(None::<RepositoryReport>);
    // A folder picker: `webkitdirectory` (every browser has it) is set once the input exists.
    let folder = NodeRef::<leptos::html::Input>::new();
    Effect::new(move || {
        if let Some(input) = folder.get() {
            input.set_webkitdirectory(true);
        }
    });
    // Files chosen or dropped (a zip, or a chosen folder's files), or a dropped folder's entry.
    let open = move |files: Vec<web_sys::File>, folder: Option<JsValue>| {
        if files.is_empty() && folder.is_none() {
            return;
        }
        set_report.set(None);
        leptos::task::spawn_local(async move {
            let read = match folder {
                Some(folder) => tree_of_folder(folder).await,
                None => tree_of(files).await,
            };
            let outcome = match read {
                Ok((name, tree)) => {
                    let mut outcome = None;
                    studio.edit(format!("open repository {name}"), |design| {
                        outcome = Some(open_repository(design, &name, tree));
                    });
                    outcome
                }
                Err(reason) => Some(RepositoryReport::Rejected {
                    reason,
                    errors: Vec::new(),
                }),
            };
            set_repo_report.set(outcome);
        });
    };
    let open_files = move |list: Option<web_sys::FileList>| {
        let files = list
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default();
        open(files, None);
    };
    let run = move || {
        set_repo_report.set(None);
        let pasted = handed
            .try_update(Option::take)
            .flatten()
            .unwrap_or_else(|| text.get_untracked());
        let mut outcome = None;
        studio.edit("import pasted YAML", |design| {
            outcome = Some(import_text(design, "pasted.yaml", &pasted));
        });
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
            {move || {
                handed
                    .with(|h| h.as_ref().map(String::len))
                    .map(|bytes| {
                        view! {
                            <p class="handed" role="status" data-bytes=bytes>
                                {format!(
                                    "{} KB from the policy editor, ready: Import reads it.",
                                    bytes.div_ceil(1024),
                                )}
                                " "
                                <button on:click=move |_| handed.set(None)>"Discard"</button>
                            </p>
                        }
                    })
            }}
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
            <div
                class="dropzone repository-drop"
                on:dragover=move |ev| ev.prevent_default()
                on:drop=move |ev| {
                    ev.prevent_default();
                    let Some(transfer) = ev.data_transfer() else {
                        return;
                    };
                    match dropped_folder(&transfer) {
                        Some(folder) => open(Vec::new(), Some(folder)),
                        None => open_files(transfer.files()),
                    }
                }
            >
                <p>
                    "Open a Fleet repository as the design: the zip the Export view downloads, or its folder (choose it, or drop it here). It replaces the design (Undo takes it back)."
                </p>
                <label class="button">
                    "Repository zip…"
                    <input
                        type="file"
                        accept=".zip"
                        class="visually-hidden"
                        aria-label="Fleet repository zip"
                        on:change=move |ev| {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            open_files(input.files());
                            input.set_value("");
                        }
                    />
                </label>
                <label class="button">
                    "Repository folder…"
                    <input
                        type="file"
                        node_ref=folder
                        class="visually-hidden"
                        aria-label="Fleet repository folder"
                        on:change=move |ev| {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            open_files(input.files());
                            input.set_value("");
                        }
                    />
                </label>
            </div>
            {move || repo_report.get().map(|report| match report {
                RepositoryReport::Rejected { reason, errors } => view! {
                    <div class="import-report rejected" role="alert">
                        <p class="error">{format!("Nothing opened: {reason}.")}</p>
                        <ul>
                            {errors.into_iter().map(|d| view! { <li><code>{located(&d)}</code>" "{d.message}</li> }).collect_view()}
                        </ul>
                    </div>
                }.into_any(),
                RepositoryReport::Opened { name, sources, warnings } => view! {
                    <div class="import-report merged repository-report" role="status">
                        <p>{format!("Opened the Fleet repository “{name}”: {}, {}.", count(sources.len(), "source"), count(warnings.len(), "warning"))}</p>
                        <table class="sources">
                            <thead><tr><th>"From"</th><th>"What"</th></tr></thead>
                            <tbody>
                                {sources.into_iter().map(|(what, file)| view! { <tr><td><code>{file}</code></td><td>{what}</td></tr> }).collect_view()}
                            </tbody>
                        </table>
                        <ul>
                            {warnings.into_iter().map(|d| view! { <li class="muted"><code>{located(&d)}</code>" "{d.message}</li> }).collect_view()}
                        </ul>
                    </div>
                }.into_any(),
            })}
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
            <migrate::MigrateAdminPolicies/>
        </section>
    }
}

/// `file:line:column`, or the file alone for a problem of the whole file.
fn located(d: &Diagnostic) -> String {
    if d.line > 0 {
        format!("{}:{}:{}", d.file, d.line, d.column)
    } else {
        d.file.clone()
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
    fn a_fleet_repository_opens_as_its_design_and_says_where_each_part_came_from() {
        let tree =
            export::export_design(&sample(), &export::DesignExportOptions::default()).unwrap();
        let zip = export::to_zip(&tree).unwrap();
        let mut design = Design::default();
        let report = open_repository(
            &mut design,
            "network-policies",
            export::unzip(&zip).unwrap(),
        );
        let RepositoryReport::Opened {
            sources, warnings, ..
        } = report
        else {
            panic!("{report:?}");
        };
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(
            sources
                .iter()
                .any(|(_, file)| file == "network-policies/studio/design.json")
        );
        let sample = sample();
        assert_eq!(design.namespaces, sample.namespaces);
        assert_eq!(design.layout, sample.layout);
        assert_eq!(design.policies.len(), sample.policies.len());
    }

    #[test]
    fn files_that_are_no_repository_change_nothing() {
        let mut tree = FileTree::new();
        tree.insert("notes.yaml", "a: 1\n");
        let mut design = sample();
        let report = open_repository(&mut design, "notes", tree);
        assert!(
            matches!(report, RepositoryReport::Rejected { .. }),
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
