//! Property tests for the selector language: parse∘print identity on random trees, the matcher against
//! a brute-force reference written from the spec table (calico-semantics.md §1.3), and robustness of the
//! parser on random token soups.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::BTreeMap;

use netpol_core::selector::{Expr, MatchOp, Selector};
use proptest::prelude::*;

/// Keys include the words that are operators elsewhere, to exercise the context rules of the lexer.
const KEYS: &[&str] = &[
    "a",
    "b",
    "app",
    "in",
    "not",
    "has",
    "all",
    "global",
    "contains",
    "starts",
    "ends",
    "with",
    "-x",
    "/",
    "9lives",
    "k8s.io/name",
    "a_b.c-d",
];
const VALUES: &[&str] = &[
    "", "x", "y", "prod", "a b", "'", "\"", "in", "{", "}", ",", "&&", "||", "!", "(", ")", "x'y",
    "x\"y", "\t", "é",
];

fn key() -> impl Strategy<Value = String> {
    prop::sample::select(KEYS).prop_map(str::to_string)
}

fn value() -> impl Strategy<Value = String> {
    prop::sample::select(VALUES).prop_map(str::to_string)
}

fn op() -> impl Strategy<Value = MatchOp> {
    prop::sample::select(
        &[
            MatchOp::Eq,
            MatchOp::Ne,
            MatchOp::Contains,
            MatchOp::StartsWith,
            MatchOp::EndsWith,
        ][..],
    )
}

fn sorted_set() -> impl Strategy<Value = Vec<String>> {
    prop::collection::btree_set(value(), 0..4).prop_map(|s| s.into_iter().collect())
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        Just(Expr::All),
        Just(Expr::Global),
        key().prop_map(Expr::Has),
        (key(), op(), value()).prop_map(|(key, op, value)| Expr::Match { key, op, value }),
        (key(), sorted_set()).prop_map(|(key, values)| Expr::In { key, values }),
        (key(), sorted_set()).prop_map(|(key, values)| Expr::NotIn { key, values }),
    ]
}

/// Trees that satisfy the invariants of `Expr` (what the parser can produce).
fn tree() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
            prop::collection::vec(inner, 2..4).prop_map(Expr::Or),
        ]
    })
}

fn label_map() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map(key(), value(), 0..5)
}

/// The evaluation table of calico-semantics.md §1.3, written independently of the crate's matcher.
fn reference(expr: &Expr, labels: &BTreeMap<String, String>) -> bool {
    match expr {
        Expr::All | Expr::Global => true,
        Expr::Has(k) => labels.contains_key(k),
        Expr::Match { key, op, value } => {
            let actual = labels.get(key);
            match op {
                MatchOp::Eq => actual == Some(value),
                MatchOp::Ne => actual != Some(value),
                MatchOp::Contains => actual.is_some_and(|a| a.contains(value.as_str())),
                MatchOp::StartsWith => actual.is_some_and(|a| a.starts_with(value.as_str())),
                MatchOp::EndsWith => actual.is_some_and(|a| a.ends_with(value.as_str())),
            }
        }
        Expr::In { key, values } => labels
            .get(key)
            .is_some_and(|a| values.iter().any(|v| v == a)),
        Expr::NotIn { key, values } => !labels
            .get(key)
            .is_some_and(|a| values.iter().any(|v| v == a)),
        Expr::Not(inner) => !reference(inner, labels),
        Expr::And(operands) => operands.iter().all(|e| reference(e, labels)),
        Expr::Or(operands) => operands.iter().any(|e| reference(e, labels)),
    }
}

