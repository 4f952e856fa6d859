//! The impact analysis as the page sees it: the "before" design (baseline), the flows loaded into the
//! worker, the outcome of the last evaluation and the table window on screen. Shared through context so
//! that the Impact and Export views (and the PR summary) see the same figures.
//!
//! The "before" is either the open cluster (the design's estate with no policy: everything allowed,
//! `netpol_core::design::open_cluster`), the default until the design is marked deployed, or the
//! baseline: the design as it was loaded or last marked deployed ("Treat the current design as
//! deployed"; downloading the export does not move it), what is deployed. The "after" is the design
//! being edited; every edit sends both to the worker, which re-evaluates the loaded flows.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use netpol_core::design::{Design, open_cluster};
use netpol_core::model::CalicoPolicy;

use crate::routes::Route;
use crate::state::{Studio, decode_stored_design, use_studio};
use crate::worker::client::WorkerLink;
use crate::worker::protocol::{
    CoverageAnswer, DesignPair, FlowRow, Outcome, Recommended, Request, Response, TableQuery,
};

/// Where the baseline is kept between visits.
const BASELINE_KEY: &str = "netpol-studio/baseline";
/// Where the choice of "before" is kept between visits.
const BEFORE_KEY: &str = "netpol-studio/before";

/// What the impact compares the design with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Before {
    /// No policy at all: every flow allowed. What the design would break if rolled out today on a
    /// cluster that enforces nothing yet; the default until the design is marked deployed.
    OpenCluster,
    /// The baseline: the design as last marked deployed (or as loaded).
    Deployed,
}

impl Before {
    fn as_str(self) -> &'static str {
        match self {
            Before::OpenCluster => "open-cluster",
            Before::Deployed => "deployed",
        }
    }
}

/// The sample flow log shipped with the site: the sample design's estate (`app/samples/sample-flows.py`).
pub const SAMPLE_FLOWS: &str = "samples/sample-design-flows.jsonl.gz";

/// The state of the flow import.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// No flows loaded.
    Empty,
    /// Reading an upload: bytes read of the total.
    Reading { bytes: u64, total: u64 },
    /// The upload is not a flow log (or could not be read).
    Failed(String),
    /// Flows are loaded; `outcome` holds the figures.
    Loaded,
}

/// A window of the flow table, as the worker sent it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowsWindow {
    pub total: usize,
    pub offset: usize,
    pub rows: Vec<FlowRow>,
}

/// The before/after walks of the expanded flow.
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    pub index: usize,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The analysis state. Cheap to copy (signals and a handle).
#[derive(Clone, Copy)]
pub struct Analysis {
    link: StoredValue<Option<WorkerLink>, LocalStorage>,
    studio: Studio,
    /// The deployed design: as loaded or last marked deployed.
    pub baseline: RwSignal<Design>,
    /// Which "before" the impact compares with.
    pub before: RwSignal<Before>,
    pub phase: RwSignal<Phase>,
    /// The figures of the last evaluation (`None` until flows are loaded).
    pub outcome: RwSignal<Option<Outcome>>,
    /// The table's filter and order.
    pub query: RwSignal<TableQuery>,
    /// The first row the table asks for.
    pub window_start: RwSignal<usize>,
    pub rows: RwSignal<RowsWindow>,
    /// The expanded row (flow index).
    pub expanded: RwSignal<Option<usize>>,
    /// Where the expanded row stands in the table's order (its detail opens under it).
    pub expanded_position: RwSignal<usize>,
    /// Leave out the flows of namespaces the design does not have ("hide them").
    pub hide_foreign: RwSignal<bool>,
    pub explained: RwSignal<Option<Explained>>,
    /// A message for the user (a suggestion added, a worker problem).
    pub notice: RwSignal<Option<String>>,
    /// The edit the notice reports, if it reports one: the notice goes when that edit is no longer
    /// the last (undone, or followed by another), so it never describes a state that is gone.
    notice_edit: StoredValue<Option<String>>,
    /// The design recommended from the loaded flows, waiting to be opened or discarded.
    pub recommended: RwSignal<Option<Recommended>>,
    /// A recommendation is being computed.
    pub recommending: RwSignal<bool>,
    /// The Coverage view's answer for the design it last asked about.
    pub coverage: RwSignal<Option<CoverageAnswer>>,
    seq: StoredValue<u64>,
    coverage_seq: StoredValue<u64>,
}

