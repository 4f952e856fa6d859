//! Selectors as logic over *every possible* label set, not a listed few: satisfiability (could any
//! endpoint be selected?), overlap (could one endpoint be selected by both?) and implication (is every
//! endpoint one selects also selected by the other?).
//!
//! A selector is put in disjunctive normal form over signed atoms — `has(k)`, and `k == v`,
//! `k contains v`, `k starts with v`, `k ends with v` (each true only when the label is present) — so
//! `!=`, `not in` and `!` become negated atoms. A conjunction is decided key by key: a key with no
//! positive atom can be absent, which satisfies every negated atom; otherwise its value must meet every
//! atom. With only `has`, `==`, `!=`, `in` and `not in` the decision is exact (a value nobody mentions
//! always exists). With `contains`/`starts with`/`ends with` a value is searched among candidates built
//! from the literals; when none fits and no contradiction is certain, the answer is
//! [`Sat::Unknown`] — never a guess. Implication is "a and not b" being unsatisfiable.
//!
//! `core/tests/selector_logic_props.rs` checks every answer against brute force over small label
//! universes (10 000 cases). `all()` and `global()` are true here (plain evaluation).

use std::collections::{BTreeMap, BTreeSet};

use super::ast::{Expr, MatchOp};

/// Past this many conjunctions a normal form is not built: the answer is [`Sat::Unknown`].
const MAX_CONJUNCTIONS: usize = 512;

/// The answer to "could some label set satisfy this?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sat {
    /// Yes: these labels do (a witness; absent keys are absent).
    Yes(BTreeMap<String, String>),
    /// No label set does.
    No,
    /// Not decided (substring operators the search could not settle, or a selector too large).
    Unknown,
}

impl Sat {
    /// Certainly satisfiable.
    pub fn is_yes(&self) -> bool {
        matches!(self, Sat::Yes(_))
    }

    /// Certainly unsatisfiable.
    pub fn is_no(&self) -> bool {
        matches!(self, Sat::No)
    }
}

/// A test on one key that is false when the key is absent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Atom {
    Has(String),
    /// `key op value` for `==`, `contains`, `starts with`, `ends with`.
    Is(String, MatchOp, String),
}

impl Atom {
    fn key(&self) -> &str {
        match self {
            Atom::Has(k) | Atom::Is(k, _, _) => k,
        }
    }
}

/// `(positive, atom)`.
type Literal = (bool, Atom);
type Conjunction = Vec<Literal>;

/// `expr` (or its negation) as a disjunction of conjunctions; `None` when too large.
fn dnf(expr: &Expr, positive: bool) -> Option<Vec<Conjunction>> {
    let atom = |a: Atom, p: bool| Some(vec![vec![(p, a)]]);
    match expr {
        Expr::All | Expr::Global => Some(if positive {
            vec![Vec::new()]
        } else {
            Vec::new()
        }),
        Expr::Has(k) => atom(Atom::Has(k.clone()), positive),
        Expr::Match { key, op, value } => match op {
            MatchOp::Ne => atom(Atom::Is(key.clone(), MatchOp::Eq, value.clone()), !positive),
            op => atom(Atom::Is(key.clone(), *op, value.clone()), positive),
        },
        Expr::In { key, values } | Expr::NotIn { key, values } => {
            let is_in = matches!(expr, Expr::In { .. }) == positive;
            let atoms = values
                .iter()
                .map(|v| Atom::Is(key.clone(), MatchOp::Eq, v.clone()));
            Some(if is_in {
                atoms.map(|a| vec![(true, a)]).collect()
            } else {
                vec![atoms.map(|a| (false, a)).collect()]
            })
        }
        Expr::Not(inner) => dnf(inner, !positive),
        Expr::And(operands) | Expr::Or(operands) => {
            let conjunctive = matches!(expr, Expr::And(_)) == positive;
            let parts = operands
                .iter()
                .map(|e| dnf(e, positive))
                .collect::<Option<Vec<_>>>()?;
            if conjunctive {
                let mut acc = vec![Vec::new()];
                for part in parts {
                    acc = product(&acc, &part)?;
                }
                Some(acc)
            } else {
                let all: Vec<Conjunction> = parts.into_iter().flatten().collect();
                (all.len() <= MAX_CONJUNCTIONS).then_some(all)
            }
        }
    }
}

/// Every conjunction of `a` with every one of `b`, dropping those with `x` and `not x`.
fn product(a: &[Conjunction], b: &[Conjunction]) -> Option<Vec<Conjunction>> {
    let mut out = Vec::new();
    for x in a {
        for y in b {
            let mut c = x.clone();
            c.extend(y.iter().cloned());
            c.sort();
            c.dedup();
            let contradictory = c.windows(2).any(|w| w[0].1 == w[1].1 && w[0].0 != w[1].0);
            if !contradictory {
                out.push(c);
            }
            if out.len() > MAX_CONJUNCTIONS {
                return None;
            }
        }
    }
    Some(out)
}

