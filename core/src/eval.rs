//! The evaluator: Calico's verdict for a flow between two endpoints, which rule decided it, and the
//! cluster-wide connectivity map (`calico-semantics.md` §4–§8).
//!
//! Pipeline: resources → [`normalize`] (Kubernetes policies converted as Calico's `K8sNetworkPolicyToCalico`
//! does, rule selectors combined as `GetEntityRuleSelector`, selectors parsed) → [`Evaluator`] (compiled:
//! per distinct label set the applicable policies are precomputed per direction, each endpoint carries
//! a bit per distinct rule peer criterion, ports are range tables) → [`FlowVerdict`] for a [`Flow`].
//! [`Evaluator::explain`] walks the same path and records a [`Explanation`].
//!
//! [`reference`] is a deliberately naive evaluator used by the tests to check the compiled one.

mod chain;
mod cnp;
mod compiled;
pub mod connectivity;

mod endpoint;
pub mod equivalence;
pub mod flow_input;
mod knp;
mod matching;
pub mod matrix;
pub mod migration;
mod normalize;
pub(crate) mod order;
pub mod probe_plan;
#[cfg(feature = "test-util")]
pub mod reference;
mod rows;
#[cfg(feature = "test-util")]
pub mod synthetic;

mod trace;
mod walk;
mod worlds;

use std::fmt;

use serde::{Deserialize, Serialize};

/// For lints that must see cluster-wide policies as the Calico policies they become.
pub(crate) use cnp::cluster_to_calico;
pub use compiled::{EndpointId, Evaluator, PolicyId, TierId};
pub use endpoint::{
    DEFAULT_SERVICE_ACCOUNT, Endpoint, EndpointError, WorkloadEndpoint, effective_labels,
};
pub use knp::kubernetes_to_calico;
pub use normalize::{CompileError, PolicyKey, PolicyKind};
pub use trace::{Explanation, PolicyStep, RuleStep, SideTrace, TierOutcome, TierStep};
/// For crate modules that walk flows and count what they see (impact hit counts).
pub(crate) use walk::Recorder;
pub use worlds::{Missing, SidesMissing, Undecidable};

use crate::model::{Action, Protocol};

/// One flow: a source, a destination, an IP protocol and the destination port (none for ICMP).
///
/// ICMP flows are taken as echo requests (type 8 code 0, ICMPv6 type 128) where a rule asks for a type.
/// Source ports are not part of a flow: a rule with `source.ports` never matches, one with
/// `source.notPorts` always does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Flow {
    pub src: EndpointId,
    pub dst: EndpointId,
    pub protocol: Protocol,
    pub port: Option<u16>,
}

/// Allowed or denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Allow,
    Deny,
}

impl Verdict {
    /// `allow` / `deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Deny => "deny",
        }
    }

    /// Both sides must allow.
    pub fn and(self, other: Verdict) -> Verdict {
        if self == Verdict::Allow && other == Verdict::Allow {
            Verdict::Allow
        } else {
            Verdict::Deny
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Ingress (evaluated on the destination) or egress (evaluated on the source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    /// `ingress` / `egress`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

/// What decided one side of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecidedBy {
    /// A rule with action Allow or Deny (rule index within the policy's rules of that direction).
    Rule {
        policy: PolicyId,
        rule: u32,
        action: Action,
    },
    /// A tier whose policies selected the endpoint ended without a decision and its default action is Deny.
    EndOfTier { tier: TierId },
    /// No tier decided: the endpoint's profile (`kns.<namespace>`) allows.
    Profile,
    /// The side is outside the cluster: no policy of its own.
    None,
}

/// The outcome of one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SideVerdict {
    pub verdict: Verdict,
    pub decided_by: DecidedBy,
}

impl SideVerdict {
    pub(crate) const OUTSIDE: SideVerdict = SideVerdict {
        verdict: Verdict::Allow,
        decided_by: DecidedBy::None,
    };
}

/// Both sides of one mode (enforced, or with staged policies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sides {
    pub verdict: Verdict,
    pub egress: SideVerdict,
    pub ingress: SideVerdict,
}

/// The verdict of a flow: the enforced one, and the "would be" one when staged policies select either end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlowVerdict {
    pub enforced: Sides,
    /// `None` when no staged policy selects either end (the staged verdict equals the enforced one).
    pub staged: Option<Sides>,
    /// The verdicts above that depend on a fact the input does not give (see [`Undecidable`]).
    pub undecidable: Undecidable,
}

impl FlowVerdict {
    /// The enforced verdict.
    pub fn verdict(&self) -> Verdict {
        self.enforced.verdict
    }
}