/// The name of the edit that opens the recommended design (undo history, and the notice tied to it).
const OPEN_RECOMMENDED: &str = "open the design recommended from the flows";

/// How many rows the table asks for at a time.
pub const WINDOW_ROWS: usize = 64;

impl Analysis {
    /// Starts the worker and keeps it fed with the designs.
    pub fn start(studio: Studio) -> Analysis {
        let baseline = read_baseline().unwrap_or_else(|| untrack(|| studio.with(Clone::clone)));
        let analysis = Analysis {
            link: StoredValue::new_local(None),
            studio,
            baseline: RwSignal::new(baseline),
            // Until the design is marked deployed, nothing of it is enforced yet.
            before: RwSignal::new(read_before().unwrap_or(Before::OpenCluster)),
            phase: RwSignal::new(Phase::Empty),
            outcome: RwSignal::new(None),
            query: RwSignal::new(TableQuery {
                descending: true,
                ..TableQuery::default()
            }),
            window_start: RwSignal::new(0),
            rows: RwSignal::new(RowsWindow::default()),
            expanded: RwSignal::new(None),
            expanded_position: RwSignal::new(0),
            hide_foreign: RwSignal::new(false),
            explained: RwSignal::new(None),
            notice: RwSignal::new(None),
            notice_edit: StoredValue::new(None),
            recommended: RwSignal::new(None),
            recommending: RwSignal::new(false),
            coverage: RwSignal::new(None),
            seq: StoredValue::new(0),
            coverage_seq: StoredValue::new(0),
        };
        analysis.spawn();
        // Every edit (and a new baseline) re-evaluates the loaded flows in the worker.
        Effect::new(move |_| {
            let after = studio.with(Clone::clone);
            analysis.baseline.with(write_baseline);
            write_before(analysis.before.get());
            let before = analysis.before_design();
            let hide_foreign = analysis.hide_foreign.get();
            analysis.send(&Request::Designs(Box::new(DesignPair {
                before,
                after,
                hide_foreign,
            })));
        });
        // A notice about an edit goes once that edit is undone or followed by another.
        Effect::new(move |_| {
            let last = studio.next_undo();
            let stale = analysis
                .notice_edit
                .with_value(|edit| edit.as_ref().is_some_and(|e| Some(e) != last.as_ref()));
            if stale {
                analysis.notice_edit.set_value(None);
                analysis.notice.set(None);
            }
        });
        // The table window follows the filter, the scroll position and each new outcome.
        Effect::new(move |_| {
            let query = analysis.query.get();
            let offset = analysis.window_start.get();
            if analysis.outcome.with(Option::is_none) {
                return;
            }
            let seq = analysis.seq.get_value() + 1;
            analysis.seq.set_value(seq);
            analysis.send(&Request::Rows {
                query,
                offset,
                limit: WINDOW_ROWS,
                seq,
            });
        });
        analysis
    }

    fn spawn(self) {
        match WorkerLink::spawn(move |response| self.receive(response)) {
            Ok(link) => self.link.set_value(Some(link)),
            Err(message) => self.notice.set(Some(message)),
        }
    }

    fn send(&self, request: &Request) {
        self.link.with_value(|link| {
            if let Some(link) = link {
                link.send(request);
            }
        });
    }