/// Whether `value` meets `op v`.
fn holds(op: MatchOp, v: &str, value: &str) -> bool {
    match op {
        MatchOp::Eq => value == v,
        MatchOp::Ne => value != v,
        MatchOp::Contains => value.contains(v),
        MatchOp::StartsWith => value.starts_with(v),
        MatchOp::EndsWith => value.ends_with(v),
    }
}

/// What one conjunction asks of one key.
#[derive(Default)]
struct KeyConstraints<'a> {
    has: Option<bool>,
    positive: Vec<(MatchOp, &'a str)>,
    negative: Vec<(MatchOp, &'a str)>,
}

enum KeySat {
    Absent,
    Value(String),
    No,
    Unknown,
}

impl KeyConstraints<'_> {
    fn accepts(&self, value: &str) -> bool {
        self.positive.iter().all(|(op, v)| holds(*op, v, value))
            && !self.negative.iter().any(|(op, v)| holds(*op, v, value))
    }

    fn decide(&self, fresh: char) -> KeySat {
        let present = self.has == Some(true) || !self.positive.is_empty();
        if !present {
            return KeySat::Absent;
        }
        if self.has == Some(false) {
            return KeySat::No;
        }
        let eq: BTreeSet<&str> = self
            .positive
            .iter()
            .filter(|(op, _)| *op == MatchOp::Eq)
            .map(|(_, v)| *v)
            .collect();
        if let Some(first) = eq.first() {
            return if eq.len() == 1 && self.accepts(first) {
                KeySat::Value((*first).to_owned())
            } else {
                KeySat::No
            };
        }
        // No fixed value: the value must start, end and contain as asked, and avoid the negations.
        let of = |op: MatchOp| -> Vec<&str> {
            self.positive
                .iter()
                .filter(|(o, _)| *o == op)
                .map(|(_, v)| *v)
                .collect()
        };
        let (starts, ends, contains) = (
            of(MatchOp::StartsWith),
            of(MatchOp::EndsWith),
            of(MatchOp::Contains),
        );
        let (prefix, suffix) = (longest(&starts), longest(&ends));
        if starts.iter().any(|s| !prefix.starts_with(s))
            || ends.iter().any(|e| !suffix.ends_with(e))
        {
            return KeySat::No;
        }
        // A negation the positive atoms entail is a certain contradiction.
        for (op, v) in &self.negative {
            let entailed = match op {
                MatchOp::Contains => {
                    v.is_empty()
                        || prefix.contains(v)
                        || suffix.contains(v)
                        || contains.iter().any(|c| c.contains(v))
                }
                MatchOp::StartsWith => prefix.starts_with(v),
                MatchOp::EndsWith => suffix.ends_with(v),
                MatchOp::Eq | MatchOp::Ne => false,
            };
            if entailed {
                return KeySat::No;
            }
        }
        for candidate in candidates(prefix, suffix, &contains, fresh) {
            if self.accepts(&candidate) {
                return KeySat::Value(candidate);
            }
        }
        KeySat::Unknown
    }
}

fn longest<'a>(values: &[&'a str]) -> &'a str {
    values.iter().copied().max_by_key(|v| v.len()).unwrap_or("")
}

/// Values worth trying: the prefix, the contained parts (in every order when there are few) and the
/// suffix, joined directly or through a character no literal uses, optionally overlapping the prefix
/// and suffix, with a few fresh tails to step around excluded values.
fn candidates(prefix: &str, suffix: &str, contains: &[&str], fresh: char) -> Vec<String> {
    let mut orders: Vec<Vec<&str>> = vec![contains.to_vec()];
    if contains.len() <= 3 {
        orders = permutations(contains);
    }
    let mut out = Vec::new();
    let sep = fresh.to_string();
    for order in &orders {
        for join in ["", sep.as_str()] {
            let middle = order.join(join);
            for tail in ["", sep.as_str(), "\u{1}\u{1}"] {
                out.push(format!("{prefix}{join}{middle}{tail}{join}{suffix}"));
                out.push(format!("{prefix}{tail}{middle}{join}{suffix}"));
            }
        }
    }
    // The prefix and suffix may share characters ("ab" starts with "a" and ends with "b").
    for k in 1..=prefix.len().min(suffix.len()) {
        if prefix.is_char_boundary(prefix.len() - k)
            && suffix.is_char_boundary(k)
            && prefix[prefix.len() - k..] == suffix[..k]
        {
            out.push(format!("{prefix}{}", &suffix[k..]));
        }
    }
    out.push(prefix.to_owned());
    out.push(suffix.to_owned());
    out
}

fn permutations<'a>(items: &[&'a str]) -> Vec<Vec<&'a str>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut p in permutations(&rest) {
            p.insert(0, first);
            out.push(p);
        }
    }
    out
}

