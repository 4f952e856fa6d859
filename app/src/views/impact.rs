//! The Impact view: drop the flow logs of a real cluster, see what the design would do to that traffic
//! (broken, widened, unchanged, unmatched), look into any flow, and fix it with a suggested rule — or
//! start a new design from the flows themselves.
//! The import and every evaluation run in the analysis worker (`crate::worker`).

mod chart;
mod recommend;
mod table;

use leptos::prelude::*;

use crate::analysis::{Analysis, Before, Phase, use_analysis};
use crate::count::count;
use crate::routes::Route;
use crate::worker::protocol::SkippedLine;

/// Replay flow logs against the design and see what would change.
#[component]
pub fn ImpactView() -> impl IntoView {
    let analysis = use_analysis();
    let loaded = move || analysis.outcome.with(Option::is_some);
    view! {
        <section class="view-impact" aria-label="Impact">
            <h1>"Impact"</h1>
            <p class="lead">
                "Replay the flow logs of a cluster against the design: the “before” is what runs now (see below), the “after” is the design you are editing."
            </p>
            <Upload analysis=analysis/>
            <ImportStatus analysis=analysis/>
            <Show when=move || analysis.holds_uploaded_flows()>
                <p class="notice flows-kept-notice" role="note">
                    "These flow logs are kept in this tab only: a reload or closing the tab discards them (the design itself is saved). Leaving asks first."
                </p>
            </Show>
            <Show when=loaded>
                <Foreign analysis=analysis/>
                <Report analysis=analysis/>
                <Cards analysis=analysis/>
                <recommend::StartFromFlows analysis=analysis/>
                <chart::PairChart analysis=analysis/>
                <table::FlowTable analysis=analysis/>
                <Unused analysis=analysis/>
            </Show>
            <Baseline analysis=analysis/>
        </section>
    }
}

/// The drop zone, the file picker and the sample.
#[component]
fn Upload(analysis: Analysis) -> impl IntoView {
    let (hover, set_hover) = signal(false);
    let take = move |files: Option<web_sys::FileList>| {
        let Some(files) = files else { return };
        let list: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
        if list.is_empty() {
            return;
        }
        let names = list.iter().map(web_sys::File::name).collect();
        analysis.import(list.into_iter().map(Into::into).collect(), names);
    };
    view! {
        <div
            class="dropzone"
            class:hover=hover
            on:dragover=move |ev| {
                ev.prevent_default();
                set_hover.set(true);
            }
            on:dragleave=move |_| set_hover.set(false)
            on:drop=move |ev| {
                ev.prevent_default();
                set_hover.set(false);
                take(ev.data_transfer().and_then(|dt| dt.files()));
            }
        >
            <p>
                "Drop flow logs here — Calico Enterprise/Cloud, Whisker, Goldmane, Hubble or CSV, gzipped or not. Nothing leaves this browser."
            </p>
            <label class="button">
                "Choose files…"
                <input
                    type="file"
                    multiple
                    class="visually-hidden"
                    aria-label="Flow log files"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        take(input.files());
                        input.set_value("");
                    }
                />
            </label>
            <button on:click=move |_| analysis.import_sample()>"Use sample flows"</button>
            <Show when=move || analysis.outcome.with(Option::is_some)>
                <button on:click=move |_| analysis.clear()>"Clear flows"</button>
            </Show>
        </div>
    }
}

/// Progress with Cancel while reading; the error when the upload is not a flow log.
#[component]
fn ImportStatus(analysis: Analysis) -> impl IntoView {
    move || match analysis.phase.get() {
        Phase::Reading { bytes, total } => view! {
            <div class="import-progress" role="status">
                <progress max=total.max(1) value=bytes aria-label="Bytes read"></progress>
                <span class="progress-text">
                    {format!("Reading… {} of {}", human_bytes(bytes), human_bytes(total))}
                </span>
                <button on:click=move |_| analysis.cancel()>"Cancel"</button>
            </div>
        }
        .into_any(),
        Phase::Failed(message) => view! {
            <p class="import-error" role="alert">
                {format!("Could not import: {message}")}
            </p>
        }
        .into_any(),
        Phase::Empty | Phase::Loaded => view! {
            <p class="notice" role="status">
                {move || analysis.notice.get().unwrap_or_default()}
            </p>
        }
        .into_any(),
    }
}