    fn receive(self, response: Response) {
        match response {
            Response::Ready => {}
            Response::Progress { bytes, total } => self.phase.set(Phase::Reading { bytes, total }),
            Response::ImportFailed { message } => {
                self.outcome.set(None);
                self.phase.set(Phase::Failed(message));
            }
            Response::Outcome(outcome) => {
                self.phase.set(Phase::Loaded);
                self.outcome.set(Some(*outcome));
                // The open flow's walks follow every change of the design.
                if let Some(index) = self.expanded.get_untracked() {
                    self.send(&Request::Explain { index });
                }
            }
            Response::Rows {
                seq,
                total,
                offset,
                rows,
            } => {
                if seq == self.seq.get_value() {
                    self.rows.set(RowsWindow {
                        total,
                        offset,
                        rows,
                    });
                }
            }
            Response::Explained {
                index,
                before,
                after,
            } => self.explained.set(Some(Explained {
                index,
                before,
                after,
            })),
            Response::Suggested {
                policies, message, ..
            } => self.add_suggestions(policies, message),
            Response::Recommended(recommended) => {
                self.recommending.set(false);
                self.recommended.set(Some(*recommended));
            }
            Response::Failed { message } => {
                self.recommending.set(false);
                self.notice.set(Some(message));
            }
            Response::Coverage(answer) => {
                if answer.seq == self.coverage_seq.get_value() {
                    self.coverage.set(Some(*answer));
                }
            }
        }
    }

    /// Asks the worker for the coverage report and namespace matrix of `design` (the Coverage view);
    /// only the answer to the last request is kept.
    pub fn request_coverage(&self, design: Design) {
        let seq = self.coverage_seq.get_value() + 1;
        self.coverage_seq.set_value(seq);
        self.send(&Request::Coverage {
            design: Box::new(design),
            seq,
        });
    }

    /// Asks the worker for a least-privilege design from the loaded flows, covering `namespaces`
    /// (every namespace when empty).
    pub fn recommend(&self, namespaces: Vec<String>, staged: bool) {
        self.recommending.set(true);
        self.send(&Request::Recommend { namespaces, staged });
    }

    /// Replaces the design with the recommended one, as one undoable step, and shows it on the board.
    pub fn open_recommended(&self) {
        let Some(recommended) = self.recommended.get_untracked() else {
            return;
        };
        self.recommended.set(None);
        self.studio.replace(OPEN_RECOMMENDED, recommended.design);
        self.notice.set(Some(
            "Opened the design recommended from the flows (Undo takes it back)".to_owned(),
        ));
        self.notice_edit
            .set_value(Some(OPEN_RECOMMENDED.to_owned()));
        if let Some(window) = web_sys::window() {
            let href = Route::Board.href();
            let _ = window.location().set_hash(href.trim_start_matches('#'));
        }
    }

    /// Forgets the recommended design.
    pub fn discard_recommended(&self) {
        self.recommended.set(None);
    }

    /// Adds suggested policies to the design as one undoable edit.
    fn add_suggestions(&self, policies: Vec<CalicoPolicy>, message: Option<String>) {
        if policies.is_empty() {
            self.notice.set(message);
            return;
        }
        let mut names: Vec<String> = policies
            .iter()
            .map(|p| match &p.metadata.namespace {
                Some(ns) => format!("{ns}/{}", p.metadata.name),
                None => p.metadata.name.clone(),
            })
            .collect();
        names.dedup();
        let edit = format!("add {}", names.join(", "));
        self.studio.edit(edit.clone(), |design| {
            for policy in policies {
                let same = |p: &CalicoPolicy| {
                    p.kind == policy.kind
                        && p.metadata.name == policy.metadata.name
                        && p.metadata.namespace == policy.metadata.namespace
                };
                match design.policies.iter_mut().find(|p| same(p)) {
                    Some(existing) => *existing = policy,
                    None => design.policies.push(policy),
                }
            }
        });
        let added = format!(
            "Added {} to the design (Undo takes it back)",
            names.join(", ")
        );
        self.notice.set(Some(match message {
            Some(more) => format!("{added}; {more}"),
            None => added,
        }));
        self.notice_edit.set_value(Some(edit));
    }

