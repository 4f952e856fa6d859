//! Calico's selector language: parse, match, print canonically, and convert to and from Kubernetes
//! `LabelSelector`s.
//!
//! Behaviour follows Calico's own implementation (`projectcalico/calico libcalico-go/lib/selector`), see
//! `../shared/spec/calico-semantics.md` §1: the same accepted texts, the same tree, the same evaluation
//! (`a != 'x'` and `a not in {…}` match when `a` is absent) and the same canonical form.
//!
//! **Architecture invariant**: parsing never panics and never recurses without bound; input longer than
//! [`MAX_SELECTOR_LEN`] or nested deeper than [`MAX_DEPTH`] is an error.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

mod ast;
mod err;
mod label_selector;
mod lexer;
pub mod logic;
mod parser;
mod print;

pub use ast::{Expr, MatchOp};
pub use err::SelectorError;
pub use lexer::{MAX_LABEL_KEY_LEN, is_valid_key};
pub use parser::{MAX_DEPTH, MAX_SELECTOR_LEN};

use ast::{Scope, normalise_set};

/// Longest selector a Calico resource field accepts (CRD `maxLength`); for validators.
pub const FIELD_MAX_LEN: usize = 1024;

/// A parsed selector. Equality is structural (same tree), which implies the same canonical text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Selector {
    expr: Expr,
}

/// Something that has labels a selector can test.
pub trait LabelLookup {
    /// The value of label `key`, or `None` when the label is absent (an empty value is present).
    fn label(&self, key: &str) -> Option<&str>;

    /// For [`Selector::matches_namespace_selector`]: the thing being tested has no namespace
    /// (a GlobalNetworkSet or host endpoint), so `global()` matches it and `all()` does not.
    fn is_global(&self) -> bool {
        false
    }
}

impl LabelLookup for BTreeMap<String, String> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

impl<S: std::hash::BuildHasher> LabelLookup for HashMap<String, String, S> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

impl<T: LabelLookup + ?Sized> LabelLookup for &T {
    fn label(&self, key: &str) -> Option<&str> {
        (**self).label(key)
    }

    fn is_global(&self) -> bool {
        (**self).is_global()
    }
}

impl Selector {
    /// Parses selector text. `""` and blank text parse as `all()`.
    pub fn parse(text: &str) -> Result<Selector, SelectorError> {
        parser::parse(text).map(|expr| Selector { expr })
    }

    /// Parses the value of a selector field of a Calico resource: as [`Selector::parse`], plus the CRD
    /// limit of [`FIELD_MAX_LEN`] characters (counted as Unicode scalar values, as the API server does).
    pub fn parse_field(text: &str) -> Result<Selector, SelectorError> {
        let chars = text.chars().count();
        if chars > FIELD_MAX_LEN {
            let start = text
                .char_indices()
                .nth(FIELD_MAX_LEN)
                .map_or(text.len(), |(i, _)| i);
            return Err(SelectorError::new(
                start..text.len(),
                format!(
                    "selector is {chars} characters long; Calico allows at most {FIELD_MAX_LEN}"
                ),
            ));
        }
        Selector::parse(text)
    }

    /// Builds a selector from a tree, checking keys and values and restoring the invariants of
    /// [`Expr`] (sorted sets; `And`/`Or` with fewer than two operands collapse).
    pub fn from_expr(expr: Expr) -> Result<Selector, SelectorError> {
        let expr = normalise(expr)?;
        if expr.depth() > 2 * MAX_DEPTH {
            return Err(SelectorError::new(
                0..0,
                format!("selector is nested more than {} levels deep", 2 * MAX_DEPTH),
            ));
        }
        Ok(Selector { expr })
    }

    /// `all()`: matches everything.
    pub fn all() -> Selector {
        Selector { expr: Expr::All }
    }

    /// Whether the labels satisfy the selector, exactly as Calico's `Evaluate` (`all()` and
    /// `global()` are both true).
    pub fn matches<L: LabelLookup + ?Sized>(&self, labels: &L) -> bool {
        self.expr.matches(labels)
    }

    /// Evaluates a rule's `namespaceSelector` the way Calico's rewriting gives it meaning
    /// (`GetEntityRuleSelector`): `ns_labels` are the labels of the tested thing's namespace
    /// (empty for a global thing); `all()` matches only namespaced things and `global()` only
    /// global ones ([`LabelLookup::is_global`]).
    pub fn matches_namespace_selector<L: LabelLookup + ?Sized>(&self, ns_labels: &L) -> bool {
        let global = ns_labels.is_global();
        self.expr.eval(ns_labels, Scope::Namespace { global })
    }

    /// The canonical text (Calico's `String()`); parsing it gives back an equal selector.
    pub fn canonical(&self) -> String {
        self.to_string()
    }

    /// Whether this is exactly `all()` (or was empty).
    pub fn is_all(&self) -> bool {
        self.expr == Expr::All
    }

