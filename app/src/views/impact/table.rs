//! The table of distinct flows: filters, sort by count, and a virtualised body — only the rows in view
//! exist in the page, fetched from the worker a window at a time — where a row expands, in place under
//! it (the rows after it move down), to the before/after walks and, for a flow the design denies,
//! "Suggest a rule". The walks are asked again after every evaluation, so they follow each edit.

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
/// Height of the open flow's detail in pixels (the CSS gives `.flow-detail-row` the same height; the
/// detail scrolls inside it). Fixed, so that the rows under it can be placed without measuring.
const DETAIL_HEIGHT: f64 = 360.0;

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
    // Where the open flow's detail stands: under its row when the row is in the window held (at its
    // position there, which a filter or a new order may have moved), else nowhere.
    let open_at = Memo::new(move |_| {
        let index = analysis.expanded.get()?;
        analysis.rows.with(|w| {
            w.rows
                .iter()
                .position(|r| r.index == index)
                .map(|i| w.offset + i)
        })
    });
    let rows = move || {
        let open_at = open_at.get();
        analysis.rows.with(|window| {
            window
                .rows
                .iter()
                .enumerate()
                .map(|(i, row)| flow_row(analysis, row.clone(), window.offset + i, open_at))
                .collect_view()
        })
    };
    let height = move || {
        let detail = if open_at.get().is_some() {
            DETAIL_HEIGHT
        } else {
            0.0
        };
        format!("{}px", total() as f64 * ROW_HEIGHT + detail)
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
                    <div class="flow-spacer" role="presentation" style:height=height>
                        {rows}
                        <Expanded analysis=analysis open_at=open_at/>
                    </div>
                </div>
            </div>
        </section>
    }
}

/// The top of the row at `position`, below the open detail when it is under an earlier row.
fn row_top(position: usize, open_at: Option<usize>) -> f64 {
    let shift = match open_at {
        Some(open) if open < position => DETAIL_HEIGHT,
        _ => 0.0,
    };
    position as f64 * ROW_HEIGHT + shift
}

/// Scrolls the table body (and, if need be, the page) so that the row clicked and the detail opening
/// under it are in view.
fn reveal_detail(row: &web_sys::Element, position: usize) {
    let Ok(Some(body)) = row.closest(".flow-body") else {
        return;
    };
    let top = row_top(position, None);
    let bottom = top + ROW_HEIGHT + DETAIL_HEIGHT;
    let view = f64::from(body.client_height());
    let scrolled = f64::from(body.scroll_top());
    if bottom > scrolled + view {
        body.set_scroll_top((bottom - view).min(top) as i32);
    }
    if let Some(window) = web_sys::window() {
        let below = body.get_bounding_client_rect().bottom();
        let height = window
            .inner_height()
            .ok()
            .and_then(|h| h.as_f64())
            .unwrap_or(below);
        if below > height {
            body.scroll_into_view_with_bool(false);
        }
    }
}

fn flow_row(
    analysis: Analysis,
    row: FlowRow,
    position: usize,
    open_at: Option<usize>,
) -> impl IntoView {
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
            style:top=format!("{}px", row_top(position, open_at))
            on:click=move |ev| {
                let opening = analysis.expanded.get_untracked() != Some(index);
                analysis.toggle_row(index, position);
                if opening {
                    let row: web_sys::Element = event_target::<web_sys::Element>(&ev);
                    reveal_detail(&row, position);
                }
            }
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

/// The expanded flow, under its row: its walks before and after, and "Suggest a rule" when the design
/// denies it.
#[component]
fn Expanded(analysis: Analysis, open_at: Memo<Option<usize>>) -> impl IntoView {
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
        let position = open_at.get()?;
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
            <div
                class="flow-detail-row"
                role="row"
                style:top=format!("{}px", (position + 1) as f64 * ROW_HEIGHT)
            >
            <div class="flow-detail" role="cell" id="flow-detail" aria-label="Flow detail" tabindex="0">
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
                <p class="detail-notice">{move || analysis.notice.get()}</p>
                {walks}
            </div>
            </div>
        })
    }
}