/// Token soup: fragments that lex, and a few that do not, joined by random blanks.
fn soup() -> impl Strategy<Value = String> {
    let fragment = prop::sample::select(
        &[
            "a",
            "b",
            "in",
            "not",
            "not in",
            "notin",
            "contains",
            "starts with",
            "ends",
            "with",
            "has(a)",
            "has( b )",
            "has(",
            "all()",
            "all(",
            "global()",
            "(",
            ")",
            "{",
            "}",
            ",",
            "==",
            "!=",
            "!",
            "&&",
            "||",
            "'x'",
            "\"y\"",
            "''",
            "'",
            "=",
            "&",
            "|",
            "%",
            "\n",
            "-",
            "/",
        ][..],
    );
    let blank = prop::sample::select(&["", " ", "\t", "  "][..]);
    prop::collection::vec((fragment, blank), 0..12).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(f, b)| format!("{f}{b}"))
            .collect::<String>()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn print_then_parse_is_identity(expr in tree()) {
        let sel = Selector::from_expr(expr.clone());
        prop_assert!(sel.is_ok(), "valid tree rejected: {:?}", expr);
        let sel = sel.unwrap_or_default();
        // The generator only builds normalised trees, so from_expr keeps them as they are.
        prop_assert_eq!(sel.expr(), &expr);
        let text = sel.canonical();
        let reparsed = Selector::parse(&text);
        prop_assert!(reparsed.is_ok(), "canonical `{}` does not parse: {:?}", text, reparsed);
        let reparsed = reparsed.unwrap_or_default();
        prop_assert_eq!(&reparsed, &sel, "canonical text: {}", text);
        prop_assert_eq!(reparsed.canonical(), text);
    }

    #[test]
    fn matcher_agrees_with_reference(expr in tree(), labels in label_map()) {
        let sel = Selector::from_expr(expr.clone()).unwrap_or_default();
        prop_assert_eq!(sel.matches(&labels), reference(&expr, &labels), "{} on {:?}", sel, labels);
        let reparsed = Selector::parse(&sel.canonical()).unwrap_or_default();
        prop_assert_eq!(reparsed.matches(&labels), reference(&expr, &labels));
    }

    #[test]
    fn label_selector_round_trip_keeps_meaning(expr in tree(), labels in label_map()) {
        let sel = Selector::from_expr(expr).unwrap_or_default();
        if let Some(ls) = sel.to_label_selector() {
            // Values with `'` cannot go through Calico's converter; everything else must.
            if let Ok(back) = Selector::from_label_selector(&ls) {
                prop_assert_eq!(back.matches(&labels), sel.matches(&labels), "{} vs {}", sel, back);
            }
        }
    }

    #[test]
    fn token_soup_never_panics_and_round_trips(text in soup(), labels in label_map()) {
        if let Ok(sel) = Selector::parse(&text) {
            let canonical = sel.canonical();
            let reparsed = Selector::parse(&canonical);
            prop_assert_eq!(reparsed.as_ref().ok(), Some(&sel), "`{}` → `{}`", text, canonical);
            prop_assert_eq!(reparsed.map(|r| r.matches(&labels)).ok(), Some(sel.matches(&labels)));
        } else if let Err(err) = Selector::parse(&text) {
            prop_assert!(err.span().start <= err.span().end && err.span().end <= text.len());
            prop_assert!(text.is_char_boundary(err.span().start) && text.is_char_boundary(err.span().end));
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,64}") {
        match Selector::parse(&text) {
            Ok(sel) => prop_assert_eq!(Selector::parse(&sel.canonical()).ok(), Some(sel)),
            Err(err) => prop_assert!(err.span().end <= text.len()),
        }
    }

    #[test]
    fn rename_value_renames_exact_comparisons(expr in tree(), from in value(), to in value()) {
        let sel = Selector::from_expr(expr).unwrap_or_default();
        let renamed = sel.rename_value("a", &from, &to);
        prop_assert!(Selector::parse(&renamed.canonical()).is_ok());
        if from != to && sel.label_values().contains(&("a".to_string(), from.clone())) {
            prop_assert!(renamed.label_values().contains(&("a".to_string(), to.clone())));
        }
    }
}
