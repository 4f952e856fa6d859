//! The Export view: the Fleet repository of the design (netpol-core's exporter), previewed file by
//! file, with the design's lints, and downloaded as a zip made in the page, `PR.md` included; the PR
//! summary (core's diff of the "before" and the current design, with the impact figures when flows
//! are loaded); and the design document itself. Downloading never moves the "before": only "Treat the
//! current design as deployed" does, so the summary pasted after a download still lists the changes.

use leptos::prelude::*;
use netpol_core::design;
use netpol_core::diff::summary::pr_summary_designs;
use netpol_core::export::{DesignExportOptions, FileTree, FleetSettings, export_design, to_zip};
use netpol_core::model::{ApiFlavour, Labels};

use crate::analysis::{Analysis, Before, use_analysis};
use crate::download::{copy_text, download};
use crate::state::use_studio;

mod pod_range;

/// A Fleet repository of the design, per environment.
#[component]
pub fn ExportView() -> impl IntoView {
    let studio = use_studio();
    let analysis = use_analysis();
    let flavour = RwSignal::new(ApiFlavour::CrdV1);
    let settings = RwSignal::new(FleetSettings::default());
    let markdown = pr_markdown(analysis);
    let tree = Memo::new(move |_| {
        let options = DesignExportOptions {
            settings: settings.get(),
            flavour: flavour.get(),
            comments: true,
        };
        let tree = studio.with(|design| export_design(design, &options));
        tree.map(|mut tree| {
            // The pull request's description travels with the repository it describes.
            tree.insert(PR_SUMMARY_FILE, markdown.get());
            tree
        })
        .map_err(|e| e.to_string())
    });
    let selected = RwSignal::new(None::<String>);
    let message = RwSignal::new(None::<String>);
    let download_zip = move |_| {
        let outcome = tree.with(|tree| match tree {
            Ok(tree) => to_zip(tree).map_err(|e| e.to_string()),
            Err(e) => Err(e.clone()),
        });
        let name = format!("{}.zip", settings.with(|s| s.gitrepo_name.clone()));
        let result = outcome.and_then(|bytes| download(&bytes, &name, "application/zip"));
        match result {
            Ok(()) => message.set(Some(format!("Downloaded {name} (with {PR_SUMMARY_FILE})"))),
            Err(e) => message.set(Some(e)),
        }
    };
    let download_design = move |_| {
        let (text, name) = studio.with(|d| {
            (
                design::save(d),
                format!("{}.design.yaml", file_name(&d.name)),
            )
        });
        if let Err(e) = download(text.as_bytes(), &name, "application/yaml") {
            message.set(Some(e));
        }
    };
    view! {
        <section class="view-export" aria-label="Export">
            <h1>"Export"</h1>
            <p class="lead">
                "A Fleet GitOps repository of the design: tiers first, then the baseline and network sets, then one bundle per team, with per-environment overlays. Everything is made in this browser."
            </p>
            <Options flavour=flavour settings=settings/>
            <Environments/>
            <pod_range::PodRange/>
            <div class="export-actions">
                <button class="primary" on:click=download_zip disabled=move || tree.with(Result::is_err)>
                    "Download zip"
                </button>
                <button on:click=download_design>"Download design"</button>
                <span class="notice" role="status">{move || message.get().unwrap_or_default()}</span>
            </div>
            {move || tree.with(|t| t.as_ref().err().map(|e| view! { <p class="import-error" role="alert">{e.clone()}</p> }))}
            <div class="export-preview">
                <FileList tree=tree selected=selected/>
                <FileViewer tree=tree selected=selected/>
            </div>
            <Lints/>
            <PrSummary analysis=analysis markdown=markdown/>
        </section>
    }
}

fn file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "design".to_owned()
    } else {
        cleaned
    }
}