/// A character that appears in no value of the conjunction.
fn fresh_char(c: &Conjunction) -> char {
    ['~', '#', '§', '¤', '\u{7f}']
        .into_iter()
        .find(|ch| {
            !c.iter().any(|(_, a)| match a {
                Atom::Is(_, _, v) => v.contains(*ch),
                Atom::Has(_) => false,
            })
        })
        .unwrap_or('\u{10FFFF}')
}

fn decide_conjunction(c: &Conjunction) -> Sat {
    let fresh = fresh_char(c);
    let mut keys: BTreeMap<&str, KeyConstraints<'_>> = BTreeMap::new();
    for (positive, atom) in c {
        let k = keys.entry(atom.key()).or_default();
        match atom {
            Atom::Has(_) => {
                if k.has.is_some_and(|h| h != *positive) {
                    return Sat::No;
                }
                k.has = Some(*positive);
            }
            Atom::Is(_, op, v) => {
                if *positive {
                    k.positive.push((*op, v));
                } else {
                    k.negative.push((*op, v));
                }
            }
        }
    }
    let mut witness = BTreeMap::new();
    let mut unknown = false;
    for (key, k) in &keys {
        match k.decide(fresh) {
            KeySat::Absent => {}
            KeySat::Value(v) => {
                witness.insert((*key).to_owned(), v);
            }
            KeySat::No => return Sat::No,
            KeySat::Unknown => unknown = true,
        }
    }
    if unknown {
        Sat::Unknown
    } else {
        Sat::Yes(witness)
    }
}

fn decide(disjunction: Option<Vec<Conjunction>>) -> Sat {
    let Some(disjunction) = disjunction else {
        return Sat::Unknown;
    };
    let mut unknown = false;
    for c in &disjunction {
        match decide_conjunction(c) {
            Sat::Yes(w) => return Sat::Yes(w),
            Sat::Unknown => unknown = true,
            Sat::No => {}
        }
    }
    if unknown { Sat::Unknown } else { Sat::No }
}

/// Could some label set satisfy `expr`?
pub fn satisfiable(expr: &Expr) -> Sat {
    decide(dnf(expr, true))
}

/// Could some label set satisfy both?
pub fn overlap(a: &Expr, b: &Expr) -> Sat {
    decide(dnf(a, true).and_then(|x| dnf(b, true).and_then(|y| product(&x, &y))))
}

/// Does every label set that satisfies `a` satisfy `b`? `None` when undecided.
pub fn implies(a: &Expr, b: &Expr) -> Option<bool> {
    match decide(dnf(a, true).and_then(|x| dnf(b, false).and_then(|y| product(&x, &y)))) {
        Sat::No => Some(true),
        Sat::Yes(_) => Some(false),
        Sat::Unknown => None,
    }
}

/// A selector's normal forms, built once for many implication questions (one selector against
/// hundreds of others): [`implies`] builds both for every pair it is asked about.
#[derive(Debug, Clone)]
pub struct Normalized {
    positive: Option<Vec<Conjunction>>,
    negative: Option<Vec<Conjunction>>,
}

impl Normalized {
    pub fn new(expr: &Expr) -> Normalized {
        Normalized {
            positive: dnf(expr, true),
            negative: dnf(expr, false),
        }
    }

    /// [`implies`] over prepared forms: the same answer.
    pub fn implies(&self, other: &Normalized) -> Option<bool> {
        let (Some(x), Some(y)) = (&self.positive, &other.negative) else {
            return None;
        };
        match decide(product(x, y)) {
            Sat::No => Some(true),
            Sat::Yes(_) => Some(false),
            Sat::Unknown => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selector::Selector;

    fn sel(text: &str) -> Expr {
        Selector::parse(text)
            .unwrap_or_else(|_| Selector::all())
            .expr()
            .clone()
    }

    #[test]
    fn the_issue_example_and_friends() {
        assert_eq!(implies(&sel("app == 'web'"), &sel("has(app)")), Some(true));
        assert_eq!(implies(&sel("has(app)"), &sel("app == 'web'")), Some(false));
        assert!(overlap(&sel("has(app)"), &sel("app == 'web'")).is_yes());
        assert!(overlap(&sel("app == 'a'"), &sel("app == 'b'")).is_no());
        assert!(satisfiable(&sel("app in {'a'} && app not in {'a'}")).is_no());
        assert!(satisfiable(&sel("app starts with 'ab' && app ends with 'ba'")).is_yes());
        assert!(satisfiable(&sel("app contains 'x' && !(app contains 'x')")).is_no());
        assert!(satisfiable(&sel("app starts with 'ab' && !(app starts with 'a')")).is_no());
        assert_eq!(
            implies(&sel("all()"), &sel("has(x) || !has(x)")),
            Some(true)
        );
    }
}
