//! Coverage and exposure (issue 18, `netpol coverage`): per workload — or, when the input lists none,
//! per possible label class — and per direction, whether any enforced policy selects it
//! (`uncovered`, `open`, `isolated`), and which allow rules expose it (to the world, every namespace,
//! the cloud metadata address, every port, a wide port range, a sensitive port), each naming the rule.
//!
//! It reads the lints' normalized view (`lint::normalized_view`): Calico policies as written,
//! Kubernetes NetworkPolicies as the Calico policies Calico converts them into, and the cluster-wide
//! Kubernetes policies the targeted Calico release enforces as their converted GlobalNetworkPolicies.
//! Staged policies are not enforced: they are named in [`Coverage::not_enforced`] and left out.
//!
//! Entry point: [`coverage`]. The answer renders as a table or Markdown ([`Coverage::render_table`],
//! [`Coverage::render_markdown`]) and carries the pasteable summary line ([`Coverage::summary_line`]).

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::eval::Direction;
use crate::lint::context::Context;
use crate::lint::{Finding, LintConfig, ResourceRef};
use crate::model::ResourceSet;

mod classes;
mod exposure;
mod fold;
mod order;
mod render;
mod walk;

/// The namespace × namespace matrix of the Coverage view is the evaluator's connectivity matrix.
pub use crate::eval::matrix::{Cell, NamespaceMatrix, Reach, namespace_matrix};

/// What protects a workload in one direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// No enforced policy selects it in that direction: everything is allowed (the profile).
    Uncovered,
    /// Selected, but every peer on every port is allowed in that direction.
    Open,
    /// Selected, and something is denied.
    Isolated,
}

impl State {
    /// `uncovered`, `open` or `isolated`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Uncovered => "uncovered",
            State::Open => "open",
            State::Isolated => "isolated",
        }
    }
}

/// What an allow rule exposes. One rule may give several kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExposureKind {
    /// Reachable from or to `0.0.0.0/0` or `::/0`.
    World,
    /// Reachable from or to pods of every namespace.
    AllNamespaces,
    /// Egress to the cloud metadata address (`169.254.169.254`, `fd00:ec2::254`) allowed.
    Metadata,
    /// Every port of the protocol (or of every protocol) allowed.
    AllPorts,
    /// A port range of at least [`WIDE_RANGE`] ports allowed.
    WideRange,
    /// A sensitive port ([`SENSITIVE_PORTS`]) reachable from another namespace or the world (ingress).
    SensitivePort,
}

/// A range of this many ports or more is `wide-range`.
pub const WIDE_RANGE: u32 = 1000;

/// SSH, RDP, etcd, the Kubernetes API server and the kubelet.
pub const SENSITIVE_PORTS: [u16; 5] = [22, 3389, 2379, 6443, 10250];

impl ExposureKind {
    /// Every kind, in report order.
    pub const ALL: [ExposureKind; 6] = [
        ExposureKind::World,
        ExposureKind::AllNamespaces,
        ExposureKind::Metadata,
        ExposureKind::AllPorts,
        ExposureKind::WideRange,
        ExposureKind::SensitivePort,
    ];

    /// The kind's stable id (`world`, `all-namespaces`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ExposureKind::World => "world",
            ExposureKind::AllNamespaces => "all-namespaces",
            ExposureKind::Metadata => "metadata",
            ExposureKind::AllPorts => "all-ports",
            ExposureKind::WideRange => "wide-range",
            ExposureKind::SensitivePort => "sensitive-port",
        }
    }

    /// One line: what the kind means.
    pub fn summary(self) -> &'static str {
        match self {
            ExposureKind::World => {
                "an allow rule reaches or is reached from the world (0.0.0.0/0, ::/0)"
            }
            ExposureKind::AllNamespaces => {
                "an allow rule reaches or is reached from pods of every namespace"
            }
            ExposureKind::Metadata => {
                "egress to the cloud metadata address (169.254.169.254, fd00:ec2::254) is not excepted"
            }
            ExposureKind::AllPorts => "an allow rule allows every port",
            ExposureKind::WideRange => "an allow rule allows a range of 1,000 ports or more",
            ExposureKind::SensitivePort => {
                "a sensitive port (22, 3389, 2379, 6443, 10250) is reachable from another namespace or the world"
            }
        }
    }
}