/// API flavour and GitRepo settings.
#[component]
fn Options(flavour: RwSignal<ApiFlavour>, settings: RwSignal<FleetSettings>) -> impl IntoView {
    let text_field = move |label: &'static str,
                           get: fn(&FleetSettings) -> String,
                           put: fn(&mut FleetSettings, String)| {
        view! {
            <label>
                <span>{label}</span>
                <input
                    aria-label=label
                    prop:value=move || settings.with(get)
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        settings.update(|s| put(s, value));
                    }
                />
            </label>
        }
    };
    view! {
        <fieldset class="export-options">
            <legend>"Options"</legend>
            <label>
                <span>"API flavour"</span>
                <select
                    aria-label="API flavour"
                    on:change=move |ev| {
                        flavour.set(if event_target_value(&ev) == "v3" { ApiFlavour::V3 } else { ApiFlavour::CrdV1 });
                    }
                >
                    <option value="crd-v1" selected=move || flavour.get() == ApiFlavour::CrdV1>
                        "crd.projectcalico.org/v1 (no API server needed)"
                    </option>
                    <option value="v3" selected=move || flavour.get() == ApiFlavour::V3>
                        "projectcalico.org/v3"
                    </option>
                </select>
            </label>
            {text_field("GitRepo name", |s| s.gitrepo_name.clone(), |s, v| s.gitrepo_name = v)}
            {text_field("GitRepo namespace", |s| s.gitrepo_namespace.clone(), |s, v| s.gitrepo_namespace = v)}
            {text_field("Repository URL", |s| s.repo_url.clone(), |s, v| s.repo_url = v)}
            {text_field("Branch", |s| s.branch.clone(), |s, v| s.branch = v)}
            {text_field("Polling interval", |s| s.polling_interval.clone(), |s, v| s.polling_interval = v)}
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || settings.with(|s| s.correct_drift)
                    on:change=move |ev| settings.update(|s| s.correct_drift = event_target_checked(&ev))
                />
                "Correct drift"
            </label>
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || settings.with(|s| s.keep_resources)
                    on:change=move |ev| settings.update(|s| s.keep_resources = event_target_checked(&ev))
                />
                "Keep resources when a bundle is deleted"
            </label>
        </fieldset>
    }
}