    /// Adds the namespaces the flows name and the design lacks, with the namespace labels the flow
    /// records carry, as one undoable edit.
    pub fn add_foreign_namespaces(&self) {
        let foreign = self
            .outcome
            .with_untracked(|o| o.as_ref().map(|o| o.foreign.namespaces.clone()))
            .unwrap_or_default();
        if foreign.is_empty() {
            return;
        }
        let names: Vec<&str> = foreign.iter().map(|n| n.name.as_str()).collect();
        let edit = format!("add namespaces {} from the flows", names.join(", "));
        let mut refused = Vec::new();
        self.studio.edit(edit.clone(), |design| {
            for ns in &foreign {
                match netpol_core::design::add_namespace(design, &ns.name) {
                    Ok(()) => {
                        if let Some(added) = design.namespaces.last_mut() {
                            for (key, value) in &ns.labels {
                                added.labels.entry(key.clone()).or_insert(value.clone());
                            }
                        }
                    }
                    Err(err) => refused.push(format!("`{}`: {err}", ns.name)),
                }
            }
        });
        let added = foreign.len() - refused.len();
        let mut text = format!(
            "Added {} from the flows (Undo takes {} back)",
            crate::count::count(added, "namespace"),
            if added == 1 { "it" } else { "them" }
        );
        if !refused.is_empty() {
            text.push_str(&format!("; not added: {}", refused.join("; ")));
        }
        self.notice.set(Some(text));
        self.notice_edit.set_value(Some(edit));
    }

    /// Imports files (from the picker or a drop), replacing the flows loaded before.
    pub fn import(&self, files: Vec<web_sys::Blob>, names: Vec<String>) {
        let total = files.iter().map(|f| f.size() as u64).sum();
        let array = js_sys::Array::new();
        for file in &files {
            array.push(file);
        }
        self.reset_results();
        self.phase.set(Phase::Reading { bytes: 0, total });
        self.link.with_value(|link| {
            if let Some(link) = link {
                link.send_with_files(&Request::Import { names }, &array);
            }
        });
    }

    /// Fetches the sample flows from the site and imports them.
    pub fn import_sample(self) {
        self.reset_results();
        self.phase.set(Phase::Reading { bytes: 0, total: 0 });
        leptos::task::spawn_local(async move {
            match fetch_blob(SAMPLE_FLOWS).await {
                Ok(blob) => self.import(vec![blob], vec![sample_name()]),
                Err(message) => self.phase.set(Phase::Failed(message)),
            }
        });
    }

    /// Stops an import at once: the worker is replaced by a fresh one.
    pub fn cancel(self) {
        self.link.with_value(|link| {
            if let Some(link) = link {
                link.terminate();
            }
        });
        self.reset_results();
        self.phase.set(Phase::Empty);
        self.spawn();
        let after = untrack(|| self.studio.with(Clone::clone));
        let before = untrack(|| self.before_design());
        let hide_foreign = self.hide_foreign.get_untracked();
        self.send(&Request::Designs(Box::new(DesignPair {
            before,
            after,
            hide_foreign,
        })));
    }

    /// Whether the loaded flows came from the user's files (not the built-in sample), which a reload
    /// would lose.
    pub fn holds_uploaded_flows(&self) -> bool {
        self.outcome.with(uploaded)
    }

    fn holds_uploaded_flows_untracked(&self) -> bool {
        self.outcome.with_untracked(uploaded)
    }

    /// Forgets the loaded flows.
    pub fn clear(&self) {
        self.reset_results();
        self.phase.set(Phase::Empty);
        self.send(&Request::Clear);
    }

