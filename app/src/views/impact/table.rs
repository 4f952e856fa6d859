//! The table of distinct flows: filters, sort by count, and a virtualised body — only the rows in view
//! exist in the page, fetched from the worker a window at a time — where a row expands to the
//! before/after walks and, for a flow the design denies, "Suggest a rule".

use leptos::prelude::*;
use netpol_core::model::DEFAULT_TIER;

use crate::analysis::{Analysis, WINDOW_ROWS};
use crate::state::use_studio;
use crate::worker::protocol::FlowRow;

/// Height of one row in pixels (the CSS gives `.flow-row` the same height).
const ROW_HEIGHT: f64 = 28.0;
/// Rows asked for above the first visible one, so that scrolling up shows rows at once.
const ABOVE: usize = 16;
/// Rows visible in the table body (its CSS height over the row height), rounded up.
const VISIBLE: usize = 16;

/// Filters, the virtualised table and the expanded flow.
#[component]
pub fn FlowTable(analysis: Analysis) -> impl IntoView {
    let on_scroll = move |ev: leptos::ev::Event| {
        let body: web_sys::Element = event_target(&ev);
        let first = (f64::from(body.scroll_top()) / ROW_HEIGHT) as usize;
        let start = first.saturating_sub(ABOVE);
        // Ask again only when the visible rows are about to leave the window held.
        let held = analysis.window_start.get_untracked();
        if first < held || first + VISIBLE > held + WINDOW_ROWS {
            analysis.window_start.set(start);
        }
    };
    let total = move || analysis.rows.with(|w| w.total);
    let rows = move || {
        analysis.rows.with(|window| {
            window
                .rows
                .iter()
                .enumerate()
                .map(|(i, row)| flow_row(analysis, row.clone(), window.offset + i))
                .collect_view()
        })
    };
    view! {
        <section class="flow-table" aria-label="Flows">
            <h3>{move || format!("Flows ({})", total())}</h3>
            <Filters analysis=analysis/>
            // A table for assistive technology although only the rows in view exist: aria-rowcount
            // gives the whole count (the heading row included) and each row its aria-rowindex.
            <div class="flow-grid" role="table" aria-label="Distinct flows" aria-rowcount=move || total() + 1>
                <div role="rowgroup">
                    <div class="flow-head" role="row" aria-rowindex="1">
                        <span role="columnheader">"Source"</span>
                        <span role="columnheader">"Destination"</span>
                        <span role="columnheader">"Port"</span>
                        <span role="columnheader">"Count"</span>
                        <span role="columnheader">"Observed"</span>
                        <span role="columnheader">"Before → after"</span>
                        <span role="columnheader">"Change"</span>
                    </div>
                </div>
                <div class="flow-body" role="rowgroup" on:scroll=on_scroll>
                    <div class="flow-spacer" style:height=move || format!("{}px", total() as f64 * ROW_HEIGHT)>
                        {rows}
                    </div>
                </div>
            </div>
            <Expanded analysis=analysis/>
        </section>
    }
}

fn flow_row(analysis: Analysis, row: FlowRow, position: usize) -> impl IntoView {
    let index = row.index;
    let port = row
        .port
        .map_or_else(|| row.protocol.clone(), |p| format!("{}/{p}", row.protocol));
    let verdicts = format!(
        "{} → {}",
        row.before.as_deref().unwrap_or("?"),
        row.after.as_deref().unwrap_or("?")
    );
    let change = row.change.clone();
    view! {
        <div
            class=format!("flow-row change-{change}")
            role="row"
            aria-rowindex=position + 2
            data-flow=index
            class:open=move || analysis.expanded.get() == Some(index)
            style:top=format!("{}px", position as f64 * ROW_HEIGHT)
            on:click=move |_| analysis.toggle_row(index)
        >
            // A row of a table cannot say it is expanded (ARIA allows that in a treegrid only), so the
            // keyboard's way in is a disclosure button in the first cell; its click reaches the row.
            <span role="cell" class="src">
                <button
                    type="button"
                    class="flow-open"
                    title=row.src.clone()
                    aria-expanded=move || (analysis.expanded.get() == Some(index)).to_string()
                    aria-controls="flow-detail"
                >
                    {row.src.clone()}
                </button>
            </span>
            <span role="cell" class="dst" title=row.dst.clone()>{row.dst.clone()}</span>
            <span role="cell">{port}</span>
            <span role="cell" class="count">{row.count}</span>
            <span role="cell">{row.observed.clone()}</span>
            <span role="cell">{verdicts}</span>
            <span role="cell" class="change" title=row.unmatched.clone().or(row.missing.clone()).unwrap_or_default()>
                {change.replace('_', " ")}
            </span>
        </div>
    }
}