/// The design's environments and the cluster labels Fleet targets them by (editable).
#[component]
fn Environments() -> impl IntoView {
    let studio = use_studio();
    let rows = move || {
        studio.with(|design| {
            design
                .environments
                .iter()
                .enumerate()
                .map(|(i, env)| {
                    let labels = labels_text(&env.cluster_selector);
                    let name = env.name.clone();
                    view! {
                        <tr>
                            <td>{name.clone()}</td>
                            <td>
                                <input
                                    aria-label=format!("Cluster labels of {name}")
                                    prop:value=labels
                                    on:change=move |ev| {
                                        if let Some(labels) = parse_labels(&event_target_value(&ev)) {
                                            studio.edit("change an environment's cluster labels", |d| {
                                                if let Some(env) = d.environments.get_mut(i) {
                                                    env.cluster_selector = labels;
                                                }
                                            });
                                        }
                                    }
                                />
                            </td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="export-environments">
            <h3>"Environments"</h3>
            <table>
                <thead>
                    <tr>
                        <th>"Environment"</th>
                        <th>"Cluster labels (key=value, …)"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

fn labels_text(labels: &Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `a=b, c=d` → labels; `None` when a part has no `=`.
fn parse_labels(text: &str) -> Option<Labels> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=')?;
            Some((k.trim().to_owned(), v.trim().to_owned()))
        })
        .collect()
}

/// The paths of the export, indented by depth; a click shows the file.
#[component]
fn FileList(
    tree: Memo<Result<FileTree, String>>,
    selected: RwSignal<Option<String>>,
) -> impl IntoView {
    let items = move || {
        tree.with(|tree| {
            let Ok(tree) = tree else { return Vec::new() };
            tree.paths()
                .map(|path| {
                    let depth = path.matches('/').count();
                    let leaf = path.rsplit('/').next().unwrap_or(path).to_owned();
                    let dir = path.rsplit_once('/').map(|(d, _)| format!("{d}/")).unwrap_or_default();
                    let path = path.to_owned();
                    let current = path.clone();
                    view! {
                        <li class=format!("depth-{}", depth.min(6))>
                            <button
                                class="file"
                                data-path=path.clone()
                                aria-pressed=move || (selected.get().as_deref() == Some(current.as_str())).to_string()
                                on:click=move |_| selected.set(Some(path.clone()))
                            >
                                <span class="dir">{dir}</span>
                                {leaf}
                            </button>
                        </li>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let count = move || tree.with(|t| t.as_ref().map_or(0, FileTree::len));
    view! {
        <nav class="file-tree" aria-label="Exported files">
            <h3>{move || format!("Files ({})", count())}</h3>
            <ul>{items}</ul>
        </nav>
    }
}

/// The selected file's text (README.md by default).
#[component]
fn FileViewer(
    tree: Memo<Result<FileTree, String>>,
    selected: RwSignal<Option<String>>,
) -> impl IntoView {
    let shown = move || selected.get().unwrap_or_else(|| "README.md".to_owned());
    let text = move || {
        let path = shown();
        tree.with(|tree| {
            tree.as_ref()
                .ok()
                .and_then(|t| t.get_str(&path).map(str::to_owned))
                .unwrap_or_default()
        })
    };
    view! {
        <section class="file-viewer" aria-label="File contents">
            <h3 class="file-path">{shown}</h3>
            // Focusable: a long file scrolls inside the pre, and the keyboard must be able to scroll it.
            <pre class="yaml" tabindex="0">{text}</pre>
        </section>
    }
}

/// The design's lint findings (its own lint settings), as the findings drawer shows them.
#[component]
fn Lints() -> impl IntoView {
    let findings = crate::findings::use_findings();
    view! {
        <section class="export-lints" aria-labelledby="export-lints-title">
            <h3 id="export-lints-title">{move || format!("Lints ({})", findings.all.with(Vec::len))}</h3>
            <crate::findings::FindingsList findings=findings.all empty="No findings."/>
        </section>
    }
}

/// The file of the downloaded zip that holds the PR summary.
const PR_SUMMARY_FILE: &str = "PR.md";

/// What the summary's "before" is, in its own words.
fn compared_with(before: Before) -> &'static str {
    match before {
        Before::OpenCluster => "an open cluster: no policy enforced yet",
        Before::Deployed => "the deployed design (as loaded, or last marked deployed)",
    }
}

/// The PR summary in Markdown: what changed since the "before", the lints, and the impact figures.
fn pr_markdown(analysis: Analysis) -> Memo<String> {
    let studio = use_studio();
    Memo::new(move |_| {
        let figures = analysis
            .outcome
            .with(|o| o.as_ref().map(|o| o.figures.clone()));
        // The same "before" as the impact figures: the open cluster or the deployed design.
        let before = analysis.before_design();
        let base = compared_with(analysis.before.get());
        studio.with(|after| {
            pr_summary_designs(&before, after, figures)
                .compared_with(base)
                .to_markdown()
        })
    })
}

/// The PR summary, its "before", and the one action that moves the "before".
#[component]
fn PrSummary(analysis: Analysis, markdown: Memo<String>) -> impl IntoView {
    let copied = RwSignal::new(false);
    let deployed = RwSignal::new(false);
    view! {
        <section class="pr-summary" aria-label="PR summary">
            <h3>"Pull-request summary"</h3>
            <p class="hint">
                {move || {
                    let since = match analysis.before.get() {
                        Before::OpenCluster => "Changes from an open cluster (no policy; the Impact view's \"before\")",
                        Before::Deployed => "Changes since the design was loaded or last marked deployed",
                    };
                    if analysis.outcome.with(Option::is_some) {
                        format!("{since}, with the impact on the loaded flows.")
                    } else {
                        format!("{since}. Load flow logs in Impact to add their figures.")
                    }
                }}
            </p>
            <button on:click=move |_| {
                markdown.with(|text| copy_text(text));
                copied.set(true);
            }>"Copy PR summary"</button>
            <span class="notice">{move || if copied.get() { "Copied" } else { "" }}</span>
            <button on:click=move |_| {
                analysis.mark_deployed();
                deployed.set(true);
            }>"Treat the current design as deployed"</button>
            <span class="notice" role="status">
                {move || if deployed.get() { "The current design is now the \"before\"" } else { "" }}
            </span>
            <textarea class="pr-markdown" readonly aria-label="PR summary Markdown" prop:value=move || markdown.get()></textarea>
        </section>
    }
}