    fn reset_results(&self) {
        self.outcome.set(None);
        self.recommended.set(None);
        self.recommending.set(false);
        self.rows.set(RowsWindow::default());
        self.expanded.set(None);
        self.explained.set(None);
        self.notice.set(None);
        self.notice_edit.set_value(None);
    }

    /// Expands a row (or folds it when it is the expanded one) and asks for its walks; `position` is
    /// where the row stands in the table, under which its detail opens.
    pub fn toggle_row(&self, index: usize, position: usize) {
        if self.expanded.get_untracked() == Some(index) {
            self.expanded.set(None);
            return;
        }
        self.expanded_position.set(position);
        self.expanded.set(Some(index));
        self.explained.set(None);
        self.send(&Request::Explain { index });
    }

    /// Asks for the narrowest allow rule for a flow, in `tier`.
    pub fn suggest(&self, index: usize, tier: String) {
        self.send(&Request::Suggest { index, tier });
    }

    /// Makes the current design the "before" (it is what is deployed now).
    pub fn mark_deployed(&self) {
        self.baseline
            .set(untrack(|| self.studio.with(Clone::clone)));
        self.before.set(Before::Deployed);
    }

    /// The design the impact compares with (tracked): the open cluster of the current design's estate,
    /// or the baseline.
    pub fn before_design(&self) -> Design {
        match self.before.get() {
            Before::OpenCluster => self.studio.with(open_cluster),
            Before::Deployed => self.baseline.get(),
        }
    }
}

/// The analysis from context (provided by `App`).
pub fn use_analysis() -> Analysis {
    expect_context::<Analysis>()
}

/// Starts the analysis and provides it to every view.
pub fn provide() {
    let analysis = Analysis::start(use_studio());
    provide_context(analysis);
    // Uploaded flow logs live in the worker only: leaving or reloading the page asks first. (The
    // sample flows are one click away, so they do not ask.)
    let _listener = window_event_listener_untyped("beforeunload", move |ev| {
        if analysis.holds_uploaded_flows_untracked() {
            ev.prevent_default();
        }
    });
}

fn uploaded(outcome: &Option<Outcome>) -> bool {
    outcome.as_ref().is_some_and(|o| o.files != [sample_name()])
}

fn sample_name() -> String {
    SAMPLE_FLOWS
        .rsplit('/')
        .next()
        .unwrap_or(SAMPLE_FLOWS)
        .to_owned()
}

async fn fetch_blob(path: &str) -> Result<web_sys::Blob, String> {
    use wasm_bindgen_futures::JsFuture;
    let fail = |_| format!("could not load {path}");
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(fail)?
        .unchecked_into();
    if !response.ok() {
        return Err(format!("could not load {path}: HTTP {}", response.status()));
    }
    let blob = JsFuture::from(response.blob().map_err(fail)?)
        .await
        .map_err(fail)?;
    Ok(blob.unchecked_into())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn read_baseline() -> Option<Design> {
    let text = storage()?.get_item(BASELINE_KEY).ok().flatten()?;
    // An unreadable baseline is forgotten: the design as loaded becomes the baseline again.
    decode_stored_design("baseline.json", &text).ok()
}

fn read_before() -> Option<Before> {
    match storage()?.get_item(BEFORE_KEY).ok().flatten()?.as_str() {
        "open-cluster" => Some(Before::OpenCluster),
        "deployed" => Some(Before::Deployed),
        _ => None,
    }
}

fn write_before(before: Before) {
    if let Some(storage) = storage() {
        // As for the baseline: without storage the choice lasts for this visit.
        let _ = storage.set_item(BEFORE_KEY, before.as_str());
    }
}

fn write_baseline(design: &Design) {
    if let Some(storage) = storage() {
        let text = netpol_core::design::save_json(design);
        // Storage may be full: the baseline then lasts only for this visit, which is acceptable.
        let _ = storage.set_item(BASELINE_KEY, &text);
    }
}
