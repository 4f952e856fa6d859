//! The selector syntax tree and its evaluation over a label map.
//!
//! The tree has exactly the shape Calico's parser builds (`libcalico-go/lib/selector/parser/ast.go`):
//! a parenthesised group is its inner node (no group node), `&&`/`||` chains are n-ary and are not
//! flattened across parentheses, and a run of `!` collapses to one `Not` or none by parity.

use super::LabelLookup;

/// A selector expression.
///
/// Invariants of every tree a [`super::Selector`] holds (the parser and every constructor keep them):
/// `And`/`Or` have at least two operands; set values are sorted (byte order) and de-duplicated; label
/// keys are 1–512 bytes of `[A-Za-z0-9_./-]`; no value contains both `"` and `'`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Expr {
    /// `all()` or an empty selector: matches everything.
    All,
    /// `global()`: matches everything as a bare expression; its meaning comes from namespaceSelector
    /// rewriting (see [`super::Selector::matches_namespace_selector`]).
    Global,
    /// `has(key)`: the label is present.
    Has(String),
    /// `key OP "value"` for the five value operators.
    Match {
        /// The label key.
        key: String,
        /// The operator.
        op: MatchOp,
        /// The string literal.
        value: String,
    },
    /// `key in {values}`: present and one of the values.
    In {
        /// The label key.
        key: String,
        /// Sorted, de-duplicated values.
        values: Vec<String>,
    },
    /// `key not in {values}`: absent, or none of the values.
    NotIn {
        /// The label key.
        key: String,
        /// Sorted, de-duplicated values.
        values: Vec<String>,
    },
    /// `!e`.
    Not(Box<Expr>),
    /// `a && b && …` (two or more operands).
    And(Vec<Expr>),
    /// `a || b || …` (two or more operands).
    Or(Vec<Expr>),
}

/// The operator of an [`Expr::Match`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchOp {
    /// `==`: present and equal.
    Eq,
    /// `!=`: absent, or present and different.
    Ne,
    /// `contains`: present and contains the value.
    Contains,
    /// `starts with`: present and starts with the value.
    StartsWith,
    /// `ends with`: present and ends with the value.
    EndsWith,
}

impl MatchOp {
    /// The operator as the canonical form writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Eq => "==",
            MatchOp::Ne => "!=",
            MatchOp::Contains => "contains",
            MatchOp::StartsWith => "starts with",
            MatchOp::EndsWith => "ends with",
        }
    }

    /// Whether the operator compares the whole value (`==`, `!=`) rather than a part of it.
    pub fn is_exact(self) -> bool {
        matches!(self, MatchOp::Eq | MatchOp::Ne)
    }
}

/// How `all()` and `global()` evaluate: plainly (both true, as Calico's `Evaluate`), or as a rule's
/// namespaceSelector after Calico's rewriting (`all()` = namespaced, `global()` = not namespaced).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope {
    Plain,
    Namespace { global: bool },
}

impl Expr {
    /// Evaluates the expression against a label map, exactly as Calico's `Evaluate`.
    pub fn matches<L: LabelLookup + ?Sized>(&self, labels: &L) -> bool {
        self.eval(labels, Scope::Plain)
    }

    pub(crate) fn eval<L: LabelLookup + ?Sized>(&self, labels: &L, scope: Scope) -> bool {
        match self {
            Expr::All => match scope {
                Scope::Plain => true,
                Scope::Namespace { global } => !global,
            },
            Expr::Global => match scope {
                Scope::Plain => true,
                Scope::Namespace { global } => global,
            },
            Expr::Has(key) => labels.label(key).is_some(),
            Expr::Match { key, op, value } => match labels.label(key) {
                None => *op == MatchOp::Ne,
                Some(actual) => match op {
                    MatchOp::Eq => actual == value,
                    MatchOp::Ne => actual != value,
                    MatchOp::Contains => actual.contains(value.as_str()),
                    MatchOp::StartsWith => actual.starts_with(value.as_str()),
                    MatchOp::EndsWith => actual.ends_with(value.as_str()),
                },
            },
            Expr::In { key, values } => labels
                .label(key)
                .is_some_and(|actual| set_contains(values, actual)),
            Expr::NotIn { key, values } => labels
                .label(key)
                .is_none_or(|actual| !set_contains(values, actual)),
            Expr::Not(inner) => !inner.eval(labels, scope),
            Expr::And(operands) => operands.iter().all(|e| e.eval(labels, scope)),
            Expr::Or(operands) => operands.iter().any(|e| e.eval(labels, scope)),
        }
    }

    /// Calls `f` on this node and every node below it, parents first.
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Not(inner) => inner.walk(f),
            Expr::And(operands) | Expr::Or(operands) => {
                for operand in operands {
                    operand.walk(f);
                }
            }
            _ => {}
        }
    }

    /// Calls `f` on this node and every node below it, parents first; `f` may replace nodes (the walk
    /// then continues into the replacement).
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        f(self);
        match self {
            Expr::Not(inner) => inner.walk_mut(f),
            Expr::And(operands) | Expr::Or(operands) => {
                for operand in operands {
                    operand.walk_mut(f);
                }
            }
            _ => {}
        }
    }

    /// The label key this node tests, mutably.
    pub(crate) fn key_mut(&mut self) -> Option<&mut String> {
        match self {
            Expr::Has(key)
            | Expr::Match { key, .. }
            | Expr::In { key, .. }
            | Expr::NotIn { key, .. } => Some(key),
            _ => None,
        }
    }

    /// The label key this node tests, if it is a leaf that tests one.
    pub fn key(&self) -> Option<&str> {
        match self {
            Expr::Has(key)
            | Expr::Match { key, .. }
            | Expr::In { key, .. }
            | Expr::NotIn { key, .. } => Some(key),
            _ => None,
        }
    }

    /// Nesting depth: a leaf is 1.
    pub fn depth(&self) -> usize {
        match self {
            Expr::Not(inner) => 1 + inner.depth(),
            Expr::And(operands) | Expr::Or(operands) => {
                1 + operands.iter().map(Expr::depth).max().unwrap_or(0)
            }
            _ => 1,
        }
    }
}

/// Membership in a sorted set (the invariant of `In`/`NotIn`).
fn set_contains(values: &[String], actual: &str) -> bool {
    values
        .binary_search_by(|probe| probe.as_str().cmp(actual))
        .is_ok()
}

/// Sorts and de-duplicates set values, as Calico's `ConvertToStringSetInPlace`.
pub(crate) fn normalise_set(values: &mut Vec<String>) {
    values.sort();
    values.dedup();
}
