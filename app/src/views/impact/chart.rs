//! Changes per namespace pair, as horizontal SVG bars (broken in red, widened in amber).

use leptos::prelude::*;

use crate::analysis::Analysis;

/// How many pairs the chart shows (the most changed).
const PAIRS: usize = 12;
const BAR_HEIGHT: f64 = 22.0;
const LABEL_WIDTH: f64 = 300.0;
const BAR_WIDTH: f64 = 380.0;

/// The bar chart of broken and widened flows per (source, destination) namespace pair.
#[component]
pub fn PairChart(analysis: Analysis) -> impl IntoView {
    let chart = move || {
        analysis.outcome.with(|outcome| {
            let pairs = outcome
                .as_ref()
                .map(|o| o.pairs.iter().take(PAIRS).cloned().collect::<Vec<_>>())
                .unwrap_or_default();
            if pairs.is_empty() {
                return view! { <p class="hint">"No flow changes verdict."</p> }.into_any();
            }
            let max = pairs
                .iter()
                .map(|p| p.changed())
                .max()
                .unwrap_or(1)
                .max(1) as f64;
            let height = pairs.len() as f64 * BAR_HEIGHT + 8.0;
            let bars = pairs
                .into_iter()
                .enumerate()
                .map(|(i, pair)| {
                    let y = i as f64 * BAR_HEIGHT + 4.0;
                    let broken_w = pair.broken as f64 / max * BAR_WIDTH;
                    let widened_w = pair.widened as f64 / max * BAR_WIDTH;
                    let label = pair.label();
                    let figures = pair.line();
                    let title = format!("{label}: {figures}");
                    let pair_attr = label.clone();
                    view! {
                        <g class="pair" data-pair=pair_attr>
                            <title>{title}</title>
                            <text x=LABEL_WIDTH - 8.0 y=y + 15.0 class="pair-label">{label}</text>
                            <rect class="bar-broken" x=LABEL_WIDTH y=y width=broken_w height=BAR_HEIGHT - 6.0></rect>
                            <rect class="bar-widened" x=LABEL_WIDTH + broken_w y=y width=widened_w height=BAR_HEIGHT - 6.0></rect>
                            <text x=LABEL_WIDTH + broken_w + widened_w + 6.0 y=y + 15.0 class="pair-figures">
                                {figures}
                            </text>
                        </g>
                    }
                })
                .collect_view();
            view! {
                <svg
                    class="pair-chart"
                    role="img"
                    aria-label="Changes per namespace pair"
                    viewBox=format!("0 0 {} {height}", LABEL_WIDTH + BAR_WIDTH + 160.0)
                    height=height
                >
                    {bars}
                </svg>
            }
            .into_any()
        })
    };
    view! {
        <section class="impact-chart">
            <h3>"Changes per namespace pair"</h3>
            {chart}
        </section>
    }
}