/// The rule an exposure comes from, named as verdicts name it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DecidedBy {
    /// The tier the policy is evaluated in (`default` for a Kubernetes policy, `kube-admin`, …).
    pub tier: String,
    /// The name as Calico shows it (`knp.default.<name>` for a Kubernetes policy, `kcnp:<name>` for a
    /// ClusterNetworkPolicy).
    pub policy: String,
    /// The policy's namespace (namespaced kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The rule's index among the policy's rules of that direction (as Calico converts them).
    pub rule: usize,
    /// The object as written, for finding it in the input.
    #[serde(skip)]
    pub resource: ResourceRef,
}

impl Exposure {
    /// `world ingress TCP/443 by tier default, shop/knp.default.web rule 0`.
    pub fn describe(&self) -> String {
        render::exposure_text(self)
    }
}

/// What an uncovered entry means, in one line (for `tool.driver.rules` and `--help`).
pub const UNCOVERED_SUMMARY: &str =
    "a workload no enforced policy selects in a direction: everything is allowed there";

/// One exposure of one workload.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Exposure {
    /// What the rule exposes.
    pub kind: ExposureKind,
    /// The direction of the rule (ingress: reachable from; egress: reaching).
    pub direction: Direction,
    /// `TCP/8443`, `TCP/1000:65535`, `any/all` (every protocol and port), `TCP/all except 22`.
    pub ports: Arc<str>,
    /// Set when the exposure may or may not hold: the fact that decides it (`the container ports of
    /// its workloads (named port ssh)` for a named port and a label class, whose ports are not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Arc<str>>,
    /// Shared by every workload the rule exposes (a large estate has tens of thousands of
    /// exposures from a few hundred rules).
    pub decided_by: Arc<DecidedBy>,
}

/// What the report's entries stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subjects {
    /// The input's workloads.
    Workloads,
    /// The input lists no workloads: every distinct subject selector of the enforced policies, plus
    /// the workloads matching none of them.
    LabelClasses,
}

/// One workload (or label class) and what protects it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// `namespace/name`, or for a label class, how people read it.
    pub workload: String,
    /// A label class's selector (canonical, with Calico's `projectcalico.org/*` labels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// What protects it in ingress.
    pub ingress: State,
    /// What protects it in egress.
    pub egress: State,
    /// The allow rules that expose it, by kind and direction, each kind's rules in evaluation order.
    pub exposures: Vec<Exposure>,
    /// The listed Pods folded into this entry (`namespace/name`): a controller's Pods, by namespace,
    /// service account and labels but the per-pod ones, when their answer is the entry's (`fold`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pods: Vec<String>,
}

impl Entry {
    /// "`shop/web`: no enforced policy selects it for ingress".
    pub fn describe_uncovered(&self, direction: Direction) -> String {
        format!(
            "`{}`: no enforced policy selects it for {}",
            self.workload,
            direction.as_str()
        )
    }

    /// The state in one direction.
    pub fn state(&self, direction: Direction) -> State {
        match direction {
            Direction::Ingress => self.ingress,
            Direction::Egress => self.egress,
        }
    }

    /// Whether one rule both reaches the world and allows every port.
    pub fn reaches_world_on_any_port(&self) -> bool {
        self.exposures.iter().any(|world| {
            world.kind == ExposureKind::World
                && self.exposures.iter().any(|all| {
                    all.kind == ExposureKind::AllPorts
                        && all.direction == world.direction
                        && all.decided_by == world.decided_by
                })
        })
    }
}

/// The figures of a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Entries reported (workloads, or label classes).
    pub workloads: usize,
    /// Entries no enforced policy selects for ingress.
    pub ingress_uncovered: usize,
    /// Entries no enforced policy selects for egress.
    pub egress_uncovered: usize,
    /// Entries selected for ingress, with everything allowed.
    pub ingress_open: usize,
    /// Entries selected for egress, with everything allowed.
    pub egress_open: usize,
    /// Entries with at least one exposure that holds for certain.
    pub exposed: usize,
    /// Entries with an exposure that may or may not hold (a fact is missing: [`Exposure::missing`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub undecidable: usize,
    /// Entries one rule lets reach (or be reached from) the world on every port.
    pub world_any_port: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The coverage and exposure report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Whether the entries are workloads or label classes.
    pub subjects: Subjects,
    /// The figures.
    pub summary: Summary,
    /// One entry per workload (or label class), in input order (classes by selector).
    pub workloads: Vec<Entry>,
    /// Policies left out because Calico does not enforce them (staged policies), one line each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_enforced: Vec<String>,
}

