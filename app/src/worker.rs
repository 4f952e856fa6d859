//! The analysis worker: flow-log import and impact evaluation off the page's thread, so that a million
//! lines never freeze the page.
//!
//! The worker is a wasm module of its own (`src/bin/netpol-worker.rs` calls [`run`]; `public/worker.js`
//! loads it inside a module worker), so the page's module carries none of this. The page talks to it
//! through [`client`]; the messages are in [`protocol`]. Every answer about policy comes from
//! `netpol-core` (`flows` imports, `impact` evaluates, explains and suggests).

pub mod client;
pub mod protocol;
mod table;

use std::cell::RefCell;
use std::rc::Rc;

use leptos::wasm_bindgen::JsCast;
use leptos::wasm_bindgen::prelude::*;
use netpol_core::design::{self, Design};
use netpol_core::flows::{FlowImporter, FlowSet, ImportOptions};
use netpol_core::impact::{
    ForeignNamespaces, Impact, ImpactFigures, ImpactOptions, ImpactReport, SuggestOptions,
    suggestions_outcome,
};
use netpol_core::recommend::{self, RecommendOptions};
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use protocol::{Outcome, Recommended, Request, Response, SkippedLine};

/// Bytes read from an upload at a time: large enough that the per-chunk overhead vanishes, small
/// enough that progress moves smoothly.
const CHUNK_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

/// Everything the worker holds between messages.
#[derive(Default)]
struct WorkerState {
    designs: Option<(Design, Design)>,
    /// Leave out the flows of namespaces the design lacks (`DesignPair::hide_foreign`).
    hide_foreign: bool,
    impact: Option<Impact>,
    flows: Option<LoadedFlows>,
    report: Option<ImpactReport>,
    table: table::TableCache,
    runs: u64,
}

/// An imported flow set and how it was read.
struct LoadedFlows {
    set: FlowSet,
    files: Vec<String>,
    import_ms: f64,
    lines: ImportLines,
}

/// The lines the import skipped (`errors`) or kept with an unreadable policy trace (`warnings`), of
/// every file so far, each named by its file when there are several.
#[derive(Debug, Default)]
struct ImportLines {
    errors: Vec<SkippedLine>,
    warnings: Vec<SkippedLine>,
}

impl ImportLines {
    /// Takes the lines the file `name` (one of `files`) added to `set`, whose summary keeps those of
    /// every file merged so far.
    fn add_file(&mut self, set: &FlowSet, name: &str, files: usize) {
        let prefix = if files > 1 {
            format!("{name}: ")
        } else {
            String::new()
        };
        let s = set.summary();
        for (seen, new) in [
            (&mut self.errors, &s.errors),
            (&mut self.warnings, &s.warnings),
        ] {
            let taken = seen.len();
            seen.extend(new.iter().skip(taken).map(|e| SkippedLine {
                line: e.line,
                column: e.column,
                reason: format!("{prefix}{}", e.reason),
            }));
        }
    }
}

/// Starts answering the page's messages. Called by the worker module's `main`.
pub fn run() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let state = Rc::new(RefCell::new(WorkerState::default()));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let mut state = state.borrow_mut();
        handle(&mut state, &event);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&Response::Ready);
}

fn post(response: &Response) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    match serde_json::to_string(response) {
        Ok(text) => {
            let _ = scope.post_message(&JsValue::from_str(&text));
        }
        Err(err) => {
            let failed = Response::Failed {
                message: format!("the worker could not encode its answer: {err}"),
            };
            if let Ok(text) = serde_json::to_string(&failed) {
                let _ = scope.post_message(&JsValue::from_str(&text));
            }
        }
    }
}

