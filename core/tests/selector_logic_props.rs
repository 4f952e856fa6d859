#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

//! `selector::logic` against brute force (10 000 cases): random selectors over a small universe of
//! keys and values; the brute force tries every label set whose keys are absent or hold one value of a
//! pool (every literal, concatenations of literals, and a value nobody mentions).
//! - a witness always satisfies the selector;
//! - "unsatisfiable" is never contradicted by a label set of the pool;
//! - with only `has`, `==`, `!=`, `in`, `not in` the answer is never unknown and agrees exactly;
//! - implication and overlap agree with the brute force in the same way.

use std::collections::BTreeMap;

use netpol_core::selector::logic::Sat;
use netpol_core::selector::{Expr, MatchOp, Selector};
use proptest::prelude::*;

const KEYS: [&str; 3] = ["a", "b", "c"];
const VALUES: [&str; 4] = ["x", "y", "xy", "yx"];

fn atom(substrings: bool) -> BoxedStrategy<Expr> {
    let key = prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned);
    let value = prop::sample::select(VALUES.to_vec()).prop_map(str::to_owned);
    let ops = if substrings {
        vec![
            MatchOp::Eq,
            MatchOp::Ne,
            MatchOp::Contains,
            MatchOp::StartsWith,
            MatchOp::EndsWith,
        ]
    } else {
        vec![MatchOp::Eq, MatchOp::Ne]
    };
    prop_oneof![
        key.clone().prop_map(Expr::Has),
        (key.clone(), prop::sample::select(ops), value.clone())
            .prop_map(|(key, op, value)| Expr::Match { key, op, value }),
        (
            key.clone(),
            prop::collection::vec(value.clone(), 1..3),
            any::<bool>()
        )
            .prop_map(|(key, values, inside)| if inside {
                Expr::In { key, values }
            } else {
                Expr::NotIn { key, values }
            }),
        Just(Expr::All),
    ]
    .boxed()
}

fn expr(substrings: bool) -> impl Strategy<Value = Selector> {
    atom(substrings)
        .prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
                prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
                prop::collection::vec(inner, 2..4).prop_map(Expr::Or),
            ]
        })
        .prop_map(|e| Selector::from_expr(e).expect("a valid selector"))
}

type Labels = BTreeMap<String, String>;

/// Every label set over KEYS with values from the pool (or absent), built once.
fn universe() -> &'static [Labels] {
    static POOL: std::sync::OnceLock<Vec<Labels>> = std::sync::OnceLock::new();
    POOL.get_or_init(build_universe)
}

fn exact_universe() -> &'static [Labels] {
    static POOL: std::sync::OnceLock<Vec<Labels>> = std::sync::OnceLock::new();
    POOL.get_or_init(build_exact_universe)
}

fn build_universe() -> Vec<Labels> {
    let mut pool: Vec<String> = VALUES.iter().map(|v| (*v).to_owned()).collect();
    for a in VALUES {
        for b in VALUES {
            pool.push(format!("{a}{b}"));
        }
    }
    pool.push("fresh".to_owned());
    pool.push(String::new());
    pool.sort();
    pool.dedup();
    let mut out = vec![BTreeMap::new()];
    for key in KEYS {
        let mut next = Vec::new();
        for labels in &out {
            next.push(labels.clone());
            for v in &pool {
                let mut l = labels.clone();
                l.insert(key.to_owned(), v.clone());
                next.push(l);
            }
        }
        out = next;
    }
    out
}

fn build_exact_universe() -> Vec<Labels> {
    // For `==`/`!=`/`in`/`not in`, one value per key nobody mentions completes the literals.
    let mut pool: Vec<String> = VALUES.iter().map(|v| (*v).to_owned()).collect();
    pool.push("fresh".to_owned());
    let mut out = vec![BTreeMap::new()];
    for key in KEYS {
        let mut next = Vec::new();
        for labels in &out {
            next.push(labels.clone());
            for v in &pool {
                let mut l = labels.clone();
                l.insert(key.to_owned(), v.clone());
                next.push(l);
            }
        }
        out = next;
    }
    out
}

fn check(
    answer: &Sat,
    satisfied: impl Fn(&BTreeMap<String, String>) -> bool,
    pool: &[BTreeMap<String, String>],
    exact: bool,
) -> Result<(), TestCaseError> {
    let found = pool.iter().find(|l| satisfied(l));
    match answer {
        Sat::Yes(w) => prop_assert!(satisfied(w), "the witness {w:?} does not satisfy"),
        Sat::No => prop_assert!(
            found.is_none(),
            "said unsatisfiable, but {found:?} satisfies"
        ),
        Sat::Unknown => prop_assert!(!exact, "unknown on the exact fragment"),
    }
    if exact {
        prop_assert_eq!(answer.is_yes(), found.is_some(), "brute force: {:?}", found);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5_000, ..ProptestConfig::default() })]

    #[test]
    fn exact_fragment_agrees_with_brute_force(a in expr(false), b in expr(false)) {
        let pool = exact_universe();
        check(&a.satisfiable(), |l| a.matches(l), pool, true)?;
        check(&a.overlaps(&b), |l| a.matches(l) && b.matches(l), pool, true)?;
        let implied = pool.iter().all(|l| !a.matches(l) || b.matches(l));
        prop_assert_eq!(a.implies(&b), Some(implied), "{} ⇒ {}", a.canonical(), b.canonical());
        // The prepared forms the lints reuse give the same answer.
        prop_assert_eq!(a.normalized().implies(&b.normalized()), Some(implied));
    }

    #[test]
    fn substring_operators_are_never_wrong(a in expr(true), b in expr(true)) {
        let pool = universe();
        check(&a.satisfiable(), |l| a.matches(l), pool, false)?;
        check(&a.overlaps(&b), |l| a.matches(l) && b.matches(l), pool, false)?;
        prop_assert_eq!(a.normalized().implies(&b.normalized()), a.implies(&b));
        // "Implies" is never contradicted by a label set of the pool.
        if a.implies(&b) == Some(true) {
            prop_assert!(
                pool.iter().all(|l| !a.matches(l) || b.matches(l)),
                "{} ⇒ {}",
                a.canonical(),
                b.canonical()
            );
        }
    }
}