impl Coverage {
    /// The line a reviewer pastes: "37 of 412 workloads have no ingress policy; 51 have no egress
    /// policy; 4 reach the world on any port".
    pub fn summary_line(&self) -> String {
        render::summary_line(self)
    }

    /// The report as a plain-text table.
    pub fn render_table(&self) -> String {
        render::table(self)
    }

    /// The report as Markdown (a pull-request comment).
    pub fn render_markdown(&self) -> String {
        render::markdown(self)
    }

    /// Whether any entry is uncovered in either direction.
    pub fn has_uncovered(&self) -> bool {
        self.summary.ingress_uncovered + self.summary.egress_uncovered > 0
    }

    /// Whether any entry has an exposure.
    pub fn has_exposed(&self) -> bool {
        self.summary.exposed > 0
    }
}

/// The coverage and exposure report of a resource set, as its Calico release
/// (`ResourceSet::calico_version`) enforces it.
pub fn coverage(resources: &ResourceSet) -> Coverage {
    let view = order::View::new(
        resources,
        Cow::Owned(crate::lint::normalized_view(resources)),
    );
    let config = LintConfig::default();
    let ctx = Context::new(&view.set, &config);
    report(resources, &view, &ctx)
}

/// The lints ([`crate::lint::lint_resources`]) and the coverage report ([`coverage`]) of one resource
/// set, with the same answers as the two calls, for what a shell showing both (the app) would pay
/// twice: the normalized view and the lints' context (endpoints, selectors, label indexes) are built
/// once and serve both, unless the release enforces cluster policies (coverage then reads them as
/// converted Calico policies, which the lints do not, and builds its own).
pub fn lint_and_coverage(resources: &ResourceSet, config: &LintConfig) -> (Vec<Finding>, Coverage) {
    let normalized = crate::lint::normalized_view(resources);
    let ctx = Context::new(&normalized, config);
    let findings = crate::lint::resource_findings(&ctx);
    let view = order::View::new(resources, Cow::Borrowed(&normalized));
    let coverage = match &view.set {
        Cow::Borrowed(_) => report(resources, &view, &ctx),
        Cow::Owned(set) => {
            let default = LintConfig::default();
            report(resources, &view, &Context::new(set, &default))
        }
    };
    (findings, coverage)
}

/// The report, over the view and a lint context built on the view's set.
fn report(resources: &ResourceSet, view: &order::View<'_>, ctx: &Context<'_>) -> Coverage {
    let (subjects, mut workloads) = if resources.workloads.is_empty() {
        (Subjects::LabelClasses, classes::entries(view, ctx))
    } else {
        let entries = walk::workload_entries(view, ctx);
        (
            Subjects::Workloads,
            fold::pods(&view.set.workloads, entries),
        )
    };
    for entry in &mut workloads {
        // Stable: within a kind and direction, the rules stay in evaluation order.
        entry.exposures.sort_by_key(|e| (e.kind, e.direction));
    }
    let count = |f: &dyn Fn(&Entry) -> bool| workloads.iter().filter(|e| f(e)).count();
    let summary = Summary {
        workloads: workloads.len(),
        ingress_uncovered: count(&|e| e.state(Direction::Ingress) == State::Uncovered),
        egress_uncovered: count(&|e| e.state(Direction::Egress) == State::Uncovered),
        ingress_open: count(&|e| e.state(Direction::Ingress) == State::Open),
        egress_open: count(&|e| e.state(Direction::Egress) == State::Open),
        exposed: count(&|e| e.exposures.iter().any(|x| x.missing.is_none())),
        undecidable: count(&|e| e.exposures.iter().any(|x| x.missing.is_some())),
        world_any_port: count(&Entry::reaches_world_on_any_port),
    };
    Coverage {
        subjects,
        summary,
        workloads,
        not_enforced: view.not_enforced.clone(),
    }
}