/// Namespace, port, change and order.
#[component]
fn Filters(analysis: Analysis) -> impl IntoView {
    let set = move |change: &dyn Fn(&mut crate::worker::protocol::TableQuery)| {
        analysis.query.update(|q| change(q));
        analysis.window_start.set(0);
    };
    view! {
        <div class="flow-filters">
            <input
                type="search"
                placeholder="Namespace"
                aria-label="Filter by namespace"
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    set(&|q| q.namespace = value.clone());
                }
            />
            <input
                type="number"
                min="1"
                max="65535"
                placeholder="Port"
                aria-label="Filter by port"
                on:input=move |ev| {
                    let port = event_target_value(&ev).trim().parse::<u16>().ok();
                    set(&|q| q.port = port);
                }
            />
            <select
                aria-label="Filter by change"
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    set(&|q| q.change = value.clone());
                }
            >
                <option value="">"Any change"</option>
                <option value="broken">"Broken"</option>
                <option value="widened">"Widened"</option>
                <option value="unchanged_allow">"Unchanged allow"</option>
                <option value="unchanged_deny">"Unchanged deny"</option>
                <option value="unmatched">"Unmatched"</option>
                <option value="undecidable">"Undecidable"</option>
            </select>
            <select
                aria-label="Sort"
                on:change=move |ev| {
                    let descending = event_target_value(&ev) != "asc";
                    set(&|q| q.descending = descending);
                }
            >
                <option value="desc">"Most connections first"</option>
                <option value="asc">"Fewest connections first"</option>
            </select>
        </div>
    }
}

/// The expanded flow: its walks before and after, and "Suggest a rule" when the design denies it.
#[component]
fn Expanded(analysis: Analysis) -> impl IntoView {
    let studio = use_studio();
    let tiers = move || {
        studio.with(|design| {
            let mut names: Vec<String> = design
                .tiers
                .iter()
                .map(|t| t.metadata.name.clone())
                .collect();
            if !names.iter().any(|n| n == DEFAULT_TIER) {
                names.push(DEFAULT_TIER.to_owned());
            }
            names
        })
    };
    let (tier, set_tier) = signal(DEFAULT_TIER.to_owned());
    let selected = move || {
        let index = analysis.expanded.get()?;
        analysis
            .rows
            .with(|w| w.rows.iter().find(|r| r.index == index).cloned())
    };
    move || {
        let row = selected()?;
        let index = row.index;
        let denied = row.after.as_deref() == Some("deny");
        let walks = move || {
            analysis.explained.with(|e| match e {
                Some(e) if e.index == index => view! {
                    <div class="walks">
                        <div>
                            <h4>"Before"</h4>
                            <pre>{e.before.clone().unwrap_or_else(|| "not mapped".to_owned())}</pre>
                        </div>
                        <div>
                            <h4>"After"</h4>
                            <pre>{e.after.clone().unwrap_or_else(|| "not mapped".to_owned())}</pre>
                        </div>
                    </div>
                }
                .into_any(),
                _ => view! { <p class="hint">"Explaining…"</p> }.into_any(),
            })
        };
        Some(view! {
            <div class="flow-detail" id="flow-detail" aria-label="Flow detail">
                <h4>
                    {format!(
                        "{} → {} {}{}",
                        row.src,
                        row.dst,
                        row.protocol,
                        row.port.map(|p| format!("/{p}")).unwrap_or_default(),
                    )}
                </h4>
                {row.unmatched.clone().map(|why| view! { <p class="hint">{format!("Unmatched: {why}")}</p> })}
                {row.missing.clone().map(|what| view! { <p class="hint">{format!("Undecidable: depends on {what}, which the flow log does not give")}</p> })}
                <Show when=move || denied>
                    <div class="suggest">
                        <label>
                            "Tier "
                            <select
                                aria-label="Tier of the suggested rule"
                                on:change=move |ev| set_tier.set(event_target_value(&ev))
                            >
                                {move || {
                                    tiers()
                                        .into_iter()
                                        .map(|name| {
                                            let chosen = name == tier.get_untracked();
                                            view! { <option value=name.clone() selected=chosen prop:selected=chosen>{name.clone()}</option> }
                                        })
                                        .collect_view()
                                }}
                            </select>
                        </label>
                        <button class="primary" on:click=move |_| analysis.suggest(index, tier.get_untracked())>
                            "Suggest a rule"
                        </button>
                    </div>
                </Show>
                {walks}
            </div>
        })
    }
}