/// How many flows name namespaces the design does not have (the worker asks core), with "Add them"
/// (one undoable edit) and "Hide them" / "Show them" (the flows leave the table and the figures).
#[component]
fn Foreign(analysis: Analysis) -> impl IntoView {
    let foreign = move || {
        analysis.outcome.with(|o| {
            o.as_ref()
                .filter(|o| !o.foreign.is_empty())
                .map(|o| (o.foreign.clone(), o.foreign_hidden))
        })
    };
    move || {
        foreign().map(|(foreign, hidden)| {
            const SHOWN: usize = 6;
            let mut names: Vec<String> = foreign
                .namespaces
                .iter()
                .take(SHOWN)
                .map(|n| n.name.clone())
                .collect();
            if foreign.namespaces.len() > SHOWN {
                names.push(format!("and {} more", foreign.namespaces.len() - SHOWN));
            }
            let flows = count(foreign.flows, "flow");
            let verb = if foreign.flows == 1 { "involves" } else { "involve" };
            let text = if hidden {
                format!(
                    "{flows} hidden: {verb} namespaces not in this design ({}). The figures and the table leave them out.",
                    names.join(", ")
                )
            } else {
                format!(
                    "{flows} {verb} namespaces not in this design ({}): the design has no policy for them, so they are evaluated by their labels alone.",
                    names.join(", ")
                )
            };
            view! {
                <div class="foreign-namespaces" role="region" aria-label="Namespaces not in this design" data-flows=foreign.flows data-hidden=hidden.to_string()>
                    <p>{text}</p>
                    <button class="primary" on:click=move |_| analysis.add_foreign_namespaces()>
                        {format!("Add {} to the design", count(foreign.namespaces.len(), "namespace"))}
                    </button>
                    <button on:click=move |_| analysis.hide_foreign.set(!hidden)>
                        {if hidden { "Show them" } else { "Hide them" }}
                    </button>
                </div>
            }
        })
    }
}

/// Records, skipped lines and records kept with an unreadable trace with their reasons, Hubble event
/// lines, unmatched ends.
#[component]
fn Report(analysis: Analysis) -> impl IntoView {
    let report = move || {
        analysis.outcome.get().map(|o| {
            let located = |lines: &[SkippedLine]| {
                lines
                    .iter()
                    .map(|e| {
                        view! { <li>{format!("line {}:{}: {}", e.line, e.column, e.reason)}</li> }
                    })
                    .collect_view()
            };
            let skipped = located(&o.errors);
            let warned = located(&o.warnings);
            let unmatched = o
                .unmatched_reasons
                .iter()
                .map(|(reason, n)| view! { <li>{format!("{}: {reason}", count(*n, "flow"))}</li> })
                .collect_view();
            view! {
                <dl class="import-report" aria-label="Import report">
                    <dt>"Files"</dt>
                    <dd>{o.files.join(", ")}</dd>
                    <dt>"Format"</dt>
                    <dd data-figure="format">{o.import.format.clone()}</dd>
                    <dt>"Records"</dt>
                    <dd data-figure="records">{o.import.records}</dd>
                    <dt>"Skipped lines"</dt>
                    <dd data-figure="skipped">{o.import.skipped}</dd>
                    <dt>"Event lines (not flows)"</dt>
                    <dd data-figure="events">{o.import.events}</dd>
                    <dt>"Unreadable policy traces"</dt>
                    <dd data-figure="unread-traces">{o.import.unread_traces}</dd>
                    <dt>"Distinct flows"</dt>
                    <dd data-figure="distinct">{o.import.distinct}</dd>
                    {(!o.import.damaged.is_empty()).then(|| view! {
                        <dt>"Cut short"</dt>
                        <dd data-figure="damaged" class="warning">
                            <ul>{o.import.damaged.iter().map(|d| view! { <li>{d.clone()}</li> }).collect_view()}</ul>
                        </dd>
                    })}
                    <dt>"Read in"</dt>
                    <dd data-figure="import-ms" data-ms=format!("{:.0}", o.import_ms)>
                        {format!("{:.0} ms (evaluated in {:.0} ms)", o.import_ms, o.eval_ms)}
                    </dd>
                </dl>
                {(!o.errors.is_empty()).then(|| view! {
                    <details class="skipped-lines">
                        <summary>"Skipped lines and why"</summary>
                        <ul>{skipped}</ul>
                    </details>
                })}
                {(!o.warnings.is_empty()).then(|| view! {
                    <details class="warned-lines">
                        <summary>"Records kept with an unreadable policy trace"</summary>
                        <ul>{warned}</ul>
                    </details>
                })}
                {(!o.unmatched_reasons.is_empty()).then(|| view! {
                    <details class="unmatched-reasons">
                        <summary>"Why some ends are unmatched"</summary>
                        <ul>{unmatched}</ul>
                    </details>
                })}
                {(!o.compile_errors.is_empty()).then(|| view! {
                    <p class="import-error">
                        {format!("Left out (do not compile): {}", o.compile_errors.join("; "))}
                    </p>
                })}
            }
        })
    };
    view! { <section class="impact-report">{report}</section> }
}