fn handle(state: &mut WorkerState, event: &MessageEvent) {
    let data = event.data();
    let text = js_sys::Reflect::get(&data, &JsValue::from_str("json"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let request: Request = match serde_json::from_str(&text) {
        Ok(request) => request,
        Err(err) => {
            post(&Response::Failed {
                message: format!("the worker got a message it does not understand: {err}"),
            });
            return;
        }
    };
    match request {
        Request::Designs(designs) => {
            let (before, after) = (designs.before, designs.after);
            state.hide_foreign = designs.hide_foreign;
            state.impact = Some(Impact::new(
                &design::to_resources(&before),
                &design::to_resources(&after),
            ));
            state.designs = Some((before, after));
            if state.flows.is_some() {
                evaluate(state, 0.0);
            }
        }
        Request::Import { names } => {
            let files = js_sys::Reflect::get(&data, &JsValue::from_str("files"))
                .map(|v| v.unchecked_into::<js_sys::Array>())
                .ok();
            let blobs: Vec<Blob> = files
                .map(|array| array.iter().map(|v| v.unchecked_into::<Blob>()).collect())
                .unwrap_or_default();
            import(state, names, &blobs);
        }
        Request::Clear => {
            state.flows = None;
            state.report = None;
            state.table = table::TableCache::default();
        }
        Request::Rows {
            query,
            offset,
            limit,
            seq,
        } => {
            let (total, rows) = match (&state.report, &state.flows) {
                (Some(report), Some(flows)) => state
                    .table
                    .window(report, &flows.set, &query, offset, limit),
                _ => (0, Vec::new()),
            };
            post(&Response::Rows {
                seq,
                total,
                offset,
                rows,
            });
        }
        Request::Explain { index } => {
            let (before, after) = match (&mut state.impact, &state.flows) {
                (Some(impact), Some(flows)) => impact.explain(&flows.set, index),
                _ => (None, None),
            };
            post(&Response::Explained {
                index,
                before: before.map(|e| e.to_text()),
                after: after.map(|e| e.to_text()),
            });
        }
        Request::Suggest { index, tier } => suggest(state, index, tier),
        Request::Recommend { namespaces, staged } => recommend(state, namespaces, staged),
        Request::Coverage { design, seq } => {
            let started = now_ms();
            let resources = design::to_resources(&design);
            let coverage = netpol_core::coverage::coverage(&resources);
            let matrix =
                netpol_core::coverage::namespace_matrix(&resources).map_err(|e| e.to_string());
            post(&Response::Coverage(Box::new(protocol::CoverageAnswer {
                seq,
                coverage,
                matrix,
                ms: now_ms() - started,
            })));
        }
    }
}

fn now_ms() -> f64 {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    scope.performance().map_or(0.0, |p| p.now())
}

/// Reads every blob in slices into one flow set, reporting progress; then evaluates.
fn import(state: &mut WorkerState, names: Vec<String>, blobs: &[Blob]) {
    let started = now_ms();
    state.flows = None;
    state.report = None;
    state.table = table::TableCache::default();
    let total: f64 = blobs.iter().map(Blob::size).sum();
    let reader = match FileReaderSync::new() {
        Ok(reader) => reader,
        Err(_) => {
            post(&Response::ImportFailed {
                message: "this browser cannot read files in a worker".to_owned(),
            });
            return;
        }
    };
    let mut set = FlowSet::default();
    let mut lines = ImportLines::default();
    let mut done = 0.0;
    for (name, blob) in names.iter().zip(blobs) {
        let mut importer = FlowImporter::continue_with(set, ImportOptions::default());
        let size = blob.size();
        let mut start = 0.0;
        while start < size {
            let end = (start + CHUNK_BYTES).min(size);
            let chunk = blob
                .slice_with_f64_and_f64(start, end)
                .and_then(|slice| reader.read_as_array_buffer(&slice));
            let bytes = match chunk {
                Ok(buffer) => js_sys::Uint8Array::new(&buffer).to_vec(),
                Err(_) => {
                    post(&Response::ImportFailed {
                        message: format!("{name}: the browser could not read the file"),
                    });
                    return;
                }
            };
            if let Err(err) = importer.feed(&bytes) {
                post(&Response::ImportFailed {
                    message: format!("{name}: {err}"),
                });
                return;
            }
            start = end;
            post(&Response::Progress {
                bytes: (done + start) as u64,
                total: total as u64,
            });
        }
        done += size;
        set = match importer.finish() {
            Ok(set) => set,
            Err(err) => {
                post(&Response::ImportFailed {
                    message: format!("{name}: {err}"),
                });
                return;
            }
        };
        lines.add_file(&set, name, names.len());
    }
    state.flows = Some(LoadedFlows {
        set,
        files: names,
        import_ms: 0.0,
        lines,
    });
    evaluate(state, started);
}

/// Replays the loaded flows against the current designs and posts the outcome. `import_started` is
/// when the import began (0 for a re-evaluation after an edit).
fn evaluate(state: &mut WorkerState, import_started: f64) {
    let started = now_ms();
    let (Some(impact), Some(flows), Some((_, after))) =
        (&mut state.impact, &mut state.flows, &state.designs)
    else {
        return;
    };
    let foreign = ForeignNamespaces::of(&flows.set, &design::to_resources(after));
    let hide = state.hide_foreign && !foreign.is_empty();
    let report = if hide {
        let set = &flows.set;
        impact.run_where(set, ImpactOptions::default(), |f| !foreign.involves(set, f))
    } else {
        impact.run(&flows.set, ImpactOptions::default())
    };
    let finished = now_ms();
    if import_started > 0.0 {
        flows.import_ms = finished - import_started;
    }
    let mut outcome = outcome(&report, flows, finished - started);
    outcome.foreign = foreign;
    outcome.foreign_hidden = hide;
    state.runs += 1;
    outcome.run = state.runs;
    state.table = table::TableCache::default();
    state.report = Some(report);
    post(&Response::Outcome(Box::new(outcome)));
}

fn outcome(report: &ImpactReport, flows: &LoadedFlows, eval_ms: f64) -> Outcome {
    Outcome {
        files: flows.files.clone(),
        bytes: flows.set.summary().bytes,
        errors: flows.lines.errors.clone(),
        warnings: flows.lines.warnings.clone(),
        import: report.import.clone(),
        summary: report.summary.clone(),
        figures: ImpactFigures::from(report),
        unmatched_reasons: report.unmatched_reasons(),
        pairs: report.by_namespace_pair(&flows.set),
        unused: report.unused.clone(),
        compile_errors: report.compile_errors.clone(),
        foreign: ForeignNamespaces::default(),
        foreign_hidden: false,
        eval_ms,
        import_ms: flows.import_ms,
        run: 0,
    }
}

/// Recommends a design from the loaded flows (a fresh design on the default-deny baseline) and proves
/// it against them.
fn recommend(state: &WorkerState, namespaces: Vec<String>, staged: bool) {
    let Some(flows) = &state.flows else {
        post(&Response::Failed {
            message: "load flows first".to_owned(),
        });
        return;
    };
    let started = now_ms();
    let options = RecommendOptions {
        name: "from-flows".to_owned(),
        namespaces,
        staged,
        ..RecommendOptions::default()
    };
    let rec = recommend::recommend(&flows.set, None, &options);
    let proof = recommend::prove(&rec, &flows.set);
    post(&Response::Recommended(Box::new(Recommended {
        figures: proof.figures(),
        namespaces: rec.preview(),
        taxonomy: rec.design.taxonomy.iter().map(|k| k.key.clone()).collect(),
        scope: options.namespaces,
        staged,
        ms: now_ms() - started,
        design: rec.design,
    })));
}

fn suggest(state: &mut WorkerState, index: usize, tier: String) {
    let (Some(impact), Some(flows), Some((_, after))) =
        (&mut state.impact, &state.flows, &state.designs)
    else {
        post(&Response::Suggested {
            index,
            policies: Vec::new(),
            message: Some("load flows first".to_owned()),
        });
        return;
    };
    let options = SuggestOptions::for_designs(&tier, [after]);
    let response = match impact.suggest(&flows.set, index, &options) {
        Ok(suggestions) => Response::Suggested {
            index,
            message: suggestions_outcome(&suggestions).map(str::to_owned),
            policies: suggestions.into_iter().map(|s| s.policy).collect(),
        },
        Err(message) => Response::Suggested {
            index,
            policies: Vec::new(),
            message: Some(message),
        },
    };
    post(&response);
}

#[cfg(test)]
mod tests {
    use netpol_core::design;
    use netpol_core::impact::impact;

    use super::*;

    fn data(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../core/tests/data/flows/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Imports the files as the worker does (one importer per file, continuing the set, in chunks).
    fn load(names: &[&str]) -> LoadedFlows {
        let mut set = FlowSet::default();
        let mut lines = ImportLines::default();
        for name in names {
            let mut importer = FlowImporter::continue_with(set, ImportOptions::default());
            for chunk in data(name).chunks(1000) {
                importer.feed(chunk).expect("a flow log");
            }
            set = importer.finish().expect("a flow log");
            lines.add_file(&set, name, names.len());
        }
        LoadedFlows {
            set,
            files: names.iter().map(|n| (*n).to_owned()).collect(),
            import_ms: 0.0,
            lines,
        }
    }

    #[test]
    fn the_import_report_shows_events_and_unread_traces_apart_from_skipped_lines() {
        let flows = load(&[
            "hubble-with-events.jsonl",
            "calico-unreadable-traces.jsonl",
            "calico-trailing-comma.json",
        ]);
        let resources = design::to_resources(&design::sample());
        let report = impact(&resources, &resources, &flows.set, ImpactOptions::default());
        let o = outcome(&report, &flows, 0.0);
        assert_eq!(o.import.format, "hubble,calico");
        assert_eq!(
            (
                o.import.records,
                o.import.skipped,
                o.import.events,
                o.import.unread_traces
            ),
            (4 + 6 + 1, 2 + 1, 5, 2)
        );
        let at = |lines: &[SkippedLine]| {
            lines
                .iter()
                .map(|l| {
                    (
                        l.line,
                        l.column,
                        l.reason.split(':').next().unwrap_or_default().to_owned(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            at(&o.errors),
            [
                (4, 1, "calico-unreadable-traces.jsonl".to_owned()),
                (5, 1, "calico-unreadable-traces.jsonl".to_owned()),
                (51, 1, "calico-trailing-comma.json".to_owned()),
            ]
        );
        assert_eq!(
            at(&o.warnings),
            [
                (2, 1, "calico-unreadable-traces.jsonl".to_owned()),
                (3, 1, "calico-unreadable-traces.jsonl".to_owned()),
            ]
        );
        assert!(
            o.warnings[0].reason.contains("kept as unknown"),
            "{:?}",
            o.warnings
        );
        // Every row stands for records the import accepted.
        assert_eq!(o.import.distinct, flows.set.flows().len() as u64);
        assert!(report.flows.iter().all(|f| f.count > 0));
    }
}
