//! The messages between the page and the analysis worker. Both sides are this crate, so the types are
//! shared; they travel as JSON text (plus `File` handles for an import, which JSON cannot carry).

use netpol_core::coverage::{Coverage, NamespaceMatrix};
use netpol_core::design::Design;
use netpol_core::impact::{
    ForeignNamespaces, ImpactFigures, ImpactSummary, ImportFigures, PairChanges, UnusedRule,
};
use netpol_core::model::CalicoPolicy;
use netpol_core::recommend::{NamespacePreview, ProofFigures};
use serde::{Deserialize, Serialize};

/// What the page asks the worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Request {
    /// The two designs to compare: `before` (deployed) and `after` (being edited). Re-runs the impact
    /// when flows are loaded.
    Designs(Box<DesignPair>),
    /// Import the `File`s sent beside this message (replacing the flows loaded before).
    Import { names: Vec<String> },
    /// Forget the loaded flows.
    Clear,
    /// A window of the flow table.
    Rows {
        query: TableQuery,
        offset: usize,
        limit: usize,
        seq: u64,
    },
    /// Both walks of one flow, for a row that is expanded.
    Explain { index: usize },
    /// The narrowest allow rule for a flow the design denies.
    Suggest { index: usize, tier: String },
    /// The coverage report and the namespace matrix of a design (the Coverage view).
    Coverage { design: Box<Design>, seq: u64 },
    /// A least-privilege design from the loaded flows, and its proof (`netpol_core::recommend`).
    Recommend {
        /// The namespaces to cover; empty: every namespace.
        namespaces: Vec<String>,
        staged: bool,
    },
}

/// The designs compared: what is deployed and what is being edited.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DesignPair {
    pub before: Design,
    pub after: Design,
    /// Leave out the flows with an end in a namespace `after` does not have (the user chose "hide
    /// them"): out of the table, the figures and the rule hits.
    #[serde(default)]
    pub hide_foreign: bool,
}

/// Which flows the table shows, in which order: core's query, sent as is.
pub use netpol_core::impact::FlowQuery as TableQuery;

/// What the worker answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Response {
    /// The worker is listening.
    Ready,
    /// Bytes of the upload read so far.
    Progress { bytes: u64, total: u64 },
    /// The import failed as a whole (not a flow log, bad gzip).
    ImportFailed { message: String },
    /// The impact of the loaded flows under the current designs.
    Outcome(Box<Outcome>),
    /// A window of the flow table.
    Rows {
        seq: u64,
        total: usize,
        offset: usize,
        rows: Vec<FlowRow>,
    },
    /// The before/after walks of one flow, as text.
    Explained {
        index: usize,
        before: Option<String>,
        after: Option<String>,
    },
    /// Suggested policies for one flow (empty with a message when there is nothing to suggest).
    Suggested {
        index: usize,
        policies: Vec<CalicoPolicy>,
        message: Option<String>,
    },
    /// The design recommended from the loaded flows.
    Recommended(Box<Recommended>),
    /// Core's coverage report and namespace matrix of the design last asked about.
    Coverage(Box<CoverageAnswer>),
    /// A request could not be served.
    Failed { message: String },
}

/// The Coverage view's answer: core's report and matrix as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageAnswer {
    /// The request's number: the view shows the answer to its last request only.
    pub seq: u64,
    pub coverage: Coverage,
    /// `Err`: why the matrix could not be computed (a workload's bad IP).
    pub matrix: Result<NamespaceMatrix, String>,
    /// How long the worker took.
    pub ms: f64,
}

/// A recommended design with its proof, for the preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommended {
    pub design: Design,
    pub figures: ProofFigures,
    pub namespaces: Vec<NamespacePreview>,
    /// The taxonomy keys of the design.
    pub taxonomy: Vec<String>,
    /// The namespaces asked for (empty: every namespace).
    pub scope: Vec<String>,
    pub staged: bool,
    /// How long recommending and proving took in the worker.
    pub ms: f64,
}

/// The import report and the impact figures: core's answers, as the worker got them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Outcome {
    pub files: Vec<String>,
    pub bytes: u64,
    /// The first skipped lines, with their reasons.
    pub errors: Vec<SkippedLine>,
    /// The first records kept with an unreadable policy trace, with the reasons.
    pub warnings: Vec<SkippedLine>,
    /// Records, skipped lines, event lines, unreadable traces, distinct flows and the format.
    pub import: ImportFigures,
    /// Distinct flows by change.
    pub summary: ImpactSummary,
    /// The figures of the PR summary.
    pub figures: ImpactFigures,
    /// Why ends could not be mapped, most frequent first: (reason, flows).
    pub unmatched_reasons: Vec<(String, u64)>,
    /// Changes per (source namespace, destination namespace), most changes first.
    pub pairs: Vec<PairChanges>,
    /// Rules of the design no observed flow hit.
    pub unused: Vec<UnusedRule>,
    pub compile_errors: Vec<String>,
    /// The namespaces the flows name and the design (`after`) lacks, with the flows involved.
    #[serde(default)]
    pub foreign: ForeignNamespaces,
    /// Whether those flows were left out of this outcome.
    #[serde(default)]
    pub foreign_hidden: bool,
    /// How long the last evaluation took in the worker.
    pub eval_ms: f64,
    /// How long the import took (0 when this outcome comes from a re-evaluation).
    pub import_ms: f64,
    /// Counts the evaluations of this worker: each outcome has a new number.
    pub run: u64,
}

/// One row of the flow table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowRow {
    /// The flow's index in the worker's flow set (for explain and suggest).
    pub index: usize,
    pub src: String,
    pub dst: String,
    pub protocol: String,
    pub port: Option<u16>,
    pub count: u64,
    pub observed: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub change: String,
    pub unmatched: Option<String>,
    /// What an undecidable verdict depends on.
    #[serde(default)]
    pub missing: Option<String>,
}

/// A line the import skipped (or kept with a warning), where, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedLine {
    pub line: u64,
    pub column: u64,
    pub reason: String,
}