/// Broken, widened, unchanged and unmatched, as cards: core's figures and wording.
#[component]
fn Cards(analysis: Analysis) -> impl IntoView {
    let summary = move || {
        analysis
            .outcome
            .with(|o| o.as_ref().map(|o| o.summary.clone()).unwrap_or_default())
    };
    let eval_ms = move || {
        analysis
            .outcome
            .with(|o| o.as_ref().map_or(0.0, |o| o.eval_ms))
    };
    view! {
        <div
            class="impact-cards"
            data-eval-ms=move || format!("{:.1}", eval_ms())
            data-run=move || analysis.outcome.with(|o| o.as_ref().map_or(0, |o| o.run))
        >
            <div class="card broken">
                <span class="figure" data-count="broken">{move || summary().broken}</span>
                <span>"broken"</span>
                <small>{move || summary().broken_connections_line()}</small>
            </div>
            <div class="card widened">
                <span class="figure" data-count="widened">{move || summary().widened}</span>
                <span>"widened"</span>
            </div>
            <div class="card unchanged">
                <span class="figure" data-count="unchanged">{move || summary().unchanged()}</span>
                <span>"unchanged"</span>
                <small>{move || summary().unchanged_line()}</small>
            </div>
            <div class="card unmatched">
                <span class="figure" data-count="unmatched">{move || summary().unmatched}</span>
                <span>"unmatched"</span>
            </div>
            // Shown only when a verdict depends on a fact the flow log does not give.
            <Show when=move || { summary().undecidable > 0 }>
                <div class="card undecidable">
                    <span class="figure" data-count="undecidable">{move || summary().undecidable}</span>
                    <span>"undecidable"</span>
                </div>
            </Show>
        </div>
    }
}

/// Rules of the design no observed flow hit, with a link to the policy editor.
#[component]
fn Unused(analysis: Analysis) -> impl IntoView {
    let studio = crate::state::use_studio();
    let rows = move || {
        let unused = analysis
            .outcome
            .with(|o| o.as_ref().map(|o| o.unused.clone()).unwrap_or_default());
        // The editor opens a Calico policy by its position in the design (`#/editor/<index>`).
        let positions: Vec<Option<usize>> = studio.with(|design| {
            unused
                .iter()
                .map(|u| {
                    design.policies.iter().position(|p| {
                        p.metadata.name == u.policy
                            && p.metadata.namespace == u.namespace
                            && p.tier() == u.tier
                    })
                })
                .collect()
        });
        unused
            .into_iter()
            .zip(positions)
            .map(|(u, position)| {
                let name = match &u.namespace {
                    Some(ns) => format!("{ns}/{}", u.policy),
                    None => u.policy.clone(),
                };
                let link = match position {
                    Some(index) => {
                        view! { <a href=format!("{}/{index}", Route::Editor.href())>{name}</a> }
                            .into_any()
                    }
                    None => view! { <span>{name}</span> }.into_any(),
                };
                view! {
                    <li>
                        {link}
                        {format!(" — tier {}, {} rule {}", u.tier, u.direction.as_str(), u.rule)}
                    </li>
                }
            })
            .collect_view()
    };
    let count = move || {
        analysis
            .outcome
            .with(|o| o.as_ref().map_or(0, |o| o.unused.len()))
    };
    view! {
        <section class="unused-rules">
            <h3>{move || format!("Unused rules ({})", count())}</h3>
            <p class="hint">"Rules no observed flow hit: candidates for removal, or traffic the logs did not see."</p>
            <ul>{rows}</ul>
        </section>
    }
}

/// What the "before" is (the open cluster or the deployed design), and how to move it.
#[component]
fn Baseline(analysis: Analysis) -> impl IntoView {
    let studio = crate::state::use_studio();
    let same = move || studio.with(|design| analysis.baseline.with(|base| base == design));
    let choice = move |before: Before| {
        view! {
            <input
                type="radio"
                name="impact-before"
                prop:checked=move || analysis.before.get() == before
                on:change=move |_| analysis.before.set(before)
            />
        }
    };
    view! {
        <section class="baseline">
            <h3>"Before"</h3>
            <fieldset class="before-choice">
                <legend class="visually-hidden">"Compare the design with"</legend>
                <label>{choice(Before::OpenCluster)}" No policies (open cluster)"</label>
                <label>{choice(Before::Deployed)}" The deployed design (as loaded, or last marked deployed)"</label>
            </fieldset>
            <p class="hint before-explained">
                {move || match analysis.before.get() {
                    Before::OpenCluster => "Everything allowed, as on a cluster that enforces no policy yet: what this design would break if rolled out today (the default until the design is marked deployed).".to_owned(),
                    Before::Deployed if same() => "The design has not changed since it was loaded or last marked deployed.".to_owned(),
                    Before::Deployed => "The design has changed since it was loaded or last marked deployed: the figures compare the two.".to_owned(),
                }}
            </p>
            <button on:click=move |_| analysis.mark_deployed()>
                "Treat the current design as deployed"
            </button>
        </section>
    }
}

/// `1.5 MB`, `320 KB`, `12 B`.
pub fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.0} KB", b as f64 / (1 << 10) as f64),
        b => format!("{b} B"),
    }
}