    /// Whether this is exactly `global()`: the only place Calico allows `global()`.
    pub fn is_global(&self) -> bool {
        self.expr == Expr::Global
    }

    /// Whether `global()` appears anywhere in the selector.
    pub fn mentions_global(&self) -> bool {
        let mut found = false;
        self.expr.walk(&mut |e| found |= *e == Expr::Global);
        found
    }

    /// The syntax tree.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Every label key the selector tests, sorted and de-duplicated.
    pub fn label_keys(&self) -> Vec<String> {
        let mut keys = BTreeSet::new();
        self.expr.walk(&mut |e| {
            if let Some(key) = e.key() {
                keys.insert(key.to_string());
            }
        });
        keys.into_iter().collect()
    }

    /// Every `(key, value)` the selector compares exactly (`==`, `!=`, `in`, `not in`), sorted and
    /// de-duplicated. Substring operators (`contains`, `starts with`, `ends with`) hold patterns, not
    /// values, and are left out.
    pub fn label_values(&self) -> Vec<(String, String)> {
        let mut pairs = BTreeSet::new();
        self.expr.walk(&mut |e| match e {
            Expr::Match { key, op, value } if op.is_exact() => {
                pairs.insert((key.clone(), value.clone()));
            }
            Expr::In { key, values } | Expr::NotIn { key, values } => {
                for value in values {
                    pairs.insert((key.clone(), value.clone()));
                }
            }
            _ => {}
        });
        pairs.into_iter().collect()
    }

    /// The selector with value `from` of label `key` renamed to `to` wherever it is compared exactly
    /// (`==`, `!=`, `in`, `not in`), for taxonomy renames. If `to` contains both `"` and `'` it cannot
    /// be written in a selector, and the selector is returned unchanged.
    pub fn rename_value(&self, key: &str, from: &str, to: &str) -> Selector {
        if !print::is_quotable(to) {
            return self.clone();
        }
        let mut expr = self.expr.clone();
        rename_in(&mut expr, key, from, to);
        Selector { expr }
    }

    /// Both selectors: `(self) && (other)` as Calico combines selectors, with `all()` dropped.
    pub fn and(&self, other: &Selector) -> Selector {
        if self.is_all() {
            return other.clone();
        }
        if other.is_all() {
            return self.clone();
        }
        Selector {
            expr: Expr::And(vec![self.expr.clone(), other.expr.clone()]),
        }
    }

    /// Could some label set be selected? (Over every possible label set: [`logic`].)
    pub fn satisfiable(&self) -> logic::Sat {
        logic::satisfiable(&self.expr)
    }

    /// Could some label set be selected by both?
    pub fn overlaps(&self, other: &Selector) -> logic::Sat {
        logic::overlap(&self.expr, &other.expr)
    }

    /// The normal forms [`logic::Normalized::implies`] reuses across many questions.
    pub fn normalized(&self) -> logic::Normalized {
        logic::Normalized::new(&self.expr)
    }

    /// Is every label set this selects also selected by `other`? `None` when undecided.
    pub fn implies(&self, other: &Selector) -> Option<bool> {
        logic::implies(&self.expr, &other.expr)
    }

    /// The selector for a Kubernetes `LabelSelector` (matchLabels and matchExpressions AND-ed). An
    /// empty LabelSelector gives `all()`.
    pub fn from_label_selector(
        ls: &crate::model::LabelSelector,
    ) -> Result<Selector, SelectorError> {
        label_selector::from_label_selector(ls)
    }

    /// Every label key prefixed with `prefix`, as Calico's `PrefixVisitor` does for `pcns.` (namespace
    /// labels) and `pcsa.` (service-account labels). Fails only if a prefixed key would be invalid.
    pub fn prefixed(&self, prefix: &str) -> Result<Selector, SelectorError> {
        let mut expr = self.expr.clone();
        let mut bad = None;
        expr.walk_mut(&mut |e| {
            if let Some(key) = e.key_mut() {
                key.insert_str(0, prefix);
                if bad.is_none() && !is_valid_key(key) {
                    bad = Some(key.clone());
                }
            }
        });
        match bad {
            Some(key) => Err(bad_key(&key)),
            None => Ok(Selector { expr }),
        }
    }

    /// Every `all()` replaced by `all` and every `global()` by `global`: Calico's rewriting of a
    /// namespaceSelector (`all()` → `has(projectcalico.org/namespace)`, `global()` →
    /// `!has(projectcalico.org/namespace)`).
    pub fn replace_all_and_global(&self, all: &Selector, global: &Selector) -> Selector {
        Selector {
            expr: replace_leaves(&self.expr, &all.expr, &global.expr),
        }
    }

    /// The Kubernetes `LabelSelector` with the same meaning, if there is one.
    pub fn to_label_selector(&self) -> Option<crate::model::LabelSelector> {
        label_selector::to_label_selector(&self.expr)
    }

