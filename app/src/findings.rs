//! The design's lint findings, computed once per change and shared by every place that shows them:
//! the status line's counts, the findings drawer, the board's badges, the editor's list for the open
//! policy and Export. `drawer` is the drawer (and the status-line button that opens it), `inline` the
//! editor's list and the board's badges, `item` one finding as all of them show it.

use std::collections::BTreeMap;

use leptos::prelude::*;

use netpol_core::board::PolicyRef;
use netpol_core::lint::{Finding, Location, ResourceRef, Severity, lint_design};

use crate::state::{Design, Studio};

mod drawer;
mod inline;
mod item;

pub use drawer::{FindingsButton, FindingsDrawer};
pub use inline::{PolicyBadge, PolicyFindings};
pub use item::FindingsList;

/// The shared findings and the drawer's state, from context ([`use_findings`]). Cheap to copy.
#[derive(Clone, Copy)]
pub struct Findings {
    /// Every finding of the design under its own lint settings, sorted by core.
    pub all: Memo<Vec<Finding>>,
    /// How many findings each object has, and the worst severity among them (the board's badges:
    /// one lookup per card instead of a scan of every finding).
    pub by_resource: Memo<BTreeMap<ResourceRef, (usize, Severity)>>,
    /// Whether the drawer is open.
    pub open: RwSignal<bool>,
    /// The drawer shows this severity only, when set.
    pub severity: RwSignal<Option<Severity>>,
    /// The drawer shows this object's findings only, when set (a board badge sets it).
    pub policy: RwSignal<Option<ResourceRef>>,
    /// The finding whose link was followed last: the editor marks it.
    pub followed: RwSignal<Option<Location>>,
}

impl Findings {
    /// Opens the drawer on every finding, or on one object's (`policy`).
    pub fn open_for(&self, policy: Option<ResourceRef>) {
        self.policy.set(policy);
        self.severity.set(None);
        self.open.set(true);
        crate::views::focus_later("#findings-drawer .drawer-close".to_owned());
    }

    /// Closes the drawer and gives the keyboard back to the status line's button.
    pub fn close(&self) {
        self.open.set(false);
        crate::views::focus_later(".statusline .lint-counts".to_owned());
    }

    /// How many findings of each severity: errors, warnings, notes.
    pub fn counts(&self) -> (usize, usize, usize) {
        self.all.with(|all| {
            let of = |severity| all.iter().filter(|f| f.severity == severity).count();
            (
                of(Severity::Error),
                of(Severity::Warning),
                of(Severity::Info),
            )
        })
    }
}

/// Lints the design once per change and shares the result. Linting runs on the page, as the status
/// line's count always did: `core/benches/lint.rs` gives 0.4 ms for the sample and 55 ms for 500
/// policies over 200 workload groups (native, on a busy 2-core machine); in the page, an edit of
/// render-perf's 500-policy design (952 findings) costs 66–93 ms of main-thread CPU in all (lint,
/// autosave, render), as before this module (67–104 ms). A larger design would want the worker.
pub fn provide(studio: Studio) {
    let all = Memo::new(move |_| studio.with(|design| lint_design(design, &design.lint)));
    let by_resource = Memo::new(move |_| {
        all.with(|all| {
            let mut by: BTreeMap<ResourceRef, (usize, Severity)> = BTreeMap::new();
            for f in all {
                let entry = by
                    .entry(f.location.resource.clone())
                    .or_insert((0, f.severity));
                entry.0 += 1;
                entry.1 = entry.1.min(f.severity);
            }
            by
        })
    });
    provide_context(Findings {
        all,
        by_resource,
        open: RwSignal::new(false),
        severity: RwSignal::new(None),
        policy: RwSignal::new(None),
        followed: RwSignal::new(None),
    });
    install_shortcut();
}

/// The shared findings.
pub fn use_findings() -> Findings {
    expect_context::<Findings>()
}

/// The key that opens and closes the drawer from any view (also in text fields: it types nothing).
pub const SHORTCUT: &str = "Control+Shift+L";

fn install_shortcut() {
    let findings = use_findings();
    let _listener = window_event_listener(leptos::ev::keydown, move |ev| {
        let toggles = (ev.ctrl_key() || ev.meta_key())
            && ev.shift_key()
            && ev.key().eq_ignore_ascii_case("l");
        if toggles {
            ev.prevent_default();
            if findings.open.get_untracked() {
                findings.close();
            } else {
                findings.open_for(None);
            }
        } else if ev.key() == "Escape" && findings.open.get_untracked() {
            findings.close();
        }
    });
}

/// The reference findings use for a policy of the board.
pub fn policy_resource(design: &Design, policy: PolicyRef) -> Option<ResourceRef> {
    match policy {
        PolicyRef::Calico(i) => design.policies.get(i).map(|p| ResourceRef {
            kind: p.kind.as_str().to_owned(),
            namespace: p.metadata.namespace.clone(),
            name: p.metadata.name.clone(),
        }),
        PolicyRef::Kubernetes(i) => design.kubernetes_policies.get(i).map(|p| ResourceRef {
            kind: if p.staged {
                "StagedKubernetesNetworkPolicy"
            } else {
                "NetworkPolicy"
            }
            .to_owned(),
            namespace: p.metadata.namespace.clone(),
            name: p.metadata.name.clone(),
        }),
        PolicyRef::Cluster(i) => design.cluster_policies.get(i).map(|p| ResourceRef {
            kind: p.kind.as_str().to_owned(),
            namespace: None,
            name: p.metadata.name.clone(),
        }),
    }
}

/// The policy of the design a finding's reference names: a Calico policy first (`NetworkPolicy` is
/// also a Kubernetes kind), then a cluster policy, then a Kubernetes one.
pub fn resource_policy(design: &Design, resource: &ResourceRef) -> Option<PolicyRef> {
    let named = |r: Option<ResourceRef>| r.as_ref() == Some(resource);
    let calico = (0..design.policies.len()).map(PolicyRef::Calico);
    let cluster = (0..design.cluster_policies.len()).map(PolicyRef::Cluster);
    let kubernetes = (0..design.kubernetes_policies.len()).map(PolicyRef::Kubernetes);
    calico
        .chain(cluster)
        .chain(kubernetes)
        .find(|p| named(policy_resource(design, *p)))
}

/// Where the editor opens a policy (`#/editor/<i>`, `#/editor/cnp/<i>`); Kubernetes policies are
/// edited as YAML through Import, so they have no editor link.
pub fn editor_href(policy: PolicyRef) -> Option<String> {
    match policy {
        PolicyRef::Calico(i) => Some(format!("#/editor/{i}")),
        PolicyRef::Cluster(i) => Some(format!("#/editor/cnp/{i}")),
        PolicyRef::Kubernetes(_) => None,
    }
}

/// `GlobalNetworkPolicy allow-dns`, `NetworkPolicy shop/api`.
pub fn describe(resource: &ResourceRef) -> String {
    match &resource.namespace {
        Some(ns) => format!("{} {ns}/{}", resource.kind, resource.name),
        None => format!("{} {}", resource.kind, resource.name),
    }
}

/// The word the Studio uses for a severity (the status line says "notes" for info).
pub fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
        Severity::Info => "Note",
    }
}