    /// A Kubernetes `LabelSelector` written in selector syntax, as the editors' forms take it (empty
    /// text is `{}`, every label set): the syntax error, or why the selector has no LabelSelector
    /// form.
    pub fn parse_label_selector(text: &str) -> Result<crate::model::LabelSelector, SelectorError> {
        if text.trim().is_empty() {
            return Ok(crate::model::LabelSelector::default());
        }
        let selector = Selector::parse(text)?;
        selector.to_label_selector().ok_or_else(|| {
            SelectorError::new(
                0..text.len(),
                format!(
                    "`{}` has no Kubernetes label selector form: join `==`, `in`, `not in`, `has()` and `!has()` with `&&`",
                    text.trim()
                ),
            )
        })
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        print::write_expr(f, &self.expr)
    }
}

impl std::str::FromStr for Selector {
    type Err = SelectorError;

    fn from_str(text: &str) -> Result<Selector, SelectorError> {
        Selector::parse(text)
    }
}

impl serde::Serialize for Selector {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Selector {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Selector, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Selector::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Default for Selector {
    fn default() -> Selector {
        Selector::all()
    }
}

/// A copy of `expr` with `all()`/`global()` leaves replaced (replacements are not walked again).
fn replace_leaves(expr: &Expr, all: &Expr, global: &Expr) -> Expr {
    match expr {
        Expr::All => all.clone(),
        Expr::Global => global.clone(),
        Expr::Not(inner) => Expr::Not(Box::new(replace_leaves(inner, all, global))),
        Expr::And(operands) => Expr::And(
            operands
                .iter()
                .map(|e| replace_leaves(e, all, global))
                .collect(),
        ),
        Expr::Or(operands) => Expr::Or(
            operands
                .iter()
                .map(|e| replace_leaves(e, all, global))
                .collect(),
        ),
        leaf => leaf.clone(),
    }
}

fn rename_in(expr: &mut Expr, target: &str, from: &str, to: &str) {
    match expr {
        Expr::Match { key, op, value } if key == target && op.is_exact() && value == from => {
            *value = to.to_string();
        }
        Expr::In { key, values } | Expr::NotIn { key, values } if key == target => {
            let mut renamed = false;
            for value in values.iter_mut().filter(|v| *v == from) {
                *value = to.to_string();
                renamed = true;
            }
            if renamed {
                normalise_set(values);
            }
        }
        Expr::Not(inner) => rename_in(inner, target, from, to),
        Expr::And(operands) | Expr::Or(operands) => {
            for operand in operands {
                rename_in(operand, target, from, to);
            }
        }
        _ => {}
    }
}

/// Checks keys and values of a hand-built tree and restores the invariants the parser guarantees.
fn normalise(expr: Expr) -> Result<Expr, SelectorError> {
    Ok(match expr {
        Expr::All | Expr::Global => expr,
        Expr::Has(ref key) | Expr::Match { ref key, .. } if !is_valid_key(key) => {
            return Err(bad_key(key));
        }
        Expr::Match { ref value, .. } if !print::is_quotable(value) => {
            return Err(bad_value(value));
        }
        Expr::Has(_) | Expr::Match { .. } => expr,
        Expr::In { key, values } => {
            let (key, values) = normalise_set_term(key, values)?;
            Expr::In { key, values }
        }
        Expr::NotIn { key, values } => {
            let (key, values) = normalise_set_term(key, values)?;
            Expr::NotIn { key, values }
        }
        Expr::Not(inner) => Expr::Not(Box::new(normalise(*inner)?)),
        Expr::And(operands) => group(operands, Expr::And, Expr::All)?,
        Expr::Or(operands) => group(operands, Expr::Or, Expr::Not(Box::new(Expr::All)))?,
    })
}

fn normalise_set_term(
    key: String,
    mut values: Vec<String>,
) -> Result<(String, Vec<String>), SelectorError> {
    if !is_valid_key(&key) {
        return Err(bad_key(&key));
    }
    if let Some(value) = values.iter().find(|v| !print::is_quotable(v)) {
        return Err(bad_value(value));
    }
    normalise_set(&mut values);
    Ok((key, values))
}

fn bad_key(key: &str) -> SelectorError {
    SelectorError::new(
        0..0,
        format!(
            "label key `{key}` cannot be used in a selector (1-512 characters of A-Z a-z 0-9 _ . / -)"
        ),
    )
}

fn bad_value(value: &str) -> SelectorError {
    SelectorError::new(
        0..0,
        format!("value `{value}` contains both `\"` and `'` and cannot be written in a selector"),
    )
}

fn group(
    operands: Vec<Expr>,
    make: fn(Vec<Expr>) -> Expr,
    empty: Expr,
) -> Result<Expr, SelectorError> {
    let mut operands = operands
        .into_iter()
        .map(normalise)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(match operands.len() {
        0 => empty,
        1 => operands.pop().unwrap_or(empty),
        _ => make(operands),
    })
}
